/* cesql: CloudEvents SQL (CESQL 1.0) expressions, compiled once to a tree
   and evaluated against any event through an attribute lookup; an
   evaluation allocates nothing once the first has run.

   Beyond CESQL 1.0: an identifier data.a.b reads field b of field a of the
   event's JSON data (absent or null: the missingAttribute rules).

   Use, for a filter (flow-filter, flow-bridge --where, SUBSCRIBE ... WHERE):

	struct cesql_parse_error perr;
	struct cesql *q = cesql_compile_filter(text, &perr);

	if (!q)
		die(64, "parse: column %zu: %s", perr.column, perr.msg);
	...
	if (cesql_match(q, &ev, &e, &msg))  (ev from ce_parse)
		pass it on;
	...
	cesql_free(q);

   A compiled expression is not shared between threads (evaluating writes
   into it). */
#ifndef FLOW_CESQL_H
#define FLOW_CESQL_H

#include <stddef.h>
#include <stdint.h>

#include "ce.h"

enum cesql_type { CESQL_MISSING = 0, CESQL_BOOL, CESQL_INT, CESQL_STRING };

struct cesql_value {
	enum cesql_type type;
	int32_t i;        /* CESQL_INT; CESQL_BOOL: 0 or 1 */
	const char *s;    /* CESQL_STRING: UTF-8, not NUL-terminated */
	size_t len;
};

/* The error kinds of the spec; cesql_error_name() gives the TCK's names
   (parse, math, cast, missingFunction, functionEvaluation,
   missingAttribute, generic). */
enum cesql_error {
	CESQL_OK, CESQL_ERR_PARSE, CESQL_ERR_MATH, CESQL_ERR_CAST, CESQL_ERR_MISSING_FUNCTION,
	CESQL_ERR_FUNCTION_EVALUATION, CESQL_ERR_MISSING_ATTRIBUTE, CESQL_ERR_GENERIC,
};

const char *cesql_error_name(enum cesql_error e);

/* The attribute lookup an evaluation calls: name[0..len) is lower case
   (after data., as written). 0 with *out set (strings must stay valid for
   the evaluation), or -1 when the event has no such attribute. */
typedef int (*cesql_lookup_fn)(void *ctx, const char *name, size_t len, struct cesql_value *out);

struct cesql;

struct cesql_parse_error {
	size_t column;     /* 1-based, in bytes */
	char msg[160];
};

/* Compile expr (NUL-terminated); NULL with *err on a syntax error. A call
   of a function that does not exist compiles: evaluating it is a
   missingFunction error, as the spec has it. */
struct cesql *cesql_compile(const char *expr, struct cesql_parse_error *err);

/* Compile expr for a filter: as cesql_compile, and also refuse, as parse
   errors with a column, what could never let an event pass: a call of a
   function that does not exist, an expression that is an integer or a
   string (5, 'x', a + 1, CONCAT(...)). */
struct cesql *cesql_compile_filter(const char *expr, struct cesql_parse_error *err);

void cesql_free(struct cesql *q);

/* The name of the first function called that does not exist (or not with
   that many arguments), or NULL. */
const char *cesql_missing_function(const struct cesql *q);

/* Evaluate: *out is the value (its strings valid until the next evaluation
   of q); the result is the first error raised (CESQL_OK if none), with a
   message in *msg ("" if none; valid until the next evaluation). The value
   is the one the spec says the expression yields even after an error. */
enum cesql_error cesql_eval(struct cesql *q, cesql_lookup_fn lookup, void *ctx,
    struct cesql_value *out, const char **msg);

/* cesql_eval against an event parsed by ce_parse. */
enum cesql_error cesql_eval_event(struct cesql *q, const struct ce_event *ev,
    struct cesql_value *out, const char **msg);

/* Whether the event passes the expression as a filter (CESQL 1.0 §1.2):
   1 when it yields true without an error; 0 when it yields false, a value
   that is not a boolean, or raises an error (*e, *msg as cesql_eval). */
int cesql_match(struct cesql *q, const struct ce_event *ev, enum cesql_error *e, const char **msg);

/* The value as JSON (true, 42, "text") into buf, which holds at least
   6 * len + 16 bytes for a string; its length. */
size_t cesql_value_json(const struct cesql_value *v, char *buf);

#endif
