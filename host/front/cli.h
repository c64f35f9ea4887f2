/* cli.h - the command-line front end: the same engine as native mode,
 * with results printed for people (or as JSON lines with --json). */
#ifndef DS_CLI_H
#define DS_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include <stdint.h>

#include "config.h"
#include "request.h"

/* Exit codes (documented in dane-smime(1) and README). */
enum cli_exit {
	EXIT_FOUND = 0,
	EXIT_ABSENT = 2,
	EXIT_UNUSABLE = 3,
	EXIT_INSECURE = 4,
	EXIT_BOGUS = 5,
	EXIT_LOOKUP_ERROR = 6,
	EXIT_USAGE = 64,
	EXIT_DATAERR = 65,	/* the certificate file holds no certificate */
	EXIT_NOINPUT = 66,	/* the certificate file cannot be read */
	EXIT_INTERNAL = 70,
	EXIT_CONFIG = 78,
};

struct cli_opts {
	bool json;
	bool color;
	bool has_at;		/* --at */
	int64_t at;
};

/* dane-smime lookup ADDRESS... */
int cli_lookup(const struct config *cfg, char **addresses, size_t n,
    const struct cli_opts *o);
/* Serves one request built by main (verify, record, check, import);
 * takes its contents. Returns the exit code. */
int cli_run(const struct config *cfg, struct request *req,
    const struct cli_opts *o);
/* Reads a certificate file: PEM (first block the end entity, the rest
 * its chain) or DER. 0 ok (ders, lens and n malloc'ed), 1 unreadable,
 * 2 no certificate in it, -1 OOM. */
int cli_read_certs(const char *path, uint8_t ***ders, size_t **lens,
    size_t *n);
/* dane-smime doctor */
int cli_doctor(const struct config *cfg, const struct cli_opts *o);

#endif
