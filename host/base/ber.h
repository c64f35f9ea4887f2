/* ber.h - the one BER reader (X.690 8.1) for CMS, on the bounded reader.
 *
 * Used where CMS bytes we did not produce are looked at before NSS
 * sees them: smime.c (is this a SignedData over id-data?) and mime.c
 * (is an application/pkcs7-mime body signed or encrypted?). All
 * functions return 0 on success and -1 on malformed input, never
 * reading past the reader (reader.h).
 */
#ifndef DS_BER_H
#define DS_BER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reader.h"

/* CMS content types: RFC 5652 4 (id-data), 5.1 (id-signedData), 6.1
 * (id-envelopedData); RFC 5083 1.1 (id-ct-authEnvelopedData). */
extern const uint8_t ber_oid_data[9];
extern const uint8_t ber_oid_signed_data[9];
extern const uint8_t ber_oid_enveloped_data[9];
extern const uint8_t ber_oid_auth_enveloped_data[11];

/* Whether the OID contents octets oid[len] are want (sizeof want). */
#define BER_OID_IS(oid, len, want) \
	((len) == sizeof(want) && memcmp((oid), (want), sizeof(want)) == 0)

/* Reads one tag and length (low tag numbers only). *indef for the BER
 * indefinite length, which only a constructed value may have. A
 * definite length must fit in what is left of r. */
int ber_header(struct reader *r, uint8_t *tag, size_t *len, bool *indef);
/* Skips one complete value, nested at most DS_MAX_BER_DEPTH - depth. */
int ber_skip(struct reader *r, int depth);
/* Checks one complete value and, recursively, everything inside the
 * constructed ones: every definite length within its parent, every
 * indefinite one closed. Linear in the input, bounded in depth. */
int ber_check(struct reader *r, int depth);
/* Enters a constructed value with the given tag. */
int ber_enter(struct reader *r, uint8_t want);
/* Reads the start of a ContentInfo (RFC 5652 3): the SEQUENCE header,
 * whose length is not checked (a caller may only have a prefix), and
 * the contentType OID, whose contents octets *oid[*len] it points at. */
int ber_content_type(struct reader *r, const uint8_t **oid, size_t *len);

#endif
