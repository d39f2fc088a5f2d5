/* cesql_func: the built-in functions of CESQL 1.0. */
#ifndef FLOW_CESQL_FUNC_H
#define FLOW_CESQL_FUNC_H

#include "cesql_eval.h"

struct cesql_func {
	const char *name;
	int min_args, max_args;        /* max_args -1: any number */
	enum cesql_type ret;
	enum cesql_type first, rest;   /* arguments are cast to these; MISSING: any type */
	struct cesql_value (*fn)(struct eval *x, const struct cesql_value *args, int n);
};

/* The function called name (upper case) that takes nargs arguments, or NULL. */
const struct cesql_func *cesql_func_find(const char *name, int nargs);

#endif
