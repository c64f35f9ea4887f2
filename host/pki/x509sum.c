/* x509sum.c - certificate summaries straight from the DER; see x509sum.h.
 *
 * NSS's full decode (__CERT_DecodeDERCertificate: a template decode into
 * arenas, names to text, its own e-mail list, cert type, a second decode
 * for the key, hashed OID look-ups under locks) is the largest single
 * cost of a lookup (issue 15). Certificates as CAs and tools issue them
 * for people need little of it, so this reads what struct cert_summary
 * needs with the bounded reader, and only for the shapes whose result is
 * known to equal the NSS path's, field for field (tests/unit/
 * test_x509sum.c and tests/fuzz/fuzz_cert.c compare both paths). It is
 * deliberately narrower than X.509: whatever it is not certain about, it
 * declines, and certs.c runs NSS as before. Every rule below that says
 * "decline" is such a case, not an error.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "certs.h"
#include "reader.h"
#include "utf8.h"
#include "x509sum.h"

/* DER tags (X.690 8.1.2). */
#define TAG_BOOLEAN	0x01
#define TAG_INTEGER	0x02
#define TAG_BIT_STRING	0x03
#define TAG_OCTET_STRING 0x04
#define TAG_NULL	0x05
#define TAG_OID		0x06
#define TAG_UTF8STRING	0x0c
#define TAG_PRINTABLE	0x13
#define TAG_IA5STRING	0x16
#define TAG_UTCTIME	0x17
#define TAG_GENTIME	0x18
#define TAG_SEQUENCE	0x30
#define TAG_SET		0x31
#define TAG_EXPLICIT0	0xa0
#define TAG_EXPLICIT3	0xa3

/* Names: more RDNs than this are declined (real names have under ten),
 * which also bounds the rendered text below DS_MAX_DN_TEXT. */
#define MAX_RDNS	32
/* Longest attribute value rendered: NSS's readable form cuts values
 * longer than its per-attribute maximum (alg1485.c name2kinds) with
 * "...", so longer ones are declined; 64 is the ub-* of RFC 5280 A.1
 * and below every maximum in the table but C's. */
#define MAX_VALUE	64
/* Extensions per certificate we look at (duplicates are checked among
 * them); more are declined. */
#define MAX_EXTS	32

/* Definite lengths only, in the shortest form (X.690 10.1), and never
 * more than what is left: certificates are at most 64 KiB, so two length
 * octets suffice. Reads the header in place (it is the innermost loop of
 * both paths) and, like the reader's fetchers, leaves the cursor where
 * it was on failure. */
int
x509_tlv(struct reader *r, uint8_t tag, struct reader *val)
{
	size_t left = rd_left(r), hl, len;
	const uint8_t *p = r->data + r->off;

	if (left < 2 || p[0] != tag)
		return -1;
	if (p[1] < 0x80) {
		hl = 2;
		len = p[1];
	} else if (p[1] == 0x81 && left >= 3 && p[2] >= 0x80) {
		hl = 3;
		len = p[2];
	} else if (p[1] == 0x82 && left >= 4 && p[2] != 0) {
		hl = 4;
		len = (size_t)p[2] << 8 | p[3];
	} else
		return -1;
	if (len > left - hl)
		return -1;
	rd_init(val, p + hl, len);
	r->off += hl + len;
	return 0;
}

/* Single-octet tags only (nothing we read needs more). */
int
x509_any(struct reader *r, uint8_t *tag, struct reader *val)
{
	if (rd_left(r) == 0 || (r->data[r->off] & 0x1f) == 0x1f)
		return -1;
	*tag = r->data[r->off];
	return x509_tlv(r, *tag, val);
}

/* True if the reader's value is exactly these content octets. */
static bool
is(const struct reader *v, const uint8_t *oid, size_t n)
{
	return v->len == n && memcmp(v->data, oid, n) == 0;
}

#define IS(v, oid) is((v), (oid), sizeof(oid))

/* Whole TLV encodings and OID contents we compare against. */
static const uint8_t der_version3[] = { 0xa0, 0x03, 0x02, 0x01, 0x02 };
static const uint8_t der_bc_empty[] = { 0x30, 0x00 };
static const uint8_t der_bc_ca[] = { 0x30, 0x03, 0x01, 0x01, 0xff };
/* cA TRUE, pathLenConstraint 0..127 (the last octet, checked apart). */
static const uint8_t der_bc_ca_len[] = {
	0x30, 0x06, 0x01, 0x01, 0xff, 0x02, 0x01
};
static const uint8_t oid_rsa[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01
};
static const uint8_t oid_ec[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01 };
static const uint8_t oid_p256[] = {
	0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07
};
static const uint8_t oid_p384[] = { 0x2b, 0x81, 0x04, 0x00, 0x22 };
static const uint8_t oid_p521[] = { 0x2b, 0x81, 0x04, 0x00, 0x23 };
static const uint8_t oid_ed25519[] = { 0x2b, 0x65, 0x70 };
static const uint8_t oid_ed448[] = { 0x2b, 0x65, 0x71 };
static const uint8_t oid_san[] = { 0x55, 0x1d, 0x11 };
static const uint8_t oid_ku[] = { 0x55, 0x1d, 0x0f };
static const uint8_t oid_eku[] = { 0x55, 0x1d, 0x25 };
static const uint8_t oid_bc[] = { 0x55, 0x1d, 0x13 };
/* Netscape certificate type, 2.16.840.1.113730.1.1: it feeds NSS's cert
 * type (ns_ca), which we do not reproduce. */
static const uint8_t oid_ns_type[] = {
	0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x42, 0x01, 0x01
};
static const uint8_t oid_email[] = {
	0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01
};
static const uint8_t oid_mail[] = {
	0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x03
};

/*
 * Attribute types rendered, with NSS's keyword and maximum value length
 * (alg1485.c name2kinds, the readable form CERT_NameToAscii uses: the
 * first entry of the table for the type's OID tag). Any other type is
 * declined: NSS would print it as OID.n.n=#hex or by a keyword we have
 * not checked.
 */
struct attr {
	uint8_t oid[10];
	uint8_t oid_len;
	const char *kw;
	unsigned max;
};

static const struct attr attrs[] = {
	{ { 0x55, 0x04, 0x03 }, 3, "CN", 640 },
	{ { 0x55, 0x04, 0x08 }, 3, "ST", 128 },
	{ { 0x55, 0x04, 0x0a }, 3, "O", 128 },
	{ { 0x55, 0x04, 0x0b }, 3, "OU", 128 },
	{ { 0x55, 0x04, 0x06 }, 3, "C", 2 },
	{ { 0x55, 0x04, 0x05 }, 3, "serialNumber", 64 },
	{ { 0x55, 0x04, 0x07 }, 3, "L", 128 },
	{ { 0x55, 0x04, 0x0c }, 3, "title", 64 },
	{ { 0x55, 0x04, 0x04 }, 3, "SN", 64 },
	{ { 0x55, 0x04, 0x2a }, 3, "givenName", 64 },
	{ { 0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19 }, 10,
	    "DC", 128 },
	{ { 0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x03 }, 10,
	    "MAIL", 256 },
	{ { 0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01 }, 10,
	    "UID", 256 },
	{ { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01 }, 9,
	    "E", 128 },
};

static const struct attr *
find_attr(const struct reader *oid)
{
	size_t i;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (is(oid, attrs[i].oid, attrs[i].oid_len))
			return &attrs[i];
	return NULL;
}

/*
 * True if NSS renders the value TLV's content unchanged: a
 * PrintableString, IA5String or UTF8String (what CERT_DecodeAVAValue
 * passes through as is) of 1..max octets that needs no quoting or
 * escaping in alg1485.c's minimalEscapeAndQuote mode: no control
 * character or DEL (hex-escaped), none of , = " \ + < > # ; CR LF
 * (quoted or escaped), no leading, trailing or doubled space (quoted).
 * Non-ASCII only in a UTF8String and only as valid UTF-8 text, so the
 * sanitising that follows changes nothing either.
 */
static bool
plain_value(uint8_t tag, const struct reader *v, unsigned max)
{
	static const bool special[0x80] = {
		[','] = true, ['='] = true, ['"'] = true, ['\\'] = true,
		['+'] = true, ['<'] = true, ['>'] = true, ['#'] = true,
		[';'] = true,
	};
	size_t i;
	uint8_t ch, last = 0;

	if (tag != TAG_PRINTABLE && tag != TAG_IA5STRING &&
	    tag != TAG_UTF8STRING)
		return false;
	bool ascii = true;

	if (v->len == 0 || v->len > max || v->len > MAX_VALUE)
		return false;
	for (i = 0; i < v->len; i++) {
		ch = v->data[i];
		if (ch >= 0x80) {
			if (tag != TAG_UTF8STRING)
				return false;
			ascii = false;
		} else if (ch < 0x20 || ch == 0x7f || special[ch])
			return false;
		if (ch == ' ' && (i == 0 || i + 1 == v->len || last == ' '))
			return false;
		last = ch;
	}
	/* Printable ASCII is valid text; anything else must be checked. */
	return ascii || utf8_valid_text((const char *)v->data, v->len);
}

/*
 * Name ::= SEQUENCE OF RDN, RDN ::= SET OF AttributeTypeAndValue (RFC
 * 5280 4.1.2.4). Renders as CERT_NameToAscii does for the shapes
 * accepted: RDNs last to first, joined by ',', each "KW=value". Only
 * RDNs of exactly one AVA and at least one RDN. 1 done (*out set), 0
 * declined, -1 OOM.
 */
static int
name_render(struct reader name, char **out)
{
	struct reader rdns[MAX_RDNS], set, ava, oid, val;
	const struct attr *a[MAX_RDNS];
	char buf[MAX_RDNS * (12 + 2 + MAX_VALUE) + 1];
	size_t n = 0, i, pos = 0, kl;
	uint8_t tag;

	while (rd_left(&name) > 0) {
		if (n == MAX_RDNS ||
		    x509_tlv(&name, TAG_SET, &set) < 0 ||
		    x509_tlv(&set, TAG_SEQUENCE, &ava) < 0 ||
		    rd_left(&set) != 0 ||
		    x509_tlv(&ava, TAG_OID, &oid) < 0 ||
		    (a[n] = find_attr(&oid)) == NULL ||
		    x509_any(&ava, &tag, &val) < 0 || rd_left(&ava) != 0 ||
		    !plain_value(tag, &val, a[n]->max))
			return 0;
		rdns[n++] = val;
	}
	if (n == 0)
		return 0;
	for (i = n; i-- > 0;) {
		if (i + 1 != n)
			buf[pos++] = ',';
		kl = strlen(a[i]->kw);
		memcpy(buf + pos, a[i]->kw, kl);
		pos += kl;
		buf[pos++] = '=';
		memcpy(buf + pos, rdns[i].data, rdns[i].len);
		pos += rdns[i].len;
	}
	buf[pos] = '\0';
	return certs_name_finish(buf, out) == 0 ? 1 : -1;
}

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (days_from_civil). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool
two_digits(const uint8_t *p, unsigned *v)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return false;
	*v = (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');
	return true;
}

/*
 * Time ::= CHOICE { UTCTime, GeneralizedTime } (RFC 5280 4.1.2.5) in the
 * one form RFC 5280 allows for each: YYMMDDHHMMSSZ and YYYYMMDDHHMMSSZ.
 * NSS (dertime.c) also takes missing seconds and +hhmm offsets, and
 * lets PR_ImplodeTime normalise a day 29..31 past the month's end: such
 * times are declined. UTCTime years 50..99 are 19xx, else 20xx, as in
 * NSS. GeneralizedTime before 1950 is declined (not seen in use).
 */
static bool
read_time(struct reader *r, int64_t *usec)
{
	static const unsigned mdays[12] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	struct reader t;
	const uint8_t *p;
	unsigned cc, yy, mo, dd, hh, mi, ss;
	int64_t y;
	uint8_t tag;

	if (x509_any(r, &tag, &t) < 0)
		return false;
	p = t.data;
	if (tag == TAG_UTCTIME && t.len == 13) {
		if (!two_digits(p, &yy))
			return false;
		y = yy < 50 ? 2000 + yy : 1900 + yy;
		p += 2;
	} else if (tag == TAG_GENTIME && t.len == 15) {
		if (!two_digits(p, &cc) || !two_digits(p + 2, &yy))
			return false;
		y = cc * 100 + yy;
		if (y < 1950)
			return false;
		p += 4;
	} else
		return false;
	if (!two_digits(p, &mo) || !two_digits(p + 2, &dd) ||
	    !two_digits(p + 4, &hh) || !two_digits(p + 6, &mi) ||
	    !two_digits(p + 8, &ss) || p[10] != 'Z')
		return false;
	if (mo < 1 || mo > 12 || dd < 1 || dd > mdays[mo - 1] || hh > 23 ||
	    mi > 59 || ss > 59)
		return false;
	if (mo == 2 && dd == 29 &&
	    !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return false;
	*usec = ((days_from_civil(y, mo, dd) * 86400) + hh * 3600 + mi * 60 +
	    ss) * INT64_C(1000000);
	return true;
}

/* A positive INTEGER in its minimal form: its bit length, or 0. */
static unsigned
uint_bits(const struct reader *v)
{
	const uint8_t *p = v->data;
	size_t n = v->len;
	unsigned bits = 8;

	if (n == 0 || (p[0] & 0x80) != 0 ||
	    (p[0] == 0 && (n == 1 || (p[1] & 0x80) == 0)))
		return 0;
	if (p[0] == 0) {
		p++;
		n--;
	}
	if (n > 0xffff / 8)
		return 0;
	while (bits > 1 && (p[0] & (1u << (bits - 1))) == 0)
		bits--;
	return (unsigned)(n - 1) * 8 + bits;
}

/*
 * SubjectPublicKeyInfo (RFC 5280 4.1.2.7; spki: the whole TLV) of the
 * kinds certs.c's key_info (NSS path) sees as "rsa" (rsaEncryption with
 * NULL parameters, RFC 3279 2.3.1: SECKEY_PublicKeyStrengthInBits is the
 * modulus's bit length), "ec" (id-ecPublicKey on P-256, P-384 or P-521
 * with an uncompressed point, RFC 5480: the curve's size),
 * "ed25519"/"ed448" (RFC 8410 without parameters: certs.c's own sizes).
 * Everything else is declined.
 */
static bool
read_key(struct reader spki, struct cert_summary *c)
{
	struct reader body, alg, oid, params, bits, seq, n, e;
	uint8_t unused, ptag = 0;
	unsigned kb = 0, nb;
	bool has_params;

	if (x509_tlv(&spki, TAG_SEQUENCE, &body) < 0 || rd_left(&spki) != 0 ||
	    x509_tlv(&body, TAG_SEQUENCE, &alg) < 0 ||
	    x509_tlv(&body, TAG_BIT_STRING, &bits) < 0 ||
	    rd_left(&body) != 0 || x509_tlv(&alg, TAG_OID, &oid) < 0)
		return false;
	has_params = rd_left(&alg) > 0;
	if (has_params && (x509_any(&alg, &ptag, &params) < 0 ||
	    rd_left(&alg) != 0))
		return false;
	if (rd_u8(&bits, &unused) < 0 || unused != 0 || rd_left(&bits) == 0)
		return false;
	bits.data += bits.off;
	bits.len -= bits.off;
	bits.off = 0;
	if (IS(&oid, oid_rsa)) {
		if (!has_params || ptag != TAG_NULL || params.len != 0)
			return false;
		if (x509_tlv(&bits, TAG_SEQUENCE, &seq) < 0 ||
		    rd_left(&bits) != 0 ||
		    x509_tlv(&seq, TAG_INTEGER, &n) < 0 ||
		    x509_tlv(&seq, TAG_INTEGER, &e) < 0 ||
		    rd_left(&seq) != 0 ||
		    (nb = uint_bits(&n)) == 0 || uint_bits(&e) == 0)
			return false;
		/* A modulus of whole octets (as every RSA key generator
		 * makes them): then the bit length and NSS releases that
		 * count octets times 8 agree. */
		if (nb % 8 != 0)
			return false;
		strcpy(c->key_type, "rsa");
		c->key_bits = nb;
		return true;
	}
	if (IS(&oid, oid_ec)) {
		if (!has_params || ptag != TAG_OID)
			return false;
		if (IS(&params, oid_p256))
			kb = 256;
		else if (IS(&params, oid_p384))
			kb = 384;
		else if (IS(&params, oid_p521))
			kb = 521;
		else
			return false;
		if (bits.len != 1 + 2 * ((kb + 7) / 8) || bits.data[0] != 0x04)
			return false;
		strcpy(c->key_type, "ec");
		c->key_bits = kb;
		return true;
	}
	if (IS(&oid, oid_ed25519) || IS(&oid, oid_ed448)) {
		bool ed448 = IS(&oid, oid_ed448);

		if (has_params || bits.len != (ed448 ? 57u : 32u))
			return false;
		strcpy(c->key_type, ed448 ? "ed448" : "ed25519");
		c->key_bits = ed448 ? 448 : 256;
		return true;
	}
	return false;
}

/* AlgorithmIdentifier of a signature: any OID, parameters absent, NULL
 * or a SEQUENCE (RSASSA-PSS), nothing else. */
static bool
read_sig_alg(struct reader *r)
{
	struct reader alg, oid, params;
	uint8_t tag;

	if (x509_tlv(r, TAG_SEQUENCE, &alg) < 0 ||
	    x509_tlv(&alg, TAG_OID, &oid) < 0 || oid.len == 0 ||
	    (oid.data[oid.len - 1] & 0x80) != 0)
		return false;
	if (rd_left(&alg) == 0)
		return true;
	if (x509_any(&alg, &tag, &params) < 0 || rd_left(&alg) != 0)
		return false;
	return (tag == TAG_NULL && params.len == 0) || tag == TAG_SEQUENCE;
}

struct ext {
	struct reader oid;
	struct reader val;
};

/*
 * Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension, Extension ::=
 * SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue
 * OCTET STRING } (RFC 5280 4.1.2.9). Any extension is allowed, each at
 * most once (RFC 5280 4.2; certs.c's NSS path has the errors), except
 * Netscape's cert type.
 */
static bool
read_exts(struct reader seq, struct ext *x, size_t *nx)
{
	struct reader e, b;
	size_t i;
	uint8_t v;

	*nx = 0;
	if (rd_left(&seq) == 0)
		return false;
	while (rd_left(&seq) > 0) {
		if (*nx == MAX_EXTS || x509_tlv(&seq, TAG_SEQUENCE, &e) < 0 ||
		    x509_tlv(&e, TAG_OID, &x[*nx].oid) < 0 ||
		    x[*nx].oid.len == 0 ||
		    (x[*nx].oid.data[x[*nx].oid.len - 1] & 0x80) != 0)
			return false;
		if (rd_left(&e) > 0 && e.data[e.off] == TAG_BOOLEAN &&
		    (x509_tlv(&e, TAG_BOOLEAN, &b) < 0 || b.len != 1 ||
		    rd_u8(&b, &v) < 0 || (v != 0 && v != 0xff)))
			return false;
		if (x509_tlv(&e, TAG_OCTET_STRING, &x[*nx].val) < 0 ||
		    rd_left(&e) != 0 || IS(&x[*nx].oid, oid_ns_type))
			return false;
		for (i = 0; i < *nx; i++)
			if (x[i].oid.len == x[*nx].oid.len &&
			    memcmp(x[i].oid.data, x[*nx].oid.data,
			    x[i].oid.len) == 0)
				return false;
		(*nx)++;
	}
	return true;
}

static const struct reader *
find_ext(const struct ext *x, size_t nx, const uint8_t *oid, size_t len)
{
	size_t i;

	for (i = 0; i < nx; i++)
		if (is(&x[i].oid, oid, len))
			return &x[i].val;
	return NULL;
}

#define FIND_EXT(x, nx, oid) find_ext((x), (nx), (oid), sizeof(oid))

/* The subject's emailAddress and mail attributes, in name order, through
 * certs.c's own code (the name was checked by name_render). 0, -1 OOM,
 * -2 a name that does not parse (not reached). */
static int
subject_emails(struct cert_summary *c, struct reader name, bool to_emails)
{
	struct reader set, ava, oid;
	bool email, mail;

	while (rd_left(&name) > 0) {
		if (x509_tlv(&name, TAG_SET, &set) < 0 ||
		    x509_tlv(&set, TAG_SEQUENCE, &ava) < 0 ||
		    x509_tlv(&ava, TAG_OID, &oid) < 0)
			return -2;	/* not reached: checked before */
		email = IS(&oid, oid_email);
		mail = IS(&oid, oid_mail);
		if ((email || mail) && certs_subject_email(c, mail,
		    ava.data + ava.off, rd_left(&ava), to_emails) != 0)
			return -1;
	}
	return 0;
}

/* The summary, or 0 to decline; -1 OOM. c is zeroed on entry. */
static int
summarise(const uint8_t *der, size_t len, struct cert_summary *c)
{
	struct reader r, cert, tbs, ver, serial, issuer, validity, subject;
	struct reader spki, extw, exts, sigbits;
	struct ext x[MAX_EXTS];
	const struct reader *v;
	const char *why;
	int64_t nb, na;
	size_t nx = 0;
	uint8_t unused;
	int rc;

	rd_init(&r, der, len);
	if (x509_tlv(&r, TAG_SEQUENCE, &cert) < 0 || rd_left(&r) != 0 ||
	    x509_tlv(&cert, TAG_SEQUENCE, &tbs) < 0 || !read_sig_alg(&cert) ||
	    x509_tlv(&cert, TAG_BIT_STRING, &sigbits) < 0 ||
	    rd_left(&cert) != 0 || rd_u8(&sigbits, &unused) < 0 ||
	    unused != 0 || rd_left(&sigbits) == 0)
		return 0;
	/* TBSCertificate (RFC 5280 4.1): v3 only (ns_ca: NSS counts a
	 * self-issued v1 or v2 certificate as a CA), no unique IDs. */
	if (rd_bytes(&tbs, sizeof(der_version3), &ver.data) < 0 ||
	    memcmp(ver.data, der_version3, sizeof(der_version3)) != 0 ||
	    x509_tlv(&tbs, TAG_INTEGER, &serial) < 0 || serial.len == 0 ||
	    serial.len > 32 || !read_sig_alg(&tbs) ||
	    x509_tlv(&tbs, TAG_SEQUENCE, &issuer) < 0 ||
	    x509_tlv(&tbs, TAG_SEQUENCE, &validity) < 0 ||
	    x509_tlv(&tbs, TAG_SEQUENCE, &subject) < 0)
		return 0;
	spki.data = tbs.data + tbs.off;
	{
		struct reader body;
		size_t start = tbs.off;

		if (x509_tlv(&tbs, TAG_SEQUENCE, &body) < 0)
			return 0;
		spki.len = tbs.off - start;
		spki.off = 0;
	}
	if (rd_left(&tbs) > 0) {
		if (x509_tlv(&tbs, TAG_EXPLICIT3, &extw) < 0 ||
		    x509_tlv(&extw, TAG_SEQUENCE, &exts) < 0 ||
		    rd_left(&extw) != 0 || rd_left(&tbs) != 0 ||
		    !read_exts(exts, x, &nx))
			return 0;
	}
	if (!read_time(&validity, &nb) || !read_time(&validity, &na) ||
	    rd_left(&validity) != 0 ||
	    certs_time_text(nb, &c->not_before, c->not_before_iso) != 0 ||
	    certs_time_text(na, &c->not_after, c->not_after_iso) != 0)
		return 0;
	if (!read_key(spki, c))
		return 0;
	/* basicConstraints: absent, cA FALSE (an empty SEQUENCE) or cA
	 * TRUE with or without a one-octet pathLenConstraint, each in DER;
	 * any other encoding is declined. With a v3 certificate and no
	 * Netscape cert type, NSS's cert type (certdb.c
	 * cert_ComputeCertType) has a CA bit exactly when cA is TRUE and
	 * there is either no extendedKeyUsage or one whose purposes give
	 * the CA bit; of those we take emailProtection (below) and decline
	 * the rest. Self-signed certificates as `openssl req -x509` makes
	 * them by default are such CAs (cA TRUE, no EKU). */
	if ((v = FIND_EXT(x, nx, oid_bc)) != NULL &&
	    !is(v, der_bc_empty, sizeof(der_bc_empty)) &&
	    !is(v, der_bc_ca, sizeof(der_bc_ca)) &&
	    !(v->len == sizeof(der_bc_ca_len) + 1 &&
	    memcmp(v->data, der_bc_ca_len, sizeof(der_bc_ca_len)) == 0 &&
	    v->data[sizeof(der_bc_ca_len)] < 0x80))
		return 0;
	c->version = 3;
	if ((rc = name_render(subject, &c->subject)) != 1 ||
	    (rc = name_render(issuer, &c->issuer)) != 1)
		return rc;
	if ((c->spki = malloc(spki.len)) == NULL)
		return -1;
	memcpy(c->spki, spki.data, spki.len);
	c->spki_len = spki.len;
	/* From here on certs.c's own readers, in its order; any error of
	 * theirs is the NSS path's to report. */
	if (v != NULL && certs_bc_value(c, v->data, v->len, &why) != 0)
		return 0;
	if ((v = FIND_EXT(x, nx, oid_ku)) != NULL &&
	    (rc = certs_ku_value(c, v->data, v->len, &why)) != 0)
		return rc < 0 ? -1 : 0;
	if ((v = FIND_EXT(x, nx, oid_eku)) != NULL &&
	    (rc = certs_eku_value(c, v->data, v->len, &why)) != 0)
		return rc < 0 ? -1 : 0;
	if (c->is_ca) {
		/* cert_ComputeCertType: no EKU gives SSL and e-mail CA; an
		 * EKU with emailProtection gives e-mail CA; an EKU without
		 * it may or may not give one (serverAuth, clientAuth,
		 * codeSigning, and in older releases Netscape step-up, do):
		 * declined. */
		if (c->has_eku && !c->eku_email)
			return 0;
		c->ns_ca = true;
	}
	certs_judge_key(c);
	if ((v = FIND_EXT(x, nx, oid_san)) != NULL &&
	    (rc = certs_san_value(c, v->data, v->len, &why)) != 0)
		return rc < 0 ? -1 : 0;
	rc = subject_emails(c, subject, v == NULL);
	return rc == 0 ? 1 : rc == -1 ? -1 : 0;
}

int
x509sum_decode(const uint8_t *der, size_t len, struct cert_summary *c)
{
	int rc;

	memset(c, 0, sizeof(*c));
	if ((rc = summarise(der, len, c)) != 1)
		cert_summary_free(c);
	return rc;
}

/* For the tests and fuzz_cert: x509sum.h. */
static bool
same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
same_list(char **a, size_t na, char **b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (!same_str(a[i], b[i]))
			return false;
	return true;
}

const char *
x509sum_differ(const struct cert_summary *a, const struct cert_summary *b)
{
	if (!same_str(a->subject, b->subject))
		return "subject";
	if (!same_str(a->issuer, b->issuer))
		return "issuer";
	if (!same_list(a->emails, a->nemails, b->emails, b->nemails))
		return "emails";
	if (!same_list(a->all_emails, a->nall_emails, b->all_emails,
	    b->nall_emails))
		return "all_emails";
	if (a->all_incomplete != b->all_incomplete)
		return "all_incomplete";
	if (a->version != b->version)
		return "version";
	if (a->ns_ca != b->ns_ca)
		return "ns_ca";
	if (a->not_before != b->not_before || a->not_after != b->not_after ||
	    strcmp(a->not_before_iso, b->not_before_iso) != 0 ||
	    strcmp(a->not_after_iso, b->not_after_iso) != 0)
		return "validity";
	if (a->is_ca != b->is_ca)
		return "is_ca";
	if (strcmp(a->key_type, b->key_type) != 0)
		return "key_type";
	if (a->key_bits != b->key_bits)
		return "key_bits";
	if (a->spki_len != b->spki_len ||
	    memcmp(a->spki, b->spki, a->spki_len) != 0)
		return "spki";
	if (a->has_ku != b->has_ku || a->ku != b->ku)
		return "ku";
	if (a->has_eku != b->has_eku || a->eku_email != b->eku_email ||
	    a->eku_any != b->eku_any)
		return "eku";
	if (a->can_encrypt != b->can_encrypt || a->can_sign != b->can_sign)
		return "can_encrypt/can_sign";
	if (a->weak_key != b->weak_key || !same_str(a->weak_why, b->weak_why))
		return "weak";
	return NULL;
}
