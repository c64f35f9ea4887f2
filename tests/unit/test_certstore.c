/* test_certdb.c - imports into throw-away NSS databases, checked from the
 * outside with certutil (libnss3-tools), as a user would.
 * Usage: test_certdb [FIXTURE_DIR]; exits 77 (skip) without certutil. */
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pk11pub.h>

#include "certstore.h"
#include "certs.h"
#include "crypto.h"
#include "dane.h"
#include "encode.h"
#include "t.h"

#ifndef DS_FIXTURES_DIR
#define DS_FIXTURES_DIR "tests/fixtures/certs"
#endif

static const char *fixdir = DS_FIXTURES_DIR;
static char base[] = "/tmp/test_certdb.XXXXXX";

/* A version 1 self-signed P-256 certificate (no extensions; subject
 * emailAddress v1@example.test), made with openssl x509 -req -signkey. */
static const char v1_b64[] =
	"MIIBTTCB9AIBBzAKBggqhkjOPQQDAjAyMRAwDgYDVQQDDAdWMSBUZXN0MR4wHAYJ"
	"KoZIhvcNAQkBFg92MUBleGFtcGxlLnRlc3QwIBcNMjYxMTI2MTI1MTA0WhgPMjEy"
	"NjExMDIxMjUxMDRaMDIxEDAOBgNVBAMMB1YxIFRlc3QxHjAcBgkqhkiG9w0BCQEW"
	"D3YxQGV4YW1wbGUudGVzdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABFQWbxTt"
	"msU7m6q4Z5Ik7dGeYhCpuHXOxxLxgrqw9FGV5HSAKVO5+mvtRJIBkpNHTi1XIVxW"
	"2Nu11qXLbSyv0M8wCgYIKoZIzj0EAwIDSAAwRQIgVt/cUJ5GR3K041eotiVwwA6d"
	"eecIzUKy8HNOPpTRahYCIQCaoT1o4ojG9//Ec2aUJL9Ogh4ViVo2i8s9mZLR1GjP"
	"xA==";
/* Two self-signed v3 CA:FALSE certificates, dup@example.test, same
 * issuer/subject "CN=Dup Test" and serial 4242, different keys. */
static const char dup1_b64[] =
	"MIIBdDCCARqgAwIBAgICEJIwCgYIKoZIzj0EAwIwEzERMA8GA1UEAwwIRHVwIFRl"
	"c3QwIBcNMjYxMTI2MTI1MTA0WhgPMjEyNjExMDIxMjUxMDRaMBMxETAPBgNVBAMM"
	"CER1cCBUZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEn1x/zdQS4yrTeDs0"
	"2+vSIri1X1DbrN/aQkUvj9AB9j9lFsUjNTmawaBjoqEOJFbcZAxPaSFp1/vca0t+"
	"vlNmw6NcMFowDAYDVR0TAQH/BAIwADAOBgNVHQ8BAf8EBAMCA4gwGwYDVR0RBBQw"
	"EoEQZHVwQGV4YW1wbGUudGVzdDAdBgNVHQ4EFgQUUqMk+zcN1gBKVteyuYmQWR2N"
	"KAQwCgYIKoZIzj0EAwIDSAAwRQIhAJy7174gp+LrciVK8dIAcVj/ZB+cmjOMR5t6"
	"+1NsRbCKAiBwktcYRO6XcapUl2I1t09VfJ6XaleHlesPscNX/GWyNA==";
static const char dup2_b64[] =
	"MIIBczCCARqgAwIBAgICEJIwCgYIKoZIzj0EAwIwEzERMA8GA1UEAwwIRHVwIFRl"
	"c3QwIBcNMjYxMTI2MTI1MTA0WhgPMjEyNjExMDIxMjUxMDRaMBMxETAPBgNVBAMM"
	"CER1cCBUZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEpxJXc4F2FHlAh4vr"
	"pEtXdmFol1o+c45x1hdH3BcmuI9K7LF/0jC1CvTixMkyvCNV3E2H0uxG42GIB7bH"
	"encIyaNcMFowDAYDVR0TAQH/BAIwADAOBgNVHQ8BAf8EBAMCA4gwGwYDVR0RBBQw"
	"EoEQZHVwQGV4YW1wbGUudGVzdDAdBgNVHQ4EFgQUsdctJ90n4n8FSJSx7vSVU6QS"
	"Ir8wCgYIKoZIzj0EAwIDRwAwRAIgRTEtSqWcLDTj7+uCm0+29Obuijd8UZyacFTE"
	"Av0tvBsCIFwb+2Vg8VevaLAF2safQCQlhX42gWrp4QODKCp5L91r";

static void
decode_or_die(const uint8_t *der, size_t len, struct cert_summary *c,
    const char *what)
{
	const char *why = NULL;

	if (certs_decode(der, len, c, &why) != CERTS_OK) {
		fprintf(stderr, "cannot decode %s: %s\n", what,
		    why ? why : "?");
		exit(2);
	}
}

static void
fixture(const char *name, struct cert_summary *c)
{
	char path[4096];
	uint8_t buf[65536];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", fixdir, name);
	if ((f = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	decode_or_die(buf, n, c, name);
}

static void
from_b64(const char *s, struct cert_summary *c)
{
	uint8_t *der;
	size_t len;

	if (b64_decode(s, strlen(s), &der, &len) != 0) {
		fprintf(stderr, "bad embedded base64\n");
		exit(2);
	}
	decode_or_die(der, len, c, "embedded certificate");
	free(der);
}

/* A path under the temporary base directory (static buffer per slot). */
static const char *
sub(int slot, const char *name)
{
	static char bufs[8][4096];

	snprintf(bufs[slot], sizeof(bufs[slot]), "%s/%s", base, name);
	return bufs[slot];
}

static int
sh(const char *cmd)
{
	int r = system(cmd);

	if (r != 0)
		fprintf(stderr, "command failed (%d): %s\n", r, cmd);
	return r;
}

/*
 * Lists dir with `certutil -L -d sql:DIR` and returns the number of
 * certificates; if needle is not NULL and some line contains it, its
 * trust column (the last word, e.g. ",C,") goes to trust, else trust is
 * "". (certutil 3.87 prints "NICKNAME  TRUST", or for a nickname with a
 * colon "NSS Certificate DB:NICKNAME  TRUST".)
 */
static int
listing(const char *dir, const char *needle, char *trust, size_t tlen)
{
	char cmd[4200], line[1024];
	FILE *p;
	int n = 0;

	if (trust != NULL)
		trust[0] = '\0';
	snprintf(cmd, sizeof(cmd), "certutil -L -d 'sql:%s'", dir);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), p) != NULL) {
		size_t len = strlen(line);
		char *w;

		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == ' '))
			line[--len] = '\0';
		/* Headers: "Certificate Nickname ... Trust Attributes" and
		 * an indented "SSL,S/MIME,JAR/XPI"; blank lines. */
		if (len == 0 || line[0] == ' ' ||
		    strncmp(line, "Certificate Nickname", 20) == 0)
			continue;
		n++;
		if (needle == NULL || trust == NULL ||
		    strstr(line, needle) == NULL)
			continue;
		w = strrchr(line, ' ');
		snprintf(trust, tlen, "%s", w != NULL ? w + 1 : line);
	}
	if (pclose(p) != 0)
		return -1;
	return n;
}

static bool
starts(const char *s, const char *prefix)
{
	return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

int
main(int argc, char **argv)
{
	struct cert_summary rsa, ec, ca, leaf, v1, dup1, dup2, fake_ee;
	struct certstore_change ch;
	const char *why, *d1, *d2;
	char trust[64], spec[4200], want_nick[300], cmd[8400];
	struct stat sb;
	PK11SlotInfo *ro;
	int r;

	if (argc > 1)
		fixdir = argv[1];
	if (system("certutil -H >/dev/null 2>&1") == 127 * 256) {
		printf("test_certdb: certutil not found, skipped\n");
		return 77;
	}
	if (mkdtemp(base) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	fixture("rsa.der", &rsa);
	fixture("ec.der", &ec);
	fixture("ca.der", &ca);
	fixture("leaf.der", &leaf);
	from_b64(v1_b64, &v1);
	from_b64(dup1_b64, &dup1);
	from_b64(dup2_b64, &dup2);

	/* --- DANE-EE into a directory that does not exist yet --- */
	d1 = sub(0, "new/db");
	snprintf(spec, sizeof(spec), "%s/new", base);
	CHECK(mkdir(spec, 0755) == 0);
	snprintf(spec, sizeof(spec), "sql:%s", d1);
	r = certstore_import(spec, &rsa, BASIS_DANE_EE, false, &ch, &why);
	CHECK(r == 0);
	if (r != 0)
		fprintf(stderr, "import: %s\n", why ? why : "?");
	snprintf(want_nick, sizeof(want_nick),
	    "dane-smime hugh@example.test (%.8s)", rsa.sha256);
	CHECK_STR(ch.nickname, want_nick);
	CHECK_STR(ch.sha256, rsa.sha256);
	CHECK_STR(ch.trust, ",C,");
	CHECK_STR(ch.old_trust, "");
	CHECK(ch.added && ch.trust_changed);
	certstore_change_free(&ch);
	CHECK(stat(d1, &sb) == 0 && S_ISDIR(sb.st_mode) &&
	    (sb.st_mode & 0777) == 0700);
	CHECK(listing(d1, want_nick, trust, sizeof(trust)) == 1);
	CHECK_STR(trust, ",C,");

	/* The same again: nothing to do. */
	r = certstore_import(spec, &rsa, BASIS_DANE_TA, false, &ch, &why);
	CHECK(r == 0);
	CHECK(!ch.added && !ch.trust_changed);
	CHECK_STR(ch.old_trust, ",C,");
	CHECK_STR(ch.nickname, want_nick);
	certstore_change_free(&ch);

	/* PKIX would mean ",,": never narrowed silently. */
	why = NULL;
	r = certstore_import(spec, &rsa, BASIS_PKIX, false, &ch, &why);
	CHECK(r == 1);
	CHECK(starts(why, "the certificate is already in the database "
	    "with other trust"));
	CHECK_STR(ch.old_trust, ",C,");
	CHECK_STR(ch.trust, ",,");
	CHECK(!ch.added && !ch.trust_changed);
	certstore_change_free(&ch);
	CHECK(listing(d1, want_nick, trust, sizeof(trust)) == 1);
	CHECK_STR(trust, ",C,");

	/* A bare path means sql:; PKIX -> ",,". */
	r = certstore_import(d1, &leaf, BASIS_PKIX, false, &ch, &why);
	CHECK(r == 0);
	CHECK(ch.added && !ch.trust_changed);
	CHECK_STR(ch.trust, ",,");
	certstore_change_free(&ch);
	CHECK(listing(d1, "leaf@example.test", trust, sizeof(trust)) == 2);
	CHECK_STR(trust, ",,");

	/* --- CA certificates never get trust; nothing is created --- */
	d2 = sub(1, "ca-db");
	why = NULL;
	r = certstore_import(d2, &ca, BASIS_DANE_EE, false, &ch, &why);
	CHECK(r == 1);
	CHECK(starts(why, "a CA certificate is never given trust"));
	CHECK(ch.nickname == NULL && !ch.added);
	certstore_change_free(&ch);
	CHECK(stat(d2, &sb) != 0);
	why = NULL;
	CHECK(certstore_import(d1, &ca, BASIS_DANE_TA, false, &ch, &why) == 1);
	CHECK(starts(why, "a CA certificate is never given trust"));
	certstore_change_free(&ch);
	CHECK(listing(d1, NULL, NULL, 0) == 2);
	/* ... even if the summary claims otherwise: the DER decides too. */
	fake_ee = ca;
	fake_ee.is_ca = false;
	why = NULL;
	CHECK(certstore_import(d1, &fake_ee, BASIS_DANE_EE, false, &ch, &why) ==
	    1);
	CHECK(starts(why, "a CA certificate is never given trust"));
	certstore_change_free(&ch);
	/* A v1 certificate would be a CA to mozilla::pkix once trusted. */
	CHECK(!v1.is_ca);
	why = NULL;
	CHECK(certstore_import(d1, &v1, BASIS_DANE_EE, false, &ch, &why) == 1);
	CHECK(starts(why, "a version 1 or 2 certificate is never given"));
	certstore_change_free(&ch);
	CHECK(listing(d1, NULL, NULL, 0) == 2);
	/* Without trust (PKIX) a CA certificate may be stored. */
	CHECK(certstore_import(d1, &ca, BASIS_PKIX, false, &ch, &why) == 0);
	CHECK(ch.added && !ch.trust_changed);
	certstore_change_free(&ch);
	CHECK(listing(d1, "(", NULL, 0) == 3);
	/* BASIS_NONE is refused, an unknown basis is a caller bug. */
	why = NULL;
	CHECK(certstore_import(d1, &ec, BASIS_NONE, false, &ch, &why) == 1);
	CHECK(why != NULL);
	CHECK(certstore_import(d1, &ec, 7, false, &ch, &why) == -1);
	CHECK(listing(d1, NULL, NULL, 0) == 3);

	/* --- dry run: reported, nothing written --- */
	r = certstore_import(d1, &ec, BASIS_DANE_EE, true, &ch, &why);
	CHECK(r == 0);
	CHECK(ch.added && ch.trust_changed);
	CHECK_STR(ch.trust, ",C,");
	CHECK(starts(ch.nickname, "dane-smime ec@example.test ("));
	certstore_change_free(&ch);
	CHECK(listing(d1, NULL, NULL, 0) == 3);
	CHECK(certstore_import(d1, &rsa, BASIS_DANE_EE, true, &ch, &why) == 0);
	CHECK(!ch.added && !ch.trust_changed);
	CHECK_STR(ch.old_trust, ",C,");
	certstore_change_free(&ch);
	/* Into a database that does not exist: not created. */
	CHECK(certstore_import(sub(2, "dry"), &rsa, BASIS_DANE_EE, true, &ch,
	    &why) == 0);
	CHECK(ch.added && ch.trust_changed);
	certstore_change_free(&ch);
	CHECK(stat(sub(2, "dry"), &sb) != 0);
	/* The dry run left a read-only slot open: a real import after it
	 * must reopen read-write. */
	CHECK(certstore_import(d1, &ec, BASIS_DANE_EE, true, &ch, &why) == 0);
	certstore_change_free(&ch);
	CHECK(certstore_import(d1, &ec, BASIS_DANE_EE, false, &ch, &why) == 0);
	CHECK(ch.added && ch.trust_changed);
	certstore_change_free(&ch);
	CHECK(listing(d1, "ec@example.test", trust, sizeof(trust)) == 4);
	CHECK_STR(trust, ",C,");

	/* --- stored without trust (as Thunderbird keeps a signer's
	 * certificate): DANE may raise it to ",C,", reported --- */
	d2 = sub(1, "raise");
	CHECK(mkdir(d2, 0700) == 0);	/* exists, empty */
	CHECK(certstore_import(d2, &rsa, BASIS_PKIX, false, &ch, &why) == 0);
	certstore_change_free(&ch);
	CHECK(certstore_import(d2, &rsa, BASIS_DANE_EE, true, &ch, &why) == 0);
	CHECK(!ch.added && ch.trust_changed);
	CHECK_STR(ch.old_trust, ",,");
	certstore_change_free(&ch);
	CHECK(listing(d2, "hugh@example.test", trust, sizeof(trust)) == 1);
	CHECK_STR(trust, ",,");
	CHECK(certstore_import(d2, &rsa, BASIS_DANE_EE, false, &ch, &why) == 0);
	CHECK(!ch.added && ch.trust_changed);
	CHECK_STR(ch.old_trust, ",,");
	CHECK_STR(ch.trust, ",C,");
	certstore_change_free(&ch);
	CHECK(listing(d2, "hugh@example.test", trust, sizeof(trust)) == 1);
	CHECK_STR(trust, ",C,");
	/* Someone else (Thunderbird, certutil) changes it while our slot is
	 * open: we see the database, not a cached copy. */
	snprintf(cmd, sizeof(cmd), "certutil -M -d 'sql:%s' -n '%s' -t ',,'",
	    d2, want_nick);
	CHECK(sh(cmd) == 0);
	CHECK(listing(d2, "hugh@example.test", trust, sizeof(trust)) == 1);
	CHECK_STR(trust, ",,");
	CHECK(certstore_import(d2, &rsa, BASIS_DANE_EE, false, &ch, &why) == 0);
	CHECK(!ch.added && ch.trust_changed);
	CHECK_STR(ch.old_trust, ",,");
	certstore_change_free(&ch);
	CHECK(listing(d2, "hugh@example.test", trust, sizeof(trust)) == 1);
	CHECK_STR(trust, ",C,");
	snprintf(cmd, sizeof(cmd), "certutil -D -d 'sql:%s' -n '%s'", d2,
	    want_nick);
	CHECK(sh(cmd) == 0);
	CHECK(listing(d2, NULL, NULL, 0) == 0);
	CHECK(certstore_import(d2, &rsa, BASIS_DANE_EE, false, &ch, &why) == 0);
	CHECK(ch.added && ch.trust_changed);
	CHECK_STR(ch.old_trust, "");
	certstore_change_free(&ch);
	CHECK(listing(d2, "hugh@example.test", trust, sizeof(trust)) == 1);
	CHECK_STR(trust, ",C,");

	/* --- existing trust set by someone else is left alone --- */
	d2 = sub(1, "certutil");
	CHECK(mkdir(d2, 0700) == 0);
	snprintf(cmd, sizeof(cmd), "certutil -N -d 'sql:%s' --empty-password"
	    " && certutil -A -d 'sql:%s' -n theirs -t 'P,P,P' -i '%s/ec.der'",
	    d2, d2, fixdir);
	CHECK(sh(cmd) == 0);
	why = NULL;
	r = certstore_import(d2, &ec, BASIS_DANE_EE, false, &ch, &why);
	CHECK(r == 1);
	CHECK(starts(why, "the certificate is already in the database"));
	CHECK_STR(ch.nickname, "theirs");
	CHECK_STR(ch.old_trust, "P,P,P");
	certstore_change_free(&ch);
	CHECK(listing(d2, "theirs", trust, sizeof(trust)) == 1);
	CHECK_STR(trust, "P,P,P");
	/* A database made by certutil -N --empty-password takes imports. */
	snprintf(spec, sizeof(spec), "sql:%s", d2);
	CHECK(certstore_import(spec, &rsa, BASIS_DANE_EE, false, &ch, &why) == 0);
	CHECK(ch.added);
	certstore_change_free(&ch);
	CHECK(listing(d2, "hugh@example.test", trust, sizeof(trust)) == 2);
	CHECK_STR(trust, ",C,");

	/* --- same issuer and serial, other certificate --- */
	CHECK(certstore_import(spec, &dup1, BASIS_DANE_EE, false, &ch, &why) ==
	    0);
	certstore_change_free(&ch);
	why = NULL;
	CHECK(certstore_import(spec, &dup2, BASIS_DANE_EE, false, &ch, &why) ==
	    1);
	CHECK(why != NULL && strstr(why, "same issuer and serial") != NULL);
	CHECK(!ch.added && !ch.trust_changed);
	certstore_change_free(&ch);
	CHECK(listing(d2, NULL, NULL, 0) == 3);

	/* --- a primary password is never asked for --- */
	d2 = sub(1, "password");
	CHECK(mkdir(d2, 0700) == 0);
	snprintf(cmd, sizeof(cmd), "printf 'secret\\n' > '%s/pw' && "
	    "certutil -N -d 'sql:%s' -f '%s/pw'", base, d2, base);
	CHECK(sh(cmd) == 0);
	why = NULL;
	CHECK(certstore_import(d2, &rsa, BASIS_DANE_EE, false, &ch, &why) == 1);
	CHECK(why != NULL && strstr(why, "password") != NULL);
	certstore_change_free(&ch);
	snprintf(cmd, sizeof(cmd), "certutil -L -d 'sql:%s' | grep -c "
	    "hugh >/dev/null", d2);
	CHECK(system(cmd) != 0);

	/* --- paths that are not sql: databases --- */
	snprintf(spec, sizeof(spec), "%s/pw", base);	/* a file */
	why = NULL;
	CHECK(certstore_import(spec, &rsa, BASIS_DANE_EE, false, &ch, &why) == 1);
	certstore_change_free(&ch);
	CHECK(starts(why, "the NSS database path is not a directory"));
	snprintf(spec, sizeof(spec), "dbm:%s", d1);
	why = NULL;
	CHECK(certstore_import(spec, &rsa, BASIS_DANE_EE, false, &ch, &why) == 1);
	certstore_change_free(&ch);
	CHECK(starts(why, "legacy dbm: databases"));
	why = NULL;
	CHECK(certstore_import("", &rsa, BASIS_DANE_EE, false, &ch, &why) == 1);
	certstore_change_free(&ch);
	CHECK(why != NULL);
	why = NULL;
	CHECK(certstore_import("sql:", &rsa, BASIS_DANE_EE, false, &ch, &why) ==
	    1);
	certstore_change_free(&ch);
	CHECK(why != NULL);
	why = NULL;
	CHECK(certstore_import("extern:/x", &rsa, BASIS_DANE_EE, false, &ch,
	    &why) == 1);
	certstore_change_free(&ch);
	CHECK(why != NULL);
	why = NULL;
	CHECK(certstore_import(base, &rsa, BASIS_DANE_EE, false, &ch, &why) ==
	    1);				/* not empty, no cert9.db */
	certstore_change_free(&ch);
	CHECK(starts(why, "the directory is not empty"));
	snprintf(spec, sizeof(spec), "%s/no/such/parent", base);
	why = NULL;
	CHECK(certstore_import(spec, &rsa, BASIS_DANE_EE, false, &ch, &why) ==
	    1);
	certstore_change_free(&ch);
	CHECK(starts(why, "cannot create"));
	d2 = sub(1, "legacy");
	CHECK(mkdir(d2, 0700) == 0);
	snprintf(cmd, sizeof(cmd), ": > '%s/cert8.db'", d2);
	CHECK(sh(cmd) == 0);
	why = NULL;
	CHECK(certstore_import(d2, &rsa, BASIS_DANE_EE, false, &ch, &why) == 1);
	certstore_change_free(&ch);
	CHECK(starts(why, "the directory holds a legacy dbm:"));
	/* A directory name with a quote and a blank reaches NSS intact. */
	d2 = sub(1, "it's a db");
	CHECK(certstore_import(d2, &rsa, BASIS_DANE_EE, false, &ch, &why) == 0);
	certstore_change_free(&ch);
	snprintf(cmd, sizeof(cmd), "certutil -L -d \"sql:%s\" | grep -q "
	    "'hugh@example.test.*,C,'", d2);
	CHECK(system(cmd) == 0);

	/* --- beside a read-only slot of the same database (what pkix
	 * opens), then everything closes so NSS can shut down --- */
	snprintf(spec, sizeof(spec), "configdir='sql:%s' tokenDescription="
	    "'test read-only' flags=readOnly", d1);
	ro = SECMOD_OpenUserDB(spec);
	CHECK(ro != NULL);
	CHECK(certstore_import(d1, &dup1, BASIS_DANE_EE, false, &ch, &why) == 0);
	CHECK(ch.added);
	certstore_change_free(&ch);
	CHECK(listing(d1, "dup@example.test", trust, sizeof(trust)) == 5);
	CHECK_STR(trust, ",C,");
	if (ro != NULL) {
		CHECK(SECMOD_CloseUserDB(ro) == SECSuccess);
		PK11_FreeSlot(ro);
	}

	CHECK(certstore_close() == 0);
	CHECK(certstore_close() == 0);
	certstore_change_free(NULL);
	cert_summary_free(&rsa);
	cert_summary_free(&ec);
	cert_summary_free(&ca);
	cert_summary_free(&leaf);
	cert_summary_free(&v1);
	cert_summary_free(&dup1);
	cert_summary_free(&dup2);
	CHECK(crypto_shutdown_checked() == 0);

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	(void)system(cmd);
	return t_done("certdb");
}
