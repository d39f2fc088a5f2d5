/* A recursive-descent parser for the grammar of CESQL 1.0, with its order of
   precedence (§3.6), from the tightest:

	primary   literal, attribute, function call, EXISTS attr, ( expr )
	unary     NOT unary | - unary | primary
	postfix   unary ( [NOT] LIKE 'pattern' | [NOT] IN ( expr, ... ) )*
	product   postfix ( * / % postfix )*
	sum       product ( + - product )*
	compare   sum ( = != <> < <= > >= sum )*
	logic     compare ( AND OR XOR compare )*

   Operators of one level group from the left, AND, OR and XOR included:
   the spec gives them one precedence, unlike SQL. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cesql_func.h"
#include "cesql_lex.h"
#include "cesql_parse.h"
#include "util.h"

/* Both bound recursion, here and in the evaluator: nested parentheses and
   unary operators, and long chains like a OR b OR c ..., which make a tree
   as deep as they are long. */
#define MAX_NESTING 256
#define MAX_HEIGHT 2000

struct parser {
	const char *text;
	struct token tok;
	struct cesql *q;
	struct cesql_parse_error *err;
	int failed;
	int nesting;
};

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

/* Move to the next token; after an error, stay at the end. */
static void
next(struct parser *ps)
{
	if (ps->failed) {
		ps->tok.kind = T_END;
		return;
	}
	lex_next(ps->tok.p + ps->tok.len, &ps->tok);
	if (ps->tok.kind == T_ERROR)
		syntax(ps, ps->tok.p, "%s", ps->tok.why);
}

static struct node *
new_node(enum node_kind kind)
{
	struct node *n = xcalloc(1, sizeof *n);

	n->kind = kind;
	n->height = 1;
	return n;
}

/* n, whose children are now in place: its height, checked. */
static struct node *
grown(struct parser *ps, struct node *n)
{
	int i;

	if (n->a && n->a->height >= n->height)
		n->height = n->a->height + 1;
	if (n->b && n->b->height >= n->height)
		n->height = n->b->height + 1;
	for (i = 0; i < n->nargs; i++)
		if (n->args[i]->height >= n->height)
			n->height = n->args[i]->height + 1;
	if (n->height > MAX_HEIGHT)
		syntax(ps, ps->tok.p, "expression too long (more than %d operators deep)", MAX_HEIGHT);
	return n;
}

static struct node *
binary(struct parser *ps, enum binary_op op, struct node *a, struct node *b)
{
	struct node *n = new_node(N_BINARY);

	n->op = op;
	n->a = a;
	n->b = b;
	return grown(ps, n);
}

static struct node *
int_literal(int64_t v)
{
	struct node *n = new_node(N_LITERAL);

	n->literal.type = CESQL_INT;
	n->literal.i = (int32_t)v;
	return n;
}

/* An attribute name: letters and digits, case-insensitive; or, beyond
   CESQL, data.a.b: fields of the JSON data, case-sensitive. */
static struct node *
attribute(struct parser *ps, enum node_kind kind, const struct token *t)
{
	struct node *n = new_node(kind);
	size_t i;

	n->name = xstrndup(t->p, t->len);
	n->namelen = t->len;
	if (memchr(t->p, '.', t->len)) {
		if (t->len < 6 || strncasecmp(t->p, "data.", 5) != 0 || t->p[t->len - 1] == '.' ||
		    memmem(t->p, t->len, "..", 2))
			syntax(ps, t->p, "%.*s: only data.field.field... names have dots", (int)t->len, t->p);
		else
			memcpy(n->name, "data", 4);
		return n;
	}
	if (memchr(t->p, '_', t->len))
		syntax(ps, t->p, "%.*s: attribute names are letters and digits", (int)t->len, t->p);
	for (i = 0; i < t->len; i++)
		if (n->name[i] >= 'A' && n->name[i] <= 'Z')
			n->name[i] += 'a' - 'A';
	return n;
}

static struct node *parse_logic(struct parser *ps);

/* ( expr, ... ) after IN or a function name, into n->args. */
static void
parse_list(struct parser *ps, struct node *n, int may_be_empty)
{
	next(ps);
	if (ps->tok.kind == T_RPAREN && may_be_empty) {
		next(ps);
		return;
	}
	for (;;) {
		n->args = xrealloc(n->args, (n->nargs + 1) * sizeof *n->args);
		n->args[n->nargs++] = parse_logic(ps);
		if (ps->tok.kind != T_COMMA)
			break;
		next(ps);
	}
	if (ps->tok.kind != T_RPAREN)
		syntax(ps, ps->tok.p, "expected ',' or ')'");
	next(ps);
}

static struct node *
parse_call(struct parser *ps, const struct token *t)
{
	struct node *n = new_node(N_CALL);
	size_t i;

	n->name = xstrndup(t->p, t->len);
	n->namelen = t->len;
	n->column = t->p - ps->text + 1;
	for (i = 0; i < t->len; i++)
		if (n->name[i] >= 'a' && n->name[i] <= 'z')
			n->name[i] -= 'a' - 'A';
	parse_list(ps, n, 1);
	if (!(n->func = cesql_func_find(n->name, n->nargs)) && !ps->q->missing_function)
		ps->q->missing_function = n;
	return grown(ps, n);
}

static struct node *
parse_primary(struct parser *ps)
{
	struct token t = ps->tok;
	struct node *n;

	switch (t.kind) {
	case T_INT:
		if (t.value > 2147483647)
			syntax(ps, t.p, "integer out of range");
		next(ps);
		return int_literal(t.value);
	case T_STRING:
		next(ps);
		n = new_node(N_LITERAL);
		n->name = xmalloc(t.len);
		n->literal.type = CESQL_STRING;
		n->literal.s = n->name;
		n->literal.len = lex_string(&t, n->name);
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
		n = parse_logic(ps);
		if (ps->tok.kind != T_RPAREN)
			syntax(ps, ps->tok.p, "expected ')'");
		next(ps);
		return n;
	case T_EXISTS:
		next(ps);
		t = ps->tok;
		if (t.kind != T_WORD) {
			syntax(ps, t.p, "EXISTS needs an attribute name");
			return new_node(N_LITERAL);
		}
		next(ps);
		return attribute(ps, N_EXISTS, &t);
	case T_WORD:
		next(ps);
		if (ps->tok.kind == T_LPAREN)
			return parse_call(ps, &t);
		return attribute(ps, N_ATTR, &t);
	case T_END:
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
	const char *at = ps->tok.p;

	if (++ps->nesting > MAX_NESTING) {
		syntax(ps, at, "nested too deeply (more than %d levels)", MAX_NESTING);
		return new_node(N_LITERAL);
	}
	if (ps->tok.kind == T_NOT || ps->tok.kind == T_MINUS) {
		n = new_node(ps->tok.kind == T_NOT ? N_NOT : N_NEGATE);
		next(ps);
		/* -2147483648 is a literal, not the negation of one too large */
		if (n->kind == N_NEGATE && ps->tok.kind == T_INT && ps->tok.value <= 2147483648LL) {
			free(n);
			n = int_literal(-ps->tok.value);
			next(ps);
		} else {
			n->a = parse_unary(ps);
			n = grown(ps, n);
		}
	} else if (ps->tok.kind == T_PLUS) {
		/* a signed integer literal, +5: the sign is part of it */
		next(ps);
		if (ps->tok.kind != T_INT || ps->tok.p != at + 1)
			syntax(ps, at, "'+' is a sign only right before an integer");
		n = parse_primary(ps);
	} else
		n = parse_primary(ps);
	ps->nesting--;
	return n;
}

static struct node *
parse_postfix(struct parser *ps)
{
	struct node *n = parse_unary(ps), *m;
	struct token not;
	int negated;

	for (;;) {
		negated = 0;
		if (ps->tok.kind == T_NOT) {
			/* after an operand, NOT is only NOT LIKE or NOT IN */
			not = ps->tok;
			next(ps);
			if (ps->tok.kind != T_LIKE && ps->tok.kind != T_IN) {
				syntax(ps, not.p, "NOT after an operand: only NOT LIKE or NOT IN");
				return n;
			}
			negated = 1;
		}
		if (ps->tok.kind == T_LIKE) {
			next(ps);
			if (ps->tok.kind != T_STRING) {
				syntax(ps, ps->tok.p, "LIKE needs a string pattern");
				return n;
			}
			m = new_node(N_LIKE);
			m->pattern = xmalloc(ps->tok.len);
			m->patlen = lex_string(&ps->tok, m->pattern);
			next(ps);
		} else if (ps->tok.kind == T_IN) {
			next(ps);
			if (ps->tok.kind != T_LPAREN) {
				syntax(ps, ps->tok.p, "IN needs a list in parentheses");
				return n;
			}
			m = new_node(N_IN);
			parse_list(ps, m, 0);
		} else
			return n;
		m->negated = negated;
		m->a = n;
		n = grown(ps, m);
	}
}

/* One level of left-grouping binary operators: its tokens (first_tok ...
   last_tok) map in order to operators from first_op. */
static struct node *
parse_level(struct parser *ps, struct node *(*operand)(struct parser *), enum token_kind first_tok,
    enum token_kind last_tok, enum binary_op first_op)
{
	struct node *n = operand(ps);
	enum token_kind k;

	while ((k = ps->tok.kind) >= first_tok && k <= last_tok && !ps->failed) {
		next(ps);
		n = binary(ps, first_op + (k - first_tok), n, operand(ps));
	}
	return n;
}

static struct node *
parse_product(struct parser *ps)
{
	return parse_level(ps, parse_postfix, T_STAR, T_PERCENT, OP_MUL);
}

static struct node *
parse_sum(struct parser *ps)
{
	return parse_level(ps, parse_product, T_PLUS, T_MINUS, OP_ADD);
}

static struct node *
parse_compare(struct parser *ps)
{
	return parse_level(ps, parse_sum, T_EQ, T_GE, OP_EQ);
}

static struct node *
parse_logic(struct parser *ps)
{
	return parse_level(ps, parse_compare, T_AND, T_XOR, OP_AND);
}

static void
node_free(struct node *n)
{
	int i;

	if (!n)
		return;
	node_free(n->a);
	node_free(n->b);
	for (i = 0; i < n->nargs; i++)
		node_free(n->args[i]);
	free(n->args);
	free(n->name);
	free(n->pattern);
	free(n);
}

struct cesql *
cesql_compile(const char *expr, struct cesql_parse_error *err)
{
	struct cesql *q = xcalloc(1, sizeof *q);
	struct parser ps = { .text = expr, .q = q, .err = err };

	ps.tok.p = expr;
	next(&ps);
	q->root = parse_logic(&ps);
	if (ps.tok.kind != T_END)
		syntax(&ps, ps.tok.p, "unexpected '%.*s' after the expression", (int)ps.tok.len, ps.tok.p);
	if (ps.failed) {
		cesql_free(q);
		return NULL;
	}
	return q;
}

/* The type an expression yields whatever the event, or CESQL_MISSING when
   it depends on the event (an attribute alone). */
static enum cesql_type
static_type(const struct node *n)
{
	switch (n->kind) {
	case N_LITERAL: return n->literal.type;
	case N_ATTR: return CESQL_MISSING;
	case N_NEGATE: return CESQL_INT;
	case N_BINARY: return n->op >= OP_ADD ? CESQL_INT : CESQL_BOOL;
	case N_CALL: return n->func ? n->func->ret : CESQL_BOOL;
	default: return CESQL_BOOL;
	}
}

struct cesql *
cesql_compile_filter(const char *expr, struct cesql_parse_error *err)
{
	static const char *const type_names[] = { "", "a boolean", "an integer", "a string" };
	struct cesql *q = cesql_compile(expr, err);
	enum cesql_type t;

	if (!q)
		return NULL;
	if (q->missing_function) {
		err->column = q->missing_function->column;
		snprintf(err->msg, sizeof err->msg, "no function %s with %d argument%s",
		    q->missing_function->name, q->missing_function->nargs,
		    q->missing_function->nargs == 1 ? "" : "s");
	} else if ((t = static_type(q->root)) == CESQL_INT || t == CESQL_STRING) {
		err->column = 1;
		snprintf(err->msg, sizeof err->msg, "the expression is %s, not a condition", type_names[t]);
	} else
		return q;
	cesql_free(q);
	return NULL;
}

void
cesql_free(struct cesql *q)
{
	struct arena_block *b, *next_block;

	if (!q)
		return;
	node_free(q->root);
	for (b = q->arena; b; b = next_block) {
		next_block = b->next;
		free(b);
	}
	free(q);
}

const char *
cesql_missing_function(const struct cesql *q)
{
	return q->missing_function ? q->missing_function->name : NULL;
}
