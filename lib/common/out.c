#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "util.h"

struct out {
	struct transport *t;
	struct transport own;    /* out_open's descriptor */
	char *buf;
	size_t cap, len;
};

struct out *
out_open_transport(struct transport *t, size_t bufsize)
{
	struct out *o = xcalloc(1, sizeof *o);

	o->t = t;
	o->cap = bufsize;
	o->buf = xmalloc(bufsize);
	return o;
}

struct out *
out_open(int fd, size_t bufsize)
{
	struct out *o = out_open_transport(NULL, bufsize);

	transport_plain(&o->own, fd, fd);
	o->t = &o->own;
	return o;
}

void
out_free(struct out *o)
{
	if (o) {
		free(o->buf);
		free(o);
	}
}

int
out_close(struct out *o)
{
	int r = out_flush(o), e = errno;

	out_free(o);
	errno = e;
	return r;
}

/* Write p[0..n) out; *done says how much got out, also on failure. */
static int
write_through(struct out *o, const char *p, size_t n, size_t *done)
{
	ssize_t w;

	for (*done = 0; *done < n; *done += w)
		if ((w = transport_write(o->t, p + *done, n - *done)) < 0) {
			if (errno != EINTR)
				return -1;
			w = 0;
		}
	return 0;
}

int
out_flush(struct out *o)
{
	size_t done;

	if (write_through(o, o->buf, o->len, &done) < 0) {
		/* keep what did not get out for the next try */
		memmove(o->buf, o->buf + done, o->len - done);
		o->len -= done;
		return -1;
	}
	o->len = 0;
	return 0;
}

int
out_write(struct out *o, const void *p, size_t n)
{
	const char *s = p;
	size_t done;

	if (o->len + n > o->cap) {
		if (out_flush(o) < 0)
			return -1;
		if (n > o->cap)
			return write_through(o, s, n, &done);  /* larger than the buffer: straight through */
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
