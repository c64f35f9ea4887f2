/* trustrule.c - the one rule for e-mail trust; see trustrule.h. */
#include <string.h>

#include "trustrule.h"

bool
trustrule_cert_ok(const struct cert_summary *c, struct dane_verdict *v)
{
	bool ok = true;

	if (c->version < 3) {
		/* Both codes name the same danger; the version is data. */
		dane_add_problem(v, c->version == 1 ? "version-1-certificate" :
		    "version-2-certificate", "a version %d certificate never "
		    "gets e-mail trust: it has no basicConstraints to say it "
		    "is no CA, and with trust Thunderbird would accept "
		    "certificates its key signs, for any address (RFC 5280 "
		    "4.1.2.1, 4.2.1.9)", c->version);
		ok = false;
	}
	if (c->is_ca || c->ns_ca ||
	    (c->has_ku && (c->ku & CERT_KU_KEY_CERT_SIGN) != 0)) {
		dane_add_problem(v, "ca-certificate", "a CA certificate "
		    "(basicConstraints cA TRUE, keyCertSign or a Netscape CA "
		    "cert type, RFC 5280 4.2.1.3, 4.2.1.9) is no mail "
		    "recipient and never gets trust");
		ok = false;
	}
	return ok;
}

/* s is addr written in ASCII: local-part octet for octet, the domain
 * equal to addr's A-label form ignoring case. False means "parse it". */
static bool
same_ascii(const char *s, const struct address *addr)
{
	const char *at = strrchr(s, '@');
	size_t i;

	if (at == NULL || (size_t)(at - s) != addr->local_len ||
	    memcmp(s, addr->local, addr->local_len) != 0)
		return false;
	for (i = 0, at++; at[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)at[i];

		if (ch >= 0x80 || addr->domain[i] == '\0' ||
		    (ch >= 'A' && ch <= 'Z' ? ch + 32 : ch) !=
		    (unsigned char)addr->domain[i])
			return false;
	}
	return addr->domain[i] == '\0';
}

int
trustrule_others(const struct cert_summary *c, const struct address *addr,
    const char **others, struct dane_verdict *v)
{
	struct address a, seen[DS_MAX_TRUST_ADDRESSES];
	size_t i, k, n = 0;
	int rc;

	if (c->all_incomplete) {
		dane_add_problem(v, "unreadable-address", "the certificate "
		    "carries an e-mail address that cannot be read as text, "
		    "or more than %d: trust is never given for addresses "
		    "nobody could check", DS_MAX_CERT_EMAILS);
		return -1;
	}
	/* The common case without IDNA: one address, plainly the queried
	 * one (same local-part, an ASCII domain equal but for case). */
	if (c->nall_emails == 1 && same_ascii(c->all_emails[0], addr))
		return 0;
	if (c->nall_emails > DS_MAX_TRUST_ADDRESSES) {
		dane_add_problem(v, "too-many-addresses", "the certificate "
		    "names %zu e-mail addresses; e-mail trust is given only "
		    "when each is vouched for by its own SMIMEA record, for "
		    "at most %d", c->nall_emails, DS_MAX_TRUST_ADDRESSES);
		return -1;
	}
	for (i = 0; i < c->nall_emails; i++) {
		rc = address_parse_mailbox(c->all_emails[i],
		    strlen(c->all_emails[i]), &a, NULL);
		if (rc < 0)
			return -2;
		if (rc > 0) {
			dane_add_problem(v, "unreadable-address", "the "
			    "certificate carries \"%s\", which is no address "
			    "that can be looked up: trust is never given for "
			    "addresses nobody could check", c->all_emails[i]);
			return -1;
		}
		if (address_equal(&a, addr))
			continue;
		/* One mailbox written twice (SAN and subject, domain case
		 * or U-label) is looked up once. */
		for (k = 0; k < n; k++)
			if (address_equal(&seen[k], &a))
				break;
		if (k == n) {
			seen[n] = a;
			others[n++] = c->all_emails[i];
		}
	}
	return (int)n;
}
