/* record.c - SMIMEA zone-file lines and wrong-name probes; see record.h. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pk11pub.h>
#include <secoidt.h>

#include "nsslib.h"		/* after the NSS headers: calls via dlopen */

#include "address.h"
#include "certs.h"
#include "crypto.h"
#include "dslimits.h"
#include "encode.h"
#include "fail.h"
#include "record.h"
#include "smimetxt.h"

/* What an RSA-2048 RRSIG adds over the ECDSA P-256 one estimated. */
#define RSA_EXTRA (256 - 64)

/* RFC 1035 3.2.1: RDLENGTH is 16 bits; 4.2.2: a TCP message too. */
#define DNS_MAX_RDATA		65535u
/* RFC 1035 2.3.4: 63-octet labels, 255-octet names on the wire. */
#define DNS_MAX_LABEL		63u
#define DNS_MAX_WIRE_NAME	255u
/* RFC 6698 2.2: blanks may split the hex; 64 digits a line read well. */
#define HEX_PER_LINE		64u
#define SMIMECERT		"._smimecert."
/* Wire octets of a presentation name without trailing dot: a length
 * octet per label replaces each dot, plus the first one and the root. */
#define WIRE_NAME_LEN(textlen)	((textlen) + 2)

/* A growable string; on OOM or overflow it sets failed and stays put. */
struct sbuf {
	char *p;
	size_t len, cap;
	bool failed;
};

static void
sb_addf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	size_t need, cap;
	char *np;

	if (b->failed)
		return;
	if (n > SIZE_MAX - b->len - 1) {
		b->failed = true;
		return;
	}
	need = b->len + n + 1;
	if (need > b->cap) {
		cap = b->cap != 0 ? b->cap : 256;
		while (cap < need)
			cap = cap > SIZE_MAX / 2 ? need : cap * 2;
		if ((np = realloc(b->p, cap)) == NULL) {
			b->failed = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_addf(struct sbuf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	/* Only short, bounded pieces (names, numbers) go through here. */
	if (r < 0 || (size_t)r >= sizeof(tmp)) {
		b->failed = true;
		return;
	}
	sb_add(b, tmp, (size_t)r);
}

/* Hands the string out (NULL on failure, having freed it). */
static char *
sb_take(struct sbuf *b)
{
	char *s = b->p;

	if (b->failed || s == NULL) {
		free(s);
		s = NULL;
	}
	b->p = NULL;
	b->len = b->cap = 0;
	return s;
}

/* "OWNER. [TTL ]IN " */
static void
sb_head(struct sbuf *b, const char *owner, uint32_t ttl)
{
	sb_addf(b, "%s. ", owner);
	if (ttl != 0)
		sb_addf(b, "%lu ", (unsigned long)ttl);
	sb_add(b, "IN ", 3);
}

/* RFC 8162 2.2 (= RFC 6698 2.2): "SMIMEA u s m HEX", the hex split into
 * lines inside parentheses when it is longer than one line. */
static char *
make_presentation(const char *owner, const struct record_opts *o,
    const char *hex, size_t hexlen)
{
	struct sbuf b = { 0 };
	size_t off, k;

	sb_head(&b, owner, o->ttl);
	sb_addf(&b, "SMIMEA %d %d %d ", o->usage, o->selector, o->matching);
	if (hexlen <= HEX_PER_LINE)
		sb_add(&b, hex, hexlen);
	else {
		sb_add(&b, "(", 1);
		for (off = 0; off < hexlen; off += k) {
			k = hexlen - off < HEX_PER_LINE ? hexlen - off :
			    HEX_PER_LINE;
			sb_add(&b, "\n\t", 2);
			sb_add(&b, hex + off, k);
		}
		sb_add(&b, " )", 2);
	}
	return sb_take(&b);
}

/* RFC 3597 5: "TYPE53 \# LEN HEX" (the RDATA, usage byte first). */
static char *
make_generic(const char *owner, const struct record_opts *o,
    size_t rdlen, const char *hex, size_t hexlen)
{
	struct sbuf b = { 0 };

	sb_head(&b, owner, o->ttl);
	sb_addf(&b, "TYPE53 \\# %zu %02x%02x%02x", rdlen,
	    (unsigned)o->usage, (unsigned)o->selector, (unsigned)o->matching);
	sb_add(&b, hex, hexlen);
	return sb_take(&b);
}

static char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d;

	if ((d = malloc(n)) != NULL)
		memcpy(d, s, n);
	return d;
}

static void
line_clear(struct record_line *l)
{
	free(l->address);
	free(l->owner);
	free(l->presentation);
	free(l->generic);
	free(l->host);
	free(l->data_hex);
	free(l->hash_presentation);
	free(l->txt_owner);
	free(l->txt_presentation);
	memset(l, 0, sizeof(*l));
}

void
record_lines_free(struct record_line *l, size_t n)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < n; i++)
		line_clear(&l[i]);
	free(l);
}

/* Certificate association data for the selector and matching type
 * (RFC 6698 2.1.2, 2.1.3): into md, or pointing at c's own bytes. */
static int
association_data(const struct cert_summary *c, const struct record_opts *o,
    uint8_t md[64], const uint8_t **data, size_t *dlen, const char **why)
{
	const uint8_t *src;
	size_t n;

	if (o->selector == 0) {
		src = c->der;
		n = c->der_len;
	} else {
		src = c->spki;
		n = c->spki_len;
	}
	if (src == NULL || n == 0)
		return fail(why, o->selector == 0 ? "no certificate DER to "
		    "publish" : "the certificate's SubjectPublicKeyInfo is "
		    "not available for selector 1 (RFC 6698 2.1.2)",
		    RECORD_E_NO_SPKI);
	switch (o->matching) {
	case 0:
		*data = src;
		*dlen = n;
		return RECORD_OK;
	case 1:
		if (crypto_sha256(src, n, md) != 0)
			return -1;
		*dlen = 32;
		break;
	default:
		if (crypto_sha512(src, n, md) != 0)
			return -1;
		*dlen = 64;
		break;
	}
	*data = md;
	return RECORD_OK;
}

static int
check_opts(const struct record_opts *o, const char **why)
{
	/* RFC 6698 2.1.1-2.1.3 and the IANA registries (RFC 7218): only
	 * these values are assigned; a record with others is unusable
	 * (RFC 6698 4.1), so we refuse to write one. */
	if (o->usage < 0 || o->usage > 3)
		return fail(why, "certificate usage must be 0-3 (RFC 6698 "
		    "2.1.1: PKIX-TA, PKIX-EE, DANE-TA, DANE-EE)",
		    RECORD_E_USAGE);
	if (o->selector < 0 || o->selector > 1)
		return fail(why, "selector must be 0 or 1 (RFC 6698 2.1.2: "
		    "full certificate, SubjectPublicKeyInfo)",
		    RECORD_E_SELECTOR);
	if (o->matching < 0 || o->matching > 2)
		return fail(why, "matching type must be 0-2 (RFC 6698 2.1.3: "
		    "exact, SHA-256, SHA-512)", RECORD_E_MATCHING);
	if (o->ttl > DS_MAX_TTL)
		return fail(why, "TTL must be at most 2147483647 (RFC 2181 8)",
		    RECORD_E_TTL);
	return RECORD_OK;
}

/* What to tell about publishing c for an address under usage u. */
static const char *
usage_warning(const struct cert_summary *c, int usage, bool in_cert)
{
	if (usage == 0 || usage == 2) {
		/* The TA is a CA certificate; it need not name the address. */
		if (!c->is_ca)
			return "usage 0 and 2 name a trust anchor (RFC 6698 "
			    "2.1.1) but this certificate is not a CA "
			    "certificate: for the end-entity certificate use "
			    "usage 1 or 3";
		return NULL;
	}
	if (c->is_ca)
		return "this is a CA certificate (basicConstraints cA TRUE, "
		    "RFC 5280 4.2.1.9): mail clients do not encrypt to it, "
		    "publish the end-entity certificate for usage 1 or 3";
	if (!in_cert)
		return "the certificate does not carry this address (RFC 8162 "
		    "asks receivers to check it), so the record would not be "
		    "usable";
	return NULL;
}

/* The web-form fields, the hash record and the _smime TXT line of l
 * (issue 18). hash_hex: SHA-256 of the certificate, 64 hex digits. */
static int
fill_forms(struct record_line *l, const struct address *a,
    const struct record_opts *o, const char *hex, size_t hexlen,
    const char *hash_hex)
{
	struct record_opts h = *o;
	struct smime_url u;
	char owner[DS_MAX_OWNER_NAME + 1], txt[DS_MAX_SMIME_URL + 64];
	size_t dl = strlen(a->domain), ol = strlen(a->owner);
	struct sbuf b = { 0 };
	int rc;

	l->usage = o->usage;
	l->selector = o->selector;
	l->matching = o->matching;
	l->ttl = o->ttl;
	/* The owner name below the zone apex, as forms ask for "Host". */
	if ((l->host = strndup(a->owner, ol > dl + 1 ? ol - dl - 1 : ol)) ==
	    NULL || (l->data_hex = strndup(hex + 6, hexlen - 6)) == NULL)
		return -1;
	if (o->selector == 0 && o->matching == 0) {
		h.matching = 1;
		if ((l->hash_presentation = make_presentation(a->owner, &h,
		    hash_hex, 64)) == NULL)
			return -1;
	}
	if (o->url == NULL)
		return 0;
	if ((rc = smimetxt_url_check(o->url, strlen(o->url), &u)) !=
	    SMIMETXT_OK || (rc = smimetxt_owner(a->local, a->local_len,
	    a->domain, owner, sizeof(owner))) != SMIMETXT_OK ||
	    (rc = smimetxt_presentation(u.url, txt, sizeof(txt))) !=
	    SMIMETXT_OK) {
		l->txt_warning = smimetxt_strerror(rc);
		return 0;
	}
	if ((l->txt_owner = xstrdup(owner)) == NULL)
		return -1;
	sb_head(&b, owner, o->ttl);
	sb_addf(&b, "TXT %s", txt);
	return (l->txt_presentation = sb_take(&b)) == NULL ? -1 : 0;
}

/* Fills everything of l but address from the parsed address a. */
static int
fill_line(struct record_line *l, const struct address *a,
    const struct record_opts *o, size_t rdlen, const char *hex,
    size_t hexlen, const char *hash_hex)
{
	size_t owner_wire, signer_wire, est;

	if ((l->owner = xstrdup(a->owner)) == NULL ||
	    (l->presentation = make_presentation(a->owner, o, hex + 6,
	    hexlen - 6)) == NULL ||
	    (l->generic = make_generic(a->owner, o, rdlen, hex + 6,
	    hexlen - 6)) == NULL ||
	    fill_forms(l, a, o, hex, hexlen, hash_hex) != 0)
		return -1;
	l->rdata_len = rdlen;
	/* All terms are bounded by a name (<= 255) or rdlen (<= 65535):
	 * no overflow. See record.h for the terms. */
	owner_wire = WIRE_NAME_LEN(strlen(a->owner));
	signer_wire = WIRE_NAME_LEN(sizeof(SMIMECERT) - 2 + strlen(a->domain));
	est = 12 + (owner_wire + 4) + (2 + 10 + rdlen) + 11 +
	    RECORD_RRSIG_ESTIMATE + signer_wire;
	l->answer_estimate = est;
	l->fits_udp = est <= DS_EDNS_UDP_SIZE;
	if (est > DS_MAX_DNS_MESSAGE)
		l->size_warning = "the answer would be larger than 65535 "
		    "bytes, the largest DNS message even over TCP (RFC 1035 "
		    "4.2.2): use a hash (matching 1 or 2) or selector 1";
	else if (!l->fits_udp)
		l->size_warning = "answers over 1232 bytes need TCP (DNS flag "
		    "day 2020, RFC 7766 5): make sure the zone's servers "
		    "answer over TCP";
	else if (est + RSA_EXTRA > DS_EDNS_UDP_SIZE)
		l->size_warning = "fits UDP with an ECDSA-signed zone, but not "
		    "with RSA-2048 signatures (192 bytes more): then the "
		    "zone's servers must answer over TCP (RFC 7766 5)";
	return 0;
}

/* Grows *lines by one cleared entry; returns it or NULL on OOM. */
static struct record_line *
add_line(struct record_line **lines, size_t *n, size_t *cap)
{
	struct record_line *nl;
	size_t ncap;

	if (*n == *cap) {
		ncap = *cap != 0 ? *cap * 2 : 4;
		if (ncap > SIZE_MAX / sizeof(**lines))
			return NULL;
		if ((nl = realloc(*lines, ncap * sizeof(**lines))) == NULL)
			return NULL;
		*lines = nl;
		*cap = ncap;
	}
	nl = &(*lines)[(*n)++];
	memset(nl, 0, sizeof(*nl));
	return nl;
}

int
record_make(const struct cert_summary *c, const char *address,
    const struct record_opts *o, struct record_line **out, size_t *n,
    const char **why)
{
	static const struct record_opts defaults = RECORD_OPTS_DEFAULT;
	struct record_line *lines = NULL, *l;
	struct address *parsed = NULL, given;
	const uint8_t *data;
	uint8_t md[64], cmd[32];
	char *hex = NULL, hash_hex[65];
	size_t dlen, rdlen, hexlen, nlines = 0, cap = 0, i, j;
	bool in_cert, dup;
	const char *awhy;
	int r;

	if (o == NULL)
		o = &defaults;
	if ((r = check_opts(o, why)) != RECORD_OK)
		return r;
	if ((r = association_data(c, o, md, &data, &dlen, why)) != RECORD_OK)
		return r;
	if (dlen > DNS_MAX_RDATA - 3)
		return fail(why, "the record data would exceed 65535 octets "
		    "(RFC 1035 3.2.1 RDLENGTH): use a hash (matching 1 or 2)",
		    RECORD_E_TOO_LARGE);
	rdlen = dlen + 3;
	/* The RDATA as hex once: "uusmmm" then the data; both forms use
	 * it, the presentation form without the first 6 digits. */
	hexlen = 2 * rdlen;
	if ((hex = malloc(hexlen + 1)) == NULL)
		return -1;
	hex[0] = '\0';
	(void)snprintf(hex, 7, "%02x%02x%02x", (unsigned)o->usage,
	    (unsigned)o->selector, (unsigned)o->matching);
	hex_encode(data, dlen, hex + 6);
	if (crypto_sha256(c->der, c->der_len, cmd) != 0) {
		r = -1;
		goto out;
	}
	hex_encode(cmd, sizeof(cmd), hash_hex);

	/* The certificate's addresses, parsed once (NULL entries: cannot
	 * be parsed, awhy lost; re-parsed below where it matters). */
	if (c->nemails > 0) {
		if ((parsed = calloc(c->nemails, sizeof(*parsed))) == NULL) {
			r = -1;
			goto out;
		}
	} else if (address == NULL) {
		r = fail(why, "the certificate carries no e-mail address "
		    "(rfc822Name or SmtpUTF8Mailbox): give the address",
		    RECORD_E_NO_ADDRESS);
		goto out;
	}

	if (address != NULL) {
		if ((r = address_parse(address, strlen(address), &given,
		    &awhy)) != ADDR_OK) {
			if (r > 0)
				r = fail(why, awhy, RECORD_E_ADDRESS);
			goto out;
		}
		in_cert = false;
		for (i = 0; i < c->nemails && !in_cert; i++) {
			r = address_parse(c->emails[i], strlen(c->emails[i]),
			    &parsed[i], NULL);
			if (r < 0)
				goto out;
			in_cert = r == ADDR_OK &&
			    address_equal(&parsed[i], &given);
		}
		if ((l = add_line(&lines, &nlines, &cap)) == NULL ||
		    (l->address = xstrdup(address)) == NULL ||
		    fill_line(l, &given, o, rdlen, hex, hexlen, hash_hex) != 0) {
			r = -1;
			goto out;
		}
		l->warning = usage_warning(c, o->usage, in_cert);
	} else {
		for (i = 0; i < c->nemails; i++) {
			r = address_parse(c->emails[i], strlen(c->emails[i]),
			    &parsed[i], &awhy);
			if (r < 0)
				goto out;
			if (r != ADDR_OK) {
				/* Said, not dropped: the publisher should
				 * know why an address got no line. */
				if ((l = add_line(&lines, &nlines, &cap)) ==
				    NULL || (l->address =
				    xstrdup(c->emails[i])) == NULL) {
					r = -1;
					goto out;
				}
				l->warning = awhy;
				parsed[i].owner[0] = '\0';
				continue;
			}
			/* Same mailbox written twice (domain case): one
			 * owner name, one line. */
			dup = false;
			for (j = 0; j < i && !dup; j++)
				dup = parsed[j].owner[0] != '\0' &&
				    address_equal(&parsed[j], &parsed[i]);
			if (dup)
				continue;
			if ((l = add_line(&lines, &nlines, &cap)) == NULL ||
			    (l->address = xstrdup(c->emails[i])) == NULL ||
			    fill_line(l, &parsed[i], o, rdlen, hex,
			    hexlen, hash_hex) != 0) {
				r = -1;
				goto out;
			}
			l->warning = usage_warning(c, o->usage, true);
		}
	}
	*out = lines;
	lines = NULL;
	*n = nlines;
	r = RECORD_OK;
out:
	record_lines_free(lines, nlines);
	free(parsed);
	free(hex);
	return r;
}

/* RFC 5322 3.2.3 atext, ASCII part: what can stand in a DNS label in
 * presentation form without escaping (no '.', '\', '"', ';', '(', ')',
 * '@', blanks or controls). */
static bool
label_char(unsigned char ch)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9'))
		return true;
	return ch != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", ch) != NULL;
}

/* label "._smimecert." domain into out (RECORD_PROBE_NAME_MAX + 1). */
static void
probe_name(char *out, const char *label, size_t llen, const char *domain)
{
	size_t dlen = strlen(domain);

	/* llen <= 64, dlen <= DS_MAX_DOMAIN: fits by construction. */
	memcpy(out, label, llen);
	memcpy(out + llen, SMIMECERT, sizeof(SMIMECERT) - 1);
	memcpy(out + llen + sizeof(SMIMECERT) - 1, domain, dlen + 1);
}

int
address_probe_names(const struct address *a,
    struct record_probe probes[RECORD_NPROBES])
{
	uint8_t md[32];
	char hex[65];
	struct record_probe *p;
	size_t i;

	memset(probes, 0, RECORD_NPROBES * sizeof(*probes));

	/* All 64 digits, where RFC 8162 3 takes the first 28 octets. */
	p = &probes[RECORD_PROBE_SHA256_FULL];
	p->what = "full 64-digit SHA-256 label (RFC 8162 3 uses only the "
	    "first 28 octets, 56 digits)";
	if (crypto_sha256(a->local, a->local_len, md) != 0)
		return -1;
	hex_encode(md, 32, hex);
	probe_name(p->name, hex, 64, a->domain);
	p->skip = "a 64-digit label is longer than the 63 octets a DNS "
	    "label may have (RFC 1035 2.3.4): no record can be published "
	    "there and a zone file using it does not load";

	/* 56 digits like the right name, but of SHA-224. */
	p = &probes[RECORD_PROBE_SHA224];
	p->what = "SHA-224 label (RFC 8162 3 uses SHA-256 truncated to 28 "
	    "octets)";
	if (crypto_init() != 0 || a->local_len > INT32_MAX ||
	    PK11_HashBuf(SEC_OID_SHA224, md,
	    (const unsigned char *)a->local, (PRInt32)a->local_len) !=
	    SECSuccess)
		return -1;
	hex_encode(md, 28, hex);
	probe_name(p->name, hex, 56, a->domain);
	/* Same length as the right owner name, which address_parse
	 * checked against the 255-octet limit. */
	p->skip = NULL;

	/* The local-part itself as the label, as in the 2012 drafts;
	 * as given, since DNS compares ASCII case-insensitively anyway. */
	p = &probes[RECORD_PROBE_LOCAL_PART];
	p->what = "plain local-part label (early drafts of RFC 8162)";
	for (i = 0; i < a->local_len && label_char((unsigned char)
	    a->local[i]); i++)
		;
	if (i < a->local_len) {
		p->skip = "the local-part is not a plain DNS label (it has a "
		    "dot, quotes or non-ASCII characters)";
		return 0;
	}
	probe_name(p->name, a->local, a->local_len, a->domain);
	if (a->local_len > DNS_MAX_LABEL)
		p->skip = "the local-part is longer than the 63 octets a DNS "
		    "label may have (RFC 1035 2.3.4)";
	else if (WIRE_NAME_LEN(strlen(p->name)) > DNS_MAX_WIRE_NAME)
		p->skip = "the name would be longer than 255 octets (RFC "
		    "1035 2.3.4)";
	else if (strcmp(p->name, a->owner) == 0)
		p->skip = "the local-part label is the correct owner name";
	return 0;
}
