/* reader.h - the one bounded reader for untrusted bytes.
 *
 * Every parser of data we did not produce (DNS messages, SMIMEA RDATA,
 * native-messaging frames, certificate extensions) goes through this
 * struct. Every fetch checks what is left first and fails without
 * moving the cursor, so a short buffer can never be over-read.
 */
#ifndef DS_READER_H
#define DS_READER_H

#include <stddef.h>
#include <stdint.h>

struct reader {
	const uint8_t *data;
	size_t len;
	size_t off;
};

/*
 * All fetchers return 0 on success, -1 if fewer bytes remain than asked.
 *
 * Defined here as C99 inline functions: the DNS and DER parsers call them
 * once per octet or field (a tenth of a bulk lookup's instructions were
 * these calls), so the compiler may expand them in place; reader.c holds
 * the one external definition of each (C11 6.7.4), for calls it does not
 * expand.
 */
inline void
rd_init(struct reader *r, const uint8_t *data, size_t len)
{
	r->data = data;
	r->len = data != NULL ? len : 0;
	r->off = 0;
}

inline size_t
rd_left(const struct reader *r)
{
	return r->len - r->off;
}

inline int
rd_u8(struct reader *r, uint8_t *out)
{
	if (rd_left(r) < 1)
		return -1;
	*out = r->data[r->off++];
	return 0;
}

/* network byte order */
inline int
rd_u16(struct reader *r, uint16_t *out)
{
	if (rd_left(r) < 2)
		return -1;
	*out = (uint16_t)((unsigned)r->data[r->off] << 8 | r->data[r->off + 1]);
	r->off += 2;
	return 0;
}

/* network byte order */
inline int
rd_u32(struct reader *r, uint32_t *out)
{
	const uint8_t *p;

	if (rd_left(r) < 4)
		return -1;
	p = r->data + r->off;
	*out = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
	r->off += 4;
	return 0;
}

/* Points *out at the next n bytes (no copy) and advances past them. */
inline int
rd_bytes(struct reader *r, size_t n, const uint8_t **out)
{
	if (rd_left(r) < n)
		return -1;
	*out = r->data + r->off;
	r->off += n;
	return 0;
}

inline int
rd_skip(struct reader *r, size_t n)
{
	if (rd_left(r) < n)
		return -1;
	r->off += n;
	return 0;
}

/* Moves the cursor to an absolute offset <= len. */
inline int
rd_seek(struct reader *r, size_t off)
{
	if (off > r->len)
		return -1;
	r->off = off;
	return 0;
}

/* A sub-reader over the next n bytes; the parent advances past them. */
inline int
rd_sub(struct reader *r, size_t n, struct reader *sub)
{
	const uint8_t *p;

	if (rd_bytes(r, n, &p) < 0)
		return -1;
	rd_init(sub, p, n);
	return 0;
}

#endif
