/* libFuzzer target: a Kafka record through kafka_event_line (lib/common/
   kafka_record), and the event it gives back through kafka_binary_record
   and kafka_event_line again.

   The input is a record: header lines "name=value" ("name" alone is a
   header without a value), then an empty line and the value; without the
   empty line the record has no value. librdkafka hands out the headers of
   the records it made only: rd_kafka_message_headers is replaced here (the
   program's definition comes before the library's) by one that returns
   the list, built with the real rd_kafka_header_add, kept in the message's
   _private; the code under test is unchanged.

   What must hold, else abort(): the line read is one line and a valid
   event; a binary record can be made of it (the validator took it); read
   again, that record gives the same attributes as text (binary mode has
   no other types), with datacontenttype application/json added when the
   event had data but no type, and the same data, in whichever form; a
   record made structured gives the very line back; a line read from a
   record is read from its own binary record byte for byte; and a line
   made in the caller's buffer does not fit in one byte less. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <librdkafka/rdkafka.h>

#include "ce.h"
#include "json.h"
#include "kafka_record.h"

#define READ_CAP (6 * (size_t)CE_LINE_MAX)  /* what the Kafka consumer gives */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

rd_kafka_resp_err_t
rd_kafka_message_headers(const rd_kafka_message_t *m, rd_kafka_headers_t **hdrsp)
{
	*hdrsp = m->_private;
	return *hdrsp ? RD_KAFKA_RESP_ERR_NO_ERROR : RD_KAFKA_RESP_ERR__NOENT;
}

/* The record the input describes; its headers (or NULL) in _private. */
static void
record_of(const uint8_t *data, size_t size, rd_kafka_message_t *m)
{
	const char *p = (const char *)data, *end = p + size, *nl, *eq;
	rd_kafka_headers_t *hdrs = NULL;

	memset(m, 0, sizeof *m);
	while (p < end && *p != '\n') {
		nl = memchr(p, '\n', end - p);
		if (!nl)
			nl = end;
		if (!hdrs)
			hdrs = rd_kafka_headers_new(8);
		if ((eq = memchr(p, '=', nl - p)))
			rd_kafka_header_add(hdrs, p, eq - p, eq + 1, nl - eq - 1);
		else
			rd_kafka_header_add(hdrs, p, nl - p, NULL, 0);
		p = nl < end ? nl + 1 : end;
	}
	if (p < end) {  /* the empty line: the rest is the value, maybe empty */
		m->payload = (void *)(p + 1);
		m->len = end - p - 1;
	}
	m->_private = hdrs;
}

/* An attribute's value as binary mode carries it: a string's text, any
   other value's JSON text. */
static const char *
text_of(const struct json_span *v, char *scratch, size_t *n)
{
	if (v->type == JSON_STRING)
		return json_str(v, scratch, n);
	*n = v->len;
	return v->p;
}

static const struct ce_attr *
attr(const struct ce_event *ev, const char *name)
{
	int i;

	for (i = 0; i < ev->nattrs; i++)
		if (ev->attrs[i].namelen == strlen(name) && memcmp(ev->attrs[i].name, name, strlen(name)) == 0)
			return &ev->attrs[i];
	return NULL;
}

/* The JSON event format's rule: data is JSON when the event has no
   datacontenttype, or one whose subtype is json or ends in +json. */
static int
json_typed(const struct ce_event *ev, char *scratch)
{
	const struct json_span *ct = ce_get(ev, "datacontenttype", 15);
	const char *s, *slash, *sub;
	size_t n, sublen;

	if (!ct)
		return 1;
	s = json_str(ct, scratch, &n);
	if (!(slash = memchr(s, '/', n)))
		return 0;
	sub = slash + 1;
	for (sublen = 0; sub + sublen < s + n && sub[sublen] != ';' && sub[sublen] != ' '; sublen++)
		;
	return (sublen == 4 && strncasecmp(sub, "json", 4) == 0) ||
	    (sublen > 4 && strncasecmp(sub + sublen - 5, "+json", 5) == 0);
}

/* Text that is one JSON value, made compact into out; its length, or -1. */
static long
compact_json(const char *s, size_t n, char *out)
{
	const char *p = s, *why;
	struct json_span v;

	if (json_scan_value(&p, s + n, &v, &why) < 0 || json_skip_ws(p, s + n) != s + n)
		return -1;
	return (long)json_compact(out, &v);
}

/* Base64 decoded bit by bit, as RFC 4648 describes it: the validator took
   the text, and pad bits are dropped. The length in out. */
static size_t
base64_decode(const char *s, size_t n, char *out)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned acc = 0, bits = 0;
	size_t i, len = 0;

	for (i = 0; i < n && s[i] != '='; i++) {
		acc = acc << 6 | (unsigned)(strchr(alphabet, s[i]) - alphabet);
		if ((bits += 6) >= 8)
			out[len++] = (char)(acc >> (bits -= 8));
	}
	return len;
}

/* The event's data as the bytes of a binary record's value, so that its
   forms compare: JSON data as compact JSON text, a string of another type
   as its text, data_base64 as its bytes (made compact when the type is
   JSON and they are JSON text, as a reader takes them). The length in
   out (ev->len bytes), or -1 for an event without data. */
static long
data_bytes(const struct ce_event *ev, char *out, char *scratch)
{
	const struct ce_attr *d = attr(ev, "data"), *b = attr(ev, "data_base64");
	int json = json_typed(ev, scratch);
	const char *s;
	size_t n, bin;
	long c;

	if (d && d->val.type == JSON_NULL && b && b->val.type != JSON_NULL)
		d = NULL;  /* null stands for absent: the data is data_base64's */
	if (d && (json || d->val.type != JSON_STRING))
		return (long)json_compact(out, &d->val);
	if (d) {
		s = json_str(&d->val, scratch, &n);
		memcpy(out, s, n);
		return (long)n;
	}
	if (!b || b->val.type == JSON_NULL)
		return -1;
	s = json_str(&b->val, scratch, &n);
	bin = base64_decode(s, n, out);
	if (json && (c = compact_json(out, bin, scratch)) >= 0) {
		memcpy(out, scratch, c);
		return c;
	}
	return (long)bin;
}

static int
is_data(const struct ce_attr *a)
{
	return (a->namelen == 4 && memcmp(a->name, "data", 4) == 0) ||
	    (a->namelen == 11 && memcmp(a->name, "data_base64", 11) == 0);
}

/* How many attributes of ev, data aside and null ones (absent) too, are in
   other with the same text; -1 when one is not. */
static int
attributes_in(const struct ce_event *ev, const struct ce_event *other, char *s1, char *s2)
{
	const struct ce_attr *x, *y;
	const char *t1, *t2;
	size_t n1, n2;
	int i, j, count = 0;

	for (i = 0; i < ev->nattrs; i++) {
		x = &ev->attrs[i];
		if (x->val.type == JSON_NULL || is_data(x))
			continue;
		for (j = 0, y = NULL; j < other->nattrs && !y; j++)
			if (other->attrs[j].namelen == x->namelen &&
			    memcmp(other->attrs[j].name, x->name, x->namelen) == 0)
				y = &other->attrs[j];
		if (!y || y->val.type == JSON_NULL)
			return -1;
		t1 = text_of(&x->val, s1, &n1);
		t2 = text_of(&y->val, s2, &n2);
		if (n1 != n2 || memcmp(t1, t2, n1) != 0)
			return -1;
		count++;
	}
	return count;
}

/* b, read from a's binary record, is the same event. */
static void
check_same_event(const struct ce_event *a, const struct ce_event *b)
{
	size_t cap = (a->len > b->len ? a->len : b->len) + 1;
	char *s1 = malloc(cap), *s2 = malloc(cap), *d1 = malloc(cap), *d2 = malloc(cap);
	const struct json_span *ct = ce_get(b, "datacontenttype", 15);
	const char *t;
	int in_b, added = 0;
	long n1, n2;
	size_t n;

	/* the one attribute b may have more: the type the JSON format implies */
	if (!ce_get(a, "datacontenttype", 15) && ct) {
		t = json_str(ct, s1, &n);
		if (!attr(a, "data") || n != 16 || memcmp(t, "application/json", 16) != 0)
			abort();
		added = 1;
	}
	if ((in_b = attributes_in(a, b, s1, s2)) < 0 || attributes_in(b, b, s1, s2) != in_b + added)
		abort();
	n1 = data_bytes(a, d1, s1);
	n2 = data_bytes(b, d2, s2);
	if (n1 != n2 || (n1 > 0 && memcmp(d1, d2, n1) != 0))
		abort();
	free(s1), free(s2), free(d1), free(d2);
}

/* The event as a binary record (which must be possible: it is valid),
   read back into buf; 0 with the line and its event, or -1 with *why. */
static int
round_trip(const struct ce_event *ev, char *buf, const char **line, size_t *len, struct ce_event *back,
    const char **why)
{
	char *scratch = malloc(2 * ev->len);  /* the least the contract asks */
	rd_kafka_message_t m = { 0 };
	rd_kafka_headers_t *hdrs;
	const char *value;
	const void *ct;
	size_t vlen, ctlen;
	int r;

	if (kafka_binary_record(ev, &hdrs, &value, &vlen, scratch, why) < 0)
		abort();
	m.payload = (void *)value;
	m.len = vlen;
	m._private = hdrs;
	r = kafka_event_line(&m, buf, READ_CAP, line, len, back, why);
	/* a record made structured holds the line as it was */
	if (r == 0 && rd_kafka_header_get_last(hdrs, "content-type", &ct, &ctlen) == 0 && ct &&
	    ctlen == strlen(KAFKA_STRUCTURED_TYPE) && memcmp(ct, KAFKA_STRUCTURED_TYPE, ctlen) == 0 &&
	    (*len != ev->len || memcmp(*line, ev->line, *len) != 0))
		abort();
	rd_kafka_headers_destroy(hdrs);
	free(scratch);
	return r;
}

/* A line made in the caller's buffer needs all of it: one byte less fails. */
static void
check_tight(const rd_kafka_message_t *m, size_t len)
{
	char *tight = malloc(len - 1);
	const char *line, *why;
	size_t n;
	struct ce_event ev;

	if (kafka_event_line(m, tight, len - 1, &line, &n, &ev, &why) == 0)
		abort();
	free(tight);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *buf1, *buf2, *buf3;
	rd_kafka_message_t m;
	struct ce_event ev1, ev2, ev3, again;
	struct ce_error err;
	const char *l1, *l2, *l3, *why;
	size_t n1, n2, n3;

	if (!buf1 && (!(buf1 = malloc(READ_CAP)) || !(buf2 = malloc(READ_CAP)) || !(buf3 = malloc(READ_CAP))))
		abort();
	record_of(data, size, &m);
	if (kafka_event_line(&m, buf1, READ_CAP, &l1, &n1, &ev1, &why) < 0) {
		if (!why || !*why)
			abort();
		goto done;
	}
	if (memchr(l1, '\n', n1) || memchr(l1, '\r', n1) || ce_parse(&again, l1, n1, 0, &err) < 0)
		abort();
	if (l1 >= buf1 && l1 < buf1 + READ_CAP)
		check_tight(&m, n1);
	if (round_trip(&ev1, buf2, &l2, &n2, &ev2, &why) < 0)
		abort();
	check_same_event(&ev1, &ev2);
	/* a line read from a record comes back whole from its own record,
	   but one that had data and no type: it gets application/json */
	if (round_trip(&ev2, buf3, &l3, &n3, &ev3, &why) < 0)
		abort();
	check_same_event(&ev2, &ev3);
	if ((ce_get(&ev2, "datacontenttype", 15) || !attr(&ev2, "data")) &&
	    (n3 != n2 || memcmp(l3, l2, n2) != 0))
		abort();
done:
	if (m._private)
		rd_kafka_headers_destroy(m._private);
	return 0;
}
