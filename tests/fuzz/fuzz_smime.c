/* fuzz_smime.c - smime_verify over one input: the first byte picks
 * opaque (even) or detached with a fixed content (odd), the rest is the
 * CMS. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "smime.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char content[] =
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n\r\n"
	    "Hello Bob,\r\n\r\nthis message is signed.\r\n-- \r\nHugh\r\n";
	static int started;
	struct smime_result r;
	bool detached;

	if (!started) {
		if (crypto_init() != 0 || atexit(crypto_shutdown) != 0)
			abort();
		started = 1;
	}
	if (size < 1)
		return 0;
	detached = (data[0] & 1) != 0;
	if (smime_verify(detached ? (const uint8_t *)content : NULL,
	    detached ? strlen(content) : 0, data + 1, size - 1, &r) != 0)
		abort();	/* only OOM may fail on our side */
	if (r.signature != SMIME_VALID && (r.code == NULL ||
	    !utf8_valid(r.message, strlen(r.message))))
		abort();
	if (r.signature == SMIME_VALID && (r.code != NULL || !r.has_signer))
		abort();
	smime_result_free(&r);
	return 0;
}
