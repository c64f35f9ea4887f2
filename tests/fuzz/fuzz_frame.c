/* fuzz_frame.c - the native-messaging frame reader (host/core/frame.c).
 *
 * Input: byte 0 picks max_len, byte 1 the number k of chunk-size bytes
 * that follow, then the stream. The stream is fed once in one piece and
 * once in chunks whose sizes cycle through those k bytes; both runs
 * must report the same events and frames.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../host/core/frame.h"
#include "dslimits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_EVENTS	256

struct trace {
	int	 n;
	int	 ev[MAX_EVENTS];
	size_t	 len[MAX_EVENTS];
	uint32_t sum[MAX_EVENTS];	/* a cheap digest of the body */
	int	 mid;			/* mid_frame at the end */
	uint32_t skipping;
};

static uint32_t
digest(const char *p, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (uint8_t)p[i]) * 16777619u;
	return h;
}

static void
run(const uint8_t *s, size_t n, size_t max_len, const uint8_t *sizes,
    size_t k, struct trace *t)
{
	struct frame_reader fr;
	size_t off = 0, end, used, l, j = 0;
	int ev;
	char *f;

	memset(t, 0, sizeof(*t));
	frame_reader_init(&fr, max_len);
	while (off < n) {
		end = k == 0 ? n : off + (size_t)sizes[j++ % k] + 1;
		if (end > n)
			end = n;
		while (off < end) {
			used = frame_feed(&fr, s + off, end - off, &ev, &f, &l);
			if (used == (size_t)-1 || used > end - off)
				abort();
			if (used == 0 && ev == FRAME_NONE)
				abort();	/* no progress */
			off += used;
			if (ev == FRAME_READY) {
				if (f == NULL || l == 0 || l > max_len ||
				    f[l] != '\0')
					abort();
			} else if (f != NULL || l != 0)
				abort();
			if (ev != FRAME_NONE && t->n < MAX_EVENTS) {
				t->ev[t->n] = ev;
				t->len[t->n] = l;
				t->sum[t->n] = f != NULL ? digest(f, l) : 0;
				t->n++;
			}
			free(f);
			/* Memory follows the data that arrived. */
			if (fr.cap > 2 * off + DS_FRAME_CHUNK)
				abort();
		}
	}
	t->mid = frame_reader_mid_frame(&fr);
	t->skipping = frame_reader_skipping(&fr);
	frame_reader_free(&fr);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct trace a, b;
	size_t max_len, k;

	if (size < 2)
		return 0;
	/* Small limits reach FRAME_TOO_LARGE; 255 is the real one. */
	max_len = data[0] == 255 ? DS_MAX_REQUEST_BYTES : (size_t)data[0] * 3;
	k = data[1] % 16;
	if (size - 2 < k)
		return 0;
	run(data + 2 + k, size - 2 - k, max_len, NULL, 0, &a);
	run(data + 2 + k, size - 2 - k, max_len, data + 2, k, &b);
	if (a.n != b.n || a.mid != b.mid || a.skipping != b.skipping ||
	    memcmp(a.ev, b.ev, sizeof(a.ev)) != 0 ||
	    memcmp(a.len, b.len, sizeof(a.len)) != 0 ||
	    memcmp(a.sum, b.sum, sizeof(a.sum)) != 0)
		abort();
	return 0;
}
