#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "fnap.h"
#include "util.h"

#define OUT_BYTES (64 * 1024)
#define READ_BYTES (64 * 1024)

struct fnap_conn {
	int in, out;
	int timeout_ms;            /* reads */
	int write_timeout_ms;
	int64_t deadline_ms;       /* of every wait, or -1 */
	struct tls *tls;
	char *buf;                 /* input: [start, end) not yet returned */
	size_t cap, start, end;
	int eof, discarding;       /* discarding: the rest of a line too long */
	char obuf[OUT_BYTES];
	size_t olen;
	int werr;                  /* a write failed: the connection is done */
};

/* Writes to a stuck client must end too: a socket gets a send timeout.
   And no Nagle: a reply is written when it is whole, and a DATA block's
   first line must not wait for the peer's delayed acknowledgement of it
   (some 40 ms) before the rest goes. Neither applies to a pipe. */
static void
socket_options(int fd, int timeout_ms)
{
	struct timeval tv = { timeout_ms / 1000, timeout_ms % 1000 * 1000 };
	int on = 1;

	if (timeout_ms > 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

struct fnap_conn *
fnap_conn_new(int in, int out, size_t line_max, int timeout_ms)
{
	struct fnap_conn *c = xcalloc(1, sizeof *c);

	c->in = in;
	c->out = out;
	c->cap = line_max + 2 + READ_BYTES;
	c->buf = xmalloc(c->cap);
	c->timeout_ms = c->write_timeout_ms = timeout_ms;
	c->deadline_ms = -1;
	socket_options(out, timeout_ms);
	return c;
}

void
fnap_conn_set_timeout(struct fnap_conn *c, int timeout_ms)
{
	c->timeout_ms = timeout_ms;
}

void
fnap_conn_set_deadline(struct fnap_conn *c, int64_t deadline_ms)
{
	c->deadline_ms = deadline_ms;
}

/* When a wait of timeout_ms (-1: none) begun now must end, the
   connection's deadline included: a clock_ms() time, or -1 for never. */
static int64_t
end_of_wait(const struct fnap_conn *c, int timeout_ms)
{
	int64_t end = timeout_ms < 0 ? -1 : clock_ms() + timeout_ms;

	if (c->deadline_ms >= 0 && (end < 0 || c->deadline_ms < end))
		end = c->deadline_ms;
	return end;
}

/* The milliseconds left until end: -1 when there is no end, 0 once past. */
static int
left_until(int64_t end)
{
	int64_t left = end - clock_ms();

	if (end < 0)
		return -1;
	return left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left;
}

void
fnap_conn_free(struct fnap_conn *c)
{
	if (!c)
		return;
	fnap_flush(c);
	tls_close(c->tls);
	free(c->buf);
	free(c);
}

void
fnap_conn_close(struct fnap_conn *c, int linger_ms)
{
	char drop[4096];
	int64_t until = clock_ms() + linger_ms;
	struct pollfd p = { .fd = c->in, .events = POLLIN };
	ssize_t n;
	int left;

	fnap_flush(c);
	tls_close(c->tls);
	c->tls = NULL;
	/* Input left unread at close makes the kernel reset the connection,
	   and a reset can reach the client before it has read the last reply
	   (421 while it was still sending, commands pipelined after QUIT). So
	   the writing side ends first, and what still comes is dropped until
	   the client closes too, or the time is up. */
	if (shutdown(c->out, SHUT_WR) < 0)
		return;  /* not a socket: a pipe has no reset */
	while ((left = (int)(until - clock_ms())) > 0 && poll(&p, 1, left) > 0)
		if ((n = read(c->in, drop, sizeof drop)) == 0 || (n < 0 && errno != EINTR))
			break;
}

static int
use_tls(struct fnap_conn *c, struct tls *t)
{
	if (!t)
		return -1;
	c->tls = t;
	c->start = c->end = 0;
	c->discarding = 0;
	return 0;
}

int
fnap_conn_accept_tls(struct fnap_conn *c, struct tls_ctx *x, const char **why)
{
	if (fnap_flush(c) < 0) {
		*why = "cannot write to the client";
		return -1;
	}
	return use_tls(c, tls_accept(x, c->in, c->out, left_until(end_of_wait(c, c->write_timeout_ms)), why));
}

int
fnap_conn_connect_tls(struct fnap_conn *c, struct tls_ctx *x, const char *host, const char **why)
{
	if (fnap_flush(c) < 0) {
		*why = "cannot write to the server";
		return -1;
	}
	return use_tls(c, tls_connect(x, c->in, host, left_until(end_of_wait(c, c->write_timeout_ms)), why));
}

int
fnap_conn_is_tls(const struct fnap_conn *c)
{
	return c->tls != NULL;
}

int
fnap_flush(struct fnap_conn *c)
{
	int r;

	if (c->werr)
		return -1;
	if (c->olen == 0)
		return 0;
	r = c->tls ? tls_write(c->tls, c->obuf, c->olen, c->write_timeout_ms) :
	    write_all(c->out, c->obuf, c->olen);
	c->olen = 0;
	if (r != 0)
		c->werr = 1;
	return r == 0 ? 0 : -1;
}

static int
put(struct fnap_conn *c, const char *p, size_t n)
{
	if (c->olen + n > sizeof c->obuf && fnap_flush(c) < 0)
		return -1;
	if (n > sizeof c->obuf) {
		if ((c->tls ? tls_write(c->tls, p, n, c->write_timeout_ms) : write_all(c->out, p, n)) != 0) {
			c->werr = 1;
			return -1;
		}
		return 0;
	}
	memcpy(c->obuf + c->olen, p, n);
	c->olen += n;
	return 0;
}

int
fnap_body(struct fnap_conn *c, const char *line, size_t len)
{
	if (c->werr || put(c, line, len) < 0 || put(c, "\r\n", 2) < 0)
		return -1;
	return 0;
}

static int
vline(struct fnap_conn *c, const char *prefix, const char *fmt, va_list ap)
{
	char buf[FNAP_COMMAND_MAX];
	int n;

	n = snprintf(buf, sizeof buf, "%s", prefix);
	n += vsnprintf(buf + n, sizeof buf - n, fmt, ap);
	if (n > (int)sizeof buf - 1)
		n = sizeof buf - 1;
	if (fnap_body(c, buf, n) < 0 || fnap_flush(c) < 0)
		return -1;
	return 0;
}

int
fnap_reply(struct fnap_conn *c, int code, const char *fmt, ...)
{
	char prefix[8];
	va_list ap;
	int r;

	snprintf(prefix, sizeof prefix, "%03d ", code);
	va_start(ap, fmt);
	r = vline(c, prefix, fmt, ap);
	va_end(ap);
	return r;
}

int
fnap_send(struct fnap_conn *c, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vline(c, "", fmt, ap);
	va_end(ap);
	return r;
}

/* Read what comes within timeout_ms (0: only what is there) into the free
   space: FNAP_LINE when something came or the input ended (c->eof), else
   FNAP_TIMEOUT or FNAP_ERROR. */
static int
fill(struct fnap_conn *c, int timeout_ms)
{
	struct pollfd p = { .fd = c->in, .events = POLLIN };
	ssize_t n;
	int r;

	if (c->start > 0) {
		memmove(c->buf, c->buf + c->start, c->end - c->start);
		c->end -= c->start;
		c->start = 0;
	}
	if (c->tls) {
		n = tls_read(c->tls, c->buf + c->end, c->cap - c->end, timeout_ms);
		if (n == TLS_TIMEOUT)
			return FNAP_TIMEOUT;
		if (n < 0)
			return FNAP_ERROR;
	} else {
		while ((r = poll(&p, 1, timeout_ms)) < 0)
			if (errno != EINTR || stop_requested)
				return FNAP_ERROR;
		if (r == 0)
			return FNAP_TIMEOUT;
		while ((n = read(c->in, c->buf + c->end, c->cap - c->end)) < 0)
			if (errno != EINTR || stop_requested)
				return FNAP_ERROR;
	}
	if (n == 0)
		c->eof = 1;
	c->end += n;
	return FNAP_LINE;
}

int
fnap_read_line(struct fnap_conn *c, size_t max, char **line, size_t *len)
{
	int64_t end = end_of_wait(c, c->timeout_ms);
	char *nl;
	size_t n;
	int r, left, filled = 0;

	for (;;) {
		if ((nl = memchr(c->buf + c->start, '\n', c->end - c->start))) {
			*line = c->buf + c->start;
			n = nl - *line;
			c->start += n + 1;
			if (c->discarding) {
				c->discarding = 0;
				return FNAP_TOO_LONG;
			}
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
			/* too long already (a CR may still come): drop it as it comes */
			c->discarding = 1;
			c->start = c->end;
		}
		if (c->eof) {
			/* a last line without its newline is not a command */
			c->start = c->end;
			if (c->discarding) {
				c->discarding = 0;
				return FNAP_TOO_LONG;
			}
			return FNAP_EOF;
		}
		if (fnap_flush(c) < 0)
			return FNAP_ERROR;
		/* the line is due whole by the end: a byte now and then does not
		   put it off (a read of 0 ms still takes in all that is there) */
		left = left_until(end);
		if (left == 0 && filled && c->timeout_ms != 0)
			return FNAP_TIMEOUT;
		if ((r = fill(c, left)) != FNAP_LINE)
			return r;
		filled = 1;
	}
}

int
fnap_peer_closed(struct fnap_conn *c)
{
	int r;

	if (!c->eof && (c->start > 0 || c->end < c->cap)) {
		r = fill(c, 0);
		if (r == FNAP_ERROR)
			return 1;
	}
	return c->eof;
}

int
fnap_reply_code(const char *line, const char **text)
{
	int code;

	if (line[0] < '1' || line[0] > '5' || line[1] < '0' || line[1] > '9' || line[2] < '0' ||
	    line[2] > '9' || (line[3] != ' ' && line[3] != '\0'))
		return -1;
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	*text = line[3] ? line + 4 : line + 3;
	return code;
}

char *
fnap_word(char **p)
{
	char *w = *p + strspn(*p, " ");

	if (!*w)
		return NULL;
	*p = w + strcspn(w, " ");
	if (**p)
		*(*p)++ = '\0';
	return w;
}
