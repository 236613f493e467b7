/*
 * rusage: runs a command and reports its peak resident set size.
 *
 *   rusage OUTFILE CMD [ARGS...]
 *
 * Forks, execs CMD, waits with wait4 and writes "maxrss_kb N" and
 * "status S" to OUTFILE. Exits with the command's exit status.
 * Used by the benchmarks when /usr/bin/time is missing, and always for
 * peak RSS so the figure does not depend on GNU time's format.
 *
 * Build: gcc -O2 -Wall -o rusage rusage.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: rusage OUTFILE CMD [ARGS...]\n");
		return 2;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror("exec");
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) < 0) {
		perror("wait4");
		return 1;
	}
	FILE *f = fopen(argv[1], "w");
	if (!f) {
		perror("fopen");
		return 1;
	}
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	fprintf(f, "maxrss_kb %ld\nstatus %d\n", ru.ru_maxrss, code);
	fclose(f);
	return code;
}
