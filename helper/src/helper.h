/* tunform-helper: shared declarations. One concern per .c file. */
#ifndef TUNFORM_HELPER_H
#define TUNFORM_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RUN_DIR "/run/tunform"
#define ALIAS_MAX 255 /* IFALIASZ - 1 */

/* The ACL of the setuid mode. Fixed at build time (`make ACL_PATH=...`), never by env or argv. */
#ifndef TUNFORM_ACL_PATH
#define TUNFORM_ACL_PATH "/etc/tunform/helper.acl"
#endif

struct peer;

/*
 * Exit statuses of the helper. EXIT_DENIED: the ACL refused the caller the
 * namespace (dump, lock, holder start), so tunform can report a permission
 * problem by status instead of by reading the sentence on stderr.
 */
enum { EXIT_OPS_OK = 0, EXIT_OP_FAILED = 1, EXIT_USAGE = 2, EXIT_DENIED = 3 };

/* Device flags as the op lines spell them (`-` or `mq,pi,vnet`). */
enum { TF_MQ = 1u << 0, TF_PI = 1u << 1, TF_VNET = 1u << 2 };

struct tun_spec {
	char name[16];  /* validated, NUL-terminated, 1..15 bytes */
	bool tap;       /* mode */
	unsigned flags; /* TF_* */
};

/* Error text for one failed step: "failed to <verb> '<name>': <strerror>". */
#define ERRBUF_SIZE 512
typedef char errbuf_t[ERRBUF_SIZE];
void set_err(char *err, const char *verb, const char *name, int errnum);
void set_errmsg(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* names.c */
bool valid_ifname(const char *s, char *err);
bool valid_netns_name(const char *s, char *err);
bool valid_alias(const char *s, char *err);

/* Owner arguments of an op (`user=UID`, `group=GID`): what it sets and what authorize() checks. */
struct owner {
	bool has_user, has_group;
	long user, group;
};

/* numbers.c */
#define WORD_SEPS " \t\r\n"
int split_words(char *s, const char *seps, bool comments, char **words, int max);
bool parse_long(const char *s, long min, long max, long *out);
bool parse_id(const char *s, bool allow_minus_one, long *out); /* uid/gid; -1 = none */
int parse_owner_word(const char *w, bool allow_none, struct owner *o, char *err);
bool parse_mode(const char *s, bool *tap);
bool parse_flags(const char *s, unsigned *flags);

/* tun.c — every function returns 0 or -errno and fills err */
int tun_open(const struct tun_spec *spec, bool exclusive, char *err);
int tun_attach_existing(const struct tun_spec *spec, bool allow_transient, char *err); /* refuses to create */
int tun_detach_queue(int fd, const char *name, char *err);
int tun_set_owner(int fd, const char *name, long uid, char *err);
int tun_set_group(int fd, const char *name, long gid, char *err);
int tun_set_persist(int fd, const char *name, bool on, char *err);
int tun_fd_mode(int fd); /* 0 tun, 1 tap, or -errno */
/* 0 if fd is still attached to a device named name, else -errno */
int tun_still_attached(int fd, const char *name);

/* netlink.c: rtnetlink on tun/tap links only (every op checks the link kind) */
struct cidr {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned plen;
};
bool parse_cidr(const char *s, struct cidr *out);
int nl_set_alias(const char *name, const char *alias, char *err);
int nl_set_alias_of_own(const char *name, const char *alias, char *err);
int nl_set_mtu(const char *name, unsigned mtu, char *err);
int nl_set_up(const char *name, bool up, char *err);
int nl_addr(const char *name, const struct cidr *c, const struct cidr *peer, const char *text, bool add, char *err);
int nl_unlink(const char *name, char *err);
int nl_tun_mode(const char *name, char *err); /* 0 tun, 1 tap, -1 unknown, or -errno */

/* netns.c */
int open_netns(const char *netns, char *err); /* O_NOFOLLOW, checked to be a namespace file */
int enter_netns_fd(int fd, const char *netns, char *err);
int enter_netns(const char *netns, char *err);
int run_dir(const char *netns, char *buf, size_t len); /* /run/tunform/netns/NAME or /run/tunform/self-DEV-INO */
int netns_self_id(unsigned long long *dev, unsigned long long *ino); /* this process's namespace (nsfs dev, inode) */
enum { NETNS_HOST, NETNS_NAMED, NETNS_UNNAMED };
int netns_identify(char *name, size_t len); /* NETNS_*; the `ip netns` name into name when NAMED */
int mkdir_p(const char *path, mode_t mode, char *err);
/* /run/tunform[/netns/NAME] as root-owned 0755 directories (users reach the holder socket); path into buf */
int ensure_run_dir(const char *netns, char *buf, size_t len, char *err);

/* caps.c */
int caps_keep(uint64_t keep, char *err);
int caps_keep_net_admin(char *err);
int caps_drop_all(char *err);
int caps_drop_bounding(uint64_t keep, char *err); /* needs CAP_SETPCAP: call while still root */

/* exec.c, holder.c, lock.c, acl.c: the commands */
int cmd_exec(const char *netns);
int cmd_check(void); /* authorise op lines as the caller, run nothing */
int cmd_holder(const char *netns);
int cmd_lock(const char *path, const struct peer *drop_to); /* drop_to: setuid caller, or NULL */
int cmd_acl_check(const char *file);

/* Who asks: the caller of a setuid exec, or a holder client (SO_PEERCRED + SO_PEERGROUPS). */
#define PEER_MAX_GROUPS 256
struct peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
	int ngroups; /* supplementary groups (may include gid) */
	gid_t groups[PEER_MAX_GROUPS];
};

/* One request as authorize() sees it; fields that do not apply are -1 / false. */
struct authz {
	const char *op;   /* the verb as on the line */
	const char *name; /* a validated device name, or NULL (ping, list) */
	int mode;         /* -1, 0 tun, 1 tap */
	long mtu;         /* -1 unless the op sets an MTU */
	struct owner owner;
	bool hold; /* the holder keeps an fd (keep-carrier) */
	const struct cidr *addr; /* an address the op adds, or NULL */
	const char *addr_text;
	const struct cidr *peer; /* its point-to-point peer, or NULL: checked against the same bound */
	const char *peer_text;
};

/*
 * acl.c. acl_enforce() switches the ACL on for this process (setuid mode and
 * the holder); then authorize() is the one check in front of every op.
 */
int acl_load(const char *path, char *err);   /* 0, or -1 with "PATH:LINE: ..." in err */
int acl_refresh(char *err);                  /* acl_load(acl_path()) again only if the file changed since */
void acl_enforce(const char *netns);         /* netns: the namespace ops run in (NULL: the machine's own) */
void acl_enforce_here(void);                 /* ops run in this process's namespace, whichever it is (netns_identify) */
bool acl_enforced(void);
bool acl_may_use_here(const struct peer *peer); /* dump, lock, holder start: some device allowed here, not all denied */
int cmd_dump(const char *what);
bool authorize(const struct peer *peer, const struct authz *req, char *err);
const char *acl_path(void);

/* priv.c: setuid mode */
bool setuid_mode(void);
int sanitize_process(char *err);            /* fds 0-2, environment, umask, not dumpable */
int caller_peer(struct peer *peer, char *err); /* real uid/gid and supplementary groups */
int drop_to_caller(const struct peer *peer, uint64_t keep, char *err);
int become_root(char *err); /* uid/gid 0 everywhere, no supplementary groups */
int become_root_with(uint64_t keep, char *err); /* ...and only the capabilities in keep, bounding set too */
int become_unstoppable(uint64_t keep, char *err); /* uid 0 with keep, stop signals ignored, out of the caller's cgroups */

/* exec.c: the caller whose ops a setuid exec authorises */
void exec_set_peer(const struct peer *peer);

/* fresh.c: limits, scheduling, OOM score, signals and cgroups set anew (call as root, before dropping) */
int fresh_process(char *err);
int leave_caller_cgroups(char *err); /* into the root cgroup of every writable hierarchy */

/* The holder daemon's view of what it serves (holder.c, holder_watch.c, holder_loop.c). */
struct holder_ctx {
	const char *netns; /* NULL: the namespace it was started in */
	char sock_path[600];
	int lfd; /* listening socket, -1 before holder_listen */
	int lock_fd; /* the namespace's flock; handed to a successor with the fds (holder_handover.c) */
	bool service; /* run by systemd (holder-service): it decides when the holder ends, so no idle exit */
	unsigned long long ns_dev, ns_ino; /* the namespace it serves (nsfs) */
	dev_t sock_dev; /* the socket file it bound: removed on exit only if still ours */
	ino_t sock_ino;
};

/* holder_watch.c: checks of the world outside the holder's own tables */
struct sockaddr_un;
int fill_sockaddr(struct sockaddr_un *sa, const char *path); /* -ENAMETOOLONG if it does not fit */
int holder_listen(struct holder_ctx *h, char *err);
bool holder_namespace_gone(const struct holder_ctx *h);
void holder_keep_socket(struct holder_ctx *h);
void holder_unlink_socket(const struct holder_ctx *h);
int close_fds_except(const int *keep, size_t n, char *err);

/* holder_loop.c: the daemon after it listens; returns an exit status */
int holder_loop(struct holder_ctx *h);
size_t holder_held_count(void);
void holder_held_at(size_t i, const char **name, int *fd, bool *mq);
int holder_adopt_held(const char *name, int fd, bool mq); /* a successor's table, filled from its predecessor */

/* holder_handover.c: restart without closing a held fd (SCM_RIGHTS to a successor) */
int holder_handover_give(struct holder_ctx *h, int sock, char *err); /* 0: the successor has everything */
int holder_handover_take(struct holder_ctx *h, char *err);           /* fds taken (>= 0) or -errno */
int holder_start_successor(const char *netns, const char *sock_path); /* holder.c */
int holder_lock_file(const char *netns, char *err);                   /* holder.c: the namespace file holders flock */
int cmd_holder_restart(const char *netns);

/* holder_systemd.c: the holder under systemd (notify, fd store); no-ops without NOTIFY_SOCKET */
int sd_notify_open(char *err);
int sd_notify_ready(void);
void holder_fdstore_add(const char *name, int fd);
void holder_fdstore_remove(const char *name);
int holder_adopt_stored_fds(char *err); /* LISTEN_FDS from systemd's fd store: held again */
int cmd_holder_service(const char *netns); /* holder.c: the holder in the foreground, for systemd */

#endif
