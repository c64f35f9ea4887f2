/* cli.h - the command-line front end: the same engine as native mode,
 * with results printed for people (or as JSON lines with --json). */
#ifndef DS_CLI_H
#define DS_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* Exit codes (documented in dane-smime(1) and README). */
enum cli_exit {
	EXIT_FOUND = 0,
	EXIT_ABSENT = 2,
	EXIT_UNUSABLE = 3,
	EXIT_INSECURE = 4,
	EXIT_BOGUS = 5,
	EXIT_LOOKUP_ERROR = 6,
	EXIT_USAGE = 64,
	EXIT_INTERNAL = 70,
	EXIT_CONFIG = 78,
};

struct cli_opts {
	bool json;
	bool color;
};

/* dane-smime lookup ADDRESS... */
int cli_lookup(const struct config *cfg, char **addresses, size_t n,
    const struct cli_opts *o);
/* dane-smime doctor */
int cli_doctor(const struct config *cfg, const struct cli_opts *o);

#endif
