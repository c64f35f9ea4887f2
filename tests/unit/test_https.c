/* test_https.c - https.c against real HTTPS servers on 127.0.0.1, run by
 * tests/https/run_https_test.py (which makes the CAs and certificates at
 * test time and checks the servers' side afterwards).
 *
 * usage: test_https CA_A CA_B MAIN_PORT MISMATCH_PORT B_PORT HTTP_PORT
 *            CLOSED_PORT FIXTURES_DIR
 *
 * Every fetch of one run is started at once and driven to its end by one
 * poll(2) loop over https_pollfds/https_process of two instances, as the
 * host's loop drives them beside c-ares.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../host/base/config.h"
#include "../../host/base/crypto.h"
#include "../../host/web/https.h"
#include "t.h"

static const char *fixtures;

struct want {
	const char *name;
	const char *url;
	const char *code;
	long status;
	unsigned redirects;
	const char *der_fixture;	/* the certificate expected, or NULL */
	size_t nchain;
	const char *message_has;	/* a part of the message, or NULL */
	/* filled by the callback */
	int calls;
	bool in_fetch;
	double elapsed;
	struct https_result got;
	uint8_t *der;
	size_t der_len;
	uint8_t *chain0;
	size_t chain0_len;
};

static bool fetching;
static struct timespec t0;
/* DANE_SMIME_TIME_SCALE (as the Python suites): slower runs (valgrind)
 * stretch every bound; the server's slow answer stretches alike. */
static double scale = 1.0;

static double
since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) +
	    (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static void
done(void *arg, struct https_result *res)
{
	struct want *w = arg;

	w->calls++;
	w->in_fetch = fetching;
	w->elapsed = since(&t0);
	w->got = *res;
	/* Take the certificate: the result is freed after we return. */
	w->der = res->cert.der;
	w->der_len = res->cert.der_len;
	res->cert.der = NULL;
	res->cert.der_len = 0;
	if (res->nchain > 0) {
		w->chain0 = res->chain[0];
		w->chain0_len = res->chain_lens[0];
		res->chain[0] = NULL;
		res->chain_lens[0] = 0;
	}
	memset(&w->got.cert, 0, sizeof(w->got.cert));
	w->got.chain = NULL;
	w->got.chain_lens = NULL;
}

/* Drives both instances until nothing is pending or limit seconds pass,
 * giving each room for max pollfds a round. */
static void
run_max(struct https *a, struct https *b, double limit, size_t max)
{
	struct pollfd pfd[2 * DS_MAX_HTTPS_FDS];
	size_t na, nb;
	int timeout;
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while ((https_pending(a) > 0 || (b != NULL && https_pending(b) > 0)) &&
	    since(&start) < limit) {
		timeout = 1000;
		na = https_pollfds(a, pfd, max, &timeout);
		nb = b != NULL ? https_pollfds(b, pfd + na, max, &timeout) : 0;
		if (poll(pfd, (nfds_t)(na + nb), timeout) < 0)
			break;
		https_process(a, pfd, na);
		if (b != NULL)
			https_process(b, pfd + na, nb);
	}
}

static void
run(struct https *a, struct https *b, double limit)
{
	run_max(a, b, limit, DS_MAX_HTTPS_FDS);
}

static void
check(struct want *w)
{
	uint8_t *fx;
	size_t fxlen;
	char path[64];

	if (w->calls != 1 || strcmp(w->got.code ? w->got.code : "(none)",
	    w->code) != 0 || w->got.status != w->status ||
	    w->got.redirects != w->redirects)
		fprintf(stderr, "%s: calls %d code %s status %ld redirects %u: "
		    "%s\n", w->name, w->calls, w->got.code, w->got.status,
		    w->got.redirects, w->got.message);
	printf("%-14s %-22s %s\n", w->name, w->got.code, w->got.message);
	CHECK(w->calls == 1);
	CHECK(!w->in_fetch);
	CHECK_STR(w->got.code, w->code);
	CHECK(w->got.status == w->status);
	CHECK(w->got.redirects == w->redirects);
	CHECK_STR(w->got.url, w->url);
	CHECK(w->got.message[0] != '\0');
	if (w->message_has != NULL && strstr(w->got.message,
	    w->message_has) == NULL) {
		fprintf(stderr, "%s: message \"%s\" lacks \"%s\"\n", w->name,
		    w->got.message, w->message_has);
		CHECK(0);
	}
	if (w->der_fixture != NULL) {
		snprintf(path, sizeof(path), "%s.der", w->der_fixture);
		fx = t_load(fixtures, path, &fxlen);
		CHECK(w->der != NULL && w->der_len == fxlen &&
		    memcmp(w->der, fx, fxlen) == 0);
		free(fx);
	} else
		CHECK(w->der == NULL);
	CHECK(w->got.nchain == w->nchain);
	if (w->nchain > 0) {
		fx = t_load(fixtures, "inter.der", &fxlen);
		CHECK(w->chain0 != NULL && w->chain0_len == fxlen &&
		    memcmp(w->chain0, fx, fxlen) == 0);
		free(fx);
	}
	free(w->der);
	free(w->chain0);
}

/* prefix ":" port path, e.g. "https://localhost" ":" "8443" "/a". */
static char *
url(const char *prefix, const char *port, const char *path)
{
	char *s;

	if (asprintf(&s, "%s:%s%s", prefix, port, path) < 0)
		exit(2);
	return s;
}

static void
test_body_certs(void)
{
	uint8_t *ee, **chain, *der;
	size_t ee_len, *lens, n, derlen;
	const char *why;
	uint8_t buf[600];

	CHECK(https_body_certs((const uint8_t *)"", 0, &ee, &ee_len, &chain,
	    &lens, &n, &why) == 1 && why != NULL && ee == NULL);
	/* DER must fill the body exactly. */
	der = t_load(fixtures, "leaf.der", &derlen);
	CHECK(derlen < sizeof(buf));
	memcpy(buf, der, derlen);
	CHECK(https_body_certs(buf, derlen, &ee, &ee_len, &chain, &lens, &n,
	    &why) == 0 && ee_len == derlen && n == 0);
	free(ee);
	buf[derlen] = 0;
	CHECK(https_body_certs(buf, derlen + 1, &ee, &ee_len, &chain, &lens,
	    &n, &why) == 1 && ee == NULL);
	CHECK(https_body_certs(buf, derlen - 1, &ee, &ee_len, &chain, &lens,
	    &n, &why) == 1 && ee == NULL);
	free(der);
	/* PEM without END, PEM with bad base64. */
	CHECK(https_body_certs((const uint8_t *)"-----BEGIN CERTIFICATE-----\n"
	    "MIIB\n", 33, &ee, &ee_len, &chain, &lens, &n, &why) == 1 &&
	    strstr(why, "END") != NULL);
	CHECK(https_body_certs((const uint8_t *)"-----BEGIN CERTIFICATE-----\n"
	    "@@@@\n-----END CERTIFICATE-----\n", 58, &ee, &ee_len, &chain,
	    &lens, &n, &why) == 1 && ee == NULL && chain == NULL);
	/* Explanatory text around the blocks is fine (RFC 7468 5). */
	der = t_load(fixtures, "chain.pem", &derlen);
	{
		char *s;

		if (asprintf(&s, "Subject: x\n%s\ntrailing words\n",
		    (char *)der) < 0)
			exit(2);
		CHECK(https_body_certs((const uint8_t *)s, strlen(s), &ee,
		    &ee_len, &chain, &lens, &n, &why) == 0 && n == 0 &&
		    ee_len > 100);
		free(ee);
		free(s);
	}
	free(der);
}

/* The configuration keys of this path (config.c). */
static void
test_config_keys(void)
{
	struct config c;
	char err[256];
	static const char *const bad[][2] = {
		{ "https = maybe\n", "https: expected yes or no" },
		{ "https = yes\nhttps = no\n", "https set twice" },
		{ "https_ca_file = ca.pem\n", "absolute path" },
		{ "https_ca_file = /a\nhttps_ca_file = /b\n", "set twice" },
	};
	size_t i;

	config_defaults(&c);
	CHECK(c.https && c.https_ca_file[0] == '\0');
	CHECK(config_parse(&c, "t", "https = no\nhttps_ca_file = /etc/x.pem\n",
	    38, err, sizeof(err)) == 0);
	CHECK(!c.https);
	CHECK_STR(c.https_ca_file, "/etc/x.pem");
	CHECK(config_parse(&c, "t", "https = yes\n", 12, err, sizeof(err)) ==
	    0 && c.https);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		config_defaults(&c);
		CHECK(config_parse(&c, "t", bad[i][0], strlen(bad[i][0]), err,
		    sizeof(err)) == 1);
		if (strstr(err, bad[i][1]) == NULL) {
			fputs(err, stderr);
			fputs(": not the message expected\n", stderr);
		}
		CHECK(strstr(err, bad[i][1]) != NULL);
		CHECK(c.https && c.https_ca_file[0] == '\0');
	}
}

int
main(int argc, char **argv)
{
	struct https_config cfg;
	struct https *a, *u, *only_b;
	char err[512];
	const char *ca_a, *ca_b, *mp, *xp, *bp, *hp, *cp;
	const char *H = "https://localhost";
	size_t i;

	if (argc != 9) {
		fprintf(stderr, "usage: see tests/https/run_https_test.py\n");
		return 2;
	}
	ca_a = argv[1];
	ca_b = argv[2];
	mp = argv[3];
	xp = argv[4];
	bp = argv[5];
	hp = argv[6];
	cp = argv[7];
	fixtures = argv[8];
	if (getenv("DANE_SMIME_TIME_SCALE") != NULL &&
	    atof(getenv("DANE_SMIME_TIME_SCALE")) >= 1.0)
		scale = atof(getenv("DANE_SMIME_TIME_SCALE"));

	test_body_certs();
	test_config_keys();

	/* Configuration errors. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.ca_file = "/nonexistent/ca.pem";
	CHECK(https_new(&cfg, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "https_ca_file /nonexistent/ca.pem") != NULL);
	cfg.ca_file = "/etc/hostname";
	CHECK(https_new(&cfg, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "no PEM certificate") != NULL);

	/* libcurl is opened on the first fetch; without it a fetch ends as
	 * https-unavailable (before any other fetch of this process: a
	 * loaded libcurl stays loaded). */
	memset(&cfg, 0, sizeof(cfg));
	cfg.libcurl = "libdane-smime-no-such-curl.so.4";
	if ((a = https_new(&cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "https_new: %s\n", err);
		return 1;
	}
	{
		struct want w = { "no-libcurl", url(H, mp, "/cert.pem"),
		    "https-unavailable", 0, 0, NULL, 0, "cannot be loaded",
		    0, 0, 0, {0}, 0, 0, 0, 0 };

		CHECK(https_fetch(a, w.url, done, &w) == 0);
		run(a, NULL, 5);
		check(&w);
		free((char *)w.url);
	}
	https_free(a);

	/* Instance a: the system store plus CA A; a 3 s bound. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.ca_file = ca_a;
	cfg.timeout_ms = (unsigned)(3000 * scale);
	if ((a = https_new(&cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "https_new: %s\n", err);
		return 1;
	}
	/* Instance u: "system store" CA A (the seam) plus ca_file CA B:
	 * both are trusted. */
	cfg.system_ca_file = ca_a;
	cfg.ca_file = ca_b;
	if ((u = https_new(&cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "https_new: %s\n", err);
		return 1;
	}
	{
		struct want w[] = {
			{ "pem", url(H, mp, "/cert.pem"), "ok", 200, 0, "chain",
			    1, "certificate fetched from", 0, 0, 0, {0}, 0, 0,
			    0, 0 },
			{ "der", url(H, mp, "/cert.der"), "ok", 200, 0,
			    "rsaleaf", 0, NULL, 0, 0, 0, {0}, 0, 0, 0, 0 },
			{ "redirect-once", url(H, mp, "/redirect-once"), "ok",
			    200, 1, "chain", 1, NULL, 0, 0, 0, {0}, 0, 0, 0,
			    0 },
			{ "http", url("http://localhost", hp,
			    "/cert.pem"), "https-url", 0, 0, NULL, 0,
			    "only https", 0, 0, 0, {0}, 0, 0, 0, 0 },
			{ "ip-literal", url("https://127.0.0.1", mp,
			    "/cert.pem"), "https-url", 0, 0, NULL, 0,
			    "IP addresses", 0, 0, 0, {0}, 0, 0, 0, 0 },
			{ "loop", url(H, mp, "/loop/0"), "https-redirect", 302,
			    3, NULL, 0, "more than 3 redirects", 0, 0, 0, {0},
			    0, 0, 0, 0 },
			{ "to-http", url(H, mp, "/to-http"), "https-redirect",
			    302, 0, NULL, 0, "only https", 0, 0, 0, {0}, 0, 0,
			    0, 0 },
			{ "to-userinfo", url(H, mp, "/to-userinfo"),
			    "https-redirect", 307, 0, NULL, 0, "credentials",
			    0, 0, 0, {0}, 0, 0, 0, 0 },
			{ "big", url(H, mp, "/big"), "https-too-large", 200, 0,
			    NULL, 0, "65536", 0, 0, 0, {0}, 0, 0, 0, 0 },
			{ "big-stream", url(H, mp, "/big-stream"),
			    "https-too-large", 200, 0, NULL, 0, "65536", 0, 0,
			    0, {0}, 0, 0, 0, 0 },
			{ "exact", url(H, mp, "/exact"),
			    "https-not-certificate", 200, 0, NULL, 0, NULL, 0,
			    0, 0, {0}, 0, 0, 0, 0 },
			{ "slow", url(H, mp, "/slow"), "https-timeout", 0, 0,
			    NULL, 0, " ms", 0, 0, 0, {0}, 0, 0, 0, 0 },
			{ "mismatch", url(H, xp, "/cert.pem"), "https-tls", 0,
			    0, NULL, 0, "localhost", 0, 0, 0, {0}, 0, 0, 0, 0 },
			{ "unknown-ca", url(H, bp, "/cert.pem"), "https-tls", 0,
			    0, NULL, 0, NULL, 0, 0, 0, {0}, 0, 0, 0, 0 },
			{ "closed", url(H, cp, "/cert.pem"), "https-connect", 0,
			    0, NULL, 0, NULL, 0, 0, 0, {0}, 0, 0, 0, 0 },
			{ "garbage", url(H, mp, "/garbage"),
			    "https-not-certificate", 200, 0, NULL, 0,
			    "neither", 0, 0, 0, {0}, 0, 0, 0, 0 },
			{ "pem-broken", url(H, mp, "/pem-broken"),
			    "https-not-certificate", 200, 0, NULL, 0, "base64",
			    0, 0, 0, {0}, 0, 0, 0, 0 },
			{ "404", url(H, mp, "/nothing-here"), "https-status",
			    404, 0, NULL, 0, "404", 0, 0, 0, {0}, 0, 0, 0, 0 },
			{ "headers", url(H, mp, "/ua"), "https-status", 404, 0,
			    NULL, 0, NULL, 0, 0, 0, {0}, 0, 0, 0, 0 },
			/* instance u */
			{ "union-a", url(H, mp, "/cert.der"), "ok", 200, 0,
			    "rsaleaf", 0, NULL, 0, 0, 0, {0}, 0, 0, 0, 0 },
			{ "union-b", url(H, bp, "/cert.pem"), "ok", 200, 0,
			    "chain", 1, NULL, 0, 0, 0, {0}, 0, 0, 0, 0 },
		};
		size_t n = sizeof(w) / sizeof(w[0]);

		clock_gettime(CLOCK_MONOTONIC, &t0);
		fetching = true;
		for (i = 0; i < n; i++)
			CHECK(https_fetch(strncmp(w[i].name, "union", 5) == 0 ?
			    u : a, w[i].url, done, &w[i]) == 0);
		fetching = false;
		CHECK(https_pending(a) == n - 2 && https_pending(u) == 2);
		run(a, u, 20.0 * scale);
		CHECK(https_pending(a) == 0 && https_pending(u) == 0);
		for (i = 0; i < n; i++) {
			check(&w[i]);
			if (strcmp(w[i].name, "slow") == 0) {
				/* The bound, not the server's 5 s. */
				CHECK(w[i].elapsed >= 2.9 * scale &&
				    w[i].elapsed < 4.9 * scale);
				printf("slow: refused after %.2f s\n",
				    w[i].elapsed);
			} else if (strcmp(w[i].name, "loop") != 0)
				CHECK(w[i].elapsed < 2.9 * scale);
		}
		/* Where the body came from after the redirect. */
		CHECK(strstr(w[2].got.final_url, "/cert.pem") != NULL);
		CHECK_STR(w[3].got.final_url, "");
		for (i = 0; i < n; i++)
			free((char *)w[i].url);
	}
	https_free(u);

	/* "System store" CA B only: the CA A server is not trusted, so the
	 * union above was not an accident of the seam. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.system_ca_file = ca_b;
	cfg.timeout_ms = (unsigned)(2000 * scale);
	if ((only_b = https_new(&cfg, err, sizeof(err))) == NULL)
		return 1;
	{
		struct want w = { "only-b", url(H, mp, "/cert.pem"),
		    "https-tls", 0, 0, NULL, 0, NULL, 0, 0, 0, {0}, 0, 0, 0,
		    0 };

		clock_gettime(CLOCK_MONOTONIC, &t0);
		CHECK(https_fetch(only_b, w.url, done, &w) == 0);
		run(only_b, NULL, 10.0 * scale);
		check(&w);
		free((char *)w.url);
	}
	https_free(only_b);

	/* Room for one pollfd only: every socket still gets its turn, also
	 * while a slow server holds one that is started first. */
	{
		struct want w[4];
		char *s = url(H, mp, "/cert.der"), *slow = url(H, mp, "/slow");

		memset(w, 0, sizeof(w));
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (i = 0; i < 4; i++) {
			w[i].name = i == 0 ? "one-fd-slow" : "one-fd";
			w[i].url = i == 0 ? slow : s;
			w[i].code = i == 0 ? "https-timeout" : "ok";
			w[i].status = i == 0 ? 0 : 200;
			w[i].der_fixture = i == 0 ? NULL : "rsaleaf";
			CHECK(https_fetch(a, w[i].url, done, &w[i]) == 0);
			if (i == 0)	/* its connection first in curl's set */
				run_max(a, NULL, 0.3 * scale, 1);
		}
		run_max(a, NULL, 10.0 * scale, 1);
		for (i = 0; i < 4; i++) {
			check(&w[i]);
			/* Order, not wall time (tests never fail on time):
			 * each quick fetch ended while the slow one still
			 * held its socket. */
			if (i > 0)
				CHECK(w[i].elapsed < w[0].elapsed);
		}
		free(s);
		free(slow);
	}

	/* Freeing with fetches in flight calls nobody back and leaks
	 * nothing (valgrind/ASan). */
	{
		struct want w = { "abandoned", NULL, NULL, 0, 0, NULL, 0, NULL,
		    0, 0, 0, {0}, 0, 0, 0, 0 };
		char *s = url(H, mp, "/slow");
		int timeout = -1;
		struct pollfd pfd[DS_MAX_HTTPS_FDS];
		size_t k;

		CHECK(https_fetch(a, s, done, &w) == 0);
		CHECK(https_fetch(a, "ftp://x/", done, &w) == 0);
		k = https_pollfds(a, pfd, DS_MAX_HTTPS_FDS, &timeout);
		CHECK(timeout == 0);	/* the refused one is ready */
		(void)k;
		https_free(a);
		CHECK(w.calls == 0);
		free(s);
	}
	/* Nothing of the fetched certificates stays in NSS. */
	CHECK(crypto_shutdown_checked() == 0);
	return t_done("https");
}
