/*
 * tunform-helper: the only tunform code that changes tun/tap devices.
 *
 *   tunform-helper [--netns NAME] exec      ops on stdin, one result line per op
 *   tunform-helper [--netns NAME] holder    start or reuse the namespace's holder
 *   tunform-helper lock PATH                flock PATH, print `locked`, wait for EOF
 *
 * See docs/DESIGN.md, section "Helper", for the line formats.
 */
#include <stdio.h>
#include <string.h>

#include "helper.h"

static int usage(void)
{
	fputs("usage: tunform-helper [--netns NAME] exec\n"
	      "       tunform-helper [--netns NAME] holder\n"
	      "       tunform-helper lock PATH\n",
	      stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const char *netns = NULL;
	errbuf_t err;
	int i = 1;

	if (i + 1 < argc && strcmp(argv[i], "--netns") == 0) {
		netns = argv[i + 1];
		if (!valid_netns_name(netns, err)) {
			fprintf(stderr, "tunform-helper: %s\n", err);
			return EXIT_USAGE;
		}
		i += 2;
	}
	if (i >= argc)
		return usage();

	if (strcmp(argv[i], "exec") == 0 && i + 1 == argc)
		return cmd_exec(netns);
	if (strcmp(argv[i], "holder") == 0 && i + 1 == argc)
		return cmd_holder(netns);
	if (strcmp(argv[i], "lock") == 0 && i + 2 == argc && netns == NULL)
		return cmd_lock(argv[i + 1]);
	return usage();
}
