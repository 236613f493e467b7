/*
 * Capabilities through raw capget/capset (no libcap): once the helper has
 * entered its namespace it keeps only CAP_NET_ADMIN, which is all the tun
 * ioctls and rtnetlink need. A setuid build can call the same function after
 * setresuid with PR_SET_KEEPCAPS (priv.c).
 */
#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "helper.h"

int caps_keep(uint64_t keep, char *err)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data) < 0) {
		int e = errno;
		set_err(err, "read capabilities of", "tunform-helper", e);
		return -e;
	}
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		uint32_t k = (uint32_t)(keep >> (32 * i));
		data[i].permitted &= k;
		/* raise what we keep: setresuid away from 0 cleared the effective set */
		data[i].effective = data[i].permitted;
		data[i].inheritable = 0;
	}
	if (syscall(SYS_capset, &hdr, data) < 0) {
		int e = errno;
		set_err(err, "drop capabilities of", "tunform-helper", e);
		return -e;
	}
	return 0;
}

int caps_keep_net_admin(char *err)
{
	return caps_keep(1ULL << CAP_NET_ADMIN, err);
}

int caps_drop_all(char *err)
{
	return caps_keep(0, err);
}

/*
 * Empties the bounding set but for keep, so nothing this process (or a child,
 * were it ever to exec) can regain another capability. Needs CAP_SETPCAP.
 * Capabilities the running kernel does not know end the loop (EINVAL).
 */
int caps_drop_bounding(uint64_t keep, char *err)
{
	for (int cap = 0; cap < 64; cap++) {
		if (keep & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) < 0)
			break; /* beyond the kernel's last capability */
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
			int e = errno;
			set_err(err, "drop bounding capabilities of", "tunform-helper", e);
			return -e;
		}
	}
	return 0;
}
