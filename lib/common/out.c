#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out.h"
#include "util.h"

struct out {
	int fd;
	char *buf;
	size_t cap, len;
	uint64_t lines_buffered;  /* complete lines in buf */
	uint64_t lines_done;
};

struct out *
out_open(int fd, size_t bufsize)
{
	struct out *o = xcalloc(1, sizeof *o);

	o->fd = fd;
	o->cap = bufsize;
	o->buf = xmalloc(bufsize);
	return o;
}

int
out_close(struct out *o)
{
	int r = out_flush(o), e = errno;

	free(o->buf);
	free(o);
	errno = e;
	return r;
}

/* Count newlines in p[0..n). */
static uint64_t
count_lines(const char *p, size_t n)
{
	const char *end = p + n;
	uint64_t c = 0;

	while ((p = memchr(p, '\n', end - p))) {
		c++;
		p++;
	}
	return c;
}

int
out_flush(struct out *o)
{
	size_t off = 0;
	ssize_t w;
	uint64_t done;

	while (off < o->len) {
		w = write(o->fd, o->buf + off, o->len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			/* keep count of the whole lines that did get out */
			done = count_lines(o->buf, off);
			o->lines_done += done;
			o->lines_buffered -= done;
			memmove(o->buf, o->buf + off, o->len - off);
			o->len -= off;
			return -1;
		}
		off += w;
	}
	o->lines_done += o->lines_buffered;
	o->lines_buffered = 0;
	o->len = 0;
	return 0;
}

int
out_write(struct out *o, const void *p, size_t n)
{
	const char *s = p;

	if (o->len + n > o->cap) {
		if (out_flush(o) < 0)
			return -1;
		if (n > o->cap)
			return write_all(o->fd, s, n);  /* larger than the buffer: straight through */
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	return 0;
}

int
out_line(struct out *o, const char *p, size_t n)
{
	if (n + 1 > o->cap) {
		/* longer than the buffer: write it through */
		if (out_flush(o) < 0 || out_write(o, p, n) < 0 || out_write(o, "\n", 1) < 0 ||
		    out_flush(o) < 0)
			return -1;
		o->lines_done++;
		return 0;
	}
	if (o->len + n + 1 > o->cap && out_flush(o) < 0)
		return -1;
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	o->buf[o->len++] = '\n';
	o->lines_buffered++;
	return 0;
}

size_t
out_pending(const struct out *o)
{
	return o->len;
}

uint64_t
out_lines_done(const struct out *o)
{
	return o->lines_done;
}
