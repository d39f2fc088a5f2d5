/* httpd_request: one HTTP request to flow-httpd, as libmicrohttpd hands
   it over (its access handler and completion callback): the path names a
   flow of the configuration, the method says what to do with it, the
   request is authorized (httpd_auth), then POST stores events
   (httpd_post) and GET streams the flow (httpd_sse); every answer is
   made here. A request's body is kept up to body-max; a longer one is
   read to its end (or until the request timeout) and answered 413. The
   site also knows since when a request has been under way, so that the
   caller can end a connection that takes longer than request-timeout
   (a stream of events, once answered, is exempt). */
#ifndef FLOW_HTTPD_REQUEST_H
#define FLOW_HTTPD_REQUEST_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#include "httpd_conf.h"

struct httpd_site {
	const struct httpd_conf *conf;
	char peer[64];            /* the client's address, for the log */
	pthread_mutex_t lock;     /* over busy_since: the caller's thread reads it */
	int64_t busy_since;       /* clock_ms() when the request began; 0: none */
};

void httpd_site_init(struct httpd_site *s, const struct httpd_conf *c, const char *peer);
/* clock_ms() when the request under way began, or 0. */
int64_t httpd_site_busy_since(struct httpd_site *s);

/* libmicrohttpd's MHD_AccessHandlerCallback and MHD_RequestCompletedCallback; cls is the site. */
enum MHD_Result httpd_request_handle(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload, size_t *upload_size, void **req_cls);
void httpd_request_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
    enum MHD_RequestTerminationCode toe);

#endif
