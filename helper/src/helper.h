/* tunform-helper: shared declarations. One concern per .c file. */
#ifndef TUNFORM_HELPER_H
#define TUNFORM_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define RUN_DIR "/run/tunform"
#define ALIAS_MAX 255 /* IFALIASZ - 1 */

/* Exit statuses of the helper. */
enum { EXIT_OPS_OK = 0, EXIT_OP_FAILED = 1, EXIT_USAGE = 2 };

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

/* numbers.c */
bool parse_long(const char *s, long min, long max, long *out);
bool parse_id(const char *s, bool allow_minus_one, long *out); /* uid/gid; -1 = none */
bool parse_mode(const char *s, bool *tap);
bool parse_flags(const char *s, unsigned *flags);

/* tun.c — every function returns 0 or -errno and fills err */
int tun_open(const struct tun_spec *spec, bool exclusive, char *err);
int tun_attach_existing(const struct tun_spec *spec, char *err); /* refuses to create */
int tun_detach_queue(int fd, const char *name, char *err);
int tun_set_owner(int fd, const char *name, long uid, char *err);
int tun_set_group(int fd, const char *name, long gid, char *err);
int tun_set_persist(int fd, const char *name, bool on, char *err);
/* 0 if fd is still attached to a device named name, else -errno */
int tun_still_attached(int fd, const char *name);

/* netlink.c */
int nl_set_alias(const char *name, const char *alias, char *err);

/* netns.c */
int enter_netns(const char *netns, char *err);
int run_dir(const char *netns, char *buf, size_t len); /* /run/tunform/netns/NAME or /run/tunform/self */
int mkdir_p(const char *path, mode_t mode, char *err);

/* caps.c */
int caps_keep_net_admin(char *err);
int caps_drop_all(char *err);

/* exec.c, holder.c, lock.c: the commands */
int cmd_exec(const char *netns);
int cmd_holder(const char *netns);
int cmd_lock(const char *path);

/* holder.c: authorisation of every holder request, one place for a later ACL */
struct peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
};
bool authorize(const struct peer *peer, const char *op, const char *name);

/* holder_loop.c: the daemon after it listens; returns an exit status */
int holder_loop(int listen_fd, const char *sock_path);

#endif
