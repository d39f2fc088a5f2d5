#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prefetch.h"
#include "util.h"

#define BATCHES 4             /* read ahead of the caller, at most */
#define BATCH_RECORDS 256     /* a handover for so many records, not for each */
#define BATCH_BYTES (256 * 1024)
#define READ_MS 100           /* an idle reader looks this often whether to stop */

/* A record copied into its batch: the line at bytes + at. */
struct held {
	size_t at, len;
	int has_ev;
	int64_t offset;
	int32_t partition;
};

struct batch {
	struct held rec[BATCH_RECORDS];
	struct ce_event *ev;    /* per record; the attributes point into bytes */
	char *bytes;
	size_t cap, used;
	int n;
	int end;                /* 0, or CONSUMER_END or CONSUMER_ERROR after the records */
	struct position pos;    /* inner's, after the last record */
};

struct prefetch {
	struct consumer base;
	struct consumer *inner;
	pthread_t reader;
	pthread_mutex_t lock;
	pthread_cond_t filled, emptied;
	struct batch batch[BATCHES];
	int head, count;        /* filled batches, oldest first; head may be cur */
	atomic_int stopping;
	/* the caller's side, without the lock */
	struct batch *cur;
	int idx;                /* the next record of cur to hand out */
	int ended;              /* CONSUMER_END or CONSUMER_ERROR, once handed out */
	struct position pos;    /* past the records handed out, as far as known */
	int32_t undo_part;      /* unread(): the partition whose next moved, or -1 */
	int64_t undo_next;
};

/* The event, its attributes moved from the record's line to the copy. */
static void
copy_event(struct ce_event *to, const struct ce_event *from, const char *line)
{
	int i;

	to->line = line;
	to->len = from->len;
	to->nattrs = from->nattrs;
	for (i = 0; i < from->nattrs; i++) {
		to->attrs[i] = from->attrs[i];
		to->attrs[i].name = line + (from->attrs[i].name - from->line);
		to->attrs[i].val.p = line + (from->attrs[i].val.p - from->line);
	}
}

/* Copy rec into b; 0 when it does not fit beside what b holds already.
   Only an empty batch grows: the events of the others point into it. */
static int
hold(struct batch *b, const struct record *rec)
{
	struct held *h = &b->rec[b->n];
	char *line;

	if (b->cap - b->used < rec->len) {
		if (b->n)
			return 0;
		b->bytes = xrealloc(b->bytes, b->cap = rec->len);
	}
	line = b->bytes + b->used;
	memcpy(line, rec->line, rec->len);
	h->at = b->used;
	h->len = rec->len;
	h->offset = rec->offset;
	h->partition = rec->partition;
	h->has_ev = rec->ev && rec->ev->line == rec->line;
	if (h->has_ev)
		copy_event(&b->ev[b->n], rec->ev, line);
	b->used += rec->len;
	b->n++;
	return 1;
}

/* Fill b from inner: until full, or inner has nothing more at once. */
static void
fill(struct prefetch *f, struct batch *b)
{
	struct record rec;
	int r;

	b->n = 0;
	b->used = 0;
	b->end = 0;
	while (b->n < BATCH_RECORDS && !atomic_load(&f->stopping)) {
		r = f->inner->ops->next(f->inner, &rec, b->n ? 0 : READ_MS);
		if (r == 1 && hold(b, &rec))
			continue;
		if (r == 1)  /* the next batch starts with it */
			f->inner->ops->unread(f->inner);
		else if (r < 0)
			b->end = r;
		break;
	}
	if (b->n || b->end) {
		position_free(&b->pos);
		f->inner->ops->position(f->inner, &b->pos);
	}
}

static void *
read_ahead(void *arg)
{
	struct prefetch *f = arg;
	struct batch *b;
	int end = 0;

	while (!end) {
		pthread_mutex_lock(&f->lock);
		while (f->count == BATCHES && !atomic_load(&f->stopping))
			pthread_cond_wait(&f->emptied, &f->lock);
		b = &f->batch[(f->head + f->count) % BATCHES];
		pthread_mutex_unlock(&f->lock);
		if (atomic_load(&f->stopping))
			break;
		fill(f, b);
		if (!b->n && !b->end)
			continue;
		end = b->end;
		pthread_mutex_lock(&f->lock);
		f->count++;
		pthread_cond_signal(&f->filled);
		pthread_mutex_unlock(&f->lock);
	}
	return NULL;
}

/* Wait up to timeout_ms (-1: for ever) for a filled batch; 1 when cur is one. */
static int
take(struct prefetch *f, int timeout_ms)
{
	struct timespec deadline;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&f->lock);
	while (!f->count && timeout_ms != 0)
		if (timeout_ms < 0)
			pthread_cond_wait(&f->filled, &f->lock);
		else if (pthread_cond_timedwait(&f->filled, &f->lock, &deadline) != 0)
			break;
	if (f->count) {
		f->cur = &f->batch[f->head];
		f->idx = 0;
	}
	pthread_mutex_unlock(&f->lock);
	return f->cur != NULL;
}

static void
copy_position(struct position *to, const struct position *from)
{
	to->n = from->n;
	to->next = xmalloc((to->n ? to->n : 1) * sizeof *to->next);
	if (to->n)  /* a consumer without offsets has none to copy: next is NULL */
		memcpy(to->next, from->next, to->n * sizeof *to->next);
}

/* cur was handed out whole: the position is its end; the reader may refill it. */
static void
finish(struct prefetch *f)
{
	position_free(&f->pos);
	copy_position(&f->pos, &f->cur->pos);
	f->ended = f->cur->end;
	f->undo_part = -1;
	f->cur = NULL;
	pthread_mutex_lock(&f->lock);
	f->head = (f->head + 1) % BATCHES;
	f->count--;
	pthread_cond_signal(&f->emptied);
	pthread_mutex_unlock(&f->lock);
}

static int
prefetch_next(struct consumer *c, struct record *rec, int timeout_ms)
{
	struct prefetch *f = (struct prefetch *)c;
	struct held *h;

	for (;;) {
		if (f->cur && f->idx < f->cur->n)
			break;
		if (f->cur)
			finish(f);
		if (f->ended) {
			f->base.status = f->inner->status;
			return f->ended;
		}
		if (!take(f, timeout_ms))
			return 0;
	}
	h = &f->cur->rec[f->idx];
	rec->line = f->cur->bytes + h->at;
	rec->len = h->len;
	rec->ev = h->has_ev ? &f->cur->ev[f->idx] : NULL;
	rec->offset = h->offset;
	rec->partition = h->partition;
	f->undo_part = -1;
	/* offsets are known per partition once a batch was handed out whole */
	if (h->offset >= 0 && h->partition >= 0 && h->partition < f->pos.n) {
		f->undo_part = h->partition;
		f->undo_next = f->pos.next[h->partition];
		f->pos.next[h->partition] = h->offset + 1;
	}
	f->idx++;
	return 1;
}

static void
prefetch_position(struct consumer *c, struct position *pos)
{
	struct prefetch *f = (struct prefetch *)c;

	copy_position(pos, &f->pos);
}

static int
prefetch_commit(struct consumer *c, const struct position *pos)
{
	struct prefetch *f = (struct prefetch *)c;

	return f->inner->ops->commit(f->inner, pos);
}

static void
prefetch_unread(struct consumer *c)
{
	struct prefetch *f = (struct prefetch *)c;

	if (!f->cur || !f->idx)
		return;
	f->idx--;
	if (f->undo_part >= 0)
		f->pos.next[f->undo_part] = f->undo_next;
	f->undo_part = -1;
}

static void
prefetch_close(struct consumer *c)
{
	struct prefetch *f = (struct prefetch *)c;
	int i;

	atomic_store(&f->stopping, 1);
	pthread_mutex_lock(&f->lock);
	pthread_cond_signal(&f->emptied);
	pthread_mutex_unlock(&f->lock);
	pthread_join(f->reader, NULL);
	f->inner->ops->close(f->inner);
	for (i = 0; i < BATCHES; i++) {
		free(f->batch[i].ev);
		free(f->batch[i].bytes);
		position_free(&f->batch[i].pos);
	}
	position_free(&f->pos);
	pthread_cond_destroy(&f->filled);
	pthread_cond_destroy(&f->emptied);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

static const struct consumer_ops prefetch_ops = {
	prefetch_next, prefetch_position, prefetch_commit, prefetch_close, prefetch_unread,
};

struct consumer *
consumer_prefetch(struct consumer *inner)
{
	struct prefetch *f = xcalloc(1, sizeof *f);
	pthread_condattr_t monotonic;
	int i, e;

	f->base.ops = &prefetch_ops;
	f->inner = inner;
	f->undo_part = -1;
	for (i = 0; i < BATCHES; i++) {
		f->batch[i].ev = xmalloc(BATCH_RECORDS * sizeof *f->batch[i].ev);
		f->batch[i].bytes = xmalloc(f->batch[i].cap = BATCH_BYTES);
	}
	pthread_mutex_init(&f->lock, NULL);
	pthread_condattr_init(&monotonic);
	pthread_condattr_setclock(&monotonic, CLOCK_MONOTONIC);
	pthread_cond_init(&f->filled, &monotonic);
	pthread_condattr_destroy(&monotonic);
	pthread_cond_init(&f->emptied, NULL);
	if ((e = thread_start(&f->reader, read_ahead, f)) != 0)
		die(EX_FLOW_SOFTWARE, "a thread to read ahead: %s", strerror(e));
	return &f->base;
}
