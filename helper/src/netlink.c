/*
 * Minimal rtnetlink, no library: alias, MTU, link up/down, addresses and link
 * deletion on tun/tap links. Every op first asks the kernel for the link by
 * name (RTM_GETLINK with IFLA_IFNAME) and refuses anything whose kind is not
 * "tun" (the kernel's kind for tun and tap), so the helper can never be made
 * to touch a bridge, a veth or the loopback device. Then one request, one
 * acknowledgement, on one socket per process. Kernel extended-ack messages
 * are appended to the error text.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "helper.h"

#define REQ_SIZE 1024

struct req {
	struct nlmsghdr nh;
	union {
		struct ifinfomsg ifi;
		struct ifaddrmsg ifa;
	};
	char attrs[REQ_SIZE];
};

static int nl_fd = -1;
static unsigned nl_seq;

static int nl_socket(const char *name, char *err)
{
	int one = 1;

	if (nl_fd >= 0)
		return nl_fd;
	nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl_fd < 0) {
		int r = -errno;
		set_err(err, "open netlink socket for", name, errno);
		return r;
	}
	/* Best effort: older kernels simply give no message. */
	(void)setsockopt(nl_fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
	(void)setsockopt(nl_fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
	return nl_fd;
}

static void add_attr(struct req *r, unsigned short type, const void *data, size_t len)
{
	char *base = (char *)r;
	struct rtattr *rta = (struct rtattr *)(base + NLMSG_ALIGN(r->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* "failed to VERB 'NAME': strerror" plus the kernel's extended-ack text when it sent one. */
static void nl_error(const struct nlmsghdr *nh, const struct nlmsgerr *e, const char *verb, const char *name,
		     char *err)
{
	set_err(err, verb, name, -e->error);
	if (!(nh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	{
		size_t off = NLMSG_LENGTH(sizeof *e);
		if (!(nh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - NLMSG_HDRLEN;
		while (off + sizeof(struct nlattr) <= nh->nlmsg_len) {
			const struct nlattr *a = (const struct nlattr *)((const char *)nh + off);
			if (a->nla_len < sizeof *a || off + a->nla_len > nh->nlmsg_len)
				break;
			if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG && a->nla_len > sizeof *a) {
				size_t used = strlen(err);
				snprintf(err + used, ERRBUF_SIZE - used, " (%.*s)", (int)(a->nla_len - sizeof *a - 1),
					 (const char *)(a + 1));
				break;
			}
			off += NLA_ALIGN(a->nla_len);
		}
	}
}

/*
 * Sends r and reads until the answer with our sequence number: an ack (0), an
 * error (-errno, err set) or, for a GET, the object copied into resp (its length).
 */
static int nl_talk(struct req *r, void *resp, size_t resp_len, const char *verb, const char *name, char *err)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	static union {
		struct nlmsghdr nh;
		char buf[32768];
	} in;
	int fd = nl_socket(name, err);

	if (fd < 0)
		return fd;
	r->nh.nlmsg_seq = ++nl_seq;
	if (sendto(fd, r, r->nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
		int e = -errno;
		set_err(err, verb, name, errno);
		return e;
	}
	for (;;) {
		ssize_t n = recv(fd, &in, sizeof in, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = -errno;
			set_err(err, "read netlink answer for", name, errno);
			return e;
		}
		for (struct nlmsghdr *nh = &in.nh; NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_seq != r->nh.nlmsg_seq)
				continue; /* a late answer to an earlier request */
			if (nh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(nh);
				if (nh->nlmsg_len < NLMSG_LENGTH(sizeof *e)) {
					set_err(err, "read netlink answer for", name, EPROTO);
					return -EPROTO;
				}
				if (e->error == 0)
					return 0;
				nl_error(nh, e, verb, name, err);
				return e->error;
			}
			if (resp && nh->nlmsg_len <= resp_len) {
				memcpy(resp, nh, nh->nlmsg_len);
				return (int)nh->nlmsg_len;
			}
			set_err(err, "read netlink answer for", name, EPROTO);
			return -EPROTO;
		}
	}
}

static void init_req(struct req *r, unsigned short type, unsigned short flags, size_t body)
{
	memset(r, 0, sizeof *r);
	r->nh.nlmsg_type = type;
	r->nh.nlmsg_flags = NLM_F_REQUEST | flags;
	r->nh.nlmsg_len = NLMSG_LENGTH(body);
}

/*
 * The link called name, if it is a tun/tap device: its ifindex (> 0), and in
 * *mode (when not NULL) 0 for tun, 1 for tap, -1 if the kernel did not say.
 * Anything else is refused: a missing link with ENODEV, another kind with EPERM.
 */
static int tun_link(const char *name, const char *verb, int *mode, char *err)
{
	static union {
		struct nlmsghdr nh;
		char buf[32768];
	} resp;
	struct req r;
	const struct ifinfomsg *ifi;
	const struct rtattr *rta;
	bool is_tun = false;
	int len, n;

	if (mode)
		*mode = -1;
	init_req(&r, RTM_GETLINK, 0, sizeof r.ifi);
	r.ifi.ifi_family = AF_UNSPEC;
	add_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
	{
		unsigned mask = RTEXT_FILTER_SKIP_STATS;
		add_attr(&r, IFLA_EXT_MASK, &mask, sizeof mask);
	}
	n = nl_talk(&r, &resp, sizeof resp, verb, name, err);
	if (n < 0)
		return n;
	if (resp.nh.nlmsg_type != RTM_NEWLINK || resp.nh.nlmsg_len < NLMSG_LENGTH(sizeof *ifi)) {
		set_err(err, verb, name, EPROTO);
		return -EPROTO;
	}
	ifi = NLMSG_DATA(&resp.nh);
	len = (int)resp.nh.nlmsg_len - (int)NLMSG_LENGTH(sizeof *ifi);
	for (rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type != IFLA_LINKINFO)
			continue;
		int ilen = (int)RTA_PAYLOAD(rta);
		for (const struct rtattr *in = RTA_DATA(rta); RTA_OK(in, ilen); in = RTA_NEXT(in, ilen)) {
			if (in->rta_type == IFLA_INFO_KIND && RTA_PAYLOAD(in) >= 3 &&
			    strncmp(RTA_DATA(in), "tun", RTA_PAYLOAD(in)) == 0)
				is_tun = true;
			if (in->rta_type != IFLA_INFO_DATA || !mode)
				continue;
			int dlen = (int)RTA_PAYLOAD(in);
			for (const struct rtattr *d = RTA_DATA(in); RTA_OK(d, dlen); d = RTA_NEXT(d, dlen))
				if (d->rta_type == IFLA_TUN_TYPE && RTA_PAYLOAD(d) >= 1)
					*mode = *(const unsigned char *)RTA_DATA(d) == IFF_TAP ? 1 : 0;
		}
	}
	if (is_tun)
		return ifi->ifi_index;
	set_errmsg(err, "failed to %s '%s': not a tun/tap device", verb, name);
	return -EPERM;
}

static int tun_link_index(const char *name, const char *verb, char *err)
{
	return tun_link(name, verb, NULL, err);
}

int nl_tun_mode(const char *name, char *err)
{
	int mode, r = tun_link(name, "inspect", &mode, err);

	return r < 0 ? r : mode;
}

static int link_change(const char *name, const char *verb, unsigned short type, unsigned flags, unsigned change,
		       unsigned short attr, const void *data, size_t len, char *err)
{
	struct req r;
	int ifindex = tun_link_index(name, verb, err);

	if (ifindex < 0)
		return ifindex;
	init_req(&r, type, NLM_F_ACK, sizeof r.ifi);
	r.ifi.ifi_family = AF_UNSPEC;
	r.ifi.ifi_index = ifindex;
	r.ifi.ifi_flags = flags;
	r.ifi.ifi_change = change;
	if (attr)
		add_attr(&r, attr, data, len);
	return nl_talk(&r, NULL, 0, verb, name, err);
}

int nl_set_alias(const char *name, const char *alias, char *err)
{
	return link_change(name, "set alias of", RTM_NEWLINK, 0, 0, IFLA_IFALIAS, alias, strlen(alias), err);
}

/*
 * For a device this helper has just made with IFF_TUN_EXCL and still holds:
 * it is a tun/tap device by construction, so the link is named rather than
 * looked up first, which halves the netlink round trips of a create.
 */
int nl_set_alias_of_own(const char *name, const char *alias, char *err)
{
	struct req r;

	init_req(&r, RTM_NEWLINK, NLM_F_ACK, sizeof r.ifi);
	r.ifi.ifi_family = AF_UNSPEC;
	add_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
	add_attr(&r, IFLA_IFALIAS, alias, strlen(alias));
	return nl_talk(&r, NULL, 0, "set alias of", name, err);
}

int nl_set_mtu(const char *name, unsigned mtu, char *err)
{
	return link_change(name, "set mtu of", RTM_NEWLINK, 0, 0, IFLA_MTU, &mtu, sizeof mtu, err);
}

int nl_set_up(const char *name, bool up, char *err)
{
	return link_change(name, up ? "set up" : "set down", RTM_NEWLINK, up ? IFF_UP : 0, IFF_UP, 0, NULL, 0, err);
}

int nl_unlink(const char *name, char *err)
{
	return link_change(name, "delete", RTM_DELLINK, 0, 0, 0, NULL, 0, err);
}

/* A.B.C.D/N or an IPv6 address /N; nothing else (no spaces, no '+', no scope). */
bool parse_cidr(const char *s, struct cidr *out)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen;
	long plen;

	if (!slash || strlen(s) >= sizeof buf)
		return false;
	alen = (size_t)(slash - s);
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, buf, out->addr) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, out->addr) == 1)
		out->family = AF_INET6;
	else
		return false;
	if (slash[1] == '-' || !parse_long(slash + 1, 0, out->family == AF_INET ? 32 : 128, &plen))
		return false;
	out->plen = (unsigned)plen;
	return true;
}

/*
 * c alone: ADDRESS/PREFIXLEN. With peer (same family): `c peer PEER/PREFIXLEN`
 * as ip sends it, IFA_LOCAL is ours, IFA_ADDRESS the peer, and the prefix
 * length the peer's; a delete needs the peer too, or the kernel finds no address.
 */
int nl_addr(const char *name, const struct cidr *c, const struct cidr *peer, const char *text, bool add, char *err)
{
	char verb[96];
	struct req r;
	size_t alen = c->family == AF_INET ? 4 : 16;
	int ifindex;

	snprintf(verb, sizeof verb, add ? "add address %s to" : "delete address %s from", text);
	ifindex = tun_link_index(name, verb, err);
	if (ifindex < 0)
		return ifindex;
	init_req(&r, add ? RTM_NEWADDR : RTM_DELADDR, NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0), sizeof r.ifa);
	r.ifa.ifa_family = (unsigned char)c->family;
	r.ifa.ifa_prefixlen = (unsigned char)(peer ? peer->plen : c->plen);
	r.ifa.ifa_index = (unsigned)ifindex;
	r.ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	add_attr(&r, IFA_LOCAL, c->addr, alen);
	if (peer)
		add_attr(&r, IFA_ADDRESS, peer->addr, alen);
	else if (c->family == AF_INET)
		add_attr(&r, IFA_ADDRESS, c->addr, alen);
	return nl_talk(&r, NULL, 0, verb, name, err);
}
