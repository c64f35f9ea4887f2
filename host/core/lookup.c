/* lookup.c - status and DNSSEC state of one RFC 8162 lookup. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lookup.h"
#include "pkix.h"
#include "trustrule.h"

const char *
lookup_status_name(enum lookup_status s)
{
	static const char *const names[] = {
		"found", "absent", "unusable", "unverified", "insecure",
		"bogus", "error",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] :
	    "error";
}

const char *
lookup_dnssec_name(enum dnssec_state d)
{
	static const char *const names[] = {
		"secure", "insecure", "bogus", "indeterminate",
	};

	return (unsigned)d < sizeof(names) / sizeof(names[0]) ? names[d] :
	    "indeterminate";
}

static void
init_result(const char *address, size_t address_len,
    struct lookup_result *out)
{
	memset(out, 0, sizeof(*out));
	out->address = address;
	out->address_len = address_len;
	out->dnssec = DNSSEC_INDETERMINATE;
	out->status = LS_ERROR;
}

void
lookup_bad_address(const char *address, size_t address_len, const char *why,
    struct lookup_result *out)
{
	init_result(address, address_len, out);
	out->err_code = "bad-address";
	snprintf(out->err_message, sizeof(out->err_message), "%s", why);
	out->reason = "the address is not a valid e-mail address, so nothing "
	    "was looked up";
}

/* RFC 8914 4: INFO-CODEs that say the validator could not reach or ask
 * the authorities. Such a SERVFAIL says nothing about authenticity, so it
 * is an error, not "bogus". Every other SERVFAIL from a validator, with
 * a DNSSEC EDE (1-12) or none, is treated as bogus: fail closed. */
static bool
ede_is_network(uint16_t code)
{
	return code == 22 || code == 23 || code == 14 || code == 13 ||
	    code == 20 || code == 21;
}

/* RFC 8914 section 4 names, for messages people read. */
static const char *
ede_name(uint16_t code)
{
	static const char *const names[] = {
		"Other Error", "Unsupported DNSKEY Algorithm",
		"Unsupported DS Digest Type", "Stale Answer", "Forged Answer",
		"DNSSEC Indeterminate", "DNSSEC Bogus", "Signature Expired",
		"Signature Not Yet Valid", "DNSKEY Missing", "RRSIGs Missing",
		"No Zone Key Bit Set", "NSEC Missing", "Cached Error",
		"Not Ready", "Blocked", "Censored", "Filtered", "Prohibited",
		"Stale NXDomain Answer", "Not Authoritative", "Not Supported",
		"No Reachable Authority", "Network Error", "Invalid Data",
	};

	return code < sizeof(names) / sizeof(names[0]) ? names[code] :
	    "unknown";
}

static int
add_records(const struct dnsmsg *m, struct lookup_result *out)
{
	size_t i;

	if (m->nrecords == 0)
		return 0;
	if ((out->records = calloc(m->nrecords, sizeof(*out->records))) ==
	    NULL || (out->certs = calloc(m->nrecords, sizeof(*out->certs))) ==
	    NULL)
		return -1;
	for (i = 0; i < m->nrecords; i++) {
		const struct smimea_rec *rec = &m->records[i];
		struct lr_record *lr = &out->records[out->nrecords++];
		const char *why = NULL;
		int rc;

		lr->usage = rec->usage;
		lr->selector = rec->selector;
		lr->matching = rec->matching;
		lr->data = rec->data;
		lr->len = rec->len;
		lr->cert = -1;
		if (rec->problem_code != NULL) {
			lr->problem_code = rec->problem_code;
			snprintf(lr->problem, sizeof(lr->problem), "%s",
			    rec->problem != NULL ? rec->problem : "");
			continue;
		}
		/* Only a full certificate (selector 0, matching 0) lets a
		 * client discover a certificate (RFC 8162 2, RFC 6698 2.1). */
		if (rec->selector != 0 || rec->matching != 0)
			continue;
		rc = certs_decode(rec->data, rec->len,
		    &out->certs[out->ncerts].sum, &why);
		if (rc != 0) {
			/* The decoder leaves nothing behind we must keep. */
			cert_summary_free(&out->certs[out->ncerts].sum);
			memset(&out->certs[out->ncerts], 0,
			    sizeof(out->certs[out->ncerts]));
		}
		if (rc < 0)
			return -1;
		if (rc > 0) {
			lr->problem_code = "bad-certificate";
			snprintf(lr->problem, sizeof(lr->problem),
			    "the record's certificate data does not decode: %s",
			    why != NULL ? why : "invalid DER");
			continue;
		}
		out->certs[out->ncerts].usage = rec->usage;
		out->certs[out->ncerts].selector = rec->selector;
		out->certs[out->ncerts].matching = rec->matching;
		lr->cert = (int)out->ncerts++;
	}
	return 0;
}

/* Puts the best certificate first (dane_order) and keeps the records'
 * certificate indexes pointing at the same certificates. 0, -1 OOM. */
static int
sort_certs(struct lookup_result *out)
{
	struct lr_cert *sorted = NULL;
	int *remap = NULL, *inverse = NULL, rc = -1;
	size_t i, j;

	if (out->verify || out->ncerts < 2)
		return 0;
	/* Insertion sort: a handful of certificates at most. */
	if ((remap = malloc((out->ncerts + 1) * sizeof(*remap))) == NULL ||
	    (sorted = calloc(out->ncerts + 1, sizeof(*sorted))) == NULL ||
	    (inverse = calloc(out->ncerts + 1, sizeof(*inverse))) == NULL)
		goto out;
	for (i = 0; i < out->ncerts; i++)
		remap[i] = (int)i;
	for (i = 1; i < out->ncerts; i++) {
		int k = remap[i];

		for (j = i; j > 0 && dane_order(&out->certs[k].v,
		    &out->certs[k].sum, &out->certs[remap[j - 1]].v,
		    &out->certs[remap[j - 1]].sum) < 0; j--)
			remap[j] = remap[j - 1];
		remap[j] = k;
	}
	for (i = 0; i < out->ncerts; i++) {
		sorted[i] = out->certs[remap[i]];
		inverse[remap[i]] = (int)i;
	}
	for (i = 0; i < out->nrecords; i++)
		if (out->records[i].cert >= 0)
			out->records[i].cert = inverse[out->records[i].cert];
	free(out->certs);
	out->certs = sorted;
	sorted = NULL;
	rc = 0;
out:
	free(sorted);
	free(remap);
	free(inverse);
	return rc;
}

/* Whether ee validates by PKIX to the configured anchors (an issuer then
 * vouches for all its addresses: no trust flag is needed). It counts
 * against the address's PKIX work (dane.h): once that is spent, "no"
 * (fail closed). 1 yes, 0 no, -1 ours. */
static int
pkix_valid(const struct cert_summary *ee, const struct cert_summary *const *pool,
    size_t npool, int64_t at, struct dane_budget *budget)
{
	struct pkix_result pr;
	int rc;

	if (budget->pkix >= DS_MAX_PKIX_PER_ADDRESS) {
		budget->exceeded = true;
		return 0;
	}
	memset(&pr, 0, sizeof(pr));
	if (npool > DS_MAX_PKIX_CERTS)
		npool = DS_MAX_PKIX_CERTS;
	if (pkix_verify(ee, pool, npool, NULL, at, false, &pr) != 0)
		rc = -1;
	else
		rc = pr.status == PKIX_OK;
	budget->pkix += pr.runs > 0 ? pr.runs : 1;
	pkix_result_free(&pr);
	return rc;
}

static void
not_usable(struct lr_cert *c)
{
	c->v.usable = false;
	c->v.basis = BASIS_NONE;
	c->trust = NULL;
}

/* The e-mail trust rule (trustrule.h) for one judged certificate: which
 * trust a client may store it with, and whether it stays usable. 0, or
 * -1 ours. */
static int
judge_trust(const struct address *addr, int64_t at,
    const struct cert_summary *const *pool, size_t npool, struct lr_cert *c,
    struct dane_budget *budget)
{
	struct dane_verdict scratch;
	int n, rc;

	c->trust = NULL;
	c->nvouch = 0;
	if (!c->v.usable)
		return 0;
	if (!trustrule_cert_ok(&c->sum, &c->v)) {
		not_usable(c);
		return 0;
	}
	if (c->v.basis == BASIS_PKIX) {
		c->trust = TRUST_NONE_STR;
		return 0;
	}
	memset(&scratch, 0, sizeof(scratch));
	n = trustrule_others(&c->sum, addr, c->vouch, &scratch);
	if (n == -2)
		return -1;
	if (n == 0) {
		c->trust = TRUST_EMAIL_STR;
		return 0;
	}
	/* Other addresses: a certificate a trusted CA issued is usable
	 * without any trust flag, whatever it names. */
	if ((rc = pkix_valid(&c->sum, pool, npool, at, budget)) < 0)
		return -1;
	if (rc == 1) {
		/* trust_basis still says what authenticated it. */
		c->v.pkix_valid = true;
		c->trust = TRUST_NONE_STR;
		return 0;
	}
	if (n < 0) {
		dane_add_problem(&c->v, scratch.problems[0].code, "%s",
		    scratch.problems[0].message);
		not_usable(c);
		return 0;
	}
	c->nvouch = (size_t)n;
	c->dane_basis = c->v.basis;
	dane_add_problem(&c->v, "other-address-not-vouched", "no trust: "
	    "it also names other addresses, not yet asked whether their own "
	    "SMIMEA records vouch for it");
	not_usable(c);
	return 0;
}

/* Judges every candidate certificate against the record set and puts
 * the best first (RFC 8162 leaves the choice to the client: a usable one,
 * then the one that stays valid longest, so rollover works). */
static int
evaluate_certs(const struct lookup_ctx *ctx, const struct address *addr,
    const struct dnsmsg *m, bool secure, struct lookup_result *out)
{
	const struct cert_summary **pool = NULL;
	struct dane_input in;
	struct dane_budget budget;	/* shared by the candidates */
	size_t i, np = 0;
	int rc = -1;

	if ((pool = calloc(out->ncerts + ctx->nchain + 1, sizeof(*pool))) ==
	    NULL)
		goto out;
	for (i = 0; i < out->ncerts; i++)
		pool[np++] = &out->certs[i].sum;
	for (i = 0; i < ctx->nchain; i++)
		pool[np++] = ctx->chain[i];
	memset(&in, 0, sizeof(in));
	in.recs = m->records;
	in.nrecs = m->nrecords;
	in.addr = addr;
	in.at = ctx->at;
	in.secure = secure;
	in.pool = pool;
	in.npool = np;
	in.purpose = ctx->purpose;
	memset(&budget, 0, sizeof(budget));
	in.budget = &budget;

	if (ctx->supplied != NULL) {
		/* verify: the record certificates only serve as pool (e.g. a
		 * DANE-TA anchor from a 2 0 0 record). */
		struct lr_cert *c = calloc(1, sizeof(*c));

		if (c == NULL)
			goto out;
		if (dane_evaluate(&in, ctx->supplied, &c->v) < 0) {
			free(c);
			goto out;
		}
		/* A shallow copy: the caller owns it (lookup_result_free
		 * leaves it alone in verify mode). */
		c->sum = *ctx->supplied;
		if (judge_trust(addr, ctx->at, pool, np, c, &budget) < 0) {
			free(c);
			goto out;
		}
		c->usage = c->v.usage;
		c->selector = c->v.selector;
		c->matching = c->v.matching;
		/* The records keep their own certificates out of the reply. */
		for (i = 0; i < out->nrecords; i++)
			out->records[i].cert = -1;
		for (i = 0; i < out->ncerts; i++)
			cert_summary_free(&out->certs[i].sum);
		free(out->certs);
		out->certs = c;
		out->ncerts = 1;
		out->verify = true;
		rc = 0;
		goto out;
	}
	for (i = 0; i < out->ncerts; i++)
		if (dane_evaluate(&in, &out->certs[i].sum,
		    &out->certs[i].v) < 0 || judge_trust(addr, ctx->at, pool,
		    np, &out->certs[i], &budget) < 0)
			goto out;
	if (sort_certs(out) < 0)
		goto out;
	rc = 0;
out:
	free(pool);
	return rc;
}

/* The status of a secure answer that has records: found when the best
 * certificate (sorted first) is usable. */
static void
records_status(struct lookup_result *out)
{
	out->reason = NULL;
	if (out->ncerts > 0 && out->certs[0].v.usable) {
		out->status = LS_FOUND;		/* best first: [0] decides */
		return;
	}
	out->status = LS_UNUSABLE;
	out->reason = out->verify ?
	    "the certificate is not usable for this address: see its "
	    "problems" : out->ncerts == 0 ?
	    "SMIMEA records exist but none carries a certificate (hash "
	    "or key-only records can only confirm a certificate "
	    "obtained elsewhere: use verify)" :
	    "SMIMEA records exist but no certificate in them is usable "
	    "for this address: see each certificate's problems";
}

static int evaluate(const struct lookup_ctx *, const char *, size_t,
    const struct address *, const struct dns_result *,
    struct lookup_result *);

int
lookup_evaluate(const struct lookup_ctx *ctx, const char *address,
    size_t address_len, const struct address *addr,
    const struct dns_result *res, struct lookup_result *out)
{
	static const struct dnsmsg empty;

	if (evaluate(ctx, address, address_len, addr, res, out) < 0)
		return -1;
	/* verify always answers about the supplied certificate, even when
	 * DNS gave nothing to judge it by (bogus, error): it is then not
	 * usable, and its problems say why. */
	if (ctx->supplied != NULL && !out->verify &&
	    evaluate_certs(ctx, addr, &empty, false, out) < 0)
		return -1;
	return 0;
}

/*
 * A certificate fetched over HTTPS (the _smime TXT path, issue 18) that
 * no SMIMEA record vouches for may still be valid by PKIX for the
 * address (a CA-issued one). There is no record to judge it by, so it is
 * judged as if a PKIX-EE record (1 0 0, RFC 8162 / RFC 6698 2.1.1) of
 * itself were published: that asks exactly the question, a path for
 * e-mail recipient use to the configured anchors and the certificate's
 * own fitness for the address, through the same code as every record.
 * The synthetic answer claims to be secure only so that lookup_evaluate
 * judges it at all; only its verdict leaves here, never the synthetic
 * answer's DNSSEC state: the callers (engine.c lookup_done, check.c
 * judge_fetched) report the real SMIMEA answer's state, and the engine
 * marks such a certificate PKIX-only (basis BASIS_PKIX, no record, trust
 * ",,"), so it is never reported as DNSSEC-secure nor trusted.
 */
int
lookup_evaluate_fetched_pkix(const struct lookup_ctx *ctx,
    const char *address, const struct address *addr,
    struct dane_verdict *v)
{
	struct smimea_rec rec;
	struct dns_result fake;
	struct lookup_result lr;
	int rc;

	memset(&rec, 0, sizeof(rec));
	rec.usage = DANE_PKIX_EE;
	rec.data = ctx->supplied->der;
	rec.len = ctx->supplied->der_len;
	memset(&fake, 0, sizeof(fake));
	fake.kind = DNSR_ANSWER;
	fake.trusted = true;
	fake.msg.ad = true;
	fake.msg.records = &rec;
	fake.msg.nrecords = 1;
	if (lookup_evaluate(ctx, address, strlen(address), addr, &fake,
	    &lr) < 0)
		return -1;
	rc = lr.ncerts == 1 && lr.certs[0].v.usable;
	if (rc && v != NULL)
		*v = lr.certs[0].v;
	lookup_result_free(&lr);
	return rc;
}

static int
evaluate(const struct lookup_ctx *ctx, const char *address,
    size_t address_len, const struct address *addr,
    const struct dns_result *res, struct lookup_result *out)
{
	const struct dnsmsg *m = &res->msg;
	bool secure;

	init_result(address, address_len, out);
	snprintf(out->query, sizeof(out->query), "%s", addr->owner);
	out->cached = res->from_cache;
	if (res->kind != DNSR_ANSWER) {
		out->err_code = res->err_code;
		snprintf(out->err_message, sizeof(out->err_message), "%s",
		    res->err_message);
		out->reason = "the lookup did not complete, so nothing is known "
		    "about this address";
		return res->kind == DNSR_INTERNAL ? -1 : 0;
	}
	out->ttl = m->ttl;
	if (m->has_ede) {
		out->has_ede = true;
		out->ede_code = m->ede_code;
		out->ede_text = m->ede_text;
	}
	if (m->tc) {
		out->err_code = "truncated";
		snprintf(out->err_message, sizeof(out->err_message),
		    "the answer was truncated even over TCP (RFC 8162 7)");
		out->reason = "the record set could not be read whole";
		return 0;
	}
	switch (m->rcode) {
	case DNS_RCODE_NOERROR:
	case DNS_RCODE_NXDOMAIN:
		break;
	case DNS_RCODE_SERVFAIL:
		if (!res->trusted) {
			out->err_code = "servfail";
			snprintf(out->err_message, sizeof(out->err_message),
			    "the resolver answered SERVFAIL; it is not a "
			    "trusted validator, so this proves nothing");
			out->reason = "the resolver failed";
			return 0;
		}
		if (m->has_ede && ede_is_network(m->ede_code)) {
			out->err_code = "servfail";
			snprintf(out->err_message, sizeof(out->err_message),
			    "the validator could not reach the domain's name "
			    "servers (SERVFAIL, Extended DNS Error %u: %s)",
			    m->ede_code, ede_name(m->ede_code));
			out->reason = "the domain's name servers did not answer "
			    "the validator";
			return 0;
		}
		out->dnssec = DNSSEC_BOGUS;
		out->status = LS_BOGUS;
		out->err_code = "dnssec-bogus";
		if (m->has_ede)
			snprintf(out->err_message, sizeof(out->err_message),
			    "the validator rejected the answer as bogus "
			    "(SERVFAIL, Extended DNS Error %u: %s)",
			    m->ede_code, ede_name(m->ede_code));
		else
			snprintf(out->err_message, sizeof(out->err_message),
			    "the validator rejected the answer as bogus "
			    "(SERVFAIL)");
		out->reason = "DNSSEC validation failed: the published data "
		    "cannot be trusted (possibly an attack or a broken "
		    "signature); never fall back to unauthenticated data";
		return 0;
	case DNS_RCODE_REFUSED:
		out->err_code = "refused";
		snprintf(out->err_message, sizeof(out->err_message),
		    "the resolver refused the query (REFUSED)");
		out->reason = "the resolver refused to answer";
		return 0;
	default:
		out->err_code = "resolver-error";
		snprintf(out->err_message, sizeof(out->err_message),
		    "the resolver answered with RCODE %u", m->rcode);
		out->reason = "the resolver could not answer";
		return 0;
	}

	if (add_records(m, out) < 0)
		return -1;
	secure = res->trusted && m->ad;
	if ((out->ncerts > 0 || ctx->supplied != NULL) &&
	    evaluate_certs(ctx, addr, m, secure, out) < 0)
		return -1;
	if (!secure) {
		out->dnssec = DNSSEC_INSECURE;
		out->status = LS_INSECURE;
		out->reason = !res->trusted ?
		    "the resolver is not trusted to validate DNSSEC, so the "
		    "answer is not authenticated and nothing in it is trusted" :
		    "the answer is not DNSSEC-signed (no AD bit from the "
		    "validator), so nothing in it is trusted (RFC 8162 6)";
		return 0;
	}
	out->dnssec = DNSSEC_SECURE;
	if (m->nrecords == 0) {
		out->status = LS_ABSENT;
		out->reason = m->rcode == DNS_RCODE_NXDOMAIN ?
		    "DNSSEC proves that no SMIMEA record exists for this "
		    "address (authenticated NXDOMAIN)" :
		    "DNSSEC proves that no SMIMEA record exists for this "
		    "address (authenticated NODATA)";
	} else
		records_status(out);
	return 0;
}

bool
lookup_cert_waits(const struct lr_cert *c)
{
	size_t k;

	if (c->nvouch == 0 || c->v.nproblems != 1 ||
	    strcmp(c->v.problems[0].code, "other-address-not-vouched") != 0)
		return false;
	for (k = 0; k < c->nvouch; k++)
		if (c->vouch_state[k] != VOUCH_UNCHECKED)
			return false;
	return true;
}

bool
lookup_needs_vouching(const struct lookup_result *lr)
{
	size_t i, k;

	for (i = 0; i < lr->ncerts; i++)
		for (k = 0; k < lr->certs[i].nvouch; k++)
			if (lr->certs[i].vouch_state[k] == VOUCH_UNCHECKED)
				return true;
	return false;
}

static void
remove_problem(struct dane_verdict *v, const char *code)
{
	size_t i;

	for (i = 0; i < v->nproblems; i++)
		if (strcmp(v->problems[i].code, code) == 0)
			break;
	if (i == v->nproblems)
		return;
	memmove(&v->problems[i], &v->problems[i + 1],
	    (v->nproblems - i - 1) * sizeof(v->problems[0]));
	v->nproblems--;
}

/* One certificate's other addresses have all answered. */
static void
settle_vouches(struct lr_cert *c)
{
	char list[DS_MAX_TRUST_ADDRESSES * (DS_MAX_ADDRESS + 2) + 1];
	size_t k, len = 0;

	list[0] = '\0';
	for (k = 0; k < c->nvouch; k++) {
		if (c->vouch_state[k] == VOUCH_YES)
			continue;
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
		    len > 0 ? ", " : "", c->vouch[k]);
	}
	remove_problem(&c->v, "other-address-not-vouched");
	if (len > 0) {
		dane_add_problem(&c->v, "other-address-not-vouched", "no "
		    "trust: it also names %s, not vouched for by own SMIMEA "
		    "records (a record speaks only for its address)", list);
		return;
	}
	if (c->v.nproblems > 0)
		return;
	c->v.usable = true;
	c->v.basis = c->dane_basis;
	c->trust = TRUST_EMAIL_STR;
}

int
lookup_apply_vouches(struct lookup_result *lr,
    bool (*vouched)(void *arg, const char *sha256, const char *address),
    void *arg)
{
	size_t i, k;

	for (i = 0; i < lr->ncerts; i++) {
		struct lr_cert *c = &lr->certs[i];

		if (c->nvouch == 0)
			continue;
		for (k = 0; k < c->nvouch; k++)
			c->vouch_state[k] = vouched(arg, c->sum.sha256,
			    c->vouch[k]) ? VOUCH_YES : VOUCH_NO;
		settle_vouches(c);
	}
	if (sort_certs(lr) < 0)
		return -1;
	if (lr->dnssec == DNSSEC_SECURE &&
	    (lr->status == LS_FOUND || lr->status == LS_UNUSABLE))
		records_status(lr);
	return 0;
}

void
lookup_result_free(struct lookup_result *lr)
{
	size_t i;

	if (lr == NULL)
		return;
	for (i = 0; i < lr->ncerts && !lr->verify; i++)
		cert_summary_free(&lr->certs[i].sum);
	free(lr->certs);
	free(lr->records);
	lr->certs = NULL;
	lr->records = NULL;
	lr->ncerts = lr->nrecords = 0;
}
