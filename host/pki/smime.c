/* smime.c - CMS SignedData signature check with NSS; see smime.h. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cert.h>
#include <cms.h>
#include <hasht.h>
#include <nss.h>
#include <pk11pub.h>
#include <secerr.h>
#include <secoid.h>
#include <sechash.h>

#include "nsslib.h"		/* after the NSS headers: calls via dlopen */

#include "ber.h"
#include "certs.h"
#include "crypto.h"
#include "dslimits.h"
#include "reader.h"
#include "smime.h"

static void verdict(struct smime_result *, int, const char *, const char *,
    ...) __attribute__((format(printf, 4, 5)));

static void
verdict(struct smime_result *r, int sig, const char *code, const char *fmt,
    ...)
{
	va_list ap;

	r->signature = sig;
	r->code = code;
	va_start(ap, fmt);
	vsnprintf(r->message, sizeof(r->message), fmt, ap);
	va_end(ap);
}

/* 1 if the ContentInfo is a SignedData over id-data (RFC 5652 3, 5.1,
 * 5.2), 0 if it is a SignedData over something else, -1 if it is not a
 * SignedData or its first fields are malformed. Only CMS over id-data
 * reaches NSS's decoder: NSS 3.87 leaks memory on some other content
 * types, and S/MIME signs nothing else (RFC 8551 3.1). */
static int
precheck(const uint8_t *p, size_t n)
{
	struct reader r;
	const uint8_t *oid;
	size_t len;

	/* Whole and well-formed first: what passes can no longer make NSS's
	 * decoder allocate for a length the input does not have (fuzz_smime
	 * found a 1.5 kB CMS that cost seconds). */
	rd_init(&r, p, n);
	if (ber_check(&r, 0) != 0 || rd_left(&r) != 0)
		return -1;
	rd_init(&r, p, n);
	if (ber_content_type(&r, &oid, &len) != 0 ||		/* ContentInfo */
	    !BER_OID_IS(oid, len, ber_oid_signed_data) ||
	    ber_enter(&r, 0xa0) != 0 ||				/* [0] */
	    ber_enter(&r, 0x30) != 0 ||				/* SignedData */
	    ber_skip(&r, 0) != 0 ||				/* version */
	    ber_skip(&r, 0) != 0 ||				/* digestAlgorithms */
	    ber_content_type(&r, &oid, &len) != 0)	/* EncapsulatedContentInfo */
		return -1;
	return BER_OID_IS(oid, len, ber_oid_data) ? 1 : 0;
}

/* NSS's decoders report SEC_ERROR_NO_MEMORY for hostile lengths they
 * refuse to allocate, not only when memory runs out (fuzz_smime found
 * one: tests/fuzz/corpus/smime/regress-nomem-*). So an NSS failure on
 * message bytes is always the message's fault here; a real shortage
 * shows up in our own allocations. */

static void
name_digest(SECOidTag t, char *out, size_t outsz)
{
	const char *s;

	switch (t) {
	case SEC_OID_MD5: s = "md5"; break;
	case SEC_OID_SHA1: s = "sha1"; break;
	case SEC_OID_SHA224: s = "sha224"; break;
	case SEC_OID_SHA256: s = "sha256"; break;
	case SEC_OID_SHA384: s = "sha384"; break;
	case SEC_OID_SHA512: s = "sha512"; break;
	default: s = "unknown"; break;
	}
	snprintf(out, outsz, "%s", s);
}

/* RFC 5652 5.3 signatureAlgorithm: agents write either the bare key
 * algorithm (rsaEncryption, RFC 3370 3.2) or a combined one. */
static void
name_signature(SECOidTag t, char *out, size_t outsz)
{
	const char *s;

	switch (t) {
	case SEC_OID_PKCS1_RSA_ENCRYPTION:
	case SEC_OID_PKCS1_SHA1_WITH_RSA_ENCRYPTION:
	case SEC_OID_PKCS1_SHA224_WITH_RSA_ENCRYPTION:
	case SEC_OID_PKCS1_SHA256_WITH_RSA_ENCRYPTION:
	case SEC_OID_PKCS1_SHA384_WITH_RSA_ENCRYPTION:
	case SEC_OID_PKCS1_SHA512_WITH_RSA_ENCRYPTION:
	case SEC_OID_PKCS1_MD5_WITH_RSA_ENCRYPTION:
		s = "rsa-pkcs1";
		break;
	case SEC_OID_PKCS1_RSA_PSS_SIGNATURE:
		s = "rsa-pss";
		break;
	case SEC_OID_ANSIX962_EC_PUBLIC_KEY:
	case SEC_OID_ANSIX962_ECDSA_SHA1_SIGNATURE:
	case SEC_OID_ANSIX962_ECDSA_SHA224_SIGNATURE:
	case SEC_OID_ANSIX962_ECDSA_SHA256_SIGNATURE:
	case SEC_OID_ANSIX962_ECDSA_SHA384_SIGNATURE:
	case SEC_OID_ANSIX962_ECDSA_SHA512_SIGNATURE:
		s = "ecdsa";
		break;
	case SEC_OID_ANSIX9_DSA_SIGNATURE:
	case SEC_OID_ANSIX9_DSA_SIGNATURE_WITH_SHA1_DIGEST:
	case SEC_OID_NIST_DSA_SIGNATURE_WITH_SHA224_DIGEST:
	case SEC_OID_NIST_DSA_SIGNATURE_WITH_SHA256_DIGEST:
		s = "dsa";
		break;
	default:
		s = "unknown";
		break;
	}
	snprintf(out, outsz, "%s", s);
}

/* Decodes the SignedData certificates into r->certs. -1 on OOM. */
static int
collect_certs(SECItem **raw, struct smime_result *r)
{
	size_t n = 0, i;
	const char *why;
	int rc;

	while (raw != NULL && raw[n] != NULL)
		n++;
	if (n == 0)
		return 0;
	if (n > DS_MAX_MESSAGE_CERTS)
		n = DS_MAX_MESSAGE_CERTS;
	if ((r->certs = calloc(n, sizeof(*r->certs))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		rc = certs_decode(raw[i]->data, raw[i]->len,
		    &r->certs[r->ncerts], &why);
		if (rc < 0)
			return -1;
		if (rc > 0)
			r->ncerts_skipped++;
		else
			r->ncerts++;
	}
	return 0;
}

/*
 * smime_verify in phases, each as RFC 5652 orders the work: decode the
 * SignedData, find its one signer, find the signed content, check the
 * signature. A phase returns P_GO to go on, P_DONE when it has given its
 * verdict (the message's fault: smime_verify returns 0), or P_OURS on our
 * own failure (-1).
 */
enum phase { P_OURS = -1, P_GO = 0, P_DONE = 1 };

/* The ContentInfo, decoded by NSS once our BER check let it through
 * (RFC 5652 3, 5.1). */
static enum phase
decode_signed_data(const uint8_t *cms, size_t cms_len, NSSCMSMessage **cmsg,
    NSSCMSSignedData **sigd, NSSCMSContentInfo **inner,
    struct smime_result *out)
{
	NSSCMSContentInfo *cinfo;
	SECItem der;

	if (cms == NULL || cms_len == 0 || cms_len > DS_MAX_MESSAGE_BYTES) {
		verdict(out, SMIME_INVALID, "bad-cms", "the signature is empty "
		    "or too large to be a CMS SignedData (RFC 5652 5.1)");
		return P_DONE;
	}
	switch (precheck(cms, cms_len)) {
	case 1:
		break;
	case 0:
		verdict(out, SMIME_UNSUPPORTED, "unsupported-content", "the "
		    "signed content is not of type id-data (RFC 8551 3.1)");
		return P_DONE;
	default:
		verdict(out, SMIME_INVALID, "bad-cms", "the signature is not "
		    "a CMS SignedData that decodes (RFC 5652 3, 5.1)");
		return P_DONE;
	}
	der.type = siBuffer;
	der.data = (unsigned char *)(uintptr_t)cms;
	der.len = (unsigned int)cms_len;
	PORT_SetError(0);
	*cmsg = NSS_CMSMessage_CreateFromDER(&der, NULL, NULL, NULL, NULL,
	    NULL, NULL);
	if (*cmsg == NULL) {
		verdict(out, SMIME_INVALID, "bad-cms", "the signature is not "
		    "a CMS ContentInfo that decodes (RFC 5652 3)");
		return P_DONE;
	}
	if ((cinfo = NSS_CMSMessage_ContentLevel(*cmsg, 0)) == NULL ||
	    NSS_CMSContentInfo_GetContentTypeTag(cinfo) !=
	    SEC_OID_PKCS7_SIGNED_DATA ||
	    (*sigd = NSS_CMSContentInfo_GetContent(cinfo)) == NULL ||
	    (*inner = NSS_CMSSignedData_GetContentInfo(*sigd)) == NULL) {
		verdict(out, SMIME_INVALID, "bad-cms", "the CMS is not a "
		    "SignedData (RFC 5652 5.1, RFC 8551 3.5)");
		return P_DONE;
	}
	return P_GO;
}

/* The one SignerInfo, its algorithms and signing time, and the
 * certificate it names among the message's (RFC 5652 5.3). */
static enum phase
find_signer(NSSCMSSignedData *sigd, NSSCMSSignerInfo **sip,
    struct smime_result *out)
{
	NSSCMSSignerInfo *si;
	CERTCertificate *cert;
	const char *why = NULL;
	size_t nraw = 0;
	PRTime t;
	int n, rc;

	while (sigd->rawCerts != NULL && sigd->rawCerts[nraw] != NULL)
		nraw++;
	if (collect_certs(sigd->rawCerts, out) != 0)
		return P_OURS;
	n = NSS_CMSSignedData_SignerInfoCount(sigd);
	if (n == 0) {
		verdict(out, SMIME_INVALID, "no-signer", "the SignedData has "
		    "no SignerInfo: it signs nothing (RFC 5652 5.1)");
		return P_DONE;
	}
	if (n > 1) {
		verdict(out, SMIME_UNSUPPORTED, "several-signers", "the "
		    "message has %d signers; only messages with exactly one "
		    "are checked (RFC 5652 5.1)", n);
		return P_DONE;
	}
	si = *sip = NSS_CMSSignedData_GetSignerInfo(sigd, 0);
	name_digest(SECOID_GetAlgorithmTag(&si->digestAlg), out->digest_alg,
	    sizeof(out->digest_alg));
	name_signature(SECOID_GetAlgorithmTag(&si->digestEncAlg),
	    out->signature_alg, sizeof(out->signature_alg));
	if (NSS_CMSSignerInfo_GetSigningTime(si, &t) == SECSuccess) {
		out->has_signing_time = true;
		/* Floor division: PRTime is microseconds. */
		out->signing_time = t / PR_USEC_PER_SEC -
		    (t % PR_USEC_PER_SEC < 0 ? 1 : 0);
	}

	/* Every certificate is fed to NSS's temporary store, so that the
	 * signer can be looked up by issuerAndSerialNumber or
	 * subjectKeyIdentifier (RFC 5652 5.3); they are released with
	 * the message. The count bounds the work a hostile message can
	 * ask of NSS. */
	if (nraw > DS_MAX_MESSAGE_CERTS) {
		verdict(out, SMIME_UNSUPPORTED, "too-many-certs", "the "
		    "message carries %zu certificates, more than the %d "
		    "this program looks at (RFC 5652 5.1)", nraw,
		    DS_MAX_MESSAGE_CERTS);
		return P_DONE;
	}
	/* A failure leaves the signer unfound: reported just below. */
	PORT_SetError(0);
	(void)NSS_CMSSignedData_ImportCerts(sigd, CERT_GetDefaultCertDB(),
	    certUsageEmailSigner, PR_FALSE);
	PORT_SetError(0);
	cert = NSS_CMSSignerInfo_GetSigningCertificate(si,
	    CERT_GetDefaultCertDB());
	if (cert == NULL) {
		verdict(out, SMIME_INVALID, "no-signer", "the certificate the "
		    "SignerInfo names is not in the message (RFC 5652 5.3, "
		    "RFC 8551 3.1)");
		return P_DONE;
	}
	if ((rc = certs_decode(cert->derCert.data, cert->derCert.len,
	    &out->signer, &why)) < 0)
		return P_OURS;
	if (rc > 0) {
		verdict(out, SMIME_INVALID, "bad-cms", "the signer "
		    "certificate is malformed: %s", why);
		return P_DONE;
	}
	out->has_signer = true;
	return P_GO;
}

/* The content the signature covers: given (detached) or the eContent
 * (opaque). RFC 8551 3.5.3: a detached signature has no eContent; an
 * opaque one must carry id-data content. */
static enum phase
signed_content(NSSCMSContentInfo *inner, const uint8_t **content,
    size_t *content_len, struct smime_result *out)
{
	SECItem *econtent;

	if (NSS_CMSContentInfo_GetContentTypeTag(inner) != SEC_OID_PKCS7_DATA) {
		verdict(out, SMIME_UNSUPPORTED, "unsupported-content", "the "
		    "signed content is not of type id-data (RFC 8551 3.1)");
		return P_DONE;
	}
	if (*content != NULL)
		return P_GO;
	econtent = NSS_CMSContentInfo_GetContent(inner);
	if (econtent == NULL || econtent->data == NULL) {
		verdict(out, SMIME_INVALID, "bad-cms", "the signature "
		    "is detached but no content came with it "
		    "(RFC 5652 5.2)");
		return P_DONE;
	}
	*content = econtent->data;
	*content_len = econtent->len;
	return P_GO;
}

/* The digest of the content against the signed attributes, and the
 * signature over them with the signer's key (RFC 5652 5.4, 5.6). */
static enum phase
check_signature(NSSCMSSignerInfo *si, NSSCMSContentInfo *inner,
    const uint8_t *content, size_t content_len, struct smime_result *out)
{
	SECOidTag dtag = SECOID_GetAlgorithmTag(&si->digestAlg);
	HASH_HashType ht = HASH_GetHashTypeByOidTag(dtag);
	uint8_t digest[HASH_LENGTH_MAX];
	SECItem dig;
	SECStatus sv;

	if (ht == HASH_AlgNULL || ht == HASH_AlgMD2 || ht == HASH_AlgMD5 ||
	    HASH_ResultLen(ht) > sizeof(digest) || content_len > INT32_MAX) {
		verdict(out, SMIME_UNSUPPORTED, "unsupported-algorithm", "the "
		    "digest algorithm %s is not one S/MIME accepts "
		    "(RFC 8551 2.1)", out->digest_alg);
		return P_DONE;
	}
	/* We hash ourselves (NSS_CMSSignedData_GetDigestValue is not
	 * exported); for opaque messages the decoder's own digest would do,
	 * but one path for both keeps the check the same. */
	if (PK11_HashBuf(dtag, digest, content, (PRInt32)content_len) !=
	    SECSuccess)
		return P_OURS;
	dig.type = siBuffer;
	dig.data = digest;
	dig.len = HASH_ResultLen(ht);
	PORT_SetError(0);
	sv = NSS_CMSSignerInfo_Verify(si, &dig, &inner->contentType);
	switch (NSS_CMSSignerInfo_GetVerificationStatus(si)) {
	case NSSCMSVS_GoodSignature:
		if (sv != SECSuccess) {
			verdict(out, SMIME_INVALID, "bad-signature", "NSS "
			    "reported a good signature with an error");
			break;
		}
		out->signature = SMIME_VALID;
		break;
	case NSSCMSVS_DigestMismatch:
		verdict(out, SMIME_INVALID, "digest-mismatch", "the content "
		    "was changed after signing: its digest differs from the "
		    "signed message-digest attribute (RFC 5652 11.2)");
		break;
	case NSSCMSVS_SignatureAlgorithmUnknown:
	case NSSCMSVS_SignatureAlgorithmUnsupported:
		verdict(out, SMIME_UNSUPPORTED, "unsupported-algorithm", "the "
		    "signature algorithm (%s with %s) is not supported "
		    "(RFC 8551 2.2)", out->signature_alg, out->digest_alg);
		break;
	case NSSCMSVS_ProcessingError:
		verdict(out, SMIME_INVALID, "bad-signature", "the signature "
		    "could not be checked: malformed signed attributes or key "
		    "(RFC 5652 5.3, 5.4)");
		break;
	case NSSCMSVS_MalformedSignature:
	case NSSCMSVS_BadSignature:
	default:
		verdict(out, SMIME_INVALID, "bad-signature", "the signature "
		    "does not verify with the signer certificate's key "
		    "(RFC 5652 5.6)");
		break;
	}
	return P_DONE;
}

int
smime_verify(const uint8_t *content, size_t content_len, const uint8_t *cms,
    size_t cms_len, struct smime_result *out)
{
	NSSCMSMessage *cmsg = NULL;
	NSSCMSSignedData *sigd = NULL;
	NSSCMSContentInfo *inner = NULL;
	NSSCMSSignerInfo *si = NULL;
	enum phase p;
	int rc;

	memset(out, 0, sizeof(*out));
	if (crypto_init() != 0)
		return -1;
	p = decode_signed_data(cms, cms_len, &cmsg, &sigd, &inner, out);
	if (p == P_GO)
		p = find_signer(sigd, &si, out);
	if (p == P_GO)
		p = signed_content(inner, &content, &content_len, out);
	if (p == P_GO)
		p = check_signature(si, inner, content, content_len, out);
	rc = p == P_OURS ? -1 : 0;
	/* Releases the temporary certificates and si->cert as well. */
	if (cmsg != NULL)
		NSS_CMSMessage_Destroy(cmsg);
	if (rc != 0)
		smime_result_free(out);
	return rc;
}

void
smime_result_free(struct smime_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	cert_summary_free(&r->signer);
	for (i = 0; i < r->ncerts; i++)
		cert_summary_free(&r->certs[i]);
	free(r->certs);
	memset(r, 0, sizeof(*r));
}
