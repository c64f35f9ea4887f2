/* reader.c - bounded reader; see reader.h. */
#include "reader.h"

void
rd_init(struct reader *r, const uint8_t *data, size_t len)
{
	r->data = data;
	r->len = data != NULL ? len : 0;
	r->off = 0;
}

size_t
rd_left(const struct reader *r)
{
	return r->len - r->off;
}

int
rd_u8(struct reader *r, uint8_t *out)
{
	if (rd_left(r) < 1)
		return -1;
	*out = r->data[r->off++];
	return 0;
}

int
rd_u16(struct reader *r, uint16_t *out)
{
	if (rd_left(r) < 2)
		return -1;
	*out = (uint16_t)((unsigned)r->data[r->off] << 8 | r->data[r->off + 1]);
	r->off += 2;
	return 0;
}

int
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

int
rd_bytes(struct reader *r, size_t n, const uint8_t **out)
{
	if (rd_left(r) < n)
		return -1;
	*out = r->data + r->off;
	r->off += n;
	return 0;
}

int
rd_skip(struct reader *r, size_t n)
{
	if (rd_left(r) < n)
		return -1;
	r->off += n;
	return 0;
}

int
rd_seek(struct reader *r, size_t off)
{
	if (off > r->len)
		return -1;
	r->off = off;
	return 0;
}

int
rd_sub(struct reader *r, size_t n, struct reader *sub)
{
	const uint8_t *p;

	if (rd_bytes(r, n, &p) < 0)
		return -1;
	rd_init(sub, p, n);
	return 0;
}
