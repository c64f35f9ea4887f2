/* isotime.h - validation times as people and the protocol write them. */
#ifndef DS_ISOTIME_H
#define DS_ISOTIME_H

#include <stddef.h>
#include <stdint.h>

/* 9999-12-31T23:59:59Z: X.509 GeneralizedTime ends there (RFC 5280
 * 4.1.2.5). */
#define ISOTIME_MAX 253402300799LL

/* Parses "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339, UTC only), "YYYY-MM-DD"
 * (midnight UTC) or "@SECONDS" (since the epoch) into *out. Returns 0,
 * or 1 if s is none of these or out of the years 1950-9999. */
int isotime_parse(const char *s, int64_t *out);

#endif
