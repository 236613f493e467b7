/* Words, numbers and small enums from op lines and the ACL, with full error checks. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "helper.h"

/*
 * The one tokenizer (op lines, holder requests, ACL lines, comma and colon
 * lists): splits s in place at runs of seps into at most max words, stopping
 * at a word that starts with '#' when comments is set. Returns how many, or
 * max + 1 when there were more (the caller refuses the line).
 */
int split_words(char *s, const char *seps, bool comments, char **words, int max)
{
	char *save = NULL;
	int n = 0;

	for (char *w = strtok_r(s, seps, &save); w; w = strtok_r(NULL, seps, &save)) {
		if (comments && w[0] == '#')
			break;
		if (n == max)
			return max + 1;
		words[n++] = w;
	}
	return n;
}

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

/*
 * The one parser of owner arguments, `user=UID` and `group=GID` (`-1`: none,
 * where allow_none), for exec's create and set and the holder's set; what it
 * fills is what the op sets and what authorize() checks. 1: w was one, now in
 * o; 0: w is not one; -1: w is one, but repeated or its id is invalid (err).
 */
int parse_owner_word(const char *w, bool allow_none, struct owner *o, char *err)
{
	bool user = strncmp(w, "user=", 5) == 0;
	bool *has = user ? &o->has_user : &o->has_group;
	long v;

	if (!user && strncmp(w, "group=", 6) != 0)
		return 0;
	if (*has) {
		set_errmsg(err, "repeated argument '%.32s'", w);
		return -1;
	}
	if (!parse_id(w + (user ? 5 : 6), allow_none, &v)) {
		set_errmsg(err, "invalid %s '%.32s'", user ? "uid" : "gid", w + (user ? 5 : 6));
		return -1;
	}
	*has = true;
	*(user ? &o->user : &o->group) = v;
	return 1;
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
