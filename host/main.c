/* main.c - dane-smime: SMIMEA (RFC 8162) certificate discovery.
 *
 * Started by Thunderbird (argv[1] = manifest path, argv[2] = extension
 * id) or as "dane-smime native", it speaks native messaging; otherwise
 * it is a CLI with the same verbs. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "crypto.h"
#include "log.h"
#include "native.h"
#include "version.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: dane-smime [options] lookup [--json] ADDRESS...\n"
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
"      --no-color          plain text even on a terminal\n"
"\n"
"exit status: 0 all found, 2 absent, 3 unusable, 4 insecure, 5 bogus,\n"
"6 lookup error (the worst address decides), 64 usage, 70 internal,\n"
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
	bool no_color = false;
	char err[1200];
	int ch, ret = EXIT_USAGE;

	log_init("dane-smime");
	config_defaults(&cfg);

	if (started_by_client(argc, argv)) {
		if (config_load(&cfg, NULL, err, sizeof(err)) != 0)
			log_error("%s (continuing with defaults)", err),
			config_defaults(&cfg);
		if (cfg.nresolvers == 0)
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

	if (strcmp(verb, "lookup") == 0) {
		if (optind >= argc) {
			log_error("lookup: give at least one address");
			goto out;
		}
		ret = cli_lookup(&cfg, argv + optind, (size_t)(argc - optind),
		    &o);
	} else if (strcmp(verb, "doctor") == 0) {
		ret = cli_doctor(&cfg, &o);
	} else if (strcmp(verb, "native") == 0) {
		ret = native_run(&cfg, STDIN_FILENO, STDOUT_FILENO);
	} else {
		log_error("unknown command \"%s\"", verb);
		usage(stderr);
	}
out:
	crypto_shutdown();
	return ret;
}
