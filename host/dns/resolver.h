/* resolver.h - SMIMEA queries through c-ares to a trusted validator.
 *
 * Owns the c-ares channels. Queries carry RD, AD and DO (RFC 6840 5.7,
 * 5.8) and EDNS0 with a 1232-byte UDP size. A truncated UDP answer
 * (RFC 1035 4.2.1) is asked again over TCP, each TCP question on a
 * connection of its own: a resolver that resets or closes one TCP
 * connection ends only the question sent on it ("unreachable"), never
 * other lookups in flight. Every question has one time bound, counted
 * from its first send and kept across the TCP retry: nresolvers x
 * timeout_ms x (2^attempts - 1), after which it ends with "timeout".
 * At most DS_MAX_INFLIGHT queries are on the wire; the rest wait in a
 * FIFO so a burst never loses a lookup to full socket buffers. Identical
 * questions in flight are coalesced, and answers are cached for their
 * TTL (RFC 2308 for negative answers) while the process lives.
 *
 * Callbacks never run inside resolver_query(): they run from
 * resolver_process() or resolver_dispatch(), so callers may start new
 * queries from a callback.
 */
#ifndef DS_RESOLVER_H
#define DS_RESOLVER_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "dnsmsg.h"

enum dns_result_kind {
	DNSR_ANSWER = 0,	/* msg holds a parsed response (any RCODE) */
	DNSR_ERROR,		/* no usable response: err_code/err_message say why */
	DNSR_INTERNAL,		/* our own failure (out of memory, no random
				 * query ID): err_code "internal", and the
				 * caller gives up (-1), it is not the DNS's */
};

struct dns_result {
	enum dns_result_kind kind;
	const char *err_code;	/* "timeout", "unreachable", "malformed-answer", ... */
	char err_message[256];
	struct dnsmsg msg;
	bool trusted;		/* the AD bit of msg may be believed */
	bool from_cache;
	size_t wire_len;	/* size of the answer as received */
};

/* resolver_query flags */
#define RESQ_TCP 0x1		/* over TCP only, never cached or coalesced */

typedef void (*resolver_cb)(void *arg, const struct dns_result *res);

struct resolver;

/* Returns NULL with err filled on failure (bad configuration, c-ares). */
struct resolver *resolver_new(const struct config *cfg, char *err, size_t errlen);
void resolver_free(struct resolver *r);

/* Asks for (qname, qtype, IN). qname is presentation form, no trailing
 * dot. The callback runs exactly once, later. Returns 0, or -1 on OOM. */
int resolver_query(struct resolver *r, const char *qname, uint16_t qtype,
    resolver_cb cb, void *arg);
/* The same with RESQ_* flags. */
int resolver_query_flags(struct resolver *r, const char *qname,
    uint16_t qtype, unsigned flags, resolver_cb cb, void *arg);

/* Poll integration: fills at most max pollfds and returns how many;
 * *timeout_ms is lowered to when c-ares next needs attention (0 when
 * callbacks are ready to run). */
size_t resolver_pollfds(struct resolver *r, struct pollfd *pfd, size_t max,
    int *timeout_ms);
/* Handles the revents of the pollfds given back by resolver_pollfds,
 * timeouts, and runs ready callbacks. */
void resolver_process(struct resolver *r, const struct pollfd *pfd, size_t n);
/* Runs callbacks that are ready (cache hits, coalesced answers). */
void resolver_dispatch(struct resolver *r);
/* Lookups not yet answered (queued, on the wire, or ready to call back). */
size_t resolver_pending(const struct resolver *r);

/* Whether AD from these resolvers is believed, and a sentence saying why
 * (RFC 4035 4.9.3, RFC 6698 8.3). */
bool resolver_trusted(const struct resolver *r);
const char *resolver_trust_reason(const struct resolver *r);

#endif
