/* engine.c - requests in, lookups out; see engine.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "address.h"
#include "certstore.h"
#include "check.h"
#include "dslimits.h"
#include "engine.h"
#include "log.h"
#include "lookup.h"
#include "pkix.h"
#include "record.h"
#include "report.h"
#include "https.h"
#include "smimetxt.h"
#include "tokencache.h"
#include "utf8.h"
#include "trustrule.h"
#include "verifymsg.h"

struct job {
	int type;
	const struct verb *verb;	/* verbs[type] */
	/* The request's id as request.c printed it (request.h: a JSON
	 * string or number, or "null"), kept as that text: the replies
	 * copy it raw (id), the writer of results too (id_json). It is
	 * never parsed again. */
	cJSON *id;		/* a raw item holding id_json */
	char *id_json;
	char **addresses;
	size_t naddresses;	/* or, for doctor/check, the queries */
	size_t next;		/* first address not yet started */
	size_t outstanding;	/* started, not yet reported */
	size_t reported;
	struct job *next_job;
	struct engine *engine;
	int64_t at;		/* validation time */
	/* verify and check: the supplied certificate and its chain */
	struct cert_summary *cert;
	struct cert_summary *chain;
	const struct cert_summary **chainp;
	size_t nchain;
	/* import */
	char *db;
	bool dry_run;
	/* lookup, import: the request's "https": false (request.h) */
	bool https_off;
	/* check */
	struct check *check;
	/* verify-message */
	struct verifymsg *vm;
};

struct vouch;
struct fetch;

/* One query on its way through the resolver. */
struct pending {
	struct job *job;
	size_t index;		/* address, or check_query */
	struct address addr;
	/* Set while (and after) the certificates' other addresses are
	 * asked to vouch for them (trustrule.h): the answer is evaluated
	 * again once they have all answered. */
	struct vouch *vouch;
	/* Set once the _smime TXT + HTTPS path was taken for it (issue
	 * 18): its outcome, applied whenever the answer is judged again. */
	struct fetch *fetch;
	/* In the engine's list of queries it awaits (engine_free frees
	 * those the resolver will never answer). */
	struct pending *prev_p, *next_p;
};

/* The e-mail trust rule's extra lookups for one address: does the own
 * SMIMEA record set of each other address of a certificate authenticate
 * that very certificate? */
struct vouch_item {
	struct vouch *vouch;
	char *address;		/* as the certificate writes it */
	struct address addr;
	struct cert_summary cert;	/* a copy of the certificate */
	bool vouched;
};

struct vouch {
	struct pending *primary;
	struct vouch_item *items;
	size_t nitems;
	size_t outstanding;
};

/* The _smime TXT + HTTPS path for one address (issue 18). */
struct fetch {
	bool done;
	char url[DS_MAX_SMIME_URL + 1];	/* of the TXT record, "" if none */
	const char *code;		/* why no certificate (static) */
	char message[384];
	bool have_cert;
	struct cert_summary cert;	/* fetched */
	struct cert_summary *chain;	/* served after it, decoded */
	const struct cert_summary **chainp;
	size_t nchain;
};

struct engine {
	/* What DNS is asked through; query is NULL when there is no
	 * resolver (then res_error says why). */
	struct dns_port dns;
	const struct config *cfg;
	struct engine_out out;
	engine_result_fn result;	/* NULL: results as trees */
	engine_outcome_fn outcome;	/* NULL: none */
	char res_error[256];
	/* "no-resolver", or "config" when the configuration file was bad:
	 * then nothing is looked up at all (fail closed). */
	const char *res_code;
	struct job *jobs, **jobs_tail;
	size_t outstanding;
	/* Queued requests and the addresses (queries) they hold, bounded
	 * by DS_MAX_PENDING_REQUESTS and DS_MAX_PENDING_ADDRESSES. */
	size_t pending_jobs, pending_addresses;
	bool failed;
	bool trust_loaded;
	/* The token cache (tokencache.h): what this engine's finished
	 * lookups say, written out once per request. */
	bool token_cache;
	char **tc_touched;	/* addresses whose entries are replaced */
	size_t tc_ntouched;
	struct tokencache tc_new;	/* their entries now */
	struct pending *pendings;	/* queries awaited */
	struct https *https;		/* NULL: the HTTPS path is off */
};

static void pending_free(struct engine *, struct pending *);

/*
 * A verb: how the engine serves one request type (request.c's
 * req_types[] is how its fields are decoded). The table at the end,
 * verbs[], is the one place that tells verbs apart; adding one touches
 * that table, its handlers here and its report in report.c.
 */
struct verb {
	int type;		/* enum req_type */
	/* Takes a place in the queue of pending requests (too_busy): all
	 * but those answered at once. */
	bool queued;
	/* Ends with a `done` message once every address has reported. */
	bool done_message;
	/* Its finished lookups update the token cache (tc_note). */
	bool token_cache;
	/* May take the _smime TXT + HTTPS path (wants_https). */
	bool https;
	/* Decodes req into j: 0 queue it, 1 answered already, -1 ours. */
	int (*setup)(struct engine *, struct job *, struct request *);
	/* Starts query i of j (engine_pump): 0, or -1 (ours). */
	int (*start)(struct engine *, struct job *, size_t i);
	/* The address verbs: the resolver's callback for an address's
	 * SMIMEA answer (also after vouching and after the HTTPS path). */
	void (*answered)(void *, const struct dns_result *);
	/* The address verbs: an address's judged answer, to the client. */
	int (*report)(struct engine *, const struct job *,
	    const struct lookup_result *);
	/* The address verbs: the answer when there is no resolver (the
	 * pending query p is freed by the caller). */
	int (*unanswered)(struct engine *, struct job *, struct pending *p,
	    const char *address);
};


/* The real resolver behind the DNS port. */
static int
port_query(void *ctx, const char *qname, uint16_t qtype, unsigned flags,
    resolver_cb cb, void *arg)
{
	return resolver_query_flags(ctx, qname, qtype, flags, cb, arg);
}

static bool
port_trusted(const void *ctx)
{
	return resolver_trusted(ctx);
}

static const char *
port_trust_reason(const void *ctx)
{
	return resolver_trust_reason(ctx);
}

/* Every question the engine asks goes through its port. */
static int
dns_query(struct engine *e, const char *qname, uint16_t qtype,
    resolver_cb cb, void *arg)
{
	return e->dns.query(e->dns.ctx, qname, qtype, 0, cb, arg);
}

struct engine *
engine_new(struct resolver *res, const char *res_error,
    const struct config *cfg, const struct engine_out *out)
{
	struct dns_port port = { res, port_query, port_trusted,
	    port_trust_reason };

	return engine_new_port(res != NULL ? &port : NULL, res_error, cfg,
	    out);
}

struct engine *
engine_new_port(const struct dns_port *dns, const char *res_error,
    const struct config *cfg, const struct engine_out *out)
{
	struct engine *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	if (dns != NULL && dns->query != NULL)
		e->dns = *dns;
	snprintf(e->res_error, sizeof(e->res_error), "%s",
	    res_error != NULL ? res_error : "no resolver");
	/* It may name a file: text for JSON, never cut inside a character. */
	for (char *c = e->res_error; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	e->res_error[utf8_truncate(e->res_error, strlen(e->res_error))] = '\0';
	if (!utf8_valid(e->res_error, strlen(e->res_error)))
		snprintf(e->res_error, sizeof(e->res_error), "%s",
		    cfg->error[0] != '\0' ? "the configuration file is "
		    "invalid" : "no resolver");
	e->res_code = cfg->error[0] != '\0' ? "config" : "no-resolver";
	e->cfg = cfg;
	e->out = *out;
	e->jobs_tail = &e->jobs;
	return e;
}

void
engine_set_result_fn(struct engine *e, engine_result_fn fn)
{
	e->result = fn;
}

void
engine_set_outcome_fn(struct engine *e, engine_outcome_fn fn)
{
	e->outcome = fn;
}

void
engine_set_token_cache(struct engine *e, bool on)
{
	e->token_cache = on;
}

void
engine_set_https(struct engine *e, struct https *h)
{
	e->https = h;
}

struct https *
engine_https_new(const struct config *cfg)
{
	struct https_config hc;
	struct https *h;
	char err[512];

	if (!cfg->https || cfg->error[0] != '\0')
		return NULL;
	memset(&hc, 0, sizeof(hc));
	hc.ca_file = cfg->https_ca_file;
	if ((h = https_new(&hc, err, sizeof(err))) == NULL)
		log_error("https: %s; the _smime TXT + HTTPS path is off", err);
	return h;
}

static void
tc_forget(struct engine *e)
{
	size_t i;

	for (i = 0; i < e->tc_ntouched; i++)
		free(e->tc_touched[i]);
	free(e->tc_touched);
	e->tc_touched = NULL;
	e->tc_ntouched = 0;
	tokencache_free(&e->tc_new);
}

/* What one finished lookup says for the token: a secure or a failed
 * DNSSEC answer replaces the address's entries (by its usable
 * certificates, with the trust the rule allows; none when the record is
 * gone, changed, insecure or bogus); a lookup that got no answer (error,
 * timeout) leaves them as they are. Errors here only cost the update. */
static void
tc_note(struct engine *e, const struct job *j, const struct lookup_result *lr)
{
	char **t;
	size_t i;
	int64_t now = (int64_t)time(NULL);

	/* A bulk lookup is no list of recipients: the token serves the
	 * addresses being written to (NSS slows down with the square of the
	 * certificates a token holds). */
	if (!e->token_cache || j->naddresses > DS_TC_MAX_REQUEST_ADDRESSES ||
	    lr->query[0] == '\0' ||
	    lr->dnssec == DNSSEC_INDETERMINATE ||
	    (lr->verify && !lr->https_source))
		return;
	if ((t = realloc(e->tc_touched, (e->tc_ntouched + 1) *
	    sizeof(*t))) == NULL)
		return;
	e->tc_touched = t;
	if ((t[e->tc_ntouched] = strndup(lr->address, lr->address_len)) ==
	    NULL)
		return;
	e->tc_ntouched++;
	if (lr->dnssec != DNSSEC_SECURE || lr->status != LS_FOUND)
		return;
	for (i = 0; i < lr->ncerts; i++) {
		const struct lr_cert *c = &lr->certs[i];

		if (!c->v.usable || c->trust == NULL)
			continue;
		(void)tokencache_put(&e->tc_new, e->tc_touched[e->tc_ntouched -
		    1], c->sum.der, c->sum.der_len, c->trust,
		    tokencache_expiry(now, lr->ttl, c->sum.not_after));
	}
}

/* Keeps at most DS_TC_MAX_SERVED entries: the addresses whose entries
 * expire first go first (they are re-checked soonest anyway). */
static void
tc_evict(struct tokencache *tc)
{
	size_t i, k;

	while (tc->n > DS_TC_MAX_SERVED) {
		for (k = 0, i = 1; i < tc->n; i++)
			if (tc->e[i].expires < tc->e[k].expires)
				k = i;
		if (tokencache_remove(tc, tc->e[k].address) == 0)
			break;
	}
}

/* Writes what the finished lookups said into the cache file: under the
 * lock, on top of what other host processes wrote meanwhile. */
static void
tc_flush(struct engine *e)
{
	struct tokencache tc = { 0 };
	char path[4096], err[512];
	size_t i;
	int fd, rc;

	if (e->tc_ntouched == 0)
		return;
	if (tokencache_path(path, sizeof(path), err, sizeof(err)) != 0 ||
	    (fd = tokencache_lock(path, err, sizeof(err))) < 0) {
		log_error("token cache: %s", err);
		goto out;
	}
	rc = tokencache_load(path, &tc, NULL, err, sizeof(err));
	if (rc == TC_OK || rc == TC_E_MISSING || rc == TC_E_FORMAT) {
		/* A file we cannot parse is replaced: it serves nothing. */
		for (i = 0; i < e->tc_ntouched; i++)
			(void)tokencache_remove(&tc, e->tc_touched[i]);
		for (i = 0; i < e->tc_new.n; i++)
			(void)tokencache_put(&tc, e->tc_new.e[i].address,
			    e->tc_new.e[i].der, e->tc_new.e[i].der_len,
			    e->tc_new.e[i].email_trust ? TRUST_EMAIL_STR :
			    TRUST_NONE_STR, e->tc_new.e[i].expires);
		(void)tokencache_prune(&tc, (int64_t)time(NULL));
		tc_evict(&tc);
		if (tokencache_save(path, &tc, err, sizeof(err)) != 0)
			log_error("token cache: %s", err);
	} else
		log_error("token cache: %s", err);
	tokencache_unlock(fd);
	tokencache_free(&tc);
out:
	tc_forget(e);
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
	free(j->id_json);
	cert_summary_free(j->cert);
	free(j->cert);
	for (i = 0; i < j->nchain; i++)
		cert_summary_free(&j->chain[i]);
	free(j->chain);
	free(j->chainp);
	free(j->db);
	check_free(j->check);
	verifymsg_free(j->vm);
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
	while (e->pendings != NULL)
		pending_free(e, e->pendings);
	tc_flush(e);
	free(e);
}

static bool
trusted(const struct engine *e)
{
	return e->dns.query != NULL && e->dns.trusted(e->dns.ctx);
}

static const char *
trust_reason(const struct engine *e)
{
	return e->dns.query != NULL ? e->dns.trust_reason(e->dns.ctx) :
	    e->res_error;
}

/* Hands msg to the front end, with what it says (oc) to the outcome
 * function first when there is one. */
static int
emit_as(struct engine *e, cJSON *msg, const struct engine_outcome *oc)
{
	if (msg == NULL) {
		e->failed = true;
		return -1;
	}
	if (e->outcome != NULL)
		e->outcome(e->out.arg, oc);
	if (e->out.emit(e->out.arg, msg) < 0) {
		e->failed = true;
		return -1;
	}
	return 0;
}

/* A message that says nothing an outcome function decides on: hello,
 * record. */
static int
emit(struct engine *e, cJSON *msg)
{
	static const struct engine_outcome other = { .kind = EK_OTHER };

	return emit_as(e, msg, &other);
}

static int
emit_error(struct engine *e, const cJSON *id, const char *code,
    const char *message)
{
	static const struct engine_outcome error = { .kind = EK_ERROR };

	return emit_as(e, report_error(id, code, message), &error);
}

static int
emit_done(struct engine *e, const cJSON *id, size_t count)
{
	static const struct engine_outcome done = { .kind = EK_DONE };

	return emit_as(e, report_done(id, count), &done);
}

/* A `result` message: straight to the front end's writer when it takes
 * JSON, else as a tree. */
static int
emit_result(struct engine *e, const struct job *j,
    const struct lookup_result *lr)
{
	if (e->result == NULL) {
		struct engine_outcome oc = { .kind = EK_RESULT,
		    .status = lr->status };

		return emit_as(e, report_result(lr, j->id), &oc);
	}
	if (e->result(e->out.arg, lr, j->id_json) < 0) {
		e->failed = true;
		return -1;
	}
	return 0;
}

int
engine_submit_frame(struct engine *e, const char *buf, size_t len)
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

int
engine_reject(struct engine *e, const char *id_json, const char *code,
    const char *message)
{
	cJSON *id = report_id(id_json);
	int rc;

	if (id == NULL)
		return -1;
	rc = emit_error(e, id, code, message);
	cJSON_Delete(id);
	return rc;
}

static cJSON *
hello_json(const struct engine *e, const cJSON *id)
{
	struct hello_report h = { e->cfg, trusted(e), trust_reason(e) };

	return report_hello(&h, id);
}

static void
job_finish_one(struct engine *e, struct job *j)
{
	j->outstanding--;
	e->outstanding--;
	j->reported++;
}

/* PKIX needs the root store and the configured NSS database: asked
 * for on the first answer that has records, opened by the first path
 * validation (pkix_defer_init), never at start-up. A broken nss_db only
 * removes anchors (fail closed); it is said once. */
static void
ensure_trust(struct engine *e)
{
	char err[512];

	if (e->trust_loaded)
		return;
	e->trust_loaded = true;
	if (pkix_defer_init(e->cfg->nss_db, true) == 0)
		return;
	if (pkix_init(e->cfg->nss_db, true, err, sizeof(err)) != 0)
		log_error("trust anchors: %s", err);
}

static void
job_ctx(const struct job *j, struct lookup_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->at = j->at;
	if (j->cert != NULL) {		/* verify, import of one */
		ctx->supplied = j->cert;
		ctx->chain = j->chainp;
		ctx->nchain = j->nchain;
	}
}

/* The narrowest trust that makes the certificate work: when it also
 * validates with PKIX to the configured anchors, no trust flag at all is
 * needed, even if a DANE-EE record is what authenticated it. */
static int
narrowest_basis(const struct job *j, const struct lr_cert *c)
{
	struct pkix_result pr;
	int basis = (int)c->v.basis;

	if (c->v.basis == BASIS_PKIX || c->v.pkix_valid)
		return BASIS_PKIX;
	memset(&pr, 0, sizeof(pr));
	if (pkix_verify(&c->sum, NULL, 0, NULL, j->at, false, &pr) == 0 &&
	    pr.status == PKIX_OK)
		basis = BASIS_PKIX;
	pkix_result_free(&pr);
	return basis;
}

/* import: every usable certificate goes into the NSS database with
 * trust exactly as narrow as its record (certstore.c decides the flags);
 * everything else is listed as refused, with why. The effect; the
 * reply is report_import's. r->items must hold lr->ncerts entries.
 * Returns 0, or -1 on our failure. */
static int
import_apply(const struct job *j, const struct lookup_result *lr,
    struct import_report *r)
{
	size_t i;

	for (i = 0; i < lr->ncerts; i++) {
		const struct lr_cert *c = &lr->certs[i];
		struct import_item *it = &r->items[r->nitems++];
		const char *why = NULL;
		int rc;

		it->sha256 = c->sum.sha256;
		/* The e-mail trust rule (trustrule.h) has decided. */
		if (!c->v.usable || c->trust == NULL) {
			it->code = c->v.nproblems > 0 ? c->v.problems[0].code :
			    "not-usable";
			it->reason = c->v.nproblems > 0 ?
			    c->v.problems[0].message : "not usable";
			continue;
		}
		rc = certstore_import(j->db, &c->sum, strcmp(c->trust,
		    TRUST_NONE_STR) == 0 ? BASIS_PKIX : narrowest_basis(j, c),
		    j->dry_run, &it->change, &why);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			/* A usable certificate did not get in: the database
			 * refused it (unusable path, other trust present). */
			r->failed = why != NULL ? why : "refused";
			it->code = "store-refused";
			it->reason = r->failed;
			continue;
		}
		it->taken = true;
		it->action = j->dry_run ? "would-add" : it->change.added ?
		    "added" : it->change.trust_changed ? "trusted" :
		    "unchanged";
	}
	return 0;
}

static cJSON *
import_json(const struct job *j, const struct lookup_result *lr,
    struct engine_outcome *oc)
{
	struct import_report r;
	cJSON *msg = NULL;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.lr = lr;
	r.db = j->db;
	r.dry_run = j->dry_run;
	if (lr->ncerts > 0 &&
	    (r.items = calloc(lr->ncerts, sizeof(*r.items))) == NULL)
		return NULL;
	if (import_apply(j, lr, &r) == 0)
		msg = report_import(&r, j->id);
	oc->kind = EK_IMPORT;
	oc->status = lr->status;
	oc->ok = r.failed == NULL;
	for (i = 0; i < r.nitems; i++)
		certstore_change_free(&r.items[i].change);
	free(r.items);
	return msg;
}

static void lookup_done(void *, const struct dns_result *);

/* verify-message's reply, once verifymsg has judged. */
static int
reply_message(struct engine *e, const struct job *j)
{
	struct engine_outcome oc;
	struct vm_report r;

	memset(&oc, 0, sizeof(oc));
	verifymsg_outcome(j->vm, &r);
	oc.kind = EK_MESSAGE;
	oc.green = r.green;
	oc.dane = r.dane;
	return emit_as(e, report_message(&r, j->id), &oc);
}

static void
vouch_free(struct vouch *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->nitems; i++) {
		free(v->items[i].address);
		cert_summary_free(&v->items[i].cert);
	}
	free(v->items);
	free(v);
}

static struct pending *
pending_new(struct engine *e, struct job *j)
{
	struct pending *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->job = j;
	p->next_p = e->pendings;
	if (e->pendings != NULL)
		e->pendings->prev_p = p;
	e->pendings = p;
	return p;
}

static void
fetch_free(struct fetch *f)
{
	size_t i;

	if (f == NULL)
		return;
	cert_summary_free(&f->cert);
	for (i = 0; i < f->nchain; i++)
		cert_summary_free(&f->chain[i]);
	free(f->chain);
	free(f->chainp);
	free(f);
}

static void
pending_free(struct engine *e, struct pending *p)
{
	fetch_free(p->fetch);
	if (p->prev_p != NULL)
		p->prev_p->next_p = p->next_p;
	else
		e->pendings = p->next_p;
	if (p->next_p != NULL)
		p->next_p->prev_p = p->prev_p;
	vouch_free(p->vouch);
	free(p);
}

static bool
vouch_answer(void *arg, const char *sha256, const char *address)
{
	const struct vouch *v = arg;
	size_t i;

	for (i = 0; i < v->nitems; i++)
		if (strcmp(v->items[i].cert.sha256, sha256) == 0 &&
		    strcmp(v->items[i].address, address) == 0)
			return v->items[i].vouched;
	return false;	/* never asked (over the bound): not vouched */
}

/* One other address has answered: it vouches when its answer is secure
 * and one of its records authenticates the certificate (any usage: the
 * match already includes DANE-TA and PKIX paths). */
static void
vouch_done(void *arg, const struct dns_result *res)
{
	struct vouch_item *it = arg;
	struct vouch *v = it->vouch;
	struct pending *p = v->primary;
	struct job *j = p->job;
	struct engine *e = j->engine;
	struct lookup_result lr;
	struct lookup_ctx ctx;

	if (res->kind == DNSR_ANSWER && res->msg.nrecords > 0)
		ensure_trust(e);
	job_ctx(j, &ctx);
	ctx.supplied = &it->cert;
	if (lookup_evaluate(&ctx, it->address, strlen(it->address), &it->addr,
	    res, &lr) < 0)
		e->failed = true;
	else
		it->vouched = lr.dnssec == DNSSEC_SECURE && lr.ncerts == 1 &&
		    lr.certs[0].v.matched;
	lookup_result_free(&lr);
	if (--v->outstanding > 0)
		return;
	/* All answered: the address's own answer once more (from the
	 * cache, normally), now judged with what the others said. */
	if (dns_query(e, p->addr.owner, DNS_TYPE_SMIMEA,
	    p->job->verb->answered, p) < 0)
		e->failed = true;
}

/* Starts the other addresses' lookups for the certificates of lr that
 * wait for them (at most DS_MAX_VOUCH_LOOKUPS per address; the rest
 * count as not vouched). 0 started, 1 nothing to ask, -1 ours. */
static int
vouch_start(struct engine *e, struct pending *p,
    const struct lookup_result *lr)
{
	struct vouch *v;
	size_t i, k, n = 0;
	int rc;

	if (e->dns.query == NULL)
		return 1;
	if ((v = calloc(1, sizeof(*v))) == NULL ||
	    (v->items = calloc(DS_MAX_VOUCH_LOOKUPS, sizeof(*v->items))) ==
	    NULL) {
		free(v);
		return -1;
	}
	v->primary = p;
	for (i = 0; i < lr->ncerts && n < DS_MAX_VOUCH_LOOKUPS; i++) {
		const struct lr_cert *c = &lr->certs[i];

		for (k = 0; k < c->nvouch && n < DS_MAX_VOUCH_LOOKUPS; k++) {
			struct vouch_item *it = &v->items[n];

			it->vouch = v;
			if ((it->address = strdup(c->vouch[k])) == NULL)
				goto fail;
			v->nitems = ++n;
			rc = address_parse(it->address, strlen(it->address),
			    &it->addr, NULL);
			if (rc < 0)
				goto fail;
			/* trustrule_others parsed it already: cannot fail,
			 * but a failure here only means "not vouched". */
			if (rc > 0)
				continue;
			rc = certs_decode(c->sum.der, c->sum.der_len,
			    &it->cert, NULL);
			if (rc < 0)
				goto fail;
		}
	}
	if (n == 0) {
		vouch_free(v);
		return 1;
	}
	p->vouch = v;
	for (i = 0; i < v->nitems; i++) {
		if (v->items[i].cert.der == NULL)
			continue;
		v->outstanding++;
		if (dns_query(e, v->items[i].addr.owner,
		    DNS_TYPE_SMIMEA, vouch_done, &v->items[i]) < 0) {
			/* Those already asked still call back: leave v to
			 * them; the engine has failed anyway. */
			v->outstanding--;
			e->failed = true;
			return v->outstanding > 0 ? 0 : -1;
		}
	}
	if (v->outstanding == 0) {
		/* Nothing could be asked: judge at once, all unvouched. */
		return dns_query(e, p->addr.owner, DNS_TYPE_SMIMEA,
		    p->job->verb->answered, p) < 0 ? -1 : 0;
	}
	return 0;
fail:
	vouch_free(v);
	p->vouch = NULL;
	return -1;
}

/*
 * The _smime TXT + HTTPS path (issue 18). Taken for lookup and import
 * when the address's secure SMIMEA answer gives no certificate (no
 * record, or only hash/key records): the TXT record at
 * local.parts._smime.domain names a URL; only a DNSSEC-secure TXT is
 * followed (an insecure one is reported, not fetched); the certificate
 * served there is then judged against the SMIMEA records like a
 * certificate given to verify, so that only a secure record makes it
 * `found` (with the trust the rule allows); otherwise it is `unverified`:
 * shown, never stored or trusted. Never for verify-message: a fetch when
 * a message is shown would tell the sender's web server that it was read.
 */
static bool
wants_https(const struct engine *e, const struct job *j,
    const struct lookup_result *lr)
{
	return e->https != NULL && !j->https_off && j->verb->https &&
	    j->cert == NULL &&
	    lr->dnssec == DNSSEC_SECURE && (lr->status == LS_ABSENT ||
	    (lr->status == LS_UNUSABLE && lr->ncerts == 0));
}

/* The path has ended (with or without a certificate): the address's
 * own answer once more, now judged with what it brought. */
static void
fetch_finish(struct engine *e, struct pending *p)
{
	p->fetch->done = true;
	if (dns_query(e, p->addr.owner, DNS_TYPE_SMIMEA,
	    p->job->verb->answered, p) < 0)
		e->failed = true;
}

static void
fetch_fail(struct engine *e, struct pending *p, const char *code,
    const char *message)
{
	p->fetch->code = code;
	snprintf(p->fetch->message, sizeof(p->fetch->message), "%s", message);
	fetch_finish(e, p);
}

static void
fetch_done(void *arg, struct https_result *hr)
{
	struct pending *p = arg;
	struct engine *e = p->job->engine;
	struct fetch *f = p->fetch;
	size_t i;
	int rc;

	if (strcmp(hr->code, "ok") != 0) {
		fetch_fail(e, p, hr->code, hr->message);
		return;
	}
	f->cert = hr->cert;
	memset(&hr->cert, 0, sizeof(hr->cert));
	f->have_cert = true;
	/* The chain as served: for DANE-TA and PKIX paths only. */
	if (hr->nchain > 0 &&
	    ((f->chain = calloc(hr->nchain, sizeof(*f->chain))) == NULL ||
	    (f->chainp = calloc(hr->nchain, sizeof(*f->chainp))) == NULL)) {
		e->failed = true;
		return;
	}
	for (i = 0; i < hr->nchain; i++) {
		rc = certs_decode(hr->chain[i], hr->chain_lens[i],
		    &f->chain[f->nchain], NULL);
		if (rc < 0) {
			e->failed = true;
			return;
		}
		if (rc == CERTS_OK) {
			f->chainp[f->nchain] = &f->chain[f->nchain];
			f->nchain++;
		}
	}
	fetch_finish(e, p);
}

static void
txt_done(void *arg, const struct dns_result *res)
{
	struct pending *p = arg;
	struct engine *e = p->job->engine;
	struct smimetxt_rr rr[DS_MAX_TXT_RECORDS];
	struct smime_url u;
	size_t i, n;
	int rc;

	if (res->kind != DNSR_ANSWER) {
		fetch_fail(e, p, "txt-error", res->err_message);
		return;
	}
	if (res->msg.rcode != DNS_RCODE_NOERROR &&
	    res->msg.rcode != DNS_RCODE_NXDOMAIN) {
		fetch_fail(e, p, "txt-error", "the TXT lookup failed "
		    "(SERVFAIL or another error)");
		return;
	}
	if (res->msg.ntxts == 0) {
		fetch_fail(e, p, "txt-absent", "no _smime TXT record names a "
		    "URL for this address");
		return;
	}
	n = res->msg.ntxts < DS_MAX_TXT_RECORDS ? res->msg.ntxts :
	    DS_MAX_TXT_RECORDS;
	for (i = 0; i < n; i++) {
		rr[i].rdata = res->msg.txts[i].rdata;
		rr[i].len = res->msg.txts[i].len;
	}
	if ((rc = smimetxt_pick(rr, n, &u)) != SMIMETXT_OK) {
		fetch_fail(e, p, smimetxt_code(rc), smimetxt_strerror(rc));
		return;
	}
	snprintf(p->fetch->url, sizeof(p->fetch->url), "%s", u.url);
	/* RFC 4035 4.9.3: only a validated answer may steer us. */
	if (!res->trusted || !res->msg.ad) {
		fetch_fail(e, p, "txt-insecure", "the _smime TXT record is "
		    "not DNSSEC-secure: its URL is shown but not fetched");
		return;
	}
	if (https_fetch(e->https, u.url, fetch_done, p) < 0)
		e->failed = true;
}

/* Starts the path for p. 0 started (answered later), -1 ours. */
static int
fetch_start(struct engine *e, struct pending *p)
{
	char owner[DS_MAX_OWNER_NAME + 1];
	int rc;

	if ((p->fetch = calloc(1, sizeof(*p->fetch))) == NULL)
		return -1;
	rc = smimetxt_owner(p->addr.local, p->addr.local_len, p->addr.domain,
	    owner, sizeof(owner));
	if (rc != SMIMETXT_OK) {
		fetch_fail(e, p, smimetxt_code(rc), smimetxt_strerror(rc));
		return 0;
	}
	return dns_query(e, owner, DNS_TYPE_TXT, txt_done, p) < 0 ?
	    -1 : 0;
}

/*
 * A fetched certificate no SMIMEA record vouches for may still be valid
 * by PKIX for the address (a CA-issued one): lookup.c judges it as if a
 * PKIX-EE record of itself were published. 1 yes (*v filled), 0 no,
 * -1 ours.
 */
static int
fetch_pkix(struct engine *e, const struct job *j, struct pending *p,
    struct dane_verdict *v)
{
	struct fetch *f = p->fetch;
	struct lookup_ctx ctx;

	ensure_trust(e);
	memset(&ctx, 0, sizeof(ctx));
	ctx.at = j->at;
	ctx.supplied = &f->cert;
	ctx.chain = f->chainp;
	ctx.nchain = f->nchain;
	return lookup_evaluate_fetched_pkix(&ctx, j->addresses[p->index],
	    &p->addr, v);
}

/* What the path brought, into the judged answer. */
static void
fetch_apply(const struct fetch *f, struct lookup_result *lr)
{
	lr->https_tried = true;
	snprintf(lr->https_url, sizeof(lr->https_url), "%s", f->url);
	if (!f->have_cert) {
		lr->https_code = f->code;
		snprintf(lr->https_message, sizeof(lr->https_message), "%s",
		    f->message);
		return;
	}
	lr->https_source = true;
	if (lr->dnssec != DNSSEC_SECURE || lr->ncerts != 1 ||
	    lr->certs[0].v.matched)
		return;	/* found or unusable as a record judged it */
	lr->status = LS_UNVERIFIED;
	lr->reason = "a certificate was fetched over HTTPS from the URL the "
	    "signed _smime TXT record names, but no DNSSEC-secure SMIMEA "
	    "record of the address vouches for it: shown, never trusted";
}

static void
lookup_done(void *arg, const struct dns_result *res)
{
	struct pending *p = arg;
	struct job *j = p->job;
	struct engine *e = j->engine;
	const char *a = j->addresses[p->index];
	struct lookup_result lr;
	struct lookup_ctx ctx;

	if (res->kind == DNSR_ANSWER && res->msg.nrecords > 0)
		ensure_trust(e);
	job_ctx(j, &ctx);
	if (p->fetch != NULL && p->fetch->have_cert) {
		ctx.supplied = &p->fetch->cert;
		ctx.chain = p->fetch->chainp;
		ctx.nchain = p->fetch->nchain;
	}
	if (lookup_evaluate(&ctx, a, strlen(a), &p->addr, res, &lr) < 0) {
		e->failed = true;
		goto done;
	}
	if (p->fetch == NULL && wants_https(e, j, &lr)) {
		lookup_result_free(&lr);
		if (fetch_start(e, p) < 0)
			e->failed = true;
		return;		/* judged again when the path has ended */
	}
	if (p->fetch != NULL) {
		fetch_apply(p->fetch, &lr);
		if (lr.status == LS_UNVERIFIED) {
			/* Issue 18: valid by PKIX for this address: found,
			 * no trust added (its CA vouches for it). */
			struct dane_verdict v;
			int rc = fetch_pkix(e, j, p, &v);

			if (rc < 0) {
				e->failed = true;
				goto done;
			}
			if (rc == 1) {
				lr.certs[0].v = v;
				/* no published record: PKIX alone */
				lr.certs[0].v.record = -1;
				lr.certs[0].v.basis = BASIS_PKIX;
				lr.certs[0].trust = TRUST_NONE_STR;
				lr.certs[0].nvouch = 0;
				lr.status = LS_FOUND;
				lr.reason = NULL;
			}
		}
	}
	if (p->vouch != NULL) {
		if (lookup_apply_vouches(&lr, vouch_answer, p->vouch) < 0) {
			e->failed = true;
			goto done;
		}
	} else if (lookup_needs_vouching(&lr)) {
		int rc = vouch_start(e, p, &lr);

		if (rc < 0)
			e->failed = true;
		if (rc <= 0) {
			/* Answered again once the others have. */
			lookup_result_free(&lr);
			return;
		}
	}
	if (j->verb->token_cache)
		tc_note(e, j, &lr);
	j->verb->report(e, j, &lr);
done:
	lookup_result_free(&lr);
	job_finish_one(e, j);
	pending_free(e, p);
}

/* verify-message: the From address answered. The signer's trust (what
 * the add-on may store) needs its other addresses too, as for a
 * lookup. */
static void
message_done(void *arg, const struct dns_result *res)
{
	struct pending *p = arg;
	struct job *j = p->job;
	struct engine *e = j->engine;
	struct lookup_result lr;

	if (res->kind == DNSR_ANSWER && res->msg.nrecords > 0)
		ensure_trust(e);
	if (p->vouch == NULL) {
		int rc = 1;

		if (verifymsg_evaluate(j->vm, res, &lr) < 0)
			e->failed = true;
		else if (lookup_needs_vouching(&lr))
			rc = vouch_start(e, p, &lr);
		lookup_result_free(&lr);
		if (rc < 0)
			e->failed = true;
		if (rc <= 0 || e->failed)
			return;
	}
	if (verifymsg_finish(j->vm, res, p->vouch ? vouch_answer : NULL,
	    p->vouch) < 0)
		e->failed = true;
	else
		reply_message(e, j);
	job_finish_one(e, j);
	pending_free(e, p);
}

/* check: one query (or the TXT query's fetch) has ended. */
static void
check_finish(struct engine *e, struct pending *p)
{
	struct job *j = p->job;

	job_finish_one(e, j);
	pending_free(e, p);
	if (j->reported == j->naddresses) {
		struct check_report r;

		struct engine_outcome oc = { .kind = EK_CHECK };

		check_outcome(j->check, &r);
		oc.status = r.status;
		oc.ok = r.ok;
		emit_as(e, report_check(&r, j->id), &oc);
	}
}

/* check: the _smime TXT record's URL fetched (issue 18). */
static void
check_fetch_done(void *arg, struct https_result *hr)
{
	struct pending *p = arg;
	struct engine *e = p->job->engine;

	ensure_trust(e);	/* a certificate no record vouches for: PKIX */
	if (check_fetched(p->job->check, hr) < 0)
		e->failed = true;
	check_finish(e, p);
}

/* check: the main question, the same over TCP, the _smime TXT record,
 * and the wrong names. */
static void
check_done(void *arg, const struct dns_result *res)
{
	struct pending *p = arg;
	struct job *j = p->job;
	struct engine *e = j->engine;
	const char *url;

	if (p->index == CHECK_Q_MAIN && res->kind == DNSR_ANSWER &&
	    res->msg.nrecords > 0)
		ensure_trust(e);
	if (check_answer(j->check, (int)p->index, res) < 0)
		e->failed = true;
	else if ((url = check_fetch_url(j->check, (int)p->index)) != NULL) {
		if (e->https == NULL)
			check_fetch_done(p, NULL);
		else if (https_fetch(e->https, url, check_fetch_done, p) < 0)
			e->failed = true;
		return;		/* finished when the fetch is */
	}
	check_finish(e, p);
}

static void
probe_done(void *arg, const struct dns_result *res)
{
	struct job *j = arg;
	struct engine *e = j->engine;
	struct engine_outcome oc;
	struct doctor_report d;

	memset(&oc, 0, sizeof(oc));
	memset(&d, 0, sizeof(d));
	d.cfg = e->cfg;
	d.trusted = trusted(e);
	d.trust = trust_reason(e);
	d.answered = res->kind == DNSR_ANSWER;
	if (d.answered) {
		d.ad = res->msg.ad;
		d.rcode = res->msg.rcode;
	} else
		d.error = res->err_message;
	if (!d.trusted)
		d.verdict = "untrusted: answers will never be reported secure";
	else if (!d.answered)
		d.verdict = "the resolver did not answer the probe";
	else if (!d.ad)
		d.verdict = "the resolver does not validate DNSSEC (no AD bit "
		    "for a signed name): enable validation or use another "
		    "resolver";
	else
		d.verdict = "ok: a trusted validating resolver";
	oc.kind = EK_DOCTOR;
	oc.ok = d.trusted && d.answered && d.ad;
	oc.answered = d.answered;
	emit_as(e, report_doctor(&d, j->id), &oc);
	job_finish_one(e, j);
}

/* Decodes a certificate the client supplied. Returns 0, 1 (their fault:
 * *why says why) or -1. */
static int
decode_supplied(const uint8_t *der, size_t len, struct cert_summary **out,
    const char **why)
{
	struct cert_summary *c = calloc(1, sizeof(*c));
	int rc;

	if (c == NULL)
		return -1;
	rc = certs_decode(der, len, c, why);
	if (rc != 0) {
		cert_summary_free(c);
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

/* A verify whose certificate (or chain) does not decode: an error result
 * for the address, so the reply has the shape of every verify reply. */
static int
reject_certificate(struct engine *e, struct job *j, const char *address,
    const char *why)
{
	struct lookup_result lr;

	lookup_bad_address(address, strlen(address), "", &lr);
	lr.err_code = "bad-certificate";
	snprintf(lr.err_message, sizeof(lr.err_message),
	    "the supplied certificate does not decode: %s",
	    why != NULL ? why : "invalid DER");
	lr.reason = "nothing was looked up: the certificate to verify is "
	    "not a certificate";
	if (emit_result(e, j, &lr) < 0)
		return -1;
	return emit_done(e, j->id, 1);
}

/* The supplied certificate and chain of verify (and of import with a
 * certificate); the address list must be set. */
static int
setup_supplied(struct engine *e, struct job *j, struct request *req)
{
	const char *why = NULL;
	size_t i;
	int rc;

	if ((rc = decode_supplied(req->cert, req->cert_len, &j->cert,
	    &why)) != 0)
		return rc < 0 ? -1 : reject_certificate(e, j, j->addresses[0],
		    why) < 0 ? -1 : 1;
	if (req->nchain > 0 && ((j->chain = calloc(req->nchain,
	    sizeof(*j->chain))) == NULL || (j->chainp = calloc(req->nchain,
	    sizeof(*j->chainp))) == NULL))
		return -1;
	for (i = 0; i < req->nchain; i++) {
		rc = certs_decode(req->chain[i], req->chain_len[i],
		    &j->chain[j->nchain], &why);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			cert_summary_free(&j->chain[j->nchain]);
			return reject_certificate(e, j, j->addresses[0], why) <
			    0 ? -1 : 1;
		}
		j->chainp[j->nchain] = &j->chain[j->nchain];
		j->nchain++;
	}
	return 0;
}

static int
setup_verify(struct engine *e, struct job *j, struct request *req)
{
	if ((j->addresses = calloc(1, sizeof(char *))) == NULL ||
	    (j->addresses[0] = strdup(req->address)) == NULL)
		return -1;
	j->naddresses = 1;
	return setup_supplied(e, j, req);
}

/* record: no DNS, answered at once. */
static int
serve_record(struct engine *e, struct job *j, struct request *req)
{
	struct record_opts o = RECORD_OPTS_DEFAULT;
	struct record_line *lines = NULL;
	struct cert_summary *c = NULL;
	const char *why = NULL;
	size_t n = 0;
	int rc;

	if ((rc = decode_supplied(req->cert, req->cert_len, &c, &why)) != 0)
		return rc < 0 ? -1 : emit_error(e, j->id,
		    "bad-certificate", why != NULL ? why : "invalid DER") < 0 ?
		    -1 : 1;
	if (req->usage >= 0)
		o.usage = req->usage;
	if (req->selector >= 0)
		o.selector = req->selector;
	if (req->matching >= 0)
		o.matching = req->matching;
	if (req->ttl > 0)
		o.ttl = (uint32_t)req->ttl;
	o.url = req->url;
	rc = record_make(c, req->address, &o, &lines, &n, &why);
	if (rc < 0)
		goto out;
	if (rc > 0)
		rc = emit_error(e, j->id, rc == RECORD_E_ADDRESS ?
		    "bad-address" : "bad-field", why != NULL ? why :
		    "cannot make a record");
	else
		rc = emit(e, report_with_id(report_records(lines, n), j->id));
out:
	record_lines_free(lines, n);
	cert_summary_free(c);
	free(c);
	return rc < 0 ? -1 : 1;
}

/* hello: no DNS, answered at once. */
static int
serve_hello(struct engine *e, struct job *j, struct request *req)
{
	(void)req;
	return emit(e, hello_json(e, j->id)) < 0 ? -1 : 1;
}

static int
setup_lookup(struct engine *e, struct job *j, struct request *req)
{
	(void)e;
	j->addresses = req->addresses;
	j->naddresses = req->naddresses;
	j->https_off = req->https_off != 0;
	req->addresses = NULL;
	req->naddresses = 0;
	return 0;
}

static int
setup_import(struct engine *e, struct job *j, struct request *req)
{
	(void)setup_lookup(e, j, req);
	j->db = req->db;
	req->db = NULL;
	j->dry_run = req->dry_run != 0;
	if (req->cert == NULL)
		return 0;
	/* One certificate the client holds, judged for its one address
	 * like verify, imported if usable. */
	if (j->naddresses != 1)
		return emit_error(e, j->id, "bad-field", "import with "
		    "a \"certificate\" takes exactly one address") < 0 ? -1 : 1;
	return setup_supplied(e, j, req);
}

static int
setup_doctor(struct engine *e, struct job *j, struct request *req)
{
	(void)e;
	(void)req;
	j->naddresses = 1;	/* the probe */
	return 0;
}

static int
setup_check(struct engine *e, struct job *j, struct request *req)
{
	struct address a;
	const char *why = NULL;
	int rc;

	rc = address_parse(req->address, strlen(req->address), &a, &why);
	if (rc != 0)
		return rc < 0 ? -1 : emit_error(e, j->id, "bad-address",
		    why) < 0 ? -1 : 1;
	if (req->cert != NULL && (rc = decode_supplied(req->cert,
	    req->cert_len, &j->cert, &why)) != 0)
		return rc < 0 ? -1 : emit_error(e, j->id,
		    "bad-certificate", why != NULL ? why : "invalid DER") < 0 ?
		    -1 : 1;
	if ((j->check = check_new(req->address, &a, j->cert, j->at)) == NULL)
		return -1;
	j->naddresses = check_nqueries(j->check);
	return 0;
}

/* verify-message: the message is judged at once; only a valid
 * signature leads to a lookup of the From address. */
static int
setup_verify_message(struct engine *e, struct job *j, struct request *req)
{
	const struct address *a;
	bool answered;

	if ((j->vm = verifymsg_new(req->message, req->message_len, req->from,
	    j->at, &answered)) == NULL)
		return -1;
	if (answered)
		return reply_message(e, j) < 0 ? -1 : 1;
	a = verifymsg_address(j->vm);
	if ((j->addresses = calloc(1, sizeof(char *))) == NULL ||
	    (j->addresses[0] = malloc(sizeof(a->local) +
	    sizeof(a->domain) + 1)) == NULL)
		return -1;
	/* The engine looks up addresses by text: give it the parsed one. */
	snprintf(j->addresses[0], sizeof(a->local) + sizeof(a->domain) + 1,
	    "%s@%s", a->local, a->domain);
	j->naddresses = 1;
	return 0;
}

/* Whether n more addresses (or one more request) would exceed what a
 * session may leave pending. A client that floods a host whose resolver
 * does not answer gets "busy" at once: nothing is buffered for it. */
static bool
too_busy(const struct engine *e, size_t n)
{
	/* A check holds a few queries for its one address: the count may
	 * pass the limit by that much, so compare before subtracting. */
	return e->pending_jobs >= DS_MAX_PENDING_REQUESTS ||
	    e->pending_addresses >= DS_MAX_PENDING_ADDRESSES ||
	    n > DS_MAX_PENDING_ADDRESSES - e->pending_addresses;
}

static int
reject_busy(struct engine *e, const struct job *j)
{
	char msg[300];

	snprintf(msg, sizeof(msg), "busy: %zu requests with %zu addresses "
	    "are pending, and a session may leave at most %u requests and "
	    "%u addresses pending; send this again when answers have come",
	    e->pending_jobs, e->pending_addresses,
	    (unsigned)DS_MAX_PENDING_REQUESTS,
	    (unsigned)DS_MAX_PENDING_ADDRESSES);
	return emit_error(e, j->id, "busy", msg);
}

static const struct verb *verb_find(int type);

int
engine_submit(struct engine *e, struct request *req)
{
	const struct verb *v;
	struct job *j;
	int rc = 0;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return -1;
	j->engine = e;
	j->type = req->type;
	j->at = req->has_at ? req->at : (int64_t)time(NULL);
	if ((j->id_json = strdup(req->id_json != NULL ? req->id_json :
	    "null")) == NULL || (j->id = report_id(j->id_json)) == NULL) {
		job_free(j);
		return -1;
	}
	if ((v = verb_find(req->type)) == NULL) {
		rc = emit_error(e, j->id, "not-implemented",
		    "this request type is not implemented in this version");
		job_free(j);
		return rc;
	}
	j->verb = v;
	if (v->queued &&
	    too_busy(e, req->naddresses > 0 ? req->naddresses : 1)) {
		rc = reject_busy(e, j);
		job_free(j);
		return rc;
	}
	if ((rc = v->setup(e, j, req)) != 0) {	/* answered, or ours */
		job_free(j);
		return rc < 0 ? -1 : 0;
	}
	*e->jobs_tail = j;
	e->jobs_tail = &j->next_job;
	e->pending_jobs++;
	e->pending_addresses += j->naddresses;
	return engine_pump(e);
}

/* check: query i of its few (check.h). */
static int
start_check(struct engine *e, struct job *j, size_t i)
{
	struct pending *p;
	const char *qname;
	unsigned flags;
	int kind;

	if (e->dns.query == NULL) {
		j->reported = j->naddresses;
		j->next = j->naddresses;
		return emit_error(e, j->id, e->res_code,
		    e->res_error);
	}
	check_query(j->check, i, &qname, &flags, &kind);
	if ((p = pending_new(e, j)) == NULL)
		return -1;
	p->job = j;
	p->index = (size_t)kind;
	if (e->dns.query(e->dns.ctx, qname, check_qtype(kind),
	    flags, check_done, p) < 0) {
		pending_free(e, p);
		return -1;
	}
	j->outstanding++;
	e->outstanding++;
	return 0;
}

/* doctor: the probe of the resolver. */
static int
start_probe(struct engine *e, struct job *j, size_t i)
{
	(void)i;
	if (e->dns.query == NULL) {
		j->reported++;
		return emit_error(e, j->id, e->res_code,
		    e->res_error);
	}
	j->outstanding++;
	e->outstanding++;
	return dns_query(e, e->cfg->probe_name,
	    DNS_TYPE_SOA, probe_done, j);
}

/* lookup, verify, import, verify-message: address i. */
static int
start_address(struct engine *e, struct job *j, size_t i)
{
	const struct verb *v = j->verb;
	const char *a = j->addresses[i];
	struct pending *p;
	const char *why = NULL;
	int rc;

	if ((p = pending_new(e, j)) == NULL)
		return -1;
	p->job = j;
	p->index = i;
	rc = address_parse(a, strlen(a), &p->addr, &why);
	if (rc < 0) {
		pending_free(e, p);
		return -1;
	}
	if (rc > 0) {
		struct lookup_result lr;

		pending_free(e, p);
		lookup_bad_address(a, strlen(a), why, &lr);
		j->reported++;
		return emit_result(e, j, &lr);
	}
	if (e->dns.query == NULL) {
		rc = v->unanswered(e, j, p, a);
		pending_free(e, p);
		j->reported++;
		return rc;
	}
	if (dns_query(e, p->addr.owner, DNS_TYPE_SMIMEA,
	    v->answered, p) < 0) {
		pending_free(e, p);
		return -1;
	}
	j->outstanding++;
	e->outstanding++;
	return 0;
}

/* An address's answer without a resolver: the error, in the verb's
 * own shape (import answers as after a lookup). */
static int
unanswered_address(struct engine *e, struct job *j, struct pending *p,
    const char *a)
{
	struct lookup_result lr;

	lookup_bad_address(a, strlen(a), "", &lr);
	snprintf(lr.query, sizeof(lr.query), "%s", p->addr.owner);
	lr.err_code = e->res_code;
	snprintf(lr.err_message, sizeof(lr.err_message), "%s",
	    e->res_error);
	lr.reason = e->cfg->error[0] != '\0' ? "the configuration "
	    "file is invalid: nothing is looked up until it is fixed" :
	    "no resolver is configured, so nothing can be looked up";
	return j->verb->report(e, j, &lr);
}

/* verify-message without a resolver: the judgement, with the lookup
 * failed for that reason. */
static int
unanswered_message(struct engine *e, struct job *j, struct pending *p,
    const char *a)
{
	struct dns_result dr;

	(void)p;
	(void)a;
	memset(&dr, 0, sizeof(dr));
	dr.kind = DNSR_ERROR;
	dr.err_code = e->res_code;
	snprintf(dr.err_message, sizeof(dr.err_message), "%s",
	    e->res_error);
	if (verifymsg_finish(j->vm, &dr, NULL, NULL) < 0) {
		e->failed = true;
		return -1;
	}
	return reply_message(e, j);
}

static int
reply_lookup(struct engine *e, const struct job *j,
    const struct lookup_result *lr)
{
	return emit_result(e, j, lr);
}

static int
reply_import(struct engine *e, const struct job *j,
    const struct lookup_result *lr)
{
	struct engine_outcome oc;
	cJSON *msg;

	memset(&oc, 0, sizeof(oc));
	msg = import_json(j, lr, &oc);
	return emit_as(e, msg, &oc);
}

/* The verbs, indexed by enum req_type. */
static const struct verb verbs[] = {
	[REQ_HELLO] = { .type = REQ_HELLO, .setup = serve_hello },
	[REQ_RECORD] = { .type = REQ_RECORD, .setup = serve_record },
	[REQ_LOOKUP] = { .type = REQ_LOOKUP, .queued = true,
	    .done_message = true, .token_cache = true, .https = true,
	    .setup = setup_lookup, .start = start_address,
	    .answered = lookup_done, .report = reply_lookup,
	    .unanswered = unanswered_address },
	[REQ_VERIFY] = { .type = REQ_VERIFY, .queued = true,
	    .done_message = true,
	    .setup = setup_verify, .start = start_address,
	    .answered = lookup_done, .report = reply_lookup,
	    .unanswered = unanswered_address },
	[REQ_IMPORT] = { .type = REQ_IMPORT, .queued = true,
	    .done_message = true, .https = true,
	    .setup = setup_import, .start = start_address,
	    .answered = lookup_done, .report = reply_import,
	    .unanswered = unanswered_address },
	[REQ_VERIFY_MESSAGE] = { .type = REQ_VERIFY_MESSAGE, .queued = true,
	    .setup = setup_verify_message, .start = start_address,
	    .answered = message_done, .unanswered = unanswered_message },
	[REQ_CHECK] = { .type = REQ_CHECK, .queued = true,
	    .setup = setup_check, .start = start_check },
	[REQ_DOCTOR] = { .type = REQ_DOCTOR, .queued = true,
	    .setup = setup_doctor, .start = start_probe },
};

static const struct verb *
verb_find(int type)
{
	if (type <= 0 || (size_t)type >= sizeof(verbs) / sizeof(verbs[0]) ||
	    verbs[type].setup == NULL)
		return NULL;
	return &verbs[type];
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
			if (j->verb->start(e, j, j->next++) < 0) {
				e->failed = true;
				return -1;
			}
		}
		if (j->reported == j->naddresses) {
			if (j->verb->done_message &&
			    emit_done(e, j->id, j->naddresses) < 0)
				return -1;
			*jp = j->next_job;
			if (*jp == NULL)
				e->jobs_tail = jp;
			e->pending_jobs--;
			e->pending_addresses -= j->naddresses;
			job_free(j);
			tc_flush(e);
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
