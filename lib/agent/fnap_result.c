/* The result the agent's model returns in place of a reply. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "fnap_result.h"

int
result_set(struct result *r, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof r->why, fmt, ap);
	va_end(ap);
	return r->code = code;
}
