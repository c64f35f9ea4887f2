/* encode.c - base64 and hex; see encode.h. */
#include <stdbool.h>
#include <stdlib.h>

#include "encode.h"

static const char b64_alpha[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static bool
is_blank(char c)
{
	return c == '\r' || c == '\n' || c == ' ' || c == '\t';
}

size_t
b64_encoded_len(size_t n)
{
	size_t groups = n / 3 + (n % 3 != 0);

	return groups > SIZE_MAX / 4 ? 0 : groups * 4;
}

void
b64_encode_to(char *out, const uint8_t *p, size_t n)
{
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = b64_alpha[v >> 18 & 0x3f];
		out[o++] = b64_alpha[v >> 12 & 0x3f];
		out[o++] = b64_alpha[v >> 6 & 0x3f];
		out[o++] = b64_alpha[v & 0x3f];
	}
	if (n - i == 1) {
		v = (uint32_t)p[i] << 16;
		out[o++] = b64_alpha[v >> 18 & 0x3f];
		out[o++] = b64_alpha[v >> 12 & 0x3f];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		out[o++] = b64_alpha[v >> 18 & 0x3f];
		out[o++] = b64_alpha[v >> 12 & 0x3f];
		out[o++] = b64_alpha[v >> 6 & 0x3f];
		out[o++] = '=';
	}
}

char *
b64_encode(const uint8_t *p, size_t n)
{
	size_t len = b64_encoded_len(n);
	char *out;

	if ((len == 0 && n != 0) || len == SIZE_MAX ||
	    (out = malloc(len + 1)) == NULL)
		return NULL;
	b64_encode_to(out, p, n);
	out[len] = '\0';
	return out;
}

static int
b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
b64_decode(const char *s, size_t n, uint8_t **out, size_t *outlen)
{
	uint8_t *buf;
	size_t i, o = 0, q = 0, pad = 0;
	uint32_t acc = 0;
	int v;

	/* Every 4 characters give at most 3 bytes: n / 4 * 3 + 3 bounds it
	 * whatever blanks are skipped, and cannot overflow. */
	if ((buf = malloc(n / 4 * 3 + 3)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (is_blank(s[i]))
			continue;
		if (s[i] == '=') {
			/* '=' only in the last one or two places of a quantum
			 * (RFC 4648 4); only more '=' and blanks may follow. */
			if (q < 2)
				goto bad;
			pad++;
			q++;
			if (q == 4) {
				q = 0;
				break;
			}
			continue;
		}
		if (pad > 0 || (v = b64_value(s[i])) < 0)
			goto bad;
		acc = acc << 6 | (uint32_t)v;
		if (++q == 4) {
			buf[o++] = (uint8_t)(acc >> 16);
			buf[o++] = (uint8_t)(acc >> 8);
			buf[o++] = (uint8_t)acc;
			acc = 0;
			q = 0;
		}
	}
	/* Padding is required: the input must end on a whole quantum. */
	if (q != 0)
		goto bad;
	for (i++; i < n; i++)
		if (!is_blank(s[i]))
			goto bad;
	if (pad == 1) {
		/* 3 symbols = 18 bits = 2 bytes + 2 pad bits, which must be
		 * zero (RFC 4648 3.5) so the encoding is canonical. */
		if ((acc & 0x3) != 0)
			goto bad;
		acc >>= 2;
		buf[o++] = (uint8_t)(acc >> 8);
		buf[o++] = (uint8_t)acc;
	} else if (pad == 2) {
		if ((acc & 0xf) != 0)
			goto bad;
		acc >>= 4;
		buf[o++] = (uint8_t)acc;
	}
	*out = buf;
	*outlen = o;
	return 0;
bad:
	free(buf);
	return 1;
}

void
hex_encode(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}

int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
hex_decode(const char *s, size_t n, uint8_t **out, size_t *outlen)
{
	uint8_t *buf;
	size_t i, o = 0;
	int v, hi = -1;

	if ((buf = malloc(n / 2 + 1)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (is_blank(s[i]))
			continue;
		if ((v = hex_value(s[i])) < 0)
			goto bad;
		if (hi < 0)
			hi = v;
		else {
			buf[o++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	if (hi >= 0)
		goto bad;
	*out = buf;
	*outlen = o;
	return 0;
bad:
	free(buf);
	return 1;
}
