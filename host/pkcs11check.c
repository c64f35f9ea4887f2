/* pkcs11check.c - doctor's view of the live DANE token; see
 * pkcs11check.h. */
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkcs11.h"

#include "dslimits.h"
#include "install_check.h"
#include "pkcs11check.h"
#include "readfile.h"
#include "tokencache.h"
#include "utf8.h"

#define P11_SUBDIR	"mozilla/pkcs11-modules/"
#define P11_FILE	PKCS11_MODULE_NAME ".json"

/* One manifest: exists, valid and the library it names, or the first
 * problem. Returns the entry, NULL on OOM. */
static cJSON *
check_manifest(const char *path)
{
	const cJSON *name, *type, *lib, *allowed, *id;
	cJSON *o = NULL, *m = NULL;
	char *buf = NULL, problem[512] = "";
	const char *library = NULL;
	size_t len = 0;
	bool exists = false, allowed_ok = false;
	int rc;

	rc = read_file_bounded(path, DS_MAX_MANIFEST_BYTES, &buf, &len);
	if (rc == -1)
		goto out;
	if (rc == ENOENT)
		goto json;
	exists = true;
	if (rc != 0) {
		snprintf(problem, sizeof(problem), "cannot read it: %s",
		    rc == EFBIG ? "too large" : strerror(rc));
		goto json;
	}
	if (!utf8_valid(buf, len) || (m = cJSON_ParseWithLength(buf,
	    len)) == NULL || !cJSON_IsObject(m)) {
		snprintf(problem, sizeof(problem), "not a JSON object");
		goto json;
	}
	name = cJSON_GetObjectItemCaseSensitive(m, "name");
	type = cJSON_GetObjectItemCaseSensitive(m, "type");
	lib = cJSON_GetObjectItemCaseSensitive(m, "path");
	allowed = cJSON_GetObjectItemCaseSensitive(m, "allowed_extensions");
	cJSON_ArrayForEach(id, allowed)
		if (cJSON_IsString(id) &&
		    strcmp(id->valuestring, DANE_SMIME_EXTENSION_ID) == 0)
			allowed_ok = true;
	if (!cJSON_IsString(name) ||
	    strcmp(name->valuestring, PKCS11_MODULE_NAME) != 0)
		snprintf(problem, sizeof(problem), "\"name\" is not \"%s\"",
		    PKCS11_MODULE_NAME);
	else if (!cJSON_IsString(type) ||
	    strcmp(type->valuestring, "pkcs11") != 0)
		snprintf(problem, sizeof(problem), "\"type\" is not "
		    "\"pkcs11\"");
	else if (!cJSON_IsString(lib) || lib->valuestring[0] != '/' ||
	    !utf8_valid_text(lib->valuestring, strlen(lib->valuestring)))
		snprintf(problem, sizeof(problem), "\"path\" is not an "
		    "absolute path");
	else if (!cJSON_IsArray(allowed) || !allowed_ok)
		snprintf(problem, sizeof(problem), "\"allowed_extensions\" "
		    "does not list the add-on %s", DANE_SMIME_EXTENSION_ID);
	if (cJSON_IsString(lib) && lib->valuestring[0] == '/' &&
	    utf8_valid_text(lib->valuestring, strlen(lib->valuestring)))
		library = lib->valuestring;
json:
	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(o, "path", path) == NULL ||
	    cJSON_AddBoolToObject(o, "exists", exists) == NULL ||
	    cJSON_AddBoolToObject(o, "used", false) == NULL ||
	    cJSON_AddBoolToObject(o, "valid", exists &&
	    problem[0] == '\0') == NULL ||
	    (library != NULL ? cJSON_AddStringToObject(o, "library",
	    library) : cJSON_AddNullToObject(o, "library")) == NULL ||
	    (problem[0] != '\0' && cJSON_AddStringToObject(o, "problem",
	    problem) == NULL)) {
		cJSON_Delete(o);
		o = NULL;
	}
out:
	cJSON_Delete(m);
	free(buf);
	return o;
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

/* Loads the library and asks the token. Adds "loads", and when it does
 * "token_state", "token", "served", "trusted"; *why says why not. 0, or
 * -1 on OOM. */
static int
check_library(cJSON *o, const char *path, char *why, size_t whylen)
{
	CK_C_GetFunctionList gfl;
	CK_FUNCTION_LIST_PTR f = NULL;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_RV rv;
	char state[32], desc[80];
	unsigned long served = 0, trusted = 0;
	bool loads = false, inited = false;
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
	loads = true;
	unpad(state, sizeof(state), ti.model, sizeof(ti.model));
	unpad(desc, sizeof(desc), si.slotDescription,
	    sizeof(si.slotDescription));
	(void)sscanf(desc, "DANE S/MIME: %lu certificates, %lu with", &served,
	    &trusted);
	if (cJSON_AddStringToObject(o, "token_state", state) == NULL ||
	    cJSON_AddStringToObject(o, "token", desc) == NULL ||
	    cJSON_AddNumberToObject(o, "served", (double)served) == NULL ||
	    cJSON_AddNumberToObject(o, "trusted", (double)trusted) == NULL)
		loads = false;
json:
	if (inited)
		(void)f->C_Finalize(NULL);
	if (lib != NULL)
		dlclose(lib);
	return cJSON_AddBoolToObject(o, "loads", loads) == NULL ? -1 : 0;
}

cJSON *
pkcs11_check_json(const char *home)
{
	static const char *const sys[] = {
		"/usr/lib/" P11_SUBDIR P11_FILE,
		"/usr/lib64/" P11_SUBDIR P11_FILE,
	};
	struct tokencache tc = { 0 };
	const cJSON *lib = NULL, *pr;
	cJSON *root, *arr, *used = NULL;
	char path[4096], err[512], problem[768] = "", why[600] = "";
	const char *status;
	bool ok = false;
	int rc;

	if ((root = cJSON_CreateObject()) == NULL ||
	    (arr = cJSON_AddArrayToObject(root, "manifests")) == NULL)
		goto fail;
	/* Thunderbird's order: the user's folder, then the system's. */
	if (install_check_manifests(arr, home, P11_SUBDIR P11_FILE, sys,
	    sizeof(sys) / sizeof(sys[0]), check_manifest, &used) != 0)
		goto fail;
	if (used != NULL) {
		lib = cJSON_GetObjectItemCaseSensitive(used, "library");
		pr = cJSON_GetObjectItemCaseSensitive(used, "problem");
		if (cJSON_IsString(pr))
			snprintf(problem, sizeof(problem), "%s: %s",
			    cJSON_GetObjectItemCaseSensitive(used,
			    "path")->valuestring, pr->valuestring);
	} else {
		snprintf(problem, sizeof(problem), "no %s in any folder "
		    "Thunderbird reads: the add-on cannot install the token "
		    "(install the package or packaging/install-user.sh)",
		    P11_FILE);
	}
	if (cJSON_IsString(lib)) {
		if (cJSON_AddStringToObject(root, "library",
		    lib->valuestring) == NULL ||
		    check_library(root, lib->valuestring, why,
		    sizeof(why)) != 0)
			goto fail;
		if (why[0] != '\0' && problem[0] == '\0')
			snprintf(problem, sizeof(problem), "%s", why);
	} else if (cJSON_AddNullToObject(root, "library") == NULL ||
	    cJSON_AddBoolToObject(root, "loads", false) == NULL) {
		goto fail;
	}
	/* The cache, read as the module reads it. */
	rc = tokencache_path(path, sizeof(path), err, sizeof(err));
	if (rc == 0)
		rc = tokencache_load(path, &tc, NULL, err, sizeof(err));
	if (rc < 0)
		goto fail;
	status = rc == TC_OK ? "ok" : rc == TC_E_MISSING ? "missing" :
	    rc == TC_E_UNSAFE ? "refused" : "unreadable";
	if ((rc == TC_E_NOPATH ? cJSON_AddNullToObject(root, "cache") :
	    cJSON_AddStringToObject(root, "cache", path)) == NULL ||
	    cJSON_AddStringToObject(root, "cache_status", status) == NULL ||
	    cJSON_AddNumberToObject(root, "entries", (double)tc.n) == NULL ||
	    (rc != TC_OK && cJSON_AddStringToObject(root, "cache_problem",
	    err) == NULL))
		goto fail;
	if (problem[0] == '\0' && rc != TC_OK && rc != TC_E_MISSING)
		snprintf(problem, sizeof(problem), "the token serves nothing: "
		    "%s", err);
	ok = problem[0] == '\0';
	if (cJSON_AddBoolToObject(root, "ok", ok) == NULL ||
	    (!ok && cJSON_AddStringToObject(root, "problem", problem) ==
	    NULL))
		goto fail;
	tokencache_free(&tc);
	return root;
fail:
	tokencache_free(&tc);
	cJSON_Delete(root);
	return NULL;
}
