/* test_lookup.c - the RFC 8162 status decision (lookup.c), table-driven.
 *
 * Each row is one resolver outcome (a parsed answer or an error) for one
 * address, with what a person must then be told: status, DNSSEC state,
 * error code, the reason sentence, and what happened to the records and
 * certificates. Row names say the behaviour they pin. Certificates are
 * the fixtures of tests/fixtures/certs; PKIX runs without any anchor.
 * Usage: test_lookup [FIXTURE_DIR]
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "certs.h"
#include "crypto.h"
#include "dnsmsg.h"
#include "lookup.h"
#include "pkix.h"
#include "resolver.h"
#include "trustrule.h"
#include "t.h"

#ifndef DS_FIXTURES_DIR
#define DS_FIXTURES_DIR "tests/fixtures/certs"
#endif

/* 2030-01-01T00:00:00Z: inside every fixture's 100-year validity. */
#define AT ((int64_t)1893456000)

static const char *fixdir = DS_FIXTURES_DIR;

static const char *const names[] = { "rsa", "ec", "utf8" };
#define NFIX (sizeof(names) / sizeof(names[0]))
static struct cert_summary fix[NFIX];

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
	char name[64];
	const char *why = NULL;
	uint8_t *buf;
	size_t i, n;

	for (i = 0; i < NFIX; i++) {
		snprintf(name, sizeof(name), "%s.der", names[i]);
		buf = t_load(fixdir, name, &n);
		if (certs_decode(buf, n, &fix[i], &why) != CERTS_OK) {
			fprintf(stderr, "cannot decode %s: %s\n", name,
			    why != NULL ? why : "?");
			exit(2);
		}
		free(buf);
	}
}

/* One SMIMEA record of an answer. */
struct rec {
	const char *cert;	/* fixture it is made from; NULL: no record */
	uint8_t u, s, m;
	bool bad_der;		/* 3 0 0 whose data is not a certificate */
	const char *problem;	/* a syntax problem dnsmsg.c found */
};

struct lcase {
	const char *name;
	/* the resolver outcome */
	enum dns_result_kind kind;
	const char *res_err;		/* DNSR_ERROR/DNSR_INTERNAL code */
	bool trusted, ad, tc, cached;
	uint16_t rcode, ede;		/* ede 0: no EDE option */
	struct rec recs[3];
	const char *addr;
	const char *supplied;		/* verify: fixture judged, else NULL */
	/* what must come out */
	int ret;
	enum lookup_status status;
	enum dnssec_state dnssec;
	const char *err_code;		/* NULL: none */
	const char *err_has;		/* substring of err_message */
	const char *reason_has;		/* substring; NULL: reason NULL */
	size_t ncerts;
	const char *cert0;		/* fixture expected first, or NULL */
	bool usable0;
	const char *trust0;		/* certs[0].trust, NULL for none */
	const char *rec0_problem;	/* records[0].problem_code */
	bool waits;			/* lookup_needs_vouching */
};

#define HUGH "hugh@example.test"
#define OK DNSR_ANSWER
#define NOERROR DNS_RCODE_NOERROR
#define NXDOMAIN DNS_RCODE_NXDOMAIN
#define SERVFAIL DNS_RCODE_SERVFAIL
#define RSA300 { "rsa", 3, 0, 0, false, NULL }

static const struct lcase cases[] = {
	/* --- secure answers (trusted validator, AD bit) --- */
	{ "secure answer with a matching full certificate is found",
	    OK, NULL, true, true, false, true, NOERROR, 0, { RSA300 }, HUGH,
	    NULL, 0, LS_FOUND, DNSSEC_SECURE, NULL, NULL, NULL,
	    1, "rsa", true, TRUST_EMAIL_STR, NULL, false },
	{ "authenticated NXDOMAIN is absent",
	    OK, NULL, true, true, false, false, NXDOMAIN, 0, { { 0 } }, HUGH,
	    NULL, 0, LS_ABSENT, DNSSEC_SECURE, NULL, NULL,
	    "(authenticated NXDOMAIN)", 0, NULL, false, NULL, NULL, false },
	{ "authenticated NODATA is absent",
	    OK, NULL, true, true, false, false, NOERROR, 0, { { 0 } }, HUGH,
	    NULL, 0, LS_ABSENT, DNSSEC_SECURE, NULL, NULL,
	    "(authenticated NODATA)", 0, NULL, false, NULL, NULL, false },
	{ "hash-only records are unusable: they carry no certificate",
	    OK, NULL, true, true, false, false, NOERROR, 0,
	    { { "rsa", 3, 0, 1, false, NULL } }, HUGH,
	    NULL, 0, LS_UNUSABLE, DNSSEC_SECURE, NULL, NULL,
	    "none carries a certificate", 0, NULL, false, NULL, NULL, false },
	{ "a certificate for another address is unusable",
	    OK, NULL, true, true, false, false, NOERROR, 0, { RSA300 },
	    "other@example.test", NULL, 0, LS_UNUSABLE, DNSSEC_SECURE, NULL,
	    NULL, "no certificate in them is usable", 1, "rsa", false, NULL,
	    NULL, false },
	{ "a record with a syntax problem keeps its code and is unusable",
	    OK, NULL, true, true, false, false, NOERROR, 0,
	    { { "rsa", 3, 0, 0, false, "unknown-usage" } }, HUGH,
	    NULL, 0, LS_UNUSABLE, DNSSEC_SECURE, NULL, NULL,
	    "none carries a certificate", 0, NULL, false, NULL,
	    "unknown-usage", false },
	{ "full-certificate data that does not decode is bad-certificate",
	    OK, NULL, true, true, false, false, NOERROR, 0,
	    { { "rsa", 3, 0, 0, true, NULL } }, HUGH,
	    NULL, 0, LS_UNUSABLE, DNSSEC_SECURE, NULL, NULL,
	    "none carries a certificate", 0, NULL, false, NULL,
	    "bad-certificate", false },
	{ "the usable certificate is sorted first",
	    OK, NULL, true, true, false, false, NOERROR, 0,
	    { { "ec", 3, 0, 0, false, NULL }, RSA300 }, HUGH,
	    NULL, 0, LS_FOUND, DNSSEC_SECURE, NULL, NULL, NULL,
	    2, "rsa", true, TRUST_EMAIL_STR, NULL, false },
	{ "a certificate naming other addresses waits for them to vouch",
	    OK, NULL, true, true, false, false, NOERROR, 0,
	    { { "utf8", 3, 0, 0, false, NULL } }, "joerg@example.test",
	    NULL, 0, LS_UNUSABLE, DNSSEC_SECURE, NULL, NULL,
	    "no certificate in them is usable", 1, "utf8", false, NULL,
	    NULL, true },

	/* --- not authenticated --- */
	{ "answer without the AD bit from a trusted validator is insecure",
	    OK, NULL, true, false, false, false, NOERROR, 0, { RSA300 }, HUGH,
	    NULL, 0, LS_INSECURE, DNSSEC_INSECURE, NULL, NULL,
	    "no AD bit from the validator", 1, "rsa", false, NULL, NULL,
	    false },
	{ "answer from an untrusted resolver is insecure even with AD",
	    OK, NULL, false, true, false, false, NOERROR, 0, { RSA300 }, HUGH,
	    NULL, 0, LS_INSECURE, DNSSEC_INSECURE, NULL, NULL,
	    "not trusted to validate DNSSEC", 1, "rsa", false, NULL, NULL,
	    false },
	{ "NXDOMAIN without the AD bit is insecure, not absent",
	    OK, NULL, true, false, false, false, NXDOMAIN, 0, { { 0 } }, HUGH,
	    NULL, 0, LS_INSECURE, DNSSEC_INSECURE, NULL, NULL,
	    "no AD bit from the validator", 0, NULL, false, NULL, NULL,
	    false },

	/* --- SERVFAIL (RFC 8914 EDE decides bogus or unreachable) --- */
	{ "SERVFAIL from a trusted validator is bogus",
	    OK, NULL, true, false, false, false, SERVFAIL, 0, { { 0 } }, HUGH,
	    NULL, 0, LS_BOGUS, DNSSEC_BOGUS, "dnssec-bogus",
	    "rejected the answer as bogus (SERVFAIL)",
	    "never fall back to unauthenticated data", 0, NULL, false, NULL,
	    NULL, false },
	{ "SERVFAIL with a DNSSEC EDE is bogus and names the EDE",
	    OK, NULL, true, false, false, false, SERVFAIL, 6, { { 0 } }, HUGH,
	    NULL, 0, LS_BOGUS, DNSSEC_BOGUS, "dnssec-bogus",
	    "Extended DNS Error 6: DNSSEC Bogus", "DNSSEC validation failed",
	    0, NULL, false, NULL, NULL, false },
	{ "SERVFAIL with a network EDE is an error, not bogus",
	    OK, NULL, true, false, false, false, SERVFAIL, 22, { { 0 } },
	    HUGH, NULL, 0, LS_ERROR, DNSSEC_INDETERMINATE, "servfail",
	    "Extended DNS Error 22: No Reachable Authority",
	    "name servers did not answer", 0, NULL, false, NULL, NULL,
	    false },
	{ "SERVFAIL from an untrusted resolver is an error, not bogus",
	    OK, NULL, false, false, false, false, SERVFAIL, 0, { { 0 } },
	    HUGH, NULL, 0, LS_ERROR, DNSSEC_INDETERMINATE, "servfail",
	    "not a trusted validator", "the resolver failed", 0, NULL, false,
	    NULL, NULL, false },

	/* --- other failures: nothing is known --- */
	{ "REFUSED is an error",
	    OK, NULL, true, true, false, false, DNS_RCODE_REFUSED, 0,
	    { { 0 } }, HUGH, NULL, 0, LS_ERROR, DNSSEC_INDETERMINATE,
	    "refused", "(REFUSED)", "refused to answer", 0, NULL, false, NULL,
	    NULL, false },
	{ "any other RCODE is a resolver error naming it",
	    OK, NULL, true, true, false, false, DNS_RCODE_FORMERR, 0,
	    { { 0 } }, HUGH, NULL, 0, LS_ERROR, DNSSEC_INDETERMINATE,
	    "resolver-error", "RCODE 1", "could not answer", 0, NULL, false,
	    NULL, NULL, false },
	{ "an answer truncated even over TCP is an error",
	    OK, NULL, true, true, true, false, NOERROR, 0, { RSA300 }, HUGH,
	    NULL, 0, LS_ERROR, DNSSEC_INDETERMINATE, "truncated", "RFC 8162 7",
	    "could not be read whole", 0, NULL, false, NULL, NULL, false },
	{ "a resolver error keeps its code and message",
	    DNSR_ERROR, "timeout", true, false, false, false, 0, 0, { { 0 } },
	    HUGH, NULL, 0, LS_ERROR, DNSSEC_INDETERMINATE, "timeout",
	    "no answer", "the lookup did not complete", 0, NULL, false, NULL,
	    NULL, false },
	{ "our own failure in the resolver ends the lookup with -1",
	    DNSR_INTERNAL, "internal", true, false, false, false, 0, 0,
	    { { 0 } }, HUGH, NULL, -1, LS_ERROR, DNSSEC_INDETERMINATE,
	    "internal", "out of memory", "the lookup did not complete", 0,
	    NULL, false, NULL, NULL, false },

	/* --- verify: the supplied certificate is always judged --- */
	{ "verify: a supplied certificate a secure hash record matches is "
	    "found",
	    OK, NULL, true, true, false, false, NOERROR, 0,
	    { { "rsa", 3, 0, 1, false, NULL } }, HUGH, "rsa", 0, LS_FOUND,
	    DNSSEC_SECURE, NULL, NULL, NULL, 1, "rsa", true, TRUST_EMAIL_STR,
	    NULL, false },
	{ "verify: a supplied certificate no record matches is unusable",
	    OK, NULL, true, true, false, false, NOERROR, 0,
	    { { "rsa", 3, 0, 1, false, NULL } }, HUGH, "ec", 0, LS_UNUSABLE,
	    DNSSEC_SECURE, NULL, NULL, "not usable for this address", 1, "ec",
	    false, NULL, NULL, false },
	{ "verify: on a bogus answer the supplied certificate is still "
	    "judged, not usable",
	    OK, NULL, true, false, false, false, SERVFAIL, 0, { { 0 } }, HUGH,
	    "rsa", 0, LS_BOGUS, DNSSEC_BOGUS, "dnssec-bogus", NULL,
	    "DNSSEC validation failed", 1, "rsa", false, NULL, NULL, false },
	{ "verify: with an authenticated NXDOMAIN the certificate is absent",
	    OK, NULL, true, true, false, false, NXDOMAIN, 0, { { 0 } }, HUGH,
	    "rsa", 0, LS_ABSENT, DNSSEC_SECURE, NULL, NULL,
	    "(authenticated NXDOMAIN)", 1, "rsa", false, NULL, NULL, false },
};

/* Builds the record of spec into r (data malloc'ed). */
static void
make_rec(const struct rec *spec, struct smimea_rec *r)
{
	const struct cert_summary *c = F(spec->cert);
	const uint8_t *p = spec->s == 0 ? c->der : c->spki;
	size_t n = spec->s == 0 ? c->der_len : c->spki_len;

	memset(r, 0, sizeof(*r));
	r->usage = spec->u;
	r->selector = spec->s;
	r->matching = spec->m;
	r->ttl = 300;
	r->len = spec->m == 0 ? n : spec->m == 1 ? 32 : 64;
	if ((r->data = malloc(r->len)) == NULL)
		abort();
	if (spec->m == 0)
		memcpy(r->data, p, n);
	else if (spec->m == 1)
		CHECK(crypto_sha256(p, n, r->data) == 0);
	else
		CHECK(crypto_sha512(p, n, r->data) == 0);
	if (spec->bad_der)
		memset(r->data, 0xff, r->len > 8 ? 8 : r->len);
	if (spec->problem != NULL) {
		r->problem_code = spec->problem;
		r->problem = "a syntax problem";
	}
}

static bool
contains(const char *s, const char *sub)
{
	return s != NULL && strstr(s, sub) != NULL;
}

static void
run_case(const struct lcase *c)
{
	struct smimea_rec recs[3];
	struct dns_result res;
	struct lookup_ctx ctx;
	struct lookup_result lr;
	struct address addr;
	size_t i, n = 0;
	int fails = t_fail, rc;

	memset(&res, 0, sizeof(res));
	memset(&ctx, 0, sizeof(ctx));
	res.kind = c->kind;
	res.trusted = c->trusted;
	res.from_cache = c->cached;
	if (c->res_err != NULL) {
		res.err_code = c->res_err;
		snprintf(res.err_message, sizeof(res.err_message), "%s",
		    c->kind == DNSR_INTERNAL ? "out of memory" :
		    "no answer from the resolver");
	}
	res.msg.rcode = c->rcode;
	res.msg.ad = c->ad;
	res.msg.tc = c->tc;
	res.msg.ttl = 300;
	if (c->ede != 0) {
		res.msg.has_ede = true;
		res.msg.ede_code = c->ede;
		snprintf(res.msg.ede_text, sizeof(res.msg.ede_text), "why");
	}
	for (i = 0; i < 3 && c->recs[i].cert != NULL; i++)
		make_rec(&c->recs[i], &recs[n++]);
	res.msg.records = n > 0 ? recs : NULL;
	res.msg.nrecords = n;
	ctx.at = AT;
	if (c->supplied != NULL)
		ctx.supplied = F(c->supplied);
	if (address_parse(c->addr, strlen(c->addr), &addr, NULL) != ADDR_OK) {
		fprintf(stderr, "bad test address %s\n", c->addr);
		exit(2);
	}

	rc = lookup_evaluate(&ctx, c->addr, strlen(c->addr), &addr, &res,
	    &lr);
	CHECK(rc == c->ret);
	CHECK(lr.status == c->status);
	CHECK_STR(lookup_status_name(lr.status), lookup_status_name(c->status));
	CHECK(lr.dnssec == c->dnssec);
	CHECK(lr.address == c->addr && lr.address_len == strlen(c->addr));
	CHECK_STR(lr.query, addr.owner);
	CHECK(lr.cached == c->cached);
	if (c->err_code == NULL)
		CHECK(lr.err_code == NULL);
	else
		CHECK_STR(lr.err_code, c->err_code);
	if (c->err_has != NULL)
		CHECK(contains(lr.err_message, c->err_has));
	if (c->reason_has == NULL)
		CHECK(lr.reason == NULL);
	else
		CHECK(contains(lr.reason, c->reason_has));
	if (c->ede != 0 && c->kind == DNSR_ANSWER) {
		CHECK(lr.has_ede && lr.ede_code == c->ede);
		CHECK_STR(lr.ede_text, "why");
	}
	if (c->kind == DNSR_ANSWER && !c->tc && c->rcode != SERVFAIL)
		CHECK(lr.ttl == 300);
	CHECK(lr.nrecords == (rc == 0 && lr.err_code == NULL ? n : 0));
	CHECK(lr.ncerts == c->ncerts);
	CHECK(lr.verify == (c->supplied != NULL && rc == 0));
	if (c->cert0 != NULL && lr.ncerts > 0) {
		CHECK_STR(lr.certs[0].sum.sha256, F(c->cert0)->sha256);
		CHECK(lr.certs[0].v.usable == c->usable0);
		if (c->trust0 == NULL)
			CHECK(lr.certs[0].trust == NULL);
		else
			CHECK_STR(lr.certs[0].trust, c->trust0);
		/* a usable certificate has no problems; others say why */
		CHECK((lr.certs[0].v.nproblems == 0) == c->usable0);
	}
	if (c->rec0_problem != NULL && lr.nrecords > 0) {
		CHECK_STR(lr.records[0].problem_code, c->rec0_problem);
		CHECK(lr.records[0].cert == -1);
	}
	/* every record points at the certificate made from its data */
	for (i = 0; i < lr.nrecords && !lr.verify; i++)
		if (lr.records[i].cert >= 0)
			CHECK(lr.certs[lr.records[i].cert].sum.der_len ==
			    recs[i].len && memcmp(lr.certs[lr.records[i].cert]
			    .sum.der, recs[i].data, recs[i].len) == 0);
	CHECK(lookup_needs_vouching(&lr) == c->waits);
	if (c->waits)
		CHECK(lookup_cert_waits(&lr.certs[0]));
	if (t_fail != fails)
		fprintf(stderr, "  in: %s\n", c->name);
	lookup_result_free(&lr);
	for (i = 0; i < n; i++)
		free(recs[i].data);
}

/* The utf8 fixture names jörg@ and joerg@: looked up as joerg@, it is
 * usable with e-mail trust only once jörg@'s own records vouch for it. */
static bool vouch_answer;
static const char *vouch_asked;

static bool
vouched(void *arg, const char *sha256, const char *address)
{
	(void)arg;
	CHECK_STR(sha256, F("utf8")->sha256);
	vouch_asked = address;
	return vouch_answer;
}

static void
test_vouching_settles_the_status(void)
{
	const struct rec spec = { "utf8", 3, 0, 0, false, NULL };
	const char *a = "joerg@example.test";
	struct smimea_rec r;
	struct dns_result res;
	struct lookup_ctx ctx;
	struct lookup_result lr;
	struct address addr;
	int yes;

	CHECK(address_parse(a, strlen(a), &addr, NULL) == ADDR_OK);
	for (yes = 0; yes < 2; yes++) {
		memset(&res, 0, sizeof(res));
		memset(&ctx, 0, sizeof(ctx));
		make_rec(&spec, &r);
		res.trusted = true;
		res.msg.ad = true;
		res.msg.records = &r;
		res.msg.nrecords = 1;
		ctx.at = AT;
		CHECK(lookup_evaluate(&ctx, a, strlen(a), &addr, &res, &lr) ==
		    0);
		CHECK(lr.status == LS_UNUSABLE && lookup_needs_vouching(&lr));
		vouch_answer = yes;
		vouch_asked = NULL;
		CHECK(lookup_apply_vouches(&lr, vouched, NULL) == 0);
		CHECK_STR(vouch_asked, "jörg@example.test");
		CHECK(!lookup_needs_vouching(&lr));
		CHECK(!lookup_cert_waits(&lr.certs[0]));
		if (yes) {
			/* all other addresses vouched: found, e-mail trust */
			CHECK(lr.status == LS_FOUND && lr.reason == NULL);
			CHECK(lr.certs[0].v.usable);
			CHECK_STR(lr.certs[0].trust, TRUST_EMAIL_STR);
		} else {
			/* one did not: unusable, and the problem names it */
			CHECK(lr.status == LS_UNUSABLE);
			CHECK(!lr.certs[0].v.usable &&
			    lr.certs[0].trust == NULL);
			CHECK(dane_has_problem(&lr.certs[0].v,
			    "other-address-not-vouched"));
			CHECK(contains(lr.certs[0].v.problems[0].message,
			    "jörg@example.test"));
		}
		lookup_result_free(&lr);
		free(r.data);
	}
}

static void
test_bad_address_is_an_error_without_lookup(void)
{
	struct lookup_result lr;

	lookup_bad_address("no-at-sign", 10, "no @ (RFC 5322 3.4.1)", &lr);
	CHECK(lr.status == LS_ERROR && lr.dnssec == DNSSEC_INDETERMINATE);
	CHECK_STR(lr.err_code, "bad-address");
	CHECK_STR(lr.err_message, "no @ (RFC 5322 3.4.1)");
	CHECK(contains(lr.reason, "nothing was looked up"));
	CHECK(lr.ncerts == 0 && lr.nrecords == 0 && lr.query[0] == '\0');
	lookup_result_free(&lr);
}

static void
test_status_and_dnssec_names_are_the_protocol_words(void)
{
	CHECK_STR(lookup_status_name(LS_FOUND), "found");
	CHECK_STR(lookup_status_name(LS_ABSENT), "absent");
	CHECK_STR(lookup_status_name(LS_UNUSABLE), "unusable");
	CHECK_STR(lookup_status_name(LS_UNVERIFIED), "unverified");
	CHECK_STR(lookup_status_name(LS_INSECURE), "insecure");
	CHECK_STR(lookup_status_name(LS_BOGUS), "bogus");
	CHECK_STR(lookup_status_name(LS_ERROR), "error");
	CHECK_STR(lookup_status_name((enum lookup_status)99), "error");
	CHECK_STR(lookup_dnssec_name(DNSSEC_SECURE), "secure");
	CHECK_STR(lookup_dnssec_name(DNSSEC_INSECURE), "insecure");
	CHECK_STR(lookup_dnssec_name(DNSSEC_BOGUS), "bogus");
	CHECK_STR(lookup_dnssec_name(DNSSEC_INDETERMINATE), "indeterminate");
	CHECK_STR(lookup_dnssec_name((enum dnssec_state)99), "indeterminate");
}

int
main(int argc, char **argv)
{
	char err[256];
	size_t i;

	if (argc > 1)
		fixdir = argv[1];
	load_all();
	CHECK(pkix_init("", false, err, sizeof(err)) == 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	test_vouching_settles_the_status();
	test_bad_address_is_an_error_without_lookup();
	test_status_and_dnssec_names_are_the_protocol_words();
	pkix_shutdown();
	for (i = 0; i < NFIX; i++)
		cert_summary_free(&fix[i]);
	return t_done("lookup");
}
