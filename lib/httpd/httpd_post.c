#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "ce.h"
#include "httpd_post.h"
#include "util.h"

/* One POST on its way to the broker. */
struct store {
	const struct httpd_flow *flow;
	struct producer *p;
	int broken;            /* the broker could not be opened or refused */
	size_t stored;
	FILE *rejected;        /* the "rejected" array being written */
	char *rejected_text;
	size_t rejected_len;
	size_t nrejected;
};

static void
reject(struct store *s, size_t index, const char *reason)
{
	fprintf(s->rejected, "%s{\"index\":%zu,\"reason\":", s->nrejected ? "," : "", index);
	json_write_string(s->rejected, reason);
	fputc('}', s->rejected);
	s->nrejected++;
}

/* Validate line (the index-th event) and send it. */
static void
store_line(struct store *s, size_t index, const char *line, size_t len)
{
	struct ce_event ev;
	struct ce_error err;
	int status;

	if (ce_parse(&ev, line, len, 0, &err) < 0) {
		reject(s, index, err.msg);
		return;
	}
	if (s->broken)
		return;
	if (!s->p) {
		struct broker_opts o;
		memset(&o, 0, sizeof o);
		if (!(s->p = producer_open(s->flow->url, &o, &status))) {
			s->broken = 1;
			return;
		}
	}
	if (s->p->ops->send(s->p, line, len, &ev) != 0)
		s->broken = 1;
	else
		s->stored++;
}

/* Each element of a batch: 413 (0 stored) when there are too many. */
static int
store_batch(const struct httpd_conf *c, struct store *s, const char *body, size_t len)
{
	struct httpd_batch b;
	struct json_span e;
	const char *why;
	char *line;
	size_t i, n = 0;

	if (httpd_batch_open(&b, body, len, &why) < 0) {
		reject(s, 0, why);
		return 0;
	}
	while (httpd_batch_next(&b, &e))
		n++;
	if ((int64_t)n > c->batch_max)
		return -1;
	httpd_batch_open(&b, body, len, &why);
	for (i = 0; httpd_batch_next(&b, &e); i++) {
		if (e.type != JSON_OBJECT) {
			reject(s, i, "not a JSON object");
			continue;
		}
		line = xmalloc(e.len + 1);
		store_line(s, i, line, json_compact(line, &e));
		free(line);
	}
	return 0;
}

/* The one event of a structured or binary request. */
static void
store_single(struct store *s, const struct httpd_post *req)
{
	const char *why;
	size_t size = CE_LINE_MAX + 1;
	char *line = xmalloc(req->mode == HTTPD_BINARY ? size : req->len + 1);
	long n;

	if (req->mode == HTTPD_BINARY)
		n = httpd_binary_event(req->headers, req->nheaders, req->content_type, req->body, req->len,
		    line, size, &why);
	else
		n = httpd_structured_event(req->body, req->len, line, &why);
	if (n < 0)
		reject(s, 0, why);
	else
		store_line(s, 0, line, (size_t)n);
	free(line);
}

/* Flush what was sent; 0 once all of it is durable. */
static int
flush(struct store *s)
{
	int status;

	if (!s->p)
		return s->broken ? -1 : 0;
	status = s->p->ops->flush(s->p);
	if (status != 0 || s->p->failed)
		s->broken = 1;
	s->p->ops->close(s->p);
	s->p = NULL;
	return s->broken ? -1 : 0;
}

static char *
printed(const char *fmt, size_t a, const char *rest)
{
	size_t n = (size_t)snprintf(NULL, 0, fmt, a, rest) + 1;
	char *out = xmalloc(n);

	snprintf(out, n, fmt, a, rest);
	return out;
}

void
httpd_post_store(const struct httpd_conf *c, const struct httpd_flow *f,
    const struct httpd_post *req, struct httpd_answer *a)
{
	struct store s;
	int too_many = 0;

	memset(&s, 0, sizeof s);
	s.flow = f;
	if (!(s.rejected = open_memstream(&s.rejected_text, &s.rejected_len)))
		die(EX_FLOW_SOFTWARE, "out of memory");
	if (req->mode == HTTPD_BATCH)
		too_many = store_batch(c, &s, req->body, req->len) < 0;
	else
		store_single(&s, req);
	fclose(s.rejected);
	if (too_many) {
		a->status = 413;
		a->body = printed("{\"stored\":0,\"reason\":\"more than %zu events in a batch%s\"}",
		    (size_t)c->batch_max, "");
	} else if (flush(&s) < 0) {
		a->status = 503;
		a->body = printed("{\"stored\":%zu,\"reason\":\"%s\"}", 0, "the flow's broker did not take the events");
	} else if (s.nrejected) {
		a->status = 400;
		a->body = printed("{\"stored\":%zu,\"rejected\":[%s]}", s.stored, s.rejected_text);
	} else {
		a->status = 202;
		a->body = printed("{\"stored\":%zu%s}", s.stored, "");
	}
	free(s.rejected_text);
}
