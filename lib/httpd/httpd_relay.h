/* httpd_relay: TLS with OpenSSL (lib/common/tls) in front of
   libmicrohttpd, whose own TLS would be GnuTLS: the handshake on the
   connection flow-httpd inherited, then a thread carries the bytes between
   it and one end of a socket pair, whose other end libmicrohttpd serves as
   a plaintext connection. The relay ends when either side closes. */
#ifndef FLOW_HTTPD_RELAY_H
#define FLOW_HTTPD_RELAY_H

#include "tls.h"

/* Handshake as the server on in/out within timeout_ms, then relay in a
   thread of its own; the plaintext descriptor for libmicrohttpd, or -1
   with *why. idle_ms bounds a write the client does not read. */
int httpd_relay_start(struct tls_ctx *x, int in, int out, int timeout_ms, int idle_ms, const char **why);

#endif
