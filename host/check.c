/* check.c - see check.h. Item names are stable (host/PROTOCOL.md). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dslimits.h"
#include "lookup.h"
#include "record.h"

enum slot {
	S_PRESENT, S_SECURE, S_WELLFORMED, S_DUPLICATES, S_SIZE, S_TCP,
	S_DECODE, S_ADDRESSES, S_USABLE, S_MATCHES, S_WRONG,
	NSLOTS = S_WRONG + RECORD_NPROBES
};

static const char *const slot_names[NSLOTS] = {
	"record-present", "dnssec-secure", "records-well-formed",
	"no-duplicates", "answer-size", "tcp", "certificates-decode",
	"certificate-addresses", "usable", "matches-certificate",
	"wrong-name-sha256-full", "wrong-name-sha224", "wrong-name-plain",
};

struct item {
	const char *result;	/* "pass", "fail", "warn", "info"; NULL: none */
	char message[512];
};

struct check {
	char *address;
	struct address a;
	const struct cert_summary *cert;
	int64_t at;
	struct record_probe probes[RECORD_NPROBES];
	int kinds[2 + RECORD_NPROBES];
	size_t nq;
	struct item items[NSLOTS];
	const char *status, *dnssec;
	char fixes[4][600];
	size_t nfixes;
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

	if (c == NULL || (c->address = strdup(address)) == NULL)
		goto fail;
	c->a = *a;
	c->cert = cert;
	c->at = at;
	c->status = "error";
	c->dnssec = "indeterminate";
	if (address_probe_names(a, c->probes) < 0)
		goto fail;
	c->kinds[c->nq++] = CHECK_Q_MAIN;
	c->kinds[c->nq++] = CHECK_Q_TCP;
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
	if (c == NULL)
		return;
	free(c->address);
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
	    c->probes[*kind - CHECK_Q_PROBE].name : c->a.owner;
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
		c->status = "found";
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
		add_fix(c, "publish the full certificate as a 3 0 0 record "
		    "(`dane-smime record CERT` prints it), keeping the hash "
		    "records if you like");
	}
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
	c->status = lookup_status_name(lr.status);
	c->dnssec = lookup_dnssec_name(lr.dnssec);
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
		add_fix(c, "publish the record at %s. (RFC 8162 3: the first "
		    "28 octets of SHA-256 of the local-part, in hex)",
		    c->a.owner);
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

int
check_answer(struct check *c, int kind, const struct dns_result *res)
{
	const struct record_probe *p;

	if (kind == CHECK_Q_MAIN)
		return answer_main(c, res);
	if (kind == CHECK_Q_TCP) {
		if (res->kind == DNSR_ANSWER && (res->msg.rcode == 0 ||
		    res->msg.rcode == 3))
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
	if (res->kind == DNSR_ANSWER && res->msg.rcode == 0 &&
	    res->msg.nrecords > 0) {
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

cJSON *
check_report(const struct check *c)
{
	cJSON *o = cJSON_CreateObject(), *arr, *fixes;
	bool ok = true;
	size_t i;

	if (o == NULL ||
	    cJSON_AddStringToObject(o, "type", "check") == NULL ||
	    cJSON_AddStringToObject(o, "address", c->address) == NULL ||
	    cJSON_AddStringToObject(o, "query", c->a.owner) == NULL ||
	    cJSON_AddStringToObject(o, "dnssec", c->dnssec) == NULL ||
	    cJSON_AddStringToObject(o, "status", c->status) == NULL ||
	    (arr = cJSON_AddArrayToObject(o, "checks")) == NULL)
		goto fail;
	for (i = 0; i < NSLOTS; i++) {
		cJSON *it;

		if (c->items[i].result == NULL)
			continue;
		if (strcmp(c->items[i].result, "fail") == 0)
			ok = false;
		if ((it = cJSON_CreateObject()) == NULL)
			goto fail;
		cJSON_AddItemToArray(arr, it);
		if (cJSON_AddStringToObject(it, "name", slot_names[i]) ==
		    NULL || cJSON_AddStringToObject(it, "result",
		    c->items[i].result) == NULL ||
		    cJSON_AddStringToObject(it, "message",
		    c->items[i].message) == NULL)
			goto fail;
	}
	if (cJSON_AddBoolToObject(o, "ok", ok) == NULL ||
	    (fixes = cJSON_AddArrayToObject(o, "fixes")) == NULL)
		goto fail;
	for (i = 0; i < c->nfixes; i++) {
		cJSON *s = cJSON_CreateString(c->fixes[i]);

		if (s == NULL)
			goto fail;
		cJSON_AddItemToArray(fixes, s);
	}
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}
