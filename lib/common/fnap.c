#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include "fnap.h"
#include "lines.h"
#include "out.h"
#include "util.h"

#define OUT_BYTES (64 * 1024)

struct fnap_conn {
	struct transport t;        /* under both: plain, then maybe TLS */
	struct line_reader *lr;
	struct out *w;
	int timeout_ms;            /* reads */
	int64_t deadline_ms;       /* of every wait, or -1 */
	int werr;                  /* a write failed: the connection is done */
	int trace_fd;              /* fnap_conn_trace: where, or -1 */
	int trace_client;          /* this end is the client */
	int mask_next;             /* the client's next line is a credential */
	char trace_prefix[64];
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

	transport_plain(&c->t, in, out);
	c->t.write_timeout_ms = timeout_ms;
	c->t.stop_on_signal = 1;
	/* +1: the CR before the newline */
	c->lr = lr_open_transport(&c->t, line_max + 1);
	c->w = out_open_transport(&c->t, OUT_BYTES);
	c->timeout_ms = timeout_ms;
	c->deadline_ms = -1;
	c->trace_fd = -1;
	socket_options(out, timeout_ms);
	return c;
}

void
fnap_conn_trace(struct fnap_conn *c, int fd, const char *prefix, int client)
{
	c->trace_fd = fd;
	c->trace_client = client;
	snprintf(c->trace_prefix, sizeof c->trace_prefix, "%s", prefix);
}

/* A line of the client (from_client) or of the agent on the trace, in one
   write: a PLAIN credential masked, whichever of its two forms. */
static void
trace(struct fnap_conn *c, int from_client, const char *line, size_t len)
{
	static const char plain[] = "AUTHENTICATE PLAIN";
	const size_t plen = sizeof plain - 1;
	struct iovec v[4];
	const char *shown = line;

	if (c->trace_fd < 0)
		return;
	if (from_client && c->mask_next) {
		shown = "****";
		len = 4;
		c->mask_next = 0;
	} else if (from_client && len >= plen && strncasecmp(line, plain, plen) == 0) {
		if (strspn(line + plen, " ") == len - plen)
			c->mask_next = 1;   /* the credential comes on the next line */
		else {
			shown = "AUTHENTICATE PLAIN ****";
			len = strlen(shown);
		}
	}
	v[0] = (struct iovec){ c->trace_prefix, strlen(c->trace_prefix) };
	v[1] = (struct iovec){ (void *)(from_client ? "C: " : "S: "), 3 };
	v[2] = (struct iovec){ (void *)shown, len };
	v[3] = (struct iovec){ "\n", 1 };
	while (writev(c->trace_fd, v, 4) < 0 && errno == EINTR)
		;
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
	tls_close(c->t.tls);
	lr_close(c->lr);
	/* what a failed connection did not take is dropped, not retried */
	out_free(c->w);
	free(c);
}

void
fnap_conn_close(struct fnap_conn *c, int linger_ms)
{
	char drop[4096];
	int64_t until = clock_ms() + linger_ms;
	struct pollfd p = { .fd = c->t.in, .events = POLLIN };
	ssize_t n;
	int left;

	fnap_flush(c);
	tls_close(c->t.tls);
	c->t.tls = NULL;
	/* Input left unread at close makes the kernel reset the connection,
	   and a reset can reach the client before it has read the last reply
	   (421 while it was still sending, commands pipelined after QUIT). So
	   the writing side ends first, and what still comes is dropped until
	   the client closes too, or the time is up. */
	if (shutdown(c->t.out, SHUT_WR) < 0)
		return;  /* not a socket: a pipe has no reset */
	while ((left = (int)(until - clock_ms())) > 0 && poll(&p, 1, left) > 0)
		if ((n = read(c->t.in, drop, sizeof drop)) == 0 || (n < 0 && errno != EINTR))
			break;
}

static int
use_tls(struct fnap_conn *c, struct tls *t)
{
	if (!t)
		return -1;
	c->t.tls = t;
	c->t.tls_read = tls_read;
	c->t.tls_write = tls_write;
	lr_drop_input(c->lr);
	return 0;
}

int
fnap_conn_accept_tls(struct fnap_conn *c, struct tls_ctx *x, const char **why)
{
	if (fnap_flush(c) < 0) {
		*why = "cannot write to the client";
		return -1;
	}
	return use_tls(c, tls_accept(x, c->t.in, c->t.out,
	    left_until(end_of_wait(c, c->t.write_timeout_ms)), why));
}

int
fnap_conn_connect_tls(struct fnap_conn *c, struct tls_ctx *x, const char *host, const char **why)
{
	if (fnap_flush(c) < 0) {
		*why = "cannot write to the server";
		return -1;
	}
	return use_tls(c, tls_connect(x, c->t.in, host,
	    left_until(end_of_wait(c, c->t.write_timeout_ms)), why));
}

int
fnap_conn_is_tls(const struct fnap_conn *c)
{
	return c->t.tls != NULL;
}

int
fnap_flush(struct fnap_conn *c)
{
	if (c->werr)
		return -1;
	if (out_flush(c->w) < 0) {
		c->werr = 1;
		return -1;
	}
	return 0;
}

int
fnap_body(struct fnap_conn *c, const char *line, size_t len)
{
	if (c->werr)
		return -1;
	trace(c, c->trace_client, line, len);
	if (out_write(c->w, line, len) < 0 || out_write(c->w, "\r\n", 2) < 0) {
		c->werr = 1;
		return -1;
	}
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

/* A line lr gave, as FNAP takes it: without its CR, at most max bytes,
   no NUL; NUL-terminated in place of the CR or the newline. */
static int
framed_line(const char *l, size_t n, size_t max, char **line, size_t *len)
{
	/* the reader's buffer is ours: the line is followed by its newline */
	char *p = (char *)l;

	if (n > 0 && p[n - 1] == '\r')
		n--;
	if (n > max)
		return FNAP_TOO_LONG;
	if (memchr(p, '\0', n))
		return FNAP_NUL;
	p[n] = '\0';
	*line = p;
	*len = n;
	return FNAP_LINE;
}

int
fnap_read_line(struct fnap_conn *c, size_t max, char **line, size_t *len)
{
	/* the clock is read only when the line is not already buffered: a
	   STREAM's events mostly are, and a million clock reads showed */
	int64_t end = 0;
	const char *l;
	size_t n;
	int r, left, filled = 0;

	lr_set_max(c->lr, max + 1);  /* +1: a CR may end it */
	for (;;) {
		r = lr_next(c->lr, &l, &n);
		if (r == LR_LINE) {
			if ((r = framed_line(l, n, max, line, len)) == FNAP_LINE)
				trace(c, !c->trace_client, *line, *len);
			return r;
		}
		if (r == LR_LONG)
			return FNAP_TOO_LONG;  /* its rest is dropped as it comes */
		if (r == LR_EOF)
			return FNAP_EOF;
		/* the line is due whole by the end, from now: a byte now and then
		   does not put it off (a read of 0 ms still takes in all that is
		   there), nor does the flush of what is buffered */
		if (!filled)
			end = end_of_wait(c, c->timeout_ms);
		if (r == LR_ERROR || fnap_flush(c) < 0)
			return FNAP_ERROR;
		left = left_until(end);
		if (left == 0 && filled && c->timeout_ms != 0)
			return FNAP_TIMEOUT;
		if ((r = lr_fill(c->lr, left)) <= 0)
			return r == 0 ? FNAP_TIMEOUT : FNAP_ERROR;
		filled = 1;
	}
}

struct line_reader *
fnap_conn_reader(struct fnap_conn *c, size_t max)
{
	lr_set_max(c->lr, max + 1);
	return c->lr;
}

int
fnap_fill(struct fnap_conn *c, int timeout_ms)
{
	int64_t end = end_of_wait(c, timeout_ms);

	if (fnap_flush(c) < 0)
		return -1;
	return lr_fill(c->lr, left_until(end));
}

int
fnap_peer_closed(struct fnap_conn *c)
{
	if (!lr_at_eof(c->lr) && lr_fill(c->lr, 0) < 0)
		return 1;
	return lr_at_eof(c->lr);
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
