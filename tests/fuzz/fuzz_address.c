/* fuzz_address.c - the whole input is one address (address_parse); the
 * same bytes also go through the UTF-8 and text decoders. */
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
