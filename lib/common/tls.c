#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "tls.h"
#include "util.h"

#define READ_AHEAD_BYTES (64 * 1024)

struct tls_ctx {
	SSL_CTX *ctx;
};

struct tls {
	SSL *ssl;
	int in, out;
};

/* OpenSSL's reason for the last failure (its error queue emptied), or what
   the caller says when the queue is empty. */
static const char *
ssl_why(const char *otherwise)
{
	static _Thread_local char buf[256];
	unsigned long e = ERR_get_error();

	if (!e)
		return otherwise;
	ERR_error_string_n(e, buf, sizeof buf);
	ERR_clear_error();
	return buf;
}

static struct tls_ctx *
new_ctx(const SSL_METHOD *method, const char **why)
{
	struct tls_ctx *x;
	SSL_CTX *ctx;

	if (!(ctx = SSL_CTX_new(method)) || !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION)) {
		*why = ssl_why("cannot make a TLS context");
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* writes may be retried from another buffer position after a timeout */
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
	/* records read several at once: without it each costs two reads, its
	   header and its body (a STREAM's many records, twice the syscalls);
	   what is read ahead is returned by SSL_read before any wait (tls_read
	   and wait_for look at the descriptor only after WANT_READ) */
	SSL_CTX_set_read_ahead(ctx, 1);
	SSL_CTX_set_default_read_buffer_len(ctx, READ_AHEAD_BYTES);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
	/* a peer that closes without close_notify has ended, not failed */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
	x = xmalloc(sizeof *x);
	x->ctx = ctx;
	return x;
}

struct tls_ctx *
tls_server_ctx(const char *cert, const char *key, const char **why)
{
	struct tls_ctx *x = new_ctx(TLS_server_method(), why);

	if (!x)
		return NULL;
	if (SSL_CTX_use_certificate_chain_file(x->ctx, cert) != 1) {
		*why = ssl_why("cannot load the certificate");
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(x->ctx, key, SSL_FILETYPE_PEM) != 1) {
		*why = ssl_why("cannot load the key");
		goto fail;
	}
	if (SSL_CTX_check_private_key(x->ctx) != 1) {
		*why = ssl_why("the key does not match the certificate");
		goto fail;
	}
	return x;
fail:
	tls_ctx_free(x);
	return NULL;
}

struct tls_ctx *
tls_client_ctx(const char *cafile, const char **why)
{
	struct tls_ctx *x = new_ctx(TLS_client_method(), why);

	if (!x)
		return NULL;
	if ((cafile ? SSL_CTX_load_verify_locations(x->ctx, cafile, NULL) :
	    SSL_CTX_set_default_verify_paths(x->ctx)) != 1) {
		*why = ssl_why("cannot load the trusted certificates");
		tls_ctx_free(x);
		return NULL;
	}
	SSL_CTX_set_verify(x->ctx, SSL_VERIFY_PEER, NULL);
	return x;
}

void
tls_ctx_free(struct tls_ctx *x)
{
	if (x) {
		SSL_CTX_free(x->ctx);
		free(x);
	}
}

static void
nonblocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Wait for what OpenSSL asked (err is SSL_get_error's answer) until the
   deadline (a clock_ms() value; -1: none). 0 ready; TLS_TIMEOUT; TLS_ERROR. */
static int
wait_for(struct tls *t, int err, int64_t deadline)
{
	struct pollfd p;
	int64_t left;
	int r;

	if (err == SSL_ERROR_WANT_READ)
		p = (struct pollfd){ .fd = t->in, .events = POLLIN };
	else if (err == SSL_ERROR_WANT_WRITE)
		p = (struct pollfd){ .fd = t->out, .events = POLLOUT };
	else {
		/* a syscall's failure keeps its errno; the protocol's gets one */
		if (err != SSL_ERROR_SYSCALL)
			errno = EPROTO;
		return TLS_ERROR;
	}
	for (;;) {
		left = deadline < 0 ? -1 : deadline - clock_ms();
		if (deadline >= 0 && left < 0)
			left = 0;
		r = poll(&p, 1, left > 86400000 ? 86400000 : (int)left);
		if (r > 0)
			return 0;
		if (r == 0 && deadline >= 0 && clock_ms() >= deadline)
			return TLS_TIMEOUT;
		if (r < 0 && errno != EINTR)
			return TLS_ERROR;
		if (r < 0 && stop_requested)
			return TLS_ERROR;
	}
}

static int64_t
deadline_of(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : clock_ms() + timeout_ms;
}

static struct tls *
handshake(struct tls_ctx *x, int in, int out, const char *host, int timeout_ms, const char **why)
{
	int64_t deadline = deadline_of(timeout_ms);
	struct tls *t = xcalloc(1, sizeof *t);
	int r, err;

	t->in = in;
	t->out = out;
	if (!(t->ssl = SSL_new(x->ctx)) || !SSL_set_rfd(t->ssl, in) || !SSL_set_wfd(t->ssl, out)) {
		*why = ssl_why("cannot start TLS");
		goto fail;
	}
	if (host && (!SSL_set_tlsext_host_name(t->ssl, host) || !SSL_set1_host(t->ssl, host))) {
		*why = ssl_why("cannot set the server name");
		goto fail;
	}
	nonblocking(in);
	if (out != in)
		nonblocking(out);
	ERR_clear_error();
	while ((r = host ? SSL_connect(t->ssl) : SSL_accept(t->ssl)) != 1) {
		err = SSL_get_error(t->ssl, r);
		if ((r = wait_for(t, err, deadline)) == 0)
			continue;
		if (r == TLS_TIMEOUT)
			*why = "TLS handshake timed out";
		else if (host && SSL_get_verify_result(t->ssl) != X509_V_OK)
			*why = X509_verify_cert_error_string(SSL_get_verify_result(t->ssl));
		else
			*why = ssl_why(err == SSL_ERROR_SYSCALL || err == SSL_ERROR_ZERO_RETURN ?
			    "the peer closed the connection" : "TLS handshake failed");
		goto fail;
	}
	return t;
fail:
	SSL_free(t->ssl);
	free(t);
	return NULL;
}

struct tls *
tls_accept(struct tls_ctx *x, int in, int out, int timeout_ms, const char **why)
{
	return handshake(x, in, out, NULL, timeout_ms, why);
}

struct tls *
tls_connect(struct tls_ctx *x, int fd, const char *host, int timeout_ms, const char **why)
{
	return handshake(x, fd, fd, host, timeout_ms, why);
}

ssize_t
tls_read(struct tls *t, void *p, size_t n, int timeout_ms)
{
	int64_t deadline = deadline_of(timeout_ms);
	size_t got;
	int r, err;

	for (;;) {
		ERR_clear_error();
		if (SSL_read_ex(t->ssl, p, n, &got) == 1)
			return (ssize_t)got;
		err = SSL_get_error(t->ssl, 0);
		if (err == SSL_ERROR_ZERO_RETURN)
			return TLS_EOF;
		if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
			return TLS_EOF;  /* closed without close_notify */
		if (timeout_ms == 0 && err == SSL_ERROR_WANT_READ)
			return TLS_TIMEOUT;
		if ((r = wait_for(t, err, deadline)) != 0)
			return r;
	}
}

int
tls_write(struct tls *t, const void *p, size_t n, int timeout_ms)
{
	int64_t deadline = deadline_of(timeout_ms);
	size_t done;
	int r, err;

	while (n > 0) {
		ERR_clear_error();
		if (SSL_write_ex(t->ssl, p, n, &done) == 1) {
			p = (const char *)p + done;
			n -= done;
			continue;
		}
		err = SSL_get_error(t->ssl, 0);
		if ((r = wait_for(t, err, deadline)) != 0)
			return r;
	}
	return 0;
}

void
tls_close(struct tls *t)
{
	if (t) {
		/* one try: a peer that stopped reading must not hold us */
		SSL_shutdown(t->ssl);
		SSL_free(t->ssl);
		free(t);
	}
}
