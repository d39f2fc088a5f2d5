/* rfc3339-test: the cases of rfc3339.test through lib/common/rfc3339 (unit.h, README). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rfc3339.h"
#include "unit.h"

/* parse: nanoseconds since the epoch, or "invalid"; format: the text;
   reformat: the text rfc3339_format writes of what rfc3339_parse read;
   time: what time_parse makes of the text at the now given; text: what
   time_resolved_text passes on of it */
static int
check(const struct unit_case *c, struct unit_out *out)
{
	char text[RFC3339_MAX], pass[64], *s;
	long long ns;
	int64_t v;
	int parsed;

	if (c->nfields == 3 && (strcmp(c->field[0], "parse") == 0 || strcmp(c->field[0], "reformat") == 0)) {
		s = unit_exact(c, 1);
		parsed = rfc3339_parse(s, c->len[1], &v) == 0;
		free(s);
		if (!parsed)
			unit_printf(out, "invalid");
		else if (c->field[0][0] == 'r')
			unit_put(out, text, rfc3339_format(v, text));
		else
			unit_printf(out, "%lld", (long long)v);
		return 0;
	}
	if (c->nfields == 3 && strcmp(c->field[0], "format") == 0 && unit_number(c, 1, &ns) == 0) {
		unit_put(out, text, rfc3339_format(ns, text));
		return 0;
	}
	if (c->nfields == 4 && (strcmp(c->field[0], "time") == 0 || strcmp(c->field[0], "text") == 0) &&
	    unit_number(c, 1, &ns) == 0) {
		if (time_parse(c->field[2], ns, &v) < 0)
			unit_printf(out, "invalid");
		else if (c->field[0][1] == 'e') {
			time_resolved_text(c->field[2], v, pass, sizeof pass);
			unit_printf(out, "%s", pass);
		} else
			unit_printf(out, "%lld", (long long)v);
		return 0;
	}
	return -1;
}

int
main(int argc, char **argv)
{
	return unit_main(argc, argv, check);
}
