/* smimetxt.h - the "_smime" TXT discovery record: owner name, RDATA, URL.
 *
 * Some publishers put an address's S/MIME certificate on the domain's
 * web server and announce its URL in a TXT record (issue 18):
 *
 *   firstname.lastname._smime.example.com.  TXT  "https://example.com/.well-known/smime/firstname_lastname.crt"
 *
 * This is a published how-to, not an RFC; no "v=...; url=..." form is
 * specified anywhere we could find, so the TXT text is the bare URL and
 * nothing else. This module is pure (no I/O, no NSS): it builds the owner
 * name, takes the TXT RDATA apart (RFC 1035 3.3.14) and validates the URL
 * against the policy below. Every refusal is a positive smimetxt_status
 * with a stable code and a static message naming the rule.
 *
 * Owner name. The local-part is split at its dots into labels, then
 * "_smime", then the domain (A-labels). Only local-parts that are a
 * dot-atom (RFC 5322 3.2.3) of the characters A-Z a-z 0-9 '-' '_' '+'
 * are representable: DNS labels could carry any octet (RFC 2181 11), but
 * the how-to names "firstname.lastname", DNS providers' web forms and
 * zone files take host-like labels, and the other atext characters have
 * meanings of their own there ('$' starts a zone-file directive, RFC 1035
 * 5.1; a "*" label is a wildcard, RFC 4592; '/', '=', '?' ... are
 * refused by web forms). Quoted local-parts and UTF-8 local-parts
 * (RFC 6531: no rule maps them to labels) are not representable either.
 * Labels are 1..63 octets and the name at most 255 octets in wire form
 * (RFC 1035 2.3.4). Case is kept as given: DNS compares names without
 * ASCII case (RFC 4343), so "John.Doe" and "john.doe" share a record;
 * that widens nothing, since the fetched certificate is judged for the
 * exact address.
 *
 * TXT RDATA: one or more <character-string>s (a length octet and that
 * many octets) filling RDLENGTH exactly (RFC 1035 3.3.14); the strings
 * are concatenated without separators (as RFC 7208 3.3 does for SPF),
 * since one string holds at most 255 octets and a URL may be longer.
 *
 * URL: accepted is exactly
 *   "https://" host [ ":" port ] [ path ] [ "?" query ]
 * with the scheme in any case (RFC 3986 3.1), and
 *   - at most DS_MAX_SMIME_URL octets, all printable ASCII that RFC 3986
 *     allows in a URI (unreserved, reserved, '%' + two hex digits); no
 *     space, control, non-ASCII (an IRI must be sent percent-encoded and
 *     with A-labels), '\\', '"', '<', '>', '^', '`', '{', '|', '}';
 *   - no userinfo ('@' in the authority): no credentials, and no
 *     "https://bank.example@evil.example/" look-alikes;
 *   - no fragment ('#'): it has no meaning for a fetch;
 *   - host: a DNS name of letters, digits and '-' (A-labels), labels
 *     1..63 octets, at most 253 octets, no trailing dot, whose last label
 *     is not numeric (RFC 1123 2.1, RFC 3696 2): no IP literals
 *     ("[::1]", "127.0.0.1", "0x7f.1"), which web-PKI certificates
 *     rarely name and which URL parsers disagree about;
 *   - port: 1..65535 in decimal without leading zeros (default 443);
 *   - path: "/" followed by anything allowed above, or empty ("/").
 * The normalized URL has the scheme and host lowercased; the rest is
 * kept byte for byte.
 */
#ifndef DS_SMIMETXT_H
#define DS_SMIMETXT_H

#include <stddef.h>
#include <stdint.h>

#include "dslimits.h"

enum smimetxt_status {
	SMIMETXT_OK = 0,
	/* owner name */
	SMIMETXT_E_LOCAL,	/* local-part not representable as labels */
	SMIMETXT_E_LABEL,	/* empty label or label > 63 octets */
	SMIMETXT_E_DOMAIN,	/* domain not A-labels (LDH) */
	SMIMETXT_E_NAME_LENGTH,	/* owner name > 255 octets (wire) */
	/* TXT RDATA and RRset */
	SMIMETXT_E_RDATA,	/* character-strings do not fill RDATA */
	SMIMETXT_E_TXT_LENGTH,	/* text longer than DS_MAX_SMIME_URL */
	SMIMETXT_E_NO_URL,	/* no record holds a URL */
	SMIMETXT_E_AMBIGUOUS,	/* records hold different URLs */
	/* URL */
	SMIMETXT_E_URL_CHAR,	/* a character a URI cannot hold, bad '%' */
	SMIMETXT_E_URL_SYNTAX,	/* not scheme "://" authority ... */
	SMIMETXT_E_URL_SCHEME,	/* not https */
	SMIMETXT_E_URL_USERINFO,/* credentials in the authority */
	SMIMETXT_E_URL_FRAGMENT,/* a '#' fragment */
	SMIMETXT_E_URL_HOST,	/* host not a DNS name, or an IP literal */
	SMIMETXT_E_URL_PORT,	/* port not 1..65535 */
	SMIMETXT_E_URL_LENGTH,	/* more than DS_MAX_SMIME_URL octets */
};
#define SMIMETXT_STATUS_MAX SMIMETXT_E_URL_LENGTH

/* A URL that passed smimetxt_url_check. */
struct smime_url {
	char url[DS_MAX_SMIME_URL + 1];	/* normalized, NUL-terminated */
	char host[DS_MAX_DOMAIN + 1];	/* lowercase */
	unsigned port;			/* 443 unless given */
};

/*
 * Writes the TXT owner name for local[0..local_len) and adomain (A-labels,
 * no trailing dot) into out[0..outlen), presentation form without the
 * trailing dot: "firstname.lastname._smime.example.com". outlen of
 * DS_MAX_DOMAIN + 1 always suffices. Returns SMIMETXT_OK, or a positive
 * status (out is then ""); -1 if out is too small.
 */
int smimetxt_owner(const char *local, size_t local_len, const char *adomain,
    char *out, size_t outlen);

/*
 * Concatenates the character-strings of one TXT RDATA rdata[0..len) into
 * text[0..textsize) (NUL-terminated; an embedded NUL is kept as the octet
 * it is, *textlen counts it). Returns SMIMETXT_OK, SMIMETXT_E_RDATA (no
 * string, or a length octet running past RDATA) or SMIMETXT_E_TXT_LENGTH
 * (more than DS_MAX_SMIME_URL octets, or more than textsize - 1).
 */
int smimetxt_rdata(const uint8_t *rdata, size_t len, char *text,
    size_t textsize, size_t *textlen);

/* Validates s[0..len) (need not be NUL-terminated) by the rules above into
 * *out. Returns SMIMETXT_OK or a positive status (*out is then cleared). */
int smimetxt_url_check(const char *s, size_t len, struct smime_url *out);

/* One TXT RDATA as dnsmsg keeps it. */
struct smimetxt_rr {
	const uint8_t *rdata;
	size_t len;
};

/*
 * Picks the URL from the TXT RRset rr[0..n) at the owner name. A record
 * whose text begins with a URI scheme and ':' (RFC 3986 3.1) is a
 * candidate; others (empty, or text of some other use) are skipped.
 * Candidates that normalize to the same URL count once. Exactly one
 * distinct candidate must remain, and it must pass smimetxt_url_check;
 * several are SMIMETXT_E_AMBIGUOUS (fail closed: we cannot tell which one
 * the publisher meant, and fetching all would tell more servers that
 * someone looked). A malformed RDATA refuses the whole set. Returns
 * SMIMETXT_OK with *out filled, or a positive status.
 */
int smimetxt_pick(const struct smimetxt_rr *rr, size_t n,
    struct smime_url *out);

/*
 * The TXT RDATA in presentation form for a zone file or a DNS provider's
 * form (RFC 1035 5.1): url (as smimetxt_url_check accepted it) in quoted
 * character-strings of at most 255 octets, separated by one space, e.g.
 * "\"https://example.com/.well-known/smime/jane.crt\"". A checked URL
 * holds no '"' or '\\', so nothing needs escaping. Returns 0, or -1 if
 * out[0..outlen) is too small (DS_MAX_SMIME_URL + 64 always suffices).
 */
int smimetxt_presentation(const char *url, char *out, size_t outlen);

/* Stable short code, e.g. "txt-ambiguous", "url-not-https"; "ok" for 0. */
const char *smimetxt_code(int status);
/* Static human message naming the rule. */
const char *smimetxt_strerror(int status);

#endif
