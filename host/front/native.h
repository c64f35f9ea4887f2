/* native.h - the native-messaging front end (host/PROTOCOL.md): frames
 * on stdin, frames on stdout, nothing else on stdout. */
#ifndef DS_NATIVE_H
#define DS_NATIVE_H

#include "config.h"

/* Serves requests from in_fd until EOF, then finishes the requests
 * already received and exits. Returns a process exit code. */
int native_run(const struct config *cfg, int in_fd, int out_fd);

#endif
