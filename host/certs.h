/* certs.h - decode one X.509 certificate (RFC 5280) with NSS.
 *
 * Certificates come from DNS (SMIMEA 0 0 records) and mail: hostile
 * bytes. Decoding is bounded (DS_MAX_CERT_BYTES), touches no NSS
 * database and leaves nothing behind in NSS after it returns. All text is
 * valid UTF-8 without control characters.
 */
#ifndef DS_CERTS_H
#define DS_CERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dslimits.h"

struct cert_summary {
	uint8_t *der;			/* malloc'ed copy of the DER */
	size_t der_len;
	char sha256[65];		/* lowercase hex of SHA-256 over the DER */
	/* RFC 4514-ish text from CERT_NameToAscii, sanitised, at most
	 * DS_MAX_DN_TEXT octets (cut at a character boundary). */
	char *subject;
	char *issuer;
	/* SAN rfc822Name and SmtpUTF8Mailbox (RFC 9598) entries in SAN
	 * order, case as in the certificate, exact duplicates dropped, at
	 * most DS_MAX_CERT_EMAILS; without a SAN extension, the subject's
	 * emailAddress attributes instead. Entries that are not valid UTF-8
	 * text (or, for rfc822Name, not ASCII) are left out rather than
	 * sanitised, so a '?' substitute can never match an address. */
	char **emails;
	size_t nemails;
	int64_t not_before;		/* seconds since the epoch, UTC */
	int64_t not_after;
	char not_before_iso[21];	/* "YYYY-MM-DDTHH:MM:SSZ" */
	char not_after_iso[21];
	bool is_ca;			/* basicConstraints cA TRUE */
	char key_type[16];		/* "rsa", "ec", "ed25519", "ed448",
					 * "dsa" or "unknown" */
	unsigned key_bits;		/* modulus or curve size; 0 if unknown */
};

enum certs_status {
	CERTS_OK = 0,
	CERTS_E_DECODE,		/* not one DER certificate NSS can decode */
	CERTS_E_TOO_LARGE,	/* more than DS_MAX_CERT_BYTES */
	CERTS_E_SAN,		/* subjectAltName present but malformed */
};

/* Decodes der[0..len) into *out, which the caller then frees with
 * cert_summary_free. Returns CERTS_OK, a positive certs_status with *why
 * (if why is not NULL) set to a static message naming the rule, or -1 on
 * our failure (OOM, NSS). On any error *out is left empty (freeing it is
 * harmless). Starts NSS through crypto_init if needed. */
int certs_decode(const uint8_t *der, size_t len, struct cert_summary *out,
    const char **why);

/* Frees what *c owns and zeroes it; accepts NULL. */
void cert_summary_free(struct cert_summary *c);

#endif
