/* native.c - native messaging: uint32 native-endian length + UTF-8 JSON
 * on stdin and stdout (host/PROTOCOL.md). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "frame.h"
#include "dslimits.h"
#include "log.h"
#include "loop.h"
#include "native.h"
#include "report.h"
#include "request.h"

#define READ_CHUNK 65536

struct outq {
	uint8_t *buf;
	size_t head, len, cap;	/* bytes [head, len) are unsent */
};

struct native {
	struct outq q;
	int out_fd;
	bool broken;		/* the client went away */
};

static size_t
backlog(void *arg)
{
	struct native *n = arg;

	return n->q.len - n->q.head;
}

static int
outq_append(struct outq *q, const void *p, size_t len)
{
	if (q->head > 0 && q->head == q->len)
		q->head = q->len = 0;
	if (q->cap - q->len < len) {
		size_t need, cap;
		uint8_t *nb;

		/* Drop what is already sent before growing. */
		if (q->head > 0) {
			memmove(q->buf, q->buf + q->head, q->len - q->head);
			q->len -= q->head;
			q->head = 0;
		}
		need = q->len + len;
		cap = q->cap ? q->cap : 65536;
		while (cap < need)
			cap *= 2;
		if (cap != q->cap) {
			if ((nb = realloc(q->buf, cap)) == NULL)
				return -1;
			q->buf = nb;
			q->cap = cap;
		}
	}
	memcpy(q->buf + q->len, p, len);
	q->len += len;
	return 0;
}

/* Every message must fit the client's 1 MiB limit; a reply that would
 * not is replaced by an error naming what was too large, so the client
 * is never disconnected for our sake. */
static int
emit(void *arg, cJSON *msg)
{
	struct native *n = arg;
	uint8_t hdr[4];
	char *s;
	size_t len = 0;
	int rc = -1;

	if ((s = report_serialise(msg, &len)) == NULL)
		goto out;
	if (len > DS_MAX_REPLY_BYTES) {
		cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
		cJSON *err = report_error(id, "reply-too-large",
		    "the reply exceeded the 1 MiB native-messaging limit");

		free(s);
		s = NULL;
		if (err == NULL)
			goto out;
		s = report_serialise(err, &len);
		cJSON_Delete(err);
		if (s == NULL)
			goto out;
	}
	if (frame_header(len, hdr) < 0)
		goto out;
	if (outq_append(&n->q, hdr, 4) < 0 || outq_append(&n->q, s, len) < 0)
		goto out;
	rc = 0;
out:
	free(s);
	cJSON_Delete(msg);
	return rc;
}

static int
handle_frame(struct engine *e, const char *buf, size_t len)
{
	struct request req;
	const char *code = NULL, *message = NULL;
	int rc;

	memset(&req, 0, sizeof(req));
	rc = request_decode(buf, len, &req, &code, &message);
	if (rc < 0)
		goto out;
	if (rc > 0)
		rc = engine_reject(e, req.id_json, code, message);
	else
		rc = engine_submit(e, &req);
out:
	request_free(&req);
	return rc;
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
			rc = handle_frame(e, frame, flen);
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

static void
flush(struct native *n)
{
	while (n->q.head < n->q.len) {
		ssize_t w = write(n->out_fd, n->q.buf + n->q.head,
		    n->q.len - n->q.head);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (w <= 0) {
			n->broken = true;
			return;
		}
		n->q.head += (size_t)w;
	}
}

int
native_run(const struct config *cfg, int in_fd, int out_fd)
{
	struct native n;
	struct resolver *res = NULL;
	struct engine *e = NULL;
	struct frame_reader fr;
	struct engine_out out;
	uint8_t *chunk = NULL;
	bool eof = false;
	char err[512];
	int ret = 70, flags;

	memset(&n, 0, sizeof(n));
	n.out_fd = out_fd;
	frame_reader_init(&fr, DS_MAX_REQUEST_BYTES);
	signal(SIGPIPE, SIG_IGN);
	/* Partial writes let us keep reading requests and answering
	 * lookups while the client is slow to read. */
	if ((flags = fcntl(out_fd, F_GETFL)) >= 0)
		(void)fcntl(out_fd, F_SETFL, flags | O_NONBLOCK);

	/* Without a resolver we still speak the protocol, so the extension
	 * can show why nothing can be looked up. */
	if ((res = resolver_new(cfg, err, sizeof(err))) == NULL)
		log_error("%s", err);
	out.emit = emit;
	out.backlog = backlog;
	out.arg = &n;
	if ((e = engine_new(res, res == NULL ? err : NULL, cfg, &out)) == NULL)
		goto out;
	if ((chunk = malloc(READ_CHUNK)) == NULL)
		goto out;

	for (;;) {
		struct pollfd pfd[2];
		size_t np = 0;
		int in_idx = -1, out_idx = -1;

		if (engine_pump(e) < 0)
			goto out;
		flush(&n);
		if (n.broken) {
			ret = 0;	/* the client is gone: nobody to tell */
			goto out;
		}
		if (eof && engine_idle(e) &&
		    n.q.head == n.q.len) {
			ret = 0;
			goto out;
		}
		if (!eof && backlog(&n) < DS_MAX_OUTPUT_QUEUED) {
			in_idx = (int)np;
			pfd[np].fd = in_fd;
			pfd[np].events = POLLIN;
			np++;
		}
		if (n.q.head < n.q.len) {
			out_idx = (int)np;
			pfd[np].fd = out_fd;
			pfd[np].events = POLLOUT;
			np++;
		}
		if (loop_once(res, pfd, np, -1) < 0)
			goto out;
		if (out_idx >= 0 && pfd[out_idx].revents & (POLLERR | POLLHUP)) {
			ret = 0;
			goto out;
		}
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
	if (ret == 70)
		log_error("internal failure (out of memory or I/O); exiting");
	engine_free(e);
	resolver_free(res);
	frame_reader_free(&fr);
	free(chunk);
	free(n.q.buf);
	return ret;
}
