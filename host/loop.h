/* loop.h - one poll(2) over the front end's descriptors and the
 * resolver's sockets and timers. */
#ifndef DS_LOOP_H
#define DS_LOOP_H

#include <poll.h>
#include <stddef.h>

#include "resolver.h"

/* Waits once for any of extra[0..nextra) (revents filled in) or resolver
 * activity, at most timeout_ms (-1: no bound besides the resolver's),
 * then lets the resolver (may be NULL) process what happened. Returns 0, or -1 if
 * poll failed for another reason than a signal. */
int loop_once(struct resolver *r, struct pollfd *extra, size_t nextra,
    int timeout_ms);

#endif
