/*
 * The tun/tap ioctls. Every fd is opened O_CLOEXEC; every function returns an
 * fd or 0 on success and -errno on failure, with err filled in.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "helper.h"

static const char tun_path[] = "/dev/net/tun";

static short kernel_flags(const struct tun_spec *spec)
{
	short f = spec->tap ? IFF_TAP : IFF_TUN;

	if (!(spec->flags & TF_PI))
		f |= IFF_NO_PI;
	if (spec->flags & TF_MQ)
		f |= IFF_MULTI_QUEUE;
	if (spec->flags & TF_VNET)
		f |= IFF_VNET_HDR;
	return f;
}

static int open_with(const struct tun_spec *spec, short extra, const char *verb, char *err)
{
	struct ifreq ifr;
	int fd, r;

	fd = open(tun_path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		set_err(err, "open", tun_path, errno);
		return r;
	}
	memset(&ifr, 0, sizeof ifr);
	memcpy(ifr.ifr_name, spec->name, strlen(spec->name)); /* validated: < IFNAMSIZ */
	ifr.ifr_flags = kernel_flags(spec) | extra;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		r = -errno;
		set_err(err, verb, spec->name, errno);
		close(fd);
		return r;
	}
	return fd;
}

/* Creates a new device: fails with EBUSY if the name exists. */
int tun_open(const struct tun_spec *spec, bool exclusive, char *err)
{
	return open_with(spec, exclusive ? IFF_TUN_EXCL : 0, exclusive ? "create" : "attach", err);
}

/*
 * Attaches to an existing persistent device without ever leaving a new one
 * behind: TUNSETIFF without EXCL would create a missing device, so check the
 * name first and, should it vanish in between, notice the device we made is
 * not persistent and close it (which deletes it).
 */
/*
 * Attaches to the existing device called spec->name, never creating one: if it
 * vanished between the lookup and TUNSETIFF, the kernel would make a new one,
 * which shows as a different ifindex (ifindexes are not reused at once).
 * Non-persistent devices are refused unless allow_transient: only a repair of
 * the persist flag itself attaches to one (it exists because an fd holds it).
 */
int tun_attach_existing(const struct tun_spec *spec, bool allow_transient, char *err)
{
	struct ifreq ifr;
	unsigned before, after;
	int fd, r;

	before = if_nametoindex(spec->name);
	if (before == 0) {
		r = -errno;
		set_err(err, "attach", spec->name, errno);
		return r;
	}
	fd = tun_open(spec, false, err);
	if (fd < 0)
		return fd;
	memset(&ifr, 0, sizeof ifr);
	if (ioctl(fd, TUNGETIFF, &ifr) < 0) {
		r = -errno;
		set_err(err, "inspect", spec->name, errno);
		goto fail;
	}
	after = if_nametoindex(spec->name);
	if (after != before) {
		r = -ENODEV;
		set_errmsg(err, "failed to attach '%s': the device was replaced while attaching", spec->name);
		goto fail;
	}
	if (!(ifr.ifr_flags & IFF_PERSIST) && !allow_transient) {
		r = -ENODEV;
		set_errmsg(err, "failed to attach '%s': not a persistent device", spec->name);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return r;
}

int tun_detach_queue(int fd, const char *name, char *err)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof ifr);
	ifr.ifr_flags = IFF_DETACH_QUEUE;
	if (ioctl(fd, TUNSETQUEUE, &ifr) < 0) {
		int r = -errno;
		set_err(err, "detach queue of", name, errno);
		return r;
	}
	return 0;
}

/* The kernel refuses an invalid id (EINVAL): an owner or group, once set, cannot be cleared. */
static int refuse_clear(const char *what, const char *name, char *err)
{
	set_errmsg(err, "failed to clear %s of '%s': the kernel cannot clear it (replace the device)", what, name);
	return -EINVAL;
}

int tun_set_owner(int fd, const char *name, long uid, char *err)
{
	if (uid == -1)
		return refuse_clear("owner", name, err);
	if (ioctl(fd, TUNSETOWNER, (unsigned long)(uid_t)uid) < 0) {
		int r = -errno;
		set_err(err, "set owner of", name, errno);
		return r;
	}
	return 0;
}

int tun_set_group(int fd, const char *name, long gid, char *err)
{
	if (gid == -1)
		return refuse_clear("group", name, err);
	if (ioctl(fd, TUNSETGROUP, (unsigned long)(gid_t)gid) < 0) {
		int r = -errno;
		set_err(err, "set group of", name, errno);
		return r;
	}
	return 0;
}

int tun_set_persist(int fd, const char *name, bool on, char *err)
{
	if (ioctl(fd, TUNSETPERSIST, on ? 1UL : 0UL) < 0) {
		int r = -errno;
		set_err(err, on ? "make persistent" : "clear persist flag of", name, errno);
		return r;
	}
	return 0;
}

/*
 * A device deleted by someone else leaves our fd detached: TUNGETIFF then
 * fails (EBADFD). A device renamed under us no longer answers to name.
 */
int tun_still_attached(int fd, const char *name)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof ifr);
	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return -errno;
	if (strncmp(ifr.ifr_name, name, IFNAMSIZ) != 0)
		return -ENODEV;
	return 0;
}

/* The mode of the device fd is attached to: what the ACL's `modes` bound checks for ops that name none. */
int tun_fd_mode(int fd)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof ifr);
	if (ioctl(fd, TUNGETIFF, &ifr) < 0)
		return -errno;
	return (ifr.ifr_flags & IFF_TAP) ? 1 : 0;
}
