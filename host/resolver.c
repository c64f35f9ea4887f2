/* resolver.c - c-ares channel, in-flight window, coalescing, TTL cache.
 * See resolver.h for the contract. Written for c-ares 1.18 (no AD/DO API,
 * no record parser, ares_process_fd), and works with newer releases. */
#include <ares.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "dslimits.h"
#include "log.h"
#include "resolver.h"

#define CACHE_BUCKETS 16384	/* power of two */

enum entry_state { E_QUEUED, E_INFLIGHT, E_DONE };

struct waiter {
	resolver_cb cb;
	void *arg;
	bool from_cache;
	struct waiter *next;
};

struct entry {
	char *qname;
	uint16_t qtype;
	uint16_t qid;
	enum entry_state state;
	struct dns_result res;
	int64_t expires;	/* monotonic ms */
	bool tcp;		/* on the TCP channel; not in the cache */
	bool retried;		/* sent again after ECONNREFUSED */
	bool on_ready;
	struct waiter *waiters, **waiters_tail;
	struct entry *hnext;	/* hash chain */
	struct entry *qnext;	/* send queue or ready list */
	struct resolver *owner;
};

struct sock {
	ares_socket_t fd;
	bool rd, wr;
};

struct resolver {
	ares_channel channel;
	ares_channel tcp_channel;	/* ARES_FLAG_USEVC, made on first use */
	const struct config *cfg;
	bool lib_init;
	struct entry *tcp_entries;	/* RESQ_TCP questions, not cached */
	size_t cache_bytes;	/* what answers in the table hold, roughly */
	size_t evict_cursor;	/* bucket where eviction goes on */
	bool trusted;
	char trust_reason[512];
	struct entry *buckets[CACHE_BUCKETS];
	size_t nentries;
	struct entry *queue, **queue_tail;	/* not yet sent */
	struct entry *ready, **ready_tail;	/* done, waiters to call */
	size_t inflight;
	size_t pending;		/* waiters not yet called back */
	struct sock *socks;
	size_t nsocks, socks_cap;
	uint8_t ids[65536 / 8];	/* query IDs on the wire */
	uint16_t rand_pool[64];
	size_t rand_left;
	unsigned timeout_ms, attempts;
};

static int make_channel(struct resolver *, const struct config *, int,
    ares_channel *, char *, size_t);

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t
hash_name(const char *s, uint16_t qtype)
{
	uint32_t h = 2166136261u ^ qtype;	/* FNV-1a */

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		h = (h ^ c) * 16777619u;
	}
	return h & (CACHE_BUCKETS - 1);
}

/* Unpredictable query IDs (RFC 5452 9.2): c-ares 1.18's ares_send keeps
 * the ID we put in the buffer, so it is ours to choose. */
static int
next_qid(struct resolver *r, uint16_t *out)
{
	int tries;

	for (tries = 0; tries < 1000; tries++) {
		uint16_t id;

		if (r->rand_left == 0) {
			if (getrandom(r->rand_pool, sizeof(r->rand_pool), 0) !=
			    (ssize_t)sizeof(r->rand_pool))
				return -1;
			r->rand_left = sizeof(r->rand_pool) / sizeof(r->rand_pool[0]);
		}
		id = r->rand_pool[--r->rand_left];
		if (r->ids[id / 8] & (1u << (id % 8)))
			continue;
		r->ids[id / 8] |= (uint8_t)(1u << (id % 8));
		*out = id;
		return 0;
	}
	return -1;
}

static void
release_qid(struct resolver *r, uint16_t id)
{
	r->ids[id / 8] &= (uint8_t)~(1u << (id % 8));
}

static void
sock_state_cb(void *data, ares_socket_t fd, int readable, int writable)
{
	struct resolver *r = data;
	size_t i;

	for (i = 0; i < r->nsocks; i++)
		if (r->socks[i].fd == fd)
			break;
	if (!readable && !writable) {
		if (i < r->nsocks)
			r->socks[i] = r->socks[--r->nsocks];
		return;
	}
	if (i == r->nsocks) {
		if (r->nsocks == r->socks_cap) {
			size_t cap = r->socks_cap ? r->socks_cap * 2 : 8;
			struct sock *n = realloc(r->socks, cap * sizeof(*n));

			if (n == NULL) {
				/* Without the fd we would never read the answer:
				 * the query then ends by timeout, not silently. */
				log_error("resolver: out of memory tracking sockets");
				return;
			}
			r->socks = n;
			r->socks_cap = cap;
		}
		r->socks[r->nsocks++].fd = fd;
	}
	r->socks[i].rd = readable != 0;
	r->socks[i].wr = writable != 0;
}

static struct entry *
lookup_entry(struct resolver *r, const char *qname, uint16_t qtype)
{
	struct entry *e;

	for (e = r->buckets[hash_name(qname, qtype)]; e != NULL; e = e->hnext)
		if (e->qtype == qtype && strcasecmp(e->qname, qname) == 0)
			return e;
	return NULL;
}

static void
unlink_entry(struct resolver *r, struct entry *e)
{
	struct entry **pp = &r->buckets[hash_name(e->qname, e->qtype)];

	for (; *pp != NULL; pp = &(*pp)->hnext)
		if (*pp == e) {
			*pp = e->hnext;
			r->nentries--;
			return;
		}
}

static void
free_waiters(struct entry *e)
{
	struct waiter *w = e->waiters;

	while (w != NULL) {
		struct waiter *wn = w->next;
		free(w);
		w = wn;
	}
	e->waiters = NULL;
}

/* What an answer costs in memory, for the cache budget. */
static size_t
entry_bytes(const struct entry *e)
{
	size_t i, n = sizeof(*e) + strlen(e->qname) + 1;

	for (i = 0; i < e->res.msg.nrecords; i++)
		n += sizeof(e->res.msg.records[i]) + e->res.msg.records[i].len;
	return n;
}

static void
free_entry(struct entry *e)
{
	if (e == NULL)
		return;
	dnsmsg_free(&e->res.msg);
	free(e->qname);
	free(e);
}

/* Drops expired answers nobody waits for. Called only when the cache is
 * full, so the cost is paid rarely. */
static void
sweep(struct resolver *r, int64_t now)
{
	size_t b;

	for (b = 0; b < CACHE_BUCKETS; b++) {
		struct entry **pp = &r->buckets[b];

		while (*pp != NULL) {
			struct entry *e = *pp;

			if (e->state == E_DONE && !e->on_ready &&
			    e->waiters == NULL && e->expires <= now) {
				*pp = e->hnext;
				r->nentries--;
				r->cache_bytes -= entry_bytes(e);
				free_entry(e);
			} else
				pp = &e->hnext;
		}
	}
}

static void
ready_push(struct resolver *r, struct entry *e)
{
	if (e->on_ready)
		return;
	e->on_ready = true;
	e->qnext = NULL;
	*r->ready_tail = e;
	r->ready_tail = &e->qnext;
}

/* Keeps the cache within DS_CACHE_MAX_BYTES: answers nobody waits for
 * go first when expired, then in bucket order from where the last
 * eviction stopped (cheap, and fair enough for a cache whose only job is
 * to spare the validator repeated questions). */
static void
evict(struct resolver *r)
{
	int64_t now = now_ms();
	size_t scanned;

	if (r->cache_bytes <= DS_CACHE_MAX_BYTES)
		return;
	sweep(r, now);
	for (scanned = 0; scanned < CACHE_BUCKETS &&
	    r->cache_bytes > DS_CACHE_MAX_BYTES / 4 * 3; scanned++) {
		struct entry **pp = &r->buckets[r->evict_cursor];

		r->evict_cursor = (r->evict_cursor + 1) & (CACHE_BUCKETS - 1);
		while (*pp != NULL) {
			struct entry *e = *pp;

			if (e->state == E_DONE && !e->on_ready &&
			    e->waiters == NULL) {
				*pp = e->hnext;
				r->nentries--;
				r->cache_bytes -= entry_bytes(e);
				free_entry(e);
			} else
				pp = &e->hnext;
		}
	}
}

static void
complete(struct resolver *r, struct entry *e)
{
	int64_t now = now_ms();
	uint32_t ttl;

	e->state = E_DONE;
	if (e->res.kind == DNSR_ERROR)
		ttl = DS_CACHE_ERROR_TTL;
	else if (e->res.msg.rcode != 0 && e->res.msg.rcode != 3)
		ttl = DS_CACHE_ERROR_TTL;	/* SERVFAIL, REFUSED, ... */
	else
		ttl = e->res.msg.ttl < DS_CACHE_MAX_TTL ? e->res.msg.ttl :
		    DS_CACHE_MAX_TTL;
	e->expires = now + (int64_t)ttl * 1000;
	ready_push(r, e);
	if (!e->tcp) {
		r->cache_bytes += entry_bytes(e);
		evict(r);
	}
}

static void set_error(struct entry *, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_error(struct entry *e, const char *code, const char *fmt, ...)
{
	va_list ap;

	e->res.kind = DNSR_ERROR;
	e->res.err_code = code;
	va_start(ap, fmt);
	vsnprintf(e->res.err_message, sizeof(e->res.err_message), fmt, ap);
	va_end(ap);
}

static void
answer_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct entry *e = arg;
	struct resolver *r = e->owner;
	char why[128];
	int rc;

	(void)timeouts;
	if (status == ARES_EDESTRUCTION)
		return;		/* resolver_free is tearing everything down */
	release_qid(r, e->qid);
	r->inflight--;
	e->res.trusted = r->trusted;
	switch (status) {
	case ARES_SUCCESS:
		e->res.wire_len = (size_t)alen;
		rc = dnsmsg_parse(abuf, (size_t)alen, e->qname, e->qtype,
		    &e->res.msg);
		if (rc == 0) {
			e->res.kind = DNSR_ANSWER;
			break;
		}
		if (rc < 0) {
			set_error(e, "internal", "%s", "out of memory");
			break;
		}
		snprintf(why, sizeof(why), "%s", dnsmsg_strerror(rc));
		set_error(e, "malformed-answer", "malformed DNS answer: %s", why);
		break;
	case ARES_ETIMEOUT:
		snprintf(why, sizeof(why), "%u ms x %u attempts", r->timeout_ms,
		    r->attempts);
		set_error(e, "timeout", "no answer from the resolver (%s)", why);
		break;
	case ARES_ECONNREFUSED:
		/* c-ares 1.18 ends every query queued on a server whose TCP
		 * connection broke, not only the one that broke it: ask once
		 * more before calling the resolver unreachable. */
		if (!e->retried) {
			e->retried = true;
			e->state = E_QUEUED;
			e->qnext = NULL;
			*r->queue_tail = e;
			r->queue_tail = &e->qnext;
			return;
		}
		set_error(e, "unreachable", "%s",
		    "the resolver refused the connection or is not running");
		break;
	case ARES_EBADRESP:
		set_error(e, "malformed-answer", "%s",
		    "the resolver sent an answer c-ares could not read");
		break;
	case ARES_ENOMEM:
		set_error(e, "internal", "%s", "out of memory");
		break;
	default:
		set_error(e, "resolver-error", "resolver failure: %s",
		    ares_strerror(status));
		break;
	}
	complete(r, e);
}

/* Puts queued questions on the wire while the window has room. */
static void
pump(struct resolver *r)
{
	while (r->queue != NULL && r->inflight < DS_MAX_INFLIGHT) {
		struct entry *e = r->queue;
		unsigned char *buf = NULL;
		int len = 0, rc;

		r->queue = e->qnext;
		if (r->queue == NULL)
			r->queue_tail = &r->queue;
		e->qnext = NULL;

		if (next_qid(r, &e->qid) < 0) {
			set_error(e, "internal", "%s", "no random query ID");
			complete(r, e);
			continue;
		}
		rc = ares_create_query(e->qname, 1 /* IN */, e->qtype, e->qid,
		    1, &buf, &len, DS_EDNS_UDP_SIZE);
		if (rc != ARES_SUCCESS || len < 12 + 11) {
			release_qid(r, e->qid);
			if (buf != NULL)
				ares_free_string(buf);
			set_error(e, rc == ARES_ENOMEM ? "internal" :
			    "bad-query", "cannot build the query: %s",
			    ares_strerror(rc));
			complete(r, e);
			continue;
		}
		/* AD=1 asks the validator to tell us the answer is
		 * authentic (RFC 6840 5.7); DO=1 in the OPT RR, the top bit
		 * of its flags, the 8th of the last 11 bytes (RFC 3225,
		 * RFC 6840 5.8). Never CD: we want the validator's verdict. */
		buf[3] |= 0x20;
		buf[len - 11 + 7] |= 0x80;
		e->state = E_INFLIGHT;
		r->inflight++;
		ares_send(e->tcp ? r->tcp_channel : r->channel, buf, len,
		    answer_cb, e);
		ares_free_string(buf);
	}
}

int
resolver_query(struct resolver *r, const char *qname, uint16_t qtype,
    resolver_cb cb, void *arg)
{
	return resolver_query_flags(r, qname, qtype, 0, cb, arg);
}

/* A TCP-only question: its own entry, outside the cache, so the answer
 * really crossed a TCP connection. */
static int
query_tcp(struct resolver *r, const char *qname, uint16_t qtype,
    struct waiter *w)
{
	struct entry *e;
	char err[256];

	if (r->tcp_channel == NULL && make_channel(r, r->cfg,
	    ARES_FLAG_USEVC, &r->tcp_channel, err, sizeof(err)) < 0) {
		log_error("resolver: %s", err);
		return -1;
	}
	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->qname = strdup(qname)) == NULL) {
		free(e);
		return -1;
	}
	e->qtype = qtype;
	e->owner = r;
	e->tcp = true;
	e->state = E_QUEUED;
	e->waiters = w;
	e->waiters_tail = &w->next;
	e->hnext = r->tcp_entries;
	r->tcp_entries = e;
	*r->queue_tail = e;
	r->queue_tail = &e->qnext;
	r->pending++;
	return 0;
}

int
resolver_query_flags(struct resolver *r, const char *qname, uint16_t qtype,
    unsigned flags, resolver_cb cb, void *arg)
{
	struct entry *e;
	struct waiter *w;
	int64_t now = now_ms();

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	w->cb = cb;
	w->arg = arg;
	if (flags & RESQ_TCP) {
		if (query_tcp(r, qname, qtype, w) < 0) {
			free(w);
			return -1;
		}
		return 0;
	}

	e = lookup_entry(r, qname, qtype);
	if (e != NULL && e->state == E_DONE && e->expires <= now &&
	    !e->on_ready && e->waiters == NULL) {
		unlink_entry(r, e);
		r->cache_bytes -= entry_bytes(e);
		free_entry(e);
		e = NULL;
	}
	if (e == NULL) {
		if (r->nentries >= DS_CACHE_MAX_ENTRIES)
			sweep(r, now);
		if ((e = calloc(1, sizeof(*e))) == NULL ||
		    (e->qname = strdup(qname)) == NULL) {
			free(e);
			free(w);
			return -1;
		}
		e->qtype = qtype;
		e->owner = r;
		e->waiters_tail = &e->waiters;
		e->state = E_QUEUED;
		{
			uint32_t h = hash_name(qname, qtype);
			e->hnext = r->buckets[h];
			r->buckets[h] = e;
			r->nentries++;
		}
		*r->queue_tail = e;
		r->queue_tail = &e->qnext;
	} else if (e->state == E_DONE) {
		w->from_cache = true;
		ready_push(r, e);
	}
	/* Queued or in flight: coalesce onto the same question. */
	*e->waiters_tail = w;
	e->waiters_tail = &w->next;
	r->pending++;
	return 0;
}

void
resolver_dispatch(struct resolver *r)
{
	/* Callbacks may add queries (and ready entries): take the list. */
	while (r->ready != NULL) {
		struct entry *e = r->ready;
		struct waiter *w;

		r->ready = e->qnext;
		if (r->ready == NULL)
			r->ready_tail = &r->ready;
		e->qnext = NULL;
		e->on_ready = false;
		w = e->waiters;
		e->waiters = NULL;
		e->waiters_tail = &e->waiters;
		while (w != NULL) {
			struct waiter *next = w->next;

			e->res.from_cache = w->from_cache;
			r->pending--;
			w->cb(w->arg, &e->res);
			free(w);
			w = next;
		}
		if (e->tcp) {
			struct entry **pp = &r->tcp_entries;

			while (*pp != e)
				pp = &(*pp)->hnext;
			*pp = e->hnext;
			free_entry(e);
		}
	}
	pump(r);
}

size_t
resolver_pollfds(struct resolver *r, struct pollfd *pfd, size_t max,
    int *timeout_ms)
{
	struct timeval tv, *tvp;
	size_t i, n = 0;

	pump(r);
	if (r->ready != NULL) {
		*timeout_ms = 0;
	} else {
		ares_channel chans[2] = { r->channel, r->tcp_channel };
		size_t c;

		for (c = 0; c < 2; c++) {
			long ms;

			if (chans[c] == NULL ||
			    (tvp = ares_timeout(chans[c], NULL, &tv)) == NULL)
				continue;
			ms = tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000;
			if (*timeout_ms < 0 || ms < *timeout_ms)
				*timeout_ms = (int)ms;
		}
	}
	for (i = 0; i < r->nsocks && n < max; i++) {
		pfd[n].fd = r->socks[i].fd;
		pfd[n].events = (short)((r->socks[i].rd ? POLLIN : 0) |
		    (r->socks[i].wr ? POLLOUT : 0));
		pfd[n].revents = 0;
		n++;
	}
	return n;
}

void
resolver_process(struct resolver *r, const struct pollfd *pfd, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		ares_socket_t rfd = ARES_SOCKET_BAD, wfd = ARES_SOCKET_BAD;

		if (pfd[i].revents & (POLLIN | POLLERR | POLLHUP))
			rfd = pfd[i].fd;
		if (pfd[i].revents & POLLOUT)
			wfd = pfd[i].fd;
		/* A channel ignores descriptors that are not its own. */
		if (rfd != ARES_SOCKET_BAD || wfd != ARES_SOCKET_BAD) {
			ares_process_fd(r->channel, rfd, wfd);
			if (r->tcp_channel != NULL)
				ares_process_fd(r->tcp_channel, rfd, wfd);
		}
	}
	/* Timeouts and retries. */
	ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	if (r->tcp_channel != NULL)
		ares_process_fd(r->tcp_channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	resolver_dispatch(r);
}

size_t
resolver_pending(const struct resolver *r)
{
	return r->pending;
}

bool
resolver_trusted(const struct resolver *r)
{
	return r->trusted;
}

const char *
resolver_trust_reason(const struct resolver *r)
{
	return r->trust_reason;
}

/* RFC 4035 4.9.3 and RFC 6698 8.3: a stub may believe AD only from a
 * validator it reaches over a secure path. Loopback is such a path; any
 * other address needs the administrator's explicit word. */
static void
decide_trust(struct resolver *r, const struct config *cfg)
{
	size_t i, remote = 0;
	const char *first_remote = NULL;

	for (i = 0; i < cfg->nresolvers; i++)
		if (!cfg->resolvers[i].loopback) {
			remote++;
			if (first_remote == NULL)
				first_remote = cfg->resolvers[i].text;
		}
	switch (cfg->trust_ad) {
	case TRUST_NO:
		r->trusted = false;
		snprintf(r->trust_reason, sizeof(r->trust_reason),
		    "the configuration says trust_ad = no: no answer is "
		    "reported secure");
		break;
	case TRUST_YES:
		r->trusted = true;
		snprintf(r->trust_reason, sizeof(r->trust_reason),
		    remote ? "trust_ad = yes: the AD bit from %s is believed "
		    "because the configuration says the path to it is secure" :
		    "trust_ad = yes%s: the AD bit is believed",
		    remote ? first_remote : "");
		break;
	default:
		r->trusted = remote == 0;
		if (r->trusted)
			snprintf(r->trust_reason, sizeof(r->trust_reason),
			    "every resolver is on this machine (loopback): "
			    "its AD bit is believed");
		else
			snprintf(r->trust_reason, sizeof(r->trust_reason),
			    "resolver %s is not on this machine, and an AD bit "
			    "that crossed the network can be forged (RFC 6698 "
			    "8.3): no answer is reported secure. Run a local "
			    "validating resolver (unbound, or systemd-resolved "
			    "with DNSSEC=yes) and point resolver = at it, or "
			    "set trust_ad = yes if the path is secured",
			    first_remote);
		break;
	}
}

/* One c-ares channel to the configured resolvers. extra_flags adds
 * ARES_FLAG_USEVC for the TCP-only channel. */
static int
make_channel(struct resolver *r, const struct config *cfg, int extra_flags,
    ares_channel *out, char *err, size_t errlen)
{
	struct ares_options opts;
	struct ares_addr_port_node *nodes = NULL;
	ares_channel ch = NULL;
	size_t i;
	int rc, ret = -1;

	memset(&opts, 0, sizeof(opts));
	/* NOCHECKRESP: SERVFAIL is how a validator says "bogus"; without
	 * the flag c-ares retries it and reports ECONNREFUSED instead. */
	opts.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_EDNS |
	    ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES | extra_flags;
	opts.ednspsz = DS_EDNS_UDP_SIZE;
	opts.timeout = (int)cfg->timeout_ms;
	opts.tries = (int)cfg->attempts;
	opts.ndomains = 0;
	opts.sock_state_cb = sock_state_cb;
	opts.sock_state_cb_data = r;
	rc = ares_init_options(&ch, &opts, ARES_OPT_FLAGS |
	    ARES_OPT_EDNSPSZ | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	    ARES_OPT_DOMAINS | ARES_OPT_SOCK_STATE_CB | ARES_OPT_NOROTATE);
	if (rc != ARES_SUCCESS) {
		ch = NULL;
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		goto out;
	}
	if ((nodes = calloc(cfg->nresolvers, sizeof(*nodes))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < cfg->nresolvers; i++) {
		const struct resolver_addr *ra = &cfg->resolvers[i];
		struct ares_addr_port_node *n = &nodes[i];

		n->next = i + 1 < cfg->nresolvers ? &nodes[i + 1] : NULL;
		if (ra->ss.ss_family == AF_INET) {
			const struct sockaddr_in *sin = (const void *)&ra->ss;
			n->family = AF_INET;
			memcpy(&n->addr.addr4, &sin->sin_addr, 4);
			n->udp_port = n->tcp_port = ntohs(sin->sin_port);
		} else {
			const struct sockaddr_in6 *sin6 = (const void *)&ra->ss;
			n->family = AF_INET6;
			memcpy(&n->addr.addr6, &sin6->sin6_addr, 16);
			n->udp_port = n->tcp_port = ntohs(sin6->sin6_port);
		}
	}
	if ((rc = ares_set_servers_ports(ch, nodes)) != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		goto out;
	}
	*out = ch;
	ch = NULL;
	ret = 0;
out:
	if (ch != NULL)
		ares_destroy(ch);
	free(nodes);
	return ret;
}

struct resolver *
resolver_new(const struct config *cfg, char *err, size_t errlen)
{
	struct resolver *r = NULL, *ret = NULL;
	int rc;

	if (cfg->nresolvers == 0) {
		snprintf(err, errlen, "no resolver configured and none found "
		    "in /etc/resolv.conf");
		goto out;
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	r->cfg = cfg;
	r->queue_tail = &r->queue;
	r->ready_tail = &r->ready;
	r->timeout_ms = cfg->timeout_ms;
	r->attempts = cfg->attempts;
	decide_trust(r, cfg);

	if ((rc = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		goto out;
	}
	r->lib_init = true;
	if (make_channel(r, cfg, 0, &r->channel, err, errlen) < 0)
		goto out;
	ret = r;
	r = NULL;
out:
	resolver_free(r);
	return ret;
}

void
resolver_free(struct resolver *r)
{
	size_t b;

	if (r == NULL)
		return;
	/* EDESTRUCTION callbacks touch nothing. */
	if (r->channel != NULL)
		ares_destroy(r->channel);
	if (r->tcp_channel != NULL)
		ares_destroy(r->tcp_channel);
	if (r->lib_init)
		ares_library_cleanup();
	while (r->tcp_entries != NULL) {
		struct entry *e = r->tcp_entries;

		r->tcp_entries = e->hnext;
		free_waiters(e);
		free_entry(e);
	}
	for (b = 0; b < CACHE_BUCKETS; b++) {
		struct entry *e = r->buckets[b];

		while (e != NULL) {
			struct entry *next = e->hnext;

			free_waiters(e);
			free_entry(e);
			e = next;
		}
	}
	free(r->socks);
	free(r);
}
