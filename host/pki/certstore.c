/* certstore.c - import into an NSS database with narrow trust; see
 * certstore.h. The trust letters certutil prints are spelled out below
 * because NSS does not export its encoder (CERT_EncodeTrustString). */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cert.h>
#include <pk11pub.h>
#include <secder.h>
#include <secerr.h>
#include <secitem.h>
#include <secport.h>
#include <utilpars.h>

#include "nsslib.h"		/* after the NSS headers: calls via dlopen */

#include "certstore.h"
#include "crypto.h"
#include "dane.h"
#include "fail.h"

/* Exported by libnss3 under this name only (see certs.c): a certificate
 * outside NSS's shared stores, for looking at extensions without any
 * side effect on what the database lookups return. */
extern CERTCertificate *__CERT_DecodeDERCertificate(SECItem *der,
    PRBool copy, char *nickname);

/* Token label of our slot; pkix's read-only slot uses another, so NSS
 * keeps the two apart (pk11pub.h: tokenDescription should be unique). At
 * most 32 bytes (CK_TOKEN_INFO label). */
#define TOKEN_DESC	"dane-smime import"
/* No colon: NSS reads "a:b" as token "a", label "b", so certutil -n and
 * PK11_FindCertFromNickname could not find "dane-smime: ..." by name. */
#define NICK_PREFIX	"dane-smime "
#define TRUST_NONE	",,"
#define TRUST_EMAIL	",C,"

/* NSS's CERTDB_* trust flags (nss certdb.h; fixed values, also stored in
 * legacy databases), in the order certutil prints their letters. */
static const struct {
	unsigned int flag;
	unsigned int unless;	/* not printed when one of these is set */
	char letter;
} trust_letters[] = {
	{ 1u << 3, (1u << 4) | (1u << 7), 'c' },	/* VALID_CA */
	{ 1u << 0, 1u << 1, 'p' },			/* TERMINAL_RECORD */
	{ 1u << 4, 0, 'C' },				/* TRUSTED_CA */
	{ 1u << 7, 0, 'T' },				/* TRUSTED_CLIENT_CA */
	{ 1u << 1, 0, 'P' },				/* TRUSTED */
	{ 1u << 6, 0, 'u' },				/* USER */
	{ 1u << 2, 0, 'w' },				/* SEND_WARN */
	{ 1u << 8, 0, 'I' },				/* INVISIBLE_CA */
	{ 1u << 9, 0, 'G' },				/* GOVT_APPROVED_CA */
};

/* The one database we have open. */
static struct {
	PK11SlotInfo *slot;
	char *path;		/* directory, without "sql:" */
	bool rw;
} db;

enum dir_state {
	DIR_MISSING,		/* nothing there: create (unless dry run) */
	DIR_EMPTY,		/* an empty directory: a fresh database */
	DIR_NSS,		/* holds cert9.db */
};

/* NSS reports OOM through its error code; anything else is counted as
 * the database's (the user's environment's) doing, not a bug of ours. */
static int
nss_fail(const char **why, const char *msg)
{
	if (PORT_GetError() == SEC_ERROR_NO_MEMORY)
		return -1;
	return fail(why, msg, 1);
}

/*
 * "sql:/path" or a bare path -> the directory. The other prefixes NSS
 * knows (_NSSUTIL_EvaluateConfigDir) are refused rather than passed
 * through: "dbm:" is the legacy Berkeley DB format (cert8.db) that
 * Thunderbird has not used since 2018 and NSS only reads for upgrades.
 */
static int
db_dir(const char *spec, const char **dir, const char **why)
{
	static const char *const other[] = {
		"extern:", "rdb:", "multiaccess:",
	};
	size_t i;

	if (spec == NULL || spec[0] == '\0')
		return fail(why, "no NSS database given (sql:DIRECTORY)", 1);
	if (strncmp(spec, "dbm:", 4) == 0)
		return fail(why, "legacy dbm: databases (cert8.db) are not "
		    "supported: give the directory of a cert9.db as "
		    "sql:DIRECTORY", 1);
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		if (strncmp(spec, other[i], strlen(other[i])) == 0)
			return fail(why, "only sql: NSS databases (cert9.db) "
			    "are supported", 1);
	if (strncmp(spec, "sql:", 4) == 0)
		spec += 4;
	if (spec[0] == '\0')
		return fail(why, "no NSS database directory given after sql:",
		    1);
	*dir = spec;
	return 0;
}

/*
 * What is at dir. A non-empty directory without cert9.db is refused so a
 * typo (--db ~) cannot scatter database files into it.
 */
static int
dir_probe(const char *dir, enum dir_state *st, const char **why)
{
	struct stat sb;
	struct dirent *de;
	DIR *d = NULL;
	char *p = NULL;
	bool empty = true, legacy = false;
	int rc = -1;

	if (stat(dir, &sb) != 0) {
		if (errno == ENOENT) {
			*st = DIR_MISSING;
			rc = 0;
		} else
			rc = fail(why, "cannot access the NSS database "
			    "directory", 1);
		goto out;
	}
	if (!S_ISDIR(sb.st_mode)) {
		rc = fail(why, "the NSS database path is not a directory", 1);
		goto out;
	}
	if (asprintf(&p, "%s/cert9.db", dir) < 0) {
		p = NULL;
		goto out;
	}
	if (stat(p, &sb) == 0) {
		*st = DIR_NSS;
		rc = 0;
		goto out;
	}
	if ((d = opendir(dir)) == NULL) {
		rc = fail(why, "cannot read the NSS database directory", 1);
		goto out;
	}
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		empty = false;
		if (strcmp(de->d_name, "cert8.db") == 0)
			legacy = true;
	}
	if (errno != 0) {
		rc = fail(why, "cannot read the NSS database directory", 1);
		goto out;
	}
	if (legacy)
		rc = fail(why, "the directory holds a legacy dbm: database "
		    "(cert8.db), which is not supported: upgrade it to sql: "
		    "(cert9.db) first, e.g. with certutil -L -d sql:DIR", 1);
	else if (!empty)
		rc = fail(why, "the directory is not empty and holds no "
		    "cert9.db: not an NSS database", 1);
	else {
		*st = DIR_EMPTY;
		rc = 0;
	}
out:
	if (d != NULL)
		closedir(d);
	free(p);
	return rc;
}

/* Opens dir as our slot, read-write or read-only; keeps an open slot that
 * already serves. */
static int
db_open(const char *dir, bool rw, const char **why)
{
	PK11SlotInfo *slot = NULL;
	char *configdir = NULL, *quoted = NULL, *spec = NULL, *path = NULL;
	int rc = -1;

	if (db.slot != NULL && strcmp(db.path, dir) == 0 && (db.rw || !rw))
		return 0;
	(void)certstore_close();
	if ((path = strdup(dir)) == NULL)
		goto out;
	if (asprintf(&configdir, "sql:%s", dir) < 0) {
		configdir = NULL;
		goto out;
	}
	/* NSS parses the spec itself: quote the directory so quotes,
	 * blanks and backslashes in it stay part of the name. */
	if ((quoted = NSSUTIL_Quote(configdir, '\'')) == NULL)
		goto out;
	if (asprintf(&spec, "configdir=%s certPrefix='' keyPrefix='' "
	    "tokenDescription='" TOKEN_DESC "' flags=%s", quoted,
	    rw ? "optimizeSpace" : "readOnly,optimizeSpace") < 0) {
		spec = NULL;
		goto out;
	}
	if ((slot = SECMOD_OpenUserDB(spec)) == NULL) {
		rc = nss_fail(why, "cannot open the NSS database (is it a "
		    "readable sql: database, cert9.db and key4.db?)");
		goto out;
	}
	if (rw && PK11_IsReadOnly(slot)) {
		rc = fail(why, "the NSS database can only be opened "
		    "read-only (file permissions?)", 1);
		goto out;
	}
	db.slot = slot;
	slot = NULL;
	db.path = path;
	path = NULL;
	db.rw = rw;
	rc = 0;
out:
	if (slot != NULL) {
		(void)SECMOD_CloseUserDB(slot);
		PK11_FreeSlot(slot);
	}
	free(path);
	free(spec);
	if (quoted != NULL)
		PORT_Free(quoted);
	free(configdir);
	return rc;
}

int
certstore_close(void)
{
	int rc = 0;

	if (db.slot != NULL) {
		if (SECMOD_CloseUserDB(db.slot) != SECSuccess)
			rc = -1;
		PK11_FreeSlot(db.slot);
	}
	free(db.path);
	memset(&db, 0, sizeof(db));
	return rc;
}

/*
 * Only a v3 end entity may be given trust. With ",C," a certificate
 * becomes an e-mail trust anchor for mozilla::pkix: if it were a CA
 * (basicConstraints cA TRUE, RFC 5280 4.2.1.9) every certificate signed
 * by its key would be trusted for any address. mozilla::pkix also
 * accepts a v1 trust anchor as a CA (no basicConstraints to say
 * otherwise), and legacy NSS paths honour the Netscape cert type; so we
 * look at the DER ourselves rather than trust c->is_ca alone.
 */
static int
check_end_entity(const struct cert_summary *c, const char **why)
{
	static const char ca_msg[] = "a CA certificate is never given trust "
	    "(RFC 5280 4.2.1.9 cA TRUE): e-mail trust on it would extend to "
	    "every certificate it signs; not imported";
	CERTCertificate *cert = NULL;
	CERTBasicConstraints bc;
	SECItem item, ext = { siBuffer, NULL, 0 };
	int rc = -1;

	if (c->is_ca)
		return fail(why, ca_msg, 1);
	memset(&item, 0, sizeof(item));
	item.type = siDERCertBuffer;
	item.data = c->der;
	item.len = (unsigned int)c->der_len;
	if ((cert = __CERT_DecodeDERCertificate(&item, PR_TRUE, NULL)) ==
	    NULL) {
		rc = nss_fail(why, "NSS cannot decode the certificate");
		goto out;
	}
	/* Version is DEFAULT v1 (0), so an absent field means v1. */
	if (cert->version.len == 0 || DER_GetInteger(&cert->version) != 2) {
		rc = fail(why, "a version 1 or 2 certificate is never given "
		    "trust: with trust, mozilla::pkix treats a v1 certificate "
		    "as a CA (RFC 5280 4.2.1.9 needs v3 basicConstraints to "
		    "say it is not one); not imported", 1);
		goto out;
	}
	if (CERT_FindCertExtension(cert, SEC_OID_X509_BASIC_CONSTRAINTS,
	    &ext) == SECSuccess) {
		if (CERT_DecodeBasicConstraintValue(&bc, &ext) != SECSuccess) {
			rc = nss_fail(why, "basicConstraints is malformed (RFC "
			    "5280 4.2.1.9): not given trust");
			goto out;
		}
		if (bc.isCA) {
			rc = fail(why, ca_msg, 1);
			goto out;
		}
	} else if (PORT_GetError() != SEC_ERROR_EXTENSION_NOT_FOUND) {
		rc = nss_fail(why, "basicConstraints cannot be read (RFC 5280 "
		    "4.2.1.9): not given trust");
		goto out;
	}
	if (cert->nsCertType & (NS_CERT_TYPE_SSL_CA | NS_CERT_TYPE_EMAIL_CA |
	    NS_CERT_TYPE_OBJECT_SIGNING_CA)) {
		rc = fail(why, "a certificate whose Netscape cert type marks "
		    "it a CA is never given trust; not imported", 1);
		goto out;
	}
	rc = 0;
out:
	SECITEM_FreeItem(&ext, PR_FALSE);
	if (cert != NULL)
		CERT_DestroyCertificate(cert);
	return rc;
}

/* "dane-smime <first email> (<first 8 hex of SHA-256>)": recognisable in
 * Thunderbird's certificate manager and unique per certificate, so a
 * rollover certificate for the same address gets its own. */
static char *
make_nickname(const struct cert_summary *c)
{
	char *nick, *p;
	int n;

	if (c->nemails > 0 && c->emails[0] != NULL)
		n = asprintf(&nick, NICK_PREFIX "%s (%.8s)", c->emails[0],
		    c->sha256);
	else
		n = asprintf(&nick, NICK_PREFIX "(%.8s)", c->sha256);
	if (n < 0)
		return NULL;
	/* A quoted local-part may hold a colon (RFC 5322 3.4.1). */
	for (p = nick; (p = strchr(p, ':')) != NULL; p++)
		*p = '_';
	return nick;
}

/* The certificate's trust as certutil prints it (SSL,S/MIME,code
 * signing); ",," for none. At most 9 letters a field: fits
 * CERTSTORE_TRUST_LEN. */
static void
trust_string(CERTCertificate *cert, char out[CERTSTORE_TRUST_LEN])
{
	CERTCertTrust t;
	unsigned int f[3];
	size_t i, j, n = 0;

	memset(&t, 0, sizeof(t));
	if (CERT_GetCertTrust(cert, &t) != SECSuccess)
		memset(&t, 0, sizeof(t));
	f[0] = t.sslFlags;
	f[1] = t.emailFlags;
	f[2] = t.objectSigningFlags;
	for (i = 0; i < 3; i++) {
		if (i > 0)
			out[n++] = ',';
		for (j = 0; j < sizeof(trust_letters) /
		    sizeof(trust_letters[0]); j++)
			if ((f[i] & trust_letters[j].flag) &&
			    !(f[i] & trust_letters[j].unless))
				out[n++] = trust_letters[j].letter;
	}
	out[n] = '\0';
}

/*
 * cert->nickname of a certificate on a token other than the internal key
 * slot (ours is one) reads "TOKEN:label": return the label alone when the
 * token is ours.
 */
static char *
stored_nickname(CERTCertificate *cert)
{
	const char *tok = PK11_GetTokenName(db.slot), *n = cert->nickname;
	size_t tl;

	if (n == NULL)
		return strdup("");
	if (tok != NULL && (tl = strlen(tok)) > 0 && strncmp(n, tok, tl) == 0 &&
	    n[tl] == ':')
		n += tl + 1;
	return strdup(n);
}

/*
 * Thunderbird 153 bundles a newer NSS (3.12x) than the system's, which
 * stores trust as PKCS #11 3.2 trust objects (CKO_TRUST). This NSS cannot
 * read them: it would take a certificate Thunderbird trusts or distrusts
 * for one without trust (",,"), and could raise trust over a user's
 * distrust. Such a database is refused whole. The search is by class
 * alone, which the SQLite store answers for any class value.
 */
#define CKO_PKCS11_3_2_TRUST 0x0000000bUL

static int
check_trust_format(const char **why)
{
	PK11GenericObject *objs;

	PORT_SetError(0);
	objs = PK11_FindGenericObjects(db.slot, CKO_PKCS11_3_2_TRUST);
	if (objs == NULL)
		return PORT_GetError() == SEC_ERROR_NO_MEMORY ? -1 : 0;
	PK11_DestroyGenericObjects(objs);
	return fail(why, "the database holds trust in a newer format (PKCS "
	    "#11 3.2 trust objects, written by Thunderbird's own newer NSS) "
	    "that this NSS cannot read, so it could not tell a user's "
	    "distrust from no trust: nothing is written; use the add-on's "
	    "import inside Thunderbird instead", 1);
}

/* certstore_import in phases, each returning 0 to go on, 1 when it
 * refused (why says why), or -1 on our failure. */

/* The database opened for the import, created first when it is missing
 * and the import is real. */
static int
open_for_import(const char *dir, enum dir_state st, bool dry_run,
    const char **why)
{
	int rc;

	if (st == DIR_MISSING && mkdir(dir, 0700) != 0)
		return fail(why, "cannot create the NSS database directory "
		    "(does its parent exist?)", 1);
	if ((rc = db_open(dir, !dry_run, why)) != 0)
		return rc;
	/* A fresh database: set the empty password, as `certutil -N
	 * --empty-password` and Thunderbird do. Trust objects are
	 * integrity-protected with a key from key4.db, so without this
	 * CERT_ChangeCertTrust fails. */
	if (!dry_run && PK11_NeedUserInit(db.slot) &&
	    PK11_InitPin(db.slot, NULL, "") != SECSuccess)
		return nss_fail(why, "cannot initialise the new NSS database");
	/* An empty password logs in by itself; anything else would need a
	 * prompt, and a native-messaging host has nobody to ask. */
	if (PK11_NeedLogin(db.slot) && !PK11_IsLoggedIn(db.slot, NULL))
		return fail(why, "the NSS database is protected by a primary "
		    "(master) password, which dane-smime never asks for: "
		    "import the certificate in Thunderbird or with certutil",
		    1);
	return check_trust_format(why);
}

/* c as NSS holds it, after the database is open, so NSS finds the stored
 * instance and its current trust if the certificate is already there. */
static int
nss_cert(const struct cert_summary *c, CERTCertificate **cert,
    const char **why)
{
	static const char same_serial_msg[] = "the database or NSS already "
	    "holds a different certificate with the same issuer and serial "
	    "number (RFC 5280 4.1.2.2): not imported";
	SECItem item;

	memset(&item, 0, sizeof(item));
	item.type = siDERCertBuffer;
	item.data = c->der;
	item.len = (unsigned int)c->der_len;
	*cert = CERT_NewTempCertificate(CERT_GetDefaultCertDB(), &item, NULL,
	    PR_FALSE, PR_TRUE);
	/* RFC 5280 4.1.2.2: issuer and serial number identify one
	 * certificate. NSS refuses a second one with the issuer and serial
	 * number of a stored certificate, and may hand back one it holds
	 * in its temporary store in place of ours: make sure we hold the
	 * one we were given. */
	if (*cert == NULL) {
		if (PORT_GetError() == SEC_ERROR_REUSED_ISSUER_AND_SERIAL)
			return fail(why, same_serial_msg, 1);
		return nss_fail(why, "NSS cannot decode the certificate");
	}
	if (!SECITEM_ItemsAreEqual(&(*cert)->derCert, &item))
		return fail(why, same_serial_msg, 1);
	return 0;
}

/* What the import changes (out), against what the database holds;
 * *exists when it holds the certificate, *done when nothing changes. */
static int
plan_change(CERTCertificate *cert, const char *target, char **nick,
    struct certstore_change *out, bool *exists, bool *done,
    const char **why)
{
	*done = false;
	*exists = PK11_FindCertInSlot(db.slot, cert, NULL) !=
	    CK_INVALID_HANDLE;
	if (!*exists) {
		out->added = true;
		out->trust_changed = strcmp(target, TRUST_NONE) != 0;
		out->nickname = *nick;
		*nick = NULL;
		return 0;
	}
	trust_string(cert, out->old_trust);
	if ((out->nickname = stored_nickname(cert)) == NULL)
		return -1;
	if (strcmp(out->old_trust, target) == 0) {
		*done = true;		/* already as it should be */
		return 0;
	}
	/* Never narrow or replace trust someone set: the user decides
	 * (certutil -D, or Thunderbird's manager). Only a certificate
	 * stored without trust (e.g. a signer certificate Thunderbird
	 * kept) may be raised to what the record allows. */
	if (strcmp(out->old_trust, TRUST_NONE) != 0)
		return fail(why, "the certificate is already in the database "
		    "with other trust, which dane-smime does not change: "
		    "remove it first (certutil -D) to import it with the "
		    "trust the record allows", 1);
	out->trust_changed = true;
	return 0;
}

/* Stores the certificate (unless it exists) and its trust. */
static int
write_change(CERTCertificate *cert, bool exists, const char *target,
    struct certstore_change *out, const char **why)
{
	CERTCertTrust trust;

	if (!exists && PK11_ImportCert(db.slot, cert, CK_INVALID_HANDLE,
	    out->nickname, PR_FALSE) != SECSuccess) {
		out->added = out->trust_changed = false;
		return nss_fail(why, "the NSS database refused the "
		    "certificate (a different certificate with the same "
		    "issuer and serial number stored, or the database is "
		    "locked or read-only)");
	}
	/* Written even for ",," (as certutil -A -t ",," does): an explicit
	 * record that nobody granted trust. */
	if (CERT_DecodeTrustString(&trust, target) != SECSuccess)
		return -1;
	if (CERT_ChangeCertTrust(CERT_GetDefaultCertDB(), cert, &trust) !=
	    SECSuccess) {
		/* The certificate may be stored, without trust: the safe
		 * side. out->added says so. */
		out->trust_changed = false;
		return nss_fail(why, "the NSS database refused the trust "
		    "setting (locked or read-only?)");
	}
	return 0;
}

int
certstore_import(const char *dbspec, const struct cert_summary *c, int basis,
    bool dry_run, struct certstore_change *out, const char **why)
{
	CERTCertificate *cert = NULL;
	enum dir_state st;
	const char *target, *dir = NULL;
	char *nick = NULL;
	bool exists, done;
	int rc;

	memset(out, 0, sizeof(*out));
	if (why != NULL)
		*why = NULL;
	if (c == NULL || c->der == NULL || c->der_len == 0 ||
	    c->der_len > DS_MAX_CERT_BYTES)
		return -1;
	switch (basis) {
	case BASIS_PKIX:
		target = TRUST_NONE;
		break;
	case BASIS_DANE_EE:
	case BASIS_DANE_TA:
		target = TRUST_EMAIL;
		break;
	case BASIS_NONE:
		return fail(why, "no SMIMEA record authenticates this "
		    "certificate (RFC 8162 6): not imported", 1);
	default:
		return -1;
	}
	if (crypto_init() != 0)
		return -1;
	/* Refusals first: nothing is created for a certificate we refuse. */
	if (strcmp(target, TRUST_EMAIL) == 0 &&
	    (rc = check_end_entity(c, why)) != 0)
		goto out;
	snprintf(out->trust, sizeof(out->trust), "%s", target);
	if ((out->sha256 = strdup(c->sha256)) == NULL ||
	    (nick = make_nickname(c)) == NULL) {
		rc = -1;
		goto out;
	}
	if ((rc = db_dir(dbspec, &dir, why)) != 0 ||
	    (rc = dir_probe(dir, &st, why)) != 0)
		goto out;
	if (st != DIR_NSS && dry_run) {
		/* No database yet: everything would be new. */
		out->added = true;
		out->trust_changed = strcmp(target, TRUST_NONE) != 0;
		out->nickname = nick;
		nick = NULL;
		goto out;
	}
	if ((rc = open_for_import(dir, st, dry_run, why)) != 0 ||
	    (rc = nss_cert(c, &cert, why)) != 0 ||
	    (rc = plan_change(cert, target, &nick, out, &exists, &done,
	    why)) != 0 || done || dry_run)
		goto out;
	rc = write_change(cert, exists, target, out, why);
out:
	if (cert != NULL)
		CERT_DestroyCertificate(cert);
	free(nick);
	if (rc < 0)
		certstore_change_free(out);
	return rc;
}

void
certstore_change_free(struct certstore_change *c)
{
	if (c == NULL)
		return;
	free(c->nickname);
	free(c->sha256);
	memset(c, 0, sizeof(*c));
}
