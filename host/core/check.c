/* check.c - see check.h. Item names are stable (host/PROTOCOL.md). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dnsmsg.h"
#include "dslimits.h"
#include "lookup.h"
#include "record.h"
#include "smimetxt.h"

enum slot {
	S_PRESENT, S_SECURE, S_WELLFORMED, S_DUPLICATES, S_SIZE, S_TCP,
	S_DECODE, S_ADDRESSES, S_USABLE, S_MATCHES,
	/* the _smime TXT + HTTPS path (issue 18) */
	S_TXT_PRESENT, S_TXT_SECURE, S_TXT_URL, S_TXT_REACHABLE,
	S_TXT_MATCHES, S_WRONG,
	NSLOTS = S_WRONG + RECORD_NPROBES
};

static const char *const slot_names[NSLOTS] = {
	"record-present", "dnssec-secure", "records-well-formed",
	"no-duplicates", "answer-size", "tcp", "certificates-decode",
	"certificate-addresses", "usable", "matches-certificate",
	"txt-present", "txt-dnssec-secure", "txt-url", "txt-reachable",
	"txt-certificate-matches",
	"wrong-name-sha256-full", "wrong-name-sha224", "wrong-name-plain",
};

_Static_assert(NSLOTS == CHECK_MAX_ITEMS, "check.h: CHECK_MAX_ITEMS");

struct item {
	const char *result;	/* "pass", "fail", "warn", "info"; NULL: none */
	char message[DS_MAX_SMIME_URL + 512];	/* room for a URL */
};

struct check {
	char *address;
	struct address a;
	const struct cert_summary *cert;
	int64_t at;
	struct record_probe probes[RECORD_NPROBES];
	int kinds[3 + RECORD_NPROBES];	/* main, tcp, txt, probes */
	size_t nq;
	struct item items[NSLOTS];
	enum lookup_status status;
	enum dnssec_state dnssec;
	char fixes[CHECK_MAX_FIXES][DS_MAX_SMIME_URL + 600];
	size_t nfixes;
	/* The TXT path. The SMIMEA answer is kept (a deep copy) until the
	 * fetched certificate can be judged against it; the parts are put
	 * together once both are in (combine()). */
	char txt_owner[DS_MAX_OWNER_NAME + 1];	/* "" when not representable */
	bool main_in, txt_in, combined;
	bool have_main;			/* main_res holds an answer */
	struct dns_result main_res;
	enum lookup_status main_status;
	enum dnssec_state main_dnssec;
	size_t main_nrecords, main_ncerts;
	bool main_usable;		/* a record's certificate is usable */
	bool fix_absent, fix_hashonly;	/* fixes held back until combine */
	bool txt_absent;		/* no TXT record at txt_owner */
	char url[DS_MAX_SMIME_URL + 1];	/* acceptable URL, "" if none */
	bool want_fetch, fetched;
	struct cert_summary fcert;	/* fetched */
	struct cert_summary *fchain;
	const struct cert_summary **fchainp;
	size_t nfchain;
};

static void set(struct check *, enum slot, const char *, const char *, ...)
    __attribute__((format(printf, 4, 5)));

static void
set(struct check *c, enum slot s, const char *result, const char *fmt, ...)
{
	va_list ap;

	c->items[s].result = result;
	va_start(ap, fmt);
	vsnprintf(c->items[s].message, sizeof(c->items[s].message), fmt, ap);
	va_end(ap);
}

static void add_fix(struct check *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
add_fix(struct check *c, const char *fmt, ...)
{
	va_list ap;

	if (c->nfixes == sizeof(c->fixes) / sizeof(c->fixes[0]))
		return;
	va_start(ap, fmt);
	vsnprintf(c->fixes[c->nfixes++], sizeof(c->fixes[0]), fmt, ap);
	va_end(ap);
}

struct check *
check_new(const char *address, const struct address *a,
    const struct cert_summary *cert, int64_t at)
{
	struct check *c = calloc(1, sizeof(*c));
	size_t i;
	int rc;

	if (c == NULL || (c->address = strdup(address)) == NULL)
		goto fail;
	c->a = *a;
	c->cert = cert;
	c->at = at;
	c->status = LS_ERROR;
	c->dnssec = DNSSEC_INDETERMINATE;
	if (address_probe_names(a, c->probes) < 0)
		goto fail;
	c->kinds[c->nq++] = CHECK_Q_MAIN;
	c->kinds[c->nq++] = CHECK_Q_TCP;
	rc = smimetxt_owner(a->local, a->local_len, a->domain, c->txt_owner,
	    sizeof(c->txt_owner));
	if (rc < 0)
		goto fail;
	if (rc == SMIMETXT_OK)
		c->kinds[c->nq++] = CHECK_Q_TXT;
	else {
		/* Not an error: the TXT path is optional (issue 18). */
		c->txt_owner[0] = '\0';
		c->txt_in = true;
		set(c, S_TXT_PRESENT, "info", "no _smime TXT record can name "
		    "a URL for this address (%s: %s), so senders cannot find "
		    "a certificate over HTTPS for it", smimetxt_code(rc),
		    smimetxt_strerror(rc));
	}
	for (i = 0; i < RECORD_NPROBES; i++) {
		if (c->probes[i].skip == NULL)
			c->kinds[c->nq++] = CHECK_Q_PROBE + (int)i;
		else
			set(c, (enum slot)(S_WRONG + i), "info",
			    "not probed (%s): %s", c->probes[i].what,
			    c->probes[i].skip);
	}
	return c;
fail:
	check_free(c);
	return NULL;
}

void
check_free(struct check *c)
{
	size_t i;

	if (c == NULL)
		return;
	free(c->address);
	dnsmsg_free(&c->main_res.msg);
	cert_summary_free(&c->fcert);
	for (i = 0; i < c->nfchain; i++)
		cert_summary_free(&c->fchain[i]);
	free(c->fchain);
	free(c->fchainp);
	free(c);
}

size_t
check_nqueries(const struct check *c)
{
	return c->nq;
}

void
check_query(const struct check *c, size_t i, const char **qname,
    unsigned *flags, int *kind)
{
	*kind = c->kinds[i];
	*flags = *kind == CHECK_Q_TCP ? RESQ_TCP : 0;
	*qname = *kind >= CHECK_Q_PROBE ?
	    c->probes[*kind - CHECK_Q_PROBE].name : *kind == CHECK_Q_TXT ?
	    c->txt_owner : c->a.owner;
}

uint16_t
check_qtype(int kind)
{
	return kind == CHECK_Q_TXT ? DNS_TYPE_TXT : DNS_TYPE_SMIMEA;
}

static void
judge_records(struct check *c, const struct lookup_result *lr)
{
	size_t i, j, bad = 0, badcert = 0, fullrecs = 0, dups = 0, wrongaddr = 0;
	char list[256] = "";

	for (i = 0; i < lr->nrecords; i++) {
		const struct lr_record *r = &lr->records[i];

		if (r->selector == 0 && r->matching == 0)
			fullrecs++;
		if (r->problem_code == NULL)
			continue;
		if (strcmp(r->problem_code, "bad-certificate") == 0) {
			badcert++;
			continue;
		}
		bad++;
		if (strlen(list) + strlen(r->problem_code) + 3 < sizeof(list))
			snprintf(list + strlen(list), sizeof(list) -
			    strlen(list), "%s%s", list[0] ? ", " : "",
			    r->problem_code);
	}
	if (bad == 0)
		set(c, S_WELLFORMED, "pass", "all %zu records are well-formed "
		    "(RFC 6698 2.1)", lr->nrecords);
	else
		set(c, S_WELLFORMED, "fail", "%zu of %zu records are malformed "
		    "and ignored by every client (%s; RFC 6698 4.1)", bad,
		    lr->nrecords, list);
	for (i = 0; i < lr->ncerts; i++)
		for (j = i + 1; j < lr->ncerts; j++)
			if (strcmp(lr->certs[i].sum.sha256,
			    lr->certs[j].sum.sha256) == 0)
				dups++;
	if (dups == 0)
		set(c, S_DUPLICATES, "pass", "no certificate is published "
		    "twice");
	else
		set(c, S_DUPLICATES, "warn", "the same certificate is "
		    "published in %zu more full-certificate records: one is "
		    "enough, the copies only make the answer larger", dups);
	if (fullrecs == 0)
		set(c, S_DECODE, "info", "no full-certificate record (x 0 0): "
		    "senders cannot discover a certificate, only confirm one "
		    "they already have (RFC 8162 2)");
	else if (badcert == 0)
		set(c, S_DECODE, "pass", "every full-certificate record "
		    "holds a certificate that decodes");
	else
		set(c, S_DECODE, "fail", "%zu full-certificate record(s) hold "
		    "data that is not a DER certificate (RFC 5280 4.1)",
		    badcert);
	/* CA certificates (trust anchors of usages 0 and 2) need not carry
	 * the address; the end entities must. */
	for (i = 0; i < lr->ncerts; i++)
		if (!lr->certs[i].sum.is_ca &&
		    dane_has_problem(&lr->certs[i].v, "email-mismatch"))
			wrongaddr++;
	if (lr->ncerts == 0)
		set(c, S_ADDRESSES, "info", "no certificate to check");
	else if (wrongaddr == 0)
		set(c, S_ADDRESSES, "pass", "every published certificate "
		    "carries %s", c->address);
	else {
		set(c, S_ADDRESSES, "fail", "%zu published certificate(s) do "
		    "not carry %s in subjectAltName, so no client may use them "
		    "for it (RFC 8162 6)", wrongaddr, c->address);
		add_fix(c, "publish a certificate issued for %s", c->address);
	}
	if (lr->ncerts > 0 && lr->certs[0].v.usable)
		set(c, S_USABLE, "pass", "a sender can discover and use a "
		    "certificate for %s", c->address);
	else if (lr->ncerts > 0 && lookup_cert_waits(&lr->certs[0])) {
		/* The lookup would ask the other addresses (trustrule.h);
		 * the publisher is told to publish there too. */
		char others[DS_MAX_TRUST_ADDRESSES * (DS_MAX_ADDRESS + 2) + 1];
		size_t k, len = 0;

		others[0] = '\0';
		for (k = 0; k < lr->certs[0].nvouch; k++)
			len += (size_t)snprintf(others + len,
			    sizeof(others) - len,
			    "%s%s", k > 0 ? ", " : "", lr->certs[0].vouch[k]);
		set(c, S_USABLE, "warn", "a sender can use the certificate for "
		    "%s only if each other address it names publishes it too "
		    "(%s): a record speaks only for its own address; check "
		    "each with `dane-smime check ADDRESS CERT`", c->address,
		    others);
		c->status = LS_FOUND;
	}
	else if (lr->ncerts > 0) {
		set(c, S_USABLE, "fail", "no published certificate is usable: "
		    "%s", lr->certs[0].v.nproblems > 0 ?
		    lr->certs[0].v.problems[0].message : "see the problems");
		add_fix(c, "publish a valid end-entity certificate for %s that "
		    "allows encryption (`dane-smime record CERT` prints the "
		    "record)", c->address);
	} else {
		set(c, S_USABLE, "fail", "no published record carries a "
		    "certificate a sender could use: hash and key records "
		    "only confirm a certificate obtained elsewhere");
		/* Unless the TXT path delivers it (combine()). */
		c->fix_hashonly = true;
	}
}

/* A deep copy of an answer's SMIMEA records (TXT records left out):
 * the fetched certificate may come after the answer's callback. */
static int
copy_result(struct dns_result *dst, const struct dns_result *src)
{
	size_t i;

	*dst = *src;
	dst->msg.records = NULL;
	dst->msg.nrecords = 0;
	dst->msg.txts = NULL;
	dst->msg.ntxts = 0;
	if (src->msg.nrecords == 0)
		return 0;
	if ((dst->msg.records = calloc(src->msg.nrecords,
	    sizeof(*dst->msg.records))) == NULL)
		return -1;
	for (i = 0; i < src->msg.nrecords; i++) {
		struct smimea_rec *r = &dst->msg.records[i];

		*r = src->msg.records[i];
		r->data = NULL;
		dst->msg.nrecords = i + 1;
		if (r->len > 0) {
			if ((r->data = malloc(r->len)) == NULL)
				return -1;
			memcpy(r->data, src->msg.records[i].data, r->len);
		}
	}
	return 0;
}

static int
answer_main(struct check *c, const struct dns_result *res)
{
	struct lookup_result lr, vr;
	struct lookup_ctx ctx;
	int rc = -1;

	memset(&lr, 0, sizeof(lr));
	memset(&vr, 0, sizeof(vr));
	memset(&ctx, 0, sizeof(ctx));
	ctx.at = c->at;
	if (lookup_evaluate(&ctx, c->address, strlen(c->address), &c->a, res,
	    &lr) < 0)
		goto out;
	c->status = lr.status;
	c->dnssec = lr.dnssec;
	c->main_status = lr.status;
	c->main_dnssec = lr.dnssec;
	c->main_nrecords = lr.nrecords;
	c->main_ncerts = lr.ncerts;
	c->main_usable = lr.ncerts > 0 && (lr.certs[0].v.usable ||
	    lookup_cert_waits(&lr.certs[0]));
	if (res->kind == DNSR_ANSWER) {
		if (copy_result(&c->main_res, res) < 0)
			goto out;
		c->have_main = true;
	}
	if (lr.status == LS_ERROR || lr.status == LS_BOGUS) {
		set(c, S_PRESENT, "fail", "the lookup failed: %s",
		    lr.err_message);
		if (lr.status == LS_BOGUS) {
			set(c, S_SECURE, "fail", "DNSSEC validation of the "
			    "answer fails: %s", lr.err_message);
			add_fix(c, "repair the zone's DNSSEC chain (signatures, "
			    "DS in the parent): validating resolvers refuse "
			    "the record");
		}
		rc = 0;
		goto out;
	}
	if (lr.nrecords == 0) {
		set(c, S_PRESENT, "fail", "no SMIMEA record at %s", c->a.owner);
		c->fix_absent = true;	/* added by combine() */
	} else
		set(c, S_PRESENT, "pass", "%zu SMIMEA record(s) at %s",
		    lr.nrecords, c->a.owner);
	if (lr.dnssec == DNSSEC_SECURE)
		set(c, S_SECURE, "pass", "the answer is DNSSEC-validated");
	else {
		set(c, S_SECURE, "fail", "the answer is not DNSSEC-validated "
		    "(%s), so no client may use it (RFC 8162 6)", lr.reason ?
		    lr.reason : "insecure");
		add_fix(c, "sign the zone and publish its DS record in the "
		    "parent zone");
	}
	if (res->wire_len > DS_EDNS_UDP_SIZE)
		set(c, S_SIZE, "warn", "the answer is %zu bytes, over the %d "
		    "that fit UDP: resolvers must retry over TCP (RFC 8162 7)",
		    res->wire_len, DS_EDNS_UDP_SIZE);
	else
		set(c, S_SIZE, "pass", "the answer is %zu bytes and fits UDP",
		    res->wire_len);
	if (lr.nrecords > 0)
		judge_records(c, &lr);
	if (c->cert != NULL) {
		ctx.supplied = c->cert;
		if (lookup_evaluate(&ctx, c->address, strlen(c->address),
		    &c->a, res, &vr) < 0)
			goto out;
		if (vr.ncerts > 0 && vr.certs[0].v.matched)
			set(c, S_MATCHES, "pass", "the published records match "
			    "the certificate (record %u %u %u)",
			    vr.certs[0].v.usage, vr.certs[0].v.selector,
			    vr.certs[0].v.matching);
		else {
			set(c, S_MATCHES, "fail", "no published record matches "
			    "the given certificate");
			add_fix(c, "publish the output of `dane-smime record "
			    "CERT` for %s", c->address);
		}
	}
	rc = 0;
out:
	lookup_result_free(&lr);
	lookup_result_free(&vr);
	return rc;
}

/* The TXT answer (RFC 1035 3.3.14; smimetxt.h): present, secure, and an
 * acceptable URL; whether to fetch it. */
static void
answer_txt(struct check *c, const struct dns_result *res)
{
	struct smimetxt_rr rr[DS_MAX_TXT_RECORDS];
	struct smime_url u;
	size_t i, n;
	int rc;

	if (res->kind != DNSR_ANSWER) {
		set(c, S_TXT_PRESENT, "fail", "the TXT lookup at %s failed: %s",
		    c->txt_owner, res->err_message);
		return;
	}
	if (res->msg.rcode != DNS_RCODE_NOERROR &&
	    res->msg.rcode != DNS_RCODE_NXDOMAIN) {
		set(c, S_TXT_PRESENT, "fail", "the TXT lookup at %s failed: "
		    "the resolver answered RCODE %u%s%s%s (a DNSSEC failure, "
		    "or the zone's servers fail)", c->txt_owner,
		    res->msg.rcode, res->msg.has_ede ? " (" : "",
		    res->msg.has_ede ? res->msg.ede_text : "",
		    res->msg.has_ede ? ")" : "");
		add_fix(c, "make %s answerable: a validating resolver must "
		    "get a DNSSEC-valid answer for it", c->txt_owner);
		return;
	}
	if (res->msg.ntxts == 0) {
		c->txt_absent = true;	/* said by combine(), per SMIMEA */
		return;
	}
	set(c, S_TXT_PRESENT, "pass", "%zu TXT record(s) at %s",
	    res->msg.ntxts, c->txt_owner);
	/* RFC 4035 4.9.3: only a validated answer may steer a client; a
	 * lookup shows the URL of an insecure one but never fetches it. */
	if (res->trusted && res->msg.ad)
		set(c, S_TXT_SECURE, "pass", "the TXT answer is "
		    "DNSSEC-validated");
	else {
		set(c, S_TXT_SECURE, "fail", "the TXT answer is not "
		    "DNSSEC-validated, so no sender follows its URL (RFC 4035 "
		    "4.9.3): the zone holding %s is unsigned, or not signed "
		    "down to it", c->txt_owner);
		add_fix(c, "sign the zone that holds %s (an unsigned "
		    "delegation on the way needs signing and its DS record in "
		    "the parent)", c->txt_owner);
	}
	n = res->msg.ntxts < DS_MAX_TXT_RECORDS ? res->msg.ntxts :
	    DS_MAX_TXT_RECORDS;
	for (i = 0; i < n; i++) {
		rr[i].rdata = res->msg.txts[i].rdata;
		rr[i].len = res->msg.txts[i].len;
	}
	if ((rc = smimetxt_pick(rr, n, &u)) != SMIMETXT_OK) {
		set(c, S_TXT_URL, "fail", "%s: %s", smimetxt_code(rc),
		    smimetxt_strerror(rc));
		set(c, S_TXT_REACHABLE, "info", "not fetched: no acceptable "
		    "URL");
		add_fix(c, "publish exactly one TXT record at %s holding just "
		    "the https URL of the certificate (`dane-smime record "
		    "--url URL CERT` prints it)", c->txt_owner);
		return;
	}
	snprintf(c->url, sizeof(c->url), "%s", u.url);
	set(c, S_TXT_URL, "pass", "%s is acceptable (https, a DNS host "
	    "name, no credentials, no fragment)", c->url);
	if (strcmp(c->items[S_TXT_SECURE].result, "pass") != 0) {
		set(c, S_TXT_REACHABLE, "info", "not fetched: the TXT record "
		    "is not DNSSEC-secure, and senders do not fetch it either");
		return;
	}
	c->want_fetch = true;
}

const char *
check_fetch_url(const struct check *c, int kind)
{
	return kind == CHECK_Q_TXT && c->want_fetch && !c->txt_in ?
	    c->url : NULL;
}

/*
 * Whether the fetched certificate is valid by PKIX for the address
 * without any published record, as the lookup tries it (engine.c,
 * fetch_pkix; lookup_evaluate_fetched_pkix says how). 1 yes, 0 no,
 * -1 ours.
 */
static int
fetched_pkix(const struct check *c)
{
	struct lookup_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.at = c->at;
	ctx.supplied = &c->fcert;
	ctx.chain = c->fchainp;
	ctx.nchain = c->nfchain;
	return lookup_evaluate_fetched_pkix(&ctx, c->address, &c->a, NULL);
}

/* The fetched certificate against the SMIMEA answer: the lookup's own
 * judgement (lookup_evaluate with it supplied, as engine.c does). */
static int
judge_fetched(struct check *c, bool eligible)
{
	struct lookup_result vr;
	struct lookup_ctx ctx;
	const struct lr_cert *lc;
	int pkix, rc = -1;

	memset(&vr, 0, sizeof(vr));
	if (!c->have_main || c->main_dnssec != DNSSEC_SECURE) {
		set(c, S_TXT_MATCHES, "fail", "no DNSSEC-secure SMIMEA answer "
		    "for %s can vouch for the certificate served at %s (the "
		    "SMIMEA answer is %s)", c->address, c->url,
		    lookup_dnssec_name(c->dnssec));
		return 0;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.at = c->at;
	ctx.supplied = &c->fcert;
	ctx.chain = c->fchainp;
	ctx.nchain = c->nfchain;
	if (lookup_evaluate(&ctx, c->address, strlen(c->address), &c->a,
	    &c->main_res, &vr) < 0)
		goto out;
	if (vr.ncerts == 1 && vr.certs[0].v.matched) {
		lc = &vr.certs[0];
		set(c, S_TXT_MATCHES, "pass", "record %u %u %u of %s matches "
		    "the certificate served at %s (sha256 %s)", lc->v.usage,
		    lc->v.selector, lc->v.matching, c->address, c->url,
		    lc->sum.sha256);
		if (!eligible) {
			rc = 0;
			goto out;
		}
		if (c->items[S_DECODE].result != NULL)
			set(c, S_DECODE, "info", "no full-certificate record "
			    "(x 0 0): senders discover the certificate over "
			    "HTTPS instead (the _smime TXT path), and a record "
			    "confirms it");
		if (lc->v.usable) {
			set(c, S_USABLE, "pass", "a sender can discover the "
			    "certificate over HTTPS (the _smime TXT path) and "
			    "use it for %s", c->address);
			c->status = LS_FOUND;
		} else if (lookup_cert_waits(lc)) {
			set(c, S_USABLE, "warn", "a sender can use the "
			    "certificate served at %s for %s only if each "
			    "other address it names publishes it too: a "
			    "record speaks only for its own address; check "
			    "each with `dane-smime check ADDRESS CERT`",
			    c->url, c->address);
			c->status = LS_FOUND;
		} else {
			set(c, S_USABLE, "fail", "the certificate served "
			    "over HTTPS is not usable: %s", lc->v.nproblems >
			    0 ? lc->v.problems[0].message :
			    "see the problems");
			add_fix(c, "serve a valid end-entity certificate for "
			    "%s that allows encryption, and publish its hash "
			    "record", c->address);
			c->status = vr.status;
		}
		c->fix_hashonly = false;
		rc = 0;
		goto out;
	}
	if (!eligible) {
		/* Senders use the SMIMEA record's certificate and never
		 * fetch this one; still, the publications disagree. */
		set(c, S_TXT_MATCHES, "fail", "no SMIMEA record of %s matches "
		    "the certificate served at %s (sha256 %s): senders use "
		    "the certificate published in SMIMEA, not this one, but "
		    "the two publications disagree", c->address, c->url,
		    c->fcert.sha256);
		add_fix(c, "serve the certificate the SMIMEA records publish "
		    "at the URL, or remove the _smime TXT record");
		rc = 0;
		goto out;
	}
	if ((pkix = fetched_pkix(c)) < 0)
		goto out;
	if (c->main_nrecords > 0) {
		set(c, S_TXT_MATCHES, "fail", "no SMIMEA record of %s matches "
		    "the certificate served at %s (sha256 %s): %s", c->address,
		    c->url, c->fcert.sha256, pkix ? "it is valid by PKIX for "
		    "the address, so senders take it on its CA's word alone, "
		    "and the records published for it are wrong" : "senders "
		    "see it as unverified and never use it");
		add_fix(c, "publish the hash record of the certificate you "
		    "serve (`dane-smime record --url URL CERT` prints it), or "
		    "serve the certificate the records name");
	} else if (pkix) {
		set(c, S_TXT_MATCHES, "warn", "no SMIMEA record vouches for "
		    "the certificate served at %s, but it is valid by PKIX for "
		    "%s: senders find it on its CA's word alone, without a "
		    "DNSSEC binding", c->url, c->address);
		add_fix(c, "publish the hash record of the certificate you "
		    "serve (`dane-smime record --url URL CERT` prints it) to "
		    "bind it in DNSSEC");
	} else {
		set(c, S_TXT_MATCHES, "fail", "no SMIMEA record vouches for "
		    "the certificate served at %s (sha256 %s): senders see it "
		    "as unverified and never use it", c->url, c->fcert.sha256);
		add_fix(c, "publish the hash record of the certificate you "
		    "serve (`dane-smime record --url URL CERT` prints it)");
	}
	if (pkix) {
		set(c, S_USABLE, "pass", "a sender can discover the "
		    "certificate over HTTPS (the _smime TXT path) and use it "
		    "for %s, trusted by PKIX", c->address);
		if (c->main_nrecords == 0) {
			set(c, S_PRESENT, "warn", "no SMIMEA record at %s: the "
			    "certificate served over HTTPS is trusted by its "
			    "CA (PKIX) alone", c->a.owner);
			c->fix_absent = false;
		}
		c->fix_hashonly = false;
		c->status = LS_FOUND;
	} else
		c->status = LS_UNVERIFIED;
	rc = 0;
out:
	lookup_result_free(&vr);
	return rc;
}

/* Once the SMIMEA answer and the TXT path are both in. */
static int
combine(struct check *c)
{
	/* The lookup takes the TXT path exactly then (engine.c,
	 * wants_https): a secure SMIMEA answer without a certificate. */
	bool eligible = c->main_dnssec == DNSSEC_SECURE &&
	    (c->main_status == LS_ABSENT || (c->main_status == LS_UNUSABLE &&
	    c->main_ncerts == 0));

	if (!c->main_in || !c->txt_in || c->combined)
		return 0;
	c->combined = true;
	if (c->txt_absent) {
		/* No TXT is no error: the path is optional (issue 18). */
		if (c->main_usable)
			set(c, S_TXT_PRESENT, "info", "no _smime TXT record at "
			    "%s: none is needed, the SMIMEA record carries "
			    "the certificate", c->txt_owner);
		else
			set(c, S_TXT_PRESENT, "info", "no _smime TXT record at "
			    "%s: senders find no certificate over HTTPS "
			    "either (optional: serve it over https and name "
			    "its URL there)", c->txt_owner);
	}
	if (c->fetched && judge_fetched(c, eligible) < 0)
		return -1;
	if (c->fix_absent)
		add_fix(c, "publish the record at %s. (RFC 8162 3: the first "
		    "28 octets of SHA-256 of the local-part, in hex)",
		    c->a.owner);
	if (c->fix_hashonly)
		add_fix(c, "publish the full certificate as a 3 0 0 record "
		    "(`dane-smime record CERT` prints it), keeping the hash "
		    "records if you like; or serve it over https named by a "
		    "signed _smime TXT record (`dane-smime record --url URL "
		    "CERT`)");
	return 0;
}

int
check_fetched(struct check *c, struct https_result *hr)
{
	size_t i;
	int rc;

	c->txt_in = true;
	if (hr == NULL)
		set(c, S_TXT_REACHABLE, "info", "not fetched: the HTTPS path "
		    "is off in this host (https = no in the configuration, or "
		    "it could not start: see the log)");
	else if (strcmp(hr->code, "ok") != 0) {
		set(c, S_TXT_REACHABLE, "fail", "%s: %s", hr->code,
		    hr->message);
		add_fix(c, "serve the certificate (PEM or DER) at %s over "
		    "https, with a server certificate valid for its host, "
		    "status 200, at most %u redirects (each to https)", c->url,
		    (unsigned)DS_MAX_HTTPS_REDIRECTS);
	} else {
		c->fcert = hr->cert;
		memset(&hr->cert, 0, sizeof(hr->cert));
		c->fetched = true;
		set(c, S_TXT_REACHABLE, "pass", "a certificate was fetched "
		    "from %s (HTTP %ld, %u redirect(s), sha256 %s)", c->url,
		    hr->status, hr->redirects, c->fcert.sha256);
		/* The chain as served, for DANE-TA and PKIX paths. */
		if (hr->nchain > 0 &&
		    ((c->fchain = calloc(hr->nchain, sizeof(*c->fchain))) ==
		    NULL || (c->fchainp = calloc(hr->nchain,
		    sizeof(*c->fchainp))) == NULL))
			return -1;
		for (i = 0; i < hr->nchain; i++) {
			rc = certs_decode(hr->chain[i], hr->chain_lens[i],
			    &c->fchain[c->nfchain], NULL);
			if (rc < 0)
				return -1;
			if (rc == CERTS_OK) {
				c->fchainp[c->nfchain] = &c->fchain[c->nfchain];
				c->nfchain++;
			}
		}
	}
	return combine(c);
}

int
check_answer(struct check *c, int kind, const struct dns_result *res)
{
	const struct record_probe *p;

	if (kind == CHECK_Q_MAIN) {
		if (answer_main(c, res) < 0)
			return -1;
		c->main_in = true;
		return combine(c);
	}
	if (kind == CHECK_Q_TXT) {
		answer_txt(c, res);
		if (!c->want_fetch)
			c->txt_in = true;
		return combine(c);
	}
	if (kind == CHECK_Q_TCP) {
		if (res->kind == DNSR_ANSWER && (res->msg.rcode ==
		    DNS_RCODE_NOERROR || res->msg.rcode == DNS_RCODE_NXDOMAIN))
			set(c, S_TCP, "pass", "the answer can be fetched over "
			    "TCP (%zu bytes)", res->wire_len);
		else if (res->kind == DNSR_ANSWER)
			set(c, S_TCP, "fail", "over TCP the resolver answered "
			    "RCODE %u", res->msg.rcode);
		else
			set(c, S_TCP, "fail", "over TCP: %s", res->err_message);
		return 0;
	}
	p = &c->probes[kind - CHECK_Q_PROBE];
	if (res->kind == DNSR_ANSWER &&
	    res->msg.rcode == DNS_RCODE_NOERROR && res->msg.nrecords > 0) {
		set(c, (enum slot)(S_WRONG + kind - CHECK_Q_PROBE), "fail",
		    "a record sits at %s (%s), where no client looks: the "
		    "right name is %s (RFC 8162 3)", p->name, p->what,
		    c->a.owner);
		add_fix(c, "move the record from %s to %s", p->name,
		    c->a.owner);
	} else
		set(c, (enum slot)(S_WRONG + kind - CHECK_Q_PROBE), "pass",
		    "nothing at %s (%s)", p->name, p->what);
	return 0;
}

void
check_outcome(const struct check *c, struct check_report *r)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->address = c->address;
	r->query = c->a.owner;
	r->txt_query = c->txt_owner[0] != '\0' ? c->txt_owner : NULL;
	r->url = c->url[0] != '\0' ? c->url : NULL;
	r->dnssec = c->dnssec;
	r->status = c->status;
	r->ok = true;
	for (i = 0; i < NSLOTS; i++) {
		struct check_item *it;

		if (c->items[i].result == NULL)
			continue;
		if (strcmp(c->items[i].result, "fail") == 0)
			r->ok = false;
		it = &r->items[r->nitems++];
		it->name = slot_names[i];
		it->result = c->items[i].result;
		it->message = c->items[i].message;
	}
	for (i = 0; i < c->nfixes; i++)
		r->fixes[r->nfixes++] = c->fixes[i];
}
