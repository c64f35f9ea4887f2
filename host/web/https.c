/* https.c - certificate fetches over HTTPS with libcurl's multi socket
 * interface; see https.h. */
#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dynlib.h"
#include "encode.h"
#include "fail.h"
#include "https.h"
#include "readfile.h"
#include "smimetxt.h"
#include "version.h"

#define USER_AGENT	"dane-smime/" DANE_SMIME_VERSION

struct job {
	CURL *easy;
	https_cb cb;
	void *arg;
	struct https_result res;
	char cur[DS_MAX_SMIME_URL + 1];	/* the URL being fetched */
	uint8_t *body;
	size_t body_len, body_cap;
	bool too_large;
	int64_t deadline;		/* monotonic ms */
	char errbuf[CURL_ERROR_SIZE];
	struct job *next;		/* queue, active or ready list */
};

struct hsock {
	curl_socket_t fd;
	short events;
};

struct https {
	CURLM *multi;			/* NULL until the first fetch (start) */
	bool global;			/* curl_global_init done */
	const char *libcurl;		/* what start dlopens */
	unsigned timeout_ms;
	/* How ca_file joins the system store (load_cas): as CURLOPT_CAINFO
	 * beside libcurl's default CURLOPT_CAPATH, or both in one blob. */
	char *ca_file;
	char *extra;			/* ca_file's text, read at https_new */
	size_t extralen;
	char *system_ca_file;		/* test seam, NULL in the host */
	char *ca_blob;
	size_t ca_blob_len;
	bool no_capath;			/* test seam: the blob is all */
	struct hsock *socks;
	size_t nsocks, capsocks, rotate;
	int64_t timer;			/* curl's next timeout, -1 none */
	struct job *queue, **queue_tail;
	struct job *active;
	size_t nactive;
	struct job *ready, **ready_tail;
	size_t npending;
};

/*
 * Most runs never fetch over HTTPS (a secure SMIMEA answer with a
 * certificate, or none at all, ends the lookup), and linking libcurl
 * loads 25 more shared libraries with it (OpenSSL, GnuTLS via librtmp,
 * Kerberos, LDAP, ...) and runs their constructors: about 5 ms of every
 * start, most of the time to `hello` (tests/bench/README.md). So the
 * library is opened with dlopen on the first fetch, its functions
 * resolved once into lc, and kept for the life of the process (never
 * dlclose'd: OpenSSL registers exit handlers). Without it, a fetch ends
 * as "https-unavailable" and everything else works.
 */
struct libcurl_api {
	void *lib;
	CURLcode (*global_init)(long);
	void (*global_cleanup)(void);
	curl_version_info_data *(*version_info)(CURLversion);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char *(*easy_strerror)(CURLcode);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_cleanup)(CURLM *);
	CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode (*multi_socket_action)(CURLM *, curl_socket_t, int, int *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
};
static struct libcurl_api lc;

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Messages carry text from servers and curl: printable ASCII only. */
static void
sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			*s = '?';
}

static void set_result(struct job *, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_result(struct job *j, const char *code, const char *fmt, ...)
{
	va_list ap;

	j->res.code = code;
	va_start(ap, fmt);
	vsnprintf(j->res.message, sizeof(j->res.message), fmt, ap);
	va_end(ap);
	sanitize(j->res.message);
}

/* --- the body --- */

/* One DER SEQUENCE (RFC 5280 4.1: Certificate) filling b[0..len)
 * exactly; definite lengths only (X.690 10.1). */
static bool
der_exact(const uint8_t *b, size_t len)
{
	size_t total, k, i, v = 0;

	if (len < 2 || b[0] != 0x30)
		return false;
	if (b[1] < 0x80)
		total = 2 + (size_t)b[1];
	else {
		k = b[1] & 0x7f;
		if (k == 0 || k > 3 || len < 2 + k)
			return false;
		for (i = 0; i < k; i++)
			v = v << 8 | b[2 + i];
		total = 2 + k + v;
	}
	return total == len;
}

static const uint8_t *
find(const uint8_t *hay, size_t n, const char *needle)
{
	return memmem(hay, n, needle, strlen(needle));
}

int
https_body_certs(const uint8_t *body, size_t len, uint8_t **ee,
    size_t *ee_len, uint8_t ***chain, size_t **chain_lens, size_t *nchain,
    const char **why)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----";
	static const char end[] = "-----END CERTIFICATE-----";
	const uint8_t *p, *q, *stop = body + len;
	uint8_t *der = NULL, **nc;
	size_t derlen, *nl;
	int rc, ret = 1;

	*ee = NULL;
	*ee_len = 0;
	*chain = NULL;
	*chain_lens = NULL;
	*nchain = 0;
	*why = NULL;
	if (body == NULL || len == 0) {
		*why = "empty body: no certificate";
		return 1;
	}
	p = find(body, len, begin);
	if (p == NULL || memchr(body, '\0', len) != NULL) {
		if (!der_exact(body, len)) {
			*why = "body is neither a PEM certificate (RFC 7468 5) "
			    "nor one DER certificate (RFC 5280 4.1)";
			return 1;
		}
		if ((*ee = malloc(len)) == NULL)
			return -1;
		memcpy(*ee, body, len);
		*ee_len = len;
		return 0;
	}
	/* RFC 7468 5: text outside the blocks is explanatory, skipped. */
	while (p != NULL) {
		p += sizeof(begin) - 1;
		if ((q = find(p, (size_t)(stop - p), end)) == NULL) {
			*why = "PEM CERTIFICATE block without its END line "
			    "(RFC 7468 2)";
			goto out;
		}
		if ((rc = b64_decode((const char *)p, (size_t)(q - p), &der,
		    &derlen)) < 0)
			goto oom;
		if (rc > 0 || derlen == 0) {
			*why = "PEM CERTIFICATE block is not base64 "
			    "(RFC 7468 3)";
			goto out;
		}
		if (*ee == NULL) {
			*ee = der;
			*ee_len = derlen;
		} else if (*nchain < DS_MAX_CHAIN) {
			if ((nc = realloc(*chain, (*nchain + 1) *
			    sizeof(*nc))) == NULL)
				goto oom;
			*chain = nc;
			if ((nl = realloc(*chain_lens, (*nchain + 1) *
			    sizeof(*nl))) == NULL)
				goto oom;
			*chain_lens = nl;
			(*chain)[*nchain] = der;
			(*chain_lens)[(*nchain)++] = derlen;
		} else
			free(der);
		der = NULL;
		q += sizeof(end) - 1;
		p = find(q, (size_t)(stop - q), begin);
	}
	ret = 0;
	goto out;
oom:
	ret = -1;
out:
	free(der);
	if (ret != 0) {
		free(*ee);
		*ee = NULL;
		*ee_len = 0;
		while (*nchain > 0)
			free((*chain)[--*nchain]);
		free(*chain);
		free(*chain_lens);
		*chain = NULL;
		*chain_lens = NULL;
	}
	return ret;
}

/* --- jobs --- */

static void
job_free(struct job *j)
{
	size_t i;

	if (j == NULL)
		return;
	if (j->easy != NULL)
		lc.easy_cleanup(j->easy);
	free(j->body);
	cert_summary_free(&j->res.cert);
	for (i = 0; i < j->res.nchain; i++)
		free(j->res.chain[i]);
	free(j->res.chain);
	free(j->res.chain_lens);
	free(j);
}

static void
ready_push(struct https *h, struct job *j)
{
	if (j->easy != NULL) {
		lc.easy_cleanup(j->easy);
		j->easy = NULL;
	}
	free(j->body);
	j->body = NULL;
	j->next = NULL;
	*h->ready_tail = j;
	h->ready_tail = &j->next;
}

static void
active_remove(struct https *h, struct job *j)
{
	struct job **pp;

	for (pp = &h->active; *pp != NULL; pp = &(*pp)->next)
		if (*pp == j) {
			*pp = j->next;
			h->nactive--;
			return;
		}
}

static size_t
write_cb(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct job *j = userdata;
	size_t n = size * nmemb, cap;
	uint8_t *nb;

	/* The cap holds also when Content-Length lied or was absent. */
	if (n > DS_MAX_HTTPS_BODY - j->body_len) {
		j->too_large = true;
		return 0;
	}
	if (j->body_len + n > j->body_cap) {
		cap = j->body_cap ? j->body_cap : 4096;
		while (cap < j->body_len + n)
			cap *= 2;
		if (cap > DS_MAX_HTTPS_BODY)
			cap = DS_MAX_HTTPS_BODY;
		if ((nb = realloc(j->body, cap)) == NULL)
			return 0;
		j->body = nb;
		j->body_cap = cap;
	}
	memcpy(j->body + j->body_len, ptr, n);
	j->body_len += n;
	return n;
}

/* The options every request has (https.h "Policy"). 0 or -1. */
static int
easy_setup(struct https *h, struct job *j)
{
	CURL *e;
	struct curl_blob blob;

	if ((j->easy = e = lc.easy_init()) == NULL)
		return -1;
	if (lc.easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https") != CURLE_OK ||
	    lc.easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "https") !=
	    CURLE_OK ||
	    lc.easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    lc.easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)DS_MAX_HTTPS_BODY) != CURLE_OK ||
	    lc.easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb) != CURLE_OK ||
	    lc.easy_setopt(e, CURLOPT_WRITEDATA, j) != CURLE_OK ||
	    lc.easy_setopt(e, CURLOPT_PRIVATE, j) != CURLE_OK ||
	    lc.easy_setopt(e, CURLOPT_ERRORBUFFER, j->errbuf) != CURLE_OK ||
	    lc.easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    lc.easy_setopt(e, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED) !=
	    CURLE_OK ||
	    lc.easy_setopt(e, CURLOPT_PROXY, "") != CURLE_OK ||
	    lc.easy_setopt(e, CURLOPT_USERAGENT, USER_AGENT) != CURLE_OK ||
	    lc.easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    lc.easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    lc.easy_setopt(e, CURLOPT_SSLVERSION,
	    (long)CURL_SSLVERSION_TLSv1_2) != CURLE_OK ||
	    lc.easy_setopt(e, CURLOPT_HTTPGET, 1L) != CURLE_OK)
		return -1;
	if (h->ca_file != NULL &&
	    lc.easy_setopt(e, CURLOPT_CAINFO, h->ca_file) != CURLE_OK)
		return -1;
	if (h->no_capath &&
	    lc.easy_setopt(e, CURLOPT_CAPATH, NULL) != CURLE_OK)
		return -1;
	if (h->ca_blob != NULL) {
		blob.data = h->ca_blob;
		blob.len = h->ca_blob_len;
		blob.flags = CURL_BLOB_NOCOPY;	/* h outlives its handles */
		if (lc.easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob) != CURLE_OK)
			return -1;
	}
	return 0;
}

/* Puts j (URL in j->cur) on the wire with the time that is left.
 * On failure j is finished (ready list). */
static void
launch(struct https *h, struct job *j)
{
	int64_t left = j->deadline - now_ms();

	j->body_len = 0;
	j->too_large = false;
	j->errbuf[0] = '\0';
	snprintf(j->res.final_url, sizeof(j->res.final_url), "%s", j->cur);
	if (left <= 0) {
		set_result(j, "https-timeout", "no certificate from %s within "
		    "%u ms", j->res.url, h->timeout_ms);
		goto fail;
	}
	if ((j->easy == NULL && easy_setup(h, j) < 0) ||
	    lc.easy_setopt(j->easy, CURLOPT_URL, j->cur) != CURLE_OK ||
	    lc.easy_setopt(j->easy, CURLOPT_TIMEOUT_MS, (long)left) !=
	    CURLE_OK ||
	    lc.multi_add_handle(h->multi, j->easy) != CURLM_OK) {
		set_result(j, "internal", "%s", "cannot start the HTTPS "
		    "request (out of memory or libcurl failure)");
		goto fail;
	}
	j->next = h->active;
	h->active = j;
	h->nactive++;
	return;
fail:
	ready_push(h, j);
}

static void
start_queued(struct https *h)
{
	struct job *j;

	while (h->queue != NULL && h->nactive < DS_MAX_HTTPS_INFLIGHT) {
		j = h->queue;
		if ((h->queue = j->next) == NULL)
			h->queue_tail = &h->queue;
		launch(h, j);
	}
}

static bool
is_redirect(long status)
{
	return status == 301 || status == 302 || status == 303 ||
	    status == 307 || status == 308;
}

/* A 3xx: check the next URL ourselves (https.h), then go on. */
static void
follow(struct https *h, struct job *j)
{
	struct smime_url u;
	char *loc = NULL;
	const char *hash;
	size_t n;
	int rc;

	if (lc.easy_getinfo(j->easy, CURLINFO_REDIRECT_URL, &loc) !=
	    CURLE_OK || loc == NULL) {
		set_result(j, "https-redirect", "HTTP %ld from %s without a "
		    "usable Location (RFC 9110 10.2.2)", j->res.status, j->cur);
		goto fail;
	}
	if (j->res.redirects >= DS_MAX_HTTPS_REDIRECTS) {
		set_result(j, "https-redirect", "more than %u redirects from %s",
		    DS_MAX_HTTPS_REDIRECTS, j->res.url);
		goto fail;
	}
	/* A fragment names a part of the resource, not another one. */
	n = (hash = strchr(loc, '#')) != NULL ? (size_t)(hash - loc) :
	    strlen(loc);
	if ((rc = smimetxt_url_check(loc, n, &u)) != 0) {
		set_result(j, "https-redirect", "redirect from %s to %.*s "
		    "refused: %s", j->cur, (int)(n > 200 ? 200 : n), loc,
		    smimetxt_strerror(rc));
		goto fail;
	}
	j->res.redirects++;
	lc.multi_remove_handle(h->multi, j->easy);
	active_remove(h, j);
	memcpy(j->cur, u.url, sizeof(j->cur));
	launch(h, j);
	return;
fail:
	lc.multi_remove_handle(h->multi, j->easy);
	active_remove(h, j);
	ready_push(h, j);
}

static void
map_error(struct https *h, struct job *j, CURLcode rc)
{
	const char *detail = j->errbuf[0] != '\0' ? j->errbuf :
	    lc.easy_strerror(rc);

	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		set_result(j, "https-timeout", "no certificate from %s within "
		    "%u ms", j->res.url, h->timeout_ms);
		break;
	case CURLE_FILESIZE_EXCEEDED:
		set_result(j, "https-too-large", "%s announces a body over %u "
		    "octets", j->cur, DS_MAX_HTTPS_BODY);
		break;
	case CURLE_WRITE_ERROR:
		if (j->too_large)
			set_result(j, "https-too-large", "%s sent a body over "
			    "%u octets", j->cur, DS_MAX_HTTPS_BODY);
		else
			set_result(j, "internal", "%s", "out of memory");
		break;
	case CURLE_OUT_OF_MEMORY:
		set_result(j, "internal", "%s", "out of memory");
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		set_result(j, "https-connect", "%s: %s", j->cur, detail);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_SHUTDOWN_FAILED:
		set_result(j, "https-tls", "TLS with %s not verified: %s",
		    j->cur, detail);
		break;
	default:
		set_result(j, "https-error", "%s: %s", j->cur, detail);
		break;
	}
}

static void
decode_body(struct job *j)
{
	uint8_t *ee = NULL;
	size_t ee_len;
	const char *why = NULL;
	int rc;

	rc = https_body_certs(j->body, j->body_len, &ee, &ee_len,
	    &j->res.chain, &j->res.chain_lens, &j->res.nchain, &why);
	if (rc < 0) {
		set_result(j, "internal", "%s", "out of memory");
		return;
	}
	if (rc > 0) {
		set_result(j, "https-not-certificate", "%s: %s", j->cur, why);
		return;
	}
	rc = certs_decode(ee, ee_len, &j->res.cert, &why);
	free(ee);
	if (rc < 0)
		set_result(j, "internal", "%s", "cannot decode the certificate "
		    "(out of memory or NSS failure)");
	else if (rc > 0)
		set_result(j, "https-not-certificate", "%s: %s", j->cur,
		    why != NULL ? why : "not a certificate");
	else
		set_result(j, "ok", "certificate fetched from %s", j->cur);
}

static void
transfer_done(struct https *h, struct job *j, CURLcode rc)
{
	long status = 0;

	(void)lc.easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
	j->res.status = status;
	if (rc != CURLE_OK)
		map_error(h, j, rc);
	else if (is_redirect(status)) {
		follow(h, j);
		return;
	} else if (status != 200)
		set_result(j, "https-status", "HTTP status %ld from %s", status,
		    j->cur);
	else
		decode_body(j);
	if (strcmp(j->res.code, "ok") != 0) {
		/* Nothing half-made leaves with an error. */
		cert_summary_free(&j->res.cert);
	}
	lc.multi_remove_handle(h->multi, j->easy);
	active_remove(h, j);
	ready_push(h, j);
}

static void
check_done(struct https *h)
{
	CURLMsg *m;
	struct job *j;
	char *priv;
	int left;

	if (h->multi == NULL)
		return;		/* nothing started yet */
	while ((m = lc.multi_info_read(h->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		priv = NULL;
		(void)lc.easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
		    &priv);
		if ((j = (struct job *)priv) != NULL)
			transfer_done(h, j, m->data.result);
	}
}

/* --- curl's view of sockets and time --- */

static int
sock_cb(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct https *h = userp;
	struct hsock *ns;
	size_t i, cap;

	(void)e;
	(void)socketp;
	for (i = 0; i < h->nsocks && h->socks[i].fd != s; i++)
		;
	if (what == CURL_POLL_REMOVE) {
		if (i < h->nsocks)
			h->socks[i] = h->socks[--h->nsocks];
		return 0;
	}
	if (i == h->nsocks) {
		if (h->nsocks == h->capsocks) {
			cap = h->capsocks ? h->capsocks * 2 : 8;
			if ((ns = realloc(h->socks, cap * sizeof(*ns))) == NULL)
				return -1;
			h->socks = ns;
			h->capsocks = cap;
		}
		h->socks[h->nsocks++].fd = s;
	}
	h->socks[i].events = (short)(((what & CURL_POLL_IN) ? POLLIN : 0) |
	    ((what & CURL_POLL_OUT) ? POLLOUT : 0));
	return 0;
}

static int
timer_cb(CURLM *m, long timeout_ms, void *userp)
{
	struct https *h = userp;

	(void)m;
	h->timer = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	return 0;
}

/* --- CA store --- */

/*
 * Reads and checks https_ca_file (at https_new, so that a wrong path is
 * reported when the host starts, as before libcurl is needed).
 */
static int
read_ca_file(struct https *h, const struct https_config *cfg, char *err,
    size_t errlen)
{
	int rc;

	if (cfg->ca_file == NULL || cfg->ca_file[0] == '\0')
		return 0;
	if ((h->ca_file = strdup(cfg->ca_file)) == NULL) {
		seterr(err, errlen, "out of memory");
		return -1;
	}
	rc = read_file_bounded(cfg->ca_file, DS_MAX_CA_BUNDLE_BYTES,
	    &h->extra, &h->extralen);
	if (rc != 0) {
		seterr(err, errlen, "https_ca_file %s: %s", cfg->ca_file,
		    rc < 0 ? "out of memory" : rc == EFBIG ?
		    "too large" : strerror(rc));
		return -1;
	}
	if (strstr(h->extra, "-----BEGIN CERTIFICATE-----") == NULL) {
		seterr(err, errlen, "https_ca_file %s: no PEM certificate in "
		    "it", cfg->ca_file);
		return -1;
	}
	return 0;
}

/*
 * Makes ca_file trusted beside the system store (libcurl loaded).
 * libcurl's system store is its default CURLOPT_CAINFO bundle and, where
 * built with one, its default CURLOPT_CAPATH directory (Debian:
 * /etc/ssl/certs, both). With a default CAPATH, ca_file simply becomes
 * CURLOPT_CAINFO: OpenSSL then trusts the file and the directory, and
 * libcurl caches that store across connections. Without one (or with the
 * test seam), the system bundle and ca_file are read into one
 * CURLOPT_CAINFO_BLOB, which replaces CURLOPT_CAINFO and is parsed again
 * for every connection. -1 on OOM or when libcurl cannot start.
 */
static int
load_cas(struct https *h)
{
	char *sys = NULL, *defpath = NULL, *capath = NULL;
	char *path = NULL;
	size_t syslen = 0;
	CURL *t = NULL;
	int rc, ret = -1;

	if (h->extra == NULL && h->system_ca_file == NULL) {
		ret = 0;	/* libcurl's defaults as they are */
		goto out;
	}
	/* CURLINFO_CAINFO, CURLINFO_CAPATH: libcurl's defaults (7.84). */
	if ((t = lc.easy_init()) == NULL)
		goto out;
	if (lc.easy_getinfo(t, CURLINFO_CAPATH, &capath) != CURLE_OK)
		capath = NULL;
	if (h->system_ca_file == NULL && capath != NULL) {
		ret = 0;	/* h->ca_file becomes CURLOPT_CAINFO */
		goto out;
	}
	if (h->system_ca_file != NULL) {
		path = strdup(h->system_ca_file);
		h->no_capath = true;
	}
	else if (lc.easy_getinfo(t, CURLINFO_CAINFO, &defpath) ==
	    CURLE_OK && defpath != NULL)
		path = strdup(defpath);
	if (path != NULL && (rc = read_file_bounded(path,
	    DS_MAX_CA_BUNDLE_BYTES, &sys, &syslen)) != 0) {
		if (rc < 0)
			goto out;
		sys = NULL;	/* no system bundle: ca_file alone */
	}
	if ((h->ca_blob = malloc(syslen + h->extralen + 2)) == NULL)
		goto out;
	if (syslen > 0)
		memcpy(h->ca_blob, sys, syslen);
	h->ca_blob[syslen] = '\n';
	if (h->extralen > 0)
		memcpy(h->ca_blob + syslen + 1, h->extra, h->extralen);
	h->ca_blob_len = syslen + 1 + h->extralen;
	h->ca_blob[h->ca_blob_len] = '\0';
	/* The blob replaces CURLOPT_CAINFO. */
	free(h->ca_file);
	h->ca_file = NULL;
	ret = 0;
out:
	if (t != NULL)
		lc.easy_cleanup(t);
	free(path);
	free(sys);
	return ret;
}

/* --- libcurl, loaded on the first fetch --- */


/*
 * Opens libcurl once per process (name: DS_LIBCURL_SONAME, or the test
 * seam's). 0, or -1 with msg saying why. A failure is not remembered: a
 * later fetch tries again (the package may have been installed since).
 */
static int
lc_load(const char *name, char *msg, size_t msglen)
{
	static const struct { const char *name; size_t off; } syms[] = {
#define LC(f) { "curl_" #f, offsetof(struct libcurl_api, f) }
		LC(global_init), LC(global_cleanup), LC(version_info),
		LC(easy_init), LC(easy_cleanup), LC(easy_setopt),
		LC(easy_getinfo), LC(easy_strerror), LC(multi_init),
		LC(multi_cleanup), LC(multi_setopt), LC(multi_add_handle),
		LC(multi_remove_handle), LC(multi_socket_action),
		LC(multi_info_read),
#undef LC
	};
	curl_version_info_data *v;
	const char *e;
	void *lib;
	size_t i;

	if (lc.lib != NULL)
		return 0;
	if ((lib = dlopen(name, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		e = dlerror();
		seterr(msg, msglen, "the HTTPS path needs libcurl 7.85 or "
		    "newer, which cannot be loaded: %s", e != NULL ? e : name);
		return -1;
	}
	for (i = 0; i < sizeof(syms) / sizeof(syms[0]); i++)
		if (dynlib_sym(lib, syms[i].name, (char *)&lc + syms[i].off) !=
		    0) {
			seterr(msg, msglen, "%s lacks %s: the HTTPS path "
			    "needs libcurl 7.85 or newer", name, syms[i].name);
			goto fail;
		}
	/* CURLOPT_PROTOCOLS_STR (easy_setup) came with 7.85.0. */
	v = lc.version_info(CURLVERSION_NOW);
	if (v == NULL || v->version_num < 0x075500) {
		seterr(msg, msglen, "%s is libcurl %s: the HTTPS path needs "
		    "7.85 or newer", name, v != NULL && v->version != NULL ?
		    v->version : "of unknown version");
		goto fail;
	}
	lc.lib = lib;
	return 0;
fail:
	dlclose(lib);
	memset(&lc, 0, sizeof(lc));
	return -1;
}

/*
 * What the first fetch needs: libcurl, its global state, the multi
 * handle and the CA store. 0; 1 with code and msg set when the path
 * cannot work ("https-unavailable", or "internal" when libcurl or memory
 * fails us). Tried again by the next fetch after a failure.
 */
static int
start(struct https *h, const char **code, char *msg, size_t msglen)
{
	if (h->multi != NULL)
		return 0;
	if (lc_load(h->libcurl, msg, msglen) < 0) {
		*code = "https-unavailable";
		return 1;
	}
	if (!h->global) {
		if (lc.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			goto fail;
		h->global = true;
	}
	if (h->ca_blob == NULL && load_cas(h) < 0)
		goto fail;
	if ((h->multi = lc.multi_init()) == NULL)
		goto fail;
	if (lc.multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, sock_cb) !=
	    CURLM_OK ||
	    lc.multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h) != CURLM_OK ||
	    lc.multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb) !=
	    CURLM_OK ||
	    lc.multi_setopt(h->multi, CURLMOPT_TIMERDATA, h) != CURLM_OK ||
	    lc.multi_setopt(h->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    (long)DS_MAX_HTTPS_INFLIGHT) != CURLM_OK) {
		lc.multi_cleanup(h->multi);
		h->multi = NULL;
		goto fail;
	}
	return 0;
fail:
	*code = "internal";
	seterr(msg, msglen, "libcurl cannot start (out of memory or a "
	    "libcurl failure)");
	return 1;
}

/* --- API --- */

struct https *
https_new(const struct https_config *cfg, char *err, size_t errlen)
{
	struct https *h;

	if ((h = calloc(1, sizeof(*h))) == NULL) {
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	h->timer = -1;
	h->queue_tail = &h->queue;
	h->ready_tail = &h->ready;
	h->timeout_ms = cfg->timeout_ms != 0 ? cfg->timeout_ms :
	    DS_HTTPS_TIMEOUT_MS;
	h->libcurl = cfg->libcurl != NULL ? cfg->libcurl : DS_LIBCURL_SONAME;
	if (cfg->system_ca_file != NULL &&
	    (h->system_ca_file = strdup(cfg->system_ca_file)) == NULL) {
		seterr(err, errlen, "out of memory");
		goto fail;
	}
	if (read_ca_file(h, cfg, err, errlen) < 0)
		goto fail;
	return h;
fail:
	https_free(h);
	return NULL;
}

static void
free_list(struct job *j)
{
	struct job *n;

	for (; j != NULL; j = n) {
		n = j->next;
		job_free(j);
	}
}

void
https_free(struct https *h)
{
	struct job *j;

	if (h == NULL)
		return;
	for (j = h->active; j != NULL; j = j->next)
		lc.multi_remove_handle(h->multi, j->easy);
	free_list(h->active);
	free_list(h->queue);
	free_list(h->ready);
	if (h->multi != NULL)
		lc.multi_cleanup(h->multi);
	free(h->socks);
	free(h->ca_file);
	free(h->ca_blob);
	free(h->extra);
	free(h->system_ca_file);
	if (h->global)
		lc.global_cleanup();
	free(h);
}

int
https_fetch(struct https *h, const char *url, https_cb cb, void *arg)
{
	struct smime_url u;
	struct job *j;
	const char *code;
	char msg[sizeof(j->res.message)];
	size_t n;
	int rc;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return -1;
	j->cb = cb;
	j->arg = arg;
	j->deadline = now_ms() + h->timeout_ms;
	n = url != NULL ? strlen(url) : 0;
	snprintf(j->res.url, sizeof(j->res.url), "%s", url != NULL ? url : "");
	sanitize(j->res.url);
	h->npending++;
	if ((rc = smimetxt_url_check(url, n, &u)) != 0) {
		set_result(j, "https-url", "URL refused before any connection: "
		    "%s", smimetxt_strerror(rc));
		ready_push(h, j);
		return 0;
	}
	if (start(h, &code, msg, sizeof(msg)) != 0) {
		set_result(j, code, "%s", msg);
		ready_push(h, j);
		return 0;
	}
	memcpy(j->cur, u.url, sizeof(j->cur));
	j->next = NULL;
	*h->queue_tail = j;
	h->queue_tail = &j->next;
	start_queued(h);
	return 0;
}

size_t
https_pollfds(struct https *h, struct pollfd *pfd, size_t max,
    int *timeout_ms)
{
	size_t i, n = 0;
	int64_t left;

	/* Should curl ever hold more sockets than the caller has room for,
	 * start elsewhere each round so that none is left out for good. */
	if (h->nsocks > max)
		h->rotate++;
	for (i = 0; i < h->nsocks && n < max; i++) {
		struct hsock *hs = &h->socks[(i + h->rotate) % h->nsocks];

		pfd[n].fd = hs->fd;
		pfd[n].events = hs->events;
		pfd[n].revents = 0;
		n++;
	}
	if (h->ready != NULL)
		left = 0;
	else if (h->timer >= 0) {
		left = h->timer - now_ms();
		if (left < 0)
			left = 0;
	} else
		left = -1;
	/* Sockets left out this round get their turn soon, not only when
	 * curl's timer fires (a silent server would hold the others up). */
	if (h->nsocks > max && (left < 0 || left > DS_HTTPS_ROTATE_MS))
		left = DS_HTTPS_ROTATE_MS;
	if (left < 0)
		return n;
	if (left > DS_HTTPS_TIMEOUT_MS)
		left = DS_HTTPS_TIMEOUT_MS;
	if (*timeout_ms < 0 || left < *timeout_ms)
		*timeout_ms = (int)left;
	return n;
}

void
https_dispatch(struct https *h)
{
	struct job *j;

	while ((j = h->ready) != NULL) {
		if ((h->ready = j->next) == NULL)
			h->ready_tail = &h->ready;
		h->npending--;
		j->cb(j->arg, &j->res);
		job_free(j);
	}
}

void
https_process(struct https *h, const struct pollfd *pfd, size_t n)
{
	size_t i;
	int running, ev;

	for (i = 0; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		ev = 0;
		if (pfd[i].revents & (POLLIN | POLLHUP))
			ev |= CURL_CSELECT_IN;
		if (pfd[i].revents & POLLOUT)
			ev |= CURL_CSELECT_OUT;
		if (pfd[i].revents & (POLLERR | POLLNVAL))
			ev |= CURL_CSELECT_ERR;
		(void)lc.multi_socket_action(h->multi, pfd[i].fd, ev,
		    &running);
	}
	if (h->timer >= 0 && now_ms() >= h->timer) {
		h->timer = -1;	/* curl sets the next one inside */
		(void)lc.multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT,
		    0, &running);
	}
	check_done(h);
	start_queued(h);
	https_dispatch(h);
}

size_t
https_pending(const struct https *h)
{
	return h->npending;
}
