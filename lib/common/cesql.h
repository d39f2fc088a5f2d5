/* cesql: CloudEvents SQL (CESQL 1.0) expressions, compiled once to a tree and
   evaluated against any event through an attribute lookup; no allocation
   per evaluation beyond an arena kept by the compiled expression.

   Beyond CESQL 1.0: an identifier data.a.b reads field b of field a of the
   event's JSON data (absent: the missingAttribute rules). */
#ifndef FLOW_CESQL_H
#define FLOW_CESQL_H

#include <stddef.h>
#include <stdint.h>

#include "ce.h"

enum cesql_type { CESQL_MISSING = 0, CESQL_BOOL, CESQL_INT, CESQL_STRING };

struct cesql_value {
	enum cesql_type type;
	int32_t i;        /* CESQL_INT; CESQL_BOOL: 0 or 1 */
	const char *s;    /* CESQL_STRING, UTF-8, not NUL-terminated */
	size_t len;
};

/* The error kinds of the spec, named as in its TCK by cesql_error_name(). */
enum cesql_error {
	CESQL_OK, CESQL_ERR_PARSE, CESQL_ERR_MATH, CESQL_ERR_CAST, CESQL_ERR_MISSING_FUNCTION,
	CESQL_ERR_FUNCTION_EVALUATION, CESQL_ERR_MISSING_ATTRIBUTE, CESQL_ERR_GENERIC,
};

const char *cesql_error_name(enum cesql_error e);

/* Look up attribute name[0..len) (lower case; data paths as written): 0 with
   *out (strings must stay valid for the evaluation), or -1 when absent. */
typedef int (*cesql_lookup_fn)(void *ctx, const char *name, size_t len, struct cesql_value *out);

struct cesql;

struct cesql_parse_error {
	size_t column;     /* 1-based */
	char msg[160];
};

/* Compile expr; NULL with *err on a parse error. */
struct cesql *cesql_compile(const char *expr, struct cesql_parse_error *err);
void cesql_free(struct cesql *q);

/* The first function the expression calls that does not exist (or not with
   that many arguments), or NULL: evaluating such a call is a
   missingFunction error, so a program may rather refuse the expression. */
const char *cesql_missing_function(const struct cesql *q);

/* Evaluate: *out is the value (strings valid until the next evaluation);
   the return value is the first error raised (CESQL_OK if none), with a
   message in *msg. The value is what the spec says the expression yields
   even then. */
enum cesql_error cesql_eval(struct cesql *q, cesql_lookup_fn lookup, void *ctx,
    struct cesql_value *out, const char **msg);

/* Evaluate against a parsed event, as cesql_eval. */
enum cesql_error cesql_eval_event(struct cesql *q, const struct ce_event *ev, struct cesql_value *out,
    const char **msg);

/* Evaluate against a parsed event: 1 true, 0 false (an error counts as the
   value it yields), with *e and *msg as above. */
int cesql_match(struct cesql *q, const struct ce_event *ev, enum cesql_error *e, const char **msg);

/* The value as a line of JSON (true, 42, "text") into buf (at least
   6 * len + 16 bytes for strings); its length. */
size_t cesql_value_json(const struct cesql_value *v, char *buf);

#endif
