/* libFuzzer target: one input line through the CloudEvents parser, then
   through everything that reads the spans it hands back. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ce.h"
#include "json.h"
#include "rfc3339.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
