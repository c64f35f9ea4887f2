/* mime.c - raw message parsing for S/MIME; see mime.h. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "ber.h"
#include "dslimits.h"
#include "encode.h"
#include "mime.h"
#include "reader.h"
#include "utf8.h"

/* A growable NUL-terminated byte string. */
struct buf {
	char *p;
	size_t len, cap;
};

/* The header fields we act on, unfolded, and how often each occurred. */
struct hdrs {
	struct buf from, ctype, cte;
	int nfrom, nctype, ncte;
};

struct ctype {
	char type[32], subtype[64];	/* lowercased; "" if invalid */
	char boundary[71];		/* RFC 2046 5.1.1: 1 to 70 bchars */
	char protocol[80];		/* lowercased */
	char smime_type[32];		/* lowercased */
	bool has_boundary, has_protocol, has_smime_type;
	bool bad_params;		/* syntax error after type/subtype */
	bool long_boundary;
};

struct ctx {
	struct mime_msg *out;
	size_t parts;
	const char *why;
	bool found;
};

static const char *const codes[] = {
	[MIME_OK] = "ok",
	[MIME_E_BAD_MIME] = "bad-mime",
	[MIME_E_NO_BOUNDARY] = "no-boundary",
	[MIME_E_UNCLOSED_BOUNDARY] = "unclosed-boundary",
	[MIME_E_TOO_DEEP] = "too-deep",
	[MIME_E_TOO_LARGE] = "too-large",
	[MIME_E_BAD_BASE64] = "bad-base64",
	[MIME_E_BAD_HEADER] = "bad-header",
	[MIME_E_NO_FROM] = "no-from",
};

const char *
mime_status_code(int status)
{
	if (status < 0 || (size_t)status >= sizeof(codes) / sizeof(codes[0]))
		return "?";
	return codes[status];
}

static int
fail(struct ctx *c, int status, const char *why)
{
	c->why = why;
	return status;
}

static void
buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* Appends p[0..n); keeps a NUL after the data. -1 on OOM/overflow. */
static int
buf_add(struct buf *b, const void *p, size_t n)
{
	size_t need, cap;
	char *np;

	if (n > SIZE_MAX - b->len - 1)
		return -1;
	need = b->len + n + 1;
	if (need > b->cap) {
		cap = b->cap != 0 ? b->cap : 64;
		while (cap < need)
			cap = cap > SIZE_MAX / 2 ? need : cap * 2;
		if ((np = realloc(b->p, cap)) == NULL)
			return -1;
		b->p = np;
		b->cap = cap;
	}
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int
buf_addc(struct buf *b, char ch)
{
	return buf_add(b, &ch, 1);
}

static char
lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

static bool
is_wsp(uint8_t ch)
{
	return ch == ' ' || ch == '\t';
}

/*
 * Lines. A line ends at LF, optionally preceded by CR; the last line may
 * have no end. *eol is the length of the line break (0, 1 or 2).
 */
static int
rd_line(struct reader *r, const uint8_t **line, size_t *n, size_t *eol)
{
	const uint8_t *p, *lf;
	size_t left = rd_left(r);

	if (left == 0)
		return -1;
	p = r->data + r->off;
	if ((lf = memchr(p, '\n', left)) == NULL) {
		*n = left;
		*eol = 0;
	} else {
		*n = (size_t)(lf - p);
		*eol = 1;
		if (*n > 0 && p[*n - 1] == '\r') {
			(*n)--;
			*eol = 2;
		}
	}
	*line = p;
	return rd_skip(r, *n + *eol);
}

/*
 * Header block (RFC 5322 2.2, 2.2.3): fields up to the first empty line.
 * Only From, Content-Type and Content-Transfer-Encoding are kept,
 * unfolded (the line breaks before folding whitespace removed). On
 * success *body is the offset of the body (len if there is none).
 */
static int
parse_headers(struct ctx *c, const uint8_t *p, size_t len, bool top,
    struct hdrs *h, size_t *body)
{
	struct reader r;
	struct buf *cur = NULL;
	const uint8_t *line, *colon;
	size_t n, eol, name_len, i;
	bool first = true, infield = false;

	rd_init(&r, p, len);
	*body = len;
	while (rd_line(&r, &line, &n, &eol) == 0) {
		if (r.off > DS_MAX_HEADER_BYTES)
			return fail(c, MIME_E_TOO_LARGE, "a header block is "
			    "larger than this program accepts (RFC 5322 2.1.1 "
			    "bounds lines at 998 octets)");
		if (n == 0) {
			*body = r.off;
			return 0;
		}
		if (memchr(line, '\0', n) != NULL)
			return fail(c, MIME_E_BAD_HEADER, "a header field "
			    "contains a NUL octet (RFC 5322 2.2, RFC 6532 3.2)");
		/* An mbox "From " separator some stores keep in front. */
		if (first && top && n >= 5 && memcmp(line, "From ", 5) == 0) {
			first = false;
			continue;
		}
		first = false;
		if (is_wsp(line[0])) {
			if (!infield)
				return fail(c, MIME_E_BAD_HEADER, "a header "
				    "block starts with a folded continuation "
				    "line (RFC 5322 2.2.3)");
			/* RFC 5322 2.2.3: unfolding removes only the CRLF. */
			if (cur != NULL && buf_add(cur, line, n) != 0)
				return -1;
			continue;
		}
		if ((colon = memchr(line, ':', n)) == NULL)
			return fail(c, MIME_E_BAD_HEADER, "a header line is "
			    "neither a field nor a folded continuation "
			    "(RFC 5322 2.2)");
		/* Field name: printable US-ASCII except ':' (RFC 5322 2.2);
		 * WSP before the colon is obsolete syntax (4.5). */
		name_len = (size_t)(colon - line);
		while (name_len > 0 && is_wsp(line[name_len - 1]))
			name_len--;
		if (name_len == 0)
			return fail(c, MIME_E_BAD_HEADER, "a header field has "
			    "an empty name (RFC 5322 2.2)");
		for (i = 0; i < name_len; i++)
			if (line[i] < 33 || line[i] > 126)
				return fail(c, MIME_E_BAD_HEADER, "a header "
				    "field name has a character outside "
				    "printable US-ASCII (RFC 5322 2.2)");
		cur = NULL;
		infield = true;
		if (name_len == 4 && strncasecmp((const char *)line, "From",
		    4) == 0) {
			if (top) {
				cur = &h->from;
				h->nfrom++;
			}
		} else if (name_len == 12 && strncasecmp((const char *)line,
		    "Content-Type", 12) == 0) {
			cur = &h->ctype;
			h->nctype++;
		} else if (name_len == 25 && strncasecmp((const char *)line,
		    "Content-Transfer-Encoding", 25) == 0) {
			cur = &h->cte;
			h->ncte++;
		}
		if (cur != NULL) {
			n -= (size_t)(colon + 1 - line);
			/* A repeated field is kept whole, so the duplicate
			 * check below sees it; its value is never used. */
			if (buf_add(cur, colon + 1, n) != 0)
				return -1;
		}
	}
	/* No empty line: all header, no body (RFC 5322 3.5: the body
	 * is optional). */
	return 0;
}

static int
check_duplicates(struct ctx *c, const struct hdrs *h)
{
	if (h->nfrom > 1)
		return fail(c, MIME_E_BAD_HEADER, "the message has more than "
		    "one From field (RFC 5322 3.6)");
	if (h->nctype > 1)
		return fail(c, MIME_E_BAD_HEADER, "an entity has more than "
		    "one Content-Type field (RFC 2045 5)");
	if (h->ncte > 1)
		return fail(c, MIME_E_BAD_HEADER, "an entity has more than "
		    "one Content-Transfer-Encoding field (RFC 2045 6)");
	return 0;
}

static void
hdrs_free(struct hdrs *h)
{
	buf_free(&h->from);
	buf_free(&h->ctype);
	buf_free(&h->cte);
}

/*
 * Structured field lexing (RFC 5322 3.2.2, RFC 2045 5.1).
 */

/* Skips a comment starting at s[*i] == '('; nested comments and
 * quoted-pairs allowed. -1 if it never ends. */
static int
skip_comment(const char *s, size_t n, size_t *i)
{
	size_t depth = 0;

	while (*i < n) {
		char ch = s[(*i)++];

		if (ch == '\\') {
			if (*i < n)
				(*i)++;
		} else if (ch == '(') {
			depth++;
		} else if (ch == ')') {
			if (--depth == 0)
				return 0;
		}
	}
	return -1;
}

/* Skips CFWS; -1 on an unterminated comment. */
static int
skip_cfws(const char *s, size_t n, size_t *i)
{
	while (*i < n) {
		if (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\r' ||
		    s[*i] == '\n')
			(*i)++;
		else if (s[*i] == '(') {
			if (skip_comment(s, n, i) != 0)
				return -1;
		} else
			break;
	}
	return 0;
}

/* Skips a quoted string starting at s[*i] == '"'; -1 if unterminated. */
static int
skip_quoted(const char *s, size_t n, size_t *i)
{
	(*i)++;
	while (*i < n) {
		char ch = s[(*i)++];

		if (ch == '\\') {
			if (*i < n)
				(*i)++;
		} else if (ch == '"')
			return 0;
	}
	return -1;
}

/* RFC 2045 5.1 token character. */
static bool
is_token(uint8_t ch)
{
	return ch > 32 && ch < 127 && strchr("()<>@,;:\\\"/[]?=", ch) == NULL;
}

/* Copies a token or quoted-string value at s[*i] into out (size outsz,
 * lowercased if asked). Returns 0, 1 syntax error, 2 too long (the value
 * is still skipped). */
static int
lex_value(const char *s, size_t n, size_t *i, char *out, size_t outsz,
    bool lc)
{
	size_t o = 0;
	bool toolong = false;

	if (*i < n && s[*i] == '"') {
		(*i)++;
		for (;;) {
			char ch;

			if (*i >= n)
				return 1;
			ch = s[(*i)++];
			if (ch == '"')
				break;
			if (ch == '\\') {
				if (*i >= n)
					return 1;
				ch = s[(*i)++];
			}
			if (o + 1 < outsz)
				out[o++] = lc ? lower(ch) : ch;
			else
				toolong = true;
		}
	} else {
		if (*i >= n || !is_token((uint8_t)s[*i]))
			return 1;
		while (*i < n && is_token((uint8_t)s[*i])) {
			if (o + 1 < outsz)
				out[o++] = lc ? lower(s[*i]) : s[*i];
			else
				toolong = true;
			(*i)++;
		}
	}
	out[o] = '\0';
	return toolong ? 2 : 0;
}

/* Content-Type (RFC 2045 5.1). Without the field, or if type/subtype
 * do not parse, the entity is text/plain (RFC 2045 5.2). */
static void
parse_ctype(const struct buf *b, struct ctype *ct)
{
	const char *s = b->p != NULL ? b->p : "";
	size_t n = b->len, i = 0;
	char name[32], scratch[8];
	int rc;

	memset(ct, 0, sizeof(*ct));
	if (skip_cfws(s, n, &i) != 0 || i >= n || s[i] == '"' ||
	    lex_value(s, n, &i, ct->type, sizeof(ct->type), true) != 0 ||
	    skip_cfws(s, n, &i) != 0 || i >= n || s[i++] != '/' ||
	    skip_cfws(s, n, &i) != 0 || i >= n || s[i] == '"' ||
	    lex_value(s, n, &i, ct->subtype, sizeof(ct->subtype), true) != 0) {
		strcpy(ct->type, "text");
		strcpy(ct->subtype, "plain");
		return;
	}
	for (;;) {
		char *val;
		size_t valsz;
		bool *has, lc = true;

		if (skip_cfws(s, n, &i) != 0)
			goto bad;
		if (i >= n)
			return;
		if (s[i++] != ';')
			goto bad;
		if (skip_cfws(s, n, &i) != 0)
			goto bad;
		if (i >= n)
			return;		/* a trailing ';' is common */
		if (s[i] == '"' ||
		    (rc = lex_value(s, n, &i, name, sizeof(name), true)) == 1)
			goto bad;
		if (skip_cfws(s, n, &i) != 0 || i >= n || s[i++] != '=' ||
		    skip_cfws(s, n, &i) != 0)
			goto bad;
		if (rc == 0 && strcmp(name, "boundary") == 0) {
			val = ct->boundary;
			valsz = sizeof(ct->boundary);
			has = &ct->has_boundary;
			lc = false;	/* boundaries are case-sensitive */
		} else if (rc == 0 && strcmp(name, "protocol") == 0) {
			val = ct->protocol;
			valsz = sizeof(ct->protocol);
			has = &ct->has_protocol;
		} else if (rc == 0 && strcmp(name, "smime-type") == 0) {
			val = ct->smime_type;
			valsz = sizeof(ct->smime_type);
			has = &ct->has_smime_type;
		} else {
			val = scratch;
			valsz = sizeof(scratch);
			has = NULL;
		}
		if (has != NULL && *has)
			goto bad;	/* a parameter given twice */
		rc = lex_value(s, n, &i, val, valsz, lc);
		if (rc == 1)
			goto bad;
		if (has != NULL) {
			*has = true;
			if (rc == 2 && val == ct->boundary)
				ct->long_boundary = true;
			else if (rc == 2)
				val[0] = '\0';	/* unknown value */
		}
	}
bad:
	ct->bad_params = true;
}

/* Content-Transfer-Encoding mechanism, lowercased ("" if absent). */
static void
parse_cte(const struct buf *b, char *out, size_t outsz)
{
	const char *s = b->p != NULL ? b->p : "";
	size_t i = 0;

	out[0] = '\0';
	if (skip_cfws(s, b->len, &i) != 0)
		strcpy(out, "?");
	else if (i < b->len && lex_value(s, b->len, &i, out, outsz, true) != 0)
		strcpy(out, "?");
}

/*
 * Multipart bodies (RFC 2046 5.1.1). A delimiter line is "--" boundary,
 * optional transport padding (LWSP), line break; the close delimiter has
 * "--" after the boundary. The line break before a delimiter belongs to
 * it, not to the part.
 */
struct mp_iter {
	struct reader r;
	const char *b;
	size_t blen;
	size_t prev_eol;	/* line break length of the previous line */
	int state;		/* 0 preamble, 1 in parts, 2 closed */
};

/* 0 not a delimiter, 1 delimiter, 2 close delimiter. */
static int
is_delim(const uint8_t *line, size_t n, const char *b, size_t blen)
{
	size_t i;
	int kind = 1;

	if (n < 2 + blen || line[0] != '-' || line[1] != '-' ||
	    memcmp(line + 2, b, blen) != 0)
		return 0;
	i = 2 + blen;
	if (n - i >= 2 && line[i] == '-' && line[i + 1] == '-') {
		kind = 2;
		i += 2;
	}
	for (; i < n; i++)
		if (!is_wsp(line[i]))
			return 0;
	return kind;
}

/* Next body part: 1 with *part and *partlen set, 0 after the close
 * delimiter, -2 if the data ends before it. */
static int
mp_next(struct mp_iter *it, const uint8_t **part, size_t *partlen)
{
	const uint8_t *line;
	size_t n, eol, start = it->r.off, lstart, end;
	int d;

	if (it->state == 2)
		return 0;
	while (rd_line(&it->r, &line, &n, &eol) == 0) {
		lstart = (size_t)(line - it->r.data);
		d = is_delim(line, n, it->b, it->blen);
		if (d == 0) {
			it->prev_eol = eol;
			continue;
		}
		if (it->state == 0) {
			it->prev_eol = eol;
			start = it->r.off;
			it->state = d == 2 ? 2 : 1;
			if (d == 2)
				return 0;
			continue;
		}
		end = lstart >= start + it->prev_eol ? lstart - it->prev_eol :
		    start;
		*part = it->r.data + start;
		*partlen = end - start;
		it->prev_eol = eol;
		it->state = d == 2 ? 2 : 1;
		return 1;
	}
	return -2;
}

static int
mp_start(struct ctx *c, struct mp_iter *it, const struct ctype *ct,
    const uint8_t *body, size_t len)
{
	if (ct->bad_params)
		return fail(c, MIME_E_BAD_HEADER, "a multipart Content-Type "
		    "has malformed parameters (RFC 2045 5.1)");
	if (!ct->has_boundary || ct->boundary[0] == '\0')
		return fail(c, MIME_E_NO_BOUNDARY, "a multipart entity has "
		    "no boundary parameter (RFC 2046 5.1.1)");
	if (ct->long_boundary)
		return fail(c, MIME_E_BAD_MIME, "a multipart boundary is "
		    "longer than 70 characters (RFC 2046 5.1.1)");
	memset(it, 0, sizeof(*it));
	rd_init(&it->r, body, len);
	it->b = ct->boundary;
	it->blen = strlen(ct->boundary);
	return 0;
}

static int
unclosed(struct ctx *c)
{
	return fail(c, MIME_E_UNCLOSED_BOUNDARY, "a multipart body ends "
	    "without its close delimiter \"--boundary--\" (RFC 2046 5.1.1)");
}

static int
count_part(struct ctx *c)
{
	if (++c->parts > DS_MAX_MIME_PARTS)
		return fail(c, MIME_E_TOO_LARGE, "the message has more body "
		    "parts than this program accepts (RFC 2046 5.1)");
	return 0;
}

/* Copies p[0..n) with every LF not preceded by CR turned into CRLF, the
 * canonical form S/MIME signs (RFC 8551 3.1.1, RFC 5322 2.3). */
static int
canonical_crlf(const uint8_t *p, size_t n, uint8_t **out, size_t *outlen,
    bool *converted)
{
	size_t i, bare = 0, o = 0;
	uint8_t *q;

	for (i = 0; i < n; i++)
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			bare++;
	if (bare > SIZE_MAX - n - 1)
		return -1;
	if ((q = malloc(n + bare + 1)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] == '\n' && (i == 0 || p[i - 1] != '\r'))
			q[o++] = '\r';
		q[o++] = p[i];
	}
	*out = q;
	*outlen = o;
	*converted = bare > 0;
	return 0;
}

/* Decodes a CMS body by its transfer encoding. */
static int
decode_cms(struct ctx *c, const uint8_t *body, size_t len, const char *cte,
    uint8_t **out, size_t *outlen)
{
	int rc;

	if (strcmp(cte, "binary") == 0 || strcmp(cte, "8bit") == 0) {
		if ((*out = malloc(len > 0 ? len : 1)) == NULL)
			return -1;
		memcpy(*out, body, len);
		*outlen = len;
	} else if (strcmp(cte, "base64") == 0 || strcmp(cte, "7bit") == 0 ||
	    cte[0] == '\0') {
		/* 7bit (the default) cannot carry DER, so a missing
		 * header means a sender that forgot to say base64. */
		if ((rc = b64_decode((const char *)body, len, out,
		    outlen)) < 0)
			return -1;
		if (rc > 0)
			return fail(c, MIME_E_BAD_BASE64, "the S/MIME "
			    "signature or body is not valid base64 (RFC 2045 "
			    "6.8, RFC 8551 3.1.3)");
	} else
		return fail(c, MIME_E_BAD_MIME, "the S/MIME signature or body "
		    "has a transfer encoding other than base64 or binary "
		    "(RFC 8551 3.1.3)");
	if (*outlen == 0) {
		free(*out);
		*out = NULL;
		return fail(c, MIME_E_BAD_MIME, "the S/MIME signature or body "
		    "is empty (RFC 8551 3.5)");
	}
	return 0;
}

/* application/SUB or the pre-RFC 5751 application/x-SUB. */
static bool
is_pkcs7(const struct ctype *ct, const char *sub)
{
	const char *st = ct->subtype;

	if (strncmp(st, "x-", 2) == 0)
		st += 2;
	return strcmp(ct->type, "application") == 0 && strcmp(st, sub) == 0;
}

static bool
is_pkcs7_protocol(const char *p)
{
	return strcmp(p, "application/pkcs7-signature") == 0 ||
	    strcmp(p, "application/x-pkcs7-signature") == 0;
}

/* multipart/signed (RFC 1847 2.1, RFC 8551 3.5.3): exactly two parts,
 * the content and an application/(x-)pkcs7-signature. */
static int
do_detached(struct ctx *c, const struct ctype *ct, const uint8_t *body,
    size_t len, int depth)
{
	struct mp_iter it;
	struct hdrs h;
	struct ctype sct;
	const uint8_t *p1 = NULL, *p2 = NULL, *extra;
	size_t n1 = 0, n2 = 0, nextra, boff;
	char cte[32];
	int rc;

	memset(&h, 0, sizeof(h));
	if ((rc = mp_start(c, &it, ct, body, len)) != 0)
		return rc;
	if ((rc = mp_next(&it, &p1, &n1)) == 1)
		rc = mp_next(&it, &p2, &n2);
	if (rc == 1)
		rc = mp_next(&it, &extra, &nextra);
	if (rc == -2)
		return unclosed(c);
	if (p2 == NULL)
		return fail(c, MIME_E_BAD_MIME, "multipart/signed has fewer "
		    "than two body parts (RFC 1847 2.1)");
	if (rc == 1)
		return fail(c, MIME_E_BAD_MIME, "multipart/signed has more "
		    "than two body parts (RFC 1847 2.1)");
	if ((rc = count_part(c)) != 0 || (rc = count_part(c)) != 0)
		return rc;

	if ((rc = parse_headers(c, p2, n2, false, &h, &boff)) != 0 ||
	    (rc = check_duplicates(c, &h)) != 0)
		goto out;
	parse_ctype(&h.ctype, &sct);
	if (!is_pkcs7(&sct, "pkcs7-signature")) {
		rc = fail(c, MIME_E_BAD_MIME, "the second part of an S/MIME "
		    "multipart/signed is not application/pkcs7-signature "
		    "(RFC 8551 3.5.3)");
		goto out;
	}
	parse_cte(&h.cte, cte, sizeof(cte));
	if ((rc = decode_cms(c, p2 + boff, n2 - boff, cte, &c->out->cms,
	    &c->out->cms_len)) != 0)
		goto out;
	if (canonical_crlf(p1, n1, &c->out->content, &c->out->content_len,
	    &c->out->lf_converted) != 0) {
		rc = -1;
		goto out;
	}
	c->out->kind = MIME_SIGNED_DETACHED;
	c->out->nested = depth > 0;
	c->found = true;
out:
	hdrs_free(&h);
	return rc;
}

/* The contentType OID of a CMS ContentInfo (RFC 5652 3), for
 * application/pkcs7-mime without smime-type. 1 signedData,
 * 2 envelopedData or authEnvelopedData, 0 other or unreadable. */
static int
peek_cms_type(const uint8_t *p, size_t n)
{
	struct reader r;
	const uint8_t *oid;
	size_t len;

	rd_init(&r, p, n);
	if (ber_content_type(&r, &oid, &len) != 0)
		return 0;
	if (BER_OID_IS(oid, len, ber_oid_signed_data))
		return 1;
	if (BER_OID_IS(oid, len, ber_oid_enveloped_data) ||
	    BER_OID_IS(oid, len, ber_oid_auth_enveloped_data))
		return 2;
	return 0;
}

/* application/pkcs7-mime (RFC 8551 3.2.2). */
static int
do_pkcs7_mime(struct ctx *c, const struct ctype *ct, const struct hdrs *h,
    const uint8_t *body, size_t len, int depth)
{
	char cte[32];
	uint8_t *cms = NULL;
	size_t cms_len = 0;
	int rc, kind;

	if (ct->bad_params)
		return fail(c, MIME_E_BAD_HEADER, "an application/pkcs7-mime "
		    "Content-Type has malformed parameters (RFC 2045 5.1)");
	if (ct->has_smime_type && strcmp(ct->smime_type, "signed-data") == 0)
		kind = MIME_SIGNED_OPAQUE;
	else if (ct->has_smime_type &&
	    (strcmp(ct->smime_type, "enveloped-data") == 0 ||
	    strcmp(ct->smime_type, "authenveloped-data") == 0))
		kind = MIME_ENCRYPTED;
	else if (ct->has_smime_type)
		return 0;	/* certs-only, compressed-data: not signed */
	else
		kind = -1;	/* old agents omit it: look at the CMS */
	parse_cte(&h->cte, cte, sizeof(cte));
	if ((rc = decode_cms(c, body, len, cte, &cms, &cms_len)) != 0)
		return rc;
	if (kind == -1) {
		switch (peek_cms_type(cms, cms_len)) {
		case 1:
			kind = MIME_SIGNED_OPAQUE;
			break;
		case 2:
			kind = MIME_ENCRYPTED;
			break;
		default:
			free(cms);
			return 0;
		}
	}
	c->out->kind = kind;
	c->out->nested = depth > 0;
	c->found = true;
	if (kind == MIME_SIGNED_OPAQUE) {
		c->out->cms = cms;
		c->out->cms_len = cms_len;
	} else
		free(cms);
	return 0;
}

/* Looks for the S/MIME entity in the entity with headers h and the
 * given body, depth levels down. */
static int
walk(struct ctx *c, const struct hdrs *h, const uint8_t *body, size_t len,
    int depth)
{
	struct ctype ct;
	struct mp_iter it;
	const uint8_t *part;
	size_t plen, boff, nparts = 0;
	int rc;

	parse_ctype(&h->ctype, &ct);
	if (strcmp(ct.type, "multipart") == 0 &&
	    strcmp(ct.subtype, "signed") == 0) {
		if (ct.bad_params)
			return fail(c, MIME_E_BAD_HEADER, "a multipart/signed "
			    "Content-Type has malformed parameters (RFC 2045 "
			    "5.1)");
		/* Other protocols (OpenPGP, RFC 3156) are not ours. */
		if (!ct.has_protocol || !is_pkcs7_protocol(ct.protocol))
			return 0;
		return do_detached(c, &ct, body, len, depth);
	}
	if (is_pkcs7(&ct, "pkcs7-mime"))
		return do_pkcs7_mime(c, &ct, h, body, len, depth);
	if (strcmp(ct.type, "multipart") != 0)
		return 0;

	if ((rc = mp_start(c, &it, &ct, body, len)) != 0)
		return rc;
	if (depth + 1 > DS_MAX_MIME_DEPTH)
		return fail(c, MIME_E_TOO_DEEP, "multipart entities are nested "
		    "deeper than this program follows (RFC 2046 5.1)");
	for (;;) {
		struct hdrs ph;

		if ((rc = mp_next(&it, &part, &plen)) == 0)
			break;
		if (rc == -2)
			return unclosed(c);
		if ((rc = count_part(c)) != 0)
			return rc;
		nparts++;
		memset(&ph, 0, sizeof(ph));
		if ((rc = parse_headers(c, part, plen, false, &ph,
		    &boff)) == 0 && (rc = check_duplicates(c, &ph)) == 0)
			rc = walk(c, &ph, part + boff, plen - boff, depth + 1);
		hdrs_free(&ph);
		if (rc != 0 || c->found)
			return rc;
	}
	if (nparts == 0)
		return fail(c, MIME_E_BAD_MIME, "a multipart entity has no "
		    "body part (RFC 2046 5.1.1)");
	return 0;
}

/*
 * From (RFC 5322 3.6.2 mailbox-list, 3.4 mailbox, RFC 6854 groups).
 */

/* One RFC 2047 encoded-word w[0..n) ("=?charset?B|Q?text?="), decoded
 * and converted to UTF-8 (still to be sanitised). 1 if w is not one. */
static int
decode_word(const char *w, size_t n, struct buf *out)
{
	const char *cs, *enc, *text, *q;
	size_t cslen, tlen, i;
	uint8_t *raw = NULL;
	size_t rawlen = 0;
	bool latin1;
	int rc;

	if (n < 8 || w[0] != '=' || w[1] != '?' || w[n - 2] != '?' ||
	    w[n - 1] != '=')
		return 1;
	cs = w + 2;
	if ((q = memchr(cs, '?', n - 4)) == NULL)
		return 1;
	cslen = (size_t)(q - cs);
	enc = q + 1;
	if (enc + 2 > w + n - 2 || enc[1] != '?')
		return 1;
	text = enc + 2;
	tlen = (size_t)(w + n - 2 - text);
	if (memchr(text, '?', tlen) != NULL)
		return 1;
	/* RFC 2231 5: "charset*language". */
	if ((q = memchr(cs, '*', cslen)) != NULL)
		cslen = (size_t)(q - cs);
	latin1 = (cslen == 10 && strncasecmp(cs, "iso-8859-1", 10) == 0) ||
	    (cslen == 6 && strncasecmp(cs, "latin1", 6) == 0) ||
	    (cslen == 12 && strncasecmp(cs, "windows-1252", 12) == 0);
	if (*enc == 'B' || *enc == 'b') {
		if ((rc = b64_decode(text, tlen, &raw, &rawlen)) != 0)
			return rc < 0 ? -1 : 1;
	} else if (*enc == 'Q' || *enc == 'q') {
		if ((raw = malloc(tlen + 1)) == NULL)
			return -1;
		for (i = 0; i < tlen; i++) {
			static const char hex[] = "0123456789abcdef";
			const char *h1, *h2;

			if (text[i] == '_')
				raw[rawlen++] = ' ';
			else if (text[i] == '=' && i + 2 < tlen &&
			    text[i + 1] != '\0' && text[i + 2] != '\0' &&
			    (h1 = strchr(hex, lower(text[i + 1]))) != NULL &&
			    (h2 = strchr(hex, lower(text[i + 2]))) != NULL) {
				raw[rawlen++] = (uint8_t)((h1 - hex) << 4 |
				    (h2 - hex));
				i += 2;
			} else if (text[i] == '=') {
				free(raw);
				return 1;
			} else
				raw[rawlen++] = (uint8_t)text[i];
		}
	} else
		return 1;
	rc = 0;
	for (i = 0; i < rawlen && rc == 0; i++) {
		if (latin1 && raw[i] >= 0x80) {
			char u[2] = { (char)(0xc0 | raw[i] >> 6),
			    (char)(0x80 | (raw[i] & 0x3f)) };

			rc = buf_add(out, u, 2);
		} else
			rc = buf_addc(out, (char)raw[i]);
	}
	free(raw);
	return rc;
}

/* The display name s[0..n) (a phrase, RFC 5322 3.2.5): words joined by
 * one space, encoded-words decoded (only in atoms, RFC 2047 5(3)), the
 * whitespace between two adjacent encoded-words dropped (RFC 2047 6.2). */
static int
decode_phrase(const char *s, size_t n, char **out)
{
	struct buf b = { 0 }, w = { 0 };
	size_t i = 0, start, len;
	bool prev_ew = false, any = false, ew;
	int rc = -1;

	*out = NULL;
	for (;;) {
		if (skip_cfws(s, n, &i) != 0 || i >= n)
			break;
		w.len = 0;
		ew = false;
		if (s[i] == '"') {
			for (i++; i < n && s[i] != '"'; i++) {
				if (s[i] == '\\' && i + 1 < n)
					i++;
				if (buf_addc(&w, s[i]) != 0)
					goto out;
			}
			i++;
		} else {
			start = i;
			while (i < n && s[i] != ' ' && s[i] != '\t' &&
			    s[i] != '"' && s[i] != '(' && s[i] != '\r' &&
			    s[i] != '\n')
				i++;
			len = i - start;
			if (len == 0) {
				i++;	/* a stray ')': skip it */
				continue;
			}
			if ((rc = decode_word(s + start, len, &w)) < 0)
				goto out;
			ew = rc == 0;
			if (!ew) {
				w.len = 0;
				if (buf_add(&w, s + start, len) != 0)
					goto out;
			}
			rc = -1;
		}
		if (any && !(prev_ew && ew) && buf_addc(&b, ' ') != 0)
			goto out;
		if (buf_add(&b, w.p != NULL ? w.p : "", w.len) != 0)
			goto out;
		prev_ew = ew;
		any = true;
	}
	if (b.len > 0) {
		if ((*out = utf8_sanitize(b.p, b.len)) == NULL)
			goto out;
		len = strlen(*out);
		if (len > DS_MAX_DISPLAY_NAME) {
			len = utf8_truncate(*out, DS_MAX_DISPLAY_NAME);
			(*out)[len] = '\0';
		}
	}
	rc = 0;
out:
	buf_free(&b);
	buf_free(&w);
	return rc;
}

/* atext with UTF-8 (RFC 6532 3.2). */
static bool
is_atext(uint8_t ch)
{
	return ch >= 0x80 || address_is_atext(ch);
}

/* The addr-spec in s[0..n) with comments and folding whitespace removed
 * (RFC 5322 3.4.1), obs-route dropped (4.4). 0 ok (*out malloc'ed),
 * 1 not an addr-spec, -1 OOM. */
static int
clean_addr(const char *s, size_t n, char **out)
{
	struct buf b = { 0 };
	size_t i = 0, at = SIZE_MAX, j, nat = 0;
	int rc = 1;

	*out = NULL;
	while (i < n) {
		if (skip_cfws(s, n, &i) != 0)
			goto out;
		if (i >= n)
			break;
		if (s[i] == '"') {
			j = i;
			if (skip_quoted(s, n, &i) != 0)
				goto out;
			if (buf_add(&b, s + j, i - j) != 0) {
				rc = -1;
				goto out;
			}
			continue;
		}
		if (s[i] == '@') {
			at = b.len;
			nat++;
		}
		if (s[i] == ':' && b.len > 0 && b.p[0] == '@') {
			b.len = 0;	/* obs-route "@a,@b:" */
			at = SIZE_MAX;
			nat = 0;
			i++;
			continue;
		}
		if (!is_atext((uint8_t)s[i]) && (s[i] == '\0' ||
		    strchr(".@[]", s[i]) == NULL) &&
		    !(s[i] == ',' && b.len > 0 && b.p[0] == '@'))
			goto out;
		if (buf_addc(&b, s[i++]) != 0) {
			rc = -1;
			goto out;
		}
	}
	if (b.len == 0 || at == SIZE_MAX || at == 0 || at + 1 >= b.len ||
	    b.p[0] == '@' || b.len > 4 * DS_MAX_ADDRESS ||
	    !utf8_valid_text(b.p, b.len))
		goto out;
	/* Exactly one '@' outside quotes separates the domain. */
	if (nat != 1)
		goto out;
	*out = b.p;
	b.p = NULL;
	rc = 0;
out:
	buf_free(&b);
	return rc;
}

/* One mailbox s[0..n) (RFC 5322 3.4): name-addr or addr-spec. Empty
 * (only CFWS) mailboxes are skipped, as obs-mbox-list allows. */
static int
add_mailbox(struct ctx *c, const char *s, size_t n)
{
	struct mime_msg *m = c->out;
	size_t i = 0, lt = SIZE_MAX, gt = SIZE_MAX, k;
	char *addr = NULL, **nf;
	int rc;

	k = 0;
	if (skip_cfws(s, n, &k) != 0)
		return fail(c, MIME_E_BAD_HEADER, "the From field has an "
		    "unterminated comment (RFC 5322 3.2.2)");
	if (k >= n)
		return 0;
	while (i < n) {
		if (s[i] == '"') {
			if (skip_quoted(s, n, &i) != 0)
				break;
		} else if (s[i] == '(') {
			if (skip_comment(s, n, &i) != 0)
				break;
		} else if (s[i] == '<' && lt == SIZE_MAX) {
			lt = i++;
		} else if (s[i] == '>' && lt != SIZE_MAX && gt == SIZE_MAX) {
			gt = i++;
		} else
			i++;
	}
	if (lt != SIZE_MAX) {
		if (gt == SIZE_MAX)
			return fail(c, MIME_E_BAD_HEADER, "a From mailbox has "
			    "'<' without '>' (RFC 5322 3.4)");
		k = gt + 1;
		if (skip_cfws(s, n, &k) != 0 || k < n)
			return fail(c, MIME_E_BAD_HEADER, "a From mailbox has "
			    "text after its angle-addr (RFC 5322 3.4)");
		rc = clean_addr(s + lt + 1, gt - lt - 1, &addr);
	} else
		rc = clean_addr(s, n, &addr);
	if (rc < 0)
		return -1;
	if (rc > 0)
		return fail(c, MIME_E_BAD_HEADER, "a From mailbox is not an "
		    "addr-spec local@domain in UTF-8 (RFC 5322 3.4.1, "
		    "RFC 6532 3.2)");
	if (m->nfrom >= DS_MAX_FROM_ADDRESSES) {
		free(addr);
		return fail(c, MIME_E_TOO_LARGE, "the From field lists more "
		    "mailboxes than this program accepts (RFC 5322 3.6.2)");
	}
	if ((nf = realloc(m->from, (m->nfrom + 1) * sizeof(*nf))) == NULL) {
		free(addr);
		return -1;
	}
	m->from = nf;
	m->from[m->nfrom++] = addr;
	if (m->nfrom == 1 && lt != SIZE_MAX &&
	    decode_phrase(s, lt, &m->from_display) != 0)
		return -1;
	return 0;
}

static int
parse_from(struct ctx *c, const struct buf *b)
{
	const char *s = b->p != NULL ? b->p : "";
	size_t n = b->len, i = 0, start = 0;
	bool angle = false;
	int rc;

	while (i <= n) {
		if (i == n || (!angle && (s[i] == ',' || s[i] == ';'))) {
			if ((rc = add_mailbox(c, s + start, i - start)) != 0)
				return rc;
			start = ++i;
			continue;
		}
		if (s[i] == '"') {
			if (skip_quoted(s, n, &i) != 0)
				return fail(c, MIME_E_BAD_HEADER, "the From "
				    "field has an unterminated quoted string "
				    "(RFC 5322 3.2.4)");
		} else if (s[i] == '(') {
			if (skip_comment(s, n, &i) != 0)
				return fail(c, MIME_E_BAD_HEADER, "the From "
				    "field has an unterminated comment "
				    "(RFC 5322 3.2.2)");
		} else if (s[i] == '<') {
			angle = true;
			i++;
		} else if (s[i] == '>') {
			angle = false;
			i++;
		} else if (s[i] == ':' && !angle) {
			start = ++i;	/* group display-name (RFC 6854) */
		} else
			i++;
	}
	if (c->out->nfrom == 0)
		return fail(c, MIME_E_NO_FROM, "the From field names no "
		    "mailbox (RFC 5322 3.6.2)");
	return 0;
}

int
mime_parse(const uint8_t *msg, size_t len, struct mime_msg *out,
    const char **code, const char **why)
{
	struct ctx c;
	struct hdrs h;
	size_t body = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	memset(&h, 0, sizeof(h));
	c.out = out;
	if (msg == NULL)
		len = 0;
	if (len > DS_MAX_MESSAGE_BYTES) {
		rc = fail(&c, MIME_E_TOO_LARGE, "the message is larger than "
		    "this program accepts");
		goto out;
	}
	if ((rc = parse_headers(&c, msg, len, true, &h, &body)) != 0 ||
	    (rc = check_duplicates(&c, &h)) != 0)
		goto out;
	if (h.nfrom == 0) {
		rc = fail(&c, MIME_E_NO_FROM, "the message has no From field "
		    "(RFC 5322 3.6)");
		goto out;
	}
	if ((rc = parse_from(&c, &h.from)) != 0)
		goto out;
	rc = walk(&c, &h, msg + body, len - body, 0);
out:
	hdrs_free(&h);
	if (rc != 0)
		mime_msg_free(out);
	if (code != NULL)
		*code = rc > 0 ? mime_status_code(rc) : NULL;
	if (why != NULL)
		*why = rc > 0 ? c.why : NULL;
	return rc;
}

void
mime_msg_free(struct mime_msg *m)
{
	size_t i;

	if (m == NULL)
		return;
	free(m->content);
	free(m->cms);
	for (i = 0; i < m->nfrom; i++)
		free(m->from[i]);
	free(m->from);
	free(m->from_display);
	memset(m, 0, sizeof(*m));
}
