/* fail.h - the one way a module says why it refused something.
 *
 * Two shapes, both used by the parsers of untrusted input and by setup
 * code: a fixed sentence handed back through `const char **why` together
 * with the module's status (address.c, certs.c, certstore.c, record.c),
 * and a formatted sentence written into a caller's buffer (config.c,
 * pkix.c). Both accept a NULL destination, so callers that only want the
 * status need not pass one.
 */
#ifndef DS_FAIL_H
#define DS_FAIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Sets *why to msg (a string with static storage) and returns status. */
static inline int
fail(const char **why, const char *msg, int status)
{
	if (why != NULL)
		*why = msg;
	return status;
}

/* Formats into err[errlen] (truncating, always NUL-terminated). */
static inline void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

#endif
