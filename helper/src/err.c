/* Error text: every failure reads "failed to <verb> '<name>': <strerror>". */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "helper.h"

void set_err(char *err, const char *verb, const char *name, int errnum)
{
	snprintf(err, ERRBUF_SIZE, "failed to %s '%s': %s", verb, name, strerror(errnum));
}

void set_errmsg(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, ERRBUF_SIZE, fmt, ap);
	va_end(ap);
}
