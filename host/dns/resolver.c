/* resolver.c - c-ares channels, in-flight window, coalescing, TTL cache.
 * See resolver.h for the contract. Written for c-ares 1.18 (no AD/DO API,
 * no record parser, ares_process_fd), and works with newer releases.
 *
 * Why TCP questions get a channel each: c-ares 1.18 treats a TCP
 * connection that is reset or closed as a failure of the whole server
 * (ares_process.c handle_error): it closes the server's UDP and TCP
 * sockets and re-sends, or with its tries used up ends with
 * ECONNREFUSED, every query on that server -- not only the one whose
 * connection broke. One name whose answer is truncated (RFC 1035 4.2.1)
 * and whose TCP connection the resolver then resets would take every
 * other lookup in flight with it. So the UDP channel sets
 * ARES_FLAG_IGNTC and never opens TCP; a truncated answer comes back to
 * us and the question is asked again on a channel of its own with
 * ARES_FLAG_USEVC, which carries that one question and is destroyed
 * after it. A reset there can end nothing but the question that caused
 * it. (RFC 7766 6.2.1 prefers reusing connections; isolation matters
 * more here, and TCP questions are rare: large record sets only.) */
#include <ares.h>
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
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

struct chan;

struct entry {
	char *qname;
	uint16_t qtype;
	uint16_t qid;
	enum entry_state state;
	struct dns_result res;
	int64_t expires;	/* monotonic ms */
	int64_t deadline;	/* monotonic ms; 0 until first sent */
	bool tcp;		/* RESQ_TCP: not in the cache */
	bool use_tcp;		/* next send goes over TCP (RESQ_TCP or TC) */
	bool retried;		/* sent again after ECONNREFUSED */
	struct chan *conn;	/* its own TCP channel while on it */
	bool on_ready;
	struct waiter *waiters, **waiters_tail;
	struct entry *hnext;	/* hash chain */
	struct entry *qnext;	/* send queue or ready list */
	struct resolver *owner;
};

/* A c-ares channel: the shared UDP one, or one TCP question's own. */
struct chan {
	ares_channel ch;
	struct resolver *r;
	int64_t deadline;	/* TCP: cancelled at this time (monotonic ms) */
	bool done;		/* TCP: its question ended; destroy it */
	struct chan *next;
};

struct sock {
	ares_socket_t fd;
	struct chan *c;		/* the channel that owns it */
	bool rd, wr;
};

struct resolver {
	struct chan udp;	/* ARES_FLAG_IGNTC: never opens TCP */
	struct chan *tcp_chans;	/* one per TCP question on the wire */
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
	int64_t budget_ms;	/* what c-ares may take for one question */
};

static int make_channel(const struct config *, int, struct chan *, char *,
    size_t);

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
	struct chan *c = data;
	struct resolver *r = c->r;
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
	r->socks[i].c = c;
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
	/* TXT answers (the _smime path) count against the budget too. */
	for (i = 0; i < e->res.msg.ntxts; i++)
		n += sizeof(e->res.msg.txts[i]) + e->res.msg.txts[i].len;
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

/* Drops from one bucket the answers nobody waits for that expire by
 * `by` (INT64_MAX: all of them). */
static void
drop_idle(struct resolver *r, struct entry **pp, int64_t by)
{
	while (*pp != NULL) {
		struct entry *e = *pp;

		if (e->state == E_DONE && !e->on_ready &&
		    e->waiters == NULL && e->expires <= by) {
			*pp = e->hnext;
			r->nentries--;
			r->cache_bytes -= entry_bytes(e);
			free_entry(e);
		} else
			pp = &e->hnext;
	}
}

/* Drops expired answers nobody waits for. Called only when the cache is
 * full, so the cost is paid rarely. */
static void
sweep(struct resolver *r, int64_t now)
{
	size_t b;

	for (b = 0; b < CACHE_BUCKETS; b++)
		drop_idle(r, &r->buckets[b], now);
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
		drop_idle(r, pp, INT64_MAX);
	}
}

static void
complete(struct resolver *r, struct entry *e)
{
	int64_t now = now_ms();
	uint32_t ttl;

	e->state = E_DONE;
	if (e->res.kind != DNSR_ANSWER)
		ttl = DS_CACHE_ERROR_TTL;
	else if (e->res.msg.rcode != DNS_RCODE_NOERROR &&
	    e->res.msg.rcode != DNS_RCODE_NXDOMAIN)
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

/* Our own failure, not the resolver's: lookup_evaluate gives up. */
static void
set_internal(struct entry *e, const char *what)
{
	set_error(e, "internal", "%s", what);
	e->res.kind = DNSR_INTERNAL;
}

/* Puts a question that is already under way back at the head of the send
 * queue: behind a long queue it would miss its deadline. */
static void
requeue(struct resolver *r, struct entry *e)
{
	e->state = E_QUEUED;
	e->qnext = r->queue;
	r->queue = e;
	if (r->queue_tail == &r->queue)
		r->queue_tail = &e->qnext;
}

/* Whether a UDP answer may not be whole. With ARES_FLAG_IGNTC c-ares 1.18
 * hands us answers with TC=1 (RFC 1035 4.2.1, RFC 8162 7: ask again over
 * TCP), and it also cuts a longer datagram to the channel's UDP size
 * (DS_EDNS_UDP_SIZE, or 512 once it has turned EDNS off after a FORMERR)
 * without saying so: an answer of exactly either size is asked again over
 * TCP too, at the price of one TCP question when it was whole. */
static bool
udp_cut(const unsigned char *abuf, int alen)
{
	if (abuf == NULL || alen < 12)
		return false;	/* dnsmsg_parse calls it malformed */
	return (abuf[2] & 0x02) != 0 || alen == 512 ||
	    alen == DS_EDNS_UDP_SIZE;
}

static void
answer_cb(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct entry *e = arg;
	struct resolver *r = e->owner;
	bool via_tcp = e->conn != NULL;
	char why[128];
	int rc;

	(void)timeouts;
	if (status == ARES_EDESTRUCTION)
		return;		/* resolver_free is tearing everything down */
	release_qid(r, e->qid);
	r->inflight--;
	if (via_tcp) {
		/* Not destroyed here: c-ares still uses the channel after
		 * this callback returns (end_query). reap_tcp does it. */
		e->conn->done = true;
		e->conn = NULL;
	}
	e->res.trusted = r->trusted;
	switch (status) {
	case ARES_SUCCESS:
		if (!via_tcp && udp_cut(abuf, alen)) {
			e->use_tcp = true;
			requeue(r, e);
			return;
		}
		e->res.wire_len = (size_t)alen;
		rc = dnsmsg_parse(abuf, (size_t)alen, e->qname, e->qtype,
		    &e->res.msg);
		if (rc == 0) {
			e->res.kind = DNSR_ANSWER;
			break;
		}
		if (rc < 0) {
			set_internal(e, "out of memory");
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
	case ARES_ECANCELLED:
		/* Only resolver_process cancels: the deadline passed. */
		set_error(e, "timeout", "no answer from the resolver within "
		    "%lld ms", (long long)r->budget_ms);
		break;
	case ARES_ECONNREFUSED:
		if (via_tcp) {
			/* Its own channel: c-ares opened a new connection for
			 * each of its tries, and each was refused, reset or
			 * closed without an answer. Nobody else was on them,
			 * so this question is the one that breaks them. */
			set_error(e, "unreachable", "%s", "the resolver "
			    "refused, reset or closed every TCP connection "
			    "for this question");
			break;
		}
		/* The UDP channel ends every query on a server after a
		 * socket error (an ICMP unreachable, say): ask once more
		 * before calling the resolver unreachable. */
		if (!e->retried) {
			e->retried = true;
			requeue(r, e);
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
		set_internal(e, "out of memory");
		break;
	default:
		set_error(e, "resolver-error", "resolver failure: %s",
		    ares_strerror(status));
		break;
	}
	complete(r, e);
}

/* Destroys the TCP channels whose question has ended. Never called from
 * inside c-ares (its callbacks run before c-ares is done with the
 * channel). */
static void
reap_tcp(struct resolver *r)
{
	struct chan **pp = &r->tcp_chans;

	while (*pp != NULL) {
		struct chan *c = *pp;

		if (!c->done) {
			pp = &c->next;
			continue;
		}
		*pp = c->next;
		ares_destroy(c->ch);
		free(c);
	}
}

/* Sends one question over TCP on a channel of its own (see the top of
 * this file). Returns 0; -1 on OOM; -2 when c-ares cannot make the
 * channel (err says why). The answer comes through answer_cb, possibly
 * before this returns. */
static int
send_tcp(struct resolver *r, struct entry *e, const unsigned char *buf,
    int len, char *err, size_t errlen)
{
	struct chan *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	c->r = r;
	if (make_channel(r->cfg, ARES_FLAG_USEVC, c, err, errlen) < 0) {
		free(c);
		return -2;
	}
	c->deadline = e->deadline;
	c->next = r->tcp_chans;
	r->tcp_chans = c;
	e->conn = c;
	ares_send(c->ch, buf, len, answer_cb, e);
	return 0;
}

/* Puts queued questions on the wire while the window has room. */
static void
pump(struct resolver *r)
{
	while (r->queue != NULL && r->inflight < DS_MAX_INFLIGHT) {
		struct entry *e = r->queue;
		unsigned char *buf = NULL;
		int64_t now = now_ms();
		char err[256];
		int len = 0, rc;

		r->queue = e->qnext;
		if (r->queue == NULL)
			r->queue_tail = &r->queue;
		e->qnext = NULL;

		/* One time bound per question, whatever it takes: a TCP
		 * retry after TC or a second try after ECONNREFUSED does not
		 * start the clock again. */
		if (e->deadline == 0)
			e->deadline = now + r->budget_ms;
		else if (now >= e->deadline) {
			set_error(e, "timeout", "no answer from the resolver "
			    "within %lld ms", (long long)r->budget_ms);
			complete(r, e);
			continue;
		}
		if (next_qid(r, &e->qid) < 0) {
			set_internal(e, "no random query ID");
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
			if (rc == ARES_ENOMEM)
				e->res.kind = DNSR_INTERNAL;
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
		if (!e->use_tcp)
			ares_send(r->udp.ch, buf, len, answer_cb, e);
		else if ((rc = send_tcp(r, e, buf, len, err,
		    sizeof(err))) != 0) {
			/* Nothing was sent: answer_cb will not run. */
			r->inflight--;
			release_qid(r, e->qid);
			if (rc == -1)
				set_internal(e, "out of memory");
			else
				set_error(e, "resolver-error", "%s", err);
			complete(r, e);
		}
		ares_free_string(buf);
	}
	reap_tcp(r);
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

	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->qname = strdup(qname)) == NULL) {
		free(e);
		return -1;
	}
	e->qtype = qtype;
	e->owner = r;
	e->tcp = true;
	e->use_tcp = true;
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

/* A cached answer's TTL counts down (RFC 1035 3.2.1, RFC 2181 8):
 * whoever keeps what it is handed (the token cache) must not keep it a
 * whole TTL longer than the record may live. Rounded up, so an answer
 * asked again within its first second keeps the TTL it came with. */
static void
count_down_ttl(struct entry *e)
{
	int64_t left;

	if (e->res.kind != DNSR_ANSWER)
		return;
	left = (e->expires - now_ms() + 999) / 1000;
	if (left < 0)
		left = 0;
	if ((int64_t)e->res.msg.ttl > left)
		e->res.msg.ttl = (uint32_t)left;
}

void
resolver_dispatch(struct resolver *r)
{
	/* Refill the window before the callbacks: they decode certificates
	 * and build replies, and the validator should answer the next
	 * questions meanwhile (tests/bench: 30 ms less waiting in poll at
	 * 10,000 lookups). */
	pump(r);
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
			if (w->from_cache)
				count_down_ttl(e);
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

/* Lowers *timeout_ms to ms when that is sooner (-1: no timeout yet). */
static void
lower_timeout(int *timeout_ms, int64_t ms)
{
	if (ms < 0)
		ms = 0;
	if (ms > INT_MAX)
		ms = INT_MAX;
	if (*timeout_ms < 0 || ms < *timeout_ms)
		*timeout_ms = (int)ms;
}

static void
chan_timeout(ares_channel ch, int *timeout_ms)
{
	struct timeval tv, *tvp;

	if ((tvp = ares_timeout(ch, NULL, &tv)) != NULL)
		lower_timeout(timeout_ms, (int64_t)tvp->tv_sec * 1000 +
		    (tvp->tv_usec + 999) / 1000);
}

size_t
resolver_pollfds(struct resolver *r, struct pollfd *pfd, size_t max,
    int *timeout_ms)
{
	size_t i, n = 0;

	pump(r);
	if (r->ready != NULL) {
		*timeout_ms = 0;
	} else {
		int64_t now = now_ms();
		struct chan *c;

		chan_timeout(r->udp.ch, timeout_ms);
		for (c = r->tcp_chans; c != NULL; c = c->next) {
			if (c->done)
				continue;
			chan_timeout(c->ch, timeout_ms);
			lower_timeout(timeout_ms, c->deadline - now);
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
	struct chan *c;
	int64_t now;
	size_t i, j;

	for (i = 0; i < n; i++) {
		ares_socket_t rfd = ARES_SOCKET_BAD, wfd = ARES_SOCKET_BAD;

		if (pfd[i].revents & (POLLIN | POLLERR | POLLHUP))
			rfd = pfd[i].fd;
		if (pfd[i].revents & POLLOUT)
			wfd = pfd[i].fd;
		if (rfd == ARES_SOCKET_BAD && wfd == ARES_SOCKET_BAD)
			continue;
		/* The owner now: an earlier descriptor's callbacks may have
		 * closed this one (then nobody owns it). */
		for (j = 0; j < r->nsocks; j++)
			if (r->socks[j].fd == pfd[i].fd)
				break;
		if (j < r->nsocks)
			ares_process_fd(r->socks[j].c->ch, rfd, wfd);
	}
	/* Timeouts and retries. */
	ares_process_fd(r->udp.ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	now = now_ms();
	for (c = r->tcp_chans; c != NULL; c = c->next) {
		if (c->done)
			continue;
		ares_process_fd(c->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
		/* The question's time is up, however far c-ares got:
		 * answer_cb sees ARES_ECANCELLED. */
		if (!c->done && c->deadline <= now)
			ares_cancel(c->ch);
	}
	reap_tcp(r);
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

/* One c-ares channel to the configured resolvers, stored in c->ch (c->r
 * must be set: the socket callback uses it). extra_flags is
 * ARES_FLAG_IGNTC for the UDP channel, ARES_FLAG_USEVC for a TCP one. */
static int
make_channel(const struct config *cfg, int extra_flags, struct chan *c,
    char *err, size_t errlen)
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
	opts.sock_state_cb_data = c;
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
	c->ch = ch;
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
	/* c-ares 1.18 tries every server once per round and doubles the
	 * timeout each round (ares__send_query): nservers x timeout x
	 * (2^attempts - 1) in all. Config bounds keep this far from
	 * overflow (DS_MAX_RESOLVERS, DS_MAX_TIMEOUT_MS, DS_MAX_ATTEMPTS). */
	r->budget_ms = (int64_t)cfg->nresolvers * cfg->timeout_ms *
	    (((int64_t)1 << cfg->attempts) - 1);
	decide_trust(r, cfg);

	if ((rc = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS) {
		snprintf(err, errlen, "c-ares: %s", ares_strerror(rc));
		goto out;
	}
	r->lib_init = true;
	r->udp.r = r;
	if (make_channel(cfg, ARES_FLAG_IGNTC, &r->udp, err, errlen) < 0)
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
	if (r->udp.ch != NULL)
		ares_destroy(r->udp.ch);
	while (r->tcp_chans != NULL) {
		struct chan *c = r->tcp_chans;

		r->tcp_chans = c->next;
		ares_destroy(c->ch);
		free(c);
	}
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
