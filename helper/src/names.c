/*
 * Name validation. Device names are rejected, never truncated (a truncated
 * name was qemu-bridge-helper's CVE-2019-13164): 1..15 bytes (IFNAMSIZ - 1),
 * no '/', whitespace, ':', '%' (a kernel name template), glob characters,
 * control characters (C0, DEL, and C1 as UTF-8), and not ".", "..", "all" or
 * "default". This is the spec's rule too (src/spec/schema.ts): a test feeds
 * the same names to both and requires the same verdict.
 */
#include <ctype.h>
#include <limits.h>
#include <net/if.h>
#include <string.h>

#include "helper.h"

static bool bad_common(const char *s, const char *what, const char *extra, char *err)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p <= 0x20 || *p == 0x7f || isspace(*p) || (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)) {
			set_errmsg(err, "invalid %s '%s': must not contain whitespace or control characters", what, s);
			return true;
		}
		if (strchr(extra, *p)) {
			set_errmsg(err, "invalid %s '%s': must not contain '%c'", what, s, *p);
			return true;
		}
	}
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0) {
		set_errmsg(err, "invalid %s '%s': must not be '.' or '..'", what, s);
		return true;
	}
	return false;
}

bool valid_ifname(const char *s, char *err)
{
	size_t len = strnlen(s, IFNAMSIZ + 1);

	if (len == 0) {
		set_errmsg(err, "invalid device name '': must be 1 to %d bytes", IFNAMSIZ - 1);
		return false;
	}
	if (len >= IFNAMSIZ) {
		set_errmsg(err, "invalid device name '%.64s%s': longer than %d bytes (names are never truncated)", s,
			   strlen(s) > 64 ? "..." : "", IFNAMSIZ - 1);
		return false;
	}
	if (bad_common(s, "device name", "/:%*?[]", err))
		return false;
	/* /proc/sys/net/ipv4/conf/{all,default} are the kernel's, not devices */
	if (strcmp(s, "all") == 0 || strcmp(s, "default") == 0) {
		set_errmsg(err, "invalid device name '%s': must not be 'all' or 'default'", s);
		return false;
	}
	return true;
}

bool valid_netns_name(const char *s, char *err)
{
	size_t len = strnlen(s, NAME_MAX + 1);

	if (len == 0 || len > NAME_MAX) {
		set_errmsg(err, "invalid namespace name: must be 1 to %d bytes", NAME_MAX);
		return false;
	}
	return !bad_common(s, "namespace name", "/*?[]", err);
}

bool valid_alias(const char *s, char *err)
{
	size_t len = strnlen(s, ALIAS_MAX + 1);

	if (len == 0 || len > ALIAS_MAX) {
		set_errmsg(err, "invalid alias: must be 1 to %d bytes", ALIAS_MAX);
		return false;
	}
	return !bad_common(s, "alias", "", err);
}
