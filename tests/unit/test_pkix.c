/* test_pkix.c - path validation over tests/fixtures/certs (make.sh there):
 * DANE-TA anchors, a private CA trusted through a test NSS database made
 * here with certutil, dates, usages, intermediates, clashes.
 * Usage: test_pkix [FIXTURE_DIR]. Needs certutil (libnss3-tools). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pk11pub.h>

#include "certs.h"
#include "crypto.h"
#include "pkix.h"
#include "t.h"

#ifndef DS_FIXTURES_DIR
#define DS_FIXTURES_DIR "tests/fixtures/certs"
#endif

static const char *fixdir = DS_FIXTURES_DIR;

enum { CA, CA2, INTER, LEAF, ECLEAF, RSALEAF, CHAIN, EKUSERVER, KUSIGN,
	ANYEKU, RSA1024, RSA, NFIX };
static const char *const names[NFIX] = { "ca", "ca2", "inter", "leaf",
	"ecleaf", "rsaleaf", "chain", "ekuserver", "kusign", "anyeku",
	"rsa1024", "rsa" };
static struct cert_summary fx[NFIX];

static void
load_all(void)
{
	char path[4096];
	uint8_t buf[65536];
	const char *why;
	size_t i, n;
	FILE *f;

	for (i = 0; i < NFIX; i++) {
		snprintf(path, sizeof(path), "%s/%s.der", fixdir, names[i]);
		if ((f = fopen(path, "rb")) == NULL) {
			fprintf(stderr, "cannot read %s\n", path);
			exit(2);
		}
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		if (certs_decode(buf, n, &fx[i], &why) != CERTS_OK) {
			fprintf(stderr, "%s: %s\n", path, why);
			exit(2);
		}
	}
}

/* Runs one validation; returns the status, or -1. */
static int
verify(int ee, const int *inter, size_t ninter, int anchor, int64_t at,
    bool signing, struct pkix_result *r)
{
	const struct cert_summary *pool[8];
	size_t i;
	int rc;

	for (i = 0; i < ninter; i++)
		pool[i] = &fx[inter[i]];
	rc = pkix_verify(&fx[ee], pool, ninter, anchor < 0 ? NULL :
	    &fx[anchor], at, signing, r);
	if (rc != 0)
		return -1;
	if (getenv("TEST_VERBOSE") != NULL || (r->status != PKIX_OK &&
	    r->message[0] == '\0'))
		fprintf(stderr, "  %s: %d %s: %s\n", names[ee], r->status,
		    r->code ? r->code : "-", r->message);
	return r->status;
}

/* The chain is ee .. anchor. */
static void
check_chain(const struct pkix_result *r, const int *want, size_t n)
{
	size_t i;

	CHECK(r->nchain == n);
	for (i = 0; i < n && i < r->nchain; i++)
		CHECK(r->chain_len[i] == fx[want[i]].der_len &&
		    memcmp(r->chain[i], fx[want[i]].der, r->chain_len[i]) ==
		    0);
}

static int64_t now_;

static void
test_dane_ta(void)
{
	struct pkix_result r;
	const int inter[] = { INTER };
	const int c2[] = { ECLEAF, CA }, c3[] = { CHAIN, INTER, CA };

	/* The CA as the only anchor, without any DB trust (RFC 7671 5.2). */
	CHECK(verify(ECLEAF, NULL, 0, CA, now_, false, &r) == PKIX_OK);
	CHECK(r.code == NULL && r.message[0] == '\0');
	check_chain(&r, c2, 2);
	pkix_result_free(&r);
	CHECK(r.chain == NULL && r.nchain == 0);
	CHECK(verify(RSALEAF, NULL, 0, CA, now_, false, &r) == PKIX_OK);
	pkix_result_free(&r);
	CHECK(verify(ECLEAF, NULL, 0, CA, now_, true, &r) == PKIX_OK);
	pkix_result_free(&r);

	/* Unrelated anchors. */
	CHECK(verify(ECLEAF, NULL, 0, CA2, now_, false, &r) ==
	    PKIX_E_UNTRUSTED);
	CHECK_STR(r.code, "pkix-untrusted-issuer");
	CHECK(strstr(r.message, "RFC 5280") != NULL);
	CHECK(r.nchain == 0 && r.chain == NULL);
	pkix_result_free(&r);
	CHECK(verify(ECLEAF, NULL, 0, RSA, now_, false, &r) ==
	    PKIX_E_UNTRUSTED);
	pkix_result_free(&r);

	/* Without the intermediate no path (first: once libpkix has seen
	 * it, its caches keep it available for an hour, see pkix.c). */
	CHECK(verify(CHAIN, NULL, 0, CA, now_, false, &r) ==
	    PKIX_E_UNTRUSTED);
	pkix_result_free(&r);
	/* The intermediate from the pool. */
	CHECK(verify(CHAIN, inter, 1, CA, now_, false, &r) == PKIX_OK);
	check_chain(&r, c3, 3);
	pkix_result_free(&r);
	CHECK(verify(CHAIN, inter, 1, CA, now_, true, &r) == PKIX_OK);
	pkix_result_free(&r);
	/* The intermediate itself as the DANE-TA anchor. */
	CHECK(verify(CHAIN, NULL, 0, INTER, now_, false, &r) == PKIX_OK);
	CHECK(r.nchain == 2);
	pkix_result_free(&r);
	/* A cached chain never outlives the anchor choice. */
	CHECK(verify(CHAIN, inter, 1, CA2, now_, false, &r) ==
	    PKIX_E_UNTRUSTED);
	pkix_result_free(&r);
	/* More intermediates than DS_MAX_PKIX_CERTS: the rest ignored. */
	{
		const struct cert_summary *many[DS_MAX_PKIX_CERTS + 2];
		size_t i;

		for (i = 0; i < DS_MAX_PKIX_CERTS + 2; i++)
			many[i] = &fx[i % 2 ? CA2 : INTER];
		CHECK(pkix_verify(&fx[CHAIN], many, DS_MAX_PKIX_CERTS + 2,
		    &fx[CA], now_, false, &r) == 0 && r.status == PKIX_OK);
		pkix_result_free(&r);
	}
}

/* Runs pkix_verify_ex with anchor's key as a bare-key anchor (2 1 0). */
static int
verify_key(int ee, const int *inter, size_t ninter, int anchor, int64_t at,
    enum pkix_use use, struct pkix_result *r)
{
	const struct cert_summary *pool[8];
	struct pkix_anchor a;
	size_t i;

	for (i = 0; i < ninter; i++)
		pool[i] = &fx[inter[i]];
	memset(&a, 0, sizeof(a));
	a.spki = fx[anchor].spki;
	a.spki_len = fx[anchor].spki_len;
	if (pkix_verify_ex(&fx[ee], pool, ninter, &a, at, use, r) != 0)
		return -1;
	if (getenv("TEST_VERBOSE") != NULL)
		fprintf(stderr, "  key %s: %d %s: %s\n", names[ee], r->status,
		    r->code ? r->code : "-", r->message);
	return r->status;
}

/* RFC 7671 5.2: the anchor published as a bare key (2 1 0). */
static void
test_key_anchor(void)
{
	struct pkix_result r;
	struct pkix_anchor a;
	const int inter[] = { INTER }, c1[] = { ECLEAF }, c1c[] = { CHAIN };
	const int c2[] = { CHAIN, INTER };
	static const uint8_t junk[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };

	/* The key signed ee itself: the path is ee alone. */
	CHECK(verify_key(ECLEAF, NULL, 0, CA, now_, PKIX_USE_RECIPIENT, &r) ==
	    PKIX_OK);
	CHECK(r.key_anchor);
	check_chain(&r, c1, 1);
	pkix_result_free(&r);
	CHECK(!r.key_anchor);
	/* An intermediate's key, the intermediate left out. */
	CHECK(verify_key(CHAIN, NULL, 0, INTER, now_, PKIX_USE_RECIPIENT,
	    &r) == PKIX_OK);
	CHECK(r.key_anchor);
	check_chain(&r, c1c, 1);
	pkix_result_free(&r);
	/* The root's key: the intermediate comes with the chain, and is
	 * checked as a CA of the path. */
	CHECK(verify_key(CHAIN, inter, 1, CA, now_, PKIX_USE_RECIPIENT, &r) ==
	    PKIX_OK);
	CHECK(r.key_anchor);
	check_chain(&r, c2, 2);
	pkix_result_free(&r);
	/* ... and without it there is no path. */
	CHECK(verify_key(CHAIN, NULL, 0, CA, now_, PKIX_USE_RECIPIENT, &r) ==
	    PKIX_E_UNTRUSTED);
	CHECK_STR(r.code, "pkix-untrusted-issuer");
	CHECK(strstr(r.message, "RFC 7671") != NULL);
	CHECK(r.nchain == 0 && !r.key_anchor);
	pkix_result_free(&r);
	/* Another key. */
	CHECK(verify_key(ECLEAF, NULL, 0, CA2, now_, PKIX_USE_RECIPIENT, &r) ==
	    PKIX_E_UNTRUSTED);
	pkix_result_free(&r);
	/* Dates and usages are checked as with a certificate anchor. */
	CHECK(verify_key(ECLEAF, NULL, 0, CA, fx[ECLEAF].not_after + 1,
	    PKIX_USE_RECIPIENT, &r) == PKIX_E_EXPIRED);
	pkix_result_free(&r);
	CHECK(verify_key(KUSIGN, NULL, 0, CA, now_, PKIX_USE_RECIPIENT, &r) ==
	    PKIX_E_USAGE);
	pkix_result_free(&r);
	CHECK(verify_key(KUSIGN, NULL, 0, CA, now_, PKIX_USE_SIGNER, &r) ==
	    PKIX_OK);
	pkix_result_free(&r);
	/* Not a key. */
	memset(&a, 0, sizeof(a));
	a.spki = junk;
	a.spki_len = sizeof(junk);
	CHECK(pkix_verify_ex(&fx[ECLEAF], NULL, 0, &a, now_,
	    PKIX_USE_RECIPIENT, &r) == 0 && r.status == PKIX_E_INVALID);
	CHECK_STR(r.code, "pkix-invalid");
	pkix_result_free(&r);
	a.spki = NULL;
	a.spki_len = 0;
	CHECK(pkix_verify_ex(&fx[ECLEAF], NULL, 0, &a, now_,
	    PKIX_USE_RECIPIENT, &r) == 0 && r.status == PKIX_E_INVALID);
	pkix_result_free(&r);
	/* The stand-in anchor is trusted nowhere afterwards. */
	CHECK(verify(ECLEAF, NULL, 0, CA2, now_, false, &r) ==
	    PKIX_E_UNTRUSTED);
	pkix_result_free(&r);
}

/* The purposes of pkix_verify_ex with a certificate anchor. */
static void
test_use(void)
{
	struct pkix_result r;
	struct pkix_anchor a;

	memset(&a, 0, sizeof(a));
	a.cert = &fx[CA];
	/* A signing-only certificate is a signer, not a recipient. */
	CHECK(pkix_verify_ex(&fx[KUSIGN], NULL, 0, &a, now_,
	    PKIX_USE_SIGNER, &r) == 0 && r.status == PKIX_OK);
	pkix_result_free(&r);
	CHECK(pkix_verify_ex(&fx[KUSIGN], NULL, 0, &a, now_,
	    PKIX_USE_RECIPIENT, &r) == 0 && r.status == PKIX_E_USAGE);
	pkix_result_free(&r);
	/* The path alone: the end entity's usages do not count. */
	CHECK(pkix_verify_ex(&fx[KUSIGN], NULL, 0, &a, now_,
	    PKIX_USE_PATH, &r) == 0 && r.status == PKIX_OK);
	pkix_result_free(&r);
	CHECK(pkix_verify_ex(&fx[EKUSERVER], NULL, 0, &a, now_,
	    PKIX_USE_PATH, &r) == 0 && r.status == PKIX_OK);
	CHECK(r.nchain == 2);
	pkix_result_free(&r);
	/* anyExtendedKeyUsage alone satisfies no usage libpkix knows:
	 * whether it chains stays unknown (a usage failure). */
	CHECK(pkix_verify_ex(&fx[ANYEKU], NULL, 0, &a, now_,
	    PKIX_USE_PATH, &r) == 0 && r.status == PKIX_E_USAGE);
	pkix_result_free(&r);
	/* ... but the anchor still does. */
	a.cert = &fx[CA2];
	CHECK(pkix_verify_ex(&fx[EKUSERVER], NULL, 0, &a, now_,
	    PKIX_USE_PATH, &r) == 0 && r.status == PKIX_E_UNTRUSTED);
	pkix_result_free(&r);
	/* Bad arguments are ours. */
	CHECK(pkix_verify_ex(&fx[ECLEAF], NULL, 0, &a, now_,
	    (enum pkix_use)7, &r) == -1);
	CHECK(pkix_verify_ex(NULL, NULL, 0, &a, now_, PKIX_USE_PATH, &r) ==
	    -1);
}

static void
test_dates(void)
{
	struct pkix_result r;
	const struct cert_summary *e = &fx[ECLEAF];

	CHECK(verify(ECLEAF, NULL, 0, CA, e->not_before - 1, false, &r) ==
	    PKIX_E_NOT_YET_VALID);
	CHECK_STR(r.code, "not-yet-valid");
	CHECK(strstr(r.message, e->not_before_iso) != NULL);
	pkix_result_free(&r);
	CHECK(verify(ECLEAF, NULL, 0, CA, e->not_after + 1, false, &r) ==
	    PKIX_E_EXPIRED);
	CHECK_STR(r.code, "expired");
	CHECK(strstr(r.message, e->not_after_iso) != NULL);
	pkix_result_free(&r);
	CHECK(verify(ECLEAF, NULL, 0, CA, e->not_before, false, &r) ==
	    PKIX_OK);
	pkix_result_free(&r);
	/* Bad times are our fault. */
	CHECK(pkix_verify(e, NULL, 0, &fx[CA], -1, false, &r) == -1);
	CHECK(pkix_verify(e, NULL, 0, &fx[CA], 253402300800LL, false,
	    &r) == -1);
	CHECK(pkix_verify(NULL, NULL, 0, &fx[CA], now_, false, &r) == -1);
	CHECK(r.code == NULL && r.chain == NULL);
}

static void
test_usage(void)
{
	struct pkix_result r;
	int rc;

	/* serverAuth only: not for e-mail (RFC 8550 4.4.4). */
	rc = verify(EKUSERVER, NULL, 0, CA, now_, false, &r);
	CHECK(rc == PKIX_E_USAGE);
	CHECK_STR(r.code, "pkix-usage");
	pkix_result_free(&r);
	CHECK(verify(EKUSERVER, NULL, 0, CA, now_, true, &r) ==
	    PKIX_E_USAGE);
	pkix_result_free(&r);
	/* digitalSignature only: a signer, not a recipient. */
	CHECK(verify(KUSIGN, NULL, 0, CA, now_, false, &r) == PKIX_E_USAGE);
	pkix_result_free(&r);
	CHECK(verify(KUSIGN, NULL, 0, CA, now_, true, &r) == PKIX_OK);
	pkix_result_free(&r);
	/* anyExtendedKeyUsage alone is not e-mail for NSS (nor for
	 * Thunderbird's mozilla::pkix). */
	CHECK(verify(ANYEKU, NULL, 0, CA, now_, false, &r) == PKIX_E_USAGE);
	pkix_result_free(&r);
	/* EC with keyEncipherment: accepted, as Thunderbird does. */
	CHECK(verify(LEAF, NULL, 0, CA, now_, false, &r) == PKIX_OK);
	pkix_result_free(&r);
	/* Weak keys are not PKIX's business (NSS allows RSA-1024). */
	CHECK(verify(RSA1024, NULL, 0, CA, now_, false, &r) == PKIX_OK);
	pkix_result_free(&r);
	/* A CA is not an e-mail recipient even as its own anchor. */
	rc = verify(CA, NULL, 0, CA, now_, false, &r);
	CHECK(rc != PKIX_OK);
	pkix_result_free(&r);
}

/* Flips a byte of ee's signature: same issuer and serial, other DER. */
static void
test_clash(void)
{
	struct cert_summary bad;
	struct pkix_result r;
	const struct cert_summary *pool[1];
	uint8_t *der;
	const char *why;

	der = malloc(fx[ECLEAF].der_len);
	CHECK(der != NULL);
	if (der == NULL)
		return;
	memcpy(der, fx[ECLEAF].der, fx[ECLEAF].der_len);
	der[fx[ECLEAF].der_len - 3] ^= 0x01;
	CHECK(certs_decode(der, fx[ECLEAF].der_len, &bad, &why) == CERTS_OK);
	/* Alone: a bad signature, or (ECLEAF being still in libpkix's
	 * cache) a second certificate under ECLEAF's issuer and serial. */
	CHECK(pkix_verify(&bad, NULL, 0, &fx[CA], now_, false, &r) == 0);
	CHECK(r.status == PKIX_E_INVALID);
	CHECK_STR(r.code, "pkix-invalid");
	CHECK(strstr(r.message, "SEC_ERROR_BAD_SIGNATURE") != NULL ||
	    strstr(r.message, "4.1.2.2") != NULL);
	pkix_result_free(&r);
	/* Both at once: the second must not silently become the first. */
	pool[0] = &bad;
	CHECK(pkix_verify(&fx[ECLEAF], pool, 1, &fx[CA], now_, false,
	    &r) == 0);
	CHECK(r.status == PKIX_E_INVALID);
	CHECK(strstr(r.message, "4.1.2.2") != NULL);
	pkix_result_free(&r);
	/* The forgery did not displace the real one. */
	CHECK(verify(ECLEAF, NULL, 0, CA, now_, false, &r) == PKIX_OK);
	pkix_result_free(&r);
	cert_summary_free(&bad);
	free(der);
}

static int
sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc != 0)
		fprintf(stderr, "failed (%d): %s\n", rc, cmd);
	return rc;
}

/* Configured anchors: the Mozilla roots, then a test DB trusting ca. */
static void
test_configured(void)
{
	struct pkix_result r;
	char dir[] = "/tmp/test_pkix.XXXXXX", cmd[8192], db[64], err[256];
	const int c2[] = { ECLEAF, CA }, c3[] = { CHAIN, INTER, CA };
	const int c2i[] = { CHAIN, INTER }, inter[] = { INTER };
	PK11SlotInfo *slot;

	/* Not initialised yet: pkix_verify loads the roots itself. */
	CHECK(verify(ECLEAF, NULL, 0, -1, now_, false, &r) ==
	    PKIX_E_UNTRUSTED);
	CHECK_STR(r.code, "pkix-untrusted-issuer");
	pkix_result_free(&r);
	CHECK((slot = PK11_FindSlotByName("Builtin Object Token")) != NULL);
	if (slot != NULL)
		PK11_FreeSlot(slot);
	CHECK(pkix_init(NULL, true, err, sizeof(err)) == 0);
	CHECK_STR(err, "");

	CHECK(pkix_init("dbm:/nonexistent", true, err, sizeof(err)) == 1);
	CHECK(strstr(err, "sql:") != NULL);
	CHECK(pkix_init("sql:/nonexistent", true, err, sizeof(err)) == 1);
	CHECK(strstr(err, "cert9.db") != NULL);
	CHECK(pkix_init("sql:/tmp/a'b", true, err, sizeof(err)) == 1);

	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(cmd, sizeof(cmd), "certutil -N --empty-password -d sql:%s "
	    "&& certutil -A -d sql:%s -n ca -t C,C,C -i %s/ca.pem",
	    dir, dir, fixdir);
	CHECK(sh(cmd) == 0);
	snprintf(db, sizeof(db), "sql:%s", dir);
	/* test_dane_ta gave ca to NSS as a temporary certificate before
	 * the DB with ca in it was opened: NSS's copy of ca must now have
	 * the DB's trust (pkix.c refresh_issuers). */
	CHECK(pkix_init(db, true, err, sizeof(err)) == 0);
	CHECK_STR(err, "");
	CHECK(pkix_init(db, true, err, sizeof(err)) == 0);
	/* Bare directory = sql:, same DB: nothing changes. */
	CHECK(pkix_init(dir, false, err, sizeof(err)) == 0);

	CHECK(verify(ECLEAF, NULL, 0, -1, now_, false, &r) == PKIX_OK);
	check_chain(&r, c2, 2);
	pkix_result_free(&r);
	CHECK(verify(EKUSERVER, NULL, 0, -1, now_, false, &r) ==
	    PKIX_E_USAGE);
	pkix_result_free(&r);
	CHECK(verify(ECLEAF, NULL, 0, -1, fx[ECLEAF].not_after + 1, false,
	    &r) == PKIX_E_EXPIRED);
	pkix_result_free(&r);
	/* DANE-TA ignores the DB: ca2 is the only anchor. */
	CHECK(verify(ECLEAF, NULL, 0, CA2, now_, false, &r) ==
	    PKIX_E_UNTRUSTED);
	pkix_result_free(&r);
	/* Still trusted through the DB after that. */
	CHECK(verify(ECLEAF, NULL, 0, -1, now_, false, &r) == PKIX_OK);
	pkix_result_free(&r);
	/* ca, once found trusted through the DB, stays marked as an anchor
	 * in libpkix's certificate cache: it must still not count where
	 * the DANE-TA anchor is the only one, also for a leaf not seen yet
	 * (RFC 7671 5.2). */
	CHECK(verify(RSALEAF, NULL, 0, -1, now_, false, &r) == PKIX_OK);
	pkix_result_free(&r);
	CHECK(verify(LEAF, NULL, 0, CA2, now_, false, &r) ==
	    PKIX_E_UNTRUSTED);
	CHECK(r.nchain == 0 && r.chain == NULL);
	pkix_result_free(&r);
	/* A DANE-TA path ends at its anchor, even when NSS found the path
	 * on to ca (trusted in the DB). */
	CHECK(verify(CHAIN, inter, 1, -1, now_, false, &r) == PKIX_OK);
	check_chain(&r, c3, 3);
	pkix_result_free(&r);
	CHECK(verify(CHAIN, inter, 1, INTER, now_, false, &r) == PKIX_OK);
	check_chain(&r, c2i, 2);
	pkix_result_free(&r);

	/* Without the DB, untrusted again (nothing cached). */
	pkix_shutdown();
	CHECK(pkix_init(NULL, true, err, sizeof(err)) == 0);
	CHECK(verify(ECLEAF, NULL, 0, -1, now_, false, &r) ==
	    PKIX_E_UNTRUSTED);
	pkix_result_free(&r);

	/* Nothing was written to the DB: only ca, with its trust. */
	snprintf(cmd, sizeof(cmd), "test \"$(certutil -L -d sql:%s | "
	    "tail -n +5 | wc -l)\" = 1", dir);
	CHECK(sh(cmd) == 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)sh(cmd);
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc > 1)
		fixdir = argv[1];
	load_all();
	/* A pinned time inside every fixture's validity. */
	now_ = fx[CHAIN].not_before + 86400;
	test_dane_ta();
	test_dates();
	test_usage();
	test_clash();
	test_key_anchor();
	test_use();
	test_configured();
	for (i = 0; i < NFIX; i++)
		cert_summary_free(&fx[i]);
	pkix_shutdown();
	pkix_shutdown();
	CHECK(crypto_shutdown_checked() == 0);
	return t_done("pkix");
}
