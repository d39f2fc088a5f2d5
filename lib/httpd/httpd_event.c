#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ce.h"
#include "dsse.h"
#include "httpd_event.h"
#include "util.h"

/* 1 if the media type of content_type (before any parameter) is type. */
static int
media_is(const char *content_type, const char *type)
{
	size_t n = strlen(type);
	const char *p = content_type + strspn(content_type, " \t");

	return strncasecmp(p, type, n) == 0 && (p[n] == '\0' || p[n] == ';' || p[n] == ' ' || p[n] == '\t');
}

enum httpd_mode
httpd_event_mode(const char *content_type, int has_specversion)
{
	if (content_type && media_is(content_type, "application/cloudevents+json"))
		return HTTPD_STRUCTURED;
	if (content_type && media_is(content_type, "application/cloudevents-batch+json"))
		return HTTPD_BATCH;
	return has_specversion ? HTTPD_BINARY : HTTPD_UNSUPPORTED;
}

/* JSON data: application/json, text/json, or a +json suffix. */
static int
media_json(const char *content_type)
{
	size_t n = strcspn(content_type, "; \t");

	return media_is(content_type, "application/json") || media_is(content_type, "text/json") ||
	    (n >= 5 && strncasecmp(content_type + n - 5, "+json", 5) == 0);
}

/* Text data, kept as a JSON string: any text type, XML. */
static int
media_text(const char *content_type)
{
	size_t n = strcspn(content_type, "; \t");

	return strncasecmp(content_type, "text/", 5) == 0 || media_is(content_type, "application/xml") ||
	    (n >= 4 && strncasecmp(content_type + n - 4, "+xml", 4) == 0);
}

/* The line being written, never past its size. */
struct out {
	char *p;
	size_t len, size;
};

static int
put(struct out *o, const char *s, size_t n)
{
	if (n >= o->size - o->len)
		return -1;
	memcpy(o->p + o->len, s, n);
	o->len += n;
	return 0;
}

static int
put_quoted(struct out *o, const char *s, size_t n)
{
	if (6 * n + 2 >= o->size - o->len)
		return -1;
	o->len += json_quote(o->p + o->len, s, n);
	return 0;
}

/* "NAME":"VALUE", (a comma before unless first). */
static int
put_member(struct out *o, const char *name, size_t namelen, const char *val, size_t vallen)
{
	if (o->len > 1 && put(o, ",", 1) < 0)
		return -1;
	if (put_quoted(o, name, namelen) < 0 || put(o, ":", 1) < 0)
		return -1;
	return put_quoted(o, val, vallen);
}

/* Percent-decode s into out (strlen(s) bytes at least); its length, or -1. */
static long
percent_decode(const char *s, char *out)
{
	size_t n = 0;
	int hi, lo;

	for (; *s; s++) {
		if (*s != '%') {
			out[n++] = *s;
			continue;
		}
		if ((hi = hex_value((unsigned char)s[1])) < 0 || (lo = hex_value((unsigned char)s[2])) < 0)
			return -1;
		out[n++] = (char)(hi * 16 + lo);
		s += 2;
	}
	return utf8_valid(out, n) ? (long)n : -1;
}

/* The attribute name of a ce-* header, lower-cased into name; 0, 1 when
   the header is not ce-*, or -1 with *why. */
static int
attr_name(const char *header, char name[32], const char **why)
{
	size_t i, n;

	if (strncasecmp(header, "ce-", 3) != 0)
		return 1;
	header += 3;
	n = strlen(header);
	if (n == 0 || n >= 32)
		return *why = "a ce- header name is 1 to 31 characters after ce-", -1;
	for (i = 0; i <= n; i++)
		name[i] = (char)((header[i] >= 'A' && header[i] <= 'Z') ? header[i] + 32 : header[i]);
	if (strcmp(name, "data") == 0 || strcmp(name, "data_base64") == 0 || strcmp(name, "datacontenttype") == 0)
		return *why = "ce-data, ce-data_base64 and ce-datacontenttype are not headers of the binding", -1;
	return 0;
}

/* The ce-* headers as members; -1 with *why. */
static int
put_attributes(struct out *o, const struct httpd_header *h, size_t n, const char **why)
{
	char names[HTTPD_CE_HEADERS_MAX][32], *val;
	size_t i, j, count = 0;
	long vlen;
	int r;

	for (i = 0; i < n; i++) {
		if ((r = attr_name(h[i].name, names[count], why)) < 0)
			return -1;
		if (r == 1)
			continue;
		if (count == HTTPD_CE_HEADERS_MAX)
			return *why = "too many ce- headers", -1;
		for (j = 0; j < count; j++)
			if (strcmp(names[j], names[count]) == 0)
				return *why = "a ce- header given twice", -1;
		val = xmalloc(strlen(h[i].value) + 1);
		vlen = percent_decode(h[i].value, val);
		r = vlen < 0 ? (*why = "a ce- header value is not percent-encoded UTF-8", -1)
		             : put_member(o, names[count], strlen(names[count]), val, (size_t)vlen);
		free(val);
		if (r < 0)
			return *why = *why ? *why : "event too long", -1;
		count++;
	}
	return 0;
}

/* The body as data or data_base64. */
static int
put_data(struct out *o, const char *content_type, const char *body, size_t len, const char **why)
{
	struct json_span v;
	const char *p = body, *end = body + len, *jwhy;
	char *b64;
	int r;

	if (content_type && media_json(content_type)) {
		if (json_scan_value(&p, end, &v, &jwhy) < 0 || json_skip_ws(p, end) != end)
			return *why = "the body is not one JSON value", -1;
		if (put(o, ",\"data\":", 8) < 0 || v.len >= o->size - o->len)
			return *why = "event too long", -1;
		o->len += json_compact(o->p + o->len, &v);
		return 0;
	}
	if (content_type && media_text(content_type)) {
		if (!utf8_valid(body, len))
			return *why = "a text body is not UTF-8", -1;
		return put_member(o, "data", 4, body, len) < 0 ? (*why = "event too long", -1) : 0;
	}
	if (DSSE_B64_LEN(len) >= o->size)
		return *why = "event too long", -1;
	b64 = xmalloc(DSSE_B64_LEN(len) + 1);
	dsse_b64_encode(b64, body, len);
	r = put_member(o, "data_base64", 11, b64, strlen(b64));
	free(b64);
	return r < 0 ? (*why = "event too long", -1) : 0;
}

long
httpd_binary_event(const struct httpd_header *h, size_t n, const char *content_type,
    const char *body, size_t len, char *out, size_t size, const char **why)
{
	struct out o = { out, 0, size };

	*why = NULL;
	if (size < 3 || put(&o, "{", 1) < 0)
		return *why = "event too long", -1;
	if (put_attributes(&o, h, n, why) < 0)
		return -1;
	if (content_type && put_member(&o, "datacontenttype", 15, content_type, strlen(content_type)) < 0)
		return *why = "event too long", -1;
	if (len > 0 && put_data(&o, content_type, body, len, why) < 0)
		return -1;
	if (put(&o, "}", 1) < 0)
		return *why = "event too long", -1;
	out[o.len] = '\0';
	return (long)o.len;
}

/* The one JSON value of body[0..len) into v: 0, or -1 with *why. */
static int
one_value(const char *body, size_t len, struct json_span *v, const char **why)
{
	const char *p = body, *end = body + len;

	if (json_scan_value(&p, end, v, why) < 0)
		return -1;
	if (json_skip_ws(p, end) != end)
		return *why = "more than one JSON value", -1;
	return 0;
}

long
httpd_structured_event(const char *body, size_t len, char *out, const char **why)
{
	struct json_span v;

	if (one_value(body, len, &v, why) < 0)
		return -1;
	if (v.type != JSON_OBJECT)
		return *why = "not a JSON object", -1;
	len = json_compact(out, &v);
	out[len] = '\0';
	return (long)len;
}

int
httpd_batch_open(struct httpd_batch *b, const char *body, size_t len, const char **why)
{
	struct json_span v;

	if (one_value(body, len, &v, why) < 0)
		return -1;
	if (v.type != JSON_ARRAY)
		return *why = "a batch is a JSON array", -1;
	b->p = v.p + 1;
	b->end = v.p + v.len;
	return 0;
}

int
httpd_batch_next(struct httpd_batch *b, struct json_span *elem)
{
	return dsse_json_next(&b->p, b->end, 0, NULL, elem);
}
