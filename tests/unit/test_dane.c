/* test_dane.c - SMIMEA records x certificates (dane.c) over the fixtures
 * of tests/fixtures/certs (made by make.sh there).
 *
 * Records are built here from the fixtures with crypto_sha256/512. PKIX
 * runs twice: first without any trust anchor (no roots, no database),
 * then with a throw-away NSS database, made with certutil in a mkdtemp
 * directory, that trusts the test CA.
 * Usage: test_dane [FIXTURE_DIR]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "address.h"
#include "certs.h"
#include "crypto.h"
#include "dane.h"
#include "isotime.h"
#include "pkix.h"
#include "t.h"

#ifndef DS_FIXTURES_DIR
#define DS_FIXTURES_DIR "tests/fixtures/certs"
#endif

/* 2030-01-01T00:00:00Z: inside every fixture's 100-year validity. */
#define AT ((int64_t)1893456000)

static const char *fixdir = DS_FIXTURES_DIR;

static const char *const names[] = {
	"rsa", "ec", "utf8", "ca", "leaf", "legacy", "multi", "ed25519",
	"ca2", "inter", "chain", "ecleaf", "rsaleaf", "ekuserver", "kusign",
	"anyeku", "rsa1024",
};
#define NFIX (sizeof(names) / sizeof(names[0]))
static struct cert_summary fix[NFIX];

/* The decoded fixture called name; exits if there is none. */
static const struct cert_summary *
F(const char *name)
{
	size_t i;

	for (i = 0; i < NFIX; i++)
		if (strcmp(names[i], name) == 0)
			return &fix[i];
	fprintf(stderr, "no fixture %s\n", name);
	exit(2);
}

static void
load_all(void)
{
	char path[4096];
	uint8_t *buf;
	FILE *f;
	long n;
	size_t i;
	const char *why = NULL;

	for (i = 0; i < NFIX; i++) {
		snprintf(path, sizeof(path), "%s/%s.der", fixdir, names[i]);
		if ((f = fopen(path, "rb")) == NULL ||
		    fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
		    fseek(f, 0, SEEK_SET) != 0 ||
		    (buf = malloc((size_t)n + 1)) == NULL ||
		    fread(buf, 1, (size_t)n, f) != (size_t)n) {
			fprintf(stderr, "cannot read %s\n", path);
			exit(2);
		}
		fclose(f);
		if (certs_decode(buf, (size_t)n, &fix[i], &why) != CERTS_OK) {
			fprintf(stderr, "cannot decode %s: %s\n", path,
			    why != NULL ? why : "?");
			exit(2);
		}
		free(buf);
	}
}

/* A record u s m over c; flip != 0 changes the last octet (a mismatch). */
static struct smimea_rec
mkrec(uint8_t u, uint8_t s, uint8_t m, const struct cert_summary *c, int flip)
{
	struct smimea_rec r;
	const uint8_t *p = s == 0 ? c->der : c->spki;
	size_t n = s == 0 ? c->der_len : c->spki_len;

	memset(&r, 0, sizeof(r));
	r.usage = u;
	r.selector = s;
	r.matching = m;
	r.len = m == 0 ? n : m == 1 ? 32 : 64;
	if ((r.data = malloc(r.len)) == NULL)
		abort();
	if (m == 0)
		memcpy(r.data, p, n);
	else if (m == 1)
		CHECK(crypto_sha256(p, n, r.data) == 0);
	else
		CHECK(crypto_sha512(p, n, r.data) == 0);
	if (flip)
		r.data[r.len - 1] ^= 0x01;
	return r;
}

static void
freerecs(struct smimea_rec *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(r[i].data);
}

static struct address
A(const char *s)
{
	struct address a;

	if (address_parse(s, strlen(s), &a, NULL) != ADDR_OK) {
		fprintf(stderr, "bad test address %s\n", s);
		exit(2);
	}
	return a;
}

/* Comma-separated fixture names -> pool (at most 8). */
static size_t
mkpool(const char *list, const struct cert_summary *pool[8])
{
	char buf[256], *p, *save = NULL;
	size_t n = 0;

	if (list == NULL)
		return 0;
	snprintf(buf, sizeof(buf), "%s", list);
	for (p = strtok_r(buf, ",", &save); p != NULL && n < 8;
	    p = strtok_r(NULL, ",", &save))
		pool[n++] = F(p);
	return n;
}

static int
eval(const struct smimea_rec *recs, size_t n, const char *addr, int64_t at,
    bool secure, const char *pool_list, const struct cert_summary *ee,
    struct dane_verdict *v)
{
	const struct cert_summary *pool[8];
	struct address a = A(addr);
	struct dane_input in;

	memset(&in, 0, sizeof(in));
	in.recs = recs;
	in.nrecs = n;
	in.addr = &a;
	in.at = at;
	in.secure = secure;
	in.npool = mkpool(pool_list, pool);
	in.pool = pool;
	return dane_evaluate(&in, ee, v);
}

/* eval with a purpose and a work budget (NULL: dane.c's own). */
static int
eval_ex(const struct smimea_rec *recs, size_t n, const char *addr,
    const char *pool_list, const struct cert_summary *ee,
    enum dane_purpose purpose, struct dane_budget *budget,
    struct dane_verdict *v)
{
	const struct cert_summary *pool[8];
	struct address a = A(addr);
	struct dane_input in;

	memset(&in, 0, sizeof(in));
	in.recs = recs;
	in.nrecs = n;
	in.addr = &a;
	in.at = AT;
	in.secure = true;
	in.npool = mkpool(pool_list, pool);
	in.pool = pool;
	in.purpose = purpose;
	in.budget = budget;
	return dane_evaluate(&in, ee, v);
}

static bool
has(const struct dane_verdict *v, const char *code)
{
	size_t i;

	for (i = 0; i < v->nproblems; i++)
		if (strcmp(v->problems[i].code, code) == 0)
			return true;
	return false;
}

/* The problem codes are exactly the comma-separated list want ("" none),
 * in any order; every message is non-empty and cites an RFC. */
static bool
codes_are(const struct dane_verdict *v, const char *want, const char *what)
{
	char buf[256], *p, *save = NULL;
	size_t n = 0, i;
	bool ok = true;

	snprintf(buf, sizeof(buf), "%s", want);
	for (p = strtok_r(buf, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		n++;
		if (!has(v, p))
			ok = false;
	}
	if (n != v->nproblems)
		ok = false;
	for (i = 0; i < v->nproblems; i++)
		if (v->problems[i].message[0] == '\0' ||
		    strstr(v->problems[i].message, "RFC ") == NULL)
			ok = false;
	if (!ok || getenv("TEST_DANE_VERBOSE") != NULL) {
		fprintf(stderr, "%s%s: want problems {%s}, got {",
		    ok ? "" : "FAIL ", what, want);
		for (i = 0; i < v->nproblems; i++)
			fprintf(stderr, "%s%s: %s", i ? "; " : "",
			    v->problems[i].code, v->problems[i].message);
		fprintf(stderr, "}\n");
	}
	return ok;
}

static void
test_record_matches(void)
{
	const struct cert_summary *rsa = F("rsa"), *ec = F("ec");
	struct cert_summary nospki;
	struct smimea_rec r;
	uint8_t s, m;

	for (s = 0; s <= 1; s++)
		for (m = 0; m <= 2; m++) {
			r = mkrec(3, s, m, rsa, 0);
			CHECK(dane_record_matches(&r, rsa));
			CHECK(!dane_record_matches(&r, ec));
			r.problem_code = "bad-digest-length";
			CHECK(!dane_record_matches(&r, rsa));
			freerecs(&r, 1);
			r = mkrec(3, s, m, rsa, 1);
			CHECK(!dane_record_matches(&r, rsa));
			freerecs(&r, 1);
		}
	/* Unknown values and wrong lengths never match, even when
	 * problem_code was not set by whoever made the record. */
	r = mkrec(3, 0, 1, rsa, 0);
	r.matching = 3;
	CHECK(!dane_record_matches(&r, rsa));
	r.matching = 1;
	r.selector = 2;
	CHECK(!dane_record_matches(&r, rsa));
	r.selector = 0;
	r.len = 31;
	CHECK(!dane_record_matches(&r, rsa));
	freerecs(&r, 1);
	/* The SHA-256 of the full certificate is the digest make.sh noted. */
	r = mkrec(3, 0, 0, rsa, 0);
	r.len = rsa->der_len - 1;
	CHECK(!dane_record_matches(&r, rsa));	/* a prefix is no match */
	freerecs(&r, 1);
	/* A certificate whose SPKI is unknown cannot match selector 1. */
	nospki = *rsa;
	nospki.spki = NULL;
	nospki.spki_len = 0;
	r = mkrec(3, 1, 0, rsa, 0);
	CHECK(!dane_record_matches(&r, &nospki));
	freerecs(&r, 1);
	CHECK(!dane_record_matches(NULL, rsa));
}

/* Builds a record set from a compact description and runs dane_select. */
static void
test_select(void)
{
	const struct cert_summary *c = F("rsa");
	struct smimea_rec r[8];
	bool counts[8];

	/* Per usage+selector only the strongest digest counts; Full(0)
	 * always counts (RFC 7671 9). */
	r[0] = mkrec(3, 0, 1, c, 0);
	r[1] = mkrec(3, 0, 2, c, 0);
	r[2] = mkrec(3, 0, 0, c, 0);
	r[3] = mkrec(3, 1, 1, c, 0);	/* other selector: own group */
	r[4] = mkrec(2, 0, 1, c, 0);	/* other usage: own group */
	r[5] = mkrec(3, 1, 2, c, 0);
	r[5].problem_code = "bad-digest-length";	/* not "present" */
	r[6] = mkrec(1, 1, 2, c, 0);
	r[7] = mkrec(1, 1, 1, c, 0);
	memset(counts, 0x55, sizeof(counts));
	dane_select(r, 8, counts);
	CHECK(!counts[0]);
	CHECK(counts[1]);
	CHECK(counts[2]);
	CHECK(counts[3]);
	CHECK(counts[4]);
	CHECK(!counts[5]);
	CHECK(counts[6]);
	CHECK(!counts[7]);
	freerecs(r, 8);
	dane_select(NULL, 0, counts);	/* nothing to do, no crash */
}

/* Every usage x selector x matching, match and mismatch, with a trusting
 * NSS database: rsaleaf (RSA, issued by ca) for the end-entity usages
 * and ca as the anchor for the TA usages. */
static void
test_all_combinations(void)
{
	const struct cert_summary *ee = F("rsaleaf"), *ca = F("ca");
	struct dane_verdict v;
	struct smimea_rec r;
	uint8_t u, s, m;
	int flip;
	char what[64];

	for (u = 0; u <= 3; u++)
		for (s = 0; s <= 1; s++)
			for (m = 0; m <= 2; m++)
				for (flip = 0; flip <= 1; flip++) {
					bool ta = u == 0 || u == 2;

					snprintf(what, sizeof(what),
					    "%u %u %u %s", u, s, m,
					    flip ? "mismatch" : "match");
					r = mkrec(u, s, m, ta ? ca : ee, flip);
					CHECK(eval(&r, 1, "rsaleaf@example.test",
					    AT, true, "ca", ee, &v) == 0);
					if (!flip) {
						CHECK(v.usable);
						CHECK(v.matched);
						CHECK(v.usage == u &&
						    v.selector == s &&
						    v.matching == m &&
						    v.record == 0);
						CHECK(v.basis == (u == 3 ?
						    BASIS_DANE_EE : u == 2 ?
						    BASIS_DANE_TA : BASIS_PKIX));
						CHECK(codes_are(&v, "", what));
					} else {
						CHECK(!v.usable);
						CHECK(!v.matched);
						CHECK(v.basis == BASIS_NONE);
						CHECK(v.record == -1);
						/* 2 1 0: the data is taken
						 * as the anchor's key (RFC
						 * 7671 5.2), which signed
						 * nothing here. */
						CHECK(codes_are(&v, u == 2 &&
						    s == 1 && m == 0 ?
						    "dane-ta-invalid" : u == 2 ?
						    "dane-ta-missing" :
						    "no-record-match", what));
					}
					CHECK(v.pkix_valid == (u <= 1 &&
					    !(u == 1 && flip)));
					freerecs(&r, 1);
				}
}

struct ucase {
	const char *what;
	const char *ee;		/* fixture */
	const char *addr;
	const char *pool;	/* comma-separated fixtures, NULL none */
	uint8_t u, s, m;
	const char *rec_of;	/* fixture the record is made from */
	int flip;
	int64_t at;		/* 0: AT */
	bool secure;
	bool usable, matched;
	const char *codes;
	bool need_db;		/* run only with the trusting database */
	bool need_no_db;	/* run only without any anchor */
};

static const struct ucase ucases[] = {
	/* DANE-EE: usable certificates of every kind. */
	{ "rsa 3 0 0", "rsa", "hugh@example.test", NULL, 3, 0, 0, "rsa", 0,
	    0, true, true, true, "", false, false },
	{ "ecleaf 3 1 1", "ecleaf", "ecleaf@example.test", NULL, 3, 1, 1,
	    "ecleaf", 0, 0, true, true, true, "", false, false },
	{ "utf8 3 0 2", "utf8", "joerg@example.test", NULL, 3, 0, 2,
	    "utf8", 0, 0, true, true, true, "", false, false },
	/* Address: local-part exact, domain case-insensitive. */
	{ "domain case", "rsa", "hugh@EXAMPLE.Test", NULL, 3, 0, 0, "rsa", 0,
	    0, true, true, true, "", false, false },
	{ "local-part case", "rsa", "Hugh@example.test", NULL, 3, 0, 0, "rsa",
	    0, 0, true, false, true, "email-mismatch", false, false },
	{ "other address", "rsa", "other@example.test", NULL, 3, 0, 0, "rsa",
	    0, 0, true, false, true, "email-mismatch", false, false },
	{ "multi mixed case", "multi", "Hugh@example.test", NULL, 3, 0, 0,
	    "multi", 0, 0, true, true, true, "", false, false },
	{ "multi lower case", "multi", "hugh@example.test", NULL, 3, 1, 2,
	    "multi", 0, 0, true, true, true, "", false, false },
	{ "multi otherName", "multi", "jörg@example.test", NULL, 3, 1, 1,
	    "multi", 0, 0, true, true, true, "", false, false },
	/* Subject emailAddress when there is no SAN (certs.h). */
	{ "legacy", "legacy", "Legacy@example.test", NULL, 3, 0, 0,
	    "legacy", 0, 0, true, true, true, "", false, false },
	/* SmtpUTF8Mailbox (RFC 9598) and rfc822Name of the utf8 fixture. */
	{ "SmtpUTF8Mailbox", "utf8", "jörg@example.test", NULL, 3, 0, 0,
	    "utf8", 0, 0, true, true, true, "", false, false },
	{ "utf8 rfc822Name", "utf8", "joerg@example.test", NULL, 3, 0, 0,
	    "utf8", 0, 0, true, true, true, "", false, false },
	{ "utf8 case", "utf8", "Jörg@example.test", NULL, 3, 0, 0,
	    "utf8", 0, 0, true, false, true, "email-mismatch", false, false },
	/* Validity at the pinned time (RFC 5280 4.1.2.5). */
	{ "expired", "rsa", "hugh@example.test", NULL, 3, 0, 0, "rsa", 0,
	    INT64_MAX, true, false, true, "expired", false, false },
	{ "not yet valid", "rsa", "hugh@example.test", NULL, 3, 0, 0, "rsa",
	    0, 1, true, false, true, "not-yet-valid", false, false },
	/* What Thunderbird cannot encrypt to. */
	{ "CA as EE", "ca", "ca@example.test", NULL, 3, 0, 0, "ca", 0, 0,
	    true, false, true, "ca-certificate,email-mismatch,key-usage",
	    false, false },
	{ "EKU serverAuth", "ekuserver", "eku@example.test", NULL, 3, 0, 0,
	    "ekuserver", 0, 0, true, false, true, "no-email-protection-eku",
	    false, false },
	{ "EKU any only", "anyeku", "any@example.test", NULL, 3, 0, 2,
	    "anyeku", 0, 0, true, false, true, "no-email-protection-eku",
	    false, false },
	{ "KU sign only", "kusign", "sign@example.test", NULL, 3, 0, 0,
	    "kusign", 0, 0, true, false, true, "key-usage", false, false },
	{ "RSA-1024", "rsa1024", "weak@example.test", NULL, 3, 0, 0,
	    "rsa1024", 0, 0, true, false, true, "weak-key", false, false },
	{ "Ed25519", "ed25519", "ed@example.test", NULL, 3, 0, 0, "ed25519",
	    0, 0, true, false, true, "key-usage", false, false },
	/* DNSSEC (RFC 6698 4.1): matched for information, never usable. */
	{ "insecure", "rsa", "hugh@example.test", NULL, 3, 0, 0, "rsa", 0, 0,
	    false, false, true, "insecure", false, false },
	{ "insecure mismatch", "rsa", "hugh@example.test", NULL, 3, 0, 0,
	    "rsa", 1, 0, false, false, false, "insecure,no-record-match",
	    false, false },
	/* DANE-TA (RFC 7671 5.2): the anchor must be at hand. */
	{ "DANE-TA ca", "rsaleaf", "rsaleaf@example.test", "ca", 2, 0, 0,
	    "ca", 0, 0, true, true, true, "", false, false },
	{ "DANE-TA ca, SPKI", "ecleaf", "ecleaf@example.test", "ca", 2, 1, 1,
	    "ca", 0, 0, true, true, true, "", false, false },
	{ "DANE-TA missing", "rsaleaf", "rsaleaf@example.test", NULL, 2, 0, 0,
	    "ca", 0, 0, true, false, false, "dane-ta-missing", false, false },
	{ "DANE-TA other CA", "rsaleaf", "rsaleaf@example.test", "ca2", 2, 0,
	    0, "ca2", 0, 0, true, false, false, "dane-ta-invalid", false,
	    false },
	{ "DANE-TA intermediate", "chain", "chain@example.test", "inter", 2,
	    0, 0, "inter", 0, 0, true, true, true, "", false, false },
	{ "DANE-TA root via inter", "chain", "chain@example.test", "ca,inter",
	    2, 0, 1, "ca", 0, 0, true, true, true, "", false, false },
	{ "DANE-TA root, no inter", "chain", "chain@example.test", "ca", 2, 0,
	    1, "ca", 0, 0, true, false, false, "dane-ta-invalid", false,
	    false },
	/* A certificate is not its own DANE-TA anchor. */
	{ "DANE-TA self", "rsa", "hugh@example.test", "rsa", 2, 0, 0, "rsa",
	    0, 0, true, false, false, "dane-ta-missing", false, false },
	/* The record fits the path apart from the certificate's fitness:
	 * matched, and not usable for the certificate's own problem. */
	{ "DANE-TA expired", "rsaleaf", "rsaleaf@example.test", "ca", 2, 0, 0,
	    "ca", 0, INT64_MAX, true, false, true, "expired", false, false },
	{ "DANE-TA wrong EKU", "ekuserver", "eku@example.test", "ca", 2, 0, 0,
	    "ca", 0, 0, true, false, true, "no-email-protection-eku", false,
	    false },
	/* PKIX without anchors (RFC 6698 2.1.1 usages 0, 1). */
	{ "PKIX-EE untrusted", "rsaleaf", "rsaleaf@example.test", "ca", 1, 0,
	    0, "rsaleaf", 0, 0, true, false, false, "pkix-untrusted-issuer",
	    false, true },
	{ "PKIX-TA untrusted", "rsaleaf", "rsaleaf@example.test", "ca", 0, 0,
	    1, "ca", 0, 0, true, false, false, "pkix-untrusted-issuer", false,
	    true },
	{ "PKIX-EE mismatch untrusted", "rsaleaf", "rsaleaf@example.test",
	    NULL, 1, 0, 1, "rsaleaf", 1, 0, true, false, false,
	    "no-record-match", false, true },
	/* PKIX with the trusting database. */
	{ "PKIX-EE chain", "chain", "chain@example.test", "inter", 1, 1, 2,
	    "chain", 0, 0, true, true, true, "", true, false },
	{ "PKIX-EE chain, no inter", "chain", "chain@example.test", NULL, 1,
	    1, 2, "chain", 0, 0, true, false, false,
	    "pkix-untrusted-issuer", true, false },
	{ "PKIX-TA inter", "chain", "chain@example.test", "inter", 0, 0, 1,
	    "inter", 0, 0, true, true, true, "", true, false },
	{ "PKIX-TA root of chain", "chain", "chain@example.test", "inter", 0,
	    1, 2, "ca", 0, 0, true, true, true, "", true, false },
	{ "PKIX-TA not in path", "rsaleaf", "rsaleaf@example.test", NULL, 0,
	    0, 0, "ca2", 0, 0, true, false, false, "no-record-match", true,
	    false },
	{ "PKIX-TA names the EE", "rsaleaf", "rsaleaf@example.test", NULL, 0,
	    0, 0, "rsaleaf", 0, 0, true, false, false, "no-record-match",
	    true, false },
	{ "PKIX-EE self-signed", "rsa", "hugh@example.test", NULL, 1, 0, 0,
	    "rsa", 0, 0, true, false, false, "pkix-untrusted-issuer", true,
	    false },
	{ "PKIX-EE expired", "rsaleaf", "rsaleaf@example.test", NULL, 1, 0, 0,
	    "rsaleaf", 0, INT64_MAX, true, false, true, "expired", true,
	    false },
	{ "PKIX-EE wrong EKU", "ekuserver", "eku@example.test", NULL, 1, 0, 0,
	    "ekuserver", 0, 0, true, false, true, "no-email-protection-eku",
	    true, false },
};

static void
test_cases(bool with_db)
{
	struct dane_verdict v;
	struct smimea_rec r;
	size_t i;

	for (i = 0; i < sizeof(ucases) / sizeof(ucases[0]); i++) {
		const struct ucase *c = &ucases[i];
		const struct cert_summary *ee = F(c->ee);
		int64_t at = c->at == 0 ? AT : c->at == INT64_MAX ?
		    ee->not_after + 1 : ee->not_before - 1;

		if ((c->need_db && !with_db) || (c->need_no_db && with_db))
			continue;
		r = mkrec(c->u, c->s, c->m, F(c->rec_of), c->flip);
		CHECK(eval(&r, 1, c->addr, at, c->secure, c->pool, ee, &v) ==
		    0);
		if (v.usable != c->usable || v.matched != c->matched)
			fprintf(stderr, "%s: usable %d matched %d\n", c->what,
			    v.usable, v.matched);
		CHECK(v.usable == c->usable);
		CHECK(v.matched == c->matched);
		CHECK(codes_are(&v, c->codes, c->what));
		CHECK(v.can_encrypt == ee->can_encrypt);
		CHECK(v.can_sign == ee->can_sign);
		if (v.matched)
			CHECK(v.usage == c->u && v.record == 0);
		CHECK((v.basis != BASIS_NONE) == v.usable);
		freerecs(&r, 1);
	}
}

/* Digest agility and malformed records through dane_evaluate. */
/* Issue 15: bare-key anchors (RFC 7671 5.2), the reported record and
 * depth apart from the certificate's fitness, signers, bounded work. */
static void
test_key_anchors(void)
{
	const struct cert_summary *chain = F("chain");
	struct dane_verdict v;
	struct smimea_rec r;

	/* 2 1 0 of the intermediate, which is not at hand: the key signed
	 * the end entity. */
	r = mkrec(2, 1, 0, F("inter"), 0);
	CHECK(eval(&r, 1, "chain@example.test", AT, true, NULL, chain, &v) ==
	    0);
	CHECK(v.usable && v.matched && v.basis == BASIS_DANE_TA);
	CHECK(v.usage == 2 && v.selector == 1 && v.matching == 0);
	CHECK(v.record == 0 && v.depth == 1);
	CHECK(codes_are(&v, "", "2 1 0 intermediate key"));
	/* With the intermediate at hand it is the anchor itself. */
	CHECK(eval(&r, 1, "chain@example.test", AT, true, "inter", chain,
	    &v) == 0);
	CHECK(v.usable && v.depth == 1);
	freerecs(&r, 1);
	/* 2 1 0 of the root: the intermediate comes with the chain. */
	r = mkrec(2, 1, 0, F("ca"), 0);
	CHECK(eval(&r, 1, "chain@example.test", AT, true, "inter", chain,
	    &v) == 0);
	CHECK(v.usable && v.matched && v.depth == 2);
	CHECK(codes_are(&v, "", "2 1 0 root key"));
	/* ... without it there is no path. */
	CHECK(eval(&r, 1, "chain@example.test", AT, true, NULL, chain, &v) ==
	    0);
	CHECK(!v.usable && !v.matched && v.depth == -1 && v.record == -1);
	CHECK(codes_are(&v, "dane-ta-invalid", "2 1 0 root key, no inter"));
	/* Expired: the key still fits the path, the certificate is not
	 * usable. */
	{
		struct address a = A("chain@example.test");
		const struct cert_summary *pool[1] = { F("inter") };
		struct dane_input in;

		memset(&in, 0, sizeof(in));
		in.recs = &r;
		in.nrecs = 1;
		in.addr = &a;
		in.at = chain->not_after + 1;
		in.secure = true;
		in.pool = pool;
		in.npool = 1;
		CHECK(dane_evaluate(&in, chain, &v) == 0);
		CHECK(!v.usable && v.matched && v.depth == 2);
		CHECK(codes_are(&v, "expired", "2 1 0 root key, expired"));
	}
	freerecs(&r, 1);
	/* ee's own key is not its DANE-TA anchor, even self-signed. */
	r = mkrec(2, 1, 0, F("rsa"), 0);
	CHECK(eval(&r, 1, "hugh@example.test", AT, true, NULL, F("rsa"), &v) ==
	    0);
	CHECK(!v.matched && codes_are(&v, "dane-ta-missing", "2 1 0 self"));
	CHECK(eval(&r, 1, "hugh@example.test", AT, true, "rsa", F("rsa"),
	    &v) == 0);
	CHECK(!v.matched && codes_are(&v, "dane-ta-missing", "2 1 0 self"));
	freerecs(&r, 1);
	/* 2 1 1 (a digest): the key's certificate must be at hand. */
	r = mkrec(2, 1, 1, F("ca"), 0);
	CHECK(eval(&r, 1, "chain@example.test", AT, true, "inter,ca", chain,
	    &v) == 0);
	CHECK(v.usable && v.depth == 2);
	CHECK(eval(&r, 1, "chain@example.test", AT, true, "inter", chain,
	    &v) == 0);
	CHECK(!v.matched && codes_are(&v, "dane-ta-missing", "2 1 1 root"));
	freerecs(&r, 1);
}

static void
test_match_apart_from_fitness(bool with_db)
{
	struct dane_verdict v;
	struct smimea_rec r[2];

	/* The second record fits (DANE-TA via ca); the leaf has no e-mail
	 * EKU: matched with record 1, depth 1, not usable. */
	r[0] = mkrec(3, 0, 1, F("rsa"), 0);
	r[1] = mkrec(2, 0, 0, F("ca"), 0);
	CHECK(eval(r, 2, "eku@example.test", AT, true, "ca", F("ekuserver"),
	    &v) == 0);
	CHECK(!v.usable && v.matched && v.basis == BASIS_NONE);
	CHECK(v.usage == 2 && v.record == 1 && v.depth == 1);
	CHECK(codes_are(&v, "no-email-protection-eku", "fit, EKU"));
	/* A record that does not fit: no match at all. */
	CHECK(eval(r, 1, "eku@example.test", AT, true, "ca", F("ekuserver"),
	    &v) == 0);
	CHECK(!v.matched && v.record == -1 && v.depth == -1);
	CHECK(codes_are(&v, "no-email-protection-eku,no-record-match",
	    "no fit, EKU"));
	/* DANE-EE: depth 0. */
	CHECK(eval(r, 2, "hugh@example.test", AT, true, "ca", F("rsa"), &v) ==
	    0);
	CHECK(v.usable && v.record == 0 && v.depth == 0);
	freerecs(r, 2);
	if (!with_db)
		return;
	/* PKIX-TA: the depth of the matched CA in the validated path. */
	r[0] = mkrec(0, 0, 1, F("ca"), 0);
	r[1] = mkrec(0, 0, 1, F("inter"), 0);
	CHECK(eval(r, 1, "chain@example.test", AT, true, "inter", F("chain"),
	    &v) == 0);
	CHECK(v.usable && v.depth == 2);
	CHECK(eval(&r[1], 1, "chain@example.test", AT, true, "inter",
	    F("chain"), &v) == 0);
	CHECK(v.usable && v.depth == 1);
	freerecs(r, 2);
	/* PKIX-TA for a leaf without the e-mail EKU: fits, not usable. */
	r[0] = mkrec(0, 0, 0, F("ca"), 0);
	CHECK(eval(r, 1, "eku@example.test", AT, true, NULL, F("ekuserver"),
	    &v) == 0);
	CHECK(!v.usable && v.matched && v.depth == 1 && v.record == 0);
	CHECK(codes_are(&v, "no-email-protection-eku", "PKIX-TA fit, EKU"));
	freerecs(r, 1);
}

/* A signing-only certificate (KU digitalSignature): a signer, not a
 * recipient (RFC 8550 4.4.2). */
static void
test_signer(bool with_db)
{
	const struct cert_summary *ks = F("kusign");
	struct dane_verdict v;
	struct smimea_rec r;

	r = mkrec(2, 0, 0, F("ca"), 0);
	CHECK(eval_ex(&r, 1, "sign@example.test", "ca", ks, DANE_SIGNER,
	    NULL, &v) == 0);
	CHECK(v.usable && v.matched && v.basis == BASIS_DANE_TA);
	CHECK(codes_are(&v, "", "signer via DANE-TA"));
	CHECK(eval_ex(&r, 1, "sign@example.test", "ca", ks, DANE_RECIPIENT,
	    NULL, &v) == 0);
	CHECK(!v.usable && v.matched && v.depth == 1);
	CHECK(codes_are(&v, "key-usage", "recipient via DANE-TA"));
	freerecs(&r, 1);
	/* A recipient-only key (ecleaf has keyAgreement and
	 * digitalSignature; rsa1024 is weak): a signer needs can_sign. */
	r = mkrec(3, 0, 0, F("ed25519"), 0);
	CHECK(eval_ex(&r, 1, "ed@example.test", NULL, F("ed25519"),
	    DANE_SIGNER, NULL, &v) == 0);
	CHECK(v.can_sign == F("ed25519")->can_sign);
	freerecs(&r, 1);
	if (!with_db)
		return;
	r = mkrec(1, 0, 0, ks, 0);
	CHECK(eval_ex(&r, 1, "sign@example.test", NULL, ks, DANE_SIGNER,
	    NULL, &v) == 0);
	CHECK(v.usable && v.basis == BASIS_PKIX && v.pkix_valid);
	CHECK(codes_are(&v, "", "signer via PKIX-EE"));
	CHECK(eval_ex(&r, 1, "sign@example.test", NULL, ks, DANE_RECIPIENT,
	    NULL, &v) == 0);
	CHECK(!v.usable && v.matched && !v.pkix_valid);
	CHECK(codes_are(&v, "key-usage", "recipient via PKIX-EE"));
	freerecs(&r, 1);
}

/* The PKIX work of one address is bounded (DS_MAX_PKIX_PER_ADDRESS). */
static void
test_budget(void)
{
	struct dane_budget b;
	struct dane_verdict v;
	struct smimea_rec r[2];

	memset(&b, 0, sizeof(b));
	r[0] = mkrec(2, 0, 0, F("ca"), 0);
	r[1] = mkrec(3, 0, 0, F("rsa"), 0);
	/* One DANE-TA path: one validation, counted. */
	CHECK(eval_ex(r, 1, "rsaleaf@example.test", "ca", F("rsaleaf"),
	    DANE_RECIPIENT, &b, &v) == 0);
	CHECK(v.usable && b.pkix == 1 && !b.exceeded);
	/* Spent: the DANE-TA record is not tried, and that is said. */
	b.pkix = DS_MAX_PKIX_PER_ADDRESS;
	CHECK(eval_ex(r, 1, "rsaleaf@example.test", "ca", F("rsaleaf"),
	    DANE_RECIPIENT, &b, &v) == 0);
	CHECK(!v.usable && !v.matched && b.exceeded);
	CHECK(codes_are(&v, "too-much-work", "budget spent"));
	CHECK(strstr(v.problems[0].message, "8") != NULL);
	/* DANE-EE needs no path validation: still decided. */
	CHECK(eval_ex(r, 2, "hugh@example.test", "ca", F("rsa"),
	    DANE_RECIPIENT, &b, &v) == 0);
	CHECK(v.usable && v.record == 1);
	/* An anchor no certificate names as issuer costs nothing. */
	memset(&b, 0, sizeof(b));
	freerecs(r, 2);
	r[0] = mkrec(2, 0, 0, F("ca2"), 0);
	CHECK(eval_ex(r, 1, "rsaleaf@example.test", "ca2", F("rsaleaf"),
	    DANE_RECIPIENT, &b, &v) == 0);
	CHECK(!v.matched && b.pkix == 0);
	CHECK(codes_are(&v, "dane-ta-invalid", "anchor not named"));
	/* The same anchor twice in the pool: one validation. */
	freerecs(r, 1);
	r[0] = mkrec(2, 0, 0, F("inter"), 0);
	CHECK(eval_ex(r, 1, "ecleaf@example.test", "ca,inter,inter",
	    F("ecleaf"), DANE_RECIPIENT, &b, &v) == 0);
	CHECK(!v.matched && b.pkix <= 1);
	freerecs(r, 1);
}

static void
test_agility(void)
{
	const struct cert_summary *ee = F("rsa"), *other = F("ec");
	struct dane_verdict v;
	struct smimea_rec r[3];

	/* A SHA-256 record is ignored when a SHA-512 one exists for the same
	 * usage and selector, even if only the SHA-256 one matches. */
	r[0] = mkrec(3, 0, 1, ee, 0);
	r[1] = mkrec(3, 0, 2, other, 0);
	CHECK(eval(r, 2, "hugh@example.test", AT, true, NULL, ee, &v) == 0);
	CHECK(!v.matched && !v.usable);
	CHECK(codes_are(&v, "no-record-match", "sha-256 ignored"));
	freerecs(r, 2);

	/* Both digests of the same certificate: the SHA-512 one is the match. */
	r[0] = mkrec(3, 0, 1, ee, 0);
	r[1] = mkrec(3, 0, 2, ee, 0);
	CHECK(eval(r, 2, "hugh@example.test", AT, true, NULL, ee, &v) == 0);
	CHECK(v.usable && v.matching == 2 && v.record == 1);
	freerecs(r, 2);

	/* Full(0) always counts beside a stronger digest. */
	r[0] = mkrec(3, 0, 2, other, 0);
	r[1] = mkrec(3, 0, 0, ee, 0);
	CHECK(eval(r, 2, "hugh@example.test", AT, true, NULL, ee, &v) == 0);
	CHECK(v.usable && v.matching == 0 && v.record == 1);
	freerecs(r, 2);

	/* Other selector: its own group, so its SHA-256 record counts. */
	r[0] = mkrec(3, 1, 1, ee, 0);
	r[1] = mkrec(3, 0, 2, other, 0);
	CHECK(eval(r, 2, "hugh@example.test", AT, true, NULL, ee, &v) == 0);
	CHECK(v.usable && v.selector == 1 && v.matching == 1);
	freerecs(r, 2);

	/* A malformed SHA-512 record is not "present": SHA-256 counts. */
	r[0] = mkrec(3, 0, 1, ee, 0);
	r[1] = mkrec(3, 0, 2, other, 0);
	r[1].problem_code = "bad-digest-length";
	CHECK(eval(r, 2, "hugh@example.test", AT, true, NULL, ee, &v) == 0);
	CHECK(v.usable && v.matching == 1 && v.record == 0);
	freerecs(r, 2);

	/* Malformed records never count, even when their data matches;
	 * the good record beside them still does (RFC 6698 4.1). */
	r[0] = mkrec(3, 0, 0, ee, 0);
	r[0].problem_code = "unknown-usage";
	CHECK(eval(r, 1, "hugh@example.test", AT, true, NULL, ee, &v) == 0);
	CHECK(!v.matched && codes_are(&v, "no-record-match", "malformed"));
	r[1] = mkrec(3, 1, 2, ee, 0);
	r[2] = mkrec(3, 0, 1, ee, 0);
	r[2].usage = 9;		/* unknown, without problem_code */
	CHECK(eval(r, 3, "hugh@example.test", AT, true, NULL, ee, &v) == 0);
	CHECK(v.usable && v.record == 1);
	freerecs(r, 3);

	/* No records at all. */
	CHECK(eval(NULL, 0, "hugh@example.test", AT, true, NULL, ee, &v) ==
	    0);
	CHECK(!v.matched && codes_are(&v, "no-record-match", "empty"));
}

/* Several matching records: DANE-EE, DANE-TA, PKIX-EE, PKIX-TA. */
static void
test_preference(bool with_db)
{
	const struct cert_summary *ee = F("rsaleaf"), *ca = F("ca");
	struct dane_verdict v;
	struct smimea_rec r[4];

	r[0] = mkrec(0, 0, 1, ca, 0);
	r[1] = mkrec(1, 1, 1, ee, 0);
	r[2] = mkrec(2, 0, 0, ca, 0);
	r[3] = mkrec(3, 1, 2, ee, 0);
	CHECK(eval(r, 4, "rsaleaf@example.test", AT, true, "ca", ee, &v) == 0);
	CHECK(v.usable && v.usage == 3 && v.record == 3 &&
	    v.basis == BASIS_DANE_EE);
	CHECK(v.pkix_valid == with_db);
	CHECK(codes_are(&v, "", "preference 4"));
	CHECK(eval(r, 3, "rsaleaf@example.test", AT, true, "ca", ee, &v) == 0);
	CHECK(v.usable && v.usage == 2 && v.record == 2 &&
	    v.basis == BASIS_DANE_TA);
	CHECK(codes_are(&v, "", "preference 3"));
	CHECK(eval(r, 2, "rsaleaf@example.test", AT, true, "ca", ee, &v) == 0);
	if (with_db) {
		CHECK(v.usable && v.usage == 1 && v.record == 1 &&
		    v.basis == BASIS_PKIX);
		CHECK(eval(r, 1, "rsaleaf@example.test", AT, true, "ca", ee,
		    &v) == 0);
		CHECK(v.usable && v.usage == 0 && v.record == 0);
	} else {
		/* One problem per code, however many records hit it. */
		CHECK(!v.matched);
		CHECK(codes_are(&v, "pkix-untrusted-issuer", "preference 2"));
	}
	/* A matching DANE-EE record hides the failures of the others. */
	r[2].data[0] ^= 1;	/* DANE-TA with no anchor */
	CHECK(eval(&r[2], 2, "rsaleaf@example.test", AT, true, NULL, ee, &v) ==
	    0);
	CHECK(v.usable && v.usage == 3 && codes_are(&v, "", "hidden"));
	freerecs(r, 4);
}

/* RFC 9598 addresses and IDNA (RFC 5890) domains. dane.c only reads the
 * e-mail list, so a copy of a fixture with other addresses stands in for
 * a certificate carrying them (the records still match its DER). */
static void
test_idn(void)
{
	struct cert_summary c = *F("rsa");
	char e0[] = "hugh@bücher.example", e1[] = "ü@xn--tda.example";
	char *emails[2] = { e0, e1 };
	struct dane_verdict v;
	struct smimea_rec r;

	c.emails = emails;
	c.nemails = 2;
	r = mkrec(3, 0, 0, &c, 0);
	CHECK(eval(&r, 1, "hugh@xn--bcher-kva.example", AT, true, NULL, &c,
	    &v) == 0);
	CHECK(v.usable && codes_are(&v, "", "A-label query"));
	CHECK(eval(&r, 1, "hugh@BÜCHER.example", AT, true, NULL, &c, &v) ==
	    0);
	CHECK(v.usable && codes_are(&v, "", "U-label query"));
	CHECK(eval(&r, 1, "ü@ü.example", AT, true, NULL, &c, &v) == 0);
	CHECK(v.usable && codes_are(&v, "", "UTF-8 both"));
	CHECK(eval(&r, 1, "Ü@ü.example", AT, true, NULL, &c, &v) == 0);
	CHECK(!v.usable && codes_are(&v, "email-mismatch", "UTF-8 case"));
	CHECK(eval(&r, 1, "hugh@bucher.example", AT, true, NULL, &c, &v) == 0);
	CHECK(!v.usable && codes_are(&v, "email-mismatch", "other domain"));
	/* An entry that is no address matches nothing. */
	emails[0] = e1;
	emails[1] = (char *)"not an address";
	CHECK(eval(&r, 1, "hugh@xn--bcher-kva.example", AT, true, NULL, &c,
	    &v) == 0);
	CHECK(codes_are(&v, "email-mismatch", "junk entry"));
	freerecs(&r, 1);
}

struct ordered {
	struct dane_verdict v;
	struct cert_summary c;
	int id;
};

static int
cmp_ordered(const void *a, const void *b)
{
	const struct ordered *x = a, *y = b;

	return dane_order(&x->v, &x->c, &y->v, &y->c);
}

/* Rollover: two published certificates, usable first, then the one that
 * stays valid longer. */
static void
test_order(void)
{
	struct ordered o[5];
	struct smimea_rec r[2];
	size_t i;

	memset(o, 0, sizeof(o));
	for (i = 0; i < 5; i++) {
		o[i].c = *F("rsa");
		o[i].id = (int)i;
	}
	o[0].v.usable = true; o[0].v.matched = true; o[0].c.not_after = 1000;
	o[1].v.usable = false; o[1].v.matched = true; o[1].c.not_after = 9000;
	o[2].v.usable = true; o[2].v.matched = true; o[2].c.not_after = 2000;
	o[3].v.usable = false; o[3].v.matched = false; o[3].c.not_after = 9999;
	o[4] = o[2];
	o[4].id = 4;
	memcpy(o[4].c.sha256, "00", 2);	/* same date: stable by digest */
	qsort(o, 5, sizeof(o[0]), cmp_ordered);
	CHECK(o[0].id == 4 && o[1].id == 2 && o[2].id == 0 && o[3].id == 1 &&
	    o[4].id == 3);
	CHECK(dane_order(&o[0].v, &o[0].c, &o[0].v, &o[0].c) == 0);

	/* The same with real verdicts: an expired and a valid certificate
	 * both published (3 0 0 each); at a time after rsa expired, only
	 * rsaleaf is usable and comes first. */
	r[0] = mkrec(3, 0, 0, F("rsa"), 0);
	r[1] = mkrec(3, 0, 0, F("rsaleaf"), 0);
	{
		struct ordered p[2];
		struct address a = A("hugh@example.test");
		struct dane_input in;
		int64_t at = F("rsa")->not_after + 1;

		memset(&in, 0, sizeof(in));
		in.recs = r;
		in.nrecs = 2;
		in.addr = &a;
		in.at = at;
		in.secure = true;
		p[0].c = *F("rsa");
		p[0].id = 0;
		p[1].c = *F("rsaleaf");
		p[1].id = 1;
		/* Give rsaleaf hugh's address and a later end for this test. */
		{
			static char e[] = "hugh@example.test";
			static char *l[1] = { e };

			p[1].c.emails = l;
			p[1].c.nemails = 1;
			p[1].c.not_after = at + 86400;
		}
		CHECK(dane_evaluate(&in, &p[0].c, &p[0].v) == 0);
		CHECK(dane_evaluate(&in, &p[1].c, &p[1].v) == 0);
		CHECK(!p[0].v.usable && has(&p[0].v, "expired"));
		CHECK(p[1].v.usable);
		qsort(p, 2, sizeof(p[0]), cmp_ordered);
		CHECK(p[0].id == 1 && p[1].id == 0);
	}
	freerecs(r, 2);
}

/* Bad arguments are our fault, not a verdict. */
static void
test_args(void)
{
	struct dane_verdict v;
	struct dane_input in;

	struct address a = A("hugh@example.test");

	memset(&in, 0, sizeof(in));
	CHECK(dane_evaluate(&in, F("rsa"), &v) == -1);	/* no address */
	CHECK(v.record == -1 && !v.usable);
	in.addr = &a;
	in.at = -1;
	CHECK(dane_evaluate(&in, F("rsa"), &v) == -1);
	in.at = ISOTIME_MAX + 1;
	CHECK(dane_evaluate(&in, F("rsa"), &v) == -1);
	in.at = ISOTIME_MAX;
	CHECK(dane_evaluate(&in, F("rsa"), &v) == 0);
	CHECK(has(&v, "expired") && has(&v, "no-record-match"));
	CHECK(dane_evaluate(&in, NULL, &v) == -1);
}

/* Runs argv with fork/exec; true if it exits 0. stdout to /dev/null. */
static bool
run(char *const argv[])
{
	pid_t pid;
	int st;

	if ((pid = fork()) < 0)
		return false;
	if (pid == 0) {
		if (freopen("/dev/null", "w", stdout) == NULL)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid)
		return false;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* A fresh NSS DB in a mkdtemp dir that trusts ca.der for e-mail. */
static bool
make_db(char dir[64], char spec[80])
{
	char ca[4096];
	char *newdb[] = { "certutil", "-N", "-d", spec, "--empty-password",
	    NULL };
	char *add[] = { "certutil", "-A", "-d", spec, "-n", "dane-smime test CA",
	    "-t", "C,C,C", "-i", ca, NULL };

	snprintf(dir, 64, "/tmp/test_dane.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return false;
	snprintf(spec, 80, "sql:%s", dir);
	snprintf(ca, sizeof(ca), "%s/ca.der", fixdir);
	return run(newdb) && run(add);
}

static void
rm_db(const char *dir)
{
	char *rm[] = { "rm", "-rf", (char *)dir, NULL };

	if (dir[0] != '\0')
		run(rm);
}

int
main(int argc, char **argv)
{
	char err[256], dir[64] = "", spec[80];
	bool have_db;

	if (argc > 1)
		fixdir = argv[1];
	load_all();

	test_record_matches();
	test_select();
	test_agility();
	test_idn();
	test_order();
	test_args();

	/* Phase 1: no trust anchor at all. */
	CHECK(pkix_init("", false, err, sizeof(err)) == 0);
	test_cases(false);
	test_preference(false);
	test_key_anchors();
	test_match_apart_from_fitness(false);
	test_signer(false);
	test_budget();
	pkix_shutdown();

	/* Phase 2: a database that trusts the test CA. */
	have_db = make_db(dir, spec);
	CHECK(have_db);
	if (have_db) {
		CHECK(pkix_init(spec, false, err, sizeof(err)) == 0);
		test_cases(true);
		test_preference(true);
		test_all_combinations();
		test_match_apart_from_fitness(true);
		test_signer(true);
		pkix_shutdown();
	}
	rm_db(dir);

	for (size_t i = 0; i < NFIX; i++)
		cert_summary_free(&fix[i]);
	crypto_shutdown();
	return t_done("dane");
}
