/* The fnap:// consumer: STREAM from the flow's agent. With a consumer
   group the agent keeps the position: the consumer tells it in ACK lines
   how many events of the stream are done (its commits), and when the
   connection is lost it reconnects, with a backoff of 1 s doubling to
   60 s, jittered, and resumes from the group's position. What the agent
   sends again of what was handed out before (its position may lag the
   last ACK sent) is passed over by (source, id). The stream's lines are
   checked on a pool of threads (linepool over the connection's reader),
   read and handed out in order on the caller's: the connection, TLS
   included, is used by one thread only. */
#include "config.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "broker_fnap.h"
#include "ce.h"
#include "dedupe.h"
#include "linepool.h"
#include "rfc3339.h"
#include "util.h"

#define GEN_SHIFT 40                /* a group's offsets: connection << 40 | event */
#define EVENT_MASK ((1ULL << GEN_SHIFT) - 1)
#define SEEN_KEPT 262144            /* as many as the agent lets go unacknowledged */
#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 60000
#define QUIT_WAIT_MS 5000           /* for the agent to answer the last ACK and QUIT */

struct fnap_consumer {
	struct consumer base;
	struct flow_url u;             /* the agent and flow, kept for reconnecting */
	struct fnap_client *cl;        /* NULL while cut off */
	char from[72];                 /* STREAM's FROM */
	int to_end;
	struct linepool_opts po;
	struct linepool *pool;         /* the connection's lines, checked */
	long lines;                    /* of the stream so far */
	const char *line;              /* the record last returned, in the pool's batch */
	size_t len;
	struct lp_line last;           /* and as the pool gave it */
	int unread;
	int64_t offset;                /* no group: of the next record, when known; else -1 */
	/* with a group */
	char *group;
	uint64_t gen;                  /* connections so far */
	uint64_t received, acked;      /* events read on this connection; told done in ACK */
	_Atomic uint64_t done;         /* what a commit said is done (reader thread sends it) */
	struct dedupe *seen;
	int64_t retry_at;              /* cut off: when to try again */
	int backoff_ms;
};

/* Where an event's source and id stand in its line (a group's
   consumer passes over what the agent sends again by them). */
struct place {
	uint32_t source, source_len, id, id_len;
};

struct check_work {
	struct ce_event ev;
	struct place at;
};

/* The pool's look at one line of the stream, on one of its threads: a
   reply of the agent (LP_STOP: the reading side reads it), an event
   (LP_PASS, with its place for a group's consumer), or not an event
   (LP_REJECT, why). */
static int
check_line(void *ctx, void *work, const char *line, size_t len, const char **out, size_t *outlen,
    char *why, size_t whysize)
{
	const struct fnap_consumer *c = ctx;
	struct check_work *w = work;
	const struct json_span *src, *id;
	struct ce_error err;
	char head[5] = "";
	const char *text;

	*out = line;
	*outlen = len;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len > 0 && line[0] >= '1' && line[0] <= '5') {
		memcpy(head, line, len < 4 ? len : 4);
		if (fnap_reply_code(head, &text) > 0)
			return LP_STOP;
	}
	if (ce_parse(&w->ev, line, len, 0, &err) < 0) {
		snprintf(why, whysize, "%s", err.msg);
		return LP_REJECT;
	}
	if (c->group && (src = ce_get(&w->ev, "source", 6)) && (id = ce_get(&w->ev, "id", 2))) {
		w->at = (struct place){ (uint32_t)(src->p - line), (uint32_t)src->len,
			(uint32_t)(id->p - line), (uint32_t)id->len };
		*out = (const char *)&w->at;
		*outlen = sizeof w->at;
	}
	return LP_PASS;
}

/* STREAM's FROM for where the consumer starts; the first offset, or -1. */
static int64_t
from_text(const struct offset_spec *s, char *out, size_t size)
{
	char t[RFC3339_MAX];
	const char *pre = s->resume ? "STORED:" : "";

	switch (s->kind) {
	case OFFSET_ABS:
		snprintf(out, size, "%s%lld", pre, (long long)s->value);
		return s->resume ? -1 : s->value;
	case OFFSET_FROM_END:
		snprintf(out, size, "%s-%lld", pre, (long long)s->value);
		return -1;
	case OFFSET_TIME:
		rfc3339_format(s->value, t);
		snprintf(out, size, "%s@%s", pre, t);
		return -1;
	case OFFSET_BEGINNING:
		snprintf(out, size, "%sBEGINNING", pre);
		return s->resume ? -1 : 0;
	case OFFSET_STORED:
		snprintf(out, size, "STORED");
		return -1;
	default:
		snprintf(out, size, "%sEND", pre);
		return -1;
	}
}

/* Open the session and STREAM; 0, or -1 after a message with *status. */
static int
stream_start(struct fnap_consumer *c, int *status)
{
	const char *text;
	int code;

	if (!(c->cl = fnap_broker_session(&c->u, status)))
		return -1;
	code = fnap_client_command(c->cl, &text, "STREAM %s%s%s FROM %s%s", c->u.name,
	    c->group ? " GROUP " : "", c->group ? c->group : "", c->from, c->to_end ? " TO END" : "");
	if (code == 220 && fnap_client_is_data(text)) {
		c->gen++;
		c->received = c->acked = 0;
		c->po.reader = fnap_conn_reader(c->cl->c, CE_LINE_MAX);
		c->pool = linepool_open(&c->po);
		return 0;
	}
	if (code < 0)
		warnmsg("%s: STREAM %s: %s", c->cl->host, c->u.name, c->cl->why);
	else if (code == 220)
		warnmsg("%s: STREAM %s: the agent answered 220 %s, not a DATA block", c->cl->host, c->u.name, text);
	else
		warnmsg("%s: STREAM %s: %d %s", c->cl->host, c->u.name, code, text);
	*status = code == 220 || code < 0 ? EX_FLOW_UNAVAILABLE : fnap_client_status(code);
	fnap_client_close(c->cl);
	c->cl = NULL;
	return -1;
}

/* The pool, then the connection it reads. */
static void
close_stream(struct fnap_consumer *c)
{
	if (c->pool)
		linepool_close(c->pool);
	c->pool = NULL;
	if (c->cl)
		fnap_client_close(c->cl);
	c->cl = NULL;
}

/* The connection is lost (why): a group's consumer tries again later,
   saying when, in one line; other consumers fail. CONSUMER_ERROR, or 0. */
static int
cut_off(struct fnap_consumer *c, const char *why, int status)
{
	char host[256];
	int wait;

	snprintf(host, sizeof host, "%s", c->cl ? c->cl->host : c->u.hosts);
	close_stream(c);
	if (!c->group || status == EX_FLOW_NOPERM || status == EX_FLOW_DATAERR || status == EX_FLOW_USAGE ||
	    status == EX_FLOW_SOFTWARE) {
		warnmsg("%s: %s", host, why);
		c->base.status = status;
		return CONSUMER_ERROR;
	}
	/* half the backoff, and up to as much again at random: reconnecting
	   processors do not all come back at once */
	wait = c->backoff_ms / 2 + (int)randombytes_uniform(c->backoff_ms / 2 + 1);
	c->retry_at = clock_ms() + wait;
	c->backoff_ms = c->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : c->backoff_ms * 2;
	warnmsg("%s: %s; reconnecting in %d.%d s", host, why, wait / 1000,
	    wait % 1000 / 100);
	return 0;
}

/* Cut off: wait up to timeout_ms for the time to reconnect, then try,
   resuming from the group's position. 1 connected, 0 not yet,
   CONSUMER_ERROR when the agent refuses for good. */
static int
reconnect(struct fnap_consumer *c, int timeout_ms)
{
	int64_t left = c->retry_at - clock_ms();
	int status = 0;

	if (left > 0) {
		if (timeout_ms < 0 || timeout_ms > left)
			timeout_ms = (int)left;
		struct timespec nap = { 0, (timeout_ms > 100 ? 100 : timeout_ms) * 1000000L };

		nanosleep(&nap, NULL);  /* in short naps: a stop is seen soon */
		if (clock_ms() < c->retry_at)
			return 0;
	}
	if (strncmp(c->from, "STORED", 6) != 0) {
		/* from now on, where the group stands, else where it was to start */
		char was[sizeof c->from];

		memcpy(was, c->from, sizeof was);
		was[sizeof was - 8] = '\0';  /* FROM values are shorter */
		snprintf(c->from, sizeof c->from, "STORED:%.*s", (int)(sizeof c->from - 8), was);
	}
	if (stream_start(c, &status) == 0)
		return 1;
	return cut_off(c, "cannot resume", status) == CONSUMER_ERROR ? CONSUMER_ERROR : 0;
}

/* Tell the agent what a commit said is done. 0, or -1: the connection failed. */
static int
send_ack(struct fnap_consumer *c)
{
	uint64_t done = atomic_load(&c->done);

	if ((done >> GEN_SHIFT) != c->gen || (done & EVENT_MASK) <= c->acked)
		return 0;
	c->acked = done & EVENT_MASK;
	return fnap_send(c->cl->c, "ACK %llu", (unsigned long long)c->acked);
}

/* A group's event handed out before a reconnect, sent again: passed over. */
static int
again(struct fnap_consumer *c)
{
	struct place at;

	/* as written in the line: the agent sends the same bytes again */
	if (!c->seen || c->last.outlen != sizeof at)
		return 0;
	memcpy(&at, c->last.out, sizeof at);
	return dedupe_seen(c->seen, c->line + at.source, at.source_len, c->line + at.id, at.id_len) &&
	    c->gen > 1;
}

/* A reply of the agent among the events: 220, the end; else the stream
   failed. */
static int
reply(struct fnap_consumer *c)
{
	char line[512], why[600];
	const char *text;
	size_t n = c->len < sizeof line ? c->len : sizeof line - 1;
	int code;

	memcpy(line, c->line, n);
	line[n] = '\0';
	if ((code = fnap_reply_code(line, &text)) == 220)
		return CONSUMER_END;
	snprintf(why, sizeof why, "STREAM %s: %d %s", c->u.name, code, text);
	return cut_off(c, why, fnap_client_status(code)) ? CONSUMER_ERROR : 2;
}

/* The pool's next line, the connection filled when it needs input, for
   timeout_ms at most. */
static int
next_line(struct fnap_consumer *c, int timeout_ms)
{
	int64_t now, end = 0;
	int r, wait = -1, filled = 0;

	while ((r = linepool_next(c->pool, &c->last)) == LP_AGAIN) {
		if (timeout_ms >= 0) {  /* the clock only when waiting */
			now = clock_ms();
			end = filled ? end : now + timeout_ms;
			wait = end > now ? (int)(end - now) : 0;
		}
		if ((r = fnap_fill(c->cl->c, wait)) <= 0)
			return r == 0 || stop_requested ? LP_AGAIN : LP_ERROR;
		filled = 1;
	}
	c->line = c->last.line;
	c->len = c->last.len;
	if (c->len > 0 && c->line[c->len - 1] == '\r')
		c->len--;
	return r;
}

/* The next line of the stream: 1 an event in c->line, 0 nothing within
   timeout_ms, CONSUMER_END, CONSUMER_ERROR, or 2 when cut off (a group's
   consumer reconnects) or for a line passed over. */
static int
read_event(struct fnap_consumer *c, int timeout_ms)
{
	int r = next_line(c, timeout_ms);

	if (r == LP_AGAIN || (r == LP_ERROR && stop_requested))
		return 0;
	if (r == LP_STOP)
		return reply(c);
	if (r != LP_PASS && r != LP_REJECT)
		return cut_off(c, r == LP_LONG ? "a line from the agent is not an event" :
		    "the agent ended the stream", EX_FLOW_UNAVAILABLE) ? CONSUMER_ERROR : 2;
	if (c->offset >= 0)
		c->offset++;
	c->lines++;
	c->received++;
	if (r == LP_PASS)
		return again(c) ? 2 : 1;
	warnmsg("%s: STREAM %s: line %ld: not an event: %s", c->cl->host, c->u.name, c->lines, c->last.out);
	c->base.rejected++;
	if (c->base.on_reject)
		c->base.on_reject(c->base.reject_ctx, c->line, c->len, c->last.out);
	return 2;
}

/* The agent of another organisation is trusted no more than a Kafka
   producer: a line that is not an event is said, kept (on_reject) and
   passed over. */
static int
fnap_next(struct consumer *base, struct record *rec, int timeout_ms)
{
	struct fnap_consumer *c = (struct fnap_consumer *)base;
	int r = 2;

	while (!c->unread) {
		if (!c->cl && (r = reconnect(c, timeout_ms)) <= 0)
			return r;
		if (c->group && send_ack(c) < 0 && cut_off(c, "cannot send ACK", EX_FLOW_UNAVAILABLE))
			return CONSUMER_ERROR;
		if (c->cl && (r = read_event(c, timeout_ms)) != 2)
			break;
	}
	if (!c->unread && r != 1)
		return r;
	c->unread = 0;
	c->backoff_ms = BACKOFF_FIRST_MS;
	rec->line = c->line;
	rec->len = c->len;
	rec->ev = NULL;  /* checked on the pool's threads, not kept */
	rec->partition = 0;
	if (c->group)
		rec->offset = (int64_t)((c->gen << GEN_SHIFT) | (c->received - 1));
	else
		rec->offset = c->offset >= 0 ? c->offset - 1 : -1;
	return 1;
}

/* A group's position: the connection and how many of its events were
   handed out; without a group, none (the agent keeps nothing). */
static void
fnap_position(struct consumer *base, struct position *pos)
{
	struct fnap_consumer *c = (struct fnap_consumer *)base;

	pos->n = c->group ? 1 : 0;
	pos->next = NULL;
	if (c->group) {
		pos->next = xmalloc(sizeof *pos->next);
		pos->next[0] = (int64_t)((c->gen << GEN_SHIFT) | (c->received - (c->unread ? 1 : 0)));
	}
}

/* Runs beside fnap_next (flow-bridge reads ahead): it only says what is
   done; the reading side sends the ACK. A position of an earlier
   connection is passed over: its events come again and are passed over
   in turn. */
static int
fnap_commit(struct consumer *base, const struct position *pos)
{
	struct fnap_consumer *c = (struct fnap_consumer *)base;
	uint64_t v, old;

	if (!c->group || pos->n < 1 || pos->next[0] < 0)
		return 0;
	v = (uint64_t)pos->next[0];
	old = atomic_load(&c->done);
	while (v > old && !atomic_compare_exchange_weak(&c->done, &old, v))
		;
	return 0;
}

static void
fnap_unread(struct consumer *base)
{
	((struct fnap_consumer *)base)->unread = 1;
}

/* A group's last ACK, then QUIT, and what the agent still sends passed
   over until it answers: the position is stored before the connection ends. */
static void
quit_stream(struct fnap_consumer *c)
{
	int64_t end = clock_ms() + QUIT_WAIT_MS;
	const char *text;
	char *line;
	size_t len;
	int code;

	if (send_ack(c) < 0 || fnap_send(c->cl->c, "QUIT") < 0)
		return;
	fnap_conn_set_timeout(c->cl->c, QUIT_WAIT_MS);
	while (clock_ms() < end && fnap_read_line(c->cl->c, CE_LINE_MAX, &line, &len) == FNAP_LINE)
		if ((code = fnap_reply_code(line, &text)) == 221 || code >= 400)
			break;
}

static void
fnap_close_consumer(struct consumer *base)
{
	struct fnap_consumer *c = (struct fnap_consumer *)base;

	if (c->cl && c->group)
		quit_stream(c);  /* on the connection itself: what the pool read ahead is not wanted */
	close_stream(c);
	dedupe_free(c->seen);
	free(c->group);
	free(c->u.hosts);
	free(c->u.name);
	free(c);
}

static const struct consumer_ops fnap_consumer_ops = {
	fnap_next, fnap_position, fnap_commit, fnap_close_consumer, fnap_unread,
};

struct consumer *
fnap_consumer_open(const struct flow_url *u, const struct broker_opts *o, int *status)
{
	struct fnap_consumer *c = xcalloc(1, sizeof *c);

	c->base.ops = &fnap_consumer_ops;
	c->u = *u;
	c->u.path = NULL;
	c->u.hosts = xstrdup(u->hosts);
	c->u.name = xstrdup(u->name);
	c->backoff_ms = BACKOFF_FIRST_MS;
	c->po = (struct linepool_opts){ .threads = linepool_default_threads(), .fn = check_line,
		.ctx = c, .worksize = sizeof(struct check_work) };
	if (o->group) {
		c->group = xstrdup(o->group);
		c->seen = dedupe_new(SEEN_KEPT);
		c->offset = -1;
		/* a group without -o: where it stands, else the end */
		if (o->start.kind == OFFSET_DEFAULT)
			snprintf(c->from, sizeof c->from, "STORED:END");
		else
			from_text(&o->start, c->from, sizeof c->from);
	} else
		c->offset = from_text(&o->start, c->from, sizeof c->from);
	c->to_end = o->stop_at_end;
	if (stream_start(c, status) < 0) {
		fnap_close_consumer(&c->base);
		return NULL;
	}
	return &c->base;
}
