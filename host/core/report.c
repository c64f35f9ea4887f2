/* report.c - results to protocol JSON and to text; see report.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "encode.h"
#include "doctor.h"
#include "report.h"
#include "utf8.h"
#include "version.h"

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

/* ---- one description, two back ends ----
 *
 * Messages on the hot path (result, and error for the native front
 * end's size replacement) are described once, as a sequence of calls on
 * struct out. The tree back end builds the cJSON object that
 * report_result returns (CLI text mode, verify-message, tests); the
 * writer back end appends the bytes cJSON_PrintUnformatted would print
 * for that tree (report_result_write: no tree, no number round trip).
 * Same calls in the same order, so the two cannot drift. */

struct out {
	struct jsonw	*w;	/* the writer; NULL: build a tree */
	cJSON		*root;
	cJSON		*stack[DS_MAX_JSON_DEPTH];	/* open containers */
	size_t		 depth;
	bool		 failed;	/* tree: OOM or misuse */
};

enum { O_OBJECT, O_ARRAY };

/* Member names are string literals passed with their length, known at
 * compile time (no strlen, no escape scan per key: jsonw_key_len): KEY
 * takes only a literal ("" k "" does not compile otherwise). Each must
 * need no JSON escaping; test_jsonw checks every KEY("...") in this
 * file. NOKEY: an array element or the root. */
#define KEY(lit)	("" lit ""), (sizeof(lit) - 1)
#define NOKEY		NULL, 0

/* Tree: adds item under key (NULL in an array) to the open container, or
 * makes it the root. Takes item, also on failure. */
static void
tree_add(struct out *o, const char *key, cJSON *item)
{
	cJSON *parent;
	cJSON_bool ok;

	if (item == NULL || o->failed) {
		cJSON_Delete(item);
		o->failed = true;
		return;
	}
	if (o->depth == 0) {
		if (o->root != NULL) {
			cJSON_Delete(item);
			o->failed = true;
			return;
		}
		o->root = item;
		return;
	}
	parent = o->stack[o->depth - 1];
	ok = key != NULL ? cJSON_AddItemToObject(parent, key, item) :
	    cJSON_AddItemToArray(parent, item);
	if (!ok) {
		cJSON_Delete(item);
		o->failed = true;
	}
}

static void
o_begin(struct out *o, const char *key, size_t klen, int kind)
{
	cJSON *c;

	if (o->w != NULL) {
		if (key != NULL)
			jsonw_key_len(o->w, key, klen);
		if (kind == O_ARRAY)
			jsonw_array_begin(o->w);
		else
			jsonw_object_begin(o->w);
		return;
	}
	if (o->failed)
		return;
	if (o->depth >= DS_MAX_JSON_DEPTH) {
		o->failed = true;
		return;
	}
	c = kind == O_ARRAY ? cJSON_CreateArray() : cJSON_CreateObject();
	tree_add(o, key, c);
	if (!o->failed)
		o->stack[o->depth++] = c;
}

static void
o_end(struct out *o, int kind)
{
	if (o->w != NULL) {
		if (kind == O_ARRAY)
			jsonw_array_end(o->w);
		else
			jsonw_object_end(o->w);
		return;
	}
	if (o->failed)
		return;
	if (o->depth == 0 || cJSON_IsArray(o->stack[o->depth - 1]) !=
	    (kind == O_ARRAY)) {
		o->failed = true;
		return;
	}
	o->depth--;
}

/* s NULL means an allocation for it failed: both back ends fail (the
 * tree as cJSON would, the writer with JSONW_E_NOMEM). */
static void
o_str(struct out *o, const char *key, size_t klen, const char *s)
{
	if (o->w != NULL) {
		if (s == NULL && o->w->err == JSONW_OK)
			o->w->err = JSONW_E_NOMEM;
		jsonw_member_string(o->w, key, klen, s);
	} else
		tree_add(o, key, s != NULL ? cJSON_CreateString(s) : NULL);
}

/* The base64 of p[0..n) as a string: encoded into the writer directly,
 * or into a temporary string for the tree. */
static void
o_b64(struct out *o, const char *key, size_t klen, const uint8_t *p,
    size_t n)
{
	char *s;

	if (o->w != NULL) {
		if (key != NULL)
			jsonw_key_len(o->w, key, klen);
		jsonw_base64(o->w, p, n);
		return;
	}
	s = b64_encode(p, n);
	o_str(o, key, klen, s);		/* NULL (OOM) fails the message */
	free(s);
}

/* The lowercase hex of p[0..n) as a string (hex_encode's text): into
 * the writer directly, or into a temporary string for the tree. */
static void
o_hex(struct out *o, const char *key, size_t klen, const uint8_t *p,
    size_t n)
{
	char *hex;

	if (o->w != NULL) {
		jsonw_member_hex(o->w, key, klen, p, n);
		return;
	}
	/* RDATA is at most 64 KiB: no overflow. */
	if ((hex = malloc(n * 2 + 1)) != NULL)
		hex_encode(p, n, hex);
	o_str(o, key, klen, hex);	/* NULL (OOM) fails the message */
	free(hex);
}

/* Integers only: cJSON prints these as plain digits below 1e15, and
 * every number in a result (TTL, record fields, indexes) is far below. */
static void
o_int(struct out *o, const char *key, size_t klen, int64_t v)
{
	if (o->w != NULL)
		jsonw_member_int(o->w, key, klen, v);
	else
		tree_add(o, key, cJSON_CreateNumber((double)v));
}

static void
o_bool(struct out *o, const char *key, size_t klen, bool v)
{
	if (o->w != NULL) {
		if (key != NULL)
			jsonw_key_len(o->w, key, klen);
		jsonw_bool(o->w, v);
	} else
		tree_add(o, key, cJSON_CreateBool(v));
}

static void
o_null(struct out *o, const char *key, size_t klen)
{
	if (o->w != NULL) {
		if (key != NULL)
			jsonw_key_len(o->w, key, klen);
		jsonw_null(o->w);
	} else
		tree_add(o, key, cJSON_CreateNull());
}

/* The request id: the tree copies the parsed id, the writer copies the
 * id as printed once per request; either may be NULL for JSON null. */
static void
o_id(struct out *o, const cJSON *id, const char *id_json)
{
	if (o->w != NULL) {
		JSONW_KEY(o->w, "id");
		jsonw_raw(o->w, id_json != NULL ? id_json : "null");
	} else
		tree_add(o, "id", id != NULL ? cJSON_Duplicate(id, 1) :
		    cJSON_CreateNull());
}

/* Text we did not write, made valid UTF-8 (see add_text). */
static void
o_text(struct out *o, const char *key, size_t klen, const char *s,
    size_t len)
{
	char *clean;

	if (utf8_valid(s, len) && memchr(s, '\0', len) == NULL &&
	    s[len] == '\0') {
		o_str(o, key, klen, s);
		return;
	}
	if ((clean = utf8_sanitize(s, len)) == NULL) {
		o_str(o, key, klen, NULL);	/* fails both back ends: OOM */
		return;
	}
	o_str(o, key, klen, clean);
	free(clean);
}

/* The tree (NULL on failure), or for the writer 0 / a jsonw error. */
static cJSON *
out_tree(struct out *o)
{
	if (o->failed || o->depth != 0) {
		cJSON_Delete(o->root);
		return NULL;
	}
	return o->root;
}

static int
out_written(const struct out *o)
{
	if (jsonw_error(o->w) != JSONW_OK)
		return jsonw_error(o->w);
	return jsonw_complete(o->w) ? 0 : JSONW_E_USAGE;
}

static void
describe_error(struct out *o, const cJSON *id, const char *id_json,
    const char *code, const char *message)
{
	o_begin(o, NOKEY, O_OBJECT);
	o_str(o, KEY("type"), "error");
	o_begin(o, KEY("error"), O_OBJECT);
	o_str(o, KEY("code"), code);
	o_str(o, KEY("message"), message);
	o_end(o, O_OBJECT);
	o_id(o, id, id_json);
	o_end(o, O_OBJECT);
}

cJSON *
report_error(const cJSON *id, const char *code, const char *message)
{
	struct out o;

	memset(&o, 0, sizeof(o));
	describe_error(&o, id, NULL, code, message);
	return out_tree(&o);
}

int
report_error_write(struct jsonw *w, const char *id_json, const char *code,
    const char *message)
{
	struct out o;

	memset(&o, 0, sizeof(o));
	o.w = w;
	describe_error(&o, NULL, id_json, code, message);
	return out_written(&o);
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

/* The addresses that have not vouched for the certificate (all of its
 * other addresses while unchecked). */
static void
describe_unvouched(struct out *o, const struct lr_cert *c)
{
	size_t k;

	o_begin(o, KEY("addresses"), O_ARRAY);
	for (k = 0; k < c->nvouch; k++)
		if (c->vouch_state[k] != VOUCH_YES)
			o_str(o, NOKEY, c->vouch[k]);
	o_end(o, O_ARRAY);
}

/* "%s %u" of type and bits, as snprintf into key[32] would make it
 * (cut at 31 bytes), without printf's cost: once per certificate. */
static void
key_text(char key[32], const char *type, unsigned bits)
{
	char digits[16], *d = digits + sizeof(digits);
	size_t n = 0, k;

	for (; type[n] != '\0' && n < 31; n++)
		key[n] = type[n];
	do {
		*--d = (char)('0' + bits % 10);
		bits /= 10;
	} while (bits != 0);
	if (n < 31)
		key[n++] = ' ';
	for (k = (size_t)(digits + sizeof(digits) - d); k > 0 && n < 31;
	    k--)
		key[n++] = *d++;
	key[n] = '\0';
}

/* The decision about one certificate (RFC 6698/7671/8162 via dane.c). */
static void
describe_verdict(struct out *o, const struct lr_cert *c)
{
	const struct dane_verdict *v = &c->v;
	char key[32];
	size_t i;

	key_text(key, c->sum.key_type, c->sum.key_bits);
	o_bool(o, KEY("usable"), v->usable);
	o_bool(o, KEY("can_encrypt"), v->can_encrypt);
	o_bool(o, KEY("can_sign"), v->can_sign);
	o_bool(o, KEY("is_ca"), c->sum.is_ca);
	o_int(o, KEY("version"), c->sum.version);
	o_str(o, KEY("key"), key);
	if (v->matched) {
		o_begin(o, KEY("match"), O_OBJECT);
		o_int(o, KEY("usage"), v->usage);
		o_int(o, KEY("selector"), v->selector);
		o_int(o, KEY("matching"), v->matching);
		/* Which record (index into "records") and the depth of the
		 * certificate it matched (0: this one): said even when the
		 * certificate itself is unfit (dane.h). */
		o_int(o, KEY("record"), v->record);
		o_int(o, KEY("depth"), v->depth);
		o_end(o, O_OBJECT);
	} else
		o_null(o, KEY("match"));
	if (basis_name(v->basis) != NULL && v->matched)
		o_str(o, KEY("trust_basis"), basis_name(v->basis));
	else
		o_null(o, KEY("trust_basis"));
	/* The e-mail trust rule's decision (trustrule.h): what a client
	 * may store the certificate with, if at all. */
	if (c->trust != NULL)
		o_str(o, KEY("trust"), c->trust);
	else
		o_null(o, KEY("trust"));
	o_begin(o, KEY("problems"), O_ARRAY);
	for (i = 0; i < v->nproblems; i++) {
		o_begin(o, NOKEY, O_OBJECT);
		o_str(o, KEY("code"), v->problems[i].code);
		o_str(o, KEY("message"), v->problems[i].message);
		if (strcmp(v->problems[i].code, "other-address-not-vouched") ==
		    0)
			describe_unvouched(o, c);
		o_end(o, O_OBJECT);
	}
	o_end(o, O_ARRAY);
}

/* One certificate with its verdict, under key (NULL: in an array or the
 * root). */
static void
describe_cert(struct out *o, const char *key, size_t klen,
    const struct lr_cert *c)
{
	size_t i;

	o_begin(o, key, klen, O_OBJECT);
	o_int(o, KEY("usage"), c->usage);
	o_int(o, KEY("selector"), c->selector);
	o_int(o, KEY("matching"), c->matching);
	o_b64(o, KEY("der"), c->sum.der, c->sum.der_len);
	o_str(o, KEY("sha256"), c->sum.sha256);
	o_str(o, KEY("subject"), c->sum.subject ? c->sum.subject : "");
	o_str(o, KEY("issuer"), c->sum.issuer ? c->sum.issuer : "");
	o_begin(o, KEY("emails"), O_ARRAY);
	for (i = 0; i < c->sum.nemails; i++)
		o_str(o, NOKEY, c->sum.emails[i]);
	o_end(o, O_ARRAY);
	o_str(o, KEY("not_before"), c->sum.not_before_iso);
	o_str(o, KEY("not_after"), c->sum.not_after_iso);
	describe_verdict(o, c);
	o_end(o, O_OBJECT);
}

cJSON *
report_cert(const struct lr_cert *c)
{
	struct out o;

	memset(&o, 0, sizeof(o));
	describe_cert(&o, NOKEY, c);
	return out_tree(&o);
}

static void
describe_record(struct out *o, const struct lr_record *r)
{
	o_begin(o, NOKEY, O_OBJECT);
	o_int(o, KEY("usage"), r->usage);
	o_int(o, KEY("selector"), r->selector);
	o_int(o, KEY("matching"), r->matching);
	/* A full certificate is reported once, under "certificates". */
	if (r->cert >= 0)
		o_int(o, KEY("certificate"), r->cert);
	else
		o_hex(o, KEY("data"), r->data, r->len);
	if (r->problem_code != NULL) {
		o_begin(o, KEY("problem"), O_OBJECT);
		o_str(o, KEY("code"), r->problem_code);
		o_str(o, KEY("message"), r->problem);
		o_end(o, O_OBJECT);
	}
	o_end(o, O_OBJECT);
}

static void
describe_result(struct out *o, const struct lookup_result *lr,
    const cJSON *id, const char *id_json)
{
	size_t i;

	o_begin(o, NOKEY, O_OBJECT);
	o_str(o, KEY("type"), "result");
	o_text(o, KEY("address"), lr->address, lr->address_len);
	if (lr->query[0] != '\0')
		o_str(o, KEY("query"), lr->query);
	else
		o_null(o, KEY("query"));
	o_str(o, KEY("dnssec"), lookup_dnssec_name(lr->dnssec));
	o_str(o, KEY("status"), lookup_status_name(lr->status));
	o_int(o, KEY("ttl"), lr->ttl);
	if (lr->reason != NULL)
		o_str(o, KEY("reason"), lr->reason);
	o_begin(o, KEY("records"), O_ARRAY);
	for (i = 0; i < lr->nrecords; i++)
		describe_record(o, &lr->records[i]);
	o_end(o, O_ARRAY);
	o_begin(o, KEY("certificates"), O_ARRAY);
	for (i = 0; i < lr->ncerts; i++)
		describe_cert(o, NOKEY, &lr->certs[i]);
	o_end(o, O_ARRAY);
	if (lr->err_code != NULL) {
		o_begin(o, KEY("error"), O_OBJECT);
		o_str(o, KEY("code"), lr->err_code);
		o_str(o, KEY("message"), lr->err_message);
		o_end(o, O_OBJECT);
	}
	if (lr->has_ede) {
		o_begin(o, KEY("ede"), O_OBJECT);
		o_int(o, KEY("code"), lr->ede_code);
		o_str(o, KEY("text"), lr->ede_text ? lr->ede_text : "");
		o_end(o, O_OBJECT);
	}
	if (lr->cached)
		o_bool(o, KEY("cached"), true);
	if (lr->verify && !lr->https_source)
		o_str(o, KEY("mode"), "verify");
	/* Where the certificates came from (issue 18), and the _smime TXT
	 * + HTTPS path when it was tried. */
	o_str(o, KEY("source"), lr->https_source ? "https" : "smimea");
	if (lr->https_tried) {
		o_begin(o, KEY("https"), O_OBJECT);
		if (lr->https_url[0] != '\0')
			o_str(o, KEY("url"), lr->https_url);
		else
			o_null(o, KEY("url"));
		o_bool(o, KEY("fetched"), lr->https_source);
		if (lr->https_code != NULL) {
			o_str(o, KEY("code"), lr->https_code);
			o_str(o, KEY("message"), lr->https_message);
		}
		o_end(o, O_OBJECT);
	}
	o_id(o, id, id_json);
	o_end(o, O_OBJECT);
}

cJSON *
report_result(const struct lookup_result *lr, const cJSON *id)
{
	struct out o;

	memset(&o, 0, sizeof(o));
	describe_result(&o, lr, id, NULL);
	return out_tree(&o);
}

int
report_result_write(struct jsonw *w, const struct lookup_result *lr,
    const char *id_json)
{
	struct out o;

	memset(&o, 0, sizeof(o));
	o.w = w;
	describe_result(&o, lr, NULL, id_json);
	return out_written(&o);
}

/* The configured resolvers, as hello and doctor list them. */
static void
describe_resolvers(struct out *o, const struct config *cfg, bool trusted)
{
	size_t i;

	o_begin(o, KEY("resolvers"), O_ARRAY);
	for (i = 0; i < cfg->nresolvers; i++) {
		o_begin(o, NOKEY, O_OBJECT);
		o_str(o, KEY("address"), cfg->resolvers[i].text);
		o_bool(o, KEY("loopback"), cfg->resolvers[i].loopback);
		o_bool(o, KEY("trusted"), trusted);
		o_end(o, O_OBJECT);
	}
	o_end(o, O_ARRAY);
}

cJSON *
report_hello(const struct hello_report *h, const cJSON *id)
{
	struct out o;

	memset(&o, 0, sizeof(o));
	o_begin(&o, NOKEY, O_OBJECT);
	o_str(&o, KEY("type"), "hello");
	o_str(&o, KEY("name"), "dane-smime");
	o_str(&o, KEY("version"), DANE_SMIME_VERSION);
	o_int(&o, KEY("protocol"), 1);
	describe_resolvers(&o, h->cfg, h->trusted);
	o_bool(&o, KEY("trusted"), h->trusted);
	o_str(&o, KEY("trust"), h->trust);
	o_id(&o, id, NULL);
	o_end(&o, O_OBJECT);
	return out_tree(&o);
}

cJSON *
report_doctor(const struct doctor_report *d, const cJSON *id)
{
	struct out o;

	memset(&o, 0, sizeof(o));
	o_begin(&o, NOKEY, O_OBJECT);
	o_str(&o, KEY("type"), "doctor");
	o_str(&o, KEY("version"), DANE_SMIME_VERSION);
	if (d->cfg->path[0] != '\0')
		o_str(&o, KEY("config"), d->cfg->path);
	else
		o_null(&o, KEY("config"));
	o_bool(&o, KEY("resolvers_from_resolv_conf"),
	    d->cfg->resolvers_from_resolv_conf);
	describe_resolvers(&o, d->cfg, d->trusted);
	o_bool(&o, KEY("trusted"), d->trusted);
	o_str(&o, KEY("trust"), d->trust);
	o_begin(&o, KEY("probe"), O_OBJECT);
	o_str(&o, KEY("name"), d->cfg->probe_name);
	o_bool(&o, KEY("answered"), d->answered);
	o_bool(&o, KEY("ad"), d->ad);
	if (d->answered)
		o_int(&o, KEY("rcode"), d->rcode);
	else
		o_str(&o, KEY("error"), d->error);
	o_end(&o, O_OBJECT);
	o_bool(&o, KEY("ok"), d->trusted && d->answered && d->ad);
	o_str(&o, KEY("verdict"), d->verdict);
	o_id(&o, id, NULL);
	o_end(&o, O_OBJECT);
	return out_tree(&o);
}

cJSON *
report_import(const struct import_report *r, const cJSON *id)
{
	const struct lookup_result *lr = r->lr;
	struct out o;
	size_t i;

	memset(&o, 0, sizeof(o));
	o_begin(&o, NOKEY, O_OBJECT);
	o_str(&o, KEY("type"), "import");
	o_text(&o, KEY("address"), lr->address, lr->address_len);
	o_str(&o, KEY("status"), lookup_status_name(lr->status));
	o_str(&o, KEY("dnssec"), lookup_dnssec_name(lr->dnssec));
	o_str(&o, KEY("db"), r->db);
	o_bool(&o, KEY("dry_run"), r->dry_run);
	o_begin(&o, KEY("changes"), O_ARRAY);
	for (i = 0; i < r->nitems; i++) {
		const struct import_item *it = &r->items[i];

		if (!it->taken)
			continue;
		o_begin(&o, NOKEY, O_OBJECT);
		o_str(&o, KEY("sha256"), it->sha256);
		o_str(&o, KEY("nickname"), it->change.nickname != NULL ?
		    it->change.nickname : "");
		o_str(&o, KEY("trust"), it->change.trust);
		o_str(&o, KEY("action"), it->action);
		if (it->change.old_trust[0] != '\0')
			o_str(&o, KEY("old_trust"), it->change.old_trust);
		o_end(&o, O_OBJECT);
	}
	o_end(&o, O_ARRAY);
	o_begin(&o, KEY("refused"), O_ARRAY);
	for (i = 0; i < r->nitems; i++) {
		const struct import_item *it = &r->items[i];

		if (it->taken)
			continue;
		o_begin(&o, NOKEY, O_OBJECT);
		o_str(&o, KEY("sha256"), it->sha256);
		o_str(&o, KEY("code"), it->code);
		o_str(&o, KEY("reason"), it->reason);
		o_end(&o, O_OBJECT);
	}
	o_end(&o, O_ARRAY);
	if (lr->reason != NULL)
		o_str(&o, KEY("reason"), lr->reason);
	o_bool(&o, KEY("ok"), r->failed == NULL);
	if (r->failed != NULL) {
		o_begin(&o, KEY("error"), O_OBJECT);
		o_str(&o, KEY("code"), "import-failed");
		o_str(&o, KEY("message"), r->failed);
		o_end(&o, O_OBJECT);
	} else if (lr->status == LS_ERROR && lr->err_code != NULL) {
		/* Nothing could be looked up: why, as in `result`. */
		o_begin(&o, KEY("error"), O_OBJECT);
		o_str(&o, KEY("code"), lr->err_code);
		o_str(&o, KEY("message"), lr->err_message);
		o_end(&o, O_OBJECT);
	}
	o_id(&o, id, NULL);
	o_end(&o, O_OBJECT);
	return out_tree(&o);
}

cJSON *
report_check(const struct check_report *r, const cJSON *id)
{
	struct out o;
	size_t i;

	memset(&o, 0, sizeof(o));
	o_begin(&o, NOKEY, O_OBJECT);
	o_str(&o, KEY("type"), "check");
	o_str(&o, KEY("address"), r->address);
	o_str(&o, KEY("query"), r->query);
	if (r->txt_query != NULL)
		o_str(&o, KEY("txt_query"), r->txt_query);
	else
		o_null(&o, KEY("txt_query"));
	if (r->url != NULL)
		o_str(&o, KEY("url"), r->url);
	else
		o_null(&o, KEY("url"));
	o_str(&o, KEY("dnssec"), lookup_dnssec_name(r->dnssec));
	o_str(&o, KEY("status"), lookup_status_name(r->status));
	o_begin(&o, KEY("checks"), O_ARRAY);
	for (i = 0; i < r->nitems; i++) {
		o_begin(&o, NOKEY, O_OBJECT);
		o_str(&o, KEY("name"), r->items[i].name);
		o_str(&o, KEY("result"), r->items[i].result);
		o_str(&o, KEY("message"), r->items[i].message);
		o_end(&o, O_OBJECT);
	}
	o_end(&o, O_ARRAY);
	o_bool(&o, KEY("ok"), r->ok);
	o_begin(&o, KEY("fixes"), O_ARRAY);
	for (i = 0; i < r->nfixes; i++)
		o_str(&o, NOKEY, r->fixes[i]);
	o_end(&o, O_ARRAY);
	o_id(&o, id, NULL);
	o_end(&o, O_OBJECT);
	return out_tree(&o);
}


cJSON *
report_message(const struct vm_report *r, const cJSON *id)
{
	const struct mime_msg *mm = r->mm;
	struct out o;
	size_t i;

	memset(&o, 0, sizeof(o));
	o_begin(&o, NOKEY, O_OBJECT);
	o_str(&o, KEY("type"), "message-verification");
	o_str(&o, KEY("signature"), r->signature);
	if (mm->nfrom > 0) {
		o_str(&o, KEY("from"), mm->from[0]);
		o_begin(&o, KEY("from_all"), O_ARRAY);
		for (i = 0; i < mm->nfrom; i++)
			o_str(&o, NOKEY, mm->from[i]);
		o_end(&o, O_ARRAY);
	} else
		o_null(&o, KEY("from"));
	if (mm->from_display != NULL)
		o_str(&o, KEY("from_display"), mm->from_display);
	if (mm->kind == MIME_SIGNED_DETACHED ||
	    mm->kind == MIME_SIGNED_OPAQUE) {
		o_str(&o, KEY("format"), mm->kind == MIME_SIGNED_DETACHED ?
		    "multipart/signed" : "application/pkcs7-mime");
		o_bool(&o, KEY("nested"), mm->nested);
	}
	if (r->looked_up) {
		describe_cert(&o, KEY("signer"), r->signer);
		o_str(&o, KEY("query"), r->query);
		o_str(&o, KEY("dnssec"), r->dnssec);
	}
	o_bool(&o, KEY("address_match"), r->looked_up && r->address_match);
	if (r->looked_up) {
		o_str(&o, KEY("digest_alg"), r->digest_alg);
		o_str(&o, KEY("signature_alg"), r->signature_alg);
		if (r->has_signing_time)
			o_int(&o, KEY("signing_time"), r->signing_time);
		if (r->match != NULL) {
			o_begin(&o, KEY("match"), O_OBJECT);
			o_int(&o, KEY("usage"), r->match->usage);
			o_int(&o, KEY("selector"), r->match->selector);
			o_int(&o, KEY("matching"), r->match->matching);
			o_end(&o, O_OBJECT);
		}
	}
	if (r->dane != SD_NONE)
		o_str(&o, KEY("dane"), verifymsg_dane_name(r->dane));
	else
		o_null(&o, KEY("dane"));
	o_begin(&o, KEY("problems"), O_ARRAY);
	for (i = 0; i < r->nproblems; i++) {
		o_begin(&o, NOKEY, O_OBJECT);
		o_str(&o, KEY("code"), r->problems[i].code);
		o_str(&o, KEY("message"), r->problems[i].message);
		o_end(&o, O_OBJECT);
	}
	o_end(&o, O_ARRAY);
	o_bool(&o, KEY("green"), r->green);
	o_str(&o, KEY("summary"), r->summary);
	o_id(&o, id, NULL);
	o_end(&o, O_OBJECT);
	return out_tree(&o);
}

/* The fields a DNS provider's web form asks for, the hash record and
 * the _smime TXT line (issue 18). 0, or -1 on OOM. */
static int
add_record_forms(cJSON *r, const struct record_line *l)
{
	cJSON *f = cJSON_AddObjectToObject(r, "form");

	if (f == NULL ||
	    cJSON_AddStringToObject(f, "host", l->host) == NULL ||
	    cJSON_AddStringToObject(f, "type", "SMIMEA") == NULL ||
	    cJSON_AddNumberToObject(f, "usage", l->usage) == NULL ||
	    cJSON_AddNumberToObject(f, "selector", l->selector) == NULL ||
	    cJSON_AddNumberToObject(f, "matching_type", l->matching) == NULL ||
	    cJSON_AddStringToObject(f, "certificate_association_data",
	    l->data_hex) == NULL ||
	    (l->ttl != 0 ? cJSON_AddNumberToObject(f, "ttl", l->ttl) :
	    cJSON_AddNullToObject(f, "ttl")) == NULL)
		return -1;
	if (l->hash_presentation != NULL && cJSON_AddStringToObject(r,
	    "hash_presentation", l->hash_presentation) == NULL)
		return -1;
	if (l->txt_presentation != NULL) {
		cJSON *t = cJSON_AddObjectToObject(r, "txt");

		if (t == NULL || cJSON_AddStringToObject(t, "owner",
		    l->txt_owner) == NULL || cJSON_AddStringToObject(t,
		    "presentation", l->txt_presentation) == NULL)
			return -1;
	} else if (l->txt_warning != NULL && cJSON_AddStringToObject(r,
	    "txt_warning", l->txt_warning) == NULL)
		return -1;
	return 0;
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
		if (l[i].owner != NULL && add_record_forms(r, &l[i]) < 0)
			goto fail;
	}
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

cJSON *
report_id(const char *id_json)
{
	return cJSON_CreateRaw(id_json != NULL ? id_json : "null");
}

char *
report_serialise(const cJSON *msg, size_t *len)
{
	char *s = cJSON_PrintUnformatted(msg);

	if (s != NULL)
		*len = strlen(s);
	return s;
}

/* ---- doctor: the live DANE token (doctor.h) ---- */

static void
pkcs11_out(struct out *po, const char *key, size_t klen,
    const struct pkcs11_report *r)
{
	size_t i;

	o_begin(po, key, klen, O_OBJECT);
	o_begin(po, KEY("manifests"), O_ARRAY);
	for (i = 0; i < r->nmanifests; i++) {
		const struct pkcs11_manifest *m = &r->manifests[i];

		o_begin(po, NOKEY, O_OBJECT);
		o_str(po, KEY("path"), m->path);
		o_bool(po, KEY("exists"), m->exists);
		o_bool(po, KEY("used"), m->used);
		o_bool(po, KEY("valid"), m->valid);
		if (m->library != NULL)
			o_str(po, KEY("library"), m->library);
		else
			o_null(po, KEY("library"));
		if (m->problem[0] != '\0')
			o_str(po, KEY("problem"), m->problem);
		o_end(po, O_OBJECT);
	}
	o_end(po, O_ARRAY);
	if (r->library != NULL)
		o_str(po, KEY("library"), r->library);
	else
		o_null(po, KEY("library"));
	if (r->loads) {
		o_str(po, KEY("token_state"), r->token_state);
		o_str(po, KEY("token"), r->token);
		o_int(po, KEY("served"), (int64_t)r->served);
		o_int(po, KEY("trusted"), (int64_t)r->trusted);
	}
	o_bool(po, KEY("loads"), r->loads);
	if (r->has_cache)
		o_str(po, KEY("cache"), r->cache);
	else
		o_null(po, KEY("cache"));
	o_str(po, KEY("cache_status"), r->cache_status);
	o_int(po, KEY("entries"), (int64_t)r->entries);
	if (r->has_cache_problem)
		o_str(po, KEY("cache_problem"), r->cache_problem);
	o_bool(po, KEY("ok"), r->ok);
	if (!r->ok)
		o_str(po, KEY("problem"), r->problem);
	o_end(po, O_OBJECT);
}

cJSON *
report_pkcs11(const struct pkcs11_report *r)
{
	struct out o;

	memset(&o, 0, sizeof(o));
	pkcs11_out(&o, NOKEY, r);
	return out_tree(&o);
}

/* ---- doctor: the installation (doctor.h, install_check.h) ---- */

static void
install_manifest_out(struct out *o, const struct install_manifest *m)
{
	size_t i;

	o_begin(o, NOKEY, O_OBJECT);
	o_str(o, KEY("path"), m->path);
	o_bool(o, KEY("exists"), m->exists);
	o_bool(o, KEY("used"), m->used);
	o_bool(o, KEY("valid"), m->valid);
	if (m->host_path != NULL)
		o_str(o, KEY("host_path"), m->host_path);
	else
		o_null(o, KEY("host_path"));
	o_bool(o, KEY("host_ok"), m->host_ok);
	if (m->host_version != NULL)
		o_str(o, KEY("host_version"), m->host_version);
	o_begin(o, KEY("allowed_extensions"), O_ARRAY);
	for (i = 0; i < m->nallowed; i++)
		o_str(o, NOKEY, m->allowed[i]);
	o_end(o, O_ARRAY);
	o_bool(o, KEY("id_allowed"), m->id_allowed);
	if (m->problem[0] != '\0')
		o_str(o, KEY("problem"), m->problem);
	o_end(o, O_OBJECT);
}

/* The members of p, into the open object. */
static void
install_profiles_out(struct out *o, const struct install_profiles *p)
{
	size_t i;

	if (p->profiles_ini != NULL)
		o_str(o, KEY("profiles_ini"), p->profiles_ini);
	else
		o_null(o, KEY("profiles_ini"));
	o_begin(o, KEY("profiles"), O_ARRAY);
	for (i = 0; i < p->n; i++) {
		const struct install_profile *t = &p->v[i];

		o_begin(o, NOKEY, O_OBJECT);
		o_str(o, KEY("name"), t->name);
		o_str(o, KEY("path"), t->path);
		o_bool(o, KEY("default"), t->is_default);
		o_bool(o, KEY("exists"), t->exists);
		o_str(o, KEY("addon"), t->addon);
		if (t->addon_version[0] != '\0')
			o_str(o, KEY("addon_version"), t->addon_version);
		o_bool(o, KEY("addon_file"), t->addon_file);
		if (t->problem[0] != '\0')
			o_str(o, KEY("problem"), t->problem);
		o_end(o, O_OBJECT);
	}
	o_end(o, O_ARRAY);
	if (p->profiles_problem[0] != '\0')
		o_str(o, KEY("profiles_problem"), p->profiles_problem);
	o_bool(o, KEY("addon_enabled"), p->addon_enabled);
	if (!p->addon_enabled)
		o_str(o, KEY("addon_problem"), p->addon_problem);
}

cJSON *
report_install_manifest(const struct install_manifest *m)
{
	struct out o;

	memset(&o, 0, sizeof(o));
	install_manifest_out(&o, m);
	return out_tree(&o);
}

cJSON *
report_install_profiles(const struct install_profiles *p)
{
	struct out o;

	memset(&o, 0, sizeof(o));
	o_begin(&o, NOKEY, O_OBJECT);
	install_profiles_out(&o, p);
	o_end(&o, O_OBJECT);
	return out_tree(&o);
}

cJSON *
report_install(const struct install_report *r)
{
	struct out o;
	size_t i;

	memset(&o, 0, sizeof(o));
	o_begin(&o, NOKEY, O_OBJECT);
	o_begin(&o, KEY("manifests"), O_ARRAY);
	for (i = 0; i < r->nmanifests; i++)
		install_manifest_out(&o, &r->manifests[i]);
	o_end(&o, O_ARRAY);
	o_bool(&o, KEY("ok"), r->ok);
	if (!r->ok)
		o_str(&o, KEY("problem"), r->problem);
	install_profiles_out(&o, &r->profiles);
	pkcs11_out(&o, KEY("pkcs11"), &r->pkcs11);
	o_end(&o, O_OBJECT);
	return out_tree(&o);
}

int
report_add_install(cJSON *msg, const struct install_report *r)
{
	cJSON *inst = report_install(r);

	if (inst == NULL)
		return -1;
	if (!cJSON_AddItemToObject(msg, "install", inst)) {
		cJSON_Delete(inst);
		return -1;
	}
	return 0;
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
	if (str(c, "trust") != NULL)
		fprintf(f, "            trust    \"%s\" %s\n", str(c, "trust"),
		    strcmp(str(c, "trust"), ",,") == 0 ? "(stored without trust "
		    "flags: its CA vouches for it)" : "(e-mail trust on this "
		    "certificate alone)");
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
	err = cJSON_GetObjectItemCaseSensitive(m, "https");
	if (cJSON_IsObject(err))
		fprintf(f, "  https     %s  %s%s%s%s\n", str(err, "url") ?
		    str(err, "url") : "(no URL)", cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(err, "fetched")) ?
		    "(the certificate below came from there)" : "nothing from "
		    "it: ", str(err, "code") ? str(err, "code") : "",
		    str(err, "message") ? ": " : "", str(err, "message") ?
		    str(err, "message") : "");
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

/* The web-form fields, the hash record and the TXT line, as comments
 * and zone-file lines a publisher can paste. */
static void
print_record_forms(FILE *f, const cJSON *it)
{
	const cJSON *fm = cJSON_GetObjectItemCaseSensitive(it, "form");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(it, "txt");
	const cJSON *ttl;

	if (cJSON_IsObject(fm)) {
		ttl = cJSON_GetObjectItemCaseSensitive(fm, "ttl");
		fprintf(f, "; in a DNS provider's form: Host %s, Type SMIMEA, "
		    "Usage %.0f, Selector %.0f, Matching type %.0f, TTL ",
		    str(fm, "host") ? str(fm, "host") : "", num(fm, "usage"),
		    num(fm, "selector"), num(fm, "matching_type"));
		if (cJSON_IsNumber(ttl))
			fprintf(f, "%.0f", ttl->valuedouble);
		else
			fprintf(f, "(the zone's default)");
		fprintf(f, ",\n; Certificate association data %s\n",
		    str(fm, "certificate_association_data") ?
		    str(fm, "certificate_association_data") : "");
	}
	if (str(it, "hash_presentation") != NULL)
		fprintf(f, "; serving the certificate over HTTPS instead (the "
		    "_smime TXT path), publish its hash:\n%s\n",
		    str(it, "hash_presentation"));
	if (cJSON_IsObject(t))
		fprintf(f, "; and the TXT record naming its URL:\n%s\n",
		    str(t, "presentation") ? str(t, "presentation") : "");
	else if (str(it, "txt_warning") != NULL)
		fprintf(f, "; no TXT line: %s\n", str(it, "txt_warning"));
	fprintf(f, "\n");
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
			    "SMIMEA (RFC 3597):\n%s\n",
			    str(it, "presentation"), str(it, "generic"));
		print_record_forms(f, it);
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

static void
print_records_msg(FILE *f, const cJSON *m, int color)
{
	(void)color;
	print_records(f, m);
}

static void
print_import_msg(FILE *f, const cJSON *m, int color)
{
	(void)color;
	print_import(f, m, str(m, "db"));
}

static void
print_error(FILE *f, const cJSON *m, int color)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(m, "error");

	(void)color;
	fprintf(f, "error: %s: %s\n", str(e, "code") ? str(e, "code") :
	    "?", str(e, "message") ? str(e, "message") : "");
}

/* ---- doctor: the resolver, the installation, the token, the profiles
 * (moved here from cli.c, install_check.c and pkcs11check.c: the checks
 * say what they found, this says it to people) ---- */

static const char *
str_or(const cJSON *o, const char *key, const char *dflt)
{
	const char *s = str(o, key);

	return s != NULL ? s : dflt;
}

static bool
is_true(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* One closing line of `dane-smime doctor`: label in a 15-column field,
 * then the formatted text, green when ok, else in the SGR colour bad_sgr
 * ("31" red, "33" yellow), when color. */
static void __attribute__((format(printf, 6, 7)))
print_status(FILE *f, const char *label, bool ok, const char *bad_sgr,
    int color, const char *fmt, ...)
{
	va_list ap;

	fprintf(f, "%-15s", label);
	if (color)
		fprintf(f, "\033[%sm", ok ? "32" : bad_sgr);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fprintf(f, "%s\n", color ? "\033[0m" : "");
}

/* The live DANE token: install_check's "pkcs11" member (doctor.h). */
static void
print_token(FILE *f, const cJSON *inst, int color)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(inst, "pkcs11");
	const cJSON *it, *v, *sv, *tr;
	const char *cs, *cp;
	bool ok;

	if (!cJSON_IsObject(p))
		return;
	it = cJSON_GetObjectItemCaseSensitive(p, "manifests");
	cJSON_ArrayForEach(v, it) {
		const char *pr = str(v, "problem");

		if (!is_true(v, "exists"))
			continue;
		fprintf(f, "token manifest %s%s%s\n", str_or(v, "path", "?"),
		    pr != NULL ? ": " : "", pr != NULL ? pr : "");
	}
	sv = cJSON_GetObjectItemCaseSensitive(p, "served");
	tr = cJSON_GetObjectItemCaseSensitive(p, "trusted");
	if (is_true(p, "loads"))
		fprintf(f, "token library  loads: %s, %d certificates served, "
		    "%d with e-mail trust\n", str_or(p, "token_state", "?"),
		    cJSON_IsNumber(sv) ? sv->valueint : 0,
		    cJSON_IsNumber(tr) ? tr->valueint : 0);
	cs = str(p, "cache_status");
	cp = str(p, "cache_problem");
	fprintf(f, "token cache    %s: %s\n", str_or(p, "cache",
	    "(no folder)"), cs != NULL && strcmp(cs, "missing") == 0 ?
	    "not written yet (the host writes it when it looks addresses "
	    "up)" : cp != NULL ? cp : cs != NULL ? cs : "?");
	ok = is_true(p, "ok");
	print_status(f, "token", ok, "33", color, "%s", ok ?
	    "ok: Thunderbird can install the live DANE token" :
	    str_or(p, "problem", "not ok"));
}

/* What a PROFILE's state (install_check.h) means. */
static const char *
state_text(const char *state)
{
	static const struct {
		const char *state, *text;
	} t[] = {
		{ "enabled", "enabled" },
		{ "waiting", "installed, disabled until you enable it "
		    "(main menu: \"DANE S/MIME added to Thunderbird\")" },
		{ "pending", "file in extensions/, taken up at Thunderbird's "
		    "next start" },
		{ "disabled", "disabled (Add-ons and Themes: Enable)" },
		{ "inactive", "installed, not running" },
		{ "incompatible", "disabled by Thunderbird: not compatible" },
		{ "unknown", "state unknown" },
		{ "absent", "not installed" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(state, t[i].state) == 0)
			return t[i].text;
	return "?";
}

static void
print_profiles(FILE *f, const cJSON *inst, int color)
{
	const cJSON *arr, *it;
	const char *v, *pr, *name = NULL;
	bool ok;

	arr = cJSON_GetObjectItemCaseSensitive(inst, "profiles");
	if (!cJSON_IsArray(arr))
		return;
	cJSON_ArrayForEach(it, arr) {
		fprintf(f, "profile        %s%s  %s\n", str_or(it, "name", "?"),
		    is_true(it, "default") ? " (default)" : "",
		    str_or(it, "path", "?"));
		v = str(it, "addon_version");
		pr = str(it, "problem");
		fprintf(f, "               add-on%s%s: %s\n",
		    v != NULL ? " " : "", v != NULL ? v : "",
		    state_text(str_or(it, "addon", "?")));
		if (name == NULL && strcmp(str_or(it, "addon", ""),
		    "enabled") == 0)
			name = str_or(it, "name", "?");
		if (pr != NULL)
			fprintf(f, "               problem: %s\n", pr);
	}
	pr = str(inst, "profiles_problem");
	if (pr != NULL)
		fprintf(f, "profiles       %s\n", pr);
	ok = is_true(inst, "addon_enabled");
	print_status(f, "add-on", ok, "31", color, "%s%s%s",
	    ok ? "ok: enabled in profile \"" : str_or(inst, "addon_problem",
	    "not ok"), ok && name != NULL ? name : "", ok ? "\"" : "");
}

void
report_print_install(FILE *f, const cJSON *inst, int color)
{
	const cJSON *it;
	bool ok;

	if (!cJSON_IsObject(inst))
		return;
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(inst,
	    "manifests")) {
		const char *pr = str(it, "problem");
		bool used = is_true(it, "used");

		fprintf(f, "manifest       %s\n", str_or(it, "path", "?"));
		if (!is_true(it, "exists"))
			fprintf(f, "               absent\n");
		else if (pr != NULL)
			fprintf(f, "               %s%s\n", used ?
			    "USED, BROKEN: " : "not used: ", pr);
		else
			fprintf(f, "               %s: host %s (%s)\n", used ?
			    "used" : "ok, shadowed by an earlier one",
			    str_or(it, "host_path", "?"),
			    str_or(it, "host_version", "?"));
	}
	ok = is_true(inst, "ok");
	print_status(f, "installation", ok, "31", color, "%s", ok ?
	    "ok: Thunderbird can start this host" : str_or(inst, "problem",
	    "not ok"));
	print_token(f, inst, color);
	print_profiles(f, inst, color);
}

static void
print_doctor(FILE *f, const cJSON *m, int color)
{
	const cJSON *it, *probe;
	bool from_conf;

	fprintf(f, "configuration  %s\n", str_or(m, "config",
	    "(none: defaults)"));
	from_conf = is_true(m, "resolvers_from_resolv_conf");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(m,
	    "resolvers"))
		fprintf(f, "resolver       %s%s%s\n", str_or(it, "address", "?"),
		    is_true(it, "loopback") ? " (loopback)" : " (remote)",
		    from_conf ? " from /etc/resolv.conf" : "");
	fprintf(f, "trust          %s\n", str_or(m, "trust", ""));
	probe = cJSON_GetObjectItemCaseSensitive(m, "probe");
	if (cJSON_IsObject(probe)) {
		const char *er = str(probe, "error");

		fprintf(f, "probe          %s SOA: %s\n", str_or(probe, "name",
		    "?"), er != NULL ? er : is_true(probe, "ad") ?
		    "answered with AD (validated)" :
		    "answered without AD (not validated)");
	}
	report_print_install(f, cJSON_GetObjectItemCaseSensitive(m, "install"),
	    color);
	print_status(f, "verdict", is_true(m, "ok"), "31", color, "%s",
	    str_or(m, "verdict", ""));
}

void
report_print_text(FILE *f, const cJSON *msg, int color)
{
	static const struct {
		const char *type;
		void (*print)(FILE *, const cJSON *, int);
	} printers[] = {
		{ "result", print_result },
		{ "record", print_records_msg },
		{ "check", print_check },
		{ "import", print_import_msg },
		{ "message-verification", print_message },
		{ "error", print_error },
		{ "doctor", print_doctor },
		{ "done", NULL },	/* says nothing a person needs */
	};
	const char *type = str(msg, "type");
	size_t i;
	char *s;

	if (type == NULL)
		return;
	for (i = 0; i < sizeof(printers) / sizeof(printers[0]); i++)
		if (strcmp(type, printers[i].type) == 0) {
			if (printers[i].print != NULL)
				printers[i].print(f, msg, color);
			return;
		}
	/* Any other message as it is. */
	if ((s = cJSON_Print(msg)) != NULL)
		fprintf(f, "%s\n", s);
	free(s);
}
