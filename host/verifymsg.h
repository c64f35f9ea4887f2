/* verifymsg.h - "is this signature by a certificate the sender's own
 * domain publishes in DNSSEC-signed DNS?" (verify-message).
 *
 * Sans-I/O: verifymsg_new takes the raw message apart (mime.c) and
 * checks the CMS signature (smime.c); if the answer needs DNS it names
 * the address to look up, and verifymsg_finish judges the signer against
 * that address's SMIMEA records (lookup.c, dane.c) and writes the reply.
 */
#ifndef DS_VERIFYMSG_H
#define DS_VERIFYMSG_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "lookup.h"

#include "address.h"
#include "resolver.h"

struct verifymsg;

/* raw: the message as stored; from_claim: the address the client shows
 * (NULL if none); at: validation time. On success returns the state and
 * sets *reply to NULL when a lookup of verifymsg_address() is needed, or
 * to the finished "message-verification" message (no id) when not
 * (unsigned, encrypted, broken, invalid signature). NULL on OOM. */
struct verifymsg *verifymsg_new(const uint8_t *raw, size_t len,
    const char *from_claim, int64_t at, cJSON **reply);
/* The parsed From address to look up (valid until verifymsg_free). */
const struct address *verifymsg_address(const struct verifymsg *v);
/* The signer judged against the lookup's outcome (lookup.h), as the
 * reply will use it: whether its other addresses must first vouch for it
 * (lookup_needs_vouching). 0, or -1 on OOM; *lr is always safe to free. */
int verifymsg_evaluate(struct verifymsg *v, const struct dns_result *res,
    struct lookup_result *lr);
/* The reply, from the lookup's outcome and, when vouched is not NULL,
 * what the signer's other addresses said (lookup_apply_vouches). NULL on
 * OOM. */
cJSON *verifymsg_finish(struct verifymsg *v, const struct dns_result *res,
    bool (*vouched)(void *arg, const char *sha256, const char *address),
    void *arg);
void verifymsg_free(struct verifymsg *v);

#endif
