/* tokencache.h - the per-user set of certificates DNS vouches for now
 * (issue 17): written by the host after each lookup, read by the PKCS#11
 * module (pkcs11mod.c) that serves them to Thunderbird.
 *
 * Where: $XDG_RUNTIME_DIR/dane-smime/tokens.cache when XDG_RUNTIME_DIR is
 * set (an absolute path), else $XDG_CACHE_HOME/dane-smime/, else
 * ~/.cache/dane-smime/. The folder is 0700, the file 0600, both the
 * user's; a reader refuses a folder or file that is not the user's or is
 * group/world writable, since whoever can write it decides what
 * Thunderbird trusts for e-mail.
 *
 * Format (version 1, all integers big-endian, nothing after the last
 * entry):
 *   "DSTC" u16 version=1 u16 flags=0 u32 count (<= DS_MAX_TC_ENTRIES)
 *   count x { u8 trust (0 ",,", 1 ",C,") u8 0 u16 addrlen
 *             u32 expires_hi u32 expires_lo (seconds since the epoch)
 *             u32 derlen (1..DS_MAX_CERT_BYTES)
 *             addrlen bytes address (UTF-8 text with an '@', 3..254)
 *             derlen bytes certificate DER }
 * An (address, certificate) pair appears at most once. The whole file is
 * at most DS_MAX_TC_FILE_BYTES.
 *
 * Writing is atomic (temporary file in the folder, fsync, rename, fsync
 * of the folder): a reader sees the old set or the new one, never a mix.
 * Host processes that update the set take tokencache_lock first.
 *
 * No NSS and no other dependency besides reader.c and utf8.c: the module
 * links this file on its own.
 */
#ifndef DS_TOKENCACHE_H
#define DS_TOKENCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "dslimits.h"

#define TC_FILE_NAME "tokens.cache"
#define TC_DIR_NAME  "dane-smime"

struct tc_entry {
	char *address;		/* NUL-terminated, as the host looked it up */
	uint8_t *der;		/* the certificate */
	size_t der_len;
	bool email_trust;	/* ",C,": e-mail trust on this certificate */
	int64_t expires;	/* not served from this second on */
};

struct tokencache {
	struct tc_entry *e;
	size_t n, cap;
};

/* What the cheap change check compares (stat of the file). */
struct tc_stamp {
	bool present;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	struct timespec ctime;
};

enum tc_status {
	TC_OK = 0,
	TC_E_MISSING,	/* no cache file (yet): an empty set */
	TC_E_UNSAFE,	/* folder or file not the user's, group/world
			 * writable, a symlink or not a regular file */
	TC_E_FORMAT,	/* not a version 1 cache file */
	TC_E_TOO_LARGE,	/* over DS_MAX_TC_FILE_BYTES or DS_MAX_TC_ENTRIES */
	TC_E_IO,	/* cannot open, read, write or rename (errno text) */
	TC_E_NOPATH,	/* no usable folder: no HOME nor XDG variable */
	TC_E_ARG,	/* put: a bad address, certificate, trust or time */
};

/* The cache folder and file for this process's user: 0, or TC_E_NOPATH
 * (message in err) or TC_E_TOO_LARGE when it does not fit. */
int tokencache_dir(char *out, size_t outlen, char *err, size_t errlen);
int tokencache_path(char *out, size_t outlen, char *err, size_t errlen);

/* When an entry must stop being served: the earliest of now + ttl
 * (capped at DS_TC_MAX_LIFETIME) and the certificate's notAfter. */
int64_t tokencache_expiry(int64_t now, uint32_t ttl, int64_t not_after);

/* Parses a whole cache file image p[0..n) into *tc (empty on entry).
 * TC_OK, TC_E_FORMAT / TC_E_TOO_LARGE with *why a static message, or -1
 * on OOM; on error *tc is left empty. */
int tokencache_parse(const uint8_t *p, size_t n, struct tokencache *tc,
    const char **why);

/* Reads the file at path into *tc (empty on entry), refusing an unsafe
 * folder or file (see above), and fills *st (may be NULL) with what it
 * read. A missing file gives TC_E_MISSING and an empty set. Other
 * positive codes with a message naming the path in err; -1 on OOM. */
int tokencache_load(const char *path, struct tokencache *tc,
    struct tc_stamp *st, char *err, size_t errlen);

/* The cheap change check: stat (never follows a symlink) of path into
 * *st. 0, or the errno; a missing file gives ENOENT with present false. */
int tokencache_stat(const char *path, struct tc_stamp *st);
/* True when the two stamps differ (a new file, other size or times). */
bool tokencache_changed(const struct tc_stamp *a, const struct tc_stamp *b);

/* Adds or replaces the entry (address, der): trust is ",C," or ",,";
 * expires from tokencache_expiry. 0, TC_E_ARG (bad input), TC_E_TOO_LARGE
 * (DS_MAX_TC_ENTRIES), -1 OOM. */
int tokencache_put(struct tokencache *tc, const char *address,
    const uint8_t *der, size_t der_len, const char *trust, int64_t expires);
/* Removes every entry of address (as put, compared exactly); returns how
 * many. */
size_t tokencache_remove(struct tokencache *tc, const char *address);
/* Removes the entries expired at now; returns how many. */
size_t tokencache_prune(struct tokencache *tc, int64_t now);

/* Writes what of *tc may be served to path atomically, creating the
 * folder (0700) if missing and refusing an unsafe one. 0, or a positive
 * code with err set; -1 OOM.
 * What may be served: a certificate the user distrusts for e-mail in any
 * of their Thunderbird profiles is left out, and when a profile's
 * database cannot be read every entry is written without trust
 * (distrust.h; logged). Defined in tcwrite.c, the host's side: the
 * PKCS#11 module only reads and links no SQLite. */
int tokencache_save(const char *path, const struct tokencache *tc,
    char *err, size_t errlen);

/* The plain atomic write of *tc as it is: only tokencache_save calls it,
 * after leaving out what the user distrusts. */
int tokencache_write_raw(const char *path, const struct tokencache *tc,
    char *err, size_t errlen);

/* Serialises *tc into a malloc'ed image (the format above). 0 or -1. */
int tokencache_serialise(const struct tokencache *tc, uint8_t **out,
    size_t *outlen);

/* An exclusive lock for load-modify-save by the host (flock on the
 * folder, created 0700 if missing). Returns a descriptor >= 0 to pass to
 * tokencache_unlock, or -1 with err set. */
int tokencache_lock(const char *path, char *err, size_t errlen);
void tokencache_unlock(int fd);

/* Frees what *tc owns and empties it; accepts NULL. */
void tokencache_free(struct tokencache *tc);

#endif
