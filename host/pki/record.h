/* record.h - SMIMEA zone-file lines for publishers, and the wrong owner
 * names popular how-tos produce (for `check`).
 *
 * Sans-I/O: builds text from a decoded certificate; never touches DNS.
 * Every string handed out is malloc'ed and freed with record_lines_free;
 * every warning is a static English sentence.
 */
#ifndef DS_RECORD_H
#define DS_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "address.h"
#include "certs.h"
#include "dslimits.h"

enum record_status {
	RECORD_OK = 0,
	RECORD_E_USAGE,		/* usage not 0-3 (RFC 6698 2.1.1) */
	RECORD_E_SELECTOR,	/* selector not 0-1 (RFC 6698 2.1.2) */
	RECORD_E_MATCHING,	/* matching type not 0-2 (RFC 6698 2.1.3) */
	RECORD_E_TTL,		/* ttl over 2^31 - 1 (RFC 2181 8) */
	RECORD_E_ADDRESS,	/* the given address does not parse; *why is
				 * address_parse's message */
	RECORD_E_NO_ADDRESS,	/* no address given and the certificate
				 * carries none */
	RECORD_E_TOO_LARGE,	/* RDATA over 65535 octets (RFC 1035 3.2.1) */
	RECORD_E_NO_SPKI,	/* selector 1 but no SubjectPublicKeyInfo */
};

/* The RRSIG an answer from a signed zone carries along (RFC 4035 3.1.1),
 * estimated for an ECDSA P-256 signer (algorithm 13, today's most common
 * and the DNSSEC default of most signers): owner as a compression pointer
 * (2) + type/class/TTL/rdlength (10) + RRSIG fixed fields (18, RFC 4034
 * 3.1) + a 64-octet signature, plus the signer's name (never compressed,
 * RFC 4034 3.1.7), which is added per domain. An RSA-2048 signer adds 192
 * octets: the size warning says so. */
#define RECORD_RRSIG_ESTIMATE	(2 + 10 + 18 + 64)

struct record_opts {
	int usage;		/* 0-3; default 3 (DANE-EE) */
	int selector;		/* 0-1; default 0 (full certificate) */
	int matching;		/* 0-2; default 0 (exact) */
	uint32_t ttl;		/* 0: leave the TTL out (zone default) */
	/* The HTTPS URL the certificate is served at, for the _smime TXT
	 * line (issue 18); NULL: none. */
	const char *url;
};

/* Defaults: 3 0 0, no TTL: the only form that lets a sender discover
 * the certificate (RFC 8162 2.1 / 6). */
#define RECORD_OPTS_DEFAULT	{ 3, 0, 0, 0, NULL }

struct record_line {
	char *address;		/* as given or as in the certificate */
	/* NULL when no owner name can be formed for this address (a
	 * certificate email address_parse rejects): then presentation and
	 * generic are NULL too and warning says why. No trailing dot. */
	char *owner;
	/* RFC 8162 2.2 / RFC 6698 2.2:
	 * "OWNER. [TTL ]IN SMIMEA u s m HEX", the hex in lines of 64 digits
	 * inside parentheses when longer than one line. No final newline. */
	char *presentation;
	/* RFC 3597 5: "OWNER. [TTL ]IN TYPE53 \# LEN HEX" on one line (some
	 * DNS provider forms take a single line only). No final newline. */
	char *generic;
	size_t rdata_len;	/* 3 + data */
	/* Bytes of a UDP answer to an SMIMEA query for owner with only this
	 * record: header 12 + question (wire name + 4) + the RR with its
	 * owner compressed (2 + 10 + rdata_len) + OPT 11 (RFC 6891 6.1.2)
	 * + an RRSIG estimate (RECORD_RRSIG_ESTIMATE + the signer's name,
	 * taken as "_smimecert." + domain). An estimate: more records at the
	 * name (rollover) or larger signatures make it bigger. */
	size_t answer_estimate;
	bool fits_udp;		/* answer_estimate <= DS_EDNS_UDP_SIZE */
	/* Static, NULL when none. warning: about this address and the
	 * record's usage (the certificate does not carry the address, is a
	 * CA for an end-entity usage, is no CA for a trust-anchor usage, or
	 * no owner name). size_warning: the answer needs TCP, or cannot be
	 * sent at all. */
	const char *warning;
	const char *size_warning;
	/* What a DNS provider's web form asks for: the host label(s) below
	 * the domain, the record's fields, its data as hex (no spaces). */
	char *host;
	int usage, selector, matching;
	uint32_t ttl;
	char *data_hex;
	/* The hash record for the same certificate (usage u 0 1, SHA-256 of
	 * it) that a publisher who serves the certificate elsewhere (the
	 * _smime TXT path) publishes instead; NULL when the record itself
	 * is not a full certificate. */
	char *hash_presentation;
	/* With opts.url: the _smime TXT line announcing it ("OWNER. [TTL ]IN
	 * TXT \"URL\""), or NULL with txt_warning saying why not (the URL
	 * or the local-part cannot be published that way). */
	char *txt_owner;
	char *txt_presentation;
	const char *txt_warning;
};

/*
 * Makes the lines for certificate c. address != NULL: for that address
 * only (NUL-terminated); it is produced even when c does not carry it,
 * with a warning. address == NULL: one line per e-mail address of c
 * (rfc822Name and SmtpUTF8Mailbox), addresses with the same owner name
 * once. o == NULL means the defaults.
 * Returns RECORD_OK with *out (record_lines_free) and *n >= 1, a positive
 * record_status with *why (if why is not NULL) set to a static message,
 * or -1 on our failure (OOM, NSS). *out and *n are untouched unless OK.
 */
int record_make(const struct cert_summary *c, const char *address,
    const struct record_opts *o, struct record_line **out, size_t *n,
    const char **why);

/* Frees l[0..n) and l itself; accepts NULL. */
void record_lines_free(struct record_line *l, size_t n);

/*
 * Owner names for a that publishers get wrong (RFC 8162 3 wants the first
 * 28 octets of SHA-256 of the local-part): what `check` probes so it can
 * say "your record sits at the wrong name".
 */
enum {
	RECORD_PROBE_SHA256_FULL = 0,	/* all 64 hex digits of SHA-256 */
	RECORD_PROBE_SHA224,		/* 56 hex digits, but of SHA-224 */
	RECORD_PROBE_LOCAL_PART,	/* the plain local-part (2012 draft) */
	RECORD_NPROBES
};

/* A 64-octet label (hex digits or a local-part), "._smimecert.", domain. */
#define RECORD_PROBE_NAME_MAX	(64 + 12 + DS_MAX_DOMAIN)

struct record_probe {
	const char *what;	/* static: "full 64-digit SHA-256 label" ... */
	/* The name as a how-to would write it, no trailing dot; "" when it
	 * cannot even be written down (local-part with '.' or quotes). */
	char name[RECORD_PROBE_NAME_MAX + 1];
	/* NULL: a valid DNS name, query it. Otherwise a static reason why
	 * it cannot be (or need not be) queried: nothing can be published
	 * there (e.g. the 64-digit label breaks the 63-octet label limit of
	 * RFC 1035 2.3.4, so zone files with it do not load). */
	const char *skip;
};

/* Fills probes[] for a (from address_parse). 0 ok, -1 on our failure
 * (NSS hashing). */
int address_probe_names(const struct address *a,
    struct record_probe probes[RECORD_NPROBES]);

#endif
