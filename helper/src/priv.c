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
#include <signal.h>
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
 * A setuid exec holds device fds, however briefly (create, set, delete). If
 * the caller could stop it there (SIGSTOP, a terminal's SIGTSTP, the freezer
 * of a cgroup the caller owns), the device would keep its carrier, and other
 * attachers would be blocked, for as long as the caller likes: keep-carrier
 * no bypassed. So it stays uid 0 in every id (kill(2) and ptrace by the caller
 * are refused), ignores the terminal's stop signals, and leaves the caller's
 * cgroups; it keeps only the capabilities in keep.
 */
int become_unstoppable(uint64_t keep, char *err)
{
	int r;

	if ((r = leave_caller_cgroups(err)) < 0 || (r = become_root_with(keep, err)) < 0)
		return r;
	if (signal(SIGTSTP, SIG_IGN) == SIG_ERR || signal(SIGTTIN, SIG_IGN) == SIG_ERR || signal(SIGTTOU, SIG_IGN) == SIG_ERR) {
		int e = errno;
		set_err(err, "ignore stop signals in", "tunform-helper", e);
		return -e;
	}
	return 0;
}
