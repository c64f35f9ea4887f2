/* nreader.c - the native column's reader: spawn the host, send one
 * request, drain its replies, note when the done reply arrived.
 *
 * bench.py used to do this in Python (a writer thread and a select loop).
 * On two cores shared by the host and the validator, a third runnable
 * process that wakes for every pipe-full decided the figure: at N = 1,000
 * the host's wall time went from 14 ms to 20 ms in about half the runs
 * with its CPU unchanged (tests/bench/README.md, issue 15 fourth pass).
 * Thunderbird reads the pipe in its own process; this reader does what
 * it does and nothing more: it writes the request, reads whatever arrives
 * into a buffer and looks only at the new bytes for the done reply's
 * "type":"done" (bare quotes can only be JSON structure, never inside an
 * escaped string). Frames are split and checked by bench.py afterwards.
 *
 * usage: nreader USAGEFILE REQFILE OUTFILE COMMAND [ARG...]
 * USAGEFILE gets, as measure.c writes it: "user_s sys_s maxrss_kb
 * done_s exit_status", where done_s is CLOCK_MONOTONIC (Python's
 * time.perf_counter) when the done reply was seen, 0 if never.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char done_key[] = "\"type\":\"done\"";

static double
mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) ==
	    NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		exit(66);
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* One read(2) from fd onto *buf (grown when full): >0 bytes read, 0 end
 * of file, -1 error. */
static ssize_t
read_more(int fd, char **buf, size_t *have, size_t *cap)
{
	ssize_t n;

	if (*have == *cap) {
		char *nb = realloc(*buf, *cap * 2);

		if (nb == NULL)
			return -1;
		*buf = nb;
		*cap *= 2;
	}
	if ((n = read(fd, *buf + *have, *cap - *have)) > 0)
		*have += (size_t)n;
	return n;
}

int
main(int argc, char **argv)
{
	size_t reqlen, sent = 0, have = 0, cap = 1 << 22, from;
	char *req, *buf;
	int in[2], out[2], status;
	double done = 0;
	struct rusage ru;
	pid_t pid;
	FILE *f;

	if (argc < 5) {
		fprintf(stderr, "usage: nreader USAGEFILE REQFILE OUTFILE "
		    "COMMAND [ARG...]\n");
		return 64;
	}
	signal(SIGPIPE, SIG_IGN);
	req = slurp(argv[2], &reqlen);
	if ((buf = malloc(cap)) == NULL || pipe(in) != 0 || pipe(out) != 0) {
		perror("nreader");
		return 71;
	}
	if ((pid = fork()) == -1) {
		perror("fork");
		return 71;
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execvp(argv[4], argv + 4);
		perror(argv[4]);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	/* Until the done reply: write what is left of the request, read
	 * what arrives. A host that stops answering for 60 s ends the run
	 * (its lookups then count as lost). */
	while (done == 0) {
		struct pollfd p[2] = {
			{ .fd = out[0], .events = POLLIN },
			{ .fd = in[1], .events = POLLOUT },
		};
		int np = sent < reqlen ? 2 : 1;
		ssize_t n;

		if (poll(p, (nfds_t)np, 60000) <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		if (np == 2 && (p[1].revents & (POLLOUT | POLLERR))) {
			n = write(in[1], req + sent, reqlen - sent);
			if (n > 0)
				sent += (size_t)n;
			else
				sent = reqlen;	/* the host is gone */
		}
		if (!(p[0].revents & (POLLIN | POLLHUP)))
			continue;
		/* Only the new bytes (and the key's length before them). */
		from = have > sizeof(done_key) ? have - sizeof(done_key) : 0;
		if (read_more(out[0], &buf, &have, &cap) <= 0)
			break;
		if (memmem(buf + from, have - from, done_key,
		    sizeof(done_key) - 1) != NULL)
			done = mono();
	}
	/* End of input ends the session; the rest of the done frame. */
	close(in[1]);
	while (read_more(out[0], &buf, &have, &cap) > 0)
		continue;
	if (wait4(pid, &status, 0, &ru) == -1) {
		perror("wait4");
		return 71;
	}
	if ((f = fopen(argv[3], "wb")) == NULL ||
	    fwrite(buf, 1, have, f) != have || fclose(f) != 0) {
		perror(argv[3]);
		return 73;
	}
	if ((f = fopen(argv[1], "w")) == NULL) {
		perror(argv[1]);
		return 73;
	}
	fprintf(f, "%ld.%06ld %ld.%06ld %ld %.6f %d\n",
	    (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec,
	    (long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec,
	    ru.ru_maxrss, done,
	    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	fclose(f);
	free(buf);
	free(req);
	return 0;
}
