/* isotime.h - validation times as people and the protocol write them. */
#ifndef DS_ISOTIME_H
#define DS_ISOTIME_H

#include <stddef.h>
#include <stdint.h>

/* Parses "YYYY-MM-DDTHH:MM:SSZ" (RFC 3339, UTC only), "YYYY-MM-DD"
 * (midnight UTC) or "@SECONDS" (since the epoch) into *out. Returns 0,
 * or 1 if s is none of these or out of the years 1950-9999. */
int isotime_parse(const char *s, int64_t *out);

#endif
