/*
 * The setuid helper's ACL (docs/helper-acl.md): deny by default, deny wins.
 *
 *   allow user NAME|UID|* devices PATTERN [netns PATTERN|-] [max-mtu N]
 *         [modes tun|tap|tun,tap] [owner self|any] [keep-carrier yes|no]
 *         [addresses PREFIX[,PREFIX...]]
 *   allow group NAME|GID devices PATTERN [same options]
 *   deny  user NAME|UID|* devices PATTERN [netns PATTERN|-]
 *   deny  group NAME|GID devices PATTERN [netns PATTERN|-]
 *   # comment (a token that starts with '#' starts it)
 *
 * PATTERN: a valid name, or a valid prefix followed by one '*' (`*` alone:
 * every name). The file must be a regular file owned by root and not writable
 * by group or others, and so must every directory from / down to it; each is
 * opened with O_NOFOLLOW and checked through the open fd (no TOCTOU between
 * check and read). Any syntax error refuses the whole file, with its line number.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"

#define ACL_MAX_RULES 4096
#define ACL_MAX_BYTES (256 * 1024)
#define ACL_LINE_MAX 1024
#define ACL_MAX_PREFIXES 16

struct pattern {
	char text[NAME_MAX + 1]; /* literal, or the prefix when prefix is set */
	bool prefix;
};

struct rule {
	int line;
	bool allow;
	bool group;       /* subject is a group */
	bool any;         /* user * */
	unsigned long id; /* uid or gid */
	struct pattern dev;
	bool has_netns, netns_host;
	struct pattern netns;
	long max_mtu;    /* -1: no bound */
	unsigned modes;  /* bit 0 tun, bit 1 tap */
	bool owner_any;  /* owner/group may name others than the caller */
	bool keep_carrier;
	int nprefixes; /* addresses: an added address's subnet must lie in one; none: no address at all */
	struct cidr prefixes[ACL_MAX_PREFIXES];
};

static struct rule *rules;
static size_t nrules;
static bool loaded;                 /* a valid file was read */
static bool enforced;               /* this process authorises every op */
static const char *cur_netns;       /* where the ops of this process run; NULL: the machine's own */
static bool cur_unnamed;            /* ...or a namespace `ip netns` has no name for (then cur_netns is NULL) */
static errbuf_t load_error;         /* why the ACL is unusable, when !loaded */
static struct stat loaded_st;       /* the file read, to notice an edit (acl_refresh) */

const char *acl_path(void)
{
	return TUNFORM_ACL_PATH;
}

void acl_enforce(const char *netns)
{
	enforced = true;
	cur_netns = netns;
	cur_unnamed = false;
}

void acl_enforce_here(void)
{
	static char name[NAME_MAX + 1];
	int kind = netns_identify(name, sizeof name);

	enforced = true;
	cur_netns = kind == NETNS_NAMED ? name : NULL;
	cur_unnamed = kind == NETNS_UNNAMED;
}

bool acl_enforced(void)
{
	return enforced;
}

static bool parse_pattern(const char *s, bool netns, struct pattern *p, char *why)
{
	size_t len = strlen(s);
	const char *what = netns ? "namespace pattern" : "device pattern";

	if (len > 0 && s[len - 1] == '*') {
		if (len - 1 > 0) {
			char prefix[NAME_MAX + 1];
			if (len - 1 > NAME_MAX) {
				set_errmsg(why, "invalid %s '%.64s': too long", what, s);
				return false;
			}
			memcpy(prefix, s, len - 1);
			prefix[len - 1] = '\0';
			/* The prefix obeys the name rules (no second '*', no '/', ...). */
			if (netns ? !valid_netns_name(prefix, why) : !valid_ifname(prefix, why)) {
				set_errmsg(why, "invalid %s '%.64s': only a trailing '*' is allowed, after a valid name prefix",
					   what, s);
				return false;
			}
			memcpy(p->text, prefix, len);
		} else {
			p->text[0] = '\0';
		}
		p->prefix = true;
		return true;
	}
	if (netns ? !valid_netns_name(s, why) : !valid_ifname(s, why)) {
		char inner[ERRBUF_SIZE];
		memcpy(inner, why, ERRBUF_SIZE);
		set_errmsg(why, "invalid %s: %s", what, inner);
		return false;
	}
	memcpy(p->text, s, len + 1);
	p->prefix = false;
	return true;
}

static bool match(const struct pattern *p, const char *s)
{
	return p->prefix ? strncmp(s, p->text, strlen(p->text)) == 0 : strcmp(s, p->text) == 0;
}

/* A user or group of a rule: a numeric id, or a name the system knows (an unknown name is an error, so a deny rule never silently matches nobody). */
static bool parse_principal(const char *who, bool group, unsigned long *id, char *why)
{
	long v;

	if (who[0] >= '0' && who[0] <= '9') {
		if (!parse_id(who, false, &v)) {
			set_errmsg(why, "invalid %s '%.32s'", group ? "gid" : "uid", who);
			return false;
		}
		*id = (unsigned long)v;
		return true;
	}
	if (group) {
		struct group *gr = getgrnam(who);
		if (gr) {
			*id = gr->gr_gid;
			return true;
		}
	} else {
		struct passwd *pw = getpwnam(who);
		if (pw) {
			*id = pw->pw_uid;
			return true;
		}
	}
	set_errmsg(why, "unknown %s '%.64s'", group ? "group" : "user", who);
	return false;
}

static bool parse_subject(const char *kind, const char *who, struct rule *r, char *why)
{
	if (strcmp(kind, "user") != 0 && strcmp(kind, "group") != 0) {
		set_errmsg(why, "expected 'user' or 'group' after '%s', got '%.32s'", r->allow ? "allow" : "deny", kind);
		return false;
	}
	r->group = strcmp(kind, "group") == 0;
	if (!r->group && strcmp(who, "*") == 0) {
		r->any = true;
		return true;
	}
	return parse_principal(who, r->group, &r->id, why);
}

/* Bits past plen are zero: 10.77.0.0/16, not 10.77.1.1/16 (which would read as a host, not a range). */
static bool canonical_prefix(const struct cidr *c)
{
	size_t bytes = c->family == AF_INET ? 4 : 16;

	for (size_t bit = c->plen; bit < bytes * 8; bit++)
		if (c->addr[bit / 8] & (0x80u >> (bit % 8)))
			return false;
	return true;
}

/* `addresses PREFIX[,PREFIX...]` */
static bool parse_prefixes(const char *val, struct rule *r, char *why)
{
	char buf[ACL_LINE_MAX], *words[ACL_MAX_PREFIXES];
	int n;

	if (strlen(val) >= sizeof buf) {
		set_errmsg(why, "invalid addresses: too long");
		return false;
	}
	memcpy(buf, val, strlen(val) + 1);
	n = split_words(buf, ",", false, words, ACL_MAX_PREFIXES);
	if (n > ACL_MAX_PREFIXES) {
		set_errmsg(why, "invalid addresses: more than %d prefixes", ACL_MAX_PREFIXES);
		return false;
	}
	for (int i = 0; i < n; i++) {
		const char *t = words[i];
		struct cidr c;
		if (!parse_cidr(t, &c)) {
			set_errmsg(why, "invalid address prefix '%.64s': expected ADDRESS/PREFIXLEN, e.g. 10.77.0.0/16", t);
			return false;
		}
		if (!canonical_prefix(&c)) {
			set_errmsg(why, "invalid address prefix '%.64s': bits are set after the prefix length", t);
			return false;
		}
		r->prefixes[r->nprefixes++] = c;
	}
	if (r->nprefixes == 0) {
		set_errmsg(why, "invalid addresses '%.32s': expected a comma list of prefixes", val);
		return false;
	}
	return true;
}

/* Does the subnet of a (its address and prefix length) lie inside prefix p? */
static bool prefix_contains(const struct cidr *p, const struct cidr *a)
{
	if (p->family != a->family || a->plen < p->plen)
		return false;
	for (unsigned bit = 0; bit < p->plen; bit++)
		if ((p->addr[bit / 8] ^ a->addr[bit / 8]) & (0x80u >> (bit % 8)))
			return false;
	return true;
}

/* One non-comment line, already split into tokens. */
static bool parse_rule(char **tok, int ntok, struct rule *r, char *why)
{
	bool seen_netns = false, seen_mtu = false, seen_modes = false, seen_owner = false, seen_keep = false,
	     seen_addrs = false;

	if (strcmp(tok[0], "allow") == 0)
		r->allow = true;
	else if (strcmp(tok[0], "deny") == 0)
		r->allow = false;
	else {
		set_errmsg(why, "expected 'allow' or 'deny', got '%.32s'", tok[0]);
		return false;
	}
	if (ntok < 5 || strcmp(tok[3], "devices") != 0) {
		set_errmsg(why, "expected '%s user|group WHO devices PATTERN [options]'", tok[0]);
		return false;
	}
	if (!parse_subject(tok[1], tok[2], r, why))
		return false;
	if (!parse_pattern(tok[4], false, &r->dev, why))
		return false;
	r->max_mtu = -1;
	r->modes = 3;
	r->keep_carrier = true;
	for (int i = 5; i < ntok; i += 2) {
		const char *key = tok[i], *val = i + 1 < ntok ? tok[i + 1] : NULL;
		bool allow_only = strcmp(key, "netns") != 0;

		if (!val) {
			set_errmsg(why, "option '%.32s' needs a value", key);
			return false;
		}
		if (allow_only && !r->allow && (!strcmp(key, "max-mtu") || !strcmp(key, "modes") || !strcmp(key, "owner") ||
						!strcmp(key, "keep-carrier") || !strcmp(key, "addresses"))) {
			set_errmsg(why, "option '%s' only applies to allow rules (a deny rule denies everything it matches)",
				   key);
			return false;
		}
		if (strcmp(key, "netns") == 0 && !seen_netns) {
			seen_netns = r->has_netns = true;
			if (strcmp(val, "-") == 0)
				r->netns_host = true;
			else if (!parse_pattern(val, true, &r->netns, why))
				return false;
		} else if (strcmp(key, "max-mtu") == 0 && !seen_mtu) {
			seen_mtu = true;
			if (!parse_long(val, 68, 65535, &r->max_mtu)) {
				set_errmsg(why, "invalid max-mtu '%.32s': expected 68 to 65535", val);
				return false;
			}
		} else if (strcmp(key, "modes") == 0 && !seen_modes) {
			seen_modes = true;
			if (strcmp(val, "tun") == 0)
				r->modes = 1;
			else if (strcmp(val, "tap") == 0)
				r->modes = 2;
			else if (strcmp(val, "tun,tap") == 0 || strcmp(val, "tap,tun") == 0)
				r->modes = 3;
			else {
				set_errmsg(why, "invalid modes '%.32s': expected tun, tap or tun,tap", val);
				return false;
			}
		} else if (strcmp(key, "owner") == 0 && !seen_owner) {
			seen_owner = true;
			if (strcmp(val, "self") == 0)
				r->owner_any = false;
			else if (strcmp(val, "any") == 0)
				r->owner_any = true;
			else {
				set_errmsg(why, "invalid owner '%.32s': expected self or any", val);
				return false;
			}
		} else if (strcmp(key, "keep-carrier") == 0 && !seen_keep) {
			seen_keep = true;
			if (strcmp(val, "yes") == 0)
				r->keep_carrier = true;
			else if (strcmp(val, "no") == 0)
				r->keep_carrier = false;
			else {
				set_errmsg(why, "invalid keep-carrier '%.32s': expected yes or no", val);
				return false;
			}
		} else if (strcmp(key, "addresses") == 0 && !seen_addrs) {
			seen_addrs = true;
			if (!parse_prefixes(val, r, why))
				return false;
		} else if (!strcmp(key, "netns") || !strcmp(key, "max-mtu") || !strcmp(key, "modes") ||
			   !strcmp(key, "owner") || !strcmp(key, "keep-carrier") || !strcmp(key, "addresses")) {
			set_errmsg(why, "option '%s' given twice", key);
			return false;
		} else {
			set_errmsg(why, "unknown option '%.32s' (expected netns, max-mtu, modes, owner, keep-carrier or addresses)",
				   key);
			return false;
		}
	}
	return true;
}

/* The file, and every directory above it, must be root's and writable by nobody else. */
static bool safe_owner(const struct stat *st, const char *path, const char *what, char *err)
{
	if (st->st_uid != 0) {
		set_errmsg(err, "refusing ACL %s: %s is owned by uid %lu, not root", path, what, (unsigned long)st->st_uid);
		return false;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		set_errmsg(err, "refusing ACL %s: %s is writable by %s (mode %04o; %s)", path, what,
			   (st->st_mode & S_IWOTH) ? "others" : "its group", (unsigned)(st->st_mode & 07777),
			   S_ISDIR(st->st_mode) ? "make it 0755 or keep the ACL out of it" : "make it 0644");
		return false;
	}
	return true;
}

/*
 * Opens the ACL's directory from / one component at a time, checking each
 * directory through its fd: whoever can write any ancestor can rename the
 * ACL's directory away and put another in its place (a sticky /tmp only stops
 * others' entries from being renamed, not new ones from appearing). No
 * symlinks (O_NOFOLLOW), no '.' or '..'. Returns the directory's fd or -1.
 */
static int open_acl_dir(const char *path, char *err)
{
	char dir[PATH_MAX], what[PATH_MAX + 16];
	char *c = dir + 1, *slash;
	struct stat st;
	int fd, next;

	memcpy(dir, path, strlen(path) + 1);
	*strrchr(dir, '/') = '\0'; /* path starts with '/' (checked by the caller) */
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		set_errmsg(err, "cannot read ACL %s: failed to open '/': %s", path, strerror(errno));
		goto fail;
	}
	if (!safe_owner(&st, path, "directory /", err))
		goto fail;
	while (*c) {
		slash = strchr(c, '/');
		if (slash)
			*slash = '\0';
		if (!*c || !strcmp(c, ".") || !strcmp(c, "..")) {
			set_errmsg(err, "refusing ACL %s: '.', '..' or an empty name in its path", path);
			goto fail;
		}
		next = openat(fd, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			set_errmsg(err, "cannot read ACL %s: %s: %s%s", path, dir,
				   errno == ELOOP || errno == ENOTDIR ? "is a symlink or not a directory" : strerror(errno),
				   errno == ENOENT ? " (no ACL: every request of a user is denied)" : "");
			goto fail;
		}
		close(fd);
		fd = next;
		snprintf(what, sizeof what, "directory %s", dir);
		if (fstat(fd, &st) < 0) {
			set_errmsg(err, "cannot read ACL %s: failed to stat '%s': %s", path, dir, strerror(errno));
			goto fail;
		}
		if (!safe_owner(&st, path, what, err))
			goto fail;
		if (!slash)
			break;
		*slash = '/';
		c = slash + 1;
	}
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

static int parse_file(FILE *f, const char *path, char *err)
{
	char *line = NULL;
	size_t cap = 0, total = 0;
	ssize_t n;
	int lineno = 0, r = 0;

	while ((n = getline(&line, &cap, f)) >= 0) {
		char *tok[16];
		int ntok;
		errbuf_t why;

		lineno++;
		total += (size_t)n;
		if (total > ACL_MAX_BYTES) {
			set_errmsg(err, "%s:%d: file larger than %d bytes", path, lineno, ACL_MAX_BYTES);
			r = -1;
			break;
		}
		if (strlen(line) != (size_t)n) {
			set_errmsg(err, "%s:%d: NUL byte in line", path, lineno);
			r = -1;
			break;
		}
		if (n > ACL_LINE_MAX) {
			set_errmsg(err, "%s:%d: line longer than %d bytes", path, lineno, ACL_LINE_MAX);
			r = -1;
			break;
		}
		ntok = split_words(line, WORD_SEPS, true, tok, 16);
		if (ntok == 0)
			continue;
		if (ntok > 15) {
			set_errmsg(err, "%s:%d: too many words", path, lineno);
			r = -1;
			break;
		}
		if (nrules == ACL_MAX_RULES) {
			set_errmsg(err, "%s:%d: more than %d rules", path, lineno, ACL_MAX_RULES);
			r = -1;
			break;
		}
		memset(&rules[nrules], 0, sizeof rules[nrules]);
		rules[nrules].line = lineno;
		if (!parse_rule(tok, ntok, &rules[nrules], why)) {
			set_errmsg(err, "%s:%d: %s", path, lineno, why);
			r = -1;
			break;
		}
		nrules++;
	}
	if (r == 0 && ferror(f)) {
		set_errmsg(err, "failed to read ACL %s: %s", path, strerror(errno));
		r = -1;
	}
	free(line);
	return r;
}

int acl_load(const char *path, char *err)
{
	struct stat st;
	FILE *f;
	int fd, dfd, r;

	loaded = false;
	nrules = 0;
	if (!rules && !(rules = calloc(ACL_MAX_RULES, sizeof *rules))) {
		set_errmsg(err, "failed to read ACL %s: out of memory", path);
		goto fail;
	}
	if (strlen(path) >= PATH_MAX || path[0] != '/') {
		set_errmsg(err, "refusing ACL %s: not an absolute path", path);
		goto fail;
	}
	dfd = open_acl_dir(path, err);
	if (dfd < 0)
		goto fail;
	fd = openat(dfd, strrchr(path, '/') + 1, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	r = errno;
	close(dfd);
	errno = r;
	if (fd < 0) {
		set_errmsg(err, "cannot read ACL %s: %s%s", path, errno == ELOOP ? "it is a symlink" : strerror(errno),
			   errno == ENOENT ? " (no ACL: every request of a user is denied)" : "");
		goto fail;
	}
	/* Check the file we opened, not the name: no window between check and read. */
	if (fstat(fd, &st) < 0) {
		set_errmsg(err, "cannot read ACL %s: %s", path, strerror(errno));
		close(fd);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		set_errmsg(err, "refusing ACL %s: not a regular file", path);
		close(fd);
		goto fail;
	}
	if (!safe_owner(&st, path, "the file", err)) {
		close(fd);
		goto fail;
	}
	f = fdopen(fd, "r");
	if (!f) {
		set_errmsg(err, "cannot read ACL %s: %s", path, strerror(errno));
		close(fd);
		goto fail;
	}
	r = parse_file(f, path, err);
	fclose(f);
	if (r < 0)
		goto fail;
	loaded = true;
	loaded_st = st;
	return 0;
fail:
	memset(&loaded_st, 0, sizeof loaded_st);
	nrules = 0;
	memcpy(load_error, err, ERRBUF_SIZE);
	return -1;
}

/*
 * The holder asks on every non-root connection. The file is read again (with
 * every check, and the name lookups) only when it is not the one read last:
 * another inode, size, modification or change time.
 */
int acl_refresh(char *err)
{
	struct stat st;

	if (loaded && stat(acl_path(), &st) == 0 && st.st_dev == loaded_st.st_dev && st.st_ino == loaded_st.st_ino &&
	    st.st_size == loaded_st.st_size && st.st_mtim.tv_sec == loaded_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == loaded_st.st_mtim.tv_nsec && st.st_ctim.tv_sec == loaded_st.st_ctim.tv_sec &&
	    st.st_ctim.tv_nsec == loaded_st.st_ctim.tv_nsec)
		return 0;
	return acl_load(acl_path(), err);
}

static bool peer_in_group(const struct peer *p, unsigned long gid)
{
	if (p->gid == gid)
		return true;
	for (int i = 0; i < p->ngroups; i++)
		if (p->groups[i] == gid)
			return true;
	return false;
}

static bool subject_matches(const struct rule *r, const struct peer *p)
{
	return r->group ? peer_in_group(p, r->id) : (r->any || r->id == p->uid);
}

/*
 * Does r's `netns` cover the namespace being enforced? In a namespace that
 * could not be identified (unnamed, or pid 1's namespace unreadable) an allow
 * rule with `netns` never applies and a deny rule with `netns` always does:
 * not knowing where we are must never grant, nor lift a denial.
 */
static bool rule_applies_here(const struct rule *r)
{
	if (!r->has_netns)
		return true;
	if (cur_unnamed)
		return !r->allow;
	return r->netns_host ? cur_netns == NULL : (cur_netns != NULL && match(&r->netns, cur_netns));
}

static bool rule_matches(const struct rule *r, const struct peer *p, const char *name)
{
	return subject_matches(r, p) && match(&r->dev, name) && rule_applies_here(r);
}

/* Why an allow rule that matches does not cover this request, or NULL. */
static const char *rule_refuses(const struct rule *r, const struct peer *p, const struct authz *q, char *why)
{
	if (q->mode >= 0 && !(r->modes & (1u << q->mode))) {
		set_errmsg(why, "mode %s is not allowed (line %d: modes %s)", q->mode ? "tap" : "tun", r->line,
			   r->modes == 1 ? "tun" : "tap");
		return why;
	}
	if (q->mtu >= 0 && r->max_mtu >= 0 && q->mtu > r->max_mtu) {
		set_errmsg(why, "mtu %ld is above max-mtu %ld (line %d)", q->mtu, r->max_mtu, r->line);
		return why;
	}
	/* A point-to-point address puts both ends on the device: each must lie in one allowed prefix. */
	for (int end = 0; end < 2; end++) {
		const struct cidr *c = end == 0 ? q->addr : q->peer;
		bool inside = false;
		if (!c)
			continue;
		for (int i = 0; i < r->nprefixes && !inside; i++)
			inside = prefix_contains(&r->prefixes[i], c);
		if (!inside) {
			set_errmsg(why, "%saddress %s is not within the addresses line %d allows%s", end ? "the peer of " : "", q->addr_text, r->line,
				   r->nprefixes ? "" : " (it has no addresses option: no address may be added)");
			return why;
		}
	}
	if (q->hold && !r->keep_carrier) {
		set_errmsg(why, "keep-carrier is not allowed (line %d: keep-carrier no)", r->line);
		return why;
	}
	/* Root as owner (a private device: only CAP_NET_ADMIN attaches) only narrows who may attach. */
	if (!r->owner_any && q->owner.has_user && q->owner.user != (long)p->uid && q->owner.user != 0) {
		set_errmsg(why, "owner %ld is neither you (uid %lu) nor root and line %d does not say 'owner any'", q->owner.user,
			   (unsigned long)p->uid, r->line);
		return why;
	}
	if (!r->owner_any && q->owner.has_group && (q->owner.group < 0 || !peer_in_group(p, (unsigned long)q->owner.group))) {
		set_errmsg(why, "group %ld is not one of your groups and line %d does not say 'owner any'", q->owner.group,
			   r->line);
		return why;
	}
	return NULL;
}

/* Does the deny pattern d match every name the allow pattern a matches? */
static bool pattern_covers(const struct pattern *d, const struct pattern *a)
{
	if (!d->prefix)
		return !a->prefix && strcmp(d->text, a->text) == 0;
	return strncmp(a->text, d->text, strlen(d->text)) == 0;
}

/*
 * May the caller use the enforced namespace at all: read its tables (dump),
 * take its apply lock, start its holder? Only when an allow rule for the
 * caller applies there and still grants some device once the deny rules that
 * apply there are taken away. Otherwise a user the ACL denies (or ignores)
 * could block root's applies or start the holder root's holds go through.
 */
bool acl_may_use_here(const struct peer *peer)
{
	if (!enforced || peer->uid == 0)
		return true;
	for (size_t i = 0; i < nrules; i++) {
		const struct rule *a = &rules[i];
		bool denied = false;
		if (!a->allow || !subject_matches(a, peer) || !rule_applies_here(a))
			continue;
		for (size_t j = 0; j < nrules && !denied; j++) {
			const struct rule *d = &rules[j];
			denied = !d->allow && subject_matches(d, peer) && rule_applies_here(d) && pattern_covers(&d->dev, &a->dev);
		}
		if (!denied)
			return true;
	}
	return false;
}

/*
 * The one check in front of every op of a setuid exec and every holder
 * request. Root, and any caller of a helper that does not enforce the ACL
 * (not setuid: the kernel decides), pass. Otherwise: a request without a
 * device (ping, list) passes; a device request passes only when no deny rule
 * matches it and at least one matching allow rule covers every value it sets.
 */
bool authorize(const struct peer *peer, const struct authz *q, char *err)
{
	const char *refusal = NULL;
	errbuf_t why;

	if (!enforced || peer->uid == 0)
		return true;
	if (!loaded) {
		set_errmsg(err, "failed to %.32s '%.64s': not permitted: %s", q->op, q->name ? q->name : "-", load_error);
		return false;
	}
	if (q->name == NULL)
		return true;
	for (size_t i = 0; i < nrules; i++) {
		if (!rules[i].allow && rule_matches(&rules[i], peer, q->name)) {
			set_errmsg(err, "failed to %.32s '%s': not permitted: denied by %s line %d", q->op, q->name, acl_path(),
				   rules[i].line);
			return false;
		}
	}
	for (size_t i = 0; i < nrules; i++) {
		if (!rules[i].allow || !rule_matches(&rules[i], peer, q->name))
			continue;
		if (!rule_refuses(&rules[i], peer, q, why))
			return true;
		if (!refusal) {
			static errbuf_t first;
			memcpy(first, why, ERRBUF_SIZE);
			refusal = first;
		}
	}
	if (refusal)
		set_errmsg(err, "failed to %.32s '%s': not permitted: %s", q->op, q->name, refusal);
	else
		set_errmsg(err, "failed to %.32s '%s': not permitted: no rule in %s allows uid %lu to manage '%s'%s%s", q->op,
			   q->name, acl_path(), (unsigned long)peer->uid, q->name,
			   cur_netns ? " in namespace " : cur_unnamed ? " in an unnamed namespace" : "", cur_netns ? cur_netns : "");
	return false;
}
