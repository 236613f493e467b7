/*
 * `holder`: start the namespace's holder daemon unless one already runs, and
 * return only once it listens. One holder per namespace, guarded by flock on
 * the namespace itself (its nsfs inode, through /run/netns/NAME or
 * /proc/self/ns/net): no file under /run/tunform, which anyone with root may
 * delete, decides it. The daemon inherits the locked file description, so
 * the lock lives exactly as long as the daemon.
 *
 * Who may talk to it: anyone can connect (socket 0666 in a root-owned 0755
 * directory); every request naming a device passes authorize() (acl.c) with
 * the client's SO_PEERCRED uid and SO_PEERGROUPS groups: root always, others
 * as the ACL, re-read on every connection of a non-root client, says.
 *
 * Readiness: the daemon writes "ready PID" (or "error MESSAGE") into a pipe
 * after it listens and has let go of our stdio, so `tunform-helper holder`
 * prints `ok holder PID` only when requests can be served.
 */
#include <errno.h>
#include <linux/capability.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helper.h"

#define START_TIMEOUT_MS 10000

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Whether pid is stopped (SIGSTOP, a debugger): state T or t in /proc/PID/stat. */
static bool process_stopped(long pid)
{
	char path[64], buf[512];
	ssize_t n;
	char *paren;
	int fd;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	paren = strrchr(buf, ')'); /* comm may hold spaces and parens */
	return paren && paren[1] == ' ' && (paren[2] == 'T' || paren[2] == 't');
}

/*
 * Asks a running holder for its pid: > 0 on success, -errno otherwise. The
 * pid of whoever listens (SO_PEERCRED) goes to *listener even when it does
 * not answer, so the caller can say why.
 */
static long ping_holder(const char *sock_path, long *listener)
{
	struct sockaddr_un sa;
	struct timeval tv = { .tv_sec = 2 };
	char buf[64];
	size_t len = 0;
	long pid = -EPROTO;
	int fd, r;

	if ((r = fill_sockaddr(&sa, sock_path)) < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		pid = -errno;
		goto out;
	}
	{
		struct ucred cred;
		socklen_t clen = sizeof cred;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) == 0)
			*listener = cred.pid;
		if (*listener > 0 && process_stopped(*listener)) {
			pid = -EAGAIN; /* it would never answer: do not wait for it */
			goto out;
		}
	}
	if (send(fd, "ping\n", 5, MSG_NOSIGNAL) != 5) {
		pid = -errno;
		goto out;
	}
	while (len < sizeof buf - 1) {
		ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			pid = n < 0 ? -errno : -ECONNRESET;
			goto out;
		}
		len += (size_t)n;
		if (memchr(buf, '\n', len))
			break;
	}
	buf[len] = '\0';
	{
		char *nl = strchr(buf, '\n');
		long v;
		if (nl && strncmp(buf, "ok ping ", 8) == 0) {
			*nl = '\0';
			if (parse_long(buf + 8, 1, 4194304, &v))
				pid = v;
		}
	}
out:
	close(fd);
	return pid;
}

/*
 * Many held devices need many fds: soft limit up to the hard one (raise that
 * when allowed). A starter that lowered the hard limit below what root's
 * holds need cannot be served: refuse.
 */
#define NOFILE_FLOOR 4096
static int raise_nofile(char *err)
{
	struct rlimit rl, want = { 65536, 65536 };

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		set_err(err, "read the open-files limit of", "tunform-holder", errno);
		return -1;
	}
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want.rlim_max && setrlimit(RLIMIT_NOFILE, &want) == 0)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < NOFILE_FLOOR) {
		set_errmsg(err, "refusing to start the holder: its starter's open-files limit (%lu) is below %d and cannot be raised here",
			   (unsigned long)rl.rlim_max, NOFILE_FLOOR);
		return -1;
	}
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		set_err(err, "raise the open-files limit of", "tunform-holder", errno);
		return -1;
	}
	return 0;
}

/* Readiness line to the starter; if it is gone there is nobody to tell. */
static void report(int ready_fd, const char *status_word, const char *text)
{
	char line[ERRBUF_SIZE + 32];
	int n = snprintf(line, sizeof line, "%s %s\n", status_word, text);

	if (n > 0 && write(ready_fd, line, (size_t)n) < 0) {
		/* starter gone */
	}
}

/*
 * Into the namespace before attaching anything; then only CAP_NET_ADMIN, in
 * the bounding set too, and no new privileges. The holder stays uid 0
 * (whoever started it) so no user can signal or ptrace it.
 */
static int holder_confine(struct holder_ctx *h, char *err)
{
	const char *netns = h->netns;

	if (netns && enter_netns(netns, err) < 0)
		return -1;
	if (netns_self_id(&h->ns_dev, &h->ns_ino) < 0) {
		set_err(err, "identify namespace of", "tunform-holder", errno);
		return -1;
	}
	/* Which namespace the ACL's `netns` sees: identified while still root (netns_identify). */
	if (netns)
		acl_enforce(netns);
	else
		acl_enforce_here();
	if (caps_drop_bounding(1ULL << CAP_NET_ADMIN, err) < 0 || caps_keep_net_admin(err) < 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		set_err(err, "restrict", "tunform-holder", errno);
		return -1;
	}
	if (chdir("/") < 0) {
		set_err(err, "change directory to", "/", errno);
		return -1;
	}
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR || signal(SIGHUP, SIG_IGN) == SIG_ERR) {
		set_err(err, "ignore signals in", "tunform-holder", errno);
		return -1;
	}
	return 0;
}

/*
 * The daemon itself (grandchild). Never returns. A successor (lock_fd < 0)
 * does not bind: it takes the socket, the lock and the held fds from the
 * running holder (holder_handover.c) once it is set up like any holder.
 */
static void __attribute__((noreturn)) daemon_main(const char *netns, const char *sock_path, int ready_fd, int lock_fd)
{
	struct holder_ctx h = { .netns = netns, .lfd = -1, .lock_fd = lock_fd };
	bool successor = lock_fd < 0;
	errbuf_t err;
	int devnull = -1, status = EXIT_OP_FAILED;

	if (prctl(PR_SET_NAME, "tunform-holder", 0, 0, 0) < 0) {
		set_err(err, "name process", "tunform-holder", errno);
		goto fail;
	}
	/* Whoever started us (any user with a rule here), root's holds go through us. */
	if (fresh_process(err) < 0 || raise_nofile(err) < 0)
		goto fail;
	memcpy(h.sock_path, sock_path, strlen(sock_path) + 1);
	umask(077);
	if (!successor && holder_listen(&h, err) < 0)
		goto fail;
	if (holder_confine(&h, err) < 0)
		goto fail;
	/* Let go of the starter's stdio and every other fd it had before saying ready, so its readers see EOF. */
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0) {
		set_err(err, "open", "/dev/null", errno);
		goto fail;
	}
	if (dup2(devnull, STDIN_FILENO) < 0 || dup2(devnull, STDOUT_FILENO) < 0 || dup2(devnull, STDERR_FILENO) < 0) {
		set_err(err, "redirect stdio to", "/dev/null", errno);
		goto fail;
	}
	{
		const int keep[] = { h.lfd, ready_fd, lock_fd };
		if (close_fds_except(keep, sizeof keep / sizeof keep[0], err) < 0)
			goto fail;
	}
	if (successor && holder_handover_take(&h, err) < 0)
		goto fail;
	{
		char pid[24];
		snprintf(pid, sizeof pid, "%ld", (long)getpid());
		report(ready_fd, "ready", pid);
	}
	close(ready_fd);
	status = holder_loop(&h);
	_exit(status);
fail:
	report(ready_fd, "error", err);
	if (h.lfd >= 0 && !successor)
		holder_unlink_socket(&h);
	_exit(status);
}

/* Forks the daemon (double fork, new session) and waits for its readiness line. */
static int start_daemon(const char *netns, const char *sock_path, int lock_fd)
{
	char buf[ERRBUF_SIZE + 32];
	size_t len = 0;
	int pipefd[2];
	pid_t child;
	int wstatus;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		fprintf(stderr, "tunform-helper: failed to create pipe for '%s': %s\n", sock_path, strerror(errno));
		return EXIT_OP_FAILED;
	}
	child = fork();
	if (child < 0) {
		fprintf(stderr, "tunform-helper: failed to fork holder for '%s': %s\n", sock_path, strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return EXIT_OP_FAILED;
	}
	if (child == 0) {
		close(pipefd[0]);
		if (setsid() < 0)
			_exit(EXIT_OP_FAILED);
		child = fork();
		if (child < 0)
			_exit(EXIT_OP_FAILED);
		if (child > 0)
			_exit(EXIT_OPS_OK);
		daemon_main(netns, sock_path, pipefd[1], lock_fd);
	}
	close(pipefd[1]);
	while (waitpid(child, &wstatus, 0) < 0 && errno == EINTR)
		;
	while (len < sizeof buf - 1) {
		ssize_t n = read(pipefd[0], buf + len, sizeof buf - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(pipefd[0]);
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (strncmp(buf, "ready ", 6) == 0) {
		printf("ok holder %s\n", buf + 6);
		return fflush(stdout) == 0 ? EXIT_OPS_OK : EXIT_OP_FAILED;
	}
	if (strncmp(buf, "error ", 6) == 0)
		fprintf(stderr, "tunform-helper: holder: %s\n", buf + 6);
	else
		fprintf(stderr, "tunform-helper: holder for '%s' exited before it was ready\n", sock_path);
	return EXIT_OP_FAILED;
}

/* A successor for the holder listening at sock_path: it takes over, then the old one exits. */
int holder_start_successor(const char *netns, const char *sock_path)
{
	return start_daemon(netns, sock_path, -1);
}

/* The holder's lock is the namespace itself: its nsfs inode, the same for every path that names it. */
int holder_lock_file(const char *netns, char *err)
{
	int fd = netns ? open_netns(netns, err) : open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

	if (fd < 0 && !netns)
		set_err(err, "open namespace", "/proc/self/ns/net", errno);
	return fd;
}

/*
 * `holder-service`: the holder in the foreground for systemd (Type=notify,
 * docs/boot.md). systemd supervises it, owns its cgroup and stdio, and keeps
 * a copy of every held fd (holder_systemd.c), so it is neither daemonised nor
 * moved out of its cgroup. One holder per namespace still: the lock decides.
 */
int cmd_holder_service(const char *netns)
{
	char dir[512];
	struct holder_ctx h = { .netns = netns, .lfd = -1, .lock_fd = -1, .service = true };
	errbuf_t err;
	int held;

	if (prctl(PR_SET_NAME, "tunform-holder", 0, 0, 0) < 0) {
		set_err(err, "name process", "tunform-holder", errno);
		goto fail;
	}
	if (raise_nofile(err) < 0 || sd_notify_open(err) < 0)
		goto fail;
	if ((h.lock_fd = holder_lock_file(netns, err)) < 0)
		goto fail;
	if (flock(h.lock_fd, LOCK_EX | LOCK_NB) < 0) {
		set_errmsg(err, "another holder already serves namespace '%s' (stop it first)", netns ? netns : "self");
		goto fail;
	}
	if (ensure_run_dir(netns, dir, sizeof dir, err) < 0)
		goto fail;
	snprintf(h.sock_path, sizeof h.sock_path, "%s/holder.sock", dir);
	umask(077);
	if (holder_listen(&h, err) < 0 || holder_confine(&h, err) < 0)
		goto fail;
	if ((held = holder_adopt_stored_fds(err)) < 0)
		goto fail;
	fprintf(stderr, "tunform-helper: holder %ld serves %s; %d device(s) taken back from the fd store\n", (long)getpid(),
		h.sock_path, held);
	(void)sd_notify_ready();
	return holder_loop(&h);
fail:
	fprintf(stderr, "tunform-helper: holder: %s\n", err);
	if (h.lfd >= 0)
		holder_unlink_socket(&h);
	return EXIT_OP_FAILED;
}

int cmd_holder(const char *netns)
{
	char dir[512], sock_path[600];
	errbuf_t err;
	long deadline = now_ms() + START_TIMEOUT_MS;
	long pid = -ENOENT, listener = 0;

	/* Fail early and clearly when the namespace does not exist, before making its run directory. */
	if (netns) {
		int fd = open_netns(netns, err);
		if (fd < 0) {
			fprintf(stderr, "tunform-helper: %s\n", err);
			return EXIT_OP_FAILED;
		}
		close(fd);
	}
	if (ensure_run_dir(netns, dir, sizeof dir, err) < 0) {
		fprintf(stderr, "tunform-helper: %s\n", err);
		return EXIT_OP_FAILED;
	}
	snprintf(sock_path, sizeof sock_path, "%s/holder.sock", dir);
	do {
		int lock_fd = holder_lock_file(netns, err);
		if (lock_fd < 0) {
			fprintf(stderr, "tunform-helper: %s\n", err);
			return EXIT_OP_FAILED;
		}
		if (flock(lock_fd, LOCK_EX | LOCK_NB) == 0) {
			/* ours: the daemon inherits the locked description */
			int status = start_daemon(netns, sock_path, lock_fd);
			close(lock_fd);
			return status;
		}
		if (errno != EWOULDBLOCK && errno != EINTR) {
			fprintf(stderr, "tunform-helper: failed to lock namespace '%s': %s\n", netns ? netns : "self",
				strerror(errno));
			close(lock_fd);
			return EXIT_OP_FAILED;
		}
		close(lock_fd);
		/* a holder runs (or is starting, or exiting): ask it */
		listener = 0;
		pid = ping_holder(sock_path, &listener);
		if (pid > 0) {
			printf("ok holder %ld\n", pid);
			return fflush(stdout) == 0 ? EXIT_OPS_OK : EXIT_OP_FAILED;
		}
		if (listener > 0 && process_stopped(listener)) {
			fprintf(stderr,
				"tunform-helper: failed to reach holder '%s': the holder (pid %ld) is stopped; "
				"continue it with 'kill -CONT %ld', or kill it to start a new one\n",
				sock_path, listener, listener);
			return EXIT_OP_FAILED;
		}
		poll(NULL, 0, 20);
	} while (now_ms() < deadline);
	fprintf(stderr, "tunform-helper: failed to reach holder '%s': %s\n", sock_path, strerror((int)-pid));
	return EXIT_OP_FAILED;
}
