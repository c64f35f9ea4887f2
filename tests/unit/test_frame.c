/* test_frame.c - native-messaging framing (host/core/frame.c). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../host/core/frame.h"
#include "dslimits.h"
#include "t.h"

/* Appends a native-endian header plus body to buf at *off. */
static void
put_frame(uint8_t *buf, size_t *off, uint32_t hdr, const char *body, size_t blen)
{
	memcpy(buf + *off, &hdr, 4);
	*off += 4;
	memcpy(buf + *off, body, blen);
	*off += blen;
}

/* Feeds buf in pieces of at most step bytes (and a split at cut, if
 * cut > 0), collecting up to 8 events and frames. Returns events seen. */
struct got {
	int	 ev[16];
	char	*frame[16];
	size_t	 len[16];
	int	 n;
};

static int
feed_all(struct frame_reader *fr, const uint8_t *buf, size_t n, size_t step,
    size_t cut, struct got *g)
{
	size_t off = 0, end, used;
	int ev;
	char *f;
	size_t l;

	while (off < n) {
		end = off + step < n ? off + step : n;
		if (cut > off && cut < end)
			end = cut;
		while (off < end) {
			used = frame_feed(fr, buf + off, end - off, &ev, &f, &l);
			if (used == (size_t)-1)
				return -1;
			if (used == 0 && ev == FRAME_NONE)
				return -1;	/* no progress: a bug */
			off += used;
			if (ev != FRAME_NONE && g->n < 16) {
				g->ev[g->n] = ev;
				g->frame[g->n] = f;
				g->len[g->n] = l;
				g->n++;
			} else
				free(f);
		}
	}
	return g->n;
}

static void
got_free(struct got *g)
{
	int i;

	for (i = 0; i < g->n; i++)
		free(g->frame[i]);
	memset(g, 0, sizeof(*g));
}

static void
test_byte_by_byte(void)
{
	struct frame_reader fr;
	struct got g = { 0 };
	uint8_t buf[64];
	size_t off = 0;

	put_frame(buf, &off, 14, "{\"type\":\"hi\"}x", 14);
	frame_reader_init(&fr, DS_MAX_REQUEST_BYTES);
	CHECK(!frame_reader_mid_frame(&fr));
	CHECK(feed_all(&fr, buf, off, 1, 0, &g) == 1);
	CHECK(g.ev[0] == FRAME_READY);
	CHECK(g.len[0] == 14);
	CHECK(g.frame[0] != NULL && memcmp(g.frame[0], "{\"type\":\"hi\"}x", 14) == 0);
	CHECK(g.frame[0] != NULL && g.frame[0][14] == '\0');
	CHECK(!frame_reader_mid_frame(&fr));
	got_free(&g);
	frame_reader_free(&fr);
}

static void
test_several_in_one(void)
{
	struct frame_reader fr;
	struct got g = { 0 };
	uint8_t buf[128];
	size_t off = 0;

	put_frame(buf, &off, 3, "abc", 3);
	put_frame(buf, &off, 0, "", 0);
	put_frame(buf, &off, 2, "de", 2);
	put_frame(buf, &off, 1, "f", 1);
	frame_reader_init(&fr, 100);
	CHECK(feed_all(&fr, buf, off, off, 0, &g) == 4);
	CHECK(g.ev[0] == FRAME_READY && g.len[0] == 3);
	CHECK_STR(g.frame[0], "abc");
	CHECK(g.ev[1] == FRAME_EMPTY && g.frame[1] == NULL && g.len[1] == 0);
	CHECK(g.ev[2] == FRAME_READY);
	CHECK_STR(g.frame[2], "de");
	CHECK(g.ev[3] == FRAME_READY);
	CHECK_STR(g.frame[3], "f");
	CHECK(!frame_reader_mid_frame(&fr));
	got_free(&g);
	frame_reader_free(&fr);
}

static void
test_split_everywhere(void)
{
	struct frame_reader fr;
	struct got g = { 0 };
	uint8_t buf[128];
	size_t off = 0, cut;
	int bad = 0;

	put_frame(buf, &off, 5, "hello", 5);
	put_frame(buf, &off, 6, "world!", 6);
	for (cut = 1; cut < off; cut++) {
		frame_reader_init(&fr, 100);
		if (feed_all(&fr, buf, off, off, cut, &g) != 2 ||
		    g.ev[0] != FRAME_READY || g.ev[1] != FRAME_READY ||
		    strcmp(g.frame[0], "hello") != 0 ||
		    strcmp(g.frame[1], "world!") != 0 ||
		    frame_reader_mid_frame(&fr))
			bad++;
		got_free(&g);
		frame_reader_free(&fr);
	}
	CHECK(bad == 0);

	/* Mid-frame is visible at each cut point. */
	frame_reader_init(&fr, 100);
	{
		int ev;
		char *f;
		size_t l;

		CHECK(frame_feed(&fr, buf, 2, &ev, &f, &l) == 2 && ev == FRAME_NONE);
		CHECK(frame_reader_mid_frame(&fr));
		CHECK(frame_feed(&fr, buf + 2, 4, &ev, &f, &l) == 4 && ev == FRAME_NONE);
		CHECK(frame_reader_mid_frame(&fr));
		CHECK(frame_feed(&fr, buf + 6, 3, &ev, &f, &l) == 3 && ev == FRAME_READY);
		CHECK(!frame_reader_mid_frame(&fr));
		free(f);
	}
	frame_reader_free(&fr);
}

static void
test_zero_length(void)
{
	struct frame_reader fr;
	uint8_t hdr[4] = { 0, 0, 0, 0 };
	int ev;
	char *f = (char *)1;
	size_t l = 99;

	frame_reader_init(&fr, 100);
	CHECK(frame_feed(&fr, hdr, 4, &ev, &f, &l) == 4);
	CHECK(ev == FRAME_EMPTY && f == NULL && l == 0);
	CHECK(!frame_reader_mid_frame(&fr));
	CHECK(frame_feed(&fr, hdr, 0, &ev, &f, &l) == 0 && ev == FRAME_NONE);
	frame_reader_free(&fr);
}

static void
test_too_large(void)
{
	struct frame_reader fr;
	struct got g = { 0 };
	uint8_t *buf, chunk[4096];
	size_t off = 0, used;
	uint32_t h = 0xFFFFFFFFu, left;
	int ev, bad = 0;
	char *f;
	size_t l;

	frame_reader_init(&fr, DS_MAX_REQUEST_BYTES);
	CHECK(frame_feed(&fr, (uint8_t *)&h, 4, &ev, &f, &l) == 4);
	CHECK(ev == FRAME_TOO_LARGE && f == NULL);
	CHECK(frame_reader_skipping(&fr) == 0xFFFFFFFFu);
	CHECK(frame_reader_mid_frame(&fr));
	CHECK(fr.buf == NULL);		/* the body is never buffered */

	/* Skip all but 10 bytes in 4 KiB chunks: ~1M calls, no events. */
	memset(chunk, 'x', sizeof(chunk));
	left = 0xFFFFFFFFu - 10;
	while (left > 0) {
		size_t n = left < sizeof(chunk) ? left : sizeof(chunk);

		used = frame_feed(&fr, chunk, n, &ev, &f, &l);
		if (used != n || ev != FRAME_NONE || fr.buf != NULL)
			bad++;
		left -= (uint32_t)n;
	}
	CHECK(bad == 0);
	CHECK(frame_reader_skipping(&fr) == 10);

	/* The last 10 body bytes and the next frame arrive together. */
	buf = malloc(64);
	CHECK(buf != NULL);
	if (buf == NULL)
		return;
	memset(buf, 'y', 10);
	off = 10;
	put_frame(buf, &off, 2, "ok", 2);
	CHECK(feed_all(&fr, buf, off, off, 0, &g) == 1);
	CHECK(g.ev[0] == FRAME_READY);
	CHECK_STR(g.frame[0], "ok");
	CHECK(frame_reader_skipping(&fr) == 0);
	CHECK(!frame_reader_mid_frame(&fr));
	got_free(&g);

	/* One past the limit is too large, the limit itself is fine. */
	frame_reader_free(&fr);
	frame_reader_init(&fr, 4);
	off = 0;
	put_frame(buf, &off, 5, "abcde", 5);
	put_frame(buf, &off, 4, "abcd", 4);
	CHECK(feed_all(&fr, buf, off, 3, 0, &g) == 2);
	CHECK(g.ev[0] == FRAME_TOO_LARGE);
	CHECK(g.ev[1] == FRAME_READY);
	CHECK_STR(g.frame[1], "abcd");
	got_free(&g);
	frame_reader_free(&fr);
	free(buf);
}

/* A 64 MiB header and then a trickle: memory follows the data, not the
 * announcement. */
static void
test_lazy_alloc(void)
{
	struct frame_reader fr;
	uint32_t h = DS_MAX_REQUEST_BYTES;
	uint8_t b[100];
	int ev;
	char *f;
	size_t l;

	memset(b, 'z', sizeof(b));
	frame_reader_init(&fr, DS_MAX_REQUEST_BYTES);
	CHECK(frame_feed(&fr, (uint8_t *)&h, 4, &ev, &f, &l) == 4 && ev == FRAME_NONE);
	CHECK(fr.cap == 0);
	CHECK(frame_feed(&fr, b, sizeof(b), &ev, &f, &l) == sizeof(b));
	CHECK(fr.cap <= DS_FRAME_CHUNK);
	CHECK(frame_reader_mid_frame(&fr));
	frame_reader_free(&fr);		/* EOF: frees the partial body */
	CHECK(fr.buf == NULL);
	frame_reader_free(NULL);
}

/* A 1 MiB frame grows its buffer geometrically, ends exactly sized. */
static void
test_big_frame(void)
{
	struct frame_reader fr;
	struct got g = { 0 };
	size_t n = 1024 * 1024 + 7, off = 0, i;
	uint8_t *buf;
	int ok = 1;

	if ((buf = malloc(n + 4)) == NULL) {
		CHECK(0);
		return;
	}
	for (i = 0; i < n; i++)
		buf[4 + i] = (uint8_t)('a' + i % 26);
	memcpy(buf, &(uint32_t){ (uint32_t)n }, 4);
	off = n + 4;
	frame_reader_init(&fr, DS_MAX_REQUEST_BYTES);
	CHECK(feed_all(&fr, buf, off, 1000, 0, &g) == 1);
	CHECK(g.ev[0] == FRAME_READY && g.len[0] == n);
	for (i = 0; g.frame[0] != NULL && i < n; i++)
		if ((uint8_t)g.frame[0][i] != buf[4 + i])
			ok = 0;
	CHECK(ok && g.frame[0] != NULL && g.frame[0][n] == '\0');
	got_free(&g);
	frame_reader_free(&fr);
	free(buf);
}

static void
test_header(void)
{
	uint8_t out[4];
	uint32_t v;

	CHECK(frame_header(0, out) == 0);
	CHECK(frame_header(12345, out) == 0);
	memcpy(&v, out, 4);
	CHECK(v == 12345);
	CHECK(frame_header(DS_MAX_REPLY_BYTES, out) == 0);
	CHECK(frame_header(DS_MAX_REPLY_BYTES + 1, out) == -1);
	CHECK(frame_header(SIZE_MAX, out) == -1);
}

/* Over a pipe: a writer thread sends frames in odd-sized writes, the
 * reader reads in small, short reads. */
struct writer_arg {
	int	 fd;
	uint8_t	*buf;
	size_t	 len;
};

static void *
writer(void *a)
{
	struct writer_arg *w = a;
	size_t off = 0, step = 1;
	ssize_t r;

	while (off < w->len) {
		size_t n = w->len - off < step ? w->len - off : step;

		if ((r = write(w->fd, w->buf + off, n)) <= 0)
			break;
		off += (size_t)r;
		step = step * 3 % 997 + 1;
	}
	close(w->fd);
	return NULL;
}

static void
test_pipe(void)
{
	struct frame_reader fr;
	struct writer_arg w;
	pthread_t th;
	uint8_t *buf, rb[7];
	size_t off = 0, i, nframes = 0, rsz = 1, pos, used;
	int fds[2], ev, bad = 0, nempty = 0, nlarge = 0;
	char body[600], *f;
	size_t l;
	ssize_t r;

	if (pipe(fds) != 0 || (buf = malloc(200000)) == NULL) {
		CHECK(0);
		return;
	}
	/* 200 frames of growing size, every 50th empty, every 70th too
	 * large for a 500-byte limit. */
	memset(body, '-', sizeof(body));
	for (i = 0; i < 200; i++) {
		size_t blen = (i * 37) % 600;

		if (i % 50 == 0)
			blen = 0;
		memset(body, (int)('A' + i % 26), blen);
		if (i % 70 == 1)
			blen = 550;
		put_frame(buf, &off, (uint32_t)blen, body, blen);
	}
	w.fd = fds[1];
	w.buf = buf;
	w.len = off;
	if (pthread_create(&th, NULL, writer, &w) != 0) {
		CHECK(0);
		return;
	}
	frame_reader_init(&fr, 500);
	i = 0;
	for (;;) {
		if ((r = read(fds[0], rb, rsz)) <= 0)
			break;
		rsz = rsz % sizeof(rb) + 1;
		for (pos = 0; pos < (size_t)r; pos += used) {
			used = frame_feed(&fr, rb + pos, (size_t)r - pos, &ev, &f, &l);
			if (used == (size_t)-1) {
				bad++;
				break;
			}
			if (ev == FRAME_READY) {
				size_t want = (nframes * 37) % 600;

				if (l != want || (unsigned char)f[0] !=
				    'A' + nframes % 26)
					bad++;
				free(f);
				nframes++;
			} else if (ev == FRAME_EMPTY) {
				nempty++;
				nframes++;
			} else if (ev == FRAME_TOO_LARGE) {
				nlarge++;
				nframes++;
			}
		}
	}
	pthread_join(th, NULL);
	close(fds[0]);
	CHECK(bad == 0);
	CHECK(nframes == 200);
	CHECK(nempty == 4);
	/* 3 forced (i = 1, 71, 141) + those whose natural size > 500. */
	{
		int want = 0;

		for (i = 0; i < 200; i++)
			if (i % 50 != 0 && (i % 70 == 1 || (i * 37) % 600 > 500))
				want++;
		CHECK(nlarge == want);
	}
	CHECK(!frame_reader_mid_frame(&fr));
	frame_reader_free(&fr);
	free(buf);
}

int
main(void)
{
	test_byte_by_byte();
	test_several_in_one();
	test_split_everywhere();
	test_zero_length();
	test_too_large();
	test_lazy_alloc();
	test_big_frame();
	test_header();
	test_pipe();
	return t_done("test_frame");
}
