#include "config.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "json.h"
#include "kafka_record.h"

int
kafka_binary_record(const struct ce_event *ev, rd_kafka_headers_t **hdrs, const char **value,
    size_t *vlen, char *buf, const char **why)
{
	char name[3 + 64], *data = buf + ev->len;  /* the value, apart from header scratch */
	const char *s;
	size_t n, bin;
	int i;

	*hdrs = rd_kafka_headers_new(ev->nattrs);
	*value = NULL;
	*vlen = 0;
	for (i = 0; i < ev->nattrs; i++) {
		const struct ce_attr *a = &ev->attrs[i];
		const struct json_span *v = &a->val;

		if (v->type == JSON_NULL)
			continue;
		if (a->namelen == 4 && memcmp(a->name, "data", 4) == 0) {
			/* a string is the data itself; other JSON values are their text */
			if (v->type == JSON_STRING) {
				*value = json_str(v, data, vlen);
			} else {
				*value = v->p;
				*vlen = v->len;
			}
			continue;
		}
		s = v->type == JSON_STRING ? json_str(v, buf, &n) : v->p;
		n = v->type == JSON_STRING ? n : v->len;
		if (a->namelen == 11 && memcmp(a->name, "data_base64", 11) == 0) {
			if (sodium_base642bin((unsigned char *)data, ev->len, s, n, NULL, &bin, NULL,
			    sodium_base64_VARIANT_ORIGINAL) < 0) {
				*why = "data_base64: not valid base64";
				rd_kafka_headers_destroy(*hdrs);
				return -1;
			}
			*value = data;
			*vlen = bin;
			continue;
		}
		if (a->namelen == 15 && memcmp(a->name, "datacontenttype", 15) == 0) {
			rd_kafka_header_add(*hdrs, "content-type", -1, s, n);
			continue;
		}
		snprintf(name, sizeof name, "ce_%.*s", (int)a->namelen, a->name);
		rd_kafka_header_add(*hdrs, name, -1, s, n);
	}
	return 0;
}

static int
is_json_type(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] != ';' && s[i] != ' ')
		i++;
	return (i == 16 && strncmp(s, "application/json", 16) == 0) ||
	    (i >= 5 && strncmp(s + i - 5, "+json", 5) == 0) || (i == 9 && strncmp(s, "text/json", 9) == 0);
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

/* Binary mode: ce_* headers are the attributes, content-type the data's type. */
static int
from_binary(const rd_kafka_message_t *m, rd_kafka_headers_t *hdrs, char *buf, size_t cap,
    size_t *len, const char **why)
{
	char *o = buf, *end = buf + cap;
	const char *name, *type = NULL;
	const void *val;
	size_t vlen, tlen = 0, i;
	int first = 1;
	struct json_span v;
	const char *p, *e;

	*o++ = '{';
	for (i = 0; rd_kafka_header_get_all(hdrs, i, &name, &val, &vlen) == 0; i++) {
		if (strcmp(name, "content-type") == 0) {
			type = val;
			tlen = vlen;
		}
		if (strncmp(name, "ce_", 3) != 0 || !val)
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
	if (m->payload) {
		p = m->payload;
		e = p + m->len;
		if (type && is_json_type(type, tlen) && json_scan_value(&p, e, &v, why) == 0 &&
		    json_skip_ws(p, e) == e) {
			if (put(&o, end, ",\"data\":", 8) < 0 || put(&o, end, m->payload, m->len) < 0)
				goto too_long;
		} else if (utf8_valid(m->payload, m->len)) {
			if (put(&o, end, ",\"data\":", 8) < 0 || put_quoted(&o, end, m->payload, m->len) < 0)
				goto too_long;
		} else {
			if (put(&o, end, ",\"data_base64\":\"", 16) < 0 ||
			    (size_t)(end - o) < sodium_base64_encoded_len(m->len, sodium_base64_VARIANT_ORIGINAL))
				goto too_long;
			sodium_bin2base64(o, end - o, m->payload, m->len, sodium_base64_VARIANT_ORIGINAL);
			o += strlen(o);
			if (put(&o, end, "\"", 1) < 0)
				goto too_long;
		}
	}
	if (put(&o, end, "}", 1) < 0)
		goto too_long;
	*len = o - buf;
	return 0;
too_long:
	*why = "longer than the line limit";
	return -1;
}

int
kafka_event_line(const rd_kafka_message_t *m, char *buf, size_t cap, const char **line, size_t *len,
    struct ce_event *ev, const char **why)
{
	rd_kafka_headers_t *hdrs = NULL;
	const void *val;
	size_t vlen, i;
	struct ce_error err;
	static _Thread_local char msg[sizeof err.msg];  /* reading threads of their own */
	int binary;

	binary = rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR &&
	    rd_kafka_header_get_last(hdrs, "ce_specversion", &val, &vlen) == RD_KAFKA_RESP_ERR_NO_ERROR;
	if (binary) {
		if (from_binary(m, hdrs, buf, cap, len, why) < 0)
			return -1;
		*line = buf;
	} else {
		if (!m->payload || m->len == 0) {
			*why = "an empty record";
			return -1;
		}
		*line = m->payload;
		*len = m->len;
		if (memchr(m->payload, '\n', m->len) || memchr(m->payload, '\r', m->len)) {
			/* JSON spread over lines (only white space can hold a newline): one line */
			if (m->len > cap) {
				*why = "longer than the line limit";
				return -1;
			}
			for (i = 0; i < m->len; i++)
				buf[i] = ((const char *)m->payload)[i] == '\n' || ((const char *)m->payload)[i] == '\r' ?
				    ' ' : ((const char *)m->payload)[i];
			*line = buf;
		}
	}
	if (*len > CE_LINE_MAX) {
		*why = "longer than the line limit";
		return -1;
	}
	if (ce_parse(ev, *line, *len, 0, &err) < 0) {
		memcpy(msg, err.msg, sizeof msg);
		*why = msg;
		return -1;
	}
	return 0;
}
