/* crypto.c - NSS start-up and digests; see crypto.h. */
#include <stddef.h>
#include <stdint.h>

#include <nss.h>
#include <pk11pub.h>
#include <secoidt.h>

#include "crypto.h"

static NSSInitContext *nss_ctx;
static void (*shutdown_hook)(void);

int
crypto_init(void)
{
	/* No DBs (we persist nothing), no root module (trust anchors are
	 * handed in explicitly), read-only; FORCEOPEN keeps going if a
	 * module misbehaves. A context, unlike NSS_NoDB_Init, coexists with
	 * any other NSS initialisation in the process. */
	const PRUint32 flags = NSS_INIT_READONLY | NSS_INIT_NOCERTDB |
	    NSS_INIT_NOMODDB | NSS_INIT_FORCEOPEN | NSS_INIT_NOROOTINIT |
	    NSS_INIT_OPTIMIZESPACE;

	if (nss_ctx != NULL)
		return 0;
	nss_ctx = NSS_InitContext("", "", "", "", NULL, flags);
	return nss_ctx != NULL ? 0 : -1;
}

static int
digest(SECOidTag alg, const void *p, size_t n, uint8_t *out)
{
	static const unsigned char empty;

	if (crypto_init() != 0)
		return -1;
	/* INT32_MAX: the largest length NSS hashing functions take. */
	if (n > INT32_MAX)
		return -1;
	/* NSS wants a non-NULL pointer even for an empty input. */
	if (p == NULL)
		p = &empty;
	if (PK11_HashBuf(alg, out, (const unsigned char *)p, (PRInt32)n) !=
	    SECSuccess)
		return -1;
	return 0;
}

int
crypto_sha256(const void *p, size_t n, uint8_t out[32])
{
	return digest(SEC_OID_SHA256, p, n, out);
}

int
crypto_sha512(const void *p, size_t n, uint8_t out[64])
{
	return digest(SEC_OID_SHA512, p, n, out);
}

void
crypto_set_shutdown_hook(void (*fn)(void))
{
	shutdown_hook = fn;
}

int
crypto_shutdown_checked(void)
{
	void (*hook)(void) = shutdown_hook;
	SECStatus rv;

	if (nss_ctx == NULL)
		return 0;
	shutdown_hook = NULL;
	if (hook != NULL)
		hook();
	rv = NSS_ShutdownContext(nss_ctx);
	nss_ctx = NULL;
	return rv == SECSuccess ? 0 : -1;
}

void
crypto_shutdown(void)
{
	(void)crypto_shutdown_checked();
}
