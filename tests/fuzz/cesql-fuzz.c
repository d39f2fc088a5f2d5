/* libFuzzer target: CESQL expressions, compiled (as an expression and as a
   filter) and evaluated against a fixed event, twice: the two evaluations
   must agree (an expression is referentially transparent, and the second
   one runs on the arena the first one left), and every string value must
   be readable to its end (AddressSanitizer checks as it is quoted). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ce.h"
#include "cesql.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char line[] =
    "{\"specversion\":\"1.0\",\"id\":\"a\\u00e9\\\"\",\"source\":\"/airport/gate/1\","
    "\"type\":\"com.example.delay\",\"time\":\"2026-11-22T10:00:00Z\",\"n\":42,\"b\":true,"
    "\"neg\":-2147483648,\"big\":1000,\"3d\":\"x\",\"subject\":\"  \\u00c9t\\u00e9 \","
    "\"data\":{\"delay\":12,\"pax\":{\"adults\":100},\"s\":\"x\",\"f\":1.5,\"a\":[1],\"z\":null}}";

/* The value as JSON into a buffer sized for it; the caller frees it. */
static char *
as_json(const struct cesql_value *v)
{
	char *buf = malloc(v->type == CESQL_STRING ? 6 * v->len + 16 : 16);

	if (!buf)
		abort();
	buf[cesql_value_json(v, buf)] = '\0';
	return buf;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cesql_parse_error perr;
	struct cesql_value v;
	struct ce_event ev;
	struct ce_error err;
	enum cesql_error e1, e2;
	struct cesql *q, *f;
	const char *msg;
	char *expr, *first, *second;
	int m;

	if (size > 4096)
		return 0;
	if (ce_parse(&ev, line, sizeof line - 1, 0, &err) < 0)
		abort();
	expr = malloc(size + 1);
	memcpy(expr, data, size);
	expr[size] = '\0';
	if ((q = cesql_compile(expr, &perr))) {
		e1 = cesql_eval_event(q, &ev, &v, &msg);
		if (e1 > CESQL_ERR_GENERIC || v.type == CESQL_MISSING || (e1 != CESQL_OK && !*msg))
			abort();
		first = as_json(&v);
		e2 = cesql_eval_event(q, &ev, &v, &msg);
		second = as_json(&v);
		if (e1 != e2 || strcmp(first, second) != 0)
			abort();
		m = cesql_match(q, &ev, &e2, &msg);
		if (m && (e2 != CESQL_OK || strcmp(first, "true") != 0))
			abort();
		free(first);
		free(second);
		/* a filter compiles when the expression does and has no missing
		   function and a boolean (or unknown) type */
		if ((f = cesql_compile_filter(expr, &perr)) && cesql_missing_function(f))
			abort();
		cesql_free(f);
		cesql_free(q);
	} else if (perr.column < 1 || perr.column > size + 1 || !perr.msg[0])
		abort();
	free(expr);
	return 0;
}
