/*
 * Setuid mode: the helper installed root-owned, mode 4755, run by a user.
 * main() calls these before it looks at anything the caller controls
 * beyond argv: fds 0-2, the environment, the umask, dumpability. Then it
 * drops to the caller's uid with only CAP_NET_ADMIN (exec, lock) or becomes
 * plain root for the holder daemon, which drops to CAP_NET_ADMIN itself.
 * See docs/SECURITY.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <string.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"

/*
 * AT_SECURE is the loader's own verdict (setuid, setgid or file capabilities);
 * a real uid other than root with effective root is the setuid case we serve.
 */
bool setuid_mode(void)
{
	return geteuid() == 0 && getuid() != 0 && getauxval(AT_SECURE) != 0;
}

int sanitize_process(char *err)
{
	/* A closed 0, 1 or 2 would let our next open() become "stdout". */
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		int n = open("/dev/null", O_RDWR);
		if (n < 0) {
			int e = errno;
			set_err(err, "open", "/dev/null", e);
			return -e;
		}
		if (n != fd) { /* cannot happen: open returns the lowest free fd */
			set_errmsg(err, "failed to reopen fd %d on /dev/null", fd);
			return -EBADF;
		}
	}
	/* Nor any other fd of the caller's: a daemon we start would keep it open. */
	if (close_range(3, ~0U, 0) < 0) {
		int e = errno;
		set_err(err, "close the inherited fds of", "tunform-helper", e);
		return -e;
	}
	/* Nothing of the caller's environment reaches us: no locale, no TZ, no PATH. */
	if (clearenv() != 0) {
		set_errmsg(err, "failed to clear the environment");
		return -ENOMEM;
	}
	umask(022);
	/* No core dumps and no ptrace by the caller, whose uid we take later. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		int e = errno;
		set_err(err, "restrict", "tunform-helper", e);
		return -e;
	}
	return 0;
}

int caller_peer(struct peer *peer, char *err)
{
	int n;

	peer->pid = getpid();
	peer->uid = getuid();
	peer->gid = getgid();
	n = getgroups(PEER_MAX_GROUPS, peer->groups);
	if (n < 0) {
		int e = errno;
		set_err(err, "read the groups of", "the caller", e);
		return -e;
	}
	peer->ngroups = n;
	return 0;
}

/*
 * Bounding set first (needs CAP_SETPCAP, so while still root), then
 * setresgid/setresuid to the caller with PR_SET_KEEPCAPS so the permitted set
 * survives, then capset down to keep. The caller's supplementary groups stay
 * (they are the caller's own). Afterwards no id of this process is 0.
 */
int drop_to_caller(const struct peer *peer, uint64_t keep, char *err)
{
	int r;

	if ((r = caps_drop_bounding(keep, err)) < 0)
		return r;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setresgid(peer->gid, peer->gid, peer->gid) < 0 ||
	    setresuid(peer->uid, peer->uid, peer->uid) < 0 || prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) {
		int e = errno;
		set_err(err, "switch to the caller's uid in", "tunform-helper", e);
		return -e;
	}
	if ((r = caps_keep(keep, err)) < 0)
		return r;
	/* setresuid reset dumpability to the sysctl; we want none regardless. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		int e = errno;
		set_err(err, "restrict", "tunform-helper", e);
		return -e;
	}
	{
		uid_t ru, eu, su;
		if (getresuid(&ru, &eu, &su) < 0 || ru == 0 || eu == 0 || su == 0) {
			set_errmsg(err, "failed to leave uid 0");
			return -EPERM;
		}
	}
	return 0;
}

int become_root(char *err)
{
	if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
		int e = errno;
		set_err(err, "become root in", "tunform-helper", e);
		return -e;
	}
	return 0;
}

/*
 * Uid 0 in every id, so the caller can neither signal nor ptrace us (nor a
 * program we exec: the kernel compares uids), yet holding only keep, in the
 * bounding set too, so an exec gains nothing either.
 */
int become_root_with(uint64_t keep, char *err)
{
	int r;

	if ((r = become_root(err)) < 0 || (r = caps_drop_bounding(keep, err)) < 0 || (r = caps_keep(keep, err)) < 0)
		return r;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		int e = errno;
		set_err(err, "restrict", "tunform-helper", e);
		return -e;
	}
	return 0;
}

/*
 * The tun opener. The kernel binds a tun fd to the network namespace current
 * at open() time, and /dev/net/tun may be root's 0600 (as here) rather than
 * the usual 0666. So a setuid exec forks, before it drops to the caller, a
 * child that stays uid 0 but holds no capability at all (empty bounding set,
 * no new privileges) and does one thing: for each byte it reads, open
 * /dev/net/tun and send the fd back over a socketpair (SCM_RIGHTS). It exits
 * when the helper closes its end. The caller cannot signal or trace it (uid 0).
 */
#include <signal.h>
#include <sys/socket.h>

static int opener_sock = -1;

static void __attribute__((noreturn)) opener_main(int sock, int nsfd)
{
	errbuf_t err;
	char c;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		_exit(EXIT_OP_FAILED);
	if (nsfd >= 0 && setns(nsfd, CLONE_NEWNET) < 0)
		_exit(EXIT_OP_FAILED);
	if (become_root_with(0, err) < 0)
		_exit(EXIT_OP_FAILED);
	for (;;) {
		ssize_t n = read(sock, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(EXIT_OPS_OK);
		int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
		unsigned char status = fd < 0 ? (unsigned char)errno : 0;
		struct iovec iov = { .iov_base = &status, .iov_len = 1 };
		union {
			struct cmsghdr h;
			char buf[CMSG_SPACE(sizeof(int))];
		} ctl;
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		if (fd >= 0) {
			memset(&ctl, 0, sizeof ctl);
			msg.msg_control = ctl.buf;
			msg.msg_controllen = sizeof ctl.buf;
			struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &fd, sizeof fd);
		}
		if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
			_exit(EXIT_OP_FAILED);
		if (fd >= 0)
			close(fd);
	}
}

int start_tun_opener(int nsfd, char *err)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		int e = errno;
		set_err(err, "start the tun opener of", "tunform-helper", e);
		return -e;
	}
	pid = fork();
	if (pid < 0) {
		int e = errno;
		set_err(err, "start the tun opener of", "tunform-helper", e);
		close(sv[0]);
		close(sv[1]);
		return -e;
	}
	if (pid == 0) {
		close(sv[0]);
		opener_main(sv[1], nsfd);
	}
	close(sv[1]);
	opener_sock = sv[0];
	return 0;
}

/* open("/dev/net/tun") directly, or through the opener in setuid mode: an fd or -errno. */
int open_tun_device(void)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	unsigned char status = 0;
	struct iovec iov = { .iov_base = &status, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
	struct cmsghdr *cm;
	ssize_t n;
	int fd;

	if (opener_sock < 0) {
		fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	if (send(opener_sock, "o", 1, MSG_NOSIGNAL) != 1)
		return -EPIPE;
	do
		n = recvmsg(opener_sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		return -EPIPE;
	if (status != 0)
		return -(int)status;
	cm = CMSG_FIRSTHDR(&msg);
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS || cm->cmsg_len != CMSG_LEN(sizeof(int)))
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(cm), sizeof fd);
	return fd;
}
