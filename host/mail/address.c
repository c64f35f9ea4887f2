/* address.c - addr-spec parsing, IDNA2008 and RFC 8162 owner names;
 * see address.h. */
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <idn2.h>

#include "address.h"
#include "crypto.h"
#include "dynlib.h"
#include "encode.h"
#include "fail.h"
#include "utf8.h"

/* RFC 8162 3: the owner name uses the first 28 octets of the hash. */
#define OWNER_HASH_OCTETS	28
#define OWNER_LABEL		"._smimecert."

/*
 * RFC 1035 2.3.4: a name is at most 255 octets on the wire. The owner
 * name adds a 56-digit label (57 octets) and "_smimecert" (11) to the
 * domain, whose wire form is its text length + 2 (first length octet and
 * the root): 68 + dlen + 2 <= 255.
 */
#define DNS_MAX_WIRE_NAME	255
#define OWNER_MAX_DOMAIN	(DNS_MAX_WIRE_NAME - (1 + 2 * OWNER_HASH_OCTETS) - \
				    (1 + 10) - 2)

bool
address_is_atext(uint8_t c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static bool
is_ldh(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-';
}

/*
 * Finds the end of the local-part at the start of s[0..len), which is
 * known to be well-formed UTF-8 without controls. Sets *end to the
 * offset just past it. Returns ADDR_OK or ADDR_E_SYNTAX.
 */
static int
parse_local(const char *s, size_t len, size_t *end, const char **why)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i, n;
	uint32_t cp;
	bool after_dot;

	if (p[0] == '"') {
		/* RFC 5322 3.2.4 quoted-string; RFC 5321 4.1.2 allows SP but
		 * not HTAB in it, and controls were rejected already, so
		 * every printable ASCII character but '"' and '\' is qtext.
		 * RFC 6532 3.2 adds UTF8-non-ascii to qtext and quoted-pair. */
		for (i = 1; i < len; ) {
			if (p[i] == '"') {
				*end = i + 1;
				return ADDR_OK;
			}
			if (p[i] == '\\') {
				if (++i == len)
					break;
			}
			/* Validated before: n == 0 cannot happen. */
			if ((n = utf8_decode(s + i, len - i, &cp)) == 0)
				break;
			i += n;
		}
		return fail(why, "unterminated quoted-string in local-part "
		    "(RFC 5322 3.2.4)", ADDR_E_SYNTAX);
	}

	/* RFC 5322 3.2.3 dot-atom-text, with UTF8-non-ascii (RFC 6531 3.3):
	 * no leading, trailing or doubled dots. */
	after_dot = true;
	for (i = 0; i < len && p[i] != '@'; ) {
		if (p[i] == '.') {
			if (after_dot)
				break;
			after_dot = true;
			i++;
			continue;
		}
		if (p[i] < 0x80) {
			if (!address_is_atext(p[i]))
				return fail(why, "character not allowed in an "
				    "unquoted local-part (RFC 5322 3.2.3 atext)",
				    ADDR_E_SYNTAX);
			i++;
		} else if ((n = utf8_decode(s + i, len - i, &cp)) != 0)
			i += n;
		else
			return fail(why, "address is not well-formed UTF-8 "
			    "(RFC 3629 3)", ADDR_E_UTF8);
		after_dot = false;
	}
	if (i == 0 && (len == 0 || p[0] == '@'))
		return fail(why, "empty local-part (RFC 5322 3.4.1)",
		    ADDR_E_SYNTAX);
	if (after_dot)
		return fail(why, "local-part begins or ends with a dot or has "
		    "two in a row (RFC 5322 3.2.3 dot-atom)", ADDR_E_SYNTAX);
	*end = i;
	return ADDR_OK;
}

/*
 * Checks an ASCII domain d[0..len) label by label and writes it
 * lowercased to out (DS_MAX_DOMAIN + 1 bytes): LDH labels (RFC 5890
 * 2.3.1, RFC 1123 2.1) of 1 to 63 octets, at most 253 octets, a TLD that
 * is not all digits (RFC 3696 2). Returns ADDR_OK or ADDR_E_DOMAIN.
 */
static int
check_ascii_domain(const char *d, size_t len, char *out, const char **why)
{
	size_t i, start = 0;
	bool digits = true;

	if (len > DS_MAX_DOMAIN)
		return fail(why, "domain longer than 253 octets "
		    "(RFC 1035 2.3.4)", ADDR_E_DOMAIN);
	for (i = 0; i <= len; i++) {
		uint8_t c = i < len ? (uint8_t)d[i] : '.';

		if (c == '.') {
			if (i == start)
				return fail(why, "empty label: domain begins or "
				    "ends with a dot or has two in a row "
				    "(RFC 1035 2.3.1)", ADDR_E_DOMAIN);
			if (i - start > DS_MAX_LABEL)
				return fail(why, "domain label longer than 63 "
				    "octets (RFC 1035 2.3.4)", ADDR_E_DOMAIN);
			if (d[start] == '-' || d[i - 1] == '-')
				return fail(why, "domain label begins or ends "
				    "with a hyphen (RFC 1123 2.1)",
				    ADDR_E_DOMAIN);
			if (i < len) {
				start = i + 1;
				digits = true;
			}
			if (i < len)
				out[i] = '.';
			continue;
		}
		if (!is_ldh(c))
			return fail(why, "domain label is not letters, digits "
			    "and hyphens (RFC 5890 2.3.1, RFC 1123 2.1)",
			    ADDR_E_DOMAIN);
		if (c < '0' || c > '9')
			digits = false;
		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') :
		    (char)c;
	}
	if (digits)
		return fail(why, "top-level domain is all-numeric "
		    "(RFC 3696 2)", ADDR_E_DOMAIN);
	out[len] = '\0';
	return ADDR_OK;
}

static int
idna_error(int rc, const char **why)
{
	switch (rc) {
	case IDN2_MALLOC:
		return -1;
	case IDN2_TOO_BIG_DOMAIN:
		return fail(why, "domain longer than 253 octets "
		    "(RFC 1035 2.3.4)", ADDR_E_DOMAIN);
	case IDN2_TOO_BIG_LABEL:
	case IDN2_PUNYCODE_BIG_OUTPUT:	/* the A-label outgrew 63 octets */
		return fail(why, "domain label longer than 63 octets "
		    "(RFC 1035 2.3.4)", ADDR_E_DOMAIN);
	case IDN2_DISALLOWED:
		return fail(why, "domain has a code point that IDNA2008 "
		    "disallows (RFC 5892 2.6)", ADDR_E_IDNA);
	case IDN2_UNASSIGNED:
		return fail(why, "domain has an unassigned code point "
		    "(RFC 5892 2.6)", ADDR_E_IDNA);
	case IDN2_LEADING_COMBINING:
		return fail(why, "domain label begins with a combining mark "
		    "(RFC 5891 4.2.3.2)", ADDR_E_IDNA);
	case IDN2_CONTEXTJ:
	case IDN2_CONTEXTJ_NO_RULE:
		return fail(why, "joiner in a domain label outside its "
		    "context (RFC 5892 A.1, A.2)", ADDR_E_IDNA);
	case IDN2_CONTEXTO:
	case IDN2_CONTEXTO_NO_RULE:
		return fail(why, "code point in a domain label outside its "
		    "context (RFC 5892 A.3-A.9)", ADDR_E_IDNA);
	case IDN2_BIDI:
		return fail(why, "domain breaks the IDNA bidi rule "
		    "(RFC 5893 2)", ADDR_E_IDNA);
	case IDN2_2HYPHEN:
		return fail(why, "domain label has hyphens in the third and "
		    "fourth places (RFC 5891 4.2.3.1)", ADDR_E_IDNA);
	case IDN2_HYPHEN_STARTEND:
		return fail(why, "domain label begins or ends with a hyphen "
		    "(RFC 5891 4.2.3.1)", ADDR_E_IDNA);
	case IDN2_PUNYCODE_BAD_INPUT:
	case IDN2_PUNYCODE_OVERFLOW:
	case IDN2_INVALID_ALABEL:
	case IDN2_UALABEL_MISMATCH:
	case IDN2_ALABEL_ROUNDTRIP_FAILED:
		return fail(why, "domain has an invalid A-label "
		    "(RFC 5891 5.4, RFC 3492)", ADDR_E_IDNA);
	default:
		return fail(why, "domain is not a valid IDNA2008 name "
		    "(RFC 5891 5)", ADDR_E_IDNA);
	}
}

/*
 * libidn2 is opened with dlopen on the first domain that needs IDNA (a
 * non-ASCII or "xn--" label), not linked: linked, it and libunistring
 * cost every start of the host ~0.15 ms (tests/bench/README.md, issue
 * 15), and most domains are ASCII. Kept for the life of the process; a
 * failure is not remembered (the package may be installed since).
 */
#ifndef DS_LIBIDN2_SONAME
#error "DS_LIBIDN2_SONAME comes from host/meson.build"
#endif

static struct {
	void *lib;
	__typeof__(&idn2_lookup_u8) lookup_u8;
	__typeof__(&idn2_free) free;
} idn;

static bool
idn_load(void)
{
	void *lib;

	if (idn.lib != NULL)
		return true;
	if ((lib = dlopen(DS_LIBIDN2_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL)
		return false;
	if (dynlib_sym(lib, "idn2_lookup_u8", &idn.lookup_u8) != 0 ||
	    dynlib_sym(lib, "idn2_free", &idn.free) != 0) {
		dlclose(lib);
		return false;
	}
	idn.lib = lib;
	return true;
}

/*
 * Converts the domain d[0..len) (well-formed UTF-8, no controls, no '@')
 * to lowercase A-labels in out (DS_MAX_DOMAIN + 1 bytes).
 */
static int
parse_domain(const char *d, size_t len, char *out, const char **why)
{
	char in[DS_MAX_ADDRESS + 1];
	char *alabels = NULL;
	size_t i, start = 0;
	bool idna = false;
	int rc;

	if (len == 0)
		return fail(why, "empty domain (RFC 5322 3.4.1)",
		    ADDR_E_DOMAIN);
	if (d[0] == '[')
		return fail(why, "address literal: an SMIMEA owner name needs "
		    "a domain name (RFC 8162 3)", ADDR_E_DOMAIN);
	/* Labels are split on '.' in the form given, so a dot-like code
	 * point that UTS 46 would map to '.' cannot hide an empty label;
	 * ASCII must be LDH everywhere (no '_' smuggled into a U-label). */
	for (i = 0; i <= len; i++) {
		uint8_t c = i < len ? (uint8_t)d[i] : '.';

		if (c == '.') {
			if (i == start)
				return fail(why, "empty label: domain begins or "
				    "ends with a dot or has two in a row "
				    "(RFC 1035 2.3.1)", ADDR_E_DOMAIN);
			/* RFC 5891 4.2.3.1 reserves "??--": an ASCII "xn--"
			 * label must be a valid A-label, so check it. */
			if (i - start >= 4 &&
			    strncasecmp(d + start, "xn--", 4) == 0)
				idna = true;
			start = i + 1;
		} else if (c >= 0x80)
			idna = true;
		else if (!is_ldh(c))
			return fail(why, "domain label is not letters, digits "
			    "and hyphens (RFC 5890 2.3.1, RFC 1123 2.1)",
			    ADDR_E_DOMAIN);
	}
	if (!idna)
		return check_ascii_domain(d, len, out, why);

	/* len < DS_MAX_ADDRESS: the whole address was bounded before. */
	if (len >= sizeof(in))
		return fail(why, "domain longer than 253 octets "
		    "(RFC 1035 2.3.4)", ADDR_E_DOMAIN);
	memcpy(in, d, len);
	in[len] = '\0';
	if (!idn_load())
		return fail(why, "domain needs IDNA2008 (RFC 5891), but "
		    DS_LIBIDN2_SONAME " cannot be loaded", ADDR_E_IDNA);
	/* IDNA2008 (RFC 5891 5) with the UTS 46 non-transitional mapping
	 * (lowercasing, NFC), as browsers and mail clients do for lookups. */
	rc = idn.lookup_u8((const uint8_t *)in, (uint8_t **)&alabels,
	    IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
	if (rc == IDN2_INVALID_FLAGS) {
		/* A libidn2 without UTS 46: plain IDNA2008 on NFC input. */
		rc = idn.lookup_u8((const uint8_t *)in, (uint8_t **)&alabels,
		    IDN2_NFC_INPUT);
	}
	if (rc != IDN2_OK) {
		rc = idna_error(rc, why);
		goto out;
	}
	/* What comes back must itself be a plain LDH name. */
	rc = check_ascii_domain(alabels, strlen(alabels), out, why);
out:
	idn.free(alabels);
	return rc;
}

static int parse(const char *, size_t, struct address *, const char **,
    bool);

int
address_parse(const char *s, size_t len, struct address *out,
    const char **why)
{
	return parse(s, len, out, why, true);
}

int
address_parse_mailbox(const char *s, size_t len, struct address *out,
    const char **why)
{
	return parse(s, len, out, why, false);
}

/* Whether s[0..len) is well-formed UTF-8 without controls (a tab is
 * allowed when tab_ok): ADDR_OK, else ADDR_E_UTF8 with bad_utf8 or
 * ADDR_E_SYNTAX with bad_control in *why. */
static int
check_chars(const char *s, size_t len, bool tab_ok, const char *bad_utf8,
    const char *bad_control, const char **why)
{
	size_t off, n;
	uint32_t cp;

	for (off = 0; off < len; off += n) {
		if ((n = utf8_decode(s + off, len - off, &cp)) == 0)
			return fail(why, bad_utf8, ADDR_E_UTF8);
		if (utf8_is_control(cp) && !(tab_ok && cp == '\t'))
			return fail(why, bad_control, ADDR_E_SYNTAX);
	}
	return ADDR_OK;
}

static int
parse(const char *s, size_t len, struct address *out, const char **why,
    bool owner)
{
	const char *domain;
	size_t end, dlen;
	int rc;

	if (why != NULL)
		*why = NULL;
	if (len == 0)
		return fail(why, "empty address (RFC 5322 3.4.1)", ADDR_E_EMPTY);
	/* RFC 5321 4.5.3.1.3: a path is 256 octets with its angle brackets. */
	if (len > DS_MAX_ADDRESS)
		return fail(why, "address longer than 254 octets "
		    "(RFC 5321 4.5.3.1.3)", ADDR_E_LENGTH);
	/* No production of RFC 5322 3.4.1 or RFC 6532 3.2 admits NUL, CR,
	 * LF or another control in an addr-spec (only folding white space,
	 * which is not part of the address). */
	if ((rc = check_chars(s, len, false, "address is not well-formed "
	    "UTF-8 (RFC 3629 3, RFC 6532 3.1)", "control character or NUL "
	    "in address (RFC 5322 3.2.3, RFC 6532 3.2)", why)) != ADDR_OK)
		return rc;
	if (memchr(s, '@', len) == NULL)
		return fail(why, "no '@' in address (RFC 5322 3.4.1)",
		    ADDR_E_SYNTAX);
	if ((rc = parse_local(s, len, &end, why)) != ADDR_OK)
		return rc;
	if (end == len || s[end] != '@')
		return fail(why, "local-part not followed by '@' "
		    "(RFC 5322 3.4.1)", ADDR_E_SYNTAX);
	domain = s + end + 1;
	dlen = len - end - 1;
	if (memchr(domain, '@', dlen) != NULL)
		return fail(why, "more than one '@' outside a quoted-string "
		    "(RFC 5322 3.4.1)", ADDR_E_SYNTAX);
	/* RFC 5321 4.5.3.1.1, in octets (RFC 6531 3.3 keeps octets). */
	if (end > DS_MAX_LOCAL_PART)
		return fail(why, "local-part longer than 64 octets "
		    "(RFC 5321 4.5.3.1.1)", ADDR_E_LOCAL_LENGTH);
	if ((rc = parse_domain(domain, dlen, out->domain, why)) != ADDR_OK)
		return rc;
	if (strlen(out->domain) > OWNER_MAX_DOMAIN)
		return fail(why, "domain too long for an SMIMEA owner name of "
		    "at most 255 octets (RFC 8162 3, RFC 1035 2.3.4)",
		    ADDR_E_DOMAIN);
	/* RFC 8162 3 and 4: the local-part is hashed exactly as given. */
	memcpy(out->local, s, end);
	out->local[end] = '\0';
	out->local_len = end;
	out->owner[0] = '\0';
	if (owner && address_owner_name(out->local, out->local_len,
	    out->domain, out->owner, sizeof(out->owner)) != 0)
		return -1;
	return ADDR_OK;
}

int
address_owner_name(const char *local, size_t local_len, const char *adomain,
    char *out, size_t outlen)
{
	uint8_t md[32];
	size_t dlen = strlen(adomain);

	if (outlen < 2 * OWNER_HASH_OCTETS + sizeof(OWNER_LABEL) - 1 +
	    dlen + 1)
		return -1;
	if (crypto_sha256(local, local_len, md) != 0)
		return -1;
	hex_encode(md, OWNER_HASH_OCTETS, out);
	memcpy(out + 2 * OWNER_HASH_OCTETS, OWNER_LABEL,
	    sizeof(OWNER_LABEL) - 1);
	memcpy(out + 2 * OWNER_HASH_OCTETS + sizeof(OWNER_LABEL) - 1,
	    adomain, dlen + 1);
	return 0;
}

bool
address_equal(const struct address *a, const struct address *b)
{
	return a->local_len == b->local_len &&
	    memcmp(a->local, b->local, a->local_len) == 0 &&
	    strcasecmp(a->domain, b->domain) == 0;
}

/*
 * One mailbox as a client shows it (address_parse_display). Lexing per
 * RFC 5322 3.2.1-3.2.5 on text already known to be UTF-8 without
 * controls but HTAB; non-ASCII is atext and qtext (RFC 6532 3.2).
 */

static bool
is_wsp(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* Skips the comment at s[*i] == '(' (RFC 5322 3.2.2: comments nest and
 * may hold quoted-pairs). A loop with a counter, never recursion, and
 * the depth capped so no nesting costs more than a pass. */
static int
mb_comment(const char *s, size_t n, size_t *i, const char **why)
{
	size_t depth = 0;

	while (*i < n) {
		char c = s[(*i)++];

		if (c == '\\') {
			if (*i == n)
				break;
			(*i)++;
		} else if (c == '(') {
			if (++depth > DS_MAX_COMMENT_DEPTH)
				return fail(why, "comments nested too deep "
				    "(RFC 5322 3.2.2; this program allows 16)",
				    ADDR_E_MAILBOX);
		} else if (c == ')') {
			if (--depth == 0)
				return ADDR_OK;
		}
	}
	return fail(why, "unterminated comment (RFC 5322 3.2.2)",
	    ADDR_E_MAILBOX);
}

/* Skips CFWS (RFC 5322 3.2.2). */
static int
mb_cfws(const char *s, size_t n, size_t *i, const char **why)
{
	int rc;

	while (*i < n) {
		if (is_wsp((uint8_t)s[*i]))
			(*i)++;
		else if (s[*i] == '(') {
			if ((rc = mb_comment(s, n, i, why)) != ADDR_OK)
				return rc;
		} else
			break;
	}
	return ADDR_OK;
}

/* Skips the quoted-string at s[*i] == '"' (RFC 5322 3.2.4). */
static int
mb_quoted(const char *s, size_t n, size_t *i, const char **why)
{
	for ((*i)++; *i < n; (*i)++) {
		if (s[*i] == '\\') {
			if (++(*i) == n)
				break;
		} else if (s[*i] == '"') {
			(*i)++;
			return ADDR_OK;
		}
	}
	return fail(why, "unterminated quoted string (RFC 5322 3.2.4)",
	    ADDR_E_MAILBOX);
}

/* The message for a special character where a mailbox allows none. */
static int
mb_special(char c, const char **why)
{
	if (c == ',')
		return fail(why, "more than one mailbox: a list, not the one "
		    "sender (RFC 5322 3.4 mailbox-list)", ADDR_E_MAILBOX);
	if (c == ':' || c == ';')
		return fail(why, "a group, not one mailbox (RFC 5322 3.4 "
		    "group)", ADDR_E_MAILBOX);
	return fail(why, "not one mailbox: a display name and <address>, "
	    "or an address (RFC 5322 3.4)", ADDR_E_MAILBOX);
}

/* The addr-spec run at s[*i]: up to white space, a comment, '>' or the
 * end, quoted strings whole. Sets [*start, *end). */
static int
mb_spec(const char *s, size_t n, size_t *i, size_t *start, size_t *end,
    const char **why)
{
	int rc;

	*start = *i;
	while (*i < n && !is_wsp((uint8_t)s[*i]) && s[*i] != '(' &&
	    s[*i] != '>') {
		if (s[*i] == '"') {
			if ((rc = mb_quoted(s, n, i, why)) != ADDR_OK)
				return rc;
		} else if (s[*i] == '<' || s[*i] == ',' || s[*i] == ':' ||
		    s[*i] == ';' || s[*i] == ')')
			return mb_special(s[*i], why);
		else
			(*i)++;
	}
	*end = *i;
	return ADDR_OK;
}

/* RFC 5322 3.4 strictly: [display-name] angle-addr, or addr-spec, each
 * with CFWS around. Sets the addr-spec's [*start, *end). */
static int
mb_strict(const char *s, size_t n, size_t *start, size_t *end,
    const char **why)
{
	size_t i = 0;
	int rc;

	/* The display name: phrase (3.2.5) = words (atoms, quoted
	 * strings) and, obs-phrase (4.1), dots. If no '<' follows, the
	 * text is an addr-spec instead: start over. */
	for (;;) {
		if ((rc = mb_cfws(s, n, &i, why)) != ADDR_OK)
			return rc;
		if (i == n || s[i] == '<')
			break;
		if (s[i] == '"') {
			if ((rc = mb_quoted(s, n, &i, why)) != ADDR_OK)
				return rc;
		} else if (s[i] == '.' || (uint8_t)s[i] >= 0x80 ||
		    address_is_atext((uint8_t)s[i]))
			i++;
		else if (s[i] == '@' || s[i] == '[' || s[i] == ']') {
			/* An address, or a display name with '@': which,
			 * the absence of '<' tells. */
			i++;
		} else
			return mb_special(s[i], why);
	}
	if (i == n) {
		/* addr-spec [CFWS] */
		i = 0;
		if ((rc = mb_cfws(s, n, &i, why)) != ADDR_OK ||
		    (rc = mb_spec(s, n, &i, start, end, why)) != ADDR_OK ||
		    (rc = mb_cfws(s, n, &i, why)) != ADDR_OK)
			return rc;
		if (i < n)
			return s[i] == '>' ? mb_special(s[i], why) :
			    fail(why, "more than one word outside a display "
			    "name: not one address (RFC 5322 3.4)",
			    ADDR_E_MAILBOX);
		return ADDR_OK;
	}
	/* angle-addr = [CFWS] "<" addr-spec ">" [CFWS] (3.4); CFWS inside
	 * the brackets is obs-angle-addr (4.4), harmless. A display name
	 * with '@' and no quotes is no phrase. */
	for (size_t k = 0; k < i; k++) {
		if (s[k] == '"') {
			if ((rc = mb_quoted(s, i, &k, why)) != ADDR_OK)
				return rc;
			k--;
		} else if (s[k] == '(') {
			if ((rc = mb_comment(s, i, &k, why)) != ADDR_OK)
				return rc;
			k--;
		} else if (s[k] == '@' || s[k] == '[' || s[k] == ']')
			return fail(why, "a display name with an unquoted "
			    "'@' or bracket is no phrase (RFC 5322 3.2.5)",
			    ADDR_E_MAILBOX);
	}
	i++;
	if ((rc = mb_cfws(s, n, &i, why)) != ADDR_OK ||
	    (rc = mb_spec(s, n, &i, start, end, why)) != ADDR_OK ||
	    (rc = mb_cfws(s, n, &i, why)) != ADDR_OK)
		return rc;
	if (i == n || s[i] != '>')
		return fail(why, "'<' without its '>' (RFC 5322 3.4 "
		    "angle-addr)", ADDR_E_MAILBOX);
	i++;
	if ((rc = mb_cfws(s, n, &i, why)) != ADDR_OK)
		return rc;
	if (i < n)
		return s[i] == ',' || s[i] == ';' || s[i] == ':' ?
		    mb_special(s[i], why) : fail(why, "text after the "
		    "<address> (RFC 5322 3.4 name-addr)", ADDR_E_MAILBOX);
	return ADDR_OK;
}

/* What clients show: the display name decoded (RFC 2047) and not
 * quoted again, so it may hold ',' or '"': TEXT "<" addr-spec ">" WSP.
 * TEXT has no '<', '>', '@', ':' or ';', so it cannot hide a second
 * address or a group. */
static bool
mb_decoded(const char *s, size_t n, size_t *start, size_t *end)
{
	const char *lt;
	size_t i, e = n;

	while (e > 0 && is_wsp((uint8_t)s[e - 1]))
		e--;
	if (e == 0 || s[e - 1] != '>')
		return false;
	e--;
	for (lt = NULL, i = 0; i < e; i++)
		if (s[i] == '<')
			lt = s + i;
	if (lt == NULL)
		return false;
	for (i = 0; s + i < lt; i++)
		if (s[i] == '<' || s[i] == '>' || s[i] == '@' || s[i] == ':' ||
		    s[i] == ';')
			return false;
	*start = (size_t)(lt - s) + 1;
	*end = e;
	/* The address itself: no white space, comments or brackets. */
	for (i = *start; i < *end; i++)
		if (is_wsp((uint8_t)s[i]) || s[i] == '(' || s[i] == '<' ||
		    s[i] == '>')
			return false;
	return true;
}

int
address_parse_display(const char *s, size_t len, struct address *out,
    const char **why)
{
	size_t start = 0, end = 0;
	int rc;

	if (why != NULL)
		*why = NULL;
	if (len == 0)
		return fail(why, "empty mailbox (RFC 5322 3.4)", ADDR_E_EMPTY);
	if (len > DS_MAX_MAILBOX_TEXT)
		return fail(why, "mailbox text longer than 4096 octets "
		    "(RFC 5322 2.1.1 bounds a line at 998)", ADDR_E_LENGTH);
	if ((rc = check_chars(s, len, true, "mailbox is not well-formed "
	    "UTF-8 (RFC 3629 3, RFC 6532 3.2)", "control character or NUL "
	    "in the mailbox (RFC 5322 3.2.3, RFC 6532 3.2)", why)) != ADDR_OK)
		return rc;
	rc = mb_strict(s, len, &start, &end, why);
	if (rc != ADDR_OK) {
		if (!mb_decoded(s, len, &start, &end))
			return rc;
		if (why != NULL)
			*why = NULL;
	}
	return address_parse_mailbox(s + start, end - start, out, why);
}

/* Characters that end a word of a display name for the purpose of
 * finding an address in it. */
static bool
word_end(uint8_t c)
{
	return is_wsp(c) || (c != '\0' && strchr("<>()[],;:", c) != NULL);
}

bool
address_text_shows_other(const char *text, size_t len,
    const struct address *a)
{
	size_t i = 0, start, wl;
	struct address w;

	while (i < len) {
		while (i < len && word_end((uint8_t)text[i]))
			i++;
		start = i;
		while (i < len && !word_end((uint8_t)text[i]))
			i++;
		wl = i - start;
		if (wl == 0 || memchr(text + start, '@', wl) == NULL)
			continue;
		/* As it stands (a quoted local-part keeps its quotes), else
		 * without quotes around it and a sentence's full stop. */
		if (address_parse_mailbox(text + start, wl, &w, NULL) !=
		    ADDR_OK) {
			while (wl > 0 && (text[start] == '\'' ||
			    text[start] == '"')) {
				start++;
				wl--;
			}
			while (wl > 0 && (text[start + wl - 1] == '.' ||
			    text[start + wl - 1] == '\'' ||
			    text[start + wl - 1] == '"'))
				wl--;
			if (wl == 0 || address_parse_mailbox(text + start, wl,
			    &w, NULL) != ADDR_OK)
				continue;
		}
		if (w.local_len != a->local_len ||
		    strncasecmp(w.local, a->local, a->local_len) != 0 ||
		    strcasecmp(w.domain, a->domain) != 0)
			return true;
	}
	return false;
}
