/*
 * tunform-helper: the only tunform code that changes tun/tap devices.
 *
 *   tunform-helper [--netns NAME] exec      ops on stdin, one result line per op
 *   tunform-helper [--netns NAME] check     authorise op lines as the caller, run nothing
 *   tunform-helper [--netns NAME] holder    start or reuse the namespace's holder
 *   tunform-helper [--netns NAME] lock      flock the namespace's apply.lock, print `locked`, then serve
 *                                           `unlock`/`lock` lines until EOF
 *   tunform-helper lock PATH                the same on PATH (not in setuid mode)
 *   tunform-helper acl-check [FILE]         validate the ACL, answer queries on stdin
 *   tunform-helper --netns NAME dump links|addrs   the namespace's `ip -j` table
 *
 * One table says which words exist, what each accepts and how it runs with
 * and without setuid; anything else is a usage error. See docs/DESIGN.md,
 * section "Helper", for the line formats, and docs/SECURITY.md for the
 * setuid mode.
 */
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "helper.h"

struct call {
	const char *netns; /* --netns NAME, or NULL */
	const char *arg;   /* the word after the command, or NULL */
	const struct peer *caller; /* setuid mode only */
};

static int usage(void)
{
	fputs("usage: tunform-helper [--netns NAME] exec\n"
	      "       tunform-helper [--netns NAME] check\n"
	      "       tunform-helper [--netns NAME] holder\n"
	      "       tunform-helper [--netns NAME] holder-restart\n"
	      "       tunform-helper [--netns NAME] holder-service\n"
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

/* Commands as root (or whoever runs an ordinary copy): the kernel decides. */
static int plain_exec(const struct call *c)
{
	return cmd_exec(c->netns);
}

static int plain_check(const struct call *c)
{
	(void)c;
	return cmd_check();
}

static int plain_holder(const struct call *c)
{
	return cmd_holder(c->netns);
}

static int plain_holder_restart(const struct call *c)
{
	return cmd_holder_restart(c->netns);
}

static int plain_holder_service(const struct call *c)
{
	return cmd_holder_service(c->netns);
}

static int plain_lock(const struct call *c)
{
	return c->arg ? cmd_lock(c->arg, NULL) : lock_in_run_dir(c->netns, NULL);
}

static int plain_acl_check(const struct call *c)
{
	return cmd_acl_check(c->arg);
}

static int plain_dump(const struct call *c)
{
	errbuf_t err;

	if (enter_netns(c->netns, err) < 0)
		return fail(err);
	return cmd_dump(c->arg);
}

/*
 * Setuid mode: real uid is the caller, effective uid root. Everything the
 * caller controls was cleaned up before we got here (sanitize_process) and
 * the ACL is loaded and enforced for the namespace (setuid_prepare). Each
 * command then gets exactly the privilege it needs.
 */
static int refuse_namespace_use(const struct call *c, const char *what)
{
	fprintf(stderr, "tunform-helper: failed to %s %s%s%s: not permitted: no rule in %s allows uid %lu anything there\n",
		what, c->netns ? "namespace '" : "this namespace", c->netns ? c->netns : "", c->netns ? "'" : "", acl_path(),
		(unsigned long)c->caller->uid);
	return EXIT_DENIED;
}

static int suid_exec(const struct call *c)
{
	errbuf_t err;
	int nsfd = -1;

	if (c->netns) {
		if ((nsfd = open_netns(c->netns, err)) < 0 || enter_netns_fd(nsfd, c->netns, err) < 0)
			return fail(err);
		close(nsfd);
	}
	/* The kernel binds a tun fd to the namespace current at open(): entered first. */
	if (become_unstoppable(1ULL << CAP_NET_ADMIN, err) < 0)
		return fail(err);
	exec_set_peer(c->caller);
	return cmd_exec(c->netns);
}

static int suid_check(const struct call *c)
{
	errbuf_t err;

	/* Answers from the ACL already read: no privilege at all. */
	if (drop_to_caller(c->caller, 0, err) < 0)
		return fail(err);
	exec_set_peer(c->caller);
	return cmd_check();
}

static int suid_holder(const struct call *c)
{
	errbuf_t err;

	if (!acl_may_use_here(c->caller))
		return refuse_namespace_use(c, "start the holder of");
	/*
	 * The holder serves every user of the namespace, so it runs as root (no
	 * user can signal or trace it) with only CAP_NET_ADMIN once it has entered
	 * the namespace (holder.c), and authorises each request by SO_PEERCRED.
	 */
	if (become_root(err) < 0)
		return fail(err);
	return cmd_holder(c->netns);
}

static int suid_holder_restart(const struct call *c)
{
	(void)c;
	fputs("tunform-helper: holder-restart is refused in setuid mode: only root may replace the holder\n", stderr);
	return EXIT_OP_FAILED;
}

static int suid_holder_service(const struct call *c)
{
	(void)c;
	fputs("tunform-helper: holder-service is refused in setuid mode: systemd runs it as root\n", stderr);
	return EXIT_OP_FAILED;
}

static int suid_lock(const struct call *c)
{
	if (c->arg) {
		fputs("tunform-helper: lock PATH is refused in setuid mode; use [--netns NAME] lock\n", stderr);
		return EXIT_USAGE;
	}
	/* Otherwise a user the ACL denies here could block root's applies. */
	if (!acl_may_use_here(c->caller))
		return refuse_namespace_use(c, "take the apply lock of");
	return lock_in_run_dir(c->netns, c->caller); /* opens as root, then drops to the caller with no capability */
}

static int suid_acl_check(const struct call *c)
{
	errbuf_t err;

	if (c->arg) {
		fprintf(stderr, "tunform-helper: acl-check FILE is refused in setuid mode; acl-check reads %s\n", acl_path());
		return EXIT_USAGE;
	}
	/* Reading a world-readable file needs nothing: drop everything first. */
	if (drop_to_caller(c->caller, 0, err) < 0)
		return fail(err);
	return cmd_acl_check(NULL);
}

static int suid_dump(const struct call *c)
{
	errbuf_t err;
	int nsfd;

	/*
	 * Reading a namespace the caller could not enter: for whoever may
	 * manage something in it. The reader must not become a process the
	 * caller can trace or signal there (that would run the caller's code
	 * inside): it stays uid 0, with no capability at all.
	 */
	if (!acl_may_use_here(c->caller))
		return refuse_namespace_use(c, "read");
	if ((nsfd = open_netns(c->netns, err)) < 0 || enter_netns_fd(nsfd, c->netns, err) < 0)
		return fail(err);
	close(nsfd);
	if (become_root_with(0, err) < 0)
		return fail(err);
	return cmd_dump(c->arg);
}

/*
 * The ACL is read while still root, but checked through its fd (acl.c).
 * Without --netns: the namespace the caller is in (ip netns exec), identified
 * while still root. A --netns that names no namespace is refused before
 * anything (a run directory, a lock) is made for it.
 */
static int setuid_prepare(const struct call *c, bool uses_acl)
{
	errbuf_t err;

	if (!uses_acl)
		return 0;
	if (acl_load(acl_path(), err) < 0)
		return fail(err);
	if (c->netns) {
		int fd = open_netns(c->netns, err);
		if (fd < 0)
			return fail(err);
		close(fd);
		acl_enforce(c->netns);
	} else {
		acl_enforce_here();
	}
	return 0;
}

enum { ARG_NONE, ARG_OPTIONAL, ARG_REQUIRED };
enum { NETNS_OPTIONAL, NETNS_FORBIDDEN, NETNS_REQUIRED };

static const struct command {
	const char *word;
	unsigned char arg, netns;
	bool uses_acl; /* in setuid mode */
	int (*setuid)(const struct call *);
	int (*plain)(const struct call *);
} commands[] = {
	{ "exec", ARG_NONE, NETNS_OPTIONAL, true, suid_exec, plain_exec },
	{ "check", ARG_NONE, NETNS_OPTIONAL, true, suid_check, plain_check },
	{ "holder", ARG_NONE, NETNS_OPTIONAL, true, suid_holder, plain_holder },
	{ "holder-restart", ARG_NONE, NETNS_OPTIONAL, false, suid_holder_restart, plain_holder_restart },
	{ "holder-service", ARG_NONE, NETNS_OPTIONAL, false, suid_holder_service, plain_holder_service },
	{ "lock", ARG_OPTIONAL, NETNS_OPTIONAL, true, suid_lock, plain_lock },
	{ "acl-check", ARG_OPTIONAL, NETNS_FORBIDDEN, false, suid_acl_check, plain_acl_check },
	{ "dump", ARG_REQUIRED, NETNS_REQUIRED, true, suid_dump, plain_dump },
};

int main(int argc, char **argv)
{
	const struct command *cmd = NULL;
	struct call call = { 0 };
	bool suid = setuid_mode();
	struct peer caller;
	errbuf_t err;
	int i = 1, r;

	/* Before anything else: fds, environment, dumpability. */
	if (suid && (sanitize_process(err) < 0 || caller_peer(&caller, err) < 0))
		return fail(err);

	if (i + 1 < argc && strcmp(argv[i], "--netns") == 0) {
		call.netns = argv[i + 1];
		if (!valid_netns_name(call.netns, err)) {
			fprintf(stderr, "tunform-helper: %s\n", err);
			return EXIT_USAGE;
		}
		i += 2;
	}
	if (i >= argc)
		return usage();
	for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
		if (strcmp(argv[i], commands[k].word) == 0)
			cmd = &commands[k];
	if (!cmd || argc - i > 2)
		return usage();
	call.arg = argc - i == 2 ? argv[i + 1] : NULL;
	if ((cmd->arg == ARG_NONE && call.arg) || (cmd->arg == ARG_REQUIRED && !call.arg))
		return usage();
	if ((cmd->netns == NETNS_FORBIDDEN && call.netns) || (cmd->netns == NETNS_REQUIRED && !call.netns))
		return usage();
	if (call.arg && call.netns && cmd->arg == ARG_OPTIONAL) /* lock PATH takes no namespace */
		return usage();

	if (!suid)
		return cmd->plain(&call);
	call.caller = &caller;
	if ((r = setuid_prepare(&call, cmd->uses_acl)) != 0)
		return r;
	return cmd->setuid(&call);
}
