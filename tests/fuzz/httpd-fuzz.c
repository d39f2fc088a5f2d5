/* libFuzzer target: flow-httpd's parsers of what others write. The first
   byte chooses: even, the rest is a configuration file, each line through
   httpd_conf_line and the whole through httpd_conf_check; odd, the rest is
   a binary-mode request ("name: value" header lines, an empty line, the
   body; a content-type header is the Content-Type) through
   httpd_binary_event, and the body also as a structured event and as a
   batch. Whatever the builders make must be one JSON object that fits. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ce.h"
#include "httpd_conf.h"
#include "httpd_event.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUT_SIZE 8192   /* small, so that inputs can go past it */

static void
config(char *text)
{
	struct httpd_conf c;
	const char *why;
	char *line, *save;

	httpd_conf_init(&c);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (httpd_conf_line(&c, line, &why) < 0 && !why)
			abort();
	httpd_conf_check(&c, &why);
	httpd_conf_free(&c);
}

/* out[0..n) must be one JSON object and nothing else. */
static void
must_be_object(const char *out, long n, size_t size)
{
	const char *p = out, *why;
	struct json_span v;

	if (n < 0)
		return;
	if ((size_t)n >= size || json_scan_value(&p, out + n, &v, &why) < 0 || v.type != JSON_OBJECT ||
	    p != out + n)
		abort();
}

static void
request(char *text, size_t len)
{
	struct httpd_header h[HTTPD_CE_HEADERS_MAX + 2];
	char *out = malloc(OUT_SIZE), *body = strstr(text, "\n\n"), *line, *save, *colon;
	const char *ctype = NULL, *why;
	size_t n = 0, blen = 0;
	struct httpd_batch b;
	struct json_span e;

	if (body) {
		*body = '\0';
		body += 2;
		blen = len - (size_t)(body - text);
	}
	for (line = strtok_r(text, "\n", &save); line && n < HTTPD_CE_HEADERS_MAX + 2; line = strtok_r(NULL, "\n", &save)) {
		if (!(colon = strchr(line, ':')))
			continue;
		*colon = '\0';
		if (strcasecmp(line, "content-type") == 0)
			ctype = colon + 1;
		else
			h[n++] = (struct httpd_header){ line, colon + 1 };
	}
	httpd_event_mode(ctype, n > 0);
	must_be_object(out, httpd_binary_event(h, n, ctype, body ? body : "", blen, out, OUT_SIZE, &why), OUT_SIZE);
	if (body && blen < OUT_SIZE) {
		must_be_object(out, httpd_structured_event(body, blen, out, &why), OUT_SIZE);
		if (httpd_batch_open(&b, body, blen, &why) == 0)
			while (httpd_batch_next(&b, &e))
				if (e.len > blen)
					abort();
	}
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;

	if (size < 1)
		return 0;
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (data[0] & 1)
		request(text, size - 1);
	else
		config(text);
	free(text);
	return 0;
}
