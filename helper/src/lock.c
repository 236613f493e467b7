/*
 * `lock PATH` (or `[--netns NAME] lock`: the namespace's apply.lock under
 * /run/tunform): flock(LOCK_EX) on PATH (created 0600, parents 0700), print
 * `locked`, hold it until EOF on stdin. The kernel drops the lock when the
 * process dies, so a SIGKILLed apply never leaves a stale lock, and the
 * caller dying closes our stdin.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "helper.h"

int cmd_lock(const char *path, const struct peer *drop_to)
{
	char dir[512];
	char buf[256];
	errbuf_t err;
	int fd = -1, status = EXIT_OP_FAILED;
	ssize_t n;

	if (path[0] != '/' || strlen(path) >= sizeof dir) {
		fprintf(stderr, "tunform-helper: invalid lock path '%s': must be absolute and shorter than %zu bytes\n",
			path, sizeof dir);
		return EXIT_USAGE;
	}
	memcpy(dir, path, strlen(path) + 1);
	if (mkdir_p(dirname(dir), 0700, err) < 0) {
		fprintf(stderr, "tunform-helper: %s\n", err);
		goto out;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		fprintf(stderr, "tunform-helper: failed to open '%s': %s\n", path, strerror(errno));
		goto out;
	}
	/* A setuid run creates it with the caller's group: make it root's like its directory. */
	if (geteuid() == 0 && fchown(fd, 0, 0) < 0) {
		fprintf(stderr, "tunform-helper: failed to change owner of '%s': %s\n", path, strerror(errno));
		goto out;
	}
	/* Open as root; wait as nobody special: the caller (setuid mode) or root without capabilities. */
	if ((drop_to ? drop_to_caller(drop_to, 0, err) : caps_drop_all(err)) < 0) {
		fprintf(stderr, "tunform-helper: %s\n", err);
		goto out;
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "tunform-helper: failed to lock '%s': %s\n", path, strerror(errno));
			goto out;
		}
	}
	if (printf("locked\n") < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "tunform-helper: failed to write to stdout: %s\n", strerror(errno));
		goto out;
	}
	for (;;) {
		n = read(STDIN_FILENO, buf, sizeof buf);
		if (n == 0)
			break;
		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "tunform-helper: failed to read stdin: %s\n", strerror(errno));
			goto out;
		}
	}
	status = EXIT_OPS_OK;
out:
	if (fd >= 0)
		close(fd); /* releases the lock */
	return status;
}
