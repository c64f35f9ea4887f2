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

/* One question and its answer. The entry, its first waiter and the
 * qname are one allocation: most questions have one asker. */
struct entry {
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
	bool dispatching;	/* its callbacks are running: keep it */
	bool w0_used;
	bool in_lru;
	struct waiter w0;	/* the first asker, without a malloc */
	struct waiter *waiters, **waiters_tail;
	struct entry *hnext;	/* hash chain */
	struct entry *qnext;	/* send queue or ready list */
	struct entry *lprev, *lnext;	/* answers, least recently used first */
	struct resolver *owner;
	uint32_t hash;		/* bucket, hash_name() once */
	size_t bytes;		/* what it counts in cache_bytes, once done */
	size_t qlen;
	char qname[];		/* presentation form, NUL-terminated */
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
	struct entry *lru_head, *lru_tail;	/* done answers in the table */
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

/* The bucket of (s[0..len), qtype). Names that strcasecmp() calls equal
 * must share it: octets are hashed with bit 0x20 set, which folds ASCII
 * case (and merges some other pairs, harmless for a hash). Eight octets
 * at a time, FNV-1a style. */
static uint32_t
hash_name(const char *s, size_t len, uint16_t qtype)
{
	uint64_t h = 14695981039346656037u ^ qtype, w;

	for (; len >= 8; s += 8, len -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ (w | 0x2020202020202020u)) * 1099511628211u;
	}
	for (; len > 0; s++, len--)
		h = (h ^ ((unsigned char)*s | 0x20u)) * 1099511628211u;
	h ^= h >> 29;
	return (uint32_t)h & (CACHE_BUCKETS - 1);
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
lookup_entry(struct resolver *r, uint32_t h, const char *qname, size_t qlen,
    uint16_t qtype)
{
	struct entry *e;

	for (e = r->buckets[h]; e != NULL; e = e->hnext)
		if (e->qtype == qtype && e->qlen == qlen &&
		    strcasecmp(e->qname, qname) == 0)
			return e;
	return NULL;
}

/* A new entry for (qname, qtype), in no list yet. */
static struct entry *
new_entry(struct resolver *r, const char *qname, size_t qlen, uint16_t qtype)
{
	struct entry *e;

	if ((e = calloc(1, sizeof(*e) + qlen + 1)) == NULL)
		return NULL;
	memcpy(e->qname, qname, qlen + 1);
	e->qlen = qlen;
	e->qtype = qtype;
	e->owner = r;
	e->state = E_QUEUED;
	e->waiters_tail = &e->waiters;
	return e;
}

/* A waiter on e: its built-in one when free. NULL on OOM. */
static struct waiter *
take_waiter(struct entry *e)
{
	struct waiter *w;

	if (!e->w0_used) {
		e->w0_used = true;
		w = &e->w0;
		memset(w, 0, sizeof(*w));
		return w;
	}
	return calloc(1, sizeof(*w));
}

static void
put_waiter(struct entry *e, struct waiter *w)
{
	if (w == &e->w0)
		e->w0_used = false;
	else
		free(w);
}

static void
add_waiter(struct entry *e, struct waiter *w)
{
	*e->waiters_tail = w;
	e->waiters_tail = &w->next;
}

static void
free_waiters(struct entry *e)
{
	struct waiter *w = e->waiters;

	while (w != NULL) {
		struct waiter *wn = w->next;
		put_waiter(e, w);
		w = wn;
	}
	e->waiters = NULL;
}

/* What an answer costs in memory, for the cache budget: computed once,
 * when it is done (its records do not change after). */
static size_t
entry_bytes(const struct entry *e)
{
	size_t i, n = sizeof(*e) + e->qlen + 1;

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
	free(e);
}

/* An answer nobody waits for, whose callbacks are not running: the only
 * kind the cache may free. */
static bool
entry_idle(const struct entry *e)
{
	return e->state == E_DONE && !e->on_ready && e->waiters == NULL &&
	    !e->dispatching;
}

static void
lru_remove(struct resolver *r, struct entry *e)
{
	if (!e->in_lru)
		return;
	*(e->lprev != NULL ? &e->lprev->lnext : &r->lru_head) = e->lnext;
	*(e->lnext != NULL ? &e->lnext->lprev : &r->lru_tail) = e->lprev;
	e->lprev = e->lnext = NULL;
	e->in_lru = false;
}

/* Puts e at the recently used end. */
static void
lru_append(struct resolver *r, struct entry *e)
{
	lru_remove(r, e);
	e->lprev = r->lru_tail;
	e->lnext = NULL;
	*(r->lru_tail != NULL ? &r->lru_tail->lnext : &r->lru_head) = e;
	r->lru_tail = e;
	e->in_lru = true;
}

/* Takes a cached entry out of the table and frees it. */
static void
drop_entry(struct resolver *r, struct entry *e)
{
	struct entry **pp = &r->buckets[e->hash];

	for (; *pp != NULL; pp = &(*pp)->hnext)
		if (*pp == e) {
			*pp = e->hnext;
			r->nentries--;
			break;
		}
	lru_remove(r, e);
	r->cache_bytes -= e->bytes;
	free_entry(e);
}

/* Frees idle answers from the least recently used end while there are
 * more than max_entries entries or more than max_bytes cached. The walk
 * passes over the few answers someone waits for; everything else it
 * looks at it frees, so the cost is what it frees. */
static void
trim(struct resolver *r, size_t max_entries, size_t max_bytes)
{
	struct entry *e = r->lru_head;

	while (e != NULL && (r->nentries > max_entries ||
	    r->cache_bytes > max_bytes)) {
		struct entry *next = e->lnext;

		if (entry_idle(e))
			drop_entry(r, e);
		e = next;
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

/* Keeps the cache within DS_CACHE_MAX_BYTES: once over it, answers
 * nobody waits for go, least recently used first, down to three
 * quarters of it (so the walk is not paid on every answer). Expired
 * answers are older than most, and a lookup drops one it meets. */
static void
evict(struct resolver *r)
{
	if (r->cache_bytes <= DS_CACHE_MAX_BYTES)
		return;
	trim(r, SIZE_MAX, DS_CACHE_MAX_BYTES / 4 * 3);
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
		e->bytes = entry_bytes(e);
		r->cache_bytes += e->bytes;
		lru_append(r, e);
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

/* The query c-ares 1.18's ares_create_query(qname, IN, qtype, qid, rd=1,
 * DS_EDNS_UDP_SIZE) makes, built here without its allocation for the
 * names we ask (labels without escapes, no trailing dot): header
 * with RD and ARCOUNT 1, the question, an OPT RR with our UDP size
 * (RFC 1035 4.1, RFC 6891 6.1.2). Returns the length, or 0 when the name
 * is not such a name: c-ares then builds the query and judges the name. */
#define QUERY_MAX (12 + DNS_NAME_MAX + 4 + 11)
static int
build_query(const char *qname, uint16_t qtype, uint16_t qid,
    unsigned char *out)
{
	size_t n, i;

	if (qname[0] == '\0' || strchr(qname, '\\') != NULL ||
	    dns_name_to_wire(qname, out + 12, DNS_NAME_MAX, &n) < 0)
		return 0;
	/* dns_name_to_wire takes a trailing dot; c-ares must see it. */
	i = strlen(qname);
	if (qname[i - 1] == '.')
		return 0;
	out[0] = (unsigned char)(qid >> 8);
	out[1] = (unsigned char)qid;
	out[2] = 0x01;		/* RD */
	out[3] = 0;
	out[4] = 0, out[5] = 1;	/* QDCOUNT */
	out[6] = out[7] = out[8] = out[9] = 0;
	out[10] = 0, out[11] = 1;	/* ARCOUNT: the OPT */
	i = 12 + n;
	out[i++] = (unsigned char)(qtype >> 8);
	out[i++] = (unsigned char)qtype;
	out[i++] = 0;
	out[i++] = 1;		/* IN */
	out[i++] = 0;		/* OPT: root owner */
	out[i++] = 0;
	out[i++] = DNS_TYPE_OPT;
	out[i++] = (unsigned char)(DS_EDNS_UDP_SIZE >> 8);
	out[i++] = (unsigned char)DS_EDNS_UDP_SIZE;
	memset(out + i, 0, 6);	/* TTL (extended RCODE, flags), RDLENGTH */
	return (int)(i + 6);
}

/* Puts queued questions on the wire while the window has room. */
static void
pump(struct resolver *r)
{
	/* One clock reading per batch: at most DS_MAX_INFLIGHT sends,
	 * microseconds apart, against budgets of seconds. */
	int64_t now = r->queue != NULL ? now_ms() : 0;

	while (r->queue != NULL && r->inflight < DS_MAX_INFLIGHT) {
		struct entry *e = r->queue;
		unsigned char *buf = NULL, qbuf[QUERY_MAX];
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
		if ((len = build_query(e->qname, e->qtype, e->qid,
		    qbuf)) > 0) {
			buf = qbuf;
			rc = ARES_SUCCESS;
		} else
			rc = ares_create_query(e->qname, 1 /* IN */, e->qtype,
			    e->qid, 1, &buf, &len, DS_EDNS_UDP_SIZE);
		if (rc != ARES_SUCCESS || len < 12 + 11) {
			release_qid(r, e->qid);
			if (buf != NULL && buf != qbuf)
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
		if (buf != qbuf)
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
query_tcp(struct resolver *r, const char *qname, size_t qlen, uint16_t qtype,
    resolver_cb cb, void *arg)
{
	struct entry *e;
	struct waiter *w;

	if ((e = new_entry(r, qname, qlen, qtype)) == NULL)
		return -1;
	e->tcp = true;
	e->use_tcp = true;
	w = take_waiter(e);	/* the built-in one: cannot fail */
	w->cb = cb;
	w->arg = arg;
	add_waiter(e, w);
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
	size_t qlen = strlen(qname);
	uint32_t h;

	if (flags & RESQ_TCP)
		return query_tcp(r, qname, qlen, qtype, cb, arg);

	h = hash_name(qname, qlen, qtype);
	e = lookup_entry(r, h, qname, qlen, qtype);
	if (e != NULL && entry_idle(e) && e->expires <= now_ms()) {
		drop_entry(r, e);
		e = NULL;
	}
	if (e == NULL) {
		/* The entry limit: idle answers go, least recently used
		 * first, before a new entry is made. */
		if (r->nentries >= DS_CACHE_MAX_ENTRIES)
			trim(r, DS_CACHE_MAX_ENTRIES - 1, SIZE_MAX);
		if ((e = new_entry(r, qname, qlen, qtype)) == NULL)
			return -1;
		e->hash = h;
		e->hnext = r->buckets[h];
		r->buckets[h] = e;
		r->nentries++;
		*r->queue_tail = e;
		r->queue_tail = &e->qnext;
		w = take_waiter(e);	/* the built-in one: cannot fail */
	} else {
		if ((w = take_waiter(e)) == NULL)
			return -1;
		if (e->state == E_DONE) {
			w->from_cache = true;
			ready_push(r, e);
			lru_append(r, e);	/* recently used */
		}
	}
	/* Queued or in flight: coalesce onto the same question. */
	w->cb = cb;
	w->arg = arg;
	add_waiter(e, w);
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
		/* A callback may ask again, and its question may drop an
		 * idle expired answer (a TTL of 0): not this one, whose
		 * res the remaining waiters are still handed. */
		e->dispatching = true;
		while (w != NULL) {
			struct waiter *next = w->next;

			e->res.from_cache = w->from_cache;
			if (w->from_cache)
				count_down_ttl(e);
			r->pending--;
			w->cb(w->arg, &e->res);
			put_waiter(e, w);
			w = next;
		}
		e->dispatching = false;
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
