/* request.c - decode one request frame; see request.h. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dslimits.h"
#include "encode.h"
#include "isotime.h"
#include "request.h"
#include "utf8.h"

/* cJSON 1.7.15 copies a number into a 64-byte buffer before strtod and
 * fails on longer ones; RFC 8259 9 lets us limit numbers. */
#define REQ_MAX_NUMBER_CHARS	63

struct req_err {
	const char	*code;
	const char	*message;
};

static const struct req_err E_EMPTY = { "empty-frame",
    "empty frame: a request is one JSON object (RFC 8259 2)" };
static const struct req_err E_UTF8 = { "bad-utf8",
    "request is not well-formed UTF-8 (RFC 8259 8.1, RFC 3629 3)" };
static const struct req_err E_DEEP = { "too-deep",
    "JSON nested deeper than the host accepts (RFC 8259 9)" };
static const struct req_err E_VALUES = { "too-many-values",
    "more JSON values than the host accepts (RFC 8259 9)" };
static const struct req_err E_CTRL = { "bad-string",
    "raw control character in a string (RFC 8259 7)" };
static const struct req_err E_NUL = { "bad-string",
    "\\u0000 in a string is not accepted" };
static const struct req_err E_SURR = { "bad-string",
    "unpaired surrogate escape in a string (RFC 8259 8.2)" };
static const struct req_err E_JSON = { "bad-json",
    "request is not one JSON text (RFC 8259 2)" };
static const struct req_err E_NUMBER = { "bad-json",
    "bad or too long number (RFC 8259 6)" };
static const struct req_err E_ESCAPE = { "bad-json",
    "bad escape in a string (RFC 8259 7)" };
static const struct req_err E_DUP = { "duplicate-key",
    "member name repeated in an object (RFC 8259 4)" };
static const struct req_err E_NOTOBJ = { "not-object",
    "a request must be a JSON object" };
static const struct req_err E_NOTYPE = { "missing-field",
    "request has no \"type\"" };
static const struct req_err E_TYPE = { "bad-field",
    "\"type\" must be a string" };
static const struct req_err E_ID = { "bad-field",
    "\"id\" must be a string of at most 256 bytes or a finite number" };
static const struct req_err E_UNKNOWN = { "unknown-type",
    "\"type\" names no known request" };
static const struct req_err E_NOADDR = { "missing-field",
    "lookup and import need \"addresses\"" };
static const struct req_err E_ADDR = { "bad-field",
    "\"addresses\" must be a non-empty array of strings" };
static const struct req_err E_MANY = { "too-many-addresses",
    "more addresses than the host accepts in one lookup" };

static const struct req_err E_AT = { "bad-field",
    "\"at\" must be seconds since the epoch or \"YYYY-MM-DDTHH:MM:SSZ\"" };
static const struct req_err E_NOADDRESS = { "missing-field",
    "this request needs \"address\"" };
static const struct req_err E_ADDRESS = { "bad-field",
    "\"address\" must be a string" };
static const struct req_err E_NOCERT = { "missing-field",
    "this request needs \"certificate\" (base64 DER)" };
static const struct req_err E_CERT = { "bad-field",
    "\"certificate\" must be base64 (RFC 4648) of at most 65535 bytes" };
static const struct req_err E_CHAIN = { "bad-field",
    "\"chain\" must be an array of at most 8 base64 certificates" };
static const struct req_err E_RECOPT = { "bad-field",
    "\"usage\" must be 0-3, \"selector\" 0-1, \"matching\" 0-2, "
    "\"ttl\" 0-2147483647" };
_Static_assert(DS_MAX_TTL == 2147483647u, "E_RECOPT names DS_MAX_TTL");
static const struct req_err E_NODB = { "missing-field",
    "import needs \"db\" (an NSS database, \"sql:/path\")" };
static const struct req_err E_DB = { "bad-field",
    "\"db\" must be a string of at most 1023 bytes; \"dry_run\" a "
    "boolean" };
_Static_assert(DS_MAX_DB_PATH == 1023, "E_DB names DS_MAX_DB_PATH");

static const struct req_err E_HTTPS = { "bad-field",
    "\"https\" must be a boolean (false: no _smime TXT + HTTPS discovery "
    "for this request)" };

static const struct req_err E_NOMSG = { "missing-field",
    "verify-message needs \"message\" (base64 of the raw message)" };
static const struct req_err E_MSG = { "bad-field",
    "\"message\" must be non-empty base64 (RFC 4648); \"from\" a string" };

/* --- the lexical pre-scan: a complete RFC 8259 validator --- */

static bool
is_ws(uint8_t c)
{
	/* RFC 8259 2: exactly these four; cJSON would skip any byte <= 32. */
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}


/* Reads "XXXX" at p[*i..]; -1 if not four hex digits. */
static long
hex4(const uint8_t *p, size_t len, size_t *i)
{
	long v = 0;
	int k, h;

	if (len - *i < 4)
		return -1;
	for (k = 0; k < 4; k++) {
		if ((h = hex_value(p[*i + (size_t)k])) < 0)
			return -1;
		v = v << 4 | h;
	}
	*i += 4;
	return v;
}

/* Scans a string whose opening quote is at p[*i - 1]; leaves *i after
 * the closing quote. */
static const struct req_err *
scan_string(const uint8_t *p, size_t len, size_t *i)
{
	long u, lo;

	while (*i < len) {
		uint8_t c = p[(*i)++];

		if (c == '"')
			return NULL;
		if (c < 0x20)
			return &E_CTRL;
		if (c != '\\')
			continue;
		if (*i >= len)
			return &E_JSON;
		c = p[(*i)++];
		switch (c) {
		case '"': case '\\': case '/':
		case 'b': case 'f': case 'n': case 'r': case 't':
			continue;
		case 'u':
			break;
		default:
			return &E_ESCAPE;
		}
		if ((u = hex4(p, len, i)) < 0)
			return &E_ESCAPE;
		/* cJSON ends the C string at U+0000: the rest would vanish. */
		if (u == 0)
			return &E_NUL;
		if (u >= 0xDC00 && u <= 0xDFFF)
			return &E_SURR;
		if (u < 0xD800 || u > 0xDBFF)
			continue;
		/* RFC 8259 8.2: a high surrogate must be followed by a low. */
		if (len - *i < 2 || p[*i] != '\\' || p[*i + 1] != 'u')
			return &E_SURR;
		*i += 2;
		if ((lo = hex4(p, len, i)) < 0)
			return &E_ESCAPE;
		if (lo < 0xDC00 || lo > 0xDFFF)
			return &E_SURR;
	}
	return &E_JSON;		/* unterminated */
}

/* RFC 8259 6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
 * The token is the maximal run of number characters, so "01" and "1."
 * fail here instead of being accepted by strtod. */
static const struct req_err *
scan_number(const uint8_t *p, size_t len, size_t *i)
{
	size_t s = *i, e = *i, k;

	while (e < len && ((p[e] >= '0' && p[e] <= '9') || p[e] == '-' ||
	    p[e] == '+' || p[e] == '.' || p[e] == 'e' || p[e] == 'E'))
		e++;
	*i = e;
	if (e - s > REQ_MAX_NUMBER_CHARS)
		return &E_NUMBER;
	k = s;
	if (k < e && p[k] == '-')
		k++;
	if (k < e && p[k] == '0')
		k++;
	else if (k < e && p[k] >= '1' && p[k] <= '9')
		while (k < e && p[k] >= '0' && p[k] <= '9')
			k++;
	else
		return &E_NUMBER;
	if (k < e && p[k] == '.') {
		k++;
		if (k >= e || p[k] < '0' || p[k] > '9')
			return &E_NUMBER;
		while (k < e && p[k] >= '0' && p[k] <= '9')
			k++;
	}
	if (k < e && (p[k] == 'e' || p[k] == 'E')) {
		k++;
		if (k < e && (p[k] == '+' || p[k] == '-'))
			k++;
		if (k >= e || p[k] < '0' || p[k] > '9')
			return &E_NUMBER;
		while (k < e && p[k] >= '0' && p[k] <= '9')
			k++;
	}
	return k == e ? NULL : &E_NUMBER;
}

static bool
scan_literal(const uint8_t *p, size_t len, size_t *i)
{
	static const char *lits[] = { "true", "false", "null" };
	size_t k, n;

	for (k = 0; k < 3; k++) {
		n = strlen(lits[k]);
		if (len - *i >= n && memcmp(p + *i, lits[k], n) == 0) {
			*i += n;
			return true;
		}
	}
	return false;
}

enum scan_state {
	S_VALUE,		/* a value must come */
	S_VALUE_OR_CLOSE,	/* just after '[' */
	S_KEY,			/* after ',' in an object */
	S_KEY_OR_CLOSE,		/* just after '{' */
	S_COLON,
	S_AFTER			/* a value ended */
};

/*
 * One pass over the bytes with an explicit container stack bounded by
 * DS_MAX_JSON_DEPTH: accepts exactly the JSON texts of RFC 8259 that
 * cJSON parses identically (no \u0000, no lone surrogates, numbers of
 * at most 63 characters), so cJSON failing afterwards means OOM.
 */
static const struct req_err *
json_scan(const uint8_t *p, size_t len)
{
	char stack[DS_MAX_JSON_DEPTH];
	size_t depth = 0, i = 0, values = 0;
	enum scan_state st = S_VALUE;
	const struct req_err *e;
	uint8_t c;

	if (!utf8_valid((const char *)p, len))
		return &E_UTF8;
	for (;;) {
		while (i < len && is_ws(p[i]))
			i++;
		if (i == len)
			break;
		c = p[i];
		if ((st == S_KEY_OR_CLOSE && c == '}') ||
		    (st == S_VALUE_OR_CLOSE && c == ']')) {
			i++;
			depth--;
			st = S_AFTER;
			continue;
		}
		switch (st) {
		case S_AFTER:
			if (depth == 0)
				return &E_JSON;	/* trailing garbage */
			i++;
			if (c == ',')
				st = stack[depth - 1] == '{' ? S_KEY : S_VALUE;
			else if (c == (stack[depth - 1] == '{' ? '}' : ']'))
				depth--;
			else
				return &E_JSON;
			continue;
		case S_COLON:
			if (c != ':')
				return &E_JSON;
			i++;
			st = S_VALUE;
			continue;
		case S_KEY_OR_CLOSE:
		case S_KEY:
			if (c != '"')
				return &E_JSON;
			i++;
			if ((e = scan_string(p, len, &i)) != NULL)
				return e;
			st = S_COLON;
			continue;
		case S_VALUE_OR_CLOSE:
		case S_VALUE:
			break;
		}
		/* A value starts at c. */
		if (++values > DS_MAX_JSON_VALUES)
			return &E_VALUES;
		if (c == '{' || c == '[') {
			if (depth == DS_MAX_JSON_DEPTH)
				return &E_DEEP;
			stack[depth++] = (char)c;
			i++;
			st = c == '{' ? S_KEY_OR_CLOSE : S_VALUE_OR_CLOSE;
			continue;
		}
		if (c == '"') {
			i++;
			if ((e = scan_string(p, len, &i)) != NULL)
				return e;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			if ((e = scan_number(p, len, &i)) != NULL)
				return e;
		} else if (!scan_literal(p, len, &i))
			return &E_JSON;
		st = S_AFTER;
	}
	if (st != S_AFTER || depth != 0)
		return &E_JSON;		/* empty or truncated */
	return NULL;
}

int
request_json_check(const char *buf, size_t len, const char **code,
    const char **message)
{
	const struct req_err *e;

	*code = NULL;
	*message = NULL;
	if (len == 0)
		e = &E_EMPTY;
	else
		e = json_scan((const uint8_t *)buf, len);
	if (e == NULL)
		return 0;
	*code = e->code;
	*message = e->message;
	return 1;
}

/* --- duplicate member names --- */

static int
cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* 1 if some object in the tree repeats a name, 0 if not, -1 on OOM.
 * Recursion is bounded by DS_MAX_JSON_DEPTH (json_scan ran first). */
static int
has_duplicates(const cJSON *node)
{
	const cJSON *c, *d;
	const char **keys = NULL;
	size_t n = 0, k;
	int rc = -1, r;

	for (c = node->child; c != NULL; c = c->next) {
		n++;
		if ((r = has_duplicates(c)) != 0)
			return r;
	}
	if (!cJSON_IsObject(node) || n < 2)
		return 0;
	if (n <= 8) {
		/* Small objects, the common case: no allocation. */
		for (c = node->child; c != NULL; c = c->next)
			for (d = c->next; d != NULL; d = d->next)
				if (strcmp(c->string, d->string) == 0)
					return 1;
		return 0;
	}
	if (n > SIZE_MAX / sizeof(*keys) ||
	    (keys = malloc(n * sizeof(*keys))) == NULL)
		goto out;
	k = 0;
	for (c = node->child; c != NULL; c = c->next)
		keys[k++] = c->string;
	qsort(keys, n, sizeof(*keys), cmp_keys);
	rc = 0;
	for (k = 1; k < n; k++)
		if (strcmp(keys[k - 1], keys[k]) == 0) {
			rc = 1;
			break;
		}
out:
	free(keys);
	return rc;
}

/* --- fields --- */

/* Sets r->id_json from the top-level "id". Returns 0 (absent or fine),
 * 1 (present but not acceptable), -1 on OOM. */
static int
read_id(const cJSON *root, struct request *r)
{
	const cJSON *c, *id = NULL;
	char *s;

	for (c = root->child; c != NULL; c = c->next)
		if (strcmp(c->string, "id") == 0) {
			if (id != NULL)
				return 1;	/* ambiguous: echo nothing */
			id = c;
		}
	if (id == NULL)
		return 0;
	if (cJSON_IsString(id)) {
		if (strlen(id->valuestring) > DS_MAX_ID_BYTES)
			return 1;
	} else if (cJSON_IsNumber(id)) {
		/* 1e999 parses as inf, which cJSON would print as null. */
		if (!isfinite(id->valuedouble))
			return 1;
	} else
		return 1;
	if ((s = cJSON_PrintUnformatted(id)) == NULL)
		return -1;
	free(r->id_json);
	r->id_json = s;
	return 0;
}

static const struct req_err *
read_addresses(const cJSON *root, struct request *r, int *oom)
{
	const cJSON *a, *c;
	size_t n = 0, k = 0;
	char **v = NULL;

	*oom = 0;
	if ((a = cJSON_GetObjectItemCaseSensitive(root, "addresses")) == NULL)
		return &E_NOADDR;
	if (!cJSON_IsArray(a))
		return &E_ADDR;
	for (c = a->child; c != NULL; c = c->next) {
		if (!cJSON_IsString(c))
			return &E_ADDR;
		n++;
	}
	if (n == 0)
		return &E_ADDR;
	if (n > DS_MAX_ADDRESSES)
		return &E_MANY;
	if ((v = calloc(n, sizeof(*v))) == NULL)
		goto oom;
	for (c = a->child; c != NULL; c = c->next, k++)
		if ((v[k] = strdup(c->valuestring)) == NULL)
			goto oom;
	r->addresses = v;
	r->naddresses = n;
	return NULL;
oom:
	while (v != NULL && k > 0)
		free(v[--k]);
	free(v);
	*oom = 1;
	return NULL;
}

/* A base64 certificate; *e set on their fault, -1 on OOM. */
static int
read_b64(const cJSON *v, const struct req_err *bad, uint8_t **out,
    size_t *outlen, const struct req_err **e)
{
	int rc;

	if (!cJSON_IsString(v)) {
		*e = bad;
		return 0;
	}
	rc = b64_decode(v->valuestring, strlen(v->valuestring), out, outlen);
	if (rc < 0)
		return -1;
	if (rc > 0 || *outlen == 0 || *outlen > DS_MAX_CERT_BYTES) {
		free(*out);
		*out = NULL;
		*e = bad;
	}
	return 0;
}

/* -1 when absent, else the value if it is an integer in [lo, hi]. */
static int
read_int(const cJSON *root, const char *key, long lo, long hi, long *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, key);

	*out = -1;
	if (v == NULL)
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble != (double)(long)v->valuedouble ||
	    v->valuedouble < (double)lo || v->valuedouble > (double)hi)
		return 1;
	*out = (long)v->valuedouble;
	return 0;
}

/* Each reader below takes one field (or group) of one or more verbs:
 * NULL when it is absent-and-optional or good, the error on their
 * fault, or NULL with *oom set on ours. A verb's decoder calls them in
 * the order that decides which error a request with several bad
 * fields gets (the order is part of the protocol's behaviour). */

/* "at": every verb. */
static const struct req_err *
read_at(const cJSON *root, struct request *r)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "at");

	if (v == NULL)
		return NULL;
	if (cJSON_IsNumber(v) && v->valuedouble >= 0 &&
	    v->valuedouble < 253402300800.0)
		r->at = (int64_t)v->valuedouble;
	else if (!cJSON_IsString(v) ||
	    isotime_parse(v->valuestring, &r->at) != 0)
		return &E_AT;
	r->has_at = 1;
	return NULL;
}

/* "address" and "certificate" of verify, check and record. */
static const struct req_err *
read_address_cert(const cJSON *root, struct request *r, int need_address,
    int need_cert, int *oom)
{
	const struct req_err *e = NULL;
	const cJSON *v;

	v = cJSON_GetObjectItemCaseSensitive(root, "address");
	if (v == NULL && need_address)
		return &E_NOADDRESS;
	if (v != NULL) {
		if (!cJSON_IsString(v))
			return &E_ADDRESS;
		if ((r->address = strdup(v->valuestring)) == NULL)
			goto oom;
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "certificate");
	if (v == NULL && need_cert)
		return &E_NOCERT;
	if (v != NULL && read_b64(v, &E_CERT, &r->cert, &r->cert_len,
	    &e) < 0)
		goto oom;
	return e;
oom:
	*oom = 1;
	return NULL;
}

/* "chain": the certificates after the supplied one (verify, import). */
static const struct req_err *
read_chain(const cJSON *root, struct request *r, int *oom)
{
	const struct req_err *e = NULL;
	const cJSON *v, *c;
	size_t n = 0;

	if ((v = cJSON_GetObjectItemCaseSensitive(root, "chain")) == NULL)
		return NULL;
	if (!cJSON_IsArray(v))
		return &E_CHAIN;
	cJSON_ArrayForEach(c, v)
		n++;
	if (n > DS_MAX_CHAIN)
		return &E_CHAIN;
	if (n > 0 && ((r->chain = calloc(n, sizeof(*r->chain))) ==
	    NULL || (r->chain_len = calloc(n, sizeof(size_t))) == NULL))
		goto oom;
	cJSON_ArrayForEach(c, v) {
		if (read_b64(c, &E_CHAIN, &r->chain[r->nchain],
		    &r->chain_len[r->nchain], &e) < 0)
			goto oom;
		if (e != NULL)
			return e;
		r->nchain++;
	}
	return NULL;
oom:
	*oom = 1;
	return NULL;
}

/* Issue 18: the add-on's switch for the TXT + HTTPS path (lookup,
 * import). Only false has an effect (engine.c ands it with the
 * configuration). */
static const struct req_err *
read_https(const cJSON *root, struct request *r)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "https");

	if (v == NULL)
		return NULL;
	if (!cJSON_IsBool(v))
		return &E_HTTPS;
	r->https_off = cJSON_IsFalse(v);
	return NULL;
}

static const struct req_err *
decode_plain(const cJSON *root, struct request *r, int *oom)
{
	(void)oom;
	return read_at(root, r);
}

static const struct req_err *
decode_lookup(const cJSON *root, struct request *r, int *oom)
{
	const struct req_err *e;

	if ((e = read_addresses(root, r, oom)) != NULL || *oom ||
	    (e = read_at(root, r)) != NULL)
		return e;
	return read_https(root, r);
}

static const struct req_err *
decode_verify(const cJSON *root, struct request *r, int *oom)
{
	const struct req_err *e;

	if ((e = read_at(root, r)) != NULL ||
	    (e = read_address_cert(root, r, 1, 1, oom)) != NULL || *oom)
		return e;
	return read_chain(root, r, oom);
}

static const struct req_err *
decode_check(const cJSON *root, struct request *r, int *oom)
{
	const struct req_err *e;

	if ((e = read_at(root, r)) != NULL)
		return e;
	return read_address_cert(root, r, 1, 0, oom);
}

static const struct req_err *
decode_record(const cJSON *root, struct request *r, int *oom)
{
	const struct req_err *e;
	const cJSON *v;
	long u, sel, m, ttl;

	if ((e = read_at(root, r)) != NULL ||
	    (e = read_address_cert(root, r, 0, 1, oom)) != NULL || *oom)
		return e;
	if (read_int(root, "usage", 0, 3, &u) ||
	    read_int(root, "selector", 0, 1, &sel) ||
	    read_int(root, "matching", 0, 2, &m) ||
	    read_int(root, "ttl", 0, (long)DS_MAX_TTL, &ttl))
		return &E_RECOPT;
	r->usage = (int)u;
	r->selector = (int)sel;
	r->matching = (int)m;
	r->ttl = ttl;
	v = cJSON_GetObjectItemCaseSensitive(root, "url");
	if (v != NULL) {
		if (!cJSON_IsString(v))
			return &E_RECOPT;
		if ((r->url = strdup(v->valuestring)) == NULL)
			*oom = 1;
	}
	return NULL;
}

/* import: the addresses, or one certificate the client holds (e.g. a
 * verified message signer) with its optional "chain"; the database. */
static const struct req_err *
decode_import(const cJSON *root, struct request *r, int *oom)
{
	const struct req_err *e = NULL;
	const cJSON *v;

	if ((e = read_addresses(root, r, oom)) != NULL || *oom ||
	    (e = read_at(root, r)) != NULL)
		return e;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "certificate")) !=
	    NULL) {
		if (read_b64(v, &E_CERT, &r->cert, &r->cert_len, &e) < 0)
			goto oom;
		if (e != NULL ||
		    (e = read_chain(root, r, oom)) != NULL || *oom)
			return e;
	}
	if ((e = read_https(root, r)) != NULL)
		return e;
	v = cJSON_GetObjectItemCaseSensitive(root, "db");
	if (v == NULL)
		return &E_NODB;
	if (!cJSON_IsString(v) || strlen(v->valuestring) > DS_MAX_DB_PATH ||
	    v->valuestring[0] == '\0')
		return &E_DB;
	if ((r->db = strdup(v->valuestring)) == NULL)
		goto oom;
	v = cJSON_GetObjectItemCaseSensitive(root, "dry_run");
	if (v != NULL && !cJSON_IsBool(v))
		return &E_DB;
	r->dry_run = cJSON_IsTrue(v);
	return NULL;
oom:
	*oom = 1;
	return NULL;
}

static const struct req_err *
decode_verify_message(const cJSON *root, struct request *r, int *oom)
{
	const struct req_err *e;
	const cJSON *v;
	int rc;

	if ((e = read_at(root, r)) != NULL)
		return e;
	v = cJSON_GetObjectItemCaseSensitive(root, "message");
	if (v == NULL)
		return &E_NOMSG;
	if (!cJSON_IsString(v))
		return &E_MSG;
	rc = b64_decode(v->valuestring, strlen(v->valuestring),
	    &r->message, &r->message_len);
	if (rc < 0)
		goto oom;
	if (rc > 0 || r->message_len == 0)
		return &E_MSG;
	v = cJSON_GetObjectItemCaseSensitive(root, "from");
	if (v != NULL) {
		if (!cJSON_IsString(v))
			return &E_MSG;
		if ((r->from = strdup(v->valuestring)) == NULL)
			goto oom;
	}
	return NULL;
oom:
	*oom = 1;
	return NULL;
}

/* The verbs of the wire format: name, type and fields. What the engine
 * does with each is its own table (engine.c verbs[]). */
static const struct {
	const char	*name;
	int		 type;
	const struct req_err *(*decode)(const cJSON *, struct request *,
	    int *);
} req_types[] = {
	{ "hello", REQ_HELLO, decode_plain },
	{ "lookup", REQ_LOOKUP, decode_lookup },
	{ "verify", REQ_VERIFY, decode_verify },
	{ "record", REQ_RECORD, decode_record },
	{ "check", REQ_CHECK, decode_check },
	{ "import", REQ_IMPORT, decode_import },
	{ "verify-message", REQ_VERIFY_MESSAGE, decode_verify_message },
	{ "doctor", REQ_DOCTOR, decode_plain },
};

const char *
request_type_name(int type)
{
	size_t i;

	for (i = 0; i < sizeof(req_types) / sizeof(req_types[0]); i++)
		if (req_types[i].type == type)
			return req_types[i].name;
	return NULL;
}

void
request_free(struct request *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->naddresses; i++)
		free(r->addresses[i]);
	free(r->addresses);
	for (i = 0; i < r->nchain; i++)
		free(r->chain[i]);
	free(r->chain);
	free(r->chain_len);
	free(r->cert);
	free(r->address);
	free(r->url);
	free(r->db);
	free(r->message);
	free(r->from);
	free(r->id_json);
	cJSON_Delete(r->root);
	memset(r, 0, sizeof(*r));
}

int
request_decode(const char *buf, size_t len, struct request *out,
    const char **code, const char **message)
{
	const struct req_err *e = NULL;
	const cJSON *type;
	cJSON *root = NULL;
	const char *end = NULL;
	size_t i;
	int rc = -1, r, rid, oom;

	memset(out, 0, sizeof(*out));
	out->usage = out->selector = out->matching = -1;
	out->ttl = -1;
	*code = NULL;
	*message = NULL;
	if ((out->id_json = strdup("null")) == NULL)
		goto out;

	if (len == 0) {
		e = &E_EMPTY;
		goto out;
	}
	if ((e = json_scan((const uint8_t *)buf, len)) != NULL)
		goto out;
	/* json_scan accepted exactly what cJSON parses, so NULL here is
	 * almost surely OOM; still, call it bad JSON: a wrong guess must
	 * not let a peer make us exit. fuzz_request checks the claim. */
	if ((root = cJSON_ParseWithLengthOpts(buf, len, &end, 0)) == NULL) {
		e = &E_JSON;
		goto out;
	}
	/* Already checked by json_scan; kept as a cheap guard. */
	for (i = (size_t)(end - buf); i < len; i++)
		if (!is_ws((uint8_t)buf[i])) {
			e = &E_JSON;
			goto out;
		}
	if (!cJSON_IsObject(root)) {
		e = &E_NOTOBJ;
		goto out;
	}
	/* The id first, so that every later error can echo it. */
	if ((rid = read_id(root, out)) == -1)
		goto out;
	if ((r = has_duplicates(root)) != 0) {
		if (r == -1)
			goto out;
		e = &E_DUP;
		goto out;
	}
	if (rid == 1) {
		e = &E_ID;
		goto out;
	}
	if ((type = cJSON_GetObjectItemCaseSensitive(root, "type")) == NULL) {
		e = &E_NOTYPE;
		goto out;
	}
	if (!cJSON_IsString(type)) {
		e = &E_TYPE;
		goto out;
	}
	for (i = 0; i < sizeof(req_types) / sizeof(req_types[0]); i++)
		if (strcmp(type->valuestring, req_types[i].name) == 0)
			break;
	if (i == sizeof(req_types) / sizeof(req_types[0])) {
		e = &E_UNKNOWN;
		goto out;
	}
	out->type = req_types[i].type;
	oom = 0;
	e = req_types[i].decode(root, out, &oom);
	if (oom)
		goto out;
	if (e != NULL)
		goto out;
	out->root = root;
	root = NULL;
	rc = 0;
out:
	cJSON_Delete(root);
	if (e != NULL) {
		*code = e->code;
		*message = e->message;
		rc = 1;
	}
	return rc;
}
