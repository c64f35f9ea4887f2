/* dnsmsg.c - DNS response parser for SMIMEA answers; see dnsmsg.h.
 *
 * The message is walked once, linearly, to validate every name, length and
 * the OPT record; the answer section is then walked again (no allocation) to
 * follow the CNAME chain and to collect the SMIMEA RRset at its end.
 */
#include <stdlib.h>
#include <string.h>

#include "dnsmsg.h"
#include "reader.h"
#include "utf8.h"

#define HDR_QR		0x8000
#define HDR_OPCODE(f)	(((f) >> 11) & 0x0f)
#define HDR_AA		0x0400
#define HDR_TC		0x0200
#define HDR_RD		0x0100
#define HDR_RA		0x0080
#define HDR_AD		0x0020
#define HDR_CD		0x0010
#define HDR_RCODE(f)	((f) & 0x0f)

#define OPT_DO		0x00008000u	/* RFC 3225 3: in the OPT TTL field */

/* One resource record as read from the message. */
struct rr {
	uint8_t owner[DNS_NAME_MAX];	/* uncompressed, lowercased wire form */
	size_t ownerlen;
	uint16_t type;
	uint16_t class;
	uint32_t ttl;			/* clamped (RFC 2181 8) */
	uint32_t rawttl;		/* as sent: OPT keeps flags in it */
	struct reader rdata;		/* over the RDATA, at its start */
};

static uint32_t
ttl_clamp(uint32_t ttl)
{
	/* RFC 2181 8: a TTL with the most significant bit set is read as 0. */
	return (ttl & 0x80000000u) != 0 ? 0 : ttl;
}

static uint8_t
lower(uint8_t c)
{
	/* RFC 4343: ASCII-only case folding; other octets compare as is.
	 * Without a branch, so copy_lower's loop vectorizes. */
	return (uint8_t)(c + ((uint8_t)(c - 'A') < 26u ? 'a' - 'A' : 0));
}

/* dst[0..n) = src[0..n) lowercased (lower()); the two do not overlap. */
static void
copy_lower(uint8_t *restrict dst, const uint8_t *restrict src, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		dst[i] = lower(src[i]);
}

/*
 * Reads a possibly compressed name at r's cursor; r covers bytes inside
 * msg[0..len) (the whole message or a sub-reader over an RDATA). r is left
 * just past the name's in-place octets. The name is stored uncompressed and
 * lowercased in name[DNS_NAME_MAX], *namelen counting the root octet.
 * Returns 0, DNSMSG_E_SHORT if the in-place octets run past r, or
 * DNSMSG_E_NAME (RFC 1035 3.1, 4.1.4).
 */
static int
read_name(const uint8_t *msg, size_t len, struct reader *r, uint8_t *name,
    size_t *namelen)
{
	struct reader jump;
	struct reader *src = r;
	const uint8_t *p;
	size_t n = 0, ptrs = 0, here, target;
	uint8_t c, c2;

	for (;;) {
		if (rd_u8(src, &c) < 0)
			goto ran_off;
		switch (c & 0xc0) {
		case 0x00:
			if (c == 0) {
				name[n++] = 0;
				*namelen = n;
				return DNSMSG_OK;
			}
			/* Room for this label and the root octet after it. */
			if (n + 1 + c + 1 > DNS_NAME_MAX)
				return DNSMSG_E_NAME;
			if (rd_bytes(src, c, &p) < 0)
				goto ran_off;
			name[n++] = c;
			copy_lower(name + n, p, c);
			n += c;
			break;
		case 0xc0:
			if (rd_u8(src, &c2) < 0)
				goto ran_off;
			/* Absolute offset of the pointer's first octet. */
			here = (size_t)(src->data - msg) + src->off - 2;
			target = (size_t)(c & 0x3f) << 8 | c2;
			/*
			 * RFC 1035 4.1.4: a pointer refers to a prior occurrence.
			 * Requiring it to point strictly backwards keeps it in range;
			 * the pointer budget stops backward loops through labels.
			 */
			if (target >= here || ++ptrs > DS_MAX_COMPRESSION_PTRS)
				return DNSMSG_E_NAME;
			if (src == r) {
				rd_init(&jump, msg, len);
				src = &jump;
			}
			if (rd_seek(src, target) < 0)
				return DNSMSG_E_NAME;
			break;
		default:
			/* 0x40 extended (RFC 6891 5, deprecated), 0x80 reserved. */
			return DNSMSG_E_NAME;
		}
	}
ran_off:
	/* Past a pointer the name ran off the message: the pointer is bad. */
	return src == r ? DNSMSG_E_SHORT : DNSMSG_E_NAME;
}

/* A name inside RDATA must end inside it (RFC 1035 3.2.1 RDLENGTH). */
static int
read_rdata_name(const uint8_t *msg, size_t len, struct reader *rdata,
    uint8_t *name, size_t *namelen)
{
	int rc;

	rc = read_name(msg, len, rdata, name, namelen);
	return rc == DNSMSG_E_SHORT ? DNSMSG_E_RDLENGTH : rc;
}

/* CNAME RDATA is exactly one name (RFC 1035 3.3.1). */
static int
read_cname(const uint8_t *msg, size_t len, const struct rr *rr, uint8_t *target,
    size_t *targetlen)
{
	struct reader rd = rr->rdata;
	int rc;

	if ((rc = read_rdata_name(msg, len, &rd, target, targetlen)) != 0)
		return rc;
	return rd_left(&rd) != 0 ? DNSMSG_E_RDLENGTH : DNSMSG_OK;
}

/* SOA RDATA is two names and five 32-bit fields (RFC 1035 3.3.13). */
static int
read_soa(const uint8_t *msg, size_t len, const struct rr *rr, uint32_t *minimum)
{
	struct reader rd = rr->rdata;
	uint8_t name[DNS_NAME_MAX];
	size_t namelen;
	int rc;

	if ((rc = read_rdata_name(msg, len, &rd, name, &namelen)) != 0 ||
	    (rc = read_rdata_name(msg, len, &rd, name, &namelen)) != 0)
		return rc;
	if (rd_skip(&rd, 16) < 0 || rd_u32(&rd, minimum) < 0 ||
	    rd_left(&rd) != 0)
		return DNSMSG_E_RDLENGTH;
	return DNSMSG_OK;
}

/*
 * Reads one RR at r's cursor (r over the whole message) and checks the RDATA
 * of the types whose layout we know. rr->rdata is left at the RDATA start.
 */
static int
read_rr(const uint8_t *msg, size_t len, struct reader *r, struct rr *rr)
{
	uint8_t name[DNS_NAME_MAX];
	size_t namelen;
	uint16_t rdlen;
	uint32_t minimum;
	int rc;

	if ((rc = read_name(msg, len, r, rr->owner, &rr->ownerlen)) != 0)
		return rc;
	if (rd_u16(r, &rr->type) < 0 || rd_u16(r, &rr->class) < 0 ||
	    rd_u32(r, &rr->rawttl) < 0 || rd_u16(r, &rdlen) < 0)
		return DNSMSG_E_SHORT;
	rr->ttl = ttl_clamp(rr->rawttl);
	if (rd_sub(r, rdlen, &rr->rdata) < 0)
		return DNSMSG_E_RDLENGTH;
	if (rr->type == DNS_TYPE_CNAME)
		return read_cname(msg, len, rr, name, &namelen);
	if (rr->type == DNS_TYPE_SOA)
		return read_soa(msg, len, rr, &minimum);
	return DNSMSG_OK;
}

static bool
name_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	/* Both are stored lowercased already. */
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* Wire name to presentation form (see dnsmsg.h final_name). */
static void
name_to_text(const uint8_t *name, size_t namelen, char *out, size_t outsize)
{
	static const char digits[] = "0123456789";
	size_t i = 0, o = 0, k;
	uint8_t lab, c;

	/* out[o] is written '\0' before every return: whatever fits, cut
	 * at an escape boundary. */
	while (i < namelen && (lab = name[i++]) != 0) {
		if (o != 0) {
			if (o + 1 >= outsize)
				goto out;
			out[o++] = '.';
		}
		for (k = 0; k < lab && i < namelen; k++) {
			c = name[i++];
			if (c == '.' || c == '\\') {
				if (o + 2 >= outsize)
					goto out;
				out[o++] = '\\';
				out[o++] = (char)c;
			} else if (c < 0x21 || c > 0x7e) {
				if (o + 4 >= outsize)
					goto out;
				out[o++] = '\\';
				out[o++] = digits[c / 100];
				out[o++] = digits[c / 10 % 10];
				out[o++] = digits[c % 10];
			} else {
				if (o + 1 >= outsize)
					goto out;
				out[o++] = (char)c;
			}
		}
	}
out:
	out[o] = '\0';
}

static bool
unsafe_char(uint32_t cp)
{
	/* C0, DEL, C1, and the format characters that reorder or break text. */
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
	    cp == 0x200e || cp == 0x200f || cp == 0x2028 || cp == 0x2029 ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* EXTRA-TEXT (RFC 8914 2) into out[DS_MAX_EDE_TEXT + 1], made safe to show. */
static void
ede_text_copy(char *out, const uint8_t *s, size_t n)
{
	size_t i = 0, o = 0, k;
	uint32_t cp;

	/* RFC 8914 2: SHOULD NOT be NUL-terminated; some servers do. */
	while (n > 0 && s[n - 1] == 0)
		n--;
	while (i < n) {
		k = utf8_decode((const char *)s + i, n - i, &cp);
		if (k == 0 || unsafe_char(cp)) {
			if (o + 1 > DS_MAX_EDE_TEXT)
				break;
			out[o++] = '?';
			i += k == 0 ? 1 : k;
			continue;
		}
		if (o + k > DS_MAX_EDE_TEXT)
			break;
		memcpy(out + o, s + i, k);
		o += k;
		i += k;
	}
	out[o] = '\0';
}

/* The OPT pseudo-RR (RFC 6891 6.1). */
static int
read_opt(const struct rr *rr, uint16_t hdr_rcode, struct dnsmsg *m)
{
	struct reader rd = rr->rdata, od;
	uint16_t code, olen;
	const uint8_t *text;
	size_t textlen;

	/* RFC 6891 6.1.1: one OPT at most, owned by the root. */
	if (m->has_opt || rr->ownerlen != 1)
		return DNSMSG_E_OPT;
	m->has_opt = true;
	m->udp_size = rr->class;
	/* RFC 6891 6.1.3: the TTL holds EXTENDED-RCODE, VERSION, DO, Z. */
	m->rcode = (uint16_t)((rr->rawttl >> 24) << 4 | hdr_rcode);
	m->do_bit = (rr->rawttl & OPT_DO) != 0;
	while (rd_left(&rd) > 0) {
		if (rd_u16(&rd, &code) < 0 || rd_u16(&rd, &olen) < 0 ||
		    rd_sub(&rd, olen, &od) < 0)
			return DNSMSG_E_OPT;
		if (code != DNS_OPT_EDE || m->has_ede)
			continue;
		/* RFC 8914 2: 16-bit INFO-CODE, then EXTRA-TEXT. */
		if (rd_u16(&od, &m->ede_code) < 0)
			return DNSMSG_E_OPT;
		m->has_ede = true;
		textlen = rd_left(&od);
		if (rd_bytes(&od, textlen, &text) == 0)
			ede_text_copy(m->ede_text, text, textlen);
	}
	return DNSMSG_OK;
}

static const char *const problem_text[] = {
	"SMIMEA RDATA shorter than its usage, selector and matching type "
	    "octets (RFC 8162 2, RFC 6698 2.1)",
	"certificate usage not defined (RFC 6698 2.1.1): record unusable "
	    "(RFC 6698 4.1)",
	"selector not defined (RFC 6698 2.1.2): record unusable (RFC 6698 4.1)",
	"matching type not defined (RFC 6698 2.1.3): record unusable "
	    "(RFC 6698 4.1)",
	"association data length does not fit the matching type: SHA2-256 "
	    "is 32 octets, SHA2-512 64 (RFC 6698 2.1.3, 2.1.4)",
	"full certificate or SubjectPublicKeyInfo record without data "
	    "(RFC 6698 2.1.4, RFC 8162 2)",
};

static void
set_problem(struct smimea_rec *rec, const char *code, int which)
{
	rec->problem_code = code;
	rec->problem = problem_text[which];
}

/* SMIMEA RDATA = TLSA RDATA (RFC 8162 2, RFC 6698 2.1). Returns 0 or -1 (OOM). */
static int
read_smimea(const struct rr *rr, struct smimea_rec *rec)
{
	struct reader rd = rr->rdata;
	const uint8_t *p;

	rec->ttl = rr->ttl;
	if (rd_left(&rd) < 3) {
		set_problem(rec, "short-rdata", 0);
		return 0;
	}
	(void)rd_u8(&rd, &rec->usage);
	(void)rd_u8(&rd, &rec->selector);
	(void)rd_u8(&rd, &rec->matching);
	rec->len = rd_left(&rd);
	if (rec->len > 0) {
		(void)rd_bytes(&rd, rec->len, &p);
		/* rec->len < 65536: RDLENGTH is 16 bits. */
		if ((rec->data = malloc(rec->len)) == NULL)
			return -1;
		memcpy(rec->data, p, rec->len);
	}
	if (rec->usage > 3)
		set_problem(rec, "unknown-usage", 1);
	else if (rec->selector > 1)
		set_problem(rec, "unknown-selector", 2);
	else if (rec->matching > 2)
		set_problem(rec, "unknown-matching", 3);
	else if ((rec->matching == 1 && rec->len != 32) ||
	    (rec->matching == 2 && rec->len != 64))
		set_problem(rec, "bad-digest-length", 4);
	else if (rec->matching == 0 && rec->len == 0)
		set_problem(rec, "empty-data", 5);
	return 0;
}

struct parse {
	const uint8_t *msg;
	size_t len;
	uint8_t qname[DNS_NAME_MAX];
	size_t qnamelen;
	size_t an_off;			/* offset of the answer section */
	uint16_t ancount;
};

/*
 * Finds the CNAME owned by name in the answer section. Returns 0 with
 * *found false if none, DNSMSG_E_CNAME if two disagree (RFC 2181 10.1).
 */
static int
find_cname(const struct parse *ps, const uint8_t *name, size_t namelen,
    uint8_t *target, size_t *targetlen, uint32_t *ttl, bool *found)
{
	struct reader r;
	struct rr rr;
	uint8_t t[DNS_NAME_MAX];
	size_t tlen;
	uint16_t i;
	int rc;

	*found = false;
	rd_init(&r, ps->msg, ps->len);
	if (rd_seek(&r, ps->an_off) < 0)
		return DNSMSG_E_SHORT;
	for (i = 0; i < ps->ancount; i++) {
		if ((rc = read_rr(ps->msg, ps->len, &r, &rr)) != 0)
			return rc;
		if (rr.type != DNS_TYPE_CNAME || rr.class != DNS_CLASS_IN ||
		    !name_eq(rr.owner, rr.ownerlen, name, namelen))
			continue;
		if ((rc = read_cname(ps->msg, ps->len, &rr, t, &tlen)) != 0)
			return rc;
		if (*found) {
			if (!name_eq(t, tlen, target, *targetlen))
				return DNSMSG_E_CNAME;
			if (rr.ttl < *ttl)
				*ttl = rr.ttl;
			continue;
		}
		memcpy(target, t, tlen);
		*targetlen = tlen;
		*ttl = rr.ttl;
		*found = true;
	}
	return DNSMSG_OK;
}

/* Follows the chain from qname (RFC 1034 3.6.2) into final/finallen. */
static int
follow_cnames(const struct parse *ps, uint8_t *final, size_t *finallen,
    struct dnsmsg *m, uint32_t *ttl, bool *have_ttl)
{
	/* Every name of the chain, to detect loops: qname plus one per hop. */
	uint8_t seen[DS_MAX_CNAME_CHAIN + 1][DNS_NAME_MAX];
	size_t seenlen[DS_MAX_CNAME_CHAIN + 1];
	uint8_t target[DNS_NAME_MAX];
	size_t targetlen = 0, i;
	uint32_t cttl = 0;
	bool found;
	int rc;

	memcpy(seen[0], ps->qname, ps->qnamelen);
	seenlen[0] = ps->qnamelen;
	for (;;) {
		if ((rc = find_cname(ps, seen[m->cname_hops],
		    seenlen[m->cname_hops], target, &targetlen, &cttl,
		    &found)) != 0)
			return rc;
		if (!found)
			break;
		for (i = 0; i <= m->cname_hops; i++)
			if (name_eq(seen[i], seenlen[i], target, targetlen))
				return DNSMSG_E_CNAME;
		if (m->cname_hops >= DS_MAX_CNAME_CHAIN)
			return DNSMSG_E_CNAME;
		m->cname_hops++;
		memcpy(seen[m->cname_hops], target, targetlen);
		seenlen[m->cname_hops] = targetlen;
		if (!*have_ttl || cttl < *ttl)
			*ttl = cttl;
		*have_ttl = true;
	}
	memcpy(final, seen[m->cname_hops], seenlen[m->cname_hops]);
	*finallen = seenlen[m->cname_hops];
	return DNSMSG_OK;
}

/* How collect() keeps the answer RRs of one type (SMIMEA, or TXT for a
 * TXT question): at most max of them, each stored by store into an array
 * of size-byte elements. */
struct keep {
	uint16_t type;
	size_t max, size;
	int (*store)(const struct rr *rr, void *elem);	/* 0, -1 OOM */
	void *arr;		/* out: calloc'ed, NULL when none kept */
	size_t n, ignored;	/* out: kept; of the type but not kept */
};

static int
store_smimea(const struct rr *rr, void *elem)
{
	return read_smimea(rr, elem) < 0 ? -1 : 0;
}

/* A TXT RR's RDATA as sent (RFC 1035 3.3.14): smimetxt_rdata reads it. */
static int
store_txt(const struct rr *rr, void *elem)
{
	struct txt_rec *t = elem;
	struct reader rd = rr->rdata;
	const uint8_t *p;

	t->ttl = rr->ttl;
	/* len < 65536: RDLENGTH is 16 bits. */
	if ((t->len = rd_left(&rd)) == 0)
		return 0;
	(void)rd_bytes(&rd, t->len, &p);
	if ((t->rdata = malloc(t->len)) == NULL)
		return -1;
	memcpy(t->rdata, p, t->len);
	return 0;
}

/* RFC 4034 6.3: RDATA as a left-justified octet string, a missing octet
 * before a zero octet (usage, selector, matching, then the data). A
 * record too short to have all three (short-rdata) keeps zeros there and
 * sorts first; it is unusable whatever its place. */
static int
smimea_canonical_cmp(const void *a, const void *b)
{
	const struct smimea_rec *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c;

	if (x->usage != y->usage)
		return x->usage < y->usage ? -1 : 1;
	if (x->selector != y->selector)
		return x->selector < y->selector ? -1 : 1;
	if (x->matching != y->matching)
		return x->matching < y->matching ? -1 : 1;
	if (n > 0 && (c = memcmp(x->data, y->data, n)) != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* What pass 0 of collect() finds: dnsmsg_parse counts it on its first
 * walk when the answer has no CNAME (final is then the question). */
struct tally {
	size_t total, mine;	/* RRs of the type; of them owned by final, IN */
	uint32_t ttl;		/* their minimum TTL, when mine > 0 */
};

static void
tally_rr(struct tally *t, const struct rr *rr, uint16_t type,
    const uint8_t *final, size_t finallen)
{
	if (rr->type != type)
		return;
	t->total++;
	if (rr->class != DNS_CLASS_IN ||
	    !name_eq(rr->owner, rr->ownerlen, final, finallen))
		return;
	if (t->mine == 0 || rr->ttl < t->ttl)
		t->ttl = rr->ttl;
	t->mine++;
}

/* Collects the answer's RRs of k->type owned by final (class IN), in
 * answer order; the others of that type are counted in k->ignored. Their
 * minimum TTL goes into *ttl. pre, when not NULL, is pass 0's tally made
 * already. Returns 0, >0 or -1 (OOM); on failure k->arr may hold what was
 * kept so far, for the caller to free. */
static int
collect(const struct parse *ps, const uint8_t *final, size_t finallen,
    struct keep *k, const struct tally *pre, uint32_t *ttl, bool *have_ttl)
{
	struct reader r;
	struct rr rr;
	struct tally t = { 0, 0, 0 };
	size_t keep = 0;
	uint16_t i;
	int pass, rc;

	/* Pass 0 counts, so the array is sized (and bounded) before calloc. */
	for (pass = pre != NULL ? 1 : 0; pass < 2; pass++) {
		if (pass == 1) {
			/* Pass 0's tally, the caller's or ours. */
			if (pre != NULL)
				t = *pre;
			if (t.mine > 0) {
				if (!*have_ttl || t.ttl < *ttl)
					*ttl = t.ttl;
				*have_ttl = true;
			}
			keep = t.mine < k->max ? t.mine : k->max;
			k->ignored = t.total - keep;
			if (keep == 0)
				break;
			if ((k->arr = calloc(keep, k->size)) == NULL)
				return -1;
		}
		rd_init(&r, ps->msg, ps->len);
		if (rd_seek(&r, ps->an_off) < 0)
			return DNSMSG_E_SHORT;
		for (i = 0; i < ps->ancount; i++) {
			if ((rc = read_rr(ps->msg, ps->len, &r, &rr)) != 0)
				return rc;
			if (pass == 0) {
				tally_rr(&t, &rr, k->type, final, finallen);
				continue;
			}
			if (rr.type != k->type || rr.class != DNS_CLASS_IN ||
			    !name_eq(rr.owner, rr.ownerlen, final, finallen))
				continue;
			if (k->n == keep)
				continue;
			if (k->store(&rr, (uint8_t *)k->arr +
			    k->n * k->size) < 0)
				return -1;
			k->n++;
		}
	}
	return DNSMSG_OK;
}

int
dnsmsg_parse(const uint8_t *msg, size_t len, const char *qname,
    uint16_t qtype, struct dnsmsg *out)
{
	struct parse ps;
	struct reader r;
	struct rr rr;
	uint8_t name[DNS_NAME_MAX], final[DNS_NAME_MAX];
	size_t namelen, finallen, i;
	uint16_t flags, qdcount, nscount, arcount, t, c;
	uint32_t minimum, soa_ttl = 0, ttl = 0;
	uint16_t want = qtype == DNS_TYPE_TXT ? DNS_TYPE_TXT : DNS_TYPE_SMIMEA;
	struct tally tally = { 0, 0, 0 };
	bool have_ttl = false, an_cname = false;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&ps, 0, sizeof(ps));
	ps.msg = msg;
	ps.len = msg != NULL ? len : 0;
	rd_init(&r, ps.msg, ps.len);

	/* RFC 1035 4.1.1 header. */
	if (rd_u16(&r, &out->id) < 0 || rd_u16(&r, &flags) < 0 ||
	    rd_u16(&r, &qdcount) < 0 || rd_u16(&r, &ps.ancount) < 0 ||
	    rd_u16(&r, &nscount) < 0 || rd_u16(&r, &arcount) < 0) {
		rc = DNSMSG_E_SHORT;
		goto out;
	}
	out->qr = (flags & HDR_QR) != 0;
	out->aa = (flags & HDR_AA) != 0;
	out->tc = (flags & HDR_TC) != 0;
	out->rd = (flags & HDR_RD) != 0;
	out->ra = (flags & HDR_RA) != 0;
	out->ad = (flags & HDR_AD) != 0;
	out->cd = (flags & HDR_CD) != 0;
	out->rcode = HDR_RCODE(flags);
	if (!out->qr || HDR_OPCODE(flags) != 0) {
		rc = DNSMSG_E_NOT_RESPONSE;
		goto out;
	}

	/* The question must echo ours (RFC 5452 9.1). */
	if (qdcount != 1 || qname == NULL ||
	    dns_name_to_wire(qname, ps.qname, sizeof(ps.qname),
	    &ps.qnamelen) < 0) {
		rc = DNSMSG_E_QUESTION;
		goto out;
	}
	/* Length octets are < 64: lower() leaves them. */
	copy_lower(name, ps.qname, ps.qnamelen);
	memcpy(ps.qname, name, ps.qnamelen);
	if ((rc = read_name(ps.msg, ps.len, &r, name, &namelen)) != 0)
		goto out;
	if (rd_u16(&r, &t) < 0 || rd_u16(&r, &c) < 0) {
		rc = DNSMSG_E_SHORT;
		goto out;
	}
	if (t != qtype || c != DNS_CLASS_IN ||
	    !name_eq(name, namelen, ps.qname, ps.qnamelen)) {
		rc = DNSMSG_E_QUESTION;
		goto out;
	}

	/* Answer: validate only; chain and records come once all is checked. */
	ps.an_off = r.off;
	for (i = 0; i < ps.ancount; i++) {
		if ((rc = read_rr(ps.msg, ps.len, &r, &rr)) != 0)
			goto out;
		/* RFC 6891 6.1.1: OPT only in the additional section. */
		if (rr.type == DNS_TYPE_OPT) {
			rc = DNSMSG_E_OPT;
			goto out;
		}
		/* Without a CNAME the chain ends at the question: what
		 * collect's first pass would count is counted here. */
		an_cname |= rr.type == DNS_TYPE_CNAME;
		tally_rr(&tally, &rr, want, ps.qname, ps.qnamelen);
	}

	/* Authority: the SOA gives the negative TTL (RFC 2308 5). */
	for (i = 0; i < nscount; i++) {
		if ((rc = read_rr(ps.msg, ps.len, &r, &rr)) != 0)
			goto out;
		if (rr.type == DNS_TYPE_OPT) {
			rc = DNSMSG_E_OPT;
			goto out;
		}
		if (rr.type != DNS_TYPE_SOA || rr.class != DNS_CLASS_IN)
			continue;
		if ((rc = read_soa(ps.msg, ps.len, &rr, &minimum)) != 0)
			goto out;
		minimum = ttl_clamp(minimum);
		if (minimum > rr.ttl)
			minimum = rr.ttl;
		if (!out->has_soa || minimum < soa_ttl)
			soa_ttl = minimum;
		out->has_soa = true;
	}

	/* Additional: the OPT pseudo-RR; everything else is skipped. */
	for (i = 0; i < arcount; i++) {
		if ((rc = read_rr(ps.msg, ps.len, &r, &rr)) != 0)
			goto out;
		if (rr.type == DNS_TYPE_OPT &&
		    (rc = read_opt(&rr, HDR_RCODE(flags), out)) != 0)
			goto out;
	}

	/* Strict: the header counts must describe the whole message. */
	if (rd_left(&r) != 0) {
		rc = DNSMSG_E_TRAILING;
		goto out;
	}

	if (!an_cname) {
		/* What follow_cnames finds when there is none to follow. */
		memcpy(final, ps.qname, ps.qnamelen);
		finallen = ps.qnamelen;
	} else if ((rc = follow_cnames(&ps, final, &finallen, out, &ttl,
	    &have_ttl)) != 0)
		goto out;
	/* A TXT question keeps TXT RRs only (SMIMEA RRs there are stray). */
	if (qtype == DNS_TYPE_TXT) {
		struct keep k = { DNS_TYPE_TXT, DS_MAX_TXT_RECORDS,
		    sizeof(struct txt_rec), store_txt, NULL, 0, 0 };

		rc = collect(&ps, final, finallen, &k,
		    an_cname ? NULL : &tally, &ttl, &have_ttl);
		out->txts = k.arr;
		out->ntxts = k.n;
		out->ntxt_ignored = k.ignored;
	} else {
		struct keep k = { DNS_TYPE_SMIMEA, DS_MAX_RECORDS,
		    sizeof(struct smimea_rec), store_smimea, NULL, 0, 0 };

		rc = collect(&ps, final, finallen, &k,
		    an_cname ? NULL : &tally, &ttl, &have_ttl);
		out->records = k.arr;
		out->nrecords = k.n;
		out->nignored = k.ignored;
		/* An RRset has no order (RFC 2181 5), and validators
		 * rotate it: canonical order makes every verdict, problem
		 * and record index the same whatever order came. */
		if (rc == 0 && k.n > 1)
			qsort(out->records, k.n, sizeof(struct smimea_rec),
			    smimea_canonical_cmp);
	}
	if (rc != 0)
		goto out;
	if (out->nrecords > 0 || out->ntxts > 0)
		out->ttl = ttl;
	else if (out->has_soa)
		out->ttl = soa_ttl;
	name_to_text(final, finallen, out->final_name, sizeof(out->final_name));
	rc = DNSMSG_OK;
out:
	if (rc != DNSMSG_OK) {
		dnsmsg_free(out);
		rc = rc < 0 ? -1 : rc;
	}
	return rc;
}

void
dnsmsg_free(struct dnsmsg *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nrecords; i++)
		free(m->records[i].data);
	free(m->records);
	for (i = 0; i < m->ntxts; i++)
		free(m->txts[i].rdata);
	free(m->txts);
	memset(m, 0, sizeof(*m));
}

const char *
dnsmsg_strerror(int status)
{
	switch (status) {
	case DNSMSG_OK:
		return "no error";
	case DNSMSG_E_SHORT:
		return "answer truncated inside the header, a section or a "
		    "resource record (RFC 1035 4.1)";
	case DNSMSG_E_NOT_RESPONSE:
		return "not a response to a standard query: QR clear or OPCODE "
		    "not QUERY (RFC 1035 4.1.1)";
	case DNSMSG_E_QUESTION:
		return "answer does not echo our question: QDCOUNT must be 1 "
		    "with the same name, type and class IN (RFC 1035 4.1.2, "
		    "RFC 5452 9.1)";
	case DNSMSG_E_NAME:
		return "malformed domain name: bad label type, longer than 255 "
		    "octets, or bad compression pointer (RFC 1035 3.1, 4.1.4)";
	case DNSMSG_E_RDLENGTH:
		return "RDLENGTH runs past the message or disagrees with the "
		    "record data (RFC 1035 3.2.1, 3.3)";
	case DNSMSG_E_CNAME:
		return "CNAME chain too long, looping or ambiguous (RFC 1034 "
		    "3.6.2, RFC 2181 10.1)";
	case DNSMSG_E_OPT:
		return "malformed EDNS(0) OPT record or option (RFC 6891 6.1, "
		    "RFC 8914 2)";
	case DNSMSG_E_TRAILING:
		return "bytes after the last resource record counted in the "
		    "header (RFC 1035 4.1)";
	case -1:
		return "out of memory";
	default:
		return "unknown DNS message error";
	}
}

const char *
dnsmsg_code(int status)
{
	switch (status) {
	case DNSMSG_OK:
		return "ok";
	case DNSMSG_E_SHORT:
		return "short";
	case DNSMSG_E_NOT_RESPONSE:
		return "not-response";
	case DNSMSG_E_QUESTION:
		return "question-mismatch";
	case DNSMSG_E_NAME:
		return "bad-name";
	case DNSMSG_E_RDLENGTH:
		return "bad-rdlength";
	case DNSMSG_E_CNAME:
		return "cname-chain";
	case DNSMSG_E_OPT:
		return "bad-opt";
	case DNSMSG_E_TRAILING:
		return "trailing-data";
	case -1:
		return "out-of-memory";
	default:
		return "unknown";
	}
}

static int
digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : -1;
}

int
dns_name_to_wire(const char *name, uint8_t *out, size_t outlen,
    size_t *wirelen)
{
	const char *s = name;
	size_t n = 0, labstart, run, last;
	int v, d1, d2, d3;

	if (name == NULL || out == NULL)
		return -1;
	/* "" and "." are the root. */
	if (s[0] == '\0' || (s[0] == '.' && s[1] == '\0'))
		goto root;
	for (;;) {
		labstart = n;
		if (n >= outlen || n >= DNS_NAME_MAX)
			return -1;
		out[n++] = 0;
		while (*s != '\0' && *s != '.') {
			/* A run without escapes in one go: the bounds below
			 * hold for each octet of it iff for its last. */
			if ((run = strcspn(s, ".\\")) > 0) {
				last = n + run - 1;
				if (last - labstart > DS_MAX_LABEL ||
				    last >= outlen || last + 1 >= DNS_NAME_MAX)
					return -1;
				memcpy(out + n, s, run);
				n += run;
				s += run;
				continue;
			}
			v = (unsigned char)*s++;
			if (v == '\\') {
				/* RFC 1035 5.1: \X and \DDD. */
				if (*s == '\0')
					return -1;
				if ((d1 = digit(s[0])) >= 0) {
					if ((d2 = digit(s[1])) < 0 ||
					    (d3 = digit(s[2])) < 0)
						return -1;
					v = d1 * 100 + d2 * 10 + d3;
					if (v > 255)
						return -1;
					s += 3;
				} else
					v = (unsigned char)*s++;
			}
			if (n - labstart > DS_MAX_LABEL || n >= outlen ||
			    n + 1 >= DNS_NAME_MAX)
				return -1;
			out[n++] = (uint8_t)v;
		}
		if (n - labstart == 1)
			return -1;	/* empty label */
		out[labstart] = (uint8_t)(n - labstart - 1);
		if (*s == '\0')
			break;
		s++;			/* the dot */
		if (*s == '\0')
			break;		/* trailing dot */
	}
root:
	if (n >= outlen || n >= DNS_NAME_MAX)
		return -1;
	out[n++] = 0;
	*wirelen = n;
	return 0;
}
