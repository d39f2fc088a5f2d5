/* audit-test: the cases of audit.test through lib/agent/fnap_audit (unit.h,
   README): how a value is written in an audit line, and the range of
   offsets a STREAM or PUBLISH line tells. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnap_audit.h"
#include "unit.h"

/* span: "P:F-L P:F-L ..." added in turn; what the line would say */
static int
check_span(const char *adds, struct unit_out *out)
{
	struct audit_span sp = { 0 };
	long long first, last;
	int partition, used;

	while (*adds) {
		if (sscanf(adds, "%d:%lld-%lld%n", &partition, &first, &last, &used) != 3)
			return -1;
		audit_span_add(&sp, partition, first, last);
		adds += used;
		adds += *adds == ' ';
	}
	if (sp.state == AUDIT_SPAN_RANGE)
		unit_printf(out, "partition=%d first=%lld last=%lld", (int)sp.partition, (long long)sp.first,
		    (long long)sp.last);
	else
		unit_printf(out, "%s", sp.state == AUDIT_SPAN_EMPTY ? "empty" : "unknown");
	return 0;
}

/* value: the value as written; none: a NULL value */
static int
check(const struct unit_case *c, struct unit_out *out)
{
	char text[AUDIT_VALUE_MAX + 1], *s;
	size_t n;

	if (c->nfields == 3 && strcmp(c->field[0], "value") == 0) {
		s = unit_exact(c, 1);
		n = audit_value(s, c->len[1], text);
		free(s);
		if (n != strlen(text) || n > AUDIT_VALUE_MAX)
			unit_printf(out, "length %zu for %zu bytes", n, strlen(text));
		else
			unit_put(out, text, n);
		return 0;
	}
	if (c->nfields == 2 && strcmp(c->field[0], "none") == 0) {
		unit_put(out, text, audit_value(NULL, 0, text));
		return 0;
	}
	if (c->nfields == 3 && strcmp(c->field[0], "span") == 0)
		return check_span(c->field[1], out);
	return -1;
}

int
main(int argc, char **argv)
{
	return unit_main(argc, argv, check);
}
