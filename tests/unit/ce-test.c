/* ce-test: the cases of ce.test through lib/common/ce (unit.h, README). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ce.h"
#include "unit.h"

/* parse: "ok" or the reason ce_parse gives; get: the attribute's text or "absent" */
static void
check_parse(const struct unit_case *c, unsigned flags, const char *name, struct unit_out *out)
{
	struct ce_event ev;
	struct ce_error err;
	const struct json_span *v;
	char *line = unit_exact(c, 1);

	if (ce_parse(&ev, line, c->len[1], flags, &err) < 0)
		unit_printf(out, "%s", err.msg);
	else if (!name)
		unit_printf(out, "ok");
	else if ((v = ce_get(&ev, name, strlen(name))))
		unit_put(out, v->p, v->len);
	else
		unit_printf(out, "absent");
	free(line);
}

/* newid: "uuid v4" when the id is 36 lower-case hex digits and dashes, with
   the version and variant of RFC 4122 random UUIDs; else the id */
static void
check_new_id(struct unit_out *out)
{
	char id[37];
	int i, ok = 1;

	ce_new_id(id);
	for (i = 0; i < 36; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23)
			ok &= id[i] == '-';
		else
			ok &= (id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f');
	ok &= id[14] == '4' && strchr("89ab", id[19]) != NULL && id[36] == '\0';
	unit_printf(out, "%s", ok ? "uuid v4" : id);
}

static int
check(const struct unit_case *c, struct unit_out *out)
{
	const char *op = c->field[0];

	if (c->nfields == 3 && strcmp(op, "parse") == 0)
		check_parse(c, 0, NULL, out);
	else if (c->nfields == 3 && strcmp(op, "parse-noid") == 0)
		check_parse(c, CE_ALLOW_NO_ID, NULL, out);
	else if (c->nfields == 4 && strcmp(op, "get") == 0)
		check_parse(c, 0, c->field[2], out);
	else if (c->nfields == 2 && strcmp(op, "newid") == 0)
		check_new_id(out);
	else
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	return unit_main_paths(argc, argv, check);
}
