/* sha256ni.h - SHA-256 on the x86 SHA extensions, for crypto.c only.
 *
 * Debian 12's NSS 3.87 freebl hashes SHA-256 in portable C: ~3-4 us for
 * the ~1 kB certificate every found address carries, a fifth of a bulk
 * lookup's CPU (tests/bench/README.md). The CPU's own SHA-256 round
 * instructions do the same in under 1 us. Only the compression function
 * and the FIPS 180-4 padding live here; crypto.c uses them only when the
 * CPU has the extensions and the known answers below come out right, and
 * hashes through NSS otherwise. tests/unit/test_crypto.c checks every
 * length across several blocks against NSS's PK11_HashBuf.
 */
#ifndef DS_SHA256NI_H
#define DS_SHA256NI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether sha256ni() may be called: an x86-64 CPU with SHA, SSSE3 and
 * SSE4.1, and a known-answer test passed (FIPS 180-4 "abc" and the
 * two-block example). Decided on the first call. False elsewhere, and
 * when DANE_SMIME_NO_SHA_NI is set in the environment (tests compare
 * both paths). */
bool sha256ni_available(void);

/* SHA-256 (FIPS 180-4 6.2) of p[0..n). Only after sha256ni_available()
 * said true. */
void sha256ni(const void *p, size_t n, uint8_t out[32]);

#endif
