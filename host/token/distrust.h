/* distrust.h - the certificates the user distrusts for e-mail in
 * Thunderbird, so that the token cache never serves them (issue 17).
 *
 * At the default trust order (all pkcs11.installModule gives) a trust
 * object on our token beats the user's own distrust in the profile's
 * cert9.db, so the host must withhold what the user distrusts: every
 * token cache write (tokencache_save) drops the certificates named here.
 *
 * Where the distrust is: the profile's cert9.db, NSS's SQLite store
 * (softoken sdb.c: table nssPublic, attribute 0xNNN in column "aNNN"
 * (lower-case hex), CK_ULONG values as 4 octets big-endian, a NULL value
 * as the 3 octets a5 00 5a). Two kinds of trust row, both keyed by
 * CKA_ISSUER (the issuer Name DER) and CKA_SERIAL_NUMBER (the serial's
 * DER INTEGER):
 *   - NSS's own CKO_NSS_TRUST (0xce534353) with CKA_TRUST_EMAIL_PROTECTION
 *     (0xce53635b) = CKT_NSS_NOT_TRUSTED (0xce53435a): what NSS 3.87's
 *     certutil -t "p,p,p" and Thunderbird before NSS 3.11x wrote;
 *   - the PKCS#11 3.2 CKO_TRUST (0x0b) with CKA_TRUST_EMAIL_PROTECTION
 *     (0x62f) = CKT_NOT_TRUSTED (3): what Thunderbird 153 (NSS 3.125)
 *     writes, also into an older database (it adds the columns).
 * NSS 3.125 prefers a CKO_TRUST row over an older CKO_NSS_TRUST row for
 * the same certificate. We count a certificate as distrusted when either
 * says so: when a newer row trusts it again, the profile itself serves it
 * with that trust, so withholding our copy loses nothing.
 *
 * Debian's NSS 3.87 cannot read CKO_TRUST, and a second softoken on
 * Thunderbird's live database could write to it (upgrades, merges), so
 * the database is read with SQLite itself, read-only (SQLITE_OPEN_READONLY,
 * PRAGMA query_only, defensive mode, untrusted schema), waiting at most
 * DS_DISTRUST_BUSY_MS for Thunderbird's write lock; nothing is written.
 * The values in it are untrusted bytes, read on the bounded reader.
 *
 * Which databases: those of every profile in ~/.thunderbird/profiles.ini
 * (the token is per user: a distrust in any profile withholds the
 * certificate from all) and every cert9.db that one of the host's parent
 * processes (up to DS_MAX_PARENT_DEPTH, Linux /proc) holds open: the
 * Thunderbird that started the host, also when it runs a profile that
 * profiles.ini does not list (thunderbird --profile DIR).
 */
#ifndef DS_DISTRUST_H
#define DS_DISTRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tokencache.h"

/* NSS's SQLite store (sdb.c) and PKCS#11 constants; NSS 3.87's headers
 * predate the 3.2 trust class. */
#define DT_CKO_TRUST			0x0000000bUL
#define DT_CKA_TRUST_EMAIL_PROTECTION	0x0000062fUL
#define DT_CKT_NOT_TRUSTED		0x00000003UL
#define DT_CKO_NSS_TRUST		0xce534353UL
#define DT_CKA_NSS_TRUST_EMAIL		0xce53635bUL
#define DT_CKT_NSS_NOT_TRUSTED		0xce53435aUL

struct distrust_key {
	uint8_t *issuer;	/* the issuer Name, DER */
	size_t issuer_len;
	uint8_t *serial;	/* the serial number, a DER INTEGER */
	size_t serial_len;
};

struct distrust_set {
	struct distrust_key *v;
	size_t n, cap;
};

enum distrust_status {
	DISTRUST_OK = 0,
	DISTRUST_E_MISSING,	/* no cert9.db there: nothing distrusted */
	DISTRUST_E_UNREADABLE,	/* cannot open or read it: locked, not an
				 * SQLite database, damaged, not a regular
				 * file, no permission */
	DISTRUST_E_FORMAT,	/* SQLite, but not NSS's certificate store,
				 * or a distrust row we cannot read */
	DISTRUST_E_TOO_LARGE,	/* over DS_MAX_TRUST_ROWS / DS_MAX_DISTRUSTED */
};

/* One trust row's values as stored (NULL: no such column or SQL NULL). */
struct distrust_row {
	const uint8_t *cls, *issuer, *serial, *email_new, *email_legacy;
	size_t cls_len, issuer_len, serial_len, new_len, legacy_len;
};

/*
 * Judges one row of nssPublic: 1 when it is a trust row that distrusts
 * the certificate for e-mail (*issuer and *serial then point into the
 * row's values: a DER SEQUENCE and a DER INTEGER, each exactly its
 * value), 0 when it does not (another class, trusted, unknown, no
 * value), -1 with *why (static) when it is a trust row whose class or
 * e-mail trust value is not a 4-octet CK_ULONG, or a distrust row whose
 * issuer or serial is not DER. Pure: the fuzz target's entry.
 */
int distrust_row_judge(const struct distrust_row *row,
    struct distrust_key *out, const char **why);

/*
 * Adds the certificates the database at path (a cert9.db) distrusts for
 * e-mail to *set (without duplicates). DISTRUST_OK, another status with
 * a message naming the path in err, or -1 on OOM. On any error *set
 * keeps what it had before plus possibly some of this database's keys.
 */
int distrust_read_db(const char *path, struct distrust_set *set,
    char *err, size_t errlen);

struct distrust_report {
	size_t databases;	/* cert9.db files read */
	size_t unreadable;	/* found but not read (status != OK/MISSING) */
	char why[512];		/* the first problem, "" if none */
};

/*
 * The user's distrust: every database named above (home is the user's
 * folder; NULL: $HOME, else the password database). 0 when every
 * database found was read, 1 when something could not be read (profiles.ini
 * or a cert9.db: rep->why), -1 on OOM. *set has what was read either way.
 */
int distrust_read_user(const char *home, struct distrust_set *set,
    struct distrust_report *rep);

/* True when the certificate (issuer Name DER, serial INTEGER DER) is in
 * the set. */
bool distrust_has(const struct distrust_set *set, const uint8_t *issuer,
    size_t issuer_len, const uint8_t *serial, size_t serial_len);

/*
 * The entries of in that may be served, copied to *out (empty on entry):
 * an entry whose certificate the set names is left out whatever its
 * trust; when complete is false (some database could not be read), every
 * entry is kept but without trust (",,"): a certificate without a trust
 * object on the token cannot override the profile's own distrust, and
 * one the user's own anchors validate stays usable. An entry whose
 * certificate we cannot take apart (pkcs11cert.h, the module's own
 * reader) is left out too: it cannot be checked. Counts in *withheld and
 * *demoted (may be NULL). 0 or -1 (OOM, *out empty).
 */
int distrust_filter(const struct tokencache *in, const struct distrust_set *set,
    bool complete, struct tokencache *out, size_t *withheld, size_t *demoted);

void distrust_set_free(struct distrust_set *set);

#endif
