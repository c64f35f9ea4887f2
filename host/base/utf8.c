/* utf8.c - UTF-8 validation (RFC 3629); see utf8.h. */
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

size_t
utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const uint8_t *p = (const uint8_t *)s;
	uint32_t c, min;
	size_t n, i;

	if (len == 0)
		return 0;
	c = p[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	/* RFC 3629 4: C0, C1 and F5..FF never appear; 80..BF only continue. */
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and values past U+10FFFF are
	 * ill-formed (RFC 3629 3 and 10: they are how filters get bypassed). */
	if (c < min || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return n;
}

bool
utf8_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/*
 * ASCII fast paths. Most text here (names, addresses, messages) is plain
 * ASCII, for which decoding each code point is wasted work: 8 bytes are
 * tested at once and, if all are ASCII (and for text, none a control),
 * taken as they are; the first word that fails goes through
 * utf8_decode byte by byte as before, so every input gets the same
 * answer as the decoder alone would give.
 */
#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL

/* No byte of x is >= 0x80. */
static inline bool
word_ascii(uint64_t x)
{
	return (x & HIGHS) == 0;
}

/* Every byte of x is printable ASCII, 0x20..0x7e: none >= 0x80, none
 * below 0x20 (the exact "has a byte less than n" test), and none 0x7f
 * (with all bytes <= 0x7f, adding 1 to each carries into no neighbour
 * and sets a high bit exactly where a byte was 0x7f). */
static inline bool
word_ascii_text(uint64_t x)
{
	uint64_t lt = (x - ONES * 0x20) & ~x & HIGHS;

	return ((x | (x + ONES) | lt) & HIGHS) == 0;
}

/* A byte that is a whole, non-control code point by itself. */
static inline bool
ascii_text(unsigned char c)
{
	return c >= 0x20 && c < 0x7f;
}

bool
utf8_valid(const char *s, size_t len)
{
	size_t off = 0, n;
	uint32_t cp;
	uint64_t x;

	while (off < len) {
		for (; len - off >= 8; off += 8) {
			memcpy(&x, s + off, 8);
			if (!word_ascii(x))
				break;
		}
		if (off == len)
			break;
		if ((n = utf8_decode(s + off, len - off, &cp)) == 0)
			return false;
		off += n;
	}
	return true;
}

bool
utf8_valid_text(const char *s, size_t len)
{
	size_t off = 0, n;
	uint32_t cp;
	uint64_t x;

	while (off < len) {
		for (; len - off >= 8; off += 8) {
			memcpy(&x, s + off, 8);
			if (!word_ascii_text(x))
				break;
		}
		if (off == len)
			break;
		if (ascii_text((unsigned char)s[off])) {
			off++;
			continue;
		}
		if ((n = utf8_decode(s + off, len - off, &cp)) == 0 ||
		    utf8_is_control(cp))
			return false;
		off += n;
	}
	return true;
}

char *
utf8_sanitize(const char *src, size_t len)
{
	char *out;
	size_t off = 0, o = 0, n;
	uint32_t cp;
	uint64_t x;

	if (len == SIZE_MAX)
		return NULL;
	if ((out = malloc(len + 1)) == NULL)
		return NULL;
	/* Each replaced unit is one byte in and one '?' out, so the result
	 * never outgrows the input. */
	while (off < len) {
		for (; len - off >= 8; off += 8, o += 8) {
			memcpy(&x, src + off, 8);
			if (!word_ascii_text(x))
				break;
			memcpy(out + o, &x, 8);
		}
		if (off == len)
			break;
		if (ascii_text((unsigned char)src[off])) {
			out[o++] = src[off++];
			continue;
		}
		n = utf8_decode(src + off, len - off, &cp);
		if (n == 0 || utf8_is_control(cp)) {
			out[o++] = '?';
			off += n == 0 ? 1 : n;
			continue;
		}
		memcpy(out + o, src + off, n);
		o += n;
		off += n;
	}
	out[o] = '\0';
	return out;
}

size_t
utf8_truncate(const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t start, n;
	uint32_t cp;

	if (len == 0)
		return 0;
	/* Back up over at most three continuation bytes to a lead byte. */
	start = len - 1;
	while (start > 0 && len - start < 4 && (p[start] & 0xc0) == 0x80)
		start--;
	n = utf8_decode(s + start, len - start, &cp);
	if (n == 0 && (p[start] & 0xc0) != 0x80 && p[start] >= 0x80)
		return start;
	return len;
}
