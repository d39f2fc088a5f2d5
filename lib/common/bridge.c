#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bridge.h"
#include "prefetch.h"
#include "progress.h"
#include "reject.h"
#include "util.h"

#define COMMIT_EVERY 100000      /* events, on a busy stream */
#define COMMIT_EVERY_MS 1000
#define CLOCK_EVERY 256          /* events between looks at the clock */
#define WAIT_MS 200              /* one idle source: how long to wait at a time */
#define POLL_MS 20               /* several, or checkpoints to settle: the wait on each */
#define FINAL_COMMIT_TRIES 15    /* seconds: the coordinator may be coming back (75) */
#define CHECKPOINTS 8            /* in flight at most: then the oldest is waited for */
#define TOLD_PER_SECOND 10       /* events that failed --verify, told each; the rest counted */
#define SHOWN_ID_MAX 64          /* bytes of an event's id in the log */

/* The log of events that failed --verify: a flood of them is told a few
   lines a second, and counted. */
struct told {
	int64_t since;           /* this second's start */
	int lines;               /* told in it */
	uint64_t untold;         /* since the last line */
};

/* A checkpoint: where each source stood, and each destination's mark for
   what it was given by then. Reading goes on while it settles; once every
   destination has it all, the positions are committed. */
struct checkpoint {
	uint64_t *mark;          /* per destination */
	struct position *pos;    /* per source */
};

struct run {
	struct consumer **src;
	struct producer **dst;
	int nsrc, ndst;
	struct checkpoint ring[CHECKPOINTS];
	int first, count;        /* the checkpoints not yet committed, oldest first */
	uint64_t failed;         /* events a destination could not take */
	int uncommitted;         /* a commit failed: the next one must happen */
	struct progress progress;
	struct rejects *rejects;
	struct prov_work verifying;
	struct told told;
	int taken_back;          /* --verify: an event put back, its key not found (DNS) */
};

/* Records that are not events, told by the sources' reading threads, and
   events that failed --verify, by the main one. */
struct rejects {
	pthread_mutex_t lock;
	struct reject *sink;     /* --reject */
	uint64_t n;
};

static uint64_t
rejects_now(struct rejects *k)
{
	uint64_t n;

	pthread_mutex_lock(&k->lock);
	n = k->n;
	pthread_mutex_unlock(&k->lock);
	return n;
}

static void
on_reject(void *ctx, const char *rec, size_t len, const char *reason)
{
	struct rejects *k = ctx;

	pthread_mutex_lock(&k->lock);
	k->n++;
	reject_keep(k->sink, rec, len, reason);
	pthread_mutex_unlock(&k->lock);
}

/* A destination that could not take an event fails the run: the source
   offsets stay where they were, so the next run delivers it again. */
static void
on_fail(void *ctx, const char *line, size_t len, const char *reason)
{
	uint64_t *failed = ctx;

	(void)line, (void)len, (void)reason;
	++*failed;
}

/* Wait until every destination acknowledged all it was given. */
static int
flush_all(struct run *r)
{
	int i, s, status = 0;

	for (i = 0; i < r->ndst; i++)
		if ((s = r->dst[i]->ops->flush(r->dst[i])) != 0 && !status)
			status = s;
	return status;
}

/* Move source c on to pos, unless pos is none yet (a source read ahead
   knows where it stands once it handed out its first batch whole). */
static int
commit_one(struct consumer *c, const struct position *pos)
{
	return pos->n ? c->ops->commit(c, pos) : 0;
}

/* Move the sources on to pos (NULL: where they stand). A commit that
   fails (the group's coordinator is away) leaves them behind, never
   ahead: the next one covers it. */
static int
commit_all(struct run *r, const struct position *pos)
{
	struct position now;
	int i, s, status = 0;

	for (i = 0; i < r->nsrc; i++) {
		if (pos)
			s = commit_one(r->src[i], &pos[i]);
		else {
			r->src[i]->ops->position(r->src[i], &now);
			s = commit_one(r->src[i], &now);
			position_free(&now);
		}
		if (s && !status)
			status = s;
	}
	r->uncommitted = status != 0;
	return status;
}

static void
drop_oldest(struct run *r)
{
	struct checkpoint *c = &r->ring[r->first];
	int i;

	for (i = 0; i < r->nsrc; i++)
		position_free(&c->pos[i]);
	r->first = (r->first + 1) % CHECKPOINTS;
	r->count--;
}

static int
settled(struct run *r, const struct checkpoint *c, int timeout_ms)
{
	int j;

	for (j = 0; j < r->ndst; j++)
		if (!r->dst[j]->ops->settled(r->dst[j], c->mark[j], timeout_ms))
			return 0;
	return 1;
}

/* Commit the newest checkpoint that settled, dropping it and those before
   it; wait up to timeout_ms for the oldest. Nothing after a failure. */
static void
settle(struct run *r, int timeout_ms)
{
	struct checkpoint *c;
	int n = 0;

	while (n < r->count && settled(r, &r->ring[(r->first + n) % CHECKPOINTS], n ? 0 : timeout_ms))
		n++;
	if (!n || r->failed)
		return;
	c = &r->ring[(r->first + n - 1) % CHECKPOINTS];
	commit_all(r, c->pos);
	while (n-- > 0)
		drop_oldest(r);
}

/* Take a checkpoint, after waiting for the oldest when there are too many. */
static int
checkpoint(struct run *r)
{
	struct checkpoint *c;
	int i, s, status = 0;

	while (r->count == CHECKPOINTS && !r->failed)
		settle(r, 1000);
	if (r->failed)  /* the run ends: what was sent is accounted for first */
		return (status = flush_all(r)) ? status : EX_FLOW_TEMPFAIL;
	c = &r->ring[(r->first + r->count) % CHECKPOINTS];
	for (i = 0; i < r->ndst; i++)
		if ((s = r->dst[i]->ops->mark(r->dst[i], &c->mark[i])) != 0 && !status)
			status = s;
	if (status)
		return status;
	for (i = 0; i < r->nsrc; i++)
		r->src[i]->ops->position(r->src[i], &c->pos[i]);
	r->count++;
	settle(r, 0);
	return 0;
}

/* The event's id, as the log shows it: printable ASCII without quotes or
   backslashes, at most SHOWN_ID_MAX bytes; else "?" (the id is the
   sender's, and the log is the agent's). */
static void
shown_id(const struct record *rec, char out[SHOWN_ID_MAX + 1])
{
	struct ce_event scratch;
	const struct ce_event *ev = record_event(rec, &scratch);
	const struct json_span *id = ev ? ce_get(ev, "id", 2) : NULL;
	size_t i;

	strcpy(out, "?");
	if (!id || id->type != JSON_STRING || id->len < 3 || id->len - 2 > SHOWN_ID_MAX)
		return;
	for (i = 1; i < id->len - 1; i++)
		if (!isprint((unsigned char)id->p[i]) || id->p[i] == '"' || id->p[i] == '\\')
			return;
	memcpy(out, id->p + 1, id->len - 2);
	out[id->len - 2] = '\0';
}

/* Tell of an event of source src that failed --verify, or only count it
   when this second's lines were told (the count is told with the next). */
static void
tell_unverified(struct told *t, const char *src, const struct record *rec, const struct dsse_fail *f)
{
	int64_t now = clock_ms();
	char id[SHOWN_ID_MAX + 1];

	if (now - t->since >= 1000) {
		if (t->untold)
			warnmsg("%s: %" PRIu64 " more events not verified, kept with --reject", src, t->untold);
		t->since = now;
		t->lines = 0;
		t->untold = 0;
	}
	if (t->lines == TOLD_PER_SECOND) {
		t->untold++;
		return;
	}
	t->lines++;
	shown_id(rec, id);
	if (f->step)
		warnmsg("%s: event %s at offset %" PRId64 ": not verified: step %s: %s", src, id,
		    rec->offset, f->step, f->msg);
	else
		warnmsg("%s: event %s at offset %" PRId64 ": not verified: %s", src, id, rec->offset, f->msg);
}

/* The verify stage on rec, read from source i: 1 when it verified, rec
   then the event as presented (strict: unsigned extensions dropped); 0
   when it failed: kept, told, passed over; -1 when a key could not be
   looked up: taken back (unread), so that it is not passed over. */
static int
verified(struct run *r, const struct bridge_opts *o, int i, struct record *rec, struct bridge_stats *st)
{
	struct dsse_fail f;
	char id[SHOWN_ID_MAX + 1];
	const char *out;
	size_t outlen;
	int s;

	if (!o->verify)
		return 1;
	s = prov_verify_line(o->verify, &r->verifying, rec->line, rec->len, &out, &outlen, &f);
	if (s == PROV_VERIFIED) {
		if (out != rec->line || outlen != rec->len) {
			rec->line = out;
			rec->len = outlen;
			rec->ev = NULL;
		}
		return 1;
	}
	if (s == PROV_UNAVAILABLE) {
		r->src[i]->ops->unread(r->src[i]);
		r->taken_back = 1;
		st->read--;
		shown_id(rec, id);
		warnmsg("%s: event %s at offset %" PRId64 ": stopping before it, to start again from it: %s",
		    o->src[i], id, rec->offset, f.msg);
		return -1;
	}
	st->unverified++;
	pthread_mutex_lock(&r->rejects->lock);
	reject_line(r->rejects->sink, rec->line, rec->len);
	pthread_mutex_unlock(&r->rejects->lock);
	tell_unverified(&r->told, o->src[i], rec, &f);
	return 0;
}

/* Whether the record passes --where; *ev is then its event when it was
   parsed, by the source or here for the filter (in scratch), else NULL. */
static int
matches(const struct bridge_opts *o, const struct record *rec, struct ce_event *scratch,
    const struct ce_event **ev, struct bridge_stats *st)
{
	enum cesql_error e;
	const char *msg;

	*ev = rec->ev;
	if (!o->where)
		return 1;
	if (!(*ev = record_event(rec, scratch)) || !cesql_match(o->where, *ev, &e, &msg)) {
		st->filtered++;
		return 0;
	}
	return 1;
}

/* Open the destinations, then the sources, each read on a thread of its
   own; 0 or the exit status of the first that failed. */
static int
run_open(struct run *r, const struct bridge_opts *o, struct rejects *rejects)
{
	struct consumer *src;
	int i, status = 0;

	r->src = xcalloc(o->nsrc, sizeof *r->src);
	r->dst = xcalloc(o->ndst, sizeof *r->dst);
	for (i = 0; i < CHECKPOINTS; i++) {
		r->ring[i].mark = xcalloc(o->ndst, sizeof *r->ring[i].mark);
		r->ring[i].pos = xcalloc(o->nsrc, sizeof *r->ring[i].pos);
	}
	for (i = 0; i < o->ndst && !status; i++)
		if (!(r->dst[i] = producer_open(o->dst[i], &o->broker, &status)))
			break;
		else {
			r->dst[i]->on_fail = on_fail;
			r->dst[i]->fail_ctx = &r->failed;
		}
	for (i = 0; i < o->nsrc && !status; i++)
		if (!(src = consumer_open(o->src[i], &o->broker, &status)))
			break;
		else {
			src->on_reject = on_reject;
			src->reject_ctx = rejects;
			r->src[i] = consumer_prefetch(src);
		}
	return status;
}

/* Read every source in turn and send what matches, with a checkpoint when
   idle or after enough, until every source ended, a stop, or a failure;
   *pending: events sent since the last checkpoint. */
static int
pump(struct run *r, const struct bridge_opts *o, struct bridge_stats *st, uint64_t *pending)
{
	char *ended = xcalloc(o->nsrc, 1);
	int64_t last_checkpoint = clock_ms();
	struct record rec;
	struct ce_event scratch;
	const struct ce_event *ev;
	int i, j, n, v = 1, status = 0, nended = 0, got, wait, due = 0;

	/* v < 0: a key could not be looked up; the run ends before that event */
	while (!status && !stop_requested && nended < o->nsrc && v >= 0) {
		got = 0;
		for (i = 0; i < o->nsrc && !status && v >= 0; i++) {
			if (ended[i])
				continue;
			wait = *pending || r->count || o->nsrc > 1 ? POLL_MS : WAIT_MS;
			n = r->src[i]->ops->next(r->src[i], &rec, wait);
			if (n == CONSUMER_END) {
				ended[i] = 1;
				nended++;
			} else if (n == CONSUMER_ERROR) {
				status = r->src[i]->status;
			} else if (n == 1) {
				got = 1;
				st->read++;
				if (progress_due(&r->progress))
					progress_draw(&r->progress, st->read, rejects_now(r->rejects), 0, 0);
				if ((v = verified(r, o, i, &rec, st)) < 0)
					break;
				*pending += !v;  /* passed over: a checkpoint moves the sources past it */
				if (!v || !matches(o, &rec, &scratch, &ev, st))
					continue;
				for (j = 0; j < o->ndst && !status; j++)
					status = r->dst[j]->ops->send(r->dst[j], rec.line, rec.len, ev);
				st->written++;
				(*pending)++;
			}
		}
		if (status)
			break;
		/* idle, or enough read: a checkpoint, committed once it settled */
		if (!got || st->read % CLOCK_EVERY == 0)
			due = clock_ms() - last_checkpoint >= COMMIT_EVERY_MS;
		if ((*pending && (!got || *pending >= COMMIT_EVERY || due)) || (r->uncommitted && due)) {
			status = checkpoint(r);
			*pending = 0;
			last_checkpoint = clock_ms();
			due = 0;
		} else if (r->count && !got)
			settle(r, 0);
		if (!got)
			progress_draw(&r->progress, st->read, rejects_now(r->rejects), 0, 0);
	}
	free(ended);
	return status ? status : v < 0 ? EX_FLOW_UNAVAILABLE : 0;
}

/* Close the destinations and free what run_open made (the sources are
   closed before, so that the rejects count is final). */
static void
run_close(struct run *r, const struct bridge_opts *o)
{
	int i;

	for (i = 0; i < o->ndst; i++)
		if (r->dst[i]) {
			r->dst[i]->on_fail = NULL;
			r->dst[i]->ops->close(r->dst[i]);
		}
	while (r->count)
		drop_oldest(r);
	for (i = 0; i < CHECKPOINTS; i++) {
		free(r->ring[i].mark);
		free(r->ring[i].pos);
	}
	free(r->src);
	free(r->dst);
}

int
bridge_run(const struct bridge_opts *o, struct bridge_stats *st)
{
	struct rejects rejects = { .sink = o->reject };
	struct run r = { .nsrc = o->nsrc, .ndst = o->ndst, .rejects = &rejects };
	uint64_t pending = 0;
	char unverified[48] = "";
	int i, status, ending, s = 0;

	memset(st, 0, sizeof *st);
	pthread_mutex_init(&rejects.lock, NULL);
	/* no percent: where a flow ends is not known for every broker, and moves */
	progress_start(&r.progress, stderr, o->verbose);
	if ((status = run_open(&r, o, &rejects)) == 0)
		status = pump(&r, o, st, &pending);
	/* the end: everything durable, then the sources moved past it all;
	   with --verify and DNS gone, up to the event taken back (and only
	   then: after any other failure, a source may stand past an event not
	   delivered) */
	ending = r.taken_back && status == EX_FLOW_UNAVAILABLE && !r.failed;
	if ((!status || ending) && (pending || r.count || r.uncommitted || stop_requested || ending) &&
	    (s = flush_all(&r)) == 0)
		for (i = 0; (s = commit_all(&r, NULL)) == EX_FLOW_TEMPFAIL && i < FINAL_COMMIT_TRIES; i++)
			sleep(1);
	if (!status || (ending && s))
		status = s;
	progress_end(&r.progress);
	if (r.told.untold)
		warnmsg("%" PRIu64 " more events not verified, kept with --reject", r.told.untold);
	if (r.failed)
		warnmsg("%" PRIu64 " events not acknowledged by a destination; the sources were not moved past them",
		    r.failed);
	for (i = 0; i < o->nsrc; i++)
		if (r.src[i])
			r.src[i]->ops->close(r.src[i]);
	st->rejected = rejects.n;  /* the reading threads have ended */
	if (o->verify)
		snprintf(unverified, sizeof unverified, ", %" PRIu64 " events not verified", st->unverified);
	if (o->verbose)
		warnmsg("%" PRIu64 " events read, %" PRIu64 " written, %" PRIu64 " filtered out, %" PRIu64
		    " records rejected%s", st->read, st->written, st->filtered, st->rejected, unverified);
	/* a stop is no failure: a supervisor starts a processor again after it */
	if (status == 0 && (st->rejected || st->unverified) && !stop_requested)
		status = EX_FLOW_DATAERR;
	run_close(&r, o);
	prov_work_free(&r.verifying);
	pthread_mutex_destroy(&rejects.lock);
	return status;
}
