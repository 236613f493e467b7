/*
 * The holder as a systemd service (`holder-service`, Type=notify): it tells
 * systemd when it is ready and keeps a copy of every held fd in systemd's fd
 * store (FDSTORE=1, FDNAME=device name; FDSTOREREMOVE=1 on release). When the
 * holder crashes or is restarted, systemd still holds each device's queue, so
 * no carrier drops, and gives the fds back to the next holder through
 * LISTEN_FDS/LISTEN_FDNAMES (sd_listen_fds(3)), which holds them again.
 * Without NOTIFY_SOCKET every function here does nothing. No libsystemd: the
 * protocol is a datagram with an SCM_RIGHTS fd (sd_notify(3)).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "helper.h"

#define LISTEN_FDS_START 3

static int notify_fd = -1;
static struct sockaddr_un notify_sa;
static socklen_t notify_len;

/* Call before entering another namespace: an abstract notify socket belongs to systemd's. */
int sd_notify_open(char *err)
{
	const char *path = getenv("NOTIFY_SOCKET");
	size_t len;

	if (!path || !*path)
		return 0;
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len >= sizeof notify_sa.sun_path) {
		set_errmsg(err, "NOTIFY_SOCKET is neither a path nor an abstract socket name: '%.64s'", path);
		return -EINVAL;
	}
	memset(&notify_sa, 0, sizeof notify_sa);
	notify_sa.sun_family = AF_UNIX;
	memcpy(notify_sa.sun_path, path, len);
	if (path[0] == '@')
		notify_sa.sun_path[0] = '\0';
	notify_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (path[0] == '/' ? 1 : 0));
	notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (notify_fd < 0) {
		set_err(err, "create socket", path, errno);
		return -errno;
	}
	return 0;
}

static int sd_send(const char *text, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = (void *)text, .iov_len = strlen(text) };
	struct msghdr mh = { .msg_name = &notify_sa, .msg_namelen = notify_len, .msg_iov = &iov, .msg_iovlen = 1 };

	if (notify_fd < 0)
		return 0;
	if (fd >= 0) {
		struct cmsghdr *cm;
		memset(cbuf, 0, sizeof cbuf);
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof cbuf;
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	while (sendmsg(notify_fd, &mh, MSG_NOSIGNAL) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

int sd_notify_ready(void)
{
	char text[64];

	snprintf(text, sizeof text, "READY=1\nMAINPID=%ld", (long)getpid());
	return sd_send(text, -1);
}

void holder_fdstore_add(const char *name, int fd)
{
	char text[64];

	snprintf(text, sizeof text, "FDSTORE=1\nFDNAME=%s", name);
	(void)sd_send(text, fd); /* without the store the holder still holds: only a crash would drop carrier */
}

/*
 * Only when a device is released or gone. Never on the way out (the holder
 * has no SIGTERM handler on purpose): `systemctl restart` SIGTERMs it and
 * counts on the store outliving it to keep every carrier (docs/boot.md).
 */
void holder_fdstore_remove(const char *name)
{
	char text[64];

	snprintf(text, sizeof text, "FDSTOREREMOVE=1\nFDNAME=%s", name);
	(void)sd_send(text, -1);
}

/*
 * The fds systemd kept for us (LISTEN_FDS, named by LISTEN_FDNAMES): held
 * again at once. One whose device is gone is closed and dropped from the
 * store. Returns how many are held, or -errno.
 */
int holder_adopt_stored_fds(char *err)
{
	const char *pid = getenv("LISTEN_PID"), *count = getenv("LISTEN_FDS"), *names = getenv("LISTEN_FDNAMES");
	char *copy, **names_at;
	long n = 0, p = 0;
	int held = 0, nnames;

	if (!pid || !count || !parse_long(pid, 1, 4194304, &p) || p != (long)getpid() || !parse_long(count, 0, 65536, &n))
		return 0;
	copy = strdup(names ? names : "");
	names_at = calloc((size_t)n + 1, sizeof *names_at);
	if (!copy || !names_at) {
		free(copy);
		free(names_at);
		set_err(err, "read", "LISTEN_FDNAMES", ENOMEM);
		return -ENOMEM;
	}
	/* fd i has the i-th name; an fd without one (or past the names) is closed. */
	nnames = split_words(copy, ":", false, names_at, (int)n);
	for (long i = 0; i < n; i++) {
		int fd = LISTEN_FDS_START + (int)i;
		const char *name = i < nnames ? names_at[i] : NULL;
		struct ifreq ifr;
		errbuf_t e;

		memset(&ifr, 0, sizeof ifr);
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 || !name || !valid_ifname(name, e) ||
		    tun_still_attached(fd, name) < 0 || ioctl(fd, TUNGETIFF, &ifr) < 0 ||
		    holder_adopt_held(name, fd, (ifr.ifr_flags & IFF_MULTI_QUEUE) != 0) < 0) {
			close(fd);
			if (name)
				holder_fdstore_remove(name);
			continue;
		}
		held++;
	}
	free(names_at);
	free(copy);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return held;
}
