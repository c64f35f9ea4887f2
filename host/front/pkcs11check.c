/* pkcs11check.c - doctor's view of the live DANE token; see
 * pkcs11check.h. */
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "pkcs11.h"

#include "dslimits.h"
#include "install_check.h"
#include "pkcs11check.h"
#include "readfile.h"
#include "tokencache.h"
#include "utf8.h"

#define P11_SUBDIR	"mozilla/pkcs11-modules/"
#define P11_FILE	PKCS11_MODULE_NAME ".json"

/* One manifest (m->path): exists, valid and the library it names, or
 * the first problem. Returns 0, -1 on OOM. */
static int
check_manifest(struct pkcs11_manifest *m)
{
	const cJSON *name, *type, *lib, *allowed, *id;
	cJSON *root = NULL;
	char *buf = NULL;
	size_t len = 0;
	bool allowed_ok = false;
	int rc;

	rc = read_file_bounded(m->path, DS_MAX_MANIFEST_BYTES, &buf, &len);
	if (rc == -1)
		goto out;
	if (rc == ENOENT) {
		rc = 0;
		goto out;
	}
	m->exists = true;
	if (rc != 0) {
		snprintf(m->problem, sizeof(m->problem), "cannot read it: %s",
		    rc == EFBIG ? "too large" : strerror(rc));
		rc = 0;
		goto out;
	}
	if (!utf8_valid(buf, len) || (root = cJSON_ParseWithLength(buf,
	    len)) == NULL || !cJSON_IsObject(root)) {
		snprintf(m->problem, sizeof(m->problem), "not a JSON object");
		goto out;
	}
	name = cJSON_GetObjectItemCaseSensitive(root, "name");
	type = cJSON_GetObjectItemCaseSensitive(root, "type");
	lib = cJSON_GetObjectItemCaseSensitive(root, "path");
	allowed = cJSON_GetObjectItemCaseSensitive(root,
	    "allowed_extensions");
	cJSON_ArrayForEach(id, allowed)
		if (cJSON_IsString(id) &&
		    strcmp(id->valuestring, DANE_SMIME_EXTENSION_ID) == 0)
			allowed_ok = true;
	if (!cJSON_IsString(name) ||
	    strcmp(name->valuestring, PKCS11_MODULE_NAME) != 0)
		snprintf(m->problem, sizeof(m->problem), "\"name\" is not "
		    "\"%s\"", PKCS11_MODULE_NAME);
	else if (!cJSON_IsString(type) ||
	    strcmp(type->valuestring, "pkcs11") != 0)
		snprintf(m->problem, sizeof(m->problem), "\"type\" is not "
		    "\"pkcs11\"");
	else if (!cJSON_IsString(lib) || lib->valuestring[0] != '/' ||
	    !utf8_valid_text(lib->valuestring, strlen(lib->valuestring)))
		snprintf(m->problem, sizeof(m->problem), "\"path\" is not an "
		    "absolute path");
	else if (!cJSON_IsArray(allowed) || !allowed_ok)
		snprintf(m->problem, sizeof(m->problem), "\"allowed_"
		    "extensions\" does not list the add-on %s",
		    DANE_SMIME_EXTENSION_ID);
	if (cJSON_IsString(lib) && lib->valuestring[0] == '/' &&
	    utf8_valid_text(lib->valuestring, strlen(lib->valuestring)) &&
	    (m->library = strdup(lib->valuestring)) == NULL) {
		rc = -1;
		goto out;
	}
	rc = 0;
out:
	m->valid = m->exists && m->problem[0] == '\0';
	cJSON_Delete(root);
	free(buf);
	return rc;
}

/* Trims the blank padding of a PKCS#11 text field into out. */
static void
unpad(char *out, size_t outlen, const CK_UTF8CHAR *p, size_t n)
{
	while (n > 0 && p[n - 1] == ' ')
		n--;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	if (!utf8_valid_text(out, n))
		out[0] = '\0';
}

/* Loads the library and asks the token: r->loads, and when it does
 * r->token_state, token, served, trusted; *why says why not. */
static void
check_library(struct pkcs11_report *r, const char *path, char *why,
    size_t whylen)
{
	CK_C_GetFunctionList gfl;
	CK_FUNCTION_LIST_PTR f = NULL;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_RV rv;
	bool inited = false;
	void *lib;
	const char *e;

	lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		e = dlerror();
		snprintf(why, whylen, "the library %s does not load: %s", path,
		    e != NULL ? e : "?");
		goto json;
	}
	gfl = (CK_C_GetFunctionList)(uintptr_t)dlsym(lib,
	    "C_GetFunctionList");
	if (gfl == NULL || gfl(&f) != CKR_OK || f == NULL) {
		snprintf(why, whylen, "%s is no PKCS#11 module", path);
		goto json;
	}
	rv = f->C_Initialize(NULL);
	if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		snprintf(why, whylen, "%s: C_Initialize failed (0x%lx)", path,
		    (unsigned long)rv);
		goto json;
	}
	inited = rv == CKR_OK;
	if (f->C_GetSlotInfo(1, &si) != CKR_OK ||
	    f->C_GetTokenInfo(1, &ti) != CKR_OK) {
		snprintf(why, whylen, "%s does not answer as the dane-smime "
		    "token", path);
		goto json;
	}
	r->loads = true;
	unpad(r->token_state, sizeof(r->token_state), ti.model,
	    sizeof(ti.model));
	unpad(r->token, sizeof(r->token), si.slotDescription,
	    sizeof(si.slotDescription));
	(void)sscanf(r->token, "DANE S/MIME: %lu certificates, %lu with",
	    &r->served, &r->trusted);
json:
	if (inited)
		(void)f->C_Finalize(NULL);
	if (lib != NULL)
		dlclose(lib);
}

void
pkcs11_report_free(struct pkcs11_report *r)
{
	size_t i;

	for (i = 0; i < r->nmanifests; i++) {
		free(r->manifests[i].path);
		free(r->manifests[i].library);
	}
	r->nmanifests = 0;
}

/* The manifests in Thunderbird's order (the user's when home is
 * absolute, then the system's); the first that exists is used. */
static int
check_manifests(struct pkcs11_report *r, const char *home)
{
	static const char *const sys[] = {
		"/usr/lib/" P11_SUBDIR P11_FILE,
		"/usr/lib64/" P11_SUBDIR P11_FILE,
	};
	struct pkcs11_manifest *m;
	size_t i, n;

	if (home != NULL && home[0] == '/') {
		m = &r->manifests[r->nmanifests++];
		n = strlen(home) + sizeof("/." P11_SUBDIR P11_FILE);
		if ((m->path = malloc(n)) == NULL)
			return -1;
		snprintf(m->path, n, "%s/." P11_SUBDIR P11_FILE, home);
		if (check_manifest(m) != 0)
			return -1;
	}
	for (i = 0; i < sizeof(sys) / sizeof(sys[0]); i++) {
		m = &r->manifests[r->nmanifests++];
		if ((m->path = strdup(sys[i])) == NULL ||
		    check_manifest(m) != 0)
			return -1;
	}
	for (i = 0; i < r->nmanifests; i++)
		if (r->manifests[i].exists) {
			r->manifests[i].used = true;
			break;
		}
	return 0;
}

int
pkcs11_check(const char *home, struct pkcs11_report *r)
{
	struct tokencache tc = { 0 };
	const struct pkcs11_manifest *used = NULL;
	char why[600] = "";
	size_t i;
	int rc, ret = -1;

	memset(r, 0, sizeof(*r));
	if (check_manifests(r, home) != 0)
		goto out;
	for (i = 0; i < r->nmanifests && used == NULL; i++)
		if (r->manifests[i].used)
			used = &r->manifests[i];
	if (used != NULL) {
		r->library = used->library;
		if (used->problem[0] != '\0')
			snprintf(r->problem, sizeof(r->problem), "%s: %s",
			    used->path, used->problem);
	} else {
		snprintf(r->problem, sizeof(r->problem), "no %s in any folder "
		    "Thunderbird reads: the add-on cannot install the token "
		    "(install the package or packaging/install-user.sh)",
		    P11_FILE);
	}
	if (r->library != NULL) {
		check_library(r, r->library, why, sizeof(why));
		if (why[0] != '\0' && r->problem[0] == '\0')
			snprintf(r->problem, sizeof(r->problem), "%s", why);
	}
	/* The cache, read as the module reads it. */
	rc = tokencache_path(r->cache, sizeof(r->cache), r->cache_problem,
	    sizeof(r->cache_problem));
	if (rc == 0)
		rc = tokencache_load(r->cache, &tc, NULL, r->cache_problem,
		    sizeof(r->cache_problem));
	if (rc < 0)
		goto out;
	r->has_cache = rc != TC_E_NOPATH;
	r->cache_status = rc == TC_OK ? "ok" : rc == TC_E_MISSING ?
	    "missing" : rc == TC_E_UNSAFE ? "refused" : "unreadable";
	r->entries = tc.n;
	r->has_cache_problem = rc != TC_OK;
	if (r->problem[0] == '\0' && rc != TC_OK && rc != TC_E_MISSING)
		snprintf(r->problem, sizeof(r->problem), "the token serves "
		    "nothing: %s", r->cache_problem);
	r->ok = r->problem[0] == '\0';
	ret = 0;
out:
	tokencache_free(&tc);
	return ret;
}
