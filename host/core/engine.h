/* engine.h - serves decoded requests; the sans-I/O core.
 *
 * The engine turns requests into lookups on the resolver and results
 * into protocol messages handed to an output callback, as soon as each
 * is ready. It never touches a file descriptor: the front ends (native
 * messaging, CLI) own all I/O, so the same path serves both.
 */
#ifndef DS_ENGINE_H
#define DS_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "dnsport.h"
#include "lookup.h"
#include "request.h"
#include "resolver.h"
#include "verifymsg.h"

struct engine_out {
	/* Takes ownership of msg. Returns 0, or -1 on our failure. */
	int (*emit)(void *arg, cJSON *msg);
	/* Bytes the front end has queued but not yet written. */
	size_t (*backlog)(void *arg);
	void *arg;
};

/* A front end that wants JSON takes `result` messages (the hot path: one
 * per address) this way instead of through emit, and writes them with
 * report_result_write: no cJSON tree. lr and id_json (the request's id
 * as cJSON printed it, once per request) are borrowed for the call; arg
 * is engine_out.arg. Returns 0, or -1 on our failure. */
typedef int (*engine_result_fn)(void *arg, const struct lookup_result *lr,
    const char *id_json);

/* What a message says, as the enums behind its JSON, for a front end
 * that decides something from it (the CLI's exit status) without
 * reading the JSON back. */
enum engine_kind {
	EK_OTHER = 0,		/* hello, record */
	EK_RESULT,		/* status */
	EK_ERROR,
	EK_DONE,
	EK_CHECK,		/* status, ok */
	EK_IMPORT,		/* status, ok */
	EK_MESSAGE,		/* green, dane */
	EK_DOCTOR,		/* ok, answered */
};
struct engine_outcome {
	enum engine_kind kind;
	enum lookup_status status;
	bool ok;		/* check, import, doctor: nothing failed */
	bool answered;		/* doctor: the probe got an answer */
	bool green;		/* verify-message: the one "verified" */
	enum signer_dane dane;	/* verify-message */
};
/* Called right before the message it describes goes to emit; o is
 * borrowed for the call. Not for results taken by engine_result_fn
 * (their lookup_result says it). */
typedef void (*engine_outcome_fn)(void *arg, const struct engine_outcome *o);

struct engine;

/* res may be NULL when no resolver could be set up; res_error then says
 * why, and every lookup is answered with a "no-resolver" error. */
struct engine *engine_new(struct resolver *res, const char *res_error,
    const struct config *cfg, const struct engine_out *out);
/* The same asking DNS through dns (copied; dnsport.h), e.g. a test's
 * table; engine_new wires in res. dns NULL: no resolver, as above. */
struct engine *engine_new_port(const struct dns_port *dns,
    const char *res_error, const struct config *cfg,
    const struct engine_out *out);
void engine_free(struct engine *e);
/* Sends `result` messages to fn from now on (NULL: as trees through
 * emit, the default, e.g. for the CLI's text mode). Call before the
 * first engine_submit. */
void engine_set_result_fn(struct engine *e, engine_result_fn fn);

/* Tells fn what each message says from now on (NULL: nobody). */
void engine_set_outcome_fn(struct engine *e, engine_outcome_fn fn);

/* Lets finished lookups update the token cache (tokencache.h) that the
 * PKCS#11 module serves: native mode, or the configuration says so. */
void engine_set_token_cache(struct engine *e, bool on);

/* Takes the _smime TXT + HTTPS discovery path (issue 18) with h (owned
 * by the front end, polled by its loop; NULL: off). */
struct https;
void engine_set_https(struct engine *e, struct https *h);
/* The fetcher cfg asks for (https = yes and a loaded configuration), or
 * NULL: off, or it could not start (said on stderr: then the path is
 * not taken, never taken without its CA file). */
struct https *engine_https_new(const struct config *cfg);

/* Starts serving req; takes its contents (req is left empty). Returns 0,
 * or -1 on our failure (OOM). req->id_json is request.h's (JSON text
 * that cJSON printed, or NULL for null): replies echo it as it is. */
int engine_submit(struct engine *e, struct request *req);
/* Answers a request that could not be decoded. id_json: as in
 * engine_submit. */
int engine_reject(struct engine *e, const char *id_json, const char *code,
    const char *message);
/* Decodes one request (a frame's JSON, request.h) and submits it, or
 * answers it with the decoding error: what native.c does with every
 * frame, and tests/unit/test_engine.c with its requests. 0, or -1 on
 * our failure. */
int engine_submit_frame(struct engine *e, const char *buf, size_t len);
/* Starts as many queued lookups as the windows allow. Call once per loop
 * iteration. Returns 0, or -1 on our failure. */
int engine_pump(struct engine *e);
/* True when no request is being served. */
bool engine_idle(const struct engine *e);
/* Set when our failure (OOM) happened inside a callback. */
bool engine_failed(const struct engine *e);

#endif
