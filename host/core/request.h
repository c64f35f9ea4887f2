/* request.h - decode one native-messaging request frame, without I/O.
 *
 * The frame body is hostile bytes. Before cJSON sees it, a single-pass
 * lexical scan enforces what cJSON 1.7.15 does not (RFC 8259 and
 * RFC 3629): well-formed UTF-8, no raw control characters in strings,
 * no "\u0000" (cJSON would silently truncate), no unpaired surrogate
 * escapes (RFC 8259 8.2), strict number syntax (RFC 8259 6), nesting
 * at most DS_MAX_JSON_DEPTH, at most DS_MAX_JSON_VALUES values. After
 * parsing, trailing non-whitespace and duplicate member names (RFC 8259
 * 4: names SHOULD be unique; we require it, so no two readers of the
 * same request can disagree) are rejected, then the fields are checked.
 */
#ifndef DS_REQUEST_H
#define DS_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

enum req_type {
	REQ_HELLO = 1,
	REQ_LOOKUP,
	REQ_VERIFY,
	REQ_RECORD,
	REQ_CHECK,
	REQ_IMPORT,
	REQ_VERIFY_MESSAGE,
	REQ_DOCTOR
};

struct request {
	int	  type;		/* enum req_type */
	/* The "id" re-serialised compactly (a JSON string or number),
	 * malloc'ed; "null" when absent or invalid. */
	char	 *id_json;
	char	**addresses;	/* lookup, import: malloc'ed copies, in order */
	size_t	  naddresses;
	cJSON	 *root;		/* the parsed request, for later verbs */

	/* "at": the validation time, seconds since the epoch (a number,
	 * or an RFC 3339 UTC string); has_at false means "now". */
	int	  has_at;
	int64_t	  at;
	/* verify, check (required), record (optional). */
	char	 *address;
	/* verify (required), record (required), check (optional): the
	 * base64 "certificate", decoded; verify's "chain" likewise. */
	uint8_t	 *cert;
	size_t	  cert_len;
	uint8_t	**chain;
	size_t	 *chain_len;
	size_t	  nchain;
	/* record: -1 when not given (defaults 3 0 0, no TTL); url: where
	 * the certificate is served, for the _smime TXT line (NULL). */
	int	  usage, selector, matching;
	long	  ttl;
	char	 *url;
	/* import */
	char	 *db;
	int	  dry_run;
	/* lookup, import: "https": false turns the _smime TXT + HTTPS path
	 * off for this request (1 here); true or absent (0) follows the
	 * configuration's https = yes|no. It can only narrow: a request
	 * never turns on what the configuration turned off. */
	int	  https_off;
	/* verify-message: the raw message (base64-decoded) and the address
	 * the client shows as its sender (optional). */
	uint8_t	 *message;
	size_t	  message_len;
	char	 *from;
};

/*
 * Decodes buf[0..len) into *out (which it initialises first).
 * Returns 0 on success. Returns a positive value for a bad request with
 * *code set to a stable string and *message to static human text:
 *   "empty-frame"        zero-length body
 *   "bad-utf8"           not well-formed UTF-8 (RFC 3629, RFC 8259 8.1)
 *   "too-deep"           nesting deeper than DS_MAX_JSON_DEPTH
 *   "too-many-values"    more than DS_MAX_JSON_VALUES JSON values
 *   "bad-string"         raw control character, \u0000 or unpaired
 *                        surrogate escape in a string (RFC 8259 7, 8.2)
 *   "bad-json"           not one JSON text (RFC 8259 2)
 *   "duplicate-key"      a member name repeated in an object
 *   "not-object"         top level is not an object
 *   "missing-field"      "type", or a verb's required field, absent
 *   "bad-field"          a field has the wrong type or value
 *   "unknown-type"       "type" names no verb
 *   "too-many-addresses" lookup with more than DS_MAX_ADDRESSES
 * On a bad request, out->id_json still holds the id when it could be
 * read (so the error reply can echo it), else "null"; out->type is set
 * if "type" named a known verb (0 otherwise); out->root is NULL.
 * Returns -1 on out of memory.
 * In every case the caller calls request_free(out).
 */
int	request_decode(const char *buf, size_t len, struct request *out,
	    const char **code, const char **message);

/* The lexical pre-scan alone (UTF-8, depth, values, strings, full
 * RFC 8259 syntax): 0 if buf[0..len) is one JSON text that cJSON parses
 * to the same value, else 1 with *code and *message as above. */
int	request_json_check(const char *buf, size_t len, const char **code,
	    const char **message);

/* Releases everything in r (not r itself); r may be NULL. */
void	request_free(struct request *r);

/* The JSON name of a type ("lookup"), or NULL. */
const char *request_type_name(int type);

#endif
