/*
 * The holder daemon's single-threaded poll loop and its line protocol.
 *
 *   hold NAME MODE FLAGS      attach (no EXCL); multi-queue: detach the queue at once
 *   release NAME              close the fd
 *   set NAME [user=U|-1] [group=G|-1] [persist=1]   owner, group or persist through the held fd
 *   list                      ok list NAME... (fds still attached)
 *   ping                      ok ping PID
 *   handover                  root only: every fd to the caller, a successor (holder_handover.c); then exit
 *
 * Every request naming a device passes authorize() first (see holder.c).
 *
 * Held fds are never polled or read: they only keep the carrier. Memory per
 * device is one 20-byte table slot. Only client sockets are polled.
 *
 * Exit: when a release left nothing held and the last client has gone; when
 * its namespace is gone; or after IDLE_EXIT_MS with nothing held and no
 * client: a holder started but never given a device, or one whose devices
 * were all deleted some other way (`ip link del`, a run killed between its
 * unlink and its release). Which fds are dead the kernel says (TUNGETIFF),
 * not the table; those checks run every WATCH_INTERVAL_MS (holder_watch.c).
 *
 * Any local user may connect, so no user may starve the others: each uid
 * other than root gets at most MAX_PER_UID connections and all of them
 * together MAX_CLIENTS - ROOT_RESERVE; a non-root client that neither sends
 * nor takes output for CLIENT_IDLE_MS is dropped (also when its output does
 * not drain); a client's input is no longer polled once it has ended, nor
 * while its unread output is above OUT_HIGH_WATER.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "helper.h"

#define MAX_CLIENTS 64
#define ROOT_RESERVE 8
#define MAX_PER_UID 8
#ifndef CLIENT_IDLE_MS
#define CLIENT_IDLE_MS 30000
#endif
#define LINE_MAX_LEN 512
#define OUT_HIGH_WATER (64 * 1024)
#define IDLE_EXIT_MS 5000
/* How often the holder checks its fds, its namespace and its socket file; a sweep of 10,000 fds is about 10 ms. */
#define WATCH_INTERVAL_MS 1000
#define MAX_TOKENS 6

struct held {
	char name[16];
	int fd;
	bool mq;
};

struct client {
	int fd;
	struct peer peer;
	char in[LINE_MAX_LEN];
	size_t inlen;
	bool discarding; /* inside an over-long line */
	bool eof;
	char *out;
	size_t outlen, outcap;
	long active_ms; /* last input read or output taken */
};

static struct held *held;
static size_t nheld, capheld;
static struct client clients[MAX_CLIENTS];
static size_t nclients;
static bool exit_pending;
static struct holder_ctx *ctx;
static bool handed_over; /* everything now belongs to a successor: exit without touching the socket */

static struct held *find_held(const char *name)
{
	for (size_t i = 0; i < nheld; i++)
		if (strcmp(held[i].name, name) == 0)
			return &held[i];
	return NULL;
}

static void drop_held(struct held *h)
{
	holder_fdstore_remove(h->name);
	close(h->fd);
	*h = held[--nheld];
}

static int add_held(const char *name, int fd, bool mq)
{
	if (nheld == capheld) {
		size_t cap = capheld ? capheld * 2 : 64;
		struct held *n = realloc(held, cap * sizeof *n);
		if (!n)
			return -ENOMEM;
		held = n;
		capheld = cap;
	}
	memcpy(held[nheld].name, name, strlen(name) + 1);
	held[nheld].fd = fd;
	held[nheld].mq = mq;
	nheld++;
	return 0;
}

size_t holder_held_count(void)
{
	return nheld;
}

void holder_held_at(size_t i, const char **name, int *fd, bool *mq)
{
	*name = held[i].name;
	*fd = held[i].fd;
	*mq = held[i].mq;
}

int holder_adopt_held(const char *name, int fd, bool mq)
{
	errbuf_t err;

	if (!valid_ifname(name, err) || find_held(name))
		return -EINVAL;
	return add_held(name, fd, mq);
}

/*
 * Drops every fd whose device is gone (TUNGETIFF fails: deleted, or its
 * namespace torn down). A renamed device is still alive and stays held.
 * Returns how many were dropped.
 */
static size_t drop_dead(void)
{
	size_t dropped = 0;

	for (size_t i = nheld; i-- > 0;) {
		int r = tun_still_attached(held[i].fd, held[i].name);
		if (r < 0 && r != -ENODEV) {
			drop_held(&held[i]);
			dropped++;
		}
	}
	return dropped;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void out_append(struct client *c, const char *s, size_t n)
{
	if (c->outlen + n > c->outcap) {
		size_t cap = c->outcap ? c->outcap : 1024;
		char *p;
		while (cap < c->outlen + n)
			cap *= 2;
		p = realloc(c->out, cap);
		if (!p) { /* out of memory: drop this client */
			c->eof = true;
			c->outlen = 0;
			return;
		}
		c->out = p;
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, s, n);
	c->outlen += n;
}

static void reply(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply(struct client *c, const char *fmt, ...)
{
	char line[ERRBUF_SIZE + 128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof line - 2)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	out_append(c, line, (size_t)n);
}

static void op_hold(struct client *c, char **tok, int ntok)
{
	struct tun_spec spec;
	struct held *h;
	errbuf_t err;
	int fd, r;

	if (ntok != 4 || !valid_ifname(tok[1], err) || !parse_mode(tok[2], &spec.tap) ||
	    !parse_flags(tok[3], &spec.flags)) {
		if (ntok == 4 && valid_ifname(tok[1], err))
			set_errmsg(err, "invalid mode or flags for '%s'", tok[1]);
		else if (ntok != 4)
			set_errmsg(err, "malformed line: expected 'hold NAME MODE FLAGS'");
		reply(c, "error hold %.64s: %s", ntok > 1 ? tok[1] : "-", err);
		return;
	}
	memcpy(spec.name, tok[1], strlen(tok[1]) + 1);
	h = find_held(spec.name);
	if (h) {
		if (tun_still_attached(h->fd, spec.name) == 0) {
			reply(c, "ok hold %s", spec.name); /* untouched: no carrier flap */
			return;
		}
		drop_held(h); /* device deleted (or renamed) under us: the fd is dead */
	}
	fd = tun_attach_existing(&spec, false, err);
	if (fd < 0) {
		reply(c, "error hold %s: %s", spec.name, err);
		return;
	}
	/* Never steal flows: a held queue nobody reads would eat its share. */
	if ((spec.flags & TF_MQ) && tun_detach_queue(fd, spec.name, err) < 0) {
		close(fd);
		reply(c, "error hold %s: %s", spec.name, err);
		return;
	}
	r = add_held(spec.name, fd, spec.flags & TF_MQ);
	if (r < 0) {
		close(fd);
		set_err(err, "hold", spec.name, -r);
		reply(c, "error hold %s: %s", spec.name, err);
		return;
	}
	holder_fdstore_add(spec.name, fd);
	reply(c, "ok hold %s", spec.name);
}

static void op_release(struct client *c, char **tok, int ntok)
{
	errbuf_t err;
	struct held *h;

	if (ntok != 2 || !valid_ifname(tok[1], err)) {
		if (ntok != 2)
			set_errmsg(err, "malformed line: expected 'release NAME'");
		reply(c, "error release %.64s: %s", ntok > 1 ? tok[1] : "-", err);
		return;
	}
	h = find_held(tok[1]);
	if (h)
		drop_held(h);
	if (nheld == 0)
		exit_pending = true;
	reply(c, "ok release %s", tok[1]);
}

static void op_set(struct client *c, char **tok, int ntok)
{
	struct owner owner = { .user = -1, .group = -1 };
	bool persist = false;
	struct held *h;
	errbuf_t err;

	if (ntok < 2 || !valid_ifname(tok[1], err)) {
		if (ntok < 2)
			set_errmsg(err, "malformed line: expected 'set NAME [user=UID|-1] [group=GID|-1] [persist=1]'");
		reply(c, "error set %.64s: %s", ntok > 1 ? tok[1] : "-", err);
		return;
	}
	for (int i = 2; i < ntok; i++) {
		int r = parse_owner_word(tok[i], true, &owner, err);
		if (r < 0) {
			reply(c, "error set %s: %s", tok[1], err);
			return;
		} else if (r > 0) {
			continue;
		} else if (strcmp(tok[i], "persist=1") == 0 && !persist) {
			/* A single-queue held device cannot be attached by anyone else: repairs go through us. */
			persist = true;
		} else {
			reply(c, "error set %s: invalid argument '%.32s'", tok[1], tok[i]);
			return;
		}
	}
	h = find_held(tok[1]);
	if (!h || tun_still_attached(h->fd, tok[1]) < 0) {
		reply(c, "error set %s: failed to set '%s': not held", tok[1], tok[1]);
		return;
	}
	if ((owner.has_user && tun_set_owner(h->fd, tok[1], owner.user, err) < 0) ||
	    (owner.has_group && tun_set_group(h->fd, tok[1], owner.group, err) < 0) ||
	    (persist && tun_set_persist(h->fd, tok[1], true, err) < 0)) {
		reply(c, "error set %s: %s", tok[1], err);
		return;
	}
	reply(c, "ok set %s", tok[1]);
}

static void op_handover(struct client *c)
{
	errbuf_t err;

	if (c->peer.uid != 0) {
		reply(c, "error handover -: only root may take over the holder");
		return;
	}
	if (holder_handover_give(ctx, c->fd, err) < 0) {
		reply(c, "error handover -: %s", err);
		return;
	}
	handed_over = true;
}

static void op_list(struct client *c)
{
	out_append(c, "ok list", 7);
	for (size_t i = 0; i < nheld; i++) {
		if (tun_still_attached(held[i].fd, held[i].name) < 0)
			continue;
		out_append(c, " ", 1);
		out_append(c, held[i].name, strlen(held[i].name));
	}
	out_append(c, "\n", 1);
}

static void handle_line(struct client *c, char *line)
{
	char *tok[MAX_TOKENS];
	int ntok = split_words(line, WORD_SEPS, false, tok, MAX_TOKENS);
	const char *name;
	errbuf_t err;

	if (ntok == 0)
		return;
	name = ntok > 1 ? tok[1] : NULL;
	if (ntok > MAX_TOKENS) {
		reply(c, "error %.32s %.64s: malformed line: too many arguments", tok[0], name ? name : "-");
		return;
	}
	/*
	 * Every request that names a valid device is authorised before any op
	 * sees it (an invalid name is refused by the op itself and touches
	 * nothing). What hold and set would set is part of the question.
	 */
	if (name && valid_ifname(name, err)) {
		struct authz a = { .op = tok[0], .name = name, .mode = -1, .mtu = -1 };
		bool tap;
		if (strcmp(tok[0], "hold") == 0) {
			a.hold = true;
			if (ntok > 2 && parse_mode(tok[2], &tap))
				a.mode = tap ? 1 : 0;
		}
		if (strcmp(tok[0], "hold") != 0) {
			/* set and release name no mode: the ACL's `modes` is checked against the held device's */
			struct held *h = find_held(name);
			int mode = h ? tun_fd_mode(h->fd) : -1;
			a.mode = mode >= 0 ? mode : -1;
		}
		if (strcmp(tok[0], "set") == 0) {
			/* What op_set will set: the same parser; a malformed word makes op_set refuse the line. */
			for (int i = 2; i < ntok; i++)
				parse_owner_word(tok[i], true, &a.owner, err);
		}
		if (!authorize(&c->peer, &a, err)) {
			reply(c, "error %.32s %s: %s", tok[0], name, err);
			return;
		}
	}
	if (strcmp(tok[0], "hold") == 0)
		op_hold(c, tok, ntok);
	else if (strcmp(tok[0], "release") == 0)
		op_release(c, tok, ntok);
	else if (strcmp(tok[0], "set") == 0)
		op_set(c, tok, ntok);
	else if (strcmp(tok[0], "list") == 0 && ntok == 1)
		op_list(c);
	else if (strcmp(tok[0], "ping") == 0 && ntok == 1)
		reply(c, "ok ping %ld", (long)getpid());
	else if (strcmp(tok[0], "handover") == 0 && ntok == 1)
		op_handover(c);
	else
		reply(c, "error %.32s %.64s: unknown request (expected hold, release, set, list or ping)", tok[0],
		      name ? name : "-");
}

/* Reads what is there and answers every complete line. */
static void client_read(struct client *c)
{
	for (;;) {
		ssize_t n = read(c->fd, c->in + c->inlen, sizeof c->in - c->inlen);
		char *start, *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno != EAGAIN)
				c->eof = true;
			return;
		}
		if (n == 0) {
			c->eof = true;
			return;
		}
		c->inlen += (size_t)n;
		c->active_ms = now_ms();
		start = c->in;
		while ((nl = memchr(start, '\n', c->inlen - (size_t)(start - c->in))) != NULL) {
			*nl = '\0';
			if (c->discarding)
				c->discarding = false;
			else
				handle_line(c, start);
			start = nl + 1;
			if (handed_over)
				return; /* the connection is the successor's hand-over channel now */
		}
		c->inlen -= (size_t)(start - c->in);
		memmove(c->in, start, c->inlen);
		if (c->inlen == sizeof c->in) {
			if (!c->discarding)
				reply(c, "error - -: line longer than %d bytes", LINE_MAX_LEN - 1);
			c->discarding = true;
			c->inlen = 0;
		}
		if (c->outlen >= OUT_HIGH_WATER)
			return; /* let the client read first */
	}
}

static void client_write(struct client *c)
{
	size_t off = 0;

	while (off < c->outlen) {
		ssize_t n = send(c->fd, c->out + off, c->outlen - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno != EAGAIN)
				c->eof = true, c->outlen = off = 0;
			break;
		}
		off += (size_t)n;
		c->active_ms = now_ms();
	}
	memmove(c->out, c->out + off, c->outlen - off);
	c->outlen -= off;
}

static size_t clients_of(uid_t uid)
{
	size_t n = 0;

	for (size_t i = 0; i < nclients; i++)
		n += clients[i].peer.uid == uid;
	return n;
}

static void accept_clients(int lfd)
{
	for (;;) {
		struct ucred cred;
		socklen_t len = sizeof cred;
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		struct client *c;

		if (fd < 0)
			return; /* EAGAIN, or a transient error: poll again */
		if (nclients == MAX_CLIENTS || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
		    (cred.uid != 0 && (nclients >= MAX_CLIENTS - ROOT_RESERVE || clients_of(cred.uid) >= MAX_PER_UID))) {
			close(fd);
			continue;
		}
		c = &clients[nclients];
		memset(c, 0, sizeof *c);
		c->fd = fd;
		c->peer.pid = cred.pid;
		c->peer.uid = cred.uid;
		c->peer.gid = cred.gid;
		c->active_ms = now_ms();
		if (cred.uid != 0) {
			/*
			 * Group rules need the client's groups; without them a deny rule
			 * could be missed, so a client whose groups we cannot read is
			 * dropped. An ACL edited since it was read is read again, so an
			 * edit takes effect for the next client.
			 */
			socklen_t glen = sizeof c->peer.groups;
			errbuf_t err;
			if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, c->peer.groups, &glen) < 0) {
				close(fd);
				continue;
			}
			c->peer.ngroups = (int)(glen / sizeof(gid_t));
			(void)acl_refresh(err); /* a bad file: authorize() denies, naming the reason */
		}
		nclients++;
		/* a new client may want to hold again: do not exit under it */
		exit_pending = false;
	}
}

/* Milliseconds until the next non-root client goes idle, or -1. */
static long next_idle(long now)
{
	long t = -1;

	for (size_t i = 0; i < nclients; i++) {
		long left;
		if (clients[i].peer.uid == 0)
			continue;
		left = clients[i].active_ms + CLIENT_IDLE_MS - now;
		if (left < 0)
			left = 0;
		if (t < 0 || left < t)
			t = left;
	}
	return t;
}

static void drop_client(size_t i)
{
	close(clients[i].fd);
	free(clients[i].out);
	clients[i] = clients[--nclients];
}

/* One round of checks against the kernel and the filesystem; false when the holder should end. */
static bool watch(struct holder_ctx *h)
{
	if (holder_namespace_gone(h))
		return false;
	holder_keep_socket(h);
	/*
	 * Emptied this way, the holder ends through the idle timer, not at once:
	 * a run replacing its only device holds the new one a moment after the
	 * old one's fd died.
	 */
	(void)drop_dead();
	return true;
}

int holder_loop(struct holder_ctx *h)
{
	struct pollfd pfd[MAX_CLIENTS + 1];
	int status = EXIT_OPS_OK;
	long next_watch = now_ms() + WATCH_INTERVAL_MS;
	long idle_since = now_ms();

	ctx = h;
	for (;;) {
		size_t n = 0;
		long now = now_ms();
		int timeout, r;

		if (now >= next_watch) {
			if (!watch(h))
				break;
			next_watch = now + WATCH_INTERVAL_MS;
		}
		if (nheld > 0 || nclients > 0 || h->service)
			idle_since = now;
		else if (now - idle_since >= IDLE_EXIT_MS)
			break; /* idle with nothing held */
		if (exit_pending && nheld == 0 && nclients == 0 && !h->service)
			break;
		timeout = (int)(next_watch - now);
		if (nheld == 0 && nclients == 0 && idle_since + IDLE_EXIT_MS - now < timeout)
			timeout = (int)(idle_since + IDLE_EXIT_MS - now);
		{
			long idle = next_idle(now);
			if (idle >= 0 && idle < timeout)
				timeout = (int)idle;
		}
		if (timeout < 0)
			timeout = 0;

		pfd[n++] = (struct pollfd){ .fd = h->lfd, .events = POLLIN };
		for (size_t i = 0; i < nclients; i++) {
			const struct client *c = &clients[i];
			short ev = !c->eof && c->outlen < OUT_HIGH_WATER ? POLLIN : 0;
			if (c->outlen)
				ev |= POLLOUT;
			pfd[n++] = (struct pollfd){ .fd = c->fd, .events = ev };
		}
		r = poll(pfd, n, timeout);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			status = EXIT_OP_FAILED;
			break;
		}
		now = now_ms();
		/* clients first: pfd[1..] matches clients[] as built above */
		for (size_t i = nclients; i-- > 0;) {
			struct client *c = &clients[i];
			short rev = pfd[i + 1].revents;
			if (!c->eof && (rev & (POLLIN | POLLHUP | POLLERR)))
				client_read(c);
			if (handed_over)
				break;
			if (c->outlen)
				client_write(c);
			if ((c->eof && (c->outlen == 0 || (rev & (POLLERR | POLLHUP)))) ||
			    (c->peer.uid != 0 && now - c->active_ms >= CLIENT_IDLE_MS))
				drop_client(i);
		}
		if (handed_over)
			return EXIT_OPS_OK; /* the socket, the lock and every device are the successor's now */
		if (pfd[0].revents & POLLIN) {
			/* Never serve a new client for a namespace re-created under the same name. */
			if (holder_namespace_gone(h))
				break;
			accept_clients(h->lfd);
		}
		if (nheld > 0)
			exit_pending = false;
	}
	/* Remove the socket while we still hold the lock (only if it is still ours): the next holder binds afresh. */
	holder_unlink_socket(h);
	close(h->lfd);
	for (size_t i = nheld; i-- > 0;)
		drop_held(&held[i]);
	return status;
}
