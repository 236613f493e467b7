/* Entering a named network namespace, and tunform's runtime directories. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"

int enter_netns(const char *netns, char *err)
{
	char path[512];
	int fd, r = 0;

	if (snprintf(path, sizeof path, "/run/netns/%s", netns) >= (int)sizeof path) {
		set_err(err, "open namespace", netns, ENAMETOOLONG);
		return -ENAMETOOLONG;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		set_err(err, "open namespace", netns, errno);
		return r;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		r = -errno;
		set_err(err, "enter namespace", netns, errno);
	}
	close(fd);
	return r;
}

int run_dir(const char *netns, char *buf, size_t len)
{
	int n = netns ? snprintf(buf, len, RUN_DIR "/netns/%s", netns) : snprintf(buf, len, RUN_DIR "/self");

	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

/* mkdir -p; directories we create get mode. Existing ones are left alone. */
int mkdir_p(const char *path, mode_t mode, char *err)
{
	char tmp[512];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof tmp) {
		set_err(err, "create directory", path, ENAMETOOLONG);
		return -ENAMETOOLONG;
	}
	memcpy(tmp, path, len + 1);
	for (char *p = tmp + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;
			*p = '\0';
			if (mkdir(tmp, mode) < 0 && errno != EEXIST) {
				int r = -errno;
				set_err(err, "create directory", tmp, errno);
				return r;
			}
			*p = saved;
			if (saved == '\0')
				break;
		}
	}
	return 0;
}
