/* fuzz_cert.c - the whole input is one DER certificate (certs_decode).
 * Whenever the fast path (x509sum.c) accepts an input, the NSS path must
 * accept it too with every field equal: libFuzzer then hunts for inputs
 * on which the two would differ. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "certs.h"
#include "crypto.h"
#include "utf8.h"
#include "x509sum.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int started;
	struct cert_summary c, f, n;
	const char *why = NULL, *nwhy = NULL;
	size_t i;
	int rc;

	/* NSS once per process (certs_decode would start it lazily anyway),
	 * shut down at exit so valgrind and LSan see no NSS arenas. */
	if (!started) {
		if (crypto_init() != 0 || atexit(crypto_shutdown) != 0)
			abort();
		started = 1;
	}
	rc = certs_decode(data, size, &c, &why);
	if (rc < 0)
		abort();	/* only OOM may fail on our side */
	if (rc > 0 && why == NULL)
		abort();
	if (rc == CERTS_OK) {
		if (c.der_len != size || memcmp(c.der, data, size) != 0 ||
		    !utf8_valid_text(c.subject, strlen(c.subject)) ||
		    !utf8_valid_text(c.issuer, strlen(c.issuer)) ||
		    strlen(c.subject) > DS_MAX_DN_TEXT ||
		    c.nemails > DS_MAX_CERT_EMAILS)
			abort();
		for (i = 0; i < c.nemails; i++)
			if (!utf8_valid_text(c.emails[i], strlen(c.emails[i])))
				abort();
	}
	cert_summary_free(&c);
	if ((rc = x509sum_decode(data, size, &f)) < 0)
		abort();
	if (rc == 1) {
		if (certs_decode_nss(data, size, &n, &nwhy) != CERTS_OK ||
		    x509sum_differ(&f, &n) != NULL)
			abort();	/* the fast path is wrong */
		cert_summary_free(&n);
	}
	cert_summary_free(&f);
	return 0;
}
