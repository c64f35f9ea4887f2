/* test_engine.c - the sans-I/O core driven from a table of requests,
 * first without a resolver, then with a DNS port (dnsport.h) that
 * answers from a table: every reply is checked without any network. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "dnsport.h"
#include "engine.h"
#include "report.h"
#include "request.h"
#include "t.h"

static cJSON *msgs[64];
static size_t nmsgs;

/* Keeps each reply as a front end sends it: serialised (report.c),
 * then read back, so that the checks see the wire format (the request
 * id, for one, travels as the text request.c printed). */
static int
emit(void *arg, cJSON *msg)
{
	char *s;
	size_t len;

	(void)arg;
	s = report_serialise(msg, &len);
	cJSON_Delete(msg);
	if (s == NULL)
		return -1;
	if (nmsgs < sizeof(msgs) / sizeof(msgs[0]) &&
	    (msgs[nmsgs] = cJSON_ParseWithLength(s, len)) != NULL)
		nmsgs++;
	free(s);
	return 0;
}

static size_t
backlog(void *arg)
{
	(void)arg;
	return 0;
}

static void
reset(void)
{
	size_t i;

	for (i = 0; i < nmsgs; i++)
		cJSON_Delete(msgs[i]);
	nmsgs = 0;
}

static const char *
field(size_t i, const char *key)
{
	const cJSON *v;

	if (i >= nmsgs)
		return "(missing)";
	v = cJSON_GetObjectItemCaseSensitive(msgs[i], key);
	return cJSON_IsString(v) ? v->valuestring : "(not a string)";
}

static const char *
errcode(size_t i)
{
	const cJSON *e;

	if (i >= nmsgs)
		return "(missing)";
	e = cJSON_GetObjectItemCaseSensitive(msgs[i], "error");
	e = cJSON_GetObjectItemCaseSensitive(e, "code");
	return cJSON_IsString(e) ? e->valuestring : "(none)";
}

/* As native.c serves a frame. */
static int
submit(struct engine *e, const char *json)
{
	return engine_submit_frame(e, json, strlen(json));
}

/* The fake DNS port: answers (qname suffix, qtype) from a table, later
 * (as the resolver does: never from inside query), when dispatched. */
static const struct dns_answer_row {
	const char *suffix;	/* the qname ends with it */
	uint16_t qtype;
	enum dns_result_kind kind;
	uint16_t rcode;
	bool ad;
	const char *err_code;	/* DNSR_ERROR */
	bool record;		/* one DANE-EE (3 0 0) record of hugh.der */
} dns_table[] = {
	{ "._smimecert.example.test", DNS_TYPE_SMIMEA, DNSR_ANSWER,
	    DNS_RCODE_NOERROR, true, NULL, true },
	{ "._smimecert.nx.example", DNS_TYPE_SMIMEA, DNSR_ANSWER,
	    DNS_RCODE_NXDOMAIN, true, NULL, false },
	{ "._smimecert.unsigned.example", DNS_TYPE_SMIMEA, DNSR_ANSWER,
	    DNS_RCODE_NXDOMAIN, false, NULL, false },
	{ "._smimecert.servfail.example", DNS_TYPE_SMIMEA, DNSR_ANSWER,
	    DNS_RCODE_SERVFAIL, false, NULL, false },
	{ "._smimecert.slow.example", DNS_TYPE_SMIMEA, DNSR_ERROR, 0, false,
	    "timeout", false },
	{ ".", DNS_TYPE_SOA, DNSR_ANSWER, DNS_RCODE_NOERROR, true, NULL, false },
};

struct fake_query {
	resolver_cb cb;
	void *arg;
	const struct dns_answer_row *row;	/* NULL: not in the table */
};
static struct fake_query queued[64];
/* tests/fixtures/certs/rsa.der: hugh@example.test, e-mail protection */
static uint8_t *hugh_der;
static size_t hugh_len;
static size_t nqueued, unexpected;

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return strcmp(suffix, ".") == 0 ? strcmp(s, ".") == 0 :
	    n >= m && strcmp(s + n - m, suffix) == 0;
}

static int
fake_query(void *ctx, const char *qname, uint16_t qtype, unsigned flags,
    resolver_cb cb, void *arg)
{
	size_t i;

	(void)ctx;
	(void)flags;
	if (nqueued == sizeof(queued) / sizeof(queued[0]))
		return -1;
	queued[nqueued].cb = cb;
	queued[nqueued].arg = arg;
	queued[nqueued].row = NULL;
	for (i = 0; i < sizeof(dns_table) / sizeof(dns_table[0]); i++)
		if (dns_table[i].qtype == qtype &&
		    ends_with(qname, dns_table[i].suffix))
			queued[nqueued].row = &dns_table[i];
	if (queued[nqueued].row == NULL)
		unexpected++;
	nqueued++;
	return 0;
}

static bool
fake_trusted(const void *ctx)
{
	(void)ctx;
	return true;
}

static const char *
fake_trust_reason(const void *ctx)
{
	(void)ctx;
	return "the test's table (trusted)";
}

/* Answers every question asked so far; 1 when there were any. */
static int
fake_dispatch(void)
{
	struct fake_query q[64];
	size_t i, n = nqueued;

	memcpy(q, queued, n * sizeof(q[0]));
	nqueued = 0;
	for (i = 0; i < n; i++) {
		struct dns_result r;
		struct smimea_rec rec;

		memset(&r, 0, sizeof(r));
		if (q[i].row == NULL || q[i].row->kind == DNSR_ERROR) {
			r.kind = DNSR_ERROR;
			r.err_code = q[i].row != NULL ? q[i].row->err_code :
			    "unreachable";
			snprintf(r.err_message, sizeof(r.err_message),
			    "%s (the test's table)", r.err_code);
		} else {
			r.kind = DNSR_ANSWER;
			r.trusted = true;
			r.msg.qr = true;
			r.msg.ra = true;
			r.msg.rcode = q[i].row->rcode;
			r.msg.ad = q[i].row->ad;
			if (q[i].row->record) {
				memset(&rec, 0, sizeof(rec));
				rec.usage = DANE_DANE_EE;
				rec.data = hugh_der;
				rec.len = hugh_len;
				rec.ttl = 300;
				r.msg.records = &rec;
				r.msg.nrecords = 1;
			}
		}
		q[i].cb(q[i].arg, &r);
	}
	return n > 0;
}

static const struct {
	const char *request;
	const char *type;	/* type of the first reply */
	const char *code;	/* its error code, or "(none)" */
	size_t replies;
} table[] = {
	{ "{\"type\":\"hello\",\"id\":1}", "hello", "(none)", 1 },
	{ "{\"type\":\"hello\"}", "hello", "(none)", 1 },
	{ "{\"type\":\"lookup\",\"id\":\"a\",\"addresses\":[\"nobody\"]}",
	    "result", "bad-address", 2 },
	{ "{\"type\":\"lookup\",\"id\":2,\"addresses\":[\"a@b.example\"]}",
	    "result", "no-resolver", 2 },
	{ "{\"type\":\"lookup\",\"addresses\":[\"x\",\"y@\",\"@z\"]}",
	    "result", "bad-address", 4 },
	{ "{\"type\":\"doctor\",\"id\":3}", "error", "no-resolver", 1 },
	{ "{\"type\":\"verify-message\",\"id\":4}", "error", "missing-field", 1 },
	{ "{\"type\":\"verify-message\",\"id\":5,\"message\":\"RnJvbTogYUBiLmV4YW1wbGUNCg0KaGk=\"}",
	    "message-verification", "(none)", 1 },
	{ "{\"type\":\"nope\",\"id\":5}", "error", "unknown-type", 1 },
	{ "[1]", "error", "not-object", 1 },
	{ "{\"type\":\"lookup\"}", "error", "missing-field", 1 },
	{ "{\"type\":\"lookup\",\"addresses\":[]}", "error", "bad-field", 1 },
	{ "{", "error", "bad-json", 1 },
};

/* Requests answered through the fake port, named by the behaviour they
 * check; the first reply's type, status, dnssec and error code. */
static const struct {
	const char *name;
	const char *request;
	const char *type, *status, *dnssec, *code;
	size_t replies;
} dns_cases[] = {
	{ "a secure DANE-EE record of the address's certificate finds it",
	    "{\"type\":\"lookup\",\"id\":0,\"addresses\":[\"hugh@example.test\"]}",
	    "result", "found", "secure", "(none)", 2 },
	{ "a secure NXDOMAIN proves the address has no record",
	    "{\"type\":\"lookup\",\"id\":1,\"addresses\":[\"a@nx.example\"]}",
	    "result", "absent", "secure", "(none)", 2 },
	{ "an NXDOMAIN without AD is insecure, not absent",
	    "{\"type\":\"lookup\",\"id\":2,\"addresses\":[\"a@unsigned.example\"]}",
	    "result", "insecure", "insecure", "(none)", 2 },
	{ "SERVFAIL from the trusted validator is bogus, never a fallback",
	    "{\"type\":\"lookup\",\"id\":3,\"addresses\":[\"a@servfail.example\"]}",
	    "result", "bogus", "bogus", "dnssec-bogus", 2 },
	{ "a timeout is an error whose DNSSEC state is unknown",
	    "{\"type\":\"lookup\",\"id\":4,\"addresses\":[\"a@slow.example\"]}",
	    "result", "error", "indeterminate", "timeout", 2 },
	{ "the doctor's probe with AD from a trusted port is ok",
	    "{\"type\":\"doctor\",\"id\":5}",
	    "doctor", "(not a string)", "(not a string)", "(none)", 1 },
	{ "hello says the port's trust and reason",
	    "{\"type\":\"hello\",\"id\":6}",
	    "hello", "(not a string)", "(not a string)", "(none)", 1 },
};

int
main(void)
{
	struct config cfg;
	struct engine_out out = { emit, backlog, NULL };
	struct dns_port port = { NULL, fake_query, fake_trusted,
	    fake_trust_reason };
	struct engine *e;
	size_t i;

	config_defaults(&cfg);
	e = engine_new(NULL, "no resolver configured (test)", &cfg, &out);
	CHECK(e != NULL);
	for (i = 0; e != NULL && i < sizeof(table) / sizeof(table[0]); i++) {
		reset();
		CHECK(submit(e, table[i].request) == 0);
		CHECK(engine_pump(e) == 0);
		CHECK(engine_idle(e));
		CHECK(nmsgs == table[i].replies);
		CHECK_STR(field(0, "type"), table[i].type);
		CHECK_STR(errcode(0), table[i].code);
		if (table[i].replies > 1)
			CHECK_STR(field(nmsgs - 1, "type"), "done");
	}
	/* The hello reply says why nothing is trusted. */
	reset();
	CHECK(submit(e, "{\"type\":\"hello\",\"id\":\"h\"}") == 0);
	CHECK_STR(field(0, "id"), "h");
	CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(msgs[0],
	    "trusted")));
	CHECK_STR(field(0, "trust"), "no resolver configured (test)");
	reset();
	engine_free(e);
	hugh_der = t_load("tests/fixtures/certs", "rsa.der", &hugh_len);
	e = engine_new_port(&port, NULL, &cfg, &out);
	CHECK(e != NULL);
	for (i = 0; e != NULL && i < sizeof(dns_cases) / sizeof(dns_cases[0]);
	    i++) {
		const char *req = dns_cases[i].request;

		int failed = t_fail;

		reset();
		CHECK(submit(e, req) == 0);
		do
			CHECK(engine_pump(e) == 0);
		while (fake_dispatch());
		CHECK(engine_idle(e));
		CHECK(nmsgs == dns_cases[i].replies);
		CHECK_STR(field(0, "type"), dns_cases[i].type);
		CHECK_STR(field(0, "status"), dns_cases[i].status);
		CHECK_STR(field(0, "dnssec"), dns_cases[i].dnssec);
		CHECK_STR(errcode(0), dns_cases[i].code);
		if (dns_cases[i].replies > 1)
			CHECK_STR(field(nmsgs - 1, "type"), "done");
		if (nmsgs > 0 && strcmp(dns_cases[i].status, "found") == 0) {
			/* The one certificate, usable to encrypt to, on the
			 * record's word (DANE-EE: no CA). */
			const cJSON *cs = cJSON_GetObjectItemCaseSensitive(
			    msgs[0], "certificates");
			const cJSON *c0 = cJSON_GetArrayItem(cs, 0);
			const cJSON *tb = cJSON_GetObjectItemCaseSensitive(c0,
			    "trust_basis");

			CHECK(cJSON_GetArraySize(cs) == 1);
			CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c0,
			    "usable")));
			CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c0,
			    "can_encrypt")));
			CHECK_STR(cJSON_IsString(tb) ? tb->valuestring : "-",
			    "dane-ee");
		}
		if (nmsgs > 0 && strcmp(dns_cases[i].type, "doctor") == 0) {
			CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
			    msgs[0], "ok")));
			CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
			    cJSON_GetObjectItemCaseSensitive(msgs[0], "probe"),
			    "ad")));
		}
		if (nmsgs > 0 && strcmp(dns_cases[i].type, "hello") == 0) {
			CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
			    msgs[0], "trusted")));
			CHECK_STR(field(0, "trust"), "the test's table (trusted)");
		}
		if (t_fail != failed)
			fprintf(stderr, "  in: %s\n", dns_cases[i].name);
	}
	CHECK(unexpected == 0);
	reset();
	engine_free(e);
	free(hugh_der);
	crypto_shutdown();
	return t_done("engine");
}
