/* log.h - diagnostics go to stderr, never stdout (stdout carries the
 * protocol). In native mode Thunderbird shows stderr in its console. */
#ifndef DS_LOG_H
#define DS_LOG_H

void log_init(const char *progname);
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Printed only when DANE_SMIME_DEBUG is set in the environment. */
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
