/* https.h - fetch one certificate over HTTPS (issue 18), driven by the
 * host's own poll loop beside c-ares.
 *
 * libcurl's multi interface in its socket form: curl tells us which
 * sockets to watch (CURLMOPT_SOCKETFUNCTION) and when to call back
 * (CURLMOPT_TIMERFUNCTION); https_pollfds hands them to poll(2) and
 * https_process gives curl what happened. Fetches run concurrently with
 * DNS lookups and with each other (at most DS_MAX_HTTPS_INFLIGHT at once,
 * the rest wait in a FIFO).
 *
 * Policy for every fetch:
 *   - the URL must pass smimetxt_url_check (https only, a DNS host name,
 *     no userinfo, no fragment, ...) or it is refused before any
 *     connection ("https-url");
 *   - TLS 1.2 or newer, the server's certificate verified for the host
 *     against the system CA store plus https_ca_file when configured;
 *   - redirects (301, 302, 303, 307, 308) are followed by us, not by
 *     curl: at most DS_MAX_HTTPS_REDIRECTS, each target checked again by
 *     the URL rules (so never to http, never with credentials);
 *   - the body is at most DS_MAX_HTTPS_BODY octets (a bigger
 *     Content-Length is refused before the body, a longer body is cut
 *     off as it arrives); only status 200 is an answer;
 *   - one time bound for the whole fetch, redirects included
 *     (DS_HTTPS_TIMEOUT_MS unless configured);
 *   - no cookies, no credentials (no .netrc, no userinfo), no
 *     Accept-Encoding (no decompression), a User-Agent naming
 *     dane-smime and its version;
 *   - no proxy, also none from http_proxy/https_proxy/ALL_PROXY in the
 *     environment: where lookups go is decided by the configuration
 *     alone (like the resolver), a proxy would learn every domain
 *     looked up, and an environment meant for other programs should not
 *     silently change that (TLS stays end to end either way).
 * The body is a certificate, PEM (RFC 7468; the first CERTIFICATE block
 * is the certificate, further ones are kept as its chain) or one DER
 * certificate (RFC 5280) exactly filling the body; the Content-Type is
 * not trusted either way. It is decoded with certs_decode.
 *
 * Callbacks never run inside https_fetch: they run from https_process
 * or https_dispatch, so callers may start new fetches from a callback.
 */
#ifndef DS_HTTPS_H
#define DS_HTTPS_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "certs.h"
#include "dslimits.h"

struct https_config {
	/* https_ca_file: PEM CA certificates trusted beside the system
	 * store (enterprise CAs, tests). NULL or "" for none. */
	const char *ca_file;
	/* The whole fetch; 0 is DS_HTTPS_TIMEOUT_MS. */
	unsigned timeout_ms;
	/* Test seam: the file read as "the system store" instead of
	 * libcurl's built-in CA bundle and directory. NULL in the host. */
	const char *system_ca_file;
	/* Test seam: the library dlopen'ed on the first fetch instead of
	 * DS_LIBCURL_SONAME. NULL in the host. */
	const char *libcurl;
};

struct https_result {
	/*
	 * "ok", or why not:
	 *   https-url            URL refused before any connection (smimetxt)
	 *   https-connect        host not resolved, connection refused or lost
	 *   https-tls            TLS handshake or server certificate not
	 *                        verified (unknown CA, name mismatch, expired)
	 *   https-redirect       more than DS_MAX_HTTPS_REDIRECTS, a redirect
	 *                        without a usable Location, or to a URL the
	 *                        rules refuse (http, credentials, ...)
	 *   https-too-large      body over DS_MAX_HTTPS_BODY
	 *   https-timeout        the time bound passed
	 *   https-status         an HTTP status other than 200 (status says)
	 *   https-not-certificate body is neither PEM nor one DER certificate,
	 *                        or certs_decode refuses it
	 *   https-error          any other transfer failure (message says)
	 *   https-unavailable    libcurl (7.85 or newer) cannot be loaded:
	 *                        it is opened on the first fetch, not linked
	 *   internal             out of memory or a libcurl failure of ours
	 */
	const char *code;
	char message[384];		/* one sentence, printable ASCII */
	char url[DS_MAX_SMIME_URL + 1];	/* as asked */
	char final_url[DS_MAX_SMIME_URL + 1]; /* last one fetched, "" if none */
	unsigned redirects;		/* followed */
	long status;			/* last HTTP status, 0 if none */
	/* "ok" only: the certificate decoded, and the DER of further PEM
	 * blocks (its chain as served, undecoded, at most DS_MAX_CHAIN).
	 * The callback may take them: move them out and zero the fields. */
	struct cert_summary cert;
	uint8_t **chain;
	size_t *chain_lens;
	size_t nchain;
};

typedef void (*https_cb)(void *arg, struct https_result *res);

struct https;

/* Returns NULL with err filled when ca_file cannot be read or holds no
 * PEM certificate. Cheap: libcurl is loaded and started by the first
 * fetch (a fetch then fails with "https-unavailable" without it). */
struct https *https_new(const struct https_config *cfg, char *err,
    size_t errlen);
/* Ends every fetch without calling back. Accepts NULL. Not from inside
 * a callback. */
void https_free(struct https *h);

/* Fetches url. The callback runs exactly once, later. Returns 0, or -1
 * on out of memory (no callback then). */
int https_fetch(struct https *h, const char *url, https_cb cb, void *arg);

/* Poll integration, as resolver_pollfds: fills at most max pollfds
 * (give room for DS_MAX_HTTPS_FDS: curl holds at most that many sockets,
 * and one left out would stall its fetch until the time bound), returns
 * how many; lowers *timeout_ms (-1: none) to when curl next needs a call
 * (0 when callbacks are ready to run). */
size_t https_pollfds(struct https *h, struct pollfd *pfd, size_t max,
    int *timeout_ms);
/* Hands the revents of those pollfds and due timers to curl, finishes
 * fetches and runs their callbacks. */
void https_process(struct https *h, const struct pollfd *pfd, size_t n);
/* Runs callbacks that are ready (refused URLs). */
void https_dispatch(struct https *h);
/* Fetches not yet called back. */
size_t https_pending(const struct https *h);

/*
 * The body rules above, exposed for the CLI and tests: body[0..len) as
 * PEM or DER into *ee (the first certificate, malloc'ed) and the chain
 * (as in https_result). Returns 0, 1 if it is no certificate (*why says
 * why, statically), -1 on OOM.
 */
int https_body_certs(const uint8_t *body, size_t len, uint8_t **ee,
    size_t *ee_len, uint8_t ***chain, size_t **chain_lens, size_t *nchain,
    const char **why);

#endif
