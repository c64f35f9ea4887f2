/* test_tokencache.c - the per-user token cache (host/token/tokencache.h): where
 * it lives, a round trip through the file, atomic replacement under a
 * concurrent reader, the permission refusals, expiry and garbage.
 * Usage: test_tokencache [FIXTURE_DIR]. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include "tokencache.h"
#include "t.h"

#ifndef DS_FIXTURES_DIR
#define DS_FIXTURES_DIR "tests/fixtures/certs"
#endif

static char tmp[] = "/tmp/test_tokencache.XXXXXX";
static uint8_t *rsa, *ec;
static size_t rsa_len, ec_len;

static void
test_paths(void)
{
	char p[4096], want[4096], err[256];

	setenv("XDG_RUNTIME_DIR", tmp, 1);
	CHECK(tokencache_path(p, sizeof(p), err, sizeof(err)) == 0);
	snprintf(want, sizeof(want), "%s/dane-smime/tokens.cache", tmp);
	CHECK_STR(p, want);
	/* A relative XDG variable is ignored (XDG Base Directory spec). */
	setenv("XDG_RUNTIME_DIR", "relative", 1);
	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	CHECK(tokencache_path(p, sizeof(p), err, sizeof(err)) == 0);
	CHECK_STR(p, "/x/cache/dane-smime/tokens.cache");
	unsetenv("XDG_RUNTIME_DIR");
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/home/someone", 1);
	CHECK(tokencache_dir(p, sizeof(p), err, sizeof(err)) == 0);
	CHECK_STR(p, "/home/someone/.cache/dane-smime");
	CHECK(tokencache_dir(p, 10, err, sizeof(err)) == TC_E_TOO_LARGE);
	setenv("XDG_RUNTIME_DIR", tmp, 1);
}

static void
test_expiry(void)
{
	int64_t now = 1000000000;

	CHECK(tokencache_expiry(now, 300, now + 999999) == now + 300);
	CHECK(tokencache_expiry(now, 10 * 86400, now + 9999999) ==
	    now + DS_TC_MAX_LIFETIME);
	CHECK(tokencache_expiry(now, 3600, now + 60) == now + 60);
}

static void
test_put_remove(void)
{
	struct tokencache tc = { 0 };
	int64_t t = 2000000000;

	CHECK(tokencache_put(&tc, "hugh@example.test", rsa, rsa_len, ",C,",
	    t) == 0);
	CHECK(tokencache_put(&tc, "ec@example.test", ec, ec_len, ",,", t) ==
	    0);
	/* The same pair again replaces trust and expiry. */
	CHECK(tokencache_put(&tc, "hugh@example.test", rsa, rsa_len, ",,",
	    t + 5) == 0);
	CHECK(tc.n == 2);
	CHECK(!tc.e[0].email_trust && tc.e[0].expires == t + 5);
	/* A second certificate for one address is a second entry. */
	CHECK(tokencache_put(&tc, "hugh@example.test", ec, ec_len, ",C,",
	    t) == 0);
	CHECK(tc.n == 3);
	/* Bad input. */
	CHECK(tokencache_put(&tc, "hugh@example.test", rsa, rsa_len,
	    "P,P,P", t) == TC_E_ARG);
	CHECK(tokencache_put(&tc, "no-at-sign", rsa, rsa_len, ",,", t) ==
	    TC_E_ARG);
	CHECK(tokencache_put(&tc, "a\n@b", rsa, rsa_len, ",,", t) ==
	    TC_E_ARG);
	CHECK(tokencache_put(&tc, "a@b", rsa, 0, ",,", t) == TC_E_ARG);
	CHECK(tokencache_put(&tc, "a@b", rsa, DS_MAX_CERT_BYTES + 1, ",,",
	    t) == TC_E_ARG);
	CHECK(tokencache_put(&tc, "a@b", rsa, rsa_len, ",,", 0) == TC_E_ARG);
	CHECK(tc.n == 3);
	CHECK(tokencache_remove(&tc, "hugh@example.test") == 2);
	CHECK(tc.n == 1 && strcmp(tc.e[0].address, "ec@example.test") == 0);
	CHECK(tokencache_remove(&tc, "nobody@example.test") == 0);
	CHECK(tokencache_put(&tc, "old@example.test", rsa, rsa_len, ",C,",
	    100) == 0);
	CHECK(tokencache_prune(&tc, 100) == 1);
	CHECK(tc.n == 1);
	tokencache_free(&tc);
	tokencache_free(&tc);
	tokencache_free(NULL);
}

static int
count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
test_round_trip(const char *path, const char *dir)
{
	struct tokencache tc = { 0 }, back = { 0 };
	struct tc_stamp st1, st2, now;
	struct stat s;
	char err[512];

	/* No folder, no file: an empty set, said so. */
	CHECK(tokencache_load(path, &back, &st1, err, sizeof(err)) ==
	    TC_E_MISSING);
	CHECK(back.n == 0);
	CHECK(strstr(err, "no token cache folder") != NULL);
	CHECK(tokencache_put(&tc, "hugh@example.test", rsa, rsa_len, ",C,",
	    2000000000) == 0);
	CHECK(tokencache_put(&tc, "ec@example.test", ec, ec_len, ",,",
	    2000000001) == 0);
	CHECK(tokencache_save(path, &tc, err, sizeof(err)) == 0);
	CHECK(stat(dir, &s) == 0 && (s.st_mode & 0777) == 0700);
	CHECK(stat(path, &s) == 0 && (s.st_mode & 0777) == 0600);
	CHECK(count_files(dir) == 1);	/* no temporary file left behind */
	CHECK(tokencache_load(path, &back, &st1, err, sizeof(err)) == TC_OK);
	CHECK(back.n == 2);
	if (back.n == 2) {
		CHECK_STR(back.e[0].address, "hugh@example.test");
		CHECK(back.e[0].email_trust);
		CHECK(back.e[0].expires == 2000000000);
		CHECK(back.e[0].der_len == rsa_len &&
		    memcmp(back.e[0].der, rsa, rsa_len) == 0);
		CHECK_STR(back.e[1].address, "ec@example.test");
		CHECK(!back.e[1].email_trust);
		CHECK(back.e[1].expires == 2000000001);
		CHECK(back.e[1].der_len == ec_len &&
		    memcmp(back.e[1].der, ec, ec_len) == 0);
	}
	tokencache_free(&back);
	/* The cheap change check: unchanged, then a new file. */
	CHECK(tokencache_stat(path, &now) == 0);
	CHECK(!tokencache_changed(&st1, &now));
	tokencache_remove(&tc, "ec@example.test");
	CHECK(tokencache_save(path, &tc, err, sizeof(err)) == 0);
	CHECK(tokencache_stat(path, &st2) == 0);
	CHECK(tokencache_changed(&st1, &st2));
	CHECK(tokencache_load(path, &back, NULL, err, sizeof(err)) == TC_OK);
	CHECK(back.n == 1);
	tokencache_free(&back);
	/* An empty set is a valid file. */
	tokencache_free(&tc);
	CHECK(tokencache_save(path, &tc, err, sizeof(err)) == 0);
	CHECK(tokencache_load(path, &back, NULL, err, sizeof(err)) == TC_OK);
	CHECK(back.n == 0);
	CHECK(tokencache_stat("/nonexistent/x", &now) == ENOENT &&
	    !now.present);
}

/* A writer replacing the file 300 times while this process reads it:
 * every read sees one whole version, never a mix or a short file. */
static void
test_atomic(const char *path)
{
	struct tokencache a = { 0 }, b = { 0 }, got = { 0 };
	char err[512];
	pid_t pid;
	int i, rc, bad = 0, ok = 0, status;

	CHECK(tokencache_put(&a, "hugh@example.test", rsa, rsa_len, ",C,",
	    2000000000) == 0);
	for (i = 0; i < 40; i++) {
		char addr[64];

		snprintf(addr, sizeof(addr), "user%d@example.test", i);
		CHECK(tokencache_put(&b, addr, ec, ec_len, ",,",
		    2000000000) == 0);
	}
	CHECK(tokencache_save(path, &a, err, sizeof(err)) == 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		for (i = 0; i < 300; i++)
			if (tokencache_save(path, i % 2 ? &a : &b, err,
			    sizeof(err)) != 0)
				_exit(1);
		_exit(0);
	}
	CHECK(pid > 0);
	for (;;) {
		rc = tokencache_load(path, &got, NULL, err, sizeof(err));
		if (rc != TC_OK || (got.n != 1 && got.n != 40)) {
			fprintf(stderr, "atomic: rc %d n %zu: %s\n", rc,
			    got.n, err);
			bad++;
		} else {
			ok++;
		}
		tokencache_free(&got);
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
	}
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(bad == 0);
	CHECK(ok > 0);
	tokencache_free(&a);
	tokencache_free(&b);
}

static void
test_refusals(const char *path, const char *dir)
{
	struct tokencache tc = { 0 }, got = { 0 };
	char err[512], link[4200], other[8500];

	CHECK(tokencache_put(&tc, "hugh@example.test", rsa, rsa_len, ",C,",
	    2000000000) == 0);
	CHECK(tokencache_save(path, &tc, err, sizeof(err)) == 0);
	/* A group-writable file. */
	CHECK(chmod(path, 0620) == 0);
	CHECK(tokencache_load(path, &got, NULL, err, sizeof(err)) ==
	    TC_E_UNSAFE);
	CHECK(got.n == 0);
	CHECK(strstr(err, "writable by group or others") != NULL);
	CHECK(chmod(path, 0602) == 0);
	CHECK(tokencache_load(path, &got, NULL, err, sizeof(err)) ==
	    TC_E_UNSAFE);
	CHECK(chmod(path, 0600) == 0);
	/* A world-writable folder. */
	CHECK(chmod(dir, 0777) == 0);
	CHECK(tokencache_load(path, &got, NULL, err, sizeof(err)) ==
	    TC_E_UNSAFE);
	CHECK(strstr(err, "folder") != NULL &&
	    strstr(err, "writable by group or others") != NULL);
	/* The writer refuses it too. */
	CHECK(tokencache_save(path, &tc, err, sizeof(err)) == TC_E_UNSAFE);
	CHECK(chmod(dir, 0700) == 0);
	/* Another user's file or folder (only root can make one). */
	if (geteuid() == 0) {
		CHECK(chown(path, 1, 1) == 0);
		CHECK(tokencache_load(path, &got, NULL, err, sizeof(err)) ==
		    TC_E_UNSAFE);
		CHECK(strstr(err, "not owned by the user") != NULL);
		CHECK(chown(path, 0, 0) == 0);
		CHECK(chown(dir, 1, 1) == 0);
		CHECK(tokencache_load(path, &got, NULL, err, sizeof(err)) ==
		    TC_E_UNSAFE);
		CHECK(strstr(err, "not owned by the user") != NULL);
		CHECK(chown(dir, 0, 0) == 0);
	}
	/* A symbolic link in place of the file. */
	snprintf(other, sizeof(other), "%s/elsewhere", tmp);
	CHECK(rename(path, other) == 0);
	CHECK(symlink(other, path) == 0);
	CHECK(tokencache_load(path, &got, NULL, err, sizeof(err)) ==
	    TC_E_UNSAFE);
	CHECK(strstr(err, "symbolic link") != NULL);
	CHECK(unlink(path) == 0);
	CHECK(rename(other, path) == 0);
	/* A symbolic link in place of the folder. */
	snprintf(link, sizeof(link), "%s/linkdir", tmp);
	CHECK(symlink(dir, link) == 0);
	snprintf(other, sizeof(other), "%s/tokens.cache", link);
	CHECK(tokencache_load(other, &got, NULL, err, sizeof(err)) ==
	    TC_E_UNSAFE);
	CHECK(unlink(link) == 0);
	/* Not a regular file. */
	CHECK(unlink(path) == 0);
	CHECK(mkfifo(path, 0600) == 0);
	CHECK(tokencache_load(path, &got, NULL, err, sizeof(err)) ==
	    TC_E_UNSAFE);
	CHECK(strstr(err, "not a regular file") != NULL);
	CHECK(unlink(path) == 0);
	CHECK(tokencache_load(path, &got, NULL, err, sizeof(err)) ==
	    TC_E_MISSING);
	tokencache_free(&tc);
}

static void
test_garbage(const char *path)
{
	struct tokencache tc = { 0 }, got = { 0 };
	uint8_t *img = NULL, *bad;
	size_t len = 0, i;
	const char *why;
	char err[512];
	int fd, okprefix = 0;

	CHECK(tokencache_put(&tc, "hugh@example.test", rsa, rsa_len, ",C,",
	    2000000000) == 0);
	CHECK(tokencache_put(&tc, "ec@example.test", ec, ec_len, ",,",
	    2000000000) == 0);
	CHECK(tokencache_serialise(&tc, &img, &len) == 0);
	CHECK(tokencache_parse(img, len, &got, &why) == TC_OK);
	CHECK(got.n == 2);
	tokencache_free(&got);
	/* Every proper prefix is refused. */
	for (i = 0; i < len; i++) {
		if (tokencache_parse(img, i, &got, &why) == TC_OK)
			okprefix++;
		CHECK(got.n == 0);
	}
	CHECK(okprefix == 0);
	bad = malloc(len + 1);
	CHECK(bad != NULL);
	if (bad == NULL)
		goto out;
	/* Trailing byte. */
	memcpy(bad, img, len);
	bad[len] = 0;
	CHECK(tokencache_parse(bad, len + 1, &got, &why) == TC_E_FORMAT);
	CHECK(strstr(why, "after the last entry") != NULL);
	/* Version 2, flags, magic. */
	memcpy(bad, img, len);
	bad[5] = 2;
	CHECK(tokencache_parse(bad, len, &got, &why) == TC_E_FORMAT);
	memcpy(bad, img, len);
	bad[7] = 1;
	CHECK(tokencache_parse(bad, len, &got, &why) == TC_E_FORMAT);
	memcpy(bad, img, len);
	bad[0] = 'X';
	CHECK(tokencache_parse(bad, len, &got, &why) == TC_E_FORMAT);
	/* A count over the limit, and one the bytes cannot hold. */
	memcpy(bad, img, len);
	bad[8] = 0x7f;
	CHECK(tokencache_parse(bad, len, &got, &why) == TC_E_TOO_LARGE);
	memcpy(bad, img, len);
	bad[10] = 0x10;
	CHECK(tokencache_parse(bad, len, &got, &why) == TC_E_FORMAT);
	/* Trust 2, the reserved byte, a negative expiry, der length 0. */
	memcpy(bad, img, len);
	bad[12] = 2;
	CHECK(tokencache_parse(bad, len, &got, &why) == TC_E_FORMAT);
	CHECK(strstr(why, "trust") != NULL);
	memcpy(bad, img, len);
	bad[13] = 1;
	CHECK(tokencache_parse(bad, len, &got, &why) == TC_E_FORMAT);
	memcpy(bad, img, len);
	bad[16] = 0x80;
	CHECK(tokencache_parse(bad, len, &got, &why) == TC_E_FORMAT);
	memcpy(bad, img, len);
	memset(bad + 24, 0, 4);
	CHECK(tokencache_parse(bad, len, &got, &why) == TC_E_FORMAT);
	/* A control character in the address. */
	memcpy(bad, img, len);
	bad[28] = '\n';
	CHECK(tokencache_parse(bad, len, &got, &why) == TC_E_FORMAT);
	CHECK(strstr(why, "address") != NULL);
	/* Every single-byte change parses or is refused, never crashes. */
	for (i = 0; i < len; i++) {
		memcpy(bad, img, len);
		bad[i] ^= 0xa5;
		if (tokencache_parse(bad, len, &got, &why) == TC_OK)
			tokencache_free(&got);
		CHECK(got.n == 0);
	}
	/* A garbage file on disk is refused with the path and the reason. */
	memcpy(bad, img, len);
	bad[5] = 9;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0 && write(fd, bad, len) == (ssize_t)len);
	if (fd >= 0)
		close(fd);
	CHECK(tokencache_load(path, &got, NULL, err, sizeof(err)) ==
	    TC_E_FORMAT);
	CHECK(strstr(err, path) != NULL && strstr(err, "version") != NULL);
	free(bad);
out:
	free(img);
	tokencache_free(&tc);
}

int
main(int argc, char **argv)
{
	const char *fixtures = argc > 1 ? argv[1] : DS_FIXTURES_DIR;
	char dir[4096], path[4200], cmd[4200];

	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(tmp) == NULL)
		return 2;
	rsa = t_load(fixtures, "rsa.der", &rsa_len);
	ec = t_load(fixtures, "ec.der", &ec_len);
	test_paths();
	test_expiry();
	test_put_remove();
	snprintf(dir, sizeof(dir), "%s/%s", tmp, TC_DIR_NAME);
	snprintf(path, sizeof(path), "%s/%s", dir, TC_FILE_NAME);
	test_round_trip(path, dir);
	test_atomic(path);
	test_refusals(path, dir);
	test_garbage(path);
	free(rsa);
	free(ec);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmp);
	return t_done("tokencache");
}
