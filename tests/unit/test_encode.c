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

/* ---- the ASCII fast paths against the decoder-only originals ----
 * The functions as they were before the 8-bytes-at-a-time paths, kept
 * here as the reference: the new ones must give the same answer (and
 * the same bytes) for every input. */
static bool
ref_valid(const char *s, size_t len)
{
	size_t off = 0, n;
	uint32_t cp;

	while (off < len) {
		if ((n = utf8_decode(s + off, len - off, &cp)) == 0)
			return false;
		off += n;
	}
	return true;
}

static bool
ref_valid_text(const char *s, size_t len)
{
	size_t off = 0, n;
	uint32_t cp;

	while (off < len) {
		if ((n = utf8_decode(s + off, len - off, &cp)) == 0 ||
		    utf8_is_control(cp))
			return false;
		off += n;
	}
	return true;
}

static char *
ref_sanitize(const char *src, size_t len)
{
	char *out;
	size_t off = 0, o = 0, n;
	uint32_t cp;

	if (len == SIZE_MAX)
		return NULL;
	if ((out = malloc(len + 1)) == NULL)
		return NULL;
	while (off < len) {
		n = utf8_decode(src + off, len - off, &cp);
		if (n == 0 || utf8_is_control(cp)) {
			out[o++] = '?';
			off += n == 0 ? 1 : n;
			continue;
		}
		memcpy(out + o, src + off, n);
		o += n;
		off += n;
	}
	out[o] = '\0';
	return out;
}

static size_t nutf8_mismatch;

/* s[0..len) in a buffer of exactly len bytes (ASan sees any overread)
 * through the three functions and their references. */
static void
utf8_same(const char *s, size_t len)
{
	char *b = malloc(len ? len : 1), *got, *want;

	CHECK(b != NULL);
	if (b == NULL)
		return;
	memcpy(b, s, len);
	got = utf8_sanitize(b, len);
	want = ref_sanitize(b, len);
	if (utf8_valid(b, len) != ref_valid(b, len) ||
	    utf8_valid_text(b, len) != ref_valid_text(b, len) ||
	    got == NULL || want == NULL || strcmp(got, want) != 0) {
		if (nutf8_mismatch++ < 10)
			fprintf(stderr, "utf8 fast path differs, len %zu\n",
			    len);
	}
	free(got);
	free(want);
	free(b);
}

static void
test_utf8_fast(void)
{
	/* Pieces that exercise every branch: printable ASCII, the controls
	 * and DEL, C1 in UTF-8, valid 2-4 byte sequences, and ill-formed
	 * ones (overlong, surrogate, > U+10FFFF, stray continuation,
	 * truncated lead, bytes that never appear). */
	static const char *const piece[] = {
		"a", "Z", " ", "~", "0123456789", "CN=Example", "\x00",
		"\x01", "\t", "\n", "\x1f", "\x7f", "\xc2\x80", "\xc2\x9f",
		"\xc2\xa0", "\xc3\xb6", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
		"\xf4\x8f\xbf\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x80\xaf",
		"\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf5", "\xff", "\x80",
		"\xbf", "\xc3", "\xe2\x82", "\xf0\x9f\x98", "\"", "\\",
	};
	char buf[256];
	size_t len, i, k, plen;
	int round, c;

	/* Every byte value at every offset of ASCII text 0..24 long. */
	for (len = 1; len <= 24; len++)
		for (i = 0; i < len; i++)
			for (c = 0; c < 256; c++) {
				memset(buf, 'x', len);
				buf[i] = (char)c;
				utf8_same(buf, len);
			}
	/* Every piece at every offset, padded with ASCII on both sides. */
	for (k = 0; k < sizeof(piece) / sizeof(piece[0]); k++) {
		plen = piece[k][0] == '\0' ? 1 : strlen(piece[k]);
		for (i = 0; i < 20; i++)
			for (len = i + plen; len < i + plen + 12; len++) {
				memset(buf, 'm', len);
				memcpy(buf + i, piece[k], plen);
				utf8_same(buf, len);
			}
	}
	/* Random mixes of pieces and random bytes. */
	srand(15);
	for (round = 0; round < 200000; round++) {
		len = 0;
		while (len < 200 && rand() % 16 != 0) {
			if (rand() % 8 == 0) {
				buf[len++] = (char)(rand() % 256);
				continue;
			}
			k = (size_t)rand() % (sizeof(piece) / sizeof(piece[0]));
			plen = piece[k][0] == '\0' ? 1 : strlen(piece[k]);
			memcpy(buf + len, piece[k], plen);
			len += plen;
		}
		utf8_same(buf, len);
	}
	CHECK(nutf8_mismatch == 0);
	utf8_same("", 0);
}

int
main(void)
{
	test_b64();
	test_hex();
	test_utf8();
	test_utf8_fast();
	return t_done("encode");
}
