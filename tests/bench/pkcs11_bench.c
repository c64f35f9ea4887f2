/* pkcs11_bench.c - the live DANE token (dane-smime-pkcs11.so) with 10,000
 * served certificates, in Thunderbird's lookup pattern (issue 17).
 *
 * Thunderbird looks an address up by listing every certificate object of
 * every token and asking, for each certificate, for its trust by issuer
 * and serial number, once as CKO_NSS_TRUST and once as the PKCS#11 3.2
 * CKO_TRUST: about 750 C_FindObjectsInit for one address in the measured
 * profile (../shared/notes/thunderbird.md). This bench
 *   1. writes a token cache of N certificates (default 10,000; distinct
 *      self-signed end entities made from tests/fixtures/certs/rsa.der by
 *      changing serial, names and address: the module checks no
 *      signature) with ",C," trust, and times tokencache_write_raw (the
 *      atomic write; tokencache_save adds the distrust filter, tcwrite.c);
 *   2. loads the module with dlopen and times, through its function list:
 *      the first search (reads and indexes the file), the 750-find pattern
 *      (one listing, then 2 x 374 trust searches by issuer+serial), the
 *      same pattern for all N certificates (1 + 2N finds, CKA_VALUE read
 *      for each, what NSS does with a token this size), single finds by
 *      class+issuer+serial, by CKA_VALUE and by label, and a reload after
 *      the file changed;
 *   3. loads the module into NSS (SECMOD_LoadUserModule) and times
 *      PK11_FindCertsFromEmailAddress, NSS's own lookup by address over
 *      the token, first and warm.
 * Figures go to stdout; median of --runs repetitions where it repeats.
 *
 * Build and run (from the source root, after meson compile -C BUILD):
 *   cc -O2 -D_GNU_SOURCE -Ihost/token -Ihost/base \
 *     $(pkg-config --cflags nss) \
 *     tests/bench/pkcs11_bench.c host/token/tokencache.c host/base/reader.c \
 *     host/base/utf8.c host/token/pkcs11cert.c $(pkg-config --libs nss) -ldl \
 *     -o /tmp/pkcs11_bench
 *   /tmp/pkcs11_bench BUILD/host/dane-smime-pkcs11.so [N] [RUNS]
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cert.h>
#include <nss.h>
#include <pk11pub.h>
#include <pkcs11.h>
#include <pkcs11n.h>
#include <secmod.h>

#include "pkcs11cert.h"
#include "tokencache.h"

#define P11_CKO_TRUST 0x0bUL

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return v[n / 2];
}

static uint8_t *
load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *b = malloc(70000);

	if (f == NULL || b == NULL)
		exit(2);
	*len = fread(b, 1, 70000, f);
	fclose(f);
	return b;
}

static void
replace_all(uint8_t *p, size_t n, const char *from, const char *to)
{
	size_t i, l = strlen(from);

	for (i = 0; i + l <= n; i++)
		if (memcmp(p + i, from, l) == 0)
			memcpy(p + i, to, l);
}

/* Certificate i: rsa.der with serial, CN and SAN changed in place. */
static void
make_cert(const uint8_t *tmpl, size_t len, const struct p11_cert *c,
    unsigned i, uint8_t *out, char *addr)
{
	static const char b36[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	char tag[5], cn[10], mail[18];
	size_t so = (size_t)(c->serial.p - tmpl) + c->serial.len - 4;

	tag[0] = b36[i / 46656 % 36];
	tag[1] = b36[i / 1296 % 36];
	tag[2] = b36[i / 36 % 36];
	tag[3] = b36[i % 36];
	tag[4] = '\0';
	memcpy(out, tmpl, len);
	out[so] = (uint8_t)(i >> 24);
	out[so + 1] = (uint8_t)(i >> 16);
	out[so + 2] = (uint8_t)(i >> 8);
	out[so + 3] = (uint8_t)i;
	snprintf(cn, sizeof(cn), "User %s", tag);
	snprintf(mail, sizeof(mail), "%s@example.test", tag);
	replace_all(out, len, "Hugh Test", cn);
	replace_all(out, len, "hugh@example.test", mail);
	strcpy(addr, mail);
}

static CK_FUNCTION_LIST_PTR f;
static CK_SESSION_HANDLE sess;

static CK_ULONG
find(CK_ATTRIBUTE *t, CK_ULONG n, CK_OBJECT_HANDLE *out, CK_ULONG max)
{
	CK_ULONG got = 0, total = 0;

	if (f->C_FindObjectsInit(sess, t, n) != CKR_OK)
		exit(3);
	do {
		if (f->C_FindObjects(sess, out + total, max - total, &got) !=
		    CKR_OK)
			exit(3);
		total += got;
	} while (got > 0 && total < max);
	f->C_FindObjectsFinal(sess);
	return total;
}

/* NSS's lookup pattern over k certificates: list all certificate
 * objects, read CKA_VALUE of the first k, then search both trust
 * classes by issuer+serial for each. Returns the finds made. */
static unsigned
pattern(CK_OBJECT_HANDLE *h, CK_ULONG nh, unsigned k, uint8_t *buf)
{
	CK_OBJECT_CLASS cc = CKO_CERTIFICATE, nt = CKO_NSS_TRUST,
	    pt = P11_CKO_TRUST;
	CK_BBOOL tr = CK_TRUE;
	CK_ATTRIBUTE lt[2] = { { CKA_TOKEN, &tr, sizeof(tr) },
	    { CKA_CLASS, &cc, sizeof(cc) } };
	CK_ATTRIBUTE va, tt[4];
	CK_OBJECT_HANDLE th[4];
	struct p11_cert c;
	unsigned i, finds = 1;
	CK_ULONG n;

	n = find(lt, 2, h, nh);
	if (n < k)
		exit(4);
	for (i = 0; i < k; i++) {
		va = (CK_ATTRIBUTE){ CKA_VALUE, buf, 70000 };
		if (f->C_GetAttributeValue(sess, h[i], &va, 1) != CKR_OK ||
		    p11_cert_parse(buf, va.ulValueLen, &c, NULL) != 0)
			exit(5);
		tt[0] = (CK_ATTRIBUTE){ CKA_TOKEN, &tr, sizeof(tr) };
		tt[1] = (CK_ATTRIBUTE){ CKA_CLASS, &nt, sizeof(nt) };
		tt[2] = (CK_ATTRIBUTE){ CKA_ISSUER, (void *)c.issuer.p,
		    c.issuer.len };
		tt[3] = (CK_ATTRIBUTE){ CKA_SERIAL_NUMBER, (void *)c.serial.p,
		    c.serial.len };
		if (find(tt, 4, th, 4) != 1)
			exit(6);
		tt[1].pValue = &pt;
		if (find(tt, 4, th, 4) != 1)
			exit(6);
		finds += 2;
	}
	return finds;
}

int
main(int argc, char **argv)
{
	const char *module = argc > 1 ? argv[1] : NULL;
	unsigned n = argc > 2 ? (unsigned)atoi(argv[2]) : 10000;
	int runs = argc > 3 ? atoi(argv[3]) : 5, r;
	char tmp[] = "/tmp/pkcs11_bench.XXXXXX", run[128], path[4096];
	char err[512], addr[64], spec[4200], cmd[256];
	struct tokencache tc = { 0 };
	struct p11_cert c;
	struct stat st;
	uint8_t *tmpl, *buf, *one;
	size_t tlen;
	double t0, t1, v[64], cold;
	CK_OBJECT_HANDLE *h;
	CK_C_GetFunctionList gfl;
	CK_OBJECT_CLASS cc = CKO_CERTIFICATE;
	CK_ATTRIBUTE a[3];
	unsigned i, finds = 0;
	void *lib;

	if (module == NULL || runs < 1 || runs > 64 || n < 400) {
		fprintf(stderr, "usage: pkcs11_bench MODULE.so [N>=400] "
		    "[RUNS<=64]\n");
		return 64;
	}
	if (mkdtemp(tmp) == NULL)
		return 2;
	snprintf(run, sizeof(run), "%s/run", tmp);
	mkdir(run, 0700);
	setenv("XDG_RUNTIME_DIR", run, 1);
	tokencache_path(path, sizeof(path), err, sizeof(err));
	tmpl = load("tests/fixtures/certs/rsa.der", &tlen);
	if (p11_cert_parse(tmpl, tlen, &c, NULL) != 0 || c.serial.len < 6)
		return 2;
	one = malloc(tlen);
	buf = malloc(70000);
	h = malloc(sizeof(*h) * (n + 16));
	for (i = 0; i < n; i++) {
		make_cert(tmpl, tlen, &c, i, one, addr);
		if (tokencache_put(&tc, addr, one, tlen, ",C,",
		    (int64_t)time(NULL) + 3600) != 0)
			return 2;
	}
	t0 = now_s();
	if (tokencache_write_raw(path, &tc, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	t1 = now_s();
	stat(path, &st);
	printf("certificates served      %u (%zu-byte RSA-2048 each)\n", n,
	    tlen);
	printf("cache file               %.1f MB, written in %.1f ms "
	    "(atomic save)\n", (double)st.st_size / 1e6, (t1 - t0) * 1e3);

	lib = dlopen(module, RTLD_NOW);
	if (lib == NULL) {
		fprintf(stderr, "%s\n", dlerror());
		return 2;
	}
	gfl = (CK_C_GetFunctionList)(uintptr_t)dlsym(lib,
	    "C_GetFunctionList");
	if (gfl == NULL || gfl(&f) != CKR_OK || f->C_Initialize(NULL) !=
	    CKR_OK || f->C_OpenSession(1, CKF_SERIAL_SESSION, NULL, NULL,
	    &sess) != CKR_OK)
		return 3;
	a[0] = (CK_ATTRIBUTE){ CKA_CLASS, &cc, sizeof(cc) };
	t0 = now_s();
	if (find(a, 1, h, n + 16) != n)
		return 4;
	cold = now_s() - t0;
	printf("first search (read+index) %.1f ms\n", cold * 1e3);

	for (r = 0; r < runs; r++) {
		t0 = now_s();
		finds = pattern(h, n + 16, 374, buf);
		v[r] = now_s() - t0;
	}
	printf("Thunderbird pattern      %u finds: %.2f ms per address "
	    "lookup (%.2f us per find)\n", finds, median(v, runs) * 1e3,
	    median(v, runs) * 1e6 / finds);
	for (r = 0; r < runs; r++) {
		t0 = now_s();
		finds = pattern(h, n + 16, n, buf);
		v[r] = now_s() - t0;
	}
	printf("same over all %u         %u finds + %u CKA_VALUE reads: "
	    "%.1f ms per lookup (%.2f us per find)\n", n, finds, n,
	    median(v, runs) * 1e3, median(v, runs) * 1e6 / finds);
	/* Single searches, 10,000 each. */
	{
		CK_OBJECT_CLASS nt = CKO_NSS_TRUST;
		struct p11_cert pc;
		CK_ATTRIBUTE va = { CKA_VALUE, buf, 70000 };

		f->C_GetAttributeValue(sess, h[n / 2], &va, 1);
		p11_cert_parse(buf, va.ulValueLen, &pc, NULL);
		a[0] = (CK_ATTRIBUTE){ CKA_CLASS, &nt, sizeof(nt) };
		a[1] = (CK_ATTRIBUTE){ CKA_ISSUER, (void *)pc.issuer.p,
		    pc.issuer.len };
		a[2] = (CK_ATTRIBUTE){ CKA_SERIAL_NUMBER, (void *)pc.serial.p,
		    pc.serial.len };
		t0 = now_s();
		for (i = 0; i < 10000; i++)
			if (find(a, 3, h, 4) != 1)
				return 6;
		printf("find trust by issuer+serial %.2f us\n",
		    (now_s() - t0) * 1e2);
		a[0] = (CK_ATTRIBUTE){ CKA_VALUE, buf, va.ulValueLen };
		t0 = now_s();
		for (i = 0; i < 10000; i++)
			if (find(a, 1, h, 4) != 1)
				return 6;
		printf("find certificate by value   %.2f us\n",
		    (now_s() - t0) * 1e2);
	}
	/* The host writes a new set: the next search reloads. */
	for (r = 0; r < runs; r++) {
		tokencache_write_raw(path, &tc, err, sizeof(err));
		a[0] = (CK_ATTRIBUTE){ CKA_CLASS, &cc, sizeof(cc) };
		t0 = now_s();
		find(a, 1, h, n + 16);
		v[r] = now_s() - t0;
	}
	printf("search after the file changed (reload) %.1f ms\n",
	    median(v, runs) * 1e3);
	f->C_CloseSession(sess);
	f->C_Finalize(NULL);
	dlclose(lib);

	/* NSS itself over the token. */
	{
		char db[200];
		SECMODModule *m;
		CERTCertList *l;
		int found;

		snprintf(db, sizeof(db), "%s/db", tmp);
		mkdir(db, 0700);
		snprintf(cmd, sizeof(cmd), "certutil -N -d sql:%s "
		    "--empty-password", db);
		if (system(cmd) != 0)
			return 7;
		snprintf(spec, sizeof(spec), "sql:%s", db);
		if (NSS_InitReadWrite(spec) != SECSuccess)
			return 7;
		snprintf(spec, sizeof(spec), "library=\"%s\" name=bench",
		    module);
		t0 = now_s();
		m = SECMOD_LoadUserModule(spec, NULL, PR_FALSE);
		if (m == NULL || !m->loaded)
			return 7;
		printf("NSS %s: module loaded in %.1f ms\n", NSS_GetVersion(),
		    (now_s() - t0) * 1e3);
		for (r = 0; r < runs + 1; r++) {
			make_cert(tmpl, tlen, &c, (unsigned)(r * 997) % n, one,
			    addr);
			t0 = now_s();
			l = PK11_FindCertsFromEmailAddress(addr, NULL);
			v[r] = now_s() - t0;
			found = l != NULL && !CERT_LIST_EMPTY(l);
			if (l != NULL)
				CERT_DestroyCertList(l);
			if (!found)
				return 8;
			if (r == 0)
				printf("NSS lookup by address, first  %.0f ms\n",
				    v[0] * 1e3);
		}
		printf("NSS lookup by address, warm   %.0f ms (median of %d)\n",
		    median(v + 1, runs) * 1e3, runs);
		SECMOD_UnloadUserModule(m);
		SECMOD_DestroyModule(m);
		NSS_Shutdown();
	}
	tokencache_free(&tc);
	free(tmpl);
	free(one);
	free(buf);
	free(h);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	return system(cmd) != 0;
}
