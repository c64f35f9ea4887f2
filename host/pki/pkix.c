/* pkix.c - path validation with NSS libpkix; see pkix.h. */
#include <link.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cert.h>
#include <certdb.h>
#include <certt.h>
#include <pk11pub.h>
#include <prerror.h>
#include <secerr.h>
#include <keyhi.h>
#include <secasn1.h>
#include <secitem.h>
#include <secmod.h>
#include <secoid.h>

#include "nsslib.h"		/* after the NSS headers: calls via dlopen */

#include "certs.h"
#include "crypto.h"
#include "dslimits.h"
#include "fail.h"
#include "isotime.h"
#include "log.h"
#include "pkix.h"

static SECMODModule *roots_mod;		/* libnssckbi, once loaded */
static bool roots_wanted;		/* pkix_init(load_roots) asked */
static bool roots_tried;		/* ... and loading them failed */
static PK11SlotInfo *db_slot;		/* the nss_db, read-only */
static char *db_dir;			/* its directory, without "sql:" */
static bool inited;			/* pkix_init ran (hook set) */
/* pkix_defer_init's wish, run by the first validation (run_deferred). */
static bool deferred, deferred_load;
static char deferred_db[DS_MAX_DB_PATH + 1];

static void verdict(struct pkix_result *out, int status, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* True if s can go between quotes of an NSS module/config spec: NSS's
 * parser (secmod_argFetchValue) knows backslash escapes and both quote
 * kinds; we simply refuse them. */
static bool
spec_safe(const char *s)
{
	return strpbrk(s, "'\"\\") == NULL && strlen(s) <= DS_MAX_DB_PATH;
}

/*
 * NSS keeps one CERTCertificate per certificate (same issuer and serial)
 * for the whole process, and reads its trust when it first makes it. A
 * certificate we handed to NSS as a temporary one (a DANE-TA anchor, a
 * chain certificate) stays alive after pkix_verify in libpkix's
 * certificate cache (an hour) with "no trust" remembered. If the same
 * certificate is in a token opened later (the nss_db, the root module),
 * libpkix asks that stale copy, and a chain to a trusted CA fails as
 * pkix-untrusted-issuer. NSS fills in the trust of such a copy when the
 * certificate is looked up again (a subject search). So before a
 * validation against the configured anchors, the certificates named as
 * issuers are looked up, up the names of the chain (a few searches, not
 * every certificate of a token: the root module has ~150, 15-25 ms, and
 * an nss_db may be a Thunderbird profile's). If a look-up fails (out of
 * memory) the copy stays "untrusted": fail closed.
 */
static void
refresh_issuers(const CERTCertificate *c)
{
	CERTCertList *list;
	CERTCertListNode *node;
	SECItem *name = NULL, *next;
	int depth;

	if (c->isRoot || (name = SECITEM_DupItem(&c->derIssuer)) == NULL)
		return;
	/* RFC 5280 paths here are short: DS_MAX_PKIX_CERTS bounds them. */
	for (depth = 0; depth < 8 && name != NULL; depth++) {
		list = CERT_CreateSubjectCertList(NULL, CERT_GetDefaultCertDB(),
		    name, 0, PR_FALSE);
		SECITEM_FreeItem(name, PR_TRUE);
		name = NULL;
		if (list == NULL)
			break;
		for (node = CERT_LIST_HEAD(list); !CERT_LIST_END(node, list);
		    node = CERT_LIST_NEXT(node))
			if (!node->cert->isRoot) {
				next = SECITEM_DupItem(&node->cert->derIssuer);
				name = next;
				break;
			}
		CERT_DestroyCertList(list);
	}
	if (name != NULL)
		SECITEM_FreeItem(name, PR_TRUE);
}

/* Loads one root module from path. 0 ok, -1 not loadable. */
static int
load_roots_from(const char *path)
{
	char spec[1200];
	SECMODModule *mod;

	if (!spec_safe(path))
		return -1;
	(void)snprintf(spec, sizeof(spec),
	    "name=\"Mozilla Root Certs\" library=\"%s\"", path);
	if ((mod = SECMOD_LoadUserModule(spec, NULL, PR_FALSE)) == NULL)
		return -1;
	if (!mod->loaded) {
		SECMOD_DestroyModule(mod);
		return -1;
	}
	roots_mod = mod;
	return 0;
}

/* dl_iterate_phdr callback: the directory libnss3 was loaded from. */
static int
nss3_dir(struct dl_phdr_info *info, size_t size, void *arg)
{
	char *dir = arg;
	const char *name = info->dlpi_name, *slash;
	size_t n;

	(void)size;
	if (name == NULL || (slash = strrchr(name, '/')) == NULL ||
	    strncmp(slash + 1, "libnss3.so", 10) != 0)
		return 0;
	if ((n = (size_t)(slash - name)) >= 1024)
		return 0;
	memcpy(dir, name, n);
	dir[n] = '\0';
	return 1;
}

/*
 * The root store lives next to libnss3 (Debian: /usr/lib/<triplet>/,
 * Fedora: /usr/lib64/), in an nss/ subdirectory on some systems, or
 * wherever the dynamic linker finds it by name. p11-kit may stand in
 * for it (p11-kit-trust.so installed as libnssckbi.so): that is fine,
 * it serves the system's anchors through the same interface.
 */
static int
load_roots(char *err, size_t errlen)
{
	static const char *const rel[] = { "libnssckbi.so",
	    "nss/libnssckbi.so" };
	char dir[1024], path[1100];
	const char *name;
	size_t i;

	if (dl_iterate_phdr(nss3_dir, dir) == 1) {
		for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			(void)snprintf(path, sizeof(path), "%s/%s", dir,
			    rel[i]);
			if (access(path, R_OK) == 0 &&
			    load_roots_from(path) == 0)
				return 0;
		}
	}
	if (load_roots_from("libnssckbi.so") == 0)
		return 0;
	name = PR_ErrorToName(PR_GetError());
	seterr(err, errlen, "cannot load the Mozilla root store "
	    "(libnssckbi.so): %s", name != NULL ? name : "not found");
	return -1;
}

static void
close_db(void)
{
	if (db_slot != NULL) {
		(void)SECMOD_CloseUserDB(db_slot);
		PK11_FreeSlot(db_slot);
		db_slot = NULL;
	}
	free(db_dir);
	db_dir = NULL;
}

/* Opens "sql:DIR" or "DIR" read-only. 0 ok, 1 their fault, -1 ours. */
static int
open_db(const char *nss_db, char *err, size_t errlen)
{
	char spec[1200], file[1100];
	const char *dir = nss_db;
	struct stat st;
	PK11SlotInfo *slot;

	if (strncmp(dir, "sql:", 4) == 0)
		dir += 4;
	else if (strchr(dir, ':') != NULL && dir[0] != '/' &&
	    dir[0] != '.') {
		/* dbm: (the legacy cert8.db) and anything else. */
		seterr(err, errlen, "nss_db must be sql:DIRECTORY");
		return 1;
	}
	if (db_dir != NULL && strcmp(db_dir, dir) == 0)
		return 0;
	if (*dir == '\0' || !spec_safe(dir)) {
		seterr(err, errlen, "nss_db: bad directory name");
		return 1;
	}
	(void)snprintf(file, sizeof(file), "%s/cert9.db", dir);
	if (stat(file, &st) != 0 || !S_ISREG(st.st_mode)) {
		seterr(err, errlen, "nss_db: no cert9.db in %s", dir);
		return 1;
	}
	close_db();
	(void)snprintf(spec, sizeof(spec), "configdir='sql:%s' "
	    "tokenDescription='dane-smime trust' flags=readOnly", dir);
	if ((slot = SECMOD_OpenUserDB(spec)) == NULL) {
		seterr(err, errlen, "nss_db: cannot open sql:%s (%s)", dir,
		    PR_ErrorToName(PR_GetError()) != NULL ?
		    PR_ErrorToName(PR_GetError()) : "unknown error");
		return 1;
	}
	if (!PK11_IsPresent(slot)) {
		(void)SECMOD_CloseUserDB(slot);
		PK11_FreeSlot(slot);
		seterr(err, errlen, "nss_db: sql:%s does not open", dir);
		return 1;
	}
	if ((db_dir = strdup(dir)) == NULL) {
		(void)SECMOD_CloseUserDB(slot);
		PK11_FreeSlot(slot);
		seterr(err, errlen, "out of memory");
		return -1;
	}
	db_slot = slot;
	return 0;
}

int
pkix_init(const char *nss_db, bool load, char *err, size_t errlen)
{
	int rc;

	seterr(err, errlen, "%s", "");
	if (crypto_init() != 0) {
		seterr(err, errlen, "NSS does not start");
		return -1;
	}
	if (!inited) {
		crypto_set_shutdown_hook(pkix_shutdown);
		inited = true;
	}
	/* The root store is loaded when a validation against the
	 * configured anchors first needs it (roots_now), not here: most
	 * lookups (DANE-EE, DANE-TA) never do, and loading it costs a
	 * millisecond and much of valgrind's time. */
	if (load)
		roots_wanted = true;
	if (nss_db != NULL && *nss_db != '\0' &&
	    (rc = open_db(nss_db, err, errlen)) != 0)
		return rc;
	return 0;
}

int
pkix_defer_init(const char *nss_db, bool load_roots)
{
	const char *db = nss_db != NULL ? nss_db : "";

	/* The path is kept whole or not at all: a lost nss_db would drop
	 * its distrust settings, which fails open. */
	if (strlen(db) >= sizeof(deferred_db))
		return -1;
	memcpy(deferred_db, db, strlen(db) + 1);
	deferred_load = load_roots;
	deferred = true;
	return 0;
}

/* Every validation starts here: pkix_init as pkix_defer_init asked,
 * once. A bad nss_db only removes anchors (fail closed) and is said
 * once; -1 only if NSS itself does not start. */
static int
run_deferred(void)
{
	char err[512];
	int rc;

	if (!deferred)
		return 0;
	deferred = false;
	rc = pkix_init(deferred_db, deferred_load, err, sizeof(err));
	if (rc != 0)
		log_error("trust anchors: %s", err);
	return rc < 0 ? -1 : 0;
}

/* Loads the root store if pkix_init asked for it and it is not there
 * yet. If that fails, validation goes on with the nss_db's anchors only
 * (fail closed: fewer anchors), and it is said once on stderr. */
static void
roots_now(void)
{
	char err[256];

	if (!roots_wanted || roots_mod != NULL || roots_tried)
		return;
	if (load_roots(err, sizeof(err)) != 0) {
		roots_tried = true;
		log_error("trust anchors: %s", err);
	}
}

void
pkix_shutdown(void)
{
	close_db();
	roots_wanted = roots_tried = false;
	if (roots_mod != NULL) {
		(void)SECMOD_UnloadUserModule(roots_mod);
		SECMOD_DestroyModule(roots_mod);
		roots_mod = NULL;
	}
	if (inited) {
		crypto_set_shutdown_hook(NULL);
		inited = false;
	}
}

void
pkix_result_free(struct pkix_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nchain; i++)
		free(r->chain[i]);
	free(r->chain);
	free(r->chain_len);
	memset(r, 0, sizeof(*r));
}

/* c's DER as NSS takes it (borrowed); false when c has none. */
static bool
der_item(const struct cert_summary *c, SECItem *item)
{
	if (c->der == NULL || c->der_len == 0 || c->der_len > UINT32_MAX)
		return false;
	item->type = siDERCertBuffer;
	item->data = c->der;
	item->len = (unsigned int)c->der_len;
	return true;
}

/*
 * A temporary NSS certificate for c. We drop our references at the end
 * of pkix_verify, but libpkix keeps certificates of successful builds
 * and of issuer searches in its own caches for a while (an hour), so
 * they stay in the temporary store and may serve as intermediates for
 * later validations in the same process, like any browser's intermediate
 * cache. NSS_Shutdown drops those caches. That cache also remembers
 * trust, and wrongly: see refresh_issuers, copy_chain, anchor_configured,
 * which make every verdict independent of what was validated before.
 * NSS's temporary store keys
 * certificates by issuer and serial number and hands back the one it
 * already holds (ours from this call, or one of the database) when
 * those match: a different certificate under the same name and serial
 * (RFC 5280 4.1.2.2 forbids it) must not stand in for ours, so the DER
 * is compared. *clash is set then. NULL with !*clash: our failure.
 */
static CERTCertificate *
temp_cert(const struct cert_summary *c, bool *clash)
{
	CERTCertificate *cert;
	SECItem item;

	*clash = false;
	if (!der_item(c, &item))
		return NULL;
	PORT_SetError(0);
	if ((cert = CERT_NewTempCertificate(CERT_GetDefaultCertDB(), &item,
	    NULL, PR_FALSE, PR_TRUE)) == NULL) {
		/* NSS refuses a second certificate under a name and serial
		 * it still holds. Anything else: certs_decode accepted it,
		 * so NSS can decode it; not the input's fault. */
		*clash = PORT_GetError() == SEC_ERROR_REUSED_ISSUER_AND_SERIAL;
		return NULL;
	}
	if (!SECITEM_ItemsAreEqual(&cert->derCert, &item)) {
		CERT_DestroyCertificate(cert);
		*clash = true;
		return NULL;
	}
	return cert;
}

static void
verdict(struct pkix_result *out, int status, const char *code,
    const char *fmt, ...)
{
	va_list ap;

	out->status = status;
	out->code = code;
	va_start(ap, fmt);
	(void)vsnprintf(out->message, sizeof(out->message), fmt, ap);
	va_end(ap);
}

/* Turns NSS's error into a problem code. 0, or -1 if it was OOM. */
static int
map_error(struct pkix_result *out, PRErrorCode e,
    const struct cert_summary *ee, int64_t at, bool dane_ta)
{
	const char *name = PR_ErrorToName(e);

	if (name == NULL)
		name = "unknown error";
	switch (e) {
	case SEC_ERROR_NO_MEMORY:
		return -1;
	case SEC_ERROR_UNKNOWN_ISSUER:
	case SEC_ERROR_UNTRUSTED_ISSUER:
	case SEC_ERROR_CA_CERT_INVALID:
		verdict(out, PKIX_E_UNTRUSTED, "pkix-untrusted-issuer",
		    "no valid chain to %s (RFC 5280 6.1): %s", dane_ta ?
		    "the DANE-TA trust anchor" : "a trusted root", name);
		break;
	case SEC_ERROR_EXPIRED_CERTIFICATE:
	case SEC_ERROR_EXPIRED_ISSUER_CERTIFICATE:
		/* NSS says "expired" for not-yet-valid as well. */
		if (e == SEC_ERROR_EXPIRED_CERTIFICATE && at < ee->not_before)
			verdict(out, PKIX_E_NOT_YET_VALID, "not-yet-valid",
			    "certificate not valid before %s "
			    "(RFC 5280 4.1.2.5)", ee->not_before_iso);
		else if (e == SEC_ERROR_EXPIRED_CERTIFICATE &&
		    at > ee->not_after)
			verdict(out, PKIX_E_EXPIRED, "expired",
			    "certificate expired %s (RFC 5280 4.1.2.5)",
			    ee->not_after_iso);
		else
			verdict(out, PKIX_E_EXPIRED, "expired",
			    "a certificate of the chain is outside its "
			    "validity period (RFC 5280 6.1.3): %s", name);
		break;
	case SEC_ERROR_INADEQUATE_KEY_USAGE:
	case SEC_ERROR_INADEQUATE_CERT_TYPE:
		verdict(out, PKIX_E_USAGE, "pkix-usage", "keyUsage or "
		    "extendedKeyUsage of the chain does not allow S/MIME "
		    "(RFC 5280 4.2.1.3, 4.2.1.12; RFC 8550 4.4): %s", name);
		break;
	default:
		verdict(out, PKIX_E_INVALID, "pkix-invalid",
		    "certification path validation failed "
		    "(RFC 5280 6.1): %s", name);
		break;
	}
	return 0;
}

/*
 * libpkix lets an e-mail recipient through with any keyUsage; the
 * verifier of Thunderbird (mozilla::pkix, CertVerifier) wants
 * keyEncipherment or else keyAgreement for a recipient, and
 * digitalSignature or else nonRepudiation for a signer (RFC 5280
 * 4.2.1.3, RFC 8550 4.4.2). Ask the same.
 */
static bool
ku_allows(const struct cert_summary *ee, bool for_signing)
{
	unsigned need = for_signing ?
	    CERT_KU_DIGITAL_SIGNATURE | CERT_KU_NON_REPUDIATION :
	    CERT_KU_KEY_ENCIPHERMENT | CERT_KU_KEY_AGREEMENT;

	return !ee->has_ku || (ee->ku & need) != 0;
}

/* Appends c's DER to out->chain (room for it was made). 0, -1 OOM. */
static int
chain_add(struct pkix_result *out, const CERTCertificate *c)
{
	size_t i = out->nchain;

	if ((out->chain[i] = malloc(c->derCert.len)) == NULL)
		return -1;
	memcpy(out->chain[i], c->derCert.data, c->derCert.len);
	out->chain_len[i] = c->derCert.len;
	out->nchain++;
	return 0;
}

/*
 * Copies the validated chain into out, from ee up to the anchor.
 * dane_ta non-NULL: the chain must reach exactly that certificate, and
 * ends there. libpkix's certificate cache (see temp_cert) can make it
 * end elsewhere: a CA found trusted once (root store, nss_db) stays
 * marked as an anchor in that cache and then counts even where
 * cert_pi_useOnlyTrustAnchors allows the DANE-TA anchor only. A path
 * through our anchor to such a CA has our anchor's path to ee as a
 * part, validated by the same checks (RFC 5280 6.1 with the anchor's
 * own constraints applied on top), so it is cut there; a path that
 * misses our anchor is no DANE-TA path at all (RFC 7671 5.2).
 * dane_ta NULL: up to anchor (NSS's cert_po_trustAnchor), which is
 * appended if NSS left it out of the list.
 * 0 ok, 1 the chain does not reach dane_ta (out empty), -1 OOM.
 */
static int
copy_chain(struct pkix_result *out, CERTCertList *list,
    CERTCertificate *anchor, CERTCertificate *dane_ta)
{
	CERTCertListNode *node;
	CERTCertificate *last = NULL, *end = dane_ta != NULL ? dane_ta : anchor;
	size_t n = 0;

	for (node = CERT_LIST_HEAD(list); !CERT_LIST_END(node, list);
	    node = CERT_LIST_NEXT(node))
		n++;
	if (n >= SIZE_MAX / sizeof(*out->chain) - 1)
		return -1;
	/* One more slot in case NSS leaves the anchor out of the list. */
	if ((out->chain = calloc(n + 1, sizeof(*out->chain))) == NULL ||
	    (out->chain_len = calloc(n + 1, sizeof(*out->chain_len))) == NULL)
		return -1;
	for (node = CERT_LIST_HEAD(list); !CERT_LIST_END(node, list);
	    node = CERT_LIST_NEXT(node)) {
		if (chain_add(out, node->cert) != 0)
			return -1;
		last = node->cert;
		if (dane_ta != NULL &&
		    SECITEM_ItemsAreEqual(&last->derCert, &dane_ta->derCert))
			return 0;
	}
	if (end != NULL && (last == NULL ||
	    !SECITEM_ItemsAreEqual(&last->derCert, &end->derCert))) {
		if (dane_ta != NULL && (anchor == NULL ||
		    !SECITEM_ItemsAreEqual(&anchor->derCert,
		    &dane_ta->derCert))) {
			pkix_result_free(out);
			return 1;
		}
		return chain_add(out, end);
	}
	return 0;
}

/*
 * True if c is in one of the tokens whose trust counts now: the root
 * module or the nss_db. NSS remembers a certificate's trust in its
 * one in-memory copy, which libpkix's cache keeps alive for an hour:
 * after the database is closed or replaced, that copy would still say
 * "trusted CA". Asking the tokens themselves cannot go stale.
 */
static bool
anchor_configured(CERTCertificate *c)
{
	CERTCertificate *found;
	int i;

	if (c == NULL)
		return false;
	if (db_slot != NULL && (found = PK11_FindCertFromDERCertItem(db_slot,
	    &c->derCert, NULL)) != NULL) {
		CERT_DestroyCertificate(found);
		return true;
	}
	for (i = 0; roots_mod != NULL && i < roots_mod->slotCount; i++) {
		if ((found = PK11_FindCertFromDERCertItem(roots_mod->slots[i],
		    &c->derCert, NULL)) != NULL) {
			CERT_DestroyCertificate(found);
			return true;
		}
	}
	return false;
}

/* For PKIX_USE_PATH against the configured anchors: the path may have
 * been found for a TLS usage, so the anchor must be trusted for e-mail
 * all the same (its trust is current: see refresh_issuers). */
static bool
email_anchor(CERTCertificate *c)
{
	CERTCertTrust t;

	return c != NULL && CERT_GetCertTrust(c, &t) == SECSuccess &&
	    (t.emailFlags & CERTDB_TRUSTED_CA) != 0;
}

/*
 * CERT_PKIXVerifyCert for `usage`; for PKIX_USE_PATH, for the first of
 * the end-entity usages libpkix knows that the certificate's keyUsage
 * and extendedKeyUsage allow (libpkix has no "any usage": it rejects
 * certificateUsageUserCertImport, and certificateUsageCheckAllUsages
 * means TLS client): so that "does it chain" is answered apart from
 * what the key may do. Only a usage failure moves on to the next one.
 */
static SECStatus
path_verify(CERTCertificate *ee, enum pkix_use use, SECCertificateUsage usage,
    CERTValInParam *in, CERTValOutParam *vout, unsigned *runs)
{
	static const SECCertificateUsage any[] = {
	    certificateUsageEmailSigner, certificateUsageEmailRecipient,
	    certificateUsageSSLServer, certificateUsageSSLClient,
	};
	PRErrorCode e;
	size_t i;

	PORT_SetError(0);
	if (use != PKIX_USE_PATH) {
		(*runs)++;
		return CERT_PKIXVerifyCert(ee, usage, in, vout, NULL);
	}
	for (i = 0; i < sizeof(any) / sizeof(any[0]); i++) {
		(*runs)++;
		PORT_SetError(0);
		if (CERT_PKIXVerifyCert(ee, any[i], in, vout, NULL) ==
		    SECSuccess)
			return SECSuccess;
		e = PORT_GetError();
		if (vout[0].value.pointer.chain != NULL) {
			CERT_DestroyCertList(vout[0].value.pointer.chain);
			vout[0].value.pointer.chain = NULL;
		}
		if (vout[1].value.pointer.cert != NULL) {
			CERT_DestroyCertificate(vout[1].value.pointer.cert);
			vout[1].value.pointer.cert = NULL;
		}
		PORT_SetError(e);
		if (e != SEC_ERROR_INADEQUATE_CERT_TYPE &&
		    e != SEC_ERROR_INADEQUATE_KEY_USAGE)
			break;
	}
	return SECFailure;
}

/* The validation parameters of one verify_core call (NSS keeps
 * pointers into it: it lives on the caller's stack for the call). */
struct val_params {
	CERTRevocationFlags rev;
	PRUint64 leaf_flags[cert_revocation_method_count];
	PRUint64 chain_flags[cert_revocation_method_count];
	CERTValInParam in[8];
	CERTCertList *anchors;		/* the DANE-TA anchor, or NULL */
};

/* Fills p for validation at `at`, with ta_cert as the only anchor when
 * it is given. 0, or -1 ours (p->anchors is then freed by the caller). */
static int
val_params_init(struct val_params *p, int64_t at, CERTCertificate *ta_cert)
{
	size_t i;

	/* No revocation checking: the host fetches nothing from CAs (an
	 * OCSP query would tell the CA whom the user writes to); Thunderbird
	 * applies its own OCSP policy when it uses the certificate. NSS
	 * wants the flags spelled out when trust anchors are given
	 * (SEC_ERROR_INVALID_ARGS otherwise). */
	for (i = 0; i < cert_revocation_method_count; i++)
		p->leaf_flags[i] = p->chain_flags[i] =
		    CERT_REV_M_DO_NOT_TEST_USING_THIS_METHOD;
	memset(&p->rev, 0, sizeof(p->rev));
	p->rev.leafTests.number_of_defined_methods =
	    cert_revocation_method_count;
	p->rev.leafTests.cert_rev_flags_per_method = p->leaf_flags;
	p->rev.leafTests.cert_rev_method_independent_flags =
	    CERT_REV_MI_NO_OVERALL_INFO_REQUIREMENT;
	p->rev.chainTests.number_of_defined_methods =
	    cert_revocation_method_count;
	p->rev.chainTests.cert_rev_flags_per_method = p->chain_flags;
	p->rev.chainTests.cert_rev_method_independent_flags =
	    CERT_REV_MI_NO_OVERALL_INFO_REQUIREMENT;

	i = 0;
	p->in[i].type = cert_pi_revocationFlags;
	p->in[i++].value.pointer.revocation = &p->rev;
	/* PRTime 0 would mean "now" to NSS. */
	p->in[i].type = cert_pi_date;
	p->in[i++].value.scalar.time = at > 0 ? (PRTime)at * PR_USEC_PER_SEC :
	    1;
	p->in[i].type = cert_pi_useAIACertFetch;
	p->in[i++].value.scalar.b = PR_FALSE;
	if (ta_cert != NULL) {
		CERTCertificate *dup;

		if ((p->anchors = CERT_NewCertList()) == NULL)
			return -1;
		dup = CERT_DupCertificate(ta_cert);
		if (CERT_AddCertToListTail(p->anchors, dup) != SECSuccess) {
			CERT_DestroyCertificate(dup);
			return -1;
		}
		p->in[i].type = cert_pi_trustAnchors;
		p->in[i++].value.pointer.chain = p->anchors;
		/* RFC 7671 5.2: the TA is the only anchor; root store and
		 * database trust must not rescue a chain. */
		p->in[i].type = cert_pi_useOnlyTrustAnchors;
		p->in[i++].value.scalar.b = PR_TRUE;
	}
	p->in[i].type = cert_pi_end;
	return 0;
}

/* The verdict on a path NSS built (vout: its chain and anchor): OK, or
 * not a path to an anchor that counts, or an end entity whose keyUsage
 * does not fit the use. 0, or -1 ours. */
static int
judge_path(struct pkix_result *r, const CERTValOutParam *vout,
    const struct cert_summary *ee, CERTCertificate *ta_cert,
    enum pkix_use use)
{
	CERTCertificate *top;
	int reached;

	if (vout[0].value.pointer.chain == NULL ||
	    (reached = copy_chain(r, vout[0].value.pointer.chain,
	    vout[1].value.pointer.cert, ta_cert)) < 0)
		return -1;
	r->status = PKIX_OK;
	top = vout[1].value.pointer.cert;
	if (top == NULL && !CERT_LIST_EMPTY(vout[0].value.pointer.chain))
		top = CERT_LIST_TAIL(vout[0].value.pointer.chain)->cert;
	if (reached == 1 || (ta_cert == NULL &&
	    (!anchor_configured(top) || (use == PKIX_USE_PATH &&
	    !email_anchor(top))))) {
		/* libpkix's caches, see copy_chain and anchor_configured:
		 * not a path to an anchor that counts, so none was found. */
		pkix_result_free(r);
		verdict(r, PKIX_E_UNTRUSTED, "pkix-untrusted-issuer",
		    "no valid chain to %s (RFC 5280 6.1)", ta_cert != NULL ?
		    "the DANE-TA trust anchor" : "a trusted root");
	} else if (use != PKIX_USE_PATH &&
	    !ku_allows(ee, use == PKIX_USE_SIGNER)) {
		pkix_result_free(r);
		verdict(r, PKIX_E_USAGE, "pkix-usage", "keyUsage allows "
		    "neither %s (RFC 5280 4.2.1.3, RFC 8550 4.4.2)",
		    use == PKIX_USE_SIGNER ?
		    "digitalSignature nor nonRepudiation" :
		    "keyEncipherment nor keyAgreement");
	}
	return 0;
}

static int
verify_core(const struct cert_summary *ee,
    const struct cert_summary *const *intermediates, size_t nintermediates,
    const struct cert_summary *anchor, int64_t at, enum pkix_use use,
    struct pkix_result *out)
{
	CERTCertificate *ee_cert = NULL, *ta_cert = NULL;
	CERTCertificate *inter[DS_MAX_PKIX_CERTS];
	struct val_params p;
	CERTValOutParam vout[3];
	SECCertificateUsage usage;
	struct pkix_result r;
	size_t ninter = 0, k;
	bool clash = false;
	unsigned runs = 0;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	memset(out, 0, sizeof(*out));
	memset(vout, 0, sizeof(vout));
	p.anchors = NULL;
	if (ee == NULL || at < 0 || at > ISOTIME_MAX ||
	    (nintermediates > 0 && intermediates == NULL))
		return -1;
	if (run_deferred() != 0)
		return -1;
	if (anchor == NULL && !inited &&
	    pkix_init(NULL, true, NULL, 0) != 0)
		return -1;
	if (crypto_init() != 0)
		return -1;
	if (anchor == NULL)
		roots_now();

	/* Every certificate becomes a temporary one for this call only. */
	if ((ee_cert = temp_cert(ee, &clash)) == NULL)
		goto collide;
	if (anchor != NULL && (ta_cert = temp_cert(anchor, &clash)) == NULL)
		goto collide;
	for (k = 0; k < nintermediates && ninter < DS_MAX_PKIX_CERTS; k++) {
		if (intermediates[k] == NULL)
			continue;
		if ((inter[ninter] = temp_cert(intermediates[k], &clash)) ==
		    NULL)
			goto collide;
		ninter++;
	}

	if (val_params_init(&p, at, ta_cert) != 0)
		goto out;
	if (ta_cert == NULL) {
		refresh_issuers(ee_cert);
		for (k = 0; k < ninter; k++)
			refresh_issuers(inter[k]);
	}
	vout[0].type = cert_po_certList;
	vout[1].type = cert_po_trustAnchor;
	vout[2].type = cert_po_end;
	usage = use == PKIX_USE_SIGNER ? certificateUsageEmailSigner :
	    certificateUsageEmailRecipient;

	/* NSS accepts certificates up to a day before notBefore by
	 * default; the validation time is exact here (tests pin it, and
	 * dane.c compares the dates itself). */
	(void)CERT_SetSlopTime(0);
	if (path_verify(ee_cert, use, usage, p.in, vout, &runs) ==
	    SECSuccess) {
		if (judge_path(&r, vout, ee, ta_cert, use) != 0)
			goto out;
	} else if (map_error(&r, PORT_GetError(), ee, at, ta_cert != NULL) !=
	    0)
		goto out;
	r.runs = runs;
	*out = r;
	memset(&r, 0, sizeof(r));
	rc = 0;
	goto out;

collide:
	if (!clash)
		goto out;
	verdict(&r, PKIX_E_INVALID, "pkix-invalid", "two different "
	    "certificates have the same issuer and serial number "
	    "(RFC 5280 4.1.2.2)");
	*out = r;
	memset(&r, 0, sizeof(r));
	rc = 0;
out:
	if (vout[0].value.pointer.chain != NULL)
		CERT_DestroyCertList(vout[0].value.pointer.chain);
	if (vout[1].value.pointer.cert != NULL)
		CERT_DestroyCertificate(vout[1].value.pointer.cert);
	if (p.anchors != NULL)
		CERT_DestroyCertList(p.anchors);
	for (k = 0; k < ninter; k++)
		CERT_DestroyCertificate(inter[k]);
	if (ta_cert != NULL)
		CERT_DestroyCertificate(ta_cert);
	if (ee_cert != NULL)
		CERT_DestroyCertificate(ee_cert);
	pkix_result_free(&r);
	return rc;
}

int
pkix_verify(const struct cert_summary *ee,
    const struct cert_summary *const *intermediates, size_t nintermediates,
    const struct cert_summary *anchor, int64_t at, bool for_signing,
    struct pkix_result *out)
{
	return verify_core(ee, intermediates, nintermediates, anchor, at,
	    for_signing ? PKIX_USE_SIGNER : PKIX_USE_RECIPIENT, out);
}

/* A growing DER buffer; bad is set on OOM or an oversized length. */
struct der {
	uint8_t *p;
	size_t n, cap;
	bool bad;
};

static void
der_add(struct der *d, const void *p, size_t n)
{
	uint8_t *np;
	size_t cap;

	if (d->bad)
		return;
	if (n > DS_MAX_CERT_BYTES || d->n > DS_MAX_CERT_BYTES) {
		d->bad = true;
		return;
	}
	if (d->n + n > d->cap) {
		cap = (d->n + n) * 2;
		if ((np = realloc(d->p, cap)) == NULL) {
			d->bad = true;
			return;
		}
		d->p = np;
		d->cap = cap;
	}
	if (n > 0)
		memcpy(d->p + d->n, p, n);
	d->n += n;
}

/* tag, DER length, then the content c. */
static void
der_tlv(struct der *d, uint8_t tag, const uint8_t *c, size_t n)
{
	uint8_t h[5];
	size_t k = 0;

	h[k++] = tag;
	if (n < 0x80)
		h[k++] = (uint8_t)n;
	else if (n < 0x100) {
		h[k++] = 0x81;
		h[k++] = (uint8_t)n;
	} else if (n < 0x10000) {
		h[k++] = 0x82;
		h[k++] = (uint8_t)(n >> 8);
		h[k++] = (uint8_t)n;
	} else {
		d->bad = true;
		return;
	}
	der_add(d, h, k);
	der_add(d, c, n);
}

/*
 * RFC 7671 5.2: a DANE-TA record may publish the anchor's public key
 * alone (2 1 0), and the domain leaves the anchor's certificate out of
 * the chain. NSS takes anchors as certificates only, so the key is put
 * into a stand-in: a certificate whose subject (and issuer) is the name
 * of the certificate the key signed (signed's issuer), whose key is the
 * published one, basicConstraints cA TRUE, valid for all time, with
 * signed's authorityKeyIdentifier as its subjectKeyIdentifier. It is
 * never signed: NSS does not check an anchor's own signature, and this
 * one is never anything but the only anchor of one call, never trusted
 * anywhere else (a temporary certificate; no trust object). Its serial
 * number is a hash of the key and the name. 0, -1 OOM (or the parts
 * are too large; then *der is NULL).
 */
static int
key_anchor_der(const CERTCertificate *signed_by_key, const uint8_t *spki,
    size_t spki_len, uint8_t **der, size_t *der_len)
{
	static const uint8_t version[] = { 0xa0, 0x03, 0x02, 0x01, 0x02 };
	static const uint8_t validity[] = { 0x30, 0x20,
	    0x17, 0x0d, '7', '0', '0', '1', '0', '1', '0', '0', '0', '0',
	    '0', '0', 'Z',
	    0x18, 0x0f, '9', '9', '9', '9', '1', '2', '3', '1', '2', '3',
	    '5', '9', '5', '9', 'Z' };
	static const uint8_t basic[] = { 0x30, 0x0f, 0x06, 0x03, 0x55, 0x1d,
	    0x13, 0x01, 0x01, 0xff, 0x04, 0x05, 0x30, 0x03, 0x01, 0x01, 0xff };
	static const uint8_t ski_oid[] = { 0x06, 0x03, 0x55, 0x1d, 0x0e };
	static const uint8_t nosig[] = { 0x03, 0x01, 0x00 };
	struct der tbs = { 0 }, body = { 0 }, ext = { 0 }, exts = { 0 };
	struct der inner = { 0 }, cert = { 0 }, hin = { 0 };
	SECItem *alg = NULL;
	PLArenaPool *arena = NULL;
	CERTAuthKeyID *akid;
	SECItem akid_der = { siBuffer, NULL, 0 };
	uint8_t md[32], serial[16];
	int rc = -1;

	*der = NULL;
	*der_len = 0;
	alg = SEC_ASN1EncodeItem(NULL, NULL,
	    &signed_by_key->signatureWrap.signatureAlgorithm,
	    SEC_ASN1_GET(SECOID_AlgorithmIDTemplate));
	if (alg == NULL)
		goto out;
	der_add(&hin, spki, spki_len);
	der_add(&hin, signed_by_key->derIssuer.data,
	    signed_by_key->derIssuer.len);
	if (hin.bad || crypto_sha256(hin.p, hin.n, md) != 0)
		goto out;
	memcpy(serial, md, sizeof(serial));
	serial[0] = (uint8_t)((serial[0] & 0x7f) | 0x40);

	/* Extensions: basicConstraints, and the subjectKeyIdentifier that
	 * signed's authorityKeyIdentifier asks for (RFC 5280 4.2.1.1). */
	der_add(&ext, basic, sizeof(basic));
	if ((arena = PORT_NewArena(1024)) == NULL)
		goto out;
	akid = NULL;
	if (CERT_FindCertExtension(signed_by_key, SEC_OID_X509_AUTH_KEY_ID,
	    &akid_der) == SECSuccess) {
		akid = CERT_DecodeAuthKeyID(arena, &akid_der);
		SECITEM_FreeItem(&akid_der, PR_FALSE);
	}
	if (akid != NULL && akid->keyID.len > 0 && akid->keyID.len < 100) {
		struct der kid = { 0 }, os = { 0 }, one = { 0 };

		der_tlv(&kid, 0x04, akid->keyID.data, akid->keyID.len);
		der_tlv(&os, 0x04, kid.p, kid.n);
		der_add(&one, ski_oid, sizeof(ski_oid));
		der_add(&one, os.p, os.n);
		der_tlv(&ext, 0x30, one.p, one.n);
		if (kid.bad || os.bad || one.bad)
			ext.bad = true;
		free(kid.p);
		free(os.p);
		free(one.p);
	}
	der_tlv(&inner, 0x30, ext.p, ext.n);
	der_tlv(&exts, 0xa3, inner.p, inner.n);

	der_add(&body, version, sizeof(version));
	der_tlv(&body, 0x02, serial, sizeof(serial));
	der_add(&body, alg->data, alg->len);
	der_add(&body, signed_by_key->derIssuer.data,
	    signed_by_key->derIssuer.len);
	der_add(&body, validity, sizeof(validity));
	der_add(&body, signed_by_key->derIssuer.data,
	    signed_by_key->derIssuer.len);
	der_add(&body, spki, spki_len);
	der_add(&body, exts.p, exts.n);
	der_tlv(&tbs, 0x30, body.p, body.n);

	free(body.p);
	memset(&body, 0, sizeof(body));
	der_add(&body, tbs.p, tbs.n);
	der_add(&body, alg->data, alg->len);
	der_add(&body, nosig, sizeof(nosig));
	der_tlv(&cert, 0x30, body.p, body.n);
	if (ext.bad || inner.bad || exts.bad || body.bad || tbs.bad ||
	    cert.bad)
		goto out;
	*der = cert.p;
	*der_len = cert.n;
	cert.p = NULL;
	rc = 0;
out:
	if (alg != NULL)
		SECITEM_FreeItem(alg, PR_TRUE);
	if (arena != NULL)
		PORT_FreeArena(arena, PR_FALSE);
	free(tbs.p);
	free(body.p);
	free(ext.p);
	free(exts.p);
	free(inner.p);
	free(cert.p);
	free(hin.p);
	return rc;
}

/* cert.h declares CERT_DecodeDERCertificate, but libnss3 exports it
 * only under this name (as certs.c knows). */
extern CERTCertificate *__CERT_DecodeDERCertificate(SECItem *der,
    PRBool copyDER, char *nickname);

/* c decoded by NSS outside its certificate store, or NULL. */
static CERTCertificate *
decode_cert(const struct cert_summary *c)
{
	SECItem item;

	if (!der_item(c, &item))
		return NULL;
	return __CERT_DecodeDERCertificate(&item, PR_TRUE, NULL);
}

/*
 * DANE-TA with a bare key (RFC 7671 5.2): the anchor is the key. The
 * certificate of ee or of the pool whose signature the key verifies is
 * the top of the path; ee is validated up to it with the stand-in of
 * key_anchor_der as the only anchor, so that NSS checks that
 * certificate (validity, CA constraints) like any other of the path.
 */
static int
verify_key(const struct cert_summary *ee,
    const struct cert_summary *const *pool, size_t npool,
    const uint8_t *spki, size_t spki_len, int64_t at, enum pkix_use use,
    struct pkix_result *out)
{
	CERTSubjectPublicKeyInfo *key = NULL;
	CERTCertificate *c = NULL;
	struct cert_summary stand_in;
	struct pkix_result first;
	const struct cert_summary *cand;
	uint8_t *der = NULL;
	size_t der_len, i;
	SECItem item;
	bool failed = false;
	unsigned runs = 0, sigchecks = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&first, 0, sizeof(first));
	if (run_deferred() != 0 || crypto_init() != 0 ||
	    spki_len > UINT32_MAX)
		return -1;
	item.type = siBuffer;
	item.data = (unsigned char *)spki;
	item.len = (unsigned int)spki_len;
	if (spki == NULL || spki_len == 0 ||
	    (key = SECKEY_DecodeDERSubjectPublicKeyInfo(&item)) == NULL) {
		verdict(out, PKIX_E_INVALID, "pkix-invalid", "the DANE-TA "
		    "key is not a SubjectPublicKeyInfo (RFC 7671 5.2, RFC "
		    "5280 4.1.2.7)");
		return 0;
	}
	/* ee first: the key may have signed ee itself. */
	for (i = 0; i <= npool && i <= DS_MAX_PKIX_CERTS; i++) {
		cand = i == 0 ? ee : pool[i - 1];
		if (cand == NULL || (i > 0 && cand == ee))
			continue;
		if ((c = decode_cert(cand)) == NULL)
			continue;
		sigchecks++;
		if (CERT_VerifySignedDataWithPublicKeyInfo(&c->signatureWrap,
		    key, NULL) != SECSuccess) {
			CERT_DestroyCertificate(c);
			c = NULL;
			continue;
		}
		if (key_anchor_der(c, spki, spki_len, &der, &der_len) != 0)
			goto out;
		CERT_DestroyCertificate(c);
		c = NULL;
		memset(&stand_in, 0, sizeof(stand_in));
		stand_in.der = der;
		stand_in.der_len = der_len;
		if (verify_core(ee, pool, npool, &stand_in, at, use, out) !=
		    0)
			goto out;
		free(der);
		der = NULL;
		runs += out->runs;
		out->runs = runs;
		out->sigchecks = sigchecks;
		if (out->status == PKIX_OK) {
			/* The stand-in is no certificate of the path. */
			if (out->nchain > 0) {
				free(out->chain[--out->nchain]);
				out->chain[out->nchain] = NULL;
			}
			out->key_anchor = true;
			rc = 0;
			goto out;
		}
		if (!failed) {
			first = *out;
			failed = true;
		} else
			pkix_result_free(out);
		memset(out, 0, sizeof(*out));
	}
	if (failed) {
		*out = first;
		out->runs = runs;
		out->sigchecks = sigchecks;
		memset(&first, 0, sizeof(first));
		failed = false;
	} else {
		verdict(out, PKIX_E_UNTRUSTED, "pkix-untrusted-issuer", "no "
		    "certificate of the chain is signed by the DANE-TA key "
		    "(RFC 7671 5.2)");
		out->sigchecks = sigchecks;
	}
	rc = 0;
out:
	if (c != NULL)
		CERT_DestroyCertificate(c);
	if (failed)
		pkix_result_free(&first);
	free(der);
	SECKEY_DestroySubjectPublicKeyInfo(key);
	if (rc != 0)
		pkix_result_free(out);
	return rc;
}

int
pkix_verify_ex(const struct cert_summary *ee,
    const struct cert_summary *const *intermediates, size_t nintermediates,
    const struct pkix_anchor *anchor, int64_t at, enum pkix_use use,
    struct pkix_result *out)
{
	if (out == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	if (ee == NULL || (nintermediates > 0 && intermediates == NULL) ||
	    at < 0 || at > ISOTIME_MAX || (use != PKIX_USE_RECIPIENT &&
	    use != PKIX_USE_SIGNER && use != PKIX_USE_PATH))
		return -1;
	if (anchor != NULL && anchor->cert == NULL)
		return verify_key(ee, intermediates, nintermediates,
		    anchor->spki, anchor->spki_len, at, use, out);
	return verify_core(ee, intermediates, nintermediates,
	    anchor != NULL ? anchor->cert : NULL, at, use, out);
}
