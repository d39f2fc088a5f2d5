/* json-test: the cases of json.test through lib/common/json (unit.h, README). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "unit.h"

static const char *const type_names[] = {
	[JSON_NONE] = "none", [JSON_STRING] = "string", [JSON_NUMBER] = "number",
	[JSON_TRUE] = "true", [JSON_FALSE] = "false", [JSON_NULL] = "null",
	[JSON_OBJECT] = "object", [JSON_ARRAY] = "array",
};

/* Scan the value at the start of s; on error write why and where, return -1. */
static int
scan(const char *s, size_t len, struct json_span *v, struct unit_out *out)
{
	const char *p = s, *why;

	if (json_scan_value(&p, s + len, v, &why) < 0) {
		unit_printf(out, "error at %zu: %s", (size_t)(p - s), why);
		return -1;
	}
	return 0;
}

/* scan: the type and length of the value, and how many bytes other than
   white space follow it; or the error and where it was found. */
static void
check_scan(const char *s, size_t len, struct unit_out *out)
{
	struct json_span v;
	const char *end = s + len, *rest;

	if (scan(s, len, &v, out) < 0)
		return;
	unit_printf(out, "%s %zu", type_names[v.type], v.len);
	if ((rest = json_skip_ws(v.p + v.len, end)) < end)
		unit_printf(out, " rest %zu", (size_t)(end - rest));
}

/* str: the decoded text of a string; chars: its code points */
static void
check_str(const char *s, size_t len, int codepoints, struct unit_out *out)
{
	struct json_span v;
	const char *p, *end;
	char *scratch;
	size_t n;

	if (scan(s, len, &v, out) < 0)
		return;
	if (v.type != JSON_STRING) {
		unit_printf(out, "not a string");
		return;
	}
	if (codepoints) {
		for (p = v.p + 1, end = v.p + v.len - 1; p < end;) {
			if (out->len)
				unit_put(out, " ", 1);
			unit_printf(out, "U+%04X", json_next_char(&p));
		}
		return;
	}
	scratch = malloc(v.len);
	p = json_str(&v, scratch, &n);
	unit_put(out, p, n);
	free(scratch);
}

static void
check_compact(const char *s, size_t len, struct unit_out *out)
{
	struct json_span v;
	char *buf;

	if (scan(s, len, &v, out) < 0)
		return;
	buf = malloc(v.len);
	unit_put(out, buf, json_compact(buf, &v));
	free(buf);
}

static void
check_get(const char *s, size_t len, const char *key, size_t keylen, struct unit_out *out)
{
	struct json_span v, m;

	if (scan(s, len, &v, out) < 0)
		return;
	if (json_object_get(&v, key, keylen, &m) < 0)
		unit_printf(out, "absent");
	else
		unit_printf(out, "%s %.*s", type_names[m.type], (int)m.len, m.p);
}

static int
check(const struct unit_case *c, struct unit_out *out)
{
	const char *op = c->field[0];
	size_t len = c->len[1];
	char *s = unit_exact(c, 1), *buf;
	int r = 0;

	if (c->nfields == 3 && strcmp(op, "scan") == 0)
		check_scan(s, len, out);
	else if (c->nfields == 3 && (strcmp(op, "str") == 0 || strcmp(op, "chars") == 0))
		check_str(s, len, op[0] == 'c', out);
	else if (c->nfields == 3 && strcmp(op, "utf8") == 0)
		unit_printf(out, utf8_valid(s, len) ? "valid" : "invalid");
	else if (c->nfields == 3 && strcmp(op, "quote") == 0) {
		buf = malloc(6 * len + 2);
		unit_put(out, buf, json_quote(buf, s, len));
		free(buf);
	} else if (c->nfields == 3 && strcmp(op, "compact") == 0)
		check_compact(s, len, out);
	else if (c->nfields == 4 && strcmp(op, "get") == 0)
		check_get(s, len, c->field[2], c->len[2], out);
	else
		r = -1;
	free(s);
	return r;
}

int
main(int argc, char **argv)
{
	return unit_main_paths(argc, argv, check);
}
