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

#include <stdbool.h>

#include "lookup.h"

#include "address.h"
#include "mime.h"
#include "resolver.h"

struct verifymsg;

/* What DNS says about the signer's certificate ("dane"); SD_NONE: no
 * lookup was made. */
enum signer_dane {
	SD_NONE, SD_MATCH, SD_MISMATCH, SD_ABSENT, SD_INSECURE, SD_BOGUS,
	SD_ERROR,
};
/* The protocol's word for it (host/PROTOCOL.md), NULL for SD_NONE. */
const char *verifymsg_dane_name(enum signer_dane d);

/* One problem with the message or its signer. */
struct vm_problem {
	const char *code;	/* static */
	char message[400];
};

/* The "message-verification" reply, as report_message renders it. Every
 * pointer is borrowed from the struct verifymsg it came from. */
struct vm_report {
	const char *signature;	/* none, encrypted, invalid, unsupported,
				 * valid */
	const struct mime_msg *mm;	/* From, display name, format */
	/* A lookup was made and judged (else the reply says why not). */
	bool looked_up;
	const struct lr_cert *signer;
	const char *query, *dnssec;
	bool address_match;
	const char *digest_alg, *signature_alg;
	bool has_signing_time;
	int64_t signing_time;
	const struct dane_verdict *match;	/* the matching record, or
						 * NULL */
	enum signer_dane dane;
	const struct vm_problem *problems;
	size_t nproblems;
	bool green;		/* the one outcome that says "verified" */
	const char *summary;
};

/* raw: the message as stored; from_claim: the address the client shows
 * (NULL if none); at: validation time. On success returns the state and
 * sets *answered to false when a lookup of verifymsg_address() is
 * needed, or to true when the reply (verifymsg_outcome) is finished
 * without one (unsigned, encrypted, broken, invalid signature). NULL on
 * OOM. */
struct verifymsg *verifymsg_new(const uint8_t *raw, size_t len,
    const char *from_claim, int64_t at, bool *answered);
/* The parsed From address to look up (valid until verifymsg_free). */
const struct address *verifymsg_address(const struct verifymsg *v);
/* The signer judged against the lookup's outcome (lookup.h), as the
 * reply will use it: whether its other addresses must first vouch for it
 * (lookup_needs_vouching). 0, or -1 on OOM; *lr is always safe to free. */
int verifymsg_evaluate(struct verifymsg *v, const struct dns_result *res,
    struct lookup_result *lr);
/* Judges the signer from the lookup's outcome and, when vouched is not
 * NULL, what the signer's other addresses said (lookup_apply_vouches),
 * for verifymsg_outcome. Call once. 0, or -1 on OOM. */
int verifymsg_finish(struct verifymsg *v, const struct dns_result *res,
    bool (*vouched)(void *arg, const char *sha256, const char *address),
    void *arg);
/* The reply (valid until verifymsg_free). */
void verifymsg_outcome(const struct verifymsg *v, struct vm_report *r);
void verifymsg_free(struct verifymsg *v);

#endif
