/* tbprofile.c - Thunderbird's profiles.ini, installs.ini and
 * extensions.json; see tbprofile.h. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "dslimits.h"
#include "fail.h"
#include "tbprofile.h"
#include "utf8.h"

/* One [ProfileN] section as written. */
struct rawprof {
	char	*name;
	char	*path;
	int	 rel;		/* IsRelative=: 1, 0, or -1 when absent */
	bool	 def;		/* Default=1 */
};

/* What the INI callback collects. */
struct collect {
	struct rawprof	 p[DS_MAX_PROFILES];
	size_t		 n;
	size_t		 over;	/* [ProfileN] sections beyond the limit */
	char		*inst[DS_MAX_PROFILES];	/* installations' Default= */
	size_t		 ninst;
	int		 kind;	/* of the current section: K_* */
	bool		 installs_file;
};

enum { K_NONE, K_PROFILE, K_INSTALL, K_OTHER };

static bool
isspace_ascii(char c)
{
	return c == ' ' || c == '\t';
}

static char *
dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* Replaces *slot by s[0..n): the last of duplicate keys wins. */
static int
setstr(char **slot, const char *s, size_t n)
{
	char *d = dupn(s, n);

	if (d == NULL)
		return -1;
	free(*slot);
	*slot = d;
	return 0;
}

/* "Profile" and digits: what nsToolkitProfileService reads as a
 * profile; "Install" and the installation's hash. */
static int
section_kind(const struct collect *c, const char *s, size_t n)
{
	size_t i;

	if (c->installs_file)
		return K_INSTALL;
	if (n > 7 && memcmp(s, "Profile", 7) == 0) {
		for (i = 7; i < n; i++)
			if (s[i] < '0' || s[i] > '9')
				return K_OTHER;
		return K_PROFILE;
	}
	if (n > 7 && memcmp(s, "Install", 7) == 0)
		return K_INSTALL;
	return K_OTHER;
}

static bool
key_is(const char *k, size_t kn, const char *want)
{
	return kn == strlen(want) && memcmp(k, want, kn) == 0;
}

/* One key=value in the current section. -1 on OOM. */
static int
on_key(struct collect *c, const char *k, size_t kn, const char *v,
    size_t vn)
{
	struct rawprof *p;

	if (c->kind == K_INSTALL && key_is(k, kn, "Default")) {
		if (c->ninst == DS_MAX_PROFILES)
			return 0;
		if ((c->inst[c->ninst] = dupn(v, vn)) == NULL)
			return -1;
		c->ninst++;
		return 0;
	}
	if (c->kind != K_PROFILE || c->n == 0)
		return 0;
	p = &c->p[c->n - 1];
	if (key_is(k, kn, "Name"))
		return setstr(&p->name, v, vn);
	if (key_is(k, kn, "Path"))
		return setstr(&p->path, v, vn);
	if (key_is(k, kn, "IsRelative"))
		p->rel = vn == 1 && v[0] == '1' ? 1 : 0;
	else if (key_is(k, kn, "Default"))
		p->def = vn == 1 && v[0] == '1';
	return 0;
}

/*
 * Reads INI text the way Mozilla's nsINIParser does: lines end at CR or
 * LF; leading blanks are skipped; ';' and '#' start comments; "[name]"
 * starts a section (a malformed header ignores the keys up to the next
 * one); "key=value" with blanks around both trimmed; other lines are
 * ignored. Returns 0, 1 (err set) or -1 on OOM.
 */
static int
parse_ini(struct collect *c, const char *buf, size_t len, const char *what,
    char *err, size_t errlen)
{
	const char *p = buf, *end = buf + len, *eol, *q, *eq, *rb;
	size_t lineno = 0, n, kn, vn;

	if (memchr(buf, '\0', len) != NULL || !utf8_valid(buf, len)) {
		seterr(err, errlen, "%s is not UTF-8 text", what);
		return 1;
	}
	c->kind = K_NONE;
	while (p < end) {
		for (eol = p; eol < end && *eol != '\n' && *eol != '\r'; eol++)
			;
		lineno++;
		if ((size_t)(eol - p) > DS_MAX_INI_LINE) {
			seterr(err, errlen, "%s: line %zu is longer than %u "
			    "bytes", what, lineno, (unsigned)DS_MAX_INI_LINE);
			return 1;
		}
		while (p < eol && isspace_ascii(*p))
			p++;
		n = (size_t)(eol - p);
		if (n == 0 || *p == ';' || *p == '#') {
			/* blank or comment */
		} else if (*p == '[') {
			rb = memchr(p, ']', n);
			for (q = rb != NULL ? rb + 1 : eol; q < eol &&
			    isspace_ascii(*q); q++)
				;
			if (rb == NULL || q != eol)
				c->kind = K_NONE;
			else
				c->kind = section_kind(c, p + 1,
				    (size_t)(rb - p - 1));
			if (c->kind == K_PROFILE) {
				if (c->n < DS_MAX_PROFILES) {
					memset(&c->p[c->n], 0,
					    sizeof(c->p[c->n]));
					c->p[c->n].rel = -1;
					c->n++;
				} else {
					c->over++;
					c->kind = K_NONE;
				}
			}
		} else if ((eq = memchr(p, '=', n)) != NULL) {
			kn = (size_t)(eq - p);
			while (kn > 0 && isspace_ascii(p[kn - 1]))
				kn--;
			for (q = eq + 1; q < eol && isspace_ascii(*q); q++)
				;
			vn = (size_t)(eol - q);
			while (vn > 0 && isspace_ascii(q[vn - 1]))
				vn--;
			if (kn > 0 && on_key(c, p, kn, q, vn) == -1)
				return -1;
		}
		p = eol < end ? eol + 1 : end;
	}
	return 0;
}

static void
collect_free(struct collect *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->p[i].name);
		free(c->p[i].path);
	}
	for (i = 0; i < c->ninst; i++)
		free(c->inst[i]);
}

void
tbprofile_list_free(struct tbprofile_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].path);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
	l->skipped = 0;
}

static bool
text_ok(const char *s)
{
	return s != NULL && s[0] != '\0' && utf8_valid_text(s, strlen(s));
}

int
tbprofile_parse(const char *ini, size_t len, const char *installs,
    size_t ilen, const char *base, struct tbprofile_list *out, char *err,
    size_t errlen)
{
	struct collect *c;
	struct tbprofile *t;
	size_t i, j, n;
	bool any_inst = false;
	int r, rc = -1;

	memset(out, 0, sizeof(*out));
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	if ((r = parse_ini(c, ini, len, "profiles.ini", err, errlen)) != 0) {
		rc = r;
		goto out;
	}
	if (installs != NULL) {
		/* Sections of installs.ini are installations; a bad file
		 * costs only the default marks. */
		c->installs_file = true;
		if (parse_ini(c, installs, ilen, "installs.ini", NULL, 0) ==
		    -1)
			goto out;
	}
	if (c->n > 0 && (out->v = calloc(c->n, sizeof(*out->v))) == NULL)
		goto out;
	out->skipped = c->over;
	for (i = 0; i < c->ninst; i++)
		for (j = 0; j < c->n; j++)
			if (c->p[j].path != NULL &&
			    strcmp(c->p[j].path, c->inst[i]) == 0)
				any_inst = true;
	for (i = 0; i < c->n; i++) {
		struct rawprof *p = &c->p[i];

		/* Thunderbird skips a section without these three. */
		if (!text_ok(p->name) || !text_ok(p->path) || p->rel == -1 ||
		    (p->rel == 0 && p->path[0] != '/')) {
			out->skipped++;
			continue;
		}
		t = &out->v[out->n];
		if (p->rel == 1) {
			n = strlen(base) + 1 + strlen(p->path) + 1;
			if ((t->path = malloc(n)) == NULL)
				goto out;
			snprintf(t->path, n, "%s/%s", base, p->path);
		} else if ((t->path = strdup(p->path)) == NULL)
			goto out;
		t->name = p->name;
		p->name = NULL;
		out->n++;
		if (any_inst) {
			for (j = 0; j < c->ninst; j++)
				if (strcmp(p->path, c->inst[j]) == 0)
					t->is_default = true;
		} else
			t->is_default = p->def;
	}
	rc = 0;
out:
	if (rc != 0)
		tbprofile_list_free(out);
	collect_free(c);
	free(c);
	return rc;
}

const char *
tbaddon_state_name(enum tbaddon_state s)
{
	switch (s) {
	case TBADDON_ENABLED:
		return "enabled";
	case TBADDON_WAITING:
		return "waiting";
	case TBADDON_DISABLED:
		return "disabled";
	case TBADDON_INCOMPATIBLE:
		return "incompatible";
	case TBADDON_INACTIVE:
		return "inactive";
	case TBADDON_ABSENT:
	default:
		return "absent";
	}
}

static bool
is_true(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static bool
is_false(const cJSON *o, const char *key)
{
	return cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(o, key));
}

int
tbprofile_addon(const char *json, size_t len, const char *id,
    struct tbaddon *a, char *err, size_t errlen)
{
	const cJSON *addons, *it, *v, *pick = NULL;
	const char *end = NULL;
	cJSON *root = NULL;
	int rc = 1;

	memset(a, 0, sizeof(*a));
	/* RFC 8259 8.1: JSON text is UTF-8; cJSON does not check. */
	if (memchr(json, '\0', len) != NULL || !utf8_valid(json, len)) {
		seterr(err, errlen, "not UTF-8 JSON text (RFC 8259 8.1)");
		goto out;
	}
	/* cJSON's require_null_terminated wants a NUL inside len: check
	 * that only white space follows the value ourselves. */
	root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	if (root != NULL && end != NULL && end >= json && end <= json + len)
		while (end < json + len && (*end == ' ' || *end == '\t' ||
		    *end == '\n' || *end == '\r'))
			end++;
	if (root != NULL && end != json + len) {
		cJSON_Delete(root);
		root = NULL;
	}
	if (root == NULL) {
		/* cJSON 1.7 cannot tell out of memory from bad JSON; under
		 * DS_MAX_EXTENSIONS_JSON_BYTES bad JSON is the likelier. */
		if (end == NULL || end < json || end > json + len)
			end = json;
		seterr(err, errlen, "not valid JSON (RFC 8259) near byte %zu",
		    (size_t)(end - json));
		goto out;
	}
	addons = cJSON_GetObjectItemCaseSensitive(root, "addons");
	if (!cJSON_IsObject(root) || !cJSON_IsArray(addons)) {
		seterr(err, errlen, "no \"addons\" array: not Thunderbird's "
		    "add-on database");
		goto out;
	}
	cJSON_ArrayForEach(it, addons) {
		v = cJSON_GetObjectItemCaseSensitive(it, "id");
		if (!cJSON_IsString(v) || v->valuestring == NULL ||
		    strcmp(v->valuestring, id) != 0)
			continue;
		/* One entry per install location; the visible one is the
		 * one Thunderbird uses. */
		if (pick == NULL || is_true(it, "visible"))
			pick = it;
		if (is_true(it, "visible"))
			break;
	}
	rc = 0;
	if (pick == NULL)
		goto out;
	if (is_true(pick, "active"))
		a->state = TBADDON_ENABLED;
	else if (is_true(pick, "appDisabled"))
		a->state = TBADDON_INCOMPATIBLE;
	else if (is_true(pick, "userDisabled"))
		/* A sideloaded add-on starts userDisabled and unseen until
		 * the user answers Thunderbird's notice. */
		a->state = is_false(pick, "seen") ? TBADDON_WAITING :
		    TBADDON_DISABLED;
	else
		a->state = TBADDON_INACTIVE;
	v = cJSON_GetObjectItemCaseSensitive(pick, "version");
	if (cJSON_IsString(v) && v->valuestring != NULL &&
	    strlen(v->valuestring) < sizeof(a->version) &&
	    utf8_valid_text(v->valuestring, strlen(v->valuestring)))
		memcpy(a->version, v->valuestring, strlen(v->valuestring) + 1);
out:
	cJSON_Delete(root);
	return rc;
}
