/* echo.c - the cold-start reference: a C program that does nothing but
 * answer one native-messaging frame (read a 4-byte length and the body,
 * write a short JSON reply framed the same way), then wait for the end
 * of input.  bench.py times it exactly as it times `dane-smime native` up
 * to its hello reply: what process creation, the dynamic loader (libc
 * only) and the pipes cost.  Built by bench.py with `cc -O2`; not part of
 * the product. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int
readn(int fd, void *buf, size_t n)
{
	char *p = buf;
	ssize_t r;

	while (n > 0) {
		if ((r = read(fd, p, n)) <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int
main(void)
{
	static const char reply[] = "{\"type\":\"hello\",\"id\":1}";
	char body[65536], frame[4 + sizeof(reply)];
	uint32_t len, rlen = sizeof(reply) - 1;

	if (readn(0, &len, 4) < 0 || len > sizeof(body) ||
	    readn(0, body, len) < 0)
		return 1;
	memcpy(frame, &rlen, 4);
	memcpy(frame + 4, reply, rlen);
	if (write(1, frame, 4 + rlen) != (ssize_t)(4 + rlen))
		return 1;
	while (read(0, body, sizeof(body)) > 0)
		;
	return 0;
}
