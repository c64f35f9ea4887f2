/* certstore.h - store a certificate in an NSS database (such as a
 * Thunderbird profile's cert9.db) with trust exactly as narrow as what
 * authenticated it.
 *
 * Trust written (the security core; see SECURITY.md, "Trust rules"):
 *   BASIS_PKIX                 no trust flags at all (",,"): the chain to
 *                              a trusted root is what makes it usable.
 *   BASIS_DANE_EE/BASIS_DANE_TA e-mail trust ",C," on that certificate
 *                              alone, and only when it is a v3 end entity
 *                              (basicConstraints absent or cA FALSE, RFC
 *                              5280 4.2.1.9). A CA certificate never gets
 *                              trust, nor does a v1/v2 certificate:
 *                              mozilla::pkix treats a v1 trust anchor as a
 *                              CA, so ",C," on it would let its key issue
 *                              certificates for any address.
 *   BASIS_NONE                 refused.
 * An existing certificate's trust is never narrowed or replaced: equal to
 * the target -> nothing to do; no trust (",,") and target ",C," -> raised
 * to ",C," (reported); anything else -> refused, the user removes it
 * first. Every change is reported in struct certstore_change so it can be
 * undone (certutil -D -n NICKNAME, or -M -t ",,").
 *
 * The database is opened read-write as an extra softoken slot
 * (SECMOD_OpenUserDB, token "dane-smime import"), beside NSS's own
 * context from crypto_init and any read-only slot pkix opens; the shared
 * SQLite format lets Thunderbird run meanwhile. Never prompts: a database
 * with a primary (master) password is refused. Single-threaded.
 */
#ifndef DS_CERTSTORE_H
#define DS_CERTSTORE_H

#include <stdbool.h>

#include "certs.h"

/* Size of a trust string buffer: CERT_EncodeTrustString can produce up to
 * 7 letters per field plus two commas. */
#define CERTSTORE_TRUST_LEN 32

struct certstore_change {
	char *nickname;		/* as stored (an existing certificate keeps
				 * its own), malloc'ed */
	char *sha256;		/* lowercase hex of the DER, malloc'ed */
	char trust[CERTSTORE_TRUST_LEN];	/* target: ",," or ",C," */
	bool added;		/* the certificate was (dry run: would be)
				 * added to the database */
	bool trust_changed;	/* trust was (would be) written where none
				 * or none-but-",," was: ",C," on a new or
				 * untrusted certificate */
	/* Trust the certificate had before, in certutil's notation (",,"
	 * for none, "u,u,u" for a certificate with its key, ...); "" if it
	 * was not in the database. */
	char old_trust[CERTSTORE_TRUST_LEN];
};

/*
 * Imports c permanently into the NSS database db with the trust for basis
 * (enum trust_basis of dane.h: 0 NONE, 1 PKIX, 2 DANE_EE, 3 DANE_TA).
 * db: "sql:/path" or a bare path (meaning sql:); "dbm:" (cert8.db) and
 * other NSS prefixes are refused. A directory that does not exist is
 * created (0700; its parent must exist) and an empty one initialised with
 * an empty password, as `certutil -N --empty-password` does; a non-empty
 * directory without cert9.db is refused. The nickname of a new
 * certificate is "dane-smime <first email> (<first 8 hex of SHA-256>)"
 * (no colon, which NSS would take for a token name: certutil -n must be
 * able to find it).
 * dry_run: nothing is created or written (the database, if any, is only
 * read) and *out says what would change.
 * Returns 0 with *out filled; 1 their fault (bad db, refused trust,
 * conflicting existing certificate, master password, write refused by the
 * database) with *why a static message citing the rule, and *out filled as
 * far as known (an existing certificate: nickname, old_trust); -1 ours
 * (OOM, NSS failure). Free *out with certstore_change_free in every case.
 * The database stays open for the next call (another db closes it first)
 * until certstore_close.
 */
int certstore_import(const char *db, const struct cert_summary *c, int basis,
    bool dry_run, struct certstore_change *out, const char **why);

/* Frees what c owns and zeroes it; accepts NULL. */
void certstore_change_free(struct certstore_change *c);

/* Closes the database slot (SECMOD_CloseUserDB, PK11_FreeSlot) so that
 * crypto_shutdown can shut NSS down. Call it before crypto_shutdown.
 * 0 ok or nothing open, -1 NSS refused to close (the slot is forgotten
 * anyway). Safe to call more than once. */
int certstore_close(void);

#endif
