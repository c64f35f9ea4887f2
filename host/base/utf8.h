/* utf8.h - UTF-8 validation and sanitising for text we did not write.
 *
 * cJSON does not validate UTF-8 and certificates, DNS and mail carry
 * hostile bytes, so every string that reaches JSON or a terminal goes
 * through one of these first.
 */
#ifndef DS_UTF8_H
#define DS_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes one UTF-8 sequence at s[0..len). Returns its length (1-4) and
 * sets *cp, or 0 if the bytes there are not a well-formed sequence
 * (RFC 3629 4: overlong forms, surrogates, > U+10FFFF, truncation).
 * len must be > 0. */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);

/* True if cp is a control character: C0 (incl. NUL), DEL or C1. */
bool utf8_is_control(uint32_t cp);

/* Returns true if s[0..len) is well-formed UTF-8 (RFC 3629: no overlongs,
 * no surrogates, <= U+10FFFF). The empty string is valid. */
bool utf8_valid(const char *s, size_t len);

/* Same, and additionally rejects NUL and C0/C1 control characters and DEL. */
bool utf8_valid_text(const char *s, size_t len);

/* Copies src[0..len) into a malloc'ed NUL-terminated string that is valid
 * UTF-8 without control characters: each byte that does not start a
 * well-formed sequence, and each control character, becomes '?'.
 * The result is never longer than len. NULL on OOM. For display of
 * hostile text; the caller frees. */
char *utf8_sanitize(const char *src, size_t len);

/* Largest n <= len such that s[0..n) does not end inside a multi-byte
 * sequence: for cutting sanitised text to a size limit. */
size_t utf8_truncate(const char *s, size_t len);

#endif
