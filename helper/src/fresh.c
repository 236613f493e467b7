/*
 * A daemon that serves root and every user must carry nothing of whoever
 * started it. A setuid exec inherits the caller's resource limits (a 1 s CPU
 * limit would kill the holder later), nice value, scheduling policy, CPU
 * affinity, OOM score (1000: killed first), signal mask and ignored signals,
 * and cgroups (the caller's own cgroup can be frozen or killed by the caller).
 * Each is set to a fixed value here, while still root. Where that needs
 * CAP_SYS_RESOURCE and the machine gives root none (containers), a value the
 * starter lowered cannot be lifted: then the holder refuses to start, rather
 * than serve root from a crippled process. The environment, umask and fds are
 * cleaned by sanitize_process.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "helper.h"

#define STACK_SOFT (8UL * 1024 * 1024)

static int failed(char *err, const char *verb)
{
	int e = errno;

	set_err(err, verb, "tunform-holder", e);
	return -e;
}

static int cannot_lift(char *err, const char *what)
{
	set_errmsg(err, "refusing to start the holder: its starter's %s cannot be undone here (no CAP_SYS_RESOURCE); "
			"start it without lowered limits", what);
	return -EPERM;
}

/* Limits that would kill or starve the holder: unlimited (stack: 8 MiB soft, so the memory layout stays the usual one). */
static int fresh_limits(char *err)
{
	static const struct {
		int res;
		const char *what;
	} vital[] = { { RLIMIT_CPU, "CPU time limit" },   { RLIMIT_AS, "address space limit" },
		      { RLIMIT_DATA, "data size limit" }, { RLIMIT_FSIZE, "file size limit" },
		      { RLIMIT_STACK, "stack size limit" } };

	for (size_t i = 0; i < sizeof vital / sizeof vital[0]; i++) {
		struct rlimit want = { vital[i].res == RLIMIT_STACK ? STACK_SOFT : RLIM_INFINITY, RLIM_INFINITY };
		if (setrlimit(vital[i].res, &want) == 0)
			continue;
		if (errno == EPERM)
			return cannot_lift(err, vital[i].what);
		return failed(err, "reset resource limits of");
	}
	return 0;
}

static int fresh_scheduling(char *err)
{
	struct sched_param sp = { 0 };
	cpu_set_t all;

	CPU_ZERO(&all);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		CPU_SET(cpu, &all);
	if (sched_setscheduler(0, SCHED_OTHER, &sp) < 0 || setpriority(PRIO_PROCESS, 0, 0) < 0 ||
	    sched_setaffinity(0, sizeof all, &all) < 0 || prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0) < 0)
		return failed(err, "reset scheduling of");
	/* I/O priority 0: follow the (reset) nice value, like every new process of root's */
	if (syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, 0) < 0)
		return failed(err, "reset I/O priority of");
	return 0;
}

static int fresh_oom_score(char *err)
{
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	int r = 0;

	if (fd < 0)
		return failed(err, "open the OOM score of");
	if (write(fd, "0\n", 2) != 2)
		r = errno == EACCES || errno == EPERM ? cannot_lift(err, "OOM score adjustment") : failed(err, "reset the OOM score of");
	close(fd);
	return r;
}

static int fresh_signals(char *err)
{
	struct sigaction dfl;
	sigset_t none;

	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && sigaction(sig, &dfl, NULL) < 0 && errno != EINVAL)
			return failed(err, "reset signal handlers of");
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		return failed(err, "reset the signal mask of");
	return 0;
}

/*
 * Into the root cgroup of every writable cgroup hierarchy mounted whole
 * (v2, and each v1 controller). Writing 0 to cgroup.procs moves the writer.
 * A read-only cgroup file system is one the caller cannot use either.
 */
int leave_caller_cgroups(char *err)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	int r = 0;

	if (!f)
		return failed(err, "read the mounts of");
	while (r == 0 && fgets(line, sizeof line, f)) {
		char root[256], point[256], opts[256], fstype[32], path[300];
		const char *dash = strstr(line, " - ");
		int fd;

		if (!dash || sscanf(line, "%*s %*s %*s %255s %255s %255s", root, point, opts) != 3 ||
		    sscanf(dash + 3, "%31s", fstype) != 1)
			continue;
		if ((strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0) || strcmp(root, "/") != 0 ||
		    (strncmp(opts, "ro", 2) == 0 && (opts[2] == ',' || opts[2] == '\0')))
			continue;
		if (snprintf(path, sizeof path, "%s/cgroup.procs", point) >= (int)sizeof path)
			continue;
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0\n", 2) != 2) {
			set_err(err, "move out of the caller's cgroup through", path, errno);
			r = -1;
		}
		if (fd >= 0)
			close(fd);
	}
	fclose(f);
	return r;
}

int fresh_process(char *err)
{
	int r;

	if ((r = fresh_limits(err)) < 0 || (r = fresh_scheduling(err)) < 0 || (r = fresh_oom_score(err)) < 0 ||
	    (r = fresh_signals(err)) < 0 || (r = leave_caller_cgroups(err)) < 0)
		return r;
	return 0;
}
