/* check.h - the publisher's self-test behind `dane-smime check`.
 *
 * Sans-I/O: the engine asks the questions check_query() lists and hands
 * every answer to check_answer(); check_report() then says, item by item,
 * what is right and what is wrong with the publication of one address,
 * and how to fix it.
 */
#ifndef DS_CHECK_H
#define DS_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "address.h"
#include "certs.h"
#include "resolver.h"

/* Query kinds; CHECK_Q_PROBE + i is record.h's probe i. */
enum { CHECK_Q_MAIN = 0, CHECK_Q_TCP = 1, CHECK_Q_PROBE = 2 };

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

/* Records one answer. 0, or -1 on our failure. */
int check_answer(struct check *c, int kind, const struct dns_result *res);

/* The "check" message (no id yet), once every answer is in; NULL on OOM. */
cJSON *check_report(const struct check *c);

#endif
