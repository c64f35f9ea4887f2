/* cli.c - CLI verbs over the engine; see cli.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dslimits.h"
#include "encode.h"
#include "engine.h"
#include "install_check.h"
#include "jsonw.h"
#include "log.h"
#include "loop.h"
#include "readfile.h"
#include "report.h"

/* --json output is collected here and written once per loop iteration
 * (and whenever this much is waiting): still a line per result as it
 * arrives, without a write(2) per line. A batching threshold, not a
 * limit on anything. */
#define CLI_JSON_BATCH 65536

struct cli {
	const struct cli_opts *o;
	int worst;		/* exit code so far */
	bool failed;
	struct jsonw out;	/* --json lines not yet written */
	enum engine_kind kind;	/* of the message emit gets next */
};

static int
status_exit(enum lookup_status s)
{
	switch (s) {
	case LS_FOUND:
		return EXIT_FOUND;
	case LS_ABSENT:
		return EXIT_ABSENT;
	case LS_UNUSABLE:
	case LS_UNVERIFIED:
		return EXIT_UNUSABLE;
	case LS_INSECURE:
		return EXIT_INSECURE;
	case LS_BOGUS:
		return EXIT_BOGUS;
	case LS_ERROR:
	default:
		return EXIT_LOOKUP_ERROR;
	}
}

/* verify-message: 0 only for the green outcome. */
static int
message_exit(const struct engine_outcome *m)
{
	if (m->green)
		return EXIT_FOUND;
	switch (m->dane) {
	case SD_ABSENT:
		return EXIT_ABSENT;
	case SD_INSECURE:
		return EXIT_INSECURE;
	case SD_BOGUS:
		return EXIT_BOGUS;
	case SD_ERROR:
		return EXIT_LOOKUP_ERROR;
	default:	/* not signed, invalid, encrypted, mismatch, ... */
		return EXIT_UNUSABLE;
	}
}

static void
note(struct cli *c, int code)
{
	if (code > c->worst)
		c->worst = code;
}

/* Writes what stdio holds (text mode) and the collected --json lines:
 * once per loop iteration, before we may wait. The lines go out with
 * write(2) directly, one call for the batch (stdio would cut it into
 * pieces of its own buffer size). Write errors are ignored as puts'
 * were: a closed pipe ends us with SIGPIPE. */
static void
cli_flush(struct cli *c)
{
	size_t off = 0;

	fflush(stdout);
	while (off < c->out.len) {
		ssize_t w = write(STDOUT_FILENO, c->out.buf + off,
		    c->out.len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	jsonw_truncate(&c->out, 0);
}

/* Ends a --json line; writes early when a batch is full. */
static int
json_line_end(struct cli *c)
{
	jsonw_bytes(&c->out, "\n", 1);
	if (jsonw_error(&c->out) != JSONW_OK)
		return -1;
	if (c->out.len >= CLI_JSON_BATCH)
		cli_flush(c);
	return 0;
}

/* A `result` (only with --json: text mode needs the tree). The exit
 * code comes from the same status the message carries. */
static int
result(void *arg, const struct lookup_result *lr, const char *id_json)
{
	struct cli *c = arg;
	size_t at = c->out.len;

	note(c, status_exit(lr->status));
	jsonw_restart(&c->out, SIZE_MAX);
	if (report_result_write(&c->out, lr, id_json) != 0) {
		jsonw_truncate(&c->out, at);
		return -1;
	}
	return json_line_end(c);
}

/* The exit status, from what the engine says each message means. */
static void
outcome(void *arg, const struct engine_outcome *m)
{
	struct cli *c = arg;

	c->kind = m->kind;
	switch (m->kind) {
	case EK_RESULT:
		note(c, status_exit(m->status));
		break;
	case EK_ERROR:
		note(c, EXIT_LOOKUP_ERROR);
		break;
	case EK_CHECK:
		if (!m->ok)
			note(c, m->status == LS_ERROR ? EXIT_LOOKUP_ERROR :
			    EXIT_UNUSABLE);
		break;
	case EK_MESSAGE:
		note(c, message_exit(m));
		break;
	case EK_IMPORT:
		note(c, status_exit(m->status));
		if (!m->ok)
			note(c, EXIT_LOOKUP_ERROR);
		break;
	case EK_DOCTOR:
		/* Not ok: the probe went unanswered (a lookup error), or it
		 * was answered but cannot be believed, trusted resolver or
		 * not (insecure). */
		if (!m->ok)
			note(c, !m->answered ? EXIT_LOOKUP_ERROR :
			    EXIT_INSECURE);
		break;
	default:
		break;
	}
}

static int
emit(void *arg, cJSON *msg)
{
	struct cli *c = arg;
	enum engine_kind kind = c->kind;

	c->kind = EK_OTHER;
	if (kind == EK_DOCTOR) {
		/* The CLI alone checks the installation: it runs each
		 * manifest's host (up to 3 s), which the native loop must not
		 * wait for; and a running native host is installed already. */
		struct install_report ir;

		/* Out of memory: the doctor says what it can without it. */
		if (install_check(&ir) == 0)
			(void)report_add_install(msg, &ir);
		install_report_free(&ir);
	}
	if (c->o->json) {
		size_t slen;
		char *s = report_serialise(msg, &slen);

		if (s == NULL) {
			cJSON_Delete(msg);
			return -1;
		}
		jsonw_restart(&c->out, SIZE_MAX);
		jsonw_bytes(&c->out, s, slen);
		free(s);
		if (json_line_end(c) < 0) {
			cJSON_Delete(msg);
			return -1;
		}
	} else if (kind != EK_DONE) {
		report_print_text(stdout, msg, c->o->color);
		if (kind == EK_RESULT)
			putchar('\n');
	}
	cJSON_Delete(msg);
	return 0;
}

static size_t
no_backlog(void *arg)
{
	(void)arg;
	return 0;		/* stdio blocks: nothing piles up */
}

int
cli_run(const struct config *cfg, struct request *req,
    const struct cli_opts *o)
{
	struct cli c = { .o = o, .worst = EXIT_FOUND };
	struct engine_out out = { emit, no_backlog, &c };
	struct resolver *res;
	struct https *h = NULL;
	struct engine *e = NULL;
	char err[512];
	int ret = EXIT_INTERNAL;

	jsonw_init(&c.out, SIZE_MAX);
	if ((res = resolver_new(cfg, err, sizeof(err))) == NULL)
		log_error("%s", err);
	if ((e = engine_new(res, res == NULL ? err : NULL, cfg, &out)) ==
	    NULL)
		goto out;
	if (res != NULL && (h = engine_https_new(cfg)) != NULL)
		engine_set_https(e, h);
	if (o->json)
		engine_set_result_fn(e, result);
	engine_set_outcome_fn(e, outcome);
	engine_set_token_cache(e, cfg->token_cache == TOKEN_YES);
	if (o->has_at) {
		req->has_at = 1;
		req->at = o->at;
	}
	if (engine_submit(e, req) < 0)
		goto out;
	while (!engine_idle(e)) {
		if (engine_pump(e) < 0)
			goto out;
		if (engine_idle(e))
			break;
		cli_flush(&c);
		if (loop_once(res, h, NULL, 0, -1) < 0)
			goto out;
		if (engine_failed(e))
			goto out;
	}
	ret = c.worst;
out:
	/* What was answered is shown, also before an internal failure. */
	cli_flush(&c);
	jsonw_free(&c.out);
	/* Ours, not the input's: out of memory, or NSS could not start (its
	 * libraries missing: crypto_init has said which, above). */
	if (ret == EXIT_INTERNAL)
		log_error("internal failure: out of memory, or NSS could not "
		    "start (see above)");
	engine_free(e);
	https_free(h);
	resolver_free(res);
	return ret;
}

/* PEM (one or more CERTIFICATE blocks: the first is the end entity, the
 * rest its chain) or one DER certificate. */
int
cli_read_certs(const char *path, uint8_t ***ders, size_t **lens, size_t *n)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";
	static const char end[] = "-----END CERTIFICATE-----";
	char *buf = NULL;
	const char *p;
	size_t len = 0;
	int fd = -1, ret = 1, rc;

	*ders = NULL;
	*lens = NULL;
	*n = 0;
	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		goto out;
	/* Larger than any chain we take: not a certificate file. */
	if ((rc = read_fd_bounded(fd, DS_MAX_CERT_FILE, &buf, &len)) < 0)
		goto oom;
	if (rc == EFBIG)
		ret = 2;
	if (rc != 0)
		goto out;
	ret = 2;
	if ((p = strstr(buf, begin)) == NULL || memchr(buf, '\0', len)) {
		/* DER */
		if ((*ders = calloc(1, sizeof(**ders))) == NULL ||
		    (*lens = calloc(1, sizeof(**lens))) == NULL ||
		    ((*ders)[0] = malloc(len + 1)) == NULL)
			goto oom;
		memcpy((*ders)[0], buf, len);
		(*lens)[0] = len;
		*n = 1;
		ret = 0;
		goto out;
	}
	while (p != NULL && *n <= DS_MAX_CHAIN) {
		const char *body = p + sizeof(begin) - 1, *q = strstr(body, end);
		uint8_t **nd;
		size_t *nl;

		if (q == NULL)
			break;
		if ((nd = realloc(*ders, (*n + 1) * sizeof(*nd))) == NULL)
			goto oom;
		*ders = nd;
		if ((nl = realloc(*lens, (*n + 1) * sizeof(*nl))) == NULL)
			goto oom;
		*lens = nl;
		rc = b64_decode(body, (size_t)(q - body), &(*ders)[*n],
		    &(*lens)[*n]);
		if (rc < 0)
			goto oom;
		if (rc > 0)
			goto out;
		(*n)++;
		p = strstr(q, begin);
	}
	if (*n > 0)
		ret = 0;
	goto out;
oom:
	ret = -1;
out:
	if (fd != -1 && fd != STDIN_FILENO)
		close(fd);
	free(buf);
	if (ret != 0) {
		while (*n > 0)
			free((*ders)[--*n]);
		free(*ders);
		free(*lens);
		*ders = NULL;
		*lens = NULL;
	}
	return ret;
}

int
cli_lookup(const struct config *cfg, char **addresses, size_t n,
    const struct cli_opts *o)
{
	struct request req;
	size_t i;
	int ret = EXIT_INTERNAL;

	memset(&req, 0, sizeof(req));
	req.type = REQ_LOOKUP;
	if ((req.addresses = calloc(n, sizeof(char *))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if ((req.addresses[i] = strdup(addresses[i])) == NULL)
			goto out;
		req.naddresses++;
	}
	ret = cli_run(cfg, &req, o);
out:
	request_free(&req);
	return ret;
}

int
cli_doctor(const struct config *cfg, const struct cli_opts *o)
{
	struct request req;
	int ret;

	memset(&req, 0, sizeof(req));
	req.type = REQ_DOCTOR;
	ret = cli_run(cfg, &req, o);
	request_free(&req);
	return ret;
}
