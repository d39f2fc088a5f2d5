/* cesql_parse: CESQL text to the tree that cesql_eval walks. */
#ifndef FLOW_CESQL_PARSE_H
#define FLOW_CESQL_PARSE_H

#include "cesql.h"

enum node_kind {
	N_LITERAL, N_ATTR, N_EXISTS, N_NOT, N_NEGATE, N_BINARY, N_LIKE, N_IN, N_CALL,
};

/* In groups, as the evaluator tells them apart: logic, comparison, arithmetic. */
enum binary_op {
	OP_AND, OP_OR, OP_XOR,
	OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
	OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD,
};

struct cesql_func;

struct node {
	enum node_kind kind;
	enum binary_op op;           /* N_BINARY */
	int negated;                 /* NOT LIKE, NOT IN */
	int height;                  /* of the tree below, this node included */
	struct cesql_value literal;  /* N_LITERAL */
	char *name;                  /* N_ATTR, N_EXISTS: lower case (data paths as
	                                written); N_CALL: upper case */
	size_t namelen;
	size_t column;               /* N_CALL: where it is in the expression */
	struct node *a, *b;          /* operands */
	struct node **args;          /* N_CALL arguments, N_IN members */
	int nargs;
	const struct cesql_func *func;  /* N_CALL: NULL when there is no such function */
	char *pattern;               /* N_LIKE, escapes kept */
	size_t patlen;
};

/* A block of the arena where strings made while evaluating live. */
struct arena_block {
	struct arena_block *next;
	size_t used, size;
	_Alignas(16) char data[];
};

struct cesql {
	struct node *root;
	const struct node *missing_function;  /* the first call of no such function */
	struct arena_block *arena;
	char msg[160];                        /* of the last evaluation's first error */
};

#endif
