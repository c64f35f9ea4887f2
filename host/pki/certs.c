/* certs.c - X.509 decoding with NSS; see certs.h. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cert.h>
#include <keyhi.h>
#include <secerr.h>
#include <secder.h>
#include <secitem.h>
#include <secoid.h>

#include "nsslib.h"		/* after the NSS headers: calls via dlopen */

#include "certs.h"
#include "crypto.h"
#include "encode.h"
#include "fail.h"
#include "reader.h"
#include "utf8.h"
#include "x509sum.h"

/*
 * cert.h declares CERT_DecodeDERCertificate but libnss3 exports it only
 * under this name (nss.def, NSS_3.2). Unlike CERT_NewTempCertificate it
 * builds a free-standing certificate that never enters NSS's shared
 * temporary store, where a certificate with the same issuer and serial
 * number would be returned in place of the one we decode.
 */
extern CERTCertificate *__CERT_DecodeDERCertificate(SECItem *der,
    PRBool copy, char *nickname);

/* DER tags (X.690 8.1.2) we look at ourselves. */
#define TAG_BOOLEAN	0x01
#define TAG_BIT_STRING	0x03
#define TAG_OID		0x06
#define TAG_UTF8STRING	0x0c
#define TAG_IA5STRING	0x16
#define TAG_SEQUENCE	0x30
#define TAG_EXPLICIT0	0xa0

/* id-on-smtpUTF8Mailbox, 1.3.6.1.5.5.7.8.9 (RFC 9598 3), content octets. */
static const uint8_t oid_smtputf8[] = {
	0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x08, 0x09
};
/* GeneralName tags in DER, [0]..[8] (RFC 5280 4.2.1.6, Appendix A.2). */
static const uint8_t gn_tags[] = {
	0xa0, 0x81, 0x82, 0xa3, 0xa4, 0xa5, 0x86, 0x87, 0x88
};
/* id-Ed25519 1.3.101.112 and id-Ed448 1.3.101.113 (RFC 8410 3). */
static const uint8_t oid_ed25519[] = { 0x2b, 0x65, 0x70 };
static const uint8_t oid_ed448[] = { 0x2b, 0x65, 0x71 };
/* id-kp-emailProtection 1.3.6.1.5.5.7.3.4 and anyExtendedKeyUsage
 * 2.5.29.37.0 (RFC 5280 4.2.1.12), content octets. */
static const uint8_t oid_kp_email[] = {
	0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x04
};
static const uint8_t oid_any_eku[] = { 0x55, 0x1d, 0x25, 0x00 };

/* An NSS decode failure is the input's fault, SEC_ERROR_NO_MEMORY
 * included: NSS's ASN.1 decoder also says that for hostile lengths (found
 * by fuzz_smime in the CMS decoder), and a host that took it for its own
 * failure would exit on one crafted certificate. */
static int
nss_fail(const char **why, const char *msg, int status)
{
	return fail(why, msg, status);
}

static void
free_list(char ***v, size_t *n)
{
	size_t i;

	for (i = 0; i < *n; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
	*n = 0;
}

void
cert_summary_free(struct cert_summary *c)
{
	if (c == NULL)
		return;
	free(c->der);
	free(c->spki);
	free(c->subject);
	free(c->issuer);
	free_list(&c->emails, &c->nemails);
	free_list(&c->all_emails, &c->nall_emails);
	memset(c, 0, sizeof(*c));
}

/*
 * Adds s[0..len) to the list *v (*n entries) unless it is empty, longer
 * than any address (RFC 5321 4.5.3.1.3), not valid UTF-8 text, non-ASCII
 * when ascii is set, already present, or the list is full. Returns 0
 * added or a duplicate, 1 left out, -1 OOM.
 */
static int
add_to(char ***v, size_t *n, const uint8_t *s, size_t len, bool ascii)
{
	size_t i;
	char *copy;

	if (len == 0 || len > DS_MAX_ADDRESS ||
	    !utf8_valid_text((const char *)s, len))
		return 1;
	if (ascii)
		for (i = 0; i < len; i++)
			if (s[i] >= 0x80)
				return 1;
	for (i = 0; i < *n; i++)
		if (strlen((*v)[i]) == len && memcmp((*v)[i], s, len) == 0)
			return 0;
	if (*n >= DS_MAX_CERT_EMAILS)
		return 1;
	if (*v == NULL && (*v = calloc(DS_MAX_CERT_EMAILS, sizeof(**v))) ==
	    NULL)
		return -1;
	/* Already valid text, so this is a plain copy. */
	if ((copy = utf8_sanitize((const char *)s, len)) == NULL)
		return -1;
	(*v)[(*n)++] = copy;
	return 0;
}

/* An address found in the SAN (to_emails) or the subject: always into
 * all_emails, and into emails when it is the list that counts. */
static int
add_email(struct cert_summary *c, const uint8_t *s, size_t len, bool ascii,
    bool to_emails)
{
	int rc;

	if ((rc = add_to(&c->all_emails, &c->nall_emails, s, len, ascii)) < 0)
		return -1;
	if (rc > 0)
		c->all_incomplete = true;
	if (to_emails && add_to(&c->emails, &c->nemails, s, len, ascii) < 0)
		return -1;
	return 0;
}

/*
 * The SAN extension value, parsed here rather than with
 * CERT_DecodeAltNameExtension, which tolerates bytes left over inside an
 * otherName (RFC 5280 4.2.1.6):
 *   GeneralNames ::= SEQUENCE SIZE (1..MAX) OF GeneralName
 *   rfc822Name [1] IA5String
 *   otherName  [0] { type-id OBJECT IDENTIFIER, value [0] EXPLICIT ANY }
 *   SmtpUTF8Mailbox ::= UTF8String (RFC 9598 3)
 * Every length must match exactly; any other name form is skipped.
 */
int
certs_san_value(struct cert_summary *c, const uint8_t *v, size_t len,
    const char **why)
{
	struct reader r, names, val, oid, wrap, str;
	const uint8_t *p;
	uint8_t tag;
	int rc;

	rd_init(&r, v, len);
	if (x509_tlv(&r, TAG_SEQUENCE, &names) < 0 || rd_left(&r) != 0 ||
	    rd_left(&names) == 0)
		goto bad;
	while (rd_left(&names) > 0) {
		if (x509_any(&names, &tag, &val) < 0)
			goto bad;
		/* GeneralName is a CHOICE of context tags [0]..[8], each
		 * constructed or not as its type dictates (X.690 10.2). */
		if (memchr(gn_tags, tag, sizeof(gn_tags)) == NULL)
			goto bad;
		if (tag == 0x81) {
			(void)rd_bytes(&val, rd_left(&val), &p);
			rc = add_email(c, p, val.len, true, true);
		} else if (tag == TAG_EXPLICIT0) {
			if (x509_tlv(&val, TAG_OID, &oid) < 0 ||
			    x509_tlv(&val, TAG_EXPLICIT0, &wrap) < 0 ||
			    rd_left(&val) != 0)
				goto bad;
			if (oid.len != sizeof(oid_smtputf8) ||
			    memcmp(oid.data, oid_smtputf8, oid.len) != 0)
				continue;
			if (x509_tlv(&wrap, TAG_UTF8STRING, &str) < 0 ||
			    rd_left(&wrap) != 0)
				goto bad;
			(void)rd_bytes(&str, rd_left(&str), &p);
			rc = add_email(c, p, str.len, false, true);
		} else
			continue;
		if (rc != 0)
			return rc;
	}
	return 0;
bad:
	return fail(why, "subjectAltName does not decode (RFC 5280 4.2.1.6)",
	    CERTS_E_SAN);
}

/* Legacy: emailAddress attributes of the subject (RFC 5280 4.1.2.6, PKCS
 * #9 IA5String; a UTF8String is taken too if it is valid text), and the
 * RFC 4519 mail attribute NSS also reads. to_emails: they are the
 * certificate's addresses (no SAN); else only all_emails gets them.
 * One attribute value (the AVA's value TLV) at a time, in name order. */
int
certs_subject_email(struct cert_summary *c, bool mail, const uint8_t *v,
    size_t len, bool to_emails)
{
	struct reader r, str;
	const uint8_t *p;
	bool ascii;
	int rc;

	if (len == 0) {
		c->all_incomplete = true;
		return 0;
	}
	ascii = v[0] == TAG_IA5STRING;
	rd_init(&r, v, len);
	if (x509_tlv(&r, ascii ? TAG_IA5STRING : TAG_UTF8STRING, &str) < 0 ||
	    rd_left(&r) != 0 || rd_bytes(&str, rd_left(&str), &p) < 0) {
		c->all_incomplete = true;
		return 0;
	}
	if (mail && !to_emails) {
		/* Not an address of the certificate for us; only the
		 * trust rule must see it. */
		if ((rc = add_to(&c->all_emails, &c->nall_emails, p, str.len,
		    ascii)) < 0)
			return -1;
		if (rc > 0)
			c->all_incomplete = true;
		return 0;
	}
	return add_email(c, p, str.len, ascii, to_emails);
}

static int
subject_emails(struct cert_summary *c, const CERTName *name, bool to_emails)
{
	CERTRDN **rdn;
	CERTAVA **ava;
	SECOidTag t;

	for (rdn = name->rdns; rdn != NULL && *rdn != NULL; rdn++) {
		for (ava = (*rdn)->avas; ava != NULL && *ava != NULL; ava++) {
			t = CERT_GetAVATag(*ava);
			if (t != SEC_OID_PKCS9_EMAIL_ADDRESS &&
			    t != SEC_OID_RFC1274_MAIL)
				continue;
			if (certs_subject_email(c, t == SEC_OID_RFC1274_MAIL,
			    (*ava)->value.data, (*ava)->value.len,
			    to_emails) != 0)
				return -1;
		}
	}
	return 0;
}

/* RFC 5280 4.2: "A certificate MUST NOT include more than one instance of
 * a particular extension"; with two SANs, which one counts is a guess. */
static int
count_ext(const CERTCertificate *cert, SECOidTag tag)
{
	CERTCertExtension **e;
	int n = 0;

	for (e = cert->extensions; e != NULL && *e != NULL; e++)
		if (SECOID_FindOIDTag(&(*e)->id) == tag)
			n++;
	return n;
}

static int
emails(struct cert_summary *c, CERTCertificate *cert, const char **why)
{
	SECItem ext = { siBuffer, NULL, 0 };
	int rc;

	if (count_ext(cert, SEC_OID_X509_SUBJECT_ALT_NAME) > 1)
		return fail(why, "more than one subjectAltName extension "
		    "(RFC 5280 4.2)", CERTS_E_SAN);
	PORT_SetError(0);
	if (CERT_FindCertExtension(cert, SEC_OID_X509_SUBJECT_ALT_NAME,
	    &ext) != SECSuccess) {
		if (PORT_GetError() == SEC_ERROR_NO_MEMORY)
			return -1;
		/* No SAN: RFC 8550 3 still lets the subject carry it. */
		return subject_emails(c, &cert->subject, true);
	}
	rc = certs_san_value(c, ext.data, ext.len, why);
	SECITEM_FreeItem(&ext, PR_FALSE);
	if (rc == 0)
		rc = subject_emails(c, &cert->subject, false);
	return rc;
}

/* One extension on the NSS path: present more than once is an error
 * (dup_msg, dup_status), absent is fine, else value() reads it. */
static int
nss_ext(struct cert_summary *c, CERTCertificate *cert, SECOidTag tag,
    int (*value)(struct cert_summary *, const uint8_t *, size_t,
    const char **), const char *dup_msg, int dup_status, const char **why)
{
	SECItem ext = { siBuffer, NULL, 0 };
	int rc;

	if (count_ext(cert, tag) > 1)
		return fail(why, dup_msg, dup_status);
	PORT_SetError(0);
	if (CERT_FindCertExtension(cert, tag, &ext) != SECSuccess)
		return PORT_GetError() == SEC_ERROR_NO_MEMORY ? -1 : 0;
	rc = value(c, ext.data, ext.len, why);
	SECITEM_FreeItem(&ext, PR_FALSE);
	return rc;
}

/* BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, ... }
 * (RFC 5280 4.2.1.9). Any non-zero BOOLEAN counts as TRUE: when in doubt
 * a certificate is a CA, which is never trusted as an end entity. */
int
certs_bc_value(struct cert_summary *c, const uint8_t *v, size_t len,
    const char **why)
{
	struct reader r, seq, b;
	uint8_t x;

	rd_init(&r, v, len);
	if (x509_tlv(&r, TAG_SEQUENCE, &seq) < 0 || rd_left(&r) != 0)
		goto bad;
	if (rd_left(&seq) > 0 && seq.data[seq.off] == TAG_BOOLEAN) {
		if (x509_tlv(&seq, TAG_BOOLEAN, &b) < 0 || rd_left(&b) != 1 ||
		    rd_u8(&b, &x) < 0)
			goto bad;
		c->is_ca = x != 0;
	}
	return 0;
bad:
	return fail(why, "basicConstraints does not decode "
	    "(RFC 5280 4.2.1.9)", CERTS_E_DECODE);
}

/*
 * KeyUsage ::= BIT STRING (RFC 5280 4.2.1.3). Bits 0..8 are named; the
 * first content octet counts the unused bits of the last octet. Padding
 * bits are masked off rather than refused (X.690 11.2.1 wants them zero
 * and trailing zero bits dropped, but old CAs got that wrong and NSS
 * accepts it). A bit string that does not decode is an error: guessing
 * a usage is worse than not using the certificate.
 */
int
certs_ku_value(struct cert_summary *c, const uint8_t *v, size_t len,
    const char **why)
{
	struct reader r, bits;
	uint8_t unused, b0 = 0, b1 = 0;
	size_t n;
	unsigned i;

	rd_init(&r, v, len);
	if (x509_tlv(&r, TAG_BIT_STRING, &bits) < 0 || rd_left(&r) != 0 ||
	    rd_u8(&bits, &unused) < 0 || unused > 7 ||
	    (rd_left(&bits) == 0 && unused != 0))
		return fail(why, "keyUsage does not decode "
		    "(RFC 5280 4.2.1.3)", CERTS_E_USAGE);
	n = rd_left(&bits);
	if (n >= 1)
		(void)rd_u8(&bits, &b0);
	if (n >= 2)
		(void)rd_u8(&bits, &b1);
	/* Clear the padding bits of the last octet. */
	if (n == 1)
		b0 &= (uint8_t)(0xff << unused);
	else if (n == 2)
		b1 &= (uint8_t)(0xff << unused);
	/* Bit 0 is the most significant bit of the first octet. */
	c->ku = 0;
	for (i = 0; i < 8; i++)
		if (b0 & (0x80 >> i))
			c->ku |= 1u << i;
	if (b1 & 0x80)
		c->ku |= CERT_KU_DECIPHER_ONLY;
	c->has_ku = true;
	return 0;
}

/* ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId
 * (RFC 5280 4.2.1.12); other purposes are skipped. */
int
certs_eku_value(struct cert_summary *c, const uint8_t *v, size_t len,
    const char **why)
{
	struct reader r, seq, oid;

	rd_init(&r, v, len);
	if (x509_tlv(&r, TAG_SEQUENCE, &seq) < 0 || rd_left(&r) != 0 ||
	    rd_left(&seq) == 0)
		goto bad;
	while (rd_left(&seq) > 0) {
		if (x509_tlv(&seq, TAG_OID, &oid) < 0 || oid.len == 0)
			goto bad;
		if (oid.len == sizeof(oid_kp_email) &&
		    memcmp(oid.data, oid_kp_email, oid.len) == 0)
			c->eku_email = true;
		else if (oid.len == sizeof(oid_any_eku) &&
		    memcmp(oid.data, oid_any_eku, oid.len) == 0)
			c->eku_any = true;
	}
	c->has_eku = true;
	return 0;
bad:
	c->eku_email = c->eku_any = false;
	return fail(why, "extendedKeyUsage does not decode "
	    "(RFC 5280 4.2.1.12)", CERTS_E_USAGE);
}

/*
 * can_encrypt, can_sign, weak_key from key type, size and usages, as
 * Thunderbird's verifier (mozilla::pkix CertVerifier) judges them: a
 * recipient needs keyEncipherment or else keyAgreement, whatever the key
 * type (so an EC key marked keyEncipherment, which RFC 5480 3 does not
 * foresee but real CAs issue, still counts; an RSA key needs
 * keyEncipherment, there is no RSA key agreement); a signer needs
 * digitalSignature or else nonRepudiation (RFC 8550 4.4.2). An
 * extendedKeyUsage must list emailProtection (RFC 8550 4.4.4):
 * anyExtendedKeyUsage does not do for mozilla::pkix or NSS libpkix
 * (both answer SEC_ERROR_INADEQUATE_CERT_TYPE), so it is only reported.
 */
void
certs_judge_key(struct cert_summary *c)
{
	bool eku_ok = !c->has_eku || c->eku_email;
	bool rsa = strcmp(c->key_type, "rsa") == 0;
	bool ec = strcmp(c->key_type, "ec") == 0;
	unsigned sign = CERT_KU_DIGITAL_SIGNATURE | CERT_KU_NON_REPUDIATION;
	unsigned enc = rsa ? CERT_KU_KEY_ENCIPHERMENT :
	    CERT_KU_KEY_ENCIPHERMENT | CERT_KU_KEY_AGREEMENT;

	c->can_encrypt = eku_ok && (rsa || ec) &&
	    (!c->has_ku || (c->ku & enc) != 0);
	c->can_sign = eku_ok && strcmp(c->key_type, "unknown") != 0 &&
	    (!c->has_ku || (c->ku & sign) != 0);
	c->weak_why = NULL;
	if ((rsa || strcmp(c->key_type, "rsa-pss") == 0) &&
	    c->key_bits < 2048)
		c->weak_why = "RSA key shorter than 2048 bits "
		    "(RFC 8551 4.1)";
	else if (ec && c->key_bits < 256)
		c->weak_why = "EC key smaller than 256 bits or on an unknown "
		    "curve (RFC 8551 4.1)";
	else if (strcmp(c->key_type, "dsa") == 0)
		c->weak_why = "DSA key: no longer used for S/MIME "
		    "(RFC 8551 2.2)";
	else if (strcmp(c->key_type, "unknown") == 0)
		c->weak_why = "key of an unknown type (RFC 8551 2.2)";
	c->weak_key = c->weak_why != NULL;
}

static void
key_info(struct cert_summary *c, CERTCertificate *cert)
{
	const SECItem *alg = &cert->subjectPublicKeyInfo.algorithm.algorithm;
	SECKEYPublicKey *pk;
	const char *type = "unknown";

	c->key_bits = 0;
	/* NSS 3.87 has no OID tags for RFC 8410 keys. */
	if (alg->len == sizeof(oid_ed25519) &&
	    memcmp(alg->data, oid_ed25519, sizeof(oid_ed25519)) == 0) {
		type = "ed25519";
		c->key_bits = 256;
	} else if (alg->len == sizeof(oid_ed448) &&
	    memcmp(alg->data, oid_ed448, sizeof(oid_ed448)) == 0) {
		type = "ed448";
		c->key_bits = 448;
	} else if ((pk = CERT_ExtractPublicKey(cert)) != NULL) {
		switch (SECKEY_GetPublicKeyType(pk)) {
		case rsaKey:
			type = "rsa";
			break;
		case rsaPssKey:
			type = "rsa-pss";
			break;
		case ecKey:
			type = "ec";
			break;
		case dsaKey:
			type = "dsa";
			break;
		default:
			break;
		}
		c->key_bits = SECKEY_PublicKeyStrengthInBits(pk);
		SECKEY_DestroyPublicKey(pk);
	}
	snprintf(c->key_type, sizeof(c->key_type), "%s", type);
}

/* Sanitised, capped text of a distinguished name. rendered is NSS's
 * own rendering from the decode (cert->subjectName), used when present
 * so the name is not rendered twice. 0 ok, -1 OOM. */
int
certs_name_finish(const char *rendered, char **out)
{
	char *s;
	size_t n;

	if ((s = utf8_sanitize(rendered, strlen(rendered))) == NULL)
		return -1;
	if ((n = strlen(s)) > DS_MAX_DN_TEXT) {
		n = utf8_truncate(s, DS_MAX_DN_TEXT);
		s[n] = '\0';
	}
	*out = s;
	return 0;
}

static int
name_text(const char *rendered, CERTName *name, char **out)
{
	char *ascii = NULL;
	int rc;

	if (rendered == NULL) {
		/* NULL for names NSS cannot render: show them as empty. */
		PORT_SetError(0);
		if ((ascii = CERT_NameToAscii(name)) == NULL) {
			if (PORT_GetError() == SEC_ERROR_NO_MEMORY)
				return -1;
			*out = strdup("");
			return *out != NULL ? 0 : -1;
		}
		rendered = ascii;
	}
	rc = certs_name_finish(rendered, out);
	if (ascii != NULL)
		PORT_Free(ascii);
	return rc;
}

/* n decimal digits of v, zero-padded. */
static void
put_digits(char *p, unsigned v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* PRTime (microseconds) to seconds, rounding down, and to ISO 8601 UTC
 * through the proleptic Gregorian calendar (days-from-civil inverse). */
int
certs_time_text(int64_t t, int64_t *secs, char iso[21])
{
	int64_t s, days, rem, z, era, doe, yoe, y, doy, mp, d, m;

	s = t / PR_USEC_PER_SEC;
	if (t % PR_USEC_PER_SEC < 0)
		s--;
	days = s / 86400;
	rem = s % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;
	/* X.509 times have four-digit years (RFC 5280 4.1.2.5). */
	if (y < 0 || y > 9999)
		return -1;
	put_digits(iso, (unsigned)y, 4);
	iso[4] = '-';
	put_digits(iso + 5, (unsigned)m, 2);
	iso[7] = '-';
	put_digits(iso + 8, (unsigned)d, 2);
	iso[10] = 'T';
	put_digits(iso + 11, (unsigned)(rem / 3600), 2);
	iso[13] = ':';
	put_digits(iso + 14, (unsigned)(rem / 60 % 60), 2);
	iso[16] = ':';
	put_digits(iso + 17, (unsigned)(rem % 60), 2);
	iso[19] = 'Z';
	iso[20] = '\0';
	*secs = s;
	return 0;
}

/* What both paths share: the size and framing checks, the copy of the
 * DER and its SHA-256, into *c. 0, a positive certs_status, or -1. */
static int
start_decode(const uint8_t *der, size_t len, struct cert_summary *c,
    const char **why)
{
	struct reader r, body;
	uint8_t md[32];

	if (len > DS_MAX_CERT_BYTES)
		return fail(why, "certificate larger than 65535 octets "
		    "(RFC 8162 2, RFC 6698 2.1.4)", CERTS_E_TOO_LARGE);
	/* Exactly one DER SEQUENCE and nothing after it (RFC 5280 4.1,
	 * X.690 10.1): NSS would ignore trailing bytes, and then two
	 * different byte strings would stand for the same certificate. */
	rd_init(&r, der, len);
	if (len == 0 || x509_tlv(&r, TAG_SEQUENCE, &body) < 0 ||
	    rd_left(&r) != 0)
		return fail(why, "not one DER-encoded certificate "
		    "(RFC 5280 4.1)", CERTS_E_DECODE);
	/* No NSS start here: the digest needs none (crypto.c), and NSS is
	 * started by nss_summary only when x509sum declines. */
	if ((c->der = malloc(len)) == NULL)
		return -1;
	memcpy(c->der, der, len);
	c->der_len = len;
	if (crypto_sha256(c->der, c->der_len, md) != 0)
		return -1;
	hex_encode(md, sizeof(md), c->sha256);
	return 0;
}

/* The NSS path: everything but der and sha256 from NSS's decode of
 * c->der into *c. 0, a positive certs_status, or -1. */
static int
nss_summary(struct cert_summary *c, const char **why)
{
	CERTCertificate *cert = NULL;
	SECItem item;
	PRTime nb, na;
	int rc;

	if (crypto_init() != 0)
		return -1;
	PORT_SetError(0);
	item.type = siDERCertBuffer;
	item.data = c->der;
	item.len = (unsigned int)c->der_len;
	if ((cert = __CERT_DecodeDERCertificate(&item, PR_TRUE, NULL)) ==
	    NULL) {
		rc = nss_fail(why, "certificate does not decode "
		    "(RFC 5280 4.1)", CERTS_E_DECODE);
		goto out;
	}
	if ((rc = name_text(cert->subjectName, &cert->subject,
	    &c->subject)) != 0 || (rc = name_text(cert->issuerName,
	    &cert->issuer, &c->issuer)) != 0)
		goto out;
	PORT_SetError(0);
	if (CERT_GetCertTimes(cert, &nb, &na) != SECSuccess) {
		rc = nss_fail(why, "validity does not decode "
		    "(RFC 5280 4.1.2.5)", CERTS_E_DECODE);
		goto out;
	}
	if (certs_time_text(nb, &c->not_before, c->not_before_iso) != 0 ||
	    certs_time_text(na, &c->not_after, c->not_after_iso) != 0) {
		rc = fail(why, "validity outside the years 0000-9999 "
		    "(RFC 5280 4.1.2.5)", CERTS_E_DECODE);
		goto out;
	}
	if ((rc = nss_ext(c, cert, SEC_OID_X509_BASIC_CONSTRAINTS,
	    certs_bc_value, "more than one basicConstraints extension "
	    "(RFC 5280 4.2)", CERTS_E_DECODE, why)) != 0)
		goto out;
	/* version is [0] EXPLICIT Version DEFAULT v1 (RFC 5280 4.1.2.1):
	 * NSS leaves it empty for v1; 0, 1, 2 mean v1, v2, v3. */
	c->version = cert->version.len == 0 ? 1 :
	    (int)DER_GetInteger(&cert->version) + 1;
	if (c->version < 1 || c->version > 3) {
		rc = fail(why, "unknown certificate version (RFC 5280 4.1.2.1)",
		    CERTS_E_DECODE);
		goto out;
	}
	c->ns_ca = (cert->nsCertType & (NS_CERT_TYPE_SSL_CA |
	    NS_CERT_TYPE_EMAIL_CA | NS_CERT_TYPE_OBJECT_SIGNING_CA)) != 0;
	key_info(c, cert);
	/* derPublicKey is the whole SubjectPublicKeyInfo TLV as it appears
	 * in the certificate (NSS saves it while decoding). */
	if (cert->derPublicKey.len == 0) {
		rc = fail(why, "subjectPublicKeyInfo does not decode "
		    "(RFC 5280 4.1.2.7)", CERTS_E_DECODE);
		goto out;
	}
	if ((c->spki = malloc(cert->derPublicKey.len)) == NULL) {
		rc = -1;
		goto out;
	}
	memcpy(c->spki, cert->derPublicKey.data, cert->derPublicKey.len);
	c->spki_len = cert->derPublicKey.len;
	if ((rc = nss_ext(c, cert, SEC_OID_X509_KEY_USAGE, certs_ku_value,
	    "more than one keyUsage extension (RFC 5280 4.2)", CERTS_E_USAGE,
	    why)) != 0 || (rc = nss_ext(c, cert, SEC_OID_X509_EXT_KEY_USAGE,
	    certs_eku_value, "more than one extendedKeyUsage extension "
	    "(RFC 5280 4.2)", CERTS_E_USAGE, why)) != 0)
		goto out;
	certs_judge_key(c);
	rc = emails(c, cert, why);
out:
	if (cert != NULL)
		CERT_DestroyCertificate(cert);
	return rc;
}

/* fast: try x509sum_decode first (certs_decode) or not (certs_decode_nss). */
static int
decode(const uint8_t *der, size_t len, struct cert_summary *out,
    const char **why, bool fast)
{
	struct cert_summary c, f;
	int rc;

	memset(&c, 0, sizeof(c));
	memset(&f, 0, sizeof(f));
	memset(out, 0, sizeof(*out));
	if (why != NULL)
		*why = NULL;
	if ((rc = start_decode(der, len, &c, why)) != 0)
		goto out;
	if (fast) {
		if ((rc = x509sum_decode(c.der, c.der_len, &f)) < 0)
			goto out;
		if (rc > 0) {
			/* Done: keep our der and sha256. */
			f.der = c.der;
			f.der_len = c.der_len;
			memcpy(f.sha256, c.sha256, sizeof(f.sha256));
			c.der = NULL;
			*out = f;
			rc = CERTS_OK;
			goto out;
		}
	}
	if ((rc = nss_summary(&c, why)) != 0)
		goto out;
	*out = c;
	memset(&c, 0, sizeof(c));
	rc = CERTS_OK;
out:
	cert_summary_free(&c);
	return rc;
}

int
certs_decode(const uint8_t *der, size_t len, struct cert_summary *out,
    const char **why)
{
	return decode(der, len, out, why, true);
}

int
certs_decode_nss(const uint8_t *der, size_t len, struct cert_summary *out,
    const char **why)
{
	return decode(der, len, out, why, false);
}
