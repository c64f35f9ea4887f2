/* native.c - native messaging: uint32 native-endian length + UTF-8 JSON
 * on stdin and stdout (host/PROTOCOL.md). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "engine.h"
#include "frame.h"
#include "jsonw.h"
#include "dslimits.h"
#include "log.h"
#include "loop.h"
#include "native.h"
#include "report.h"
#include "request.h"

#define READ_CHUNK 65536
#define HDR_LEN 4		/* the native-endian uint32 length */

/* The output queue is a JSON writer's buffer: frames are written
 * straight into it (header reserved, then patched), bytes [head, q.len)
 * are not yet sent. */
struct native {
	struct jsonw q;
	size_t head;
	int out_fd;
	bool blocked;		/* the last write found the pipe full */
	bool broken;		/* the client went away */
};

static size_t
backlog(void *arg)
{
	struct native *n = arg;

	return n->q.len - n->head;
}

/* Forgets what is sent. The unsent rest moves to the front only once at
 * least half the buffer has been sent, so on average a byte moves at
 * most once and the buffer stays a small multiple of the backlog. */
static void
outq_compact(struct native *n)
{
	size_t unsent = n->q.len - n->head;

	if (n->head == 0)
		return;
	if (unsent > 0) {
		if (n->head < n->q.cap / 2)
			return;
		memmove(n->q.buf, n->q.buf + n->head, unsent);
	}
	jsonw_truncate(&n->q, unsent);
	n->head = 0;
}

/* Reserves a frame header at the end of the queue and sets the writer
 * up for one body of at most DS_MAX_REPLY_BYTES. Returns 0 and the
 * frame's offset in *at, or -1 (OOM). */
static int
frame_begin(struct native *n, size_t *at)
{
	static const uint8_t hdr[HDR_LEN];

	outq_compact(n);
	*at = n->q.len;
	jsonw_restart(&n->q, SIZE_MAX);
	jsonw_bytes(&n->q, hdr, sizeof(hdr));
	if (jsonw_error(&n->q) != JSONW_OK) {
		jsonw_truncate(&n->q, *at);
		return -1;
	}
	jsonw_restart(&n->q, DS_MAX_REPLY_BYTES);
	return 0;
}

/* Patches the header of the frame at at with its body length. */
static int
frame_end(struct native *n, size_t at)
{
	uint8_t hdr[HDR_LEN];

	if (frame_header(n->q.len - at - HDR_LEN, hdr) < 0) {
		jsonw_truncate(&n->q, at);
		return -1;
	}
	memcpy(n->q.buf + at, hdr, sizeof(hdr));
	return 0;
}

static const char too_large_msg[] =
    "the reply exceeded the 1 MiB native-messaging limit";

/* Every message must fit the client's 1 MiB limit; a reply that would
 * not is replaced by an error naming what was too large, so the client
 * is never disconnected for our sake. */
static int
emit(void *arg, cJSON *msg)
{
	struct native *n = arg;
	char *s;
	size_t len = 0, at;
	int rc = -1;

	if ((s = report_serialise(msg, &len)) == NULL)
		goto out;
	if (len > DS_MAX_REPLY_BYTES) {
		cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
		cJSON *err = report_error(id, "reply-too-large",
		    too_large_msg);

		free(s);
		s = NULL;
		if (err == NULL)
			goto out;
		s = report_serialise(err, &len);
		cJSON_Delete(err);
		if (s == NULL)
			goto out;
	}
	if (frame_begin(n, &at) < 0)
		goto out;
	jsonw_bytes(&n->q, s, len);
	if (jsonw_error(&n->q) != JSONW_OK) {
		jsonw_truncate(&n->q, at);
		goto out;
	}
	rc = frame_end(n, at);
out:
	free(s);
	cJSON_Delete(msg);
	return rc;
}

/* A `result`, written into the queue without a tree (the hot path). */
static int
result(void *arg, const struct lookup_result *lr, const char *id_json)
{
	struct native *n = arg;
	size_t at;
	int rc;

	if (frame_begin(n, &at) < 0)
		return -1;
	rc = report_result_write(&n->q, lr, id_json);
	if (rc == JSONW_E_LIMIT) {
		jsonw_truncate(&n->q, at + HDR_LEN);
		jsonw_restart(&n->q, DS_MAX_REPLY_BYTES);
		rc = report_error_write(&n->q, id_json, "reply-too-large",
		    too_large_msg);
	}
	if (rc != 0) {
		jsonw_truncate(&n->q, at);
		return -1;
	}
	return frame_end(n, at);
}

/* Feeds what was read to the frame reader and serves complete frames. */
static int
consume(struct engine *e, struct frame_reader *fr, const uint8_t *p,
    size_t n)
{
	while (n > 0) {
		char *frame = NULL;
		size_t flen = 0, used;
		int ev = FRAME_NONE, rc = 0;

		used = frame_feed(fr, p, n, &ev, &frame, &flen);
		if (used == (size_t)-1)
			return -1;
		p += used;
		n -= used;
		switch (ev) {
		case FRAME_READY:
			rc = engine_submit_frame(e, frame, flen);
			break;
		case FRAME_TOO_LARGE:
			rc = engine_reject(e, NULL, "too-large",
			    "request larger than the limit of 64 MiB; skipped");
			break;
		case FRAME_EMPTY:
			rc = engine_reject(e, NULL, "empty-frame",
			    "a zero-length frame is not a JSON object");
			break;
		default:
			break;
		}
		free(frame);
		if (rc < 0)
			return -1;
		if (used == 0 && ev == FRAME_NONE)
			break;
	}
	return 0;
}

/* Writes as much of the queue as the pipe takes: everything queued
 * since the last call goes out in one write(2) when it fits. After the
 * pipe was found full, nothing is tried until poll says POLLOUT. */
static void
flush(struct native *n)
{
	while (n->head < n->q.len && !n->blocked) {
		ssize_t w = write(n->out_fd, n->q.buf + n->head,
		    n->q.len - n->head);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			n->blocked = true;
			return;
		}
		if (w <= 0) {
			n->broken = true;
			return;
		}
		/* A short write means the pipe is full: wait for POLLOUT
		 * rather than try again only to get EAGAIN. */
		if ((size_t)w < n->q.len - n->head)
			n->blocked = true;
		n->head += (size_t)w;
	}
}

int
native_run(const struct config *cfg, int in_fd, int out_fd)
{
	struct native n;
	struct resolver *res = NULL;
	struct https *h = NULL;
	struct engine *e = NULL;
	struct frame_reader fr;
	struct engine_out out;
	uint8_t *chunk = NULL;
	bool eof = false;
	char err[512];
	int ret = EXIT_INTERNAL, flags;

	memset(&n, 0, sizeof(n));
	jsonw_init(&n.q, SIZE_MAX);
	n.out_fd = out_fd;
	frame_reader_init(&fr, DS_MAX_REQUEST_BYTES);
	signal(SIGPIPE, SIG_IGN);
	/* Partial writes let us keep reading requests and answering
	 * lookups while the client is slow to read. */
	if ((flags = fcntl(out_fd, F_GETFL)) >= 0)
		(void)fcntl(out_fd, F_SETFL, flags | O_NONBLOCK);
#ifdef F_SETPIPE_SZ
	/* Linux pipes hold 64 KiB: room for the largest reply lets a burst
	 * of results go out in one write(2) instead of one per 64 KiB and
	 * a wakeup of the client for each. Best effort: the system limit
	 * (fs.pipe-max-size, 1 MiB by default) may refuse it, and a
	 * descriptor that is no pipe does not care. */
	(void)fcntl(out_fd, F_SETPIPE_SZ, (int)DS_MAX_REPLY_BYTES);
#endif

	/* Without a resolver we still speak the protocol, so the extension
	 * can show why nothing can be looked up. A configuration file that
	 * did not load gives none: its defaults are not what was asked for
	 * (fail closed; the engine answers "config" errors). */
	if (cfg->error[0] == '\0' &&
	    (res = resolver_new(cfg, err, sizeof(err))) == NULL)
		log_error("%s", err);
	out.emit = emit;
	out.backlog = backlog;
	out.arg = &n;
	if ((e = engine_new(res, res == NULL ? (cfg->error[0] != '\0' ?
	    cfg->error : err) : NULL, cfg, &out)) == NULL)
		goto out;
	engine_set_result_fn(e, result);
	engine_set_token_cache(e, cfg->token_cache != TOKEN_NO);
	if (res != NULL && (h = engine_https_new(cfg)) != NULL)
		engine_set_https(e, h);
	if ((chunk = malloc(READ_CHUNK)) == NULL)
		goto out;

	for (;;) {
		struct pollfd pfd[2];
		size_t np = 0;
		int in_idx = -1, out_idx = -1;

		/* Write first: engine_pump holds new lookups back while the
		 * output backlog is large, and if a flush after it drained
		 * the backlog with no lookup left in flight, nothing would
		 * wake the poll below again (a lost wakeup: the request would
		 * never finish). Then write what the pump produced. */
		flush(&n);
		if (engine_pump(e) < 0)
			goto out;
		flush(&n);
		if (n.broken) {
			ret = 0;	/* the client is gone: nobody to tell */
			goto out;
		}
		if (eof && engine_idle(e) && backlog(&n) == 0) {
			ret = 0;
			goto out;
		}
		if (!eof && backlog(&n) < DS_MAX_OUTPUT_QUEUED) {
			in_idx = (int)np;
			pfd[np].fd = in_fd;
			pfd[np].events = POLLIN;
			np++;
		}
		if (backlog(&n) > 0) {
			out_idx = (int)np;
			pfd[np].fd = out_fd;
			pfd[np].events = POLLOUT;
			np++;
		}
		if (loop_once(res, h, pfd, np, -1) < 0)
			goto out;
		if (out_idx >= 0 && pfd[out_idx].revents & (POLLERR | POLLHUP)) {
			ret = 0;
			goto out;
		}
		if (out_idx >= 0 && pfd[out_idx].revents & POLLOUT)
			n.blocked = false;
		if (in_idx >= 0 && pfd[in_idx].revents) {
			ssize_t r = read(in_fd, chunk, READ_CHUNK);

			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r <= 0) {
				if (frame_reader_mid_frame(&fr))
					log_error("input ended inside a frame; "
					    "the partial request is dropped");
				eof = true;
				continue;
			}
			if (consume(e, &fr, chunk, (size_t)r) < 0)
				goto out;
		}
	}
out:
	if (ret == EXIT_INTERNAL)
		log_error("internal failure (out of memory or I/O); exiting");
	engine_free(e);
	https_free(h);
	resolver_free(res);
	frame_reader_free(&fr);
	free(chunk);
	jsonw_free(&n.q);
	return ret;
}
