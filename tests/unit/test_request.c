/* test_request.c - request decoding (host/core/request.c), table-driven. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dslimits.h"
#include "../../host/core/request.h"
#include "t.h"

#define L(s)	s, sizeof(s) - 1

struct rcase {
	const char	*in;
	size_t		 len;
	const char	*code;		/* NULL: must decode */
	const char	*id;		/* expected id_json */
	int		 type;		/* expected type on success */
};

static const struct rcase cases[] = {
	/* framing and top level */
	{ L(""), "empty-frame", "null", 0 },
	{ L(" "), "bad-json", "null", 0 },
	{ L("null"), "not-object", "null", 0 },
	{ L("[]"), "not-object", "null", 0 },
	{ L("1"), "not-object", "null", 0 },
	{ L("\"hello\""), "not-object", "null", 0 },
	{ L("true"), "not-object", "null", 0 },
	{ L("{\"type\":\"hello\""), "bad-json", "null", 0 },
	{ L("{\"type\":\"hel"), "bad-json", "null", 0 },
	{ L("{\"type\":"), "bad-json", "null", 0 },
	{ L("{\"type\":\"hello\"} x"), "bad-json", "null", 0 },
	{ L("{\"type\":\"hello\"}{}"), "bad-json", "null", 0 },
	{ L("{\"type\":\"hello\"}\0"), "bad-json", "null", 0 },
	{ L("\xef\xbb\xbf{\"type\":\"hello\"}"), "bad-json", "null", 0 },
	{ L("{\"type\":\"hello\",}"), "bad-json", "null", 0 },
	{ L("{\"type\" \"hello\"}"), "bad-json", "null", 0 },
	{ L("{'type':'hello'}"), "bad-json", "null", 0 },
	{ L("{\"type\":\"hello\"\x01}"), "bad-json", "null", 0 },
	{ L("{\"type\":\"hello\",\"x\":nul}"), "bad-json", "null", 0 },
	{ L("{\"type\":\"hello\",\"x\":[1,]}"), "bad-json", "null", 0 },
	{ L("{\"type\":\"hello\",\"x\":01}"), "bad-json", "null", 0 },
	{ L("{\"type\":\"hello\",\"x\":1.}"), "bad-json", "null", 0 },
	{ L("{\"type\":\"hello\",\"x\":-}"), "bad-json", "null", 0 },
	{ L("{\"type\":\"hello\",\"x\":1e}"), "bad-json", "null", 0 },
	{ L("{\"type\":\"hello\",\"x\":+1}"), "bad-json", "null", 0 },
	{ L("{\"type\":\"hello\",\"x\":\"\\x\"}"), "bad-json", "null", 0 },
	{ L("{\"type\":\"hello\",\"x\":\"\\u12\"}"), "bad-json", "null", 0 },
	{ L(" \r\n\t{\"type\":\"hello\"} \r\n\t"), NULL, "null", REQ_HELLO },
	/* UTF-8 (RFC 3629) */
	{ L("{\"ty\xffpe\":\"hello\"}"), "bad-utf8", "null", 0 },
	{ L("{\"type\":\"hello\",\"x\":\"\xc3\"}"), "bad-utf8", "null", 0 },
	{ L("{\"type\":\"hello\",\"x\":\"\xc0\xaf\"}"), "bad-utf8", "null", 0 },
	{ L("{\"type\":\"hello\",\"x\":\"\xe0\x80\xaf\"}"), "bad-utf8", "null", 0 },
	{ L("{\"type\":\"hello\",\"x\":\"\xed\xa0\x80\"}"), "bad-utf8", "null", 0 },
	{ L("{\"type\":\"hello\",\"x\":\"\xf4\x90\x80\x80\"}"), "bad-utf8", "null", 0 },
	{ L("{\"type\":\"hello\",\"x\":\"h\xc3\xa9 \xf0\x9f\x98\x80\"}"), NULL, "null", REQ_HELLO },
	/* strings */
	{ L("{\"ty\\u0000pe\":\"hello\"}"), "bad-string", "null", 0 },
	{ L("{\"type\":\"hello\\u0000x\"}"), "bad-string", "null", 0 },
	{ L("{\"type\":\"hel\nlo\"}"), "bad-string", "null", 0 },
	{ L("{\"type\":\"hello\",\"x\":\"a\tb\"}"), "bad-string", "null", 0 },
	{ L("{\"type\":\"hello\",\"x\":\"a\0b\"}"), "bad-string", "null", 0 },
	{ L("{\"type\":\"hello\",\"x\":\"\\ud800\"}"), "bad-string", "null", 0 },
	{ L("{\"type\":\"hello\",\"x\":\"\\udc00\\ud800\"}"), "bad-string", "null", 0 },
	{ L("{\"type\":\"hello\",\"x\":\"\\ud800\\u0041\"}"), "bad-string", "null", 0 },
	{ L("{\"type\":\"hello\",\"x\":\"\\ud800x\"}"), "bad-string", "null", 0 },
	{ L("{\"type\":\"hello\",\"x\":\"\\ud83d\\ude00 \\u00e9\\n\"}"), NULL, "null", REQ_HELLO },
	/* duplicate keys (RFC 8259 4) */
	{ L("{\"type\":\"hello\",\"type\":\"lookup\"}"), "duplicate-key", "null", 0 },
	{ L("{\"type\":\"hello\",\"typ\\u0065\":\"hello\"}"), "duplicate-key", "null", 0 },
	{ L("{\"id\":1,\"type\":\"hello\",\"x\":{\"a\":1,\"b\":{\"c\":1,\"c\":2}}}"), "duplicate-key", "1", 0 },
	{ L("{\"id\":1,\"type\":\"hello\",\"x\":[{\"a\":1},{\"a\":1,\"a\":1}]}"), "duplicate-key", "1", 0 },
	{ L("{\"id\":1,\"id\":2,\"type\":\"hello\"}"), "duplicate-key", "null", 0 },
	{ L("{\"type\":\"hello\",\"x\":{\"a\":1,\"A\":1},\"X\":0}"), NULL, "null", REQ_HELLO },
	{ L("{\"type\":\"hello\",\"k\":{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,\"h\":1,\"i\":1,\"a\":1}}"), "duplicate-key", "null", 0 },
	{ L("{\"type\":\"hello\",\"k\":{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,\"h\":1,\"i\":1,\"j\":1}}"), NULL, "null", REQ_HELLO },
	/* id */
	{ L("{\"type\":\"hello\",\"id\":7}"), NULL, "7", REQ_HELLO },
	{ L("{\"type\":\"hello\",\"id\":-1.5e3}"), NULL, "-1500", REQ_HELLO },
	{ L("{\"type\":\"hello\",\"id\":0.25}"), NULL, "0.25", REQ_HELLO },
	{ L("{\"type\":\"hello\",\"id\":\"a\\\"b\\u00e9\"}"), NULL, "\"a\\\"b\xc3\xa9\"", REQ_HELLO },
	{ L("{\"type\":\"hello\",\"id\":\"\"}"), NULL, "\"\"", REQ_HELLO },
	{ L("{\"type\":\"hello\",\"id\":{}}"), "bad-field", "null", 0 },
	{ L("{\"type\":\"hello\",\"id\":[1]}"), "bad-field", "null", 0 },
	{ L("{\"type\":\"hello\",\"id\":true}"), "bad-field", "null", 0 },
	{ L("{\"type\":\"hello\",\"id\":null}"), "bad-field", "null", 0 },
	{ L("{\"type\":\"hello\",\"id\":1e999}"), "bad-field", "null", 0 },
	{ L("{\"type\":\"nope\",\"id\":\"r1\"}"), "unknown-type", "\"r1\"", 0 },
	{ L("{\"id\":42}"), "missing-field", "42", 0 },
	/* type */
	{ L("{}"), "missing-field", "null", 0 },
	{ L("{\"Type\":\"hello\"}"), "missing-field", "null", 0 },
	{ L("{\"type\":1}"), "bad-field", "null", 0 },
	{ L("{\"type\":null}"), "bad-field", "null", 0 },
	{ L("{\"type\":[\"hello\"]}"), "bad-field", "null", 0 },
	{ L("{\"type\":\"Hello\"}"), "unknown-type", "null", 0 },
	{ L("{\"type\":\"\"}"), "unknown-type", "null", 0 },
	{ L("{\"type\":\"doctor\"}"), NULL, "null", REQ_DOCTOR },
	{ L("{\"type\":\"verify\"}"), "missing-field", "null", REQ_VERIFY },
	{ L("{\"type\":\"record\"}"), "missing-field", "null", REQ_RECORD },
	{ L("{\"type\":\"check\"}"), "missing-field", "null", REQ_CHECK },
	{ L("{\"type\":\"import\"}"), "missing-field", "null", REQ_IMPORT },
	/* verify, record, check, import fields */
	{ L("{\"type\":\"verify\",\"address\":\"a@b.example\",\"certificate\":\"MAA=\"}"), NULL, "null", REQ_VERIFY },
	{ L("{\"type\":\"verify\",\"address\":\"a@b.example\",\"certificate\":\"MAA=\",\"chain\":[\"MAA=\"]}"), NULL, "null", REQ_VERIFY },
	{ L("{\"type\":\"verify\",\"address\":\"a@b.example\",\"certificate\":\"MAA=\",\"chain\":[1]}"), "bad-field", "null", REQ_VERIFY },
	{ L("{\"type\":\"verify\",\"address\":\"a@b.example\",\"certificate\":\"M*A=\"}"), "bad-field", "null", REQ_VERIFY },
	{ L("{\"type\":\"verify\",\"address\":\"a@b.example\",\"certificate\":\"\"}"), "bad-field", "null", REQ_VERIFY },
	{ L("{\"type\":\"verify\",\"address\":7,\"certificate\":\"MAA=\"}"), "bad-field", "null", REQ_VERIFY },
	{ L("{\"type\":\"check\",\"address\":\"a@b.example\"}"), NULL, "null", REQ_CHECK },
	{ L("{\"type\":\"record\",\"certificate\":\"MAA=\",\"usage\":2,\"selector\":1,\"matching\":2,\"ttl\":300}"), NULL, "null", REQ_RECORD },
	{ L("{\"type\":\"record\",\"certificate\":\"MAA=\",\"usage\":4}"), "bad-field", "null", REQ_RECORD },
	{ L("{\"type\":\"record\",\"certificate\":\"MAA=\",\"matching\":1.5}"), "bad-field", "null", REQ_RECORD },
	{ L("{\"type\":\"import\",\"db\":\"sql:/tmp/x\",\"addresses\":[\"a@b.example\"],\"dry_run\":true}"), NULL, "null", REQ_IMPORT },
	{ L("{\"type\":\"import\",\"addresses\":[\"a@b.example\"]}"), "missing-field", "null", REQ_IMPORT },
	{ L("{\"type\":\"import\",\"db\":\"\",\"addresses\":[\"a@b.example\"]}"), "bad-field", "null", REQ_IMPORT },
	{ L("{\"type\":\"lookup\",\"addresses\":[\"a@b.example\"],\"at\":\"2030-01-01T00:00:00Z\"}"), NULL, "null", REQ_LOOKUP },
	{ L("{\"type\":\"lookup\",\"addresses\":[\"a@b.example\"],\"at\":1893456000}"), NULL, "null", REQ_LOOKUP },
	{ L("{\"type\":\"lookup\",\"addresses\":[\"a@b.example\"],\"at\":\"2030-02-30\"}"), "bad-field", "null", REQ_LOOKUP },
	{ L("{\"type\":\"lookup\",\"addresses\":[\"a@b.example\"],\"at\":-1}"), "bad-field", "null", REQ_LOOKUP },
	{ L("{\"type\":\"verify-message\"}"), "missing-field", "null", REQ_VERIFY_MESSAGE },
	{ L("{\"type\":\"verify-message\",\"message\":\"Zm9v\",\"from\":\"a@b.example\"}"), NULL, "null", REQ_VERIFY_MESSAGE },
	{ L("{\"type\":\"verify-message\",\"message\":\"!!\"}"), "bad-field", "null", REQ_VERIFY_MESSAGE },
	/* "https" (issue 18): a boolean for lookup and import only */
	{ L("{\"type\":\"lookup\",\"addresses\":[\"a@b.example\"],\"https\":false}"), NULL, "null", REQ_LOOKUP },
	{ L("{\"type\":\"lookup\",\"addresses\":[\"a@b.example\"],\"https\":true}"), NULL, "null", REQ_LOOKUP },
	{ L("{\"type\":\"lookup\",\"id\":5,\"addresses\":[\"a@b.example\"],\"https\":\"no\"}"), "bad-field", "5", REQ_LOOKUP },
	{ L("{\"type\":\"lookup\",\"addresses\":[\"a@b.example\"],\"https\":0}"), "bad-field", "null", REQ_LOOKUP },
	{ L("{\"type\":\"lookup\",\"addresses\":[\"a@b.example\"],\"https\":null}"), "bad-field", "null", REQ_LOOKUP },
	{ L("{\"type\":\"import\",\"db\":\"sql:/tmp/x\",\"addresses\":[\"a@b.example\"],\"https\":[false]}"), "bad-field", "null", REQ_IMPORT },
	{ L("{\"type\":\"import\",\"db\":\"sql:/tmp/x\",\"addresses\":[\"a@b.example\"],\"https\":false}"), NULL, "null", REQ_IMPORT },
	/* lookup */
	{ L("{\"type\":\"lookup\",\"id\":3}"), "missing-field", "3", 0 },
	{ L("{\"type\":\"lookup\",\"addresses\":\"a@b.example\"}"), "bad-field", "null", 0 },
	{ L("{\"type\":\"lookup\",\"addresses\":{}}"), "bad-field", "null", 0 },
	{ L("{\"type\":\"lookup\",\"addresses\":null}"), "bad-field", "null", 0 },
	{ L("{\"type\":\"lookup\",\"addresses\":[]}"), "bad-field", "null", 0 },
	{ L("{\"type\":\"lookup\",\"addresses\":[1,2]}"), "bad-field", "null", 0 },
	{ L("{\"type\":\"lookup\",\"addresses\":[\"a@b.example\",null]}"), "bad-field", "null", 0 },
	{ L("{\"type\":\"lookup\",\"addresses\":[[\"a@b.example\"]]}"), "bad-field", "null", 0 },
	{ L("{\"type\":\"lookup\",\"Addresses\":[\"a@b.example\"]}"), "missing-field", "null", 0 },
	{ L("{\"type\":\"lookup\",\"id\":\"q\",\"addresses\":[\"a@b.example\",\"not an address\",\"\"]}"), NULL, "\"q\"", REQ_LOOKUP },
};

static void
test_table(void)
{
	struct request r;
	const char *code, *msg;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rcase *c = &cases[i];
		char *buf;

		/* An exact-size copy, so ASan sees any over-read. */
		if ((buf = malloc(c->len + 1)) == NULL)
			return;
		memcpy(buf, c->in, c->len);
		rc = request_decode(buf, c->len, &r, &code, &msg);
		if (c->code == NULL) {
			if (rc != 0)
				fprintf(stderr, "case %zu: %s (%s)\n", i,
				    code ? code : "?", msg ? msg : "?");
			CHECK(rc == 0);
			CHECK(code == NULL && msg == NULL);
			CHECK(r.type == c->type);
			CHECK(r.root != NULL);
		} else {
			if (rc != 1 || code == NULL || strcmp(code, c->code) != 0)
				fprintf(stderr, "case %zu: rc %d code %s\n", i, rc,
				    code ? code : "(null)");
			CHECK(rc == 1);
			CHECK_STR(code, c->code);
			CHECK(msg != NULL && *msg != '\0');
			CHECK(r.root == NULL);
		}
		if (r.id_json == NULL || strcmp(r.id_json, c->id) != 0)
			fprintf(stderr, "case %zu\n", i);
		CHECK_STR(r.id_json, c->id);
		request_free(&r);
		free(buf);
	}
}

/* "https" only narrows: false sets https_off, true and absent do not. */
static void
test_https_field(void)
{
	static const struct { const char *in; int off; } t[] = {
		{ "{\"type\":\"lookup\",\"addresses\":[\"a@b.example\"]}", 0 },
		{ "{\"type\":\"lookup\",\"addresses\":[\"a@b.example\"],"
		    "\"https\":true}", 0 },
		{ "{\"type\":\"lookup\",\"addresses\":[\"a@b.example\"],"
		    "\"https\":false}", 1 },
		{ "{\"type\":\"import\",\"db\":\"sql:/x\",\"addresses\":"
		    "[\"a@b.example\"],\"https\":false}", 1 },
	};
	struct request r;
	const char *code, *msg;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK(request_decode(t[i].in, strlen(t[i].in), &r, &code,
		    &msg) == 0);
		CHECK(r.https_off == t[i].off);
		request_free(&r);
	}
}

static void
test_lookup_copies(void)
{
	static const char in[] = "{\"type\":\"lookup\",\"addresses\":"
	    "[\"a@b.example\",\"x\",\"\\u00fc@t.example\"]}";
	struct request r;
	const char *code, *msg;

	CHECK(request_decode(in, sizeof(in) - 1, &r, &code, &msg) == 0);
	CHECK(r.type == REQ_LOOKUP);
	CHECK(r.naddresses == 3);
	if (r.naddresses == 3) {
		CHECK_STR(r.addresses[0], "a@b.example");
		CHECK_STR(r.addresses[1], "x");
		CHECK_STR(r.addresses[2], "\xc3\xbc@t.example");
	}
	CHECK(cJSON_GetObjectItemCaseSensitive(r.root, "addresses") != NULL);
	request_free(&r);
	request_free(&r);	/* idempotent */
	request_free(NULL);
	CHECK_STR(request_type_name(REQ_VERIFY_MESSAGE), "verify-message");
	CHECK(request_type_name(0) == NULL);
}

/* Builds {"type":"hello","x":<depth arrays>} - depth counts the outer
 * object too. */
static char *
nested(size_t depth, size_t *len)
{
	size_t n = depth - 1, i, off = 0;
	char *b;

	if ((b = malloc(2 * n + 64)) == NULL)
		return NULL;
	off += (size_t)sprintf(b, "{\"type\":\"hello\",\"x\":");
	for (i = 0; i < n; i++)
		b[off++] = '[';
	for (i = 0; i < n; i++)
		b[off++] = ']';
	b[off++] = '}';
	*len = off;
	return b;
}

static void
test_depth(void)
{
	struct request r;
	const char *code, *msg;
	size_t len, i;
	char *b;

	if ((b = nested(DS_MAX_JSON_DEPTH, &len)) != NULL) {
		CHECK(request_decode(b, len, &r, &code, &msg) == 0);
		request_free(&r);
		free(b);
	}
	if ((b = nested(DS_MAX_JSON_DEPTH + 1, &len)) != NULL) {
		CHECK(request_decode(b, len, &r, &code, &msg) == 1);
		CHECK_STR(code, "too-deep");
		request_free(&r);
		free(b);
	}
	if ((b = nested(1000, &len)) != NULL) {
		CHECK(request_decode(b, len, &r, &code, &msg) == 1);
		CHECK_STR(code, "too-deep");
		request_free(&r);
		free(b);
	}
	/* 100000 unclosed brackets: cJSON's own limit is never reached. */
	if ((b = malloc(100000)) != NULL) {
		for (i = 0; i < 100000; i++)
			b[i] = '[';
		CHECK(request_decode(b, 100000, &r, &code, &msg) == 1);
		CHECK_STR(code, "too-deep");
		request_free(&r);
		free(b);
	}
}

/* {"type":"lookup","id":9,"addresses":["a@x", ... n times]} */
static char *
many(size_t n, const char *elem, size_t *len)
{
	size_t el = strlen(elem), off = 0, i;
	char *b;

	if ((b = malloc(64 + n * (el + 1))) == NULL)
		return NULL;
	off += (size_t)sprintf(b, "{\"type\":\"lookup\",\"id\":9,\"addresses\":[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			b[off++] = ',';
		memcpy(b + off, elem, el);
		off += el;
	}
	b[off++] = ']';
	b[off++] = '}';
	*len = off;
	return b;
}

static void
test_many(void)
{
	struct request r;
	const char *code, *msg;
	size_t len;
	char *b;

	if ((b = many(DS_MAX_ADDRESSES, "\"a@x\"", &len)) != NULL) {
		CHECK(request_decode(b, len, &r, &code, &msg) == 0);
		CHECK(r.naddresses == DS_MAX_ADDRESSES);
		request_free(&r);
		free(b);
	}
	if ((b = many(DS_MAX_ADDRESSES + 1, "\"a@x\"", &len)) != NULL) {
		CHECK(request_decode(b, len, &r, &code, &msg) == 1);
		CHECK_STR(code, "too-many-addresses");
		CHECK_STR(r.id_json, "9");
		request_free(&r);
		free(b);
	}
	/* Numbers as addresses: a field error, not a count error. */
	if ((b = many(5, "1", &len)) != NULL) {
		CHECK(request_decode(b, len, &r, &code, &msg) == 1);
		CHECK_STR(code, "bad-field");
		request_free(&r);
		free(b);
	}
	/* Tiny values by the million would cost gigabytes in cJSON. */
	if ((b = many(DS_MAX_JSON_VALUES, "0", &len)) != NULL) {
		CHECK(request_decode(b, len, &r, &code, &msg) == 1);
		CHECK_STR(code, "too-many-values");
		request_free(&r);
		free(b);
	}
}

static void
test_id_length(void)
{
	char b[DS_MAX_ID_BYTES + 64];
	struct request r;
	const char *code, *msg;
	int n;

	n = snprintf(b, sizeof(b), "{\"type\":\"hello\",\"id\":\"%0*d\"}",
	    DS_MAX_ID_BYTES, 0);
	CHECK(request_decode(b, (size_t)n, &r, &code, &msg) == 0);
	CHECK(r.id_json != NULL && strlen(r.id_json) == DS_MAX_ID_BYTES + 2);
	request_free(&r);
	n = snprintf(b, sizeof(b), "{\"type\":\"hello\",\"id\":\"%0*d\"}",
	    DS_MAX_ID_BYTES + 1, 0);
	CHECK(request_decode(b, (size_t)n, &r, &code, &msg) == 1);
	CHECK_STR(code, "bad-field");
	CHECK_STR(r.id_json, "null");
	request_free(&r);
	/* A 64-digit number exceeds cJSON's number buffer. */
	n = snprintf(b, sizeof(b), "{\"type\":\"hello\",\"id\":1%063d}", 0);
	CHECK(request_decode(b, (size_t)n, &r, &code, &msg) == 1);
	CHECK_STR(code, "bad-json");
	request_free(&r);
	n = snprintf(b, sizeof(b), "{\"type\":\"hello\",\"id\":1%062d}", 0);
	CHECK(request_decode(b, (size_t)n, &r, &code, &msg) == 0);
	CHECK_STR(r.id_json, "1e+62");
	request_free(&r);
}

int
main(void)
{
	test_table();
	test_lookup_copies();
	test_https_field();
	test_depth();
	test_many();
	test_id_length();
	printf("test_request: %zu table cases\n", sizeof(cases) / sizeof(cases[0]));
	return t_done("test_request");
}
