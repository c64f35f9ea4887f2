/* encode.h - base64 (RFC 4648 4) and hex, both directions.
 *
 * Decoders take untrusted text (PEM bodies, JSON fields, zone data) and
 * are strict: they accept exactly one canonical encoding, apart from
 * skipping line breaks and blanks.
 */
#ifndef DS_ENCODE_H
#define DS_ENCODE_H

#include <stddef.h>
#include <stdint.h>

/* RFC 4648 4 base64 with padding and no line breaks. Returns a malloc'ed
 * NUL-terminated string (the caller frees), NULL on OOM or overflow. */
char *b64_encode(const uint8_t *p, size_t n);
/* The length of that encoding (no NUL), 0 for n = 0 and on overflow. */
size_t b64_encoded_len(size_t n);
/* Writes exactly b64_encoded_len(n) bytes to out (no NUL), for callers
 * that encode into a buffer of their own (jsonw). */
void b64_encode_to(char *out, const uint8_t *p, size_t n);

/* Decodes s[0..n) (need not be NUL-terminated). CR, LF, space and tab are
 * skipped so PEM bodies decode; anything else outside the alphabet, a
 * missing or misplaced '=', or non-zero pad bits (RFC 4648 3.5) is bad
 * input. On success *out is a malloc'ed buffer (never NULL, even for an
 * empty result) of *outlen bytes that the caller frees.
 * Returns 0 ok, 1 bad input, -1 OOM; *out is untouched unless 0. */
int b64_decode(const char *s, size_t n, uint8_t **out, size_t *outlen);

/* Lowercase hex of p[0..n) into out, which has room for 2n+1 bytes;
 * always NUL-terminated. */
/* The value of one hex digit (either case), or -1. */
int hex_value(int c);
void hex_encode(const uint8_t *p, size_t n, char *out);

/* Decodes hex s[0..n), either case. CR, LF, space and tab between digits
 * are skipped (RFC 6698 2.2 presentation form allows blanks in the data);
 * an odd number of digits or any other character is bad input.
 * On success *out is a malloc'ed buffer (never NULL) of *outlen bytes.
 * Returns 0 ok, 1 bad input, -1 OOM; *out is untouched unless 0. */
int hex_decode(const char *s, size_t n, uint8_t **out, size_t *outlen);

#endif
