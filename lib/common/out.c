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

int
out_flush(struct out *o)
{
	size_t off = 0;
	ssize_t w;

	while (off < o->len) {
		w = write(o->fd, o->buf + off, o->len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			/* keep what did not get out for the next try */
			memmove(o->buf, o->buf + off, o->len - off);
			o->len -= off;
			return -1;
		}
		off += w;
	}
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
		return 0;
	}
	if (o->len + n + 1 > o->cap && out_flush(o) < 0)
		return -1;
	memcpy(o->buf + o->len, p, n);
	o->len += n;
	o->buf[o->len++] = '\n';
	return 0;
}

size_t
out_pending(const struct out *o)
{
	return o->len;
}
