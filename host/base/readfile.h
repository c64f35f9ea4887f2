/* readfile.h - the one way the host reads a small file or stream it did
 * not write (config, resolv.conf, native-messaging manifests, the CLI's
 * certificate file or standard input).
 */
#ifndef DS_READFILE_H
#define DS_READFILE_H

#include <stddef.h>

/* Reads at most max bytes of the regular file path into a malloc'ed,
 * NUL-terminated buffer (*out, the caller frees; *outlen bytes without
 * the NUL). Returns 0; the errno (ENOENT, EACCES...) if it cannot be
 * opened or read; EFBIG if it holds more than max bytes; ENODEV if it is
 * not a regular file; -1 on OOM. *out is NULL unless 0 is returned. */
int read_file_bounded(const char *path, size_t max, char **out,
    size_t *outlen);

/* The same for an open descriptor (a pipe, a terminal, standard input),
 * read until end of file: 0, the errno of a failed read, EFBIG past max
 * bytes, -1 on OOM. The buffer grows with the bytes that arrive. The
 * caller keeps fd. */
int read_fd_bounded(int fd, size_t max, char **out, size_t *outlen);

#endif
