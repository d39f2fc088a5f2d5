#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cesql_func.h"
#include "util.h"

/* Strings are UTF-8: lengths and positions count characters. */
static size_t
utf8_count(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	return n;
}

/* Byte offset of character k (k <= number of characters). */
static size_t
utf8_offset(const char *s, size_t len, size_t k)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && k-- == 0)
			return i;
	return len;
}

static struct cesql_value
int_value(int32_t i)
{
	struct cesql_value v = { .type = CESQL_INT, .i = i };

	return v;
}

static struct cesql_value
bool_value(int b)
{
	struct cesql_value v = { .type = CESQL_BOOL, .i = !!b };

	return v;
}

static struct cesql_value
string_value(const char *s, size_t len)
{
	struct cesql_value v = { .type = CESQL_STRING, .s = s, .len = len };

	return v;
}

static struct cesql_value
f_abs(struct eval *x, struct cesql_value *a, int n)
{
	if (a[0].i == INT32_MIN) {
		eval_raise(x, CESQL_ERR_MATH, "ABS(%d) overflows", a[0].i);
		return int_value(INT32_MAX);
	}
	return int_value(a[0].i < 0 ? -a[0].i : a[0].i);
}

static struct cesql_value
f_length(struct eval *x, struct cesql_value *a, int n)
{
	return int_value((int32_t)utf8_count(a[0].s, a[0].len));
}

static struct cesql_value
f_concat(struct eval *x, struct cesql_value *a, int n)
{
	size_t len = 0;
	int i;
	char *s, *o;

	for (i = 0; i < n; i++)
		len += a[i].len;
	o = s = eval_alloc(x, len + 1);
	for (i = 0; i < n; i++) {
		memcpy(o, a[i].s, a[i].len);
		o += a[i].len;
	}
	return string_value(s, o - s);
}

static struct cesql_value
f_concat_ws(struct eval *x, struct cesql_value *a, int n)
{
	size_t len = 0;
	int i;
	char *s, *o;

	for (i = 1; i < n; i++)
		len += a[i].len + a[0].len;
	o = s = eval_alloc(x, len + 1);
	for (i = 1; i < n; i++) {
		if (i > 1) {
			memcpy(o, a[0].s, a[0].len);
			o += a[0].len;
		}
		memcpy(o, a[i].s, a[i].len);
		o += a[i].len;
	}
	return string_value(s, o - s);
}

/* ASCII case mapping: the spec leaves locales out. */
static struct cesql_value
change_case(struct eval *x, struct cesql_value v, int upper)
{
	char *s = eval_alloc(x, v.len + 1);
	size_t i;

	for (i = 0; i < v.len; i++) {
		char c = v.s[i];

		if (upper && c >= 'a' && c <= 'z')
			c -= 32;
		else if (!upper && c >= 'A' && c <= 'Z')
			c += 32;
		s[i] = c;
	}
	return string_value(s, v.len);
}

static struct cesql_value
f_lower(struct eval *x, struct cesql_value *a, int n)
{
	return change_case(x, a[0], 0);
}

static struct cesql_value
f_upper(struct eval *x, struct cesql_value *a, int n)
{
	return change_case(x, a[0], 1);
}

static struct cesql_value
f_trim(struct eval *x, struct cesql_value *a, int n)
{
	const char *s = a[0].s, *e = s + a[0].len;

	while (s < e && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		e--;
	return string_value(s, e - s);
}

static struct cesql_value
f_left(struct eval *x, struct cesql_value *a, int n)
{
	if (a[1].i < 0) {
		eval_raise(x, CESQL_ERR_FUNCTION_EVALUATION, "LEFT: negative length %d", a[1].i);
		return a[0];
	}
	return string_value(a[0].s, utf8_offset(a[0].s, a[0].len, a[1].i));
}

static struct cesql_value
f_right(struct eval *x, struct cesql_value *a, int n)
{
	size_t chars = utf8_count(a[0].s, a[0].len), off;

	if (a[1].i < 0) {
		eval_raise(x, CESQL_ERR_FUNCTION_EVALUATION, "RIGHT: negative length %d", a[1].i);
		return a[0];
	}
	off = (size_t)a[1].i >= chars ? 0 : utf8_offset(a[0].s, a[0].len, chars - a[1].i);
	return string_value(a[0].s + off, a[0].len - off);
}

/* SUBSTRING(s, pos[, len]): pos counts from 1, or from the end when negative;
   0 gives "". A position outside the string is an error. */
static struct cesql_value
f_substring(struct eval *x, struct cesql_value *a, int n)
{
	int64_t chars = utf8_count(a[0].s, a[0].len), pos = a[1].i, len, from, to;

	if (pos == 0)
		return string_value("", 0);
	if (pos > chars || -pos > chars) {
		eval_raise(x, CESQL_ERR_FUNCTION_EVALUATION, "SUBSTRING: position %d is outside the string",
		    a[1].i);
		return string_value("", 0);
	}
	from = pos > 0 ? pos - 1 : chars + pos;
	len = n > 2 ? a[2].i : chars - from;
	if (len < 0) {
		eval_raise(x, CESQL_ERR_FUNCTION_EVALUATION, "SUBSTRING: negative length %d", a[2].i);
		return string_value("", 0);
	}
	to = from + len > chars ? chars : from + len;
	from = utf8_offset(a[0].s, a[0].len, from);
	to = utf8_offset(a[0].s, a[0].len, to);
	return string_value(a[0].s + from, to - from);
}

static struct cesql_value
f_int(struct eval *x, struct cesql_value *a, int n)
{
	return eval_cast(x, a[0], CESQL_INT, 1);
}

static struct cesql_value
f_bool(struct eval *x, struct cesql_value *a, int n)
{
	return eval_cast(x, a[0], CESQL_BOOL, 1);
}

static struct cesql_value
f_string(struct eval *x, struct cesql_value *a, int n)
{
	return eval_cast(x, a[0], CESQL_STRING, 1);
}

/* IS_BOOL / IS_INT: whether the value casts to that type without error. */
static struct cesql_value
can_cast(struct eval *x, struct cesql_value v, enum cesql_type t)
{
	struct eval probe = { .q = x->q };

	eval_cast(&probe, v, t, 1);
	return bool_value(probe.err == CESQL_OK);
}

static struct cesql_value
f_is_bool(struct eval *x, struct cesql_value *a, int n)
{
	return can_cast(x, a[0], CESQL_BOOL);
}

static struct cesql_value
f_is_int(struct eval *x, struct cesql_value *a, int n)
{
	return can_cast(x, a[0], CESQL_INT);
}

static const struct cesql_func functions[] = {
	{ "ABS", 1, 1, CESQL_INT, CESQL_INT, CESQL_INT, f_abs },
	{ "LENGTH", 1, 1, CESQL_INT, CESQL_STRING, CESQL_STRING, f_length },
	{ "CONCAT", 0, -1, CESQL_STRING, CESQL_STRING, CESQL_STRING, f_concat },
	{ "CONCAT_WS", 1, -1, CESQL_STRING, CESQL_STRING, CESQL_STRING, f_concat_ws },
	{ "LOWER", 1, 1, CESQL_STRING, CESQL_STRING, CESQL_STRING, f_lower },
	{ "UPPER", 1, 1, CESQL_STRING, CESQL_STRING, CESQL_STRING, f_upper },
	{ "TRIM", 1, 1, CESQL_STRING, CESQL_STRING, CESQL_STRING, f_trim },
	{ "LEFT", 2, 2, CESQL_STRING, CESQL_STRING, CESQL_INT, f_left },
	{ "RIGHT", 2, 2, CESQL_STRING, CESQL_STRING, CESQL_INT, f_right },
	{ "SUBSTRING", 2, 3, CESQL_STRING, CESQL_STRING, CESQL_INT, f_substring },
	{ "INT", 1, 1, CESQL_INT, CESQL_MISSING, CESQL_MISSING, f_int },
	{ "BOOL", 1, 1, CESQL_BOOL, CESQL_MISSING, CESQL_MISSING, f_bool },
	{ "STRING", 1, 1, CESQL_STRING, CESQL_MISSING, CESQL_MISSING, f_string },
	{ "IS_BOOL", 1, 1, CESQL_BOOL, CESQL_MISSING, CESQL_MISSING, f_is_bool },
	{ "IS_INT", 1, 1, CESQL_BOOL, CESQL_MISSING, CESQL_MISSING, f_is_int },
};

const struct cesql_func *
cesql_func_find(const char *name, size_t len, int nargs)
{
	size_t i;

	for (i = 0; i < sizeof functions / sizeof functions[0]; i++)
		if (strlen(functions[i].name) == len && strncasecmp(functions[i].name, name, len) == 0 &&
		    nargs >= functions[i].min_args && (functions[i].max_args < 0 || nargs <= functions[i].max_args))
			return &functions[i];
	return NULL;
}
