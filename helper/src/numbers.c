/* Numbers and small enums from op lines, with full error checks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "helper.h"

bool parse_long(const char *s, long min, long max, long *out)
{
	char *end = NULL;
	long v;

	if (s == NULL || *s == '\0')
		return false;
	/* strtol accepts leading space and '+': we do not. */
	if (!(*s == '-' || (*s >= '0' && *s <= '9')))
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		return false;
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* uid/gid: 0..UINT32_MAX-1 ((uid_t)-1 means "no owner"), or -1 when allowed. */
bool parse_id(const char *s, bool allow_minus_one, long *out)
{
	if (!parse_long(s, allow_minus_one ? -1 : 0, 4294967294L, out))
		return false;
	return true;
}

bool parse_mode(const char *s, bool *tap)
{
	if (strcmp(s, "tun") == 0)
		*tap = false;
	else if (strcmp(s, "tap") == 0)
		*tap = true;
	else
		return false;
	return true;
}

/* `-` or a comma list of mq, pi, vnet, each at most once. */
bool parse_flags(const char *s, unsigned *flags)
{
	unsigned f = 0;
	const char *p = s;

	if (strcmp(s, "-") == 0) {
		*flags = 0;
		return true;
	}
	while (*p) {
		size_t n = strcspn(p, ",");
		unsigned bit;

		if (n == 2 && strncmp(p, "mq", 2) == 0)
			bit = TF_MQ;
		else if (n == 2 && strncmp(p, "pi", 2) == 0)
			bit = TF_PI;
		else if (n == 4 && strncmp(p, "vnet", 4) == 0)
			bit = TF_VNET;
		else
			return false;
		if (f & bit)
			return false;
		f |= bit;
		p += n;
		if (*p == ',') {
			p++;
			if (*p == '\0')
				return false;
		}
	}
	if (f == 0)
		return false;
	*flags = f;
	return true;
}
