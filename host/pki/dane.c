/* dane.c - SMIMEA records x one certificate (RFC 6698, RFC 7671, RFC 8162).
 *
 * The decision has two halves that are kept apart:
 *  - does a counting record authenticate the certificate, by the
 *    semantics of its usage (RFC 6698 2.1.1, RFC 7671 5.1-5.4)? -> matched
 *  - could Thunderbird encrypt to the certificate for this address at
 *    the validation time? (address, validity, key usage, key strength,
 *    not a CA) -> problems of the certificate itself.
 * usable needs both, and a DNSSEC-secure record set (RFC 6698 4.1).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "certs.h"
#include "crypto.h"
#include "dane.h"
#include "isotime.h"
#include "pkix.h"
#include "utf8.h"

/* Matching types ranked for digest agility (RFC 7671 9) and for the
 * reported match: bigger is stronger. Full(0) is not ranked against the
 * digests for agility; for reporting it is the most direct. */
static int
digest_strength(uint8_t matching)
{
	switch (matching) {
	case 1:
		return 1;	/* SHA2-256 */
	case 2:
		return 2;	/* SHA2-512 */
	default:
		return 0;
	}
}

/* Syntactically usable (RFC 6698 4.1: anything else is unusable). dnsmsg
 * sets problem_code for these already; checked again because records
 * may come from elsewhere (tests, fuzzers, the "verify" chain). */
static bool
rec_usable(const struct smimea_rec *r)
{
	if (r->problem_code != NULL || r->usage > 3 || r->selector > 1 ||
	    r->matching > 2)
		return false;
	if (r->matching == 1 && r->len != 32)
		return false;
	if (r->matching == 2 && r->len != 64)
		return false;
	if (r->len > 0 && r->data == NULL)
		return false;
	return r->matching != 0 || r->len > 0;
}

void
dane_select(const struct smimea_rec *recs, size_t n, bool *counts)
{
	/* Strongest digest present per usage (4) x selector (2). */
	int best[4][2];
	size_t i;

	memset(best, 0, sizeof(best));
	for (i = 0; i < n; i++) {
		const struct smimea_rec *r = &recs[i];
		int s;

		if (!rec_usable(r))
			continue;
		s = digest_strength(r->matching);
		if (s > best[r->usage][r->selector])
			best[r->usage][r->selector] = s;
	}
	for (i = 0; i < n; i++) {
		const struct smimea_rec *r = &recs[i];

		if (!rec_usable(r))
			counts[i] = false;
		else if (r->matching == 0)
			counts[i] = true;	/* Full(0) is not a digest */
		else
			counts[i] = digest_strength(r->matching) ==
			    best[r->usage][r->selector];
	}
}

/* rec against a DER certificate and its SPKI (either may be NULL). */
static bool
match_parts(const struct smimea_rec *rec, const uint8_t *der, size_t der_len,
    const uint8_t *spki, size_t spki_len)
{
	const uint8_t *p = rec->selector == 0 ? der : spki;
	size_t n = rec->selector == 0 ? der_len : spki_len;
	uint8_t md[64];

	if (!rec_usable(rec) || p == NULL || n == 0)
		return false;
	switch (rec->matching) {
	case 0:
		return rec->len == n && memcmp(rec->data, p, n) == 0;
	case 1:
		if (crypto_sha256(p, n, md) != 0)
			return false;
		return memcmp(rec->data, md, 32) == 0;
	case 2:
		if (crypto_sha512(p, n, md) != 0)
			return false;
		return memcmp(rec->data, md, 64) == 0;
	default:
		return false;
	}
}

bool
dane_record_matches(const struct smimea_rec *rec, const struct cert_summary *c)
{
	if (rec == NULL || c == NULL)
		return false;
	return match_parts(rec, c->der, c->der_len, c->spki, c->spki_len);
}

/* Adds a problem unless one with that code is there already (so the
 * list is bounded by the number of codes, < DS_MAX_PROBLEMS). The text
 * is cut at a UTF-8 character boundary. */
void
dane_add_problem(struct dane_verdict *v, const char *code, const char *fmt,
    ...)
{
	struct dane_problem *p;
	va_list ap;
	size_t i, len;

	for (i = 0; i < v->nproblems; i++)
		if (strcmp(v->problems[i].code, code) == 0)
			return;
	if (v->nproblems >= DS_MAX_PROBLEMS)
		return;
	p = &v->problems[v->nproblems++];
	p->code = code;
	va_start(ap, fmt);
	vsnprintf(p->message, sizeof(p->message), fmt, ap);
	va_end(ap);
	len = strlen(p->message);
	p->message[utf8_truncate(p->message, len)] = '\0';
}

bool
dane_has_problem(const struct dane_verdict *v, const char *code)
{
	size_t i;

	for (i = 0; i < v->nproblems; i++)
		if (strcmp(v->problems[i].code, code) == 0)
			return true;
	return false;
}

/* Is addr among c's e-mail addresses (SAN rfc822Name and SmtpUTF8Mailbox,
 * RFC 9598)? Each is parsed like the query, so the domain compares as
 * A-labels case-insensitively and the local-part octet for octet (RFC
 * 8162 4: no mapping of the local-part). 1 yes, 0 no, -1 ours. */
static int
address_in_cert(const struct address *addr, const struct cert_summary *c)
{
	struct address a;
	size_t i;
	int rc;

	for (i = 0; i < c->nemails; i++) {
		rc = address_parse_mailbox(c->emails[i],
		    strlen(c->emails[i]), &a, NULL);
		if (rc < 0)
			return -1;
		/* An entry we cannot parse names no mailbox we could query. */
		if (rc == ADDR_OK && address_equal(&a, addr))
			return 1;
	}
	return 0;
}

/* The certificate's own fitness as a recipient certificate. -1 ours. */
static int
check_cert(const struct dane_input *in, const struct cert_summary *ee,
    struct dane_verdict *v)
{
	int rc;

	if ((rc = address_in_cert(in->addr, ee)) < 0)
		return -1;
	if (rc == 0)
		dane_add_problem(v, "email-mismatch", "the certificate does not "
		    "carry the address %s@%s among its e-mail addresses "
		    "(RFC 8550 3, RFC 9598)", in->addr->local,
		    in->addr->domain);
	/* RFC 5280 4.1.2.5: both ends of the period are inclusive. */
	if (in->at > ee->not_after)
		dane_add_problem(v, "expired", "the certificate expired at %s "
		    "(RFC 5280 4.1.2.5)", ee->not_after_iso);
	if (in->at < ee->not_before)
		dane_add_problem(v, "not-yet-valid", "the certificate is not valid "
		    "before %s (RFC 5280 4.1.2.5)", ee->not_before_iso);
	if (ee->is_ca)
		dane_add_problem(v, "ca-certificate", "a CA certificate "
		    "(basicConstraints cA TRUE, RFC 5280 4.2.1.9) is no "
		    "%s", in->purpose == DANE_SIGNER ? "mail signer (RFC "
		    "8550 4.4)" : "mail recipient: Thunderbird will not "
		    "encrypt to it");
	if (ee->weak_key)
		dane_add_problem(v, "weak-key", "the key is too weak for S/MIME "
		    "(RFC 8550 4.3): %s", ee->weak_why != NULL ? ee->weak_why :
		    ee->key_type);
	if (in->purpose == DANE_SIGNER) {
		/* A signer: the key must be allowed to sign (RFC 8550
		 * 4.4.2: digitalSignature or nonRepudiation), and the EKU
		 * must allow e-mail as for a recipient. */
		if (ee->can_sign)
			return 0;
		if (ee->has_eku && !ee->eku_email)
			dane_add_problem(v, "no-email-protection-eku", "the "
			    "extended key usage does not include "
			    "emailProtection (RFC 8550 4.4.4)");
		else if (!ee->weak_key)
			dane_add_problem(v, "key-usage", "the key usage does "
			    "not allow signatures: it needs digitalSignature "
			    "or nonRepudiation (RFC 8550 4.4.2)");
		return 0;
	}
	if (!ee->can_encrypt) {
		/* certs.c: anyExtendedKeyUsage does not satisfy NSS or
		 * mozilla::pkix for mail, so only emailProtection counts. */
		if (ee->has_eku && !ee->eku_email && ee->eku_any)
			dane_add_problem(v, "no-email-protection-eku", "the "
			    "extended key usage has anyExtendedKeyUsage but "
			    "not emailProtection, and Thunderbird needs the "
			    "latter (RFC 8550 4.4.4)");
		else if (ee->has_eku && !ee->eku_email)
			dane_add_problem(v, "no-email-protection-eku", "the "
			    "extended key usage does not include "
			    "emailProtection (RFC 8550 4.4.4)");
		else if (strcmp(ee->key_type, "rsa") != 0 &&
		    strcmp(ee->key_type, "ec") != 0) {
			/* A DSA or unknown key: weak-key says it already. */
			if (!ee->weak_key)
				dane_add_problem(v, "key-usage", "the %s key "
				    "can only sign: S/MIME encryption needs "
				    "RSA key transport or EC key agreement "
				    "(RFC 8551 2.3)", ee->key_type);
		} else
			dane_add_problem(v, "key-usage", "the key usage does not "
			    "allow encryption to this key: it needs "
			    "keyEncipherment, or keyAgreement for EC "
			    "(RFC 8550 4.4.2)");
	}
	return 0;
}

/* Lazily computed facts shared by all records of one evaluation. */
struct state {
	const struct dane_input *in;
	const struct cert_summary *ee;
	const struct dane_verdict *cert;	/* the certificate's problems */
	enum pkix_use use;			/* from in->purpose */
	struct dane_budget *budget;		/* in->budget or own */
	/* PKIX against the configured anchors (RFC 6698 usages 0 and 1). */
	bool pkix_done;
	struct pkix_result pkix;
	/* Decoded chain[1..] of a successful PKIX run (for PKIX-TA). */
	struct cert_summary *chain;
	size_t nchain;
	/* The same path for the path alone (pkix_fit), when the
	 * certificate's own unfitness is what made pkix fail. */
	bool fit_done;
	struct pkix_result fit;
	/* Per pool certificate: 0 not tried, 1 ee chains to it as the only
	 * anchor (DANE-TA), 2 it does not, 3 the path fits but only apart
	 * from the certificate's fitness (see fit_path); ta_depth: the
	 * anchor's depth in the path. At most DS_MAX_DANE_TA_ANCHORS are
	 * tried per certificate, duplicates once. */
	uint8_t *ta_state;
	size_t *ta_depth;
	size_t ta_tried;
	struct pkix_result ta_fail;	/* first DANE-TA failure (its text) */
	bool ta_failed;
	bool ta_unnamed;	/* an anchor no certificate names as issuer */
	bool strict;			/* a record matched with fitness too */
};

/* Takes one PKIX run from the budget: false (and budget->exceeded set)
 * when there is none left (DS_MAX_PKIX_PER_ADDRESS). */
static bool
spend(struct state *st)
{
	if (st->budget->pkix >= DS_MAX_PKIX_PER_ADDRESS) {
		st->budget->exceeded = true;
		return false;
	}
	return true;
}

/* After a pkix_verify_ex call: what it cost, at least 1: its path
 * validations, and a quarter for each signature it checked itself (a
 * 2 1 0 key against the chain; an ECDSA check costs about a millisecond
 * with this NSS, a path validation a few). */
static void
spent(struct state *st, const struct pkix_result *r)
{
	unsigned n = r->runs + (r->sigchecks + 3) / 4;

	st->budget->pkix += n > 0 ? n : 1;
}

/* The validation time for "does the path fit, apart from the
 * certificate's fitness": at, or when ee is not valid then, the moment
 * it was issued (its issuers were valid then, which its notAfter need
 * not be), so that an expired certificate can still be matched (and is
 * unusable for "expired"). */
static int64_t
fit_time(const struct state *st)
{
	if (st->in->at > st->ee->not_after || st->in->at < st->ee->not_before)
		return st->ee->not_before;
	return st->in->at;
}

static int
run_pkix(struct state *st)
{
	size_t i;
	int rc;

	if (st->pkix_done)
		return 0;
	if (!spend(st)) {
		/* Not run: said as too-much-work by the caller. */
		return 1;
	}
	st->pkix_done = true;
	if (pkix_verify_ex(st->ee, st->in->pool, st->in->npool, NULL,
	    st->in->at, st->use, &st->pkix) != 0)
		return -1;
	spent(st, &st->pkix);
	if (st->pkix.status != PKIX_OK || st->pkix.nchain < 2)
		return 0;
	if ((st->chain = calloc(st->pkix.nchain - 1, sizeof(*st->chain))) ==
	    NULL)
		return -1;
	for (i = 1; i < st->pkix.nchain; i++) {
		rc = certs_decode(st->pkix.chain[i], st->pkix.chain_len[i],
		    &st->chain[st->nchain], NULL);
		if (rc < 0)
			return -1;
		/* A certificate NSS built a path through but we cannot
		 * decode: leave it out; it can still match by full DER. */
		if (rc == CERTS_OK)
			st->nchain++;
	}
	return 0;
}

/* Whether to ask "does the path fit apart from the certificate's
 * fitness" after a failure with this code: only when the certificate's
 * own problems explain the failure, and not for a CA certificate, which
 * is never anyone's mail certificate (it would only cost work: a hostile
 * record set is made of CA certificates). */
static bool explained(const struct state *st, const char *code);

static bool
fit_worth(const struct state *st, const char *code)
{
	return !st->ee->is_ca && explained(st, code);
}

/* True if a path-validation failure with this code is already explained
 * by the certificate's own problems (its validity or key usage): saying
 * it again in PKIX words would only add noise. */
static bool
explained(const struct state *st, const char *code)
{
	if (code == NULL)
		return false;
	if (strcmp(code, "expired") == 0 || strcmp(code, "not-yet-valid") == 0)
		return dane_has_problem(st->cert, code);
	if (strcmp(code, "pkix-usage") == 0)
		return dane_has_problem(st->cert, "key-usage") ||
		    dane_has_problem(st->cert, "no-email-protection-eku") ||
		    dane_has_problem(st->cert, "ca-certificate");
	return false;
}

/* PKIX failure (RFC 6698 usages 0 and 1) -> record-level problem. */
static void
pkix_problem(const struct state *st, struct dane_verdict *v,
    const struct pkix_result *r, const char *what)
{
	const char *code = r->code != NULL ? r->code : "pkix-invalid";

	if (explained(st, code))
		return;
	dane_add_problem(v, code, "%s (RFC 6698 2.1.1): %s", what, r->message);
}

/* Does the DER certificate der match record r? Selector 1 needs its
 * SPKI, so the certificate is decoded then. 1 yes, 0 no, -1 ours. */
static int
der_matches(const struct smimea_rec *r, const uint8_t *der, size_t len)
{
	struct cert_summary c;
	int rc;

	if (r->selector == 0)
		return match_parts(r, der, len, NULL, 0) ? 1 : 0;
	rc = certs_decode(der, len, &c, NULL);
	if (rc < 0)
		return -1;
	if (rc != CERTS_OK)
		return 0;
	rc = dane_record_matches(r, &c) ? 1 : 0;
	cert_summary_free(&c);
	return rc;
}

/* PKIX failed only because of what the certificate itself is (st->cert
 * says so already): is there a path to the configured anchors apart from
 * that (RFC 6698 2.1.1 usages 0/1 "fit")? Runs at most once. 0 (st->fit
 * says), 1 budget spent, -1 ours. */
static int
run_fit(struct state *st)
{
	if (st->fit_done)
		return 0;
	if (!spend(st))
		return 1;
	st->fit_done = true;
	if (pkix_verify_ex(st->ee, st->in->pool, st->in->npool, NULL,
	    fit_time(st), PKIX_USE_PATH, &st->fit) != 0)
		return -1;
	spent(st, &st->fit);
	return 0;
}

/* One DANE-TA anchor (a certificate or a bare key): does ee have a path
 * to it as the only anchor? Strict first; if that fails only because of
 * the certificate's own unfitness, for the path alone. *state: 1 strict,
 * 3 path only, 2 neither; *depth: the anchor's depth (a bare key sits
 * above the last certificate of the path). The first failure is kept
 * for its text. 0, 1 budget spent, -1 ours. */
static int
try_anchor(struct state *st, const struct pkix_anchor *a, uint8_t *state,
    size_t *depth)
{
	const struct dane_input *in = st->in;
	struct pkix_result pr;
	const char *code;

	*state = 2;
	if (!spend(st))
		return 1;
	if (pkix_verify_ex(st->ee, in->pool, in->npool, a, in->at, st->use,
	    &pr) != 0)
		return -1;
	spent(st, &pr);
	if (pr.status == PKIX_OK) {
		*state = 1;
		*depth = pr.key_anchor ? pr.nchain : pr.nchain - 1;
		pkix_result_free(&pr);
		return 0;
	}
	code = pr.code;		/* static */
	if (!st->ta_failed) {
		st->ta_fail = pr;
		st->ta_failed = true;
	} else
		pkix_result_free(&pr);
	if (!fit_worth(st, code))
		return 0;
	if (!spend(st))
		return 1;
	if (pkix_verify_ex(st->ee, in->pool, in->npool, a, fit_time(st),
	    PKIX_USE_PATH, &pr) != 0)
		return -1;
	spent(st, &pr);
	if (pr.status == PKIX_OK) {
		*state = 3;
		*depth = pr.key_anchor ? pr.nchain : pr.nchain - 1;
	}
	pkix_result_free(&pr);
	return 0;
}

/* Could pool certificate ta be on a path from ee at all? Some
 * certificate of the path must name it as issuer: ee or a pool
 * certificate. A cheap filter before any path building (names as NSS
 * renders them, compared without case: never stricter than RFC 5280
 * 7.1 name matching). */
static bool
plausible_anchor(const struct state *st, const struct cert_summary *ta)
{
	const struct dane_input *in = st->in;
	size_t i;

	if (ta->subject == NULL)
		return true;
	if (st->ee->issuer != NULL &&
	    strcasecmp(st->ee->issuer, ta->subject) == 0)
		return true;
	for (i = 0; i < in->npool; i++)
		if (in->pool[i] != NULL && in->pool[i] != ta &&
		    in->pool[i]->issuer != NULL &&
		    strcasecmp(in->pool[i]->issuer, ta->subject) == 0)
			return true;
	return false;
}

/* An earlier pool entry with the same certificate, or -1. */
static long
pool_dup(const struct dane_input *in, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++)
		if (in->pool[i] != NULL &&
		    strcmp(in->pool[i]->sha256, in->pool[k]->sha256) == 0)
			return (long)i;
	return -1;
}

/* Does record r authenticate ee (RFC 6698 2.1.1, RFC 7671 5)? Sets
 * *related when the record is about this certificate at all (its data
 * matches ee, a pool or chain certificate, or PKIX had to be asked), so
 * that "no-record-match" is only said of certificates no record is
 * about; it is never cleared. Record-level problems go to rv. The
 * answer is about the record and the path: a record that fits but whose
 * path only validates apart from the certificate's own unfitness (no
 * e-mail EKU, expired, ...: problems the certificate has anyway) counts
 * as matched too, with st->strict left alone, so that the client can
 * tell "the record does not fit" from "it fits, the certificate is not
 * for mail". *depth: the matched certificate's depth in the path (0 =
 * ee). 1 yes, 0 no, 2 not decided (the work budget is spent), -1 ours. */
static int
authenticates(struct state *st, const struct smimea_rec *r,
    struct dane_verdict *rv, bool *related, size_t *depth)
{
	const struct dane_input *in = st->in;
	struct pkix_anchor a;
	size_t i, d;
	long dup;
	bool candidate = false;
	uint8_t state;
	int rc;

	*depth = 0;
	switch (r->usage) {
	case DANE_DANE_EE:
		/* RFC 7671 5.1: the certificate or key itself. */
		if (dane_record_matches(r, st->ee)) {
			*related = true;
			st->strict = true;
			return 1;
		}
		return 0;
	case DANE_PKIX_EE:
		/* RFC 6698 2.1.1 usage 1: match and PKIX validation. */
		if (!dane_record_matches(r, st->ee))
			return 0;
		*related = true;
		if ((rc = run_pkix(st)) != 0)
			return rc < 0 ? -1 : 2;
		if (st->pkix.status == PKIX_OK) {
			st->strict = true;
			return 1;
		}
		pkix_problem(st, rv, &st->pkix, "a PKIX-EE record matches, "
		    "but PKIX validation fails");
		if (!fit_worth(st, st->pkix.code))
			return 0;
		if ((rc = run_fit(st)) != 0)
			return rc < 0 ? -1 : 2;
		return st->fit.status == PKIX_OK ? 1 : 0;
	case DANE_PKIX_TA:
		/* RFC 6698 2.1.1 usage 0: a CA certificate of the validated
		 * path (not the end entity) matches. Without a path we cannot
		 * tell which CA the record names, so its failure is the
		 * reason given. */
		if ((rc = run_pkix(st)) != 0)
			return rc < 0 ? -1 : 2;
		if (st->pkix.status == PKIX_OK) {
			for (i = 1; i < st->pkix.nchain; i++)
				if (match_parts(r, st->pkix.chain[i],
				    st->pkix.chain_len[i], NULL, 0))
					goto pkix_ta;
			for (i = 0; i < st->nchain; i++)
				if (dane_record_matches(r, &st->chain[i])) {
					i++;	/* chain[] starts at depth 1 */
					goto pkix_ta;
				}
			return 0;
		}
		*related = true;
		pkix_problem(st, rv, &st->pkix, "a PKIX-TA record is "
		    "published, but PKIX validation fails");
		if (!fit_worth(st, st->pkix.code))
			return 0;
		if ((rc = run_fit(st)) != 0)
			return rc < 0 ? -1 : 2;
		if (st->fit.status != PKIX_OK)
			return 0;
		for (i = 1; i < st->fit.nchain; i++) {
			if ((rc = der_matches(r, st->fit.chain[i],
			    st->fit.chain_len[i])) < 0)
				return -1;
			if (rc == 1) {
				*depth = i;
				return 1;
			}
		}
		return 0;
pkix_ta:
		*related = true;
		st->strict = true;
		*depth = i;
		return 1;
	case DANE_DANE_TA:
		/* RFC 7671 5.2: a certificate we hold matches, and ee has a
		 * path to it with it as the only trust anchor. It is never
		 * added to any trust store. */
		for (i = 0; i < in->npool; i++) {
			const struct cert_summary *ta = in->pool[i];

			if (ta == NULL || ta == st->ee ||
			    strcmp(ta->sha256, st->ee->sha256) == 0 ||
			    !dane_record_matches(r, ta))
				continue;
			candidate = true;
			if ((dup = pool_dup(in, i)) >= 0) {
				st->ta_state[i] = st->ta_state[dup];
				st->ta_depth[i] = st->ta_depth[dup];
			}
			if (st->ta_state[i] == 0 && !plausible_anchor(st, ta)) {
				st->ta_state[i] = 2;
				st->ta_unnamed = true;
			}
			if (st->ta_state[i] == 0) {
				if (st->ta_tried >= DS_MAX_DANE_TA_ANCHORS) {
					st->budget->exceeded = true;
					return 2;
				}
				st->ta_tried++;
				memset(&a, 0, sizeof(a));
				a.cert = ta;
				if ((rc = try_anchor(st, &a, &st->ta_state[i],
				    &st->ta_depth[i])) != 0) {
					st->ta_state[i] = 0;
					return rc < 0 ? -1 : 2;
				}
			}
			if (st->ta_state[i] == 1 || st->ta_state[i] == 3) {
				*related = true;
				*depth = st->ta_depth[i];
				if (st->ta_state[i] == 1)
					st->strict = true;
				return 1;
			}
		}
		if (!candidate && r->selector == 1 && r->matching == 0 &&
		    !(r->len == st->ee->spki_len &&
		    memcmp(r->data, st->ee->spki, r->len) == 0)) {
			/* RFC 7671 5.2: the anchor's full public key,
			 * its certificate left out: the key is the anchor
			 * (never ee's own key: a certificate is not its own
			 * DANE-TA anchor, as above). */
			candidate = true;
			if (st->ta_tried >= DS_MAX_DANE_TA_ANCHORS) {
				st->budget->exceeded = true;
				return 2;
			}
			st->ta_tried++;
			memset(&a, 0, sizeof(a));
			a.spki = r->data;
			a.spki_len = r->len;
			if ((rc = try_anchor(st, &a, &state, &d)) != 0)
				return rc < 0 ? -1 : 2;
			if (state == 1 || state == 3) {
				*related = true;
				*depth = d;
				if (state == 1)
					st->strict = true;
				return 1;
			}
		}
		if (!candidate) {
			/* No anchor to try: we cannot tell whether the
			 * record is about this certificate. */
			*related = true;
			dane_add_problem(rv, "dane-ta-missing", "a DANE-TA record "
			    "(%u %u %u) is published, but no certificate it "
			    "matches is at hand: the trust anchor must come in "
			    "a 2 0 0 or 2 1 0 record or with the message (RFC "
			    "7671 5.2)", r->usage, r->selector, r->matching);
			return 0;
		}
		*related = true;
		if (st->ta_failed && !explained(st, st->ta_fail.code))
			dane_add_problem(rv, "dane-ta-invalid", "the certificate "
			    "does not chain to the DANE-TA trust anchor "
			    "(RFC 7671 5.2): %s", st->ta_fail.message);
		else if (!st->ta_failed && st->ta_unnamed)
			dane_add_problem(rv, "dane-ta-invalid", "the certificate "
			    "does not chain to the DANE-TA trust anchor "
			    "(RFC 7671 5.2): no certificate at hand names it "
			    "as its issuer");
		return 0;
	default:
		return 0;
	}
}

/* Rank of a match for reporting: smaller is preferred (see dane.h). */
static int
match_rank(const struct smimea_rec *r)
{
	static const int usage_rank[4] = { 3, 2, 1, 0 };
	int m = r->matching == 0 ? 0 : 3 - digest_strength(r->matching);

	return usage_rank[r->usage] * 8 + r->selector * 4 + m;
}

int
dane_evaluate(const struct dane_input *in, const struct cert_summary *ee,
    struct dane_verdict *out)
{
	struct state st;
	struct dane_verdict rv;	/* record-level problems, merged at the end */
	struct dane_budget own;
	bool *counts = NULL, related = false, undecided = false;
	int best = -1, rc = -1, a;
	size_t i, depth, best_depth = 0;

	memset(out, 0, sizeof(*out));
	memset(&st, 0, sizeof(st));
	memset(&rv, 0, sizeof(rv));
	memset(&own, 0, sizeof(own));
	out->record = -1;
	out->depth = -1;
	if (in == NULL || ee == NULL || in->addr == NULL || in->at < 0 ||
	    in->at > ISOTIME_MAX ||
	    (in->nrecs > 0 && in->recs == NULL) ||
	    (in->npool > 0 && in->pool == NULL))
		goto out;
	st.in = in;
	st.ee = ee;
	st.cert = out;
	st.use = in->purpose == DANE_SIGNER ? PKIX_USE_SIGNER :
	    PKIX_USE_RECIPIENT;
	st.budget = in->budget != NULL ? in->budget : &own;
	out->can_encrypt = ee->can_encrypt;
	out->can_sign = ee->can_sign;

	if (!in->secure)
		dane_add_problem(out, "insecure", "the SMIMEA records are not "
		    "DNSSEC-secure, so they cannot vouch for any certificate "
		    "(RFC 6698 4.1, RFC 8162 2)");
	if (check_cert(in, ee, out) != 0)
		goto out;

	if (in->nrecs > 0 && (counts = calloc(in->nrecs, sizeof(*counts))) ==
	    NULL)
		goto out;
	if (in->npool > 0 &&
	    ((st.ta_state = calloc(in->npool, sizeof(*st.ta_state))) == NULL ||
	    (st.ta_depth = calloc(in->npool, sizeof(*st.ta_depth))) == NULL))
		goto out;
	if (in->nrecs > 0)
		dane_select(in->recs, in->nrecs, counts);

	/* Every counting record is tried, so that the reported match is the
	 * preferred one, not the first. */
	for (i = 0; i < in->nrecs; i++) {
		if (!counts[i])
			continue;
		if ((a = authenticates(&st, &in->recs[i], &rv, &related,
		    &depth)) < 0)
			goto out;
		if (a == 2)
			undecided = true;
		if (a == 1 && (best < 0 ||
		    match_rank(&in->recs[i]) < match_rank(&in->recs[best]))) {
			best = (int)i;
			best_depth = depth;
		}
	}
	if (undecided && best < 0)
		/* Bounded work (dslimits.h): some records could not be
		 * tried; fail closed and say so. */
		dane_add_problem(&rv, "too-much-work", "the SMIMEA records "
		    "call for more certificate path validations than the "
		    "host does for one address (%d, or %d DANE-TA anchors "
		    "per certificate): the records left untried count as "
		    "unusable (RFC 6698 4.1)",
		    DS_MAX_PKIX_PER_ADDRESS, DS_MAX_DANE_TA_ANCHORS);
	if (st.pkix_done && st.pkix.status == PKIX_OK)
		out->pkix_valid = true;

	if (best >= 0) {
		const struct smimea_rec *r = &in->recs[best];

		out->matched = true;
		out->usage = r->usage;
		out->selector = r->selector;
		out->matching = r->matching;
		out->record = best;
		out->depth = (int)best_depth;
		switch (r->usage) {
		case DANE_DANE_EE:
			out->basis = BASIS_DANE_EE;
			break;
		case DANE_DANE_TA:
			out->basis = BASIS_DANE_TA;
			break;
		default:
			out->basis = BASIS_PKIX;
			break;
		}
	} else {
		/* Why nothing matched: the record-level problems if any
		 * record was about this certificate, else plainly so. */
		for (i = 0; i < rv.nproblems; i++)
			dane_add_problem(out, rv.problems[i].code, "%s",
			    rv.problems[i].message);
		if (!related && !undecided)
			dane_add_problem(out, "no-record-match", "none of the "
			    "SMIMEA records that count (well-formed, strongest "
			    "digest per usage and selector) matches this "
			    "certificate (RFC 6698 2.1, RFC 7671 9)");
	}
	/* A match of the path alone (see authenticates) always comes with
	 * the certificate's own problems; st.strict makes sure of it. */
	out->usable = in->secure && out->matched && out->nproblems == 0 &&
	    st.strict;
	if (!out->usable)
		out->basis = BASIS_NONE;
	rc = 0;
out:
	free(counts);
	free(st.ta_state);
	free(st.ta_depth);
	if (st.pkix_done)
		pkix_result_free(&st.pkix);
	if (st.fit_done)
		pkix_result_free(&st.fit);
	if (st.ta_failed)
		pkix_result_free(&st.ta_fail);
	for (i = 0; i < st.nchain; i++)
		cert_summary_free(&st.chain[i]);
	free(st.chain);
	if (rc != 0) {
		memset(out, 0, sizeof(*out));
		out->record = -1;
		out->depth = -1;
	}
	return rc;
}

int
dane_order(const struct dane_verdict *a, const struct cert_summary *ca,
    const struct dane_verdict *b, const struct cert_summary *cb)
{
	int c;

	if (a->usable != b->usable)
		return a->usable ? -1 : 1;
	if (a->matched != b->matched)
		return a->matched ? -1 : 1;
	/* Rollover (RFC 8162 leaves publishing both to the domain): the
	 * certificate that stays valid longer is the one to use. */
	if (ca->not_after != cb->not_after)
		return ca->not_after > cb->not_after ? -1 : 1;
	c = strcmp(ca->sha256, cb->sha256);
	return c < 0 ? -1 : c > 0 ? 1 : 0;
}
