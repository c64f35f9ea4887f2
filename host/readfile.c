/* readfile.c - see readfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readfile.h"

/* O_NONBLOCK keeps a FIFO from hanging open(2). */
int
read_file_bounded(const char *path, size_t max, char **out, size_t *outlen)
{
	struct stat st;
	char *buf = NULL;
	size_t have = 0;
	ssize_t r;
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
	if ((buf = malloc(max + 2)) == NULL) {
		rc = -1;
		goto out;
	}
	/* One byte more than allowed tells whether there is more; the
	 * size is checked by reading, not by trusting st_size. */
	while (have < max + 1) {
		r = read(fd, buf + have, max + 1 - have);
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
	buf[have] = '\0';
	*out = buf;
	buf = NULL;
	*outlen = have;
	rc = 0;
out:
	free(buf);
	if (fd != -1)
		close(fd);
	return rc;
}
