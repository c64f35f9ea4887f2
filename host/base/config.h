/* config.h - the host's configuration file.
 *
 * Format: one "key = value" per line; '#' starts a comment at the start
 * of a line or after whitespace; surrounding whitespace is trimmed;
 * blank lines are fine. Keys:
 *   resolver   = IP | IP:PORT | [IPv6]:PORT | IPv6   (repeatable, at
 *                most DS_MAX_RESOLVERS; port 1..65535, default 53)
 *   timeout_ms = 1..DS_MAX_TIMEOUT_MS   (default DS_DEFAULT_TIMEOUT_MS)
 *   attempts   = 1..DS_MAX_ATTEMPTS     (default DS_DEFAULT_ATTEMPTS)
 *   trust_ad   = yes | no | auto        (default auto)
 *   probe_name = a DNS name             (default ".")
 *   nss_db     = sql:/path              (default "": none)
 *   https      = yes | no               (default yes: the _smime TXT +
 *                HTTPS discovery path, issue 18)
 *   https_ca_file = /absolute/path.pem  (default "": the system CA
 *                store only; PEM CAs trusted beside it for that path)
 * Numbers are plain decimal digits. Every key but resolver may appear
 * once. The file is at most DS_MAX_CONFIG_BYTES, lines at most
 * DS_MAX_CONFIG_LINE bytes, UTF-8 without NUL.
 */
#ifndef DS_CONFIG_H
#define DS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "dslimits.h"

struct resolver_addr {
	struct sockaddr_storage	ss;
	socklen_t		sslen;
	char			text[64];	/* "127.0.0.1:53", "[::1]:53" */
	bool			loopback;	/* 127/8, ::1, ::ffff:127/104 */
};

enum trust_mode { TRUST_AUTO = 0, TRUST_YES, TRUST_NO };

/* Whether lookups update the token cache (tokencache.h) that the PKCS#11
 * module serves to Thunderbird: auto = in native mode (the add-on's
 * lookups), not from the command line. */
enum token_mode { TOKEN_AUTO = 0, TOKEN_YES, TOKEN_NO };

struct config {
	struct resolver_addr	resolvers[DS_MAX_RESOLVERS];
	size_t			nresolvers;
	unsigned		timeout_ms;
	unsigned		attempts;
	enum trust_mode		trust_ad;
	char			probe_name[256];	/* doctor queries it for AD */
	char			nss_db[1024];		/* "" or "sql:/path" */
	enum token_mode		token_cache;
	bool			https;			/* https = yes|no */
	char			https_ca_file[1024];	/* "" or a path */
	char			path[1024];		/* file loaded, "" if none */
	bool			resolvers_from_resolv_conf;
	/* Why the file could not be loaded ("FILE:LINE: message"), "" if
	 * it was. The rest is then the defaults, which must not be used
	 * for lookups: the file may have said trust_ad = no or named the
	 * resolver (fail closed, see native_run). */
	char			error[1200];
};

void config_defaults(struct config *c);

/*
 * Resets *c to the defaults, then loads the first of:
 *   explicit_path, if non-NULL (missing is an error);
 *   $DANE_SMIME_CONFIG, if set and non-empty (missing is an error);
 *   $XDG_CONFIG_HOME/dane-smime/dane-smime.conf if $XDG_CONFIG_HOME is
 *   an absolute path, else $HOME/.config/dane-smime/dane-smime.conf;
 *   /etc/dane-smime/dane-smime.conf.
 * A missing file in the last two places is fine (defaults, path "").
 * Does not read resolv.conf: if c->nresolvers is 0 afterwards, the
 * caller decides (see config_resolv_conf).
 * Returns 0; 1 with "FILE:LINE: message" (or "FILE: message" for the
 * file as a whole) in err for a bad or unreadable file, *c is then the
 * defaults with that message also in c->error; -1 on out of memory.
 */
int config_load(struct config *c, const char *explicit_path, char *err,
    size_t errlen);

/*
 * Parses text[0..len) on top of *c (name is used in messages). Only on
 * success is *c changed. Returns 0, 1 with "NAME:LINE: message" in err,
 * -1 on out of memory. err may be NULL if errlen is 0.
 */
int config_parse(struct config *c, const char *name, const char *text,
    size_t len, char *err, size_t errlen);

/* "IP", "IP:PORT", "[IPv6]:PORT", "[IPv6]" or "IPv6" -> *out.
 * Returns 0, or 1 if s is none of these (out is then zeroed). */
int config_parse_resolver(const char *s, struct resolver_addr *out);

/*
 * Appends the "nameserver" addresses of a resolv.conf(5) file (port 53,
 * link-local scoped addresses skipped) until DS_MAX_RESOLVERS, and sets
 * resolvers_from_resolv_conf. Meant for when no resolver is configured.
 * Returns 0, or 1 if the file is unreadable or names no usable server.
 */
int config_resolv_conf(struct config *c, const char *path);

#endif
