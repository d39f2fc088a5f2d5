/* libFuzzer target: one input line through the CloudEvents parser, then
   through everything that reads the spans it hands back; and the scanner
   on every path of bytescan (portable, SSE2, AVX2), which must decide the
   same on every input, down to the place and the reason of an error. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bytescan.h"
#include "ce.h"
#include "json.h"
#include "rfc3339.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What one path says of the input. */
struct verdict {
	size_t text, plain, printable, utf8, name, end;
	int scanned, parsed;
	const char *why;
	struct ce_error err;
};

static void
judge(const char *line, size_t size, struct verdict *v)
{
	struct ce_event ev;
	struct json_span span;
	const char *p = line;

	memset(v, 0, sizeof *v);
	v->text = bytescan_text(line, size);
	v->plain = bytescan_plain(line, size);
	v->printable = bytescan_printable(line, size);
	v->utf8 = bytescan_utf8(line, size);
	v->name = bytescan_name(line, size);
	v->scanned = json_scan_value(&p, line + size, &span, &v->why);
	v->end = (size_t)(p - line);
	v->parsed = ce_parse(&ev, line, size, size & 1 ? CE_ALLOW_NO_ID : 0, &v->err);
	if (v->parsed == 0)
		memset(&v->err, 0, sizeof v->err);
}

static void
same_on_every_path(const char *line, size_t size)
{
	enum bytescan_path path, best = bytescan_path();
	struct verdict first, other;

	judge(line, size, &first);
	for (path = 0; path < BYTESCAN_PATHS; path++) {
		if (path == best || bytescan_use(path) < 0)
			continue;
		judge(line, size, &other);
		if (memcmp(&first, &other, sizeof first) != 0)
			abort();
	}
	bytescan_use(best);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *scratch;
	struct ce_event ev;
	struct ce_error err;
	struct json_span v;
	const struct json_span *d;
	const char *line = (const char *)data, *s, *why;
	size_t n;
	int64_t ns;
	int i;

	if (size > CE_LINE_MAX)
		return 0;
	if (!scratch)
		scratch = malloc(CE_LINE_MAX);
	same_on_every_path(line, size);
	rfc3339_parse(line, size, &ns);
	if (ce_parse(&ev, line, size, size & 1 ? CE_ALLOW_NO_ID : 0, &err) < 0)
		return 0;
	for (i = 0; i < ev.nattrs; i++)
		if (ev.attrs[i].val.type == JSON_STRING) {
			s = json_str(&ev.attrs[i].val, scratch, &n);
			if (n > ev.attrs[i].val.len || (n && !s))
				abort();
		}
	if ((d = ce_get(&ev, "data", 4)) && d->type == JSON_OBJECT)
		json_object_get(d, "flight", 6, &v);
	/* data made compact (a Kafka binary record's value) is the same JSON, shorter */
	if (d) {
		n = json_compact(scratch, d);
		s = scratch;
		if (n > d->len || json_scan_value(&s, scratch + n, &v, &why) < 0 || s != scratch + n ||
		    v.type != d->type)
			abort();
	}
	return 0;
}
