/* report.c - results to protocol JSON and to text; see report.h. */
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

static cJSON *
cert_json(const struct lr_cert *c)
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
		if ((item = cert_json(&lr->certs[i])) == NULL)
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
	}
}

void
report_print_text(FILE *f, const cJSON *msg, int color)
{
	const char *type = str(msg, "type");

	if (type == NULL)
		return;
	if (strcmp(type, "result") == 0)
		print_result(f, msg, color);
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
