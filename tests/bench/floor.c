/* floor.c - the validator alone: the benchmark's lower bound.
 *
 * Sends one SMIMEA (TYPE53) query per name of a file to a resolver over
 * UDP, the same query dane-smime sends (RD, AD, EDNS0 1232 with DO; RFC
 * 6840 5.7 / RFC 3225), keeping WINDOW queries in flight, and records
 * per name rcode, AD and TC of the answer.  No JSON, no certificates: the
 * time is what the validator needs to answer.  Built by bench.py with
 * `cc -O2`; not part of the product.
 *
 * usage: floor IP PORT NAMEFILE WINDOW TIMEOUT_MS > results
 * results: one line per name, in file order: "rcode ad tc tries".
 * stderr: "sent N answered N retries N lost N".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct q {
	unsigned char	 wire[300];
	size_t		 len;
	double		 sent;
	int		 tries;
	int		 state;		/* 0 queued, 1 in flight, 2 answered */
	int		 rcode, ad, tc;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
build(struct q *q, const char *name, unsigned id)
{
	unsigned char *p = q->wire;
	const char *s = name;

	memset(p, 0, 12);
	p[0] = id >> 8;
	p[1] = id & 0xff;
	p[2] = 0x01;		/* RD */
	p[3] = 0x20;		/* AD: tell us whether it validated */
	p[5] = 1;		/* QDCOUNT */
	p[11] = 1;		/* ARCOUNT: OPT */
	p += 12;
	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);

		if (l == 0 || l > 63 || (size_t)(p - q->wire) + l + 20 >
		    sizeof(q->wire))
			return -1;
		*p++ = l;
		memcpy(p, s, l);
		p += l;
		s += l;
		if (*s == '.')
			s++;
	}
	*p++ = 0;
	*p++ = 0; *p++ = 53;	/* TYPE53 SMIMEA */
	*p++ = 0; *p++ = 1;	/* IN */
	*p++ = 0;		/* OPT: root */
	*p++ = 0; *p++ = 41;
	*p++ = 1232 >> 8; *p++ = 1232 & 0xff;
	*p++ = 0; *p++ = 0; *p++ = 0x80; *p++ = 0;	/* DO */
	*p++ = 0; *p++ = 0;
	q->len = p - q->wire;
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa;
	struct q *qs = NULL;
	size_t n = 0, cap = 0, next = 0, answered = 0, inflight = 0;
	size_t retries = 0, lost = 0, i, first = 0;
	char line[512];
	unsigned char buf[65536];
	int fd, window, timeout_ms, maxtries = 4;
	FILE *f;

	if (argc != 6) {
		fprintf(stderr, "usage: floor IP PORT FILE WINDOW TIMEOUT_MS\n");
		return 64;
	}
	window = atoi(argv[4]);
	timeout_ms = atoi(argv[5]);
	if ((f = fopen(argv[3], "r")) == NULL) {
		perror(argv[3]);
		return 66;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!*line)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			if ((qs = realloc(qs, cap * sizeof(*qs))) == NULL)
				return 70;
		}
		memset(&qs[n], 0, sizeof(qs[n]));
		if (n > 65535 || build(&qs[n], line, n) == -1) {
			fprintf(stderr, "bad name or too many: %s\n", line);
			return 65;
		}
		n++;
	}
	fclose(f);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(atoi(argv[2]));
	inet_pton(AF_INET, argv[1], &sa.sin_addr);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		perror("socket");
		return 71;
	}
	while (answered + lost < n) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		double t;

		while (inflight < (size_t)window && next < n) {
			qs[next].sent = now();
			qs[next].tries = 1;
			qs[next].state = 1;
			if (send(fd, qs[next].wire, qs[next].len, 0) == -1)
				perror("send");
			inflight++;
			next++;
		}
		if (poll(&pfd, 1, 20) == -1 && errno != EINTR)
			return 71;
		for (;;) {
			ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			unsigned id;

			if (r < 12)
				break;
			id = buf[0] << 8 | buf[1];
			if (id >= n || qs[id].state != 1 || !(buf[2] & 0x80) ||
			    (size_t)r < qs[id].len - 11 ||
			    memcmp(buf + 12, qs[id].wire + 12,
			    qs[id].len - 12 - 11) != 0)
				continue;	/* stray or duplicate */
			qs[id].state = 2;
			qs[id].rcode = buf[3] & 0x0f;
			qs[id].ad = (buf[3] & 0x20) != 0;
			qs[id].tc = (buf[2] & 0x02) != 0;
			inflight--;
			answered++;
		}
		/* Retransmit what timed out (rarely: loopback). */
		t = now();
		while (first < next && qs[first].state != 1)
			first++;
		for (i = first; i < next && inflight > 0; i++) {
			if (qs[i].state != 1 ||
			    t - qs[i].sent < timeout_ms / 1000.0)
				continue;
			if (qs[i].tries >= maxtries) {
				qs[i].state = 3;
				inflight--;
				lost++;
				continue;
			}
			qs[i].tries++;
			qs[i].sent = t;
			retries++;
			send(fd, qs[i].wire, qs[i].len, 0);
		}
	}
	for (i = 0; i < n; i++)
		printf("%d %d %d %d\n", qs[i].state == 2 ? qs[i].rcode : -1,
		    qs[i].ad, qs[i].tc, qs[i].tries);
	fprintf(stderr, "sent %zu answered %zu retries %zu lost %zu\n", n,
	    answered, retries, lost);
	free(qs);
	close(fd);
	return lost ? 1 : 0;
}
