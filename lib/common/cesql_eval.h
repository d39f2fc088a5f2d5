/* cesql_eval: evaluating a compiled tree; what the built-in functions share
   with the operators (errors, casts, an arena for new strings). */
#ifndef FLOW_CESQL_EVAL_H
#define FLOW_CESQL_EVAL_H

#include "cesql_parse.h"

struct eval {
	struct cesql *q;
	cesql_lookup_fn lookup;
	void *ctx;
	enum cesql_error err;   /* the first error raised; its message in q->msg */
	unsigned raised;        /* errors raised so far */
};

/* Record an error; the first one is the one reported. */
void eval_raise(struct eval *x, enum cesql_error e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* n bytes that live until the next evaluation. */
char *eval_alloc(struct eval *x, size_t n);

/* v as type t (MISSING: as it is). Implicit casts (explicit == 0) refuse
   integer to boolean, as the TCK has it. A cast that fails raises a cast
   error and gives the zero value of t. */
struct cesql_value eval_cast(struct eval *x, struct cesql_value v, enum cesql_type t, int explicit);

/* eval_cast without raising: 0 and *out, or -1 (the cast fails). */
int eval_try_cast(struct eval *x, struct cesql_value v, enum cesql_type t, int explicit,
    struct cesql_value *out);

/* The zero value of a type: false, 0, "". */
struct cesql_value zero_value(enum cesql_type t);

#endif
