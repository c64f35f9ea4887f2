/* verifymsg.c - see verifymsg.h. The one green outcome: a valid CMS
 * signature (RFC 8551) by a certificate that the From domain's secure
 * SMIMEA records authenticate (RFC 8162, RFC 6698/7671) and that carries
 * the From address. Everything else says precisely why it is not. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dslimits.h"
#include "lookup.h"
#include "mime.h"
#include "smime.h"
#include "utf8.h"
#include "verifymsg.h"

struct verifymsg {
	struct mime_msg mm;
	struct smime_result sr;
	const struct cert_summary **chain;	/* into sr.certs */
	size_t nchain;
	struct address from;
	bool from_ok;		/* from parsed */
	char *from_claim;
	/* The client's "from" is not the From address, or the From display
	 * name (or the claim) shows another address: never green. */
	bool claim_bad;
	bool name_bad;
	int64_t at;
	/* The reply so far (verifymsg_outcome hands it out): the
	 * message-level problems, and once judged, the lookup it used. */
	struct vm_report r;
	struct vm_problem *problems;
	size_t nproblems;
	bool judged;		/* lr holds the lookup (verifymsg_finish) */
	struct lookup_result lr;
};

static int add_problem(struct verifymsg *, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));

static int
add_problem(struct verifymsg *v, const char *code, const char *fmt, ...)
{
	struct vm_problem *p;
	va_list ap;

	if ((p = realloc(v->problems, (v->nproblems + 1) * sizeof(*p))) ==
	    NULL)
		return -1;
	v->problems = p;
	p = &v->problems[v->nproblems++];
	p->code = code;
	va_start(ap, fmt);
	vsnprintf(p->message, sizeof(p->message), fmt, ap);
	va_end(ap);
	/* Addresses and names are UTF-8: never cut one in two. */
	p->message[utf8_truncate(p->message, strlen(p->message))] = '\0';
	return 0;
}

/* A reply without a lookup: not signed, encrypted, broken, invalid, or
 * a From address that cannot be looked up. Always 0. */
static int
early(struct verifymsg *v, const char *signature, const char *summary)
{
	v->r.signature = signature;
	v->r.summary = summary;
	return 0;
}

/* Quotes at most this much of what the client sent in a problem. */
#define CLAIM_QUOTE	200

/*
 * The sender as the client shows it ("from": a display name and an
 * address, or an address, RFC 5322 3.4) against the message's From
 * address: only the address part counts, local-part exactly, domain
 * after IDNA ignoring case (address_equal). Not one mailbox: bad-from.
 * An address in the From display name that is not the From address
 * (the forger's "alice@example.test" <mallory@evil.test>): display-
 * name-mismatch, since a person reads the name first. The name comes
 * from the message (decoded, so an encoded-word cannot hide it); the
 * client's "from" shows that same name.
 */
static int
judge_sender(struct verifymsg *v)
{
	struct address claim;
	const char *why = NULL;
	size_t clen;
	int rc;

	if (v->mm.from_display != NULL && address_text_shows_other(
	    v->mm.from_display, strlen(v->mm.from_display), &v->from)) {
		v->name_bad = true;
		if (add_problem(v, "display-name-mismatch", "the "
		    "From display name (%s) shows another address than the "
		    "one that sent the message (%s)", v->mm.from_display,
		    v->mm.from[0]) < 0)
			return -1;
	}
	if (v->from_claim == NULL)
		return 0;
	clen = strlen(v->from_claim);
	rc = address_parse_display(v->from_claim, clen, &claim, &why);
	if (rc < 0)
		return -1;
	clen = utf8_truncate(v->from_claim, clen < CLAIM_QUOTE ? clen :
	    CLAIM_QUOTE);
	if (rc > 0) {
		v->claim_bad = true;
		return add_problem(v, "bad-from", "the sender "
		    "shown (\"from\": %.*s) is not one mailbox: %s", (int)clen,
		    v->from_claim, why);
	}
	if (!address_equal(&claim, &v->from)) {
		v->claim_bad = true;
		return add_problem(v, "from-mismatch", "the address "
		    "shown (%.*s) is not the message's From address (%s)",
		    (int)clen, v->from_claim, v->mm.from[0]);
	}
	return 0;
}

struct verifymsg *
verifymsg_new(const uint8_t *raw, size_t len, const char *from_claim,
    int64_t at, bool *answered)
{
	struct verifymsg *v = calloc(1, sizeof(*v));
	const char *code = NULL, *why = NULL;
	size_t i;
	int rc;

	*answered = false;
	if (v == NULL)
		goto fail;
	v->at = at;
	if (from_claim != NULL && (v->from_claim = strdup(from_claim)) == NULL)
		goto fail;
	rc = mime_parse(raw, len, &v->mm, &code, &why);
	if (rc < 0)
		goto fail;
	if (rc > 0) {
		if (add_problem(v, code, "%s", why) < 0)
			goto fail;
		*answered = true;
		early(v, "invalid", "The message is malformed, so its "
		    "signature cannot be checked.");
		return v;
	}
	switch (v->mm.kind) {
	case MIME_UNSIGNED:
		*answered = true;
		early(v, "none", "The message is not S/MIME-signed.");
		return v;
	case MIME_ENCRYPTED:
		*answered = true;
		early(v, "encrypted", "The message is encrypted: verify the "
		    "decrypted message.");
		return v;
	default:
		break;
	}
	if (smime_verify(v->mm.content, v->mm.content_len, v->mm.cms,
	    v->mm.cms_len, &v->sr) < 0)
		goto fail;
	if (v->sr.signature != SMIME_VALID) {
		const char *sig = v->sr.signature == SMIME_UNSUPPORTED ?
		    "unsupported" : "invalid";

		if (add_problem(v, v->sr.code != NULL ? v->sr.code :
		    "bad-signature", "%s", v->sr.message) < 0)
			goto fail;
		*answered = true;
		early(v, sig, v->sr.signature == SMIME_UNSUPPORTED ? "The "
		    "signature uses a form this version cannot check." :
		    "The signature is not valid: the message was changed or "
		    "the signature is broken.");
		return v;
	}
	if ((v->chain = calloc(v->sr.ncerts + 1, sizeof(*v->chain))) == NULL)
		goto fail;
	for (i = 0; i < v->sr.ncerts; i++)
		v->chain[v->nchain++] = &v->sr.certs[i];
	/* RFC 5322 3.6.2: several From mailboxes need a Sender; which of
	 * them signed is not for us to guess, so this is never green. */
	if (v->mm.nfrom > 1 && add_problem(v, "several-from",
	    "the From field names %zu mailboxes: it is not clear who the "
	    "sender is (RFC 5322 3.6.2)", v->mm.nfrom) < 0)
		goto fail;
	if (address_parse(v->mm.from[0], strlen(v->mm.from[0]), &v->from,
	    &why) != 0) {
		if (add_problem(v, "bad-from", "the From address "
		    "cannot be looked up: %s", why) < 0)
			goto fail;
		*answered = true;
		early(v, "valid", "The signature is valid, but the sender's "
		    "address is not one that can be looked up.");
		return v;
	}
	v->from_ok = true;
	if (judge_sender(v) < 0)
		goto fail;
	if (v->mm.nested && add_problem(v, "partly-signed",
	    "the signature covers only a part of the message (something, "
	    "e.g. a mailing list footer, was added around it)") < 0)
		goto fail;
	return v;
fail:
	*answered = false;
	verifymsg_free(v);
	return NULL;
}

const struct address *
verifymsg_address(const struct verifymsg *v)
{
	return &v->from;
}

static enum signer_dane
dane_state(const struct lookup_result *lr, const struct dane_verdict *sv)
{
	switch (lr->status) {
	case LS_ABSENT:
		return SD_ABSENT;
	case LS_INSECURE:
		return SD_INSECURE;
	case LS_BOGUS:
		return SD_BOGUS;
	case LS_ERROR:
		return SD_ERROR;
	default:
		return sv->matched ? SD_MATCH : SD_MISMATCH;
	}
}

const char *
verifymsg_dane_name(enum signer_dane d)
{
	static const char *const codes[] = {
		NULL, "match", "mismatch", "absent", "insecure", "bogus",
		"error",
	};

	return (unsigned)d < sizeof(codes) / sizeof(codes[0]) ? codes[d] :
	    "error";
}

/* The sentence a person reads first. */
static const char *
summary_of(enum signer_dane d, bool green)
{
	if (green)
		return "Verified: the signature is valid and the sender's "
		    "domain publishes this certificate for this address in "
		    "DNSSEC-signed DNS.";
	switch (d) {
	case SD_MATCH:
		return "The signature is valid and the domain publishes "
		    "the certificate, but something is wrong: see the "
		    "problems.";
	case SD_MISMATCH:
		return "The signature is valid, but the sender's domain "
		    "publishes a different certificate for this address.";
	case SD_ABSENT:
		return "The signature is valid, but the sender's domain "
		    "publishes no certificate for this address.";
	case SD_INSECURE:
		return "The signature is valid, but the sender's domain is "
		    "not DNSSEC-signed, so DNS cannot vouch for the "
		    "certificate.";
	case SD_BOGUS:
		return "Warning: the sender domain's DNSSEC validation "
		    "failed; the certificate could not be checked.";
	case SD_ERROR:
	case SD_NONE:
	default:
		return "The signature is valid, but the sender's domain "
		    "could not be looked up.";
	}
}

int
verifymsg_evaluate(struct verifymsg *v, const struct dns_result *res,
    struct lookup_result *lr)
{
	struct lookup_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.at = v->at;
	ctx.supplied = &v->sr.signer;
	ctx.chain = v->chain;
	ctx.nchain = v->nchain;
	ctx.purpose = DANE_SIGNER;	/* RFC 8550 4.4.2: a signer */
	return lookup_evaluate(&ctx, v->mm.from[0], strlen(v->mm.from[0]),
	    &v->from, res, lr);
}

int
verifymsg_finish(struct verifymsg *v, const struct dns_result *res,
    bool (*vouched)(void *arg, const char *sha256, const char *address),
    void *arg)
{
	struct lookup_result *lr = &v->lr;
	const struct dane_verdict *sv;
	enum signer_dane dane;
	bool addr_ok, green, several = v->mm.nfrom > 1;
	bool can_sign, timely, weak;
	size_t i;

	if (v->judged) {
		lookup_result_free(lr);
		v->judged = false;
	}
	v->judged = true;
	if (verifymsg_evaluate(v, res, lr) < 0 || (vouched != NULL &&
	    lookup_apply_vouches(lr, vouched, arg) < 0))
		return -1;
	sv = &lr->certs[0].v;
	dane = dane_state(lr, sv);
	addr_ok = !dane_has_problem(sv, "email-mismatch");
	can_sign = v->sr.signer.can_sign;
	timely = !dane_has_problem(sv, "expired") &&
	    !dane_has_problem(sv, "not-yet-valid");
	/* RFC 8551 2.1: SHA-1 only for old messages; never green. */
	weak = strcmp(v->sr.digest_alg, "sha1") == 0 ||
	    strcmp(v->sr.digest_alg, "unknown") == 0;
	if (weak && add_problem(v, "weak-digest", "the signature "
	    "uses %s, which no longer protects against forgery (RFC 8551 "
	    "2.1)", v->sr.digest_alg) < 0)
		return -1;
	green = dane == SD_MATCH && addr_ok && can_sign && timely &&
	    !several && !v->claim_bad && !v->name_bad && !v->mm.nested &&
	    !weak;
	v->r.signature = "valid";
	v->r.looked_up = true;
	/* The signer's certificate, judged as for verify; key-usage is
	 * about encryption and is not the point here: can_sign is. */
	v->r.signer = &lr->certs[0];
	v->r.query = lr->query;
	v->r.dnssec = lookup_dnssec_name(lr->dnssec);
	v->r.address_match = addr_ok;
	v->r.digest_alg = v->sr.digest_alg;
	v->r.signature_alg = v->sr.signature_alg;
	v->r.has_signing_time = v->sr.has_signing_time;
	v->r.signing_time = v->sr.signing_time;
	v->r.match = sv->matched ? sv : NULL;
	if (lr->err_code != NULL && add_problem(v, lr->err_code,
	    "%s", lr->err_message) < 0)
		return -1;
	for (i = 0; i < sv->nproblems; i++) {
		const char *code = sv->problems[i].code;

		if (strcmp(code, "key-usage") == 0 ||
		    strcmp(code, "insecure") == 0)
			continue;	/* said by can_sign / dnssec */
		/* The e-mail trust rule decides what a client may store
		 * (signer.trust), not whether this signature is the
		 * sender's: its problems stay on the signer. */
		if (strcmp(code, "other-address-not-vouched") == 0 ||
		    strcmp(code, "too-many-addresses") == 0 ||
		    strcmp(code, "unreadable-address") == 0)
			continue;
		if (add_problem(v, code, "%s",
		    sv->problems[i].message) < 0)
			return -1;
	}
	if (!can_sign && add_problem(v, "cannot-sign", "the "
	    "signer's certificate does not allow signatures (key usage or "
	    "extended key usage, RFC 8550 4.4)") < 0)
		return -1;
	v->r.dane = dane;
	v->r.green = green;
	v->r.summary = summary_of(dane, green);
	return 0;
}

void
verifymsg_outcome(const struct verifymsg *v, struct vm_report *r)
{
	*r = v->r;
	r->mm = &v->mm;
	r->problems = v->problems;
	r->nproblems = v->nproblems;
}

void
verifymsg_free(struct verifymsg *v)
{
	if (v == NULL)
		return;
	mime_msg_free(&v->mm);
	smime_result_free(&v->sr);
	free(v->chain);
	free(v->from_claim);
	free(v->problems);
	if (v->judged)
		lookup_result_free(&v->lr);
	free(v);
}
