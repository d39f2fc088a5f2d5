/* STREAM and PUBLISH: a flow's events carried over FNAP, read from and
   written to the flow's own broker; a PUBLISH's audit line at its end
   tells where its events were stored (the producer's on_stored). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fnap_queue.h"
#include "fnap_session.h"
#include "publish.h"
#include "util.h"

#define IDLE_WAIT_MS 1000       /* how often an idle stream looks at its client */
#define ERRORS_KEPT 1000        /* PUBLISH: rejected lines told one by one */

/* The flow named arg that the session may read (write: change), its URL
   and the broker options to open it with: 0, or -1 after the reply. */
static int
open_args(struct session *s, const char *arg, int write, struct flow_meta *m,
    char url[QUEUE_URL_MAX], struct broker_opts *o)
{
	struct result r;

	if (session_find_flow(s, arg, write, m) < 0)
		return -1;
	if (!queue_open_args(s->conf, m, url, o, &r))
		return 0;
	session_reply(s, &r);
	return -1;
}

/* FROM's value: BEGINNING, END, N, -N (before the end) or @RFC3339. */
static int
from_arg(const char *w, struct offset_spec *o)
{
	if (strcasecmp(w, "BEGINNING") == 0)
		o->kind = OFFSET_BEGINNING;
	else if (strcasecmp(w, "END") == 0)
		o->kind = OFFSET_END;
	else if (offset_parse(w, o) < 0 || o->kind == OFFSET_BEGINNING || o->kind == OFFSET_END ||
	    o->kind == OFFSET_STORED)
		return -1;
	return 0;
}

static int
stream_args(char *args, struct broker_opts *o, int64_t *count)
{
	char *w, *v;

	while ((w = fnap_word(&args))) {
		v = fnap_word(&args);
		if (!v)
			return -1;
		if (strcasecmp(w, "FROM") == 0) {
			if (from_arg(v, &o->start) < 0)
				return -1;
		} else if (strcasecmp(w, "COUNT") == 0) {
			if (parse_int64(v, 1, INT64_MAX, count) < 0)
				return -1;
		} else if (strcasecmp(w, "TO") == 0 && strcasecmp(v, "END") == 0)
			o->stop_at_end = 1;
		else
			return -1;
	}
	return 0;
}

void
fnap_cmd_stream(struct session *s, char *args)
{
	struct broker_opts o;
	char url[QUEUE_URL_MAX], *name = fnap_word(&args);
	struct flow_meta m, now;
	struct consumer *cons;
	struct record rec;
	int64_t count = 0, n = 0;
	int status, r, unflushed = 0, done = 0, waited;

	if (open_args(s, name, 0, &m, url, &o) < 0)
		return;
	o.start.kind = OFFSET_END;
	if (stream_args(args, &o, &count) < 0) {
		session_usage(s);
		goto out;
	}
	if (!(cons = consumer_open(url, &o, &status))) {
		fnap_reply(s->c, REPLY_RETRY, "flow unavailable, retry");
		goto out;
	}
	fnap_reply(s->c, REPLY_OK, "DATA");
	while (!done) {
		waited = !unflushed;
		r = cons->ops->next(cons, &rec, waited ? IDLE_WAIT_MS : 0);
		if (r == 1) {
			unflushed = 1;
			if (fnap_body(s->c, rec.line, rec.len) < 0)
				done = s->quit = 1;
			else if (count && ++n == count) {
				fnap_reply(s->c, REPLY_OK, "OK");
				done = 1;
			}
		} else if (r == 0) {
			/* idle: what was read goes out now, and a client that left is noticed */
			unflushed = 0;
			if (fnap_flush(s->c) < 0 || fnap_peer_closed(s->c) || stop_requested)
				done = s->quit = 1;
			else if (waited && (flowstate_load(s->conf->state, m.flow, &now) < 0 ||
			    now.created_ns != m.created_ns)) {
				/* deleted (a subscription revoked): its readers are told */
				fnap_reply(s->c, REPLY_DENIED, TEXT_NO_FLOW);
				done = 1;
			}
		} else if (r == CONSUMER_END) {
			fnap_reply(s->c, REPLY_OK, "OK");
			done = 1;
		} else {
			fnap_reply(s->c, REPLY_RETRY, "flow unavailable");
			done = 1;
		}
	}
	cons->ops->close(cons);
out:
	broker_opts_free(&o);
}

/* PUBLISH's lines: the client's, up to its "." line; the rejected ones
   told back in 501 replies at the end. */
struct publish_conn {
	struct session *s;
	char (*why)[160];
	long rejected;
};

static int
conn_next(void *ctx, const char **line, size_t *len, const char **why)
{
	struct publish_conn *pc = ctx;
	char *l;
	int r = fnap_read_line(pc->s->c, pc->s->conf->event_max, &l, len);

	if (r == FNAP_LINE) {
		*line = l;
		return *len == 1 && l[0] == '.' ? PUBLISH_END : PUBLISH_LINE;
	}
	if (r == FNAP_EOF || r == FNAP_ERROR || r == FNAP_TIMEOUT) {
		/* without the final "." nothing says the client meant all of it: keep what came */
		pc->s->quit = 1;
		return PUBLISH_CUT;
	}
	*line = "";
	*len = 0;
	*why = r == FNAP_NUL ? "NUL byte" : "line too long";
	return r == FNAP_NUL ? PUBLISH_BAD : PUBLISH_LONG;
}

static void
conn_rejected(void *ctx, uint64_t lineno, const char *line, size_t len, int whole, const char *why)
{
	struct publish_conn *pc = ctx;

	(void)line, (void)len, (void)whole;
	if (pc->rejected < ERRORS_KEPT) {
		if (!pc->why)
			pc->why = xmalloc(ERRORS_KEPT * sizeof *pc->why);
		snprintf(pc->why[pc->rejected], sizeof pc->why[0], "line %ld: %s", (long)lineno, why);
	}
	pc->rejected++;
}

void
fnap_cmd_publish(struct session *s, char *args)
{
	static const struct publish_opts as_they_are = { 0 };
	struct broker_opts o;
	char url[QUEUE_URL_MAX], *name = fnap_word(&args);
	struct publish_conn pc = { .s = s };
	struct publish_source src = { .next = conn_next, .rejected = conn_rejected, .ctx = &pc, .drain = 1 };
	struct publish_stats st;
	struct audit_span stored = { 0 };
	struct flow_meta m;
	struct producer *p;
	long i;
	int status = 0;

	if (open_args(s, name, 1, &m, url, &o) < 0)
		return;
	if (fnap_word(&args)) {
		session_usage(s);
		goto out;
	}
	if (!(p = producer_open(url, &o, &status))) {
		fnap_reply(s->c, REPLY_RETRY, "flow unavailable, retry");
		audit_publish(s, m.flow, NULL, 0, REPLY_RETRY);
		goto out;
	}
	p->on_stored = audit_span_add;
	p->stored_ctx = &stored;
	fnap_reply(s->c, REPLY_OK, "OK send events");
	status = publish_pump(p, &as_they_are, &src, &st);
	p->ops->close(p);
	if (!s->quit) {
		for (i = 0; i < pc.rejected && i < ERRORS_KEPT; i++)
			fnap_reply(s->c, REPLY_USAGE, "%s", pc.why[i]);
		if (pc.rejected > ERRORS_KEPT)
			fnap_reply(s->c, REPLY_USAGE, "%ld more lines rejected", pc.rejected - ERRORS_KEPT);
		if (status)
			fnap_reply(s->c, REPLY_RETRY, "flow unavailable: %" PRIu64 " of the events stored, retry the rest",
			    st.published);
		else
			fnap_reply(s->c, REPLY_OK, "OK %" PRIu64 " events", st.published);
	}
	audit_publish(s, m.flow, &stored, st.published,
	    s->quit ? AUDIT_NO_REPLY : status ? REPLY_RETRY : REPLY_OK);
	free(pc.why);
out:
	broker_opts_free(&o);
}
