/* http-test: the cases of http.test through lib/common/broker_http's
   Retry-After reading and backoff (unit.h, README). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "broker_http.h"
#include "unit.h"

#define DRAWS 1000

/* retry-after NOW VALUE: the delay in ms, or "invalid"; backoff ATTEMPT
   LO HI: "ok" when DRAWS delays all lie in [LO, HI], else the first that
   does not */
static int
check(const struct unit_case *c, struct unit_out *out)
{
	long long now, attempt, lo, hi;
	int64_t ms;
	char *s;
	int i, r;

	if (c->nfields == 4 && strcmp(c->field[0], "retry-after") == 0 && unit_number(c, 1, &now) == 0) {
		s = unit_exact(c, 2);
		r = http_retry_after(s, c->len[2], (time_t)now, &ms);
		free(s);
		if (r < 0)
			unit_printf(out, "invalid");
		else
			unit_printf(out, "%lld", (long long)ms);
		return 0;
	}
	if (c->nfields == 5 && strcmp(c->field[0], "backoff") == 0 && unit_number(c, 1, &attempt) == 0 &&
	    unit_number(c, 2, &lo) == 0 && unit_number(c, 3, &hi) == 0) {
		for (i = 0; i < DRAWS; i++)
			if ((ms = http_backoff_ms((int)attempt)) < lo || ms > hi) {
				unit_printf(out, "%lld", (long long)ms);
				return 0;
			}
		unit_printf(out, "ok");
		return 0;
	}
	return -1;
}

int
main(int argc, char **argv)
{
	return unit_main(argc, argv, check);
}
