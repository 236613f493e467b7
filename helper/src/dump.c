/*
 * `--netns NAME dump links|addrs`: the namespace's link or address table as
 * `ip -j` prints it, for a caller who may not enter the namespace (entering
 * needs CAP_SYS_ADMIN, even to read). The helper enters it, gives up every
 * capability, then runs iproute2 with a fixed argument list and a fixed
 * environment. It stays uid 0 (without capabilities): run as the caller, ip
 * would be a process inside the namespace that the caller may ptrace, and so
 * a way to run anything there.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "helper.h"

static const char *const IP_PATHS[] = { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip" };

int cmd_dump(const char *what)
{
	static char *const links[] = { "ip", "-d", "-j", "link", "show", NULL };
	static char *const addrs[] = { "ip", "-j", "addr", "show", NULL };
	static char *const env[] = { "LC_ALL=C", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	char *const *argv;
	int e = ENOENT;

	if (strcmp(what, "links") == 0)
		argv = links;
	else if (strcmp(what, "addrs") == 0)
		argv = addrs;
	else {
		fprintf(stderr, "tunform-helper: invalid dump '%.32s': expected links or addrs\n", what);
		return EXIT_USAGE;
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "tunform-helper: failed to flush 'stdout': %s\n", strerror(errno));
		return EXIT_OP_FAILED;
	}
	for (size_t i = 0; i < sizeof IP_PATHS / sizeof IP_PATHS[0]; i++) {
		execve(IP_PATHS[i], argv, env);
		if (errno != ENOENT)
			e = errno;
	}
	fprintf(stderr, "tunform-helper: failed to run 'ip': %s\n", strerror(e));
	return EXIT_OP_FAILED;
}
