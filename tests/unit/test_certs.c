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

static uint8_t *
load(const char *name, size_t *len)
{
	return t_load(fixdir, name, len);
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

/* keyUsage, extendedKeyUsage and what they allow, per fixture. */
struct usage_case {
	const char *name;
	bool has_ku;
	unsigned ku;
	bool has_eku, eku_email, eku_any;
	bool can_encrypt, can_sign, weak_key;
};

#define DS CERT_KU_DIGITAL_SIGNATURE
#define KE CERT_KU_KEY_ENCIPHERMENT
#define KA CERT_KU_KEY_AGREEMENT
#define CS (CERT_KU_KEY_CERT_SIGN | CERT_KU_CRL_SIGN)
static const struct usage_case usage_cases[] = {
	{ "rsa", true, DS | KE, true, true, false, true, true, false },
	/* EC with keyEncipherment: Thunderbird accepts it (certs.h). */
	{ "ec", true, DS | KE, true, true, false, true, true, false },
	{ "ecleaf", true, DS | KA, true, true, false, true, true, false },
	{ "rsaleaf", true, DS | KE, true, true, false, true, true, false },
	{ "chain", true, DS | KA, true, true, false, true, true, false },
	{ "ekuserver", true, DS | KA, true, false, false, false, false,
	    false },
	{ "kusign", true, DS, true, true, false, false, true, false },
	{ "anyeku", false, 0, true, false, true, false, false, false },
	{ "rsa1024", true, DS | KE, true, true, false, true, true, true },
	{ "ca", true, CS, false, false, false, false, false, false },
	{ "inter", true, CS, false, false, false, false, false, false },
	/* No encryption with an EdDSA key. */
	{ "ed25519", true, DS | KE, true, true, false, false, true, false },
};

/* The SPKI as openssl extracts it from the PEM. */
static uint8_t *
openssl_spki(const char *name, size_t *len)
{
	char cmd[8192];
	uint8_t *buf;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "openssl x509 -pubkey -noout -in "
	    "'%s/%s.pem' | openssl pkey -pubin -outform DER", fixdir, name);
	if ((buf = malloc(65536)) == NULL || (p = popen(cmd, "r")) == NULL) {
		free(buf);
		return NULL;
	}
	*len = fread(buf, 1, 65536, p);
	if (pclose(p) != 0 || *len == 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void
test_usage(void)
{
	struct cert_summary c;
	char file[64];
	const char *why;
	uint8_t *der, *spki;
	size_t i, len, slen;

	for (i = 0; i < sizeof(usage_cases) / sizeof(usage_cases[0]); i++) {
		const struct usage_case *u = &usage_cases[i];

		snprintf(file, sizeof(file), "%s.der", u->name);
		der = load(file, &len);
		CHECK(certs_decode(der, len, &c, &why) == CERTS_OK);
		if (c.has_ku != u->has_ku || c.ku != u->ku ||
		    c.has_eku != u->has_eku || c.eku_email != u->eku_email ||
		    c.eku_any != u->eku_any ||
		    c.can_encrypt != u->can_encrypt ||
		    c.can_sign != u->can_sign || c.weak_key != u->weak_key) {
			fprintf(stderr, "  %s: ku %d/%#x eku %d/%d/%d enc %d "
			    "sign %d weak %d\n", u->name, c.has_ku, c.ku,
			    c.has_eku, c.eku_email, c.eku_any, c.can_encrypt,
			    c.can_sign, c.weak_key);
			CHECK(!"usage mismatch");
		}
		CHECK((c.weak_why != NULL) == c.weak_key);
		if (strcmp(u->name, "rsa1024") == 0)
			CHECK(c.weak_why != NULL &&
			    strstr(c.weak_why, "2048") != NULL);
		/* Selector 1 (RFC 6698 2.1.2) is openssl's SPKI DER. */
		spki = openssl_spki(u->name, &slen);
		CHECK(spki != NULL);
		CHECK(spki != NULL && c.spki != NULL && c.spki_len == slen &&
		    memcmp(c.spki, spki, slen) == 0);
		free(spki);
		cert_summary_free(&c);
		CHECK(c.spki == NULL && c.spki_len == 0);
		free(der);
	}
}

/* keyUsage and extendedKeyUsage encodings we refuse or tolerate. */
static void
test_usage_hostile(void)
{
	struct cert_summary c;
	const char *why;
	uint8_t *der, *p;
	size_t len;

	der = load("rsa.der", &len);
	/* KeyUsage BIT STRING: 03 02 05 a0 (5 unused bits, DS + KE). */
	p = find(der, len, "\x03\x02\x05\xa0");
	CHECK(p != NULL);
	if (p != NULL) {
		p[2] = 8;	/* more unused bits than an octet has */
		CHECK(certs_decode(der, len, &c, &why) == CERTS_E_USAGE);
		CHECK(why != NULL && strstr(why, "4.2.1.3") != NULL);
		CHECK(c.spki == NULL);
		/* 7 unused bits: only bit 0 is left. */
		p[2] = 7;
		CHECK(certs_decode(der, len, &c, &why) == CERTS_OK);
		CHECK(c.has_ku && c.ku == CERT_KU_DIGITAL_SIGNATURE);
		CHECK(!c.can_encrypt && c.can_sign);
		cert_summary_free(&c);
		/* Padding bits set: masked off, not refused. */
		p[2] = 5;
		p[3] = 0xbf;
		CHECK(certs_decode(der, len, &c, &why) == CERTS_OK);
		CHECK(c.ku == (CERT_KU_DIGITAL_SIGNATURE |
		    CERT_KU_KEY_ENCIPHERMENT));
		cert_summary_free(&c);
		/* Not a BIT STRING. */
		p[0] = 0x04;
		p[3] = 0xa0;
		CHECK(certs_decode(der, len, &c, &why) == CERTS_E_USAGE);
		p[0] = 0x03;
	}
	/* ExtKeyUsage SEQUENCE { OID emailProtection }. */
	p = find(der, len, "\x30\x0a\x06\x08\x2b\x06\x01\x05\x05\x07"
	    "\x03\x04");
	CHECK(p != NULL);
	if (p != NULL) {
		p[2] = 0x05;	/* not an OID */
		CHECK(certs_decode(der, len, &c, &why) == CERTS_E_USAGE);
		CHECK(why != NULL && strstr(why, "4.2.1.12") != NULL);
		p[2] = 0x06;
		p[11] = 0x01;	/* serverAuth */
		CHECK(certs_decode(der, len, &c, &why) == CERTS_OK);
		CHECK(c.has_eku && !c.eku_email && !c.can_encrypt &&
		    !c.can_sign);
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
	test_usage();
	test_usage_hostile();
	CHECK(crypto_shutdown_checked() == 0);
	return t_done("certs");
}
