/* config.c - configuration file; see config.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fail.h"
#include "readfile.h"
#include "utf8.h"

#define CONFIG_SYSTEM_PATH	"/etc/dane-smime/dane-smime.conf"
#define CONFIG_USER_SUFFIX	"dane-smime/dane-smime.conf"

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->timeout_ms = DS_DEFAULT_TIMEOUT_MS;
	c->attempts = DS_DEFAULT_ATTEMPTS;
	c->trust_ad = TRUST_AUTO;
	c->probe_name[0] = '.';
	c->https = true;
}

/* --- resolvers --- */

static bool
is_loopback(const struct sockaddr_storage *ss)
{
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET)
		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
		return true;
	/* RFC 4291 2.5.5.2: ::ffff:127.x.y.z is IPv4 loopback. */
	return IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) &&
	    s6->sin6_addr.s6_addr[12] == 127;
}

/* host is a bare address of family af; fills *out. 0 or 1. */
static int
resolver_from_ip(const char *host, int af, unsigned port,
    struct resolver_addr *out)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&out->ss;
	char a[INET6_ADDRSTRLEN];

	memset(out, 0, sizeof(*out));
	if (af == AF_INET) {
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			return 1;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		out->sslen = sizeof(*s4);
		if (inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a)) == NULL)
			goto bad;
		snprintf(out->text, sizeof(out->text), "%s:%u", a, port);
	} else {
		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			return 1;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		out->sslen = sizeof(*s6);
		if (inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a)) == NULL)
			goto bad;
		snprintf(out->text, sizeof(out->text), "[%s]:%u", a, port);
	}
	out->loopback = is_loopback(&out->ss);
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	return 1;
}

/* Strictly decimal digits, no sign or space, value in lo..hi. 0 or 1. */
static int
parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	unsigned long v = 0;
	size_t i;

	if (*s == '\0')
		return 1;
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 1;
		v = v * 10 + (unsigned long)(s[i] - '0');
		if (v > hi)	/* also stops any overflow early */
			return 1;
	}
	if (v < lo)
		return 1;
	*out = (unsigned)v;
	return 0;
}

int
config_parse_resolver(const char *s, struct resolver_addr *out)
{
	char host[INET6_ADDRSTRLEN];
	const char *port_s = NULL, *colon, *end;
	size_t hl;
	unsigned port = 53;
	int af;

	memset(out, 0, sizeof(*out));
	if (s[0] == '[') {
		/* RFC 3986 3.2.2 brackets: the only way to give an IPv6 port. */
		if ((end = strchr(s, ']')) == NULL)
			return 1;
		hl = (size_t)(end - s - 1);
		if (hl == 0 || hl >= sizeof(host))
			return 1;
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		if (end[1] == ':')
			port_s = end + 2;
		else if (end[1] != '\0')
			return 1;
		af = AF_INET6;
	} else if ((colon = strchr(s, ':')) != NULL &&
	    strchr(colon + 1, ':') == NULL) {
		/* One colon: IPv4:PORT. */
		hl = (size_t)(colon - s);
		if (hl >= sizeof(host))
			return 1;
		memcpy(host, s, hl);
		host[hl] = '\0';
		port_s = colon + 1;
		af = AF_INET;
	} else {
		/* No colon: IPv4; two or more: a bare IPv6 address. */
		if ((hl = strlen(s)) >= sizeof(host))
			return 1;
		memcpy(host, s, hl + 1);
		af = colon == NULL ? AF_INET : AF_INET6;
	}
	if (port_s != NULL && parse_uint(port_s, 1, 65535, &port) != 0)
		return 1;
	return resolver_from_ip(host, af, port, out);
}

int
config_resolv_conf(struct config *c, const char *path)
{
	struct resolver_addr ra;
	char *buf = NULL, *line, *next, *tok, *save;
	size_t len;
	int added = 0;

	if (read_file_bounded(path, DS_MAX_CONFIG_BYTES, &buf, &len) != 0)
		return 1;
	for (line = buf; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((tok = strtok_r(line, " \t\r", &save)) == NULL ||
		    strcmp(tok, "nameserver") != 0)
			continue;	/* comments (# or ;) and other options */
		if ((tok = strtok_r(NULL, " \t\r", &save)) == NULL)
			continue;
		/* Scoped link-local (fe80::1%eth0) is skipped: inet_pton
		 * rejects the '%', and c-ares 1.18 ignores the scope. */
		if (resolver_from_ip(tok, strchr(tok, ':') ? AF_INET6 : AF_INET,
		    53, &ra) != 0)
			continue;
		if (c->nresolvers >= DS_MAX_RESOLVERS)
			break;
		c->resolvers[c->nresolvers++] = ra;
		added++;
	}
	free(buf);
	if (added == 0)
		return 1;
	c->resolvers_from_resolv_conf = true;
	return 0;
}

/* --- the file format --- */

static bool
is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* RFC 1035 2.3.1 letters, digits, hyphen; plus '_' (RFC 8552 names):
 * labels of 1..63, total 253 without the root dot, or "." itself. */
static bool
valid_dns_name(const char *s)
{
	size_t n = strlen(s), lab = 0, i;

	if (strcmp(s, ".") == 0)
		return true;
	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > DS_MAX_DOMAIN)
		return false;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (ch == '.') {
			if (lab == 0)
				return false;
			lab = 0;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
			return false;
		if (++lab > DS_MAX_LABEL)
			return false;
	}
	return lab > 0;
}

static bool
printable_key(const char *k)
{
	size_t i;

	for (i = 0; k[i] != '\0'; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' &&
		    k[i] <= 'Z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_' ||
		    k[i] == '-'))
			return false;
	return i <= 32;
}

enum cfg_key { K_TIMEOUT, K_ATTEMPTS, K_TRUST, K_PROBE, K_NSSDB, K_TOKEN,
    K_HTTPS, K_HTTPS_CA, K_NKEYS };

/* Applies one key = value to *c. NULL, or a static message. */
static const char *
apply(struct config *c, const char *key, const char *val, bool seen[K_NKEYS],
    char *msg, size_t msglen)
{
	enum cfg_key k;

	if (strcmp(key, "resolver") == 0) {
		if (c->nresolvers >= DS_MAX_RESOLVERS) {
			snprintf(msg, msglen, "too many resolvers (at most %d)",
			    DS_MAX_RESOLVERS);
			return msg;
		}
		if (config_parse_resolver(val, &c->resolvers[c->nresolvers]) != 0)
			return "resolver: expected IP, IP:PORT, [IPv6]:PORT or "
			    "IPv6 (port 1..65535)";
		c->nresolvers++;
		return NULL;
	}
	if (strcmp(key, "timeout_ms") == 0)
		k = K_TIMEOUT;
	else if (strcmp(key, "attempts") == 0)
		k = K_ATTEMPTS;
	else if (strcmp(key, "trust_ad") == 0)
		k = K_TRUST;
	else if (strcmp(key, "probe_name") == 0)
		k = K_PROBE;
	else if (strcmp(key, "nss_db") == 0)
		k = K_NSSDB;
	else if (strcmp(key, "token_cache") == 0)
		k = K_TOKEN;
	else if (strcmp(key, "https") == 0)
		k = K_HTTPS;
	else if (strcmp(key, "https_ca_file") == 0)
		k = K_HTTPS_CA;
	else {
		if (printable_key(key))
			snprintf(msg, msglen, "unknown key \"%.32s\"", key);
		else
			snprintf(msg, msglen, "unknown key");
		return msg;
	}
	if (seen[k]) {
		snprintf(msg, msglen, "%.32s set twice", key);
		return msg;
	}
	seen[k] = true;
	switch (k) {
	case K_TIMEOUT:
		if (parse_uint(val, 1, DS_MAX_TIMEOUT_MS, &c->timeout_ms) != 0) {
			snprintf(msg, msglen, "timeout_ms: expected a decimal "
			    "number 1..%d", DS_MAX_TIMEOUT_MS);
			return msg;
		}
		break;
	case K_ATTEMPTS:
		if (parse_uint(val, 1, DS_MAX_ATTEMPTS, &c->attempts) != 0) {
			snprintf(msg, msglen, "attempts: expected a decimal "
			    "number 1..%d", DS_MAX_ATTEMPTS);
			return msg;
		}
		break;
	case K_TRUST:
		if (strcmp(val, "yes") == 0)
			c->trust_ad = TRUST_YES;
		else if (strcmp(val, "no") == 0)
			c->trust_ad = TRUST_NO;
		else if (strcmp(val, "auto") == 0)
			c->trust_ad = TRUST_AUTO;
		else
			return "trust_ad: expected yes, no or auto";
		break;
	case K_PROBE:
		if (!valid_dns_name(val))
			return "probe_name: expected a DNS name (RFC 1035 2.3.1)";
		snprintf(c->probe_name, sizeof(c->probe_name), "%s", val);
		break;
	case K_NSSDB:
		/* NSS 3.x: only the SQLite format ("sql:") is maintained. */
		if (strncmp(val, "sql:", 4) != 0 || val[4] == '\0')
			return "nss_db: expected sql:/path/to/dbdir";
		if (strlen(val) >= sizeof(c->nss_db))
			return "nss_db: path too long";
		snprintf(c->nss_db, sizeof(c->nss_db), "%s", val);
		break;
	case K_TOKEN:
		if (strcmp(val, "yes") == 0)
			c->token_cache = TOKEN_YES;
		else if (strcmp(val, "no") == 0)
			c->token_cache = TOKEN_NO;
		else if (strcmp(val, "auto") == 0)
			c->token_cache = TOKEN_AUTO;
		else
			return "token_cache: expected yes, no or auto";
		break;
	case K_HTTPS:
		if (strcmp(val, "yes") == 0)
			c->https = true;
		else if (strcmp(val, "no") == 0)
			c->https = false;
		else
			return "https: expected yes or no";
		break;
	case K_HTTPS_CA:
		/* Absolute: Thunderbird starts the host in its own folder. */
		if (val[0] != '/')
			return "https_ca_file: expected an absolute path";
		if (strlen(val) >= sizeof(c->https_ca_file))
			return "https_ca_file: path too long";
		snprintf(c->https_ca_file, sizeof(c->https_ca_file), "%s", val);
		break;
	case K_NKEYS:
		break;
	}
	return NULL;
}

int
config_parse(struct config *c, const char *name, const char *text, size_t len,
    char *err, size_t errlen)
{
	struct config *tmp = NULL;
	bool seen[K_NKEYS] = { false };
	char line[DS_MAX_CONFIG_LINE + 1], msgbuf[128];
	const char *p = text, *end = text + len, *nl, *msg = NULL;
	char *key, *val, *eq, *h;
	size_t lineno = 0, ll;
	int rc = -1;

	if ((tmp = malloc(sizeof(*tmp))) == NULL)
		goto out;
	*tmp = *c;
	if (len > DS_MAX_CONFIG_BYTES) {
		seterr(err, errlen, "%s: file too big (at most %d bytes)", name,
		    DS_MAX_CONFIG_BYTES);
		rc = 1;
		goto out;
	}
	while (p < end) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		ll = (size_t)(nl - p);
		if (ll > DS_MAX_CONFIG_LINE) {
			snprintf(msgbuf, sizeof(msgbuf), "line too long (at most "
			    "%d bytes)", DS_MAX_CONFIG_LINE);
			msg = msgbuf;
			goto bad;
		}
		memcpy(line, p, ll);
		line[ll] = '\0';
		p = nl < end ? nl + 1 : end;
		if (memchr(line, '\0', ll) != NULL) {
			msg = "NUL byte";
			goto bad;
		}
		if (!utf8_valid(line, ll)) {
			msg = "not valid UTF-8 (RFC 3629)";
			goto bad;
		}
		/* A '#' at the start or after whitespace starts a comment. */
		for (h = line; (h = strchr(h, '#')) != NULL; h++)
			if (h == line || h[-1] == ' ' || h[-1] == '\t') {
				*h = '\0';
				break;
			}
		for (key = line; is_blank(*key); key++)
			;
		for (ll = strlen(key); ll > 0 && is_blank(key[ll - 1]); ll--)
			key[ll - 1] = '\0';
		if (*key == '\0')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			msg = "expected key = value";
			goto bad;
		}
		*eq = '\0';
		for (val = eq + 1; is_blank(*val); val++)
			;
		for (ll = strlen(key); ll > 0 && is_blank(key[ll - 1]); ll--)
			key[ll - 1] = '\0';
		if (*key == '\0') {
			msg = "missing key before '='";
			goto bad;
		}
		if (*val == '\0') {
			if (printable_key(key))
				snprintf(msgbuf, sizeof(msgbuf),
				    "%.32s: missing value", key);
			else
				snprintf(msgbuf, sizeof(msgbuf), "missing value");
			msg = msgbuf;
			goto bad;
		}
		if ((msg = apply(tmp, key, val, seen, msgbuf,
		    sizeof(msgbuf))) != NULL)
			goto bad;
	}
	*c = *tmp;
	rc = 0;
	goto out;
bad:
	seterr(err, errlen, "%s:%zu: %s", name, lineno, msg);
	rc = 1;
out:
	free(tmp);
	return rc;
}

/* Loads one file. 0 loaded, 1 error (err set), 2 absent and optional,
 * -1 OOM. */
static int
load_file(struct config *c, const char *path, bool required, char *err,
    size_t errlen)
{
	char *buf = NULL;
	size_t len;
	int r, rc = -1;

	switch ((r = read_file_bounded(path, DS_MAX_CONFIG_BYTES, &buf,
	    &len))) {
	case 0:
		break;
	case -1:
		goto out;
	case EFBIG:
		seterr(err, errlen, "%s: file too big (at most %d bytes)", path,
		    DS_MAX_CONFIG_BYTES);
		rc = 1;
		goto out;
	case ENODEV:
		seterr(err, errlen, "%s: not a regular file", path);
		rc = 1;
		goto out;
	default:
		if (!required && (r == ENOENT || r == ENOTDIR)) {
			rc = 2;
			goto out;
		}
		seterr(err, errlen, "%s: %s", path, strerror(r));
		rc = 1;
		goto out;
	}
	if ((rc = config_parse(c, path, buf, len, err, errlen)) != 0)
		goto out;
	snprintf(c->path, sizeof(c->path), "%s", path);
out:
	free(buf);
	return rc;
}

int
config_load(struct config *c, const char *explicit_path, char *err,
    size_t errlen)
{
	char user[1024];
	const char *env, *home;
	int rc, n = -1;

	config_defaults(c);
	if (explicit_path != NULL) {
		rc = load_file(c, explicit_path, true, err, errlen);
		goto out;
	}
	if ((env = getenv("DANE_SMIME_CONFIG")) != NULL && *env != '\0') {
		rc = load_file(c, env, true, err, errlen);
		goto out;
	}
	/* XDG Base Directory: a relative $XDG_CONFIG_HOME is invalid and
	 * must be ignored. */
	if ((env = getenv("XDG_CONFIG_HOME")) != NULL && env[0] == '/')
		n = snprintf(user, sizeof(user), "%s/" CONFIG_USER_SUFFIX, env);
	else if ((home = getenv("HOME")) != NULL && home[0] == '/')
		n = snprintf(user, sizeof(user), "%s/.config/"
		    CONFIG_USER_SUFFIX, home);
	if (n >= (int)sizeof(user)) {
		seterr(err, errlen, "%s: user configuration path too long",
		    user);
		rc = 1;
		goto out;
	}
	if (n > 0) {
		rc = load_file(c, user, false, err, errlen);
		if (rc != 2)
			goto out;
	}
	rc = load_file(c, CONFIG_SYSTEM_PATH, false, err, errlen);
	if (rc == 2)
		rc = 0;
out:
	if (rc != 0) {
		config_defaults(c);
		if (rc > 0)
			snprintf(c->error, sizeof(c->error), "%s",
			    err != NULL && errlen > 0 ? err : "bad file");
	}
	return rc;
}
