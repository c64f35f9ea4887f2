/* pkcs11cert.c - a certificate read without NSS for the PKCS#11 module;
 * see pkcs11cert.h. */
#include <string.h>

#include "pkcs11cert.h"
#include "reader.h"

/* OIDs (contents octets) of the extensions the trust rule looks at. */
static const uint8_t oid_basic_constraints[] = { 0x55, 0x1d, 0x13 };
static const uint8_t oid_key_usage[] = { 0x55, 0x1d, 0x0f };
static const uint8_t oid_ns_cert_type[] = {
	0x60, 0x86, 0x48, 0x01, 0x86, 0xf8, 0x42, 0x01, 0x01 };

#define TAG_BOOLEAN	0x01
#define TAG_INTEGER	0x02
#define TAG_BIT_STRING	0x03
#define TAG_OCTET	0x04
#define TAG_OID		0x06
#define TAG_UTCTIME	0x17
#define TAG_GENTIME	0x18
#define TAG_SEQUENCE	0x30

/* One DER TLV (X.690 8.1, 10.1): tag, definite minimal length; content
 * as a sub-reader, the whole encoding in *whole (may be NULL). */
static int
der_tlv(struct reader *r, uint8_t *tag, struct reader *content,
    struct p11_span *whole)
{
	size_t start = r->off, len = 0;
	uint8_t l, b, n;

	if (rd_u8(r, tag) != 0 || (*tag & 0x1f) == 0x1f || rd_u8(r, &l) != 0)
		goto fail;
	if (l < 0x80) {
		len = l;
	} else {
		n = l & 0x7f;
		if (n == 0 || n > 3)	/* indefinite, or > 16 MB */
			goto fail;
		while (n-- > 0) {
			if (rd_u8(r, &b) != 0)
				goto fail;
			if (len == 0 && b == 0)
				goto fail;	/* not minimal */
			len = len << 8 | b;
		}
		if (len < 0x80)
			goto fail;	/* short form required */
	}
	if (rd_sub(r, len, content) != 0)
		goto fail;
	if (whole != NULL) {
		whole->p = r->data + start;
		whole->len = r->off - start;
	}
	return 0;
fail:
	r->off = start;
	return -1;
}

/* The next TLV, which must carry tag want. */
static int
der_expect(struct reader *r, uint8_t want, struct reader *content,
    struct p11_span *whole)
{
	size_t start = r->off;
	uint8_t tag;

	if (der_tlv(r, &tag, content, whole) != 0)
		return -1;
	if (tag != want) {
		r->off = start;
		return -1;
	}
	return 0;
}

static int
peek_tag(const struct reader *r, uint8_t *tag)
{
	if (rd_left(r) == 0)
		return -1;
	*tag = r->data[r->off];
	return 0;
}

static int
digits(const uint8_t *p, size_t n, int *out)
{
	size_t i;
	int v = 0;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ (RFC 5280
 * 4.1.2.5.1, 4.1.2.5.2). */
static int
der_time(struct reader *r, int64_t *out)
{
	struct reader c;
	uint8_t tag;
	const uint8_t *p;
	int y, mo, d, h, mi, s;
	size_t yl;

	if (der_tlv(r, &tag, &c, NULL) != 0)
		return -1;
	if (tag == TAG_UTCTIME && c.len == 13)
		yl = 2;
	else if (tag == TAG_GENTIME && c.len == 15)
		yl = 4;
	else
		return -1;
	p = c.data;
	if (p[c.len - 1] != 'Z' || digits(p, yl, &y) != 0 ||
	    digits(p + yl, 2, &mo) != 0 || digits(p + yl + 2, 2, &d) != 0 ||
	    digits(p + yl + 4, 2, &h) != 0 || digits(p + yl + 6, 2, &mi) != 0 ||
	    digits(p + yl + 8, 2, &s) != 0)
		return -1;
	if (yl == 2)
		y += y >= 50 ? 1900 : 2000;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    s > 60)
		return -1;
	*out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + s;
	return 0;
}

static bool
oid_is(const struct reader *oid, const uint8_t *want, size_t n)
{
	return oid->len == n && memcmp(oid->data, want, n) == 0;
}

/* The first content byte of a BIT STRING after the unused-bits count, or
 * 0 when it has none. */
static int
bits_first(struct reader *v, uint8_t *out)
{
	struct reader bs;
	uint8_t unused;

	if (der_expect(v, TAG_BIT_STRING, &bs, NULL) != 0 ||
	    rd_u8(&bs, &unused) != 0 || unused > 7 || rd_left(v) != 0)
		return -1;
	*out = 0;
	if (rd_left(&bs) > 0)
		(void)rd_u8(&bs, out);
	return 0;
}

static int
extensions(struct reader *exts, struct p11_cert *c, const char **why)
{
	struct reader seq, ext, oid, crit, val;
	bool seen_bc = false, seen_ku = false, seen_ns = false;
	uint8_t tag, b;

	if (der_expect(exts, TAG_SEQUENCE, &seq, NULL) != 0 ||
	    rd_left(exts) != 0 || rd_left(&seq) == 0) {
		*why = "extensions are not one non-empty SEQUENCE";
		return -1;
	}
	while (rd_left(&seq) > 0) {
		if (der_expect(&seq, TAG_SEQUENCE, &ext, NULL) != 0 ||
		    der_expect(&ext, TAG_OID, &oid, NULL) != 0) {
			*why = "an extension is malformed";
			return -1;
		}
		if (peek_tag(&ext, &tag) == 0 && tag == TAG_BOOLEAN &&
		    der_expect(&ext, TAG_BOOLEAN, &crit, NULL) != 0) {
			*why = "an extension's critical flag is malformed";
			return -1;
		}
		if (der_expect(&ext, TAG_OCTET, &val, NULL) != 0 ||
		    rd_left(&ext) != 0) {
			*why = "an extension's value is malformed";
			return -1;
		}
		if (oid_is(&oid, oid_basic_constraints,
		    sizeof(oid_basic_constraints))) {
			struct reader bc, ca;

			if (seen_bc || der_expect(&val, TAG_SEQUENCE, &bc,
			    NULL) != 0 || rd_left(&val) != 0) {
				*why = "basicConstraints repeated or malformed";
				return -1;
			}
			seen_bc = true;
			if (peek_tag(&bc, &tag) == 0 && tag == TAG_BOOLEAN) {
				if (der_expect(&bc, TAG_BOOLEAN, &ca, NULL) !=
				    0 || ca.len != 1) {
					*why = "basicConstraints cA malformed";
					return -1;
				}
				/* Any non-zero value counts as TRUE: the
				 * safe side. */
				c->is_ca = ca.data[0] != 0;
			}
		} else if (oid_is(&oid, oid_key_usage,
		    sizeof(oid_key_usage))) {
			if (seen_ku || bits_first(&val, &b) != 0) {
				*why = "keyUsage repeated or malformed";
				return -1;
			}
			seen_ku = true;
			c->ku_cert_sign = (b & 0x04) != 0; /* bit 5 */
		} else if (oid_is(&oid, oid_ns_cert_type,
		    sizeof(oid_ns_cert_type))) {
			if (seen_ns || bits_first(&val, &b) != 0) {
				*why = "Netscape cert type repeated or "
				    "malformed";
				return -1;
			}
			seen_ns = true;
			/* SSL CA, S/MIME CA, object-signing CA: bits 5-7. */
			c->ns_ca = (b & 0x07) != 0;
		}
	}
	return 0;
}

int
p11_cert_parse(const uint8_t *der, size_t len, struct p11_cert *out,
    const char **why)
{
	struct reader r, cert, tbs, tmp, ver, validity;
	const char *dummy;
	uint8_t tag;
	uint8_t v;

	if (why == NULL)
		why = &dummy;
	memset(out, 0, sizeof(*out));
	*why = "not a DER certificate";
	rd_init(&r, der, len);
	if (der_expect(&r, TAG_SEQUENCE, &cert, NULL) != 0 || rd_left(&r) != 0)
		return -1;
	if (der_expect(&cert, TAG_SEQUENCE, &tbs, NULL) != 0 ||
	    der_expect(&cert, TAG_SEQUENCE, &tmp, NULL) != 0 ||
	    der_expect(&cert, TAG_BIT_STRING, &tmp, NULL) != 0 ||
	    rd_left(&cert) != 0)
		return -1;
	out->version = 1;
	if (peek_tag(&tbs, &tag) == 0 && tag == 0xa0) {
		if (der_expect(&tbs, 0xa0, &tmp, NULL) != 0 ||
		    der_expect(&tmp, TAG_INTEGER, &ver, NULL) != 0 ||
		    rd_left(&tmp) != 0 || ver.len != 1 ||
		    rd_u8(&ver, &v) != 0 || v > 2) {
			*why = "version malformed (RFC 5280 4.1.2.1)";
			return -1;
		}
		out->version = v + 1;
	}
	if (der_expect(&tbs, TAG_INTEGER, &tmp, &out->serial) != 0 ||
	    tmp.len == 0) {
		*why = "serial number malformed";
		return -1;
	}
	if (der_expect(&tbs, TAG_SEQUENCE, &tmp, NULL) != 0 ||
	    der_expect(&tbs, TAG_SEQUENCE, &tmp, &out->issuer) != 0) {
		*why = "signature algorithm or issuer malformed";
		return -1;
	}
	if (der_expect(&tbs, TAG_SEQUENCE, &validity, NULL) != 0 ||
	    der_time(&validity, &out->not_before) != 0 ||
	    der_time(&validity, &out->not_after) != 0 ||
	    rd_left(&validity) != 0) {
		*why = "validity malformed (RFC 5280 4.1.2.5)";
		return -1;
	}
	if (der_expect(&tbs, TAG_SEQUENCE, &tmp, &out->subject) != 0 ||
	    der_expect(&tbs, TAG_SEQUENCE, &tmp, NULL) != 0) {
		*why = "subject or public key malformed";
		return -1;
	}
	/* issuerUniqueID [1], subjectUniqueID [2] (RFC 5280 4.1.2.8). */
	while (peek_tag(&tbs, &tag) == 0 && (tag == 0x81 || tag == 0xa1 ||
	    tag == 0x82 || tag == 0xa2)) {
		if (der_tlv(&tbs, &tag, &tmp, NULL) != 0)
			return -1;
	}
	if (peek_tag(&tbs, &tag) == 0 && tag == 0xa3) {
		if (out->version != 3) {
			*why = "extensions in a certificate older than v3";
			return -1;
		}
		if (der_expect(&tbs, 0xa3, &tmp, NULL) != 0 ||
		    extensions(&tmp, out, why) != 0)
			return -1;
	}
	if (rd_left(&tbs) != 0) {
		*why = "bytes after the extensions";
		return -1;
	}
	*why = NULL;
	return 0;
}

bool
p11_cert_end_entity(const struct p11_cert *c)
{
	return c->version == 3 && !c->is_ca && !c->ku_cert_sign && !c->ns_ca;
}

/* --- SHA-1 and SHA-256 (FIPS 180-4) --- */

#define ROL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))
#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
sha1_block(uint32_t h[5], const uint8_t *p)
{
	uint32_t w[80], a, b, c, d, e, f, k, t;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = be32(p + 4 * i);
	for (i = 16; i < 80; i++)
		w[i] = ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = ROL(a, 5) + f + e + k + w[i];
		e = d; d = c; c = ROL(b, 30); b = a; a = t;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}

static const uint32_t k256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
	0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
	0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
	0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static void
sha256_block(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, hh, t1, t2, s0, s1;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = be32(p + 4 * i);
	for (i = 16; i < 64; i++) {
		s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = h[0]; b = h[1]; c = h[2]; d = h[3];
	e = h[4]; f = h[5]; g = h[6]; hh = h[7];
	for (i = 0; i < 64; i++) {
		t1 = hh + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
		    ((e & f) ^ (~e & g)) + k256[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
		    ((a & b) ^ (a & c) ^ (b & c));
		hh = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d;
	h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

/* Merkle-Damgard padding shared by both: 64-byte blocks, 64-bit
 * big-endian bit length. */
static void
md_run(const uint8_t *p, size_t n, uint32_t *h, size_t nh,
    void (*block)(uint32_t *, const uint8_t *), uint8_t *out)
{
	uint8_t last[128];
	uint64_t bits = (uint64_t)n * 8;
	size_t i, rest, tail;

	for (i = 0; i + 64 <= n; i += 64)
		block(h, p + i);
	rest = n - i;
	memset(last, 0, sizeof(last));
	if (rest > 0)
		memcpy(last, p + i, rest);
	last[rest] = 0x80;
	tail = rest + 1 + 8 <= 64 ? 64 : 128;
	for (i = 0; i < 8; i++)
		last[tail - 1 - i] = (uint8_t)(bits >> (8 * i));
	block(h, last);
	if (tail == 128)
		block(h, last + 64);
	for (i = 0; i < nh; i++) {
		out[4 * i] = (uint8_t)(h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(h[i] >> 8);
		out[4 * i + 3] = (uint8_t)h[i];
	}
}

void
p11_sha1(const uint8_t *p, size_t n, uint8_t out[20])
{
	uint32_t h[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476,
	    0xc3d2e1f0 };

	md_run(p, n, h, 5, sha1_block, out);
}

void
p11_sha256(const uint8_t *p, size_t n, uint8_t out[32])
{
	uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

	md_run(p, n, h, 8, sha256_block, out);
}
