/* fuzz_request.c - request decoding (host/core/request.c): the whole input
 * is one frame body.
 *
 * Besides memory safety it checks the claim request.c relies on: what
 * the pre-scan accepts, cJSON parses (so a NULL from cJSON means OOM).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "dslimits.h"
#include "../../host/core/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request r;
	const char *code, *msg, *end = NULL;
	char *buf;
	cJSON *j;
	size_t i;
	int rc;

	/* An exact-size copy without NUL: over-reads show up in ASan. */
	if ((buf = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);

	if (request_json_check(buf, size, &code, &msg) == 0) {
		j = cJSON_ParseWithLengthOpts(buf, size, &end, 0);
		if (j == NULL)
			abort();	/* pre-scan more lenient than cJSON */
		for (i = (size_t)(end - buf); i < size; i++)
			if (buf[i] != ' ' && buf[i] != '\t' &&
			    buf[i] != '\n' && buf[i] != '\r')
				abort();
		cJSON_Delete(j);
	}

	rc = request_decode(buf, size, &r, &code, &msg);
	if (rc == 0) {
		if (r.type < REQ_HELLO || r.type > REQ_DOCTOR ||
		    r.root == NULL || r.id_json == NULL || code != NULL)
			abort();
		if (r.type == REQ_LOOKUP && (r.naddresses == 0 ||
		    r.naddresses > DS_MAX_ADDRESSES))
			abort();
		for (i = 0; i < r.naddresses; i++)
			if (r.addresses[i] == NULL)
				abort();
	} else if (rc == 1) {
		if (code == NULL || msg == NULL || r.root != NULL ||
		    r.id_json == NULL)
			abort();
	}
	/* The echoed id must itself be valid JSON. */
	if (r.id_json != NULL) {
		if (request_json_check(r.id_json, strlen(r.id_json), &code,
		    &msg) != 0)
			abort();
	}
	request_free(&r);
	free(buf);
	return 0;
}
