/* address.h - one mail address: parse, IDNA, RFC 8162 owner name.
 *
 * Accepts an RFC 5322 3.4.1 addr-spec as extended for internationalized
 * mail (RFC 6531 3.3, RFC 6532 3.2), restricted to what can be looked up:
 * no address literals, a domain that converts to IDNA2008 A-labels.
 * The local-part is kept byte for byte: RFC 8162 3 and 4 forbid mapping
 * it, so it is never case-folded or normalised.
 */
#ifndef DS_ADDRESS_H
#define DS_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dslimits.h"

enum address_status {
	ADDR_OK = 0,
	ADDR_E_EMPTY,		/* nothing given */
	ADDR_E_UTF8,		/* not well-formed UTF-8 */
	ADDR_E_SYNTAX,		/* not an addr-spec: '@', dots, quoting, controls */
	ADDR_E_LOCAL_LENGTH,	/* local-part > DS_MAX_LOCAL_PART octets */
	ADDR_E_LENGTH,		/* address > DS_MAX_ADDRESS octets */
	ADDR_E_DOMAIN,		/* domain syntax or length, literal, owner name too long */
	ADDR_E_IDNA,		/* a U-label IDNA2008 rejects */
	ADDR_E_MAILBOX,		/* not one mailbox: list, group, stray specials */
};

struct address {
	/* The local-part exactly as given, UTF-8, NUL-terminated (it cannot
	 * contain NUL); a quoted form is kept as written, quotes included. */
	char local[DS_MAX_LOCAL_PART + 1];
	size_t local_len;
	/* A-label form, lowercase, no trailing dot. */
	char domain[DS_MAX_DOMAIN + 1];
	/* RFC 8162 3: hex(first 28 octets of SHA-256(local-part))
	 * "._smimecert." domain, no trailing dot. */
	char owner[DS_MAX_OWNER_NAME + 1];
};

/* Parses one address s[0..len) (need not be NUL-terminated; an embedded
 * NUL is an error). Returns ADDR_OK and fills *out, or a positive
 * address_status with *why (if why is not NULL) set to a static message
 * naming the rule, or -1 on our failure (OOM, NSS). *out is only
 * meaningful on ADDR_OK. */
int address_parse(const char *s, size_t len, struct address *out,
    const char **why);

/* The same without the owner name (left ""): for comparing mailboxes,
 * e.g. a certificate's addresses with the queried one, where the SHA-256
 * of the owner name would be wasted work. */
int address_parse_mailbox(const char *s, size_t len, struct address *out,
    const char **why);

/*
 * One mailbox as a mail client shows the sender, s[0..len) (need not be
 * NUL-terminated), parsed to its address (as address_parse_mailbox: no
 * owner name). Accepted (RFC 5322 3.4, RFC 6532 3.2 for UTF-8):
 *   addr-spec with comments and white space around it
 *     "jane@example.test", "jane@example.test (Jane Doe)";
 *   name-addr: an optional display name (atoms, quoted strings, RFC 2047
 *   encoded words, which are atoms; obs-phrase dots) and an angle-addr
 *     "Jane Doe <jane@example.test>", "\"Doe, Jane\" <jane@example.test>",
 *     "=?UTF-8?Q?J=C3=B6rg?= <joerg@example.test>", "<jane@example.test>";
 *   and, since clients show names RFC 2047-decoded without re-quoting,
 *   any text without '<', '>', '@', ':' and ';' before a final
 *   angle-addr: "Doe, Jane <jane@example.test>".
 * Only the address counts: a display name that looks like an address is
 * never taken for one. Not one mailbox (ADDR_E_MAILBOX): a list ("a@x,
 * b@y"), a group ("Team: a@x;"), text after the address, unbalanced
 * quotes, comments or brackets, comments nested deeper than
 * DS_MAX_COMMENT_DEPTH. Controls other than HTAB are refused, and text
 * over DS_MAX_MAILBOX_TEXT octets (ADDR_E_LENGTH). Returns like
 * address_parse; *why names the rule.
 */
int address_parse_display(const char *s, size_t len, struct address *out,
    const char **why);

/* True if text[0..len) (a decoded display name) shows an address that
 * is not a: a word with '@' that parses as an address whose domain or
 * local-part (ignoring ASCII case: this is about what a person reads)
 * differs. The forger's "alice@example.test" <mallory@evil.test>. */
bool address_text_shows_other(const char *text, size_t len,
    const struct address *a);

/* Writes the RFC 8162 3 owner name for an already split address into
 * out[0..outlen): 56 lowercase hex digits, "._smimecert.", adomain.
 * adomain is used as given (A-labels expected). Returns 0, or -1 if
 * hashing fails or out is too small. */
int address_owner_name(const char *local, size_t local_len,
    const char *adomain, char *out, size_t outlen);

/* "Is this the same mailbox": local-parts equal octet for octet, domains
 * equal ignoring ASCII case (both are A-labels already). */
bool address_equal(const struct address *a, const struct address *b);

/* RFC 5322 3.2.3 atext, its ASCII part (RFC 6532 3.2 adds UTF-8). */
bool address_is_atext(uint8_t c);

#endif
