#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cesql_func.h"
#include "json.h"
#include "util.h"

#define ARENA_BLOCK 4096

const char *
cesql_error_name(enum cesql_error e)
{
	static const char *const names[] = {
		"ok", "parse", "math", "cast", "missingFunction", "functionEvaluation", "missingAttribute",
		"generic",
	};

	return names[e];
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
	vsnprintf(x->msg, sizeof x->msg, fmt, ap);
	va_end(ap);
}

char *
eval_alloc(struct eval *x, size_t n)
{
	struct arena_block *b = x->q->arena;

	/* aligned for any value, argument arrays among them */
	n = (n + 15) & ~(size_t)15;
	/* the first block is kept from one evaluation to the next */
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

static void
arena_reset(struct cesql *q)
{
	struct arena_block *b, *next;

	if (!q->arena)
		return;
	for (b = q->arena->next; b; b = next) {
		next = b->next;
		free(b);
	}
	q->arena->next = NULL;
	q->arena->used = 0;
}

struct cesql_value
zero_value(enum cesql_type t)
{
	struct cesql_value v = { .type = t, .s = "" };

	return v;
}

/* A whole decimal int32, optional sign; 0 or -1. */
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
		v = v * 10 + (s[i] - '0');
		if (v > 2147483648LL)
			return -1;
	}
	if (neg)
		v = -v;
	if (v > INT32_MAX)
		return -1;
	*out = (int32_t)v;
	return 0;
}

struct cesql_value
eval_cast(struct eval *x, struct cesql_value v, enum cesql_type t, int explicit)
{
	struct cesql_value r = zero_value(t);
	char *s;

	if (v.type == t || t == CESQL_MISSING)
		return v;
	switch (t) {
	case CESQL_INT:
		if (v.type == CESQL_BOOL)
			r.i = v.i;
		else if (parse_int32(v.s, v.len, &r.i) < 0)
			eval_raise(x, CESQL_ERR_CAST, "cannot cast '%.*s' to an integer", (int)v.len, v.s);
		return r;
	case CESQL_BOOL:
		if (v.type == CESQL_INT) {
			if (explicit)
				r.i = v.i != 0;
			else
				eval_raise(x, CESQL_ERR_CAST, "an integer (%d) is not a boolean", v.i);
		} else if (v.len == 4 && strncasecmp(v.s, "true", 4) == 0)
			r.i = 1;
		else if (!(v.len == 5 && strncasecmp(v.s, "false", 5) == 0))
			eval_raise(x, CESQL_ERR_CAST, "cannot cast '%.*s' to a boolean", (int)v.len, v.s);
		return r;
	case CESQL_STRING:
		if (v.type == CESQL_BOOL) {
			r.s = v.i ? "true" : "false";
			r.len = v.i ? 4 : 5;
		} else {
			s = eval_alloc(x, 12);
			r.len = snprintf(s, 12, "%d", v.i);
			r.s = s;
		}
		return r;
	default:
		return r;
	}
}

static int
values_equal(const struct cesql_value *a, const struct cesql_value *b)
{
	if (a->type == CESQL_STRING)
		return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
	return a->i == b->i;
}

/* LIKE: % any run, _ one character; \% \_ and \\ stand for themselves. */
static int
like(const char *s, const char *se, const char *p, const char *pe)
{
	const char *star_p = NULL, *star_s = NULL;
	size_t n;

	while (s < se) {
		if (p < pe && *p == '%') {
			star_p = ++p;
			star_s = s;
			continue;
		}
		if (p < pe && *p == '_') {
			/* one UTF-8 character */
			for (n = 1; s + n < se && ((unsigned char)s[n] & 0xc0) == 0x80; n++)
				;
			s += n;
			p++;
			continue;
		}
		if (p < pe) {
			const char *lit = p;

			if (*p == '\\' && p + 1 < pe && (p[1] == '%' || p[1] == '_' || p[1] == '\\'))
				lit = ++p;
			if (*lit == *s) {
				p++;
				s++;
				continue;
			}
		}
		if (!star_p)
			return 0;
		/* backtrack: let the last % take one more byte */
		p = star_p;
		s = ++star_s;
	}
	while (p < pe && *p == '%')
		p++;
	return p == pe;
}

static struct cesql_value eval(struct eval *x, const struct node *n);

/* An operand: *failed when evaluating it raised an error (a missing
   attribute among them); the operator then yields its zero value. A cast
   the operator itself makes that fails does not stop it: it goes on with
   the zero value of the type (NOT 10 is true, with a cast error). */
static struct cesql_value
operand(struct eval *x, const struct node *n, int *failed)
{
	unsigned before = x->raised;
	struct cesql_value v = eval(x, n);

	*failed = x->raised != before || v.type == CESQL_MISSING;
	return v;
}

/* Both operands of a binary operator; -1 when one of them raised an error. */
static int
operands(struct eval *x, const struct node *n, struct cesql_value *a, struct cesql_value *b)
{
	int failed;

	*a = operand(x, n->a, &failed);
	if (failed)
		return -1;
	*b = operand(x, n->b, &failed);
	return failed ? -1 : 0;
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
		return a;  /* short circuit */
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

	if (operands(x, n, &a, &b) < 0)
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
		if (a.i == INT32_MIN && b.i == -1)
			v = n->op == OP_DIV ? (int64_t)INT32_MAX + 1 : 0;
		else
			v = n->op == OP_DIV ? a.i / b.i : a.i % b.i;
	}
	if (v > INT32_MAX || v < INT32_MIN) {
		eval_raise(x, CESQL_ERR_MATH, "integer overflow");
		return r;
	}
	r.i = (int32_t)v;
	return r;
}

static struct cesql_value
eval_compare(struct eval *x, const struct node *n)
{
	struct cesql_value r = zero_value(CESQL_BOOL), a, b;
	int eq;

	if (operands(x, n, &a, &b) < 0)
		return r;
	if (n->op == OP_EQ || n->op == OP_NE) {
		/* of two types, the left operand is cast to the right one's */
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
	struct cesql_value args[16], *av = args, r;
	const struct cesql_func *f = n->func;
	int i, failed;

	if (!f) {
		eval_raise(x, CESQL_ERR_MISSING_FUNCTION, "no function %s with %d argument%s", n->name,
		    n->nargs, n->nargs == 1 ? "" : "s");
		return zero_value(CESQL_BOOL);
	}
	if (n->nargs > 16)
		av = (struct cesql_value *)eval_alloc(x, n->nargs * sizeof *av);
	for (i = 0; i < n->nargs; i++) {
		av[i] = operand(x, n->args[i], &failed);
		if (failed)
			return zero_value(f->ret);
		av[i] = eval_cast(x, av[i], i == 0 ? f->first : f->rest, 0);
	}
	r = f->fn(x, av, n->nargs);
	return r;
}

static struct cesql_value
eval(struct eval *x, const struct node *n)
{
	struct cesql_value r, a;
	int i, found;

	switch (n->kind) {
	case N_LITERAL:
		return n->literal;
	case N_IDENT:
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
		r = eval_bool(x, n->a, &found);
		if (!found)
			r.i = !r.i;
		return r;
	case N_NEGATE:
		a = operand(x, n->a, &found);
		if (found)
			return zero_value(CESQL_INT);
		r = eval_cast(x, a, CESQL_INT, 0);
		if (r.i == INT32_MIN)
			eval_raise(x, CESQL_ERR_MATH, "integer overflow");
		else
			r.i = -r.i;
		return r;
	case N_BINARY:
		if (n->op <= OP_XOR)
			return eval_logic(x, n);
		if (n->op <= OP_GE)
			return eval_compare(x, n);
		return eval_arith(x, n);
	case N_LIKE:
		r = zero_value(CESQL_BOOL);
		a = operand(x, n->a, &found);
		if (found)
			return r;
		a = eval_cast(x, a, CESQL_STRING, 0);
		r.i = like(a.s, a.s + a.len, n->pattern, n->pattern + n->patlen) != n->negated;
		return r;
	case N_IN:
		r = zero_value(CESQL_BOOL);
		a = operand(x, n->a, &found);
		if (found)
			return r;
		for (i = found = 0; i < n->nargs && !found; i++) {
			int failed;
			struct cesql_value v = operand(x, n->args[i], &failed);

			if (failed)
				return r;
			/* the members are cast to the type of the value sought */
			v = eval_cast(x, v, a.type, 0);
			found = values_equal(&a, &v);
		}
		r.i = found != n->negated;
		return r;
	case N_CALL:
		return eval_call(x, n);
	}
	return zero_value(CESQL_BOOL);
}

enum cesql_error
cesql_eval(struct cesql *q, cesql_lookup_fn lookup, void *ctx, struct cesql_value *out, const char **msg)
{
	struct eval x = { .q = q, .lookup = lookup, .ctx = ctx };
	static char msgbuf[sizeof x.msg];

	arena_reset(q);
	*out = eval(&x, q->root);
	if (out->type == CESQL_MISSING)
		*out = zero_value(CESQL_BOOL);
	memcpy(msgbuf, x.msg, sizeof msgbuf);
	*msg = msgbuf;
	return x.err;
}

/* Attributes of a parsed event as CESQL values. */
static int
span_value(struct cesql *q, const struct json_span *v, struct cesql_value *out)
{
	struct eval x = { .q = q };
	char *scratch;
	int32_t i;

	switch (v->type) {
	case JSON_STRING:
		out->type = CESQL_STRING;
		if (memchr(v->p, '\\', v->len)) {
			scratch = eval_alloc(&x, v->len);
			out->s = json_str(v, scratch, &out->len);
		} else {
			out->s = v->p + 1;
			out->len = v->len - 2;
		}
		return 0;
	case JSON_TRUE:
	case JSON_FALSE:
		out->type = CESQL_BOOL;
		out->i = v->type == JSON_TRUE;
		return 0;
	case JSON_NULL:
		return -1;
	case JSON_NUMBER:
		if (parse_int32(v->p, v->len, &i) == 0) {
			out->type = CESQL_INT;
			out->i = i;
			return 0;
		}
		/* a number that is no int32 reads as its text */
		/* FALLTHROUGH */
	default:
		out->type = CESQL_STRING;
		out->s = v->p;
		out->len = v->len;
		return 0;
	}
}

struct event_lookup {
	struct cesql *q;
	const struct ce_event *ev;
};

static int
event_lookup(void *ctx, const char *name, size_t len, struct cesql_value *out)
{
	struct event_lookup *el = ctx;
	const struct json_span *v;
	struct json_span cur;
	const char *dot = memchr(name, '.', len), *p, *end = name + len;

	if (!dot)
		return (v = ce_get(el->ev, name, len)) ? span_value(el->q, v, out) : -1;
	/* data.a.b: fields of the JSON data */
	if (dot - name != 4 || memcmp(name, "data", 4) != 0 || !(v = ce_get(el->ev, "data", 4)))
		return -1;
	cur = *v;
	for (p = dot + 1; p < end; p = dot + 1) {
		if (!(dot = memchr(p, '.', end - p)))
			dot = end;
		if (json_object_get(&cur, p, dot - p, &cur) < 0)
			return -1;
	}
	return span_value(el->q, &cur, out);
}

enum cesql_error
cesql_eval_event(struct cesql *q, const struct ce_event *ev, struct cesql_value *out, const char **msg)
{
	struct event_lookup el = { q, ev };

	return cesql_eval(q, event_lookup, &el, out, msg);
}

int
cesql_match(struct cesql *q, const struct ce_event *ev, enum cesql_error *e, const char **msg)
{
	struct cesql_value v;

	*e = cesql_eval_event(q, ev, &v, msg);
	if (v.type != CESQL_BOOL) {
		struct eval x = { .q = q };

		v = eval_cast(&x, v, CESQL_BOOL, 0);
	}
	return v.i != 0;
}

size_t
cesql_value_json(const struct cesql_value *v, char *buf)
{
	switch (v->type) {
	case CESQL_INT:
		return sprintf(buf, "%d", v->i);
	case CESQL_STRING:
		return json_quote(buf, v->s, v->len);
	default:
		return sprintf(buf, "%s", v->i ? "true" : "false");
	}
}
