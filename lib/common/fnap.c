#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ce.h"
#include "fnap.h"
#include "out.h"
#include "util.h"

struct fnap_conn {
	int in;
	int timeout_ms;
	struct out *out;
	char *buf;
	size_t cap, start, end;
	int eof;
};

struct fnap_conn *
fnap_conn_new(int in, int out, int timeout_s)
{
	struct fnap_conn *c = xcalloc(1, sizeof *c);

	c->in = in;
	c->timeout_ms = timeout_s * 1000;
	c->out = out_open(out, 64 * 1024);
	c->cap = CE_LINE_MAX + 2 + 64 * 1024;
	c->buf = xmalloc(c->cap);
	return c;
}

void
fnap_conn_free(struct fnap_conn *c)
{
	if (c) {
		out_close(c->out);
		free(c->buf);
		free(c);
	}
}

/* Read more, waiting at most the idle timeout. */
static int
fill(struct fnap_conn *c)
{
	struct pollfd p = { .fd = c->in, .events = POLLIN };
	ssize_t n;
	int r;

	if (c->start > 0) {
		memmove(c->buf, c->buf + c->start, c->end - c->start);
		c->end -= c->start;
		c->start = 0;
	}
	if (c->end == c->cap)
		c->end = 0;  /* only while discarding an overlong line */
	fnap_flush(c);
	while ((r = poll(&p, 1, c->timeout_ms > 0 ? c->timeout_ms : -1)) < 0)
		if (errno != EINTR)
			return FNAP_ERROR;
	if (r == 0)
		return FNAP_TIMEOUT;
	while ((n = read(c->in, c->buf + c->end, c->cap - c->end)) < 0)
		if (errno != EINTR)
			return FNAP_ERROR;
	if (n == 0)
		c->eof = 1;
	c->end += n;
	return FNAP_LINE;
}

int
fnap_read_line(struct fnap_conn *c, size_t max, char **line, size_t *len)
{
	char *nl;
	size_t n;
	int r, discarding = 0;

	for (;;) {
		nl = memchr(c->buf + c->start, '\n', c->end - c->start);
		if (nl) {
			*line = c->buf + c->start;
			n = nl - *line;
			c->start += n + 1;
			if (discarding)
				return FNAP_TOO_LONG;
			if (n > 0 && (*line)[n - 1] == '\r')
				n--;
			if (n > max)
				return FNAP_TOO_LONG;
			if (memchr(*line, '\0', n))
				return FNAP_NUL;
			(*line)[n] = '\0';
			*len = n;
			return FNAP_LINE;
		}
		if (c->end - c->start > max + 1) {
			/* too long already: drop it as it comes */
			discarding = 1;
			c->start = c->end;
		}
		if (c->eof)
			return discarding ? FNAP_TOO_LONG : FNAP_EOF;
		if ((r = fill(c)) != FNAP_LINE)
			return r;
	}
}

int
fnap_body(struct fnap_conn *c, const char *line, size_t len)
{
	if (out_write(c->out, line, len) < 0 || out_write(c->out, "\r\n", 2) < 0)
		return -1;
	return 0;
}

int
fnap_flush(struct fnap_conn *c)
{
	return out_flush(c->out);
}

int
fnap_reply(struct fnap_conn *c, int code, const char *fmt, ...)
{
	char buf[FNAP_COMMAND_MAX];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof buf, "%03d ", code);
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof buf - n, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 1)
		n = sizeof buf - 1;
	if (fnap_body(c, buf, n) < 0 || fnap_flush(c) < 0)
		return -1;
	return 0;
}
