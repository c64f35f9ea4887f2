/* test_config.c - configuration parsing and loading (host/base/config.c). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../host/base/config.h"
#include "t.h"

#define L(s)	s, sizeof(s) - 1

struct ccase {
	const char	*text;
	size_t		 len;
	const char	*err;	/* NULL: must parse */
};

static const struct ccase cases[] = {
	{ L(""), NULL },
	{ L("\n\n  \t\n# only a comment\n   # indented comment\n"), NULL },
	{ L("timeout_ms = 500\r\nattempts=3\r\n"), NULL },
	{ L("bogus = 1\n"), "t.conf:1: unknown key \"bogus\"" },
	{ L("\n\nTimeout_ms = 5\n"), "t.conf:3: unknown key \"Timeout_ms\"" },
	{ L("k\xc3\xa9y = 1\n"), "t.conf:1: unknown key" },
	{ L("timeout_ms\n"), "t.conf:1: expected key = value" },
	{ L("= 5\n"), "t.conf:1: missing key before '='" },
	{ L("timeout_ms =\n"), "t.conf:1: timeout_ms: missing value" },
	{ L("timeout_ms = # nothing\n"), "t.conf:1: timeout_ms: missing value" },
	{ L("timeout_ms = 0\n"), "t.conf:1: timeout_ms: expected a decimal number 1..60000" },
	{ L("timeout_ms = 60001\n"), "t.conf:1: timeout_ms: expected a decimal number 1..60000" },
	{ L("timeout_ms = 0x10\n"), "t.conf:1: timeout_ms: expected a decimal number 1..60000" },
	{ L("timeout_ms = -5\n"), "t.conf:1: timeout_ms: expected a decimal number 1..60000" },
	{ L("timeout_ms = +5\n"), "t.conf:1: timeout_ms: expected a decimal number 1..60000" },
	{ L("timeout_ms = 5 ms\n"), "t.conf:1: timeout_ms: expected a decimal number 1..60000" },
	{ L("timeout_ms = 99999999999999999999999\n"), "t.conf:1: timeout_ms: expected a decimal number 1..60000" },
	{ L("attempts = 0\n"), "t.conf:1: attempts: expected a decimal number 1..10" },
	{ L("attempts = 11\n"), "t.conf:1: attempts: expected a decimal number 1..10" },
	{ L("attempts = 2\nattempts = 3\n"), "t.conf:2: attempts set twice" },
	{ L("trust_ad = maybe\n"), "t.conf:1: trust_ad: expected yes, no or auto" },
	{ L("trust_ad = YES\n"), "t.conf:1: trust_ad: expected yes, no or auto" },
	{ L("probe_name = a..b\n"), "t.conf:1: probe_name: expected a DNS name (RFC 1035 2.3.1)" },
	{ L("probe_name = a b\n"), "t.conf:1: probe_name: expected a DNS name (RFC 1035 2.3.1)" },
	{ L("probe_name = ..\n"), "t.conf:1: probe_name: expected a DNS name (RFC 1035 2.3.1)" },
	{ L("probe_name = 0123456789012345678901234567890123456789012345678901234567890123.x\n"),
	    "t.conf:1: probe_name: expected a DNS name (RFC 1035 2.3.1)" },
	{ L("nss_db = /home/u/.thunderbird\n"), "t.conf:1: nss_db: expected sql:/path/to/dbdir" },
	{ L("nss_db = sql:\n"), "t.conf:1: nss_db: expected sql:/path/to/dbdir" },
	{ L("nss_db = dbm:/x\n"), "t.conf:1: nss_db: expected sql:/path/to/dbdir" },
	{ L("resolver = 1.2.3\n"), "t.conf:1: resolver: expected IP, IP:PORT, [IPv6]:PORT or IPv6 (port 1..65535)" },
	{ L("resolver = 127.0.0.1:0\n"), "t.conf:1: resolver: expected IP, IP:PORT, [IPv6]:PORT or IPv6 (port 1..65535)" },
	{ L("resolver = localhost\n"), "t.conf:1: resolver: expected IP, IP:PORT, [IPv6]:PORT or IPv6 (port 1..65535)" },
	{ L("resolver=127.0.0.1\nresolver=127.0.0.2\nresolver=127.0.0.3\n"
	    "resolver=127.0.0.4\nresolver=127.0.0.5\nresolver=127.0.0.6\n"
	    "resolver=127.0.0.7\nresolver=127.0.0.8\nresolver=127.0.0.9\n"),
	    "t.conf:9: too many resolvers (at most 8)" },
	{ L("attempts = 2\0\n"), "t.conf:1: NUL byte" },
	{ L("# ok\nprobe_name = \xff\n"), "t.conf:2: not valid UTF-8 (RFC 3629)" },
	{ L("attempts = 2 # two\nprobe_name = x#y.example\n"),
	    "t.conf:2: probe_name: expected a DNS name (RFC 1035 2.3.1)" },
	{ L("trust_ad = yes\ttrailing\n"), "t.conf:1: trust_ad: expected yes, no or auto" },
	{ L("timeout_ms = 1\nattempts = 1\ntrust_ad = no\nprobe_name = _probe.example.\n"
	    "nss_db = sql:/tmp/db\nresolver = [::1]:5353 # local\n"), NULL },
};

static void
test_table(void)
{
	struct config c;
	char err[256];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		config_defaults(&c);
		err[0] = '\0';
		rc = config_parse(&c, "t.conf", cases[i].text, cases[i].len,
		    err, sizeof(err));
		if (cases[i].err == NULL) {
			if (rc != 0)
				fprintf(stderr, "case %zu: %s\n", i, err);
			CHECK(rc == 0);
		} else {
			CHECK(rc == 1);
			CHECK_STR(err, cases[i].err);
		}
	}
}

static void
test_values(void)
{
	static const char text[] =
	    "# dane-smime\n"
	    "resolver = 127.0.0.1\n"
	    "  resolver\t=\t[::1]:5353   # comment\n"
	    "resolver = 192.0.2.1:53\n"
	    "timeout_ms = 0750\n"
	    "attempts = 10\n"
	    "trust_ad = yes\n"
	    "probe_name = example.org\n"
	    "nss_db = sql:/home/u/profile\n"
	    "probe_name_x_is_not_a_key = 1";
	struct config c, before;
	char err[256] = "";

	config_defaults(&c);
	CHECK(c.timeout_ms == DS_DEFAULT_TIMEOUT_MS);
	CHECK(c.attempts == DS_DEFAULT_ATTEMPTS);
	CHECK(c.trust_ad == TRUST_AUTO);
	CHECK_STR(c.probe_name, ".");
	CHECK_STR(c.nss_db, "");
	CHECK(c.nresolvers == 0);

	/* The last line (no newline) is bad: nothing may change. */
	before = c;
	CHECK(config_parse(&c, "x", text, sizeof(text) - 1, err, sizeof(err)) == 1);
	CHECK_STR(err, "x:10: unknown key \"probe_name_x_is_not_a_key\"");
	CHECK(memcmp(&before, &c, sizeof(c)) == 0);

	CHECK(config_parse(&c, "x", text, sizeof(text) - 1 - 29, err,
	    sizeof(err)) == 0);
	CHECK(c.nresolvers == 3);
	CHECK_STR(c.resolvers[0].text, "127.0.0.1:53");
	CHECK(c.resolvers[0].loopback);
	CHECK_STR(c.resolvers[1].text, "[::1]:5353");
	CHECK(c.resolvers[1].loopback);
	CHECK_STR(c.resolvers[2].text, "192.0.2.1:53");
	CHECK(!c.resolvers[2].loopback);
	CHECK(c.timeout_ms == 750);
	CHECK(c.attempts == 10);
	CHECK(c.trust_ad == TRUST_YES);
	CHECK_STR(c.probe_name, "example.org");
	CHECK_STR(c.nss_db, "sql:/home/u/profile");

	/* Too long a line, and a too-big buffer. */
	{
		char *big = malloc(DS_MAX_CONFIG_BYTES + 2);

		if (big != NULL) {
			memset(big, '#', DS_MAX_CONFIG_BYTES + 1);
			big[0] = '\n';
			CHECK(config_parse(&c, "b", big, DS_MAX_CONFIG_LINE + 1,
			    err, sizeof(err)) == 0);	/* exactly the limit */
			CHECK(config_parse(&c, "b", big, DS_MAX_CONFIG_LINE + 2,
			    err, sizeof(err)) == 1);
			CHECK_STR(err, "b:2: line too long (at most 1024 bytes)");
			CHECK(config_parse(&c, "b", big, DS_MAX_CONFIG_BYTES + 1,
			    err, sizeof(err)) == 1);
			CHECK_STR(err, "b: file too big (at most 65536 bytes)");
			free(big);
		}
	}
	/* No error buffer is fine. */
	CHECK(config_parse(&c, "x", L("nope = 1"), NULL, 0) == 1);
}

struct rescase {
	const char	*in;
	const char	*text;	/* NULL: must fail */
	int		 family;
	int		 loopback;
};

static const struct rescase rcases[] = {
	{ "127.0.0.1", "127.0.0.1:53", AF_INET, 1 },
	{ "127.255.1.2:5353", "127.255.1.2:5353", AF_INET, 1 },
	{ "128.0.0.1", "128.0.0.1:53", AF_INET, 0 },
	{ "192.0.2.53:65535", "192.0.2.53:65535", AF_INET, 0 },
	{ "::1", "[::1]:53", AF_INET6, 1 },
	{ "[::1]", "[::1]:53", AF_INET6, 1 },
	{ "[::1]:1", "[::1]:1", AF_INET6, 1 },
	{ "2001:DB8::0:1", "[2001:db8::1]:53", AF_INET6, 0 },
	{ "[2001:db8::1]:853", "[2001:db8::1]:853", AF_INET6, 0 },
	{ "::ffff:127.0.0.1", "[::ffff:127.0.0.1]:53", AF_INET6, 1 },
	{ "::ffff:10.0.0.1", "[::ffff:10.0.0.1]:53", AF_INET6, 0 },
	{ "", NULL, 0, 0 },
	{ "1.2.3.4:", NULL, 0, 0 },
	{ "1.2.3.4:65536", NULL, 0, 0 },
	{ "1.2.3.4:0", NULL, 0, 0 },
	{ "1.2.3.4:-1", NULL, 0, 0 },
	{ "1.2.3.4:5x", NULL, 0, 0 },
	{ "1.2.3.4 ", NULL, 0, 0 },
	{ "01.2.3.4", NULL, 0, 0 },
	{ "1.2.3.256", NULL, 0, 0 },
	{ "[1.2.3.4]:53", NULL, 0, 0 },
	{ "[::1", NULL, 0, 0 },
	{ "[::1]53", NULL, 0, 0 },
	{ "[]:53", NULL, 0, 0 },
	{ "::1:53x", NULL, 0, 0 },
	{ "fe80::1%eth0", NULL, 0, 0 },
	{ "example.org", NULL, 0, 0 },
	{ "[0000:0000:0000:0000:0000:0000:0000:0000:0000]:53", NULL, 0, 0 },
};

static void
test_resolver(void)
{
	struct resolver_addr ra;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(rcases) / sizeof(rcases[0]); i++) {
		rc = config_parse_resolver(rcases[i].in, &ra);
		if (rcases[i].text == NULL) {
			if (rc != 1)
				fprintf(stderr, "resolver case %zu\n", i);
			CHECK(rc == 1);
			CHECK(ra.sslen == 0);
			continue;
		}
		CHECK(rc == 0);
		CHECK_STR(ra.text, rcases[i].text);
		CHECK(ra.ss.ss_family == rcases[i].family);
		CHECK(ra.loopback == (rcases[i].loopback != 0));
		CHECK(ra.sslen == (rcases[i].family == AF_INET ?
		    sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)));
	}
	CHECK(config_parse_resolver("10.1.2.3:5300", &ra) == 0);
	CHECK(ntohs(((struct sockaddr_in *)&ra.ss)->sin_port) == 5300);
}

static char tmpdir[] = "/tmp/test_config.XXXXXX";

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		CHECK(0);
		return;
	}
	fputs(text, f);
	fclose(f);
}

static void
test_resolv_conf(void)
{
	struct config c;
	char path[512];

	snprintf(path, sizeof(path), "%s/resolv.conf", tmpdir);
	write_file(path, "# generated\n; other comment\nsearch example.org\n"
	    "nameserver 127.0.0.53\noptions edns0 trust-ad\n"
	    "nameserver fe80::1%eth0\nnameserver\nnameserver ::1  \n"
	    "nameserver bogus\n nameserver\t192.0.2.1\r\n");
	config_defaults(&c);
	CHECK(config_resolv_conf(&c, path) == 0);
	CHECK(c.resolvers_from_resolv_conf);
	CHECK(c.nresolvers == 3);
	CHECK_STR(c.resolvers[0].text, "127.0.0.53:53");
	CHECK(c.resolvers[0].loopback);
	CHECK_STR(c.resolvers[1].text, "[::1]:53");
	CHECK_STR(c.resolvers[2].text, "192.0.2.1:53");

	write_file(path, "search example.org\n");
	config_defaults(&c);
	CHECK(config_resolv_conf(&c, path) == 1);
	CHECK(!c.resolvers_from_resolv_conf);
	CHECK(config_resolv_conf(&c, "/nonexistent/resolv.conf") == 1);
	CHECK(config_resolv_conf(&c, tmpdir) == 1);	/* a directory */

	/* Full: at most DS_MAX_RESOLVERS in total. */
	write_file(path, "nameserver 10.0.0.1\nnameserver 10.0.0.2\n"
	    "nameserver 10.0.0.3\nnameserver 10.0.0.4\nnameserver 10.0.0.5\n"
	    "nameserver 10.0.0.6\nnameserver 10.0.0.7\nnameserver 10.0.0.8\n"
	    "nameserver 10.0.0.9\n");
	config_defaults(&c);
	CHECK(config_resolv_conf(&c, path) == 0);
	CHECK(c.nresolvers == DS_MAX_RESOLVERS);
}

static void
test_load(void)
{
	struct config c;
	char err[2048], path[512], dir[512], big[DS_MAX_CONFIG_BYTES + 10];
	bool etc = access("/etc/dane-smime/dane-smime.conf", F_OK) == 0;

	unsetenv("DANE_SMIME_CONFIG");

	/* Explicit path: missing is an error. */
	snprintf(path, sizeof(path), "%s/none.conf", tmpdir);
	err[0] = '\0';
	CHECK(config_load(&c, path, err, sizeof(err)) == 1);
	CHECK(strstr(err, "none.conf: No such file or directory") != NULL);
	CHECK(c.timeout_ms == DS_DEFAULT_TIMEOUT_MS);

	/* Explicit path, loaded. */
	snprintf(path, sizeof(path), "%s/a.conf", tmpdir);
	write_file(path, "attempts = 4\n");
	CHECK(config_load(&c, path, err, sizeof(err)) == 0);
	CHECK(c.attempts == 4);
	CHECK_STR(c.path, path);

	/* Explicit path with an error: FILE:LINE, and defaults back. */
	write_file(path, "attempts = 4\n\nattempts = 5\n");
	CHECK(config_load(&c, path, err, sizeof(err)) == 1);
	{
		char want[600];

		snprintf(want, sizeof(want), "%s:3: attempts set twice", path);
		CHECK_STR(err, want);
		/* Kept with the defaults, so that nothing uses them as if
		 * they were what the file asked for (native fails closed). */
		CHECK_STR(c.error, want);
	}
	CHECK(c.attempts == DS_DEFAULT_ATTEMPTS);
	CHECK_STR(c.path, "");
	/* A file that loads leaves no error behind. */
	write_file(path, "attempts = 4\n");
	CHECK(config_load(&c, path, err, sizeof(err)) == 0);
	CHECK_STR(c.error, "");

	/* A directory is not a config file. */
	CHECK(config_load(&c, tmpdir, err, sizeof(err)) == 1);
	CHECK(strstr(err, "not a regular file") != NULL);

	/* Too big, read with a bound. */
	memset(big, '#', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	write_file(path, big);
	CHECK(config_load(&c, path, err, sizeof(err)) == 1);
	CHECK(strstr(err, "a.conf: file too big (at most 65536 bytes)") != NULL);
	/* Exactly the limit is fine (comment lines of 1024). */
	{
		size_t i;

		for (i = 0; i < DS_MAX_CONFIG_BYTES; i++)
			big[i] = i % 1024 == 1023 ? '\n' : '#';
		big[DS_MAX_CONFIG_BYTES] = '\0';
		write_file(path, big);
		CHECK(config_load(&c, path, err, sizeof(err)) == 0);
	}

	/* $DANE_SMIME_CONFIG: missing is an error too. */
	snprintf(path, sizeof(path), "%s/env.conf", tmpdir);
	setenv("DANE_SMIME_CONFIG", path, 1);
	CHECK(config_load(&c, NULL, err, sizeof(err)) == 1);
	write_file(path, "trust_ad = no\n");
	CHECK(config_load(&c, NULL, err, sizeof(err)) == 0);
	CHECK(c.trust_ad == TRUST_NO);
	CHECK_STR(c.path, path);
	unsetenv("DANE_SMIME_CONFIG");

	/* XDG_CONFIG_HOME, then HOME/.config; a missing user file is fine. */
	snprintf(dir, sizeof(dir), "%s/xdg", tmpdir);
	setenv("XDG_CONFIG_HOME", dir, 1);
	if (!etc) {
		CHECK(config_load(&c, NULL, err, sizeof(err)) == 0);
		CHECK_STR(c.path, "");
	}
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/xdg/dane-smime", tmpdir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/xdg/dane-smime/dane-smime.conf", tmpdir);
	write_file(path, "timeout_ms = 1234\n");
	CHECK(config_load(&c, NULL, err, sizeof(err)) == 0);
	CHECK(c.timeout_ms == 1234);
	CHECK_STR(c.path, path);
	write_file(path, "timeout_ms = 1234\nx\n");
	CHECK(config_load(&c, NULL, err, sizeof(err)) == 1);
	CHECK(strstr(err, "dane-smime.conf:2: expected key = value") != NULL);

	/* A relative XDG_CONFIG_HOME is ignored: HOME is used. */
	setenv("XDG_CONFIG_HOME", "relative", 1);
	setenv("HOME", tmpdir, 1);
	snprintf(path, sizeof(path), "%s/.config", tmpdir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/.config/dane-smime", tmpdir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/.config/dane-smime/dane-smime.conf",
	    tmpdir);
	write_file(path, "probe_name = home.example\n");
	CHECK(config_load(&c, NULL, err, sizeof(err)) == 0);
	CHECK_STR(c.probe_name, "home.example");
	CHECK_STR(c.path, path);
	unlink(path);
	if (!etc) {
		CHECK(config_load(&c, NULL, err, sizeof(err)) == 0);
		CHECK_STR(c.path, "");
		CHECK_STR(c.probe_name, ".");
	}
}

int
main(void)
{
	char cmd[256];

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_table();
	test_values();
	test_resolver();
	test_resolv_conf();
	test_load();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
	return t_done("test_config");
}
