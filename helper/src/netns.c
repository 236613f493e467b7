/* Entering a named network namespace, and tunform's runtime directories. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "helper.h"

/*
 * /run/netns/NAME, opened without following a symlink in the last component
 * and checked to be a namespace file (nsfs): a symlink or a plain file put
 * there is refused, whatever it points to. /run/netns itself is root's.
 */
int open_netns(const char *netns, char *err)
{
	char path[512];
	struct statfs sfs;
	int fd, r;

	if (snprintf(path, sizeof path, "/run/netns/%s", netns) >= (int)sizeof path) {
		set_err(err, "open namespace", netns, ENAMETOOLONG);
		return -ENAMETOOLONG;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		r = -errno;
		set_err(err, "open namespace", netns, errno == ELOOP ? EINVAL : errno);
		return r;
	}
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != NSFS_MAGIC) {
		set_errmsg(err, "failed to open namespace '%s': /run/netns/%s is not a namespace", netns, netns);
		close(fd);
		return -EINVAL;
	}
	return fd;
}

int enter_netns_fd(int fd, const char *netns, char *err)
{
	if (setns(fd, CLONE_NEWNET) < 0) {
		int r = -errno;
		set_err(err, "enter namespace", netns, errno);
		return r;
	}
	return 0;
}

int enter_netns(const char *netns, char *err)
{
	int fd = open_netns(netns, err), r;

	if (fd < 0)
		return fd;
	r = enter_netns_fd(fd, netns, err);
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

/* One level: create (0755) or check an existing directory: root's, not a symlink, mode 0755. */
static int run_dir_level(const char *path, char *err)
{
	struct stat st;
	int fd, r = 0;

	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		r = -errno;
		set_err(err, "create directory", path, errno);
		return r;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		set_err(err, "open directory", path, errno);
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		set_err(err, "inspect directory", path, errno);
	} else if (st.st_uid != 0) {
		r = -EPERM;
		set_errmsg(err, "refusing run directory %s: owned by uid %lu, not root", path, (unsigned long)st.st_uid);
	} else if ((st.st_mode & 07777) != 0755 && fchmod(fd, 0755) < 0) {
		/* older helpers made these 0700: users must reach the holder socket */
		r = -errno;
		set_err(err, "change mode of", path, errno);
	}
	close(fd);
	return r;
}

int ensure_run_dir(const char *netns, char *buf, size_t len, char *err)
{
	int r;

	if (run_dir(netns, buf, len) < 0) {
		set_err(err, "create directory", RUN_DIR, ENAMETOOLONG);
		return -ENAMETOOLONG;
	}
	if ((r = run_dir_level(RUN_DIR, err)) < 0)
		return r;
	if (netns && (r = run_dir_level(RUN_DIR "/netns", err)) < 0)
		return r;
	return run_dir_level(buf, err);
}
