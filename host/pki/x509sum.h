/* x509sum.h - certs.c's fast path and the pieces it shares with certs.c.
 *
 * Internal to host/pki: certs.h stays the public interface. certs_decode
 * first asks x509sum_decode for a summary read straight from the DER with
 * the bounded reader; x509sum_decode takes only certificates whose every
 * field it is certain to render exactly as the NSS path (certs_decode_nss)
 * does and declines all others, which then go through NSS unchanged. It
 * never reports an error of its own: errors, messages and codes are always
 * the NSS path's.
 *
 * The extension, e-mail, name and time helpers below live in certs.c and
 * are used by both paths, so that there is one implementation of each.
 */
#ifndef DS_X509SUM_H
#define DS_X509SUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "certs.h"
#include "reader.h"

/* Fills *c (zeroed by the caller) from der[0..len), except der, der_len
 * and sha256. Returns 1 done, 0 declined (*c left empty), -1 OOM. */
int x509sum_decode(const uint8_t *der, size_t len, struct cert_summary *c);

/* The name of the first field but der and sha256 in which a and b
 * differ, or NULL if none does (tests/unit/test_x509sum.c, fuzz_cert). */
const char *x509sum_differ(const struct cert_summary *a,
    const struct cert_summary *b);

/* certs_decode without the fast path: the NSS decode only (for tests). */
int certs_decode_nss(const uint8_t *der, size_t len, struct cert_summary *out,
    const char **why);

/* One DER TLV with the given tag (x509_tlv) or any single-octet tag
 * (x509_any): definite lengths in the shortest form, at most two length
 * octets, never more than what is left. 0 or -1. */
int x509_tlv(struct reader *r, uint8_t tag, struct reader *val);
int x509_any(struct reader *r, uint8_t *tag, struct reader *val);

/* Extension values (the OCTET STRING contents), as certs.c reads them;
 * each returns 0, a positive certs_status with *why set, or -1 (OOM). */
int certs_san_value(struct cert_summary *c, const uint8_t *v, size_t len,
    const char **why);
int certs_bc_value(struct cert_summary *c, const uint8_t *v, size_t len,
    const char **why);
int certs_ku_value(struct cert_summary *c, const uint8_t *v, size_t len,
    const char **why);
int certs_eku_value(struct cert_summary *c, const uint8_t *v, size_t len,
    const char **why);

/* One subject attribute that carries an address: the AVA's value TLV
 * (v[0..len)), mail true for RFC 4519 mail, false for PKCS #9
 * emailAddress; to_emails as in certs.c's subject_emails. 0 or -1. */
int certs_subject_email(struct cert_summary *c, bool mail, const uint8_t *v,
    size_t len, bool to_emails);

/* can_encrypt, can_sign, weak_key, weak_why from the other fields. */
void certs_judge_key(struct cert_summary *c);

/* rendered (NSS's CERT_NameToAscii text) sanitised and capped as the
 * subject and issuer fields are. 0 or -1 (OOM). */
int certs_name_finish(const char *rendered, char **out);

/* Microseconds since the epoch to seconds and ISO 8601 text; -1 outside
 * the years 0000-9999. */
int certs_time_text(int64_t usec, int64_t *secs, char iso[21]);

#endif
