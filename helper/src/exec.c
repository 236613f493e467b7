/*
 * `exec`: a batch of create/set/delete ops on stdin, exactly one result line
 * per op on stdout, in order, flushed as it is made (a crash leaves the
 * results so far readable).
 *
 * create: TUNSETIFF with IFF_TUN_EXCL -> alias -> owner/group -> persist -> close.
 * unlink, addr-add, addr-del, mtu, up, down, alias: one rtnetlink request each,
 * on tun/tap links only (netlink.c). Every op passes authorize() first: in
 * setuid mode that is the ACL (acl.c); otherwise the kernel decides.
 * Until TUNSETPERSIST the device dies with our fd, so a kill in between leaves
 * nothing behind, and a persistent device always carries the marker.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper.h"

#define MAX_TOKENS 8

enum verb { V_CREATE, V_SET, V_DELETE, V_UNLINK, V_ADDR_ADD, V_ADDR_DEL, V_MTU, V_UP, V_DOWN, V_ALIAS };

static const struct {
	const char *word;
	enum verb verb;
	const char *usage; /* after the verb */
} verbs[] = {
	{ "create", V_CREATE, "NAME MODE FLAGS [user=UID] [group=GID] [alias=ALIAS]" },
	{ "set", V_SET, "NAME MODE FLAGS [user=UID] [group=GID] [persist=1]" },
	{ "delete", V_DELETE, "NAME MODE FLAGS" },
	{ "unlink", V_UNLINK, "NAME" },
	{ "addr-add", V_ADDR_ADD, "NAME CIDR | NAME LOCAL peer PEER/PREFIXLEN" },
	{ "addr-del", V_ADDR_DEL, "NAME CIDR | NAME LOCAL peer PEER/PREFIXLEN" },
	{ "mtu", V_MTU, "NAME MTU" },
	{ "up", V_UP, "NAME" },
	{ "down", V_DOWN, "NAME" },
	{ "alias", V_ALIAS, "NAME ALIAS" },
};

struct op {
	const char *word;
	enum verb verb;
	struct tun_spec spec;
	struct owner owner;
	bool persist;
	const char *alias;
	long mtu;
	struct cidr cidr;
	const char *cidr_text;
	bool has_peer;
	struct cidr peer; /* cidr is then LOCAL with the peer's prefix length */
	char text[2 * (INET6_ADDRSTRLEN + 8) + 8]; /* `LOCAL peer PEER/PREFIXLEN`, for messages */
};

static bool takes_mode(enum verb v)
{
	return v == V_CREATE || v == V_SET || v == V_DELETE;
}

/* `NAME LOCAL peer PEER/PREFIXLEN`: LOCAL is a bare address of PEER's family. */
static bool parse_peer_addr(char **tok, struct op *op, char *err)
{
	const char *slash = strchr(tok[4], '/');
	char local[INET6_ADDRSTRLEN + 8];
	int n;

	if (!parse_cidr(tok[4], &op->peer) || strchr(tok[2], '/') || !slash) {
		set_errmsg(err, "invalid address '%.64s peer %.64s' for '%s': expected LOCAL peer PEER/PREFIXLEN", tok[2],
			   tok[4], op->spec.name);
		return false;
	}
	n = snprintf(local, sizeof local, "%s%s", tok[2], slash);
	if (n < 0 || (size_t)n >= sizeof local || !parse_cidr(local, &op->cidr) || op->cidr.family != op->peer.family) {
		set_errmsg(err, "invalid address '%.64s peer %.64s' for '%s': LOCAL must be an address of PEER's family",
			   tok[2], tok[4], op->spec.name);
		return false;
	}
	snprintf(op->text, sizeof op->text, "%s peer %s", tok[2], tok[4]);
	op->cidr_text = op->text;
	op->has_peer = true;
	return true;
}

/* Parses tokens into op; false with err set on a malformed line. */
static bool parse_op(char **tok, int ntok, struct op *op, char *err)
{
	size_t i;
	int want;

	for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(tok[0], verbs[i].word) == 0)
			break;
	if (i == sizeof verbs / sizeof verbs[0]) {
		set_errmsg(err, "unknown operation '%.32s' (expected create, set, delete, unlink, addr-add, addr-del, mtu, "
				"up, down or alias)",
			   tok[0]);
		return false;
	}
	op->word = verbs[i].word;
	op->verb = verbs[i].verb;
	want = takes_mode(op->verb) ? 4 : (op->verb == V_UNLINK || op->verb == V_UP || op->verb == V_DOWN) ? 2 : 3;
	/* A point-to-point address is the only op with two more words. */
	if ((op->verb == V_ADDR_ADD || op->verb == V_ADDR_DEL) && ntok == 5 && strcmp(tok[3], "peer") == 0)
		want = 5;
	if (ntok < want || (!takes_mode(op->verb) && ntok > want)) {
		set_errmsg(err, "malformed line: expected '%s %s'", op->word, verbs[i].usage);
		return false;
	}
	if (!valid_ifname(tok[1], err))
		return false;
	memcpy(op->spec.name, tok[1], strlen(tok[1]) + 1);
	switch (op->verb) {
	case V_ADDR_ADD:
	case V_ADDR_DEL:
		if (want == 5)
			return parse_peer_addr(tok, op, err);
		if (!parse_cidr(tok[2], &op->cidr)) {
			set_errmsg(err, "invalid address '%.64s' for '%s': expected ADDRESS/PREFIXLEN", tok[2], op->spec.name);
			return false;
		}
		op->cidr_text = tok[2];
		return true;
	case V_MTU:
		if (!parse_long(tok[2], 68, 65535, &op->mtu)) {
			set_errmsg(err, "invalid mtu '%.32s' for '%s': expected 68 to 65535", tok[2], op->spec.name);
			return false;
		}
		return true;
	case V_ALIAS:
		if (!valid_alias(tok[2], err))
			return false;
		op->alias = tok[2];
		return true;
	case V_UNLINK:
	case V_UP:
	case V_DOWN:
		return true;
	default:
		break;
	}
	if (!parse_mode(tok[2], &op->spec.tap)) {
		set_errmsg(err, "invalid mode '%.32s' for '%s': expected tun or tap", tok[2], op->spec.name);
		return false;
	}
	if (!parse_flags(tok[3], &op->spec.flags)) {
		set_errmsg(err, "invalid flags '%.32s' for '%s': expected '-' or a comma list of mq, pi, vnet", tok[3],
			   op->spec.name);
		return false;
	}
	for (int j = 4; j < ntok; j++) {
		const char *t = tok[j];
		bool is_create = op->verb == V_CREATE, is_set = op->verb == V_SET;
		errbuf_t why;
		int owner;
		if (op->verb == V_DELETE) {
			set_errmsg(err, "unexpected argument '%.32s' for delete", t);
			return false;
		}
		owner = parse_owner_word(t, is_set, &op->owner, why);
		if (owner < 0) {
			set_errmsg(err, "%s for '%s'", why, op->spec.name);
			return false;
		} else if (owner > 0) {
			continue;
		} else if (is_set && strcmp(t, "persist=1") == 0 && !op->persist) {
			/* Repairs a managed device someone made non-persistent; 0 is what delete is for. */
			op->persist = true;
		} else if (is_create && strncmp(t, "alias=", 6) == 0 && op->alias == NULL) {
			if (!valid_alias(t + 6, err))
				return false;
			op->alias = t + 6;
		} else {
			set_errmsg(err, "unexpected or repeated argument '%.32s' for %s", t, op->word);
			return false;
		}
	}
	if (op->verb == V_CREATE && op->alias == NULL)
		op->alias = "tunform";
	return true;
}

/* What authorize() sees of an op. */
static struct authz op_authz(const struct op *op)
{
	struct authz a = { .op = op->word, .name = op->spec.name, .mode = -1, .mtu = -1 };

	if (takes_mode(op->verb))
		a.mode = op->spec.tap ? 1 : 0;
	if (op->verb == V_MTU)
		a.mtu = op->mtu;
	if (op->verb == V_ADDR_ADD) {
		a.addr = &op->cidr;
		a.addr_text = op->cidr_text;
		if (op->has_peer) {
			a.peer = &op->peer;
			a.peer_text = op->cidr_text;
		}
	}
	a.owner = op->owner;
	return a;
}

/*
 * A line as authorize() sees it, for `check` and `acl-check`: any exec op, or
 * the holder's `hold NAME MODE FLAGS` and `release NAME`. Nothing runs.
 */
static bool parse_authz_line(char **tok, int ntok, struct op *op, struct authz *a, char *err)
{
	bool hold = strcmp(tok[0], "hold") == 0;

	if (hold || strcmp(tok[0], "release") == 0) {
		op->word = hold ? "hold" : "release";
		if (ntok != (hold ? 4 : 2)) {
			set_errmsg(err, "malformed line: expected '%s'", hold ? "hold NAME MODE FLAGS" : "release NAME");
			return false;
		}
		if (!valid_ifname(tok[1], err))
			return false;
		memcpy(op->spec.name, tok[1], strlen(tok[1]) + 1);
		*a = (struct authz){ .op = op->word, .name = op->spec.name, .mode = -1, .mtu = -1, .hold = hold };
		if (hold) {
			if (!parse_mode(tok[2], &op->spec.tap)) {
				set_errmsg(err, "invalid mode '%.32s' for '%s': expected tun or tap", tok[2], op->spec.name);
				return false;
			}
			if (!parse_flags(tok[3], &op->spec.flags)) {
				set_errmsg(err, "invalid flags '%.32s' for '%s': expected '-' or a comma list of mq, pi, vnet",
					   tok[3], op->spec.name);
				return false;
			}
			a->mode = op->spec.tap ? 1 : 0;
		}
		return true;
	}
	if (!parse_op(tok, ntok, op, err))
		return false;
	*a = op_authz(op);
	return true;
}

static int do_create(const struct op *op, char *err)
{
	const char *name = op->spec.name;
	int fd, r;

	fd = tun_open(&op->spec, true, err);
	if (fd < 0)
		return fd;
	r = nl_set_alias_of_own(name, op->alias, err);
	if (r < 0)
		goto out;
	if (op->owner.has_user && (r = tun_set_owner(fd, name, op->owner.user, err)) < 0)
		goto out;
	if (op->owner.has_group && (r = tun_set_group(fd, name, op->owner.group, err)) < 0)
		goto out;
	r = tun_set_persist(fd, name, true, err);
out:
	close(fd); /* not persistent yet on failure: the kernel deletes it */
	return r;
}

static int do_set(const struct op *op, char *err)
{
	const char *name = op->spec.name;
	int fd, r = 0;

	fd = tun_attach_existing(&op->spec, op->persist, err);
	if (fd < 0)
		return fd;
	/* Our transient queue must not steal flows from readers. */
	if ((op->spec.flags & TF_MQ) && (r = tun_detach_queue(fd, name, err)) < 0)
		goto out;
	if (op->owner.has_user && (r = tun_set_owner(fd, name, op->owner.user, err)) < 0)
		goto out;
	if (op->owner.has_group && (r = tun_set_group(fd, name, op->owner.group, err)) < 0)
		goto out;
	if (op->persist && (r = tun_set_persist(fd, name, true, err)) < 0)
		goto out;
out:
	close(fd);
	return r;
}

static int do_delete(const struct op *op, char *err)
{
	int fd, r;

	fd = tun_attach_existing(&op->spec, false, err);
	if (fd < 0) {
		/* attach reports its own verb; say what we were doing */
		if (fd == -ENOENT || fd == -ENODEV)
			set_err(err, "delete", op->spec.name, -fd);
		return fd;
	}
	r = tun_set_persist(fd, op->spec.name, false, err);
	close(fd); /* the last fd of a non-persistent device: the kernel deletes it */
	return r;
}

static int run_op(const struct op *op, char *err)
{
	switch (op->verb) {
	case V_CREATE:
		return do_create(op, err);
	case V_SET:
		return do_set(op, err);
	case V_DELETE:
		return do_delete(op, err);
	case V_UNLINK:
		return nl_unlink(op->spec.name, err);
	case V_ADDR_ADD:
	case V_ADDR_DEL:
		return nl_addr(op->spec.name, &op->cidr, op->has_peer ? &op->peer : NULL, op->cidr_text, op->verb == V_ADDR_ADD, err);
	case V_MTU:
		return nl_set_mtu(op->spec.name, (unsigned)op->mtu, err);
	case V_UP:
	case V_DOWN:
		return nl_set_up(op->spec.name, op->verb == V_UP, err);
	case V_ALIAS:
		return nl_set_alias(op->spec.name, op->alias, err);
	}
	return -EINVAL;
}

/* The caller of a setuid exec; unused (and authorize() passes) otherwise. */
static struct peer exec_peer;

/* Parse, authorise, run: every op passes authorize() before it touches anything. */
static int run_line(char *line, bool *failed)
{
	char *tok[MAX_TOKENS];
	int ntok = split_words(line, WORD_SEPS, false, tok, MAX_TOKENS);
	struct op op;
	errbuf_t err;
	int r;

	if (ntok == 0)
		return 0; /* blank line: not an op */

	memset(&op, 0, sizeof op);
	op.word = tok[0];
	if (ntok > MAX_TOKENS) {
		set_errmsg(err, "malformed line: too many arguments");
		r = -EINVAL;
	} else if (!parse_op(tok, ntok, &op, err)) {
		r = -EINVAL;
	} else {
		struct authz a = op_authz(&op);
		/* An op that names no mode is checked against the mode of the live device (the ACL's `modes`). */
		if (a.mode < 0 && acl_enforced()) {
			errbuf_t ignored;
			int mode = nl_tun_mode(op.spec.name, ignored);
			a.mode = mode >= 0 ? mode : -1; /* no such tun/tap device: the op itself fails */
		}
		r = authorize(&exec_peer, &a, err) ? run_op(&op, err) : -EPERM;
	}
	if (r < 0) {
		*failed = true;
		printf("error %.32s %.64s: %s\n", tok[0], ntok > 1 ? tok[1] : "-", err);
	} else {
		printf("ok %s %s\n", op.word, op.spec.name);
	}
	if (fflush(stdout) != 0)
		return -errno;
	return 0;
}

/*
 * `acl-check [FILE]`: validates the ACL (FILE, or the compiled-in path) and
 * answers queries on stdin without running anything:
 *   UID GID[,GID...] NETNS|- OP-LINE      ->  allow OP NAME | deny OP NAME: WHY | error OP NAME: WHY
 * Exit 0 when the file is valid, 1 when it is not (the reason on stderr).
 */
int cmd_acl_check(const char *file)
{
	char *line = NULL;
	size_t cap = 0;
	errbuf_t err;
	int status = EXIT_OP_FAILED;

	if (acl_load(file ? file : acl_path(), err) < 0) {
		fprintf(stderr, "tunform-helper: %s\n", err);
		return EXIT_OP_FAILED;
	}
	while (getline(&line, &cap, stdin) >= 0) {
		char *tok[MAX_TOKENS + 3], *gids[PEER_MAX_GROUPS];
		int ntok = split_words(line, WORD_SEPS, false, tok, MAX_TOKENS + 3), ngids;
		struct peer p = { 0 };
		struct op op;
		struct authz a;
		long v;

		if (ntok == 0)
			continue;
		if (ntok < 4 || !parse_id(tok[0], false, &v)) {
			printf("error - -: expected 'UID GID[,GID...] NETNS|- OP NAME ...'\n");
			continue;
		}
		p.uid = (uid_t)v;
		/* Groups past PEER_MAX_GROUPS, or after an invalid one, are ignored: a query, not a grant. */
		ngids = split_words(tok[1], ",", false, gids, PEER_MAX_GROUPS);
		for (int i = 0; i < ngids && i < PEER_MAX_GROUPS && parse_id(gids[i], false, &v); i++) {
			if (p.ngroups == 0)
				p.gid = (gid_t)v;
			p.groups[p.ngroups++] = (gid_t)v;
		}
		if (strcmp(tok[2], "-") != 0 && !valid_netns_name(tok[2], err)) {
			printf("error - -: %s\n", err);
			continue;
		}
		acl_enforce(strcmp(tok[2], "-") == 0 ? NULL : tok[2]);
		memset(&op, 0, sizeof op);
		if (ntok - 3 > MAX_TOKENS) {
			printf("error %.32s %.64s: malformed line: too many arguments\n", tok[3], ntok > 4 ? tok[4] : "-");
		} else if (!parse_authz_line(tok + 3, ntok - 3, &op, &a, err)) {
			printf("error %.32s %.64s: %s\n", tok[3], ntok > 4 ? tok[4] : "-", err);
		} else {
			if (authorize(&p, &a, err))
				printf("allow %s %s\n", op.word, op.spec.name);
			else
				printf("deny %s %s: %s\n", op.word, op.spec.name, err);
		}
		if (fflush(stdout) != 0)
			goto out;
	}
	status = EXIT_OPS_OK;
out:
	free(line);
	return status;
}

/*
 * `[--netns NAME] check`: op lines on stdin (exec ops, `hold NAME MODE FLAGS`,
 * `release NAME`), authorised exactly as exec and the holder would authorise
 * them for this caller in that namespace, and nothing run. One answer per
 * line: `allow OP NAME`, `deny OP NAME: WHY` or `error OP NAME: WHY`.
 * Exit 0 when every line is allowed, 1 otherwise. The CLI asks this for a
 * whole run before its first change (src/apply/preauthorize.ts).
 */
int cmd_check(void)
{
	char *line = NULL;
	size_t cap = 0;
	bool refused = false, undecided = !acl_enforced() && getuid() != 0;
	int status = EXIT_OP_FAILED;

	while (getline(&line, &cap, stdin) >= 0) {
		char *tok[MAX_TOKENS];
		int ntok = split_words(line, WORD_SEPS, false, tok, MAX_TOKENS);
		struct op op;
		struct authz a;
		errbuf_t err;

		if (ntok == 0)
			continue;
		memset(&op, 0, sizeof op);
		if (ntok > MAX_TOKENS) {
			refused = true;
			printf("error %.32s %.64s: malformed line: too many arguments\n", tok[0], tok[1]);
		} else if (!parse_authz_line(tok, ntok, &op, &a, err)) {
			refused = true;
			printf("error %.32s %.64s: %s\n", tok[0], ntok > 1 ? tok[1] : "-", err);
		} else if (undecided) {
			/* Not setuid and not root: no ACL applies, and what the kernel will say is unknown. */
			refused = true;
			printf("error %s %s: cannot decide: tunform-helper is not setuid root here and you are not root; the kernel decides when the op runs\n",
			       op.word, op.spec.name);
		} else if (authorize(&exec_peer, &a, err)) {
			printf("allow %s %s\n", op.word, op.spec.name);
		} else {
			refused = true;
			printf("deny %s %s: %s\n", op.word, op.spec.name, err);
		}
		if (fflush(stdout) != 0) {
			fprintf(stderr, "tunform-helper: failed to write result: %s\n", strerror(errno));
			goto out;
		}
	}
	if (ferror(stdin)) {
		fprintf(stderr, "tunform-helper: failed to read op lines from stdin: %s\n", strerror(errno));
		goto out;
	}
	status = refused ? EXIT_OP_FAILED : EXIT_OPS_OK;
out:
	free(line);
	return status;
}

/* Called by main in setuid mode, after the drop: ops are authorised as peer. */
void exec_set_peer(const struct peer *peer)
{
	exec_peer = *peer;
}

int cmd_exec(const char *netns)
{
	char *line = NULL;
	size_t cap = 0;
	bool failed = false;
	errbuf_t err;
	int status = EXIT_OP_FAILED;

	/* In setuid mode main has entered the namespace already (it needed CAP_SYS_ADMIN). */
	if (netns && !acl_enforced() && enter_netns(netns, err) < 0) {
		fprintf(stderr, "tunform-helper: %s\n", err);
		goto out;
	}
	if (caps_keep_net_admin(err) < 0) {
		fprintf(stderr, "tunform-helper: %s\n", err);
		goto out;
	}
	errno = 0;
	while (getline(&line, &cap, stdin) >= 0) {
		if (run_line(line, &failed) < 0) {
			fprintf(stderr, "tunform-helper: failed to write result: %s\n", strerror(errno));
			goto out;
		}
	}
	if (ferror(stdin)) {
		fprintf(stderr, "tunform-helper: failed to read ops from stdin: %s\n", strerror(errno));
		goto out;
	}
	status = failed ? EXIT_OP_FAILED : EXIT_OPS_OK;
out:
	free(line);
	return status;
}
