/*
 * `exec`: a batch of create/set/delete ops on stdin, exactly one result line
 * per op on stdout, in order, flushed as it is made (a crash leaves the
 * results so far readable).
 *
 * create: TUNSETIFF with IFF_TUN_EXCL -> alias -> owner/group -> persist -> close.
 * Until TUNSETPERSIST the device dies with our fd, so a kill in between leaves
 * nothing behind, and a persistent device always carries the marker.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper.h"

#define MAX_TOKENS 8

struct op {
	const char *verb;
	struct tun_spec spec;
	bool has_user, has_group;
	long user, group;
	const char *alias;
};

/* Parses tokens into op; false with err set on a malformed line. */
static bool parse_op(char **tok, int ntok, struct op *op, char *err)
{
	bool is_create = strcmp(op->verb, "create") == 0;
	bool is_set = strcmp(op->verb, "set") == 0;

	if (!is_create && !is_set && strcmp(op->verb, "delete") != 0) {
		set_errmsg(err, "unknown operation '%.32s' (expected create, set or delete)", op->verb);
		return false;
	}
	if (ntok < 4) {
		set_errmsg(err, "malformed line: expected '%s NAME MODE FLAGS ...'", op->verb);
		return false;
	}
	if (!valid_ifname(tok[1], err))
		return false;
	memcpy(op->spec.name, tok[1], strlen(tok[1]) + 1);
	if (!parse_mode(tok[2], &op->spec.tap)) {
		set_errmsg(err, "invalid mode '%.32s' for '%s': expected tun or tap", tok[2], op->spec.name);
		return false;
	}
	if (!parse_flags(tok[3], &op->spec.flags)) {
		set_errmsg(err, "invalid flags '%.32s' for '%s': expected '-' or a comma list of mq, pi, vnet", tok[3],
			   op->spec.name);
		return false;
	}
	for (int i = 4; i < ntok; i++) {
		const char *t = tok[i];
		if (!strcmp(op->verb, "delete")) {
			set_errmsg(err, "unexpected argument '%.32s' for delete", t);
			return false;
		}
		if (strncmp(t, "user=", 5) == 0 && !op->has_user) {
			if (!parse_id(t + 5, is_set, &op->user)) {
				set_errmsg(err, "invalid uid '%.32s' for '%s'", t + 5, op->spec.name);
				return false;
			}
			op->has_user = true;
		} else if (strncmp(t, "group=", 6) == 0 && !op->has_group) {
			if (!parse_id(t + 6, is_set, &op->group)) {
				set_errmsg(err, "invalid gid '%.32s' for '%s'", t + 6, op->spec.name);
				return false;
			}
			op->has_group = true;
		} else if (is_create && strncmp(t, "alias=", 6) == 0 && op->alias == NULL) {
			if (!valid_alias(t + 6, err))
				return false;
			op->alias = t + 6;
		} else {
			set_errmsg(err, "unexpected or repeated argument '%.32s' for %s", t, op->verb);
			return false;
		}
	}
	if (is_create && op->alias == NULL)
		op->alias = "tunform";
	return true;
}

static int do_create(const struct op *op, char *err)
{
	const char *name = op->spec.name;
	int fd, r;

	fd = tun_open(&op->spec, true, err);
	if (fd < 0)
		return fd;
	r = nl_set_alias(name, op->alias, err);
	if (r < 0)
		goto out;
	if (op->has_user && (r = tun_set_owner(fd, name, op->user, err)) < 0)
		goto out;
	if (op->has_group && (r = tun_set_group(fd, name, op->group, err)) < 0)
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

	fd = tun_attach_existing(&op->spec, err);
	if (fd < 0)
		return fd;
	/* Our transient queue must not steal flows from readers. */
	if ((op->spec.flags & TF_MQ) && (r = tun_detach_queue(fd, name, err)) < 0)
		goto out;
	if (op->has_user && (r = tun_set_owner(fd, name, op->user, err)) < 0)
		goto out;
	if (op->has_group && (r = tun_set_group(fd, name, op->group, err)) < 0)
		goto out;
out:
	close(fd);
	return r;
}

static int do_delete(const struct op *op, char *err)
{
	int fd, r;

	fd = tun_attach_existing(&op->spec, err);
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

static int run_line(char *line, bool *failed)
{
	char *tok[MAX_TOKENS + 1];
	char *save = NULL;
	int ntok = 0;
	struct op op;
	errbuf_t err;
	int r;

	for (char *t = strtok_r(line, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
		if (ntok == MAX_TOKENS + 1)
			break;
		tok[ntok++] = t;
	}
	if (ntok == 0)
		return 0; /* blank line: not an op */

	memset(&op, 0, sizeof op);
	op.verb = tok[0];
	if (ntok > MAX_TOKENS) {
		set_errmsg(err, "malformed line: too many arguments");
		r = -EINVAL;
	} else if (!parse_op(tok, ntok, &op, err)) {
		r = -EINVAL;
	} else if (strcmp(op.verb, "create") == 0) {
		r = do_create(&op, err);
	} else if (strcmp(op.verb, "set") == 0) {
		r = do_set(&op, err);
	} else {
		r = do_delete(&op, err);
	}
	if (r < 0) {
		*failed = true;
		printf("error %.32s %.64s: %s\n", op.verb, ntok > 1 ? tok[1] : "-", err);
	} else {
		printf("ok %s %s\n", op.verb, op.spec.name);
	}
	if (fflush(stdout) != 0)
		return -errno;
	return 0;
}

int cmd_exec(const char *netns)
{
	char *line = NULL;
	size_t cap = 0;
	bool failed = false;
	errbuf_t err;
	int status = EXIT_OP_FAILED;

	if (netns && enter_netns(netns, err) < 0) {
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
