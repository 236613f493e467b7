/*
 * What the holder checks about the world it serves, rather than trusting its
 * own bookkeeping: that its namespace still has a name pointing at it, that
 * its socket file is still there, and (holder_loop.c) that its fds still
 * belong to live devices. The loop calls these once per WATCH_INTERVAL_MS.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "helper.h"

int fill_sockaddr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa->sun_path)
		return -ENAMETOOLONG;
	memcpy(sa->sun_path, path, strlen(path) + 1);
	return 0;
}

/*
 * A listening socket at h->sock_path, replacing h->lfd. Anyone may connect:
 * every request is authorised by SO_PEERCRED (root, or the ACL). The
 * directory is root's and 0755, so nobody can swap the socket.
 */
int holder_listen(struct holder_ctx *h, char *err)
{
	struct sockaddr_un sa;
	struct stat st;
	int fd;

	if (fill_sockaddr(&sa, h->sock_path) < 0) {
		set_err(err, "bind", h->sock_path, ENAMETOOLONG);
		return -ENAMETOOLONG;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		set_err(err, "create socket", h->sock_path, errno);
		return -errno;
	}
	/* We hold the namespace's lock: any socket file left is a dead holder's. */
	if (unlink(h->sock_path) < 0 && errno != ENOENT) {
		set_err(err, "remove stale socket", h->sock_path, errno);
		goto fail;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		set_err(err, "bind", h->sock_path, errno);
		goto fail;
	}
	if (chmod(h->sock_path, 0666) < 0) {
		set_err(err, "change mode of", h->sock_path, errno);
		goto fail;
	}
	if (stat(h->sock_path, &st) < 0) {
		set_err(err, "inspect", h->sock_path, errno);
		goto fail;
	}
	if (listen(fd, 128) < 0) {
		set_err(err, "listen on", h->sock_path, errno);
		goto fail;
	}
	if (h->lfd >= 0)
		close(h->lfd);
	h->lfd = fd;
	h->sock_dev = st.st_dev;
	h->sock_ino = st.st_ino;
	return 0;
fail:
	{
		int r = -errno;
		close(fd);
		return r;
	}
}

/* Whether the file at sock_path is the socket this holder bound. */
static bool socket_is_ours(const struct holder_ctx *h)
{
	struct stat st;

	return stat(h->sock_path, &st) == 0 && st.st_dev == h->sock_dev && st.st_ino == h->sock_ino;
}

/*
 * A named namespace whose name is gone (`ip netns del`) or names another
 * namespace (deleted and added again) has only this holder keeping it alive:
 * nobody can reach its devices any more. Unnamed namespaces are left alone:
 * their other members cannot be seen from here without privileges.
 */
bool holder_namespace_gone(const struct holder_ctx *h)
{
	char path[512];
	struct stat st;

	if (!h->netns)
		return false;
	snprintf(path, sizeof path, "/run/netns/%s", h->netns);
	if (stat(path, &st) < 0)
		return errno == ENOENT;
	return (unsigned long long)st.st_dev != h->ns_dev || (unsigned long long)st.st_ino != h->ns_ino;
}

/*
 * Someone removed the run directory or the socket file: clients would find
 * no holder, start a second one beside this one and send releases to the
 * wrong one. The namespace's lock (on its nsfs inode) keeps a second holder
 * from starting, and here the first one puts its socket back. A socket file
 * that is not ours is left alone: a holder for another namespace of the same
 * name owns it (and holder_namespace_gone ends this one).
 */
void holder_keep_socket(struct holder_ctx *h)
{
	char dir[512];
	errbuf_t err;
	struct stat st;

	if (stat(h->sock_path, &st) == 0 || errno != ENOENT)
		return;
	if (ensure_run_dir(h->netns, dir, sizeof dir, err) < 0)
		return; /* try again at the next check */
	(void)holder_listen(h, err);
}

/* On exit: remove the socket file only if it is still ours. */
void holder_unlink_socket(const struct holder_ctx *h)
{
	if (socket_is_ours(h))
		unlink(h->sock_path);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/*
 * The daemon keeps nothing its starter happened to have open (a CI job's
 * pipe would never see EOF): every fd above stderr is closed except keep[].
 */
int close_fds_except(const int *keep, size_t n, char *err)
{
	int sorted[8];
	unsigned int from = 3;

	if (n > sizeof sorted / sizeof sorted[0]) {
		set_errmsg(err, "too many fds to keep");
		return -EINVAL;
	}
	memcpy(sorted, keep, n * sizeof *keep);
	qsort(sorted, n, sizeof *sorted, cmp_int);
	for (size_t i = 0; i < n; i++) {
		if (sorted[i] < 3 || (unsigned int)sorted[i] < from)
			continue;
		if ((unsigned int)sorted[i] > from && close_range(from, (unsigned int)sorted[i] - 1, 0) < 0)
			goto fail;
		from = (unsigned int)sorted[i] + 1;
	}
	if (close_range(from, ~0U, 0) < 0)
		goto fail;
	return 0;
fail:
	set_err(err, "close inherited fds of", "tunform-holder", errno);
	return -EBADF;
}
