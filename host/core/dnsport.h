/* dnsport.h - what the engine asks DNS through (issue 16 step 5).
 *
 * The engine never names the resolver: it asks a port, a context and
 * the few functions it calls. engine_new wires in the real resolver
 * (resolver.h) behind it; a unit test (tests/unit/test_engine.c) can
 * answer from a table instead. The contract is the resolver's: query's
 * callback runs exactly once, later (never from inside query); trusted
 * and trust_reason say whether AD is believed and why (RFC 4035 4.9.3,
 * RFC 6698 8.3). Polling stays with whoever owns the resolver
 * (native.c, cli.c).
 */
#ifndef DS_DNSPORT_H
#define DS_DNSPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "resolver.h"

struct dns_port {
	void *ctx;
	/* Asks for (qname, qtype, IN) with RESQ_* flags; 0, or -1 on OOM. */
	int (*query)(void *ctx, const char *qname, uint16_t qtype,
	    unsigned flags, resolver_cb cb, void *arg);
	bool (*trusted)(const void *ctx);
	const char *(*trust_reason)(const void *ctx);
};

#endif
