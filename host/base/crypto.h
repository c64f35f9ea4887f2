/* crypto.h - NSS, initialised once, lazily, without any database.
 *
 * dane-smime never stores keys or certificates of its own: NSS is used
 * only to hash, to decode certificates and to verify signatures, so it is
 * started without a certificate or module DB. Single-threaded, like the
 * rest of the host.
 */
#ifndef DS_CRYPTO_H
#define DS_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

/* Opens the NSS libraries (nsslib.h: not linked, so that a start that
 * needs no NSS does not pay for them) and initialises NSS (an
 * NSS_InitContext without databases) on first use; later calls return at
 * once. 0 ok, -1 if NSS cannot start (our fault) or its libraries cannot
 * be loaded (logged once, naming the library; a later call tries again).
 * No NSS function may be called before this succeeded.
 * Other NSS users in the process (NSS_Initialize, more contexts) keep
 * working: a context is reference-counted by NSS. */
int crypto_init(void);

/* Digests of p[0..n) into out: SHA-256 on the CPU's SHA extensions when
 * it has them (sha256ni.h); else through freebl's raw interface when
 * libfreebl3 is there; neither needs crypto_init (a lookup whose
 * certificates x509sum reads never starts NSS); else through PKCS #11,
 * calling crypto_init themselves. 0 ok, -1 on NSS failure or if n does
 * not fit NSS's 32-bit length. */
int crypto_sha256(const void *p, size_t n, uint8_t out[32]);
int crypto_sha512(const void *p, size_t n, uint8_t out[64]);

/* Shuts our NSS context down if it was started, so valgrind and LSan see
 * no leaks. Every CERTCertificate must have been destroyed before. Safe
 * to call more than once; crypto_init may start NSS again afterwards. */
void crypto_shutdown(void);

/* The same, saying whether NSS agreed: 0 shut down (or never started),
 * -1 NSS refused (typically SEC_ERROR_BUSY: a certificate, key or slot
 * reference is still held somewhere). Our context is forgotten either
 * way. For tests that prove nothing leaks into NSS. */
int crypto_shutdown_checked(void);

/* Registers fn to run at the start of crypto_shutdown, before NSS goes
 * down (pkix uses it to unload modules). One hook; NULL clears it. */
void crypto_set_shutdown_hook(void (*fn)(void));

#endif
