/* libFuzzer target: any bytes through the JSON scanner and the functions
   that read what it validated (json_str, json_compact, json_object_get)
   or write JSON (json_quote), on every path of bytescan (portable, SSE2,
   AVX2). The paths must give the same bytes for everything, down to the
   place and the reason of an error; and what json_quote writes must scan
   as one string that json_str reads back as the input, when the input is
   UTF-8. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bytescan.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INPUT_MAX 65536
/* What one path makes of the input, written one after the other: the
   values scanned, each one's end and reason or its compact form and text. */
struct record {
	char *buf;
	size_t len, cap;
};

static void
put(struct record *r, const void *p, size_t n)
{
	if (r->len + n > r->cap) {
		r->cap = (r->len + n) * 2;
		if (!(r->buf = realloc(r->buf, r->cap)))
			abort();
	}
	memcpy(r->buf + r->len, p, n);
	r->len += n;
}

static void
put_size(struct record *r, size_t n)
{
	put(r, &n, sizeof n);
}

/* One scanned value: its type and length, its compact form, its text if
   it is a string, member "a" if it is an object. */
static void
record_value(struct record *r, const struct json_span *v, char *scratch)
{
	struct json_span member;
	const char *s;
	size_t n;

	put_size(r, v->type);
	put_size(r, v->len);
	n = json_compact(scratch, v);
	put(r, scratch, n);
	if (v->type == JSON_STRING) {
		s = json_str(v, scratch, &n);
		put(r, s, n);
	}
	if (v->type == JSON_OBJECT && json_object_get(v, "a", 1, &member) == 0) {
		put_size(r, (size_t)(member.p - v->p));
		put_size(r, member.len);
	}
}

static void
judge(const char *in, size_t size, struct record *r, char *scratch)
{
	const char *p = in, *end = in + size, *why;
	struct json_span v;
	size_t n;

	r->len = 0;
	put_size(r, bytescan_text(in, size));
	put_size(r, bytescan_plain(in, size));
	put_size(r, bytescan_printable(in, size));
	put_size(r, bytescan_utf8(in, size));
	/* values one after the other, as lines of events stand */
	while ((p = json_skip_ws(p, end)) < end) {
		if (json_scan_value(&p, end, &v, &why) < 0) {
			put_size(r, (size_t)(p - in));
			put(r, why, strlen(why));
			break;
		}
		put_size(r, (size_t)(p - in));
		record_value(r, &v, scratch);
	}
	n = json_quote(scratch, in, size);
	put(r, scratch, n);
}

/* json_quote's output is one valid string, which reads back as the input
   when that is UTF-8 (else invalid bytes became U+FFFD). */
static void
quote_round_trip(const char *in, size_t size, char *quoted, char *text)
{
	struct json_span v;
	const char *p = quoted, *why, *s;
	size_t n = json_quote(quoted, in, size), len;

	if (json_scan_value(&p, quoted + n, &v, &why) < 0 || p != quoted + n || v.type != JSON_STRING)
		abort();
	s = json_str(&v, text, &len);
	if (utf8_valid(in, size) && (len != size || memcmp(s, in, size) != 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct record first, other;
	static char *scratch, *text;
	enum bytescan_path path, best = bytescan_path();
	const char *in = (const char *)data;

	if (size > INPUT_MAX)
		return 0;
	if (!scratch && (!(scratch = malloc(6 * INPUT_MAX + 2)) || !(text = malloc(6 * INPUT_MAX + 2))))
		abort();
	judge(in, size, &first, scratch);
	for (path = 0; path < BYTESCAN_PATHS; path++) {
		if (path == best || bytescan_use(path) < 0)
			continue;
		judge(in, size, &other, scratch);
		if (other.len != first.len || memcmp(other.buf, first.buf, first.len) != 0)
			abort();
		quote_round_trip(in, size, scratch, text);
	}
	bytescan_use(best);
	quote_round_trip(in, size, scratch, text);
	return 0;
}
