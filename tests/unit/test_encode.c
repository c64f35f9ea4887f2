/* test_encode.c - base64, hex and UTF-8 (utf8.h) against RFC vectors and
 * malformed input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "t.h"
#include "utf8.h"

#define L(s)	s, sizeof(s) - 1

/* RFC 4648 10 test vectors. */
static const char *const b64_vec[][2] = {
	{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

static void
test_b64(void)
{
	static const struct {
		const char *in;
		size_t len;
		int rc;
		const char *want;
	} dec[] = {
		/* PEM-style line breaks and blanks are skipped. */
		{ L("Zm9v\r\nYmFy\r\n"), 0, "foobar" },
		{ L(" Zm9v\tYm\nE=\n"), 0, "fooba" },
		{ L("Zg=\n="), 0, "f" },
		{ L("\n"), 0, "" },
		{ L("+/+/"), 0, "\xfb\xff\xbf" },
		/* Padding required, only at the end, canonical. */
		{ L("Zg"), 1, NULL },
		{ L("Zg="), 1, NULL },
		{ L("Zm9"), 1, NULL },
		{ L("Z==="), 1, NULL },
		{ L("===="), 1, NULL },
		{ L("="), 1, NULL },
		{ L("Zm9v===="), 1, NULL },
		{ L("Zg==Zg=="), 1, NULL },
		{ L("Zg==x"), 1, NULL },
		{ L("Zg=a"), 1, NULL },
		{ L("Zh=="), 1, NULL },		/* non-zero pad bits */
		{ L("Zm9="), 1, NULL },
		/* Outside the alphabet: URL-safe, NUL, VT, 8-bit. */
		{ L("-_-_"), 1, NULL },
		{ L("Zm\09v"), 1, NULL },
		{ L("Zm9v\v"), 1, NULL },
		{ L("Zm9v\xc3\xa4"), 1, NULL },
		{ L("Zm9v!"), 1, NULL },
	};
	uint8_t buf[300], *out;
	size_t i, n, outlen;
	char *e;

	for (i = 0; i < sizeof(b64_vec) / sizeof(b64_vec[0]); i++) {
		e = b64_encode((const uint8_t *)b64_vec[i][0],
		    strlen(b64_vec[i][0]));
		CHECK_STR(e, b64_vec[i][1]);
		free(e);
		out = NULL;
		CHECK(b64_decode(b64_vec[i][1], strlen(b64_vec[i][1]), &out,
		    &outlen) == 0);
		CHECK(out != NULL && outlen == strlen(b64_vec[i][0]) &&
		    memcmp(out, b64_vec[i][0], outlen) == 0);
		free(out);
	}
	for (i = 0; i < sizeof(dec) / sizeof(dec[0]); i++) {
		int rc;

		out = NULL;
		rc = b64_decode(dec[i].in, dec[i].len, &out, &outlen);
		CHECK(rc == dec[i].rc);
		if (rc != dec[i].rc)
			fprintf(stderr, "  b64 #%zu: rc %d\n", i, rc);
		if (dec[i].want != NULL)
			CHECK(rc == 0 && outlen == strlen(dec[i].want) &&
			    memcmp(out, dec[i].want, outlen) == 0);
		else
			CHECK(out == NULL);
		free(out);
	}
	/* Round trip of every length 0..299 over all byte values. */
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	for (n = 0; n <= sizeof(buf); n++) {
		e = b64_encode(buf, n);
		CHECK(e != NULL && strlen(e) == (n + 2) / 3 * 4);
		CHECK(b64_decode(e, strlen(e), &out, &outlen) == 0);
		CHECK(outlen == n && memcmp(out, buf, n) == 0);
		free(out);
		free(e);
	}
}

static void
test_hex(void)
{
	static const uint8_t bytes[] = { 0x00, 0x01, 0x7f, 0x80, 0xab, 0xff };
	char out[2 * sizeof(bytes) + 1];
	uint8_t *dec;
	size_t n;

	hex_encode(bytes, sizeof(bytes), out);
	CHECK_STR(out, "00017f80abff");
	hex_encode(bytes, 0, out);
	CHECK_STR(out, "");
	CHECK(hex_decode(L("00017F80abFF"), &dec, &n) == 0);
	CHECK(n == sizeof(bytes) && memcmp(dec, bytes, n) == 0);
	free(dec);
	/* RFC 6698 2.2: blanks may split the data in presentation form. */
	CHECK(hex_decode(L("0001 7f80\n\tab ff"), &dec, &n) == 0);
	CHECK(n == sizeof(bytes) && memcmp(dec, bytes, n) == 0);
	free(dec);
	CHECK(hex_decode(L(""), &dec, &n) == 0 && n == 0);
	free(dec);
	dec = NULL;
	CHECK(hex_decode(L("abc"), &dec, &n) == 1);
	CHECK(hex_decode(L("a b c"), &dec, &n) == 1);
	CHECK(hex_decode(L("0g"), &dec, &n) == 1);
	CHECK(hex_decode(L("0x00"), &dec, &n) == 1);
	CHECK(hex_decode(L("00\0"), &dec, &n) == 1);
	CHECK(dec == NULL);
}

static void
test_utf8(void)
{
	static const struct {
		const char *s;
		size_t len;
		bool valid, text;
	} v[] = {
		{ L(""), true, true },
		{ L("plain ascii"), true, true },
		{ L("j\xc3\xb6rg \xe2\x82\xac \xf0\x9f\x98\x80"), true, true },
		{ L("\xf4\x8f\xbf\xbf"), true, true },		/* U+10FFFF */
		{ L("\xed\x9f\xbf"), true, true },		/* U+D7FF */
		{ L("\xee\x80\x80"), true, true },		/* U+E000 */
		{ L("a\0b"), true, false },
		{ L("tab\t"), true, false },
		{ L("cr\r"), true, false },
		{ L("del\x7f"), true, false },
		{ L("c1 \xc2\x80"), true, false },
		{ L("c1 \xc2\x9f"), true, false },
		{ L("\xc2\xa0"), true, true },			/* NBSP */
		{ L("\xc0\x80"), false, false },		/* overlong NUL */
		{ L("\xc1\xbf"), false, false },
		{ L("\xe0\x80\xaf"), false, false },		/* overlong '/' */
		{ L("\xe0\x9f\xbf"), false, false },
		{ L("\xf0\x8f\xbf\xbf"), false, false },
		{ L("\xed\xa0\x80"), false, false },		/* surrogate */
		{ L("\xed\xbf\xbf"), false, false },
		{ L("\xf4\x90\x80\x80"), false, false },	/* > U+10FFFF */
		{ L("\xf5\x80\x80\x80"), false, false },
		{ L("\xff"), false, false },
		{ L("\x80"), false, false },
		{ L("\xc3"), false, false },			/* truncated */
		{ L("\xe2\x82"), false, false },
		{ L("\xf0\x9f\x98"), false, false },
		{ L("\xc3\x28"), false, false },
	};
	size_t i;
	char *s;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CHECK(utf8_valid(v[i].s, v[i].len) == v[i].valid);
		CHECK(utf8_valid_text(v[i].s, v[i].len) == v[i].text);
		if (utf8_valid(v[i].s, v[i].len) != v[i].valid ||
		    utf8_valid_text(v[i].s, v[i].len) != v[i].text)
			fprintf(stderr, "  utf8 #%zu\n", i);
		/* Whatever goes in, what comes out is clean text. */
		s = utf8_sanitize(v[i].s, v[i].len);
		CHECK(s != NULL && strlen(s) <= v[i].len &&
		    utf8_valid_text(s, strlen(s)));
		if (v[i].text)
			CHECK(s != NULL && strlen(s) == v[i].len &&
			    memcmp(s, v[i].s, v[i].len) == 0);
		free(s);
	}
	s = utf8_sanitize(L("a\0b\r\n\xc3\xb6\xff\xe2\x82!\xc2\x85"));
	CHECK_STR(s, "a?b??\xc3\xb6??" "?!?");
	free(s);

	/* Cutting never splits a sequence. */
	CHECK(utf8_truncate(L("ab\xc3\xb6")) == 4);
	CHECK(utf8_truncate("ab\xc3\xb6", 3) == 2);
	CHECK(utf8_truncate("\xf0\x9f\x98\x80", 3) == 0);
	CHECK(utf8_truncate("x\xf0\x9f\x98\x80", 4) == 1);
	CHECK(utf8_truncate("x\xf0\x9f\x98\x80", 5) == 5);
	CHECK(utf8_truncate("", 0) == 0);
}

int
main(void)
{
	test_b64();
	test_hex();
	test_utf8();
	return t_done("encode");
}
