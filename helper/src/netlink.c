/*
 * Minimal rtnetlink: RTM_NEWLINK with IFLA_IFALIAS on an existing link, to set
 * the managed marker. One request, one acknowledgement.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "helper.h"

struct alias_req {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char attrs[RTA_SPACE(ALIAS_MAX + 1)];
};

int nl_set_alias(const char *name, const char *alias, char *err)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct alias_req req;
	struct rtattr *rta;
	union {
		struct nlmsghdr nh;
		char buf[1024];
	} ack;
	size_t alen = strlen(alias);
	unsigned ifindex;
	ssize_t n;
	int fd = -1, r = 0;

	ifindex = if_nametoindex(name);
	if (ifindex == 0) {
		r = -errno;
		set_err(err, "find index of", name, errno);
		goto out;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		r = -errno;
		set_err(err, "open netlink socket for", name, errno);
		goto out;
	}

	memset(&req, 0, sizeof req);
	req.nh.nlmsg_type = RTM_NEWLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.nh.nlmsg_seq = 1;
	req.ifi.ifi_family = AF_UNSPEC;
	req.ifi.ifi_index = (int)ifindex;
	rta = (struct rtattr *)req.attrs;
	rta->rta_type = IFLA_IFALIAS;
	rta->rta_len = RTA_LENGTH(alen);
	memcpy(RTA_DATA(rta), alias, alen);
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof req.ifi) + RTA_ALIGN(rta->rta_len);

	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
		r = -errno;
		set_err(err, "set alias of", name, errno);
		goto out;
	}
	do
		n = recv(fd, &ack, sizeof ack, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		r = -errno;
		set_err(err, "read netlink answer for", name, errno);
		goto out;
	}
	if (n < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) || ack.nh.nlmsg_type != NLMSG_ERROR) {
		r = -EPROTO;
		set_err(err, "read netlink answer for", name, EPROTO);
		goto out;
	}
	{
		const struct nlmsgerr *e = NLMSG_DATA(&ack.nh);
		if (e->error != 0) {
			r = e->error;
			set_err(err, "set alias of", name, -e->error);
			goto out;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	return r;
}
