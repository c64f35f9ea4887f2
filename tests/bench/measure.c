/* measure.c - run a command and write its resource usage to a file.
 *
 * Python cannot measure ru_maxrss of its children honestly: a child
 * forked (or vforked) from a 25 MB interpreter has that interpreter's
 * high-water mark recorded at exec (Linux keeps the old mm's hiwater_rss
 * in signal->maxrss).  This launcher is small, so what it reports is the
 * command's own peak.  stdin/stdout/stderr are passed through.
 *
 * usage: measure OUTFILE COMMAND [ARG...]
 * OUTFILE gets: "user_s sys_s maxrss_kb wall_s exit_status"
 * (rusage of the command and the children it waited for, wait4(2)).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct rusage ru;
	struct timespec a, b;
	pid_t pid;
	int status;
	FILE *f;

	if (argc < 3) {
		fprintf(stderr, "usage: measure OUTFILE COMMAND [ARG...]\n");
		return 64;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	if ((pid = fork()) == -1) {
		perror("fork");
		return 71;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) == -1) {
		perror("wait4");
		return 71;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	if ((f = fopen(argv[1], "w")) == NULL) {
		perror(argv[1]);
		return 73;
	}
	fprintf(f, "%ld.%06ld %ld.%06ld %ld %.6f %d\n",
	    (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec,
	    (long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec,
	    ru.ru_maxrss, (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9,
	    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	fclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
