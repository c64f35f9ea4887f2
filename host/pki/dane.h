/* dane.h - SMIMEA records x one certificate -> match, usability, problems.
 *
 * Decides, for one candidate end-entity certificate, whether the secure
 * SMIMEA record set of an address authenticates it (RFC 6698 2.1.1,
 * RFC 7671 5.1-5.4, RFC 8162 2) and whether Thunderbird could and should
 * encrypt to it for that address. Every reason against it is a problem
 * with a stable code and a message citing the rule. No I/O besides what
 * pkix_verify does inside NSS (no database is written).
 *
 * Problem codes (stable; the set a client may see):
 *   insecure                the record set is not DNSSEC secure
 *   no-record-match         no counting record matches the certificate
 *   dane-ta-missing         a DANE-TA record, but no certificate it matches
 *   dane-ta-invalid         no path from the certificate to the DANE-TA anchor
 *   pkix-untrusted-issuer   PKIX-TA/PKIX-EE: no path to a configured anchor
 *   pkix-invalid            PKIX-TA/PKIX-EE: PKIX validation failed otherwise
 *   email-mismatch          the address is not among the certificate's
 *   expired, not-yet-valid  validity period at the validation time
 *   key-usage               keyUsage forbids encrypting to the key
 *   no-email-protection-eku extendedKeyUsage lacks emailProtection
 *   weak-key                key type or size too weak
 *   ca-certificate          a CA certificate cannot be a mail recipient
 *   too-much-work           records left untried: DS_MAX_PKIX_PER_ADDRESS
 *                           path validations or DS_MAX_DANE_TA_ANCHORS
 *                           DANE-TA anchors per certificate were reached
 * plus any further code pkix_verify reports (e.g. "pkix-usage").
 */
#ifndef DS_DANE_H
#define DS_DANE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "address.h"
#include "certs.h"
#include "dnsmsg.h"
#include "dslimits.h"

/* RFC 6698 2.1.1 / RFC 7218 certificate usages. */
enum { DANE_PKIX_TA = 0, DANE_PKIX_EE = 1, DANE_DANE_TA = 2, DANE_DANE_EE = 3 };

/* What an import may write (certstore.h): PKIX -> no trust flags (",,");
 * DANE_EE / DANE_TA on a CA:FALSE end entity -> ",C," on it alone;
 * NONE -> never import. */
enum trust_basis { BASIS_NONE = 0, BASIS_PKIX, BASIS_DANE_EE, BASIS_DANE_TA };

struct dane_problem {
	const char *code;	/* static, one of the codes above */
	char message[200];	/* plain English, UTF-8, cites the rule */
};

struct dane_verdict {
	/* Thunderbird could and should encrypt to it for this address:
	 * secure && matched && no problem at all. */
	bool usable;
	/* Some counting record authenticates it per its usage semantics
	 * (computed even when the set is insecure, for information). This
	 * is about the record and the path, apart from the certificate's
	 * own fitness: a record whose path validates only when the
	 * certificate's usages or dates are left aside (it lacks the
	 * e-mail EKU, it expired, ...) matches too; the certificate then
	 * has those problems and is not usable. */
	bool matched;
	/* The record reported as the match (valid when matched). When
	 * several match, the one with the best usage wins: DANE-EE, then
	 * DANE-TA, then PKIX-EE, then PKIX-TA (all of them make the
	 * certificate equally usable: what blocks use is a property of the
	 * certificate, not of the record); then selector 0 before 1; then
	 * matching Full(0), SHA-512(2), SHA-256(1); then record order. */
	uint8_t usage, selector, matching;
	int record;		/* index of that record in dane_input.recs, -1 */
	/* Depth of the certificate that record matched in the path: 0 the
	 * end entity (DANE-EE, PKIX-EE), 1 its issuer, ... (PKIX-TA,
	 * DANE-TA); a DANE-TA bare key (2 1 0) sits one above the last
	 * certificate of the path, which it signed. -1 when not matched. */
	int depth;
	/* From the usage of the reported match, and BASIS_NONE unless
	 * usable, so that an importer that looks only at basis can never
	 * store a certificate that failed (usage etc. still say what
	 * matched). */
	enum trust_basis basis;
	bool can_encrypt, can_sign;	/* copied from the certificate */
	/* PKIX validation against the configured anchors was run (only
	 * when a counting PKIX-TA/PKIX-EE record needed it) and succeeded. */
	bool pkix_valid;
	struct dane_problem problems[DS_MAX_PROBLEMS];
	size_t nproblems;	/* one per distinct code, in a fixed order */
};

/* Who the certificate is judged for (RFC 8550 4.4.2): a recipient to
 * encrypt to (lookup, verify, import), or a message's signer
 * (verify-message). Path validation uses the matching NSS usage
 * (certificateUsageEmailRecipient / EmailSigner), and the certificate's
 * own checks the matching key usage. */
enum dane_purpose { DANE_RECIPIENT = 0, DANE_SIGNER };

/* PKIX work done for one address (RFC 7671 leaves a client to bound
 * it): every path validation counts, at most DS_MAX_PKIX_PER_ADDRESS
 * (dslimits.h); exceeded is set when a record could not be tried
 * because of it ("too-much-work"). */
struct dane_budget {
	unsigned pkix;
	bool exceeded;
};

struct dane_input {
	/* The record set (problem_code != NULL => unusable, skipped). */
	const struct smimea_rec *recs;
	size_t nrecs;
	const struct address *addr;	/* the queried address */
	/* Validation time, seconds since the epoch: 0 to ISOTIME_MAX
	 * (9999-12-31T23:59:59Z, the last X.509 time, RFC 5280 4.1.2.5). */
	int64_t at;
	bool secure;			/* DNSSEC secure; false => "insecure" */
	/* Other certificates for chains and DANE-TA anchors: the decoded
	 * x 0 0 records, the request's "chain", message certificates. May
	 * contain ee itself (it is never taken as its own DANE-TA). */
	const struct cert_summary *const *pool;
	size_t npool;
	enum dane_purpose purpose;	/* 0: recipient */
	/* Shared by all evaluations of one address (every candidate
	 * certificate of a lookup), or NULL: one per evaluation. */
	struct dane_budget *budget;
};

/* Decides for one candidate end-entity certificate and fills *out
 * (zeroed first). 0 ok, -1 ours (bad arguments such as no address or
 * `at` out of range, OOM, pkix_verify failure); *out is then zeroed
 * with record -1. */
int dane_evaluate(const struct dane_input *in, const struct cert_summary *ee,
    struct dane_verdict *out);

/* True if rec's association data matches c: selector 0 = the DER
 * certificate, 1 = its SubjectPublicKeyInfo DER; matching 0 = exact
 * compare, 1 = SHA-256, 2 = SHA-512 (RFC 6698 2.1.2, 2.1.3). False for
 * a record with problem_code set, unknown values, a certificate without
 * SPKI, or if hashing fails. */
bool dane_record_matches(const struct smimea_rec *rec,
    const struct cert_summary *c);

/* RFC 7671 9 digest algorithm agility: counts[i] tells whether recs[i]
 * takes part. Per usage+selector, Full(0) records always count; of the
 * digest records only those with the strongest matching type present
 * (SHA-512(2) over SHA-256(1)) count. Records with problem_code set
 * never count and are not "present" (RFC 6698 4.1: unusable). */
void dane_select(const struct smimea_rec *recs, size_t n, bool *counts);

/* Adds a problem unless one with that code is there already (so the
 * list is bounded by the number of codes, < DS_MAX_PROBLEMS). code must
 * be static; the text is cut at a UTF-8 character boundary. */
void dane_add_problem(struct dane_verdict *v, const char *code,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* True if v lists a problem with this code. */
bool dane_has_problem(const struct dane_verdict *v, const char *code);

/* "Best first" order for the certificates of one address: usable ones
 * first, then matched ones, then the latest not_after (rollover: the
 * newer of two published certificates wins), then SHA-256 for a stable
 * result. <0 if (a, ca) comes first, >0 if (b, cb), 0 if identical. */
int dane_order(const struct dane_verdict *a, const struct cert_summary *ca,
    const struct dane_verdict *b, const struct cert_summary *cb);

#endif
