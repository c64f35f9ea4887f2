/* loop.h - one poll(2) over the front end's descriptors and the
 * resolver's sockets and timers. */
#ifndef DS_LOOP_H
#define DS_LOOP_H

#include <poll.h>
#include <stddef.h>

#include "https.h"
#include "resolver.h"

/* Waits once for any of extra[0..nextra) (revents filled in), resolver
 * or HTTPS activity, at most timeout_ms (-1: no bound besides theirs),
 * then lets the resolver and the HTTPS fetcher (either may be NULL)
 * process what happened. Returns 0, or -1 if poll failed for another
 * reason than a signal. */
int loop_once(struct resolver *r, struct https *h, struct pollfd *extra,
    size_t nextra, int timeout_ms);

#endif
