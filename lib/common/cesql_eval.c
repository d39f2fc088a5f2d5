/* Evaluating a compiled CESQL tree. Every operator is total: an error is
   recorded (the first one is reported) and the operator still yields a
   value, as CESQL 1.0 §3.3 says. */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cesql_eval.h"
#include "cesql_func.h"
#include "util.h"

#define ARENA_BLOCK 4096

const char *
cesql_error_name(enum cesql_error e)
{
	static const char *const names[] = {
		"ok", "parse", "math", "cast", "missingFunction", "functionEvaluation", "missingAttribute",
		"generic",
	};

	return (unsigned)e < sizeof names / sizeof names[0] ? names[e] : "generic";
}

void
eval_raise(struct eval *x, enum cesql_error e, const char *fmt, ...)
{
	va_list ap;

	x->raised++;
	if (x->err != CESQL_OK)
		return;
	x->err = e;
	va_start(ap, fmt);
	vsnprintf(x->q->msg, sizeof x->q->msg, fmt, ap);
	va_end(ap);
}

char *
eval_alloc(struct eval *x, size_t n)
{
	struct arena_block *b = x->q->arena;

	/* aligned for any value, argument arrays among them */
	n = (n + 15) & ~(size_t)15;
	if (!b || b->size - b->used < n) {
		size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;

		b = xmalloc(sizeof *b + size);
		b->size = size;
		b->used = 0;
		b->next = x->q->arena;
		x->q->arena = b;
	}
	b->used += n;
	return b->data + b->used - n;
}

/* Free all but one block (the oldest, in most cases the only one), so
   that evaluations allocate nothing once the first has run. */
static void
arena_reset(struct cesql *q)
{
	struct arena_block *b, *keep = q->arena;

	if (!keep)
		return;
	while (keep->next) {
		b = keep;
		keep = keep->next;
		free(b);
	}
	q->arena = keep;
	keep->used = 0;
}

struct cesql_value
zero_value(enum cesql_type t)
{
	struct cesql_value v = { .type = t, .s = "" };

	return v;
}

/* A whole decimal int32 with an optional sign; 0 or -1. */
static int
parse_int32(const char *s, size_t len, int32_t *out)
{
	int64_t v = 0;
	size_t i = 0;
	int neg = 0;

	if (len > 0 && (s[0] == '-' || s[0] == '+'))
		neg = s[i++] == '-';
	if (i == len)
		return -1;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if ((v = v * 10 + (s[i] - '0')) > 2147483648LL)
			return -1;
	}
	if (neg)
		v = -v;
	if (v > INT32_MAX)
		return -1;
	*out = (int32_t)v;
	return 0;
}

int
eval_try_cast(struct eval *x, struct cesql_value v, enum cesql_type t, int explicit, struct cesql_value *out)
{
	char *s;

	if (v.type == t || t == CESQL_MISSING) {
		*out = v;
		return 0;
	}
	*out = zero_value(t);
	switch (t) {
	case CESQL_INT:
		if (v.type == CESQL_BOOL) {
			out->i = v.i;
			return 0;
		}
		return parse_int32(v.s, v.len, &out->i);
	case CESQL_BOOL:
		if (v.type == CESQL_INT) {
			out->i = v.i != 0;
			return explicit ? 0 : -1;
		}
		out->i = v.len == 4 && strncasecmp(v.s, "true", 4) == 0;
		return out->i || (v.len == 5 && strncasecmp(v.s, "false", 5) == 0) ? 0 : -1;
	default:
		if (v.type == CESQL_BOOL) {
			out->s = v.i ? "true" : "false";
			out->len = v.i ? 4 : 5;
		} else {
			s = eval_alloc(x, 12);
			out->len = snprintf(s, 12, "%d", v.i);
			out->s = s;
		}
		return 0;
	}
}

struct cesql_value
eval_cast(struct eval *x, struct cesql_value v, enum cesql_type t, int explicit)
{
	struct cesql_value r;

	if (v.type == t || t == CESQL_MISSING)
		return v;  /* the common case, without a call */
	if (eval_try_cast(x, v, t, explicit, &r) == 0)
		return r;
	r = zero_value(t);
	if (v.type == CESQL_INT)
		eval_raise(x, CESQL_ERR_CAST, "an integer (%d) is a boolean only through BOOL()", v.i);
	else
		eval_raise(x, CESQL_ERR_CAST, "cannot cast '%.*s' to %s", v.len > 60 ? 60 : (int)v.len, v.s,
		    t == CESQL_INT ? "an integer" : "a boolean");
	return r;
}

static int
values_equal(const struct cesql_value *a, const struct cesql_value *b)
{
	if (a->type == CESQL_STRING)
		return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
	return a->i == b->i;
}

/* Bytes in the UTF-8 character at s (a lone byte when it is not one). */
static size_t
char_len(const char *s, const char *se)
{
	size_t n = 1;

	if ((unsigned char)s[0] >= 0xc0)
		while (n < 4 && s + n < se && ((unsigned char)s[n] & 0xc0) == 0x80)
			n++;
	return n;
}

/* LIKE: % any run of characters, _ one character; \% and \_ stand for
   themselves, any other backslash for itself. Backtracking to the last %
   only: linear in practice, quadratic at worst. */
static int
like(const char *s, const char *se, const char *p, const char *pe)
{
	const char *star_p = NULL, *star_s = NULL, *lit;

	while (s < se) {
		if (p < pe && *p == '%') {
			star_p = ++p;
			star_s = s;
			continue;
		}
		if (p < pe && *p == '_') {
			s += char_len(s, se);
			p++;
			continue;
		}
		if (p < pe) {
			lit = *p == '\\' && p + 1 < pe && (p[1] == '%' || p[1] == '_') ? p + 1 : p;
			if (*lit == *s) {
				p = lit + 1;
				s++;
				continue;
			}
		}
		if (!star_p)
			return 0;
		/* let the last % take one more character */
		p = star_p;
		s = star_s += char_len(star_s, se);
	}
	while (p < pe && *p == '%')
		p++;
	return p == pe;
}

static struct cesql_value eval(struct eval *x, const struct node *n);

/* An operand: *failed when evaluating it raised an error (a missing
   attribute among them); the operator then yields its zero value. A cast
   the operator itself makes and that fails does not stop it: it goes on
   with the zero value of the type (NOT 10 is true, with a cast error). */
static struct cesql_value
operand(struct eval *x, const struct node *n, int *failed)
{
	unsigned before = x->raised;
	struct cesql_value v = eval(x, n);

	*failed = x->raised != before || v.type == CESQL_MISSING;
	return v;
}

static struct cesql_value
eval_bool(struct eval *x, const struct node *n, int *failed)
{
	struct cesql_value v = operand(x, n, failed);

	return *failed ? zero_value(CESQL_BOOL) : eval_cast(x, v, CESQL_BOOL, 0);
}

static struct cesql_value
eval_logic(struct eval *x, const struct node *n)
{
	struct cesql_value r = zero_value(CESQL_BOOL), a, b;
	int failed;

	a = eval_bool(x, n->a, &failed);
	if (failed)
		return r;
	if ((n->op == OP_AND && !a.i) || (n->op == OP_OR && a.i))
		return a;  /* short circuit: the right operand is not evaluated */
	b = eval_bool(x, n->b, &failed);
	if (failed)
		return r;
	r.i = n->op == OP_XOR ? a.i != b.i : b.i;
	return r;
}

static struct cesql_value
eval_arith(struct eval *x, const struct node *n)
{
	struct cesql_value r = zero_value(CESQL_INT), a, b;
	int64_t v;
	int failed;

	a = operand(x, n->a, &failed);
	if (failed)
		return r;
	b = operand(x, n->b, &failed);
	if (failed)
		return r;
	a = eval_cast(x, a, CESQL_INT, 0);
	b = eval_cast(x, b, CESQL_INT, 0);
	switch (n->op) {
	case OP_ADD: v = (int64_t)a.i + b.i; break;
	case OP_SUB: v = (int64_t)a.i - b.i; break;
	case OP_MUL: v = (int64_t)a.i * b.i; break;
	default:
		if (b.i == 0) {
			eval_raise(x, CESQL_ERR_MATH, "%s by zero", n->op == OP_DIV ? "division" : "modulo");
			return r;
		}
		/* in 64 bits: INT32_MIN / -1 overflows only as an int32 */
		v = n->op == OP_DIV ? (int64_t)a.i / b.i : (int64_t)a.i % b.i;
	}
	if (v > INT32_MAX || v < INT32_MIN) {
		eval_raise(x, CESQL_ERR_MATH, "%" PRId64 " does not fit in 32 bits", v);
		return r;
	}
	r.i = (int32_t)v;
	return r;
}

static struct cesql_value
eval_compare(struct eval *x, const struct node *n)
{
	struct cesql_value r = zero_value(CESQL_BOOL), a, b;
	int eq, failed;

	a = operand(x, n->a, &failed);
	if (failed)
		return r;
	b = operand(x, n->b, &failed);
	if (failed)
		return r;
	if (n->op == OP_EQ || n->op == OP_NE) {
		/* of two types, the left operand is cast to the right one's (§3.7) */
		a = eval_cast(x, a, b.type, 0);
		eq = values_equal(&a, &b);
		r.i = n->op == OP_EQ ? eq : !eq;
		return r;
	}
	a = eval_cast(x, a, CESQL_INT, 0);
	b = eval_cast(x, b, CESQL_INT, 0);
	switch (n->op) {
	case OP_LT: r.i = a.i < b.i; break;
	case OP_LE: r.i = a.i <= b.i; break;
	case OP_GT: r.i = a.i > b.i; break;
	default: r.i = a.i >= b.i; break;
	}
	return r;
}

static struct cesql_value
eval_call(struct eval *x, const struct node *n)
{
	struct cesql_value args[8], *av = args;
	const struct cesql_func *f = n->func;
	int i, failed;

	if (!f) {
		eval_raise(x, CESQL_ERR_MISSING_FUNCTION, "no function %s with %d argument%s", n->name,
		    n->nargs, n->nargs == 1 ? "" : "s");
		return zero_value(CESQL_BOOL);
	}
	if (n->nargs > (int)(sizeof args / sizeof args[0]))
		av = (struct cesql_value *)eval_alloc(x, n->nargs * sizeof *av);
	for (i = 0; i < n->nargs; i++) {
		av[i] = operand(x, n->args[i], &failed);
		if (failed)
			return zero_value(f->ret);
		av[i] = eval_cast(x, av[i], i == 0 ? f->first : f->rest, 0);
	}
	return f->fn(x, av, n->nargs);
}

static struct cesql_value
eval_in(struct eval *x, const struct node *n)
{
	struct cesql_value r = zero_value(CESQL_BOOL), a, v;
	int i, found, failed;

	a = operand(x, n->a, &failed);
	if (failed)
		return r;
	for (i = found = 0; i < n->nargs && !found; i++) {
		v = operand(x, n->args[i], &failed);
		if (failed)
			return r;
		/* the members are cast to the type of the value sought (§3.7) */
		v = eval_cast(x, v, a.type, 0);
		found = values_equal(&a, &v);
	}
	r.i = found != n->negated;
	return r;
}

/* The string value of attribute n (an N_ATTR node), for the commonest
   tests, attr = 'text' and attr LIKE 'pattern': 0 and *v when the event
   has it as a string, else -1, and the test takes the general way (which
   looks again, and raises or casts as it must). */
static inline int
attr_string(struct eval *x, const struct node *n, struct cesql_value *v)
{
	return n->kind == N_ATTR && x->lookup(x->ctx, n->name, n->namelen, v) == 0 &&
	    v->type == CESQL_STRING ? 0 : -1;
}

static struct cesql_value
eval(struct eval *x, const struct node *n)
{
	struct cesql_value r, a;
	int failed;

	switch (n->kind) {
	case N_LITERAL:
		return n->literal;
	case N_ATTR:
		if (x->lookup(x->ctx, n->name, n->namelen, &r) < 0) {
			eval_raise(x, CESQL_ERR_MISSING_ATTRIBUTE, "no attribute %s", n->name);
			return zero_value(CESQL_MISSING);
		}
		return r;
	case N_EXISTS:
		r = zero_value(CESQL_BOOL);
		r.i = x->lookup(x->ctx, n->name, n->namelen, &a) == 0;
		return r;
	case N_NOT:
		r = eval_bool(x, n->a, &failed);
		if (!failed)
			r.i = !r.i;
		return r;
	case N_NEGATE:
		a = operand(x, n->a, &failed);
		if (failed)
			return zero_value(CESQL_INT);
		r = eval_cast(x, a, CESQL_INT, 0);
		if (r.i == INT32_MIN)
			eval_raise(x, CESQL_ERR_MATH, "-(%d) does not fit in 32 bits", r.i);
		else
			r.i = -r.i;
		return r;
	case N_BINARY:
		if (n->op <= OP_XOR)
			return eval_logic(x, n);
		if ((n->op == OP_EQ || n->op == OP_NE) && n->b->kind == N_LITERAL &&
		    n->b->literal.type == CESQL_STRING && attr_string(x, n->a, &a) == 0) {
			r = zero_value(CESQL_BOOL);
			r.i = values_equal(&a, &n->b->literal) == (n->op == OP_EQ);
			return r;
		}
		if (n->op <= OP_GE)
			return eval_compare(x, n);
		return eval_arith(x, n);
	case N_LIKE:
		r = zero_value(CESQL_BOOL);
		if (attr_string(x, n->a, &a) < 0) {
			a = operand(x, n->a, &failed);
			if (failed)
				return r;
			a = eval_cast(x, a, CESQL_STRING, 0);
		}
		r.i = like(a.s, a.s + a.len, n->pattern, n->pattern + n->patlen) != n->negated;
		return r;
	case N_IN:
		return eval_in(x, n);
	case N_CALL:
		return eval_call(x, n);
	}
	return zero_value(CESQL_BOOL);
}

enum cesql_error
cesql_eval(struct cesql *q, cesql_lookup_fn lookup, void *ctx, struct cesql_value *out, const char **msg)
{
	struct eval x = { .q = q, .lookup = lookup, .ctx = ctx };

	arena_reset(q);
	*out = eval(&x, q->root);
	if (out->type == CESQL_MISSING)
		*out = zero_value(CESQL_BOOL);
	*msg = x.err == CESQL_OK ? "" : q->msg;
	return x.err;
}
