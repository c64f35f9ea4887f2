/* trustrule.h - the one rule for e-mail trust (SECURITY.md "E-mail trust",
 * PROTOCOL.md `trust`).
 *
 * A certificate a client stores gets e-mail trust (",C,": NSS's
 * CERTDB_TRUSTED_CA for e-mail, which mozilla::pkix then treats as a trust
 * anchor for S/MIME) only when every one of these holds:
 *   - it is an X.509 v3 certificate (a v1/v2 one has no basicConstraints
 *     to say it is no CA, and mozilla::pkix takes such a trust anchor as a
 *     CA: its key could then issue certificates for any address);
 *   - it is an end entity: basicConstraints absent or cA FALSE, no
 *     keyCertSign, no Netscape cert-type CA bit (RFC 5280 4.2.1.3,
 *     4.2.1.9);
 *   - a DNSSEC-secure SMIMEA record of the queried address authenticates it
 *     (DANE-EE or DANE-TA: dane.h);
 *   - EVERY e-mail address it carries (SAN rfc822Name and SmtpUTF8Mailbox,
 *     subject emailAddress/mail) is that address or is itself vouched for:
 *     a DNSSEC-secure SMIMEA lookup of that address authenticates this very
 *     certificate. Thunderbird finds a trusted certificate under each of its
 *     addresses, so a record in one domain must never vouch for an address
 *     in another, nor for another person's address in the same domain.
 *     At most DS_MAX_TRUST_ADDRESSES addresses are checked.
 * A certificate that validates by PKIX to a configured anchor needs no
 * trust at all (",,"): its issuer vouches for all its addresses.
 * Everything else gets no trust and is not usable for encryption.
 *
 * Pure: no I/O; the engine does the other addresses' lookups.
 */
#ifndef DS_TRUSTRULE_H
#define DS_TRUSTRULE_H

#include <stdbool.h>
#include <stddef.h>

#include "address.h"
#include "certs.h"
#include "dane.h"

#define TRUST_NONE_STR  ",,"	/* store without trust flags (PKIX) */
#define TRUST_EMAIL_STR ",C,"	/* e-mail trust on this certificate */

/* The certificate's own part of the rule (version, end entity). Adds
 * version-1-certificate, version-2-certificate or ca-certificate to v and
 * returns false when it fails. */
bool trustrule_cert_ok(const struct cert_summary *c, struct dane_verdict *v);

/* The addresses of c other than addr, which must each vouch for c: at
 * most DS_MAX_TRUST_ADDRESSES - 1 pointers into c->all_emails, in order,
 * written to others[]. Returns the count, or -1 when the rule cannot be
 * met at all (too many addresses, one that cannot be read or parsed),
 * with the problem added to v; -2 ours (OOM). */
int trustrule_others(const struct cert_summary *c, const struct address *addr,
    const char **others, struct dane_verdict *v);

#endif
