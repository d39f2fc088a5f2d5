#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bridge.h"
#include "util.h"

#define COMMIT_EVERY 100000      /* events, on a busy stream */
#define COMMIT_EVERY_MS 1000
#define WAIT_MS 200              /* one idle source: how long to wait at a time */
#define POLL_MS 20               /* several: how long to wait on each in turn */
#define FINAL_COMMIT_TRIES 15    /* seconds: the coordinator may be coming back */

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
flush_all(struct producer **dst, int ndst)
{
	int i, r, status = 0;

	for (i = 0; i < ndst; i++)
		if ((r = dst[i]->ops->flush(dst[i])) != 0 && !status)
			status = r;
	return status;
}

/* Move the sources on, past what was acknowledged. A commit that fails
   (the group's coordinator is away) leaves them behind, never ahead: the
   next checkpoint covers it. */
static int
commit_all(struct consumer **src, int nsrc)
{
	int i, r, status = 0;

	for (i = 0; i < nsrc; i++)
		if ((r = src[i]->ops->commit(src[i])) != 0 && !status)
			status = r;
	return status;
}

static int
matches(const struct bridge_opts *o, const struct record *rec, struct bridge_stats *st)
{
	struct ce_event ev;
	struct ce_error err;
	enum cesql_error e;
	const char *msg;

	if (!o->where)
		return 1;
	if (ce_parse(&ev, rec->line, rec->len, 0, &err) < 0 || !cesql_match(o->where, &ev, &e, &msg)) {
		st->filtered++;
		return 0;
	}
	return 1;
}

int
bridge_run(const struct bridge_opts *o, struct bridge_stats *st)
{
	struct consumer **src = xcalloc(o->nsrc, sizeof *src);
	struct producer **dst = xcalloc(o->ndst, sizeof *dst);
	char *ended = xcalloc(o->nsrc, 1);
	uint64_t failed = 0, pending = 0;
	int uncommitted = 0;     /* a commit failed: the next one must happen */
	int64_t last_commit = clock_ms();
	struct record rec;
	int i, j, r, status = 0, nended = 0, got, wait, due, rejectfd = o->rejectfd;

	memset(st, 0, sizeof *st);
	for (i = 0; i < o->ndst && !status; i++)
		if (!(dst[i] = producer_open(o->dst[i], &o->broker, &status)))
			break;
		else {
			dst[i]->on_fail = on_fail;
			dst[i]->fail_ctx = &failed;
		}
	for (i = 0; i < o->nsrc && !status; i++)
		if (!(src[i] = consumer_open(o->src[i], &o->broker, &status)))
			break;
		else {
			src[i]->on_reject = consumer_keep_rejected;
			src[i]->reject_ctx = &rejectfd;
		}
	while (!status && !stop_requested && nended < o->nsrc) {
		got = 0;
		for (i = 0; i < o->nsrc && !status; i++) {
			if (ended[i])
				continue;
			wait = pending || o->nsrc > 1 ? POLL_MS : WAIT_MS;
			r = src[i]->ops->next(src[i], &rec, wait);
			if (r == CONSUMER_END) {
				ended[i] = 1;
				nended++;
			} else if (r == CONSUMER_ERROR) {
				status = src[i]->status;
			} else if (r == 1) {
				got = 1;
				st->read++;
				if (!matches(o, &rec, st))
					continue;
				for (j = 0; j < o->ndst && !status; j++)
					status = dst[j]->ops->send(dst[j], rec.line, rec.len);
				st->written++;
				pending++;
			}
		}
		if (status)
			break;
		/* idle, or enough done: make it durable, then move the sources on */
		due = clock_ms() - last_commit >= COMMIT_EVERY_MS;
		if ((pending && (!got || pending >= COMMIT_EVERY || due)) || (uncommitted && due)) {
			if ((status = flush_all(dst, o->ndst)) == 0)
				uncommitted = commit_all(src, o->nsrc) != 0;
			pending = 0;
			last_commit = clock_ms();
		}
	}
	if (!status && (pending || uncommitted || stop_requested) && (status = flush_all(dst, o->ndst)) == 0)
		for (i = 0; (status = commit_all(src, o->nsrc)) != 0 && i < FINAL_COMMIT_TRIES; i++)
			sleep(1);
	if (failed)
		warnmsg("%" PRIu64 " events not acknowledged by a destination; the sources were not moved past them",
		    failed);
	for (i = 0; i < o->nsrc; i++)
		if (src[i]) {
			st->rejected += src[i]->rejected;
			src[i]->ops->close(src[i]);
		}
	if (o->verbose)
		warnmsg("%" PRIu64 " events read, %" PRIu64 " written, %" PRIu64 " filtered out, %" PRIu64
		    " records rejected", st->read, st->written, st->filtered, st->rejected);
	if (status == 0 && st->rejected)
		status = EX_FLOW_DATAERR;
	for (i = 0; i < o->ndst; i++)
		if (dst[i]) {
			dst[i]->on_fail = NULL;
			dst[i]->ops->close(dst[i]);
		}
	free(src);
	free(dst);
	free(ended);
	return status;
}
