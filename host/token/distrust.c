/* distrust.c - the certificates the user distrusts for e-mail in
 * Thunderbird; see distrust.h. */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "distrust.h"
#include "dynlib.h"
#include "dslimits.h"
#include "fail.h"
#include "pkcs11cert.h"
#include "reader.h"
#include "readfile.h"
#include "tbprofile.h"

#define DB_NAME "cert9.db"

/*
 * libsqlite3 is opened with dlopen where a profile's database is first
 * read, not linked: linked, its ~1,600 symbol bindings cost every start of
 * the host about 0.5 ms of CPU (tests/bench/README.md), and most runs
 * never read a profile. Resolved once, kept for the life of the process.
 * When it cannot be loaded every database counts as unreadable: the token
 * cache is written without trust (fail closed).
 */
#ifdef __APPLE__
#define SQLITE_SONAME "libsqlite3.dylib"
#else
#define SQLITE_SONAME "libsqlite3.so.0"
#endif

static struct {
	void *lib;
	int (*open_v2)(const char *, sqlite3 **, int, const char *);
	int (*close)(sqlite3 *);
	int (*extended_result_codes)(sqlite3 *, int);
	int (*busy_timeout)(sqlite3 *, int);
	int (*db_config)(sqlite3 *, int, ...);
	int (*limit)(sqlite3 *, int, int);
	int (*exec)(sqlite3 *, const char *, int (*)(void *, int, char **,
	    char **), void *, char **);
	int (*prepare_v2)(sqlite3 *, const char *, int, sqlite3_stmt **,
	    const char **);
	int (*step)(sqlite3_stmt *);
	int (*finalize)(sqlite3_stmt *);
	const unsigned char *(*column_text)(sqlite3_stmt *, int);
	const void *(*column_blob)(sqlite3_stmt *, int);
	int (*column_bytes)(sqlite3_stmt *, int);
	const char *(*errmsg)(sqlite3 *);
	const char *(*errstr)(int);
} sq;

static int
sq_load(char *err, size_t errlen)
{
	void *lib;

	if (sq.lib != NULL)
		return 0;
	if ((lib = dlopen(SQLITE_SONAME, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		seterr(err, errlen, "%s cannot be loaded: %s", SQLITE_SONAME,
		    dlerror());
		return -1;
	}
	if (dynlib_sym(lib, "sqlite3_open_v2", &sq.open_v2) != 0 ||
	    dynlib_sym(lib, "sqlite3_close", &sq.close) != 0 ||
	    dynlib_sym(lib, "sqlite3_extended_result_codes",
	    &sq.extended_result_codes) != 0 ||
	    dynlib_sym(lib, "sqlite3_busy_timeout", &sq.busy_timeout) != 0 ||
	    dynlib_sym(lib, "sqlite3_db_config", &sq.db_config) != 0 ||
	    dynlib_sym(lib, "sqlite3_limit", &sq.limit) != 0 ||
	    dynlib_sym(lib, "sqlite3_exec", &sq.exec) != 0 ||
	    dynlib_sym(lib, "sqlite3_prepare_v2", &sq.prepare_v2) != 0 ||
	    dynlib_sym(lib, "sqlite3_step", &sq.step) != 0 ||
	    dynlib_sym(lib, "sqlite3_finalize", &sq.finalize) != 0 ||
	    dynlib_sym(lib, "sqlite3_column_text", &sq.column_text) != 0 ||
	    dynlib_sym(lib, "sqlite3_column_blob", &sq.column_blob) != 0 ||
	    dynlib_sym(lib, "sqlite3_column_bytes", &sq.column_bytes) != 0 ||
	    dynlib_sym(lib, "sqlite3_errmsg", &sq.errmsg) != 0 ||
	    dynlib_sym(lib, "sqlite3_errstr", &sq.errstr) != 0) {
		seterr(err, errlen, "%s lacks a function we use",
		    SQLITE_SONAME);
		dlclose(lib);
		return -1;
	}
	sq.lib = lib;
	return 0;
}

/* A CK_ULONG as NSS's store keeps it (sdb.c: 4 octets, big-endian). -1
 * for another length; 1 for no value (no column, SQL NULL or the store's
 * NULL marker a5 00 5a). */
static int
db_ulong(const uint8_t *p, size_t n, uint32_t *out)
{
	struct reader r;

	if (p == NULL || n == 0 ||
	    (n == 3 && p[0] == 0xa5 && p[1] == 0x00 && p[2] == 0x5a))
		return 1;
	if (n != 4)
		return -1;
	rd_init(&r, p, n);
	return rd_u32(&r, out) == 0 ? 0 : -1;
}

/* True when p[0..n) is exactly one DER TLV with the given tag (X.690
 * 10.1: definite, minimal length) and a non-empty value. */
static bool
der_exact(const uint8_t *p, size_t n, uint8_t tag)
{
	struct reader r;
	uint8_t t, l, b;
	size_t len = 0, k;

	rd_init(&r, p, n);
	if (rd_u8(&r, &t) != 0 || t != tag || rd_u8(&r, &l) != 0)
		return false;
	if (l < 0x80) {
		len = l;
	} else {
		k = l & 0x7f;
		if (k == 0 || k > 4)
			return false;
		while (k-- > 0) {
			if (rd_u8(&r, &b) != 0 || (len == 0 && b == 0))
				return false;
			len = len << 8 | b;
		}
		if (len < 0x80)
			return false;
	}
	return len > 0 && rd_left(&r) == len;
}

int
distrust_row_judge(const struct distrust_row *row, struct distrust_key *out,
    const char **why)
{
	const uint8_t *v;
	uint32_t cls, val, bad;
	size_t vlen;
	int r;

	*why = NULL;
	memset(out, 0, sizeof(*out));
	if (db_ulong(row->cls, row->cls_len, &cls) != 0) {
		*why = "a trust row whose class is not a 4-octet CK_ULONG";
		return -1;
	}
	if (cls == DT_CKO_TRUST) {
		v = row->email_new;
		vlen = row->new_len;
		bad = DT_CKT_NOT_TRUSTED;
	} else if (cls == DT_CKO_NSS_TRUST) {
		v = row->email_legacy;
		vlen = row->legacy_len;
		bad = DT_CKT_NSS_NOT_TRUSTED;
	} else {
		return 0;
	}
	if ((r = db_ulong(v, vlen, &val)) < 0) {
		*why = "a trust row whose e-mail trust is not a 4-octet "
		    "CK_ULONG";
		return -1;
	}
	if (r == 1 || val != bad)
		return 0;
	/* PKCS#11 v2.40 4.6.3 / 3.2 "Trust objects": CKA_ISSUER is the DER
	 * Name, CKA_SERIAL_NUMBER the DER INTEGER, as in the certificate. */
	if (row->issuer == NULL || !der_exact(row->issuer, row->issuer_len,
	    0x30)) {
		*why = "a distrust row whose issuer is not a DER Name";
		return -1;
	}
	if (row->serial == NULL || !der_exact(row->serial, row->serial_len,
	    0x02)) {
		*why = "a distrust row whose serial number is not a DER "
		    "INTEGER";
		return -1;
	}
	out->issuer = (uint8_t *)row->issuer;
	out->issuer_len = row->issuer_len;
	out->serial = (uint8_t *)row->serial;
	out->serial_len = row->serial_len;
	return 1;
}

bool
distrust_has(const struct distrust_set *set, const uint8_t *issuer,
    size_t issuer_len, const uint8_t *serial, size_t serial_len)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (set->v[i].issuer_len == issuer_len &&
		    set->v[i].serial_len == serial_len &&
		    memcmp(set->v[i].serial, serial, serial_len) == 0 &&
		    memcmp(set->v[i].issuer, issuer, issuer_len) == 0)
			return true;
	return false;
}

/* Adds a copy of k unless present: 0, DISTRUST_E_TOO_LARGE or -1. */
static int
set_add(struct distrust_set *set, const struct distrust_key *k)
{
	struct distrust_key *v, c;
	size_t cap;

	if (distrust_has(set, k->issuer, k->issuer_len, k->serial,
	    k->serial_len))
		return 0;
	if (set->n >= DS_MAX_DISTRUSTED)
		return DISTRUST_E_TOO_LARGE;
	if (set->n == set->cap) {
		cap = set->cap != 0 ? set->cap * 2 : 8;
		if ((v = realloc(set->v, cap * sizeof(*v))) == NULL)
			return -1;
		set->v = v;
		set->cap = cap;
	}
	c.issuer_len = k->issuer_len;
	c.serial_len = k->serial_len;
	c.issuer = malloc(k->issuer_len);
	c.serial = malloc(k->serial_len);
	if (c.issuer == NULL || c.serial == NULL) {
		free(c.issuer);
		free(c.serial);
		return -1;
	}
	memcpy(c.issuer, k->issuer, k->issuer_len);
	memcpy(c.serial, k->serial, k->serial_len);
	set->v[set->n++] = c;
	return 0;
}

void
distrust_set_free(struct distrust_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++) {
		free(set->v[i].issuer);
		free(set->v[i].serial);
	}
	free(set->v);
	set->v = NULL;
	set->n = set->cap = 0;
}

/* Which of the columns we read exist (a database NSS 3.87 made has no
 * a62f until a newer NSS opens it). */
struct columns {
	bool cls, issuer, serial, email_new, email_legacy;
};

static int
db_columns(sqlite3 *db, struct columns *c, int *sqlrc)
{
	sqlite3_stmt *st = NULL;
	const char *name;
	int rc, n = 0;

	memset(c, 0, sizeof(*c));
	rc = sq.prepare_v2(db, "PRAGMA table_info(nssPublic)", -1, &st,
	    NULL);
	while (st != NULL && (rc = sq.step(st)) == SQLITE_ROW) {
		if (++n > 4096) {
			rc = SQLITE_TOOBIG;
			break;
		}
		if ((name = (const char *)sq.column_text(st, 1)) == NULL)
			continue;
		c->cls |= strcmp(name, "a0") == 0;
		c->issuer |= strcmp(name, "a81") == 0;
		c->serial |= strcmp(name, "a82") == 0;
		c->email_new |= strcmp(name, "a62f") == 0;
		c->email_legacy |= strcmp(name, "ace53635b") == 0;
	}
	sq.finalize(st);
	*sqlrc = rc;
	return rc == SQLITE_DONE ? 0 : -1;
}

/* A value as stored: SQLite gives no pointer for SQL NULL and for an
 * empty blob, both "no value" to distrust_row_judge. */
static void
column(sqlite3_stmt *st, int i, const uint8_t **p, size_t *n)
{
	*p = sq.column_blob(st, i);
	*n = *p != NULL ? (size_t)sq.column_bytes(st, i) : 0;
}

int
distrust_read_db(const char *path, struct distrust_set *set, char *err,
    size_t errlen)
{
	struct distrust_row row;
	struct distrust_key k;
	struct columns c;
	struct stat sb;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char sql[256];
	const char *why;
	size_t rows = 0;
	int rc = DISTRUST_E_UNREADABLE, s = SQLITE_OK, r;

	if (stat(path, &sb) != 0) {
		if (errno == ENOENT) {
			seterr(err, errlen, "no %s", path);
			return DISTRUST_E_MISSING;
		}
		seterr(err, errlen, "cannot read %s: %s", path,
		    strerror(errno));
		return DISTRUST_E_UNREADABLE;
	}
	/* A FIFO or device would block or lie: only a regular file. */
	if (!S_ISREG(sb.st_mode)) {
		seterr(err, errlen, "cannot read %s: not a regular file", path);
		return DISTRUST_E_UNREADABLE;
	}
	/* Read-only: SQLite never writes, creates or rolls back. No URI
	 * parsing, so the path is taken as it is. */
	if (sq_load(err, errlen) != 0)
		return DISTRUST_E_UNREADABLE;
	s = sq.open_v2(path, &db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL);
	if (s != SQLITE_OK)
		goto sqlerr;
	sq.extended_result_codes(db, 1);
	(void)sq.busy_timeout(db, DS_DISTRUST_BUSY_MS);
	/* The file is Thunderbird's, its bytes untrusted: no schema
	 * functions or triggers, no writes through odd schema (SQLite
	 * "Defense against the dark arts"). */
	(void)sq.db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
#ifdef SQLITE_DBCONFIG_TRUSTED_SCHEMA
	(void)sq.db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
#endif
	(void)sq.limit(db, SQLITE_LIMIT_LENGTH, 1 << 20);
	if ((s = sq.exec(db, "PRAGMA query_only = 1", NULL, NULL,
	    NULL)) != SQLITE_OK)
		goto sqlerr;
	if (db_columns(db, &c, &s) != 0)
		goto sqlerr;
	if (!c.cls || !c.issuer || !c.serial) {
		rc = DISTRUST_E_FORMAT;
		seterr(err, errlen, "%s is not NSS's certificate store (no "
		    "table nssPublic with columns a0, a81, a82)", path);
		goto out;
	}
	if (!c.email_new && !c.email_legacy) {
		rc = DISTRUST_OK;	/* no trust row was ever written */
		goto out;
	}
	snprintf(sql, sizeof(sql), "SELECT a0, a81, a82, %s, %s FROM "
	    "nssPublic WHERE a0 = x'%08lx' OR a0 = x'%08lx' LIMIT %u",
	    c.email_new ? "a62f" : "NULL",
	    c.email_legacy ? "ace53635b" : "NULL",
	    DT_CKO_TRUST, DT_CKO_NSS_TRUST, (unsigned)DS_MAX_TRUST_ROWS + 1);
	if ((s = sq.prepare_v2(db, sql, -1, &st, NULL)) != SQLITE_OK)
		goto sqlerr;
	while ((s = sq.step(st)) == SQLITE_ROW) {
		if (++rows > DS_MAX_TRUST_ROWS) {
			rc = DISTRUST_E_TOO_LARGE;
			seterr(err, errlen, "%s has more than %u trust rows",
			    path, (unsigned)DS_MAX_TRUST_ROWS);
			goto out;
		}
		memset(&row, 0, sizeof(row));
		column(st, 0, &row.cls, &row.cls_len);
		column(st, 1, &row.issuer, &row.issuer_len);
		column(st, 2, &row.serial, &row.serial_len);
		column(st, 3, &row.email_new, &row.new_len);
		column(st, 4, &row.email_legacy, &row.legacy_len);
		if ((r = distrust_row_judge(&row, &k, &why)) < 0) {
			rc = DISTRUST_E_FORMAT;
			seterr(err, errlen, "%s has %s", path, why);
			goto out;
		}
		if (r == 1 && (r = set_add(set, &k)) != 0) {
			rc = r;
			if (r == DISTRUST_E_TOO_LARGE)
				seterr(err, errlen, "more than %u distrusted "
				    "certificates (%s)",
				    (unsigned)DS_MAX_DISTRUSTED, path);
			goto out;
		}
	}
	if (s != SQLITE_DONE)
		goto sqlerr;
	rc = DISTRUST_OK;
	goto out;
sqlerr:
	if ((s & 0xff) == SQLITE_NOMEM) {
		rc = -1;
		goto out;
	}
	rc = DISTRUST_E_UNREADABLE;
	seterr(err, errlen, "cannot read %s: %s%s", path,
	    db != NULL ? sq.errmsg(db) : sq.errstr(s),
	    (s & 0xff) == SQLITE_BUSY ? " (Thunderbird is writing it)" : "");
out:
	sq.finalize(st);
	sq.close(db);
	return rc;
}

/* The databases to read, each once (by device and inode). */
struct dblist {
	char *path[DS_MAX_DISTRUST_DBS];
	dev_t dev[DS_MAX_DISTRUST_DBS];
	ino_t ino[DS_MAX_DISTRUST_DBS];
	size_t n;
	size_t over;
};

/* 0, or -1 on OOM. A database that does not exist (yet) is kept by
 * name: distrust_read_db says so. */
static int
dblist_add(struct dblist *l, const char *path)
{
	struct stat sb;
	bool have = stat(path, &sb) == 0;
	size_t i;

	for (i = 0; i < l->n; i++)
		if (have ? l->dev[i] == sb.st_dev && l->ino[i] == sb.st_ino :
		    strcmp(l->path[i], path) == 0)
			return 0;
	if (l->n >= DS_MAX_DISTRUST_DBS) {
		l->over++;
		return 0;
	}
	if ((l->path[l->n] = strdup(path)) == NULL)
		return -1;
	l->dev[l->n] = have ? sb.st_dev : 0;
	l->ino[l->n] = have ? sb.st_ino : 0;
	l->n++;
	return 0;
}

static void
note(struct distrust_report *rep, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Counts one thing we could not read; the first says why. */
static void
note(struct distrust_report *rep, const char *fmt, ...)
{
	va_list ap;

	rep->unreadable++;
	if (rep->why[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(rep->why, sizeof(rep->why), fmt, ap);
	va_end(ap);
}

/* Every profile profiles.ini names. 0, 1 (something unreadable, noted),
 * -1 OOM. */
static int
from_profiles_ini(const char *home, struct dblist *l,
    struct distrust_report *rep)
{
	struct tbprofile_list pl = { NULL, 0, 0 };
	char dir[4096], ini[4200], db[4200], err[512];
	char *buf = NULL;
	size_t len = 0, i;
	int r, rc = 0;

	if (snprintf(dir, sizeof(dir), "%s/.thunderbird", home) >=
	    (int)sizeof(dir))
		return 0;
	snprintf(ini, sizeof(ini), "%s/profiles.ini", dir);
	r = read_file_bounded(ini, DS_MAX_PROFILES_INI_BYTES, &buf, &len);
	if (r == ENOENT || r == ENOTDIR)
		return 0;	/* Thunderbird never ran as this user */
	if (r == -1)
		return -1;
	if (r != 0) {
		note(rep, "cannot read %s: %s", ini, strerror(r));
		return 1;
	}
	r = tbprofile_parse(buf, len, NULL, 0, dir, &pl, err, sizeof(err));
	if (r == -1) {
		rc = -1;
		goto out;
	}
	if (r != 0) {
		note(rep, "%s: %s", ini, err);
		rc = 1;
		goto out;
	}
	/* A profile we leave out is one whose distrust we cannot know. */
	if (pl.skipped > 0) {
		note(rep, "%s: %zu profile section%s left out (no Name or "
		    "Path, not UTF-8 text, or more than %u)", ini, pl.skipped,
		    pl.skipped == 1 ? "" : "s", (unsigned)DS_MAX_PROFILES);
		rc = 1;
	}
	for (i = 0; i < pl.n; i++) {
		if (snprintf(db, sizeof(db), "%s/%s", pl.v[i].path, DB_NAME) >=
		    (int)sizeof(db)) {
			note(rep, "a profile's path is too long");
			rc = 1;
			continue;
		}
		if (dblist_add(l, db) != 0) {
			rc = -1;
			goto out;
		}
	}
out:
	tbprofile_list_free(&pl);
	free(buf);
	return rc;
}

/* The parent of pid from /proc/pid/stat (field 4, after the command
 * name in parentheses, which may itself hold ')'), or 0. */
static pid_t
parent_of(pid_t pid)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	long pp;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %*c %ld", &pp) != 1 || pp <= 0)
		return 0;
	return (pid_t)pp;
}

/* Every cert9.db the process pid holds open (Thunderbird keeps its
 * profile's open while it runs). A process we may not look into is
 * passed over. 0 or -1 (OOM). */
static int
from_process(pid_t pid, struct dblist *l)
{
	char dpath[64], link[4096];
	struct dirent *de;
	size_t seen = 0, nlen = strlen("/" DB_NAME);
	ssize_t n;
	DIR *d;
	int rc = 0;

	snprintf(dpath, sizeof(dpath), "/proc/%ld/fd", (long)pid);
	if ((d = opendir(dpath)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && seen++ < DS_MAX_PROC_FDS) {
		if (de->d_name[0] == '.')
			continue;
		n = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1);
		if (n <= 0 || (size_t)n >= sizeof(link) - 1)
			continue;
		link[n] = '\0';
		/* A deleted file reads "... (deleted)": not ours. */
		if (link[0] != '/' || (size_t)n <= nlen ||
		    strcmp(link + n - nlen, "/" DB_NAME) != 0)
			continue;
		if (dblist_add(l, link) != 0) {
			rc = -1;
			break;
		}
	}
	closedir(d);
	return rc;
}

static const char *
home_dir(const char *home)
{
	struct passwd *pw;

	if (home != NULL && home[0] == '/')
		return home;
	home = getenv("HOME");
	if (home != NULL && home[0] == '/')
		return home;
	pw = getpwuid(geteuid());
	return pw != NULL && pw->pw_dir != NULL && pw->pw_dir[0] == '/' ?
	    pw->pw_dir : NULL;
}

int
distrust_read_user(const char *home, struct distrust_set *set,
    struct distrust_report *rep)
{
	struct dblist l;
	char err[512];
	pid_t pid;
	size_t i;
	int r, rc = 0, depth;

	memset(&l, 0, sizeof(l));
	memset(rep, 0, sizeof(*rep));
	if ((home = home_dir(home)) != NULL &&
	    (r = from_profiles_ini(home, &l, rep)) != 0) {
		if (r < 0) {
			rc = -1;
			goto out;
		}
		rc = 1;
	}
	pid = getppid();
	for (depth = 0; depth < DS_MAX_PARENT_DEPTH && pid > 1; depth++) {
		if (from_process(pid, &l) != 0) {
			rc = -1;
			goto out;
		}
		pid = parent_of(pid);
	}
	if (l.over > 0) {
		note(rep, "more Thunderbird profiles than the limit");
		rc = 1;
	}
	for (i = 0; i < l.n; i++) {
		r = distrust_read_db(l.path[i], set, err, sizeof(err));
		if (r < 0) {
			rc = -1;
			goto out;
		}
		if (r == DISTRUST_OK)
			rep->databases++;
		else if (r != DISTRUST_E_MISSING) {
			note(rep, "%s", err);
			rc = 1;
		}
	}
out:
	for (i = 0; i < l.n; i++)
		free(l.path[i]);
	return rc;
}

/* Appends a copy of e to out (room for it is there), with trust t. */
static int
copy_entry(struct tokencache *out, const struct tc_entry *e, bool t)
{
	struct tc_entry *d = &out->e[out->n];

	memset(d, 0, sizeof(*d));
	if ((d->address = strdup(e->address)) == NULL ||
	    (d->der = malloc(e->der_len)) == NULL) {
		free(d->address);
		return -1;
	}
	memcpy(d->der, e->der, e->der_len);
	d->der_len = e->der_len;
	d->email_trust = t;
	d->expires = e->expires;
	out->n++;
	return 0;
}

int
distrust_filter(const struct tokencache *in, const struct distrust_set *set,
    bool complete, struct tokencache *out, size_t *withheld, size_t *demoted)
{
	struct p11_cert c;
	const struct tc_entry *e;
	const char *why;
	size_t i, nw = 0, nd = 0;
	bool trust;

	if (in->n > 0 && (out->e = calloc(in->n, sizeof(*out->e))) == NULL)
		return -1;
	out->cap = in->n;
	for (i = 0; i < in->n; i++) {
		e = &in->e[i];
		/* What we cannot take apart we cannot check: left out (the
		 * module's reader is this one and would refuse it too). */
		if (p11_cert_parse(e->der, e->der_len, &c, &why) != 0 ||
		    distrust_has(set, c.issuer.p, c.issuer.len, c.serial.p,
		    c.serial.len)) {
			nw++;
			continue;
		}
		trust = e->email_trust && complete;
		if (e->email_trust && !trust)
			nd++;
		if (copy_entry(out, e, trust) != 0) {
			tokencache_free(out);
			return -1;
		}
	}
	if (withheld != NULL)
		*withheld = nw;
	if (demoted != NULL)
		*demoted = nd;
	return 0;
}
