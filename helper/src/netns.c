/* Entering a named network namespace, and tunform's runtime directories. */
#include <dirent.h>
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

int netns_self_id(unsigned long long *dev, unsigned long long *ino)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st) < 0)
		return -errno;
	*dev = (unsigned long long)st.st_dev;
	*ino = (unsigned long long)st.st_ino;
	return 0;
}

/*
 * /run/tunform/netns/NAME for a named namespace. Without a name, the namespace
 * this process is in, keyed by its identity (nsfs device and inode):
 * /run/tunform/self-DEV-INO. /run is shared by every namespace (`ip netns exec`
 * only remounts /sys), so one `self` directory would hand namespace B the
 * holder and the apply lock of namespace A. An inode is not reused while a
 * process (a holder) keeps its namespace alive.
 */
int run_dir(const char *netns, char *buf, size_t len)
{
	unsigned long long dev = 0, ino = 0;
	int n, r;

	if (netns) {
		n = snprintf(buf, len, RUN_DIR "/netns/%s", netns);
	} else {
		if ((r = netns_self_id(&dev, &ino)) < 0)
			return r;
		n = snprintf(buf, len, RUN_DIR "/self-%llu-%llu", dev, ino);
	}
	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

/*
 * Which namespace this process is in, for the ACL's `netns` option: the
 * machine's own (that of pid 1: NETNS_HOST), one that `ip netns` names
 * (NETNS_NAMED, the smallest such name in name), or any other (NETNS_UNNAMED:
 * only rules without `netns` match). Needs to stat /proc/1/ns/net: call while
 * still root. Anything unreadable makes the answer NETNS_UNNAMED, never HOST.
 */
int netns_identify(char *name, size_t len)
{
	unsigned long long dev = 0, ino = 0;
	struct stat st;
	struct dirent *e;
	DIR *d;
	int kind = NETNS_UNNAMED;

	name[0] = '\0';
	if (netns_self_id(&dev, &ino) < 0)
		return NETNS_UNNAMED;
	if (stat("/proc/1/ns/net", &st) == 0 && (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino)
		return NETNS_HOST;
	d = opendir("/run/netns");
	if (!d)
		return NETNS_UNNAMED;
	while ((e = readdir(d)) != NULL) {
		errbuf_t err;
		if (!valid_netns_name(e->d_name, err) || strlen(e->d_name) >= len)
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if ((unsigned long long)st.st_dev != dev || (unsigned long long)st.st_ino != ino)
			continue;
		if (kind == NETNS_UNNAMED || strcmp(e->d_name, name) < 0)
			memcpy(name, e->d_name, strlen(e->d_name) + 1);
		kind = NETNS_NAMED;
	}
	closedir(d);
	return kind;
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
	} else if (st.st_gid != 0 && fchown(fd, 0, 0) < 0) {
		/* made by a setuid run: its group was the caller's */
		r = -errno;
		set_err(err, "change group of", path, errno);
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
	/* A run directory for a namespace that does not exist would be left behind, holding nothing. */
	if (netns) {
		int fd = open_netns(netns, err);

		if (fd < 0)
			return fd;
		close(fd);
	}
	if ((r = run_dir_level(RUN_DIR, err)) < 0)
		return r;
	if (netns && (r = run_dir_level(RUN_DIR "/netns", err)) < 0)
		return r;
	return run_dir_level(buf, err);
}
