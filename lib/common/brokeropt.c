#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker_http.h"
#include "brokeropt.h"
#include "http_event.h"
#include "util.h"

/* The file at path, whole, NUL-terminated (at most max bytes): malloc'd
   with *len, or NULL after a message. */
static char *
read_small(const char *what, const char *path, size_t max, size_t *len)
{
	char *buf = xmalloc(max + 2);
	ssize_t r = 0;
	int fd = open(path, O_RDONLY);

	*len = 0;
	while (fd >= 0 && *len <= max && (r = read(fd, buf + *len, max + 1 - *len)) > 0)
		*len += r;
	if (fd < 0 || r < 0 || *len > max) {
		if (fd >= 0 && r >= 0)
			warnmsg("%s %s: larger than %zu bytes", what, path, max);
		else
			warnmsg("%s %s: %s", what, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(buf);
		return NULL;
	}
	close(fd);
	buf[*len] = '\0';
	return buf;
}

/* Check one header line and keep it; -1 after a message that names the
   header (its token, up to 64 bytes), never its value. */
static int
header_add(struct broker_opts *o, const char *where, const char *h)
{
	const char *why;
	size_t name;

	if (o->nheaders == HTTP_HEADERS_MAX)
		why = "more than 32 headers";
	else if (http_header_check(h, &why) == 0) {
		o->headers = xrealloc(o->headers, (o->nheaders + 1) * sizeof *o->headers);
		o->headers[o->nheaders++] = xstrdup(h);
		return 0;
	}
	name = strspn(h, HTTP_TOKEN_CHARS);
	warnmsg("%s%.*s: %s", where, name > 64 ? 64 : (int)name, h, why);
	return -1;
}

/* The header lines of a file (blank lines and # comments skipped). */
static void
header_file(struct broker_opts *o, const char *path)
{
	char *text, *line, *next, where[64 + 32];
	size_t len;
	int n = 0;

	if (!(text = read_small("--header-file", path, HTTP_HEADER_FILE_MAX, &len)))
		exit(EX_FLOW_CONFIG);
	if (strlen(text) != len)
		die(EX_FLOW_CONFIG, "--header-file %s: a NUL byte", path);
	for (line = text; line < text + len; line = next) {
		next = line + strcspn(line, "\n");
		*next++ = '\0';
		n++;
		if (next - line > 1 && next[-2] == '\r')
			next[-2] = '\0';
		if (!*line || *line == '#')
			continue;
		snprintf(where, sizeof where, "--header-file %.40s: line %d: ", path, n);
		if (header_add(o, where, line) < 0) {
			free(text);
			exit(EX_FLOW_CONFIG);
		}
	}
	free(text);
}

static void
webhook_secret(struct broker_opts *o, const char *path)
{
	const char *why;
	char *text;
	size_t len;

	if (!(text = read_small("--webhook-secret", path, 4096, &len)))
		exit(EX_FLOW_CONFIG);
	free(o->webhook_key);
	o->webhook_key = xmalloc(HTTP_WEBHOOK_KEY_MAX);
	if (strlen(text) != len)
		why = "a NUL byte";
	else if (http_webhook_secret(text, len, o->webhook_key, &o->webhook_keylen, &why) == 0)
		why = NULL;
	sodium_memzero(text, len);
	free(text);
	if (why)
		die(EX_FLOW_CONFIG, "--webhook-secret %s: %s", path, why);
}

/* The HTTP options; 1 when c is one of them. */
static int
http_option(int c, const char *arg, struct broker_opts *o)
{
	int64_t n;

	switch (c) {
	case 'H':
		if (arg[0] == '@')
			header_file(o, arg + 1);
		else if (header_add(o, "-H ", arg) < 0)
			exit(EX_FLOW_USAGE);
		return 1;
	case BROKEROPT_HEADER_FILE:
		header_file(o, arg);
		return 1;
	case BROKEROPT_BATCH:
		if (parse_int64(arg, 1, HTTP_BATCH_MAX, &n) < 0)
			die(EX_FLOW_USAGE, "--batch %s: expected 1 to %d events", arg, HTTP_BATCH_MAX);
		o->batch = (int)n;
		return 1;
	case BROKEROPT_RETRIES:
		if (parse_int64(arg, 0, HTTP_RETRIES_MAX, &n) < 0)
			die(EX_FLOW_USAGE, "--retries %s: expected 0 to %d", arg, HTTP_RETRIES_MAX);
		o->http_attempts = (int)n + 1;
		return 1;
	case BROKEROPT_CACERT:
		if (access(arg, R_OK) < 0)
			die(EX_FLOW_CONFIG, "--cacert %s: %s", arg, strerror(errno));
		o->cafile = arg;
		return 1;
	case BROKEROPT_WEBHOOK_SECRET:
		webhook_secret(o, arg);
		return 1;
	default:
		return 0;
	}
}

int
brokeropt(int c, const char *arg, struct broker_opts *o)
{
	switch (c) {
	case 'X':
		/* broker_prop_add and broker_prop_file say what is wrong */
		if (broker_prop_add(o, arg) < 0)
			exit(EX_FLOW_USAGE);
		return 1;
	case 'F':
		if (broker_prop_file(o, arg) < 0)
			exit(EX_FLOW_CONFIG);
		return 1;
	case 'o':
		if (offset_parse(arg, &o->start) < 0)
			die(EX_FLOW_USAGE, "-o %s: expected beginning, end, stored, N, -N, @TIME (RFC 3339, or -N with s, m, h or d) or stored:(one of the others)", arg);
		return 1;
	default:
		return http_option(c, arg, o);
	}
}

void
brokeropt_free(struct broker_opts *o)
{
	while (o->nheaders > 0)
		free(o->headers[--o->nheaders]);
	free(o->headers);
	o->headers = NULL;
	if (o->webhook_key)
		sodium_memzero(o->webhook_key, HTTP_WEBHOOK_KEY_MAX);
	free(o->webhook_key);
	o->webhook_key = NULL;
	broker_opts_free(o);
}
