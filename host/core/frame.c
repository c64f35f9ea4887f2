/* frame.c - native-messaging framing; see frame.h. */
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "dslimits.h"

void
frame_reader_init(struct frame_reader *fr, size_t max_len)
{
	memset(fr, 0, sizeof(*fr));
	fr->max_len = max_len;
}

void
frame_reader_free(struct frame_reader *fr)
{
	if (fr == NULL)
		return;
	free(fr->buf);
	fr->buf = NULL;
	fr->have = fr->cap = 0;
	fr->in_body = false;
	fr->hdrlen = 0;
	fr->skip = 0;
}

bool
frame_reader_mid_frame(const struct frame_reader *fr)
{
	return fr->hdrlen > 0 || fr->in_body || fr->skip > 0;
}

uint32_t
frame_reader_skipping(const struct frame_reader *fr)
{
	return fr->skip;
}

int
frame_header(size_t len, uint8_t out[4])
{
	uint32_t v;

	if (len > DS_MAX_REPLY_BYTES)
		return -1;
	/* The protocol uses the host's own byte order, not network order. */
	v = (uint32_t)len;
	memcpy(out, &v, sizeof(v));
	return 0;
}

/*
 * Makes room for need body bytes plus the NUL. Grows geometrically but
 * never past the announced length, and never by more than what arrived
 * plus one DS_FRAME_CHUNK: the length prefix alone allocates nothing big.
 */
static int
frame_reserve(struct frame_reader *fr, size_t need)
{
	size_t ncap, full;
	char *nbuf;

	/* need <= want <= UINT32_MAX, so need + 1 cannot overflow size_t
	 * on any platform where size_t is at least 32 bits wide... */
	full = (size_t)fr->want + 1;
	if (full == 0)		/* ...but stay honest on exotic ones. */
		return -1;
	if (need + 1 <= fr->cap)
		return 0;
	ncap = fr->cap < DS_FRAME_CHUNK ? DS_FRAME_CHUNK : fr->cap;
	while (ncap < need + 1) {
		if (ncap > SIZE_MAX / 2) {
			ncap = need + 1;
			break;
		}
		ncap *= 2;
	}
	if (ncap > full)
		ncap = full;
	if ((nbuf = realloc(fr->buf, ncap)) == NULL)
		return -1;
	fr->buf = nbuf;
	fr->cap = ncap;
	return 0;
}

size_t
frame_feed(struct frame_reader *fr, const uint8_t *p, size_t n, int *ev,
    char **frame, size_t *len)
{
	size_t used = 0, take;
	uint32_t v;

	*ev = FRAME_NONE;
	*frame = NULL;
	*len = 0;

	while (used < n) {
		if (fr->skip > 0) {
			take = n - used;
			if (take > fr->skip)
				take = fr->skip;
			fr->skip -= (uint32_t)take;
			used += take;
			continue;
		}
		if (!fr->in_body) {
			take = sizeof(fr->hdr) - fr->hdrlen;
			if (take > n - used)
				take = n - used;
			memcpy(fr->hdr + fr->hdrlen, p + used, take);
			fr->hdrlen += take;
			used += take;
			if (fr->hdrlen < sizeof(fr->hdr))
				continue;
			fr->hdrlen = 0;
			memcpy(&v, fr->hdr, sizeof(v));
			if (v == 0) {
				*ev = FRAME_EMPTY;
				return used;
			}
			if (v > fr->max_len) {
				fr->skip = v;
				*ev = FRAME_TOO_LARGE;
				return used;
			}
			fr->want = v;
			fr->have = 0;
			fr->in_body = true;
			continue;
		}
		take = fr->want - fr->have;
		if (take > n - used)
			take = n - used;
		if (frame_reserve(fr, fr->have + take) == -1)
			return (size_t)-1;
		memcpy(fr->buf + fr->have, p + used, take);
		fr->have += take;
		used += take;
		if (fr->have < fr->want)
			continue;
		/* frame_reserve capped cap at want + 1: room for the NUL. */
		fr->buf[fr->have] = '\0';
		*frame = fr->buf;
		*len = fr->have;
		*ev = FRAME_READY;
		fr->buf = NULL;
		fr->have = fr->cap = 0;
		fr->want = 0;
		fr->in_body = false;
		return used;
	}
	return used;
}
