/* test_distrust.c - the user's distrust in Thunderbird's cert9.db
 * (host/token/distrust.h) over databases real NSS made: Debian's certutil (NSS
 * 3.87, CKO_NSS_TRUST), the same certutil on Thunderbird 153's own NSS
 * 3.125 (CKO_TRUST; skipped when /usr/lib/thunderbird is absent) and a
 * CKO_TRUST row inserted with SQLite in the columns that NSS writes (always);
 * damaged, foreign, locked and missing files; profiles.ini and a parent
 * process holding a cert9.db open; the token cache write leaving the
 * distrusted certificate out.
 * Usage: test_distrust (from the source root). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "distrust.h"
#include "pkcs11cert.h"
#include "tokencache.h"
#include "t.h"

#define FIX "tests/fixtures/certs"
#define TB_NSS "/usr/lib/thunderbird/libnss3.so"

static char tmp[] = "/tmp/test_distrust.XXXXXX";

struct cert {
	const char *file;
	uint8_t *der;
	size_t len;
	struct p11_cert c;
};

/* ec: distrusted p,p,p; ecleaf: ,C,; anyeku: ,,; rsa: ,p, (e-mail
 * only); rsaleaf: p,, (TLS only, not e-mail). */
static struct cert ec = { .file = "ec.der" },
    ecleaf = { .file = "ecleaf.der" }, anyeku = { .file = "anyeku.der" },
    rsa = { .file = "rsa.der" }, rsaleaf = { .file = "rsaleaf.der" };

static void
load(struct cert *c)
{
	const char *why;

	c->der = t_load(FIX, c->file, &c->len);
	if (p11_cert_parse(c->der, c->len, &c->c, &why) != 0) {
		fprintf(stderr, "%s: %s\n", c->file, why);
		exit(2);
	}
}

static bool
has(const struct distrust_set *s, const struct cert *c)
{
	return distrust_has(s, c->c.issuer.p, c->c.issuer.len, c->c.serial.p,
	    c->c.serial.len);
}

static int
sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
sh(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	r = system(cmd);
	if (r != 0)
		fprintf(stderr, "command failed (%d): %s\n", r, cmd);
	return r;
}

/* A database made by certutil (env: "" or LD_LIBRARY_PATH=... for
 * Thunderbird's NSS) with the five certificates and their trust. */
static int
make_db(const char *dir, const char *env)
{
	static const struct { struct cert *c; const char *trust; } a[] = {
		{ &ec, "p,p,p" }, { &ecleaf, ",C," }, { &anyeku, ",," },
		{ &rsa, ",p," }, { &rsaleaf, "p,," },
	};
	size_t i;

	if (sh("mkdir -p %s && %s certutil -N -d sql:%s --empty-password",
	    dir, env, dir) != 0)
		return -1;
	for (i = 0; i < sizeof(a) / sizeof(a[0]); i++)
		if (sh("%s certutil -A -d sql:%s -n c%zu -t '%s' -i %s/%s", env,
		    dir, i, a[i].trust, FIX, a[i].c->file) != 0)
			return -1;
	return 0;
}

static void
expect_five(const char *db, const char *what)
{
	struct distrust_set s = { NULL, 0, 0 };
	char err[512] = "";
	int r = distrust_read_db(db, &s, err, sizeof(err));

	if (r != DISTRUST_OK)
		fprintf(stderr, "%s: %d %s\n", what, r, err);
	CHECK(r == DISTRUST_OK);
	CHECK(s.n == 2);
	CHECK(has(&s, &ec));
	CHECK(has(&s, &rsa));
	CHECK(!has(&s, &ecleaf));
	CHECK(!has(&s, &anyeku));
	CHECK(!has(&s, &rsaleaf));
	distrust_set_free(&s);
}

static long
sql_count(const char *db, const char *q)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	long n = -1;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK && sqlite3_prepare_v2(h, q, -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

static int
sql_exec(const char *db, const char *q)
{
	sqlite3 *h = NULL;
	char *msg = NULL;
	int r;

	if ((r = sqlite3_open(db, &h)) == SQLITE_OK)
		r = sqlite3_exec(h, q, NULL, NULL, &msg);
	if (r != SQLITE_OK)
		fprintf(stderr, "sqlite: %s\n", msg != NULL ? msg : "?");
	sqlite3_free(msg);
	sqlite3_close(h);
	return r;
}

/* (a) NSS 3.87's certutil: CKO_NSS_TRUST; p in the e-mail column is the
 * distrust, ,C, and ,, are not, nor p for TLS alone. Also: the file is
 * the same afterwards (read-only). */
static void
test_legacy(void)
{
	char dir[512], db[600];
	struct stat a, b;

	snprintf(dir, sizeof(dir), "%s/legacy", tmp);
	snprintf(db, sizeof(db), "%s/cert9.db", dir);
	CHECK(make_db(dir, "") == 0);
	CHECK(sql_count(db, "SELECT count(*) FROM nssPublic WHERE "
	    "a0 = x'ce534353'") >= 4);
	CHECK(stat(db, &a) == 0);
	expect_five(db, "legacy");
	CHECK(stat(db, &b) == 0);
	CHECK(a.st_size == b.st_size &&
	    a.st_mtim.tv_sec == b.st_mtim.tv_sec &&
	    a.st_mtim.tv_nsec == b.st_mtim.tv_nsec);
	/* no journal or other file left beside it */
	CHECK(access(strcat(db, "-journal"), F_OK) != 0);
}

/* (b) Thunderbird 153's NSS 3.125 writes CKO_TRUST (0x0b), e-mail trust in
 * a62f: the same answers. Then the case NSS 3.125 makes of an older
 * profile: the legacy rows stay, a CKO_TRUST row is added. */
static void
test_tb_nss(void)
{
	char dir[512], db[600], env[128];

	if (access(TB_NSS, R_OK) != 0) {
		printf("skipped: no %s\n", TB_NSS);
		return;
	}
	snprintf(env, sizeof(env), "LD_LIBRARY_PATH=/usr/lib/thunderbird");
	snprintf(dir, sizeof(dir), "%s/tb", tmp);
	snprintf(db, sizeof(db), "%s/cert9.db", dir);
	CHECK(make_db(dir, env) == 0);
	CHECK(sql_count(db, "SELECT count(*) FROM nssPublic WHERE "
	    "a0 = x'0000000b' AND a62f = x'00000003'") == 2);
	CHECK(sql_count(db, "SELECT count(*) FROM nssPublic WHERE "
	    "a0 = x'ce534353'") == 0);
	expect_five(db, "tb");

	/* an NSS 3.87 profile opened by Thunderbird: ecleaf distrusted,
	 * ec trusted again (,C,) in the new class, legacy rows unchanged */
	snprintf(dir, sizeof(dir), "%s/mixed", tmp);
	snprintf(db, sizeof(db), "%s/cert9.db", dir);
	CHECK(make_db(dir, "") == 0);
	CHECK(sh("%s certutil -M -d sql:%s -n c1 -t p,p,p && %s certutil -M "
	    "-d sql:%s -n c0 -t ,C,", env, dir, env, dir) == 0);
	{
		struct distrust_set s = { NULL, 0, 0 };
		char err[512];

		CHECK(distrust_read_db(db, &s, err, sizeof(err)) ==
		    DISTRUST_OK);
		CHECK(has(&s, &ecleaf));	/* new: not trusted */
		/* the legacy p,p,p row still stands: withheld too (the
		 * profile itself serves it with its ,C, trust) */
		CHECK(has(&s, &ec));
		CHECK(has(&s, &rsa));
		CHECK(s.n == 3);
		distrust_set_free(&s);
	}
}

/* (b) without Thunderbird: a CKO_TRUST row as NSS 3.125 writes it
 * (class 0x0b, CKA_ISSUER a81, CKA_SERIAL_NUMBER a82, e-mail trust a62f,
 * 4-octet big-endian CK_ULONGs), added to an NSS 3.87 database the way
 * NSS 3.125 adds the column (ALTER TABLE). */
static void
test_inserted_row(void)
{
	char dir[512], db[600];
	struct distrust_set s = { NULL, 0, 0 };
	char err[512];

	snprintf(dir, sizeof(dir), "%s/inserted", tmp);
	snprintf(db, sizeof(db), "%s/cert9.db", dir);
	CHECK(sh("mkdir -p %s && certutil -N -d sql:%s --empty-password && "
	    "certutil -A -d sql:%s -n x -t ,C, -i %s/ecleaf.der", dir, dir,
	    dir, FIX) == 0);
	CHECK(sql_exec(db, "ALTER TABLE nssPublic ADD COLUMN a62f; "
	    "CREATE TEMP TABLE t AS SELECT * FROM nssPublic WHERE "
	    "a0 = x'ce534353'; UPDATE t SET id = id + 7, a0 = x'0000000b', "
	    "a62f = x'00000003'; INSERT INTO nssPublic SELECT * FROM t;") ==
	    SQLITE_OK);
	CHECK(distrust_read_db(db, &s, err, sizeof(err)) == DISTRUST_OK);
	CHECK(s.n == 1 && has(&s, &ecleaf));
	distrust_set_free(&s);
	/* CKT_TRUST_ANCHOR (2), CKT_TRUST_MUST_VERIFY_TRUST (4), unknown
	 * (0): not a distrust */
	CHECK(sql_exec(db, "UPDATE nssPublic SET a62f = x'00000002' WHERE "
	    "a0 = x'0000000b'") == SQLITE_OK);
	CHECK(distrust_read_db(db, &s, err, sizeof(err)) == DISTRUST_OK);
	CHECK(s.n == 0);
	/* a value that is no 4-octet CK_ULONG: the database is refused */
	CHECK(sql_exec(db, "UPDATE nssPublic SET a62f = x'0000000003' WHERE "
	    "a0 = x'0000000b'") == SQLITE_OK);
	CHECK(distrust_read_db(db, &s, err, sizeof(err)) ==
	    DISTRUST_E_FORMAT);
	CHECK(strstr(err, "CK_ULONG") != NULL);
	/* a distrust row whose serial number is not a DER INTEGER */
	CHECK(sql_exec(db, "UPDATE nssPublic SET a62f = x'00000003', "
	    "a82 = x'0401ff' WHERE a0 = x'0000000b'") == SQLITE_OK);
	CHECK(distrust_read_db(db, &s, err, sizeof(err)) ==
	    DISTRUST_E_FORMAT);
	CHECK(strstr(err, "INTEGER") != NULL);
	distrust_set_free(&s);
}

/* (c) what is not a readable certificate store. */
static void
test_unreadable(void)
{
	char p[600], err[512];
	struct distrust_set s = { NULL, 0, 0 };
	sqlite3 *h = NULL;
	FILE *f;
	int r;

	snprintf(p, sizeof(p), "%s/none/cert9.db", tmp);
	CHECK(distrust_read_db(p, &s, err, sizeof(err)) ==
	    DISTRUST_E_MISSING);

	snprintf(p, sizeof(p), "%s/garbage.db", tmp);
	CHECK((f = fopen(p, "wb")) != NULL);
	fputs("SQLite format 3\nthis is not a database at all, only text "
	    "that starts like one........................................\n",
	    f);
	fclose(f);
	CHECK(distrust_read_db(p, &s, err, sizeof(err)) ==
	    DISTRUST_E_UNREADABLE);
	CHECK(strstr(err, p) != NULL);

	snprintf(p, sizeof(p), "%s/empty.db", tmp);
	CHECK((f = fopen(p, "wb")) != NULL);
	fclose(f);
	CHECK(distrust_read_db(p, &s, err, sizeof(err)) ==
	    DISTRUST_E_FORMAT);
	CHECK(strstr(err, "nssPublic") != NULL);

	snprintf(p, sizeof(p), "%s/other.db", tmp);
	CHECK(sql_exec(p, "CREATE TABLE x (a0, a81);") == SQLITE_OK);
	CHECK(distrust_read_db(p, &s, err, sizeof(err)) ==
	    DISTRUST_E_FORMAT);

	snprintf(p, sizeof(p), "%s/fifo.db", tmp);
	CHECK(mkfifo(p, 0600) == 0);
	CHECK(distrust_read_db(p, &s, err, sizeof(err)) ==
	    DISTRUST_E_UNREADABLE);
	CHECK(strstr(err, "regular file") != NULL);
	CHECK(distrust_read_db(tmp, &s, err, sizeof(err)) ==
	    DISTRUST_E_UNREADABLE);

	/* not ours to read */
	if (geteuid() != 0) {
		snprintf(p, sizeof(p), "%s/legacy/cert9.db", tmp);
		CHECK(chmod(p, 0) == 0);
		CHECK(distrust_read_db(p, &s, err, sizeof(err)) ==
		    DISTRUST_E_UNREADABLE);
		CHECK(chmod(p, 0600) == 0);
	}

	/* locked: Thunderbird in the middle of a write; we wait
	 * DS_DISTRUST_BUSY_MS, then give up */
	snprintf(p, sizeof(p), "%s/legacy/cert9.db", tmp);
	CHECK(sqlite3_open(p, &h) == SQLITE_OK);
	CHECK(sqlite3_exec(h, "BEGIN EXCLUSIVE", NULL, NULL, NULL) ==
	    SQLITE_OK);
	{
		struct timespec t0, t1;
		long ms;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = distrust_read_db(p, &s, err, sizeof(err));
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms = (t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000;
		CHECK(r == DISTRUST_E_UNREADABLE);
		CHECK(strstr(err, "Thunderbird is writing it") != NULL);
		CHECK(ms >= DS_DISTRUST_BUSY_MS - 50 && ms < 5000);
	}
	CHECK(sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(h);
	CHECK(distrust_read_db(p, &s, err, sizeof(err)) == DISTRUST_OK);
	CHECK(s.n == 2);
	distrust_set_free(&s);
}

/* The row judge on its own (the fuzz target's entry). */
static void
test_judge(void)
{
	static const uint8_t trust[] = { 0, 0, 0, 0x0b },
	    nss[] = { 0xce, 0x53, 0x43, 0x53 }, cert[] = { 0, 0, 0, 1 },
	    no[] = { 0, 0, 0, 3 }, nsno[] = { 0xce, 0x53, 0x43, 0x5a },
	    anchor[] = { 0, 0, 0, 2 }, null[] = { 0xa5, 0x00, 0x5a },
	    iss[] = { 0x30, 0x03, 0x31, 0x01, 0x00 },
	    ser[] = { 0x02, 0x01, 0x07 }, badser[] = { 0x02, 0x81, 0x01, 0x07 },
	    long_iss[] = { 0x30, 0x82, 0x00, 0x01, 0x00 };
	struct distrust_row r;
	struct distrust_key k;
	const char *why;

	memset(&r, 0, sizeof(r));
	r.cls = trust; r.cls_len = 4;
	r.issuer = iss; r.issuer_len = sizeof(iss);
	r.serial = ser; r.serial_len = sizeof(ser);
	r.email_new = no; r.new_len = 4;
	CHECK(distrust_row_judge(&r, &k, &why) == 1);
	CHECK(k.issuer == iss && k.serial == ser);
	r.email_new = anchor;
	CHECK(distrust_row_judge(&r, &k, &why) == 0);
	r.email_new = null; r.new_len = 3;	/* the store's NULL */
	CHECK(distrust_row_judge(&r, &k, &why) == 0);
	r.email_new = NULL; r.new_len = 0;
	CHECK(distrust_row_judge(&r, &k, &why) == 0);
	/* the legacy class reads the legacy column only */
	r.cls = nss; r.email_new = no; r.new_len = 4;
	CHECK(distrust_row_judge(&r, &k, &why) == 0);
	r.email_legacy = nsno; r.legacy_len = 4;
	CHECK(distrust_row_judge(&r, &k, &why) == 1);
	r.email_legacy = no;	/* CKT_NOT_TRUSTED means nothing there */
	CHECK(distrust_row_judge(&r, &k, &why) == 0);
	r.email_legacy = nsno;
	r.serial = badser; r.serial_len = sizeof(badser);  /* not minimal */
	CHECK(distrust_row_judge(&r, &k, &why) == -1 && why != NULL);
	r.serial = ser; r.serial_len = sizeof(ser);
	r.issuer = long_iss; r.issuer_len = sizeof(long_iss);
	CHECK(distrust_row_judge(&r, &k, &why) == -1);
	r.issuer = iss; r.issuer_len = 4;	/* cut short */
	CHECK(distrust_row_judge(&r, &k, &why) == -1);
	r.issuer_len = sizeof(iss);
	r.cls = cert;		/* a certificate row: not ours */
	CHECK(distrust_row_judge(&r, &k, &why) == 0);
	r.cls_len = 3;
	CHECK(distrust_row_judge(&r, &k, &why) == -1);
	r.cls = nss; r.cls_len = 4; r.legacy_len = 8;
	CHECK(distrust_row_judge(&r, &k, &why) == -1);
}

static void
put(struct tokencache *tc, const char *a, const struct cert *c,
    const char *trust)
{
	CHECK(tokencache_put(tc, a, c->der, c->len, trust,
	    (int64_t)time(NULL) + 600) == 0);
}

static bool
in(const struct tokencache *tc, const char *a, const struct cert *c,
    bool trust)
{
	size_t i;

	for (i = 0; i < tc->n; i++)
		if (strcmp(tc->e[i].address, a) == 0 &&
		    tc->e[i].der_len == c->len &&
		    memcmp(tc->e[i].der, c->der, c->len) == 0)
			return tc->e[i].email_trust == trust;
	return false;
}

static void
test_filter(void)
{
	struct tokencache a = { NULL, 0, 0 }, out = { NULL, 0, 0 };
	struct distrust_set s = { NULL, 0, 0 };
	char db[600], err[512];
	size_t w, d;
	uint8_t junk[] = { 0x30, 0x00 };

	snprintf(db, sizeof(db), "%s/legacy/cert9.db", tmp);
	CHECK(distrust_read_db(db, &s, err, sizeof(err)) == DISTRUST_OK);
	put(&a, "ec@example.test", &ec, ",C,");
	put(&a, "leaf@example.test", &ecleaf, ",C,");
	put(&a, "any@example.test", &anyeku, ",,");
	put(&a, "rsa@example.test", &rsa, ",,");
	CHECK(tokencache_put(&a, "junk@example.test", junk, sizeof(junk),
	    ",C,", (int64_t)time(NULL) + 600) == 0);
	CHECK(distrust_filter(&a, &s, true, &out, &w, &d) == 0);
	CHECK(w == 3 && d == 0 && out.n == 2);
	CHECK(in(&out, "leaf@example.test", &ecleaf, true));
	CHECK(in(&out, "any@example.test", &anyeku, false));
	tokencache_free(&out);
	/* incomplete: nothing with trust */
	CHECK(distrust_filter(&a, &s, false, &out, &w, &d) == 0);
	CHECK(w == 3 && d == 1 && out.n == 2);
	CHECK(in(&out, "leaf@example.test", &ecleaf, false));
	tokencache_free(&out);
	tokencache_free(&a);
	distrust_set_free(&s);
}

static void measure(const char *home);

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

/* profiles.ini: every profile counts; the token cache write leaves the
 * distrusted out; an unreadable one writes without trust. */
static void
test_user(void)
{
	struct distrust_set s = { NULL, 0, 0 };
	struct distrust_report rep;
	struct tokencache a = { NULL, 0, 0 }, got = { NULL, 0, 0 };
	char home[512], p[700], cache[700], err[512];

	snprintf(home, sizeof(home), "%s/home", tmp);
	snprintf(p, sizeof(p), "%s/.thunderbird", home);
	CHECK(sh("mkdir -p %s/a.one %s/b.two && cp %s/legacy/cert9.db "
	    "%s/b.two/", p, p, tmp, p) == 0);
	snprintf(p, sizeof(p), "%s/.thunderbird/profiles.ini", home);
	write_file(p, "[Profile0]\nName=one\nIsRelative=1\nPath=a.one\n"
	    "Default=1\n\n[Profile1]\nName=two\nIsRelative=0\nPath=");
	{
		FILE *f = fopen(p, "a");

		fprintf(f, "%s/.thunderbird/b.two\n\n[General]\n"
		    "StartWithLastProfile=1\nVersion=2\n", home);
		fclose(f);
	}
	/* a.one has no cert9.db yet: nothing distrusted there */
	CHECK(distrust_read_user(home, &s, &rep) == 0);
	CHECK(rep.databases == 1 && rep.unreadable == 0);
	CHECK(s.n == 2 && has(&s, &ec) && has(&s, &rsa));
	distrust_set_free(&s);
	measure(home);

	/* the token cache write, as the host does it ($HOME) */
	setenv("HOME", home, 1);
	snprintf(cache, sizeof(cache), "%s/rt/dane-smime/tokens.cache", tmp);
	put(&a, "ec@example.test", &ec, ",C,");
	put(&a, "leaf@example.test", &ecleaf, ",C,");
	CHECK(tokencache_save(cache, &a, err, sizeof(err)) == 0);
	CHECK(tokencache_load(cache, &got, NULL, err, sizeof(err)) == TC_OK);
	CHECK(got.n == 1 && in(&got, "leaf@example.test", &ecleaf, true));
	tokencache_free(&got);

	/* a.one's database is damaged: written, but nothing with trust */
	snprintf(p, sizeof(p), "%s/.thunderbird/a.one/cert9.db", home);
	write_file(p, "not a database, not even close to one; garbage "
	    "..............................................................."
	    "...............................................................");
	CHECK(distrust_read_user(home, &s, &rep) == 1);
	CHECK(rep.unreadable == 1 && strstr(rep.why, "a.one") != NULL);
	CHECK(has(&s, &ec));	/* what could be read still counts */
	distrust_set_free(&s);
	CHECK(tokencache_save(cache, &a, err, sizeof(err)) == 0);
	CHECK(tokencache_load(cache, &got, NULL, err, sizeof(err)) == TC_OK);
	CHECK(got.n == 1 && in(&got, "leaf@example.test", &ecleaf, false));
	tokencache_free(&got);
	CHECK(unlink(p) == 0);

	/* profiles.ini that is no INI file: fail closed too */
	snprintf(p, sizeof(p), "%s/.thunderbird/profiles.ini", home);
	write_file(p, "[Profile0]\nName=\xff\xfe\n");
	CHECK(distrust_read_user(home, &s, &rep) == 1);
	CHECK(strstr(rep.why, "profiles.ini") != NULL);
	distrust_set_free(&s);
	unlink(p);

	/* no profiles.ini: Thunderbird never ran; nothing to withhold */
	CHECK(distrust_read_user(home, &s, &rep) == 0 && s.n == 0);
	tokencache_free(&a);
}

/* The Thunderbird that starts the host holds its profile's cert9.db open,
 * listed in profiles.ini or not (thunderbird --profile DIR): a child of
 * this process finds it. */
static void
test_parent(void)
{
	char db[600], home[600];
	pid_t pid;
	int fd, st = -1;

	snprintf(db, sizeof(db), "%s/tb/cert9.db", tmp);
	if (access(db, R_OK) != 0)
		snprintf(db, sizeof(db), "%s/legacy/cert9.db", tmp);
	snprintf(home, sizeof(home), "%s/nohome", tmp);
	CHECK((fd = open(db, O_RDONLY)) >= 0);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		struct distrust_set s = { NULL, 0, 0 };
		struct distrust_report rep;
		int r = distrust_read_user(home, &s, &rep);

		_exit(r == 0 && rep.databases == 1 && has(&s, &ec) &&
		    has(&s, &rsa) ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(fd);
	/* without it open: nothing */
	if ((pid = fork()) == 0) {
		struct distrust_set s = { NULL, 0, 0 };
		struct distrust_report rep;

		_exit(distrust_read_user(home, &s, &rep) == 0 &&
		    rep.databases == 0 && s.n == 0 ? 0 : 1);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* What one read of the user's databases costs (it runs at every token
 * cache write). */
static void
measure(const char *home)
{
	struct distrust_set s = { NULL, 0, 0 };
	struct distrust_report rep;
	struct timespec t0, t1;
	int i, n = 50;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		CHECK(distrust_read_user(home, &s, &rep) == 0);
		distrust_set_free(&s);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("distrust_read_user (%zu database): %.3f ms each\n",
	    rep.databases, ((t1.tv_sec - t0.tv_sec) * 1e3 +
	    (t1.tv_nsec - t0.tv_nsec) / 1e6) / n);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(tmp) == NULL)
		return 2;
	load(&ec);
	load(&ecleaf);
	load(&anyeku);
	load(&rsa);
	load(&rsaleaf);
	test_judge();
	test_legacy();
	test_tb_nss();
	test_inserted_row();
	test_unreadable();
	test_filter();
	test_user();
	test_parent();
	if (t_fail == 0)
		(void)sh("rm -rf %s", tmp);
	return t_done("distrust");
}
