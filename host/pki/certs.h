/* certs.h - decode one X.509 certificate (RFC 5280) with NSS.
 *
 * Certificates of the common shapes are summarised straight from the DER
 * instead (x509sum.c, issue 15), with the same result field for field;
 * all others, and every error, are NSS's.
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
	/* Every e-mail address the certificate carries anywhere, as the
	 * trust rule (trustrule.h) must see them: SAN rfc822Name and
	 * SmtpUTF8Mailbox, and the subject's emailAddress (PKCS #9) and
	 * mail (RFC 4519 2.16) attributes even when a SAN is present, since
	 * NSS and Thunderbird find a certificate under those too. Same
	 * rules and cap as emails; all_incomplete is set when an entry was
	 * left out (not valid text, or the list was full), so that no trust
	 * is ever granted for a certificate we could not read whole. */
	char **all_emails;
	size_t nall_emails;
	bool all_incomplete;
	/* X.509 version, 1..3 (RFC 5280 4.1.2.1: absent = v1). */
	int version;
	/* NSS's cert type has a CA bit (SSL, e-mail or object-signing CA):
	 * from the Netscape cert-type extension or what NSS infers. */
	bool ns_ca;
	int64_t not_before;		/* seconds since the epoch, UTC */
	int64_t not_after;
	char not_before_iso[21];	/* "YYYY-MM-DDTHH:MM:SSZ" */
	char not_after_iso[21];
	bool is_ca;			/* basicConstraints cA TRUE */
	char key_type[16];		/* "rsa", "ec", "ed25519", "ed448",
					 * "dsa" or "unknown" */
	unsigned key_bits;		/* modulus or curve size; 0 if unknown */
	/* SubjectPublicKeyInfo DER (what SMIMEA selector 1 covers, RFC 6698
	 * 2.1.2), malloc'ed copy. */
	uint8_t *spki;
	size_t spki_len;
	/* keyUsage (RFC 5280 4.2.1.3) as CERT_KU_* bits. */
	bool has_ku;
	unsigned ku;
	/* extendedKeyUsage (RFC 5280 4.2.1.12): present, and whether it
	 * lists id-kp-emailProtection or anyExtendedKeyUsage. */
	bool has_eku, eku_email, eku_any;
	/* What Thunderbird could do with the key, from key type, keyUsage
	 * and extendedKeyUsage alone (no chain, no dates), as its verifier
	 * (mozilla::pkix) judges them:
	 * can_encrypt: RSA with no keyUsage or keyEncipherment; EC with no
	 * keyUsage, keyAgreement (ECDH, RFC 5753) or keyEncipherment (not
	 * foreseen by RFC 5480 3, but issued and accepted); never for other
	 * key types. can_sign: no keyUsage, digitalSignature or
	 * nonRepudiation; any key type but "unknown". Both also need no
	 * extendedKeyUsage or one listing emailProtection:
	 * anyExtendedKeyUsage alone is not accepted by mozilla::pkix or NSS
	 * for e-mail, so eku_any is only information. */
	bool can_encrypt;
	bool can_sign;
	/* RSA under 2048 bits, EC under 256 bits, DSA, or a key type we do
	 * not know (RFC 8551 2.2, 4.1): weak_why says which, statically. */
	bool weak_key;
	const char *weak_why;
};

/* keyUsage bits, numbered as in RFC 5280 4.2.1.3 (bit 0 = the first
 * named bit, digitalSignature). */
enum {
	CERT_KU_DIGITAL_SIGNATURE = 1u << 0,
	CERT_KU_NON_REPUDIATION = 1u << 1,	/* contentCommitment */
	CERT_KU_KEY_ENCIPHERMENT = 1u << 2,
	CERT_KU_DATA_ENCIPHERMENT = 1u << 3,
	CERT_KU_KEY_AGREEMENT = 1u << 4,
	CERT_KU_KEY_CERT_SIGN = 1u << 5,
	CERT_KU_CRL_SIGN = 1u << 6,
	CERT_KU_ENCIPHER_ONLY = 1u << 7,
	CERT_KU_DECIPHER_ONLY = 1u << 8,
};

enum certs_status {
	CERTS_OK = 0,
	CERTS_E_DECODE,		/* not one DER certificate NSS can decode */
	CERTS_E_TOO_LARGE,	/* more than DS_MAX_CERT_BYTES */
	CERTS_E_SAN,		/* subjectAltName present but malformed */
	CERTS_E_USAGE,		/* keyUsage or extendedKeyUsage malformed or
				 * repeated (RFC 5280 4.2.1.3, 4.2.1.12) */
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
