/* json: a validating, allocation-free JSON scanner over a byte span, and
   string escaping for the few places that write JSON. */
#ifndef FLOW_JSON_H
#define FLOW_JSON_H

#include <stddef.h>
#include <stdio.h>

#include "bytescan.h"

enum json_type {
	JSON_NONE = 0, JSON_STRING, JSON_NUMBER, JSON_TRUE, JSON_FALSE, JSON_NULL,
	JSON_OBJECT, JSON_ARRAY,
};

/* A value as it stands in the input: strings keep their quotes and escapes. */
struct json_span {
	const char *p;
	size_t len;
	enum json_type type;
};

#define JSON_MAX_DEPTH 64

/* Validate one JSON value starting at *pp (leading white space allowed);
   on success set *v, advance *pp past it and return 0. On error return -1
   and set *why to a short reason and *pp to where it was found. Strings
   are checked for UTF-8 and control characters. */
int json_scan_value(const char **pp, const char *end, struct json_span *v, const char **why);

/* Skip white space (space, tab, CR, LF); inline, as it runs between
   every two tokens and there is seldom any. */
static inline const char *
json_skip_ws(const char *p, const char *end)
{
	if (p < end && (unsigned char)*p > ' ')
		return p;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* The text of a string span without quotes: a pointer into the span when it
   has no escapes, else decoded into scratch (at least s->len bytes). */
const char *json_str(const struct json_span *s, char *scratch, size_t *len);

/* How many of the n bytes at p are printable ASCII (0x20-0x7e) other than
   '"' and '\\': the part of a string that holds no escape, control or
   non-ASCII character, found 16 or 32 bytes at a time (bytescan). */
static inline size_t
json_printable_prefix(const char *p, size_t n)
{
	return bytescan_printable(p, n);
}

/* The length of the string at p (its opening quote), quotes included,
   when its text is printable ASCII alone (json_printable_prefix) and it
   closes before end; else 0. Such a string is valid JSON, the same as it
   is written, and holds no character a CloudEvents String forbids.
   Inline: most values of an event are such strings. */
static inline size_t
json_printable_string(const char *p, const char *end)
{
	size_t n = bytescan_printable(p + 1, (size_t)(end - p - 1));

	return p + 1 + n < end && p[1 + n] == '"' ? n + 2 : 0;
}

/* The code point at *pp inside a string span the scanner validated (an
   escape decoded, a surrogate pair joined), and *pp moved past it. */
unsigned json_next_char(const char **pp);

/* 1 if s[0..len) is valid UTF-8. */
int utf8_valid(const char *s, size_t len);

/* Member key of a validated object; 0 found (*out set), -1 not there. */
int json_object_get(const struct json_span *obj, const char *key, size_t keylen,
    struct json_span *out);

/* Copy the validated value v to out (at least v->len bytes) without the
   white space between its tokens; return the length written. */
size_t json_compact(char *out, const struct json_span *v);

/* Write s as a JSON string (with quotes) into out, which holds at least
   6 * len + 2 bytes; return the length written. Invalid UTF-8 bytes become U+FFFD. */
size_t json_quote(char *out, const char *s, size_t len);
/* The same for the string s, written to f. */
void json_write_string(FILE *f, const char *s);

#endif
