/* test_smimetxt.c - the _smime TXT owner name, RDATA and URL rules as
 * tables, and dnsmsg's TXT extraction over answers built here. */
#include <stdlib.h>
#include <string.h>

#include "../../host/mail/address.h"
#include "../../host/base/crypto.h"
#include "../../host/dns/dnsmsg.h"
#include "../../host/dns/smimetxt.h"
#include "t.h"

/* --- owner name --- */

static const struct {
	const char *local, *domain, *want;	/* want NULL: refused */
	int rc;
} owners[] = {
	{ "firstname.lastname", "example.com",
	    "firstname.lastname._smime.example.com", SMIMETXT_OK },
	{ "jane", "example.com", "jane._smime.example.com", SMIMETXT_OK },
	{ "John.Doe", "example.com", "John.Doe._smime.example.com",
	    SMIMETXT_OK },			/* case kept */
	{ "a-b_c+d.e9", "xn--bcher-kva.example",
	    "a-b_c+d.e9._smime.xn--bcher-kva.example", SMIMETXT_OK },
	{ "", "example.com", NULL, SMIMETXT_E_LOCAL },
	{ ".jane", "example.com", NULL, SMIMETXT_E_LABEL },
	{ "jane.", "example.com", NULL, SMIMETXT_E_LABEL },
	{ "ja..ne", "example.com", NULL, SMIMETXT_E_LABEL },
	{ "\"jane doe\"", "example.com", NULL, SMIMETXT_E_LOCAL },
	{ "jane$", "example.com", NULL, SMIMETXT_E_LOCAL },
	{ "*", "example.com", NULL, SMIMETXT_E_LOCAL },
	{ "a/b", "example.com", NULL, SMIMETXT_E_LOCAL },
	{ "j\xc3\xb6rg", "example.com", NULL, SMIMETXT_E_LOCAL },
	{ "ja ne", "example.com", NULL, SMIMETXT_E_LOCAL },
	{ "jane\\.doe", "example.com", NULL, SMIMETXT_E_LOCAL },
	{ "jane", "", NULL, SMIMETXT_E_DOMAIN },
	{ "jane", "exa_mple.com", NULL, SMIMETXT_E_DOMAIN },
	{ "jane", "example..com", NULL, SMIMETXT_E_DOMAIN },
	{ "jane", "example.com.", NULL, SMIMETXT_E_DOMAIN },
	{ "jane", "b\xc3\xbc" "cher.example", NULL, SMIMETXT_E_DOMAIN },
};

static void
test_owner(void)
{
	char out[DS_MAX_DOMAIN + 1], local[80], dom[300];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(owners) / sizeof(owners[0]); i++) {
		rc = smimetxt_owner(owners[i].local, strlen(owners[i].local),
		    owners[i].domain, out, sizeof(out));
		if (rc != owners[i].rc)
			fprintf(stderr, "owner %zu: rc %d\n", i, rc);
		CHECK(rc == owners[i].rc);
		CHECK_STR(out, owners[i].want ? owners[i].want : "");
	}
	/* 63-octet label fine, 64 too long (RFC 1035 2.3.4). */
	memset(local, 'a', 64);
	CHECK(smimetxt_owner(local, 63, "example.com", out, sizeof(out)) == 0);
	CHECK(smimetxt_owner(local, 64, "example.com", out, sizeof(out)) ==
	    SMIMETXT_E_LABEL);
	/* 65 octets is not a local-part at all (RFC 5321 4.5.3.1.1). */
	memset(local, 'a', 65);
	local[30] = '.';
	CHECK(smimetxt_owner(local, 65, "example.com", out, sizeof(out)) ==
	    SMIMETXT_E_LOCAL);
	/* Total wire length: local 64 (two labels) + _smime 7 + domain +
	 * root. A 253-octet domain is fine alone, too long here. */
	memset(dom, 0, sizeof(dom));
	for (i = 0; i < 4; i++) {
		memset(dom + i * 64, 'd', 63);
		if (i < 3)
			dom[i * 64 + 63] = '.';
	}
	dom[3 * 64 + 61] = '\0';	/* 3*64 + 61 = 253 octets */
	CHECK(strlen(dom) == 253);
	CHECK(smimetxt_owner("a", 1, dom, out, sizeof(out)) ==
	    SMIMETXT_E_NAME_LENGTH);
	/* Exactly 255 wire octets: 2 (a) + 7 (_smime) + 245 (a 244-octet
	 * domain) + 1 (root). */
	dom[244] = '\0';
	dom[243] = 'e';
	CHECK(strlen(dom) == 244);
	CHECK(smimetxt_owner("a", 1, dom, out, sizeof(out)) == 0);
	CHECK(strlen(out) == 253);
	CHECK(smimetxt_owner("ab", 2, dom, out, sizeof(out)) ==
	    SMIMETXT_E_NAME_LENGTH);
	/* Too small a buffer is our fault. */
	CHECK(smimetxt_owner("jane", 4, "example.com", out, 10) == -1);
	CHECK(smimetxt_owner("jane", 4, "example.com", out, 24) == 0);
	CHECK(smimetxt_owner("jane", 4, "example.com", out, 23) == -1);
}

/* From addresses as address_parse gives them (A-label domain, the
 * local-part as written), as the engine will call it. */
static void
test_owner_from_address(void)
{
	static const struct {
		const char *addr, *want;
		int rc;
	} t[] = {
		{ "firstname.lastname@example.com",
		    "firstname.lastname._smime.example.com", SMIMETXT_OK },
		{ "Jane@EXAMPLE.com", "Jane._smime.example.com", SMIMETXT_OK },
		{ "jane@b\xc3\xbc" "cher.example",
		    "jane._smime.xn--bcher-kva.example", SMIMETXT_OK },
		{ "j\xc3\xb6rg@example.com", "", SMIMETXT_E_LOCAL },
		{ "\"jane doe\"@example.com", "", SMIMETXT_E_LOCAL },
		{ "jane+tag@example.com", "jane+tag._smime.example.com",
		    SMIMETXT_OK },
		{ "o'brien@example.com", "", SMIMETXT_E_LOCAL },
	};
	struct address a;
	char out[DS_MAX_DOMAIN + 1];
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CHECK(address_parse(t[i].addr, strlen(t[i].addr), &a, &why) ==
		    ADDR_OK);
		CHECK(smimetxt_owner(a.local, a.local_len, a.domain, out,
		    sizeof(out)) == t[i].rc);
		CHECK_STR(out, t[i].want);
	}
}

/* --- TXT RDATA --- */

static void
test_rdata(void)
{
	char text[DS_MAX_SMIME_URL + 1], small[8];
	uint8_t rd[70000];
	size_t n, i;

	/* One string. */
	CHECK(smimetxt_rdata((const uint8_t *)"\x05hello", 6, text,
	    sizeof(text), &n) == 0);
	CHECK(n == 5);
	CHECK_STR(text, "hello");
	/* Several strings concatenate without separators; empty ones too. */
	CHECK(smimetxt_rdata((const uint8_t *)"\x03" "abc\x00\x02" "de", 8,
	    text, sizeof(text), &n) == 0);
	CHECK_STR(text, "abcde");
	/* One empty string is a valid (empty) text. */
	CHECK(smimetxt_rdata((const uint8_t *)"\x00", 1, text, sizeof(text),
	    &n) == 0 && n == 0);
	/* No string at all, a length past the end, a missing byte. */
	CHECK(smimetxt_rdata((const uint8_t *)"", 0, text, sizeof(text), &n) ==
	    SMIMETXT_E_RDATA);
	CHECK(smimetxt_rdata(NULL, 0, text, sizeof(text), &n) ==
	    SMIMETXT_E_RDATA);
	CHECK(smimetxt_rdata((const uint8_t *)"\x06hello", 6, text,
	    sizeof(text), &n) == SMIMETXT_E_RDATA);
	CHECK(smimetxt_rdata((const uint8_t *)"\x02hi\x03hi", 6, text,
	    sizeof(text), &n) == SMIMETXT_E_RDATA);
	CHECK_STR(text, "");
	/* An embedded NUL is kept and counted. */
	CHECK(smimetxt_rdata((const uint8_t *)"\x03" "a\0b", 4, text,
	    sizeof(text), &n) == 0 && n == 3 && text[1] == '\0');
	/* Length bounds: exactly DS_MAX_SMIME_URL, one more; small buffer. */
	for (i = 0, n = 0; n < DS_MAX_SMIME_URL; i++) {
		size_t k = DS_MAX_SMIME_URL - n < 255 ? DS_MAX_SMIME_URL - n :
		    255;
		rd[i++] = (uint8_t)k;
		memset(rd + i, 'x', k);
		i += k - 1;
		n += k;
	}
	CHECK(smimetxt_rdata(rd, i, text, sizeof(text), &n) == 0 &&
	    n == DS_MAX_SMIME_URL);
	rd[i] = 1;
	rd[i + 1] = 'y';
	CHECK(smimetxt_rdata(rd, i + 2, text, sizeof(text), &n) ==
	    SMIMETXT_E_TXT_LENGTH);
	CHECK(smimetxt_rdata((const uint8_t *)"\x08" "12345678", 9, small,
	    sizeof(small), &n) == SMIMETXT_E_TXT_LENGTH);
	CHECK(smimetxt_rdata((const uint8_t *)"\x07" "1234567", 8, small,
	    sizeof(small), &n) == 0);
	/* A full 64 KiB RDATA of 255-octet strings: refused, not read past. */
	for (i = 0; i + 256 <= sizeof(rd); i += 256) {
		rd[i] = 255;
		memset(rd + i + 1, 'z', 255);
	}
	CHECK(smimetxt_rdata(rd, i, text, sizeof(text), &n) ==
	    SMIMETXT_E_TXT_LENGTH);
}

/* --- URL --- */

static const struct {
	const char *in, *want, *host;	/* want NULL: refused */
	unsigned port;
	int rc;
} urls[] = {
	{ "https://example.com/.well-known/smime/firstname_lastname.crt",
	    "https://example.com/.well-known/smime/firstname_lastname.crt",
	    "example.com", 443, SMIMETXT_OK },
	{ "HTTPS://Example.COM/A/B.crt", "https://example.com/A/B.crt",
	    "example.com", 443, SMIMETXT_OK },
	{ "https://example.com", "https://example.com", "example.com", 443,
	    SMIMETXT_OK },
	{ "https://example.com:8443/x", "https://example.com:8443/x",
	    "example.com", 8443, SMIMETXT_OK },
	{ "https://example.com:1/x", "https://example.com:1/x",
	    "example.com", 1, SMIMETXT_OK },
	{ "https://example.com:65535/x", "https://example.com:65535/x",
	    "example.com", 65535, SMIMETXT_OK },
	{ "https://certs.example.com/get?u=jane%40example.com&t=1",
	    "https://certs.example.com/get?u=jane%40example.com&t=1",
	    "certs.example.com", 443, SMIMETXT_OK },
	{ "https://example.com?x", "https://example.com?x", "example.com",
	    443, SMIMETXT_OK },
	{ "https://xn--bcher-kva.example/c", "https://xn--bcher-kva.example/c",
	    "xn--bcher-kva.example", 443, SMIMETXT_OK },
	{ "https://localhost/a@b", "https://localhost/a@b", "localhost", 443,
	    SMIMETXT_OK },
	{ "https://1a.example/", "https://1a.example/", "1a.example", 443,
	    SMIMETXT_OK },
	/* scheme */
	{ "http://example.com/a.crt", NULL, NULL, 0, SMIMETXT_E_URL_SCHEME },
	{ "ftp://example.com/a.crt", NULL, NULL, 0, SMIMETXT_E_URL_SCHEME },
	{ "httpss://example.com/", NULL, NULL, 0, SMIMETXT_E_URL_SCHEME },
	{ "file:///etc/passwd", NULL, NULL, 0, SMIMETXT_E_URL_SCHEME },
	{ "https:example.com/", NULL, NULL, 0, SMIMETXT_E_URL_SYNTAX },
	{ "https:/example.com/", NULL, NULL, 0, SMIMETXT_E_URL_SYNTAX },
	{ "//example.com/", NULL, NULL, 0, SMIMETXT_E_URL_SYNTAX },
	{ "example.com/a.crt", NULL, NULL, 0, SMIMETXT_E_URL_SYNTAX },
	{ "", NULL, NULL, 0, SMIMETXT_E_URL_SYNTAX },
	/* userinfo, fragment */
	{ "https://user:pw@example.com/", NULL, NULL, 0,
	    SMIMETXT_E_URL_USERINFO },
	{ "https://bank.example@evil.example/", NULL, NULL, 0,
	    SMIMETXT_E_URL_USERINFO },
	{ "https://@example.com/", NULL, NULL, 0, SMIMETXT_E_URL_USERINFO },
	{ "https://example.com/a.crt#x", NULL, NULL, 0,
	    SMIMETXT_E_URL_FRAGMENT },
	{ "https://example.com#", NULL, NULL, 0, SMIMETXT_E_URL_FRAGMENT },
	/* host */
	{ "https:///a.crt", NULL, NULL, 0, SMIMETXT_E_URL_HOST },
	{ "https://[::1]/a.crt", NULL, NULL, 0, SMIMETXT_E_URL_CHAR },
	{ "https://127.0.0.1/a.crt", NULL, NULL, 0, SMIMETXT_E_URL_HOST },
	{ "https://2130706433/a.crt", NULL, NULL, 0, SMIMETXT_E_URL_HOST },
	{ "https://0x7f.1/a.crt", NULL, NULL, 0, SMIMETXT_E_URL_HOST },
	{ "https://a.0X7F/", NULL, NULL, 0, SMIMETXT_E_URL_HOST },
	{ "https://example.com./a", NULL, NULL, 0, SMIMETXT_E_URL_HOST },
	{ "https://.example.com/a", NULL, NULL, 0, SMIMETXT_E_URL_HOST },
	{ "https://exa_mple.com/a", NULL, NULL, 0, SMIMETXT_E_URL_HOST },
	{ "https://-example.com/a", NULL, NULL, 0, SMIMETXT_E_URL_HOST },
	{ "https://example-.com/a", NULL, NULL, 0, SMIMETXT_E_URL_HOST },
	{ "https://ex%41mple.com/a", NULL, NULL, 0, SMIMETXT_E_URL_HOST },
	{ "https://example.com:443:1/", NULL, NULL, 0, SMIMETXT_E_URL_PORT },
	/* port */
	{ "https://example.com:/a", NULL, NULL, 0, SMIMETXT_E_URL_PORT },
	{ "https://example.com:0/a", NULL, NULL, 0, SMIMETXT_E_URL_PORT },
	{ "https://example.com:0443/a", NULL, NULL, 0, SMIMETXT_E_URL_PORT },
	{ "https://example.com:65536/a", NULL, NULL, 0, SMIMETXT_E_URL_PORT },
	{ "https://example.com:99999/a", NULL, NULL, 0, SMIMETXT_E_URL_PORT },
	{ "https://example.com:123456/a", NULL, NULL, 0, SMIMETXT_E_URL_PORT },
	{ "https://example.com:44x/a", NULL, NULL, 0, SMIMETXT_E_URL_PORT },
	/* characters */
	{ " https://example.com/", NULL, NULL, 0, SMIMETXT_E_URL_CHAR },
	{ "https://example.com/ ", NULL, NULL, 0, SMIMETXT_E_URL_CHAR },
	{ "https://example.com/a b", NULL, NULL, 0, SMIMETXT_E_URL_CHAR },
	{ "https://example.com/a\tb", NULL, NULL, 0, SMIMETXT_E_URL_CHAR },
	{ "https://example.com/a\r\nb", NULL, NULL, 0, SMIMETXT_E_URL_CHAR },
	{ "https://example.com\\@evil.example/", NULL, NULL, 0,
	    SMIMETXT_E_URL_CHAR },
	{ "https://example.com/\x7f", NULL, NULL, 0, SMIMETXT_E_URL_CHAR },
	{ "https://b\xc3\xbc" "cher.example/", NULL, NULL, 0,
	    SMIMETXT_E_URL_CHAR },
	{ "https://example.com/<x>", NULL, NULL, 0, SMIMETXT_E_URL_CHAR },
	{ "https://example.com/%zz", NULL, NULL, 0, SMIMETXT_E_URL_CHAR },
	{ "https://example.com/%4", NULL, NULL, 0, SMIMETXT_E_URL_CHAR },
	{ "https://example.com/%", NULL, NULL, 0, SMIMETXT_E_URL_CHAR },
	{ "https://example.com/{x}", NULL, NULL, 0, SMIMETXT_E_URL_CHAR },
	{ "https://example.com/a|b", NULL, NULL, 0, SMIMETXT_E_URL_CHAR },
	{ "https://example.com/\"", NULL, NULL, 0, SMIMETXT_E_URL_CHAR },
};

static void
test_url(void)
{
	struct smime_url u;
	char big[DS_MAX_SMIME_URL + 2];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		rc = smimetxt_url_check(urls[i].in, strlen(urls[i].in), &u);
		if (rc != urls[i].rc)
			fprintf(stderr, "url %zu \"%s\": rc %d (%s)\n", i,
			    urls[i].in, rc, smimetxt_code(rc));
		CHECK(rc == urls[i].rc);
		CHECK_STR(u.url, urls[i].want ? urls[i].want : "");
		CHECK_STR(u.host, urls[i].host ? urls[i].host : "");
		CHECK(u.port == urls[i].port);
	}
	/* Embedded NUL: the length counts, not the C string. */
	CHECK(smimetxt_url_check("https://example.com/\0x", 22, &u) ==
	    SMIMETXT_E_URL_CHAR);
	/* Exactly DS_MAX_SMIME_URL octets, and one more. */
	memcpy(big, "https://example.com/", 20);
	memset(big + 20, 'p', sizeof(big) - 20);
	CHECK(smimetxt_url_check(big, DS_MAX_SMIME_URL, &u) == 0);
	CHECK(strlen(u.url) == DS_MAX_SMIME_URL);
	CHECK(smimetxt_url_check(big, DS_MAX_SMIME_URL + 1, &u) ==
	    SMIMETXT_E_URL_LENGTH);
	CHECK_STR(u.url, "");
	/* Host of 253 octets fine, 254 not; label of 64 not. */
	memcpy(big, "https://", 8);
	for (i = 0; i < 4; i++) {
		memset(big + 8 + i * 64, 'h', 63);
		big[8 + i * 64 + 63] = '.';
	}
	memcpy(big + 8 + 253, "/x", 3);
	CHECK(smimetxt_url_check(big, strlen(big), &u) == 0);
	CHECK(strlen(u.host) == 253);
	big[8 + 252] = 'h';
	big[8 + 253] = 'h';
	memcpy(big + 8 + 254, "/x", 3);
	CHECK(smimetxt_url_check(big, strlen(big), &u) ==
	    SMIMETXT_E_URL_HOST);
	memset(big + 8, 'h', 64);
	memcpy(big + 8 + 64, ".example/", 10);
	CHECK(smimetxt_url_check(big, strlen(big), &u) ==
	    SMIMETXT_E_URL_HOST);
	/* Every code and message exists. */
	for (rc = 0; rc <= SMIMETXT_STATUS_MAX; rc++) {
		CHECK(strcmp(smimetxt_code(rc), "unknown") != 0);
		CHECK(strcmp(smimetxt_strerror(rc), "unknown TXT record error") !=
		    0);
	}
	CHECK_STR(smimetxt_code(SMIMETXT_E_URL_SCHEME), "url-not-https");
}

/* --- picking the URL from an RRset --- */

#define U1 "https://example.com/.well-known/smime/jane.crt"
#define U2 "https://example.com/.well-known/smime/john.crt"

/* Packs s as one TXT RDATA of 255-octet character-strings. */
static size_t
pack(uint8_t *out, const char *s)
{
	size_t n = strlen(s), o = 0, k;

	do {
		k = n > 255 ? 255 : n;
		out[o++] = (uint8_t)k;
		memcpy(out + o, s, k);
		o += k;
		s += k;
		n -= k;
	} while (n > 0);
	return o;
}

static int
pick(const char *a, const char *b, const char *c, struct smime_url *u)
{
	static uint8_t buf[3][4096];
	struct smimetxt_rr rr[3];
	const char *in[3] = { a, b, c };
	size_t n = 0, i;

	for (i = 0; i < 3; i++) {
		if (in[i] == NULL)
			continue;
		rr[n].rdata = buf[n];
		rr[n].len = pack(buf[n], in[i]);
		n++;
	}
	return smimetxt_pick(rr, n, u);
}

static void
test_pick(void)
{
	struct smime_url u;
	struct smimetxt_rr rr[2];
	char longurl[600];

	CHECK(pick(U1, NULL, NULL, &u) == 0);
	CHECK_STR(u.url, U1);
	CHECK(pick(NULL, NULL, NULL, &u) == SMIMETXT_E_NO_URL);
	/* Other uses of TXT and empty text are skipped. */
	CHECK(pick("v=spf1 -all", U1, "", &u) == 0);
	CHECK_STR(u.url, U1);
	CHECK(pick("v=spf1 -all", "hello world", NULL, &u) ==
	    SMIMETXT_E_NO_URL);
	/* The same URL twice (also differently cased) counts once. */
	CHECK(pick(U1, U1, NULL, &u) == 0);
	CHECK(pick(U1, "HTTPS://EXAMPLE.com/.well-known/smime/jane.crt", NULL,
	    &u) == 0);
	CHECK_STR(u.url, U1);
	/* Two different ones: none followed. */
	CHECK(pick(U1, U2, NULL, &u) == SMIMETXT_E_AMBIGUOUS);
	CHECK_STR(u.url, "");
	CHECK(pick(U1, "http://example.com/jane.crt", NULL, &u) ==
	    SMIMETXT_E_AMBIGUOUS);
	/* A lone bad URL says why. */
	CHECK(pick("http://example.com/jane.crt", NULL, NULL, &u) ==
	    SMIMETXT_E_URL_SCHEME);
	CHECK_STR(u.url, "");
	CHECK(pick("https://u:p@example.com/", "v=x", NULL, &u) ==
	    SMIMETXT_E_URL_USERINFO);
	/* A long URL over several character-strings. */
	snprintf(longurl, sizeof(longurl), "https://example.com/%0500d", 7);
	CHECK(pick(longurl, NULL, NULL, &u) == 0);
	CHECK_STR(u.url, longurl);
	/* A malformed RDATA refuses the whole set. */
	rr[0].rdata = (const uint8_t *)"\x2e" U1;	/* 3 octets short */
	rr[0].len = 1 + strlen(U1) - 3;
	rr[1].rdata = (const uint8_t *)"\x2e" U1;
	rr[1].len = 1 + strlen(U1);
	CHECK(smimetxt_pick(rr, 2, &u) == SMIMETXT_E_RDATA);
	/* Also after a good one: nothing is left in *out (fuzzer find). */
	rr[0] = rr[1];
	rr[1].rdata = (const uint8_t *)"\x2e" U1;
	rr[1].len = 1 + strlen(U1) - 3;
	CHECK(smimetxt_pick(rr, 2, &u) == SMIMETXT_E_RDATA);
	CHECK_STR(u.url, "");
	rr[1] = rr[0];
	CHECK(smimetxt_pick(rr + 1, 1, &u) == 0);
	CHECK_STR(u.url, U1);
}

/* --- presentation form for `record` --- */

static void
test_presentation(void)
{
	char out[DS_MAX_SMIME_URL + 64], url[DS_MAX_SMIME_URL + 1];
	struct smime_url u;
	uint8_t rd[DS_MAX_SMIME_URL + 16];
	struct smimetxt_rr rr;
	size_t i, n, o;

	CHECK(smimetxt_presentation(U1, out, sizeof(out)) == 0);
	CHECK_STR(out, "\"" U1 "\"");
	CHECK(smimetxt_presentation(U1, out, strlen(U1) + 3) == 0);
	CHECK(smimetxt_presentation(U1, out, strlen(U1) + 2) == -1);
	/* The longest URL: 9 strings, and it reads back as the same URL
	 * once packed the way a zone file's strings are. */
	memcpy(url, "https://example.com/", 20);
	memset(url + 20, 'q', DS_MAX_SMIME_URL - 20);
	url[DS_MAX_SMIME_URL] = '\0';
	CHECK(smimetxt_presentation(url, out, sizeof(out)) == 0);
	for (i = 0, o = 0, n = 0; out[i] != '\0'; i++) {
		if (out[i] == '"' || out[i] == ' ') {
			n += out[i] == '"';
			continue;
		}
		o++;
	}
	CHECK(n == 2 * 9 && o == DS_MAX_SMIME_URL);
	n = pack(rd, url);
	rr.rdata = rd;
	rr.len = n;
	CHECK(smimetxt_pick(&rr, 1, &u) == 0);
	CHECK_STR(u.url, url);
}

/* --- dnsmsg: TXT answers --- */

struct b {
	uint8_t buf[8192];
	size_t len;
};

static void
b_u8(struct b *b, unsigned v)
{
	if (b->len < sizeof(b->buf))
		b->buf[b->len++] = (uint8_t)v;
}

static void
b_u16(struct b *b, unsigned v)
{
	b_u8(b, v >> 8 & 0xff);
	b_u8(b, v & 0xff);
}

static void
b_raw(struct b *b, const void *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		b_u8(b, ((const uint8_t *)p)[i]);
}

static void
b_name(struct b *b, const char *name)
{
	uint8_t w[255];
	size_t n;

	if (dns_name_to_wire(name, w, sizeof(w), &n) != 0)
		exit(2);
	b_raw(b, w, n);
}

#define QTXT	"jane._smime.example.com"

static void
b_start(struct b *b, const char *q, unsigned qtype, unsigned ancount)
{
	b->len = 0;
	b_u16(b, 0x1234);
	b_u16(b, 0x8180);		/* QR RD RA */
	b_u16(b, 1);
	b_u16(b, ancount);
	b_u16(b, 0);
	b_u16(b, 0);
	b_name(b, q);
	b_u16(b, qtype);
	b_u16(b, DNS_CLASS_IN);
}

static void
b_rr(struct b *b, const char *owner, unsigned type, uint32_t ttl,
    const void *rdata, size_t n)
{
	b_name(b, owner);
	b_u16(b, type);
	b_u16(b, DNS_CLASS_IN);
	b_u16(b, ttl >> 16);
	b_u16(b, ttl & 0xffff);
	b_u16(b, (unsigned)n);
	b_raw(b, rdata, n);
}

static int
parse(const struct b *b, const char *q, unsigned qtype, struct dnsmsg *m)
{
	uint8_t *copy = malloc(b->len);
	int rc;

	if (copy == NULL)
		exit(2);
	memcpy(copy, b->buf, b->len);
	rc = dnsmsg_parse(copy, b->len, q, (uint16_t)qtype, m);
	free(copy);
	return rc;
}

static void
test_dnsmsg_txt(void)
{
	struct b b;
	struct dnsmsg m;
	struct smimetxt_rr rr[DS_MAX_TXT_RECORDS];
	struct smime_url u;
	uint8_t rd[300];
	size_t n, i;

	/* One TXT through a CNAME, an unrelated TXT, a stray SMIMEA. */
	n = pack(rd, U1);
	b_start(&b, QTXT, DNS_TYPE_TXT, 4);
	b_rr(&b, QTXT, DNS_TYPE_CNAME, 300, "\x04" "jane\x05" "certs\x07"
	    "example\x03" "com", 24);
	b_rr(&b, "jane.certs.example.com", DNS_TYPE_TXT, 600, rd, n);
	b_rr(&b, "other.example.com", DNS_TYPE_TXT, 5, "\x01x", 2);
	b_rr(&b, "jane.certs.example.com", DNS_TYPE_SMIMEA, 5, "\x03\x00\x00" "a",
	    4);
	CHECK(parse(&b, QTXT, DNS_TYPE_TXT, &m) == 0);
	CHECK(m.ntxts == 1 && m.ntxt_ignored == 1);
	CHECK(m.nrecords == 0 && m.records == NULL);
	CHECK(m.ttl == 300);
	CHECK_STR(m.final_name, "jane.certs.example.com");
	CHECK(m.txts[0].len == n && memcmp(m.txts[0].rdata, rd, n) == 0);
	CHECK(m.txts[0].ttl == 600);
	rr[0].rdata = m.txts[0].rdata;
	rr[0].len = m.txts[0].len;
	CHECK(smimetxt_pick(rr, 1, &u) == 0);
	CHECK_STR(u.url, U1);
	dnsmsg_free(&m);
	CHECK(m.txts == NULL && m.ntxts == 0);

	/* An empty TXT RDATA is kept (and refused later by smimetxt). */
	b_start(&b, QTXT, DNS_TYPE_TXT, 1);
	b_rr(&b, QTXT, DNS_TYPE_TXT, 60, "", 0);
	CHECK(parse(&b, QTXT, DNS_TYPE_TXT, &m) == 0);
	CHECK(m.ntxts == 1 && m.txts[0].rdata == NULL && m.txts[0].len == 0);
	CHECK(m.ttl == 60);
	rr[0].rdata = m.txts[0].rdata;
	rr[0].len = 0;
	CHECK(smimetxt_pick(rr, 1, &u) == SMIMETXT_E_RDATA);
	dnsmsg_free(&m);

	/* More than DS_MAX_TXT_RECORDS: the rest are counted. */
	b_start(&b, QTXT, DNS_TYPE_TXT, DS_MAX_TXT_RECORDS + 3);
	for (i = 0; i < DS_MAX_TXT_RECORDS + 3; i++)
		b_rr(&b, QTXT, DNS_TYPE_TXT, 100 + (uint32_t)i, "\x01z", 2);
	CHECK(parse(&b, QTXT, DNS_TYPE_TXT, &m) == 0);
	CHECK(m.ntxts == DS_MAX_TXT_RECORDS && m.ntxt_ignored == 3);
	CHECK(m.ttl == 100);
	dnsmsg_free(&m);

	/* A SMIMEA question never fills txts, a TXT question never records. */
	b_start(&b, QTXT, DNS_TYPE_SMIMEA, 2);
	b_rr(&b, QTXT, DNS_TYPE_TXT, 60, "\x01z", 2);
	b_rr(&b, QTXT, DNS_TYPE_SMIMEA, 60, "\x03\x00\x00" "a", 4);
	CHECK(parse(&b, QTXT, DNS_TYPE_SMIMEA, &m) == 0);
	CHECK(m.ntxts == 0 && m.txts == NULL && m.ntxt_ignored == 0);
	CHECK(m.nrecords == 1);
	dnsmsg_free(&m);

	/* No data: TTL from nothing (no SOA), no records. */
	b_start(&b, QTXT, DNS_TYPE_TXT, 0);
	CHECK(parse(&b, QTXT, DNS_TYPE_TXT, &m) == 0);
	CHECK(m.ntxts == 0 && m.txts == NULL && m.ttl == 0);
	dnsmsg_free(&m);

	/* The question must be TXT when TXT was asked. */
	b_start(&b, QTXT, DNS_TYPE_SMIMEA, 0);
	CHECK(parse(&b, QTXT, DNS_TYPE_TXT, &m) == DNSMSG_E_QUESTION);
	CHECK(m.txts == NULL);
}

int
main(void)
{
	test_owner();
	test_owner_from_address();
	test_rdata();
	test_url();
	test_pick();
	test_presentation();
	test_dnsmsg_txt();
	crypto_shutdown();
	return t_done("smimetxt");
}
