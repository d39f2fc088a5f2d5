#include "config.h"

#include <locale.h>
#include <string.h>
#include <wctype.h>

#include "cesql_func.h"

/* Strings are UTF-8; lengths and positions count characters (code points).
   Text from the expression itself is not validated: a byte that starts no
   valid sequence counts as a character of its own. */

/* The character at s[0..len) (len > 0): its code point, or -1 when the
   bytes are no valid UTF-8, and its length. */
static size_t
utf8_decode(const char *s, size_t len, long *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n, i;
	long c;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		n = 2, c = u[0] & 0x1f;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		n = 3, c = u[0] & 0x0f;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		n = 4, c = u[0] & 0x07;
	else
		n = 0, c = 0;
	for (i = 1; i < n && i < len && (u[i] & 0xc0) == 0x80; i++)
		c = c << 6 | (u[i] & 0x3f);
	if (n == 0 || i < n || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ||
	    c < (n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000)) {
		*cp = -1;
		return 1;
	}
	*cp = c;
	return n;
}

static size_t
utf8_encode(long c, char *o)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | c >> 6);
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | c >> 12);
		o[1] = (char)(0x80 | (c >> 6 & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | c >> 18);
	o[1] = (char)(0x80 | (c >> 12 & 0x3f));
	o[2] = (char)(0x80 | (c >> 6 & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

static size_t
char_count(const char *s, size_t len)
{
	size_t i, n = 0;
	long cp;

	for (i = 0; i < len; n++)
		i += utf8_decode(s + i, len - i, &cp);
	return n;
}

/* Byte offset of character k, or len when there are no more than k. */
static size_t
char_offset(const char *s, size_t len, size_t k)
{
	size_t i;
	long cp;

	for (i = 0; i < len && k > 0; k--)
		i += utf8_decode(s + i, len - i, &cp);
	return i;
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
f_abs(struct eval *x, const struct cesql_value *a, int n)
{
	(void)n;
	if (a[0].i == INT32_MIN) {
		eval_raise(x, CESQL_ERR_MATH, "ABS(%d) does not fit in 32 bits", a[0].i);
		return int_value(INT32_MAX);
	}
	return int_value(a[0].i < 0 ? -a[0].i : a[0].i);
}

static struct cesql_value
f_length(struct eval *x, const struct cesql_value *a, int n)
{
	(void)x, (void)n;
	return int_value((int32_t)char_count(a[0].s, a[0].len));
}

/* The strings a[from..n), with sep between them. */
static struct cesql_value
join(struct eval *x, const struct cesql_value *sep, const struct cesql_value *a, int from, int n)
{
	size_t len = 0;
	char *s, *o;
	int i;

	for (i = from; i < n; i++)
		len += a[i].len + (sep ? sep->len : 0);
	o = s = eval_alloc(x, len + 1);
	for (i = from; i < n; i++) {
		if (sep && i > from) {
			memcpy(o, sep->s, sep->len);
			o += sep->len;
		}
		memcpy(o, a[i].s, a[i].len);
		o += a[i].len;
	}
	return string_value(s, o - s);
}

static struct cesql_value
f_concat(struct eval *x, const struct cesql_value *a, int n)
{
	return join(x, NULL, a, 0, n);
}

static struct cesql_value
f_concat_ws(struct eval *x, const struct cesql_value *a, int n)
{
	return join(x, &a[0], a, 1, n);
}

/* Unicode's simple case mappings, from the C.UTF-8 locale's tables (they
   do not depend on the user's locale); ASCII only if it is not there. */
static struct cesql_value
change_case(struct eval *x, struct cesql_value v, int upper)
{
	static locale_t utf8;
	static int tried;
	char *s = eval_alloc(x, 4 * v.len + 1), *o = s;
	size_t i;
	long c;

	if (!tried) {
		tried = 1;
		utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	for (i = 0; i < v.len;) {
		size_t n = utf8_decode(v.s + i, v.len - i, &c);

		if (c < 0) {
			*o++ = v.s[i++];
			continue;
		}
		if (utf8)
			c = upper ? (long)towupper_l((wint_t)c, utf8) : (long)towlower_l((wint_t)c, utf8);
		else if (upper && c >= 'a' && c <= 'z')
			c -= 'a' - 'A';
		else if (!upper && c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		o += utf8_encode(c, o);
		i += n;
	}
	return string_value(s, o - s);
}

static struct cesql_value
f_lower(struct eval *x, const struct cesql_value *a, int n)
{
	(void)n;
	return change_case(x, a[0], 0);
}

static struct cesql_value
f_upper(struct eval *x, const struct cesql_value *a, int n)
{
	(void)n;
	return change_case(x, a[0], 1);
}

/* Unicode's White_Space characters. */
static int
is_space(long c)
{
	return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 || c == 0x1680 ||
	    (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f ||
	    c == 0x3000;
}

static struct cesql_value
f_trim(struct eval *x, const struct cesql_value *a, int n)
{
	size_t i, first = a[0].len, end = 0, len;
	long c;

	(void)x, (void)n;
	for (i = 0; i < a[0].len; i += len) {
		len = utf8_decode(a[0].s + i, a[0].len - i, &c);
		if (!is_space(c)) {
			if (first == a[0].len)
				first = i;
			end = i + len;
		}
	}
	return string_value(a[0].s + first, end > first ? end - first : 0);
}

static struct cesql_value
f_left(struct eval *x, const struct cesql_value *a, int n)
{
	(void)n;
	if (a[1].i < 0) {
		eval_raise(x, CESQL_ERR_FUNCTION_EVALUATION, "LEFT: negative length %d", a[1].i);
		return a[0];
	}
	return string_value(a[0].s, char_offset(a[0].s, a[0].len, a[1].i));
}

static struct cesql_value
f_right(struct eval *x, const struct cesql_value *a, int n)
{
	size_t chars = char_count(a[0].s, a[0].len), off;

	(void)n;
	if (a[1].i < 0) {
		eval_raise(x, CESQL_ERR_FUNCTION_EVALUATION, "RIGHT: negative length %d", a[1].i);
		return a[0];
	}
	off = (size_t)a[1].i >= chars ? 0 : char_offset(a[0].s, a[0].len, chars - a[1].i);
	return string_value(a[0].s + off, a[0].len - off);
}

/* SUBSTRING(s, pos[, len]): pos counts from 1, or from the end when
   negative; 0 gives "". A position outside the string is an error. */
static struct cesql_value
f_substring(struct eval *x, const struct cesql_value *a, int n)
{
	int64_t chars = char_count(a[0].s, a[0].len), pos = a[1].i, len, from, to;

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
	from = char_offset(a[0].s, a[0].len, from);
	to = char_offset(a[0].s, a[0].len, to);
	return string_value(a[0].s + from, to - from);
}

static struct cesql_value
f_int(struct eval *x, const struct cesql_value *a, int n)
{
	(void)n;
	return eval_cast(x, a[0], CESQL_INT, 1);
}

static struct cesql_value
f_bool(struct eval *x, const struct cesql_value *a, int n)
{
	(void)n;
	return eval_cast(x, a[0], CESQL_BOOL, 1);
}

static struct cesql_value
f_string(struct eval *x, const struct cesql_value *a, int n)
{
	(void)n;
	return eval_cast(x, a[0], CESQL_STRING, 1);
}

/* IS_BOOL, IS_INT: whether the explicit cast would succeed. */
static struct cesql_value
can_cast(struct eval *x, struct cesql_value v, enum cesql_type t)
{
	struct cesql_value r;

	return bool_value(eval_try_cast(x, v, t, 1, &r) == 0);
}

static struct cesql_value
f_is_bool(struct eval *x, const struct cesql_value *a, int n)
{
	(void)n;
	return can_cast(x, a[0], CESQL_BOOL);
}

static struct cesql_value
f_is_int(struct eval *x, const struct cesql_value *a, int n)
{
	(void)n;
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
cesql_func_find(const char *name, int nargs)
{
	size_t i;

	for (i = 0; i < sizeof functions / sizeof functions[0]; i++)
		if (strcmp(functions[i].name, name) == 0 && nargs >= functions[i].min_args &&
		    (functions[i].max_args < 0 || nargs <= functions[i].max_args))
			return &functions[i];
	return NULL;
}
