/* pkix.h - RFC 5280 path validation with NSS (CERT_PKIXVerifyCert) for
 * the PKIX-TA/PKIX-EE and DANE-TA usages (RFC 6698 2.1.1, RFC 7671 5).
 *
 * Trust anchors are either the configured ones (the Mozilla root store
 * from libnssckbi and, optionally, an NSS database opened read-only) or
 * exactly one certificate handed in (DANE-TA). Certificates are given to
 * NSS as temporary certificates for the duration of one call only:
 * nothing is ever made permanent, nothing is given trust, no network is
 * used (no AIA fetching, no OCSP/CRL). Single-threaded, like the host.
 * A verdict never depends on earlier calls: NSS's and libpkix's caches
 * of certificates and their trust are worked around (see pkix.c).
 * Nothing here runs at start-up: pkix_init is called lazily.
 */
#ifndef DS_PKIX_H
#define DS_PKIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "certs.h"

/*
 * Has the Mozilla root store (libnssckbi.so via SECMOD_LoadUserModule,
 * looked up next to libnss3, in its nss/ subdirectory, then by name)
 * loaded if load_roots, on the first validation against the configured
 * anchors (not here: most lookups never need it; should it not load
 * then, that is logged once and only the nss_db's anchors count), and,
 * if nss_db is non-NULL and non-empty ("sql:/path", or a
 * bare directory meaning sql:), opens it read-only as an extra slot
 * (SECMOD_OpenUserDB) whose trust settings then count. Starts NSS through
 * crypto_init. Idempotent: roots stay loaded once loaded; a different
 * nss_db replaces the open one; NULL/"" leaves an open one alone.
 * 0 ok, 1 their fault (bad nss_db: err says why), -1 ours (err says what
 * failed). err may be NULL.
 */
int pkix_init(const char *nss_db, bool load_roots, char *err, size_t errlen);

/*
 * pkix_init(nss_db, load_roots), but when the first validation needs it
 * rather than now: a lookup that never validates a path (DANE-EE
 * records whose certificates x509sum reads) then never starts NSS. Any
 * validation (pkix_verify, pkix_verify_ex) runs it first, once; a bad
 * nss_db is then logged once ("trust anchors: ...") and validation goes
 * on with fewer anchors (fail closed), as before. 0, or -1 if nss_db is
 * longer than DS_MAX_DB_PATH (call pkix_init at once instead).
 */
int pkix_defer_init(const char *nss_db, bool load_roots);

enum pkix_status {
	PKIX_OK = 0,
	PKIX_E_UNTRUSTED,	/* "pkix-untrusted-issuer" */
	PKIX_E_EXPIRED,		/* "expired" (ee or an issuer) */
	PKIX_E_NOT_YET_VALID,	/* "not-yet-valid" (ee) */
	PKIX_E_USAGE,		/* "pkix-usage": keyUsage/EKU/cert type */
	PKIX_E_INVALID,		/* "pkix-invalid": anything else */
};

struct pkix_result {
	int status;		/* PKIX_OK, or a positive pkix_status */
	/* NULL when status is PKIX_OK, else a stable problem code:
	 * "pkix-untrusted-issuer", "pkix-invalid", "expired",
	 * "not-yet-valid", "pkix-usage". Static. */
	const char *code;
	char message[256];	/* plain English, cites the RFC; "" if OK */
	/* When status is PKIX_OK: the validated chain from ee (index 0) to
	 * the trust anchor (last), malloc'ed DER copies, for PKIX-TA
	 * matching (RFC 6698 2.1.1 usage 0). Empty otherwise. */
	uint8_t **chain;
	size_t *chain_len;
	size_t nchain;
	/* The anchor was a bare key (pkix_verify_ex): it sits above
	 * chain[nchain - 1], which it signed, and is not in chain. */
	bool key_anchor;
	/* NSS path validations this call ran, and signatures it checked
	 * itself (a bare key against the chain): for work bounds. */
	unsigned runs;
	unsigned sigchecks;
};

/* What the end entity is validated for. */
enum pkix_use {
	/* certificateUsageEmailRecipient, what Thunderbird's compose
	 * window checks before encrypting; keyEncipherment or
	 * keyAgreement if keyUsage is present. */
	PKIX_USE_RECIPIENT = 0,
	/* certificateUsageEmailSigner, for a message's signer;
	 * digitalSignature or nonRepudiation if keyUsage is present. */
	PKIX_USE_SIGNER,
	/* The path alone: signatures, names, validity, the CA
	 * certificates' constraints and trust (for the configured anchors:
	 * e-mail trust), but nothing about what the end entity's key may
	 * do: "does this certificate chain to that anchor", apart from its
	 * fitness. (libpkix has no such usage: the end-entity usages e-mail
	 * signer, recipient, TLS server, client are tried in turn.) */
	PKIX_USE_PATH,
};

/* A DANE-TA anchor: a certificate, or (cert NULL) a bare
 * SubjectPublicKeyInfo DER, as a 2 1 0 record publishes it. */
struct pkix_anchor {
	const struct cert_summary *cert;
	const uint8_t *spki;
	size_t spki_len;
};

/*
 * Validates ee for S/MIME at time `at` (seconds since the epoch, UTC;
 * 1970..9999), with the intermediates (at most DS_MAX_PKIX_CERTS are
 * used, the rest ignored) available for path building.
 * for_signing false: certificateUsageEmailRecipient, what Thunderbird's
 * compose window checks before encrypting; true: EmailSigner.
 * anchor NULL: the configured anchors; pkix_init(NULL, true) is done if
 * pkix_init was never called. anchor non-NULL: that certificate is the
 * ONLY trust anchor (DANE-TA, RFC 7671 5.2), whatever the root store or
 * database say; it is never added to either.
 * Returns 0 with *out filled (out->status says the verdict; free with
 * pkix_result_free), or -1 on our failure (OOM, NSS, bad arguments) with
 * *out empty.
 */
int pkix_verify(const struct cert_summary *ee,
    const struct cert_summary *const *intermediates, size_t nintermediates,
    const struct cert_summary *anchor, int64_t at, bool for_signing,
    struct pkix_result *out);

/*
 * pkix_verify with a purpose and either kind of DANE-TA anchor. With a
 * bare key (RFC 7671 5.2, "2 1 0"), the top of the path is the first of
 * ee and intermediates whose signature the key verifies (ee itself when
 * the key signed it); that certificate is checked like any other of
 * the path (NSS is given a stand-in anchor certificate carrying the
 * key, never trusted anywhere else), and out->key_anchor is set. A key
 * that does not decode: PKIX_E_INVALID; no certificate signed by it:
 * PKIX_E_UNTRUSTED.
 */
int pkix_verify_ex(const struct cert_summary *ee,
    const struct cert_summary *const *intermediates, size_t nintermediates,
    const struct pkix_anchor *anchor, int64_t at, enum pkix_use use,
    struct pkix_result *out);

/* Frees what r owns and zeroes it; accepts NULL. */
void pkix_result_free(struct pkix_result *r);

/* Closes the database and unloads the root module so that
 * crypto_shutdown can shut NSS down. Safe to call more than once and
 * without pkix_init; crypto_shutdown calls it too. */
void pkix_shutdown(void);

#endif
