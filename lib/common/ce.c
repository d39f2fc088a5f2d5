#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bytescan.h"
#include "ce.h"
#include "rfc3339.h"
#include "util.h"

static int __attribute__((format(printf, 2, 3)))
fail(struct ce_error *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

/* Character classes of RFC 3986 and RFC 2045, as bits of one table. */
enum { C_URI = 1, C_TOKEN = 2, C_SCHEME = 4, C_B64 = 8 };
static unsigned char cclass[256];

/* before main, so that threads never race to fill it */
static void __attribute__((constructor))
cclass_init(void)
{
	const char *uri = "-._~:/?#[]@!$&'()*+,;=", *token = "!#$%&'*+-.^_`|~", *p;
	int c;

	for (c = 0; c < 256; c++) {
		int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

		cclass[c] = alnum ? C_URI | C_TOKEN | C_SCHEME | C_B64 : 0;
	}
	for (p = uri; *p; p++)
		cclass[(unsigned char)*p] |= C_URI;
	for (p = token; *p; p++)
		cclass[(unsigned char)*p] |= C_TOKEN;
	cclass['+'] |= C_SCHEME | C_B64;
	cclass['-'] |= C_SCHEME;
	cclass['.'] |= C_SCHEME;
	cclass['/'] |= C_B64;
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
		if (!(cclass[c] & C_URI))
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
		if (!(cclass[(unsigned char)s[i]] & C_SCHEME))
			return -1;
	return 0;
}

static int
token_char(int c)
{
	return cclass[(unsigned char)c] & C_TOKEN;
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
		} else if (pad || !(cclass[c] & C_B64))
			return -1;
	}
	return 0;
}

/* A CloudEvents Integer in JSON: digits only, maybe a minus, within the
   signed 32-bit range (the scanner has checked the number's grammar). */
static int
integer_check(const char *s, size_t len)
{
	size_t i = s[0] == '-';
	long long v = 0;

	if (len - i > 10)
		return -1;
	for (; i < len; i++) {
		if (!is_digit(s[i]))
			return -1;  /* a fraction or an exponent */
		v = v * 10 + (s[i] - '0');
	}
	return v <= (s[0] == '-' ? 2147483648LL : 2147483647LL) ? 0 : -1;
}

/* 1 and *cp set to the first character a CloudEvents String must not hold
   (C0 and C1 controls, U+007F, Unicode noncharacters), or 0 when it holds
   none. The answer is apart from the code point, as U+0000 is one of them.
   Surrogates never come here: the scanner rejects them unpaired. */
static int
string_forbidden(const struct json_span *v, unsigned *cp)
{
	const char *p = v->p + 1, *end = v->p + v->len - 1;

	/* printable ASCII is the common case, looked at eight bytes at a time */
	p += json_printable_prefix(p, end - p);
	while (p < end) {
		*cp = json_next_char(&p);
		if (*cp < 0x20 || (*cp >= 0x7f && *cp <= 0x9f) || (*cp >= 0xfdd0 && *cp <= 0xfdef) ||
		    (*cp & 0xfffe) == 0xfffe)
			return 1;
	}
	return 0;
}

static int
string_check(const struct ce_attr *a, const char *what, struct ce_error *err)
{
	unsigned cp;

	if (string_forbidden(&a->val, &cp))
		return fail(err, "%s%.*s: U+%04X is not allowed in a String", what, (int)a->namelen, a->name, cp);
	return 0;
}

/* Whether a specversion string is "1.0": its raw text nearly always, else
   the text decoded, as "1\u002e0" is the same JSON string. Each of the
   three characters escaped as \uXXXX, it is 20 bytes with the quotes: a
   longer one is some other string. */
static int
specversion_is_1_0(const struct json_span *v)
{
	char decoded[20];
	const char *s;
	size_t n;

	if (v->len == 5 && memcmp(v->p, "\"1.0\"", 5) == 0)
		return 1;
	if (v->len > sizeof decoded || !memchr(v->p, '\\', v->len))
		return 0;
	s = json_str(v, decoded, &n);
	return n == 3 && memcmp(s, "1.0", 3) == 0;
}

/* The context attributes of CloudEvents 1.0; anything else is an extension. */
enum attr_kind {
	A_EXT, A_SPECVERSION, A_ID, A_SOURCE, A_TYPE, A_TIME, A_SUBJECT,
	A_DATACONTENTTYPE, A_DATASCHEMA, A_DATA, A_DATA_BASE64,
};

static enum attr_kind
classify(const char *n, size_t len)
{
#define IS(lit) (len == sizeof lit - 1 && memcmp(n, lit, len) == 0)
	switch (n[0]) {
	case 'd':
		return IS("data") ? A_DATA : IS("data_base64") ? A_DATA_BASE64 :
		    IS("datacontenttype") ? A_DATACONTENTTYPE : IS("dataschema") ? A_DATASCHEMA : A_EXT;
	case 'i': return IS("id") ? A_ID : A_EXT;
	case 's':
		return IS("source") ? A_SOURCE : IS("specversion") ? A_SPECVERSION :
		    IS("subject") ? A_SUBJECT : A_EXT;
	case 't': return IS("type") ? A_TYPE : IS("time") ? A_TIME : A_EXT;
	default: return A_EXT;
	}
#undef IS
}

/* Check one attribute's value by its kind; printable: the value is a
   string of printable ASCII alone (json_printable_string), which needs
   no look for forbidden characters or escapes. */
static int
check_attr(const struct ce_attr *a, enum attr_kind kind, int printable, struct ce_error *err)
{
	const struct json_span *v = &a->val;
	const char *s;
	char *decoded = NULL;
	size_t n;
	int ok;

	if (kind == A_DATA)
		return 0;
	if (kind == A_EXT) {
		if (v->type == JSON_OBJECT || v->type == JSON_ARRAY)
			return fail(err, "extension %.*s: must be a string, number or boolean",
			    (int)a->namelen, a->name);
		if (v->type == JSON_NUMBER && integer_check(v->p, v->len) < 0)
			return fail(err, "extension %.*s: %.*s is not an Integer (whole, signed 32-bit)",
			    (int)a->namelen, a->name, v->len > 24 ? 24 : (int)v->len, v->p);
		return v->type == JSON_STRING && !printable ? string_check(a, "extension ", err) : 0;
	}
	if (v->type == JSON_NULL) {
		/* null stands for absent, but not for the required ones */
		if (kind == A_SPECVERSION || kind == A_ID || kind == A_SOURCE || kind == A_TYPE)
			return fail(err, "%.*s: must be a string", (int)a->namelen, a->name);
		return 0;
	}
	if (v->type != JSON_STRING)
		return fail(err, "%.*s: must be a string", (int)a->namelen, a->name);
	switch (kind) {
	case A_SPECVERSION:
		if (!specversion_is_1_0(v))
			return fail(err, "specversion: must be \"1.0\"");
		return 0;
	case A_DATA_BASE64:
		if (base64_check(v->p + 1, v->len - 2) < 0)
			return fail(err, "data_base64: not valid base64");
		return 0;
	default:
		break;
	}
	if (v->len == 2)
		return fail(err, "%.*s: must not be empty", (int)a->namelen, a->name);
	if (kind == A_ID || kind == A_TYPE || kind == A_SUBJECT)
		return printable ? 0 : string_check(a, "", err);
	/* a value seldom has escapes: decoded only then */
	if (!printable && memchr(v->p + 1, '\\', v->len - 2)) {
		decoded = xmalloc(v->len);
		s = json_str(v, decoded, &n);
	} else {
		s = v->p + 1;
		n = v->len - 2;
	}
	switch (kind) {
	case A_SOURCE:
		ok = uri_check(s, n, 0) == 0;
		break;
	case A_DATASCHEMA:
		ok = uri_check(s, n, 1) == 0;
		break;
	case A_TIME:
		ok = rfc3339_valid(s, n);
		break;
	default: /* A_DATACONTENTTYPE */
		ok = mediatype_check(s, n) == 0;
		break;
	}
	free(decoded);
	if (!ok)
		return fail(err, "%.*s: %s", (int)a->namelen, a->name,
		    kind == A_SOURCE ? "not a URI-reference" : kind == A_DATASCHEMA ? "not an absolute URI" :
		    kind == A_TIME ? "not an RFC 3339 timestamp" : "not a media type");
	return 0;
}

/* The member name at p (after its opening quote), up to the closing quote. */
static const char *
scan_name(const char *p, const char *end)
{
	p += bytescan_name(p, (size_t)(end - p));
	/* the one context attribute with another character */
	if (p < end && *p == '_' && end - p >= 7 && memcmp(p, "_base64", 7) == 0)
		p += 7;
	return p;
}

/* Scan the value of attribute a at *pp: 1 when it is a string of
   printable ASCII alone (most are, and it is found in one look), 0 for
   any other valid value, -1 with err. */
static int
scan_attr_value(const char **pp, const char *end, struct ce_attr *a, struct ce_error *err)
{
	const char *p = json_skip_ws(*pp, end), *why;
	size_t n;

	if (p < end && *p == '"' && (n = json_printable_string(p, end))) {
		a->val.p = p;
		a->val.len = n;
		a->val.type = JSON_STRING;
		*pp = p + n;
		return 1;
	}
	*pp = p;
	if (json_scan_value(pp, end, &a->val, &why) < 0)
		return fail(err, "invalid JSON in %.*s: %s", (int)a->namelen, a->name, why);
	return 0;
}

/* The attributes an event must have, given the kinds seen with a value. */
static int
check_required(unsigned seen, unsigned flags, struct ce_error *err)
{
	if ((seen & 1u << A_DATA) && (seen & 1u << A_DATA_BASE64))
		return fail(err, "data and data_base64 are exclusive");
	if (!(seen & 1u << A_SPECVERSION))
		return fail(err, "missing required attribute specversion");
	if (!(flags & CE_ALLOW_NO_ID) && !(seen & 1u << A_ID))
		return fail(err, "missing required attribute id");
	if (!(seen & 1u << A_SOURCE))
		return fail(err, "missing required attribute source");
	if (!(seen & 1u << A_TYPE))
		return fail(err, "missing required attribute type");
	return 0;
}

int
ce_parse(struct ce_event *ev, const char *line, size_t len, unsigned flags, struct ce_error *err)
{
	const char *p = line, *end = line + len, *name;
	struct ce_attr *a;
	enum attr_kind kind;
	unsigned seen = 0, named = 0;  /* kinds with a value; kinds named at all */
	int i, printable;

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
		if (p >= end)
			return fail(err, "invalid JSON: unexpected end of line");
		if (*p != '"')
			return fail(err, "invalid JSON: expected an attribute name");
		name = ++p;
		p = scan_name(p, end);
		if (p >= end)
			return fail(err, "invalid JSON: unexpected end of line");
		if (*p != '"') {
			const char *q = memchr(p, '"', end - p);
			int shown = q && q - name <= 40 ? (int)(q - name) : 0;

			return fail(err, "invalid attribute name \"%.*s\": only a-z and 0-9 allowed", shown, name);
		}
		if (p == name)
			return fail(err, "empty attribute name");
		if (ev->nattrs == CE_MAX_ATTRS)
			return fail(err, "more than %d attributes", CE_MAX_ATTRS);
		a = &ev->attrs[ev->nattrs];
		a->name = name;
		a->namelen = p - name;
		kind = classify(name, a->namelen);
		for (i = 0; kind == A_EXT && i < ev->nattrs; i++)
			if (ev->attrs[i].namelen == a->namelen && memcmp(ev->attrs[i].name, name, a->namelen) == 0)
				break;
		if (kind != A_EXT ? (named & 1u << kind) != 0 : i < ev->nattrs)
			return fail(err, "duplicate attribute %.*s", (int)a->namelen, name);
		p = json_skip_ws(p + 1, end);
		if (p >= end || *p != ':')
			return fail(err, "invalid JSON: expected ':' after \"%.*s\"", (int)a->namelen, name);
		p++;
		if ((printable = scan_attr_value(&p, end, a, err)) < 0)
			return -1;
		ev->nattrs++;
		if (check_attr(a, kind, printable, err) < 0)
			return -1;
		named |= 1u << kind;
		if (a->val.type != JSON_NULL)  /* null stands for absent */
			seen |= 1u << kind;
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
	return check_required(seen, flags, err);
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
