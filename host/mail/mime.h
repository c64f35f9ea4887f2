/* mime.h - take a raw received message apart for S/MIME verification.
 *
 * Input is a whole RFC 5322 message as stored (CRLF or bare LF line
 * endings, 8-bit headers possible): hostile bytes. The parser finds the
 * From mailboxes and the S/MIME entity:
 *   - multipart/signed with protocol application/pkcs7-signature or
 *     application/x-pkcs7-signature (RFC 1847 2.1, RFC 8551 3.5.3): the
 *     signed content is the first body part's exact bytes, headers and
 *     body, without the line break that belongs to the next delimiter
 *     (RFC 2046 5.1.1); the signature is the second part;
 *   - application/(x-)pkcs7-mime; smime-type=signed-data (RFC 8551
 *     3.5.2, "opaque"): the CMS carries the content;
 *   - smime-type=enveloped-data or authEnveloped-data: encrypted; the
 *     client must hand over the decrypted message instead.
 * That entity may be the top level or sit inside other multiparts (a
 * mailing list that adds a footer): then "nested" is set, since part of
 * what the reader sees is not covered by the signature. message/rfc822
 * parts are never entered (a forwarded message is not the sender's).
 *
 * Canonical form: S/MIME signs the CRLF canonical form of the first part
 * (RFC 8551 3.1.1). Stores that keep bare LF (Thunderbird on Unix,
 * messages.getRaw) still verify because every LF not preceded by CR in
 * the signed part is turned into CRLF here; nothing else is changed.
 *
 * Work is linear in the input: each line is compared with a boundary at
 * most once per nesting level (at most DS_MAX_MIME_DEPTH levels).
 * Limits: DS_MAX_MESSAGE_BYTES, DS_MAX_HEADER_BYTES per header block,
 * DS_MAX_MIME_DEPTH, DS_MAX_MIME_PARTS, DS_MAX_FROM_ADDRESSES.
 */
#ifndef DS_MIME_H
#define DS_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum mime_kind {
	MIME_UNSIGNED = 0,	/* no S/MIME signature (also OpenPGP, certs-only) */
	MIME_SIGNED_DETACHED,	/* multipart/signed */
	MIME_SIGNED_OPAQUE,	/* application/pkcs7-mime signed-data */
	MIME_ENCRYPTED,		/* application/pkcs7-mime (auth)enveloped-data */
};

enum mime_status {
	MIME_OK = 0,
	MIME_E_BAD_MIME,	/* "bad-mime": structure against RFC 2046/1847/8551 */
	MIME_E_NO_BOUNDARY,	/* "no-boundary": multipart without boundary */
	MIME_E_UNCLOSED_BOUNDARY, /* "unclosed-boundary": no close delimiter */
	MIME_E_TOO_DEEP,	/* "too-deep": more than DS_MAX_MIME_DEPTH levels */
	MIME_E_TOO_LARGE,	/* "too-large": a size or count limit */
	MIME_E_BAD_BASE64,	/* "bad-base64": signature/CMS not base64 */
	MIME_E_BAD_HEADER,	/* "bad-header": header syntax (RFC 5322/2045/6532) */
	MIME_E_NO_FROM,		/* "no-from": no From mailbox (RFC 5322 3.6) */
};

struct mime_msg {
	int kind;			/* enum mime_kind */
	/* Detached: the exact signed bytes, CRLF canonical (malloc'ed);
	 * NULL otherwise. */
	uint8_t *content;
	size_t content_len;
	/* The DER/BER CMS: decoded base64 of the signature part (detached)
	 * or of the body (opaque), malloc'ed; NULL for the other kinds. */
	uint8_t *cms;
	size_t cms_len;
	/* addr-specs of the From field (RFC 5322 3.6.2, 3.4.1) in order,
	 * as written minus comments and folding whitespace (not lowercased,
	 * quoted local parts keep their quotes), valid UTF-8 without control
	 * characters (RFC 6532 3.2). At least one on success. */
	char **from;
	size_t nfrom;
	/* Decoded display name of the first From mailbox (RFC 2047
	 * encoded-words in us-ascii, utf-8, iso-8859-1 decoded), sanitised
	 * UTF-8 ('?' for anything else) of at most DS_MAX_DISPLAY_NAME
	 * octets, or NULL if there is none. Display only: never compare. */
	char *from_display;
	/* The S/MIME entity is not the whole message body (see above). */
	bool nested;
	/* Bare LFs turned into CRLF in content (the stored message was not
	 * in canonical form); for diagnostics. */
	bool lf_converted;
};

/* Parses msg[0..len). Returns 0 with *out filled (kind may be
 * MIME_UNSIGNED), a positive mime_status with *code set to its stable
 * name ("bad-mime", "no-boundary", ...) and *why to a static sentence
 * naming the RFC rule, or -1 on OOM. Unless 0 is returned *out is left
 * empty (freeing it is harmless). code and why may be NULL. */
int mime_parse(const uint8_t *msg, size_t len, struct mime_msg *out,
    const char **code, const char **why);

/* Frees what *m owns and zeroes it; accepts NULL. */
void mime_msg_free(struct mime_msg *m);

/* The stable name of a mime_status ("ok" for 0, "?" if unknown). */
const char *mime_status_code(int status);

#endif
