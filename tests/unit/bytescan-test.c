/* bytescan-test: the cases of bytescan.test through lib/common/bytescan
   on every path the CPU has (unit.h, README). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bytescan.h"
#include "unit.h"

static int
check(const struct unit_case *c, struct unit_out *out)
{
	static const struct {
		const char *op;
		size_t (*scan)(const char *p, size_t n);
	} ops[] = {
		{ "text", bytescan_text }, { "plain", bytescan_plain },
		{ "printable", bytescan_printable }, { "utf8", bytescan_utf8 }, { "name", bytescan_name },
	};
	enum bytescan_path path;
	size_t i;
	char *s;

	if (c->nfields != 3)
		return -1;
	if (strcmp(c->field[0], "named") == 0) {
		/* FLOW_SIMD's value, as the path chosen at start reads it */
		path = bytescan_path_named(c->field[1]);
		unit_printf(out, "%s", path == BYTESCAN_PATHS ? "none" : bytescan_path_name(path));
		return 0;
	}
	for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (strcmp(c->field[0], ops[i].op) == 0) {
			s = unit_exact(c, 1);
			unit_printf(out, "%zu", ops[i].scan(s, c->len[1]));
			free(s);
			return 0;
		}
	return -1;
}

int
main(int argc, char **argv)
{
	return unit_main_paths(argc, argv, check);
}
