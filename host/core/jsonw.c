/* jsonw.c - append-only JSON writer; see jsonw.h. */
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "jsonw.h"

#define JSONW_MIN_CAP 4096

void
jsonw_init(struct jsonw *w, size_t max)
{
	memset(w, 0, sizeof(*w));
	w->limit = max;
}

void
jsonw_free(struct jsonw *w)
{
	if (w == NULL)
		return;
	free(w->buf);
	jsonw_init(w, 0);
}

void
jsonw_restart(struct jsonw *w, size_t max)
{
	w->err = JSONW_OK;
	w->depth = 0;
	w->need_comma = w->after_key = w->done = false;
	w->limit = max > SIZE_MAX - w->len ? SIZE_MAX : w->len + max;
}

void
jsonw_truncate(struct jsonw *w, size_t len)
{
	if (len < w->len)
		w->len = len;
	w->depth = 0;
	w->need_comma = w->after_key = w->done = false;
}

int
jsonw_error(const struct jsonw *w)
{
	return w->err;
}

bool
jsonw_complete(const struct jsonw *w)
{
	return w->err == JSONW_OK && w->done && w->depth == 0;
}

/* Room for n more bytes: 0, or -1 with the error set. */
static int
reserve(struct jsonw *w, size_t n)
{
	size_t cap;
	char *nb;

	if (w->err != JSONW_OK)
		return -1;
	if (w->len > w->limit || n > w->limit - w->len) {
		w->err = JSONW_E_LIMIT;
		return -1;
	}
	if (n <= w->cap - w->len)
		return 0;
	/* Doubling keeps appends amortised O(1); the limit check above
	 * bounds len + n, so the sum cannot overflow. */
	cap = w->cap ? w->cap : JSONW_MIN_CAP;
	while (cap - w->len < n)
		cap = cap > SIZE_MAX / 2 ? w->len + n : cap * 2;
	if ((nb = realloc(w->buf, cap)) == NULL) {
		w->err = JSONW_E_NOMEM;
		return -1;
	}
	w->buf = nb;
	w->cap = cap;
	return 0;
}

static void
put(struct jsonw *w, const void *p, size_t n)
{
	if (reserve(w, n) < 0)
		return;
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static void
putc1(struct jsonw *w, char c)
{
	if (reserve(w, 1) < 0)
		return;
	w->buf[w->len++] = c;
}

void
jsonw_bytes(struct jsonw *w, const void *p, size_t n)
{
	put(w, p, n);
}

/* Where a value may go, and the comma before it. Returns 0, or -1 (the
 * error is set) when no value may be written here. */
static int
value_start(struct jsonw *w)
{
	if (w->err != JSONW_OK)
		return -1;
	if (w->depth == 0) {
		if (w->done) {
			w->err = JSONW_E_USAGE;
			return -1;
		}
		return 0;
	}
	if (w->is_object[w->depth - 1]) {
		/* In an object a value needs its key first. */
		if (!w->after_key) {
			w->err = JSONW_E_USAGE;
			return -1;
		}
		w->after_key = false;
		return 0;
	}
	if (w->need_comma)
		putc1(w, ',');
	return w->err == JSONW_OK ? 0 : -1;
}

/* After a scalar or a closed container. */
static void
value_end(struct jsonw *w)
{
	if (w->depth == 0)
		w->done = true;
	else
		w->need_comma = true;
}

static void
container_open(struct jsonw *w, uint8_t object, char c)
{
	if (value_start(w) < 0)
		return;
	if (w->depth >= DS_MAX_JSON_DEPTH) {
		w->err = JSONW_E_USAGE;
		return;
	}
	putc1(w, c);
	if (w->err != JSONW_OK)
		return;
	w->is_object[w->depth++] = object;
	w->need_comma = false;
}

static void
container_close(struct jsonw *w, uint8_t object, char c)
{
	if (w->err != JSONW_OK)
		return;
	if (w->depth == 0 || w->is_object[w->depth - 1] != object ||
	    w->after_key) {
		w->err = JSONW_E_USAGE;
		return;
	}
	putc1(w, c);
	w->depth--;
	value_end(w);
}

void
jsonw_object_begin(struct jsonw *w)
{
	container_open(w, 1, '{');
}

void
jsonw_object_end(struct jsonw *w)
{
	container_close(w, 1, '}');
}

void
jsonw_array_begin(struct jsonw *w)
{
	container_open(w, 0, '[');
}

void
jsonw_array_end(struct jsonw *w)
{
	container_close(w, 0, ']');
}

/* Bytes that cJSON 1.7.15 (print_string_ptr) copies as they are: all but
 * '"', '\\' and the C0 controls. Every byte >= 0x80 is copied too. */
static inline bool
plain(unsigned char c)
{
	return c >= 0x20 && c != '"' && c != '\\';
}

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL

/* True if none of the 8 bytes in x needs escaping: no byte below 0x20
 * and none equal to '"' or '\\' (the exact "has a byte less than n" and
 * "has a zero byte" word tests; bytes >= 0x80 never match). Most text
 * needs no escape at all, so the scan goes a word at a time. */
static inline bool
word_plain(uint64_t x)
{
	uint64_t lt = (x - ONES * 0x20) & ~x & HIGHS;
	uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');

	q = (q - ONES) & ~q & HIGHS;
	b = (b - ONES) & ~b & HIGHS;
	return (lt | q | b) == 0;
}

/* "p[0..n)" with cJSON's escaping. The caller has reserved n + 2 bytes
 * (the quotes and the bytes as they are, the common case): plain runs
 * are copied with no further check, and each escape reserves room for
 * itself, the rest of the input and the closing quote, so that the
 * remaining room always covers what is left. */
static void
quoted_n(struct jsonw *w, const unsigned char *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, j;
	uint64_t x;
	char esc[6];
	size_t elen;

	w->buf[w->len++] = '"';
	for (;;) {
		for (j = i; n - j >= 8; j += 8) {
			memcpy(&x, p + j, 8);
			if (!word_plain(x))
				break;
		}
		while (j < n && plain(p[j]))
			j++;
		memcpy(w->buf + w->len, p + i, j - i);
		w->len += j - i;
		if (j == n)
			break;
		esc[0] = '\\';
		elen = 2;
		switch (p[j]) {
		case '"':
			esc[1] = '"';
			break;
		case '\\':
			esc[1] = '\\';
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			/* cJSON: sprintf("u%04x"): always 00xx here. */
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hex[p[j] >> 4];
			esc[5] = hex[p[j] & 0xf];
			elen = 6;
			break;
		}
		/* The escape replaces p[j]; n - j - 1 bytes and the quote
		 * follow (n - j < SIZE_MAX - 6: it fitted in memory). */
		if (reserve(w, elen + (n - j)) < 0)
			return;
		memcpy(w->buf + w->len, esc, elen);
		w->len += elen;
		i = j + 1;
	}
	w->buf[w->len++] = '"';
}

/* "s" with cJSON's escaping. */
static void
quoted(struct jsonw *w, const char *s)
{
	size_t n = strlen(s);

	if (n > SIZE_MAX - 2 || reserve(w, n + 2) < 0)
		return;
	quoted_n(w, (const unsigned char *)s, n);
}

/* Whether a member name may go here: inside an object, no key pending. */
static int
key_start(struct jsonw *w)
{
	if (w->err != JSONW_OK)
		return -1;
	if (w->depth == 0 || !w->is_object[w->depth - 1] || w->after_key) {
		w->err = JSONW_E_USAGE;
		return -1;
	}
	return 0;
}

/* `,"key":` (the comma if a member precedes) into room reserved by the
 * caller: n + 4 bytes. */
static void
key_put(struct jsonw *w, const char *key, size_t n)
{
	char *d = w->buf + w->len;

	if (w->need_comma)
		*d++ = ',';
	*d++ = '"';
	memcpy(d, key, n);
	d += n;
	*d++ = '"';
	*d++ = ':';
	w->len = (size_t)(d - w->buf);
}

void
jsonw_key_len(struct jsonw *w, const char *key, size_t n)
{
	if (key == NULL) {
		if (w->err == JSONW_OK)
			w->err = JSONW_E_USAGE;
		return;
	}
	if (key_start(w) < 0 || n > SIZE_MAX - 4 || reserve(w, n + 4) < 0)
		return;
	key_put(w, key, n);
	w->after_key = true;
}

void
jsonw_key(struct jsonw *w, const char *key)
{
	size_t n, i;

	if (key == NULL) {
		if (w->err == JSONW_OK)
			w->err = JSONW_E_USAGE;
		return;
	}
	if (key_start(w) < 0)
		return;
	/* A key that needs no escaping goes the fast way, else the
	 * general one. */
	n = strlen(key);
	for (i = 0; i < n && plain((unsigned char)key[i]); i++)
		;
	if (i == n) {
		jsonw_key_len(w, key, n);
		return;
	}
	if (w->need_comma)
		putc1(w, ',');
	quoted(w, key);
	putc1(w, ':');
	w->after_key = true;
}

void
jsonw_string(struct jsonw *w, const char *s)
{
	if (s == NULL) {
		if (w->err == JSONW_OK)
			w->err = JSONW_E_USAGE;
		return;
	}
	if (value_start(w) < 0)
		return;
	quoted(w, s);
	value_end(w);
}

void
jsonw_member_string(struct jsonw *w, const char *key, size_t kn,
    const char *s)
{
	size_t n;

	if (key == NULL) {
		jsonw_string(w, s);
		return;
	}
	if (s == NULL) {
		if (w->err == JSONW_OK)
			w->err = JSONW_E_USAGE;
		return;
	}
	if (key_start(w) < 0)
		return;
	n = strlen(s);
	/* Both lengths are of objects in memory: kn + n + 6 cannot wrap
	 * unless they are absurd, which the first test refuses. */
	if (kn > SIZE_MAX / 2 - 6 || n > SIZE_MAX / 2 ||
	    reserve(w, kn + 4 + n + 2) < 0) {
		if (w->err == JSONW_OK)
			w->err = JSONW_E_LIMIT;
		return;
	}
	key_put(w, key, kn);
	quoted_n(w, (const unsigned char *)s, n);
	value_end(w);
}

/*
 * Base64 (RFC 4648 4, as b64_encode_to) with two output characters per
 * table lookup: 12 input bits index a table of character pairs, built on
 * first use (the host writes JSON from its one thread). A certificate's
 * DER is most of a result's bytes, so this halves the work of the largest
 * field.
 */
static void
b64_pairs(char *out, const uint8_t *p, size_t n)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	static char pairs[4096][2];
	static bool built;
	size_t i = 0, o = 0;
	uint32_t v;

	if (!built) {
		for (i = 0; i < 4096; i++) {
			pairs[i][0] = alpha[i >> 6];
			pairs[i][1] = alpha[i & 0x3f];
		}
		built = true;
	}
#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* 6 input bytes (4 pairs) per step from one 8-byte load while 8
	 * bytes are left to read: the big-endian value's top 48 bits. */
	for (i = 0; n - i >= 8; i += 6) {
		uint64_t x;

		memcpy(&x, p + i, 8);
		x = __builtin_bswap64(x);
		memcpy(out + o, pairs[x >> 52], 2);
		memcpy(out + o + 2, pairs[x >> 40 & 0xfff], 2);
		memcpy(out + o + 4, pairs[x >> 28 & 0xfff], 2);
		memcpy(out + o + 6, pairs[x >> 16 & 0xfff], 2);
		o += 8;
	}
#else
	i = 0;
#endif
	for (; i + 3 <= n; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		memcpy(out + o, pairs[v >> 12], 2);
		memcpy(out + o + 2, pairs[v & 0xfff], 2);
		o += 4;
	}
	if (n > i)	/* 1 or 2 bytes left: the padded tail */
		b64_encode_to(out + o, p + i, n - i);
}

void
jsonw_base64(struct jsonw *w, const uint8_t *p, size_t n)
{
	size_t len = b64_encoded_len(n);

	if (len == 0 && n != 0) {
		if (w->err == JSONW_OK)
			w->err = JSONW_E_LIMIT;
		return;
	}
	if (value_start(w) < 0 || len > SIZE_MAX - 2 || reserve(w, len + 2) < 0)
		return;
	w->buf[w->len++] = '"';
	b64_pairs(w->buf + w->len, p, n);
	w->len += len;
	w->buf[w->len++] = '"';
	value_end(w);
}

void
jsonw_member_hex(struct jsonw *w, const char *key, size_t kn,
    const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char *d;
	size_t i;

	if (key != NULL) {
		if (key_start(w) < 0)
			return;
	} else if (value_start(w) < 0)
		return;
	if (n > (SIZE_MAX - 6) / 2 || kn > SIZE_MAX - 6 - 2 * n ||
	    reserve(w, (key != NULL ? kn + 4 : 0) + 2 * n + 2) < 0) {
		if (w->err == JSONW_OK)
			w->err = JSONW_E_LIMIT;
		return;
	}
	if (key != NULL)
		key_put(w, key, kn);
	d = w->buf + w->len;
	*d++ = '"';
	for (i = 0; i < n; i++) {
		*d++ = digits[p[i] >> 4];
		*d++ = digits[p[i] & 0xf];
	}
	*d++ = '"';
	w->len = (size_t)(d - w->buf);
	value_end(w);
}

/* Decimal digits of v at the end of buf[0..20); returns where they
 * start. No printf: this runs a dozen times per result. */
static char *
digits(char buf[20], uint64_t v)
{
	char *p = buf + 20;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	return p;
}

void
jsonw_uint(struct jsonw *w, uint64_t v)
{
	char buf[20], *p;

	if (value_start(w) < 0)
		return;
	p = digits(buf, v);
	put(w, p, (size_t)(buf + sizeof(buf) - p));
	value_end(w);
}

void
jsonw_int(struct jsonw *w, int64_t v)
{
	char buf[21], *p;
	uint64_t u;

	if (value_start(w) < 0)
		return;
	/* The magnitude as unsigned: -INT64_MIN does not fit int64_t. */
	u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	p = digits(buf + 1, u);
	if (v < 0)
		*--p = '-';
	put(w, p, (size_t)(buf + sizeof(buf) - p));
	value_end(w);
}

void
jsonw_member_int(struct jsonw *w, const char *key, size_t kn, int64_t v)
{
	char buf[21], *p;
	uint64_t u;
	size_t n;

	if (key == NULL) {
		jsonw_int(w, v);
		return;
	}
	if (key_start(w) < 0)
		return;
	u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	p = digits(buf + 1, u);
	if (v < 0)
		*--p = '-';
	n = (size_t)(buf + sizeof(buf) - p);
	if (kn > SIZE_MAX - 4 - sizeof(buf) || reserve(w, kn + 4 + n) < 0) {
		if (w->err == JSONW_OK)
			w->err = JSONW_E_LIMIT;
		return;
	}
	key_put(w, key, kn);
	if (n == 1)	/* most numbers in a result are one digit */
		w->buf[w->len] = *p;
	else
		memcpy(w->buf + w->len, p, n);
	w->len += n;
	value_end(w);
}

void
jsonw_bool(struct jsonw *w, bool v)
{
	if (value_start(w) < 0)
		return;
	if (v)
		put(w, "true", 4);
	else
		put(w, "false", 5);
	value_end(w);
}

void
jsonw_null(struct jsonw *w)
{
	if (value_start(w) < 0)
		return;
	put(w, "null", 4);
	value_end(w);
}

void
jsonw_raw(struct jsonw *w, const char *json)
{
	if (json == NULL) {
		if (w->err == JSONW_OK)
			w->err = JSONW_E_USAGE;
		return;
	}
	if (value_start(w) < 0)
		return;
	put(w, json, strlen(json));
	value_end(w);
}
