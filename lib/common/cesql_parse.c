#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cesql_parse.h"
#include "util.h"

enum token_kind {
	T_END, T_INT, T_STRING, T_IDENT, T_LPAREN, T_RPAREN, T_COMMA,
	T_PLUS, T_MINUS, T_STAR, T_SLASH, T_PERCENT,
	T_EQ, T_NE, T_LT, T_LE, T_GT, T_GE,
	T_AND, T_OR, T_XOR, T_NOT, T_LIKE, T_IN, T_EXISTS, T_TRUE, T_FALSE,
};

struct token {
	enum token_kind kind;
	const char *p;      /* in the expression */
	size_t len;
	int64_t value;      /* T_INT */
};

struct parser {
	const char *text, *p;
	struct token tok;
	struct cesql *q;
	struct cesql_parse_error *err;
	int failed;
	int depth;
};

#define MAX_DEPTH 200  /* of nested operands: the tree is walked recursively */

static void __attribute__((format(printf, 3, 4)))
syntax(struct parser *ps, const char *at, const char *fmt, ...)
{
	va_list ap;

	if (ps->failed++)
		return;
	ps->err->column = at - ps->text + 1;
	va_start(ap, fmt);
	vsnprintf(ps->err->msg, sizeof ps->err->msg, fmt, ap);
	va_end(ap);
}

static int
is_ident_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	    c == '.';
}

static int
word_is(const struct token *t, const char *kw)
{
	return t->len == strlen(kw) && strncasecmp(t->p, kw, t->len) == 0;
}

static void
next(struct parser *ps)
{
	static const struct { const char *word; enum token_kind kind; } keywords[] = {
		{ "AND", T_AND }, { "OR", T_OR }, { "XOR", T_XOR }, { "NOT", T_NOT }, { "LIKE", T_LIKE },
		{ "IN", T_IN }, { "EXISTS", T_EXISTS }, { "TRUE", T_TRUE }, { "FALSE", T_FALSE },
	};
	const char *p = ps->p;
	struct token *t = &ps->tok;
	size_t i;

	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	t->p = p;
	t->len = 1;
	switch (*p) {
	case '\0': t->kind = T_END; t->len = 0; break;
	case '(': t->kind = T_LPAREN; break;
	case ')': t->kind = T_RPAREN; break;
	case ',': t->kind = T_COMMA; break;
	case '+': t->kind = T_PLUS; break;
	case '-': t->kind = T_MINUS; break;
	case '*': t->kind = T_STAR; break;
	case '/': t->kind = T_SLASH; break;
	case '%': t->kind = T_PERCENT; break;
	case '=': t->kind = T_EQ; break;
	case '!':
		if (p[1] != '=') {
			syntax(ps, p, "unexpected '!' (did you mean '!='?)");
			t->kind = T_END;
			break;
		}
		t->kind = T_NE;
		t->len = 2;
		break;
	case '<':
		t->kind = p[1] == '=' ? T_LE : p[1] == '>' ? T_NE : T_LT;
		t->len = t->kind == T_LT ? 1 : 2;
		break;
	case '>':
		t->kind = p[1] == '=' ? T_GE : T_GT;
		t->len = t->kind == T_GE ? 2 : 1;
		break;
	case '\'':
	case '"': {
		/* a backslash escapes the quote; other backslashes stay */
		const char *s = p + 1;

		while (*s && *s != *p)
			s += (*s == '\\' && s[1]) ? 2 : 1;
		if (!*s) {
			syntax(ps, p, "unterminated string");
			t->kind = T_END;
			break;
		}
		t->kind = T_STRING;
		t->len = s + 1 - p;
		break;
	}
	default:
		if (*p >= '0' && *p <= '9') {
			for (t->value = 0; *p >= '0' && *p <= '9'; p++)
				if ((t->value = t->value * 10 + (*p - '0')) > 2147483648LL)
					t->value = 2147483649LL;  /* too large either way */
			t->kind = T_INT;
			t->len = p - t->p;
			if (is_ident_char(*p))
				syntax(ps, p, "unexpected '%c' after a number", *p);
			break;
		}
		if (!is_ident_char(*p) || *p == '.') {
			syntax(ps, p, "unexpected character '%c'", *p);
			t->kind = T_END;
			break;
		}
		while (is_ident_char(*p))
			p++;
		t->len = p - t->p;
		t->kind = T_IDENT;
		for (i = 0; i < sizeof keywords / sizeof keywords[0]; i++)
			if (word_is(t, keywords[i].word))
				t->kind = keywords[i].kind;
	}
	ps->p = t->p + t->len;
}

static struct node *
new_node(enum node_kind kind)
{
	struct node *n = xcalloc(1, sizeof *n);

	n->kind = kind;
	return n;
}

static struct node *
binary(enum binary_op op, struct node *a, struct node *b)
{
	struct node *n = new_node(N_BINARY);

	n->op = op;
	n->a = a;
	n->b = b;
	return n;
}

/* The text of a string token without quotes, \' and \" unescaped. */
static char *
string_text(const struct token *t, size_t *len)
{
	char *s = xmalloc(t->len), *o = s;
	const char *p = t->p + 1, *end = t->p + t->len - 1;

	while (p < end) {
		if (*p == '\\' && p + 1 < end && (p[1] == '\'' || p[1] == '"'))
			p++;
		*o++ = *p++;
	}
	*len = o - s;
	*o = '\0';
	return s;
}

static struct node *parse_or(struct parser *ps);
static struct node *parse_unary_inner(struct parser *ps);

static struct node *
parse_primary(struct parser *ps)
{
	struct token t = ps->tok;
	struct node *n;
	size_t i;

	switch (t.kind) {
	case T_INT:
		if (t.value > 2147483647) {
			syntax(ps, t.p, "integer out of range");
			return new_node(N_LITERAL);
		}
		next(ps);
		n = new_node(N_LITERAL);
		n->literal.type = CESQL_INT;
		n->literal.i = (int32_t)t.value;
		return n;
	case T_STRING:
		next(ps);
		n = new_node(N_LITERAL);
		n->literal.type = CESQL_STRING;
		n->name = string_text(&t, &n->namelen);
		n->literal.s = n->name;
		n->literal.len = n->namelen;
		return n;
	case T_TRUE:
	case T_FALSE:
		next(ps);
		n = new_node(N_LITERAL);
		n->literal.type = CESQL_BOOL;
		n->literal.i = t.kind == T_TRUE;
		return n;
	case T_LPAREN:
		next(ps);
		n = parse_or(ps);
		if (ps->tok.kind != T_RPAREN)
			syntax(ps, ps->tok.p, "expected ')'");
		next(ps);
		return n;
	case T_EXISTS:
		next(ps);
		if (ps->tok.kind != T_IDENT) {
			syntax(ps, ps->tok.p, "EXISTS needs an attribute name");
			return new_node(N_LITERAL);
		}
		t = ps->tok;
		next(ps);
		n = new_node(N_EXISTS);
		goto name;
	case T_IDENT:
		next(ps);
		if (ps->tok.kind == T_LPAREN) {
			n = new_node(N_CALL);
			n->name = xstrndup(t.p, t.len);
			n->namelen = t.len;
			for (i = 0; i < t.len; i++)
				n->name[i] = n->name[i] >= 'a' && n->name[i] <= 'z' ? n->name[i] - 32 : n->name[i];
			next(ps);
			while (ps->tok.kind != T_RPAREN && !ps->failed) {
				if (n->nargs > 0) {
					if (ps->tok.kind != T_COMMA) {
						syntax(ps, ps->tok.p, "expected ',' or ')'");
						break;
					}
					next(ps);
				}
				n->args = xrealloc(n->args, (n->nargs + 1) * sizeof *n->args);
				n->args[n->nargs++] = parse_or(ps);
			}
			next(ps);
			if (!(n->func = cesql_func_find(n->name, n->namelen, n->nargs)) && !ps->q->missing_function)
				ps->q->missing_function = n->name;
			return n;
		}
		n = new_node(N_IDENT);
	name:
		if (t.p[0] == '.' || t.p[t.len - 1] == '.' || memmem(t.p, t.len, "..", 2)) {
			syntax(ps, t.p, "bad attribute name");
			return n;
		}
		/* attribute names are case-insensitive; the fields of data are not */
		n->name = xstrndup(t.p, t.len);
		n->namelen = t.len;
		for (i = 0; i < t.len && n->name[i] != '.'; i++)
			n->name[i] = n->name[i] >= 'A' && n->name[i] <= 'Z' ? n->name[i] + 32 : n->name[i];
		return n;
	case T_END:
		if (!ps->failed)
			syntax(ps, t.p, "unexpected end of expression");
		return new_node(N_LITERAL);
	default:
		syntax(ps, t.p, "unexpected '%.*s'", (int)t.len, t.p);
		return new_node(N_LITERAL);
	}
}

static struct node *
parse_unary(struct parser *ps)
{
	struct node *n;

	if (++ps->depth > MAX_DEPTH) {
		syntax(ps, ps->tok.p, "nested too deeply");
		ps->tok.kind = T_END;
		return new_node(N_LITERAL);
	}
	n = parse_unary_inner(ps);
	ps->depth--;
	return n;
}

static struct node *
parse_unary_inner(struct parser *ps)
{
	struct node *n;

	if (ps->tok.kind == T_NOT) {
		next(ps);
		n = new_node(N_NOT);
		n->a = parse_unary(ps);
		return n;
	}
	if (ps->tok.kind == T_MINUS) {
		next(ps);
		if (ps->tok.kind == T_INT && ps->tok.value <= 2147483648LL) {
			/* a negative literal, so that -2147483648 is one */
			n = new_node(N_LITERAL);
			n->literal.type = CESQL_INT;
			n->literal.i = (int32_t)-ps->tok.value;
			next(ps);
			return n;
		}
		n = new_node(N_NEGATE);
		n->a = parse_unary(ps);
		return n;
	}
	return parse_primary(ps);
}

static struct node *
parse_mul(struct parser *ps)
{
	struct node *n = parse_unary(ps);
	enum token_kind k;

	while ((k = ps->tok.kind) == T_STAR || k == T_SLASH || k == T_PERCENT) {
		next(ps);
		n = binary(k == T_STAR ? OP_MUL : k == T_SLASH ? OP_DIV : OP_MOD, n, parse_unary(ps));
	}
	return n;
}

static struct node *
parse_add(struct parser *ps)
{
	struct node *n = parse_mul(ps);
	enum token_kind k;

	while ((k = ps->tok.kind) == T_PLUS || k == T_MINUS) {
		next(ps);
		n = binary(k == T_PLUS ? OP_ADD : OP_SUB, n, parse_mul(ps));
	}
	return n;
}

static struct node *
parse_compare(struct parser *ps)
{
	static const enum binary_op ops[] = {
		[T_EQ] = OP_EQ, [T_NE] = OP_NE, [T_LT] = OP_LT, [T_LE] = OP_LE, [T_GT] = OP_GT, [T_GE] = OP_GE,
	};
	struct node *n = parse_add(ps), *m;
	enum token_kind k;
	int negated;

	for (;;) {
		k = ps->tok.kind;
		if (k >= T_EQ && k <= T_GE) {
			next(ps);
			n = binary(ops[k], n, parse_add(ps));
			continue;
		}
		negated = 0;
		if (k == T_NOT) {
			/* NOT here only as NOT LIKE or NOT IN */
			const char *save = ps->p;
			struct token tok = ps->tok;

			next(ps);
			if (ps->tok.kind != T_LIKE && ps->tok.kind != T_IN) {
				ps->p = save;
				ps->tok = tok;
				return n;
			}
			negated = 1;
			k = ps->tok.kind;
		}
		if (k == T_LIKE) {
			next(ps);
			if (ps->tok.kind != T_STRING) {
				syntax(ps, ps->tok.p, "LIKE needs a string pattern");
				return n;
			}
			m = new_node(N_LIKE);
			m->negated = negated;
			m->a = n;
			m->pattern = string_text(&ps->tok, &m->patlen);
			next(ps);
			n = m;
			continue;
		}
		if (k == T_IN) {
			next(ps);
			if (ps->tok.kind != T_LPAREN) {
				syntax(ps, ps->tok.p, "IN needs a list in parentheses");
				return n;
			}
			m = new_node(N_IN);
			m->negated = negated;
			m->a = n;
			do {
				next(ps);
				m->args = xrealloc(m->args, (m->nargs + 1) * sizeof *m->args);
				m->args[m->nargs++] = parse_or(ps);
			} while (ps->tok.kind == T_COMMA && !ps->failed);
			if (ps->tok.kind != T_RPAREN)
				syntax(ps, ps->tok.p, "expected ',' or ')'");
			next(ps);
			n = m;
			continue;
		}
		return n;
	}
}

static struct node *
parse_and(struct parser *ps)
{
	struct node *n = parse_compare(ps);

	while (ps->tok.kind == T_AND) {
		next(ps);
		n = binary(OP_AND, n, parse_compare(ps));
	}
	return n;
}

static struct node *
parse_xor(struct parser *ps)
{
	struct node *n = parse_and(ps);

	while (ps->tok.kind == T_XOR) {
		next(ps);
		n = binary(OP_XOR, n, parse_and(ps));
	}
	return n;
}

static struct node *
parse_or(struct parser *ps)
{
	struct node *n = parse_xor(ps);

	while (ps->tok.kind == T_OR) {
		next(ps);
		n = binary(OP_OR, n, parse_xor(ps));
	}
	return n;
}

void
cesql_node_free(struct node *n)
{
	int i;

	if (!n)
		return;
	cesql_node_free(n->a);
	cesql_node_free(n->b);
	for (i = 0; i < n->nargs; i++)
		cesql_node_free(n->args[i]);
	free(n->args);
	free(n->name);
	free(n->pattern);
	free(n);
}

struct cesql *
cesql_compile(const char *expr, struct cesql_parse_error *err)
{
	struct cesql *q = xcalloc(1, sizeof *q);
	struct parser ps = { .text = expr, .p = expr, .q = q, .err = err };

	next(&ps);
	q->root = parse_or(&ps);
	if (!ps.failed && ps.tok.kind != T_END)
		syntax(&ps, ps.tok.p, "unexpected '%.*s' after the expression", (int)ps.tok.len, ps.tok.p);
	if (ps.failed) {
		cesql_free(q);
		return NULL;
	}
	return q;
}

void
cesql_free(struct cesql *q)
{
	struct arena_block *b, *next_block;

	if (!q)
		return;
	cesql_node_free(q->root);
	for (b = q->arena; b; b = next_block) {
		next_block = b->next;
		free(b);
	}
	free(q);
}

const char *
cesql_missing_function(const struct cesql *q)
{
	return q->missing_function;
}
