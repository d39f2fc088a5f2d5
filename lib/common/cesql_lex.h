/* cesql_lex: the tokens of a CESQL expression. */
#ifndef FLOW_CESQL_LEX_H
#define FLOW_CESQL_LEX_H

#include <stddef.h>
#include <stdint.h>

enum token_kind {
	T_END, T_ERROR, T_INT, T_STRING, T_WORD, T_LPAREN, T_RPAREN, T_COMMA,
	T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE,
	T_AND, T_OR, T_XOR, T_NOT, T_LIKE, T_IN, T_EXISTS, T_TRUE, T_FALSE,
};

struct token {
	enum token_kind kind;
	const char *p;       /* where it starts in the expression */
	size_t len;
	int64_t value;       /* T_INT, at most 2^31 + 1 (too large either way) */
	const char *why;     /* T_ERROR: what is wrong at p */
};

/* The token that starts at p (after white space); T_END at the NUL. */
void lex_next(const char *p, struct token *t);

/* The text of a string token: quotes removed, the delimiting quote
   unescaped; other backslashes are kept. out holds t->len bytes. */
size_t lex_string(const struct token *t, char *out);

#endif
