/*
 * `lock PATH` (or `[--netns NAME] lock`: the namespace's apply.lock under
 * /run/tunform): flock(LOCK_EX) on PATH (created 0600, parents 0700), print
 * `locked`, hold it until EOF on stdin. The kernel drops the lock when the
 * process dies, so a SIGKILLed apply never leaves a stale lock, and the
 * caller dying closes our stdin.
 *
 * While another run holds the lock it prints `waiting` before `locked`.
 *
 * A caller that takes the lock many times (the Terraform provider: one apply
 * batch after another) keeps one process and writes lines instead of paying a
 * process start per batch: `unlock` releases and answers `unlocked`, `lock`
 * waits for the lock again and answers `locked`. Any other line is an error
 * and ends the process, which releases the lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "helper.h"

/* A command line is a word; anything this long is not one of ours. */
#define LOCK_LINE_MAX 32

static int answer(const char *word);

/*
 * Says `waiting` first when another run holds the lock, so the caller can tell
 * its user so: a timer on the caller's side cannot tell a busy lock from a
 * slow process start on a loaded machine.
 */
static int take(int fd, const char *path)
{
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK && errno != EINTR) {
		fprintf(stderr, "tunform-helper: failed to lock '%s': %s\n", path, strerror(errno));
		return -1;
	}
	if (errno == EWOULDBLOCK && answer("waiting") < 0)
		return -1;
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "tunform-helper: failed to lock '%s': %s\n", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int give(int fd, const char *path)
{
	if (flock(fd, LOCK_UN) < 0) {
		fprintf(stderr, "tunform-helper: failed to unlock '%s': %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static const struct {
	const char *word;
	int (*run)(int fd, const char *path);
	const char *answer;
} lock_commands[] = {
	{ "lock", take, "locked" },
	{ "unlock", give, "unlocked" },
};

static int answer(const char *word)
{
	if (printf("%s\n", word) < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "tunform-helper: failed to write to stdout: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* One line from stdin into line: 1 = a line, 0 = EOF, -1 = error (reported). */
static int read_line(char *line, size_t len)
{
	size_t n = 0;
	ssize_t r;
	char c;

	for (;;) {
		r = read(STDIN_FILENO, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "tunform-helper: failed to read stdin: %s\n", strerror(errno));
			return -1;
		}
		if (r == 0) {
			if (n == 0)
				return 0;
			fprintf(stderr, "tunform-helper: lock command without a newline at end of input\n");
			return -1;
		}
		if (c == '\n')
			break;
		if (n + 1 >= len) {
			fprintf(stderr, "tunform-helper: lock command longer than %zu bytes: expected 'lock' or 'unlock'\n", len - 1);
			return -1;
		}
		line[n++] = c;
	}
	line[n] = '\0';
	return 1;
}

/* Serves lock and unlock lines until EOF: 0 at EOF, -1 on error (reported). */
static int serve(int fd, const char *path)
{
	char line[LOCK_LINE_MAX];
	size_t i, n = sizeof lock_commands / sizeof lock_commands[0];
	int r;

	while ((r = read_line(line, sizeof line)) > 0) {
		for (i = 0; i < n && strcmp(line, lock_commands[i].word) != 0; i++)
			;
		if (i == n) {
			fprintf(stderr, "tunform-helper: unknown lock command '%s': expected 'lock' or 'unlock'\n", line);
			return -1;
		}
		if (lock_commands[i].run(fd, path) < 0 || answer(lock_commands[i].answer) < 0)
			return -1;
	}
	return r;
}

int cmd_lock(const char *path, const struct peer *drop_to)
{
	char dir[512];
	errbuf_t err;
	int fd = -1, status = EXIT_OP_FAILED;

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
	if (take(fd, path) < 0 || answer("locked") < 0 || serve(fd, path) < 0)
		goto out;
	status = EXIT_OPS_OK;
out:
	if (fd >= 0)
		close(fd); /* releases the lock */
	return status;
}
