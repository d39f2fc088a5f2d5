#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "ce.h"
#include "httpd_sse.h"
#include "util.h"

#define SSE_PENDING_MAX (CE_LINE_MAX + 64)   /* one event with its id and framing */

static const char keepalive_comment[] = ": keep-alive\n\n";

struct httpd_sse {
	struct consumer *c;
	int keepalive_ms;
	char *pending;        /* framed text not handed out yet */
	size_t off, len;
};

/* Where the stream starts: after Last-Event-ID, else at from, else the end. */
static int
start_of(const char *last_event_id, const char *from, struct offset_spec *o, const char **why)
{
	int64_t id;

	memset(o, 0, sizeof *o);
	if (last_event_id) {
		if (parse_int64(last_event_id, 0, INT64_MAX - 1, &id) < 0)
			return *why = "Last-Event-ID is not an offset", -1;
		o->kind = OFFSET_ABS;
		o->value = id + 1;
		return 0;
	}
	if (!from) {
		o->kind = OFFSET_END;
		return 0;
	}
	if (strlen(from) > 64 || strncmp(from, "stored", 6) == 0 || offset_parse(from, o) < 0)
		return *why = "from: expected beginning, end, N, -N or @TIME", -1;
	return 0;
}

struct httpd_sse *
httpd_sse_open(const struct httpd_flow *f, const char *last_event_id, const char *from,
    int keepalive_s, int *status, const char **why)
{
	struct broker_opts o;
	struct httpd_sse *s;
	int bstatus;

	memset(&o, 0, sizeof o);
	if (start_of(last_event_id, from, &o.start, why) < 0)
		return *status = 400, NULL;
	s = xcalloc(1, sizeof *s);
	if (!(s->c = consumer_open(f->url, &o, &bstatus))) {
		free(s);
		*why = "the flow's broker cannot be read";
		return *status = 503, NULL;
	}
	s->keepalive_ms = keepalive_s * 1000;
	s->pending = xmalloc(SSE_PENDING_MAX);
	/* a first comment: the client sees the stream open before any event */
	s->len = (size_t)snprintf(s->pending, SSE_PENDING_MAX, ": flow %s\n\n", f->name);
	return s;
}

/* The next event, framed, or a keep-alive comment, into pending; -1 at the end. */
static int
fill(struct httpd_sse *s)
{
	struct record rec;
	int r = s->c->ops->next(s->c, &rec, s->keepalive_ms);

	s->off = 0;
	if (r == 1 && rec.len < CE_LINE_MAX) {
		s->len = (size_t)snprintf(s->pending, SSE_PENDING_MAX, "id: %" PRId64 "\ndata: %.*s\n\n",
		    rec.offset, (int)rec.len, rec.line);
		return 0;
	}
	if (r == 0 && !stop_requested) {
		memcpy(s->pending, keepalive_comment, sizeof keepalive_comment - 1);
		s->len = sizeof keepalive_comment - 1;
		return 0;
	}
	return -1;
}

ssize_t
httpd_sse_read(struct httpd_sse *s, char *buf, size_t max)
{
	size_t n;

	if (s->off == s->len && fill(s) < 0)
		return -1;
	n = s->len - s->off < max ? s->len - s->off : max;
	memcpy(buf, s->pending + s->off, n);
	s->off += n;
	return (ssize_t)n;
}

void
httpd_sse_close(struct httpd_sse *s)
{
	if (!s)
		return;
	s->c->ops->close(s->c);
	free(s->pending);
	free(s);
}
