#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_fnap.h"
#include "ce.h"
#include "fnap_client.h"
#include "rfc3339.h"
#include "util.h"

/* A PUBLISH is ended (and its answer read) at the latest after this much:
   the lines of a batch are kept until then, to report those not stored. */
#define BATCH_BYTES (4 * 1024 * 1024)

static struct fnap_client *
session(const struct flow_url *u, int *status)
{
	const char *user = getenv("FNAP_USER"), *ca = getenv("FNAP_CA");
	struct fnap_client *cl;

	cl = fnap_client_open(u->hosts, u->tls, ca && *ca ? ca : NULL, status);
	if (cl && fnap_client_auth(cl, user && *user ? user : NULL, getenv("FNAP_PASSWORD"), status) < 0) {
		fnap_client_close(cl);
		cl = NULL;
	}
	return cl;
}

/* -- producing -- */

struct fnap_producer {
	struct producer base;
	struct fnap_client *cl;
	char flow[DNSNAME_MAX + 1];
	int in_batch;
	char *kept;          /* the batch's lines, each with its newline */
	size_t len, cap;
	long *rejected;      /* line numbers (from 1) the agent rejected, ascending */
	long nlines, nrejected;
	int status;          /* once the connection failed, every send fails */
};

static int
start_batch(struct fnap_producer *p)
{
	const char *text;
	int code = fnap_client_command(p->cl, &text, "PUBLISH %s", p->flow);

	if (code == 220) {
		p->in_batch = 1;
		return 0;
	}
	if (code < 0)
		warnmsg("%s: PUBLISH %s: %s", p->cl->host, p->flow, p->cl->why);
	else
		warnmsg("%s: PUBLISH %s: %d %s", p->cl->host, p->flow, code, text);
	return p->status = fnap_client_status(code);
}

/* Tell on_fail of line number n of the batch (1-based). */
static void
fail_line(struct fnap_producer *p, long n, const char *reason)
{
	const char *s = p->kept, *nl;
	long i;

	for (i = 1; i < n && (nl = memchr(s, '\n', p->kept + p->len - s)); i++)
		s = nl + 1;
	if (i != n || s >= p->kept + p->len)
		return;
	nl = memchr(s, '\n', p->kept + p->len - s);
	p->base.failed++;
	if (p->base.on_fail)
		p->base.on_fail(p->base.fail_ctx, s, nl - s, reason);
}

/* Every line of the batch the agent did not reject one by one has failed. */
static void
fail_rest(struct fnap_producer *p, const char *reason)
{
	long n, r = 0;

	for (n = 1; n <= p->nlines; n++) {
		while (r < p->nrejected && p->rejected[r] < n)
			r++;
		if (r == p->nrejected || p->rejected[r] != n)
			fail_line(p, n, reason);
	}
}

/* The agent's verdict on one rejected line, "line N: reason". */
static void
line_rejected(struct fnap_producer *p, const char *text)
{
	char *end;
	long n;

	if (strncmp(text, "line ", 5) != 0 || (n = strtol(text + 5, &end, 10)) < 1 ||
	    n > p->nlines || strncmp(end, ": ", 2) != 0) {
		warnmsg("%s: PUBLISH %s: %s", p->cl->host, p->flow, text);
		return;
	}
	if (!p->rejected)
		p->rejected = xmalloc(p->nlines * sizeof *p->rejected);
	if (p->nrejected < p->nlines)
		p->rejected[p->nrejected++] = n;
	fail_line(p, n, end + 2);
}

/* End the PUBLISH with "." and read the answer. 0, or an exit status. */
static int
end_batch(struct fnap_producer *p)
{
	const char *text;
	int code;

	if (!p->in_batch)
		return p->status;
	p->in_batch = 0;
	code = fnap_client_command(p->cl, &text, ".");
	while (code == 501) {
		line_rejected(p, text);
		code = fnap_client_reply(p->cl, &text);
	}
	if (code != 220) {
		if (code < 0)
			warnmsg("%s: PUBLISH %s: %s", p->cl->host, p->flow, p->cl->why);
		else
			warnmsg("%s: PUBLISH %s: %d %s", p->cl->host, p->flow, code, text);
		fail_rest(p, code < 0 ? "the connection to the agent ended" : "the agent did not store it");
		p->status = code < 0 ? EX_FLOW_UNAVAILABLE : fnap_client_status(code);
	}
	p->len = 0;
	p->nlines = p->nrejected = 0;
	free(p->rejected);
	p->rejected = NULL;
	return p->status;
}

static int
fnap_send_event(struct producer *base, const char *line, size_t len, const struct ce_event *ev)
{
	struct fnap_producer *p = (struct fnap_producer *)base;

	(void)ev;
	if (p->status || (!p->in_batch && start_batch(p) != 0)) {
		/* the agent takes nothing more: this line is reported, not dropped */
		p->base.failed++;
		p->base.fail_tag = p->base.tag;
		if (p->base.on_fail)
			p->base.on_fail(p->base.fail_ctx, line, len, "the agent refused PUBLISH");
		p->base.fail_tag = 0;
		return p->status;
	}
	if (p->len + len + 1 > p->cap) {
		p->cap = p->len + len + 1 + BATCH_BYTES / 4;
		p->kept = xrealloc(p->kept, p->cap);
	}
	memcpy(p->kept + p->len, line, len);
	p->kept[p->len + len] = '\n';
	p->len += len + 1;
	p->nlines++;
	/* a failed write shows in the answer (there is none): end_batch tells */
	fnap_body(p->cl->c, line, len);
	if (p->len >= BATCH_BYTES)
		return end_batch(p);
	return 0;
}

static int
fnap_flush_events(struct producer *base)
{
	return end_batch((struct fnap_producer *)base);
}

static void
fnap_close_producer(struct producer *base)
{
	struct fnap_producer *p = (struct fnap_producer *)base;
	const char *text;

	if (end_batch(p) == 0)
		fnap_client_command(p->cl, &text, "QUIT");
	fnap_client_close(p->cl);
	free(p->kept);
	free(p);
}

static const struct producer_ops fnap_producer_ops = {
	fnap_send_event, fnap_flush_events, fnap_flush_events, producer_mark_by_flush, producer_settled_at_once,
	fnap_close_producer,
};

struct producer *
fnap_producer_open(const struct flow_url *u, const struct broker_opts *o, int *status)
{
	struct fnap_producer *p = xcalloc(1, sizeof *p);

	p->base.ops = &fnap_producer_ops;
	snprintf(p->flow, sizeof p->flow, "%s", u->name);
	/* PUBLISH at once: a flow that cannot be written fails here, not later */
	if (!(p->cl = session(u, status)) || (*status = start_batch(p)) != 0) {
		fnap_client_close(p->cl);
		free(p);
		return NULL;
	}
	return &p->base;
}

/* -- consuming -- */

struct fnap_consumer {
	struct consumer base;
	struct fnap_client *cl;
	char flow[DNSNAME_MAX + 1];
	long lines;             /* of the stream so far */
	char *line;             /* the record last returned, in the connection's buffer */
	struct ce_event ev;     /* and parsed */
	size_t len;
	int unread;
	int64_t offset;         /* of the next record, when known; else -1 */
};

/* The agent of another organisation is trusted no more than a Kafka
   producer: a line that is not an event is said, kept (on_reject) and
   passed over. */
static int
fnap_next(struct consumer *base, struct record *rec, int timeout_ms)
{
	struct fnap_consumer *c = (struct fnap_consumer *)base;
	struct ce_error err;
	const char *text;
	int r, code;

	while (!c->unread) {
		fnap_conn_set_timeout(c->cl->c, timeout_ms);
		r = fnap_read_line(c->cl->c, CE_LINE_MAX, &c->line, &c->len);
		if (r == FNAP_TIMEOUT || (r == FNAP_ERROR && stop_requested))
			return 0;
		if (r != FNAP_LINE) {
			warnmsg("%s: %s", c->cl->host, r == FNAP_TOO_LONG || r == FNAP_NUL ?
			    "a line from the agent is not an event" : "the agent ended the stream");
			base->status = EX_FLOW_UNAVAILABLE;
			return CONSUMER_ERROR;
		}
		if ((code = fnap_reply_code(c->line, &text)) == 220)
			return CONSUMER_END;
		if (code > 0) {
			warnmsg("%s: STREAM %s: %d %s", c->cl->host, c->flow, code, text);
			base->status = fnap_client_status(code);
			return CONSUMER_ERROR;
		}
		if (c->offset >= 0)
			c->offset++;
		c->lines++;
		if (ce_parse(&c->ev, c->line, c->len, 0, &err) == 0)
			break;
		warnmsg("%s: STREAM %s: line %ld: not an event: %s", c->cl->host, c->flow, c->lines, err.msg);
		base->rejected++;
		if (base->on_reject)
			base->on_reject(base->reject_ctx, c->line, c->len, err.msg);
	}
	c->unread = 0;
	rec->line = c->line;
	rec->len = c->len;
	rec->ev = &c->ev;
	rec->offset = c->offset >= 0 ? c->offset - 1 : -1;
	rec->partition = 0;
	return 1;
}

/* The agent keeps no offsets for its clients: nothing to store. */
static void
fnap_position(struct consumer *base, struct position *pos)
{
	(void)base;
	pos->next = NULL;
	pos->n = 0;
}

static int
fnap_commit(struct consumer *base, const struct position *pos)
{
	(void)base, (void)pos;
	return 0;
}

static void
fnap_unread(struct consumer *base)
{
	((struct fnap_consumer *)base)->unread = 1;
}

static void
fnap_close_consumer(struct consumer *base)
{
	struct fnap_consumer *c = (struct fnap_consumer *)base;

	fnap_client_close(c->cl);
	free(c);
}

static const struct consumer_ops fnap_consumer_ops = {
	fnap_next, fnap_position, fnap_commit, fnap_close_consumer, fnap_unread,
};

/* STREAM's FROM for where the consumer starts; the first offset, or -1. */
static int64_t
from_text(const struct offset_spec *s, char *out, size_t size)
{
	char t[RFC3339_MAX];

	switch (s->kind) {
	case OFFSET_ABS:
		snprintf(out, size, "%lld", (long long)s->value);
		return s->value;
	case OFFSET_FROM_END:
		snprintf(out, size, "-%lld", (long long)s->value);
		return -1;
	case OFFSET_TIME:
		rfc3339_format(s->value, t);
		snprintf(out, size, "@%s", t);
		return -1;
	case OFFSET_BEGINNING:
	case OFFSET_STORED:     /* nothing stored: from the beginning */
		snprintf(out, size, "BEGINNING");
		return 0;
	default:
		snprintf(out, size, "END");
		return -1;
	}
}

struct consumer *
fnap_consumer_open(const struct flow_url *u, const struct broker_opts *o, int *status)
{
	struct fnap_consumer *c;
	char from[64];
	const char *text;
	int code;

	if (o->group) {
		warnmsg("%s: the agent keeps no consumer group offsets: no -g with fnap://", u->name);
		*status = EX_FLOW_USAGE;
		return NULL;
	}
	c = xcalloc(1, sizeof *c);
	c->base.ops = &fnap_consumer_ops;
	snprintf(c->flow, sizeof c->flow, "%s", u->name);
	c->offset = from_text(&o->start, from, sizeof from);
	if (!(c->cl = session(u, status))) {
		free(c);
		return NULL;
	}
	code = fnap_client_command(c->cl, &text, "STREAM %s FROM %s%s", u->name, from,
	    o->stop_at_end ? " TO END" : "");
	if (code != 220 || !fnap_client_is_data(text)) {
		if (code < 0)
			warnmsg("%s: STREAM %s: %s", c->cl->host, u->name, c->cl->why);
		else if (code == 220)
			warnmsg("%s: STREAM %s: the agent answered 220 %s, not a DATA block", c->cl->host,
			    u->name, text);
		else
			warnmsg("%s: STREAM %s: %d %s", c->cl->host, u->name, code, text);
		*status = code == 220 ? EX_FLOW_UNAVAILABLE : fnap_client_status(code);
		fnap_close_consumer(&c->base);
		return NULL;
	}
	return &c->base;
}
