/* uri-test: the cases of uri.test through lib/common/uri (unit.h, README). */
#include "config.h"

#include <string.h>

#include "unit.h"
#include "uri.h"

/* parse: the scheme and the parts url_parse filled, or "error: " and why */
static int
check(const struct unit_case *c, struct unit_out *out)
{
	struct flow_url u;
	const char *why;

	if (c->nfields != 3 || strcmp(c->field[0], "parse") != 0)
		return -1;
	if (url_parse(c->field[1], &u, &why) < 0) {
		unit_printf(out, "error: %s", why);
		return 0;
	}
	unit_printf(out, "%s", !u.kind ? "flow" : u.tls ? u.kind->tls_scheme : u.kind->scheme);
	if (u.path)
		unit_printf(out, " path=%s", u.path);
	if (u.hosts)
		unit_printf(out, " hosts=%s", u.hosts);
	if (u.name)
		unit_printf(out, " name=%s", u.name);
	url_free(&u);
	return 0;
}

int
main(int argc, char **argv)
{
	return unit_main(argc, argv, check);
}
