/* test_jsonw.c - the JSON writer, and proof that report_result_write
 * prints byte for byte what cJSON_PrintUnformatted(report_result()) does,
 * over hand-made and random lookup results, real certificates and every
 * kind of id. Usage: test_jsonw [FIXTURE_DIR] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certs.h"
#include "crypto.h"
#include "encode.h"
#include "jsonw.h"
#include "report.h"
#include "t.h"

#ifndef DS_FIXTURES_DIR
#define DS_FIXTURES_DIR "tests/fixtures/certs"
#endif

/* The writer's bytes from `from` on, NUL-terminated, in a static buffer. */
static const char *
text(const struct jsonw *w, size_t from)
{
	static char buf[1 << 20];
	size_t n = w->len - from;

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, w->buf + from, n);
	buf[n] = '\0';
	return buf;
}

/* What cJSON prints for item (item freed). */
static char *
cjson(cJSON *item)
{
	char *s = item != NULL ? cJSON_PrintUnformatted(item) : NULL;

	cJSON_Delete(item);
	return s;
}

static void
test_strings(void)
{
	struct jsonw w;
	char s[256], *want;
	int i;

	/* Every byte but NUL, alone and in a run. */
	for (i = 1; i < 256; i++) {
		char one[4] = { 'a', (char)i, 'z', '\0' };

		jsonw_init(&w, SIZE_MAX);
		jsonw_string(&w, one);
		want = cjson(cJSON_CreateString(one));
		CHECK(jsonw_complete(&w));
		CHECK_STR(text(&w, 0), want);
		free(want);
		jsonw_free(&w);
	}
	/* Every byte at every place of a word-at-a-time scan. */
	for (i = 1; i < 256; i++) {
		int at;

		for (at = 0; at < 19; at++) {
			char many[20];

			memset(many, 'a', sizeof(many) - 1);
			many[sizeof(many) - 1] = '\0';
			many[at] = (char)i;
			jsonw_init(&w, SIZE_MAX);
			jsonw_string(&w, many);
			want = cjson(cJSON_CreateString(many));
			CHECK_STR(text(&w, 0), want);
			free(want);
			jsonw_free(&w);
		}
	}
	for (i = 1; i < 256; i++)
		s[i - 1] = (char)(256 - i);
	s[255] = '\0';
	jsonw_init(&w, SIZE_MAX);
	jsonw_string(&w, s);
	want = cjson(cJSON_CreateString(s));
	CHECK_STR(text(&w, 0), want);
	free(want);
	jsonw_free(&w);

	/* cJSON's spellings, spelled out. */
	jsonw_init(&w, SIZE_MAX);
	jsonw_string(&w, "\"\\/\b\f\n\r\t\x01\x1f\x7f\xc3\xa9");
	CHECK_STR(text(&w, 0),
	    "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0001\\u001f\x7f\xc3\xa9\"");
	jsonw_free(&w);
	jsonw_init(&w, SIZE_MAX);
	jsonw_string(&w, "");
	CHECK_STR(text(&w, 0), "\"\"");
	jsonw_free(&w);
}

/* jsonw_base64 (pairs of characters per lookup) against b64_encode for
 * every length up to 300 and every byte value; keys with every byte
 * against cJSON (the fast path and the escaping one). */
static void
test_base64_keys(void)
{
	struct jsonw w;
	uint8_t data[300];
	char *b, *want, key[4], wantbuf[600];
	cJSON *o;
	size_t n;
	int i;

	for (n = 0; n < sizeof(data); n++)
		data[n] = (uint8_t)(n * 97 + 13);
	for (n = 0; n <= sizeof(data); n++) {
		jsonw_init(&w, SIZE_MAX);
		jsonw_base64(&w, data, n);
		CHECK(jsonw_complete(&w));
		b = b64_encode(data, n);
		CHECK(b != NULL);
		snprintf(wantbuf, sizeof(wantbuf), "\"%s\"", b);
		CHECK_STR(text(&w, 0), wantbuf);
		free(b);
		jsonw_free(&w);
	}
	for (i = 1; i < 256; i++) {
		key[0] = 'k';
		key[1] = (char)i;
		key[2] = '\0';
		jsonw_init(&w, SIZE_MAX);
		jsonw_object_begin(&w);
		jsonw_key(&w, "a");
		jsonw_int(&w, 1);
		jsonw_key(&w, key);
		jsonw_int(&w, 2);
		jsonw_object_end(&w);
		CHECK(jsonw_complete(&w));
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "a", 1);
		cJSON_AddNumberToObject(o, key, 2);
		want = cjson(o);
		CHECK_STR(text(&w, 0), want);
		free(want);
		jsonw_free(&w);
	}
}

static void
test_numbers(void)
{
	static const int64_t v[] = { 0, 1, -1, 9, 10, 99, 100, 255, 256,
	    65535, 2147483647, -2147483647 - 1, 2147483648LL, 4294967295LL,
	    4294967296LL, 999999999999999LL, -999999999999999LL };
	struct jsonw w;
	char *want;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		jsonw_init(&w, SIZE_MAX);
		jsonw_int(&w, v[i]);
		want = cjson(cJSON_CreateNumber((double)v[i]));
		CHECK_STR(text(&w, 0), want);
		free(want);
		if (v[i] >= 0) {
			jsonw_truncate(&w, 0);
			jsonw_uint(&w, (uint64_t)v[i]);
			want = cjson(cJSON_CreateNumber((double)v[i]));
			CHECK_STR(text(&w, 0), want);
			free(want);
		}
		jsonw_free(&w);
	}
	jsonw_init(&w, SIZE_MAX);
	jsonw_int(&w, INT64_MIN);
	CHECK_STR(text(&w, 0), "-9223372036854775808");
	jsonw_truncate(&w, 0);
	jsonw_uint(&w, UINT64_MAX);
	CHECK_STR(text(&w, 0), "18446744073709551615");
	jsonw_free(&w);
}

static void
test_structure(void)
{
	struct jsonw w;
	int i;

	jsonw_init(&w, SIZE_MAX);
	jsonw_object_begin(&w);
	jsonw_key(&w, "a");
	jsonw_array_begin(&w);
	jsonw_array_end(&w);
	jsonw_key(&w, "b");
	jsonw_object_begin(&w);
	jsonw_object_end(&w);
	jsonw_key(&w, "c");
	jsonw_array_begin(&w);
	jsonw_int(&w, 1);
	jsonw_object_begin(&w);
	jsonw_key(&w, "k\n");
	jsonw_null(&w);
	jsonw_object_end(&w);
	jsonw_bool(&w, true);
	jsonw_bool(&w, false);
	jsonw_raw(&w, "{\"x\":[1,2]}");
	jsonw_string(&w, "s");
	jsonw_array_end(&w);
	jsonw_key(&w, "d");
	jsonw_raw(&w, "null");
	jsonw_object_end(&w);
	CHECK(jsonw_complete(&w));
	CHECK_STR(text(&w, 0), "{\"a\":[],\"b\":{},\"c\":[1,{\"k\\n\":null},"
	    "true,false,{\"x\":[1,2]},\"s\"],\"d\":null}");
	jsonw_free(&w);

	/* Misuse is sticky and leaves the value incomplete. */
	jsonw_init(&w, SIZE_MAX);
	jsonw_array_begin(&w);
	jsonw_key(&w, "no");
	CHECK(jsonw_error(&w) == JSONW_E_USAGE);
	jsonw_array_end(&w);
	CHECK(!jsonw_complete(&w));
	jsonw_free(&w);
	jsonw_init(&w, SIZE_MAX);
	jsonw_object_begin(&w);
	jsonw_int(&w, 1);		/* value without a key */
	CHECK(jsonw_error(&w) == JSONW_E_USAGE);
	jsonw_free(&w);
	jsonw_init(&w, SIZE_MAX);
	jsonw_object_begin(&w);
	jsonw_key(&w, "k");
	jsonw_object_end(&w);		/* key without a value */
	CHECK(jsonw_error(&w) == JSONW_E_USAGE);
	jsonw_free(&w);
	jsonw_init(&w, SIZE_MAX);
	jsonw_object_begin(&w);
	jsonw_array_end(&w);		/* wrong closer */
	CHECK(jsonw_error(&w) == JSONW_E_USAGE);
	jsonw_free(&w);
	jsonw_init(&w, SIZE_MAX);
	jsonw_int(&w, 1);
	jsonw_int(&w, 2);		/* two top-level values */
	CHECK(jsonw_error(&w) == JSONW_E_USAGE);
	CHECK_STR(text(&w, 0), "1");
	jsonw_free(&w);
	jsonw_init(&w, SIZE_MAX);
	jsonw_string(&w, NULL);
	CHECK(jsonw_error(&w) == JSONW_E_USAGE);
	jsonw_free(&w);
	/* Nesting is bounded. */
	jsonw_init(&w, SIZE_MAX);
	for (i = 0; i < DS_MAX_JSON_DEPTH; i++)
		jsonw_array_begin(&w);
	CHECK(jsonw_error(&w) == JSONW_OK);
	jsonw_array_begin(&w);
	CHECK(jsonw_error(&w) == JSONW_E_USAGE);
	jsonw_free(&w);

	/* The limit: exactly at it is fine, one byte more is not, and the
	 * error sticks until restart. */
	jsonw_init(&w, 7);
	jsonw_string(&w, "abcde");
	CHECK(jsonw_complete(&w));
	jsonw_truncate(&w, 0);
	jsonw_restart(&w, 7);
	jsonw_string(&w, "abcdef");
	CHECK(jsonw_error(&w) == JSONW_E_LIMIT);
	jsonw_null(&w);
	CHECK(jsonw_error(&w) == JSONW_E_LIMIT);
	jsonw_truncate(&w, 0);
	CHECK(jsonw_error(&w) == JSONW_E_LIMIT);
	jsonw_restart(&w, 4);
	jsonw_null(&w);
	CHECK(jsonw_complete(&w));
	/* restart keeps what is there and bounds only what follows. */
	jsonw_bytes(&w, "\n", 1);
	CHECK(jsonw_error(&w) == JSONW_E_LIMIT);	/* 4 bytes used up */
	jsonw_restart(&w, 1);
	jsonw_bytes(&w, "\n", 1);
	CHECK(jsonw_error(&w) == JSONW_OK);
	jsonw_restart(&w, 4);
	jsonw_bool(&w, true);
	CHECK(jsonw_complete(&w));
	CHECK_STR(text(&w, 0), "null\ntrue");
	jsonw_free(&w);
	jsonw_free(NULL);

	/* Growth across many reallocations. */
	jsonw_init(&w, SIZE_MAX);
	jsonw_array_begin(&w);
	for (i = 0; i < 20000; i++)
		jsonw_string(&w, "0123456789\t");
	jsonw_array_end(&w);
	CHECK(jsonw_complete(&w));
	CHECK(w.len == 2 + 20000 * 15 - 1);
	jsonw_free(&w);
}

/* A random string of up to max bytes (no NUL) drawn from an alphabet
 * heavy in the bytes that need escaping, runs of plain ASCII around them. */
static size_t
rand_text(char *s, size_t max)
{
	static const char special[] = "\"\\\b\f\n\r\t\x01\x1f\x7f\x80\xc3\xa9 ";
	size_t n = (size_t)rand() % (max + 1), i;

	for (i = 0; i < n; i++)
		switch (rand() % 4) {
		case 0:
			s[i] = special[rand() % (int)(sizeof(special) - 1)];
			break;
		case 1:
			s[i] = (char)(1 + rand() % 255);
			break;
		default:
			s[i] = (char)(0x20 + rand() % 0x5f);
			break;
		}
	s[n] = '\0';
	return n;
}

/* jsonw_key_len, jsonw_member_string and jsonw_member_int (one
 * reservation per member) against cJSON, over random keys and values of
 * every length around the 8-byte word scan, and against the separate
 * jsonw_key + value calls under size limits: the same bytes and the
 * same error at every limit. */
static void
test_members(void)
{
	struct jsonw w, v;
	char key[40], val[80], *want, kplain[40];
	size_t kn, i, lim;
	int64_t num;
	cJSON *o;
	int round;

	srand(15);
	for (round = 0; round < 20000; round++) {
		/* A plain key (what KEY() passes) and a random value. */
		kn = (size_t)rand() % 20;
		for (i = 0; i < kn; i++)
			kplain[i] = (char)("abc_xyz019 -.:/"[rand() % 15]);
		kplain[kn] = '\0';
		rand_text(val, sizeof(val) - 1);
		rand_text(key, sizeof(key) - 1);
		num = (int64_t)((uint64_t)rand() << 33 ^ (uint64_t)rand()) %
		    1000000000000000LL;
		if (rand() % 2)
			num = -num;
		jsonw_init(&w, SIZE_MAX);
		jsonw_object_begin(&w);
		jsonw_member_string(&w, kplain, kn, val);
		jsonw_member_int(&w, kplain, kn, num);
		jsonw_key_len(&w, kplain, kn);
		jsonw_string(&w, val);
		jsonw_key(&w, key);
		jsonw_string(&w, val);
		jsonw_key_len(&w, "arr", 3);
		jsonw_array_begin(&w);
		jsonw_member_string(&w, NULL, 0, val);
		jsonw_member_int(&w, NULL, 0, num);
		jsonw_array_end(&w);
		jsonw_object_end(&w);
		CHECK(jsonw_complete(&w));
		o = cJSON_CreateObject();
		cJSON_AddItemToObject(o, kplain, cJSON_CreateString(val));
		cJSON_AddItemToObject(o, kplain,
		    cJSON_CreateNumber((double)num));
		cJSON_AddItemToObject(o, kplain, cJSON_CreateString(val));
		cJSON_AddItemToObject(o, key, cJSON_CreateString(val));
		cJSON_AddItemToObject(o, "arr", cJSON_CreateArray());
		cJSON_AddItemToArray(cJSON_GetObjectItem(o, "arr"),
		    cJSON_CreateString(val));
		cJSON_AddItemToArray(cJSON_GetObjectItem(o, "arr"),
		    cJSON_CreateNumber((double)num));
		want = cjson(o);
		CHECK_STR(text(&w, 0), want);
		free(want);
		jsonw_free(&w);

		/* Limits: the member call and the two-call form agree on
		 * the bytes and on the error, at every limit near the end. */
		for (lim = 0; lim < 40 + 2 * strlen(val); lim += 1 +
		    (size_t)rand() % 3) {
			jsonw_init(&w, lim);
			jsonw_init(&v, lim);
			jsonw_object_begin(&w);
			jsonw_object_begin(&v);
			jsonw_member_string(&w, kplain, kn, val);
			jsonw_key(&v, kplain);
			jsonw_string(&v, val);
			jsonw_member_int(&w, kplain, kn, num);
			jsonw_key(&v, kplain);
			jsonw_int(&v, num);
			jsonw_object_end(&w);
			jsonw_object_end(&v);
			CHECK(jsonw_error(&w) == jsonw_error(&v));
			if (jsonw_error(&v) == JSONW_OK) {
				want = strdup(text(&v, 0));
				CHECK_STR(text(&w, 0), want);
				free(want);
			}
			jsonw_free(&w);
			jsonw_free(&v);
		}
	}
	/* Misuse: a member outside an object, a NULL value, a key left
	 * pending. */
	jsonw_init(&w, SIZE_MAX);
	jsonw_array_begin(&w);
	jsonw_member_string(&w, "k", 1, "v");
	CHECK(jsonw_error(&w) == JSONW_E_USAGE);
	jsonw_free(&w);
	jsonw_init(&w, SIZE_MAX);
	jsonw_object_begin(&w);
	jsonw_member_string(&w, "k", 1, NULL);
	CHECK(jsonw_error(&w) == JSONW_E_USAGE);
	jsonw_free(&w);
	jsonw_init(&w, SIZE_MAX);
	jsonw_object_begin(&w);
	JSONW_KEY(&w, "k");
	jsonw_member_int(&w, "j", 1, 1);
	CHECK(jsonw_error(&w) == JSONW_E_USAGE);
	jsonw_free(&w);
	jsonw_init(&w, SIZE_MAX);
	jsonw_int(&w, 1);
	jsonw_key_len(&w, "k", 1);
	CHECK(jsonw_error(&w) == JSONW_E_USAGE);
	jsonw_free(&w);
}

/* report.c passes every member name as KEY("literal") to jsonw_key_len,
 * which does not escape: each literal there must be plain (printable
 * ASCII, no '"' or '\\'), and the file may not call jsonw_key with a
 * computed name. Read from the source (the tests run in the project
 * root). */
static void
test_key_literals(void)
{
	FILE *f = fopen("host/core/report.c", "rb");
	static char src[1 << 18];
	size_t n, nkeys = 0, bad = 0;
	const char *p, *q;

	CHECK(f != NULL);
	if (f == NULL)
		return;
	n = fread(src, 1, sizeof(src) - 1, f);
	fclose(f);
	CHECK(n > 0 && n < sizeof(src) - 1);
	src[n] = '\0';
	for (p = src; (p = strstr(p, "KEY(")) != NULL; p += 4) {
		/* The macro's own definition and JSONW_KEY's name. */
		if (p > src && p[-1] == '_')
			continue;
		if (strncmp(p, "KEY(lit)", 8) == 0)
			continue;
		q = p + 4;
		if (*q != '"') {
			fprintf(stderr, "report.c: KEY( without a literal "
			    "at offset %zu\n", (size_t)(p - src));
			bad++;
			continue;
		}
		for (q++; *q != '"' && *q != '\0'; q++)
			if ((unsigned char)*q < 0x20 || *q == '\\' ||
			    (unsigned char)*q >= 0x7f)
				break;
		if (*q != '"' || q[1] != ')') {
			fprintf(stderr, "report.c: key needs escaping at "
			    "offset %zu\n", (size_t)(p - src));
			bad++;
		}
		nkeys++;
	}
	CHECK(bad == 0);
	CHECK(nkeys > 150);
	CHECK(strstr(src, "jsonw_key(") == NULL);
}

/* ---- report_result vs report_result_write ---- */

static int nchecked;

/* Prints id the way the engine does (once per request). */
static void
check_same(const struct lookup_result *lr, const cJSON *id)
{
	struct jsonw w;
	char *want, *id_json = NULL;
	int rc;

	if (id != NULL)
		id_json = cJSON_PrintUnformatted(id);
	want = cjson(report_result(lr, id));
	CHECK(want != NULL);
	jsonw_init(&w, SIZE_MAX);
	jsonw_bytes(&w, "HDR", 3);	/* a frame header before it */
	jsonw_restart(&w, DS_MAX_REPLY_BYTES);
	rc = report_result_write(&w, lr, id_json);
	CHECK(rc == 0);
	if (want != NULL && rc == 0) {
		const char *got = text(&w, 3);

		if (strcmp(got, want) != 0) {
			t_fail++;
			fprintf(stderr, "differs:\n got %s\nwant %s\n", got,
			    want);
		} else
			t_pass++;
		nchecked++;
		/* The writer refuses it one byte short of its size. */
		jsonw_truncate(&w, 3);
		jsonw_restart(&w, strlen(want) - 1);
		CHECK(report_result_write(&w, lr, id_json) == JSONW_E_LIMIT);
		jsonw_truncate(&w, 3);
		jsonw_restart(&w, strlen(want));
		CHECK(report_result_write(&w, lr, id_json) == 0);
	}
	free(want);
	free(id_json);
	jsonw_free(&w);
}

static cJSON *ids[8];
static size_t nids;

static void
make_ids(void)
{
	cJSON *o;

	ids[nids++] = NULL;
	ids[nids++] = cJSON_CreateNull();
	ids[nids++] = cJSON_CreateString("req-1 \"quoted\" \\ \x01\n\xc3\xa9");
	ids[nids++] = cJSON_CreateNumber(42);
	ids[nids++] = cJSON_CreateNumber(-0.1);
	ids[nids++] = cJSON_CreateNumber(1e300);
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "a", cJSON_CreateIntArray((const int[]){ 1,
	    2 }, 2));
	cJSON_AddStringToObject(o, "b", "\t");
	ids[nids++] = o;
}

static void
check_all_ids(const struct lookup_result *lr)
{
	size_t i;

	for (i = 0; i < nids; i++)
		check_same(lr, ids[i]);
}

static uint8_t der_bytes[700];

static void
fake_cert(struct lr_cert *c, unsigned k)
{
	static char *emails[] = { "a@example.com", "\xc3\xa9@b\"\\.test",
	    "c@d\te" };
	static const char *codes[] = { "expired", "no-san", "weak-key" };
	size_t i;

	memset(c, 0, sizeof(*c));
	c->sum.der = der_bytes;
	c->sum.der_len = (k * 97) % sizeof(der_bytes);
	snprintf(c->sum.sha256, sizeof(c->sum.sha256), "%064x", k);
	c->sum.subject = k % 3 == 0 ? NULL : k % 3 == 1 ?
	    "CN=Alice \"A\" \\ Example,E=a@example.com" : "CN=\x01\x1f\x7f\xff";
	c->sum.issuer = k % 2 ? "CN=Issuer\n\r" : NULL;
	c->sum.emails = emails;
	c->sum.nemails = k % 4;
	strcpy(c->sum.not_before_iso, "2026-01-01T00:00:00Z");
	strcpy(c->sum.not_after_iso, "2027-01-01T00:00:00Z");
	c->sum.is_ca = k % 5 == 0;
	strcpy(c->sum.key_type, k % 2 ? "rsa" : "ec");
	c->sum.key_bits = k % 2 ? 2048 : 256;
	c->usage = (uint8_t)(k % 4);
	c->selector = (uint8_t)(k % 2);
	c->matching = (uint8_t)(k % 3);
	c->v.usable = k % 2 == 0;
	c->v.matched = k % 3 != 0;
	c->v.usage = 3;
	c->v.selector = (uint8_t)(k % 2);
	c->v.matching = 255;
	c->v.basis = (enum trust_basis)(k % 4);
	c->v.can_encrypt = k % 2;
	c->v.can_sign = k % 3 == 1;
	c->v.nproblems = k % 4;
	for (i = 0; i < c->v.nproblems; i++) {
		c->v.problems[i].code = codes[i % 3];
		snprintf(c->v.problems[i].message,
		    sizeof(c->v.problems[i].message),
		    "problem %zu: \"%s\" (RFC 8162 \\ 6)\t", i, codes[i % 3]);
	}
}

/* The "key" member ("%s %u" of key_type and key_bits, formatted in
 * report.c without snprintf) against snprintf, for every key_type
 * length and bit counts of every width. */
static void
test_key_text(void)
{
	static const unsigned bits[] = { 0, 1, 9, 10, 99, 100, 255, 256, 2048,
	    4096, 65535, 1000000, 4294967295u };
	struct lr_cert c;
	char want[32];
	const cJSON *k;
	cJSON *j;
	size_t t, b;

	for (t = 0; t < sizeof(c.sum.key_type); t++)
		for (b = 0; b < sizeof(bits) / sizeof(bits[0]); b++) {
			fake_cert(&c, (unsigned)(t + b));
			memset(c.sum.key_type, 0, sizeof(c.sum.key_type));
			memset(c.sum.key_type, 'a' + (int)(t % 26), t);
			c.sum.key_bits = bits[b];
			snprintf(want, sizeof(want), "%s %u", c.sum.key_type,
			    c.sum.key_bits);
			j = report_cert(&c);
			k = cJSON_GetObjectItemCaseSensitive(j, "key");
			CHECK(cJSON_IsString(k));
			CHECK_STR(cJSON_IsString(k) ? k->valuestring : NULL,
			    want);
			cJSON_Delete(j);
		}
}

static const uint8_t rdata[] = { 0x00, 0x01, 0xab, 0xcd, 0xef, 0xff, 0x10 };

static void
fake_record(struct lr_record *r, unsigned k, int cert)
{
	memset(r, 0, sizeof(*r));
	r->usage = (uint8_t)(k % 5);
	r->selector = (uint8_t)(k % 3);
	r->matching = (uint8_t)(k % 4);
	r->data = rdata;
	r->len = k % (sizeof(rdata) + 1);
	r->cert = cert;
	if (k % 3 == 0) {
		r->problem_code = "bad-usage";
		snprintf(r->problem, sizeof(r->problem),
		    "usage %u is not defined (RFC 6698 \"2.1.1\")\n", k % 5);
	}
}

static const char *const addresses[] = {
	"alice@example.com",
	"",
	"\"quoted local\"@example.com",
	"back\\slash@example.com",
	"ctl\x01\x1f@example.com",
	"j\xc3\xbcrgen@b\xc3\xbc\x63her.example",
	"bad\xff\xfeutf8@example.com",
	"overlong\xc0\xaf@example.com",
	"surrogate\xed\xa0\x80@example.com",
	"cut\xe2\x82@example.com",
	"tab\tand\nnewline@example.com",
};

static void
test_results(void)
{
	static const char *reasons[] = { NULL, "no SMIMEA record (RFC 8162 "
	    "\"absent\")", "the zone is unsigned\n" };
	struct lr_record recs[6];
	struct lr_cert certs[4];
	struct lookup_result lr;
	unsigned k;
	size_t i;

	for (k = 0; k < 600; k++) {
		const char *a = addresses[k % (sizeof(addresses) /
		    sizeof(addresses[0]))];

		memset(&lr, 0, sizeof(lr));
		lr.address = a;
		lr.address_len = strlen(a);
		/* An address with a NUL inside, or not ending at len. */
		if (k % 37 == 5)
			lr.address_len = strlen(a) + 1;
		if (k % 41 == 7 && lr.address_len > 2)
			lr.address_len -= 2;
		if (k % 4 != 0)
			snprintf(lr.query, sizeof(lr.query), "%u._smimecert."
			    "example.com", k);
		lr.status = (enum lookup_status)(k % 6);
		lr.dnssec = (enum dnssec_state)(k % 4);
		lr.ttl = k % 7 == 0 ? UINT32_MAX : k * 31;
		lr.reason = reasons[k % 3];
		lr.ncerts = k % 5 == 4 ? 0 : k % 4;
		for (i = 0; i < lr.ncerts; i++)
			fake_cert(&certs[i], k + (unsigned)i);
		lr.certs = certs;
		lr.nrecords = k % 7;
		for (i = 0; i < lr.nrecords; i++)
			fake_record(&recs[i], k + (unsigned)i, i < lr.ncerts ?
			    (int)i : -1);
		lr.records = recs;
		if (k % 6 == 5) {
			lr.err_code = k % 12 == 5 ? "timeout" : "servfail";
			snprintf(lr.err_message, sizeof(lr.err_message),
			    "the resolver said \"%u\"\x02", k);
		}
		lr.has_ede = k % 5 == 2;
		lr.ede_code = (uint16_t)(k % 2 ? 65535 : 9);
		lr.ede_text = k % 3 == 0 ? NULL : k % 3 == 1 ?
		    "DNSKEY missing" : "\"x\"\x7f\x1b[31m";
		lr.cached = k % 2 == 1;
		lr.verify = k % 9 == 0;
		check_same(&lr, ids[k % nids]);
		if (k % 50 == 0)
			check_all_ids(&lr);
	}
}

/* Random strings: every byte but NUL, at random. */
static void
test_random(void)
{
	static char addr[64], reason[64], ede[64], subj[64];
	struct lr_cert cert;
	struct lookup_result lr;
	unsigned seed = 12345, k;
	size_t i;

	for (k = 0; k < 3000; k++) {
		for (i = 0; i + 1 < sizeof(addr); i++) {
			seed = seed * 1103515245u + 12345u;
			addr[i] = (char)(1 + (seed >> 16) % 255);
			reason[i] = (char)(1 + (seed >> 8) % 255);
			ede[i] = (char)(1 + (seed >> 4) % 255);
			subj[i] = (char)(1 + (seed >> 20) % 255);
		}
		addr[(seed >> 3) % sizeof(addr)] = '\0';
		reason[sizeof(reason) - 1] = ede[sizeof(ede) - 1] = '\0';
		subj[sizeof(subj) - 1] = '\0';
		memset(&lr, 0, sizeof(lr));
		lr.address = addr;
		lr.address_len = strlen(addr);
		lr.reason = reason;
		lr.has_ede = true;
		lr.ede_code = (uint16_t)seed;
		lr.ede_text = ede;
		fake_cert(&cert, k);
		cert.sum.subject = subj;
		lr.certs = &cert;
		lr.ncerts = 1;
		check_same(&lr, ids[k % nids]);
	}
}

/* Certificates as NSS decodes them from the fixtures. */
static void
test_real_certs(const char *dir)
{
	static const char *names[] = { "ec.der", "ed25519.der", "ca.der",
	    "chain.der", "anyeku.der" };
	struct lookup_result lr;
	struct lr_cert cert;
	struct lr_record rec;
	const char *why = NULL;
	uint8_t *der;
	size_t len, i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		der = t_load(dir, names[i], &len);
		memset(&cert, 0, sizeof(cert));
		CHECK(certs_decode(der, len, &cert.sum, &why) == CERTS_OK);
		cert.usage = 3;
		cert.v.matched = true;
		cert.v.usable = true;
		cert.v.basis = BASIS_DANE_EE;
		fake_record(&rec, 1, 0);
		memset(&lr, 0, sizeof(lr));
		lr.address = "alice@example.com";
		lr.address_len = strlen(lr.address);
		strcpy(lr.query, "abc._smimecert.example.com");
		lr.certs = &cert;
		lr.ncerts = 1;
		lr.records = &rec;
		lr.nrecords = 1;
		lr.ttl = 300;
		check_all_ids(&lr);
		cert_summary_free(&cert.sum);
		free(der);
	}
}

static void
test_error(void)
{
	static const char *msgs[] = { "the reply exceeded the 1 MiB "
	    "native-messaging limit", "\"q\" \\ \x01\n" };
	struct jsonw w;
	char *want, *id_json;
	size_t i, m;

	for (i = 0; i < nids; i++)
		for (m = 0; m < 2; m++) {
			id_json = ids[i] != NULL ?
			    cJSON_PrintUnformatted(ids[i]) : NULL;
			want = cjson(report_error(ids[i], "reply-too-large",
			    msgs[m]));
			jsonw_init(&w, SIZE_MAX);
			CHECK(report_error_write(&w, id_json,
			    "reply-too-large", msgs[m]) == 0);
			CHECK_STR(text(&w, 0), want);
			free(want);
			free(id_json);
			jsonw_free(&w);
		}
}

int
main(int argc, char **argv)
{
	size_t i;

	test_strings();
	test_base64_keys();
	test_numbers();
	test_structure();
	test_members();
	test_key_literals();
	make_ids();
	test_key_text();
	test_results();
	test_random();
	test_real_certs(argc > 1 ? argv[1] : DS_FIXTURES_DIR);
	test_error();
	printf("report: %d results compared byte for byte\n", nchecked);
	CHECK(nchecked > 3000);
	for (i = 0; i < nids; i++)
		cJSON_Delete(ids[i]);
	crypto_shutdown();
	return t_done("jsonw");
}
