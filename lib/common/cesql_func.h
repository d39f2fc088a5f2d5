/* cesql_func: what evaluating needs beyond the tree (casts, errors, an arena
   for new strings), and the built-in functions of CESQL 1.0. */
#ifndef FLOW_CESQL_FUNC_H
#define FLOW_CESQL_FUNC_H

#include "cesql_parse.h"

struct eval {
	struct cesql *q;
	cesql_lookup_fn lookup;
	void *ctx;
	enum cesql_error err;   /* the first error raised */
	unsigned raised;        /* errors raised so far, the first one and the rest */
	char msg[160];
};

/* Record an error unless one was raised already. */
void eval_raise(struct eval *x, enum cesql_error e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* n bytes that live until the next evaluation. */
char *eval_alloc(struct eval *x, size_t n);

/* v as type t. Implicit casts (explicit == 0) refuse integer to boolean.
   A cast that fails raises a cast error and gives the zero value of t. */
struct cesql_value eval_cast(struct eval *x, struct cesql_value v, enum cesql_type t, int explicit);

/* The zero value of a type: false, 0, "". */
struct cesql_value zero_value(enum cesql_type t);

struct cesql_func {
	const char *name;
	int min_args, max_args;        /* max_args -1: any number */
	enum cesql_type ret;
	enum cesql_type first, rest;   /* arguments are cast to these; MISSING: any type */
	struct cesql_value (*fn)(struct eval *x, struct cesql_value *args, int n);
};

#endif
