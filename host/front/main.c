/* main.c - dane-smime: SMIMEA (RFC 8162) certificate discovery.
 *
 * Started by Thunderbird (argv[1] = manifest path, argv[2] = extension
 * id) or as "dane-smime native", it speaks native messaging; otherwise
 * it is a CLI with the same verbs. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "certstore.h"
#include "config.h"
#include "pkix.h"
#include "crypto.h"
#include "dslimits.h"
#include "isotime.h"
#include "request.h"
#include "log.h"
#include "native.h"
#include "readfile.h"
#include "version.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: dane-smime [options] lookup [--json] [--at TIME] ADDRESS...\n"
"       dane-smime [options] verify [--json] [--at TIME] ADDRESS CERTFILE\n"
"       dane-smime [options] check [--json] ADDRESS [CERTFILE]\n"
"       dane-smime [options] import --db sql:DIR [--dry-run] ADDRESS...\n"
"       dane-smime [options] import --db sql:DIR [--dry-run] --cert CERTFILE\n"
"                          ADDRESS\n"
"       dane-smime record [--json] CERTFILE [--address A] [--usage N]\n"
"                         [--selector N] [--matching N] [--ttl N]\n"
"                         [--url HTTPS-URL]\n"
"       dane-smime [options] verify-message [--json] FILE.eml|-\n"
"       dane-smime [options] doctor [--json]\n"
"       dane-smime [options] native\n"
"       dane-smime --help | --version\n"
"\n"
"Finds the S/MIME certificates that domains publish as DNSSEC-signed\n"
"SMIMEA records (RFC 8162), through a trusted local validating resolver.\n"
"\n"
"options:\n"
"  -c, --config FILE       configuration file (default: $DANE_SMIME_CONFIG,\n"
"                          ~/.config/dane-smime/dane-smime.conf,\n"
"                          /etc/dane-smime/dane-smime.conf)\n"
"  -r, --resolver IP[:PORT] resolver to ask (repeatable; replaces the\n"
"                          configured ones; IPv6 as [::1]:53)\n"
"  -t, --timeout MS        per-attempt timeout in milliseconds\n"
"  -a, --attempts N        attempts per query\n"
"  -j, --json              print protocol JSON messages, one per line\n"
"      --at TIME           validate certificates at TIME (2030-01-01T00:00:00Z\n"
"                          or @SECONDS) instead of now\n"
"      --no-color          plain text even on a terminal\n"
"\n"
"exit status: 0 all found, 2 absent, 3 unusable (check: problems found),\n"
"4 insecure, 5 bogus, 6 lookup error (the worst address decides),\n"
"64 usage, 65 not a certificate, 66 cannot read file, 70 internal,\n"
"78 configuration. See dane-smime(1).\n");
}

static int
set_number(const char *opt, const char *s, unsigned lo, unsigned hi,
    unsigned *out)
{
	char *end;
	unsigned long v;

	if (s[0] < '0' || s[0] > '9')
		goto bad;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v < lo || v > hi)
		goto bad;
	*out = (unsigned)v;
	return 0;
bad:
	log_error("%s: expected a number from %u to %u, got \"%s\"", opt, lo,
	    hi, s);
	return -1;
}

struct tool {
	const char *verb;
	char **args;
	size_t nargs;
	const char *db;
	bool dry_run;
	const char *address;
	int usage, selector, matching;
	long ttl;
	const char *certfile;	/* import --cert */
	const char *url;	/* record --url */
};

/* The request of one command from its arguments: 0, or the exit status
 * (a usage error said on stderr, or EXIT_INTERNAL on OOM). *certfile is
 * the certificate file to read into it (NULL: none). */
typedef int (*tool_fn)(const struct tool *, struct request *,
    const char **certfile);

static int
tool_verify(const struct tool *t, struct request *req, const char **certfile)
{
	if (t->nargs != 2) {
		log_error("verify: give ADDRESS and CERTFILE");
		return EXIT_USAGE;
	}
	req->type = REQ_VERIFY;
	*certfile = t->args[1];
	return (req->address = strdup(t->args[0])) == NULL ? EXIT_INTERNAL : 0;
}

static int
tool_check(const struct tool *t, struct request *req, const char **certfile)
{
	if (t->nargs < 1 || t->nargs > 2) {
		log_error("check: give ADDRESS and optionally CERTFILE");
		return EXIT_USAGE;
	}
	req->type = REQ_CHECK;
	*certfile = t->nargs == 2 ? t->args[1] : NULL;
	return (req->address = strdup(t->args[0])) == NULL ? EXIT_INTERNAL : 0;
}

static int
tool_record(const struct tool *t, struct request *req, const char **certfile)
{
	if (t->nargs != 1) {
		log_error("record: give CERTFILE");
		return EXIT_USAGE;
	}
	req->type = REQ_RECORD;
	*certfile = t->args[0];
	req->usage = t->usage;
	req->selector = t->selector;
	req->matching = t->matching;
	req->ttl = t->ttl;
	if ((t->url != NULL && (req->url = strdup(t->url)) == NULL) ||
	    (t->address != NULL && (req->address = strdup(t->address)) ==
	    NULL))
		return EXIT_INTERNAL;
	return 0;
}

static int
tool_import(const struct tool *t, struct request *req, const char **certfile)
{
	size_t i;

	if (t->nargs < 1 || t->db == NULL) {
		log_error("import: give --db sql:DIR and ADDRESS...");
		return EXIT_USAGE;
	}
	req->type = REQ_IMPORT;
	*certfile = t->certfile;
	if (*certfile != NULL && t->nargs != 1) {
		log_error("import --cert: give exactly one ADDRESS");
		return EXIT_USAGE;
	}
	if ((req->db = strdup(t->db)) == NULL ||
	    (req->addresses = calloc(t->nargs, sizeof(char *))) == NULL)
		return EXIT_INTERNAL;
	for (i = 0; i < t->nargs; i++) {
		if ((req->addresses[i] = strdup(t->args[i])) == NULL)
			return EXIT_INTERNAL;
		req->naddresses++;
	}
	req->dry_run = t->dry_run;
	return 0;
}

/* verify, check, record, import: a request as the extension would send
 * it, served by the same engine. error_exit: the exit status when the
 * reply is an error (record: the certificate did not decode). */
static int
run_tool(const struct config *cfg, const struct tool *t,
    const struct cli_opts *o, tool_fn build, int error_exit)
{
	struct request req;
	const char *certfile = NULL;
	uint8_t **ders = NULL;
	size_t *lens = NULL, nders = 0, i;
	int ret, rc;

	memset(&req, 0, sizeof(req));
	req.usage = req.selector = req.matching = -1;
	req.ttl = -1;
	if ((ret = build(t, &req, &certfile)) != 0)
		goto out;
	if (certfile != NULL) {
		rc = cli_read_certs(certfile, &ders, &lens, &nders);
		if (rc != 0) {
			if (rc > 0)
				log_error("%s: %s", certfile, rc == 1 ?
				    "cannot read the file" :
				    "no PEM or DER certificate in it");
			ret = rc < 0 ? EXIT_INTERNAL : rc == 1 ?
			    EXIT_NOINPUT : EXIT_DATAERR;
			goto out;
		}
		req.cert = ders[0];
		req.cert_len = lens[0];
		ders[0] = NULL;
		if ((req.type == REQ_VERIFY || req.type == REQ_IMPORT) &&
		    nders > 1) {
			req.chain = ders + 1;
			req.chain_len = lens + 1;
			req.nchain = nders - 1;
		}
	}
	ret = cli_run(cfg, &req, o);
	if (ret == EXIT_LOOKUP_ERROR)
		ret = error_exit;
	req.chain = NULL;		/* owned by ders below */
	req.chain_len = NULL;
	req.nchain = 0;
out:
	for (i = 0; i < nders; i++)
		free(ders[i]);
	free(ders);
	free(lens);
	request_free(&req);
	return ret;
}

/* verify-message FILE: the raw message, as a client would send it. */
static int
run_verify_message(const struct config *cfg, const char *path,
    const struct cli_opts *o)
{
	struct request req;
	char *buf = NULL;
	size_t len = 0;
	int fd, rc, ret = EXIT_INTERNAL;

	memset(&req, 0, sizeof(req));
	req.type = REQ_VERIFY_MESSAGE;
	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		log_error("%s: cannot read the file", path);
		return EXIT_NOINPUT;
	}
	if ((rc = read_fd_bounded(fd, DS_MAX_MESSAGE_BYTES, &buf, &len)) < 0)
		goto out;
	if (rc == EFBIG) {
		log_error("%s: larger than %u bytes", path,
		    DS_MAX_MESSAGE_BYTES);
		ret = EXIT_DATAERR;
		goto out;
	}
	if (rc != 0) {
		log_error("%s: read error", path);
		ret = EXIT_NOINPUT;
		goto out;
	}
	req.message = (uint8_t *)buf;
	req.message_len = len;
	buf = NULL;
	ret = cli_run(cfg, &req, o);
out:
	if (fd != STDIN_FILENO)
		close(fd);
	free(buf);
	request_free(&req);
	return ret;
}

static int
cmd_lookup(const struct config *cfg, const struct tool *t,
    const struct cli_opts *o)
{
	if (t->nargs == 0) {
		log_error("lookup: give at least one address");
		return EXIT_USAGE;
	}
	return cli_lookup(cfg, t->args, t->nargs, o);
}

static int
cmd_doctor(const struct config *cfg, const struct tool *t,
    const struct cli_opts *o)
{
	(void)t;
	return cli_doctor(cfg, o);
}

static int
cmd_verify_message(const struct config *cfg, const struct tool *t,
    const struct cli_opts *o)
{
	if (t->nargs != 1) {
		log_error("verify-message: give FILE.eml (or - for "
		    "standard input)");
		return EXIT_USAGE;
	}
	return run_verify_message(cfg, t->args[0], o);
}

static int
cmd_verify(const struct config *cfg, const struct tool *t,
    const struct cli_opts *o)
{
	return run_tool(cfg, t, o, tool_verify, EXIT_LOOKUP_ERROR);
}

static int
cmd_check(const struct config *cfg, const struct tool *t,
    const struct cli_opts *o)
{
	return run_tool(cfg, t, o, tool_check, EXIT_LOOKUP_ERROR);
}

static int
cmd_record(const struct config *cfg, const struct tool *t,
    const struct cli_opts *o)
{
	return run_tool(cfg, t, o, tool_record, EXIT_DATAERR);
}

static int
cmd_import(const struct config *cfg, const struct tool *t,
    const struct cli_opts *o)
{
	return run_tool(cfg, t, o, tool_import, EXIT_LOOKUP_ERROR);
}

static int
cmd_native(const struct config *cfg, const struct tool *t,
    const struct cli_opts *o)
{
	(void)t;
	(void)o;
	return native_run(cfg, STDIN_FILENO, STDOUT_FILENO);
}

/* The commands: the one place main tells them apart. */
static const struct command {
	const char *name;
	int (*run)(const struct config *, const struct tool *,
	    const struct cli_opts *);
} commands[] = {
	{ "lookup", cmd_lookup },
	{ "doctor", cmd_doctor },
	{ "verify-message", cmd_verify_message },
	{ "verify", cmd_verify },
	{ "check", cmd_check },
	{ "record", cmd_record },
	{ "import", cmd_import },
	{ "native", cmd_native },
};

/* Thunderbird starts hosts as "path manifest.json extension-id". */
static int
started_by_client(int argc, char **argv)
{
	size_t len;

	if (argc != 3)
		return 0;
	len = strlen(argv[1]);
	return len > 5 && strcmp(argv[1] + len - 5, ".json") == 0 &&
	    argv[2][0] != '\0';
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "resolver", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ "attempts", required_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-color", no_argument, NULL, 'C' },
		{ "at", required_argument, NULL, 'T' },
		{ "db", required_argument, NULL, 'D' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "address", required_argument, NULL, 'A' },
		{ "cert", required_argument, NULL, 'K' },
		{ "usage", required_argument, NULL, 'U' },
		{ "selector", required_argument, NULL, 'S' },
		{ "matching", required_argument, NULL, 'M' },
		{ "ttl", required_argument, NULL, 'L' },
		{ "url", required_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct config cfg;
	struct cli_opts o = { .json = false, .color = false };
	const char *config_path = NULL, *verb;
	struct resolver_addr cli_res[DS_MAX_RESOLVERS];
	size_t ncli_res = 0;
	unsigned timeout = 0, attempts = 0;
	unsigned rusage = 3, rselector = 0, rmatching = 0, rttl = 0;
	const char *db = NULL, *raddress = NULL, *certopt = NULL, *rurl = NULL;
	bool no_color = false, dry_run = false;
	char err[1200];
	int ch, ret = EXIT_USAGE;
	size_t i;

	log_init("dane-smime");
	config_defaults(&cfg);

	if (started_by_client(argc, argv)) {
		/* A bad file is not replaced by the defaults: it may have
		 * said trust_ad = no or named the resolver. The host still
		 * speaks the protocol, so the add-on can show why, but
		 * answers every lookup with a "config" error (cfg.error). */
		switch (config_load(&cfg, NULL, err, sizeof(err))) {
		case 0:
			break;
		case 1:
			log_error("%s (nothing is looked up until it is "
			    "fixed)", err);
			break;
		default:
			ret = EXIT_INTERNAL;
			goto out;
		}
		if (cfg.nresolvers == 0 && cfg.error[0] == '\0')
			config_resolv_conf(&cfg, "/etc/resolv.conf");
		ret = native_run(&cfg, STDIN_FILENO, STDOUT_FILENO);
		goto out;
	}

	while ((ch = getopt_long(argc, argv, "c:r:t:a:jhV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'c':
			config_path = optarg;
			break;
		case 'r':
			if (ncli_res == DS_MAX_RESOLVERS) {
				log_error("at most %d resolvers",
				    DS_MAX_RESOLVERS);
				goto out;
			}
			if (config_parse_resolver(optarg,
			    &cli_res[ncli_res]) != 0) {
				log_error("--resolver: \"%s\" is not IP, "
				    "IP:PORT or [IPv6]:PORT", optarg);
				goto out;
			}
			ncli_res++;
			break;
		case 't':
			if (set_number("--timeout", optarg, 1,
			    DS_MAX_TIMEOUT_MS, &timeout) < 0)
				goto out;
			break;
		case 'a':
			if (set_number("--attempts", optarg, 1,
			    DS_MAX_ATTEMPTS, &attempts) < 0)
				goto out;
			break;
		case 'j':
			o.json = true;
			break;
		case 'C':
			no_color = true;
			break;
		case 'T':
			if (isotime_parse(optarg, &o.at) != 0) {
				log_error("--at: expected YYYY-MM-DDTHH:MM:SSZ, "
				    "YYYY-MM-DD or @SECONDS, got \"%s\"", optarg);
				goto out;
			}
			o.has_at = true;
			break;
		case 'D':
			db = optarg;
			break;
		case 'n':
			dry_run = true;
			break;
		case 'A':
			raddress = optarg;
			break;
		case 'K':
			certopt = optarg;
			break;
		case 'U':
			if (set_number("--usage", optarg, 0, 3, &rusage) < 0)
				goto out;
			break;
		case 'S':
			if (set_number("--selector", optarg, 0, 1,
			    &rselector) < 0)
				goto out;
			break;
		case 'M':
			if (set_number("--matching", optarg, 0, 2,
			    &rmatching) < 0)
				goto out;
			break;
		case 'L':
			if (set_number("--ttl", optarg, 1, DS_MAX_TTL,
			    &rttl) < 0)
				goto out;
			break;
		case 'W':
			rurl = optarg;
			break;
		case 'h':
			usage(stdout);
			ret = 0;
			goto out;
		case 'V':
			printf("dane-smime %s (protocol 1)\n",
			    DANE_SMIME_VERSION);
			ret = 0;
			goto out;
		default:
			usage(stderr);
			goto out;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		goto out;
	}
	verb = argv[optind++];

	switch (config_load(&cfg, config_path, err, sizeof(err))) {
	case 0:
		break;
	case 1:
		log_error("%s", err);
		ret = EXIT_CONFIG;
		goto out;
	default:
		ret = EXIT_INTERNAL;
		goto out;
	}
	if (ncli_res > 0) {
		memcpy(cfg.resolvers, cli_res, ncli_res * sizeof(cli_res[0]));
		cfg.nresolvers = ncli_res;
	}
	if (cfg.nresolvers == 0)
		config_resolv_conf(&cfg, "/etc/resolv.conf");
	if (timeout != 0)
		cfg.timeout_ms = timeout;
	if (attempts != 0)
		cfg.attempts = attempts;
	o.color = !no_color && !o.json && isatty(STDOUT_FILENO) &&
	    getenv("NO_COLOR") == NULL;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(verb, commands[i].name) == 0)
			break;
	if (i < sizeof(commands) / sizeof(commands[0])) {
		struct tool t = { verb, argv + optind, (size_t)(argc - optind),
		    db, dry_run, raddress, (int)rusage, (int)rselector,
		    (int)rmatching, (long)rttl, certopt, rurl };
		ret = commands[i].run(&cfg, &t, &o);
	} else {
		log_error("unknown command \"%s\"", verb);
		usage(stderr);
	}
out:
	certstore_close();
	pkix_shutdown();
	crypto_shutdown();
	return ret;
}
