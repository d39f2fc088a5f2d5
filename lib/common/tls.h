/* tls: TLS 1.2 or later with OpenSSL over descriptors the program already
   has: the agent's side on the connection it inherited (fd 0 and 1, for
   STARTTLS or implicit TLS), and a client side that checks the server's
   certificate and name. Every wait is bounded by a timeout. */
#ifndef FLOW_TLS_H
#define FLOW_TLS_H

#include <sys/types.h>

struct tls_ctx;
struct tls;

enum { TLS_EOF = 0, TLS_ERROR = -1, TLS_TIMEOUT = -2 };

/* A server context with a certificate chain and its key (PEM files); NULL
   with *why. */
struct tls_ctx *tls_server_ctx(const char *cert, const char *key, const char **why);
/* A client context that trusts cafile (PEM), or the system's CAs when NULL. */
struct tls_ctx *tls_client_ctx(const char *cafile, const char **why);
void tls_ctx_free(struct tls_ctx *x);

/* The handshake, within timeout_ms: as the server on in/out (the same
   socket twice, usually), or as a client on fd, checking the certificate
   against host. The descriptors are made non-blocking. NULL with *why. */
struct tls *tls_accept(struct tls_ctx *x, int in, int out, int timeout_ms, const char **why);
struct tls *tls_connect(struct tls_ctx *x, int fd, const char *host, int timeout_ms,
    const char **why);

/* Up to n bytes: their number, TLS_EOF, TLS_ERROR, or TLS_TIMEOUT when
   nothing came within timeout_ms (0: do not wait; -1: wait forever). */
ssize_t tls_read(struct tls *t, void *p, size_t n, int timeout_ms);
/* All n bytes of p: 0, TLS_ERROR, or TLS_TIMEOUT if the peer stopped reading. */
int tls_write(struct tls *t, const void *p, size_t n, int timeout_ms);
/* Send close_notify (without waiting for the peer's) and free t; the
   descriptors stay open. */
void tls_close(struct tls *t);

#endif
