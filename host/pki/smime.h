/* smime.h - check the signature of an S/MIME message's CMS with NSS.
 *
 * Only the signature: whether the content was signed by the key of the
 * certificate the SignedData names (RFC 5652 5.4, 5.6, RFC 8551 2.5).
 * No database, no trust, no chain, no dates: the caller judges the
 * signer certificate (DANE, PKIX) afterwards. The message's certificates
 * live in NSS's in-memory temporary store only while smime_verify runs
 * (NSS_CMSSignedData_ImportCerts, released with the message); nothing is
 * left in NSS when it returns.
 *
 * Exactly one SignerInfo is supported: S/MIME agents send one, and with
 * several the question "who signed" has no single answer (RFC 5652 5.1
 * lets each be checked on its own). Several give SMIME_UNSUPPORTED,
 * code "several-signers".
 */
#ifndef DS_SMIME_H
#define DS_SMIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "certs.h"

enum smime_sig {
	SMIME_VALID = 0,	/* the signature verifies over the content */
	SMIME_INVALID,		/* it does not, or the CMS is broken */
	SMIME_UNSUPPORTED,	/* well-formed but not something we check */
};

struct smime_result {
	int signature;		/* enum smime_sig */
	/* Why not valid (NULL when valid), stable: "bad-cms", "no-signer",
	 * "several-signers", "signer-not-found", "no-content",
	 * "digest-mismatch", "bad-signature", "unsupported-algorithm",
	 * "unsupported-content"; message says it for a person, naming the
	 * RFC rule. */
	const char *code;
	char message[256];
	/* The certificate whose key the signature was checked with (filled
	 * whenever it was found, even if the signature is invalid). */
	bool has_signer;
	struct cert_summary signer;
	/* Every certificate of the SignedData that decodes (for DANE-TA and
	 * PKIX chains), signer included, in message order, at most
	 * DS_MAX_MESSAGE_CERTS; undecodable ones are skipped and counted. */
	struct cert_summary *certs;
	size_t ncerts;
	size_t ncerts_skipped;
	/* "sha1", "sha224", "sha256", "sha384", "sha512", "md5" or
	 * "unknown"; "rsa-pkcs1", "rsa-pss", "ecdsa", "dsa" or "unknown". */
	char digest_alg[32], signature_alg[32];
	/* RFC 5652 11.3 signingTime, seconds since the epoch, UTC; as the
	 * signer claims it (unauthenticated as to truth). */
	bool has_signing_time;
	int64_t signing_time;
};

/* Verifies the DER (or BER) ContentInfo cms[0..cms_len). content is the
 * detached content (multipart/signed first part, CRLF canonical) or NULL
 * for an opaque signature, whose content is inside the CMS. Returns 0
 * with *out filled (out->signature says the verdict), or -1 on our
 * failure (OOM, NSS cannot start); on -1 *out is empty. The caller frees
 * *out with smime_result_free either way. */
int smime_verify(const uint8_t *content, size_t content_len,
    const uint8_t *cms, size_t cms_len, struct smime_result *out);

/* Frees what *r owns and zeroes it; accepts NULL. */
void smime_result_free(struct smime_result *r);

#endif
