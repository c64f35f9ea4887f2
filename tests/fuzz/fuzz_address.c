/* fuzz_address.c - the whole input is one address (address_parse), and
 * one mailbox as a client shows the sender (address_parse_display, with
 * display names, comments, quotes: corpus files mailbox-*); the same
 * bytes also go through the UTF-8 and text decoders. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "crypto.h"
#include "encode.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *why = NULL;
	struct address a, b;
	uint8_t *dec = NULL;
	size_t declen;
	char *clean;
	static int started;
	int rc;

	/* NSS (for the owner-name hash) once; shut down at exit so valgrind
	 * and LSan see no NSS arenas. */
	if (!started) {
		if (crypto_init() != 0 || atexit(crypto_shutdown) != 0)
			abort();
		started = 1;
	}
	rc = address_parse(s, size, &a, &why);
	if (rc == ADDR_OK) {
		/* What we accept is text, bounded, and parses again to the
		 * same mailbox (A-labels are a fixed point). */
		if (!utf8_valid_text(a.local, a.local_len) ||
		    a.local_len > DS_MAX_LOCAL_PART ||
		    strlen(a.domain) > DS_MAX_DOMAIN ||
		    strlen(a.owner) > DS_MAX_OWNER_NAME)
			abort();
		{
			char again[DS_MAX_LOCAL_PART + 1 + DS_MAX_DOMAIN + 1];
			size_t dl = strlen(a.domain);

			memcpy(again, a.local, a.local_len);
			again[a.local_len] = '@';
			memcpy(again + a.local_len + 1, a.domain, dl);
			if (a.local_len + 1 + dl <= DS_MAX_ADDRESS) {
				if (address_parse(again, a.local_len + 1 + dl,
				    &b, &why) != ADDR_OK ||
				    !address_equal(&a, &b) ||
				    strcmp(a.owner, b.owner) != 0)
					abort();
			}
		}
	} else if (rc > 0 && why == NULL)
		abort();

	/* A mailbox: what it yields is an address that parses again to
	 * itself in angle brackets; every refusal says why. */
	why = NULL;
	rc = address_parse_display(s, size, &a, &why);
	if (rc == ADDR_OK) {
		char again[2 + DS_MAX_LOCAL_PART + 1 + DS_MAX_DOMAIN + 1];
		size_t dl = strlen(a.domain), n = 0;

		if (!utf8_valid_text(a.local, a.local_len) ||
		    a.local_len > DS_MAX_LOCAL_PART ||
		    dl > DS_MAX_DOMAIN || a.owner[0] != '\0')
			abort();
		again[n++] = '<';
		memcpy(again + n, a.local, a.local_len);
		n += a.local_len;
		again[n++] = '@';
		memcpy(again + n, a.domain, dl);
		n += dl;
		again[n++] = '>';
		if (n - 2 <= DS_MAX_ADDRESS &&
		    (address_parse_display(again, n, &b, &why) != ADDR_OK ||
		    !address_equal(&a, &b)))
			abort();
		/* "<address>" shows no other address (a quoted local-part
		 * may hold anything, "a@b" included). */
		if (a.local[0] != '"' &&
		    address_text_shows_other(again, n, &a))
			abort();
		(void)address_text_shows_other(s, size, &a);
	} else if (rc > 0 && why == NULL)
		abort();

	if ((clean = utf8_sanitize(s, size)) != NULL) {
		if (!utf8_valid_text(clean, strlen(clean)))
			abort();
		free(clean);
	}
	if (b64_decode(s, size, &dec, &declen) == 0)
		free(dec);
	if (hex_decode(s, size, &dec, &declen) == 0)
		free(dec);
	return 0;
}
