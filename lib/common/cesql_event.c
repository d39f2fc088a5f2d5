/* CESQL over CloudEvents JSON lines: the attributes of a parsed event (and,
   beyond CESQL, fields of its JSON data) as values, and values as JSON. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cesql_eval.h"
#include "json.h"

/* A JSON value as a CESQL value: strings, booleans and numbers that are
   32-bit integers keep their type; anything else reads as its JSON text
   (§3.2: values of no CESQL type are strings). */
static void
span_value(struct cesql *q, const struct json_span *v, struct cesql_value *out)
{
	struct eval x = { .q = q };
	const char *p;
	int64_t i = 0;
	size_t k;

	switch (v->type) {
	case JSON_STRING:
		out->type = CESQL_STRING;
		if (!memchr(v->p, '\\', v->len)) {  /* the text as it stands */
			out->s = v->p + 1;
			out->len = v->len - 2;
		} else
			out->s = json_str(v, eval_alloc(&x, v->len), &out->len);
		return;
	case JSON_TRUE:
	case JSON_FALSE:
		out->type = CESQL_BOOL;
		out->i = v->type == JSON_TRUE;
		return;
	case JSON_NUMBER:
		/* an integer has no '.', 'e' or more than 10 digits */
		p = v->p + (v->p[0] == '-');
		for (k = 0; p + k < v->p + v->len && p[k] >= '0' && p[k] <= '9' && k <= 10; k++)
			i = i * 10 + (p[k] - '0');
		if (p + k == v->p + v->len && k <= 10) {
			i = v->p[0] == '-' ? -i : i;
			if (i >= INT32_MIN && i <= INT32_MAX) {
				out->type = CESQL_INT;
				out->i = (int32_t)i;
				return;
			}
		}
		/* FALLTHROUGH */
	default:
		out->type = CESQL_STRING;
		out->s = v->p;
		out->len = v->len;
	}
}

struct event_lookup {
	struct cesql *q;
	const struct ce_event *ev;
};

/* Attributes by name; data.a.b by path (null reads as absent, as ce_get
   has it for attributes). */
static int
event_lookup(void *ctx, const char *name, size_t len, struct cesql_value *out)
{
	struct event_lookup *el = ctx;
	const struct json_span *v;
	struct json_span cur;
	const char *dot = memchr(name, '.', len), *p, *end = name + len;

	if (!dot) {
		if (!(v = ce_get(el->ev, name, len)))
			return -1;
		span_value(el->q, v, out);
		return 0;
	}
	/* the parser lets through only data.<field>[.<field>...] */
	if (!(v = ce_get(el->ev, "data", 4)))
		return -1;
	cur = *v;
	for (p = dot + 1; p < end; p = dot + 1) {
		if (!(dot = memchr(p, '.', end - p)))
			dot = end;
		if (json_object_get(&cur, p, dot - p, &cur) < 0 || cur.type == JSON_NULL)
			return -1;
	}
	span_value(el->q, &cur, out);
	return 0;
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
	return *e == CESQL_OK && v.type == CESQL_BOOL && v.i;
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
