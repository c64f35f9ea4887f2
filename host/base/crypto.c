/* crypto.c - NSS start-up and digests; see crypto.h. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <dlfcn.h>
#include <string.h>

#include <hasht.h>		/* before nsslowhash.h, which needs it */
#include <nss.h>
#include <nsslowhash.h>
#include <pk11pub.h>
#include <secoidt.h>

#include "nsslib.h"		/* after the NSS headers: calls via dlopen */

#include "crypto.h"
#include "dynlib.h"
#include "log.h"
#include "sha256ni.h"

static NSSInitContext *nss_ctx;
static void (*shutdown_hook)(void);

/* One digest context per algorithm, re-begun for every hash: creating a
 * context (what PK11_HashBuf does each call) costs more than hashing an
 * owner name's local-part or a certificate (tests/bench/README.md). */
enum { DG_SHA256, DG_SHA512, DG_COUNT };
static PK11Context *dg_ctx[DG_COUNT];

/*
 * NSS's raw hash interface (nsslowhash.h, exported by libfreebl3: the
 * same freebl code softokn hashes with, FIPS self-tests included when
 * the system is in FIPS mode) skips the PKCS #11 layer: its session
 * lookup, locks and per-Begin allocations cost more than hashing an
 * owner name's local-part (0.37 -> 0.08 us) and a third of hashing a
 * 1.2 kB certificate (1.0-1.2 -> 0.95 us; tests/bench/README.md). It is
 * optional: without libfreebl3 or when NSSLOW_Init refuses, the PKCS #11
 * contexts above do the work.
 */
static struct {
	bool tried;
	void *lib;
	NSSLOWInitContext *ic;
	NSSLOWHASHContext *ctx[DG_COUNT];
	__typeof__(&NSSLOW_Init) init;
	__typeof__(&NSSLOW_Shutdown) shutdown;
	__typeof__(&NSSLOWHASH_NewContext) new_context;
	__typeof__(&NSSLOWHASH_Begin) begin;
	__typeof__(&NSSLOWHASH_Update) update;
	__typeof__(&NSSLOWHASH_End) end;
	__typeof__(&NSSLOWHASH_Destroy) destroy;
} lh;

static int
lh_sym(const char *name, void *fp)
{
	return dynlib_sym(lh.lib, name, fp);
}

static void
lh_close(void)
{
	for (size_t i = 0; i < DG_COUNT; i++) {
		if (lh.ctx[i] != NULL)
			lh.destroy(lh.ctx[i]);
		lh.ctx[i] = NULL;
	}
	if (lh.ic != NULL)
		lh.shutdown(lh.ic);
	lh.ic = NULL;
	if (lh.lib != NULL)
		dlclose(lh.lib);
	lh.lib = NULL;
}

/* Opens the raw interface once per NSS start; false: use PKCS #11. */
static bool
lh_ready(void)
{
	if (lh.tried)
		return lh.ic != NULL;
	lh.tried = true;
	if ((lh.lib = dlopen(DS_FREEBL3_SONAME, RTLD_NOW | RTLD_LOCAL)) ==
	    NULL)
		return false;
	if (lh_sym("NSSLOW_Init", &lh.init) < 0 ||
	    lh_sym("NSSLOW_Shutdown", &lh.shutdown) < 0 ||
	    lh_sym("NSSLOWHASH_NewContext", &lh.new_context) < 0 ||
	    lh_sym("NSSLOWHASH_Begin", &lh.begin) < 0 ||
	    lh_sym("NSSLOWHASH_Update", &lh.update) < 0 ||
	    lh_sym("NSSLOWHASH_End", &lh.end) < 0 ||
	    lh_sym("NSSLOWHASH_Destroy", &lh.destroy) < 0 ||
	    (lh.ic = lh.init()) == NULL) {
		dlclose(lh.lib);
		lh.lib = NULL;
		return false;
	}
	return true;
}

/* 0 done, -1 not done (the caller falls back to PKCS #11). */
static int
lh_digest(int which, const void *p, size_t n, uint8_t *out,
    unsigned int outlen)
{
	static const HASH_HashType type[DG_COUNT] = {
		[DG_SHA256] = HASH_AlgSHA256, [DG_SHA512] = HASH_AlgSHA512
	};
	unsigned int len = 0;

	if (!lh_ready())
		return -1;
	if (lh.ctx[which] == NULL &&
	    (lh.ctx[which] = lh.new_context(lh.ic, type[which])) == NULL)
		return -1;
	lh.begin(lh.ctx[which]);
	lh.update(lh.ctx[which], p, (unsigned int)n);
	lh.end(lh.ctx[which], out, &len, outlen);
	return len == outlen ? 0 : -1;
}

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
	static bool logged;
	char err[512];

	if (nss_ctx != NULL)
		return 0;
	/* The libraries are opened here, not at start (nsslib.h): the one
	 * place that can fail for want of them, said once per process. */
	if (nsslib_load(err, sizeof(err)) != 0) {
		if (!logged)
			log_error("%s", err);
		logged = true;
		return -1;
	}
	nss_ctx = NSS_InitContext("", "", "", "", NULL, flags);
	return nss_ctx != NULL ? 0 : -1;
}

static void
digest_free_all(void)
{
	for (size_t i = 0; i < DG_COUNT; i++) {
		if (dg_ctx[i] != NULL)
			PK11_DestroyContext(dg_ctx[i], PR_TRUE);
		dg_ctx[i] = NULL;
	}
}

static int
digest(int which, SECOidTag alg, const void *p, size_t n, uint8_t *out,
    unsigned int outlen)
{
	static const unsigned char empty;
	PK11Context *ctx;
	unsigned int len = 0;

	/* INT32_MAX: the largest length NSS hashing functions take. */
	if (n > INT32_MAX)
		return -1;
	/* NSS wants a non-NULL pointer even for an empty input. */
	if (p == NULL)
		p = &empty;
	/* The CPU's SHA-256 instructions where it has them (sha256ni.h:
	 * freebl's portable C takes 3-4 us for a certificate). */
	if (which == DG_SHA256 && sha256ni_available()) {
		sha256ni(p, n, out);
		return 0;
	}
	/* The raw interface needs no NSS start: a bulk lookup whose
	 * certificates x509sum reads never opens NSS at all (~1.5 ms of
	 * every process: libraries, softokn, its sqlite). */
	if (lh_digest(which, p, n, out, outlen) == 0)
		return 0;
	if (crypto_init() != 0)
		return -1;
	if (dg_ctx[which] == NULL &&
	    (dg_ctx[which] = PK11_CreateDigestContext(alg)) == NULL)
		return -1;
	ctx = dg_ctx[which];
	if (PK11_DigestBegin(ctx) != SECSuccess ||
	    PK11_DigestOp(ctx, (const unsigned char *)p, (unsigned int)n) !=
	    SECSuccess ||
	    PK11_DigestFinal(ctx, out, &len, outlen) != SECSuccess ||
	    len != outlen) {
		/* A context in an unknown state is not reused. */
		PK11_DestroyContext(ctx, PR_TRUE);
		dg_ctx[which] = NULL;
		return -1;
	}
	return 0;
}

int
crypto_sha256(const void *p, size_t n, uint8_t out[32])
{
	return digest(DG_SHA256, SEC_OID_SHA256, p, n, out, 32);
}

int
crypto_sha512(const void *p, size_t n, uint8_t out[64])
{
	return digest(DG_SHA512, SEC_OID_SHA512, p, n, out, 64);
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

	/* The raw hash interface may be open without NSS (digest()). */
	lh_close();
	lh.tried = false;
	if (nss_ctx == NULL)
		return 0;
	shutdown_hook = NULL;
	if (hook != NULL)
		hook();
	/* NSS refuses to shut down while a context holds its session. */
	digest_free_all();
	rv = NSS_ShutdownContext(nss_ctx);
	nss_ctx = NULL;
	return rv == SECSuccess ? 0 : -1;
}

void
crypto_shutdown(void)
{
	(void)crypto_shutdown_checked();
}
