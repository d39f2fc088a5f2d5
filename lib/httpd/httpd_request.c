#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "httpd_auth.h"
#include "httpd_event.h"
#include "httpd_post.h"
#include "httpd_request.h"
#include "httpd_sse.h"
#include "util.h"

#define SSE_BLOCK 65536

/* One request, from its first call to its completion. */
struct request {
	char *body;
	size_t len, size;
	int too_large;        /* the body went past body-max: the rest is dropped */
	int answered;         /* answered before its body came (413 by Content-Length) */
};

void
httpd_site_init(struct httpd_site *s, const struct httpd_conf *c, const char *peer)
{
	memset(s, 0, sizeof *s);
	s->conf = c;
	snprintf(s->peer, sizeof s->peer, "%s", peer);
	pthread_mutex_init(&s->lock, NULL);
}

static void
set_busy(struct httpd_site *s, int64_t since)
{
	pthread_mutex_lock(&s->lock);
	s->busy_since = since;
	pthread_mutex_unlock(&s->lock);
}

int64_t
httpd_site_busy_since(struct httpd_site *s)
{
	int64_t since;

	pthread_mutex_lock(&s->lock);
	since = s->busy_since;
	pthread_mutex_unlock(&s->lock);
	return since;
}

/* Answer status with body (JSON) and, if name, one more header. */
static enum MHD_Result
answer(struct httpd_site *s, struct MHD_Connection *conn, int status, const char *body,
    const char *name, const char *value)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
	    MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ok;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	if (name)
		MHD_add_response_header(r, name, value);
	if (s->conf->allow_origin)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, s->conf->allow_origin);
	ok = MHD_queue_response(conn, (unsigned)status, r);
	MHD_destroy_response(r);
	return ok;
}

/* An error answer {"error":"why"}, told in the log. */
static enum MHD_Result
refuse(struct httpd_site *s, struct MHD_Connection *conn, const char *method, const char *url,
    int status, const char *why, const char *name, const char *value)
{
	char body[1024], *p = body;

	warnmsg("%s: %s %.128s: %d %s", s->peer, method, url, status, why);
	p += snprintf(body, sizeof body, "{\"error\":");
	if (6 * strlen(why) + 16 < sizeof body)
		p += json_quote(p, why, strlen(why));
	snprintf(p, sizeof body - (size_t)(p - body), "}");
	return answer(s, conn, status, body, name, value);
}

static const char *
header(struct MHD_Connection *conn, const char *name)
{
	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static void
credentials(struct MHD_Connection *conn, const struct request *rq, struct httpd_credentials *cr)
{
	cr->authorization = header(conn, MHD_HTTP_HEADER_AUTHORIZATION);
	cr->webhook_id = header(conn, "webhook-id");
	cr->webhook_timestamp = header(conn, "webhook-timestamp");
	cr->webhook_signature = header(conn, "webhook-signature");
	cr->body = rq->body ? rq->body : "";
	cr->bodylen = rq->len;
}

/* The ce-* headers, for a binary-mode event (one too many: the builder says so). */
struct ce_headers {
	struct httpd_header h[HTTPD_CE_HEADERS_MAX + 1];
	size_t n;
};

static enum MHD_Result
collect_ce(void *cls, enum MHD_ValueKind kind, const char *name, const char *value)
{
	struct ce_headers *ch = cls;

	(void)kind;
	if (strncasecmp(name, "ce-", 3) == 0 && ch->n <= HTTPD_CE_HEADERS_MAX) {
		ch->h[ch->n].name = name;
		ch->h[ch->n++].value = value ? value : "";
	}
	return MHD_YES;
}

static enum MHD_Result
post(struct httpd_site *s, struct MHD_Connection *conn, const struct httpd_flow *f, struct request *rq,
    const char *url)
{
	struct httpd_credentials cr = { 0 };
	struct ce_headers ch = { .n = 0 };
	struct httpd_post req;
	struct httpd_answer a;
	const char *why, *ctype = header(conn, MHD_HTTP_HEADER_CONTENT_TYPE);
	enum MHD_Result ok;

	if (rq->too_large)
		return refuse(s, conn, "POST", url, 413, "body larger than body-max", NULL, NULL);
	credentials(conn, rq, &cr);
	if (!httpd_authorize(f, HTTPD_WRITE, &cr, (int64_t)time(NULL), &why))
		return refuse(s, conn, "POST", url, 401, why, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    "Bearer realm=\"flow-httpd\"");
	MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_ce, &ch);
	req.mode = httpd_event_mode(ctype, header(conn, "ce-specversion") != NULL);
	if (req.mode == HTTPD_UNSUPPORTED)
		return refuse(s, conn, "POST", url, 415,
		    "expected application/cloudevents+json, application/cloudevents-batch+json or ce- headers",
		    NULL, NULL);
	req.headers = ch.h;
	req.nheaders = ch.n;
	req.content_type = ctype;
	req.body = rq->body ? rq->body : "";
	req.len = rq->len;
	httpd_post_store(s->conf, f, &req, &a);
	warnmsg("%s: POST %.128s: %d %s", s->peer, url, a.status, a.body);
	ok = a.status == 503 ? answer(s, conn, a.status, a.body, MHD_HTTP_HEADER_RETRY_AFTER, "5")
	                     : answer(s, conn, a.status, a.body, NULL, NULL);
	free(a.body);
	return ok;
}

static ssize_t
sse_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	ssize_t n = httpd_sse_read(cls, buf, max);

	(void)pos;
	return n < 0 ? MHD_CONTENT_READER_END_WITH_ERROR : n;
}

static void
sse_free(void *cls)
{
	httpd_sse_close(cls);
}

static enum MHD_Result
stream(struct httpd_site *s, struct MHD_Connection *conn, const struct httpd_flow *f, const char *url)
{
	struct httpd_credentials cr = { 0 };
	struct request none = { 0 };
	const char *accept = header(conn, MHD_HTTP_HEADER_ACCEPT), *why;
	struct MHD_Response *r;
	struct httpd_sse *sse;
	enum MHD_Result ok;
	int status;

	if (!accept || !strstr(accept, "text/event-stream"))
		return refuse(s, conn, "GET", url, 406, "a flow is served as text/event-stream only", NULL, NULL);
	credentials(conn, &none, &cr);
	if (!httpd_authorize(f, HTTPD_READ, &cr, (int64_t)time(NULL), &why))
		return refuse(s, conn, "GET", url, 401, why, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
		    "Bearer realm=\"flow-httpd\"");
	if (!(sse = httpd_sse_open(f, header(conn, "Last-Event-ID"),
	          MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "from"), (int)s->conf->keepalive,
	          &status, &why)))
		return refuse(s, conn, "GET", url, status, why, status == 503 ? MHD_HTTP_HEADER_RETRY_AFTER : NULL,
		    "5");
	if (!(r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, SSE_BLOCK, sse_reader, sse, sse_free))) {
		httpd_sse_close(sse);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	if (s->conf->allow_origin)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, s->conf->allow_origin);
	warnmsg("%s: GET %.128s: 200 stream", s->peer, url);
	set_busy(s, 0);  /* a stream lasts as long as the client wants */
	ok = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ok;
}

/* Keep a piece of the body, up to body-max. */
static void
take_body(const struct httpd_conf *c, struct request *rq, const char *upload, size_t n)
{
	if (rq->too_large || (int64_t)(rq->len + n) > c->body_max) {
		rq->too_large = 1;
		return;
	}
	if (rq->len + n > rq->size) {
		rq->size = rq->len + n > 2 * rq->size ? rq->len + n : 2 * rq->size;
		rq->body = xrealloc(rq->body, rq->size);
	}
	memcpy(rq->body + rq->len, upload, n);
	rq->len += n;
}

/* The first call: too large by its Content-Length is answered at once. */
static enum MHD_Result
begin(struct httpd_site *s, struct MHD_Connection *conn, const char *method, const char *url,
    void **req_cls)
{
	const char *length = header(conn, MHD_HTTP_HEADER_CONTENT_LENGTH);
	struct request *rq = xcalloc(1, sizeof *rq);
	int64_t n;

	*req_cls = rq;
	set_busy(s, clock_ms());
	if (length && (parse_int64(length, 0, INT64_MAX, &n) < 0 || n > s->conf->body_max)) {
		rq->answered = 1;
		return refuse(s, conn, method, url, 413, "body larger than body-max", NULL, NULL);
	}
	return MHD_YES;
}

enum MHD_Result
httpd_request_handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload, size_t *upload_size, void **req_cls)
{
	struct httpd_site *s = cls;
	struct request *rq = *req_cls;
	const struct httpd_flow *f;
	size_t namelen = strlen(url) - 1;

	(void)version;
	if (!rq)
		return begin(s, conn, method, url, req_cls);
	if (*upload_size) {
		if (!rq->answered)
			take_body(s->conf, rq, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (rq->answered)
		return MHD_YES;
	if (url[0] != '/' || !httpd_name_valid(url + 1, namelen) ||
	    !(f = httpd_conf_flow(s->conf, url + 1, namelen)))
		return refuse(s, conn, method, url, 404, "no such flow", NULL, NULL);
	if (strcmp(method, MHD_HTTP_METHOD_POST) == 0)
		return post(s, conn, f, rq, url);
	if (strcmp(method, MHD_HTTP_METHOD_GET) == 0)
		return stream(s, conn, f, url);
	return refuse(s, conn, method, url, 405, "a flow takes GET and POST", MHD_HTTP_HEADER_ALLOW, "GET, POST");
}

void
httpd_request_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct request *rq = *req_cls;

	(void)conn;
	(void)toe;
	set_busy(cls, 0);
	if (rq) {
		free(rq->body);
		free(rq);
		*req_cls = NULL;
	}
}
