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

bool
utf8_valid(const char *s, size_t len)
{
	size_t off = 0, n;
	uint32_t cp;

	while (off < len) {
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

	while (off < len) {
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

	if (len == SIZE_MAX)
		return NULL;
	if ((out = malloc(len + 1)) == NULL)
		return NULL;
	/* Each replaced unit is one byte in and one '?' out, so the result
	 * never outgrows the input. */
	while (off < len) {
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
