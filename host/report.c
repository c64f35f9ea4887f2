/* report.c - results to protocol JSON and to text; see report.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "encode.h"
#include "report.h"
#include "utf8.h"

cJSON *
report_with_id(cJSON *obj, const cJSON *id)
{
	cJSON *copy;

	if (obj == NULL)
		return NULL;
	copy = id != NULL ? cJSON_Duplicate(id, 1) : cJSON_CreateNull();
	if (copy == NULL) {
		cJSON_Delete(obj);
		return NULL;
	}
	cJSON_AddItemToObject(obj, "id", copy);
	return obj;
}

/* Text from hostile sources (argv, certificates) must still be valid
 * UTF-8 in our JSON: Thunderbird drops the port on invalid JSON. */
static cJSON *
add_text(cJSON *obj, const char *key, const char *s, size_t len)
{
	cJSON *item;
	char *clean;

	if (utf8_valid(s, len) && memchr(s, '\0', len) == NULL &&
	    s[len] == '\0')
		return cJSON_AddStringToObject(obj, key, s);
	if ((clean = utf8_sanitize(s, len)) == NULL)
		return NULL;
	item = cJSON_AddStringToObject(obj, key, clean);
	free(clean);
	return item;
}

static cJSON *
make_type(const char *type)
{
	cJSON *o = cJSON_CreateObject();

	if (o != NULL && cJSON_AddStringToObject(o, "type", type) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

cJSON *
report_error(const cJSON *id, const char *code, const char *message)
{
	cJSON *o = make_type("error"), *e;

	if (o == NULL)
		return NULL;
	if ((e = cJSON_AddObjectToObject(o, "error")) == NULL ||
	    cJSON_AddStringToObject(e, "code", code) == NULL ||
	    cJSON_AddStringToObject(e, "message", message) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return report_with_id(o, id);
}

cJSON *
report_done(const cJSON *id, size_t count)
{
	cJSON *o = make_type("done");

	if (o == NULL || cJSON_AddNumberToObject(o, "count", (double)count) ==
	    NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return report_with_id(o, id);
}

static const char *
basis_name(enum trust_basis b)
{
	switch (b) {
	case BASIS_PKIX:
		return "pkix";
	case BASIS_DANE_EE:
		return "dane-ee";
	case BASIS_DANE_TA:
		return "dane-ta";
	default:
		return NULL;
	}
}

/* The decision about one certificate (RFC 6698/7671/8162 via dane.c). */
static int
verdict_json(cJSON *o, const struct lr_cert *c)
{
	const struct dane_verdict *v = &c->v;
	cJSON *arr, *m;
	char key[32];
	size_t i;

	snprintf(key, sizeof(key), "%s %u", c->sum.key_type, c->sum.key_bits);
	if (cJSON_AddBoolToObject(o, "usable", v->usable) == NULL ||
	    cJSON_AddBoolToObject(o, "can_encrypt", v->can_encrypt) == NULL ||
	    cJSON_AddBoolToObject(o, "can_sign", v->can_sign) == NULL ||
	    cJSON_AddBoolToObject(o, "is_ca", c->sum.is_ca) == NULL ||
	    cJSON_AddStringToObject(o, "key", key) == NULL)
		return -1;
	if (v->matched) {
		if ((m = cJSON_AddObjectToObject(o, "match")) == NULL ||
		    cJSON_AddNumberToObject(m, "usage", v->usage) == NULL ||
		    cJSON_AddNumberToObject(m, "selector", v->selector) == NULL ||
		    cJSON_AddNumberToObject(m, "matching", v->matching) == NULL)
			return -1;
	} else if (cJSON_AddNullToObject(o, "match") == NULL)
		return -1;
	if (basis_name(v->basis) != NULL && v->matched) {
		if (cJSON_AddStringToObject(o, "trust_basis",
		    basis_name(v->basis)) == NULL)
			return -1;
	} else if (cJSON_AddNullToObject(o, "trust_basis") == NULL)
		return -1;
	if ((arr = cJSON_AddArrayToObject(o, "problems")) == NULL)
		return -1;
	for (i = 0; i < v->nproblems; i++) {
		cJSON *p = cJSON_CreateObject();

		if (p == NULL)
			return -1;
		cJSON_AddItemToArray(arr, p);
		if (cJSON_AddStringToObject(p, "code", v->problems[i].code) ==
		    NULL || cJSON_AddStringToObject(p, "message",
		    v->problems[i].message) == NULL)
			return -1;
	}
	return 0;
}

cJSON *
report_cert(const struct lr_cert *c)
{
	cJSON *o = cJSON_CreateObject(), *emails;
	char *der = NULL;
	size_t i;

	if (o == NULL)
		goto fail;
	if (cJSON_AddNumberToObject(o, "usage", c->usage) == NULL ||
	    cJSON_AddNumberToObject(o, "selector", c->selector) == NULL ||
	    cJSON_AddNumberToObject(o, "matching", c->matching) == NULL)
		goto fail;
	if ((der = b64_encode(c->sum.der, c->sum.der_len)) == NULL ||
	    cJSON_AddStringToObject(o, "der", der) == NULL ||
	    cJSON_AddStringToObject(o, "sha256", c->sum.sha256) == NULL ||
	    cJSON_AddStringToObject(o, "subject", c->sum.subject ?
	    c->sum.subject : "") == NULL ||
	    cJSON_AddStringToObject(o, "issuer", c->sum.issuer ?
	    c->sum.issuer : "") == NULL)
		goto fail;
	if ((emails = cJSON_AddArrayToObject(o, "emails")) == NULL)
		goto fail;
	for (i = 0; i < c->sum.nemails; i++) {
		cJSON *s = cJSON_CreateString(c->sum.emails[i]);
		if (s == NULL)
			goto fail;
		cJSON_AddItemToArray(emails, s);
	}
	if (cJSON_AddStringToObject(o, "not_before", c->sum.not_before_iso) ==
	    NULL || cJSON_AddStringToObject(o, "not_after",
	    c->sum.not_after_iso) == NULL)
		goto fail;
	if (verdict_json(o, c) < 0)
		goto fail;
	free(der);
	return o;
fail:
	free(der);
	cJSON_Delete(o);
	return NULL;
}

static cJSON *
record_json(const struct lr_record *r)
{
	cJSON *o = cJSON_CreateObject();
	char *hex = NULL;

	if (o == NULL)
		goto fail;
	if (cJSON_AddNumberToObject(o, "usage", r->usage) == NULL ||
	    cJSON_AddNumberToObject(o, "selector", r->selector) == NULL ||
	    cJSON_AddNumberToObject(o, "matching", r->matching) == NULL)
		goto fail;
	/* A full certificate is reported once, under "certificates". */
	if (r->cert >= 0) {
		if (cJSON_AddNumberToObject(o, "certificate", r->cert) == NULL)
			goto fail;
	} else {
		if ((hex = malloc(r->len * 2 + 1)) == NULL)
			goto fail;
		hex_encode(r->data, r->len, hex);
		if (cJSON_AddStringToObject(o, "data", hex) == NULL)
			goto fail;
	}
	if (r->problem_code != NULL) {
		cJSON *p = cJSON_AddObjectToObject(o, "problem");
		if (p == NULL ||
		    cJSON_AddStringToObject(p, "code", r->problem_code) == NULL ||
		    cJSON_AddStringToObject(p, "message", r->problem) == NULL)
			goto fail;
	}
	free(hex);
	return o;
fail:
	free(hex);
	cJSON_Delete(o);
	return NULL;
}

int
report_add_address(cJSON *obj, const struct lookup_result *lr)
{
	return add_text(obj, "address", lr->address, lr->address_len) ==
	    NULL ? -1 : 0;
}

cJSON *
report_records(const struct record_line *l, size_t n)
{
	cJSON *o = make_type("record"), *arr, *r;
	const char *w;
	size_t i;

	if (o == NULL || (arr = cJSON_AddArrayToObject(o, "records")) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		if ((r = cJSON_CreateObject()) == NULL)
			goto fail;
		cJSON_AddItemToArray(arr, r);
		if (add_text(r, "address", l[i].address,
		    strlen(l[i].address)) == NULL)
			goto fail;
		if (l[i].owner != NULL) {
			if (cJSON_AddStringToObject(r, "owner", l[i].owner) ==
			    NULL || cJSON_AddStringToObject(r, "presentation",
			    l[i].presentation) == NULL ||
			    cJSON_AddStringToObject(r, "generic",
			    l[i].generic) == NULL)
				goto fail;
		} else if (cJSON_AddNullToObject(r, "owner") == NULL)
			goto fail;
		if (cJSON_AddNumberToObject(r, "rdata_len",
		    (double)l[i].rdata_len) == NULL ||
		    cJSON_AddNumberToObject(r, "answer_estimate",
		    (double)l[i].answer_estimate) == NULL ||
		    cJSON_AddBoolToObject(r, "fits_udp", l[i].fits_udp) == NULL)
			goto fail;
		/* "warning": what is wrong with the record (the address,
		 * the usage, or an answer that needs TCP); "size_warning"
		 * also carries the advisory about RSA-signed zones. */
		w = l[i].warning != NULL ? l[i].warning : !l[i].fits_udp ?
		    l[i].size_warning : NULL;
		if (w != NULL && cJSON_AddStringToObject(r, "warning", w) ==
		    NULL)
			goto fail;
		if (l[i].size_warning != NULL && cJSON_AddStringToObject(r,
		    "size_warning", l[i].size_warning) == NULL)
			goto fail;
	}
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

cJSON *
report_result(const struct lookup_result *lr, const cJSON *id)
{
	cJSON *o = make_type("result"), *arr, *item;
	size_t i;

	if (o == NULL)
		return NULL;
	if (add_text(o, "address", lr->address, lr->address_len) == NULL)
		goto fail;
	if (lr->query[0] != '\0') {
		if (cJSON_AddStringToObject(o, "query", lr->query) == NULL)
			goto fail;
	} else if (cJSON_AddNullToObject(o, "query") == NULL)
		goto fail;
	if (cJSON_AddStringToObject(o, "dnssec",
	    lookup_dnssec_name(lr->dnssec)) == NULL ||
	    cJSON_AddStringToObject(o, "status",
	    lookup_status_name(lr->status)) == NULL ||
	    cJSON_AddNumberToObject(o, "ttl", lr->ttl) == NULL)
		goto fail;
	if (lr->reason != NULL &&
	    cJSON_AddStringToObject(o, "reason", lr->reason) == NULL)
		goto fail;
	if ((arr = cJSON_AddArrayToObject(o, "records")) == NULL)
		goto fail;
	for (i = 0; i < lr->nrecords; i++) {
		if ((item = record_json(&lr->records[i])) == NULL)
			goto fail;
		cJSON_AddItemToArray(arr, item);
	}
	if ((arr = cJSON_AddArrayToObject(o, "certificates")) == NULL)
		goto fail;
	for (i = 0; i < lr->ncerts; i++) {
		if ((item = report_cert(&lr->certs[i])) == NULL)
			goto fail;
		cJSON_AddItemToArray(arr, item);
	}
	if (lr->err_code != NULL) {
		cJSON *e = cJSON_AddObjectToObject(o, "error");
		if (e == NULL ||
		    cJSON_AddStringToObject(e, "code", lr->err_code) == NULL ||
		    cJSON_AddStringToObject(e, "message", lr->err_message) ==
		    NULL)
			goto fail;
	}
	if (lr->has_ede) {
		cJSON *e = cJSON_AddObjectToObject(o, "ede");
		if (e == NULL ||
		    cJSON_AddNumberToObject(e, "code", lr->ede_code) == NULL ||
		    cJSON_AddStringToObject(e, "text", lr->ede_text ?
		    lr->ede_text : "") == NULL)
			goto fail;
	}
	if (lr->cached && cJSON_AddTrueToObject(o, "cached") == NULL)
		goto fail;
	if (lr->verify && cJSON_AddStringToObject(o, "mode", "verify") == NULL)
		goto fail;
	return report_with_id(o, id);
fail:
	cJSON_Delete(o);
	return NULL;
}

char *
report_serialise(const cJSON *msg, size_t *len)
{
	char *s = cJSON_PrintUnformatted(msg);

	if (s != NULL)
		*len = strlen(s);
	return s;
}

/* ---- text for people ---- */

static const char *
str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double
num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *
paint(int color, const char *status)
{
	if (!color)
		return "";
	if (strcmp(status, "found") == 0)
		return "\033[32m";
	if (strcmp(status, "absent") == 0 || strcmp(status, "unusable") == 0)
		return "\033[33m";
	return "\033[31m";
}

static void
print_verdict(FILE *f, const cJSON *c, int color)
{
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(c, "usable");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(c, "match");
	const cJSON *p;
	const char *basis = str(c, "trust_basis");

	if (u == NULL)
		return;
	fprintf(f, "            usable   %s%s%s", color ? (cJSON_IsTrue(u) ?
	    "\033[32m" : "\033[31m") : "", cJSON_IsTrue(u) ? "yes" : "no",
	    color ? "\033[0m" : "");
	if (cJSON_IsObject(m))
		fprintf(f, " (matches %.0f %.0f %.0f%s%s)", num(m, "usage"),
		    num(m, "selector"), num(m, "matching"),
		    basis ? ", " : "", basis ? basis : "");
	fprintf(f, "; key %s%s%s\n", str(c, "key") ? str(c, "key") : "?",
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "can_encrypt")) ?
	    ", can encrypt" : ", cannot encrypt",
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "can_sign")) ?
	    ", can sign" : "");
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(c,
	    "problems"))
		fprintf(f, "            problem  %s: %s\n", str(p, "code") ?
		    str(p, "code") : "?", str(p, "message") ?
		    str(p, "message") : "");
}

static void
print_result(FILE *f, const cJSON *m, int color)
{
	const char *status = str(m, "status"), *q = str(m, "query");
	const char *reason = str(m, "reason");
	const cJSON *arr, *it, *err, *ede;
	int n = 0;

	if (status == NULL)
		status = "?";
	fprintf(f, "%s%s%s  %s  (DNSSEC %s)\n", paint(color, status),
	    str(m, "address") ? str(m, "address") : "", color ? "\033[0m" : "",
	    status, str(m, "dnssec") ? str(m, "dnssec") : "?");
	if (q != NULL)
		fprintf(f, "  query     %s  (ttl %.0f)\n", q, num(m, "ttl"));
	if (reason != NULL)
		fprintf(f, "  why       %s\n", reason);
	err = cJSON_GetObjectItemCaseSensitive(m, "error");
	if (cJSON_IsObject(err))
		fprintf(f, "  error     %s: %s\n", str(err, "code") ?
		    str(err, "code") : "?", str(err, "message") ?
		    str(err, "message") : "");
	ede = cJSON_GetObjectItemCaseSensitive(m, "ede");
	if (cJSON_IsObject(ede))
		fprintf(f, "  EDE       %.0f %s\n", num(ede, "code"),
		    str(ede, "text") ? str(ede, "text") : "");
	arr = cJSON_GetObjectItemCaseSensitive(m, "records");
	cJSON_ArrayForEach(it, arr) {
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(it, "problem");
		const char *data = str(it, "data");

		fprintf(f, "  record    %.0f %.0f %.0f  ", num(it, "usage"),
		    num(it, "selector"), num(it, "matching"));
		if (cJSON_GetObjectItemCaseSensitive(it, "certificate"))
			fprintf(f, "certificate #%.0f", num(it,
			    "certificate") + 1);
		else if (data != NULL)
			fprintf(f, "%.*s%s", 32, data,
			    strlen(data) > 32 ? "..." : "");
		if (cJSON_IsObject(p))
			fprintf(f, "  [%s: %s]", str(p, "code") ?
			    str(p, "code") : "?", str(p, "message") ?
			    str(p, "message") : "");
		fputc('\n', f);
	}
	arr = cJSON_GetObjectItemCaseSensitive(m, "certificates");
	cJSON_ArrayForEach(it, arr) {
		const cJSON *e;
		int first = 1;

		fprintf(f, "  cert #%d   subject  %s\n", ++n,
		    str(it, "subject") ? str(it, "subject") : "");
		fprintf(f, "            issuer   %s\n",
		    str(it, "issuer") ? str(it, "issuer") : "");
		fprintf(f, "            emails   ");
		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(it,
		    "emails")) {
			if (cJSON_IsString(e))
				fprintf(f, "%s%s", first ? "" : ", ",
				    e->valuestring);
			first = 0;
		}
		fprintf(f, "%s\n", first ? "(none)" : "");
		fprintf(f, "            valid    %s .. %s\n",
		    str(it, "not_before") ? str(it, "not_before") : "?",
		    str(it, "not_after") ? str(it, "not_after") : "?");
		fprintf(f, "            sha256   %s\n",
		    str(it, "sha256") ? str(it, "sha256") : "");
		print_verdict(f, it, color);
	}
}

static void
print_records(FILE *f, const cJSON *m)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(m, "records")) {
		const char *w = str(it, "warning"), *sw = str(it,
		    "size_warning");

		fprintf(f, "; %s: %.0f octets of RDATA, answer about %.0f "
		    "bytes%s\n", str(it, "address") ? str(it, "address") : "",
		    num(it, "rdata_len"), num(it, "answer_estimate"),
		    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it,
		    "fits_udp")) ? "" : " (needs TCP)");
		if (w != NULL)
			fprintf(f, "; WARNING: %s\n", w);
		if (sw != NULL)
			fprintf(f, "; WARNING: %s\n", sw);
		if (str(it, "presentation") != NULL)
			fprintf(f, "%s\n; or, for software that does not know "
			    "SMIMEA (RFC 3597):\n%s\n\n",
			    str(it, "presentation"), str(it, "generic"));
	}
}

static void
print_check(FILE *f, const cJSON *m, int color)
{
	const cJSON *it;
	bool ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "ok"));

	fprintf(f, "%s: %s  (status %s, DNSSEC %s)\n  query %s\n",
	    str(m, "address") ? str(m, "address") : "",
	    ok ? "publication OK" : "problems found",
	    str(m, "status") ? str(m, "status") : "?",
	    str(m, "dnssec") ? str(m, "dnssec") : "?",
	    str(m, "query") ? str(m, "query") : "");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(m, "checks")) {
		const char *r = str(it, "result") ? str(it, "result") : "?";
		const char *c = "";

		if (color)
			c = strcmp(r, "pass") == 0 ? "\033[32m" :
			    strcmp(r, "fail") == 0 ? "\033[31m" :
			    strcmp(r, "warn") == 0 ? "\033[33m" : "";
		fprintf(f, "  %s%-4s%s  %-24s %s\n", c, r, color ? "\033[0m" :
		    "", str(it, "name") ? str(it, "name") : "",
		    str(it, "message") ? str(it, "message") : "");
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(m, "fixes"))
		if (cJSON_IsString(it))
			fprintf(f, "  fix: %s\n", it->valuestring);
}

static void
print_import(FILE *f, const cJSON *m, const char *db)
{
	const cJSON *it;
	int n = 0;

	fprintf(f, "%s: %s (DNSSEC %s)%s\n", str(m, "address") ?
	    str(m, "address") : "", str(m, "status") ? str(m, "status") : "?",
	    str(m, "dnssec") ? str(m, "dnssec") : "?",
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "dry_run")) ?
	    "  [dry run: nothing written]" : "");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(m, "changes")) {
		const char *nick = str(it, "nickname");

		n++;
		fprintf(f, "  %-9s \"%s\" trust \"%s\"%s%s\n", str(it, "action") ?
		    str(it, "action") : "?", nick ? nick : "",
		    str(it, "trust") ? str(it, "trust") : "",
		    str(it, "old_trust") ? " (was " : "",
		    str(it, "old_trust") ? str(it, "old_trust") : "");
		if (str(it, "action") != NULL &&
		    strcmp(str(it, "action"), "added") == 0 && db != NULL)
			fprintf(f, "            undo: certutil -D -d %s -n \"%s\"\n",
			    db, nick ? nick : "");
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(m, "refused"))
		fprintf(f, "  refused   %.16s...: %s\n", str(it, "sha256") ?
		    str(it, "sha256") : "", str(it, "reason") ?
		    str(it, "reason") : "");
	if (n == 0 && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(m,
	    "refused")) == 0)
		fprintf(f, "  nothing to import%s%s\n", str(m, "reason") ?
		    ": " : "", str(m, "reason") ? str(m, "reason") : "");
}

static void
print_message(FILE *f, const cJSON *m, int color)
{
	const cJSON *it, *signer = cJSON_GetObjectItemCaseSensitive(m,
	    "signer"), *match = cJSON_GetObjectItemCaseSensitive(m, "match");
	bool green = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m,
	    "green"));

	fprintf(f, "%s%s%s\n", color ? (green ? "\033[32m" : "\033[31m") :
	    "", str(m, "summary") ? str(m, "summary") : "", color ?
	    "\033[0m" : "");
	fprintf(f, "  from       %s%s%s%s\n", str(m, "from") ? str(m, "from") :
	    "(none)", str(m, "from_display") ? " (" : "",
	    str(m, "from_display") ? str(m, "from_display") : "",
	    str(m, "from_display") ? ")" : "");
	fprintf(f, "  signature  %s", str(m, "signature") ?
	    str(m, "signature") : "?");
	if (str(m, "digest_alg") != NULL)
		fprintf(f, " (%s, %s)", str(m, "digest_alg"),
		    str(m, "signature_alg") ? str(m, "signature_alg") : "?");
	fputc('\n', f);
	if (str(m, "dane") != NULL) {
		fprintf(f, "  DANE       %s", str(m, "dane"));
		if (cJSON_IsObject(match))
			fprintf(f, " (record %.0f %.0f %.0f)", num(match,
			    "usage"), num(match, "selector"), num(match,
			    "matching"));
		fprintf(f, ", DNSSEC %s\n", str(m, "dnssec") ?
		    str(m, "dnssec") : "?");
	}
	if (cJSON_IsObject(signer)) {
		fprintf(f, "  signer     %s\n", str(signer, "subject") ?
		    str(signer, "subject") : "");
		fprintf(f, "             valid %s .. %s, sha256 %s\n",
		    str(signer, "not_before") ? str(signer, "not_before") : "?",
		    str(signer, "not_after") ? str(signer, "not_after") : "?",
		    str(signer, "sha256") ? str(signer, "sha256") : "");
	}
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(m, "problems"))
		fprintf(f, "  problem    %s: %s\n", str(it, "code") ?
		    str(it, "code") : "?", str(it, "message") ?
		    str(it, "message") : "");
}

void
report_print_text(FILE *f, const cJSON *msg, int color)
{
	const char *type = str(msg, "type");

	if (type == NULL)
		return;
	if (strcmp(type, "result") == 0)
		print_result(f, msg, color);
	else if (strcmp(type, "record") == 0)
		print_records(f, msg);
	else if (strcmp(type, "check") == 0)
		print_check(f, msg, color);
	else if (strcmp(type, "import") == 0)
		print_import(f, msg, str(msg, "db"));
	else if (strcmp(type, "message-verification") == 0)
		print_message(f, msg, color);
	else if (strcmp(type, "error") == 0) {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(msg, "error");
		fprintf(f, "error: %s: %s\n", str(e, "code") ? str(e, "code") :
		    "?", str(e, "message") ? str(e, "message") : "");
	} else if (strcmp(type, "done") != 0) {
		char *s = cJSON_Print(msg);
		if (s != NULL)
			fprintf(f, "%s\n", s);
		free(s);
	}
}
