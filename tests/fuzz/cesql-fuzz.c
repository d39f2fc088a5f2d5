/* libFuzzer target: CESQL expressions, compiled and evaluated against a
   fixed event, and printed as JSON. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ce.h"
#include "cesql.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char line[] = "{\"specversion\":\"1.0\",\"id\":\"a\\u00e9\",\"source\":\"/airport/gate/1\","
	    "\"type\":\"com.example.delay\",\"time\":\"2026-11-22T10:00:00Z\",\"n\":42,\"b\":true,"
	    "\"data\":{\"delay\":12,\"pax\":{\"adults\":100},\"s\":\"x\",\"f\":1.5,\"a\":[1]}}";
	static char *json;
	struct cesql_parse_error perr;
	struct cesql_value v;
	struct ce_event ev;
	struct ce_error err;
	enum cesql_error e;
	struct cesql *q;
	const char *msg;
	char *expr;

	if (size > 4096)
		return 0;
	if (!json)
		json = malloc(6 * 65536 + 16);
	if (ce_parse(&ev, line, sizeof line - 1, 0, &err) < 0)
		abort();
	expr = malloc(size + 1);
	memcpy(expr, data, size);
	expr[size] = '\0';
	if ((q = cesql_compile(expr, &perr))) {
		e = cesql_eval_event(q, &ev, &v, &msg);
		if (e > CESQL_ERR_GENERIC || (v.type == CESQL_STRING && v.len < 65536 && !cesql_value_json(&v, json)))
			abort();
		cesql_match(q, &ev, &e, &msg);
		cesql_free(q);
	}
	free(expr);
	return 0;
}
