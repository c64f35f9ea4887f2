/* engine.c - requests in, lookups out; see engine.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "engine.h"
#include "dslimits.h"
#include "log.h"
#include "lookup.h"
#include "report.h"
#include "version.h"

#define DNS_TYPE_SOA_Q 6

struct job {
	int type;
	cJSON *id;
	char **addresses;
	size_t naddresses;
	size_t next;		/* first address not yet started */
	size_t outstanding;	/* started, not yet reported */
	size_t reported;
	struct job *next_job;
	struct engine *engine;
};

/* One address on its way through the resolver. */
struct pending {
	struct job *job;
	size_t index;
	struct address addr;
};

struct engine {
	struct resolver *res;
	const struct config *cfg;
	struct engine_out out;
	char res_error[256];
	struct job *jobs, **jobs_tail;
	size_t outstanding;
	bool failed;
};

struct engine *
engine_new(struct resolver *res, const char *res_error,
    const struct config *cfg, const struct engine_out *out)
{
	struct engine *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->res = res;
	snprintf(e->res_error, sizeof(e->res_error), "%s",
	    res_error != NULL ? res_error : "no resolver");
	e->cfg = cfg;
	e->out = *out;
	e->jobs_tail = &e->jobs;
	return e;
}

static void
job_free(struct job *j)
{
	size_t i;

	if (j == NULL)
		return;
	/* A doctor job counts its probe in naddresses but has no list. */
	for (i = 0; j->addresses != NULL && i < j->naddresses; i++)
		free(j->addresses[i]);
	free(j->addresses);
	cJSON_Delete(j->id);
	free(j);
}

void
engine_free(struct engine *e)
{
	struct job *j, *next;

	if (e == NULL)
		return;
	/* Pending lookups still point at jobs: the resolver must be freed
	 * first (its callbacks are then never called). */
	for (j = e->jobs; j != NULL; j = next) {
		next = j->next_job;
		job_free(j);
	}
	free(e);
}

static bool
trusted(const struct engine *e)
{
	return e->res != NULL && resolver_trusted(e->res);
}

static const char *
trust_reason(const struct engine *e)
{
	return e->res != NULL ? resolver_trust_reason(e->res) : e->res_error;
}

static int
emit(struct engine *e, cJSON *msg)
{
	if (msg == NULL) {
		e->failed = true;
		return -1;
	}
	if (e->out.emit(e->out.arg, msg) < 0) {
		e->failed = true;
		return -1;
	}
	return 0;
}

static cJSON *
parse_id(const char *id_json)
{
	if (id_json == NULL)
		return cJSON_CreateNull();
	return cJSON_Parse(id_json);
}

int
engine_reject(struct engine *e, const char *id_json, const char *code,
    const char *message)
{
	cJSON *id = parse_id(id_json);
	int rc;

	if (id == NULL)
		return -1;
	rc = emit(e, report_error(id, code, message));
	cJSON_Delete(id);
	return rc;
}

static cJSON *
resolvers_json(const struct engine *e)
{
	cJSON *arr = cJSON_CreateArray();
	size_t i;

	for (i = 0; arr != NULL && i < e->cfg->nresolvers; i++) {
		cJSON *o = cJSON_CreateObject();

		if (o == NULL) {
			cJSON_Delete(arr);
			return NULL;
		}
		cJSON_AddItemToArray(arr, o);
		if (cJSON_AddStringToObject(o, "address",
		    e->cfg->resolvers[i].text) == NULL ||
		    cJSON_AddBoolToObject(o, "loopback",
		    e->cfg->resolvers[i].loopback) == NULL ||
		    cJSON_AddBoolToObject(o, "trusted",
		    trusted(e)) == NULL) {
			cJSON_Delete(arr);
			return NULL;
		}
	}
	return arr;
}

static cJSON *
hello_json(const struct engine *e, const cJSON *id)
{
	cJSON *o = cJSON_CreateObject(), *r;

	if (o == NULL)
		return NULL;
	if (cJSON_AddStringToObject(o, "type", "hello") == NULL ||
	    cJSON_AddStringToObject(o, "name", "dane-smime") == NULL ||
	    cJSON_AddStringToObject(o, "version", DANE_SMIME_VERSION) == NULL ||
	    cJSON_AddNumberToObject(o, "protocol", 1) == NULL ||
	    (r = resolvers_json(e)) == NULL)
		goto fail;
	cJSON_AddItemToObject(o, "resolvers", r);
	if (cJSON_AddBoolToObject(o, "trusted", trusted(e)) ==
	    NULL || cJSON_AddStringToObject(o, "trust",
	    trust_reason(e)) == NULL)
		goto fail;
	return report_with_id(o, id);
fail:
	cJSON_Delete(o);
	return NULL;
}

static void
job_finish_one(struct engine *e, struct job *j)
{
	j->outstanding--;
	e->outstanding--;
	j->reported++;
}

static void
lookup_done(void *arg, const struct dns_result *res)
{
	struct pending *p = arg;
	struct job *j = p->job;
	struct engine *e = j->engine;
	const char *a = j->addresses[p->index];
	struct lookup_result lr;

	if (lookup_evaluate(a, strlen(a), &p->addr, res, &lr) < 0)
		e->failed = true;
	else
		emit(e, report_result(&lr, j->id));
	lookup_result_free(&lr);
	job_finish_one(e, j);
	free(p);
}

static void
probe_done(void *arg, const struct dns_result *res)
{
	struct job *j = arg;
	struct engine *e = j->engine;
	cJSON *o = cJSON_CreateObject(), *probe, *r;
	bool ad = false, answered = res->kind == DNSR_ANSWER;
	const char *verdict;

	if (answered)
		ad = res->msg.ad;
	if (!trusted(e))
		verdict = "untrusted: answers will never be reported secure";
	else if (!answered)
		verdict = "the resolver did not answer the probe";
	else if (!ad)
		verdict = "the resolver does not validate DNSSEC (no AD bit "
		    "for a signed name): enable validation or use another "
		    "resolver";
	else
		verdict = "ok: a trusted validating resolver";
	if (o == NULL ||
	    cJSON_AddStringToObject(o, "type", "doctor") == NULL ||
	    cJSON_AddStringToObject(o, "version", DANE_SMIME_VERSION) == NULL)
		goto fail;
	if (e->cfg->path[0] != '\0') {
		if (cJSON_AddStringToObject(o, "config", e->cfg->path) == NULL)
			goto fail;
	} else if (cJSON_AddNullToObject(o, "config") == NULL)
		goto fail;
	if (cJSON_AddBoolToObject(o, "resolvers_from_resolv_conf",
	    e->cfg->resolvers_from_resolv_conf) == NULL ||
	    (r = resolvers_json(e)) == NULL)
		goto fail;
	cJSON_AddItemToObject(o, "resolvers", r);
	if (cJSON_AddBoolToObject(o, "trusted", trusted(e)) ==
	    NULL || cJSON_AddStringToObject(o, "trust",
	    trust_reason(e)) == NULL ||
	    (probe = cJSON_AddObjectToObject(o, "probe")) == NULL ||
	    cJSON_AddStringToObject(probe, "name", e->cfg->probe_name) == NULL ||
	    cJSON_AddBoolToObject(probe, "answered", answered) == NULL ||
	    cJSON_AddBoolToObject(probe, "ad", ad) == NULL)
		goto fail;
	if (answered && cJSON_AddNumberToObject(probe, "rcode",
	    res->msg.rcode) == NULL)
		goto fail;
	if (!answered && cJSON_AddStringToObject(probe, "error",
	    res->err_message) == NULL)
		goto fail;
	if (cJSON_AddBoolToObject(o, "ok", trusted(e) &&
	    answered && ad) == NULL ||
	    cJSON_AddStringToObject(o, "verdict", verdict) == NULL)
		goto fail;
	emit(e, report_with_id(o, j->id));
	o = NULL;
fail:
	if (o != NULL) {
		cJSON_Delete(o);
		e->failed = true;
	}
	job_finish_one(e, j);
}

int
engine_submit(struct engine *e, struct request *req)
{
	struct job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return -1;
	j->engine = e;
	j->type = req->type;
	if ((j->id = parse_id(req->id_json)) == NULL) {
		free(j);
		return -1;
	}
	switch (req->type) {
	case REQ_HELLO: {
		int rc = emit(e, hello_json(e, j->id));
		job_free(j);
		return rc;
	}
	case REQ_LOOKUP:
		j->addresses = req->addresses;
		j->naddresses = req->naddresses;
		req->addresses = NULL;
		req->naddresses = 0;
		break;
	case REQ_DOCTOR:
		j->naddresses = 1;	/* the probe */
		break;
	default: {
		int rc = emit(e, report_error(j->id, "not-implemented",
		    "this request type is not implemented in this version"));
		job_free(j);
		return rc;
	}
	}
	*e->jobs_tail = j;
	e->jobs_tail = &j->next_job;
	return engine_pump(e);
}

/* Starts one address of j. Returns 0 or -1 (OOM). */
static int
start_one(struct engine *e, struct job *j)
{
	size_t i = j->next++;
	const char *a;
	struct pending *p;
	const char *why = NULL;
	int rc;

	if (j->type == REQ_DOCTOR) {
		if (e->res == NULL) {
			j->reported++;
			return emit(e, report_error(j->id, "no-resolver",
			    e->res_error));
		}
		j->outstanding++;
		e->outstanding++;
		return resolver_query(e->res, e->cfg->probe_name,
		    DNS_TYPE_SOA_Q, probe_done, j);
	}
	a = j->addresses[i];
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return -1;
	p->job = j;
	p->index = i;
	rc = address_parse(a, strlen(a), &p->addr, &why);
	if (rc < 0) {
		free(p);
		return -1;
	}
	if (rc > 0) {
		struct lookup_result lr;

		free(p);
		lookup_bad_address(a, strlen(a), why, &lr);
		j->reported++;
		return emit(e, report_result(&lr, j->id));
	}
	if (e->res == NULL) {
		struct lookup_result lr;

		lookup_bad_address(a, strlen(a), "", &lr);
		snprintf(lr.query, sizeof(lr.query), "%s", p->addr.owner);
		lr.err_code = "no-resolver";
		snprintf(lr.err_message, sizeof(lr.err_message), "%s",
		    e->res_error);
		lr.reason = "no resolver is configured, so nothing can be "
		    "looked up";
		free(p);
		j->reported++;
		return emit(e, report_result(&lr, j->id));
	}
	if (resolver_query(e->res, p->addr.owner, DNS_TYPE_SMIMEA,
	    lookup_done, p) < 0) {
		free(p);
		return -1;
	}
	j->outstanding++;
	e->outstanding++;
	return 0;
}

int
engine_pump(struct engine *e)
{
	struct job **jp = &e->jobs;

	if (e->failed)
		return -1;
	while (*jp != NULL) {
		struct job *j = *jp;

		/* Bounded work in progress and bounded output: a request
		 * for 100,000 addresses never holds more than this. */
		while (j->next < j->naddresses &&
		    e->outstanding < DS_ENGINE_WINDOW &&
		    e->out.backlog(e->out.arg) < DS_MAX_OUTPUT_QUEUED / 2) {
			if (start_one(e, j) < 0) {
				e->failed = true;
				return -1;
			}
		}
		if (j->reported == j->naddresses) {
			if (j->type == REQ_LOOKUP &&
			    emit(e, report_done(j->id, j->naddresses)) < 0)
				return -1;
			*jp = j->next_job;
			if (*jp == NULL)
				e->jobs_tail = jp;
			job_free(j);
			continue;
		}
		jp = &j->next_job;
	}
	return 0;
}

bool
engine_idle(const struct engine *e)
{
	return e->jobs == NULL;
}

bool
engine_failed(const struct engine *e)
{
	return e->failed;
}
