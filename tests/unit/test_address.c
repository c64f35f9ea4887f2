/* test_address.c - addr-spec parsing, IDNA and RFC 8162 owner names. */
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "crypto.h"
#include "t.h"
#include "utf8.h"

/* Literal with its exact length, so embedded NULs count. */
#define L(s)	s, sizeof(s) - 1

struct good {
	const char *in;
	size_t len;
	const char *local;
	const char *domain;
	const char *owner;
};

static const struct good goods[] = {
	/* RFC 8162 3 example and the project's reference vectors. */
	{ L("hugh@example.com"), "hugh", "example.com",
	    "c93f1e400f26708f98cb19d936620da35eec8f72e57f9eec01c1afd6"
	    "._smimecert.example.com" },
	{ L("test@example.com"), "test", "example.com",
	    "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15"
	    "._smimecert.example.com" },
	/* Case in the local-part matters (RFC 8162 4); not in the domain. */
	{ L("Hugh@EXAMPLE.Com"), "Hugh", "example.com",
	    "7063a398942ba5c6125429518d0608563f3974bb48013ddf58fb01d4"
	    "._smimecert.example.com" },
	/* UTF-8 local-part (RFC 6531 3.3), hashed as its UTF-8 octets. */
	{ L("j\xc3\xb6rg@example.test"), "j\xc3\xb6rg", "example.test",
	    "12c433a0914cf916178d99b922892cd3280438b675c139c3807325e8"
	    "._smimecert.example.test" },
	/* IDN domain to A-labels (IDNA2008), uppercase U-label mapped. */
	{ L("hugh@b\xc3\xbc" "cher.example"), "hugh", "xn--bcher-kva.example",
	    "c93f1e400f26708f98cb19d936620da35eec8f72e57f9eec01c1afd6"
	    "._smimecert.xn--bcher-kva.example" },
	{ L("hugh@B\xc3\x9c" "CHER.Example"), "hugh", "xn--bcher-kva.example",
	    NULL },
	/* NFD input is normalised (u + U+0308). */
	{ L("hugh@bu\xcc\x88" "cher.example"), "hugh",
	    "xn--bcher-kva.example", NULL },
	/* An A-label given as such, in upper case. */
	{ L("hugh@XN--BCHER-KVA.example"), "hugh", "xn--bcher-kva.example",
	    NULL },
	/* IDNA2008 keeps sharp s (no transitional mapping to "ss"). */
	{ L("a@fa\xc3\x9f.de"), "a", "xn--fa-hia.de", NULL },
	/* Quoted local-parts stay as written, quotes and escapes included. */
	{ L("\"a b\"@example.com"), "\"a b\"", "example.com",
	    "5e229e245c3e525283e65ec4998d643facf67e035ff89557216305bc"
	    "._smimecert.example.com" },
	{ L("\"a\\\"b\"@example.com"), "\"a\\\"b\"", "example.com",
	    "8bbcb681750af483258c5ca72e83c5c397bf66aa01e7c7787c0d212f"
	    "._smimecert.example.com" },
	{ L("\"a@b\"@example.com"), "\"a@b\"", "example.com",
	    "72ced3e67b2cd3c254e4ea13f5a9475af08b698353ef8cefde20d3e2"
	    "._smimecert.example.com" },
	{ L("\"a\\\\b\"@example.com"), "\"a\\\\b\"", "example.com", NULL },
	{ L("\"\"@example.com"), "\"\"", "example.com", NULL },
	{ L("\"j\xc3\xb6rg x\"@example.com"), "\"j\xc3\xb6rg x\"",
	    "example.com", NULL },
	{ L("user+tag@example.com"), "user+tag", "example.com",
	    "dcaf299847e296e7a83542a390f45af657f33a6e35e39d06b33b05c5"
	    "._smimecert.example.com" },
	{ L("!#$%&'*+-/=?^_`{|}~@example.com"),
	    "!#$%&'*+-/=?^_`{|}~", "example.com", NULL },
	{ L("first.last@sub.example.co.uk"), "first.last",
	    "sub.example.co.uk", NULL },
	{ L("a@localhost"), "a", "localhost", NULL },
	{ L("a@ab--cd.example"), "a", "ab--cd.example", NULL },
	{ L("a@1.2.3.example"), "a", "1.2.3.example", NULL },
	/* Arabic label, right-to-left, passes the bidi rule. */
	{ L("a@\xd9\x85\xd8\xab\xd8\xa7\xd9\x84.example"), "a",
	    "xn--mgbh0fb.example", NULL },
};

struct bad {
	const char *in;
	size_t len;
	int status;
};

static const struct bad bads[] = {
	{ L(""), ADDR_E_EMPTY },
	{ L("hugh"), ADDR_E_SYNTAX },
	{ L("hugh.example.com"), ADDR_E_SYNTAX },
	{ L("@example.com"), ADDR_E_SYNTAX },
	{ L("hugh@"), ADDR_E_DOMAIN },
	{ L("a@b@example.com"), ADDR_E_SYNTAX },
	{ L("a@@example.com"), ADDR_E_SYNTAX },
	{ L(".hugh@example.com"), ADDR_E_SYNTAX },
	{ L("hugh.@example.com"), ADDR_E_SYNTAX },
	{ L("hu..gh@example.com"), ADDR_E_SYNTAX },
	{ L("..@example.com"), ADDR_E_SYNTAX },
	{ L(".@example.com"), ADDR_E_SYNTAX },
	{ L("hugh@.example.com"), ADDR_E_DOMAIN },
	{ L("hugh@example.com."), ADDR_E_DOMAIN },
	{ L("hugh@example..com"), ADDR_E_DOMAIN },
	{ L("hugh@.."), ADDR_E_DOMAIN },
	{ L("hugh@."), ADDR_E_DOMAIN },
	{ L("hugh@-example.com"), ADDR_E_DOMAIN },
	{ L("hugh@example-.com"), ADDR_E_DOMAIN },
	{ L("hugh@exa_mple.com"), ADDR_E_DOMAIN },
	{ L("hugh@b\xc3\xbc_cher.example"), ADDR_E_DOMAIN },
	{ L("hugh@[192.0.2.1]"), ADDR_E_DOMAIN },
	{ L("hugh@[IPv6:2001:db8::1]"), ADDR_E_DOMAIN },
	{ L("hugh@192.0.2.1"), ADDR_E_DOMAIN },
	{ L("hugh@exam ple.com"), ADDR_E_DOMAIN },
	{ L("hu gh@example.com"), ADDR_E_SYNTAX },
	{ L("hu(gh@example.com"), ADDR_E_SYNTAX },
	{ L("hugh @example.com"), ADDR_E_SYNTAX },
	{ L("\"hugh@example.com"), ADDR_E_SYNTAX },
	{ L("\"hugh\\\"@example.com"), ADDR_E_SYNTAX },
	{ L("\"a\"b@example.com"), ADDR_E_SYNTAX },
	{ L("a\"b\"@example.com"), ADDR_E_SYNTAX },
	{ L("\"a\".b@example.com"), ADDR_E_SYNTAX },
	/* NUL, CR, LF, TAB, DEL and C1 controls anywhere. */
	{ L("hu\0gh@example.com"), ADDR_E_SYNTAX },
	{ L("hugh@example.com\0"), ADDR_E_SYNTAX },
	{ L("hugh@exa\0mple.com"), ADDR_E_SYNTAX },
	{ L("hugh\r\n@example.com"), ADDR_E_SYNTAX },
	{ L("hugh@example.com\r\n"), ADDR_E_SYNTAX },
	{ L("\"hu\r\ngh\"@example.com"), ADDR_E_SYNTAX },
	{ L("\"hu\tgh\"@example.com"), ADDR_E_SYNTAX },
	{ L("\"hu\\\ngh\"@example.com"), ADDR_E_SYNTAX },
	{ L("hu\x7fgh@example.com"), ADDR_E_SYNTAX },
	{ L("hu\xc2\x85gh@example.com"), ADDR_E_SYNTAX },
	/* Ill-formed UTF-8: overlong '@' and '/', surrogate, truncated,
	 * beyond U+10FFFF, stray continuation, 0xFF. */
	{ L("hugh\xc0\x80@example.com"), ADDR_E_UTF8 },
	{ L("hugh\xc1\x80" "example.com"), ADDR_E_UTF8 },
	{ L("hu\xe0\x80\xafgh@example.com"), ADDR_E_UTF8 },
	{ L("hu\xed\xa0\x80gh@example.com"), ADDR_E_UTF8 },
	{ L("hugh@example.com\xe2\x82"), ADDR_E_UTF8 },
	{ L("hugh\xc3@example.com"), ADDR_E_UTF8 },
	{ L("hu\xf4\x90\x80\x80gh@example.com"), ADDR_E_UTF8 },
	{ L("hu\x80gh@example.com"), ADDR_E_UTF8 },
	{ L("hu\xffgh@example.com"), ADDR_E_UTF8 },
	/* U-labels IDNA2008 rejects: U+2665, leading combining mark U+0301,
	 * ZWJ outside its context, a bad A-label, "xn--" alone. */
	{ L("hugh@\xe2\x99\xa5.example"), ADDR_E_IDNA },
	{ L("hugh@\xcc\x81x.example"), ADDR_E_IDNA },
	{ L("hugh@x\xe2\x80\x8dy.example"), ADDR_E_IDNA },
	{ L("hugh@xn--zzzz.example"), ADDR_E_IDNA },
	{ L("hugh@xn--.example"), ADDR_E_IDNA },
	{ L("hugh@xn--g6h.example"), ADDR_E_IDNA },
	/* Fullwidth dot maps to '.' under UTS 46: must not make empty labels. */
	{ L("hugh@\xc3\xbc\xef\xbc\x8e.example"), ADDR_E_DOMAIN },
};

static void
test_good(void)
{
	struct address a;
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];
		int rc = address_parse(g->in, g->len, &a, &why);

		CHECK(rc == ADDR_OK);
		if (rc != ADDR_OK) {
			fprintf(stderr, "  good #%zu: %d %s\n", i, rc, why);
			continue;
		}
		CHECK(why == NULL);
		CHECK_STR(a.local, g->local);
		CHECK(a.local_len == strlen(g->local));
		CHECK_STR(a.domain, g->domain);
		if (g->owner != NULL)
			CHECK_STR(a.owner, g->owner);
		CHECK(utf8_valid_text(a.owner, strlen(a.owner)));
	}
}

static void
test_bad(void)
{
	struct address a;
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		const struct bad *b = &bads[i];
		int rc;

		why = NULL;
		rc = address_parse(b->in, b->len, &a, &why);
		CHECK(rc == b->status);
		if (rc != b->status) {
			char *s = utf8_sanitize(b->in, b->len);

			fprintf(stderr, "  bad #%zu \"%s\": got %d (%s), want "
			    "%d\n", i, s, rc, why ? why : "-", b->status);
			free(s);
		}
		CHECK(why != NULL && strstr(why, "RFC") != NULL);
	}
	/* why may be NULL. */
	CHECK(address_parse("x", 1, &a, NULL) == ADDR_E_SYNTAX);
}

static void
test_lengths(void)
{
	char buf[400], label[64];
	struct address a;
	const char *why;
	size_t n;

	/* 64-octet local-part is fine, 65 is not (RFC 5321 4.5.3.1.1). */
	memset(buf, 'a', 64);
	memcpy(buf + 64, "@example.com", 12);
	CHECK(address_parse(buf, 76, &a, &why) == ADDR_OK);
	CHECK(a.local_len == 64);
	memset(buf, 'a', 65);
	memcpy(buf + 65, "@example.com", 12);
	CHECK(address_parse(buf, 77, &a, &why) == ADDR_E_LOCAL_LENGTH);
	CHECK(why != NULL && strstr(why, "64 octets") != NULL);
	/* 65 octets counted in UTF-8 octets, not characters: 33 x U+00F6. */
	for (n = 0; n < 33; n++)
		memcpy(buf + 2 * n, "\xc3\xb6", 2);
	memcpy(buf + 66, "@example.com", 12);
	CHECK(address_parse(buf, 78, &a, &why) == ADDR_E_LOCAL_LENGTH);
	/* A quoted local-part over 64 octets. */
	buf[0] = '"';
	memset(buf + 1, 'q', 63);
	buf[64] = '"';
	memcpy(buf + 65, "@example.com", 12);
	CHECK(address_parse(buf, 77, &a, &why) == ADDR_E_LOCAL_LENGTH);

	/* 63-octet label is fine, 64 is not (RFC 1035 2.3.4). */
	memset(label, 'l', 63);
	memcpy(buf, "a@", 2);
	memcpy(buf + 2, label, 63);
	memcpy(buf + 65, ".example", 8);
	CHECK(address_parse(buf, 73, &a, &why) == ADDR_OK);
	memcpy(buf + 2, label, 63);
	buf[65] = 'l';
	memcpy(buf + 66, ".example", 8);
	CHECK(address_parse(buf, 74, &a, &why) == ADDR_E_DOMAIN);
	CHECK(why != NULL && strstr(why, "63 octets") != NULL);
	/* An A-label over 63 octets from a U-label that fits in UTF-8. */
	memcpy(buf, "a@", 2);
	for (n = 0; n < 21; n++) {
		/* Distinct CJK ideographs, far apart, so Punycode is long. */
		unsigned cp = 0x4e00 + (unsigned)n * 997;

		buf[2 + 3 * n] = (char)(0xe0 | cp >> 12);
		buf[3 + 3 * n] = (char)(0x80 | (cp >> 6 & 0x3f));
		buf[4 + 3 * n] = (char)(0x80 | (cp & 0x3f));
	}
	memcpy(buf + 65, ".example", 8);
	CHECK(address_parse(buf, 73, &a, &why) == ADDR_E_DOMAIN);
	CHECK(why != NULL && strstr(why, "63 octets") != NULL);
	/* 19 of them make a 61-octet A-label, which fits. */
	memcpy(buf + 59, ".example", 8);
	CHECK(address_parse(buf, 67, &a, &why) == ADDR_OK);
	CHECK(strlen(a.domain) == 61 + 8);
	CHECK(strncmp(a.domain, "xn--", 4) == 0);

	/* A 254-octet address is not refused for its length; 255 is. */
	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "a@", 2);
	for (n = 2; n + 60 < 254; n += 61)
		buf[n + 60] = '.';
	CHECK(address_parse(buf, 254, &a, &why) != ADDR_E_LENGTH);
	CHECK(address_parse(buf, 255, &a, &why) == ADDR_E_LENGTH);
	CHECK(why != NULL && strstr(why, "254") != NULL);
	/* A 254-octet domain makes a 256-octet address. */
	CHECK(address_parse(buf, 256, &a, &why) == ADDR_E_LENGTH);

	/* The longest domain whose owner name fits 255 wire octets is 185
	 * octets (RFC 1035 2.3.4 with the 68 octets RFC 8162 3 adds). */
	memset(buf, 'x', sizeof(buf));
	memcpy(buf, "a@", 2);
	for (n = 2; n + 60 < 2 + 185; n += 61)
		buf[n + 60] = '.';
	CHECK(address_parse(buf, 2 + 185, &a, &why) == ADDR_OK);
	CHECK(strlen(a.domain) == 185);
	CHECK(strlen(a.owner) == 56 + 12 + 185);
	buf[2 + 185] = 'x';
	CHECK(address_parse(buf, 2 + 186, &a, &why) == ADDR_E_DOMAIN);
}

static void
test_owner_equal(void)
{
	struct address a, b;
	char out[DS_MAX_OWNER_NAME + 1];
	const char *why;

	CHECK(address_owner_name("hugh", 4, "example.com", out,
	    sizeof(out)) == 0);
	CHECK_STR(out, "c93f1e400f26708f98cb19d936620da35eec8f72e57f9eec01c1afd6"
	    "._smimecert.example.com");
	/* Too small an output buffer is refused, not truncated. */
	CHECK(address_owner_name("hugh", 4, "example.com", out, 79) == -1);
	CHECK(address_owner_name("hugh", 4, "example.com", out, 80) == 0);

	CHECK(address_parse(L("hugh@B\xc3\xbc" "cher.example"), &a, &why) == 0);
	CHECK(address_parse(L("hugh@xn--bcher-kva.EXAMPLE"), &b, &why) == 0);
	CHECK(address_equal(&a, &b));
	CHECK(address_parse(L("Hugh@xn--bcher-kva.example"), &b, &why) == 0);
	CHECK(!address_equal(&a, &b));
	CHECK(strcmp(a.owner, b.owner) != 0);
	CHECK(address_parse(L("hugh@bucher.example"), &b, &why) == 0);
	CHECK(!address_equal(&a, &b));
}

/* The sender as clients show it (address_parse_display). */
struct shown {
	const char *in;
	size_t len;
	const char *local;	/* NULL: refused with status */
	const char *domain;
	int status;
};

static const struct shown showns[] = {
	/* Thunderbird's message.author, Gmail, Apple Mail. */
	{ L("Alice <alice@example.org>"), "alice", "example.org", 0 },
	{ L("Alice Example <alice@example.org>"), "alice", "example.org", 0 },
	{ L("\"Alice Example\" <alice@example.org>"), "alice",
	    "example.org", 0 },
	{ L("alice@example.org"), "alice", "example.org", 0 },
	{ L("<alice@example.org>"), "alice", "example.org", 0 },
	{ L("  <alice@example.org>  "), "alice", "example.org", 0 },
	/* Outlook: "Last, First", quoted. */
	{ L("\"Doe, Jane\" <jane@example.test>"), "jane", "example.test", 0 },
	/* A quoted display name with '@', and with an escaped quote. */
	{ L("\"jane@example.test\" <jane@example.test>"), "jane",
	    "example.test", 0 },
	{ L("\"Jane \\\"JD\\\" Doe\" <jane@example.test>"), "jane",
	    "example.test", 0 },
	/* Comments: after an addr-spec, around an angle-addr, nested. */
	{ L("jane@example.test (Jane Doe)"), "jane", "example.test", 0 },
	{ L("(Jane) jane@example.test"), "jane", "example.test", 0 },
	{ L("Jane (x <mallory@evil.test>) <jane@example.test> (y)"), "jane",
	    "example.test", 0 },
	{ L("jane@example.test (a (b (c)))"), "jane", "example.test", 0 },
	{ L("jane@example.test (a \\) b)"), "jane", "example.test", 0 },
	/* RFC 2047 encoded words (atoms), B and Q, and raw UTF-8. */
	{ L("=?UTF-8?Q?J=C3=B6rg?= <joerg@example.test>"), "joerg",
	    "example.test", 0 },
	{ L("=?UTF-8?B?SsO2cmc=?= <joerg@example.test>"), "joerg",
	    "example.test", 0 },
	{ L("=?utf-8?q?Doe=2C_Jane?= <jane@example.test>"), "jane",
	    "example.test", 0 },
	{ L("J\xc3\xb6rg M\xc3\xbcller <joerg@example.test>"), "joerg",
	    "example.test", 0 },
	/* Decoded and not quoted again, as clients show names. */
	{ L("Doe, Jane <jane@example.test>"), "jane", "example.test", 0 },
	{ L("H\xc3\xb6rst, Kenny \"K\" <k@example.test>"), "k",
	    "example.test", 0 },
	/* A decoded name may hold a lone quote: still one address. */
	{ L("\"Alice <alice@example.test>"), "alice", "example.test", 0 },
	/* obs-phrase: a dot in an unquoted name. */
	{ L("Jane Q. Doe <jane@example.test>"), "jane", "example.test", 0 },
	/* Upper-case domain; the local-part keeps its case. */
	{ L("Jane <Jane@EXAMPLE.TEST>"), "Jane", "example.test", 0 },
	/* IDN: U-label, A-label, upper-case U-label. */
	{ L("Hugh <hugh@b\xc3\xbc" "cher.test>"), "hugh",
	    "xn--bcher-kva.test", 0 },
	{ L("Hugh <hugh@xn--bcher-kva.test>"), "hugh", "xn--bcher-kva.test",
	    0 },
	{ L("hugh@B\xc3\x9c" "CHER.test"), "hugh", "xn--bcher-kva.test", 0 },
	/* SMTPUTF8 local-part (RFC 6531 3.3) and a quoted one. */
	{ L("J\xc3\xb6rg <j\xc3\xb6rg@example.test>"), "j\xc3\xb6rg",
	    "example.test", 0 },
	{ L("\"a b\"@example.test"), "\"a b\"", "example.test", 0 },
	{ L("X <\"a>b\"@example.test>"), "\"a>b\"", "example.test", 0 },
	/* Tabs are white space. */
	{ L("Jane\t<jane@example.test>"), "jane", "example.test", 0 },

	/* Not one mailbox. */
	{ L(""), NULL, NULL, ADDR_E_EMPTY },
	{ L("alice@example.test, mallory@evil.test"), NULL, NULL,
	    ADDR_E_MAILBOX },
	{ L("Alice <alice@example.test>, Mallory <mallory@evil.test>"), NULL,
	    NULL, ADDR_E_MAILBOX },
	{ L("alice@example.test, Mallory <mallory@evil.test>"), NULL, NULL,
	    ADDR_E_MAILBOX },
	{ L("Friends: alice@example.test;"), NULL, NULL, ADDR_E_MAILBOX },
	{ L("Friends: Alice <alice@example.test>;"), NULL, NULL,
	    ADDR_E_MAILBOX },
	{ L("Friends: <alice@example.test>"), NULL, NULL, ADDR_E_MAILBOX },
	{ L("undisclosed-recipients:;"), NULL, NULL, ADDR_E_MAILBOX },
	{ L("Alice <alice@example.test> <mallory@evil.test>"), NULL, NULL,
	    ADDR_E_MAILBOX },
	{ L("Alice <alice@example.test> mallory@evil.test"), NULL, NULL,
	    ADDR_E_MAILBOX },
	{ L("alice@example.test mallory@evil.test"), NULL, NULL,
	    ADDR_E_MAILBOX },
	{ L("Alice <alice@example.test"), NULL, NULL, ADDR_E_MAILBOX },
	{ L("Alice alice@example.test>"), NULL, NULL, ADDR_E_MAILBOX },
	{ L("alice@example.test (unclosed"), NULL, NULL, ADDR_E_MAILBOX },
	{ L("Alice <alice@example.test>>"), NULL, NULL, ADDR_E_MAILBOX },
	{ L("Alice < Bob <alice@example.test>"), NULL, NULL, ADDR_E_MAILBOX },
	{ L("Alice < alice @example.test>"), NULL, NULL, ADDR_E_MAILBOX },
	/* An unquoted address-like display name: no phrase (3.2.5), and
	 * never taken for the address. */
	{ L("alice@example.test <mallory@evil.test>"), NULL, NULL,
	    ADDR_E_MAILBOX },
	/* Garbage, an encoded word standing for the address (RFC 2047 5
	 * allows none there), an empty angle-addr. */
	{ L("garbage"), NULL, NULL, ADDR_E_SYNTAX },
	{ L("Jane Doe"), NULL, NULL, ADDR_E_MAILBOX },
	{ L("=?UTF-8?Q?alice=40example.test?="), NULL, NULL, ADDR_E_SYNTAX },
	{ L("Alice <>"), NULL, NULL, ADDR_E_EMPTY },
	{ L("Alice <alice@[192.0.2.1]>"), NULL, NULL, ADDR_E_DOMAIN },
	{ L("Alice <alice@exa mple.test>"), NULL, NULL, ADDR_E_MAILBOX },
	/* Controls (CR LF: no header injection), NUL, bad UTF-8. */
	{ L("Alice\r\n <alice@example.test>"), NULL, NULL, ADDR_E_SYNTAX },
	{ L("Alice <alice@example.test>\0"), NULL, NULL, ADDR_E_SYNTAX },
	{ L("Al\xffice <alice@example.test>"), NULL, NULL, ADDR_E_UTF8 },
};

static void
test_display(void)
{
	struct address a, b;
	const char *why;
	char deep[200], *big;
	size_t i, n;

	for (i = 0; i < sizeof(showns) / sizeof(showns[0]); i++) {
		const struct shown *t = &showns[i];
		int rc;

		why = NULL;
		rc = address_parse_display(t->in, t->len, &a, &why);
		if (t->local != NULL) {
			CHECK(rc == ADDR_OK);
			if (rc != ADDR_OK) {
				fprintf(stderr, "  shown #%zu: %d %s\n", i, rc,
				    why);
				continue;
			}
			CHECK(why == NULL);
			CHECK_STR(a.local, t->local);
			CHECK_STR(a.domain, t->domain);
			CHECK_STR(a.owner, "");
		} else {
			CHECK(rc == t->status);
			if (rc != t->status)
				fprintf(stderr, "  shown #%zu %s: got %d (%s), "
				    "want %d\n", i, t->in, rc, why ? why : "-",
				    t->status);
			CHECK(why != NULL && strstr(why, "RFC") != NULL);
		}
	}
	/* The same mailbox however it is shown. */
	CHECK(address_parse_display(L("Hugh <hugh@b\xc3\xbc" "cher.test>"),
	    &a, &why) == 0);
	CHECK(address_parse_display(L("hugh@XN--BCHER-KVA.TEST (Hugh)"), &b,
	    &why) == 0);
	CHECK(address_equal(&a, &b));

	/* Comments nest up to DS_MAX_COMMENT_DEPTH, not deeper; a deep
	 * stack of open comments costs one pass and is refused. */
	n = 0;
	memcpy(deep, "a@example.test ", 15);
	n = 15;
	for (i = 0; i < DS_MAX_COMMENT_DEPTH; i++)
		deep[n++] = '(';
	for (i = 0; i < DS_MAX_COMMENT_DEPTH; i++)
		deep[n++] = ')';
	CHECK(address_parse_display(deep, n, &a, &why) == ADDR_OK);
	memcpy(deep + 15, "(", 1);
	memset(deep + 16, '(', DS_MAX_COMMENT_DEPTH);
	memset(deep + 16 + DS_MAX_COMMENT_DEPTH, ')', DS_MAX_COMMENT_DEPTH + 1);
	n = 16 + 2 * DS_MAX_COMMENT_DEPTH + 1;
	CHECK(address_parse_display(deep, n, &a, &why) == ADDR_E_MAILBOX);
	CHECK(why != NULL && strstr(why, "nested") != NULL);
	/* Longest text accepted, and one more octet. */
	big = malloc(DS_MAX_MAILBOX_TEXT + 1);
	CHECK(big != NULL);
	if (big != NULL) {
		memset(big, 'x', DS_MAX_MAILBOX_TEXT + 1);
		memcpy(big + DS_MAX_MAILBOX_TEXT - 16, "<a@example.test>", 16);
		CHECK(address_parse_display(big, DS_MAX_MAILBOX_TEXT, &a,
		    &why) == ADDR_OK);
		memcpy(big + DS_MAX_MAILBOX_TEXT - 15, "<a@example.test>", 16);
		CHECK(address_parse_display(big, DS_MAX_MAILBOX_TEXT + 1, &a,
		    &why) == ADDR_E_LENGTH);
		/* 4096 open comments: refused at depth 17, not recursed. */
		memset(big, '(', DS_MAX_MAILBOX_TEXT);
		CHECK(address_parse_display(big, DS_MAX_MAILBOX_TEXT, &a,
		    &why) == ADDR_E_MAILBOX);
		free(big);
	}
}

static void
test_shows_other(void)
{
	struct address a;
	const char *why;

	CHECK(address_parse(L("mallory@evil.test"), &a, &why) == 0);
	CHECK(address_text_shows_other(L("alice@example.test"), &a));
	CHECK(address_text_shows_other(L("Alice (alice@example.test)"), &a));
	CHECK(address_text_shows_other(L("Mail from alice@example.test."),
	    &a));
	CHECK(address_text_shows_other(L("'alice@example.test'"), &a));
	CHECK(address_text_shows_other(L("mallory@evil.test.org"), &a));
	CHECK(!address_text_shows_other(L("Mallory"), &a));
	CHECK(!address_text_shows_other(L("mallory@evil.test"), &a));
	CHECK(!address_text_shows_other(L("Mallory@EVIL.test"), &a));
	CHECK(!address_text_shows_other(L("Mallory <mallory@evil.test>"),
	    &a));
	CHECK(!address_text_shows_other(L("@mallory on chat"), &a));
	CHECK(!address_text_shows_other(L(""), &a));
	CHECK(address_text_shows_other(L("\"alice@example.test\""), &a));
	CHECK(address_parse(L("o'brien@example.test"), &a, &why) == 0);
	CHECK(!address_text_shows_other(L("o'brien@example.test"), &a));
	CHECK(address_parse(L("\"a@b\"@example.test"), &a, &why) == 0);
	CHECK(!address_text_shows_other(L("<\"a@b\"@example.test>"), &a));
}

int
main(void)
{
	test_good();
	test_bad();
	test_lengths();
	test_owner_equal();
	test_display();
	test_shows_other();
	crypto_shutdown();
	return t_done("address");
}
