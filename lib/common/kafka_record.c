#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "json.h"
#include "kafka_record.h"

static _Thread_local char reason[200];  /* a why with a value in it; readers have threads */

/* The subtype of a media type, parameters aside: the offset and length
   of what follows its '/' (length 0 when there is none). */
static size_t
subtype(const char *s, size_t n, size_t *len)
{
	size_t i = 0, slash = 0;

	while (i < n && s[i] != ';' && s[i] != ' ') {
		if (s[i] == '/' && !slash)
			slash = i + 1;
		i++;
	}
	*len = slash ? i - slash : 0;
	return slash;
}

/* 1 if the subtype at s (n bytes) is name or ends in "+" name, in any case. */
static int
subtype_is(const char *s, size_t n, const char *name, size_t namelen)
{
	return (n == namelen && strncasecmp(s, name, n) == 0) ||
	    (n > namelen && s[n - namelen - 1] == '+' && strncasecmp(s + n - namelen, name, namelen) == 0);
}

/* A media type that declares JSON (the JSON event format): its subtype is
   "json" or ends in "+json". */
static int
is_json_type(const char *s, size_t n)
{
	size_t len, at = subtype(s, n, &len);

	return len && subtype_is(s + at, len, "json", 4);
}

/* A content-type that names the CloudEvents media type, in any case. */
static int
is_cloudevents_type(const char *s, size_t n)
{
	return s && n >= 23 && strncasecmp(s, "application/cloudevents", 23) == 0;
}

/* A media type of text: text/..., XML, or one that names a charset. */
static int
is_text_type(const char *s, size_t n)
{
	size_t len, at = subtype(s, n, &len), i;

	if ((n >= 5 && strncasecmp(s, "text/", 5) == 0) || (len && subtype_is(s + at, len, "xml", 3)))
		return 1;
	for (i = 0; i + 8 <= n; i++)
		if (strncasecmp(s + i, "charset=", 8) == 0)
			return 1;
	return 0;
}

/* data_base64's bytes into out (cap bytes); 0, or -1 when not base64.
   The validator lets the pad bits of the last character be set (RFC 4648
   3.5 lets a decoder refuse them, as libsodium does): they are cleared, in
   a copy of the last quantum, so that every event it takes can be sent. */
static int
base64_bytes(const char *s, size_t n, unsigned char *out, size_t cap, size_t *len)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t head = n < 4 ? 0 : n - 4, tail = 0;
	char last[4];
	const char *c;
	int at;

	if (sodium_base642bin(out, cap, s, head, NULL, len, NULL, sodium_base64_VARIANT_ORIGINAL) < 0)
		return -1;
	if (n == 0)
		return 0;
	if (n - head != 4)
		return -1;
	memcpy(last, s + head, 4);
	at = last[3] != '=' ? -1 : last[2] == '=' ? 1 : 2;  /* the character with pad bits */
	if (at > 0 && last[at] && (c = strchr(alphabet, last[at])))
		last[at] = alphabet[(c - alphabet) & (at == 1 ? 0x30 : 0x3c)];
	if (sodium_base642bin(out + *len, cap - *len, last, 4, NULL, &tail, NULL,
	    sodium_base64_VARIANT_ORIGINAL) < 0)
		return -1;
	*len += tail;
	return 0;
}

/* The value of a binary record for the event's data. JSON data (by its
   datacontenttype, or implied when there is none) is its JSON text, so a
   string stays a string and null stays null; other data is a string (its
   text) or data_base64 (its bytes). 0; 1 when the data is not a string
   though its type is not JSON, which binary mode cannot carry; -1 with *why. */
static int
binary_value(const struct json_span *v, int base64, int json_data, char *data, size_t cap,
    const char **value, size_t *vlen, const char **why)
{
	const char *s;
	size_t n, bin;

	if (base64) {
		s = json_str(v, data, &n);
		if (base64_bytes(s, n, (unsigned char *)data, cap, &bin) < 0) {
			*why = "data_base64: not valid base64";
			return -1;
		}
		*value = data;
		*vlen = bin;
	} else if (json_data) {
		*value = data;  /* white space too goes: a value of its own is compact */
		*vlen = json_compact(data, v);
	} else if (v->type == JSON_STRING) {
		*value = json_str(v, data, vlen);
	} else
		return 1;
	return 0;
}

/* An event that binary mode cannot carry as it is goes in structured mode:
   a reader tells the modes apart by the content-type of each record. */
static int
structured_record(const struct ce_event *ev, rd_kafka_headers_t **hdrs, const char **value, size_t *vlen)
{
	*hdrs = rd_kafka_headers_new(1);
	rd_kafka_header_add(*hdrs, "content-type", -1, KAFKA_STRUCTURED_TYPE, -1);
	*value = ev->line;
	*vlen = ev->len;
	return 0;
}

int
kafka_binary_record(const struct ce_event *ev, rd_kafka_headers_t **hdrs, const char **value,
    size_t *vlen, char *buf, const char **why)
{
	char *data = buf + ev->len;  /* the value, apart from header scratch */
	const struct json_span *ct = ce_get(ev, "datacontenttype", 15);
	const char *s;
	size_t n;
	int i, r, json_data, has_data = 0, has_base64 = ce_get(ev, "data_base64", 11) != NULL;

	s = ct ? json_str(ct, buf, &n) : NULL;
	/* as a record's content-type, the CloudEvents media type would make
	   it a structured record: data of that type goes in one */
	if (ct && is_cloudevents_type(s, n))
		return structured_record(ev, hdrs, value, vlen);
	json_data = !ct || is_json_type(s, n);
	*hdrs = rd_kafka_headers_new(ev->nattrs + 1);
	*value = NULL;  /* no data: no value (the binding's tombstone) */
	*vlen = 0;
	for (i = 0; i < ev->nattrs; i++) {
		const struct ce_attr *a = &ev->attrs[i];
		const struct json_span *v = &a->val;

		int is_data = a->namelen == 4 && memcmp(a->name, "data", 4) == 0;
		int is_base64 = a->namelen == 11 && memcmp(a->name, "data_base64", 11) == 0;

		/* data: null is a value (JSON null), but beside data_base64 it is
		   absent, as for the validator; data_base64: null is no data */
		if ((is_data && !(has_base64 && v->type == JSON_NULL)) || (is_base64 && v->type != JSON_NULL)) {
			if ((r = binary_value(v, is_base64, json_data, data, ev->len, value, vlen, why))) {
				rd_kafka_headers_destroy(*hdrs);
				return r < 0 ? -1 : structured_record(ev, hdrs, value, vlen);
			}
			has_data = is_data;
			continue;
		}
		if (v->type == JSON_NULL)
			continue;
		/* the header's name, of any length, then its value decoded after
		   it: both fit in ev->len bytes, as the line holds "name": and the value */
		memcpy(buf, "ce_", 3);
		memcpy(buf + 3, a->name, a->namelen);
		s = v->type == JSON_STRING ? json_str(v, buf + 3 + a->namelen, &n) : v->p;
		n = v->type == JSON_STRING ? n : v->len;
		if (a->namelen == 15 && memcmp(a->name, "datacontenttype", 15) == 0)
			rd_kafka_header_add(*hdrs, "content-type", -1, s, n);
		else
			rd_kafka_header_add(*hdrs, buf, 3 + a->namelen, s, n);
	}
	/* the JSON format implies application/json for data without a type:
	   said, so that a reader takes the value for JSON */
	if (has_data && !ct)
		rd_kafka_header_add(*hdrs, "content-type", -1, "application/json", 16);
	return 0;
}

/* Append s to the line being made; -1 when it does not fit. */
static int
put(char **o, const char *end, const char *s, size_t n)
{
	if ((size_t)(end - *o) < n)
		return -1;
	memcpy(*o, s, n);
	*o += n;
	return 0;
}

static int
put_quoted(char **o, const char *end, const char *s, size_t n)
{
	if ((size_t)(end - *o) < 6 * n + 2)
		return -1;
	*o += json_quote(*o, s, n);
	return 0;
}

/* The last header called name: 1 with its value (NULL for a null header), or 0. */
static int
header(rd_kafka_headers_t *hdrs, const char *name, const char **val, size_t *len)
{
	const void *v;

	*val = NULL;
	*len = 0;
	if (!hdrs || rd_kafka_header_get_last(hdrs, name, &v, len) != RD_KAFKA_RESP_ERR_NO_ERROR)
		return 0;
	*val = v;
	return 1;
}

/* A header value fit for a diagnostic: 60 bytes at most, printable ASCII. */
static const char *
shown(const char *s, size_t n, char out[61])
{
	size_t i;

	for (i = 0; i < n && i < 60; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	out[i] = '\0';
	return out;
}

/* The record's value as the event's data: JSON text when the type is JSON
   (or absent, which the JSON format takes for JSON) and the value parses,
   made compact so that the event stays on one line; a string when the type
   is text and the value UTF-8; else the bytes as they are, in base64. */
static int
put_data(const rd_kafka_message_t *m, const char *type, size_t tlen, char **o, const char *end)
{
	const char *p = m->payload, *e, *why;
	int json = !type || is_json_type(type, tlen);
	struct json_span v;
	size_t b64;

	if (!m->payload)
		return 0;  /* no value: an event without data (and no end to compute) */
	e = p + m->len;
	if (json && json_scan_value(&p, e, &v, &why) == 0 && json_skip_ws(p, e) == e) {
		if (put(o, end, ",\"data\":", 8) < 0 || (size_t)(end - *o) < v.len)
			return -1;
		*o += json_compact(*o, &v);
		return 0;
	}
	if (!json && is_text_type(type, tlen) && utf8_valid(m->payload, m->len))
		return put(o, end, ",\"data\":", 8) < 0 ? -1 : put_quoted(o, end, m->payload, m->len);
	b64 = sodium_base64_encoded_len(m->len, sodium_base64_VARIANT_ORIGINAL);
	if (put(o, end, ",\"data_base64\":\"", 16) < 0 || (size_t)(end - *o) < b64 + 1)
		return -1;
	sodium_bin2base64(*o, b64, m->payload, m->len, sodium_base64_VARIANT_ORIGINAL);
	*o += b64 - 1;
	return put(o, end, "\"", 1);
}

/* Binary mode: ce_* headers are the attributes, content-type (or
   ce_datacontenttype, which may come with it when both agree) the data's type. */
static int
from_binary(const rd_kafka_message_t *m, rd_kafka_headers_t *hdrs, char *buf, size_t cap,
    size_t *len, const char **why)
{
	char *o = buf, *end = buf + cap, a[61], b[61];
	const char *name, *type, *cetype;
	const void *val;
	size_t vlen, tlen, celen, i;
	int first = 1;

	header(hdrs, "content-type", &type, &tlen);
	header(hdrs, "ce_datacontenttype", &cetype, &celen);
	if (type && cetype && (tlen != celen || memcmp(type, cetype, tlen) != 0)) {
		snprintf(reason, sizeof reason, "content-type \"%s\" and ce_datacontenttype \"%s\" differ",
		    shown(type, tlen, a), shown(cetype, celen, b));
		*why = reason;
		return -1;
	}
	if (!type) {
		type = cetype;
		tlen = celen;
	}
	*o++ = '{';
	for (i = 0; rd_kafka_header_get_all(hdrs, i, &name, &val, &vlen) == 0; i++) {
		if (strncmp(name, "ce_", 3) != 0 || !val || strcmp(name, "ce_datacontenttype") == 0)
			continue;
		if (!utf8_valid(val, vlen)) {
			*why = "a ce_ header is not UTF-8 text";
			return -1;
		}
		if ((!first && put(&o, end, ",", 1) < 0) || put_quoted(&o, end, name + 3, strlen(name + 3)) < 0 ||
		    put(&o, end, ":", 1) < 0 || put_quoted(&o, end, val, vlen) < 0)
			goto too_long;
		first = 0;
	}
	if (type && (put(&o, end, ",\"datacontenttype\":", 19) < 0 || put_quoted(&o, end, type, tlen) < 0))
		goto too_long;
	if (put_data(m, type, tlen, &o, end) < 0 || put(&o, end, "}", 1) < 0)
		goto too_long;
	*len = o - buf;
	return 0;
too_long:
	*why = "longer than the line limit";
	return -1;
}

/* Structured mode: the value is the event; a newline in it can only be
   white space between tokens (valid JSON has none elsewhere), made a space. */
static int
from_structured(const rd_kafka_message_t *m, char *buf, size_t cap, const char **line, size_t *len,
    const char **why)
{
	const char *p = m->payload;
	size_t i;

	if (!m->payload || m->len == 0) {
		*why = "an empty record";
		return -1;
	}
	*line = p;
	*len = m->len;
	if (!memchr(p, '\n', m->len) && !memchr(p, '\r', m->len))
		return 0;
	if (m->len > cap) {
		*why = "longer than the line limit";
		return -1;
	}
	for (i = 0; i < m->len; i++)
		buf[i] = p[i] == '\n' || p[i] == '\r' ? ' ' : p[i];
	*line = buf;
	return 0;
}

/* The JSON event format's media type, parameters aside. */
static int
is_json_format(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] != ';' && s[i] != ' ')
		i++;
	return i == 28 && strncasecmp(s, "application/cloudevents+json", 28) == 0;
}

int
kafka_event_line(const rd_kafka_message_t *m, char *buf, size_t cap, const char **line, size_t *len,
    struct ce_event *ev, const char **why)
{
	rd_kafka_headers_t *hdrs = NULL;
	const char *type, *v;
	size_t tlen, n;
	struct ce_error err;
	char shown_type[61];

	if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR)
		hdrs = NULL;
	header(hdrs, "content-type", &type, &tlen);
	/* the mode is the content-type's (the binding, 3): the CloudEvents
	   media type is structured mode, whatever ce_ headers come with it */
	if (is_cloudevents_type(type, tlen)) {
		if (!is_json_format(type, tlen)) {
			snprintf(reason, sizeof reason, "content-type \"%s\": not the JSON event format",
			    shown(type, tlen, shown_type));
			*why = reason;
			return -1;
		}
		if (from_structured(m, buf, cap, line, len, why) < 0)
			return -1;
	} else if (header(hdrs, "ce_specversion", &v, &n)) {
		if (from_binary(m, hdrs, buf, cap, len, why) < 0)
			return -1;
		*line = buf;
	} else if (from_structured(m, buf, cap, line, len, why) < 0)  /* plain JSON, no headers */
		return -1;
	if (*len > CE_LINE_MAX) {
		*why = "longer than the line limit";
		return -1;
	}
	if (ce_parse(ev, *line, *len, 0, &err) < 0) {
		memcpy(reason, err.msg, sizeof err.msg);
		*why = reason;
		return -1;
	}
	return 0;
}
