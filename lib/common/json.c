#include "config.h"

#include <stdint.h>
#include <string.h>

#include "bytescan.h"
#include "json.h"
#include "util.h"

/* Bytes that are themselves inside a string, as JSON writes them. */
static inline int
string_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

static int
hex4(const char *p, const char *end)
{
	int i, v = 0, h;

	if (end - p < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		if ((h = hex_value((unsigned char)p[i])) < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

int
utf8_valid(const char *s, size_t len)
{
	return bytescan_utf8(s, len) == len;
}

/* The rest of a string from p, the first byte after its plain run (see
   scan_string); *pp is its opening quote. */
static __attribute__((noinline)) int
scan_string_rest(const char **pp, const char *from, const char *end, const char **why)
{
	const unsigned char *p = (const unsigned char *)from, *e = (const unsigned char *)end;
	size_t n, bad;
	int u, lo;

	for (;; p += bytescan_plain((const char *)p, (size_t)(e - p))) {
		if (p >= e) {
			*why = "unterminated string";
			goto fail;
		}
		switch (*p) {
		case '"':
			*pp = (const char *)p + 1;
			return 0;
		case '\\':
			if (e - p < 2) {
				*why = "unterminated string";
				goto fail;
			}
			switch (p[1]) {
			case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
				p += 2;
				continue;
			case 'u':
				if ((u = hex4((const char *)p + 2, end)) < 0) {
					*why = "bad \\u escape";
					goto fail;
				}
				p += 6;
				if (u >= 0xdc00 && u <= 0xdfff) {
					*why = "lone surrogate in \\u escape";
					goto fail;
				}
				if (u >= 0xd800 && u <= 0xdbff) {
					if (e - p < 6 || p[0] != '\\' || p[1] != 'u' ||
					    (lo = hex4((const char *)p + 2, end)) < 0xdc00 || lo > 0xdfff) {
						*why = "lone surrogate in \\u escape";
						goto fail;
					}
					p += 6;
				}
				continue;
			default:
				*why = "bad escape in string";
				goto fail;
			}
		default:
			if (*p < 0x20) {
				*why = "control character in string";
				goto fail;
			}
			/* UTF-8 runs until the next quote, backslash or control
			   character, none of which a sequence may hold */
			n = bytescan_text((const char *)p, (size_t)(e - p));
			if ((bad = bytescan_utf8((const char *)p, n)) < n) {
				p += bad;
				*why = "invalid UTF-8";
				goto fail;
			}
			p += n;
		}
	}
fail:
	*pp = (const char *)p;
	return -1;
}

/* Scan a string whose opening quote is at *pp. Most strings of an event
   are short and plain: one look at their first bytes, inline, ends them;
   anything else goes on where that look stopped. */
static inline int
scan_string(const char **pp, const char *end, const char **why)
{
	const char *p = *pp + 1;

	p += bytescan_plain(p, (size_t)(end - p));
	if (p < end && *p == '"') {
		*pp = p + 1;
		return 0;
	}
	return scan_string_rest(pp, p, end, why);
}

/* p moved past the digits 0-9 there, eight bytes a step where there are
   eight: a loop that ends after one to three digits, as an event's
   numbers do, mispredicts its end more often than not. A byte is a digit
   when its low seven bits are 0x30 to 0x39 (adding 0x50 sets bit 7 from
   0x30 up, adding 0x46 from 0x3a up; neither carries into the next byte)
   and its bit 7 is clear. */
static inline const char *
skip_digits(const char *p, const char *end)
{
	const uint64_t high = 0x8080808080808080u, low7 = 0x7f7f7f7f7f7f7f7fu;
	uint64_t w, x, other;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	while (end - p >= 8) {
		memcpy(&w, p, 8);
		x = w & low7;
		other = ~(((x + 0x5050505050505050u) & ~(x + 0x4646464646464646u)) & ~w) & high;
		if (other)
			return p + (__builtin_ctzll(other) >> 3);
		p += 8;
	}
#endif
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p;
}

static int
scan_number(const char **pp, const char *end, const char **why)
{
	const char *p = *pp;

	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (p < end && *p >= '1' && *p <= '9')
		p = skip_digits(p + 1, end);
	else
		goto bad;
	if (p < end && *p == '.') {
		if (++p >= end || *p < '0' || *p > '9')
			goto bad;
		p = skip_digits(p + 1, end);
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		if (++p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || *p < '0' || *p > '9')
			goto bad;
		p = skip_digits(p + 1, end);
	}
	*pp = p;
	return 0;
bad:
	*why = "bad number";
	*pp = p;
	return -1;
}

static int
scan_literal(const char **pp, const char *end, const char *word, size_t n, const char **why)
{
	if ((size_t)(end - *pp) < n || memcmp(*pp, word, n) != 0) {
		*why = "unexpected character";
		return -1;
	}
	*pp += n;
	return 0;
}

/* A scalar at p (not a container); its type in *type. */
static inline int
scan_scalar(const char **pp, const char *end, enum json_type *type, const char **why)
{
	switch (**pp) {
	case '"':
		*type = JSON_STRING;
		return scan_string(pp, end, why);
	case 't':
		*type = JSON_TRUE;
		return scan_literal(pp, end, "true", 4, why);
	case 'f':
		*type = JSON_FALSE;
		return scan_literal(pp, end, "false", 5, why);
	case 'n':
		*type = JSON_NULL;
		return scan_literal(pp, end, "null", 4, why);
	default:
		*type = JSON_NUMBER;
		if (**pp == '-' || (**pp >= '0' && **pp <= '9'))
			return scan_number(pp, end, why);
		*why = "unexpected character";
		return -1;
	}
}

/* One value, containers walked in a loop rather than by recursion: a
   call per value was a third of an event's check. open holds a bit a
   container, set for an object, the innermost the lowest; JSON_MAX_DEPTH
   is 64, one uint64_t. On error *pp is where it was found. */
static int
scan(const char **pp, const char *end, struct json_span *v, const char **why)
{
	const char *p = json_skip_ws(*pp, end), *start = p;
	uint64_t open = 0;
	int depth = 0;
	enum json_type type;

	v->type = JSON_NONE;
value:
	if (p >= end) {
		*why = "unexpected end of input";
		goto fail;
	}
	if (*p == '{' || *p == '[') {
		type = *p == '{' ? JSON_OBJECT : JSON_ARRAY;
		if (depth >= JSON_MAX_DEPTH) {
			*why = "nested too deeply";
			goto fail;
		}
		open = open << 1 | (type == JSON_OBJECT);
		depth++;
		p = json_skip_ws(p + 1, end);
		if (p < end && *p == (type == JSON_OBJECT ? '}' : ']')) {
			p++;
			goto closed;
		}
		if (type == JSON_OBJECT)
			goto member;
		goto value;
	}
	if (scan_scalar(&p, end, &type, why) < 0)
		goto fail;
next:
	if (depth == 0)
		goto done;
	p = json_skip_ws(p, end);
	if (p < end && *p == ',') {
		p++;
		if (open & 1)
			goto member;
		p = json_skip_ws(p, end);
		goto value;
	}
	if (p < end && *p == (open & 1 ? '}' : ']')) {
		p++;
		goto closed;
	}
	*why = open & 1 ? "expected ',' or '}'" : "expected ',' or ']'";
	goto fail;
closed:
	type = open & 1 ? JSON_OBJECT : JSON_ARRAY;
	open >>= 1;
	depth--;
	goto next;
member:
	p = json_skip_ws(p, end);
	if (p >= end || *p != '"') {
		*why = "expected a member name";
		goto fail;
	}
	if (scan_string(&p, end, why) < 0)
		goto fail;
	p = json_skip_ws(p, end);
	if (p >= end || *p != ':') {
		*why = "expected ':'";
		goto fail;
	}
	p = json_skip_ws(p + 1, end);
	goto value;
done:
	*pp = p;
	v->type = type;
	v->p = start;
	v->len = p - start;
	return 0;
fail:
	*pp = p;
	return -1;
}

int
json_scan_value(const char **pp, const char *end, struct json_span *v, const char **why)
{
	return scan(pp, end, v, why);
}

static void
put_utf8(char **o, unsigned cp)
{
	unsigned char *q = (unsigned char *)*o;

	if (cp < 0x80)
		*q++ = cp;
	else if (cp < 0x800) {
		*q++ = 0xc0 | cp >> 6;
		*q++ = 0x80 | (cp & 0x3f);
	} else if (cp < 0x10000) {
		*q++ = 0xe0 | cp >> 12;
		*q++ = 0x80 | (cp >> 6 & 0x3f);
		*q++ = 0x80 | (cp & 0x3f);
	} else {
		*q++ = 0xf0 | cp >> 18;
		*q++ = 0x80 | (cp >> 12 & 0x3f);
		*q++ = 0x80 | (cp >> 6 & 0x3f);
		*q++ = 0x80 | (cp & 0x3f);
	}
	*o = (char *)q;
}

unsigned
json_next_char(const char **pp)
{
	const unsigned char *p = (const unsigned char *)*pp;
	unsigned cp, lo;
	size_t n, i;

	if (p[0] != '\\') {
		if (p[0] < 0x80) {
			*pp += 1;
			return p[0];
		}
		/* valid UTF-8 (the scanner checked): the lead byte gives the length */
		n = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
		cp = p[0] & (0x7f >> n);
		for (i = 1; i < n; i++)
			cp = cp << 6 | (p[i] & 0x3f);
		*pp += n;
		return cp;
	}
	switch (p[1]) {
	case 'b': cp = '\b'; break;
	case 'f': cp = '\f'; break;
	case 'n': cp = '\n'; break;
	case 'r': cp = '\r'; break;
	case 't': cp = '\t'; break;
	case 'u':
		cp = hex4(*pp + 2, *pp + 6);
		if (cp >= 0xd800 && cp <= 0xdbff) {
			lo = hex4(*pp + 8, *pp + 12);
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			*pp += 6;
		}
		*pp += 6;
		return cp;
	default: cp = p[1]; break;
	}
	*pp += 2;
	return cp;
}

const char *
json_str(const struct json_span *s, char *scratch, size_t *len)
{
	const char *p = s->p + 1, *end = s->p + s->len - 1, *bs;
	char *o;

	if (!(bs = memchr(p, '\\', end - p))) {
		*len = end - p;
		return p;
	}
	/* The span was validated by the scanner: escapes are well formed. */
	memcpy(scratch, p, bs - p);
	o = scratch + (bs - p);
	for (p = bs; p < end;) {
		if (*p != '\\')
			*o++ = *p++;
		else
			put_utf8(&o, json_next_char(&p));
	}
	*len = o - scratch;
	return scratch;
}

size_t
json_compact(char *out, const struct json_span *v)
{
	const char *p = v->p, *end = v->p + v->len, *q, *why;
	char *o = out;

	while (p < end) {
		if (*p == '"') {
			/* a string is copied whole: its white space is its own */
			q = p;
			scan_string(&q, end, &why);
			memcpy(o, p, q - p);
			o += q - p;
			p = q;
		} else if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		else
			*o++ = *p++;
	}
	return o - out;
}

int
json_object_get(const struct json_span *obj, const char *key, size_t keylen, struct json_span *out)
{
	const char *p = obj->p + 1, *end = obj->p + obj->len, *k;
	struct json_span name, val;
	const char *why;
	char scratch[256];
	size_t n;

	if (obj->type != JSON_OBJECT)
		return -1;
	for (;;) {
		p = json_skip_ws(p, end);
		if (p >= end || *p != '"')
			return -1;
		if (scan(&p, end, &name, &why) < 0)
			return -1;
		p = json_skip_ws(p, end);
		p++; /* ':' */
		if (scan(&p, end, &val, &why) < 0)
			return -1;
		if (name.len - 2 <= sizeof scratch) {
			k = json_str(&name, scratch, &n);
			if (n == keylen && memcmp(k, key, n) == 0) {
				*out = val;
				return 0;
			}
		}
		p = json_skip_ws(p, end);
		if (p >= end || *p != ',')
			return -1;
		p++;
	}
}

/* The JSON form of the character at *pp (itself, an escape, or U+FFFD for
   a byte that starts no UTF-8 sequence) written at o, 6 bytes at most; *pp
   is moved past it. Returns the length written. */
static size_t
quote_char(const unsigned char **pp, const unsigned char *end, char *o)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = *pp;
	unsigned char c = *p;
	size_t n;

	*pp = p + 1;
	if (string_plain(c)) {
		*o = c;
		return 1;
	}
	if (c >= 0x80) {
		n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if ((size_t)(end - p) >= n && bytescan_utf8((const char *)p, n) == n) {
			memcpy(o, p, n);
			*pp = p + n;
			return n;
		}
		memcpy(o, "\xef\xbf\xbd", 3);
		return 3;
	}
	o[0] = '\\';
	switch (c) {
	case '"': o[1] = '"'; return 2;
	case '\\': o[1] = '\\'; return 2;
	case '\n': o[1] = 'n'; return 2;
	case '\r': o[1] = 'r'; return 2;
	case '\t': o[1] = 't'; return 2;
	case '\b': o[1] = 'b'; return 2;
	case '\f': o[1] = 'f'; return 2;
	default:
		memcpy(o + 1, "u00", 3);
		o[4] = hex[c >> 4];
		o[5] = hex[c & 15];
		return 6;
	}
}

size_t
json_quote(char *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	char *o = out;

	*o++ = '"';
	while (p < end) {
		if (string_plain(*p))
			*o++ = *p++;  /* the common case, without a call */
		else
			o += quote_char(&p, end, o);
	}
	*o++ = '"';
	return o - out;
}

void
json_write_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);
	char buf[512];
	size_t n = 0;

	buf[n++] = '"';
	while (p < end) {
		if (n > sizeof buf - 8) {  /* room for one more character and the quote */
			fwrite(buf, 1, n, f);
			n = 0;
		}
		n += quote_char(&p, end, buf + n);
	}
	buf[n++] = '"';
	fwrite(buf, 1, n, f);
}
