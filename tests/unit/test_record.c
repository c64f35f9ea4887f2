/* test_record.c - SMIMEA zone-file lines and wrong-name probes, over
 * tests/fixtures/certs (made by make.sh there) and made-up summaries.
 * Usage: test_record [FIXTURE_DIR]
 * If ldns-read-zone is installed, the generated lines are also loaded as
 * a zone file by it (a real zone parser) and must come back unchanged. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "address.h"
#include "certs.h"
#include "crypto.h"
#include "encode.h"
#include "record.h"
#include "t.h"

#ifndef DS_FIXTURES_DIR
#define DS_FIXTURES_DIR "tests/fixtures/certs"
#endif

static const char *fixdir = DS_FIXTURES_DIR;

/*
 * Pins for rsa.der, computed once with openssl 3, independently of NSS:
 *   openssl x509 -in rsa.der -inform DER -pubkey -noout |
 *     openssl pkey -pubin -outform DER | openssl dgst -sha256 (-sha512)
 * They only hold for the rsa.der whose SHA-256 is RSA_DER_SHA256.
 */
#define RSA_DER_SHA256	"03e1a651d4c7c17d3702207b8d7f813cea8b0b21a68e1e66abcbf7b7c178089f"
#define RSA_SPKI_SHA256	"6d21f3632d681b76b70f5efd620b3563882e9079de5b708b81e097bbcbf39abe"
#define RSA_SPKI_SHA512	"379262642f58207a19fe413f18dea8ce11fcabeda4fc5e300f215097c952b5cb" \
			"08cc37ee14a04c613052bae18ce3c04f42f556026c9c8feb0d1995fa5df6233a"
/* RFC 8162 3 example; and printf hugh | openssl dgst -sha224 / -sha256. */
#define HUGH_OWNER	"c93f1e400f26708f98cb19d936620da35eec8f72e57f9eec01c1afd6"
#define HUGH_SHA224	"8d5730bd8d76d417bf974c03f59eedb7af98cb5c3dc73ea8ebbd54b7"
#define HUGH_SHA256	HUGH_OWNER "4efa1583"

static uint8_t *
load(const char *name, size_t *len)
{
	return t_load(fixdir, name, len);
}

static void
decode(const char *name, struct cert_summary *c)
{
	size_t len;
	uint8_t *der = load(name, &len);

	if (certs_decode(der, len, c, NULL) != CERTS_OK) {
		fprintf(stderr, "cannot decode %s\n", name);
		exit(2);
	}
	free(der);
}

/*
 * The tiny zone-line parser: "OWNER. [TTL ]IN TYPE53 \# LEN HEX" or
 * "OWNER. [TTL ]IN SMIMEA u s m [(] HEX... [)]". Fills owner (without
 * the dot), ttl (0 if absent) and the RDATA. Returns 0 or -1.
 */
static int
parse_line(const char *line, char *owner, size_t ownerlen, unsigned long *ttl,
    uint8_t **rdata, size_t *rdlen)
{
	char *copy, *tok, *save = NULL, hex[2 * 65536 + 16];
	unsigned long len = 0, v[3];
	size_t hn = 0, n, i;
	int r = -1, generic;

	*ttl = 0;
	*rdata = NULL;
	if ((copy = strdup(line)) == NULL)
		return -1;
	hex[0] = '\0';
	if ((tok = strtok_r(copy, " \t\n", &save)) == NULL ||
	    (n = strlen(tok)) < 2 || tok[n - 1] != '.' || n > ownerlen)
		goto out;
	memcpy(owner, tok, n - 1);
	owner[n - 1] = '\0';
	if ((tok = strtok_r(NULL, " \t\n", &save)) == NULL)
		goto out;
	if (strcmp(tok, "IN") != 0) {
		*ttl = strtoul(tok, NULL, 10);
		if ((tok = strtok_r(NULL, " \t\n", &save)) == NULL ||
		    strcmp(tok, "IN") != 0)
			goto out;
	}
	if ((tok = strtok_r(NULL, " \t\n", &save)) == NULL)
		goto out;
	if (strcmp(tok, "TYPE53") == 0) {
		generic = 1;
		if ((tok = strtok_r(NULL, " \t\n", &save)) == NULL ||
		    strcmp(tok, "\\#") != 0 ||
		    (tok = strtok_r(NULL, " \t\n", &save)) == NULL)
			goto out;
		len = strtoul(tok, NULL, 10);
	} else if (strcmp(tok, "SMIMEA") == 0) {
		generic = 0;
		for (i = 0; i < 3; i++) {
			if ((tok = strtok_r(NULL, " \t\n", &save)) == NULL)
				goto out;
			v[i] = strtoul(tok, NULL, 10);
			hn += (size_t)snprintf(hex + hn, sizeof(hex) - hn,
			    "%02lx", v[i]);
		}
	} else
		goto out;
	while ((tok = strtok_r(NULL, " \t\n", &save)) != NULL) {
		if (!generic && (strcmp(tok, "(") == 0 ||
		    strcmp(tok, ")") == 0))
			continue;
		if (strlen(tok) >= sizeof(hex) - hn)
			goto out;
		memcpy(hex + hn, tok, strlen(tok) + 1);
		hn += strlen(tok);
	}
	if (hex_decode(hex, hn, rdata, rdlen) != 0)
		goto out;
	if (generic && len != *rdlen) {
		free(*rdata);
		*rdata = NULL;
		goto out;
	}
	r = 0;
out:
	free(copy);
	return r;
}

/* Association data computed here, from the summary's bytes. */
static size_t
expected_rdata(const struct cert_summary *c, int u, int s, int m,
    uint8_t *out)
{
	const uint8_t *src = s == 0 ? c->der : c->spki;
	size_t n = s == 0 ? c->der_len : c->spki_len;

	out[0] = (uint8_t)u;
	out[1] = (uint8_t)s;
	out[2] = (uint8_t)m;
	if (m == 0) {
		memcpy(out + 3, src, n);
		return 3 + n;
	}
	if (m == 1) {
		CHECK(crypto_sha256(src, n, out + 3) == 0);
		return 3 + 32;
	}
	CHECK(crypto_sha512(src, n, out + 3) == 0);
	return 3 + 64;
}

/* A line parses back to owner and rdata[0..n). */
static void
check_roundtrip(const char *text, const char *owner, unsigned long ttl,
    const uint8_t *want, size_t wantlen)
{
	char got_owner[512];
	unsigned long got_ttl = 0;
	uint8_t *rd = NULL;
	size_t rdlen = 0;

	CHECK(text != NULL);
	if (text == NULL)
		return;
	CHECK(parse_line(text, got_owner, sizeof(got_owner), &got_ttl, &rd,
	    &rdlen) == 0);
	CHECK_STR(got_owner, owner);
	CHECK(got_ttl == ttl);
	CHECK(rdlen == wantlen && rd != NULL && memcmp(rd, want, wantlen) == 0);
	free(rd);
}

static void
test_default_rsa(void)
{
	struct cert_summary c;
	struct record_line *l = NULL;
	size_t n = 0, i, k;
	struct address a;
	const char *why = NULL, *p;
	uint8_t want[3 + 65536];
	char *hex;

	decode("rsa.der", &c);
	CHECK(record_make(&c, NULL, NULL, &l, &n, &why) == RECORD_OK);
	CHECK(n == 1);
	if (n != 1)
		goto out;
	CHECK_STR(l[0].address, "hugh@example.test");
	CHECK(address_parse("hugh@example.test", 17, &a, NULL) == ADDR_OK);
	CHECK_STR(l[0].owner, a.owner);
	CHECK(l[0].warning == NULL);
	CHECK(l[0].rdata_len == 3 + c.der_len);

	/* 3 0 0: the data is the DER, as hex, in 64-digit lines. */
	hex = malloc(2 * c.der_len + 1);
	hex_encode(c.der, c.der_len, hex);
	p = strstr(l[0].presentation, " IN SMIMEA 3 0 0 (\n\t");
	CHECK(p != NULL);
	CHECK(strncmp(l[0].presentation, a.owner, strlen(a.owner)) == 0);
	if (p != NULL) {
		p += strlen(" IN SMIMEA 3 0 0 (\n\t");
		for (k = 0; k < 2 * c.der_len; k += 64) {
			CHECK(strncmp(p, hex + k, 64 < 2 * c.der_len - k ?
			    64 : 2 * c.der_len - k) == 0);
			p += 64 < 2 * c.der_len - k ? 64 : 2 * c.der_len - k;
			CHECK(*p == '\n' || strcmp(p, " )") == 0);
			p += *p == '\n' ? 2 : 0;
		}
	}
	/* The generic form: one line, the length, 030000 + DER. */
	CHECK(strchr(l[0].generic, '\n') == NULL);
	{
		char head[512];

		snprintf(head, sizeof(head), "%s. IN TYPE53 \\# %zu 030000",
		    a.owner, 3 + c.der_len);
		CHECK(strncmp(l[0].generic, head, strlen(head)) == 0);
		CHECK(strcmp(l[0].generic + strlen(head), hex) == 0);
	}
	free(hex);
	n = expected_rdata(&c, 3, 0, 0, want);
	check_roundtrip(l[0].presentation, a.owner, 0, want, n);
	check_roundtrip(l[0].generic, a.owner, 0, want, n);

	/* The size estimate, term by term (record.h). */
	k = 12 + (strlen(a.owner) + 2 + 4) + (2 + 10 + 3 + c.der_len) + 11 +
	    RECORD_RRSIG_ESTIMATE + (strlen("_smimecert.example.test") + 2);
	CHECK(l[0].answer_estimate == k);
	CHECK(l[0].fits_udp == (k <= 1232));
	CHECK(l[0].fits_udp || l[0].size_warning != NULL);
	for (i = 0; i < 1; i++)
		printf("# %s: estimate %zu, fits_udp %d\n", l[i].address,
		    l[i].answer_estimate, l[i].fits_udp);
out:
	record_lines_free(l, 1);
	cert_summary_free(&c);
}

/* 3 1 1 and 3 1 2 equal the openssl digests of the SPKI. */
static void
test_spki_pins(void)
{
	struct cert_summary c;
	struct record_opts o = { 3, 1, 1, 0, NULL };
	struct record_line *l = NULL;
	size_t n = 0;
	uint8_t md[32];
	char hex[65], want[256];

	decode("rsa.der", &c);
	CHECK(c.spki != NULL && c.spki_len > 0);
	CHECK(crypto_sha256(c.spki, c.spki_len, md) == 0);
	hex_encode(md, 32, hex);
	if (strcmp(c.sha256, RSA_DER_SHA256) == 0)
		CHECK_STR(hex, RSA_SPKI_SHA256);
	else
		fprintf(stderr, "note: rsa.der was regenerated; update the "
		    "openssl pins in %s\n", __FILE__);

	CHECK(record_make(&c, NULL, &o, &l, &n, NULL) == RECORD_OK && n == 1);
	if (n == 1) {
		/* One line, no parentheses: 64 digits fit. */
		snprintf(want, sizeof(want), "%s. IN SMIMEA 3 1 1 %s",
		    l[0].owner, hex);
		CHECK_STR(l[0].presentation, want);
		snprintf(want, sizeof(want), "%s. IN TYPE53 \\# 35 030101%s",
		    l[0].owner, hex);
		CHECK_STR(l[0].generic, want);
		CHECK(l[0].rdata_len == 35);
		CHECK(l[0].fits_udp && l[0].size_warning == NULL);
	}
	record_lines_free(l, n);

	o.matching = 2;
	l = NULL;
	CHECK(record_make(&c, NULL, &o, &l, &n, NULL) == RECORD_OK && n == 1);
	if (n == 1 && strcmp(c.sha256, RSA_DER_SHA256) == 0) {
		snprintf(want, sizeof(want), "%s. IN TYPE53 \\# 67 030102%s",
		    l[0].owner, RSA_SPKI_SHA512);
		CHECK_STR(l[0].generic, want);
		/* 128 digits: two lines in parentheses. */
		snprintf(want, sizeof(want), "%s. IN SMIMEA 3 1 2 (\n\t%.64s"
		    "\n\t%s )", l[0].owner, RSA_SPKI_SHA512,
		    &RSA_SPKI_SHA512[64]);
		CHECK_STR(l[0].presentation, want);
	}
	record_lines_free(l, n);
	cert_summary_free(&c);
}

/* Every usage x selector x matching parses back to [u s m] + data. */
static void
test_all_combinations(void)
{
	static const char *const fixtures[] = { "rsa.der", "ec.der",
	    "ed25519.der" };
	struct cert_summary c;
	struct record_opts o = RECORD_OPTS_DEFAULT;
	struct record_line *l;
	size_t n, f, wn, count = 0;
	uint8_t want[3 + 65536];
	int u, s, m;

	for (f = 0; f < sizeof(fixtures) / sizeof(fixtures[0]); f++) {
		decode(fixtures[f], &c);
		for (u = 0; u <= 3; u++)
			for (s = 0; s <= 1; s++)
				for (m = 0; m <= 2; m++) {
					o.usage = u;
					o.selector = s;
					o.matching = m;
					o.ttl = (unsigned)(u * 1000 + s * 10 + m);
					l = NULL;
					n = 0;
					CHECK(record_make(&c, NULL, &o, &l, &n,
					    NULL) == RECORD_OK && n == 1);
					if (n != 1)
						continue;
					wn = expected_rdata(&c, u, s, m, want);
					CHECK(l[0].rdata_len == wn);
					check_roundtrip(l[0].presentation,
					    l[0].owner, o.ttl, want, wn);
					check_roundtrip(l[0].generic,
					    l[0].owner, o.ttl, want, wn);
					/* An end entity under a TA usage
					 * gets told so. */
					CHECK((l[0].warning != NULL) ==
					    (u == 0 || u == 2));
					record_lines_free(l, n);
					count++;
				}
		cert_summary_free(&c);
	}
	CHECK(count == 3 * 24);
}

static void
test_ttl(void)
{
	struct cert_summary c;
	struct record_opts o = RECORD_OPTS_DEFAULT;
	struct record_line *l = NULL;
	size_t n = 0;
	char want[512];

	decode("ec.der", &c);
	o.ttl = 3600;
	CHECK(record_make(&c, NULL, &o, &l, &n, NULL) == RECORD_OK && n == 1);
	if (n == 1) {
		snprintf(want, sizeof(want), "%s. 3600 IN SMIMEA 3 0 0 (",
		    l[0].owner);
		CHECK(strncmp(l[0].presentation, want, strlen(want)) == 0);
		snprintf(want, sizeof(want), "%s. 3600 IN TYPE53 \\# ",
		    l[0].owner);
		CHECK(strncmp(l[0].generic, want, strlen(want)) == 0);
	}
	record_lines_free(l, n);
	o.ttl = 2147483647u;
	l = NULL;
	CHECK(record_make(&c, NULL, &o, &l, &n, NULL) == RECORD_OK && n == 1);
	CHECK(n != 1 || strstr(l[0].generic, ". 2147483647 IN TYPE53 ") !=
	    NULL);
	record_lines_free(l, n);
	o.ttl = 0;
	l = NULL;
	CHECK(record_make(&c, NULL, &o, &l, &n, NULL) == RECORD_OK && n == 1);
	CHECK(n != 1 || strstr(l[0].generic, ". IN TYPE53 ") != NULL);
	record_lines_free(l, n);
	cert_summary_free(&c);
}

static void
test_invalid_opts(void)
{
	static const struct {
		struct record_opts o;
		int want;
	} bad[] = {
		{ { 4, 0, 0, 0, NULL }, RECORD_E_USAGE },
		{ { -1, 0, 0, 0, NULL }, RECORD_E_USAGE },
		{ { 255, 0, 0, 0, NULL }, RECORD_E_USAGE },
		{ { 3, 2, 0, 0, NULL }, RECORD_E_SELECTOR },
		{ { 3, -1, 0, 0, NULL }, RECORD_E_SELECTOR },
		{ { 3, 0, 3, 0, NULL }, RECORD_E_MATCHING },
		{ { 3, 0, -1, 0, NULL }, RECORD_E_MATCHING },
		{ { 3, 0, 0, 2147483648u, NULL }, RECORD_E_TTL },
		{ { 3, 0, 0, 0xffffffffu, NULL }, RECORD_E_TTL },
	};
	struct cert_summary c;
	struct record_line *l = NULL;
	size_t n = 12345, i;
	const char *why;

	decode("ec.der", &c);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		CHECK(record_make(&c, NULL, &bad[i].o, &l, &n, &why) ==
		    bad[i].want);
		CHECK(why != NULL && strstr(why, "RFC") != NULL);
		CHECK(l == NULL && n == 12345);
	}
	/* A bad address is the caller's fault, with address_parse's why. */
	why = NULL;
	CHECK(record_make(&c, "no-at-sign", NULL, &l, &n, &why) ==
	    RECORD_E_ADDRESS);
	CHECK(why != NULL);
	CHECK(record_make(&c, "a@[192.0.2.1]", NULL, &l, &n, NULL) ==
	    RECORD_E_ADDRESS);
	CHECK(l == NULL && n == 12345);
	cert_summary_free(&c);
}

/* --address: produced either way; a warning when the certificate does
 * not carry it, none when it does (domain case-insensitive). */
static void
test_given_address(void)
{
	struct cert_summary c, ca;
	struct record_opts o = RECORD_OPTS_DEFAULT;
	struct record_line *l = NULL;
	size_t n = 0;
	struct address a;
	const char *why;

	decode("rsa.der", &c);
	CHECK(record_make(&c, "hugh@EXAMPLE.Test", NULL, &l, &n, NULL) ==
	    RECORD_OK && n == 1);
	if (n == 1) {
		CHECK_STR(l[0].address, "hugh@EXAMPLE.Test");
		CHECK(address_parse("hugh@example.test", 17, &a, NULL) == 0);
		CHECK_STR(l[0].owner, a.owner);
		CHECK(l[0].warning == NULL);
	}
	record_lines_free(l, n);

	l = NULL;
	CHECK(record_make(&c, "hugh@example.com", NULL, &l, &n, NULL) ==
	    RECORD_OK && n == 1);
	if (n == 1) {
		CHECK_STR(l[0].owner, HUGH_OWNER "._smimecert.example.com");
		CHECK(l[0].warning != NULL &&
		    strstr(l[0].warning, "does not carry") != NULL);
		CHECK(l[0].presentation != NULL && l[0].generic != NULL);
	}
	record_lines_free(l, n);

	/* Local-part case matters (RFC 8162 3): Hugh is another mailbox. */
	l = NULL;
	CHECK(record_make(&c, "Hugh@example.test", NULL, &l, &n, NULL) ==
	    RECORD_OK && n == 1);
	CHECK(n != 1 || l[0].warning != NULL);
	record_lines_free(l, n);

	/* A CA: no address of its own; fine for 2 0 0, not for 3 0 0. */
	decode("ca.der", &ca);
	l = NULL;
	why = NULL;
	CHECK(record_make(&ca, NULL, NULL, &l, &n, &why) ==
	    RECORD_E_NO_ADDRESS && why != NULL);
	o.usage = 2;
	CHECK(record_make(&ca, "hugh@example.test", &o, &l, &n, NULL) ==
	    RECORD_OK && n == 1);
	CHECK(n != 1 || l[0].warning == NULL);
	record_lines_free(l, n);
	o.usage = 3;
	l = NULL;
	CHECK(record_make(&ca, "hugh@example.test", &o, &l, &n, NULL) ==
	    RECORD_OK && n == 1);
	CHECK(n != 1 || (l[0].warning != NULL &&
	    strstr(l[0].warning, "CA certificate") != NULL));
	record_lines_free(l, n);
	cert_summary_free(&ca);
	cert_summary_free(&c);
}

/* Every address of a certificate, one line per owner name. */
static void
test_all_addresses(void)
{
	struct cert_summary c;
	struct record_line *l = NULL;
	size_t n = 0, i;
	struct address a;

	decode("multi.der", &c);
	CHECK(record_make(&c, NULL, NULL, &l, &n, NULL) == RECORD_OK);
	/* Hugh@Example.TEST, hugh@example.test, jörg@example.test. */
	CHECK(n == c.nemails && n == 3);
	for (i = 0; i < n && i < c.nemails; i++) {
		CHECK_STR(l[i].address, c.emails[i]);
		CHECK(address_parse(c.emails[i], strlen(c.emails[i]), &a,
		    NULL) == ADDR_OK);
		CHECK_STR(l[i].owner, a.owner);
		CHECK(l[i].warning == NULL);
	}
	CHECK(n < 2 || strcmp(l[0].owner, l[1].owner) != 0);
	record_lines_free(l, n);
	cert_summary_free(&c);
}

/* Made-up summaries: duplicates by domain case, an address that makes no
 * owner name, sizes at the DNS limits, no SPKI. */
static void
test_synthetic(void)
{
	char e1[] = "x@example.test", e2[] = "x@EXAMPLE.TEST",
	    e3[] = "y@[192.0.2.1]", e4[] = "z@example.test";
	char *emails[] = { e1, e2, e3, e4 };
	struct cert_summary c;
	struct record_opts o = RECORD_OPTS_DEFAULT;
	struct record_line *l = NULL;
	size_t n = 0;
	const char *why;

	memset(&c, 0, sizeof(c));
	c.der_len = 1000;
	c.der = calloc(1, 65535);
	c.emails = emails;
	c.nemails = 4;
	CHECK(record_make(&c, NULL, NULL, &l, &n, NULL) == RECORD_OK);
	CHECK(n == 3);
	if (n == 3) {
		CHECK_STR(l[0].address, "x@example.test");
		CHECK_STR(l[1].address, "y@[192.0.2.1]");
		CHECK(l[1].owner == NULL && l[1].presentation == NULL &&
		    l[1].generic == NULL && l[1].warning != NULL);
		CHECK_STR(l[2].address, "z@example.test");
		/* 1000 octets of data: over 1232 with the RRSIG. */
		CHECK(!l[0].fits_udp && l[0].size_warning != NULL &&
		    strstr(l[0].size_warning, "TCP") != NULL);
	}
	record_lines_free(l, n);

	/* RDATA at the 16-bit limit, and one over. */
	c.der_len = 65535 - 3;
	l = NULL;
	CHECK(record_make(&c, NULL, &o, &l, &n, NULL) == RECORD_OK);
	CHECK(n == 3 && l[0].rdata_len == 65535 && !l[0].fits_udp &&
	    l[0].size_warning != NULL &&
	    strstr(l[0].size_warning, "65535") != NULL);
	record_lines_free(l, n);
	c.der_len = 65535 - 2;
	l = NULL;
	n = 7;
	CHECK(record_make(&c, NULL, &o, &l, &n, &why) == RECORD_E_TOO_LARGE);
	CHECK(l == NULL && n == 7);
	/* ...which a hash fixes. */
	o.matching = 1;
	CHECK(record_make(&c, NULL, &o, &l, &n, NULL) == RECORD_OK && n == 3);
	CHECK(n != 3 || l[0].fits_udp);
	record_lines_free(l, n);
	/* Selector 1 without an SPKI. */
	o.selector = 1;
	l = NULL;
	CHECK(record_make(&c, NULL, &o, &l, &n, NULL) == RECORD_E_NO_SPKI);
	free(c.der);
}

static void
test_probes(void)
{
	struct record_probe p[RECORD_NPROBES];
	struct address a;
	uint8_t md[32];
	char hex[65], want[512], local[70];

	CHECK(address_parse("hugh@example.com", 16, &a, NULL) == ADDR_OK);
	CHECK_STR(a.owner, HUGH_OWNER "._smimecert.example.com");
	CHECK(address_probe_names(&a, p) == 0);

	/* Full SHA-256: computed here too. Not queryable: 64 > 63. */
	CHECK(crypto_sha256("hugh", 4, md) == 0);
	hex_encode(md, 32, hex);
	CHECK_STR(hex, HUGH_SHA256);
	snprintf(want, sizeof(want), "%s._smimecert.example.com", hex);
	CHECK_STR(p[RECORD_PROBE_SHA256_FULL].name, want);
	CHECK(p[RECORD_PROBE_SHA256_FULL].skip != NULL);
	CHECK(p[RECORD_PROBE_SHA256_FULL].what != NULL);

	CHECK_STR(p[RECORD_PROBE_SHA224].name,
	    HUGH_SHA224 "._smimecert.example.com");
	CHECK(p[RECORD_PROBE_SHA224].skip == NULL);
	CHECK(strcmp(p[RECORD_PROBE_SHA224].name, a.owner) != 0);

	CHECK_STR(p[RECORD_PROBE_LOCAL_PART].name,
	    "hugh._smimecert.example.com");
	CHECK(p[RECORD_PROBE_LOCAL_PART].skip == NULL);

	/* As given, not lowercased. */
	CHECK(address_parse("Hugh+tag@Example.COM", 20, &a, NULL) == ADDR_OK);
	CHECK(address_probe_names(&a, p) == 0);
	CHECK_STR(p[RECORD_PROBE_LOCAL_PART].name,
	    "Hugh+tag._smimecert.example.com");
	CHECK(p[RECORD_PROBE_LOCAL_PART].skip == NULL);

	/* A dot, quotes, non-ASCII: no plain label. */
	CHECK(address_parse("hugh.test@example.com", 21, &a, NULL) == 0);
	CHECK(address_probe_names(&a, p) == 0);
	CHECK(p[RECORD_PROBE_LOCAL_PART].skip != NULL);
	CHECK_STR(p[RECORD_PROBE_LOCAL_PART].name, "");
	CHECK(p[RECORD_PROBE_SHA224].skip == NULL);
	CHECK(address_parse("\"a b\"@example.com", 17, &a, NULL) == 0);
	CHECK(address_probe_names(&a, p) == 0);
	CHECK(p[RECORD_PROBE_LOCAL_PART].skip != NULL);
	CHECK(address_parse("j\xc3\xb6rg@example.com", 17, &a, NULL) == 0);
	CHECK(address_probe_names(&a, p) == 0);
	CHECK(p[RECORD_PROBE_LOCAL_PART].skip != NULL);

	/* 64 octets: a valid local-part (RFC 5321 4.5.3.1.1), too long for
	 * a label. */
	memset(local, 'a', 64);
	snprintf(local + 64, sizeof(local) - 64, "@e.t");
	CHECK(address_parse(local, strlen(local), &a, NULL) == ADDR_OK);
	CHECK(address_probe_names(&a, p) == 0);
	CHECK(p[RECORD_PROBE_LOCAL_PART].skip != NULL);
	CHECK(strlen(p[RECORD_PROBE_LOCAL_PART].name) == 64 + 12 + 3);
	memset(local, 'a', 63);
	snprintf(local + 63, sizeof(local) - 63, "@e.t");
	CHECK(address_parse(local, strlen(local), &a, NULL) == ADDR_OK);
	CHECK(address_probe_names(&a, p) == 0);
	CHECK(p[RECORD_PROBE_LOCAL_PART].skip == NULL);

	/* The longest domain the right owner name allows (185 octets):
	 * the 63-octet label would make a 262-octet name. */
	{
		char addr[300];
		size_t k;

		memset(addr, 'a', 63);
		addr[63] = '@';
		for (k = 0; k < 3; k++) {
			memset(addr + 64 + k * 62, 'b', 61);
			addr[64 + k * 62 + 61] = k < 2 ? '.' : '\0';
		}
		CHECK(strlen(addr) == 64 + 185);
		CHECK(address_parse(addr, strlen(addr), &a, NULL) == ADDR_OK);
		CHECK(address_probe_names(&a, p) == 0);
		CHECK(p[RECORD_PROBE_LOCAL_PART].skip != NULL &&
		    strstr(p[RECORD_PROBE_LOCAL_PART].skip, "255") != NULL);
		CHECK(p[RECORD_PROBE_SHA224].skip == NULL);
		CHECK(strlen(p[RECORD_PROBE_SHA256_FULL].name) == 64 + 12 + 185);
	}
}

/* Loads both forms as a zone with ldns-read-zone, if installed: it must
 * accept them and print both as the same SMIMEA record. */
static void
test_ldns(void)
{
	struct cert_summary c;
	struct record_opts o = { 3, 0, 0, 300, NULL };
	struct record_line *l = NULL;
	size_t n = 0, nsmimea = 0, i;
	char dir[] = "/tmp/test_record.XXXXXX", path[64], cmd[256],
	    buf[8192], first[8192] = "";
	FILE *f;
	int st, u;

	if (system("command -v ldns-read-zone >/dev/null 2>&1") != 0) {
		printf("# ldns-read-zone not installed: zone round trip "
		    "skipped\n");
		return;
	}
	if (mkdtemp(dir) == NULL) {
		CHECK(0);
		return;
	}
	snprintf(path, sizeof(path), "%s/zone", dir);
	decode("rsa.der", &c);
	CHECK((f = fopen(path, "w")) != NULL);
	if (f == NULL)
		goto out;
	fprintf(f, "$ORIGIN example.test.\n$TTL 3600\n"
	    "@ IN SOA ns.example.test. admin.example.test. 1 3600 600 "
	    "86400 300\n@ IN NS ns.example.test.\n");
	/* Every usage, in both forms; 3 0 0 twice with a TTL. */
	for (u = 0; u <= 3; u++) {
		o.usage = u;
		o.selector = u % 2;
		o.matching = u % 3;
		l = NULL;
		CHECK(record_make(&c, NULL, &o, &l, &n, NULL) == RECORD_OK &&
		    n == 1);
		if (n == 1)
			fprintf(f, "%s\n%s\n", l[0].presentation, l[0].generic);
		record_lines_free(l, n);
	}
	fclose(f);
	/* -c: canonical (lowercase) output; -s: no DNSSEC records. */
	snprintf(cmd, sizeof(cmd), "ldns-read-zone -c %s 2>&1", path);
	CHECK((f = popen(cmd, "r")) != NULL);
	if (f == NULL)
		goto out;
	while (fgets(buf, sizeof(buf), f) != NULL) {
		if (strstr(buf, "\tSMIMEA\t") == NULL &&
		    strstr(buf, "TYPE53") == NULL)
			continue;
		nsmimea++;
		/* Both forms of one record print the same. */
		if (nsmimea % 2 == 1)
			memcpy(first, buf, sizeof(buf));
		else
			CHECK_STR(buf, first);
	}
	st = pclose(f);
	CHECK(st == 0);
	CHECK(nsmimea == 8);
	if (st != 0 || nsmimea != 8) {
		snprintf(cmd, sizeof(cmd), "cat %s; ldns-read-zone %s", path,
		    path);
		i = (size_t)system(cmd);
		(void)i;
	}
out:
	cert_summary_free(&c);
	unlink(path);
	rmdir(dir);
}

int
main(int argc, char **argv)
{
	if (argc > 1)
		fixdir = argv[1];
	test_default_rsa();
	test_spki_pins();
	test_all_combinations();
	test_ttl();
	test_invalid_opts();
	test_given_address();
	test_all_addresses();
	test_synthetic();
	test_probes();
	test_ldns();
	crypto_shutdown();
	return t_done("record");
}
