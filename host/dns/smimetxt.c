/* smimetxt.c - "_smime" TXT owner name, RDATA and URL; see smimetxt.h. */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "reader.h"
#include "smimetxt.h"

#define WIRE_NAME_MAX	255	/* RFC 1035 2.3.4 */

static bool
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_hex(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* The local-part characters we map to label octets (see smimetxt.h). */
static bool
local_char(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '_' || c == '+';
}

static bool
ldh_char(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || c == '-';
}

/*
 * Checks s[0..len) as dot-separated labels, each 1..DS_MAX_LABEL octets of
 * chars accepted by ok; adds the labels' wire octets (length octet + data)
 * to *wire. Returns 0, bad_char, or SMIMETXT_E_LABEL.
 */
static int
check_labels(const char *s, size_t len, bool (*ok)(unsigned char),
    int bad_char, size_t *wire)
{
	size_t i, lab = 0;

	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (lab == 0 || lab > DS_MAX_LABEL)
				return SMIMETXT_E_LABEL;
			*wire += lab + 1;
			lab = 0;
			continue;
		}
		if (!ok((unsigned char)s[i]))
			return bad_char;
		lab++;
	}
	return SMIMETXT_OK;
}

int
smimetxt_owner(const char *local, size_t local_len, const char *adomain,
    char *out, size_t outlen)
{
	static const char mid[] = "._smime.";
	size_t wire = 0, dlen, need;
	int rc;

	if (out == NULL || outlen == 0)
		return -1;
	out[0] = '\0';
	if (local == NULL || local_len == 0 || local_len > DS_MAX_LOCAL_PART)
		return SMIMETXT_E_LOCAL;
	/* A quoted local-part, UTF-8 or other atext: not representable. */
	if ((rc = check_labels(local, local_len, local_char, SMIMETXT_E_LOCAL,
	    &wire)) != 0)
		return rc;
	wire += 1 + 6;				/* "_smime" */
	if (adomain == NULL || (dlen = strlen(adomain)) == 0 ||
	    dlen > DS_MAX_DOMAIN)
		return SMIMETXT_E_DOMAIN;
	if ((rc = check_labels(adomain, dlen, ldh_char, SMIMETXT_E_DOMAIN,
	    &wire)) != 0)
		return rc == SMIMETXT_E_LABEL ? SMIMETXT_E_DOMAIN : rc;
	wire += 1;				/* the root */
	if (wire > WIRE_NAME_MAX)
		return SMIMETXT_E_NAME_LENGTH;
	need = local_len + sizeof(mid) - 1 + dlen + 1;
	if (need > outlen)
		return -1;
	memcpy(out, local, local_len);
	memcpy(out + local_len, mid, sizeof(mid) - 1);
	memcpy(out + local_len + sizeof(mid) - 1, adomain, dlen + 1);
	return SMIMETXT_OK;
}

int
smimetxt_rdata(const uint8_t *rdata, size_t len, char *text,
    size_t textsize, size_t *textlen)
{
	struct reader r;
	const uint8_t *p;
	size_t total = 0, strings = 0, o = 0;
	uint8_t n;

	if (textlen != NULL)
		*textlen = 0;
	if (text == NULL || textsize == 0)
		return SMIMETXT_E_TXT_LENGTH;
	text[0] = '\0';
	/* Pass 1: the character-strings must tile RDATA (RFC 1035 3.3.14). */
	rd_init(&r, rdata, rdata != NULL ? len : 0);
	while (rd_left(&r) > 0) {
		if (rd_u8(&r, &n) < 0 || rd_skip(&r, n) < 0)
			return SMIMETXT_E_RDATA;
		strings++;
		total += n;
	}
	if (strings == 0)
		return SMIMETXT_E_RDATA;
	if (total > DS_MAX_SMIME_URL || total > textsize - 1)
		return SMIMETXT_E_TXT_LENGTH;
	/* Pass 2: concatenate. */
	rd_init(&r, rdata, len);
	while (rd_left(&r) > 0) {
		/* Pass 1 proved these reads succeed; checked all the same. */
		if (rd_u8(&r, &n) < 0 || rd_bytes(&r, n, &p) < 0)
			return SMIMETXT_E_RDATA;
		if (n > 0)
			memcpy(text + o, p, n);
		o += n;
	}
	text[o] = '\0';
	if (textlen != NULL)
		*textlen = o;
	return SMIMETXT_OK;
}

/* RFC 3986 2.2, 2.3 minus '[' ']' (IP literals only) and '#' (checked
 * apart as the fragment), plus '%' (checked for two hex digits). */
static bool
uri_char(unsigned char c)
{
	if (is_alpha(c) || is_digit(c))
		return true;
	return c != '\0' && strchr("-._~:/?#@!$&'()*+,;=%", c) != NULL;
}

/* RFC 3986 3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":".
 * Returns the scheme's length, 0 if s does not begin with one. */
static size_t
scheme_len(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || !is_alpha((unsigned char)s[0]))
		return 0;
	for (i = 1; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ':')
			return i;
		if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' &&
		    c != '.')
			return 0;
	}
	return 0;
}

/* A DNS host name, not an IP address in any spelling (see smimetxt.h). */
static int
check_host(const char *h, size_t len)
{
	size_t i, lab = 0, last = 0;
	bool numeric;

	if (len == 0 || len > DS_MAX_DOMAIN)
		return SMIMETXT_E_URL_HOST;
	for (i = 0; i <= len; i++) {
		if (i == len || h[i] == '.') {
			/* RFC 1123 2.1: no empty label, no leading or
			 * trailing hyphen. */
			if (lab == 0 || lab > DS_MAX_LABEL || h[i - 1] == '-' ||
			    h[i - lab] == '-')
				return SMIMETXT_E_URL_HOST;
			last = i - lab;
			lab = 0;
			continue;
		}
		if (!ldh_char((unsigned char)h[i]))
			return SMIMETXT_E_URL_HOST;
		lab++;
	}
	/* The last label must not read as a number: decimal (RFC 1123 2.1)
	 * or the 0x hex some URL parsers take for IPv4. */
	numeric = true;
	for (i = last; i < len; i++)
		if (!is_digit((unsigned char)h[i]))
			numeric = false;
	if (!numeric && len - last >= 2 && h[last] == '0' &&
	    (h[last + 1] == 'x' || h[last + 1] == 'X')) {
		numeric = true;
		for (i = last + 2; i < len; i++)
			if (!is_hex((unsigned char)h[i]))
				numeric = false;
	}
	return numeric ? SMIMETXT_E_URL_HOST : SMIMETXT_OK;
}

/* RFC 3986 3.2.3, as decimal 1..65535 without leading zeros. */
static int
check_port(const char *p, size_t len, unsigned *port)
{
	unsigned v = 0;
	size_t i;

	if (len == 0 || len > 5 || p[0] == '0')
		return SMIMETXT_E_URL_PORT;
	for (i = 0; i < len; i++) {
		if (!is_digit((unsigned char)p[i]))
			return SMIMETXT_E_URL_PORT;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	if (v > 65535)
		return SMIMETXT_E_URL_PORT;
	*port = v;
	return SMIMETXT_OK;
}

int
smimetxt_url_check(const char *s, size_t len, struct smime_url *out)
{
	static const char https[] = "https";
	size_t i, k, a, e, colon, hlen;
	unsigned port = 443;
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		len = 0;
	if (len > DS_MAX_SMIME_URL)
		return SMIMETXT_E_URL_LENGTH;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!uri_char(c))
			return SMIMETXT_E_URL_CHAR;
		/* RFC 3986 2.1: '%' HEXDIG HEXDIG. */
		if (c == '%' && (i + 2 >= len ||
		    !is_hex((unsigned char)s[i + 1]) ||
		    !is_hex((unsigned char)s[i + 2])))
			return SMIMETXT_E_URL_CHAR;
	}
	if ((k = scheme_len(s, len)) == 0)
		return SMIMETXT_E_URL_SYNTAX;
	if (k != sizeof(https) - 1 || strncasecmp(s, https, k) != 0)
		return SMIMETXT_E_URL_SCHEME;
	/* RFC 3986 3: hier-part "//" authority for a URL with a host. */
	if (len < k + 3 || s[k + 1] != '/' || s[k + 2] != '/')
		return SMIMETXT_E_URL_SYNTAX;
	if (memchr(s, '#', len) != NULL)
		return SMIMETXT_E_URL_FRAGMENT;
	a = k + 3;
	for (e = a; e < len && s[e] != '/' && s[e] != '?'; e++)
		;
	/* RFC 3986 3.2.1 userinfo; 3.2.2 IP-literal. */
	if (memchr(s + a, '@', e - a) != NULL)
		return SMIMETXT_E_URL_USERINFO;
	for (colon = a; colon < e && s[colon] != ':'; colon++)
		;
	hlen = colon - a;
	if ((rc = check_host(s + a, hlen)) != 0)
		return rc;
	if (colon < e && (rc = check_port(s + colon + 1, e - colon - 1,
	    &port)) != 0)
		return rc;

	/* Normalized: lowercase scheme and host, the rest as given. */
	memcpy(out->url, "https://", 8);
	for (i = 0; i < hlen; i++)
		out->url[8 + i] = out->host[i] = (char)lower(
		    (unsigned char)s[a + i]);
	out->host[hlen] = '\0';
	/* Same length as the input: 5-octet scheme any case, "://". */
	memcpy(out->url + 8 + hlen, s + colon, len - colon);
	out->url[len] = '\0';
	out->port = port;
	return SMIMETXT_OK;
}

int
smimetxt_pick(const struct smimetxt_rr *rr, size_t n, struct smime_url *out)
{
	char text[DS_MAX_SMIME_URL + 1], first[DS_MAX_SMIME_URL + 1];
	struct smime_url cand;
	size_t i, tlen, firstlen = 0;
	int rc, firstrc = SMIMETXT_E_NO_URL;
	bool have = false;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++) {
		rc = smimetxt_rdata(rr[i].rdata, rr[i].len, text, sizeof(text),
		    &tlen);
		if (rc == SMIMETXT_E_RDATA) {
			memset(out, 0, sizeof(*out));
			return rc;
		}
		if (rc == SMIMETXT_OK && scheme_len(text, tlen) == 0)
			continue;	/* not a URL: some other use */
		if (rc == SMIMETXT_OK)
			rc = smimetxt_url_check(text, tlen, &cand);
		else
			tlen = 0;	/* too long: compares by status only */
		if (!have) {
			have = true;
			firstrc = rc;
			firstlen = tlen;
			memcpy(first, text, tlen);
			if (rc == SMIMETXT_OK)
				*out = cand;
			continue;
		}
		/* The same URL twice counts once. */
		if (rc == SMIMETXT_OK && firstrc == SMIMETXT_OK &&
		    strcmp(cand.url, out->url) == 0)
			continue;
		if (rc != SMIMETXT_OK && rc == firstrc && tlen == firstlen &&
		    memcmp(text, first, tlen) == 0)
			continue;
		memset(out, 0, sizeof(*out));
		return SMIMETXT_E_AMBIGUOUS;
	}
	if (firstrc != SMIMETXT_OK)
		memset(out, 0, sizeof(*out));
	return firstrc;
}

int
smimetxt_presentation(const char *url, char *out, size_t outlen)
{
	size_t n = strlen(url), o = 0, k;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	do {
		k = n > 255 ? 255 : n;
		/* space (after the first), quote, k octets, quote, NUL */
		if (outlen - o < (o > 0 ? 1u : 0u) + k + 3)
			return -1;
		if (o > 0)
			out[o++] = ' ';
		out[o++] = '"';
		memcpy(out + o, url, k);
		o += k;
		out[o++] = '"';
		url += k;
		n -= k;
	} while (n > 0);
	out[o] = '\0';
	return 0;
}

const char *
smimetxt_code(int status)
{
	switch (status) {
	case SMIMETXT_OK:		return "ok";
	case SMIMETXT_E_LOCAL:		return "local-not-representable";
	case SMIMETXT_E_LABEL:		return "bad-label";
	case SMIMETXT_E_DOMAIN:		return "bad-domain";
	case SMIMETXT_E_NAME_LENGTH:	return "name-too-long";
	case SMIMETXT_E_RDATA:		return "txt-malformed";
	case SMIMETXT_E_TXT_LENGTH:	return "txt-too-long";
	case SMIMETXT_E_NO_URL:		return "txt-no-url";
	case SMIMETXT_E_AMBIGUOUS:	return "txt-ambiguous";
	case SMIMETXT_E_URL_CHAR:	return "url-bad-char";
	case SMIMETXT_E_URL_SYNTAX:	return "url-syntax";
	case SMIMETXT_E_URL_SCHEME:	return "url-not-https";
	case SMIMETXT_E_URL_USERINFO:	return "url-userinfo";
	case SMIMETXT_E_URL_FRAGMENT:	return "url-fragment";
	case SMIMETXT_E_URL_HOST:	return "url-bad-host";
	case SMIMETXT_E_URL_PORT:	return "url-bad-port";
	case SMIMETXT_E_URL_LENGTH:	return "url-too-long";
	default:			return "unknown";
	}
}

const char *
smimetxt_strerror(int status)
{
	switch (status) {
	case SMIMETXT_OK:
		return "no error";
	case SMIMETXT_E_LOCAL:
		return "local-part cannot be written as DNS labels for the "
		    "_smime TXT record: only dot-separated letters, digits, "
		    "'-', '_' and '+' are (RFC 5322 3.2.3 dot-atom)";
	case SMIMETXT_E_LABEL:
		return "local-part gives an empty label or one longer than 63 "
		    "octets (RFC 1035 2.3.4)";
	case SMIMETXT_E_DOMAIN:
		return "domain is not a DNS name of A-labels (RFC 5890 2.3.2.1, "
		    "RFC 1035 2.3.4)";
	case SMIMETXT_E_NAME_LENGTH:
		return "the _smime TXT owner name would exceed 255 octets "
		    "(RFC 1035 2.3.4)";
	case SMIMETXT_E_RDATA:
		return "TXT RDATA is not one or more character-strings filling "
		    "RDLENGTH (RFC 1035 3.3.14)";
	case SMIMETXT_E_TXT_LENGTH:
		return "TXT text longer than a certificate URL may be";
	case SMIMETXT_E_NO_URL:
		return "no TXT record at the _smime name holds a URL";
	case SMIMETXT_E_AMBIGUOUS:
		return "TXT records at the _smime name hold different URLs: "
		    "none is followed";
	case SMIMETXT_E_URL_CHAR:
		return "URL holds a character a URI cannot (space, control, "
		    "non-ASCII, '\\', '\"', '<', '>', '{', '}', '|', '^', '`', "
		    "'[', ']') or a bad %-escape (RFC 3986 2)";
	case SMIMETXT_E_URL_SYNTAX:
		return "not an absolute URL with an authority (RFC 3986 3)";
	case SMIMETXT_E_URL_SCHEME:
		return "only https URLs are followed";
	case SMIMETXT_E_URL_USERINFO:
		return "URL carries user information (credentials) before the "
		    "host (RFC 3986 3.2.1): refused";
	case SMIMETXT_E_URL_FRAGMENT:
		return "URL carries a fragment (RFC 3986 3.5): refused";
	case SMIMETXT_E_URL_HOST:
		return "URL host is not a DNS host name (letters, digits, '-'; "
		    "RFC 1123 2.1); IP addresses are refused";
	case SMIMETXT_E_URL_PORT:
		return "URL port is not a number 1..65535 (RFC 3986 3.2.3)";
	case SMIMETXT_E_URL_LENGTH:
		return "URL longer than the host follows";
	default:
		return "unknown TXT record error";
	}
}
