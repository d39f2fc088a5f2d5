#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "lines.h"
#include "util.h"

#define READ_BLOCK (256 * 1024)

struct line_reader {
	struct transport *t;
	struct transport own;    /* lr_open's descriptor */
	int filled_by_caller;    /* lr_open_transport: LR_AGAIN, lr_fill() */
	size_t maxlen, limit;    /* limit: the most maxlen may be (the buffer's) */
	char *buf;
	size_t cap, start, end;  /* unread bytes are buf[start..end) */
	int eof;
	int skipping;            /* inside the rest of an overlong line */
	int long_sink;
	int stoppable;
	int nowait;              /* lr_next_lines: LR_AGAIN rather than waiting */
	size_t most;             /* lr_next_lines: the most bytes of lines at once */
	void (*idle)(void *ctx);
	void *idle_ctx;
	uint64_t lineno;
};

struct line_reader *
lr_open_transport(struct transport *t, size_t maxlen)
{
	struct line_reader *lr = xcalloc(1, sizeof *lr);

	lr->t = t;
	lr->filled_by_caller = 1;
	lr->maxlen = lr->limit = maxlen;
	/* +1: the longest line's newline */
	lr->cap = maxlen + 1 + READ_BLOCK;
	lr->buf = xmalloc(lr->cap);
	lr->long_sink = -1;
	return lr;
}

struct line_reader *
lr_open(int fd, size_t maxlen)
{
	struct line_reader *lr = lr_open_transport(NULL, maxlen);

	/* a larger pipe means fewer, larger reads; not being allowed is fine */
	(void)fcntl(fd, F_SETPIPE_SZ, READ_BLOCK);
	transport_plain(&lr->own, fd, fd);
	lr->t = &lr->own;
	lr->filled_by_caller = 0;
	return lr;
}

void
lr_set_max(struct line_reader *lr, size_t maxlen)
{
	lr->maxlen = maxlen < lr->limit ? maxlen : lr->limit;
}

void
lr_drop_input(struct line_reader *lr)
{
	lr->start = lr->end = 0;
	lr->skipping = 0;
}

int
lr_at_eof(const struct line_reader *lr)
{
	return lr->eof;
}

void
lr_close(struct line_reader *lr)
{
	if (lr) {
		free(lr->buf);
		free(lr);
	}
}

void
lr_set_long_sink(struct line_reader *lr, int fd)
{
	lr->long_sink = fd;
}

void
lr_set_idle(struct line_reader *lr, void (*idle)(void *ctx), void *ctx)
{
	lr->idle = idle;
	lr->idle_ctx = ctx;
}

void
lr_stop_on_signal(struct line_reader *lr)
{
	lr->stoppable = 1;
	lr->t->stop_on_signal = 1;
}

/* Wait until there is input, calling the idle callback first if there is
   none yet: 0, or -1 with errno. A stoppable reader also watches the stop
   pipe, so that a signal that came just before the wait ends it. */
static int
wait_input(struct line_reader *lr)
{
	struct pollfd p[2] = {
		{ .fd = lr->t->in, .events = POLLIN },
		{ .fd = lr->stoppable ? stop_fd() : -1, .events = POLLIN },
	};
	int timeout = lr->idle ? 0 : -1, n;

	for (;;) {
		if (lr->stoppable && stop_requested) {
			errno = EINTR;
			return -1;
		}
		n = poll(p, 2, timeout);
		if (n > 0 && p[0].revents)
			return 0;
		if (n < 0 && errno != EINTR)
			return -1;
		if (n == 0 && timeout == 0) {
			lr->idle(lr->idle_ctx);
			timeout = -1;
		}
	}
}

/* Move unread bytes to the front when the free space runs short. */
static void
compact(struct line_reader *lr)
{
	if (lr->start > 0 && (lr->cap - lr->end < READ_BLOCK || lr->start == lr->end)) {
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->start = 0;
	}
}

/* Read into the free space, waiting timeout_ms at most (-1: blocking):
   1 when something came or the input ended, 0 on a timeout, -1 (errno). */
static int
read_more(struct line_reader *lr, int timeout_ms)
{
	ssize_t n = transport_read(lr->t, lr->buf + lr->end, lr->cap - lr->end, timeout_ms);

	if (n == TRANSPORT_TIMEOUT)
		return 0;
	if (n < 0)
		return -1;
	if (n == 0)
		lr->eof = 1;
	lr->end += n;
	return 1;
}

/* Read more input at the end of the buffer. */
static int
fill(struct line_reader *lr)
{
	compact(lr);
	if ((lr->idle || lr->stoppable) && wait_input(lr) < 0)
		return -1;
	return read_more(lr, -1) < 0 ? -1 : 0;
}

int
lr_fill(struct line_reader *lr, int timeout_ms)
{
	compact(lr);
	if (lr->end == lr->cap)
		return 1;  /* no room: what is there makes a line (or one too long) */
	return read_more(lr, timeout_ms);
}

/* The newline that ends the last whole line of lr_next_lines's, the
   first of which ends at nl: within lr->most bytes and maxlen + 1, so
   that no line from the first to it is longer than maxlen. */
static char *
lines_end(const struct line_reader *lr, char *nl)
{
	size_t window = lr->end - lr->start;

	if (window > lr->most)
		window = lr->most;
	if (window > lr->maxlen + 1)
		window = lr->maxlen + 1;
	if ((size_t)(nl - (lr->buf + lr->start)) >= window)
		return nl;
	return memrchr(lr->buf + lr->start, '\n', window);
}

int
lr_next(struct line_reader *lr, const char **line, size_t *len)
{
	char *nl;
	size_t avail;

	for (;;) {
		avail = lr->end - lr->start;
		nl = memchr(lr->buf + lr->start, '\n', avail);
		if (lr->skipping) {
			/* the rest of an overlong line: pass it on, then go on after it */
			size_t n = nl ? (size_t)(nl - (lr->buf + lr->start)) + 1 : avail;

			if (lr->long_sink >= 0 && n > 0 &&
			    write_all(lr->long_sink, lr->buf + lr->start, n) < 0)
				return LR_ERROR;
			lr->start += n;
			if (nl || (lr->eof && lr->start == lr->end)) {
				if (!nl && lr->long_sink >= 0 && write_all(lr->long_sink, "\n", 1) < 0)
					return LR_ERROR;
				lr->skipping = 0;
				continue;
			}
		} else if (nl && (size_t)(nl - (lr->buf + lr->start)) <= lr->maxlen) {
			*line = lr->buf + lr->start;
			if (lr->most)
				nl = lines_end(lr, nl);
			*len = nl - *line;
			lr->start += *len + 1;
			lr->lineno++;
			return LR_LINE;
		} else if (avail > lr->maxlen) {
			*line = lr->buf + lr->start;
			*len = lr->maxlen;
			lr->start += lr->maxlen;
			lr->skipping = 1;
			lr->lineno++;
			return LR_LONG;
		} else if (lr->eof) {
			if (avail == 0)
				return LR_EOF;
			if (lr->filled_by_caller) {
				/* a framed line ends with its newline: a last one without is dropped */
				lr->start = lr->end;
				return LR_EOF;
			}
			*line = lr->buf + lr->start;
			*len = avail;
			lr->start = lr->end;
			lr->lineno++;
			return LR_LINE;
		}
		if (lr->eof && lr->start == lr->end)
			return LR_EOF;
		if (lr->filled_by_caller && !lr->nowait)
			return LR_AGAIN;
		if (lr->nowait) {
			int r;

			if (lr->stoppable && stop_requested) {
				errno = EINTR;
				return LR_ERROR;
			}
			if ((r = lr_fill(lr, 0)) <= 0)
				return r < 0 ? LR_ERROR : LR_AGAIN;
			continue;
		}
		if (fill(lr) < 0)
			return LR_ERROR;
	}
}

int
lr_next_lines(struct line_reader *lr, const char **lines, size_t *len, size_t most, int nowait)
{
	int r;

	lr->most = most;
	lr->nowait = nowait;
	r = lr_next(lr, lines, len);
	lr->most = 0;
	lr->nowait = 0;
	return r;
}

int
lr_would_block(struct line_reader *lr)
{
	struct pollfd pfd = { .fd = lr->t->in, .events = POLLIN };

	if (lr->eof || memchr(lr->buf + lr->start, '\n', lr->end - lr->start))
		return 0;
	return poll(&pfd, 1, 0) == 0;
}

uint64_t
lr_lineno(const struct line_reader *lr)
{
	return lr->lineno;
}
