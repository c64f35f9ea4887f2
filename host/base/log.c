/* log.c - stderr diagnostics; see log.h. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

static const char *prog = "dane-smime";
static bool debug;

void
log_init(const char *progname)
{
	if (progname != NULL)
		prog = progname;
	debug = getenv("DANE_SMIME_DEBUG") != NULL;
}

static void vlog(const char *, va_list) __attribute__((format(printf, 1, 0)));

static void
vlog(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!debug)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}
