/* tokencache.c - the per-user set of vouched certificates; see
 * tokencache.h. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fail.h"
#include "reader.h"
#include "tokencache.h"
#include "utf8.h"

#define TC_MAGIC	"DSTC"
#define TC_VERSION	1
#define TC_HEADER_LEN	12	/* magic, version, flags, count */
#define TC_ENTRY_FIXED	16	/* trust, 0, addrlen, expires, derlen */
#define TC_MIN_ADDRESS	3	/* "a@b" */

int
tokencache_dir(char *out, size_t outlen, char *err, size_t errlen)
{
	const char *base, *sub = "";
	struct passwd *pw;
	int n;

	base = getenv("XDG_RUNTIME_DIR");
	if (base == NULL || base[0] != '/') {
		base = getenv("XDG_CACHE_HOME");
		if (base == NULL || base[0] != '/') {
			base = getenv("HOME");
			if (base == NULL || base[0] != '/') {
				pw = getpwuid(geteuid());
				base = pw != NULL ? pw->pw_dir : NULL;
			}
			sub = "/.cache";
		}
	}
	if (base == NULL || base[0] != '/') {
		seterr(err, errlen, "no folder for the token cache: neither "
		    "XDG_RUNTIME_DIR, XDG_CACHE_HOME nor HOME is an absolute "
		    "path");
		return TC_E_NOPATH;
	}
	n = snprintf(out, outlen, "%s%s/%s", base, sub, TC_DIR_NAME);
	if (n < 0 || (size_t)n >= outlen) {
		seterr(err, errlen, "the token cache folder under %s is too "
		    "long a path", base);
		return TC_E_TOO_LARGE;
	}
	return 0;
}

int
tokencache_path(char *out, size_t outlen, char *err, size_t errlen)
{
	char dir[4096];
	int rc, n;

	if ((rc = tokencache_dir(dir, sizeof(dir), err, errlen)) != 0)
		return rc;
	n = snprintf(out, outlen, "%s/%s", dir, TC_FILE_NAME);
	if (n < 0 || (size_t)n >= outlen) {
		seterr(err, errlen, "the token cache path under %s is too "
		    "long", dir);
		return TC_E_TOO_LARGE;
	}
	return 0;
}

int64_t
tokencache_expiry(int64_t now, uint32_t ttl, int64_t not_after)
{
	int64_t e;

	e = now + (ttl < DS_TC_MAX_LIFETIME ? (int64_t)ttl :
	    (int64_t)DS_TC_MAX_LIFETIME);
	return not_after < e ? not_after : e;
}

static bool
address_ok(const char *a, size_t len)
{
	return len >= TC_MIN_ADDRESS && len <= DS_MAX_ADDRESS &&
	    memchr(a, '@', len) != NULL && utf8_valid_text(a, len);
}

void
tokencache_free(struct tokencache *tc)
{
	size_t i;

	if (tc == NULL)
		return;
	for (i = 0; i < tc->n; i++) {
		free(tc->e[i].address);
		free(tc->e[i].der);
	}
	free(tc->e);
	tc->e = NULL;
	tc->n = tc->cap = 0;
}

/* Appends a copy of the entry; 0 or -1 (OOM). */
static int
append(struct tokencache *tc, const char *addr, size_t alen,
    const uint8_t *der, size_t dlen, bool trust, int64_t expires)
{
	struct tc_entry *e;
	size_t cap;

	if (tc->n == tc->cap) {
		cap = tc->cap != 0 ? tc->cap * 2 : 16;
		if ((e = realloc(tc->e, cap * sizeof(*e))) == NULL)
			return -1;
		tc->e = e;
		tc->cap = cap;
	}
	e = &tc->e[tc->n];
	memset(e, 0, sizeof(*e));
	if ((e->address = malloc(alen + 1)) == NULL)
		return -1;
	if ((e->der = malloc(dlen)) == NULL) {
		free(e->address);
		e->address = NULL;
		return -1;
	}
	memcpy(e->address, addr, alen);
	e->address[alen] = '\0';
	memcpy(e->der, der, dlen);
	e->der_len = dlen;
	e->email_trust = trust;
	e->expires = expires;
	tc->n++;
	return 0;
}

int
tokencache_parse(const uint8_t *p, size_t n, struct tokencache *tc,
    const char **why)
{
	struct reader r;
	const uint8_t *magic, *addr, *der;
	uint16_t version, flags, alen;
	uint32_t count, hi, lo, dlen, i;
	uint8_t trust, zero;
	const char *msg = NULL;
	int rc = TC_E_FORMAT;

	if (n > DS_MAX_TC_FILE_BYTES) {
		msg = "the token cache file is larger than the limit";
		rc = TC_E_TOO_LARGE;
		goto out;
	}
	rd_init(&r, p, n);
	if (rd_bytes(&r, 4, &magic) != 0 || memcmp(magic, TC_MAGIC, 4) != 0) {
		msg = "not a token cache file (no DSTC magic)";
		goto out;
	}
	if (rd_u16(&r, &version) != 0 || rd_u16(&r, &flags) != 0 ||
	    rd_u32(&r, &count) != 0) {
		msg = "token cache header cut short";
		goto out;
	}
	if (version != TC_VERSION || flags != 0) {
		msg = "token cache version or flags unknown (expected 1, 0)";
		goto out;
	}
	if (count > DS_MAX_TC_ENTRIES) {
		msg = "token cache has more entries than the limit";
		rc = TC_E_TOO_LARGE;
		goto out;
	}
	/* Every entry takes at least its fixed part: a count the bytes
	 * cannot hold is refused before anything is allocated. */
	if ((size_t)count > rd_left(&r) / TC_ENTRY_FIXED) {
		msg = "token cache entry count exceeds the file";
		goto out;
	}
	for (i = 0; i < count; i++) {
		if (rd_u8(&r, &trust) != 0 || rd_u8(&r, &zero) != 0 ||
		    rd_u16(&r, &alen) != 0 || rd_u32(&r, &hi) != 0 ||
		    rd_u32(&r, &lo) != 0 || rd_u32(&r, &dlen) != 0) {
			msg = "token cache entry cut short";
			goto out;
		}
		if (trust > 1 || zero != 0) {
			msg = "token cache entry with an unknown trust value";
			goto out;
		}
		if ((hi & 0x80000000u) != 0) {
			msg = "token cache entry with a negative expiry time";
			goto out;
		}
		if (dlen == 0 || dlen > DS_MAX_CERT_BYTES) {
			msg = "token cache certificate length out of range";
			goto out;
		}
		if (rd_bytes(&r, alen, &addr) != 0 ||
		    rd_bytes(&r, dlen, &der) != 0) {
			msg = "token cache entry cut short";
			goto out;
		}
		if (!address_ok((const char *)addr, alen)) {
			msg = "token cache entry with a bad address (UTF-8 "
			    "text with an '@', 3 to 254 octets)";
			goto out;
		}
		if (append(tc, (const char *)addr, alen, der, dlen,
		    trust == 1, (int64_t)((uint64_t)hi << 32 | lo)) != 0) {
			rc = -1;
			goto out;
		}
	}
	if (rd_left(&r) != 0) {
		msg = "token cache has bytes after the last entry";
		goto out;
	}
	rc = TC_OK;
out:
	if (rc != TC_OK)
		tokencache_free(tc);
	if (why != NULL)
		*why = msg;
	return rc;
}

/* The folder part of path (without the trailing slash) into dir. */
static int
split_dir(const char *path, char *dir, size_t dirlen, const char **name)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL || slash[1] == '\0')
		return -1;
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= dirlen)
		return -1;
	memcpy(dir, path, n);
	dir[n] = '\0';
	*name = slash + 1;
	return 0;
}

/* Why st (a folder or file of the cache) is unsafe, or NULL. */
static const char *
unsafe_why(const struct stat *st, bool want_dir)
{
	if (want_dir ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode))
		return want_dir ? "is not a folder" : "is not a regular file";
	if (st->st_uid != geteuid())
		return "is not owned by the user";
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return "is writable by group or others";
	return NULL;
}

/* Opens the cache folder of path without following a symlink and checks
 * it; returns the descriptor, or -1 with rc and err set. */
static int
open_dir(const char *path, const char **name, int *rc, char *err,
    size_t errlen)
{
	char dir[4096];
	struct stat st;
	const char *why;
	int fd;

	if (split_dir(path, dir, sizeof(dir), name) != 0) {
		seterr(err, errlen, "token cache path %s has no folder", path);
		*rc = TC_E_NOPATH;
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			*rc = TC_E_MISSING;
			seterr(err, errlen, "no token cache folder %s", dir);
		} else if (errno == ELOOP || errno == ENOTDIR) {
			*rc = TC_E_UNSAFE;
			seterr(err, errlen, "token cache folder %s refused: it "
			    "is a symbolic link or no folder", dir);
		} else {
			*rc = TC_E_IO;
			seterr(err, errlen, "cannot open token cache folder "
			    "%s: %s", dir, strerror(errno));
		}
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		*rc = TC_E_IO;
		seterr(err, errlen, "cannot stat token cache folder %s: %s",
		    dir, strerror(errno));
		close(fd);
		return -1;
	}
	if ((why = unsafe_why(&st, true)) != NULL) {
		*rc = TC_E_UNSAFE;
		seterr(err, errlen, "token cache folder %s refused: it %s "
		    "(it must be the user's, mode 0700)", dir, why);
		close(fd);
		return -1;
	}
	return fd;
}

static void
stamp_from(const struct stat *st, struct tc_stamp *out)
{
	memset(out, 0, sizeof(*out));
	out->present = true;
	out->dev = st->st_dev;
	out->ino = st->st_ino;
	out->size = st->st_size;
	out->mtime = st->st_mtim;
	out->ctime = st->st_ctim;
}

int
tokencache_load(const char *path, struct tokencache *tc,
    struct tc_stamp *stamp, char *err, size_t errlen)
{
	const char *name, *why;
	struct stat st;
	uint8_t *buf = NULL;
	size_t got = 0;
	ssize_t k;
	int dfd = -1, fd = -1, rc = TC_E_IO;

	if (stamp != NULL)
		memset(stamp, 0, sizeof(*stamp));
	if ((dfd = open_dir(path, &name, &rc, err, errlen)) < 0)
		goto out;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ENOENT) {
			rc = TC_E_MISSING;
			seterr(err, errlen, "no token cache file %s yet", path);
		} else if (errno == ELOOP) {
			rc = TC_E_UNSAFE;
			seterr(err, errlen, "token cache file %s refused: it is "
			    "a symbolic link", path);
		} else {
			rc = TC_E_IO;
			seterr(err, errlen, "cannot open token cache file %s: "
			    "%s", path, strerror(errno));
		}
		goto out;
	}
	if (fstat(fd, &st) != 0) {
		seterr(err, errlen, "cannot stat token cache file %s: %s",
		    path, strerror(errno));
		goto out;
	}
	if ((why = unsafe_why(&st, false)) != NULL) {
		rc = TC_E_UNSAFE;
		seterr(err, errlen, "token cache file %s refused: it %s (it "
		    "must be the user's, mode 0600)", path, why);
		goto out;
	}
	if ((uint64_t)st.st_size > DS_MAX_TC_FILE_BYTES) {
		rc = TC_E_TOO_LARGE;
		seterr(err, errlen, "token cache file %s refused: %lld bytes, "
		    "more than the limit of %u", path, (long long)st.st_size,
		    DS_MAX_TC_FILE_BYTES);
		goto out;
	}
	/* One byte more than the size: a file that grew meanwhile is
	 * noticed, never over-read. */
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		rc = -1;
		goto out;
	}
	while (got <= (size_t)st.st_size) {
		k = read(fd, buf + got, (size_t)st.st_size + 1 - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			seterr(err, errlen, "cannot read token cache file %s: "
			    "%s", path, strerror(errno));
			goto out;
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	if (got != (size_t)st.st_size) {
		seterr(err, errlen, "token cache file %s changed while read",
		    path);
		goto out;
	}
	rc = tokencache_parse(buf, got, tc, &why);
	if (rc > 0)
		seterr(err, errlen, "token cache file %s refused: %s", path,
		    why);
	if (rc == TC_OK && stamp != NULL)
		stamp_from(&st, stamp);
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	return rc;
}

int
tokencache_stat(const char *path, struct tc_stamp *st)
{
	struct stat s;

	memset(st, 0, sizeof(*st));
	if (lstat(path, &s) != 0)
		return errno;
	stamp_from(&s, st);
	return 0;
}

bool
tokencache_changed(const struct tc_stamp *a, const struct tc_stamp *b)
{
	return a->present != b->present || a->dev != b->dev ||
	    a->ino != b->ino || a->size != b->size ||
	    a->mtime.tv_sec != b->mtime.tv_sec ||
	    a->mtime.tv_nsec != b->mtime.tv_nsec ||
	    a->ctime.tv_sec != b->ctime.tv_sec ||
	    a->ctime.tv_nsec != b->ctime.tv_nsec;
}

int
tokencache_put(struct tokencache *tc, const char *address,
    const uint8_t *der, size_t der_len, const char *trust, int64_t expires)
{
	bool t;
	size_t i, alen;

	if (address == NULL || der == NULL || trust == NULL)
		return TC_E_ARG;
	alen = strlen(address);
	if (!address_ok(address, alen) || der_len == 0 ||
	    der_len > DS_MAX_CERT_BYTES || expires <= 0)
		return TC_E_ARG;
	if (strcmp(trust, ",C,") == 0)
		t = true;
	else if (strcmp(trust, ",,") == 0)
		t = false;
	else
		return TC_E_ARG;
	for (i = 0; i < tc->n; i++) {
		if (strcmp(tc->e[i].address, address) == 0 &&
		    tc->e[i].der_len == der_len &&
		    memcmp(tc->e[i].der, der, der_len) == 0) {
			tc->e[i].email_trust = t;
			tc->e[i].expires = expires;
			return 0;
		}
	}
	if (tc->n >= DS_MAX_TC_ENTRIES)
		return TC_E_TOO_LARGE;
	return append(tc, address, alen, der, der_len, t, expires);
}

/* Drops entry i (order is kept: the file stays stable between writes). */
static void
drop(struct tokencache *tc, size_t i)
{
	free(tc->e[i].address);
	free(tc->e[i].der);
	memmove(&tc->e[i], &tc->e[i + 1], (tc->n - i - 1) * sizeof(tc->e[0]));
	tc->n--;
}

size_t
tokencache_remove(struct tokencache *tc, const char *address)
{
	size_t i = 0, k = 0;

	while (i < tc->n) {
		if (strcmp(tc->e[i].address, address) == 0) {
			drop(tc, i);
			k++;
		} else {
			i++;
		}
	}
	return k;
}

size_t
tokencache_prune(struct tokencache *tc, int64_t now)
{
	size_t i = 0, k = 0;

	while (i < tc->n) {
		if (tc->e[i].expires <= now) {
			drop(tc, i);
			k++;
		} else {
			i++;
		}
	}
	return k;
}

static void
put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put_u32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int
tokencache_serialise(const struct tokencache *tc, uint8_t **out,
    size_t *outlen)
{
	uint8_t *buf, *p;
	size_t i, len = TC_HEADER_LEN, alen;
	uint64_t ex;

	*out = NULL;
	*outlen = 0;
	if (tc->n > DS_MAX_TC_ENTRIES)
		return -1;
	/* Each entry is at most 16 + 254 + 65535 bytes: no overflow for
	 * DS_MAX_TC_ENTRIES of them in a size_t. */
	for (i = 0; i < tc->n; i++)
		len += TC_ENTRY_FIXED + strlen(tc->e[i].address) +
		    tc->e[i].der_len;
	if ((buf = malloc(len)) == NULL)
		return -1;
	memcpy(buf, TC_MAGIC, 4);
	put_u16(buf + 4, TC_VERSION);
	put_u16(buf + 6, 0);
	put_u32(buf + 8, (uint32_t)tc->n);
	p = buf + TC_HEADER_LEN;
	for (i = 0; i < tc->n; i++) {
		alen = strlen(tc->e[i].address);
		ex = tc->e[i].expires > 0 ? (uint64_t)tc->e[i].expires : 0;
		p[0] = tc->e[i].email_trust ? 1 : 0;
		p[1] = 0;
		put_u16(p + 2, (uint16_t)alen);
		put_u32(p + 4, (uint32_t)(ex >> 32));
		put_u32(p + 8, (uint32_t)ex);
		put_u32(p + 12, (uint32_t)tc->e[i].der_len);
		memcpy(p + TC_ENTRY_FIXED, tc->e[i].address, alen);
		memcpy(p + TC_ENTRY_FIXED + alen, tc->e[i].der,
		    tc->e[i].der_len);
		p += TC_ENTRY_FIXED + alen + tc->e[i].der_len;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

/* mkdir -p for the cache folder: missing parts are made 0700. */
static int
make_dirs(const char *dir)
{
	char tmp[4096];
	size_t i, n = strlen(dir);

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return -1;
		tmp[i] = i < n ? '/' : '\0';
	}
	return 0;
}

static int
ensure_dir(const char *path, const char **name, int *rc, char *err,
    size_t errlen)
{
	char dir[4096];
	int fd;

	fd = open_dir(path, name, rc, err, errlen);
	if (fd >= 0 || *rc != TC_E_MISSING)
		return fd;
	if (split_dir(path, dir, sizeof(dir), name) != 0 ||
	    make_dirs(dir) != 0) {
		*rc = TC_E_IO;
		seterr(err, errlen, "cannot create token cache folder for %s: "
		    "%s", path, strerror(errno));
		return -1;
	}
	return open_dir(path, name, rc, err, errlen);
}

int
tokencache_write_raw(const char *path, const struct tokencache *tc,
    char *err, size_t errlen)
{
	char tmpname[128] = "";
	const char *name;
	bool created = false;
	uint8_t *buf = NULL;
	size_t len = 0, off = 0;
	ssize_t k;
	int dfd = -1, fd = -1, rc = TC_E_IO;
	static unsigned counter;

	if ((dfd = ensure_dir(path, &name, &rc, err, errlen)) < 0)
		goto out;
	if (tokencache_serialise(tc, &buf, &len) != 0) {
		rc = -1;
		goto out;
	}
	snprintf(tmpname, sizeof(tmpname), ".%s.%ld.%u.tmp", TC_FILE_NAME,
	    (long)getpid(), counter++);
	fd = openat(dfd, tmpname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd < 0) {
		seterr(err, errlen, "cannot create a temporary file beside %s: "
		    "%s", path, strerror(errno));
		goto out;
	}
	created = true;
	if (fchmod(fd, 0600) != 0)
		goto ioerr;
	while (off < len) {
		k = write(fd, buf + off, len - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			goto ioerr;
		off += (size_t)k;
	}
	/* Data on disk before the name points at it (atomic replace). */
	if (fsync(fd) != 0)
		goto ioerr;
	if (close(fd) != 0) {
		fd = -1;
		goto ioerr;
	}
	fd = -1;
	if (renameat(dfd, tmpname, dfd, name) != 0)
		goto ioerr;
	created = false;
	(void)fsync(dfd);
	rc = TC_OK;
	goto out;
ioerr:
	rc = TC_E_IO;
	seterr(err, errlen, "cannot write token cache file %s: %s", path,
	    strerror(errno));
out:
	if (fd >= 0)
		close(fd);
	if (created)
		(void)unlinkat(dfd, tmpname, 0);
	if (dfd >= 0)
		close(dfd);
	free(buf);
	return rc;
}

int
tokencache_lock(const char *path, char *err, size_t errlen)
{
	const char *name;
	int fd, rc = 0;

	if ((fd = ensure_dir(path, &name, &rc, err, errlen)) < 0)
		return -1;
	while (flock(fd, LOCK_EX) != 0) {
		if (errno == EINTR)
			continue;
		seterr(err, errlen, "cannot lock the token cache folder of "
		    "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

void
tokencache_unlock(int fd)
{
	if (fd >= 0) {
		(void)flock(fd, LOCK_UN);
		close(fd);
	}
}
