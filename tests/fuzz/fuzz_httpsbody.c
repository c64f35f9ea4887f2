/* fuzz_httpsbody.c - https_body_certs on arbitrary bytes: the body a web
 * server sends for a certificate URL (PEM blocks among any text, or one
 * DER certificate); then checks the promises https.h makes. */
#include <stdlib.h>
#include <string.h>

#include "../../host/web/https.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile uint8_t sink;

static void
must(int cond)
{
	if (!cond)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *ee = NULL, **chain = NULL, *copy;
	size_t ee_len = 99, *lens = NULL, n = 99, i;
	const char *why = NULL;
	int rc;

	/* An exact-size copy, so ASan sees any over-read. */
	if ((copy = malloc(size > 0 ? size : 1)) == NULL)
		return 0;
	if (size > 0)
		memcpy(copy, data, size);
	rc = https_body_certs(copy, size, &ee, &ee_len, &chain, &lens, &n,
	    &why);
	must(rc >= -1 && rc <= 1);
	if (rc != 0) {
		must(ee == NULL && ee_len == 0 && chain == NULL &&
		    lens == NULL && n == 0);
		must(rc < 0 || why != NULL);
	} else {
		must(ee != NULL && ee_len > 0 && why == NULL);
		/* DER is the whole body; PEM decodes to less than it. */
		must(ee_len <= size);
		sink = ee[0];
		sink = ee[ee_len - 1];
		must(n <= DS_MAX_CHAIN && (n == 0) == (chain == NULL));
		for (i = 0; i < n; i++) {
			must(chain[i] != NULL && lens[i] > 0 &&
			    lens[i] < size);
			sink = chain[i][lens[i] - 1];
			free(chain[i]);
		}
	}
	free(ee);
	free(chain);
	free(lens);
	free(copy);
	return 0;
}
