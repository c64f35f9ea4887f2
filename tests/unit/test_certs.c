/* test_certs.c - certificate decoding over tests/fixtures/certs (made by
 * make.sh there) and over broken and hostile DER.
 * Usage: test_certs [FIXTURE_DIR] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certs.h"
#include "crypto.h"
#include "encode.h"
#include "t.h"
#include "utf8.h"

#ifndef DS_FIXTURES_DIR
#define DS_FIXTURES_DIR "tests/fixtures/certs"
#endif

static const char *fixdir = DS_FIXTURES_DIR;

/* Reads a fixture into a malloc'ed buffer; exits if it is missing. */
static uint8_t *
load(const char *name, size_t *len)
{
	char path[4096];
	FILE *f;
	uint8_t *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", fixdir, name);
	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

/* The digest make.sh recorded for name in SHA256SUMS. */
static void
recorded_sha256(const char *name, char out[65])
{
	size_t len;
	char *sums = (char *)load("SHA256SUMS", &len), *line, *save = NULL;

	out[0] = '\0';
	for (line = strtok_r(sums, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (strlen(line) == 64 + 2 + strlen(name) &&
		    strcmp(line + 66, name) == 0) {
			memcpy(out, line, 64);
			out[64] = '\0';
		}
	free(sums);
}

/* Every string in a summary is valid text and within its limits. */
static void
check_text(const struct cert_summary *c)
{
	size_t i;

	CHECK(c->subject != NULL && utf8_valid_text(c->subject,
	    strlen(c->subject)) && strlen(c->subject) <= DS_MAX_DN_TEXT);
	CHECK(c->issuer != NULL && utf8_valid_text(c->issuer,
	    strlen(c->issuer)) && strlen(c->issuer) <= DS_MAX_DN_TEXT);
	CHECK(c->nemails <= DS_MAX_CERT_EMAILS);
	for (i = 0; i < c->nemails; i++)
		CHECK(utf8_valid_text(c->emails[i], strlen(c->emails[i])));
	CHECK(strlen(c->not_before_iso) == 20);
	CHECK(strlen(c->not_after_iso) == 20);
}

/* The ISO text agrees with the libc calendar. */
static void
check_time(int64_t secs, const char *iso)
{
	time_t t = (time_t)secs;
	struct tm tm;
	char buf[32];

	CHECK(gmtime_r(&t, &tm) != NULL);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	CHECK_STR(iso, buf);
}

struct fixture {
	const char *file;
	const char *key_type;
	unsigned key_bits;
	bool is_ca;
	const char *subject_has;
	const char *issuer_has;
	const char *emails[4];
};

static const struct fixture fixtures[] = {
	{ "rsa.der", "rsa", 2048, false, "CN=Hugh Test", "CN=Hugh Test",
	    { "hugh@example.test" } },
	{ "ec.der", "ec", 256, false, "CN=EC Test", "CN=EC Test",
	    { "ec@example.test" } },
	/* SmtpUTF8Mailbox first, in SAN order, then the rfc822Name. */
	{ "utf8.der", "ec", 256, false, "CN=J\xc3\xb6rg Test", "J\xc3\xb6rg",
	    { "j\xc3\xb6rg@example.test", "joerg@example.test" } },
	{ "ca.der", "ec", 256, true, "CN=Test CA", "O=dane-smime tests",
	    { NULL } },
	{ "leaf.der", "ec", 256, false, "CN=Leaf Test", "CN=Test CA",
	    { "leaf@example.test" } },
	/* No SAN: the subject emailAddress, case kept. */
	{ "legacy.der", "ec", 256, false, "Legacy@Example.test", "Legacy",
	    { "Legacy@Example.test" } },
	/* Case kept, DNS name skipped, exact duplicate dropped. */
	{ "multi.der", "ec", 256, false, "CN=Multi Test", "Multi",
	    { "Hugh@Example.TEST", "hugh@example.test",
	    "j\xc3\xb6rg@example.test" } },
	{ "ed25519.der", "ed25519", 256, false, "CN=Ed25519 Test", "Ed25519",
	    { "ed@example.test" } },
};

static void
test_fixtures(void)
{
	size_t i, j, len, want;
	struct cert_summary c;
	const char *why;
	char sha[65];
	uint8_t *der;

	for (i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		const struct fixture *f = &fixtures[i];

		der = load(f->file, &len);
		why = "unset";
		CHECK(certs_decode(der, len, &c, &why) == CERTS_OK);
		CHECK(why == NULL);
		if (why != NULL)
			fprintf(stderr, "  %s: %s\n", f->file, why);
		CHECK(c.der_len == len && memcmp(c.der, der, len) == 0);
		recorded_sha256(f->file, sha);
		CHECK_STR(c.sha256, sha);
		CHECK_STR(c.key_type, f->key_type);
		CHECK(c.key_bits == f->key_bits);
		CHECK(c.is_ca == f->is_ca);
		CHECK(c.subject != NULL && strstr(c.subject,
		    f->subject_has) != NULL);
		CHECK(c.issuer != NULL && strstr(c.issuer,
		    f->issuer_has) != NULL);
		for (want = 0; want < 4 && f->emails[want] != NULL; want++)
			;
		CHECK(c.nemails == want);
		for (j = 0; j < want && j < c.nemails; j++)
			CHECK_STR(c.emails[j], f->emails[j]);
		/* make.sh: -days 36500, so the fixtures never expire. */
		CHECK(c.not_after - c.not_before == 36500LL * 86400);
		CHECK(c.not_after > 4102444800LL);	/* after 2100 */
		check_time(c.not_before, c.not_before_iso);
		check_time(c.not_after, c.not_after_iso);
		check_text(&c);
		cert_summary_free(&c);
		CHECK(c.der == NULL && c.emails == NULL && c.subject == NULL);
		free(der);
	}
}

/* The PEM fixture's body base64-decodes to the DER fixture. */
static void
test_pem(void)
{
	size_t plen, dlen, blen;
	char *pem, *begin, *end;
	uint8_t *der, *body = NULL;

	pem = (char *)load("rsa.pem", &plen);
	der = load("rsa.der", &dlen);
	begin = strstr(pem, "-----BEGIN CERTIFICATE-----\n");
	end = strstr(pem, "-----END CERTIFICATE-----");
	CHECK(begin != NULL && end != NULL);
	if (begin != NULL && end != NULL) {
		begin += strlen("-----BEGIN CERTIFICATE-----\n");
		CHECK(b64_decode(begin, (size_t)(end - begin), &body,
		    &blen) == 0);
		CHECK(body != NULL && blen == dlen &&
		    memcmp(body, der, dlen) == 0);
	}
	free(body);
	free(pem);
	free(der);
}

/* Finds needle in hay; NULL if absent. */
static uint8_t *
find(uint8_t *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return hay + i;
	return NULL;
}

static void
test_hostile(void)
{
	struct cert_summary c;
	const char *why;
	uint8_t *der, *big, *p;
	size_t len, i;
	int rc;

	/* Nothing, garbage, and a bare SEQUENCE. */
	CHECK(certs_decode((const uint8_t *)"", 0, &c, &why) ==
	    CERTS_E_DECODE);
	CHECK(why != NULL && strstr(why, "RFC 5280") != NULL);
	CHECK(certs_decode((const uint8_t *)"hello world", 11, &c, &why) ==
	    CERTS_E_DECODE);
	CHECK(certs_decode((const uint8_t *)"\x30\x00", 2, &c, &why) ==
	    CERTS_E_DECODE);
	CHECK(certs_decode((const uint8_t *)"\x30\x80\x00\x00", 4, &c,
	    NULL) == CERTS_E_DECODE);
	CHECK(certs_decode((const uint8_t *)"\x30\x03\x02\x01\x01", 5, &c,
	    &why) == CERTS_E_DECODE);
	CHECK(c.der == NULL && c.subject == NULL);
	cert_summary_free(&c);
	cert_summary_free(NULL);

	der = load("rsa.der", &len);
	/* Every truncation, and one trailing byte. */
	for (i = 0; i < len; i++) {
		rc = certs_decode(der, i, &c, &why);
		CHECK(rc == CERTS_E_DECODE);
		cert_summary_free(&c);
	}
	big = malloc(DS_MAX_CERT_BYTES + 1);
	CHECK(big != NULL);
	memcpy(big, der, len);
	big[len] = 0;
	CHECK(certs_decode(big, len + 1, &c, &why) == CERTS_E_DECODE);
	/* Too large is refused before anything is parsed. */
	memset(big, 0x30, DS_MAX_CERT_BYTES + 1);
	CHECK(certs_decode(big, DS_MAX_CERT_BYTES + 1, &c, &why) ==
	    CERTS_E_TOO_LARGE);
	CHECK(why != NULL && strstr(why, "65535") != NULL);
	free(big);

	/* Every single-byte corruption: any verdict, but no crash, no leak,
	 * and what comes back is clean text. */
	for (i = 0; i < len; i++) {
		uint8_t save = der[i];

		der[i] ^= 0xa5;
		rc = certs_decode(der, len, &c, &why);
		CHECK(rc >= 0);
		if (rc == CERTS_OK)
			check_text(&c);
		else
			CHECK(why != NULL);
		cert_summary_free(&c);
		der[i] = save;
	}

	/* A GeneralName whose length overruns the SAN: [1] 0x11 -> 0x7f. */
	p = find(der, len, "hugh@example.test");
	CHECK(p != NULL && p[-2] == 0x81 && p[-1] == 17);
	if (p != NULL) {
		p[-1] = 0x7f;
		CHECK(certs_decode(der, len, &c, &why) == CERTS_E_SAN);
		CHECK(why != NULL && strstr(why, "4.2.1.6") != NULL);
		p[-1] = 17;
		/* A control character in an rfc822Name drops that entry. */
		p[4] = '\n';
		CHECK(certs_decode(der, len, &c, &why) == CERTS_OK);
		CHECK(c.nemails == 0);
		cert_summary_free(&c);
		/* So does a non-ASCII byte (rfc822Name is IA5String). */
		p[0] = (uint8_t)0xc3;
		p[1] = (uint8_t)0xb6;
		CHECK(certs_decode(der, len, &c, &why) == CERTS_OK);
		CHECK(c.nemails == 0);
		cert_summary_free(&c);
	}
	free(der);

	/* Ill-formed UTF-8 in the SmtpUTF8Mailbox drops it, not the rest. */
	der = load("utf8.der", &len);
	p = find(der, len, "j\xc3\xb6rg@example.test");
	CHECK(p != NULL);
	if (p != NULL) {
		p[1] = (uint8_t)0xff;
		CHECK(certs_decode(der, len, &c, &why) == CERTS_OK);
		CHECK(c.nemails == 1);
		if (c.nemails == 1)
			CHECK_STR(c.emails[0], "joerg@example.test");
		cert_summary_free(&c);
		/* The UTF8String must fill its [0] exactly (NSS's own
		 * decoder lets a trailing byte pass). */
		p[1] = (uint8_t)0xc3;
		CHECK(p[-1] == 18 && p[-2] == 0x0c);
		p[-1] = 17;
		CHECK(certs_decode(der, len, &c, &why) == CERTS_E_SAN);
		cert_summary_free(&c);
	}
	free(der);
}

int
main(int argc, char **argv)
{
	if (argc > 1)
		fixdir = argv[1];
	test_fixtures();
	test_pem();
	test_hostile();
	crypto_shutdown();
	return t_done("certs");
}
