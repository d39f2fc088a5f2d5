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

#define BATCH_BYTES (64 * 1024)
#define OUT_BYTES (256 * 1024)
#define WHY_MAX 200

enum { B_FREE, B_QUEUED, B_DONE };
/* a line passed on as it came: written from the batch's input, not copied */
enum { LP_ECHO = LP_DROP + 1 };

/* The reader copies whole lines into in; the thread that runs the batch
   finds where each starts (n, inoff), so that the reader's work does not
   grow with the number of lines. */
struct batch {
	int state;
	int n, cap;                       /* lines; room in inoff, resoff, status */
	char *in, *res;                   /* the lines; their results */
	size_t inlen, insize, reslen, ressize;
	size_t *inoff, *resoff;           /* n + 1 each */
	unsigned char *status;
};

struct linepool {
	const struct linepool_opts *o;
	struct line_reader *lr;
	pthread_mutex_t mu;
	pthread_cond_t work_cv, done_cv;
	struct batch *ring;
	int nring, nworkers, quit;
	/* the workers take batches and say they are done without the mutex;
	   it is taken only to sleep and to wake a sleeper: a wake-up costs a
	   system call or two, and waking into a held mutex two more */
	struct batch *awaited;            /* the batch the caller sleeps for */
	int sleepers;                     /* workers asleep, or about to be */
	uint64_t filled, taken, given;    /* batch sequence numbers */
	int pos;                          /* the next line of batch `given` to give out */
	uint64_t lineno;                  /* of the last line given out */
	pthread_t *workers;
	void **works;                     /* one per worker, and the caller's last */
	int paused, held, ended, err;     /* the input paused; an overlong line
	                                     waits; the input ended (err: errno) */
	struct lp_line long_line;
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

/* Where each line of b starts: every line in it ends with a newline. */
static void
split(struct batch *b)
{
	const char *p = b->in, *end = b->in + b->inlen;

	for (b->n = 0; p < end; p = (const char *)memchr(p, '\n', (size_t)(end - p)) + 1) {
		if (b->n == b->cap) {
			b->cap = b->cap ? 2 * b->cap : 1024;
			b->inoff = xrealloc(b->inoff, ((size_t)b->cap + 1) * sizeof *b->inoff);
			b->resoff = xrealloc(b->resoff, ((size_t)b->cap + 1) * sizeof *b->resoff);
			b->status = xrealloc(b->status, (size_t)b->cap);
		}
		b->inoff[b->n++] = (size_t)(p - b->in);
	}
	b->inoff[b->n] = b->inlen;
}

/* Run fn on each line of b: a result is kept with its newline, a reason
   with its NUL. */
static void
run_batch(struct linepool *lp, struct batch *b, void *work)
{
	char why[WHY_MAX];
	const char *line, *out;
	size_t len, outlen;
	int i, st;

	split(b);
	b->reslen = 0;
	for (i = 0; i < b->n; i++) {
		b->resoff[i] = b->reslen;
		line = b->in + b->inoff[i];
		len = b->inoff[i + 1] - b->inoff[i] - 1;
		st = lp->o->fn(lp->o->ctx, work, line, len, &out, &outlen, why, sizeof why);
		if (st == LP_PASS && out == line && outlen == len)
			st = LP_ECHO;
		b->status[i] = (unsigned char)st;
		if (st == LP_PASS) {
			append(&b->res, &b->reslen, &b->ressize, out, outlen);
			append(&b->res, &b->reslen, &b->ressize, "\n", 1);
		} else if (st == LP_REJECT || st == LP_STOP) {
			append(&b->res, &b->reslen, &b->ressize, why, strlen(why) + 1);
		}
	}
	b->resoff[b->n] = b->reslen;
}

/* Wake a thread asleep on cv: the mutex taken and let go first, so that
   a sleeper that counted itself is in its wait; signalled after, so that
   it does not wake into a held mutex. */
static void
wake(struct linepool *lp, pthread_cond_t *cv)
{
	pthread_mutex_lock(&lp->mu);
	pthread_mutex_unlock(&lp->mu);
	pthread_cond_signal(cv);
}

/* A queued batch no thread has taken yet, or NULL. */
static struct batch *
try_take(struct linepool *lp)
{
	uint64_t t = __atomic_load_n(&lp->taken, __ATOMIC_SEQ_CST);

	while (t < __atomic_load_n(&lp->filled, __ATOMIC_SEQ_CST))
		if (__atomic_compare_exchange_n(&lp->taken, &t, t + 1, 1, __ATOMIC_SEQ_CST,
		    __ATOMIC_SEQ_CST))
			return &lp->ring[t % (uint64_t)lp->nring];
	return NULL;
}

/* A worker's next batch; NULL once the pool is closing and nothing is left. */
static struct batch *
take(struct linepool *lp)
{
	struct batch *b;
	uint64_t t;
	int closing;

	for (;;) {
		if ((b = try_take(lp)))
			return b;
		/* sleepers is counted before filled is looked at again, and
		   submit looks at sleepers after counting a batch: one of the
		   two sees the other */
		pthread_mutex_lock(&lp->mu);
		__atomic_add_fetch(&lp->sleepers, 1, __ATOMIC_SEQ_CST);
		while (!(closing = lp->quit) && (t = __atomic_load_n(&lp->taken, __ATOMIC_SEQ_CST)) >=
		    __atomic_load_n(&lp->filled, __ATOMIC_SEQ_CST))
			pthread_cond_wait(&lp->work_cv, &lp->mu);
		__atomic_sub_fetch(&lp->sleepers, 1, __ATOMIC_SEQ_CST);
		pthread_mutex_unlock(&lp->mu);
		t = __atomic_load_n(&lp->taken, __ATOMIC_SEQ_CST);
		if (closing && t >= __atomic_load_n(&lp->filled, __ATOMIC_SEQ_CST))
			return NULL;
	}
}

static void *
worker(void *arg)
{
	struct linepool *lp = ((void **)arg)[0];
	void *work = ((void **)arg)[1];
	struct batch *b;

	free(arg);
	while ((b = take(lp))) {
		run_batch(lp, b, work);
		__atomic_store_n(&b->state, B_DONE, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&lp->awaited, __ATOMIC_SEQ_CST) == b)
			wake(lp, &lp->done_cv);
	}
	return NULL;
}

static struct batch *
filling(struct linepool *lp)
{
	return &lp->ring[lp->filled % (uint64_t)lp->nring];
}

/* Hand the batch being filled to the workers (or run it here). */
static void
submit(struct linepool *lp)
{
	struct batch *b = filling(lp);

	if (b->inlen == 0)
		return;
	if (lp->nworkers == 0) {
		run_batch(lp, b, lp->works[0]);
		b->state = B_DONE;
		lp->filled++;
		return;
	}
	b->state = B_QUEUED;
	__atomic_add_fetch(&lp->filled, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&lp->sleepers, __ATOMIC_SEQ_CST) > 0)
		wake(lp, &lp->work_cv);
}

static int
batch_done(struct batch *b)
{
	return __atomic_load_n(&b->state, __ATOMIC_ACQUIRE) == B_DONE;
}

static void
wait_done(struct linepool *lp, struct batch *b)
{
	pthread_mutex_lock(&lp->mu);
	__atomic_store_n(&lp->awaited, b, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&b->state, __ATOMIC_SEQ_CST) != B_DONE)
		pthread_cond_wait(&lp->done_cv, &lp->mu);
	__atomic_store_n(&lp->awaited, NULL, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&lp->mu);
}

/* Run a batch no worker has taken yet, rather than sleep until b is done:
   a sleep and its wake-up cost more than the batch (system calls, and a
   processor left idle); sleep only when every batch is taken. */
static void
help_or_wait(struct linepool *lp, struct batch *b)
{
	struct batch *t = try_take(lp);

	if (!t) {
		wait_done(lp, b);
		return;
	}
	run_batch(lp, t, lp->works[0]);
	__atomic_store_n(&t->state, B_DONE, __ATOMIC_SEQ_CST);
}

/* The next line of the oldest batch, done, and its verdict. */
static int
give(struct linepool *lp, struct batch *b, struct lp_line *l)
{
	int i = lp->pos++, st = b->status[i];

	l->lineno = ++lp->lineno;
	l->line = b->in + b->inoff[i];
	l->len = b->inoff[i + 1] - b->inoff[i] - 1;
	l->out = b->res + b->resoff[i];
	l->outlen = b->resoff[i + 1] - b->resoff[i] - 1;
	if (st == LP_ECHO) {
		l->out = l->line;
		l->outlen = l->len;
		return LP_PASS;
	}
	return st;
}

/* Read the lines buffered ahead, as many as the batch being filled has
   room for; with lines in flight, never wait for input: a pause has them
   given out first, so a live stream is not held back. */
static void
read_ahead(struct linepool *lp)
{
	struct batch *b = filling(lp);
	int pending = lp->given < lp->filled || b->inlen > 0;
	const char *line;
	size_t len;
	int r;

	lp->paused = 0;
	r = lr_next_lines(lp->lr, &line, &len, BATCH_BYTES - b->inlen, pending);
	if (r == LR_LINE) {
		append(&b->in, &b->inlen, &b->insize, line, len);
		append(&b->in, &b->inlen, &b->insize, "\n", 1);
		if (b->inlen >= BATCH_BYTES)
			submit(lp);
		return;
	}
	submit(lp);
	if (r == LR_AGAIN) {
		lp->paused = 1;
	} else if (r == LR_LONG) {
		/* given out after the lines before it, and before the reader is
		   asked again (it then sends the rest of the line to its sink) */
		lp->held = 1;
		lp->long_line = (struct lp_line){ .line = line, .len = len,
			.out = CE_TOO_LONG, .outlen = sizeof CE_TOO_LONG - 1 };
	} else {
		lp->ended = 1;
		lp->err = r == LR_ERROR ? errno : 0;
	}
}

int
linepool_next(struct linepool *lp, struct lp_line *l)
{
	struct batch *b;

	for (;;) {
		if (lp->given < lp->filled) {
			b = &lp->ring[lp->given % (uint64_t)lp->nring];
			if (lp->pos > 0 || batch_done(b)) {
				if (lp->pos < b->n)
					return give(lp, b, l);
				b->state = B_FREE;
				b->inlen = 0;
				lp->given++;
				lp->pos = 0;
				continue;
			}
			if (lp->paused || lp->held || lp->ended || lp->filled - lp->given == (uint64_t)lp->nring) {
				help_or_wait(lp, b);
				continue;
			}
		} else if (lp->held) {
			lp->held = 0;
			*l = lp->long_line;
			l->lineno = ++lp->lineno;
			return LP_LONG;
		} else if (lp->ended) {
			errno = lp->err;
			return lp->err ? LP_ERROR : LP_END;
		} else if (lp->paused && lp->o->reader) {
			lp->paused = 0;
			return LP_AGAIN;
		}
		read_ahead(lp);
	}
}

struct linepool *
linepool_open(const struct linepool_opts *o)
{
	struct linepool *lp = xcalloc(1, sizeof *lp);
	void **arg;
	int i, e;

	lp->o = o;
	lp->nworkers = o->threads > 1 ? o->threads - 1 : 0;
	lp->nring = lp->nworkers ? 2 * o->threads + 2 : 1;
	lp->ring = xcalloc((size_t)lp->nring, sizeof *lp->ring);
	lp->works = xcalloc((size_t)lp->nworkers + 1, sizeof *lp->works);
	for (i = 0; i <= lp->nworkers; i++)
		lp->works[i] = xcalloc(1, o->worksize);
	if (!(lp->lr = o->reader)) {
		lp->lr = lr_open(o->in, CE_LINE_MAX);
		lr_stop_on_signal(lp->lr);
	}
	pthread_mutex_init(&lp->mu, NULL);
	pthread_cond_init(&lp->work_cv, NULL);
	pthread_cond_init(&lp->done_cv, NULL);
	lp->workers = xcalloc((size_t)lp->nworkers + 1, sizeof *lp->workers);
	for (i = 0; i < lp->nworkers; i++) {
		arg = xmalloc(2 * sizeof *arg);
		arg[0] = lp;
		arg[1] = lp->works[i + 1];
		if ((e = thread_start(&lp->workers[i], worker, arg)) != 0)
			die(EX_FLOW_SOFTWARE, "cannot start a thread: %s", strerror(e));
	}
	return lp;
}

void
linepool_set_long_sink(struct linepool *lp, int fd)
{
	lr_set_long_sink(lp->lr, fd);
}

void
linepool_set_idle(struct linepool *lp, void (*idle)(void *ctx), void *ctx)
{
	lr_set_idle(lp->lr, idle, ctx);
}

void
linepool_close(struct linepool *lp)
{
	int i;

	pthread_mutex_lock(&lp->mu);
	lp->quit = 1;
	pthread_cond_broadcast(&lp->work_cv);
	pthread_mutex_unlock(&lp->mu);
	for (i = 0; i < lp->nworkers; i++)
		pthread_join(lp->workers[i], NULL);
	for (i = 0; i <= lp->nworkers; i++) {
		if (lp->o->work_free)
			lp->o->work_free(lp->works[i]);
		free(lp->works[i]);
	}
	for (i = 0; i < lp->nring; i++) {
		free(lp->ring[i].in);
		free(lp->ring[i].res);
		free(lp->ring[i].inoff);
		free(lp->ring[i].resoff);
		free(lp->ring[i].status);
	}
	free(lp->ring);
	free(lp->works);
	free(lp->workers);
	pthread_mutex_destroy(&lp->mu);
	pthread_cond_destroy(&lp->work_cv);
	pthread_cond_destroy(&lp->done_cv);
	if (lp->lr != lp->o->reader)
		lr_close(lp->lr);
	free(lp);
}

/* linepool_run's end of the pool: standard output, the messages, the
   reject file. */
struct writer {
	const struct linepool_opts *o;
	struct out *out;
	struct reject rejects;
	struct linepool_counts counts;
	int gone, status;
};

static void
flush_when_idle(void *ctx)
{
	struct writer *w = ctx;

	if (!w->gone && out_flush(w->out) < 0)
		w->gone = errno;
}

/* Write or keep one line as its verdict says; 0 when reading goes on. */
static int
write_line(struct writer *w, int verdict, const struct lp_line *l)
{
	const char *in = w->o->inname ? w->o->inname : "stdin";

	switch (verdict) {
	case LP_PASS:
		w->counts.passed++;
		if (out_write(w->out, l->out, l->outlen + 1) < 0)
			w->gone = errno;
		return w->gone;
	case LP_DROP:
		w->counts.dropped++;
		return 0;
	case LP_END:
		return 1;
	case LP_ERROR:
		if (errno != EINTR || !stop_requested) {
			warnmsg("%s: %s", in, strerror(errno));
			w->status = EX_FLOW_IOERR;
		}
		return 1;
	}
	if (w->o->inname)
		warnmsg("%s: line %" PRIu64 ": %s", in, l->lineno, l->out);
	else
		warnmsg("line %" PRIu64 ": %s", l->lineno, l->out);
	if (verdict == LP_STOP) {
		w->status = EX_FLOW_UNAVAILABLE;  /* nothing after a line that could not be checked */
		return 1;
	}
	w->counts.rejected++;
	if (verdict == LP_LONG)
		reject_head(&w->rejects, l->line, l->len);
	else
		reject_line(&w->rejects, l->line, l->len);
	return 0;
}

int
linepool_run(const struct linepool_opts *o, struct linepool_counts *counts)
{
	struct writer w = { .o = o };
	struct linepool *lp;
	struct lp_line l;

	if (reject_open(&w.rejects, o->reject_path) < 0)
		return EX_FLOW_IOERR;
	lp = linepool_open(o);
	w.out = out_open(STDOUT_FILENO, OUT_BYTES);
	linepool_set_long_sink(lp, reject_fd(&w.rejects));
	linepool_set_idle(lp, flush_when_idle, &w);
	while (write_line(&w, linepool_next(lp, &l), &l) == 0)
		;
	if (out_close(w.out) < 0 && !w.gone)
		w.gone = errno;
	if (w.gone && w.gone != EPIPE) {
		warnmsg("stdout: %s", strerror(w.gone));
		w.status = EX_FLOW_IOERR;
	}
	if (reject_close(&w.rejects) < 0 && !w.status)
		w.status = EX_FLOW_IOERR;
	linepool_close(lp);
	if (counts)
		*counts = w.counts;
	if (w.status)
		return w.status;
	return w.counts.rejected ? EX_FLOW_DATAERR : EX_FLOW_OK;
}
