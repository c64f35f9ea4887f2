/* test_dnsmsg.c - dnsmsg_parse over answers crafted here, byte by byte. */
#include <stdlib.h>
#include <string.h>

#include "../../host/dns/dnsmsg.h"
#include "t.h"

#define Q	"c93f1e400f26708f98cb19d936620da35eec8f72e57f9eec01c1afd6." \
		"_smimecert.example.com"
#define QPTR	0xc00c		/* the question name, right after the header */

#define F_QR	0x8000
#define F_AA	0x0400
#define F_TC	0x0200
#define F_RD	0x0100
#define F_RA	0x0080
#define F_AD	0x0020
#define F_CD	0x0010
#define F_RESP	(F_QR | F_RD | F_RA)

enum { SEC_QD = 4, SEC_AN = 6, SEC_NS = 8, SEC_AR = 10 };

/* --- a tiny message builder --- */

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
b_u32(struct b *b, uint32_t v)
{
	b_u16(b, v >> 16);
	b_u16(b, v & 0xffff);
}

static void
b_raw(struct b *b, const void *p, size_t n)
{
	const uint8_t *s = p;
	size_t i;

	for (i = 0; i < n; i++)
		b_u8(b, s[i]);
}

/* A presentation name, uncompressed; "@" + 4 hex digits is a raw pointer. */
static void
b_name(struct b *b, const char *name)
{
	uint8_t w[255];
	size_t n;

	if (name[0] == '@') {
		b_u16(b, (unsigned)strtoul(name + 1, NULL, 16));
		return;
	}
	if (dns_name_to_wire(name, w, sizeof(w), &n) != 0) {
		fprintf(stderr, "builder: bad name %s\n", name);
		exit(2);
	}
	b_raw(b, w, n);
}

static void
b_set16(struct b *b, size_t at, unsigned v)
{
	b->buf[at] = (uint8_t)(v >> 8);
	b->buf[at + 1] = (uint8_t)v;
}

static void
b_count(struct b *b, int sec, unsigned n)
{
	b_set16(b, (size_t)sec, n);
}

static void
b_bump(struct b *b, int sec)
{
	b_set16(b, (size_t)sec,
	    ((unsigned)b->buf[sec] << 8 | b->buf[sec + 1]) + 1);
}

/* Header with QDCOUNT 1 and the question (Q, SMIMEA, IN). */
static void
b_start(struct b *b, unsigned flags)
{
	b->len = 0;
	b_u16(b, 0x1234);
	b_u16(b, flags);
	b_u16(b, 1);
	b_u16(b, 0);
	b_u16(b, 0);
	b_u16(b, 0);
	b_name(b, Q);
	b_u16(b, DNS_TYPE_SMIMEA);
	b_u16(b, DNS_CLASS_IN);
}

/* Starts an RR in section sec; returns where RDLENGTH goes for b_end. */
static size_t
b_rr(struct b *b, int sec, const char *owner, unsigned type, unsigned class,
    uint32_t ttl)
{
	size_t at;

	b_bump(b, sec);
	b_name(b, owner);
	b_u16(b, type);
	b_u16(b, class);
	b_u32(b, ttl);
	at = b->len;
	b_u16(b, 0);
	return at;
}

static void
b_end(struct b *b, size_t at)
{
	b_set16(b, at, (unsigned)(b->len - at - 2));
}

static void
b_smimea(struct b *b, const char *owner, uint32_t ttl, unsigned u, unsigned s,
    unsigned m, const void *data, size_t n)
{
	size_t at = b_rr(b, SEC_AN, owner, DNS_TYPE_SMIMEA, DNS_CLASS_IN, ttl);

	b_u8(b, u);
	b_u8(b, s);
	b_u8(b, m);
	b_raw(b, data, n);
	b_end(b, at);
}

static void
b_cname(struct b *b, const char *owner, const char *target, uint32_t ttl)
{
	size_t at = b_rr(b, SEC_AN, owner, DNS_TYPE_CNAME, DNS_CLASS_IN, ttl);

	b_name(b, target);
	b_end(b, at);
}

static void
b_soa(struct b *b, uint32_t ttl, uint32_t minimum)
{
	size_t at = b_rr(b, SEC_NS, "example.com", DNS_TYPE_SOA,
	    DNS_CLASS_IN, ttl);

	b_name(b, "ns1.example.com");
	b_name(b, "hostmaster.example.com");
	b_u32(b, 2024010101);
	b_u32(b, 7200);
	b_u32(b, 3600);
	b_u32(b, 1209600);
	b_u32(b, minimum);
	b_end(b, at);
}

/* OPT with udp size 1232; ttl carries ext-rcode/version/DO. Returns RDLENGTH
 * offset so options can be appended before b_end. */
static size_t
b_opt(struct b *b, uint32_t ttl)
{
	return b_rr(b, SEC_AR, ".", DNS_TYPE_OPT, 1232, ttl);
}

static void
b_ede(struct b *b, unsigned code, const void *text, size_t n)
{
	b_u16(b, DNS_OPT_EDE);
	b_u16(b, (unsigned)(n + 2));
	b_u16(b, code);
	b_raw(b, text, n);
}

static int
parse(const struct b *b, struct dnsmsg *m)
{
	uint8_t *copy;
	int rc;

	/* An exact-size heap copy, so ASan sees any read past the end. */
	if ((copy = malloc(b->len ? b->len : 1)) == NULL)
		abort();
	memcpy(copy, b->buf, b->len);
	rc = dnsmsg_parse(copy, b->len, Q, DNS_TYPE_SMIMEA, m);
	free(copy);
	return rc;
}

static int
parse_rc(const struct b *b)
{
	struct dnsmsg m;
	int rc;

	rc = parse(b, &m);
	dnsmsg_free(&m);
	return rc;
}

static bool
cleared(const struct dnsmsg *m)
{
	struct dnsmsg z;

	memset(&z, 0, sizeof(z));
	return memcmp(m, &z, sizeof(z)) == 0;
}

static const uint8_t cert[] = "0\x82\x01\x0a fake DER certificate";
static uint8_t sha256[32], sha512[64];

/* --- tests --- */

static void
test_positive(void)
{
	struct b b;
	struct dnsmsg m;

	b_start(&b, F_RESP | F_AD);
	b_smimea(&b, "@c00c", 3600, 3, 0, 0, cert, sizeof(cert));
	b_smimea(&b, "@c00c", 300, 3, 1, 1, sha256, sizeof(sha256));
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.id == 0x1234);
	CHECK(m.qr && m.rd && m.ra && m.ad && !m.aa && !m.tc && !m.cd);
	CHECK(m.rcode == 0);
	CHECK(!m.has_opt && !m.has_ede && !m.has_soa);
	CHECK(m.nrecords == 2 && m.nignored == 0);
	CHECK(m.cname_hops == 0);
	CHECK_STR(m.final_name, Q);
	CHECK(m.ttl == 300);
	CHECK(m.records[0].usage == 3 && m.records[0].selector == 0 &&
	    m.records[0].matching == 0);
	CHECK(m.records[0].len == sizeof(cert) &&
	    memcmp(m.records[0].data, cert, sizeof(cert)) == 0);
	CHECK(m.records[0].problem_code == NULL && m.records[0].problem == NULL);
	CHECK(m.records[0].ttl == 3600);
	CHECK(m.records[1].usage == 3 && m.records[1].selector == 1 &&
	    m.records[1].matching == 1);
	CHECK(m.records[1].len == 32 &&
	    memcmp(m.records[1].data, sha256, 32) == 0);
	CHECK(m.records[1].problem_code == NULL);
	dnsmsg_free(&m);
	CHECK(cleared(&m));
	dnsmsg_free(&m);		/* twice is fine */
	dnsmsg_free(NULL);
}

static void
test_problems(void)
{
	static const struct {
		unsigned rdlen;		/* 0, 1, 2: short; else use fields */
		unsigned u, s, mt;
		size_t n;
		const char *code;
	} t[] = {
		{ 0, 0, 0, 0, 0, "short-rdata" },
		{ 2, 0, 0, 0, 0, "short-rdata" },
		{ 3, 4, 0, 0, 10, "unknown-usage" },
		{ 3, 255, 0, 0, 10, "unknown-usage" },
		{ 3, 3, 2, 0, 10, "unknown-selector" },
		{ 3, 3, 1, 3, 10, "unknown-matching" },
		{ 3, 3, 1, 1, 31, "bad-digest-length" },
		{ 3, 3, 1, 1, 33, "bad-digest-length" },
		{ 3, 3, 1, 2, 63, "bad-digest-length" },
		{ 3, 3, 1, 2, 32, "bad-digest-length" },
		{ 3, 3, 0, 0, 0, "empty-data" },
		{ 3, 2, 0, 2, 64, NULL },
		{ 3, 0, 0, 1, 32, NULL },
		{ 3, 1, 1, 0, 10, NULL },
	};
	uint8_t data[64];
	struct b b;
	struct dnsmsg m;
	size_t i, j, at;
	uint32_t used = 0;

	memset(data, 0xab, sizeof(data));
	b_start(&b, F_RESP);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (t[i].rdlen < 3) {
			at = b_rr(&b, SEC_AN, Q, DNS_TYPE_SMIMEA, DNS_CLASS_IN,
			    60);
			b_raw(&b, "\x03\x01", t[i].rdlen);
			b_end(&b, at);
		} else
			b_smimea(&b, Q, 60, t[i].u, t[i].s, t[i].mt, data,
			    t[i].n);
	}
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.nrecords == sizeof(t) / sizeof(t[0]));
	/* Kept in canonical order (RFC 4034 6.3), not answer order: each
	 * record is checked against the first unused row with its fields
	 * (a short one has zeros there). */
	for (j = 0; j < m.nrecords; j++) {
		const struct smimea_rec *r = &m.records[j];

		if (j > 0)
			CHECK(m.records[j - 1].usage < r->usage ||
			    (m.records[j - 1].usage == r->usage &&
			    (m.records[j - 1].selector < r->selector ||
			    (m.records[j - 1].selector == r->selector &&
			    m.records[j - 1].matching <= r->matching))));
		for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			unsigned u = t[i].rdlen < 3 ? 0 : t[i].u;
			unsigned sel = t[i].rdlen < 3 ? 0 : t[i].s;
			unsigned mt = t[i].rdlen < 3 ? 0 : t[i].mt;
			size_t n = t[i].rdlen < 3 ? 0 : t[i].n;

			if (!(used & (1u << i)) && u == r->usage &&
			    sel == r->selector && mt == r->matching &&
			    n == r->len && (t[i].code == NULL) ==
			    (r->problem_code == NULL))
				break;
		}
		CHECK(i < sizeof(t) / sizeof(t[0]));
		if (i == sizeof(t) / sizeof(t[0]))
			continue;
		used |= 1u << i;
		if (t[i].code == NULL) {
			CHECK(r->problem_code == NULL && r->problem == NULL);
			CHECK(r->len == t[i].n);
			continue;
		}
		CHECK_STR(r->problem_code, t[i].code);
		CHECK(r->problem != NULL && strstr(r->problem, "RFC") != NULL);
		if (t[i].rdlen < 3)
			CHECK(r->data == NULL && r->len == 0);
		else
			CHECK(r->usage == t[i].u && r->len == t[i].n &&
			    (t[i].n == 0) == (r->data == NULL));
	}
	CHECK(used == (1u << (sizeof(t) / sizeof(t[0]))) - 1);
	dnsmsg_free(&m);
}

/* The same RRset in two orders gives the same records in the same order
 * (RFC 2181 5: an RRset has none; validators rotate it), so verdicts,
 * problems and record indexes do not depend on the order that came. */
static void
test_rrset_order(void)
{
	static const struct { unsigned u, s, mt; uint8_t fill; size_t n; } t[] = {
		{ 3, 0, 1, 0x22, 32 }, { 2, 0, 1, 0x11, 32 },
		{ 3, 0, 1, 0x11, 32 }, { 2, 0, 0, 0x33, 20 },
		{ 2, 0, 0, 0x33, 19 },
	};
	size_t k = sizeof(t) / sizeof(t[0]), i, pass;
	struct dnsmsg m[2];
	uint8_t data[32];
	struct b b;

	for (pass = 0; pass < 2; pass++) {
		b_start(&b, F_RESP);
		for (i = 0; i < k; i++) {
			size_t x = pass == 0 ? i : k - 1 - i;

			memset(data, t[x].fill, sizeof(data));
			b_smimea(&b, Q, 60, t[x].u, t[x].s, t[x].mt, data,
			    t[x].n);
		}
		CHECK(parse(&b, &m[pass]) == DNSMSG_OK);
		CHECK(m[pass].nrecords == k);
	}
	for (i = 0; i < k && i < m[0].nrecords && i < m[1].nrecords; i++) {
		CHECK(m[0].records[i].usage == m[1].records[i].usage &&
		    m[0].records[i].matching == m[1].records[i].matching &&
		    m[0].records[i].len == m[1].records[i].len &&
		    memcmp(m[0].records[i].data, m[1].records[i].data,
		    m[0].records[i].len) == 0);
	}
	/* 2 0 0 (19 octets, a prefix) before 2 0 0 (20), then 2 0 1, then
	 * 3 0 1 with 0x11.. before 0x22.. */
	CHECK(m[0].records[0].usage == 2 && m[0].records[0].len == 19);
	CHECK(m[0].records[1].usage == 2 && m[0].records[1].len == 20);
	CHECK(m[0].records[2].usage == 2 && m[0].records[2].matching == 1);
	CHECK(m[0].records[3].usage == 3 && m[0].records[3].data[0] == 0x11);
	CHECK(m[0].records[4].usage == 3 && m[0].records[4].data[0] == 0x22);
	dnsmsg_free(&m[0]);
	dnsmsg_free(&m[1]);
}

static void
test_negative(void)
{
	struct b b;
	struct dnsmsg m;

	/* NXDOMAIN: TTL = min(SOA TTL, MINIMUM), both ways round. */
	b_start(&b, F_RESP | F_AD | 3);
	b_soa(&b, 3600, 300);
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.rcode == 3 && m.has_soa && m.ttl == 300 && m.nrecords == 0);
	CHECK(m.records == NULL);
	CHECK_STR(m.final_name, Q);
	dnsmsg_free(&m);

	b_start(&b, F_RESP | 3);
	b_soa(&b, 60, 300);
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.rcode == 3 && m.has_soa && m.ttl == 60);
	dnsmsg_free(&m);

	/* NODATA: NOERROR, empty answer, SOA; other authority RRs skipped. */
	b_start(&b, F_RESP | F_AD);
	b_end(&b, b_rr(&b, SEC_NS, "example.com", 47 /* NSEC */,
	    DNS_CLASS_IN, 10));
	b_soa(&b, 900, 600);
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.rcode == 0 && m.has_soa && m.ttl == 600 && m.nrecords == 0);
	dnsmsg_free(&m);

	/* Several SOAs: the smallest wins; a CH-class SOA does not count. */
	b_start(&b, F_RESP | 3);
	b_soa(&b, 900, 900);
	b_soa(&b, 100, 200);
	b_end(&b, b_rr(&b, SEC_NS, "example.com", DNS_TYPE_SOA, 3, 1));
	b_soa(&b, 500, 500);
	CHECK(parse(&b, &m) == DNSMSG_E_RDLENGTH);	/* empty SOA RDATA */
	dnsmsg_free(&m);
	b_start(&b, F_RESP | 3);
	b_soa(&b, 900, 900);
	b_soa(&b, 100, 200);
	b_soa(&b, 500, 500);
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.has_soa && m.ttl == 100);
	dnsmsg_free(&m);

	/* Neither records nor SOA: TTL 0. */
	b_start(&b, F_RESP | 2);
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.rcode == 2 && !m.has_soa && m.ttl == 0);
	dnsmsg_free(&m);

	/* TTL with the top bit set counts as 0 (RFC 2181 8). */
	b_start(&b, F_RESP);
	b_smimea(&b, Q, 0x80000001u, 3, 1, 1, sha256, 32);
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.nrecords == 1 && m.ttl == 0 && m.records[0].ttl == 0);
	dnsmsg_free(&m);
}

static void
test_flags(void)
{
	struct b b;
	struct dnsmsg m;

	b_start(&b, F_QR | F_AA | F_TC | F_RD | F_RA | F_AD | F_CD | 5);
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.qr && m.aa && m.tc && m.rd && m.ra && m.ad && m.cd);
	CHECK(m.rcode == 5);
	dnsmsg_free(&m);

	b_start(&b, F_QR);
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.qr && !m.aa && !m.tc && !m.rd && !m.ra && !m.ad && !m.cd);
	dnsmsg_free(&m);
}

static void
test_edns(void)
{
	static const uint8_t hostile[] =
	    "\x01" "ab\x1b[31m\xff\xc3\x28 \xc3\xa9 \xe2\x80\xae"
	    "\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\x7f\xc2\x85" "z\0\0";
	uint8_t longtext[600];
	char want[64];
	struct b b;
	struct dnsmsg m;
	size_t at, i, n;

	/* SERVFAIL with EDE 6 "DNSSEC Bogus", DO, udp size. */
	b_start(&b, F_RESP | 2);
	at = b_opt(&b, 0x00008000);
	b_ede(&b, 6, "DNSSEC Bogus", 12);
	b_ede(&b, 9, "second", 6);	/* only the first EDE counts */
	b_end(&b, at);
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.has_opt && m.do_bit && m.udp_size == 1232);
	CHECK(m.rcode == 2 && m.has_ede && m.ede_code == 6);
	CHECK_STR(m.ede_text, "DNSSEC Bogus");
	dnsmsg_free(&m);

	/* Hostile text: controls, invalid UTF-8, bidi override, C1. */
	b_start(&b, F_RESP | 2);
	at = b_opt(&b, 0);
	b_u16(&b, 10);			/* a COOKIE option first, skipped */
	b_u16(&b, 8);
	b_raw(&b, "12345678", 8);
	b_ede(&b, 0, hostile, sizeof(hostile) - 1);
	b_end(&b, at);
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.has_opt && !m.do_bit && m.has_ede && m.ede_code == 0);
	/* Built piecewise: "??(" would be a trigraph in C11. */
	strcpy(want, "?ab?[31m?");
	strcat(want, "?( \xc3\xa9 ");
	n = strlen(want);
	memset(want + n, '?', 12);	/* RLO, c0 af, ed a0 80, f4 90 80 80, DEL, C1 */
	strcpy(want + n + 12, "z");
	CHECK_STR(m.ede_text, want);
	dnsmsg_free(&m);

	/* Long text: cut at DS_MAX_EDE_TEXT on a character boundary. */
	for (i = 0; i + 1 < sizeof(longtext); i += 2) {
		longtext[i] = 0xc3;
		longtext[i + 1] = 0xa9;
	}
	b_start(&b, F_RESP | 2);
	at = b_opt(&b, 0);
	b_u16(&b, DNS_OPT_EDE);
	b_u16(&b, 2 + sizeof(longtext));
	b_u16(&b, 22);
	b_raw(&b, longtext, sizeof(longtext));
	b_end(&b, at);
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.has_ede && m.ede_code == 22);
	CHECK(strlen(m.ede_text) == DS_MAX_EDE_TEXT);
	CHECK((uint8_t)m.ede_text[DS_MAX_EDE_TEXT - 2] == 0xc3);
	dnsmsg_free(&m);

	/* Empty EXTRA-TEXT. */
	b_start(&b, F_RESP | 2);
	at = b_opt(&b, 0);
	b_ede(&b, 18, "", 0);
	b_end(&b, at);
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.has_ede && m.ede_code == 18 && m.ede_text[0] == '\0');
	dnsmsg_free(&m);

	/* Extended RCODE (RFC 6891 6.1.3): 1 << 4 | 0 = BADVERS (16). */
	b_start(&b, F_RESP);
	b_end(&b, b_opt(&b, 0x01000000));
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.rcode == 16);
	dnsmsg_free(&m);
	b_start(&b, F_RESP | 2);
	b_end(&b, b_opt(&b, 0xff008000));
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.rcode == (0xff << 4 | 2) && m.do_bit);
	dnsmsg_free(&m);

	/* Malformed OPT. */
	b_start(&b, F_RESP);		/* owner not root */
	b_end(&b, b_rr(&b, SEC_AR, "example.com", DNS_TYPE_OPT, 1232, 0));
	CHECK(parse_rc(&b) == DNSMSG_E_OPT);
	b_start(&b, F_RESP);		/* two OPTs */
	b_end(&b, b_opt(&b, 0));
	b_end(&b, b_opt(&b, 0));
	CHECK(parse_rc(&b) == DNSMSG_E_OPT);
	b_start(&b, F_RESP);		/* option runs past RDATA */
	at = b_opt(&b, 0);
	b_u16(&b, DNS_OPT_EDE);
	b_u16(&b, 10);
	b_u16(&b, 6);
	b_end(&b, at);
	CHECK(parse_rc(&b) == DNSMSG_E_OPT);
	b_start(&b, F_RESP);		/* option header cut */
	at = b_opt(&b, 0);
	b_u16(&b, 10);
	b_u8(&b, 0);
	b_end(&b, at);
	CHECK(parse_rc(&b) == DNSMSG_E_OPT);
	b_start(&b, F_RESP);		/* EDE without INFO-CODE */
	at = b_opt(&b, 0);
	b_u16(&b, DNS_OPT_EDE);
	b_u16(&b, 1);
	b_u8(&b, 0);
	b_end(&b, at);
	CHECK(parse_rc(&b) == DNSMSG_E_OPT);
	b_start(&b, F_RESP);		/* OPT in the answer section */
	b_end(&b, b_rr(&b, SEC_AN, ".", DNS_TYPE_OPT, 1232, 0));
	CHECK(parse_rc(&b) == DNSMSG_E_OPT);
	b_start(&b, F_RESP);		/* OPT in the authority section */
	b_end(&b, b_rr(&b, SEC_NS, ".", DNS_TYPE_OPT, 1232, 0));
	CHECK(parse_rc(&b) == DNSMSG_E_OPT);

	/* Other additional RRs are skipped. */
	b_start(&b, F_RESP);
	at = b_rr(&b, SEC_AR, "ns1.example.com", 1, DNS_CLASS_IN, 60);
	b_u32(&b, 0x7f000001);
	b_end(&b, at);
	b_end(&b, b_opt(&b, 0));
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.has_opt);
	dnsmsg_free(&m);
}

static void
test_cname(void)
{
	struct b b;
	struct dnsmsg m;
	char owner[32], target[32];
	int i;

	/* In order; also an unrelated SMIMEA and one at the qname. */
	b_start(&b, F_RESP | F_AD);
	b_cname(&b, "@c00c", "a.Example.NET", 600);
	b_cname(&b, "A.example.net", "b.example.org", 500);
	b_smimea(&b, "B.Example.Org", 700, 3, 1, 1, sha256, 32);
	b_smimea(&b, "@c00c", 10, 3, 1, 1, sha256, 32);
	b_smimea(&b, "c.example.org", 10, 3, 1, 1, sha256, 32);
	b_end(&b, b_rr(&b, SEC_AN, "b.example.org", 46 /* RRSIG */,
	    DNS_CLASS_IN, 5));
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.cname_hops == 2 && m.nrecords == 1 && m.nignored == 2);
	CHECK_STR(m.final_name, "b.example.org");
	CHECK(m.ttl == 500);
	dnsmsg_free(&m);

	/* Reversed order. */
	b_start(&b, F_RESP);
	b_smimea(&b, "b.example.org", 100, 3, 1, 1, sha256, 32);
	b_cname(&b, "a.example.net", "b.example.org", 500);
	b_cname(&b, Q, "a.example.net", 600);
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.cname_hops == 2 && m.nrecords == 1 && m.nignored == 0);
	CHECK_STR(m.final_name, "b.example.org");
	CHECK(m.ttl == 100);
	dnsmsg_free(&m);

	/* Chain to nowhere: NXDOMAIN at the end; SOA gives the TTL. */
	b_start(&b, F_RESP | 3);
	b_cname(&b, Q, "gone.example.net", 600);
	b_soa(&b, 120, 60);
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.cname_hops == 1 && m.nrecords == 0 && m.ttl == 60);
	CHECK_STR(m.final_name, "gone.example.net");
	dnsmsg_free(&m);

	/* Same CNAME twice is one; two different ones are ambiguous. */
	b_start(&b, F_RESP);
	b_cname(&b, Q, "a.example.net", 600);
	b_cname(&b, Q, "A.example.net", 60);
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.cname_hops == 1);
	dnsmsg_free(&m);
	b_start(&b, F_RESP);
	b_cname(&b, Q, "a.example.net", 600);
	b_cname(&b, Q, "b.example.net", 600);
	CHECK(parse_rc(&b) == DNSMSG_E_CNAME);

	/* Loops: to itself, and through another name. */
	b_start(&b, F_RESP);
	b_cname(&b, Q, Q, 600);
	CHECK(parse_rc(&b) == DNSMSG_E_CNAME);
	b_start(&b, F_RESP);
	b_cname(&b, Q, "a.example.net", 600);
	b_cname(&b, "a.example.net", "@c00c", 600);
	CHECK(parse_rc(&b) == DNSMSG_E_CNAME);
	b_start(&b, F_RESP);
	b_cname(&b, Q, "a.example.net", 600);
	b_cname(&b, "a.example.net", "b.example.net", 600);
	b_cname(&b, "b.example.net", "a.example.net", 600);
	CHECK(parse_rc(&b) == DNSMSG_E_CNAME);

	/* DS_MAX_CNAME_CHAIN hops are fine, one more is not. */
	for (i = 0; i < 2; i++) {
		int hops = DS_MAX_CNAME_CHAIN + i, h;

		b_start(&b, F_RESP);
		for (h = 0; h < hops; h++) {
			snprintf(owner, sizeof(owner), "h%d.example.net", h);
			snprintf(target, sizeof(target), "h%d.example.net",
			    h + 1);
			b_cname(&b, h == 0 ? Q : owner, target, 600);
		}
		snprintf(target, sizeof(target), "h%d.example.net", hops);
		b_smimea(&b, target, 60, 3, 1, 1, sha256, 32);
		if (i == 0) {
			CHECK(parse(&b, &m) == DNSMSG_OK);
			CHECK(m.cname_hops == DS_MAX_CNAME_CHAIN &&
			    m.nrecords == 1);
			CHECK_STR(m.final_name, target);
			dnsmsg_free(&m);
		} else
			CHECK(parse_rc(&b) == DNSMSG_E_CNAME);
	}

	/* CNAME RDATA must be exactly one name. */
	b_start(&b, F_RESP);
	{
		size_t at = b_rr(&b, SEC_AN, Q, DNS_TYPE_CNAME, DNS_CLASS_IN, 1);

		b_name(&b, "a.example.net");
		b_u8(&b, 0);
		b_end(&b, at);
	}
	CHECK(parse_rc(&b) == DNSMSG_E_RDLENGTH);
	b_start(&b, F_RESP);
	{
		size_t at = b_rr(&b, SEC_AN, Q, DNS_TYPE_CNAME, DNS_CLASS_IN, 1);

		b_name(&b, "a.example.net");
		b_set16(&b, at, 5);	/* the name runs past RDLENGTH */
		b_u16(&b, 1);		/* ...into what follows */
		b_u16(&b, 1);
	}
	CHECK(parse_rc(&b) == DNSMSG_E_RDLENGTH);
}

static void
test_names(void)
{
	struct b b;
	size_t at, i, ptr0;
	int k;

	/* Self-pointer. */
	b_start(&b, F_RESP);
	b_bump(&b, SEC_AN);
	b_u16(&b, 0xc000 | (unsigned)b.len);
	b_u16(&b, 1);
	b_u16(&b, 1);
	b_u32(&b, 0);
	b_u16(&b, 0);
	CHECK(parse_rc(&b) == DNSMSG_E_NAME);

	/* Two pointers pointing at each other (in an RDATA, then the owner). */
	b_start(&b, F_RESP);
	at = b_rr(&b, SEC_AN, Q, 16, DNS_CLASS_IN, 0);
	ptr0 = b.len;
	b_u16(&b, 0xc000 | (unsigned)(ptr0 + 2));
	b_u16(&b, 0xc000 | (unsigned)ptr0);
	b_end(&b, at);
	b_bump(&b, SEC_AN);
	b_u16(&b, 0xc000 | (unsigned)ptr0);
	b_u16(&b, 1);
	b_u16(&b, 1);
	b_u32(&b, 0);
	b_u16(&b, 0);
	CHECK(parse_rc(&b) == DNSMSG_E_NAME);

	/* Backward loop through a label: "a" then a pointer back to it. */
	b_start(&b, F_RESP);
	at = b_rr(&b, SEC_AN, Q, 16, DNS_CLASS_IN, 0);
	ptr0 = b.len;
	b_u8(&b, 1);
	b_u8(&b, 'a');
	b_u16(&b, 0xc000 | (unsigned)ptr0);
	b_end(&b, at);
	b_bump(&b, SEC_AN);
	b_u16(&b, 0xc000 | (unsigned)ptr0);
	b_u16(&b, 1);
	b_u16(&b, 1);
	b_u32(&b, 0);
	b_u16(&b, 0);
	CHECK(parse_rc(&b) == DNSMSG_E_NAME);

	/* A chain of backward pointers: DS_MAX_COMPRESSION_PTRS pass, one
	 * more does not. The owner's own pointer counts. */
	for (k = 0; k < 2; k++) {
		size_t prev;

		b_start(&b, F_RESP);
		at = b_rr(&b, SEC_AN, Q, 16, DNS_CLASS_IN, 0);
		prev = b.len;
		b_name(&b, "x");
		for (i = 0; i + 1 < (size_t)DS_MAX_COMPRESSION_PTRS + k; i++) {
			size_t here = b.len;

			b_u16(&b, 0xc000 | (unsigned)prev);
			prev = here;
		}
		b_end(&b, at);
		b_bump(&b, SEC_AN);
		b_u16(&b, 0xc000 | (unsigned)prev);
		b_u16(&b, 1);
		b_u16(&b, 1);
		b_u32(&b, 0);
		b_u16(&b, 0);
		CHECK(parse_rc(&b) == (k == 0 ? DNSMSG_OK : DNSMSG_E_NAME));
	}

	/* Forward pointer beyond the end, and forward inside the message. */
	b_start(&b, F_RESP);
	b_end(&b, b_rr(&b, SEC_AN, "@ffff", 16, DNS_CLASS_IN, 0));
	CHECK(parse_rc(&b) == DNSMSG_E_NAME);
	b_start(&b, F_RESP);
	at = b.len;
	b_end(&b, b_rr(&b, SEC_AN, "@0000", 16, DNS_CLASS_IN, 0));
	b_set16(&b, at, 0xc000 | (unsigned)(at + 4));
	CHECK(parse_rc(&b) == DNSMSG_E_NAME);

	/* Label types 0x40 and 0x80. */
	for (k = 0; k < 2; k++) {
		b_start(&b, F_RESP);
		b_bump(&b, SEC_AN);
		b_u8(&b, k == 0 ? 0x41 : 0x81);
		b_u8(&b, 'a');
		b_u8(&b, 0);
		b_u16(&b, 16);
		b_u16(&b, 1);
		b_u32(&b, 0);
		b_u16(&b, 0);
		CHECK(parse_rc(&b) == DNSMSG_E_NAME);
	}

	/*
	 * A name of 255 octets passes; 256 (last label one longer) and 257
	 * ("z" + the 255, uncompressed or through a pointer) do not.
	 */
	for (k = 0; k < 4; k++) {
		unsigned last = k == 3 ? 62 : 61;

		b_start(&b, F_RESP);
		at = b_rr(&b, SEC_AN, Q, 16, DNS_CLASS_IN, 0);
		ptr0 = b.len;
		/* 3 * 64 + 62 + root = 255 */
		for (i = 0; i < 3; i++) {
			b_u8(&b, 63);
			b_raw(&b, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			    "xxxxxxxxxxxxxxxx", 63);
		}
		b_u8(&b, last);
		b_raw(&b, "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"
		    "yyyyyyyyyy", last);
		b_u8(&b, 0);
		b_end(&b, at);
		b_bump(&b, SEC_AN);
		if (k == 2) {
			b_u8(&b, 1);
			b_u8(&b, 'z');
		}
		if (k == 1) {
			b_raw(&b, "\x01z", 2);
			b_raw(&b, b.buf + ptr0, 255);
		} else
			b_u16(&b, 0xc000 | (unsigned)ptr0);
		b_u16(&b, 16);
		b_u16(&b, 1);
		b_u32(&b, 0);
		b_u16(&b, 0);
		CHECK(parse_rc(&b) == (k == 0 ? DNSMSG_OK : DNSMSG_E_NAME));
	}
}

static void
test_question(void)
{
	struct b b;
	struct dnsmsg m;
	uint8_t *copy;
	char upper[sizeof(Q)];
	size_t i;

	/* Mixed-case echo (0x20 randomisation) and owner. */
	b.len = 0;
	b_u16(&b, 7);
	b_u16(&b, F_RESP);
	b_u16(&b, 1);
	b_u16(&b, 0);
	b_u16(&b, 0);
	b_u16(&b, 0);
	b_name(&b, "C93F1E400F26708F98CB19D936620DA35EEC8F72E57F9EEC01C1AFD6."
	    "_SMIMECERT.ExAmPlE.CoM.");
	b_u16(&b, DNS_TYPE_SMIMEA);
	b_u16(&b, DNS_CLASS_IN);
	b_smimea(&b, "@c00c", 60, 3, 1, 1, sha256, 32);
	b_smimea(&b, Q, 60, 3, 1, 2, sha512, 64);
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.nrecords == 2);
	CHECK_STR(m.final_name, Q);
	dnsmsg_free(&m);

	/* And an upper-case qname from the caller, with a trailing dot. */
	for (i = 0; i < sizeof(Q); i++)
		upper[i] = (char)(Q[i] >= 'a' && Q[i] <= 'z' ? Q[i] - 32 : Q[i]);
	copy = malloc(b.len);
	memcpy(copy, b.buf, b.len);
	CHECK(dnsmsg_parse(copy, b.len, upper, DNS_TYPE_SMIMEA, &m) ==
	    DNSMSG_OK);
	CHECK(m.nrecords == 2);
	CHECK_STR(m.final_name, Q);
	dnsmsg_free(&m);
	CHECK(dnsmsg_parse(copy, b.len, Q ".", DNS_TYPE_SMIMEA, &m) ==
	    DNSMSG_OK);
	dnsmsg_free(&m);
	/* Another name, another type, a bad qname from the caller. */
	CHECK(dnsmsg_parse(copy, b.len, "example.com", DNS_TYPE_SMIMEA, &m) ==
	    DNSMSG_E_QUESTION);
	CHECK(cleared(&m));
	CHECK(dnsmsg_parse(copy, b.len, Q, 52, &m) == DNSMSG_E_QUESTION);
	CHECK(dnsmsg_parse(copy, b.len, "a..b", 53, &m) == DNSMSG_E_QUESTION);
	CHECK(dnsmsg_parse(copy, b.len, NULL, 53, &m) == DNSMSG_E_QUESTION);
	free(copy);

	/* Name differs by one octet in the answer's question. */
	b_start(&b, F_RESP);
	b.buf[13] = 'd';
	CHECK(parse_rc(&b) == DNSMSG_E_QUESTION);
	/* Type and class. */
	b_start(&b, F_RESP);
	b_set16(&b, b.len - 4, DNS_TYPE_CNAME);
	CHECK(parse_rc(&b) == DNSMSG_E_QUESTION);
	b_start(&b, F_RESP);
	b_set16(&b, b.len - 2, 3);	/* CH */
	CHECK(parse_rc(&b) == DNSMSG_E_QUESTION);
	/* QDCOUNT 0 and 2. */
	b_start(&b, F_RESP);
	b_count(&b, SEC_QD, 0);
	b.len = 12;
	CHECK(parse_rc(&b) == DNSMSG_E_QUESTION);
	b_start(&b, F_RESP);
	b_count(&b, SEC_QD, 2);
	b_name(&b, Q);
	b_u16(&b, DNS_TYPE_SMIMEA);
	b_u16(&b, DNS_CLASS_IN);
	CHECK(parse_rc(&b) == DNSMSG_E_QUESTION);

	/* QR = 0, and OPCODE STATUS. */
	b_start(&b, F_RD);
	CHECK(parse_rc(&b) == DNSMSG_E_NOT_RESPONSE);
	b_start(&b, F_RESP | 2 << 11);
	CHECK(parse_rc(&b) == DNSMSG_E_NOT_RESPONSE);

	/* Nothing at all. */
	CHECK(dnsmsg_parse(NULL, 0, Q, 53, &m) == DNSMSG_E_SHORT);
	CHECK(cleared(&m));
}

static void
test_lengths(void)
{
	struct b b;
	size_t at;

	/* RDLENGTH past the end. */
	b_start(&b, F_RESP);
	at = b_rr(&b, SEC_AN, Q, DNS_TYPE_SMIMEA, DNS_CLASS_IN, 60);
	b_raw(&b, "\x03\x01\x01", 3);
	b_set16(&b, at, 1000);
	CHECK(parse_rc(&b) == DNSMSG_E_RDLENGTH);

	/* SOA too short, and too long. */
	b_start(&b, F_RESP | 3);
	at = b_rr(&b, SEC_NS, "example.com", DNS_TYPE_SOA, DNS_CLASS_IN, 60);
	b_name(&b, "ns1.example.com");
	b_name(&b, "h.example.com");
	b_u32(&b, 1);
	b_u32(&b, 2);
	b_u32(&b, 3);
	b_u32(&b, 4);
	b_end(&b, at);
	CHECK(parse_rc(&b) == DNSMSG_E_RDLENGTH);
	b_start(&b, F_RESP | 3);
	at = b_rr(&b, SEC_NS, "example.com", DNS_TYPE_SOA, DNS_CLASS_IN, 60);
	b_name(&b, "@c00c");
	b_name(&b, "@c00c");
	b_raw(&b, "12345678901234567890+", 21);
	b_end(&b, at);
	CHECK(parse_rc(&b) == DNSMSG_E_RDLENGTH);

	/* Trailing garbage. */
	b_start(&b, F_RESP);
	b_smimea(&b, Q, 60, 3, 1, 1, sha256, 32);
	b_u8(&b, 0);
	CHECK(parse_rc(&b) == DNSMSG_E_TRAILING);

	/* Counts promising more than there is. */
	b_start(&b, F_RESP);
	b_smimea(&b, Q, 60, 3, 1, 1, sha256, 32);
	b_count(&b, SEC_AR, 1);
	CHECK(parse_rc(&b) == DNSMSG_E_SHORT);
}

static void
test_many(void)
{
	struct b b;
	struct dnsmsg m;
	int i;

	b_start(&b, F_RESP);
	for (i = 0; i < DS_MAX_RECORDS + 6; i++)
		b_smimea(&b, "@c00c", 60, 3, 1, 1, sha256, 32);
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.nrecords == DS_MAX_RECORDS && m.nignored == 6);
	dnsmsg_free(&m);
}

/* Every prefix of a rich answer is refused, never read past. */
static void
test_truncation(void)
{
	struct b b;
	struct dnsmsg m;
	uint8_t *copy;
	size_t n, at, bad = 0;
	int rc;

	b_start(&b, F_RESP | F_AD);
	b_cname(&b, "@c00c", "a.example.net", 600);
	b_smimea(&b, "a.example.net", 60, 3, 0, 0, cert, sizeof(cert));
	b_smimea(&b, "a.example.net", 60, 3, 1, 1, sha256, 32);
	b_soa(&b, 60, 60);
	at = b_opt(&b, 0x00008000);
	b_ede(&b, 3, "stale", 5);
	b_end(&b, at);
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK(m.nrecords == 2 && m.has_ede && m.cname_hops == 1);
	dnsmsg_free(&m);
	for (n = 0; n < b.len; n++) {
		if ((copy = malloc(n ? n : 1)) == NULL)
			abort();
		memcpy(copy, b.buf, n);
		rc = dnsmsg_parse(copy, n, Q, DNS_TYPE_SMIMEA, &m);
		if (rc <= 0 || !cleared(&m))
			bad++;
		dnsmsg_free(&m);
		free(copy);
	}
	CHECK(bad == 0);
}

static void
test_strings(void)
{
	static const char *const codes[] = { "ok", "short", "not-response",
	    "question-mismatch", "bad-name", "bad-rdlength", "cname-chain",
	    "bad-opt", "trailing-data" };
	int i;

	for (i = 0; i <= DNSMSG_E_TRAILING; i++) {
		CHECK_STR(dnsmsg_code(i), codes[i]);
		CHECK(dnsmsg_strerror(i) != NULL);
		if (i > 0)
			CHECK(strstr(dnsmsg_strerror(i), "RFC") != NULL);
	}
	CHECK_STR(dnsmsg_code(-1), "out-of-memory");
	CHECK_STR(dnsmsg_strerror(-1), "out of memory");
	CHECK_STR(dnsmsg_code(99), "unknown");
}

static void
test_name_to_wire(void)
{
	uint8_t w[300];
	size_t n = 0;
	char name[300];
	int i;

	CHECK(dns_name_to_wire("example.com", w, sizeof(w), &n) == 0);
	CHECK(n == 13 && memcmp(w, "\7example\3com", 13) == 0);
	CHECK(dns_name_to_wire("example.com.", w, sizeof(w), &n) == 0 &&
	    n == 13);
	CHECK(dns_name_to_wire(".", w, sizeof(w), &n) == 0 && n == 1 &&
	    w[0] == 0);
	CHECK(dns_name_to_wire("", w, sizeof(w), &n) == 0 && n == 1);
	CHECK(dns_name_to_wire("a..b", w, sizeof(w), &n) == -1);
	CHECK(dns_name_to_wire(".a", w, sizeof(w), &n) == -1);
	CHECK(dns_name_to_wire("a..", w, sizeof(w), &n) == -1);
	CHECK(dns_name_to_wire("..", w, sizeof(w), &n) == -1);
	CHECK(dns_name_to_wire(NULL, w, sizeof(w), &n) == -1);
	/* Escapes (RFC 1035 5.1). */
	CHECK(dns_name_to_wire("a\\.b.c", w, sizeof(w), &n) == 0 && n == 7 &&
	    memcmp(w, "\3a.b\1c", 7) == 0);
	CHECK(dns_name_to_wire("\\065\\000", w, sizeof(w), &n) == 0 &&
	    n == 4 && w[0] == 2 && w[1] == 'A' && w[2] == 0 && w[3] == 0);
	CHECK(dns_name_to_wire("\\256", w, sizeof(w), &n) == -1);
	CHECK(dns_name_to_wire("\\12", w, sizeof(w), &n) == -1);
	CHECK(dns_name_to_wire("a\\", w, sizeof(w), &n) == -1);
	/* 63-octet labels pass, 64 do not. */
	memset(name, 'a', 63);
	name[63] = '\0';
	CHECK(dns_name_to_wire(name, w, sizeof(w), &n) == 0 && n == 65);
	memset(name, 'a', 64);
	name[64] = '\0';
	CHECK(dns_name_to_wire(name, w, sizeof(w), &n) == -1);
	/* 253 characters (255 octets) pass, 254 do not. */
	for (i = 0; i < 253; i++)
		name[i] = i % 2 == 0 ? 'a' : '.';
	name[253] = '\0';
	CHECK(dns_name_to_wire(name, w, sizeof(w), &n) == 0 && n == 255);
	name[253] = '.';
	name[254] = '\0';
	CHECK(dns_name_to_wire(name, w, sizeof(w), &n) == 0 && n == 255);
	name[254] = 'b';
	name[255] = '\0';
	CHECK(dns_name_to_wire(name, w, sizeof(w), &n) == -1);
	/* Output too small. */
	CHECK(dns_name_to_wire("example.com", w, 13, &n) == 0);
	CHECK(dns_name_to_wire("example.com", w, 12, &n) == -1);
	CHECK(dns_name_to_wire("example.com", w, 5, &n) == -1);
	CHECK(dns_name_to_wire(".", w, 0, &n) == -1);
	/* Runs of plain octets are copied at once: the label and output
	 * bounds still hold octet by octet, escapes mixed in or not. */
	for (i = 0; i < 13; i++)
		CHECK(dns_name_to_wire("example.com", w, i, &n) == -1);
	memset(name, 'a', 62);
	memcpy(name + 62, "\\065", 5);
	CHECK(dns_name_to_wire(name, w, sizeof(w), &n) == 0 && n == 65 &&
	    w[0] == 63 && w[63] == 'A');
	memset(name, 'a', 63);
	memcpy(name + 63, "\\065", 5);
	CHECK(dns_name_to_wire(name, w, sizeof(w), &n) == -1);
	memcpy(name, "\\065", 4);
	memset(name + 4, 'a', 63);
	name[67] = '\0';
	CHECK(dns_name_to_wire(name, w, sizeof(w), &n) == -1);
	name[66] = '\0';
	CHECK(dns_name_to_wire(name, w, sizeof(w), &n) == 0 && n == 65);
	CHECK(dns_name_to_wire(name, w, 64, &n) == -1);
	CHECK(dns_name_to_wire(name, w, 65, &n) == 0);
	CHECK(dns_name_to_wire("ab\\.cd\\\\e.f", w, sizeof(w), &n) == 0 &&
	    n == 11 && memcmp(w, "\7ab.cd\\e\1f\0", 11) == 0);
}

/* final_name escapes what is not printable. */
static void
test_final_name(void)
{
	struct b b;
	struct dnsmsg m;
	size_t at;

	b_start(&b, F_RESP);
	at = b_rr(&b, SEC_AN, Q, DNS_TYPE_CNAME, DNS_CLASS_IN, 60);
	b_raw(&b, "\4a.\\\x01\3COM\0", 10);
	b_end(&b, at);
	CHECK(parse(&b, &m) == DNSMSG_OK);
	CHECK_STR(m.final_name, "a\\.\\\\\\001.com");
	dnsmsg_free(&m);
}

int
main(void)
{
	memset(sha256, 0x5a, sizeof(sha256));
	memset(sha512, 0xa5, sizeof(sha512));
	test_positive();
	test_problems();
	test_rrset_order();
	test_negative();
	test_flags();
	test_edns();
	test_cname();
	test_names();
	test_question();
	test_lengths();
	test_many();
	test_truncation();
	test_strings();
	test_name_to_wire();
	test_final_name();
	return t_done("test_dnsmsg");
}
