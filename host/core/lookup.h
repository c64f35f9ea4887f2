/* lookup.h - turn one DNS outcome for one address into a verdict.
 *
 * Pure function of (address, parsed address, resolver outcome): decides
 * the RFC 8162 status and DNSSEC state and decodes the certificates of
 * full-certificate records. No I/O; report.c renders the result.
 */
#ifndef DS_LOOKUP_H
#define DS_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "address.h"
#include "certs.h"
#include "dane.h"
#include "resolver.h"

enum dnssec_state {
	DNSSEC_SECURE, DNSSEC_INSECURE, DNSSEC_BOGUS, DNSSEC_INDETERMINATE,
};

/* Ordered from best to worst: the CLI exit code is the worst one. */
enum lookup_status {
	LS_FOUND, LS_ABSENT, LS_UNUSABLE,
	/* a certificate fetched over HTTPS (the _smime TXT path) that no
	 * secure SMIMEA record of the address vouches for: shown, never
	 * stored or trusted */
	LS_UNVERIFIED,
	LS_INSECURE, LS_BOGUS, LS_ERROR,
};

struct lr_record {
	uint8_t usage, selector, matching;
	const uint8_t *data;	/* borrowed from the DNS result */
	size_t len;
	const char *problem_code;	/* NULL when none */
	char problem[256];
	int cert;		/* index into certs, -1 when none */
};

/* An other address of a certificate under the e-mail trust rule. */
enum vouch_state { VOUCH_UNCHECKED = 0, VOUCH_YES, VOUCH_NO };

struct lr_cert {
	struct cert_summary sum;
	uint8_t usage, selector, matching;	/* of the record it came in */
	struct dane_verdict v;
	/* The e-mail trust rule (trustrule.h): TRUST_EMAIL_STR (",C,"),
	 * TRUST_NONE_STR (",,") or NULL (never store it). Non-NULL only
	 * when v.usable. */
	const char *trust;
	/* Its other addresses (borrowed from sum.all_emails), each of which
	 * must vouch for it by its own lookup before it is usable; until
	 * then v carries "other-address-not-vouched". */
	const char *vouch[DS_MAX_TRUST_ADDRESSES];
	enum vouch_state vouch_state[DS_MAX_TRUST_ADDRESSES];
	size_t nvouch;
	enum trust_basis dane_basis;	/* v.basis once all have vouched */
};

/* What a lookup is evaluated with. */
struct lookup_ctx {
	int64_t at;			/* validation time */
	/* verify: the certificate to judge (borrowed), and its chain;
	 * NULL for a plain lookup, whose candidates are the certificates
	 * of the full-certificate records. */
	const struct cert_summary *supplied;
	const struct cert_summary *const *chain;
	size_t nchain;
	/* What supplied is judged for: DANE_SIGNER for a message's signer
	 * (verify-message), else (0) a recipient. */
	enum dane_purpose purpose;
};

struct lookup_result {
	const char *address;	/* borrowed, as the client gave it */
	size_t address_len;
	char query[DS_MAX_OWNER_NAME + 1];	/* "" when not parsed */
	enum dnssec_state dnssec;
	enum lookup_status status;
	uint32_t ttl;
	struct lr_record *records;
	size_t nrecords;
	struct lr_cert *certs;
	size_t ncerts;
	const char *err_code;	/* NULL when no error */
	char err_message[512];
	const char *reason;	/* a sentence for every status but found */
	bool has_ede;
	uint16_t ede_code;
	const char *ede_text;	/* borrowed */
	bool cached;
	bool verify;		/* certs holds the one supplied certificate */
	/* The _smime TXT + HTTPS path (issue 18) was tried: the URL of the
	 * signed TXT record ("" if none), and https_code/https_message say
	 * why no certificate came from it (NULL when one did: then certs
	 * holds that certificate, source "https"). */
	bool https_tried;
	bool https_source;
	char https_url[DS_MAX_SMIME_URL + 1];
	const char *https_code;
	char https_message[384];
};

/* addr is NULL when address parsing failed (err_code/err_message given
 * by the caller through lookup_bad_address). res is the resolver outcome.
 * Returns 0, or -1 on our failure (OOM); out is always safe to free. */
int lookup_evaluate(const struct lookup_ctx *ctx, const char *address,
    size_t address_len, const struct address *addr,
    const struct dns_result *res, struct lookup_result *out);
/* Whether ctx->supplied (a certificate fetched over HTTPS, with its
 * chain) is valid by PKIX for the address without any published record:
 * judged as if a PKIX-EE record of itself were published (lookup.c says
 * why). 1 yes (*v filled when v is not NULL), 0 no, -1 ours (OOM). */
int lookup_evaluate_fetched_pkix(const struct lookup_ctx *ctx,
    const char *address, const struct address *addr,
    struct dane_verdict *v);
void lookup_bad_address(const char *address, size_t address_len,
    const char *why, struct lookup_result *out);
void lookup_result_free(struct lookup_result *lr);

/* Whether c would be usable but for its other addresses, not yet
 * asked to vouch for it. */
bool lookup_cert_waits(const struct lr_cert *c);

/* Whether any certificate of lr waits for its other addresses to vouch
 * for it (lr_cert.nvouch > 0 and still unchecked). */
bool lookup_needs_vouching(const struct lookup_result *lr);

/* Answers, for each waiting certificate and each of its other addresses,
 * whether that address's own secure SMIMEA lookup authenticates the
 * certificate (by its SHA-256); then a certificate all of whose
 * addresses vouched becomes usable with ",C,", the others say which
 * addresses did not, and lr's order and status are settled again.
 * Returns 0, or -1 on our failure (OOM). */
int lookup_apply_vouches(struct lookup_result *lr,
    bool (*vouched)(void *arg, const char *sha256, const char *address),
    void *arg);

const char *lookup_status_name(enum lookup_status s);
const char *lookup_dnssec_name(enum dnssec_state d);

#endif
