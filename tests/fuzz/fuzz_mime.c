/* fuzz_mime.c - the whole input is one raw message (mime_parse). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dslimits.h"
#include "mime.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_msg m;
	const char *code = NULL, *why = NULL;
	size_t i;
	int rc;

	rc = mime_parse(data, size, &m, &code, &why);
	if (rc < 0)
		abort();	/* only OOM may fail on our side */
	if (rc > 0 && (code == NULL || why == NULL || m.nfrom != 0 ||
	    m.cms != NULL || m.content != NULL))
		abort();
	if (rc == 0) {
		if (m.nfrom == 0 || m.nfrom > DS_MAX_FROM_ADDRESSES)
			abort();
		for (i = 0; i < m.nfrom; i++)
			if (!utf8_valid_text(m.from[i], strlen(m.from[i])))
				abort();
		if (m.from_display != NULL && (strlen(m.from_display) >
		    DS_MAX_DISPLAY_NAME || !utf8_valid_text(m.from_display,
		    strlen(m.from_display))))
			abort();
		if ((m.kind == MIME_SIGNED_DETACHED) != (m.content != NULL))
			abort();
		if ((m.kind == MIME_SIGNED_DETACHED ||
		    m.kind == MIME_SIGNED_OPAQUE) != (m.cms != NULL))
			abort();
		/* The signed content is CRLF canonical: no bare LF. */
		for (i = 0; m.content != NULL && i < m.content_len;
		    i++)
			if (m.content[i] == '\n' && (i == 0 ||
			    m.content[i - 1] != '\r'))
				abort();
	}
	mime_msg_free(&m);
	return 0;
}
