/* fuzz_tokencache.c - the token cache file the PKCS#11 module reads
 * (tokencache_parse) and, for each entry and for the whole input, the
 * module's own certificate reader (p11_cert_parse): both take bytes a
 * file on disk holds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkcs11cert.h"
#include "tokencache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
cert(const uint8_t *der, size_t len)
{
	struct p11_cert c;
	const char *why = NULL;
	uint8_t h[32];

	if (p11_cert_parse(der, len, &c, &why) == 0) {
		/* Every span lies inside the input. */
		if (c.issuer.p < der || c.issuer.p + c.issuer.len > der + len ||
		    c.subject.p < der ||
		    c.subject.p + c.subject.len > der + len ||
		    c.serial.p < der || c.serial.p + c.serial.len > der + len ||
		    c.version < 1 || c.version > 3)
			abort();
		(void)p11_cert_end_entity(&c);
	} else if (why == NULL) {
		abort();
	}
	p11_sha1(der, len, h);
	p11_sha256(der, len, h);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tokencache tc = { 0 };
	const char *why = NULL;
	uint8_t *img = NULL;
	size_t i, len;
	int rc;

	rc = tokencache_parse(data, size, &tc, &why);
	if (rc < 0)
		abort();	/* only OOM may fail on our side */
	if (rc == TC_OK) {
		for (i = 0; i < tc.n; i++) {
			if (tc.e[i].address == NULL || tc.e[i].der_len == 0)
				abort();
			cert(tc.e[i].der, tc.e[i].der_len);
		}
		/* What was read writes back byte for byte. */
		if (tokencache_serialise(&tc, &img, &len) != 0 ||
		    len != size || memcmp(img, data, size) != 0)
			abort();
		free(img);
	} else if (why == NULL || tc.n != 0) {
		abort();
	}
	tokencache_free(&tc);
	cert(data, size);
	return 0;
}
