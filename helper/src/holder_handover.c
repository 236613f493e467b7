/*
 * Holder hand-over: a running holder passes every fd it has to a successor
 * (a newly started holder, possibly from a newly built binary) over its own
 * unix socket, with SCM_RIGHTS, and only then exits. The successor gets the
 * listening socket (so clients keep reaching the same path), the namespace
 * lock (an flock belongs to the open file description, which travels with the
 * fd) and every held device fd. A held fd is the device's queue itself: it is
 * never closed in between, so no device loses its carrier and a detached queue
 * stays detached.
 *
 *   successor -> holder     "handover\n"                  (root only)
 *   holder -> successor     struct ho_msg CTL  + [listening socket, lock]
 *                           struct ho_msg FDS  + up to HO_BATCH held fds, per batch
 *                           struct ho_msg END
 *   successor -> holder     one byte HO_ACK once it has them all
 *
 * The old holder exits right after the ACK, leaving the socket file alone.
 * If anything fails before the ACK, the old holder keeps everything and
 * goes on serving; the successor exits and says why.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "helper.h"

#define HO_MAGIC 0x74666876u /* "tfhv" */
#define HO_BATCH 64          /* well under the kernel's SCM_MAX_FD (253) */
#define HO_TIMEOUT_S 5
#define HO_ACK 'A'

enum { HO_CTL = 1, HO_FDS = 2, HO_END = 3 };

struct ho_msg {
	uint32_t magic, kind, count;
	struct {
		char name[16];
		uint8_t mq;
	} ent[HO_BATCH];
};

static int set_timeouts(int fd)
{
	struct timeval tv = { .tv_sec = HO_TIMEOUT_S };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
		return -errno;
	return 0;
}

static int set_blocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

static int send_msg(int sock, const struct ho_msg *m, const int *fds, size_t nfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * HO_BATCH)];
	struct iovec iov = { .iov_base = (void *)m, .iov_len = sizeof *m };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	size_t off = 0;

	if (nfds > 0) {
		struct cmsghdr *cm;
		memset(cbuf, 0, sizeof cbuf);
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	while (off < sizeof *m) {
		ssize_t n = sendmsg(sock, &mh, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		off += (size_t)n;
		/* the fds went with the first byte; the rest is plain data */
		iov.iov_base = (char *)m + off;
		iov.iov_len = sizeof *m - off;
		mh.msg_control = NULL;
		mh.msg_controllen = 0;
	}
	return 0;
}

/* One whole message and the fds that came with it; *nfds must match m->count. */
static int recv_msg(int sock, struct ho_msg *m, int *fds, size_t *nfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * HO_BATCH)];
	size_t off = 0;

	*nfds = 0;
	while (off < sizeof *m) {
		struct iovec iov = { .iov_base = (char *)m + off, .iov_len = sizeof *m - off };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
		ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			size_t k;
			if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
				continue;
			k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			if (*nfds + k > HO_BATCH) {
				int extra[HO_BATCH];
				memcpy(extra, CMSG_DATA(cm), sizeof(int) * (k < HO_BATCH ? k : HO_BATCH));
				for (size_t i = 0; i < k && i < HO_BATCH; i++)
					close(extra[i]);
				return -EPROTO;
			}
			memcpy(fds + *nfds, CMSG_DATA(cm), sizeof(int) * k);
			*nfds += k;
		}
		if (mh.msg_flags & MSG_CTRUNC)
			return -EPROTO;
		off += (size_t)n;
	}
	if (m->magic != HO_MAGIC || m->count > HO_BATCH || m->count != *nfds)
		return -EPROTO;
	return 0;
}

static void close_all(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		close(fds[i]);
}

int holder_handover_give(struct holder_ctx *h, int sock, char *err)
{
	struct ho_msg m;
	int fds[HO_BATCH];
	size_t total = holder_held_count(), i = 0;
	char ack = 0;
	int r;

	if ((r = set_timeouts(sock)) < 0 || (r = set_blocking(sock)) < 0)
		goto fail;
	memset(&m, 0, sizeof m);
	m.magic = HO_MAGIC;
	m.kind = HO_CTL;
	m.count = 2;
	fds[0] = h->lfd;
	fds[1] = h->lock_fd;
	if ((r = send_msg(sock, &m, fds, 2)) < 0)
		goto fail;
	while (i < total) {
		memset(&m, 0, sizeof m);
		m.magic = HO_MAGIC;
		m.kind = HO_FDS;
		for (; i < total && m.count < HO_BATCH; i++, m.count++) {
			const char *name;
			bool mq;
			holder_held_at(i, &name, &fds[m.count], &mq);
			memcpy(m.ent[m.count].name, name, strlen(name) + 1);
			m.ent[m.count].mq = mq;
		}
		if ((r = send_msg(sock, &m, fds, m.count)) < 0)
			goto fail;
	}
	memset(&m, 0, sizeof m);
	m.magic = HO_MAGIC;
	m.kind = HO_END;
	if ((r = send_msg(sock, &m, NULL, 0)) < 0)
		goto fail;
	/* Until the successor says it has them, everything stays ours. */
	for (;;) {
		ssize_t n = read(sock, &ack, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 1 && ack == HO_ACK)
			return 0;
		r = n < 0 ? -errno : -ECONNRESET;
		goto fail;
	}
fail:
	set_err(err, "hand over the fds of", "tunform-holder", -r);
	return r;
}

/* Successor: connect to the running holder and take everything it has. */
int holder_handover_take(struct holder_ctx *h, char *err)
{
	struct sockaddr_un sa;
	struct ho_msg m;
	int fds[HO_BATCH];
	size_t nfds = 0, taken = 0;
	struct stat st;
	int sock, r;

	if ((r = fill_sockaddr(&sa, h->sock_path)) < 0) {
		set_err(err, "connect to", h->sock_path, -r);
		return r;
	}
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0) {
		set_err(err, "create socket", h->sock_path, errno);
		return -errno;
	}
	if ((r = set_timeouts(sock)) < 0 || (connect(sock, (struct sockaddr *)&sa, sizeof sa) < 0 && (r = -errno)) ||
	    (send(sock, "handover\n", 9, MSG_NOSIGNAL) != 9 && (r = -errno))) {
		set_err(err, "reach the running holder at", h->sock_path, -r);
		goto out;
	}
	if ((r = recv_msg(sock, &m, fds, &nfds)) < 0 || m.kind != HO_CTL || nfds != 2) {
		close_all(fds, nfds);
		if (r == 0)
			r = -EPROTO;
		/* An older holder answers a text error instead: it cannot hand over. */
		set_errmsg(err, "failed to take over from the holder at '%s': %s (a holder older than hand-over answers with an error line)",
			   h->sock_path, strerror(-r));
		goto out;
	}
	h->lfd = fds[0];
	h->lock_fd = fds[1];
	for (;;) {
		if ((r = recv_msg(sock, &m, fds, &nfds)) < 0) {
			close_all(fds, nfds);
			set_err(err, "receive held fds from", h->sock_path, -r);
			goto out;
		}
		if (m.kind == HO_END)
			break;
		if (m.kind != HO_FDS) {
			close_all(fds, nfds);
			r = -EPROTO;
			set_err(err, "receive held fds from", h->sock_path, EPROTO);
			goto out;
		}
		for (size_t i = 0; i < nfds; i++) {
			m.ent[i].name[sizeof m.ent[i].name - 1] = '\0';
			if ((r = holder_adopt_held(m.ent[i].name, fds[i], m.ent[i].mq)) < 0) {
				close_all(fds + i, nfds - i);
				set_err(err, "keep", m.ent[i].name, -r);
				goto out;
			}
			taken++;
		}
	}
	/* The socket file is the same one: remember it, so exit removes it only while it is still ours. */
	if (stat(h->sock_path, &st) < 0) {
		r = -errno;
		set_err(err, "inspect", h->sock_path, errno);
		goto out;
	}
	h->sock_dev = st.st_dev;
	h->sock_ino = st.st_ino;
	if (send(sock, &(char){ HO_ACK }, 1, MSG_NOSIGNAL) != 1) {
		r = -errno;
		set_err(err, "acknowledge the hand-over to", h->sock_path, errno);
		goto out;
	}
	r = (int)taken;
out:
	close(sock);
	return r;
}

/* Replaces the namespace's holder by a successor from this binary; `ok holder none` when none runs. */
int cmd_holder_restart(const char *netns)
{
	char dir[512], sock_path[600];
	errbuf_t err;
	int fd = holder_lock_file(netns, err);

	if (fd < 0) {
		fprintf(stderr, "tunform-helper: %s\n", err);
		return EXIT_OP_FAILED;
	}
	/* The namespace's lock is free only when no holder runs: nothing to hand over. */
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		close(fd);
		puts("ok holder none");
		return fflush(stdout) == 0 ? EXIT_OPS_OK : EXIT_OP_FAILED;
	}
	close(fd);
	if (ensure_run_dir(netns, dir, sizeof dir, err) < 0) {
		fprintf(stderr, "tunform-helper: %s\n", err);
		return EXIT_OP_FAILED;
	}
	snprintf(sock_path, sizeof sock_path, "%s/holder.sock", dir);
	return holder_start_successor(netns, sock_path);
}
