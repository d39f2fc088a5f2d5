#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "broker_file.h"
#include "filelog.h"
#include "util.h"

#define BATCH_BYTES (1024 * 1024)

/* The appender. Between flushes it remembers where the log ended; under the
   lock it checks that against the file, so other appenders' lines and a
   crashed one's torn line are noticed before anything is written. The
   "next" file keeps the offset the next record gets, so that no offset is
   given out twice even when the newest segments are deleted by hand. */
struct batch_line {
	size_t end;               /* of the line in the batch, its newline included */
	uint64_t tag;
};

struct file_producer {
	struct producer base;
	char *dir;
	int dirfd, lockfd, nextfd;
	int sync;
	uint64_t segment_bytes;
	char *batch;
	size_t len, cap;
	size_t nbatch;
	struct batch_line *lines; /* each line of the batch: where it ends, its tag */
	size_t lines_cap;
	int error;                /* errno of the last failed flush */
	int segfd, idxfd;
	uint64_t seg_base, seg_size, next_offset;
};

static void
close_segment(struct file_producer *f)
{
	if (f->segfd >= 0)
		close(f->segfd);
	if (f->idxfd >= 0)
		close(f->idxfd);
	f->segfd = f->idxfd = -1;
}

static int
open_segment(struct file_producer *f, uint64_t base, int create)
{
	char name[SEGMENT_NAME_MAX];
	int flags = O_RDWR | O_APPEND | O_CLOEXEC | (create ? O_CREAT : 0);

	close_segment(f);
	segment_name(base, name);
	if ((f->segfd = openat(f->dirfd, name, flags, 0666)) < 0)
		return -1;
	index_name(base, name);
	if ((f->idxfd = openat(f->dirfd, name, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0666)) < 0) {
		close_segment(f);
		return -1;
	}
	f->seg_base = base;
	return 0;
}

static void
index_add(void *ctx, uint64_t offset, uint64_t pos)
{
	struct file_producer *f = ctx;
	struct index_entry e = { offset, pos };

	/* a lost entry only costs readers a longer scan */
	(void)!write(f->idxfd, &e, sizeof e);
}

/* The offset in the "next" file; 0 when it is empty (a new flow, or one
   older than the file) or unreadable. */
static uint64_t
next_load(struct file_producer *f)
{
	int64_t v = next_file_read(f->nextfd);

	if (v == -2)
		warnmsg("%s/next: not an offset; ignored", f->dir);
	return v > 0 ? (uint64_t)v : 0;
}

/* Fixed width: each store overwrites the whole of the last one. A failure
   costs nothing now (the records are stored): only a later hand deletion
   of the newest segment could then reuse offsets. */
static void
next_store(struct file_producer *f)
{
	char text[32];
	int n = snprintf(text, sizeof text, "%020" PRIu64 "\n", f->next_offset);

	errno = 0;
	if (pwrite(f->nextfd, text, n, 0) != n)
		warnmsg("%s/next: cannot store the next offset: %s", f->dir,
		    errno ? strerror(errno) : "short write");
}

/* 1 if the open segment is the one named newest in the directory (not one
   deleted, nor one deleted and made again). */
static int
segment_is_current(struct file_producer *f, uint64_t newest)
{
	char name[SEGMENT_NAME_MAX];
	struct stat open_st, named_st;

	if (f->segfd < 0 || f->seg_base != newest)
		return 0;
	segment_name(newest, name);
	return fstat(f->segfd, &open_st) == 0 && fstatat(f->dirfd, name, &named_st, 0) == 0 &&
	    open_st.st_ino == named_st.st_ino && open_st.st_dev == named_st.st_dev;
}

/* Under the lock, once the end is known: offsets up to the "next" file's
   were given out before, so a log that ends short of it lost its newest
   records (a segment deleted by hand); a new segment goes on from there. */
static int
skip_given_offsets(struct file_producer *f, uint64_t given)
{
	if (given <= f->next_offset)
		return 0;
	warnmsg("%s: the log ends at offset %" PRIu64 " but offsets up to %" PRIu64
	    " were given out (segments deleted?): going on at %" PRIu64 ", never reusing one",
	    f->dir, f->next_offset, given - 1, given);
	if (open_segment(f, given, 1) < 0)
		return -1;
	f->seg_size = 0;
	f->next_offset = given;
	return 0;
}

/* Under the lock: find the active segment, cut a torn last line, and count
   what others appended since we last looked. */
static int
sync_end(struct file_producer *f)
{
	struct index_entry *idx, last;
	uint64_t *bases, newest, given;
	struct stat st;
	int64_t complete, next;
	size_t n;
	int nseg;

	if ((nseg = segment_list(f->dirfd, &bases)) < 0)
		return -1;
	newest = nseg ? bases[nseg - 1] : 0;
	free(bases);
	if (nseg > 0 && f->segfd >= 0 && f->seg_base == newest && fstat(f->segfd, &st) == 0 &&
	    (uint64_t)st.st_size == f->seg_size)
		return 0;
	given = next_load(f);
	if (nseg == 0)
		newest = given;
	if (!segment_is_current(f, newest)) {
		if (open_segment(f, newest, 1) < 0)
			return -1;
		f->seg_size = 0;
		f->next_offset = newest;
	}
	if (fstat(f->segfd, &st) < 0)
		return -1;
	if ((complete = segment_complete_size(f->segfd, st.st_size)) < 0)
		return -1;
	if (complete < st.st_size) {
		warnmsg("%s: cutting a torn last line (%lld bytes) left by an interrupted writer",
		    f->dir, (long long)(st.st_size - complete));
		if (ftruncate(f->segfd, complete) < 0)
			return -1;
	}
	if ((uint64_t)complete < f->seg_size) {
		/* shorter than we left it: trust nothing we remembered */
		f->seg_size = 0;
		f->next_offset = f->seg_base;
	}
	if (f->seg_size == 0) {
		n = index_load(f->dirfd, f->seg_base, f->segfd, complete, &idx);
		last = index_find(idx, n, f->seg_base, UINT64_MAX);
		free(idx);
		f->seg_size = last.pos;
		f->next_offset = last.offset;
	}
	next = segment_count(f->segfd, f->seg_size, complete, f->next_offset, index_add, f);
	if (next < 0)
		return -1;
	f->next_offset = next;
	f->seg_size = complete;
	return skip_given_offsets(f, given);
}

static void
fail_line(struct file_producer *f, const char *line, size_t len, uint64_t tag, const char *reason)
{
	f->base.failed++;
	f->base.fail_tag = tag;
	if (f->base.on_fail)
		f->base.on_fail(f->base.fail_ctx, line, len, reason);
	f->base.fail_tag = 0;
}

static void
fail_batch(struct file_producer *f, const char *reason)
{
	size_t i, start = 0;

	for (i = 0; i < f->nbatch; start = f->lines[i++].end)
		fail_line(f, f->batch + start, f->lines[i].end - start - 1, f->lines[i].tag, reason);
}

/* Under the lock, after a roll: drop the oldest segments the retention
   policy no longer keeps; never the one being written. Readers still in a
   dropped segment read on from their open descriptor. */
static void
apply_retention(struct file_producer *f)
{
	int64_t now = clock_real_ns() / 1000000000;
	char name[SEGMENT_NAME_MAX];
	struct file_retention keep;
	uint64_t *bases;
	struct stat st;
	int n, i;

	retention_load(f->dirfd, f->dir, &keep);
	if ((!keep.segments && !keep.age && !keep.events) || (n = segment_list(f->dirfd, &bases)) < 0)
		return;
	for (i = 0; i < n - 1; i++) {
		segment_name(bases[i], name);
		if (!(keep.segments && (uint64_t)(n - i) > keep.segments) &&
		    !(keep.age && fstatat(f->dirfd, name, &st, 0) == 0 && now - st.st_mtime > keep.age) &&
		    !(keep.events && f->next_offset - bases[i + 1] >= keep.events))
			break;
		if (unlinkat(f->dirfd, name, 0) < 0)
			break;
		index_name(bases[i], name);
		unlinkat(f->dirfd, name, 0);
	}
	free(bases);
}

static int
append_batch(struct file_producer *f)
{
	uint64_t pos;
	size_t i;

	if (sync_end(f) < 0)
		return -1;
	if (f->seg_size >= f->segment_bytes) {
		if (open_segment(f, f->next_offset, 1) < 0)
			return -1;
		f->seg_size = 0;
		if (f->sync)
			fsync(f->dirfd);
		apply_retention(f);
	}
	if (write_all(f->segfd, f->batch, f->len) < 0) {
		int e = errno;

		/* take back a partial batch: readers never see half of it for long */
		if (ftruncate(f->segfd, f->seg_size) < 0)
			warnmsg("%s: cannot cut a partial write: %s", f->dir, strerror(errno));
		errno = e;
		return -1;
	}
	if (f->sync && fdatasync(f->segfd) < 0)
		return -1;
	/* the lines hold no newline (the producer's contract): line i ends
	   record next_offset + i + 1, indexed every FILE_INDEX_INTERVAL */
	pos = f->seg_size;
	for (i = FILE_INDEX_INTERVAL - 1 - f->next_offset % FILE_INDEX_INTERVAL; i < f->nbatch;
	    i += FILE_INDEX_INTERVAL)
		index_add(f, f->next_offset + i + 1, pos + f->lines[i].end);
	f->next_offset += f->nbatch;
	f->seg_size += f->len;
	next_store(f);
	return 0;
}

static int
file_flush(struct producer *p)
{
	struct file_producer *f = (struct file_producer *)p;
	int r;

	if (f->len == 0)
		return 0;
	while (flock(f->lockfd, LOCK_EX) < 0)
		if (errno != EINTR)
			goto fail;
	r = append_batch(f);
	flock(f->lockfd, LOCK_UN);
	if (r == 0) {
		/* the batch's lines took the offsets up to next_offset */
		if (p->on_stored)
			p->on_stored(p->stored_ctx, 0, (int64_t)(f->next_offset - f->nbatch),
			    (int64_t)f->next_offset - 1);
		f->len = 0;
		f->nbatch = 0;
		return 0;
	}
fail:
	f->error = errno;
	warnmsg("%s: %s", f->dir, strerror(errno));
	fail_batch(f, strerror(errno));
	f->len = 0;
	f->nbatch = 0;
	return EX_FLOW_IOERR;
}

static int
file_send(struct producer *p, const char *line, size_t len, const struct ce_event *ev)
{
	struct file_producer *f = (struct file_producer *)p;
	int r;

	(void)ev;
	if (f->len + len + 1 > f->cap) {
		if (f->len > 0 && (r = file_flush(p)) != 0) {
			/* not taken: reported with the batch before it, not lost */
			fail_line(f, line, len, p->tag, strerror(f->error));
			return r;
		}
		if (len + 1 > f->cap)
			f->batch = xrealloc(f->batch, f->cap = len + 1);
	}
	/* as many entries as lines: bounded by the batch, like the lines */
	if (f->nbatch == f->lines_cap)
		f->lines = xrealloc(f->lines, (f->lines_cap = f->lines_cap ? 2 * f->lines_cap : 1024) *
		    sizeof *f->lines);
	memcpy(f->batch + f->len, line, len);
	f->len += len;
	f->batch[f->len++] = '\n';
	f->lines[f->nbatch].end = f->len;
	f->lines[f->nbatch++].tag = p->tag;
	return 0;
}

static void
file_close(struct producer *p)
{
	struct file_producer *f = (struct file_producer *)p;

	close_segment(f);
	close(f->nextfd);
	close(f->lockfd);
	close(f->dirfd);
	free(f->lines);
	free(f->batch);
	free(f->dir);
	free(f);
}

static const struct producer_ops file_producer_ops = {
	file_send, file_flush, file_flush, producer_mark_by_flush, producer_settled_at_once, file_close,
};

struct producer *
file_producer_open(const char *dir, const struct broker_opts *o, int *status)
{
	struct file_producer *f;
	const char *env = getenv("FLOW_FILE_SEGMENT_BYTES");
	int64_t seg = FILE_SEGMENT_BYTES;
	int dirfd, lockfd, nextfd;

	if (env && parse_int64(env, 1, INT64_MAX, &seg) < 0) {
		warnmsg("FLOW_FILE_SEGMENT_BYTES: not a positive number: %s", env);
		*status = EX_FLOW_CONFIG;
		return NULL;
	}
	if (mkdir_p(dir) < 0 || (dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		warnmsg("%s: %s", dir, strerror(errno));
		*status = errno == EACCES ? EX_FLOW_NOPERM : EX_FLOW_IOERR;
		return NULL;
	}
	if ((lockfd = openat(dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0666)) < 0) {
		warnmsg("%s/lock: %s", dir, strerror(errno));
		*status = errno == EACCES ? EX_FLOW_NOPERM : EX_FLOW_IOERR;
		close(dirfd);
		return NULL;
	}
	if ((nextfd = openat(dirfd, "next", O_RDWR | O_CREAT | O_CLOEXEC, 0666)) < 0) {
		warnmsg("%s/next: %s", dir, strerror(errno));
		*status = errno == EACCES ? EX_FLOW_NOPERM : EX_FLOW_IOERR;
		close(lockfd);
		close(dirfd);
		return NULL;
	}
	f = xcalloc(1, sizeof *f);
	f->base.ops = &file_producer_ops;
	f->dir = xstrdup(dir);
	f->dirfd = dirfd;
	f->lockfd = lockfd;
	f->nextfd = nextfd;
	f->sync = o->sync;
	f->segment_bytes = seg;
	f->cap = BATCH_BYTES;
	f->batch = xmalloc(f->cap);
	f->segfd = f->idxfd = -1;
	return &f->base;
}
