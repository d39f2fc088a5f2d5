#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "httpd_relay.h"
#include "util.h"

#define RELAY_BLOCK 16384

struct relay {
	struct tls *t;
	int in;        /* the client's connection, for poll */
	int plain;     /* our end of the socket pair */
	int idle_ms;
};

/* Everything TLS has decrypted so far, to the plaintext side; -1 at its end. */
static int
client_to_plain(struct relay *r, char *buf)
{
	ssize_t n;

	while ((n = tls_read(r->t, buf, RELAY_BLOCK, 0)) > 0)
		if (write_all(r->plain, buf, (size_t)n) < 0)
			return -1;
	return n == TLS_TIMEOUT ? 0 : -1;
}

static int
plain_to_client(struct relay *r, char *buf)
{
	ssize_t n = read(r->plain, buf, RELAY_BLOCK);

	if (n < 0 && errno == EINTR)
		return 0;
	if (n <= 0 || tls_write(r->t, buf, (size_t)n, r->idle_ms) != 0)
		return -1;
	return 0;
}

static void *
relay_run(void *arg)
{
	struct relay *r = arg;
	char *buf = xmalloc(RELAY_BLOCK);
	struct pollfd p[2] = { { r->in, POLLIN, 0 }, { r->plain, POLLIN, 0 } };

	/* the handshake may have brought the first request along already */
	if (client_to_plain(r, buf) == 0)
		for (;;) {
			if (poll(p, 2, -1) < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			if (p[0].revents && client_to_plain(r, buf) < 0)
				break;
			if (p[1].revents && plain_to_client(r, buf) < 0)
				break;
		}
	tls_close(r->t);
	close(r->plain);
	free(buf);
	free(r);
	return NULL;
}

int
httpd_relay_start(struct tls_ctx *x, int in, int out, int timeout_ms, int idle_ms, const char **why)
{
	struct relay *r;
	pthread_t th;
	int sp[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0)
		return *why = "socketpair failed", -1;
	r = xcalloc(1, sizeof *r);
	if (!(r->t = tls_accept(x, in, out, timeout_ms, why))) {
		close(sp[0]);
		close(sp[1]);
		free(r);
		return -1;
	}
	r->in = in;
	r->plain = sp[1];
	r->idle_ms = idle_ms;
	if (pthread_create(&th, NULL, relay_run, r) != 0) {
		tls_close(r->t);
		close(sp[0]);
		close(sp[1]);
		free(r);
		return *why = "cannot start the TLS relay", -1;
	}
	pthread_detach(th);
	return sp[0];
}
