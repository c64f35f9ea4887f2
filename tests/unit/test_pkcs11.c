/* test_pkcs11.c - the live DANE token (host/token/pkcs11mod.c) loaded into NSS
 * itself with SECMOD_LoadUserModule, as Thunderbird and modutil load it.
 *
 * A token cache made here (tests/fixtures/certs and certificates made
 * with openssl: v1, keyCertSign, a Netscape e-mail CA) is served; NSS
 * finds each certificate by e-mail (PK11_FindCertsFromEmailAddress, the
 * token listing Thunderbird's lookups use) and judges it for e-mail
 * recipient use (CERT_VerifyCertificateNow): a vouched (",C,") end entity
 * is trusted and valid, an unvouched one (",,", no entry, expired, or a
 * CA, v1, keyCertSign or Netscape-CA certificate however it is marked) is
 * not. Then the token follows the file: an entry withdrawn, added again
 * without trust, the file refused for its permissions, missing, garbage.
 * Direct PKCS#11 calls check what the spec asks of a read-only token.
 *
 * The trust NSS reads depends on its version (see pkcs11mod.c): NSS up to
 * 3.11x reads CKO_NSS_TRUST (",P,", validated by its own verifier); NSS
 * 3.12x (Thunderbird's) reads the PKCS#11 3.2 CKO_TRUST first (",C.",
 * which only mozilla::pkix accepts for an end entity). Run with
 * LD_LIBRARY_PATH=/usr/lib/thunderbird to check the second.
 *
 * Usage: test_pkcs11 MODULE.so [FIXTURE_DIR]. Needs openssl, certutil. */
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cert.h>
#include <certdb.h>
#include <nss.h>
#include <pkcs11.h>
#include <pk11pub.h>
#include <secerr.h>
#include <secmod.h>

#include "certs.h"
#include "crypto.h"
#include "pkcs11cert.h"
#include "pkcs11check.h"
#include "report.h"
#include "tokencache.h"
#include "t.h"

#ifndef DS_FIXTURES_DIR
#define DS_FIXTURES_DIR "tests/fixtures/certs"
#endif

#define P11_CKO_TRUST			0x0bUL
#define P11_CKA_HASH_OF_CERTIFICATE	0x635UL
#define P11_CKA_TRUST_EMAIL_PROTECTION	0x62fUL

static char tmp[] = "/tmp/test_pkcs11.XXXXXX";
static const char *fixtures = DS_FIXTURES_DIR;
static char cache_path[4200];
static bool new_nss;	/* reads the PKCS#11 3.2 trust class first */

struct cert {
	const char *dir;	/* "F" fixtures, "G" generated here */
	const char *file;
	uint8_t *der;
	size_t len;
};

static struct cert certs[] = {
	{ "F", "rsa.der", NULL, 0 },		/* 0 hugh@, self-signed EE */
	{ "F", "ec.der", NULL, 0 },		/* 1 ec@, self-signed EE */
	{ "F", "ca.der", NULL, 0 },		/* 2 a CA */
	{ "F", "leaf.der", NULL, 0 },		/* 3 issued by ca */
	{ "G", "v1.der", NULL, 0 },		/* 4 version 1 */
	{ "G", "kucertsign.der", NULL, 0 },	/* 5 keyCertSign, cA FALSE */
	{ "G", "nsemailca.der", NULL, 0 },	/* 6 Netscape e-mail CA */
	{ "F", "ecleaf.der", NULL, 0 },		/* 7 for expiry tests */
	{ "F", "rsaleaf.der", NULL, 0 },	/* 8 for expiry tests */
	{ "F", "utf8.der", NULL, 0 },
	{ "F", "multi.der", NULL, 0 },
	{ "F", "legacy.der", NULL, 0 },
	{ "F", "inter.der", NULL, 0 },
	{ "F", "chain.der", NULL, 0 },
	{ "F", "ed25519.der", NULL, 0 },
	{ "F", "ekuserver.der", NULL, 0 },
	{ "F", "kusign.der", NULL, 0 },
	{ "F", "anyeku.der", NULL, 0 },
	{ "F", "rsa1024.der", NULL, 0 },
	{ "F", "ca2.der", NULL, 0 },
};
#define NCERTS (sizeof(certs) / sizeof(certs[0]))

static int
generate(void)
{
	static const char *const gens[][3] = {
		{ "v1", "/CN=v1/emailAddress=mallet@evil.test", NULL },
		{ "kucertsign", "/CN=ku", "basicConstraints=CA:FALSE\n"
		    "keyUsage=digitalSignature,keyEncipherment,keyCertSign\n"
		    "subjectAltName=email:ku@evil.test" },
		{ "nsemailca", "/CN=ns", "basicConstraints=CA:FALSE\n"
		    "nsCertType=emailCA\nsubjectAltName=email:ns@evil.test" },
	};
	char cmd[2048], path[512];
	size_t i;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "openssl genpkey -algorithm RSA -pkeyopt "
	    "rsa_keygen_bits:2048 -out %s/k.pem 2>/dev/null", tmp);
	if (system(cmd) != 0)
		return -1;
	for (i = 0; i < sizeof(gens) / sizeof(gens[0]); i++) {
		if (gens[i][2] == NULL) {
			snprintf(cmd, sizeof(cmd), "cd %s && openssl req -new "
			    "-key k.pem -subj '%s' -out %s.csr && openssl x509 "
			    "-req -in %s.csr -signkey k.pem -days 30 -outform "
			    "DER -out %s.der 2>/dev/null", tmp, gens[i][1],
			    gens[i][0], gens[i][0], gens[i][0]);
		} else {
			snprintf(path, sizeof(path), "%s/%s.cnf", tmp,
			    gens[i][0]);
			if ((f = fopen(path, "w")) == NULL)
				return -1;
			fprintf(f, "[req]\ndistinguished_name = dn\n"
			    "x509_extensions = ext\n[dn]\n[ext]\n%s\n",
			    gens[i][2]);
			fclose(f);
			snprintf(cmd, sizeof(cmd), "cd %s && openssl req -x509 "
			    "-new -key k.pem -subj '%s' -days 30 -config %s.cnf "
			    "-outform DER -out %s.der 2>/dev/null", tmp,
			    gens[i][1], gens[i][0], gens[i][0]);
		}
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

/* The module's own certificate reader agrees with NSS (certs.c) on what
 * the trust rule looks at, and its hashes with NSS's. */
static void
test_reader_vs_nss(void)
{
	struct cert_summary s;
	struct p11_cert c;
	uint8_t h1[20], h2[32], n1[20], n2[32];
	const char *why;
	size_t i;

	for (i = 0; i < NCERTS; i++) {
		memset(&s, 0, sizeof(s));
		CHECK(certs_decode(certs[i].der, certs[i].len, &s, &why) == 0);
		CHECK(p11_cert_parse(certs[i].der, certs[i].len, &c, &why) ==
		    0);
		CHECK(c.version == s.version);
		CHECK(c.is_ca == s.is_ca);
		CHECK(c.ku_cert_sign == (s.has_ku &&
		    (s.ku & CERT_KU_KEY_CERT_SIGN) != 0));
		/* NSS also infers a CA type for cA TRUE and for v1 roots;
		 * the module refuses those by version and cA itself. */
		CHECK(c.ns_ca == s.ns_ca || (!c.ns_ca && (s.is_ca ||
		    s.version < 3)));
		CHECK(c.not_after == s.not_after);
		CHECK(c.not_before == s.not_before);
		/* The rule's own part, both ways (trustrule_cert_ok). */
		CHECK(p11_cert_end_entity(&c) == (s.version == 3 && !s.is_ca &&
		    !s.ns_ca && !(s.has_ku &&
		    (s.ku & CERT_KU_KEY_CERT_SIGN) != 0)));
		p11_sha1(certs[i].der, certs[i].len, h1);
		p11_sha256(certs[i].der, certs[i].len, h2);
		/* certs_decode and crypto_sha256 need no NSS start any more
		 * (x509sum, freebl's raw hash); PK11_HashBuf does. */
		CHECK(crypto_init() == 0);
		CHECK(PK11_HashBuf(SEC_OID_SHA1, n1, certs[i].der,
		    (PRInt32)certs[i].len) == SECSuccess);
		CHECK(crypto_sha256(certs[i].der, certs[i].len, n2) == 0);
		CHECK(memcmp(h1, n1, 20) == 0 && memcmp(h2, n2, 32) == 0);
		if (c.version != s.version || c.is_ca != s.is_ca)
			fprintf(stderr, "disagree on %s: v%d/%d ca %d/%d\n",
			    certs[i].file, c.version, s.version, c.is_ca,
			    s.is_ca);
		cert_summary_free(&s);
	}
	/* Hash lengths around the padding boundaries. */
	for (i = 0; i < 200; i++) {
		static uint8_t buf[200];

		buf[i % 200] = (uint8_t)i;
		p11_sha256(buf, i, h2);
		CHECK(crypto_sha256(buf, i, n2) == 0 &&
		    memcmp(h2, n2, 32) == 0);
		p11_sha1(buf, i, h1);
		CHECK(PK11_HashBuf(SEC_OID_SHA1, n1, buf, (PRInt32)i) ==
		    SECSuccess && memcmp(h1, n1, 20) == 0);
	}
}

struct ent {
	const char *address;
	int cert;
	const char *trust;
	int64_t expires;	/* relative to now */
};

static void
write_cache(const struct ent *e, size_t n)
{
	struct tokencache tc = { 0 };
	char err[512];
	int64_t now = (int64_t)time(NULL);
	size_t i;

	for (i = 0; i < n; i++)
		CHECK(tokencache_put(&tc, e[i].address, certs[e[i].cert].der,
		    certs[e[i].cert].len, e[i].trust, now + e[i].expires) == 0);
	CHECK(tokencache_save(cache_path, &tc, err, sizeof(err)) == 0);
	tokencache_free(&tc);
}

/* The first certificate NSS finds for addr on any token, or NULL. */
static CERTCertificate *
by_email(const char *addr)
{
	CERTCertList *l = PK11_FindCertsFromEmailAddress(addr, NULL);
	CERTCertificate *c = NULL;

	if (l != NULL && !CERT_LIST_EMPTY(l))
		c = CERT_DupCertificate(CERT_LIST_HEAD(l)->cert);
	if (l != NULL)
		CERT_DestroyCertList(l);
	return c;
}

/* 1 trusted for e-mail (as this NSS reads the token), 0 not, -1 absent. */
static int
email_trust(const char *addr)
{
	CERTCertificate *c = by_email(addr);
	CERTCertTrust t;
	int r = -1;

	if (c == NULL)
		return -1;
	r = 0;
	if (CERT_GetCertTrust(c, &t) == SECSuccess) {
		if (new_nss)
			r = (t.emailFlags & CERTDB_TRUSTED_CA) != 0;
		else
			r = (t.emailFlags & (CERTDB_TRUSTED |
			    CERTDB_TERMINAL_RECORD)) ==
			    (CERTDB_TRUSTED | CERTDB_TERMINAL_RECORD) &&
			    !(t.emailFlags & CERTDB_TRUSTED_CA);
	}
	CERT_DestroyCertificate(c);
	return r;
}

/* 1 valid for e-mail recipient use now, 0 not, -1 absent. */
static int
recipient_ok(const char *addr)
{
	CERTCertificate *c = by_email(addr);
	SECStatus s;

	if (c == NULL)
		return -1;
	s = CERT_VerifyCertificateNow(CERT_GetDefaultCertDB(), c, PR_TRUE,
	    certificateUsageEmailRecipient, NULL, NULL);
	CERT_DestroyCertificate(c);
	return s == SECSuccess;
}

static void
token_state(PK11SlotInfo *slot, char *model, char *desc)
{
	CK_TOKEN_INFO ti;
	CK_SLOT_INFO si;

	memset(model, 0, 17);
	memset(desc, 0, 65);
	if (PK11_GetTokenInfo(slot, &ti) == SECSuccess)
		memcpy(model, ti.model, 16);
	if (PK11_GetSlotInfo(slot, &si) == SECSuccess)
		memcpy(desc, si.slotDescription, 64);
}

/* Waits out NSS's caches: NSS forgets a certificate no one holds; the
 * token itself answers at once. */
static void
settle(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static void
test_direct(void)
{
	CK_C_GetFunctionList getlist;
	CK_FUNCTION_LIST_PTR f = NULL;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE h[8];
	CK_ULONG n = 0;
	CK_OBJECT_CLASS cls = P11_CKO_TRUST;
	CK_ATTRIBUTE tmpl[3];
	CK_BYTE small[4], hash[32], want[32];
	CK_ULONG ul;
	CK_RV rv;
	struct p11_cert c;
	void *lib;
	char path[4096];

	snprintf(path, sizeof(path), "%s", getenv("DS_TEST_MODULE"));
	lib = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	CHECK(lib != NULL);
	if (lib == NULL)
		return;
	getlist = (CK_C_GetFunctionList)(uintptr_t)dlsym(lib,
	    "C_GetFunctionList");
	CHECK(getlist != NULL && getlist(&f) == CKR_OK && f != NULL);
	if (f == NULL)
		goto out;
	/* NSS initialised it already. */
	CHECK(f->C_Initialize(NULL) == CKR_CRYPTOKI_ALREADY_INITIALIZED);
	CHECK(f->C_OpenSession(1, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL,
	    NULL, &s) == CKR_TOKEN_WRITE_PROTECTED);
	CHECK(f->C_OpenSession(1, 0, NULL, NULL, &s) ==
	    CKR_SESSION_PARALLEL_NOT_SUPPORTED);
	CHECK(f->C_OpenSession(2, CKF_SERIAL_SESSION, NULL, NULL, &s) ==
	    CKR_SLOT_ID_INVALID);
	CHECK(f->C_OpenSession(1, CKF_SERIAL_SESSION, NULL, NULL, &s) ==
	    CKR_OK);
	CHECK(f->C_CreateObject(s, NULL, 0, &h[0]) ==
	    CKR_TOKEN_WRITE_PROTECTED);
	CHECK(f->C_DestroyObject(s, 1) == CKR_TOKEN_WRITE_PROTECTED);
	CHECK(f->C_Login(s, CKU_USER, NULL, 0) == CKR_FUNCTION_NOT_SUPPORTED);
	CHECK(f->C_GenerateRandom(s, small, 4) == CKR_RANDOM_NO_RNG);
	CHECK(f->C_SignInit(s, NULL, 0) == CKR_FUNCTION_NOT_SUPPORTED);
	CHECK(f->C_SignInit(999999, NULL, 0) == CKR_SESSION_HANDLE_INVALID);
	CHECK(f->C_FindObjects(s, h, 8, &n) == CKR_OPERATION_NOT_INITIALIZED);
	CHECK(f->C_GetMechanismList(1, NULL, &n) == CKR_OK && n == 0);
	/* The standard trust object of hugh@ by issuer and serial. */
	CHECK(p11_cert_parse(certs[0].der, certs[0].len, &c, NULL) == 0);
	tmpl[0] = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof(cls) };
	tmpl[1] = (CK_ATTRIBUTE){ CKA_ISSUER, (void *)c.issuer.p,
	    c.issuer.len };
	tmpl[2] = (CK_ATTRIBUTE){ CKA_SERIAL_NUMBER, (void *)c.serial.p,
	    c.serial.len };
	CHECK(f->C_FindObjectsInit(s, tmpl, 3) == CKR_OK);
	CHECK(f->C_FindObjectsInit(s, tmpl, 3) == CKR_OPERATION_ACTIVE);
	CHECK(f->C_FindObjects(s, h, 8, &n) == CKR_OK && n == 1);
	CHECK(f->C_FindObjectsFinal(s) == CKR_OK);
	if (n == 1) {
		tmpl[0] = (CK_ATTRIBUTE){ P11_CKA_HASH_OF_CERTIFICATE, hash,
		    sizeof(hash) };
		tmpl[1] = (CK_ATTRIBUTE){ P11_CKA_TRUST_EMAIL_PROTECTION, &ul,
		    sizeof(ul) };
		CHECK(f->C_GetAttributeValue(s, h[0], tmpl, 2) == CKR_OK);
		/* NSS is up: no crypto_init context of our own here, or
		 * NSS_Shutdown would be busy. */
		CHECK(PK11_HashBuf(SEC_OID_SHA256, want, certs[0].der,
		    (PRInt32)certs[0].len) == SECSuccess);
		CHECK(memcmp(hash, want, 32) == 0);
		CHECK(ul == 2);	/* CKT_TRUST_ANCHOR */
		/* Too small a buffer, an attribute it has not, both
		 * reported, the good one still answered. */
		tmpl[0] = (CK_ATTRIBUTE){ P11_CKA_HASH_OF_CERTIFICATE, small,
		    sizeof(small) };
		tmpl[1] = (CK_ATTRIBUTE){ CKA_VALUE, NULL, 0 };
		tmpl[2] = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof(cls) };
		rv = f->C_GetAttributeValue(s, h[0], tmpl, 3);
		CHECK(rv == CKR_BUFFER_TOO_SMALL ||
		    rv == CKR_ATTRIBUTE_TYPE_INVALID);
		CHECK(tmpl[0].ulValueLen == CK_UNAVAILABLE_INFORMATION);
		CHECK(tmpl[1].ulValueLen == CK_UNAVAILABLE_INFORMATION);
		CHECK(tmpl[2].ulValueLen == sizeof(cls) &&
		    cls == P11_CKO_TRUST);
	}
	CHECK(f->C_GetAttributeValue(s, 0x7f000001, tmpl, 1) ==
	    CKR_OBJECT_HANDLE_INVALID);
	CHECK(f->C_CloseSession(s) == CKR_OK);
	CHECK(f->C_CloseSession(s) == CKR_SESSION_HANDLE_INVALID);
out:
	dlclose(lib);
}

/* Four threads search and read attributes while this one rewrites the
 * cache (each write a reload): every call answers by the spec, a handle
 * from before a reload is refused, never followed. */
struct stress {
	CK_FUNCTION_LIST_PTR f;
	int bad;
	volatile int stop;
};

static void *
stress_thread(void *arg)
{
	struct stress *st = arg;
	CK_FUNCTION_LIST_PTR f = st->f;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE h[32];
	CK_OBJECT_CLASS cc = CKO_CERTIFICATE;
	CK_ATTRIBUTE t = { CKA_CLASS, &cc, sizeof(cc) }, v;
	uint8_t buf[4096];
	CK_ULONG n, i;
	CK_RV rv;

	if (f->C_OpenSession(1, CKF_SERIAL_SESSION, NULL, NULL, &s) !=
	    CKR_OK) {
		st->bad++;
		return NULL;
	}
	while (!st->stop) {
		if (f->C_FindObjectsInit(s, &t, 1) != CKR_OK ||
		    f->C_FindObjects(s, h, 32, &n) != CKR_OK ||
		    f->C_FindObjectsFinal(s) != CKR_OK) {
			st->bad++;
			break;
		}
		for (i = 0; i < n; i++) {
			v = (CK_ATTRIBUTE){ CKA_VALUE, buf, sizeof(buf) };
			rv = f->C_GetAttributeValue(s, h[i], &v, 1);
			if (rv != CKR_OK && rv != CKR_OBJECT_HANDLE_INVALID)
				st->bad++;
			if (rv == CKR_OK && (v.ulValueLen == 0 ||
			    v.ulValueLen > sizeof(buf) || buf[0] != 0x30))
				st->bad++;
		}
	}
	f->C_CloseSession(s);
	return NULL;
}

static void
test_threads(void)
{
	CK_C_GetFunctionList getlist;
	struct stress st = { 0 };
	pthread_t th[4];
	void *lib;
	int i, k;
	const struct ent a[] = {
		{ "hugh@example.test", 0, ",C,", 3600 },
		{ "ec@example.test", 1, ",,", 3600 },
	}, b[] = {
		{ "leaf@example.test", 3, ",,", 3600 },
	};

	lib = dlopen(getenv("DS_TEST_MODULE"), RTLD_NOW | RTLD_NOLOAD);
	CHECK(lib != NULL);
	if (lib == NULL)
		return;
	getlist = (CK_C_GetFunctionList)(uintptr_t)dlsym(lib,
	    "C_GetFunctionList");
	CHECK(getlist != NULL && getlist(&st.f) == CKR_OK);
	for (i = 0; i < 4; i++)
		CHECK(pthread_create(&th[i], NULL, stress_thread, &st) == 0);
	for (k = 0; k < 200; k++)
		write_cache(k % 2 ? a : b, k % 2 ? 2 : 1);
	st.stop = 1;
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	CHECK(st.bad == 0);
	dlclose(lib);
}

static void
test_nss(const char *module)
{
	char dbdir[4200], spec[4400], cmd[8800], model[17], desc[65];
	SECMODModule *mod = NULL;
	PK11SlotInfo *slot = NULL;
	CERTCertificate *c;
	const struct ent ents[] = {
		{ "hugh@example.test", 0, ",C,", 3600 },
		{ "ec@example.test", 1, ",,", 3600 },
		{ "ca@example.test", 2, ",C,", 3600 },
		{ "leaf@example.test", 3, ",,", 3600 },
		{ "mallet@evil.test", 4, ",C,", 3600 },
		{ "ku@evil.test", 5, ",C,", 3600 },
		{ "ns@evil.test", 6, ",C,", 3600 },
		{ "ecleaf@example.test", 7, ",C,", -10 },	/* expired */
		/* Claims longer than the host may promise: refused. */
		{ "rsaleaf@example.test", 8, ",C,", 10 * 86400 },
	};
	int fd;

	snprintf(dbdir, sizeof(dbdir), "%s/db", tmp);
	CHECK(mkdir(dbdir, 0700) == 0);
	/* A plain NSS database whose own token trusts the test CA: what
	 * an ",," entry issued by it needs. */
	snprintf(cmd, sizeof(cmd), "certutil -N -d sql:%s --empty-password "
	    "&& certutil -A -d sql:%s -n testca -t C,C,C -i %s/ca.der",
	    dbdir, dbdir, fixtures);
	CHECK(system(cmd) == 0);
	write_cache(ents, sizeof(ents) / sizeof(ents[0]));
	snprintf(spec, sizeof(spec), "sql:%s", dbdir);
	CHECK(NSS_InitReadWrite(spec) == SECSuccess);
	new_nss = NSS_VersionCheck("3.120") == PR_TRUE;
	printf("NSS %s: expects %s trust from the token\n", NSS_GetVersion(),
	    new_nss ? "\",C,\" (PKCS#11 3.2 CKO_TRUST)" :
	    "\",P,\" (CKO_NSS_TRUST)");
	snprintf(spec, sizeof(spec), "library=\"%s\" name=\"DANE S/MIME "
	    "test\"", module);
	mod = SECMOD_LoadUserModule(spec, NULL, PR_FALSE);
	CHECK(mod != NULL && mod->loaded);
	if (mod == NULL || !mod->loaded)
		goto out;
	slot = PK11_FindSlotByName("DANE S/MIME");
	CHECK(slot != NULL);
	if (slot == NULL)
		goto out;
	CHECK(PK11_IsReadOnly(slot));
	CHECK(!PK11_NeedLogin(slot));
	token_state(slot, model, desc);
	CHECK(strncmp(model, "serving", 7) == 0);
	CHECK(strstr(desc, "7 certificates, 1 with e-mail trust, 1 refused")
	    != NULL);

	/* Found by e-mail, under the token's nickname. */
	c = by_email("hugh@example.test");
	CHECK(c != NULL);
	if (c != NULL) {
		CHECK_STR(c->nickname, "DANE S/MIME:hugh@example.test");
		CERT_DestroyCertificate(c);
	}
	/* The vouched end entity: trusted; valid for recipient use where
	 * NSS's own verifier takes a peer (old NSS). */
	CHECK(email_trust("hugh@example.test") == 1);
	if (!new_nss)
		CHECK(recipient_ok("hugh@example.test") == 1);
	/* Unvouched: ",," self-signed, no trust, not valid. */
	CHECK(email_trust("ec@example.test") == 0);
	CHECK(recipient_ok("ec@example.test") == 0);
	/* A CA marked ",C," gets no trust from the token ... */
	c = by_email("leaf@example.test");
	CHECK(c != NULL);
	if (c != NULL)
		CERT_DestroyCertificate(c);
	/* ... the ",," leaf it issued validates by PKIX only because this
	 * database's own token trusts that CA. */
	CHECK(recipient_ok("leaf@example.test") == 1);
	/* Hostile certificates marked ",C,": served, never trusted. */
	CHECK(email_trust("mallet@evil.test") == 0);
	CHECK(recipient_ok("mallet@evil.test") == 0);
	CHECK(email_trust("ku@evil.test") == 0);
	CHECK(recipient_ok("ku@evil.test") == 0);
	CHECK(email_trust("ns@evil.test") == 0);
	CHECK(recipient_ok("ns@evil.test") == 0);
	/* Expired, or claiming too long a life: not served. */
	CHECK(email_trust("ecleaf@example.test") == -1);
	CHECK(email_trust("rsaleaf@example.test") == -1);

	/* Withdrawn: the next lookup does not find it. */
	write_cache(ents + 1, 3);
	settle();
	CHECK(email_trust("hugh@example.test") == -1);
	CHECK(recipient_ok("hugh@example.test") == -1);
	/* Back without trust (the record now fails DANE, PKIX decides). */
	{
		const struct ent again[] = {
			{ "hugh@example.test", 0, ",,", 3600 },
		};

		write_cache(again, 1);
	}
	settle();
	CHECK(email_trust("hugh@example.test") == 0);
	CHECK(recipient_ok("hugh@example.test") == 0);
	/* A cache anyone could write is refused: nothing served. */
	write_cache(ents, 1);
	settle();
	CHECK(email_trust("hugh@example.test") == 1);
	CHECK(chmod(cache_path, 0666) == 0);
	settle();
	CHECK(email_trust("hugh@example.test") == -1);
	token_state(slot, model, desc);
	CHECK(strncmp(model, "cache refused", 13) == 0);
	CHECK(strstr(desc, "nothing served") != NULL);
	CHECK(chmod(cache_path, 0600) == 0);
	settle();
	CHECK(email_trust("hugh@example.test") == 1);
	/* Garbage, then no file at all. */
	fd = open(cache_path, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && write(fd, "garbage", 7) == 7);
	if (fd >= 0)
		close(fd);
	settle();
	CHECK(email_trust("hugh@example.test") == -1);
	token_state(slot, model, desc);
	CHECK(strncmp(model, "cache unreadable", 16) == 0);
	CHECK(unlink(cache_path) == 0);
	settle();
	token_state(slot, model, desc);
	CHECK(strncmp(model, "no cache yet", 12) == 0);
	CHECK(email_trust("hugh@example.test") == -1);
	write_cache(ents, 1);
	test_direct();
	test_threads();
	write_cache(ents, 1);
out:
	if (slot != NULL)
		PK11_FreeSlot(slot);
	if (mod != NULL) {
		CHECK(SECMOD_UnloadUserModule(mod) == SECSuccess);
		SECMOD_DestroyModule(mod);
	}
	CHECK(NSS_Shutdown() == SECSuccess);
}

/* The doctor's token check as report.c renders it (the "pkcs11" member
 * of `dane-smime doctor --json`'s "install"). */
static cJSON *
check_json(const char *home)
{
	struct pkcs11_report r;
	cJSON *j = NULL;

	if (pkcs11_check(home, &r) == 0)
		j = report_pkcs11(&r);
	pkcs11_report_free(&r);
	return j;
}

static const char *
jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void
write_manifest(const char *path, const char *type, const char *lib)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f == NULL)
		return;
	fprintf(f, "{\"name\": \"dane_smime_pkcs11\", \"description\": \"x\", "
	    "\"path\": \"%s\", \"type\": \"%s\", \"allowed_extensions\": "
	    "[\"%s\"]}\n", lib, type, DANE_SMIME_EXTENSION_ID);
	fclose(f);
}

/* doctor's report on the token (pkcs11check.h): a manifest in the user's
 * folder naming this build's module, the cache as the module sees it. */
static void
test_doctor(const char *module)
{
	char home[4200], dir[4300], man[4400];
	const struct ent ents[] = {
		{ "hugh@example.test", 0, ",C,", 3600 },
		{ "ec@example.test", 1, ",,", 3600 },
	};
	cJSON *r, *m;

	snprintf(home, sizeof(home), "%s/home", tmp);
	snprintf(dir, sizeof(dir), "%s/.mozilla", home);
	CHECK(mkdir(home, 0700) == 0 && mkdir(dir, 0700) == 0);
	snprintf(dir, sizeof(dir), "%s/.mozilla/pkcs11-modules", home);
	CHECK(mkdir(dir, 0700) == 0);
	snprintf(man, sizeof(man), "%s/dane_smime_pkcs11.json", dir);
	/* Nothing in the user's folder (the system ones may hold one). */
	r = check_json(home);
	CHECK(r != NULL);
	m = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r,
	    "manifests"), 0);
	CHECK(!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "exists")));
	cJSON_Delete(r);

	write_cache(ents, 2);
	write_manifest(man, "pkcs11", module);
	r = check_json(home);
	CHECK(r != NULL);
	CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok")));
	CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "loads")));
	CHECK_STR(jstr(r, "library"), module);
	CHECK_STR(jstr(r, "token_state"), "serving");
	CHECK_STR(jstr(r, "cache_status"), "ok");
	CHECK_STR(jstr(r, "cache"), cache_path);
	CHECK(cJSON_GetObjectItemCaseSensitive(r, "served")->valueint == 2);
	CHECK(cJSON_GetObjectItemCaseSensitive(r, "trusted")->valueint == 1);
	CHECK(cJSON_GetObjectItemCaseSensitive(r, "entries")->valueint == 2);
	m = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r,
	    "manifests"), 0);
	CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "used")));
	CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "valid")));
	cJSON_Delete(r);

	/* A refused cache: the library loads, the token serves nothing. */
	CHECK(chmod(cache_path, 0660) == 0);
	r = check_json(home);
	CHECK(r != NULL && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r,
	    "ok")));
	CHECK_STR(jstr(r, "cache_status"), "refused");
	CHECK_STR(jstr(r, "token_state"), "cache refused");
	CHECK(jstr(r, "problem") != NULL && strstr(jstr(r, "problem"),
	    "serves nothing") != NULL);
	cJSON_Delete(r);
	CHECK(chmod(cache_path, 0600) == 0);

	/* A wrong manifest, a library that is not there. */
	write_manifest(man, "stdio", module);
	r = check_json(home);
	CHECK(r != NULL && jstr(r, "problem") != NULL &&
	    strstr(jstr(r, "problem"), "\"type\" is not \"pkcs11\"") != NULL);
	cJSON_Delete(r);
	write_manifest(man, "pkcs11", "/nonexistent/dane-smime-pkcs11.so");
	r = check_json(home);
	CHECK(r != NULL && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r,
	    "loads")));
	CHECK(jstr(r, "problem") != NULL && strstr(jstr(r, "problem"),
	    "does not load") != NULL);
	cJSON_Delete(r);
}

int
main(int argc, char **argv)
{
	char run[1024], cmd[4300], module[4096];
	size_t i;

	if (argc < 2) {
		fprintf(stderr, "usage: test_pkcs11 MODULE.so [FIXTURES]\n");
		return 2;
	}
	if (realpath(argv[1], module) == NULL) {
		fprintf(stderr, "no module %s\n", argv[1]);
		return 2;
	}
	setenv("DS_TEST_MODULE", module, 1);
	if (argc > 2)
		fixtures = argv[2];
	if (mkdtemp(tmp) == NULL || generate() != 0) {
		fprintf(stderr, "cannot make test certificates in %s\n", tmp);
		return 2;
	}
	for (i = 0; i < NCERTS; i++)
		certs[i].der = t_load(certs[i].dir[0] == 'F' ? fixtures : tmp,
		    certs[i].file, &certs[i].len);
	/* The module finds its cache through XDG_RUNTIME_DIR. */
	snprintf(run, sizeof(run), "%s/run", tmp);
	CHECK(mkdir(run, 0700) == 0);
	setenv("XDG_RUNTIME_DIR", run, 1);
	snprintf(cache_path, sizeof(cache_path), "%s/dane-smime/tokens.cache",
	    run);
	test_reader_vs_nss();
	crypto_shutdown();
	test_nss(module);
	test_doctor(module);
	for (i = 0; i < NCERTS; i++)
		free(certs[i].der);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmp);
	return t_done("pkcs11");
}
