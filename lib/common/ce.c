#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "ce.h"
#include "rfc3339.h"
#include "util.h"

/* Decoded attribute values are checked from here; one line at most. */
static char *scratch;

static int __attribute__((format(printf, 2, 3)))
fail(struct ce_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_hex(int c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* RFC 3986 URI-reference (absolute when need_scheme): allowed characters,
   well-formed percent escapes, and a valid scheme before the first ':' that
   comes ahead of any '/', '?' or '#'. */
static int
uri_check(const char *s, size_t len, int need_scheme)
{
	static const char other[] = "-._~:/?#[]@!$&'()*+,;=";
	size_t i, colon = 0;
	int scheme_possible = 1;

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == '%') {
			if (i + 2 >= len || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
				return -1;
			i += 2;
			continue;
		}
		if (!is_alpha(c) && !is_digit(c) && (c == 0 || !strchr(other, c)))
			return -1;
		if (scheme_possible && (c == '/' || c == '?' || c == '#'))
			scheme_possible = 0;
		else if (scheme_possible && c == ':') {
			colon = i;
			scheme_possible = 0;
			if (colon == 0)
				return -1;
		}
	}
	if (!colon)
		return need_scheme ? -1 : 0;
	if (!is_alpha(s[0]))
		return -1;
	for (i = 1; i < colon; i++)
		if (!is_alpha(s[i]) && !is_digit(s[i]) && !strchr("+-.", s[i]))
			return -1;
	return 0;
}

static int
token_char(int c)
{
	return is_alpha(c) || is_digit(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* RFC 2045 media type: type "/" subtype, then parameters of printable ASCII. */
static int
mediatype_check(const char *s, size_t len)
{
	size_t i = 0, n;

	for (n = 0; i < len && token_char(s[i]); i++, n++)
		;
	if (!n || i >= len || s[i++] != '/')
		return -1;
	for (n = 0; i < len && token_char(s[i]); i++, n++)
		;
	if (!n || (i < len && s[i] != ';' && s[i] != ' '))
		return -1;
	for (; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return -1;
	return 0;
}

/* RFC 4648 base64 with padding. */
static int
base64_check(const char *s, size_t len)
{
	size_t i, pad = 0;

	if (len % 4)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == '=') {
			if (i + 2 < len || ++pad > 2)
				return -1;
		} else if (pad || !(is_alpha(c) || is_digit(c) || c == '+' || c == '/'))
			return -1;
	}
	return 0;
}

static int
name_is(const struct ce_attr *a, const char *name)
{
	size_t n = strlen(name);

	return a->namelen == n && memcmp(a->name, name, n) == 0;
}

/* Check one context attribute or extension by its name and JSON type. */
static int
check_attr(const struct ce_attr *a, struct ce_error *err)
{
	const struct json_span *v = &a->val;
	const char *s;
	size_t n;
	int64_t ns;

	if (name_is(a, "data"))
		return 0;
	if (v->type == JSON_NULL) {
		/* null stands for absent, but never for the required ones */
		if (name_is(a, "id") || name_is(a, "source") || name_is(a, "specversion") || name_is(a, "type"))
			return fail(err, "%.*s: must be a string", (int)a->namelen, a->name);
		return 0;
	}
	if (name_is(a, "specversion")) {
		if (v->type != JSON_STRING || v->len != 5 || memcmp(v->p, "\"1.0\"", 5) != 0)
			return fail(err, "specversion: must be \"1.0\"");
		return 0;
	}
	if (a->namelen > 10 || !(name_is(a, "id") || name_is(a, "source") || name_is(a, "type") ||
	    name_is(a, "time") || name_is(a, "subject") || name_is(a, "dataschema") ||
	    name_is(a, "datacontenttype") || name_is(a, "data_base64"))) {
		/* an extension: a scalar */
		if (v->type == JSON_OBJECT || v->type == JSON_ARRAY)
			return fail(err, "extension %.*s: must be a string, number or boolean",
			    (int)a->namelen, a->name);
		return 0;
	}
	if (v->type != JSON_STRING)
		return fail(err, "%.*s: must be a string", (int)a->namelen, a->name);
	if (name_is(a, "data_base64")) {
		if (base64_check(v->p + 1, v->len - 2) < 0)
			return fail(err, "%.*s: not valid base64", (int)a->namelen, a->name);
		return 0;
	}
	if (v->len == 2)
		return fail(err, "%.*s: must not be empty", (int)a->namelen, a->name);
	if (!scratch)
		scratch = xmalloc(CE_LINE_MAX);
	s = json_str(v, scratch, &n);
	if (name_is(a, "source")) {
		if (uri_check(s, n, 0) < 0)
			return fail(err, "%.*s: not a URI-reference", (int)a->namelen, a->name);
	} else if (name_is(a, "dataschema")) {
		if (uri_check(s, n, 1) < 0)
			return fail(err, "%.*s: not an absolute URI", (int)a->namelen, a->name);
	} else if (name_is(a, "time")) {
		if (rfc3339_parse(s, n, &ns) < 0)
			return fail(err, "%.*s: not an RFC 3339 timestamp", (int)a->namelen, a->name);
	} else if (name_is(a, "datacontenttype")) {
		if (mediatype_check(s, n) < 0)
			return fail(err, "%.*s: not a media type", (int)a->namelen, a->name);
	}
	return 0;
}

int
ce_parse(struct ce_event *ev, const char *line, size_t len, unsigned flags, struct ce_error *err)
{
	const char *p = line, *end = line + len, *why, *name;
	struct ce_attr *a;
	int i, has_data = 0, has_b64 = 0;

	ev->line = line;
	ev->len = len;
	ev->nattrs = 0;
	p = json_skip_ws(p, end);
	if (p >= end)
		return fail(err, "empty line");
	if (*p != '{')
		return fail(err, "not a JSON object");
	p = json_skip_ws(p + 1, end);
	if (p < end && *p == '}') {
		p++;
		goto members_done;
	}
	for (;;) {
		if (p >= end || *p != '"')
			goto syntax_expected_name;
		name = ++p;
		while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
			p++;
		if (p >= end)
			goto syntax_expected_name;
		if (*p != '"') {
			if (p - name == 4 && memcmp(name, "data_base64\"", 12) == 0 && end - p >= 8)
				p += 7;
			else {
				const char *q = memchr(p, '"', end - p);
				int shown = q && q - name <= 40 ? (int)(q - name) : 0;

				return fail(err, "invalid attribute name \"%.*s\": only a-z and 0-9 allowed",
				    shown, name);
			}
		}
		if (p == name)
			return fail(err, "empty attribute name");
		if (ev->nattrs == CE_MAX_ATTRS)
			return fail(err, "more than %d attributes", CE_MAX_ATTRS);
		a = &ev->attrs[ev->nattrs];
		a->name = name;
		a->namelen = p - name;
		for (i = 0; i < ev->nattrs; i++)
			if (ev->attrs[i].namelen == a->namelen && memcmp(ev->attrs[i].name, name, a->namelen) == 0)
				return fail(err, "duplicate attribute %.*s", (int)a->namelen, name);
		p = json_skip_ws(p + 1, end);
		if (p >= end || *p != ':')
			return fail(err, "invalid JSON: expected ':' after \"%.*s\"", (int)a->namelen, name);
		p++;
		if (json_scan_value(&p, end, &a->val, &why) < 0)
			return fail(err, "invalid JSON in %.*s: %s", (int)a->namelen, name, why);
		ev->nattrs++;
		if (check_attr(a, err) < 0)
			return -1;
		has_data |= name_is(a, "data");
		has_b64 |= name_is(a, "data_base64") && a->val.type != JSON_NULL;
		p = json_skip_ws(p, end);
		if (p < end && *p == ',') {
			p = json_skip_ws(p + 1, end);
			continue;
		}
		if (p < end && *p == '}') {
			p++;
			break;
		}
		return fail(err, "invalid JSON: expected ',' or '}' after %.*s", (int)a->namelen, name);
	}
members_done:
	if (json_skip_ws(p, end) != end)
		return fail(err, "invalid JSON: text after the event");
	if (has_data && has_b64)
		return fail(err, "data and data_base64 are exclusive");
	if (!ce_get(ev, "specversion", 11))
		return fail(err, "missing required attribute specversion");
	if (!(flags & CE_ALLOW_NO_ID) && !ce_get(ev, "id", 2))
		return fail(err, "missing required attribute id");
	if (!ce_get(ev, "source", 6))
		return fail(err, "missing required attribute source");
	if (!ce_get(ev, "type", 4))
		return fail(err, "missing required attribute type");
	return 0;

syntax_expected_name:
	if (p >= end)
		return fail(err, "invalid JSON: unexpected end of line");
	return fail(err, "invalid JSON: expected an attribute name");
}

const struct json_span *
ce_get(const struct ce_event *ev, const char *name, size_t namelen)
{
	int i;

	for (i = 0; i < ev->nattrs; i++)
		if (ev->attrs[i].namelen == namelen && memcmp(ev->attrs[i].name, name, namelen) == 0)
			return ev->attrs[i].val.type == JSON_NULL ? NULL : &ev->attrs[i].val;
	return NULL;
}

void
ce_new_id(char out[37])
{
	unsigned char b[16];

	randombytes_buf(b, sizeof b);
	b[6] = (b[6] & 0x0f) | 0x40;  /* version 4 */
	b[8] = (b[8] & 0x3f) | 0x80;  /* RFC 4122 variant */
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
	    b[13], b[14], b[15]);
}
