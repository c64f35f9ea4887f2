/* jsonw.h - an append-only JSON writer into a growable byte buffer.
 *
 * For the hot path (one `result` message per address): the message is
 * written straight into the output buffer instead of building a cJSON
 * tree, printing it and freeing it. The bytes are exactly those
 * cJSON_PrintUnformatted (cJSON 1.7.15) prints for the same values:
 *  - strings and keys escape `"` `\` and \b \f \n \r \t with a backslash,
 *    every other byte below 0x20 as \u00xx (lowercase hex), and copy all
 *    other bytes as they are (no UTF-8 check: the caller makes text valid
 *    UTF-8 first, see utf8.h); a string ends at its first NUL, as in cJSON;
 *  - integers are plain decimal digits, which is what cJSON prints for
 *    every integral number below 1e15 in magnitude ("%1.15g");
 *  - no whitespace; commas and colons are placed by the writer.
 *
 * Errors are sticky: after the first failure (out of memory, the size
 * limit, or a call that would make invalid JSON) every call does nothing,
 * and the caller checks jsonw_error() once at the end.
 *
 * Ownership: the writer owns buf. A caller may take the bytes (buf, len)
 * and must then jsonw_init() the writer again. */
#ifndef DS_JSONW_H
#define DS_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dslimits.h"

enum jsonw_err {
	JSONW_OK = 0,
	JSONW_E_NOMEM = -1,	/* our fault: allocation failed */
	JSONW_E_LIMIT = -2,	/* the value would pass the size limit */
	JSONW_E_USAGE = -3,	/* a call that makes invalid JSON (a bug) */
};

struct jsonw {
	char		*buf;		/* bytes [0, len) written, cap allocated */
	size_t		 len;
	size_t		 cap;
	size_t		 limit;		/* len never passes this */
	int		 err;		/* enum jsonw_err, sticky */
	unsigned	 depth;		/* open objects and arrays */
	bool		 need_comma;	/* a member precedes at this depth */
	bool		 after_key;	/* a key was written, its value is next */
	bool		 done;		/* a complete top-level value is written */
	/* 1 for an object, 0 for an array, per open level */
	uint8_t		 is_object[DS_MAX_JSON_DEPTH];
};

/* An empty writer; nothing is allocated until the first byte. The
 * value(s) written may take up to max bytes (SIZE_MAX: no limit). */
void	 jsonw_init(struct jsonw *w, size_t max);
/* Releases the buffer; w may be NULL. The writer is empty afterwards. */
void	 jsonw_free(struct jsonw *w);

/* Starts a new top-level value after the bytes already in the buffer
 * (which are kept), allowing it at most max more bytes; clears the error
 * and the nesting state. Use jsonw_truncate(w, 0) first to reuse the
 * buffer from its start. */
void	 jsonw_restart(struct jsonw *w, size_t max);
/* Drops the bytes from len on (len <= w->len), e.g. a value that came
 * out too large; the nesting state is cleared, the error is not. */
void	 jsonw_truncate(struct jsonw *w, size_t len);

/* Appends n bytes verbatim, outside the JSON structure (framing, line
 * ends): no separators, no escaping. Counts against the limit. */
void	 jsonw_bytes(struct jsonw *w, const void *p, size_t n);

void	 jsonw_object_begin(struct jsonw *w);
void	 jsonw_object_end(struct jsonw *w);
void	 jsonw_array_begin(struct jsonw *w);
void	 jsonw_array_end(struct jsonw *w);
/* A member name; only directly inside an object, before each value. */
void	 jsonw_key(struct jsonw *w, const char *key);
/* The same for a name of n bytes that needs no escaping (no '"', '\\' or
 * byte below 0x20; not checked here): our own string literals, written
 * with the comma, quotes and colon in one reservation. JSONW_KEY passes a
 * literal with its length from sizeof (a non-literal does not compile);
 * test_jsonw checks that every literal report.c passes is plain. */
void	 jsonw_key_len(struct jsonw *w, const char *key, size_t n);
#define JSONW_KEY(w, lit)	jsonw_key_len((w), "" lit "", sizeof(lit) - 1)

/* Values: at the top level (once), after a key, or in an array. A NULL
 * string is a usage error (cJSON cannot hold one either). */
void	 jsonw_string(struct jsonw *w, const char *s);
void	 jsonw_uint(struct jsonw *w, uint64_t v);
void	 jsonw_int(struct jsonw *w, int64_t v);
void	 jsonw_bool(struct jsonw *w, bool v);
void	 jsonw_null(struct jsonw *w);
/* A member: jsonw_key_len(key, kn) and then the value, with one check of
 * the state and one reservation for the common case. key as for
 * jsonw_key_len; key NULL writes just the value (an array element). */
void	 jsonw_member_string(struct jsonw *w, const char *key, size_t kn,
	    const char *s);
void	 jsonw_member_int(struct jsonw *w, const char *key, size_t kn,
	    int64_t v);
/* A string value holding the RFC 4648 4 base64 of p[0..n), encoded
 * straight into the buffer (base64 needs no JSON escaping). */
void	 jsonw_base64(struct jsonw *w, const uint8_t *p, size_t n);
/* A string value holding the lowercase hex of p[0..n) (as hex_encode),
 * as a member under key (as jsonw_member_string) or, key NULL, alone. */
void	 jsonw_member_hex(struct jsonw *w, const char *key, size_t kn,
	    const uint8_t *p, size_t n);
/* A value the caller serialised already (e.g. a request id printed once
 * by cJSON), copied verbatim: the caller vouches that it is one valid
 * JSON value. NULL is a usage error. */
void	 jsonw_raw(struct jsonw *w, const char *json);

/* JSONW_OK, or the first error. A value is complete when the error is
 * JSONW_OK and jsonw_complete() is true. */
int	 jsonw_error(const struct jsonw *w);
/* True when one whole top-level value has been written since the last
 * init/restart/truncate and no container is left open. */
bool	 jsonw_complete(const struct jsonw *w);

#endif
