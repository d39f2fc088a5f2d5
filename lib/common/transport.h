/* transport: the bytes under the line reader (lines.c) and the writer
   (out.c): a pair of plain descriptors (a pipe, a file, a socket), or TLS
   over them (tls.c) once a handshake made one. Reads wait a bounded time
   when asked, writes of TLS within write_timeout_ms (a plain socket gets
   its own send timeout). A transport that stops on signals gives up an
   interrupted wait or read once a stop signal came (stop_requested);
   otherwise interrupted calls are retried. */
#ifndef FLOW_TRANSPORT_H
#define FLOW_TRANSPORT_H

#include <sys/types.h>

#include "tls.h"

struct transport {
	int in, out;
	/* TLS over them, set by whoever made the handshake (so that a program
	   without TLS does not link OpenSSL for its line reader): tls.c's
	   tls_read and tls_write on tls, or NULL when plain */
	struct tls *tls;
	ssize_t (*tls_read)(struct tls *, void *, size_t, int timeout_ms);
	int (*tls_write)(struct tls *, const void *, size_t, int timeout_ms);
	int write_timeout_ms;     /* of TLS writes; -1: none */
	int stop_on_signal;
};

enum { TRANSPORT_TIMEOUT = -2 };

/* Plain descriptors, no timeouts, retrying interrupted calls. */
void transport_plain(struct transport *t, int in, int out);

/* Up to n bytes: their number, 0 at the end, -1 on an error (errno), or
   TRANSPORT_TIMEOUT when nothing came within timeout_ms (0: only what is
   there; -1: block without a timeout). */
ssize_t transport_read(struct transport *t, void *p, size_t n, int timeout_ms);
/* Some of p[0..n): the number written (for TLS all n), or -1 (errno; EIO
   for a TLS failure, EAGAIN when a TLS peer stopped reading). */
ssize_t transport_write(struct transport *t, const void *p, size_t n);

#endif
