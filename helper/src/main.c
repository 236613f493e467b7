/*
 * tunform-helper: the only tunform code that changes tun/tap devices.
 *
 *   tunform-helper [--netns NAME] exec      ops on stdin, one result line per op
 *   tunform-helper [--netns NAME] check     authorise op lines as the caller, run nothing
 *   tunform-helper [--netns NAME] holder    start or reuse the namespace's holder
 *   tunform-helper [--netns NAME] lock      flock the namespace's apply.lock, print `locked`, wait for EOF
 *   tunform-helper lock PATH                the same on PATH (not in setuid mode)
 *   tunform-helper acl-check [FILE]         validate the ACL, answer queries on stdin
 *   tunform-helper --netns NAME dump links|addrs   the namespace's `ip -j` table, read as the caller
 *
 * See docs/DESIGN.md, section "Helper", for the line formats, and
 * docs/SECURITY.md for the setuid mode set up here.
 */
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "helper.h"

static int usage(void)
{
	fputs("usage: tunform-helper [--netns NAME] exec\n"
	      "       tunform-helper [--netns NAME] check\n"
	      "       tunform-helper [--netns NAME] holder\n"
	      "       tunform-helper [--netns NAME] lock\n"
	      "       tunform-helper lock PATH\n"
	      "       tunform-helper acl-check [FILE]\n"
	      "       tunform-helper --netns NAME dump links|addrs\n",
	      stderr);
	return EXIT_USAGE;
}

static int fail(const char *err)
{
	fprintf(stderr, "tunform-helper: %s\n", err);
	return EXIT_OP_FAILED;
}

static int lock_in_run_dir(const char *netns, const struct peer *drop_to)
{
	char dir[512], path[600];
	errbuf_t err;

	if (ensure_run_dir(netns, dir, sizeof dir, err) < 0)
		return fail(err);
	snprintf(path, sizeof path, "%s/apply.lock", dir);
	return cmd_lock(path, drop_to);
}

/*
 * Setuid mode: real uid is the caller, effective uid root. Everything the
 * caller controls was cleaned up before we got here (sanitize_process); argv
 * is validated. Each command then gets exactly the privilege it needs.
 */
static int run_setuid(const char *netns, const char *cmd, const char *arg, const struct peer *caller)
{
	errbuf_t err;

	if (strcmp(cmd, "acl-check") == 0) {
		if (arg) {
			fprintf(stderr, "tunform-helper: acl-check FILE is refused in setuid mode; acl-check reads %s\n",
				acl_path());
			return EXIT_USAGE;
		}
		/* Reading a world-readable file needs nothing: drop everything first. */
		if (drop_to_caller(caller, 0, err) < 0)
			return fail(err);
		return cmd_acl_check(NULL);
	}
	if (strcmp(cmd, "lock") == 0 && arg) {
		fputs("tunform-helper: lock PATH is refused in setuid mode; use [--netns NAME] lock\n", stderr);
		return EXIT_USAGE;
	}
	/* The ACL is read while still root, but checked through its fd (acl.c). */
	if (acl_load(acl_path(), err) < 0)
		return fail(err);
	/* Without --netns: the namespace the caller is in (ip netns exec), identified while still root. */
	if (netns)
		acl_enforce(netns);
	else
		acl_enforce_here();

	if (strcmp(cmd, "dump") == 0) {
		/*
		 * Reading a namespace the caller could not enter: for whoever may
		 * manage something in it. The reader must not become a process the
		 * caller can trace or signal there (that would run the caller's code
		 * inside): it stays uid 0, with no capability at all.
		 */
		int nsfd;
		if (!acl_may_read_here(caller)) {
			fprintf(stderr, "tunform-helper: failed to read namespace '%s': not permitted: no rule in %s allows uid %lu anything there\n",
				netns, acl_path(), (unsigned long)caller->uid);
			return EXIT_OP_FAILED;
		}
		if ((nsfd = open_netns(netns, err)) < 0 || enter_netns_fd(nsfd, netns, err) < 0)
			return fail(err);
		close(nsfd);
		if (become_root_with(0, err) < 0)
			return fail(err);
		return cmd_dump(arg);
	}

	if (strcmp(cmd, "check") == 0) {
		/* Answers from the ACL already read: no privilege at all. */
		if (drop_to_caller(caller, 0, err) < 0)
			return fail(err);
		exec_set_peer(caller);
		return cmd_check();
	}

	if (strcmp(cmd, "exec") == 0) {
		int nsfd = -1;
		if (netns && (nsfd = open_netns(netns, err)) < 0)
			return fail(err);
		if (start_tun_opener(nsfd, err) < 0)
			return fail(err);
		/* setns needs CAP_SYS_ADMIN: keep it for that one call only. */
		if (drop_to_caller(caller, (1ULL << CAP_NET_ADMIN) | (nsfd >= 0 ? 1ULL << CAP_SYS_ADMIN : 0), err) < 0)
			return fail(err);
		if (nsfd >= 0) {
			if (enter_netns_fd(nsfd, netns, err) < 0)
				return fail(err);
			close(nsfd);
		}
		if (caps_keep_net_admin(err) < 0)
			return fail(err);
		exec_set_peer(caller);
		return cmd_exec(netns);
	}
	/* Starting a holder or taking the apply lock: only for someone the ACL lets manage something. */
	if (!acl_any_allow(caller)) {
		fprintf(stderr, "tunform-helper: failed to %s: not permitted: no rule in %s allows uid %lu anything\n",
			strcmp(cmd, "lock") == 0 ? "take the apply lock" : "start the holder", acl_path(),
			(unsigned long)caller->uid);
		return EXIT_OP_FAILED;
	}
	if (strcmp(cmd, "lock") == 0)
		return lock_in_run_dir(netns, caller); /* opens as root, then drops to the caller with no capability */
	/*
	 * The holder serves every user of the namespace, so it runs as root (no
	 * user can signal or trace it) with only CAP_NET_ADMIN once it has entered
	 * the namespace (holder.c), and authorises each request by SO_PEERCRED.
	 */
	if (become_root(err) < 0)
		return fail(err);
	return cmd_holder(netns);
}

int main(int argc, char **argv)
{
	const char *netns = NULL, *cmd, *arg = NULL;
	bool suid = setuid_mode();
	struct peer caller;
	errbuf_t err;
	int i = 1;

	/* Before anything else: fds, environment, dumpability. */
	if (suid && (sanitize_process(err) < 0 || caller_peer(&caller, err) < 0))
		return fail(err);

	if (i + 1 < argc && strcmp(argv[i], "--netns") == 0) {
		netns = argv[i + 1];
		if (!valid_netns_name(netns, err)) {
			fprintf(stderr, "tunform-helper: %s\n", err);
			return EXIT_USAGE;
		}
		i += 2;
	}
	if (i >= argc)
		return usage();
	cmd = argv[i];
	if (i + 2 == argc)
		arg = argv[i + 1];
	else if (i + 1 != argc)
		return usage();

	if ((strcmp(cmd, "exec") == 0 || strcmp(cmd, "check") == 0 || strcmp(cmd, "holder") == 0) && arg)
		return usage();
	if (strcmp(cmd, "acl-check") == 0 && netns)
		return usage();
	if (strcmp(cmd, "lock") == 0 && arg && netns)
		return usage();
	if (strcmp(cmd, "dump") == 0 && (!netns || !arg))
		return usage();
	if (strcmp(cmd, "exec") != 0 && strcmp(cmd, "check") != 0 && strcmp(cmd, "holder") != 0 &&
	    strcmp(cmd, "lock") != 0 && strcmp(cmd, "acl-check") != 0 && strcmp(cmd, "dump") != 0)
		return usage();

	if (suid)
		return run_setuid(netns, cmd, arg, &caller);
	if (strcmp(cmd, "exec") == 0)
		return cmd_exec(netns);
	if (strcmp(cmd, "check") == 0)
		return cmd_check(); /* not setuid: nothing is enforced, every line is allowed (the kernel decides) */
	if (strcmp(cmd, "holder") == 0)
		return cmd_holder(netns);
	if (strcmp(cmd, "acl-check") == 0)
		return cmd_acl_check(arg);
	if (strcmp(cmd, "dump") == 0) {
		if (enter_netns(netns, err) < 0)
			return fail(err);
		return cmd_dump(arg);
	}
	return arg ? cmd_lock(arg, NULL) : lock_in_run_dir(netns, NULL);
}
