/* httpd_serve: flow-httpd's one connection, inherited on stdin/stdout
   from tcpserver, inetd, s6-tcpserver or systemd (Accept=yes), served by
   libmicrohttpd (no listening socket: the connection is added to it)
   with HTTP/1.1 keep-alive, requests handled by httpd_request. With a
   certificate in the configuration the connection is TLS (OpenSSL,
   httpd_relay). Returns when the client closes, the idle timeout passes,
   a request takes longer than request-timeout, or a stop signal comes. */
#ifndef FLOW_HTTPD_SERVE_H
#define FLOW_HTTPD_SERVE_H

#include "httpd_conf.h"

/* Serve the connection on in (and out: the same socket); the exit status. */
int httpd_serve(const struct httpd_conf *c, int in, int out);

#endif
