/* cesql_parse: CESQL text to the tree that cesql_eval walks. */
#ifndef FLOW_CESQL_PARSE_H
#define FLOW_CESQL_PARSE_H

#include "cesql.h"

enum node_kind {
	N_LITERAL, N_IDENT, N_EXISTS, N_NOT, N_NEGATE, N_BINARY, N_LIKE, N_IN, N_CALL,
};

enum binary_op {
	OP_AND, OP_OR, OP_XOR, OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
	OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD,
};

struct cesql_func;

struct node {
	enum node_kind kind;
	enum binary_op op;
	int negated;                 /* NOT LIKE, NOT IN */
	struct cesql_value literal;  /* N_LITERAL */
	char *name;                  /* N_IDENT, N_EXISTS, N_CALL (upper case) */
	size_t namelen;
	struct node *a, *b;          /* operands */
	struct node **args;          /* N_CALL arguments, N_IN set */
	int nargs;
	const struct cesql_func *func;  /* N_CALL: NULL when there is no such function */
	char *pattern;               /* N_LIKE: the pattern, escapes kept */
	size_t patlen;
};

/* A block of an arena: strings made while evaluating live here. */
struct arena_block {
	struct arena_block *next;
	size_t used, size;
	_Alignas(16) char data[];
};

struct cesql {
	struct node *root;
	const char *missing_function;
	struct arena_block *arena;
};

/* The built-in functions, looked up by upper-case name and arity. */
const struct cesql_func *cesql_func_find(const char *name, size_t len, int nargs);

void cesql_node_free(struct node *n);

#endif
