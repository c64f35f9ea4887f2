/* test_engine.c - the sans-I/O core driven from a table of requests,
 * without a resolver: every reply is checked without any network. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "crypto.h"
#include "engine.h"
#include "report.h"
#include "request.h"
#include "t.h"

static cJSON *msgs[64];
static size_t nmsgs;

/* Keeps each reply as a front end sends it: serialised (report.c),
 * then read back, so that the checks see the wire format (the request
 * id, for one, travels as the text request.c printed). */
static int
emit(void *arg, cJSON *msg)
{
	char *s;
	size_t len;

	(void)arg;
	s = report_serialise(msg, &len);
	cJSON_Delete(msg);
	if (s == NULL)
		return -1;
	if (nmsgs < sizeof(msgs) / sizeof(msgs[0]) &&
	    (msgs[nmsgs] = cJSON_ParseWithLength(s, len)) != NULL)
		nmsgs++;
	free(s);
	return 0;
}

static size_t
backlog(void *arg)
{
	(void)arg;
	return 0;
}

static void
reset(void)
{
	size_t i;

	for (i = 0; i < nmsgs; i++)
		cJSON_Delete(msgs[i]);
	nmsgs = 0;
}

static const char *
field(size_t i, const char *key)
{
	const cJSON *v;

	if (i >= nmsgs)
		return "(missing)";
	v = cJSON_GetObjectItemCaseSensitive(msgs[i], key);
	return cJSON_IsString(v) ? v->valuestring : "(not a string)";
}

static const char *
errcode(size_t i)
{
	const cJSON *e;

	if (i >= nmsgs)
		return "(missing)";
	e = cJSON_GetObjectItemCaseSensitive(msgs[i], "error");
	e = cJSON_GetObjectItemCaseSensitive(e, "code");
	return cJSON_IsString(e) ? e->valuestring : "(none)";
}

static int
submit(struct engine *e, const char *json)
{
	struct request req;
	const char *code = NULL, *message = NULL;
	int rc;

	memset(&req, 0, sizeof(req));
	rc = request_decode(json, strlen(json), &req, &code, &message);
	if (rc > 0)
		rc = engine_reject(e, req.id_json, code, message);
	else if (rc == 0)
		rc = engine_submit(e, &req);
	request_free(&req);
	return rc;
}

static const struct {
	const char *request;
	const char *type;	/* type of the first reply */
	const char *code;	/* its error code, or "(none)" */
	size_t replies;
} table[] = {
	{ "{\"type\":\"hello\",\"id\":1}", "hello", "(none)", 1 },
	{ "{\"type\":\"hello\"}", "hello", "(none)", 1 },
	{ "{\"type\":\"lookup\",\"id\":\"a\",\"addresses\":[\"nobody\"]}",
	    "result", "bad-address", 2 },
	{ "{\"type\":\"lookup\",\"id\":2,\"addresses\":[\"a@b.example\"]}",
	    "result", "no-resolver", 2 },
	{ "{\"type\":\"lookup\",\"addresses\":[\"x\",\"y@\",\"@z\"]}",
	    "result", "bad-address", 4 },
	{ "{\"type\":\"doctor\",\"id\":3}", "error", "no-resolver", 1 },
	{ "{\"type\":\"verify-message\",\"id\":4}", "error", "missing-field", 1 },
	{ "{\"type\":\"verify-message\",\"id\":5,\"message\":\"RnJvbTogYUBiLmV4YW1wbGUNCg0KaGk=\"}",
	    "message-verification", "(none)", 1 },
	{ "{\"type\":\"nope\",\"id\":5}", "error", "unknown-type", 1 },
	{ "[1]", "error", "not-object", 1 },
	{ "{\"type\":\"lookup\"}", "error", "missing-field", 1 },
	{ "{\"type\":\"lookup\",\"addresses\":[]}", "error", "bad-field", 1 },
	{ "{", "error", "bad-json", 1 },
};

int
main(void)
{
	struct config cfg;
	struct engine_out out = { emit, backlog, NULL };
	struct engine *e;
	size_t i;

	config_defaults(&cfg);
	e = engine_new(NULL, "no resolver configured (test)", &cfg, &out);
	CHECK(e != NULL);
	for (i = 0; e != NULL && i < sizeof(table) / sizeof(table[0]); i++) {
		reset();
		CHECK(submit(e, table[i].request) == 0);
		CHECK(engine_pump(e) == 0);
		CHECK(engine_idle(e));
		CHECK(nmsgs == table[i].replies);
		CHECK_STR(field(0, "type"), table[i].type);
		CHECK_STR(errcode(0), table[i].code);
		if (table[i].replies > 1)
			CHECK_STR(field(nmsgs - 1, "type"), "done");
	}
	/* The hello reply says why nothing is trusted. */
	reset();
	CHECK(submit(e, "{\"type\":\"hello\",\"id\":\"h\"}") == 0);
	CHECK_STR(field(0, "id"), "h");
	CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(msgs[0],
	    "trusted")));
	CHECK_STR(field(0, "trust"), "no resolver configured (test)");
	reset();
	engine_free(e);
	crypto_shutdown();
	return t_done("engine");
}
