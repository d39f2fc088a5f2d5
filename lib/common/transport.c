#include "config.h"

#include <errno.h>
#include <poll.h>
#include <unistd.h>

#include "transport.h"
#include "util.h"

void
transport_plain(struct transport *t, int in, int out)
{
	t->in = in;
	t->out = out;
	t->tls = NULL;
	t->tls_read = NULL;
	t->tls_write = NULL;
	t->write_timeout_ms = -1;
	t->stop_on_signal = 0;
}

/* An interrupted call gives up: a stop signal came to a transport that
   stops on them. */
static int
stopped(const struct transport *t)
{
	return t->stop_on_signal && stop_requested;
}

ssize_t
transport_read(struct transport *t, void *p, size_t n, int timeout_ms)
{
	struct pollfd pfd = { .fd = t->in, .events = POLLIN };
	ssize_t r;

	if (t->tls) {
		r = t->tls_read(t->tls, p, n, timeout_ms);
		if (r == TLS_TIMEOUT)
			return TRANSPORT_TIMEOUT;
		if (r < 0)
			errno = EIO;
		return r < 0 ? -1 : r;
	}
	if (timeout_ms >= 0) {
		while ((r = poll(&pfd, 1, timeout_ms)) < 0)
			if (errno != EINTR || stopped(t))
				return -1;
		if (r == 0)
			return TRANSPORT_TIMEOUT;
	}
	while ((r = read(t->in, p, n)) < 0)
		if (errno != EINTR || stopped(t))
			return -1;
	return r;
}

ssize_t
transport_write(struct transport *t, const void *p, size_t n)
{
	int r;

	if (!t->tls)
		return write(t->out, p, n);
	if ((r = t->tls_write(t->tls, p, n, t->write_timeout_ms)) == 0)
		return n;
	errno = r == TLS_TIMEOUT ? EAGAIN : EIO;
	return -1;
}
