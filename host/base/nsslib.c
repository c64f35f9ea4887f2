/* nsslib.c - NSS opened with dlopen on first use; see nsslib.h. */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#define NSSLIB_NO_REDIRECT	/* the table's own names, not the calls */
#include "nsslib.h"

#include "dynlib.h"
#include "fail.h"
#include "log.h"

/* Sonames (or, on macOS, paths) from host/meson.build. */
#ifndef DS_NSPR4_SONAME
#error "DS_NSPR4_SONAME, DS_NSSUTIL3_SONAME, DS_NSS3_SONAME and DS_SMIME3_SONAME come from host/meson.build"
#endif

/* In dependency order: a missing libnspr4 is named as such. */
enum { L_NSPR, L_NSSUTIL, L_NSS3, L_SMIME, L_COUNT };
static const char *const sonames[L_COUNT] = {
	DS_NSPR4_SONAME, DS_NSSUTIL3_SONAME, DS_NSS3_SONAME, DS_SMIME3_SONAME
};

static struct nsslib table;
static void *libs[L_COUNT];
const struct nsslib *nsslib_table;

static void
close_all(void)
{
	for (size_t i = L_COUNT; i-- > 0;) {
		if (libs[i] != NULL)
			dlclose(libs[i]);
		libs[i] = NULL;
	}
	memset(&table, 0, sizeof(table));
}

int
nsslib_load(char *err, size_t errlen)
{
	static const struct {
		int lib;
		const char *name;
		size_t off;
	} syms[] = {
#define NSSLIB_SYM(lib, name) \
		{ L_##lib, #name, offsetof(struct nsslib, name) },
		NSSLIB_FUNCTIONS(NSSLIB_SYM)
#undef NSSLIB_SYM
		{ L_NSS3, "__CERT_DecodeDERCertificate",
		    offsetof(struct nsslib, decode_der_cert) },
		{ L_NSS3, "SECOID_AlgorithmIDTemplate",
		    offsetof(struct nsslib, SECOID_AlgorithmIDTemplate) },
	};
	const char *e;
	size_t i;

	if (nsslib_table != NULL)
		return 0;
	for (i = 0; i < L_COUNT; i++)
		if ((libs[i] = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL)) ==
		    NULL) {
			e = dlerror();
			seterr(err, errlen, "NSS cannot be loaded: %s",
			    e != NULL ? e : sonames[i]);
			goto fail;
		}
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		if (dynlib_sym(libs[syms[i].lib], syms[i].name,
		    (char *)&table + syms[i].off) != 0) {
			seterr(err, errlen, "NSS cannot be used: %s lacks %s "
			    "(an NSS older than the host was built for?)",
			    sonames[syms[i].lib], syms[i].name);
			goto fail;
		}
	}
	nsslib_table = &table;
	return 0;
fail:
	close_all();
	return -1;
}

const struct nsslib *
nsslib_load_or_abort(void)
{
	char err[512];

	if (nsslib_load(err, sizeof(err)) != 0) {
		/* A caller skipped crypto_init(): our bug, not the user's. */
		log_error("%s; an NSS function was called before "
		    "crypto_init()", err);
		abort();
	}
	return nsslib_table;
}
