#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ce.h"
#include "linepool.h"
#include "lines.h"
#include "out.h"
#include "reject.h"
#include "util.h"

#define BATCH_LINES 256
#define BATCH_BYTES (256 * 1024)
#define OUT_BYTES (256 * 1024)
#define WHY_MAX 200

enum { B_FREE, B_QUEUED, B_DONE };
/* a line passed on as it came: written from the batch's input, not copied */
enum { LP_ECHO = LP_DROP + 1 };

struct batch {
	int state;
	uint64_t first;                   /* number of its first line */
	int n;
	char *in, *res;                   /* the lines; their results */
	size_t inlen, insize, reslen, ressize;
	size_t inoff[BATCH_LINES + 1], resoff[BATCH_LINES + 1];
	unsigned char status[BATCH_LINES];
};

struct pool {
	const struct linepool_opts *o;
	pthread_mutex_t mu;
	pthread_cond_t work_cv, done_cv;
	struct batch *ring;
	int nring, nworkers, quit;
	uint64_t filled, taken, written;  /* batch sequence numbers */
	pthread_t *workers;
	void **works;                     /* one per worker, and the caller's last */
	struct out *out;
	struct reject rejects;
	int status, gone;
	struct linepool_counts counts;
};

int
linepool_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 16 ? 16 : (int)n;
}

static void
append(char **p, size_t *len, size_t *size, const void *s, size_t n)
{
	if (*len + n > *size) {
		*size = (*len + n) * 2;
		*p = xrealloc(*p, *size);
	}
	memcpy(*p + *len, s, n);
	*len += n;
}

static void
run_batch(struct pool *pl, struct batch *b, void *work)
{
	char why[WHY_MAX];
	const char *line, *out;
	size_t len, outlen;
	int i, st;

	b->reslen = 0;
	for (i = 0; i < b->n; i++) {
		b->resoff[i] = b->reslen;
		line = b->in + b->inoff[i];
		len = b->inoff[i + 1] - b->inoff[i] - 1;
		st = pl->o->fn(pl->o->ctx, work, line, len, &out, &outlen, why, sizeof why);
		if (st == LP_PASS && out == line && outlen == len)
			st = LP_ECHO;
		b->status[i] = (unsigned char)st;
		if (st == LP_PASS) {
			append(&b->res, &b->reslen, &b->ressize, out, outlen);
			append(&b->res, &b->reslen, &b->ressize, "\n", 1);
		} else if (st == LP_REJECT || st == LP_STOP) {
			append(&b->res, &b->reslen, &b->ressize, why, strlen(why));
		}
	}
	b->resoff[b->n] = b->reslen;
}

static void *
worker(void *arg)
{
	struct pool *pl = ((void **)arg)[0];
	void *work = ((void **)arg)[1];
	struct batch *b;

	free(arg);
	pthread_mutex_lock(&pl->mu);
	for (;;) {
		while (!pl->quit && pl->taken == pl->filled)
			pthread_cond_wait(&pl->work_cv, &pl->mu);
		if (pl->taken == pl->filled)
			break;
		b = &pl->ring[pl->taken++ % (uint64_t)pl->nring];
		pthread_mutex_unlock(&pl->mu);
		run_batch(pl, b, work);
		pthread_mutex_lock(&pl->mu);
		b->state = B_DONE;
		pthread_cond_broadcast(&pl->done_cv);
	}
	pthread_mutex_unlock(&pl->mu);
	return NULL;
}

/* "line N: why", after the input's name when it has one */
static void
tell(const struct pool *pl, uint64_t lineno, const char *why, size_t len)
{
	if (pl->o->inname)
		warnmsg("%s: line %" PRIu64 ": %.*s", pl->o->inname, lineno, (int)len, why);
	else
		warnmsg("line %" PRIu64 ": %.*s", lineno, (int)len, why);
}

/* Write the oldest batch's results, once done; it is free again after. */
static void
write_oldest(struct pool *pl)
{
	struct batch *b = &pl->ring[pl->written % (uint64_t)pl->nring];
	int i;

	pthread_mutex_lock(&pl->mu);
	while (b->state != B_DONE)
		pthread_cond_wait(&pl->done_cv, &pl->mu);
	pthread_mutex_unlock(&pl->mu);
	for (i = 0; i < b->n && !pl->gone; i++) {
		if (pl->status == EX_FLOW_UNAVAILABLE)
			break;   /* nothing after a line that could not be checked */
		switch (b->status[i]) {
		case LP_DROP:
			pl->counts.dropped++;
			continue;
		case LP_ECHO:
			pl->counts.passed++;
			if (out_write(pl->out, b->in + b->inoff[i], b->inoff[i + 1] - b->inoff[i]) < 0)
				pl->gone = errno;
			continue;
		case LP_PASS:
			pl->counts.passed++;
			if (out_write(pl->out, b->res + b->resoff[i], b->resoff[i + 1] - b->resoff[i]) < 0)
				pl->gone = errno;
			continue;
		}
		tell(pl, b->first + (uint64_t)i, b->res + b->resoff[i], b->resoff[i + 1] - b->resoff[i]);
		if (b->status[i] == LP_STOP) {
			pl->status = EX_FLOW_UNAVAILABLE;
			break;
		}
		pl->counts.rejected++;
		reject_line(&pl->rejects, b->in + b->inoff[i], b->inoff[i + 1] - b->inoff[i] - 1);
	}
	b->state = B_FREE;
	b->n = 0;
	b->inlen = 0;
	pl->written++;
}

/* Hand the batch being filled to the workers (or run it here). */
static void
submit(struct pool *pl)
{
	struct batch *b = &pl->ring[pl->filled % (uint64_t)pl->nring];

	if (b->n == 0)
		return;
	b->inoff[b->n] = b->inlen;
	if (pl->nworkers == 0) {
		run_batch(pl, b, pl->works[0]);
		b->state = B_DONE;
		pl->filled++;
		return;
	}
	pthread_mutex_lock(&pl->mu);
	b->state = B_QUEUED;
	pl->filled++;
	pthread_cond_signal(&pl->work_cv);
	pthread_mutex_unlock(&pl->mu);
}

/* Submit what was read and write everything out. */
static void
drain(struct pool *pl)
{
	submit(pl);
	while (pl->written < pl->filled)
		write_oldest(pl);
}

static void
on_idle(void *arg)
{
	struct pool *pl = arg;

	drain(pl);
	if (!pl->gone && out_flush(pl->out) < 0)
		pl->gone = errno;
}

/* The batch to add a line of len bytes, number lineno, to: the one being
   filled, or the next, made free first when all are in flight. */
static struct batch *
batch_for(struct pool *pl, uint64_t lineno, size_t len)
{
	struct batch *b;

	if (pl->filled - pl->written == (uint64_t)pl->nring)
		write_oldest(pl);
	b = &pl->ring[pl->filled % (uint64_t)pl->nring];
	if (b->n == BATCH_LINES || (b->n > 0 && b->inlen + len + 1 > BATCH_BYTES)) {
		submit(pl);
		if (pl->filled - pl->written == (uint64_t)pl->nring)
			write_oldest(pl);
		b = &pl->ring[pl->filled % (uint64_t)pl->nring];
	}
	if (b->n == 0)
		b->first = lineno;
	return b;
}

static void
add_line(struct pool *pl, uint64_t lineno, const char *line, size_t len)
{
	struct batch *b = batch_for(pl, lineno, len);

	b->inoff[b->n++] = b->inlen;
	append(&b->in, &b->inlen, &b->insize, line, len);
	append(&b->in, &b->inlen, &b->insize, "\n", 1);
}

static void
pool_start(struct pool *pl, const struct linepool_opts *o)
{
	void **arg;
	int i;

	memset(pl, 0, sizeof *pl);
	pl->o = o;
	pl->nworkers = o->threads > 1 ? o->threads : 0;
	pl->nring = pl->nworkers ? 2 * pl->nworkers + 2 : 1;
	pl->ring = xcalloc((size_t)pl->nring, sizeof *pl->ring);
	pl->works = xcalloc((size_t)pl->nworkers + 1, sizeof *pl->works);
	for (i = 0; i <= pl->nworkers; i++)
		pl->works[i] = xcalloc(1, o->worksize);
	pthread_mutex_init(&pl->mu, NULL);
	pthread_cond_init(&pl->work_cv, NULL);
	pthread_cond_init(&pl->done_cv, NULL);
	pl->workers = xcalloc((size_t)pl->nworkers + 1, sizeof *pl->workers);
	for (i = 0; i < pl->nworkers; i++) {
		arg = xmalloc(2 * sizeof *arg);
		arg[0] = pl;
		arg[1] = pl->works[i + 1];
		if (pthread_create(&pl->workers[i], NULL, worker, arg) != 0)
			die(EX_FLOW_SOFTWARE, "cannot start a thread: %s", strerror(errno));
	}
}

static void
pool_stop(struct pool *pl)
{
	int i;

	pthread_mutex_lock(&pl->mu);
	pl->quit = 1;
	pthread_cond_broadcast(&pl->work_cv);
	pthread_mutex_unlock(&pl->mu);
	for (i = 0; i < pl->nworkers; i++)
		pthread_join(pl->workers[i], NULL);
	for (i = 0; i <= pl->nworkers; i++) {
		if (pl->o->work_free)
			pl->o->work_free(pl->works[i]);
		free(pl->works[i]);
	}
	for (i = 0; i < pl->nring; i++) {
		free(pl->ring[i].in);
		free(pl->ring[i].res);
	}
	free(pl->ring);
	free(pl->works);
	free(pl->workers);
	pthread_mutex_destroy(&pl->mu);
	pthread_cond_destroy(&pl->work_cv);
	pthread_cond_destroy(&pl->done_cv);
}

/* A line past CE_LINE_MAX: refused here, after everything before it was
   written, since the reader sends its rest to the reject file itself. */
static void
refuse_long(struct pool *pl, uint64_t lineno, const char *line, size_t len)
{
	char why[64];

	drain(pl);
	tell(pl, lineno, why, (size_t)snprintf(why, sizeof why, "longer than %d bytes", CE_LINE_MAX));
	pl->counts.rejected++;
	reject_head(&pl->rejects, line, len);
}

static void
read_all(struct pool *pl, struct line_reader *lr)
{
	const char *line;
	size_t len;
	int r;

	while (!pl->gone && pl->status != EX_FLOW_UNAVAILABLE &&
	    (r = lr_next(lr, &line, &len)) != LR_EOF) {
		if (r == LR_ERROR) {
			if (errno == EINTR && stop_requested)
				break;
			warnmsg("%s: %s", pl->o->inname ? pl->o->inname : "stdin", strerror(errno));
			pl->status = EX_FLOW_IOERR;
			break;
		}
		if (r == LR_LONG)
			refuse_long(pl, lr_lineno(lr), line, len);
		else
			add_line(pl, lr_lineno(lr), line, len);
	}
	drain(pl);
}

int
linepool_run(const struct linepool_opts *o, struct linepool_counts *counts)
{
	struct line_reader *lr;
	struct pool pl;

	pool_start(&pl, o);
	if (reject_open(&pl.rejects, o->reject_path) < 0) {
		pool_stop(&pl);
		return EX_FLOW_IOERR;
	}
	lr = lr_open(o->in, CE_LINE_MAX);
	pl.out = out_open(STDOUT_FILENO, OUT_BYTES);
	lr_set_long_sink(lr, reject_fd(&pl.rejects));
	lr_set_idle(lr, on_idle, &pl);
	lr_stop_on_signal(lr);
	read_all(&pl, lr);
	if (out_close(pl.out) < 0 && !pl.gone)
		pl.gone = errno;
	if (pl.gone && pl.gone != EPIPE) {
		warnmsg("stdout: %s", strerror(pl.gone));
		pl.status = EX_FLOW_IOERR;
	}
	if (reject_close(&pl.rejects) < 0 && !pl.status)
		pl.status = EX_FLOW_IOERR;
	pool_stop(&pl);
	lr_close(lr);
	if (counts)
		*counts = pl.counts;
	if (pl.status)
		return pl.status;
	return pl.counts.rejected ? EX_FLOW_DATAERR : EX_FLOW_OK;
}
