/* check.h - the publisher's self-test behind `dane-smime check`.
 *
 * Sans-I/O: the engine asks the questions check_query() lists and hands
 * every answer to check_answer(); check_outcome() then says, item by item,
 * what is right and what is wrong with the publication of one address,
 * and how to fix it.
 *
 * Issue 18: the other discovery path is checked too. The _smime TXT
 * record of the address (smimetxt.h) is one more question (CHECK_Q_TXT,
 * of type TXT); when it names an acceptable URL and is DNSSEC-secure,
 * check_fetch_url() returns that URL, the engine fetches it with https.h
 * and hands the outcome to check_fetched(), and the certificate served
 * there is judged against the address's SMIMEA answer by the lookup's
 * own code (lookup_evaluate), as a lookup would judge it.
 */
#ifndef DS_CHECK_H
#define DS_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include <stdbool.h>

#include "address.h"
#include "certs.h"
#include "https.h"
#include "lookup.h"
#include "record.h"
#include "resolver.h"

/* Query kinds; CHECK_Q_PROBE + i is record.h's probe i. */
enum { CHECK_Q_MAIN = 0, CHECK_Q_TCP = 1, CHECK_Q_TXT = 2, CHECK_Q_PROBE = 3 };

struct check;

/* cert (borrowed, may be NULL) is what the publisher means to publish.
 * NULL on OOM. */
struct check *check_new(const char *address, const struct address *a,
    const struct cert_summary *cert, int64_t at);
void check_free(struct check *c);

/* How many questions to ask, and the i-th: name, RESQ_* flags, kind. */
size_t check_nqueries(const struct check *c);
void check_query(const struct check *c, size_t i, const char **qname,
    unsigned *flags, int *kind);

/* The DNS type to ask for a kind: SMIMEA, TXT for CHECK_Q_TXT. */
uint16_t check_qtype(int kind);

/* Records one answer. 0, or -1 on our failure. */
int check_answer(struct check *c, int kind, const struct dns_result *res);

/* After check_answer(c, kind, ...): the URL to fetch now (borrowed),
 * or NULL when that query is complete. When non-NULL the query is
 * complete only once check_fetched() has been called. */
const char *check_fetch_url(const struct check *c, int kind);

/* The fetch's outcome; hr NULL when nothing could be fetched because
 * the HTTPS path is off in this host. Takes the certificate out of hr
 * (zeroes those fields). 0, or -1 on our failure. Needs the PKIX trust
 * anchors loaded (a certificate no record vouches for is tried by PKIX,
 * as the lookup does). */
int check_fetched(struct check *c, struct https_result *hr);

/* The outcome, once every answer is in; report_check renders it. Every
 * pointer is borrowed from c. */
#define CHECK_MAX_ITEMS	(15 + RECORD_NPROBES)	/* check.c: NSLOTS */
#define CHECK_MAX_FIXES	6
struct check_item {
	const char *name;	/* "record-present", ... */
	const char *result;	/* "pass", "fail", "warn", "info" */
	const char *message;
};
struct check_report {
	const char *address;
	const char *query;	/* the SMIMEA owner name */
	const char *txt_query;	/* the _smime TXT owner, or NULL */
	const char *url;	/* the acceptable URL it names, or NULL */
	enum dnssec_state dnssec;
	enum lookup_status status;
	struct check_item items[CHECK_MAX_ITEMS];
	size_t nitems;
	bool ok;		/* no item failed */
	const char *fixes[CHECK_MAX_FIXES];
	size_t nfixes;
};
void check_outcome(const struct check *c, struct check_report *r);

#endif
