/* readfile.c - see readfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readfile.h"

/* The first buffer of read_fd_bounded; it doubles as bytes arrive, so a
 * large bound costs nothing for a small input. */
#define READ_FIRST_CHUNK	8192u

int
read_fd_bounded(int fd, size_t max, char **out, size_t *outlen)
{
	char *buf = NULL, *nb;
	size_t have = 0, cap = 0;
	ssize_t r;
	int rc;

	*out = NULL;
	*outlen = 0;
	/* One byte more than allowed tells whether there is more; the size
	 * is checked by reading, never by trusting st_size. */
	while (have < max + 1) {
		if (have == cap) {
			cap = cap == 0 ? READ_FIRST_CHUNK : cap * 2;
			if (cap > max + 1)
				cap = max + 1;
			if ((nb = realloc(buf, cap + 1)) == NULL) {
				rc = -1;
				goto out;
			}
			buf = nb;
		}
		r = read(fd, buf + have, cap - have);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			rc = errno;
			goto out;
		}
		if (r == 0)
			break;
		have += (size_t)r;
	}
	if (have > max) {
		rc = EFBIG;
		goto out;
	}
	if (buf == NULL && (buf = malloc(1)) == NULL) {
		rc = -1;
		goto out;
	}
	buf[have] = '\0';
	*out = buf;
	buf = NULL;
	*outlen = have;
	rc = 0;
out:
	free(buf);
	return rc;
}

/* O_NONBLOCK keeps a FIFO from hanging open(2). */
int
read_file_bounded(const char *path, size_t max, char **out, size_t *outlen)
{
	struct stat st;
	int fd = -1, rc;

	*out = NULL;
	*outlen = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		rc = errno;
		goto out;
	}
	if (fstat(fd, &st) == -1) {
		rc = errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = ENODEV;
		goto out;
	}
	rc = read_fd_bounded(fd, max, out, outlen);
out:
	if (fd != -1)
		close(fd);
	return rc;
}
