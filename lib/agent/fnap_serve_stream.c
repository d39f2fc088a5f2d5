/* STREAM and ACK: a flow's events carried over FNAP, read from the
   flow's own broker. With GROUP the broker reads as a consumer group of
   the session's user, whose position moves only as the client
   acknowledges events (ACK n: the first n of this stream are done), so
   that a client that comes back resumes where it left off. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ackring.h"
#include "cesql.h"
#include "fnap_audit.h"
#include "fnap_grants.h"
#include "fnap_groups.h"
#include "fnap_queue.h"
#include "fnap_session.h"
#include "util.h"

#define IDLE_WAIT_MS 1000       /* how often an idle stream looks at its client */
#define LOOK_EVERY 256          /* events read between looks at the client and the clock */
#define CHECK_MS 1000           /* how often a stream asks whether it may still read */
#define UNACKED_MAX 262144      /* events sent and not acknowledged, at most */

struct stream {
	struct session *s;
	struct flow_meta m;
	struct broker_opts o;
	char group[GROUPS_KEY_MAX];
	struct consumer *cons;
	struct ackring *acks;       /* with GROUP: sent, not yet acknowledged */
	char where[GRANTS_WHERE_MAX];  /* a READ grant's WHERE, the only events sent; "" none */
	struct cesql *granted;      /* and compiled */
	int64_t count, sent;        /* COUNT (0: none), events sent */
	uint64_t read;              /* events read, sent or not */
	int64_t checked;            /* clock_ms() when the flow was last looked at */
	struct audit_span span;     /* the offsets sent, for the audit line */
	int done, code;             /* the final reply, or AUDIT_NO_REPLY */
};

/* FROM's value: BEGINNING, END, N, -N (before the end), @TIME (relative
   ones resolved now, when STREAM is served); with a
   group also STORED (the group's position, else the beginning) and
   STORED:<any of the others> (the group's position, else that). */
static int
from_arg(const char *w, struct offset_spec *o)
{
	int resume = strncasecmp(w, "STORED:", 7) == 0;

	if (resume)
		w += 7;
	if (strcasecmp(w, "BEGINNING") == 0)
		o->kind = OFFSET_BEGINNING;
	else if (strcasecmp(w, "END") == 0)
		o->kind = OFFSET_END;
	else if (!resume && strcasecmp(w, "STORED") == 0)
		o->kind = OFFSET_STORED;
	else if (offset_parse(w, o) < 0 || o->kind == OFFSET_BEGINNING || o->kind == OFFSET_END ||
	    o->kind == OFFSET_STORED || o->resume)
		return -1;
	o->resume = resume;
	return 0;
}

/* STREAM's words after the flow: 0, or -1 for a 501. */
static int
stream_args(struct stream *st, char *args)
{
	struct broker_opts *o = &st->o;
	char *w, *v;
	int from = 0;

	while ((w = fnap_word(&args))) {
		if (!(v = fnap_word(&args)))
			return -1;
		if (strcasecmp(w, "FROM") == 0) {
			if (from_arg(v, &o->start) < 0)
				return -1;
			from = 1;
		} else if (strcasecmp(w, "COUNT") == 0) {
			if (parse_int64(v, 1, INT64_MAX, &st->count) < 0)
				return -1;
		} else if (strcasecmp(w, "TO") == 0 && strcasecmp(v, "END") == 0)
			o->stop_at_end = 1;
		else if (strcasecmp(w, "GROUP") == 0 && !o->group) {
			if (groups_key(&st->s->who, v, st->group) < 0)
				return -1;
			o->group = st->group;
		} else
			return -1;
	}
	/* a group without FROM: its position, else the end */
	if (o->group && !from)
		o->start.kind = OFFSET_DEFAULT;
	return !o->group && (o->start.kind == OFFSET_STORED || o->start.resume) ? -1 : 0;
}

static void
stream_free(struct stream *st)
{
	if (st->cons)
		st->cons->ops->close(st->cons);
	ackring_free(st->acks);
	cesql_free(st->granted);
	broker_opts_free(&st->o);
	free(st);
}

void
session_stream_end(struct session *s)
{
	if (s->stream)
		stream_free(s->stream);
	s->stream = NULL;
}

/* The client has done the first n events: the group moves past them. 0,
   or -1 after a 501 (more than were sent). */
static int
acknowledge(struct stream *st, const char *arg)
{
	const struct position *pos;
	int64_t n;
	int r;

	if (parse_int64(arg, 0, INT64_MAX, &n) < 0 || (r = ackring_ack(st->acks, (uint64_t)n, &pos)) < 0) {
		fnap_reply(st->s->c, REPLY_USAGE, "ACK: not a count of the events sent");
		return -1;
	}
	if (r == 1 && st->cons->ops->commit(st->cons, pos) != 0)
		warnmsg("%s: group position not stored; it will be with the next ACK", st->m.flow);
	return 0;
}

/* What a client of a GROUP stream says while it runs: ACK n, or QUIT
   (answered, and the session ends). Waits up to wait_ms for a first line,
   then takes what is there. 0, or -1 when the stream ends. */
static int
read_client(struct stream *st, int wait_ms)
{
	struct session *s = st->s;
	char *line, *args, *verb;
	size_t len;
	int r, end = 0;

	fnap_conn_set_timeout(s->c, wait_ms);
	while (!end && (r = fnap_read_line(s->c, s->conf->command_max, &line, &len)) != FNAP_TIMEOUT) {
		fnap_conn_set_timeout(s->c, 0);
		args = line;
		verb = r == FNAP_LINE ? fnap_word(&args) : NULL;
		if (r == FNAP_EOF || r == FNAP_ERROR)
			end = s->quit = 1;
		else if (verb && strcasecmp(verb, "ACK") == 0 && (verb = fnap_word(&args)) && !fnap_word(&args))
			end = acknowledge(st, verb) < 0;
		else if (verb && strcasecmp(verb, "QUIT") == 0) {
			fnap_reply(s->c, REPLY_BYE, "Bye");
			end = s->quit = 1;
		} else {
			fnap_reply(s->c, REPLY_BAD_COMMAND, "only ACK <n> and QUIT while a STREAM runs");
			st->code = REPLY_BAD_COMMAND;
			end = 1;
		}
	}
	fnap_conn_set_timeout(s->c, s->conf->idle_timeout * 1000);
	return end ? -1 : 0;
}

/* May the session still read m, and through which grant's WHERE (the
   events it lets through are all the stream sends)? 0, or -1: no more. */
static int
may_read(struct stream *st, const struct flow_meta *m)
{
	char where[GRANTS_WHERE_MAX];
	struct cesql_parse_error perr;

	switch (flows_reading(st->s->conf, &st->s->who, m, where, sizeof where)) {
	case FLOW_UNREADABLE:
		return -1;
	case FLOW_READABLE:
		where[0] = '\0';
		break;
	case FLOW_GRANTED:
		break;
	}
	if (strcmp(where, st->where) == 0)
		return 0;
	/* granted anew with another WHERE: that one from now on */
	cesql_free(st->granted);
	st->granted = NULL;
	memcpy(st->where, where, sizeof where);
	if (where[0] && !(st->granted = cesql_compile_filter(where, &perr)))
		return -1;   /* checked when granted: not expected */
	return 0;
}

/* Is the flow still there, and may the session still read it (and
   through which WHERE)? If not, the stream ends with a 550. */
static void
check_flow(struct stream *st)
{
	struct session *s = st->s;
	struct flow_meta now;

	st->checked = clock_ms();
	if (flowstate_load(s->conf->state, st->m.flow, &now) < 0 || now.created_ns != st->m.created_ns ||
	    may_read(st, &now) < 0) {
		/* deleted (a subscription revoked), or its grant taken away:
		   its readers are told */
		fnap_reply(s->c, REPLY_DENIED, TEXT_NO_FLOW);
		st->done = 1;
		st->code = REPLY_DENIED;
	}
}

/* A look around between events: the client (what a GROUP client says; a
   client that left), a stop, and now and then the flow. */
static void
look(struct stream *st, int idle)
{
	struct session *s = st->s;

	if (st->acks ? read_client(st, 0) < 0 : idle && fnap_peer_closed(s->c)) {
		st->done = 1;
		s->quit |= st->acks == NULL;
	} else if (stop_requested)
		st->done = s->quit = 1;
	else if (clock_ms() - st->checked >= CHECK_MS)
		check_flow(st);
}

/* Does the grant the stream reads under let rec through? */
static int
granted(struct stream *st, const struct record *rec)
{
	const struct ce_event *ev;
	struct ce_event scratch;
	enum cesql_error e;
	const char *msg;

	return !st->granted || ((ev = record_event(rec, &scratch)) && cesql_match(st->granted, ev, &e, &msg));
}

/* Send one event; a GROUP stream with too much unacknowledged waits for
   its client first. */
static void
send_event(struct stream *st, const struct record *rec)
{
	struct session *s = st->s;

	while (st->acks && ackring_full(st->acks) && !st->done)
		if (read_client(st, s->conf->idle_timeout * 1000) < 0 || ackring_full(st->acks)) {
			if (!s->quit) {
				fnap_reply(s->c, REPLY_CLOSING, "no ACK for %d seconds, closing", s->conf->idle_timeout);
				st->code = REPLY_CLOSING;
			}
			st->done = s->quit = 1;
		}
	if (st->done || !granted(st, rec))
		return;
	if (fnap_body(s->c, rec->line, rec->len) < 0) {
		st->done = s->quit = 1;
		return;
	}
	if (st->acks)
		ackring_push(st->acks, rec->partition, rec->offset);
	audit_span_add(&st->span, rec->partition, rec->offset, rec->offset);
	st->sent++;
	if (st->count && st->sent == st->count) {
		fnap_reply(s->c, REPLY_OK, "OK");
		st->done = 1;
		st->code = REPLY_OK;
	}
}

static void
stream_run(struct stream *st)
{
	struct session *s = st->s;
	struct record rec;
	int r, unflushed = 0, waited;

	while (!st->done) {
		waited = !unflushed;
		r = st->cons->ops->next(st->cons, &rec, waited ? IDLE_WAIT_MS : 0);
		if (r == 1) {
			unflushed = 1;
			/* after a wait, what may be read is looked at again first:
			   a grant changed meanwhile applies to what follows it */
			if (waited && clock_ms() - st->checked > 0)
				check_flow(st);
			if (!st->done)
				send_event(st, &rec);
			if (++st->read % LOOK_EVERY == 0 && !st->done)
				look(st, 0);
		} else if (r == 0) {
			/* idle: what was read goes out now */
			unflushed = 0;
			if (fnap_flush(s->c) < 0)
				st->done = s->quit = 1;
			else
				look(st, waited);
		} else {
			st->code = r == CONSUMER_END ? REPLY_OK : REPLY_RETRY;
			fnap_reply(s->c, st->code, r == CONSUMER_END ? "OK" : "flow unavailable");
			st->done = 1;
		}
	}
}

void
fnap_cmd_stream(struct session *s, char *args)
{
	struct stream *st = xcalloc(1, sizeof *st);
	char url[QUEUE_URL_MAX], *name = fnap_word(&args);
	int status;

	session_stream_end(s);
	st->s = s;
	st->o.start.kind = OFFSET_END;
	st->checked = clock_ms();
	if (session_open_flow(s, name, FLOW_READ, &st->m, url, &st->o) < 0)
		goto out;
	if (may_read(st, &st->m) < 0) {
		fnap_reply(s->c, REPLY_DENIED, TEXT_NO_FLOW);
		goto out;
	}
	if (stream_args(st, args) < 0) {
		session_usage(s);
		goto out;
	}
	if (!(st->cons = consumer_open(url, &st->o, &status))) {
		fnap_reply(s->c, REPLY_RETRY, "flow unavailable, retry");
		audit_stream(s, st->m.flow, NULL, 0, REPLY_RETRY);
		goto out;
	}
	if (st->o.group)
		st->acks = ackring_new(UNACKED_MAX);
	fnap_reply(s->c, REPLY_OK, "DATA");
	st->code = AUDIT_NO_REPLY;
	stream_run(st);
	audit_stream(s, st->m.flow, &st->span, (uint64_t)st->sent, st->code);
	if (st->acks && !s->quit) {
		/* ACKs may follow the end of its events */
		s->stream = st;
		return;
	}
out:
	stream_free(st);
}

void
fnap_cmd_ack(struct session *s, char *args)
{
	char *n = fnap_word(&args);

	if (!n || fnap_word(&args)) {
		session_usage(s);
		return;
	}
	if (!s->stream) {
		fnap_reply(s->c, REPLY_USAGE, "no STREAM with GROUP to acknowledge");
		return;
	}
	if (acknowledge(s->stream, n) == 0)
		fnap_reply(s->c, REPLY_OK, "OK");
}
