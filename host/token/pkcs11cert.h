/* pkcs11cert.h - what the PKCS#11 module needs from a certificate, read
 * without NSS.
 *
 * The module runs inside NSS (Thunderbird's own, newer copy), called with
 * NSS's locks held: it must not call back into NSS. So it takes a
 * certificate apart itself, on the one bounded reader (reader.h), strictly
 * as DER (X.690 10.1: definite, minimal lengths; low tag numbers), and
 * only as far as it needs: the encoded issuer, serial number and subject
 * (CKA_ISSUER, CKA_SERIAL_NUMBER, CKA_SUBJECT are DER, PKCS#11 v2.40
 * 4.6.3), notAfter, and what the e-mail trust rule (trustrule.h) looks at
 * a second time: version, basicConstraints cA, keyUsage keyCertSign and
 * the Netscape cert-type CA bits (RFC 5280 4.1.2.1, 4.2.1.3, 4.2.1.9).
 * Pure: no allocation, no I/O; pointers point into the caller's bytes.
 * SHA-1 and SHA-256 for the trust objects' certificate hashes, likewise
 * without NSS (FIPS 180-4).
 */
#ifndef DS_PKCS11CERT_H
#define DS_PKCS11CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct p11_span {
	const uint8_t *p;
	size_t len;
};

struct p11_cert {
	struct p11_span serial;		/* the whole INTEGER TLV */
	struct p11_span issuer;		/* the whole Name TLV */
	struct p11_span subject;	/* the whole Name TLV */
	int version;			/* 1..3 */
	int64_t not_before, not_after;	/* seconds since the epoch, UTC */
	bool is_ca;			/* basicConstraints cA TRUE */
	bool ku_cert_sign;		/* keyUsage with keyCertSign */
	bool ns_ca;			/* Netscape cert type with a CA bit */
};

/* Takes der[0..len) apart. 0, or -1 with *why (static) naming what is
 * wrong. */
int p11_cert_parse(const uint8_t *der, size_t len, struct p11_cert *out,
    const char **why);

/* The certificate's own part of the e-mail trust rule (as
 * trustrule_cert_ok): a v3 end entity. */
bool p11_cert_end_entity(const struct p11_cert *c);

void p11_sha1(const uint8_t *p, size_t n, uint8_t out[20]);
void p11_sha256(const uint8_t *p, size_t n, uint8_t out[32]);

#endif
