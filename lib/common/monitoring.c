#include "config.h"

#include "monitoring.h"

const char *
mon_state_name(enum mon_state state)
{
	static const char *const names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

	return names[state];
}

enum mon_state
mon_level(int64_t value, int64_t warn, int64_t crit)
{
	if (crit >= 0 && value > crit)
		return MON_CRITICAL;
	if (warn >= 0 && value > warn)
		return MON_WARNING;
	return MON_OK;
}

void
mon_threshold(FILE *f, int64_t v, double unit, const char *after)
{
	if (v >= 0)
		fprintf(f, "%g", v / unit);
	fputs(after, f);
}
