/* test_trustrule.c - the e-mail trust rule (host/pki/trustrule.h) as a table:
 * certificates as CAs and tools issue them (tests/fixtures/certs) and
 * hostile ones made here with openssl (v1, v2 is in the integration test
 * bed; keyCertSign without cA, Netscape e-mail CA, nine addresses, an
 * address only in the subject). Needs openssl.
 * Usage: test_trustrule [FIXTURE_DIR]. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "address.h"
#include "certs.h"
#include "crypto.h"
#include "dane.h"
#include "trustrule.h"
#include "t.h"

#ifndef DS_FIXTURES_DIR
#define DS_FIXTURES_DIR "tests/fixtures/certs"
#endif

static char gendir[] = "/tmp/test_trustrule.XXXXXX";

/* Extensions for `openssl req -x509` (v3) or none (v1). */
struct gen {
	const char *name;
	const char *subject;
	const char *ext;	/* NULL: a v1 certificate */
};

static const struct gen gens[] = {
	{ "v1", "/CN=v1/emailAddress=mallet@evil.test", NULL },
	{ "kucertsign", "/CN=ku", "basicConstraints=CA:FALSE\n"
	    "keyUsage=digitalSignature,keyEncipherment,keyCertSign\n"
	    "subjectAltName=email:ku@evil.test" },
	{ "nsemailca", "/CN=ns", "basicConstraints=CA:FALSE\n"
	    "nsCertType=emailCA\nsubjectAltName=email:ns@evil.test" },
	{ "nine", "/CN=nine", "basicConstraints=CA:FALSE\n"
	    "subjectAltName=email:a1@evil.test,email:a2@evil.test,"
	    "email:a3@evil.test,email:a4@evil.test,email:a5@evil.test,"
	    "email:a6@evil.test,email:a7@evil.test,email:a8@evil.test,"
	    "email:a9@evil.test" },
	{ "subject", "/CN=subj/emailAddress=victim@bank.test",
	    "basicConstraints=CA:FALSE\nsubjectAltName=email:subj@evil.test" },
	{ "twice", "/CN=twice/emailAddress=Pair@EVIL.test",
	    "basicConstraints=CA:FALSE\nsubjectAltName=email:Pair@evil.test" },
};

static int
generate(void)
{
	char cmd[2048], path[512];
	size_t i;
	FILE *f;

	if (mkdtemp(gendir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd), "openssl genpkey -algorithm EC -pkeyopt "
	    "ec_paramgen_curve:P-256 -out %s/k.pem 2>/dev/null", gendir);
	if (system(cmd) != 0)
		return -1;
	for (i = 0; i < sizeof(gens) / sizeof(gens[0]); i++) {
		const struct gen *g = &gens[i];

		if (g->ext == NULL) {
			snprintf(cmd, sizeof(cmd), "cd %s && openssl req -new "
			    "-key k.pem -subj '%s' -out %s.csr && openssl x509 "
			    "-req -in %s.csr -signkey k.pem -days 30 -outform "
			    "DER -out %s.der 2>/dev/null", gendir, g->subject,
			    g->name, g->name, g->name);
		} else {
			snprintf(path, sizeof(path), "%s/%s.cnf", gendir,
			    g->name);
			if ((f = fopen(path, "w")) == NULL)
				return -1;
			fprintf(f, "[req]\ndistinguished_name = dn\n"
			    "x509_extensions = ext\n[dn]\n[ext]\n%s\n", g->ext);
			fclose(f);
			snprintf(cmd, sizeof(cmd), "cd %s && openssl req -x509 "
			    "-new -key k.pem -subj '%s' -days 30 -config %s.cnf "
			    "-outform DER -out %s.der 2>/dev/null", gendir,
			    g->subject, g->name, g->name);
		}
		if (system(cmd) != 0) {
			fprintf(stderr, "openssl failed: %s\n", cmd);
			return -1;
		}
	}
	return 0;
}

/* One row: the certificate, the queried address, and the outcome: the
 * certificate's own part (ok, or the code it adds), and the other
 * addresses (a count, or -1 with a code). */
struct row {
	const char *dir;	/* "F" fixtures, "G" generated */
	const char *file;
	const char *address;
	bool cert_ok;
	const char *cert_code;
	int others;
	const char *others_code;
	const char *first_other;
};

static const struct row rows[] = {
	/* ordinary end entities with one address */
	{ "F", "rsa.der", "hugh@example.test", true, NULL, 0, NULL, NULL },
	{ "F", "ecleaf.der", "ecleaf@example.test", true, NULL, 0, NULL, NULL },
	/* the domain compares without case, the local-part exactly */
	{ "F", "rsa.der", "hugh@EXAMPLE.test", true, NULL, 0, NULL, NULL },
	/* Hugh@, hugh@ (queried) and jörg@: two others (Hugh@Example.TEST
	 * twice in the SAN counts once) */
	{ "F", "multi.der", "hugh@example.test", true, NULL, 2, NULL,
	    "Hugh@Example.TEST" },
	/* the address only in the subject (no SAN) */
	{ "F", "legacy.der", "Legacy@example.test", true, NULL, 0, NULL,
	    NULL },
	{ "F", "legacy.der", "legacy@example.test", true, NULL, 1, NULL,
	    "Legacy@Example.test" },
	/* SmtpUTF8Mailbox counts as an address */
	{ "F", "utf8.der", "joerg@example.test", true, NULL, 1, NULL,
	    "j\xc3\xb6rg@example.test" },
	/* CAs never */
	{ "F", "ca.der", "ca@example.test", false, "ca-certificate", 0, NULL,
	    NULL },
	{ "F", "inter.der", "x@example.test", false, "ca-certificate", 0, NULL,
	    NULL },
	/* hostile ones */
	{ "G", "v1.der", "mallet@evil.test", false, "version-1-certificate",
	    0, NULL, NULL },
	{ "G", "kucertsign.der", "ku@evil.test", false, "ca-certificate", 0,
	    NULL, NULL },
	{ "G", "nsemailca.der", "ns@evil.test", false, "ca-certificate", 0,
	    NULL, NULL },
	{ "G", "nine.der", "a1@evil.test", true, NULL, -1,
	    "too-many-addresses", NULL },
	/* the subject's emailAddress counts even beside a SAN */
	{ "G", "subject.der", "subj@evil.test", true, NULL, 1, NULL,
	    "victim@bank.test" },
	/* one mailbox in SAN and subject (domain case differs): no other */
	{ "G", "twice.der", "Pair@evil.test", true, NULL, 0, NULL, NULL },
};

static void
run_row(const struct row *r, const char *fixdir)
{
	struct cert_summary c;
	struct dane_verdict v;
	struct address a;
	const char *others[DS_MAX_TRUST_ADDRESSES];
	uint8_t *der;
	size_t len;
	bool ok;
	int n;

	der = t_load(r->dir[0] == 'F' ? fixdir : gendir, r->file, &len);
	memset(&c, 0, sizeof(c));
	if (certs_decode(der, len, &c, NULL) != CERTS_OK) {
		fprintf(stderr, "%s: does not decode\n", r->file);
		CHECK(!"decode");
		free(der);
		return;
	}
	CHECK(address_parse(r->address, strlen(r->address), &a, NULL) == 0);
	memset(&v, 0, sizeof(v));
	ok = trustrule_cert_ok(&c, &v);
	if (ok != r->cert_ok)
		fprintf(stderr, "%s for %s: cert_ok %d\n", r->file, r->address,
		    ok);
	CHECK(ok == r->cert_ok);
	if (r->cert_code != NULL)
		CHECK(dane_has_problem(&v, r->cert_code));
	else
		CHECK(v.nproblems == 0);
	memset(&v, 0, sizeof(v));
	n = trustrule_others(&c, &a, others, &v);
	if (n != r->others)
		fprintf(stderr, "%s for %s: %d others\n", r->file, r->address,
		    n);
	CHECK(n == r->others);
	if (r->others_code != NULL)
		CHECK(dane_has_problem(&v, r->others_code));
	if (r->first_other != NULL && n > 0)
		CHECK_STR(others[0], r->first_other);
	cert_summary_free(&c);
	free(der);
}

int
main(int argc, char **argv)
{
	const char *fixdir = argc > 1 ? argv[1] : DS_FIXTURES_DIR;
	char cmd[600];
	size_t i;

	if (generate() != 0) {
		fprintf(stderr, "cannot make test certificates (openssl)\n");
		return 2;
	}
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run_row(&rows[i], fixdir);
	/* v1 decodes with its version, and NSS calls it a CA */
	{
		struct cert_summary c;
		size_t len;
		uint8_t *der = t_load(gendir, "v1.der", &len);

		memset(&c, 0, sizeof(c));
		CHECK(certs_decode(der, len, &c, NULL) == CERTS_OK);
		CHECK(c.version == 1 && !c.is_ca);
		CHECK(c.nemails == 1 && c.nall_emails == 1);
		cert_summary_free(&c);
		free(der);
	}
	crypto_shutdown();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", gendir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", gendir);
	return t_done("trustrule");
}
