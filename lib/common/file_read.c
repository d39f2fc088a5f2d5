#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ce.h"
#include "file_read.h"
#include "filelog.h"
#include "rfc3339.h"
#include "util.h"

#define READ_BYTES (1024 * 1024)
#define POLL_MS 50       /* without inotify, unless FLOW_FILE_POLL_MS says */
#define RECHECK_MS 1000  /* with inotify, in case an event was missed */

struct file_consumer {
	struct consumer base;
	char *dir;
	int dirfd;
	char *group;
	int sync;
	int stop_at_end;
	int notifyfd;
	int poll_ms;         /* interval of polling, when there is no inotify */
	int segfd;
	uint64_t seg_base;
	uint64_t pos;        /* file position of buf[0] */
	char *buf;
	size_t cap, start, end;
	uint64_t offset;     /* of the next record to hand out */
	uint64_t wanted;     /* the offset sought, when the log ended before it */
	int64_t seek_time;   /* -o @TIME: skip records before it (0: no) */
};

int
group_name_check(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 128 || name[0] == '.')
		return -1;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n ? 0 : -1;
}

static int
group_load(struct file_consumer *c, uint64_t *offset)
{
	int64_t v = group_file_read(c->dirfd, c->group);

	if (v == -2)
		warnmsg("%s/groups/%s: not an offset; ignored", c->dir, c->group);
	if (v < 0)
		return -1;
	*offset = (uint64_t)v;
	return 0;
}

static void
file_position(struct consumer *cons, struct position *pos)
{
	struct file_consumer *c = (struct file_consumer *)cons;

	/* waiting past the end, a group keeps its offset: it is not moved back */
	pos->next = xmalloc(sizeof *pos->next);
	pos->next[0] = (int64_t)(c->offset > c->wanted ? c->offset : c->wanted);
	pos->n = 1;
}

/* Write the group's offset to a temporary file and rename it over the old one. */
static int
file_commit(struct consumer *cons, const struct position *pos)
{
	struct file_consumer *c = (struct file_consumer *)cons;
	char tmp[200], path[160], text[32];
	int fd, n;

	if (!c->group)
		return 0;
	if (mkdirat(c->dirfd, "groups", 0777) < 0 && errno != EEXIST)
		goto fail;
	snprintf(path, sizeof path, "groups/%s", c->group);
	snprintf(tmp, sizeof tmp, "groups/.%s.%ld", c->group, (long)getpid());
	n = snprintf(text, sizeof text, "%" PRId64 "\n", pos->next[0]);
	if ((fd = openat(c->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) < 0)
		goto fail;
	if (write(fd, text, n) != n || (c->sync && fsync(fd) < 0)) {
		close(fd);
		unlinkat(c->dirfd, tmp, 0);
		goto fail;
	}
	close(fd);
	if (renameat(c->dirfd, tmp, c->dirfd, path) < 0)
		goto fail;
	return 0;
fail:
	warnmsg("%s: group %s: cannot store the offset: %s", c->dir, c->group, strerror(errno));
	return EX_FLOW_IOERR;
}

static int
open_segment(struct file_consumer *c, uint64_t base)
{
	char name[SEGMENT_NAME_MAX];
	int fd;

	segment_name(base, name);
	if ((fd = openat(c->dirfd, name, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (c->segfd >= 0)
		close(c->segfd);
	c->segfd = fd;
	c->seg_base = base;
	c->pos = 0;
	c->start = c->end = 0;
	c->offset = base;
	return 0;
}

/* The base of the segment after the current one (the first one when none
   is open yet), or -1 if there is none. */
static int64_t
next_segment(struct file_consumer *c)
{
	uint64_t *bases;
	int n, i;
	int64_t r = -1;

	if ((n = segment_list(c->dirfd, &bases)) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (bases[i] > c->seg_base || (c->segfd < 0 && bases[i] == c->seg_base)) {
			r = bases[i];
			break;
		}
	free(bases);
	return r;
}

/* Go on in the segment at base, saying so when records before it that
   were wanted are gone (a segment deleted by hand, or expired while this
   reader was behind): a gap in the offsets is never passed in silence. */
static int
step_to_segment(struct file_consumer *c, uint64_t base)
{
	uint64_t from = c->offset > c->wanted ? c->offset : c->wanted;

	if (base > from)
		warnmsg("%s: records %" PRIu64 " to %" PRIu64 " are gone (segments deleted); reading on at %"
		    PRIu64, c->dir, from, base - 1, base);
	c->wanted = 0;
	return open_segment(c, base);
}

/* Read more of the segment after the unread bytes; 1 got some, 0 at its end. */
static int
refill(struct file_consumer *c)
{
	ssize_t r;

	if (c->start > 0) {
		memmove(c->buf, c->buf + c->start, c->end - c->start);
		c->pos += c->start;
		c->end -= c->start;
		c->start = 0;
	}
	if (c->end == c->cap) {
		/* a line longer than the buffer: not ours, say so and step over it */
		warnmsg("%s: record %" PRIu64 ": longer than %zu bytes; skipped", c->dir, c->offset, c->cap);
		c->pos += c->end;
		c->end = 0;
		for (;;) {
			char *nl;

			if ((r = pread(c->segfd, c->buf, c->cap, c->pos)) <= 0)
				return 0;
			if ((nl = memchr(c->buf, '\n', r))) {
				c->pos += nl + 1 - c->buf;
				c->offset++;
				break;
			}
			c->pos += r;
		}
	}
	while ((r = pread(c->segfd, c->buf + c->end, c->cap - c->end, c->pos + c->end)) < 0)
		if (errno != EINTR)
			return -1;
	c->end += r;
	return r > 0;
}

/* The log ends before offset (a group's, or -o N): wait at the end, and say
   so, for what is appended next is read, whatever its offset: a writer
   gives out offsets from its "next" file on, so the records before offset
   were removed, and moving back skips nothing new. */
static int
past_end(struct file_consumer *c, uint64_t offset)
{
	warnmsg("%s: record %" PRIu64 " is past the end of the flow (%" PRIu64
	    "): segments deleted? reading on from the end", c->dir, offset, c->offset);
	c->wanted = offset;
	return 0;
}

/* Position at record offset (or the end of the log before it). */
static int
seek_offset(struct file_consumer *c, uint64_t offset)
{
	uint64_t *bases, base = 0;
	struct index_entry *idx, e;
	struct stat st;
	int n, i;
	size_t ni;
	const char *nl;
	int64_t next;

	if ((n = segment_list(c->dirfd, &bases)) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (bases[i] <= offset || i == 0)
			base = bases[i];
	free(bases);
	if (n == 0) {
		c->seg_base = 0;
		c->offset = 0;
		return offset > 0 ? past_end(c, offset) : 0;
	}
	if (offset < base)
		warnmsg("%s: records before %" PRIu64 " are no longer kept (retention); starting there",
		    c->dir, base);
	if (open_segment(c, base) < 0 || fstat(c->segfd, &st) < 0)
		return -1;
	ni = index_load(c->dirfd, base, c->segfd, st.st_size, &idx);
	e = index_find(idx, ni, base, offset);
	free(idx);
	c->pos = e.pos;
	c->offset = e.offset;
	while (c->offset < offset) {
		if (!(nl = memchr(c->buf + c->start, '\n', c->end - c->start))) {
			if (refill(c) <= 0)
				break;  /* the log ends before offset: start at its end */
			continue;
		}
		c->start = nl + 1 - c->buf;
		c->offset++;
	}
	if (c->offset < offset) {
		/* short of offset: a gap up to the next segment, or the end */
		if ((next = next_segment(c)) >= 0) {
			c->wanted = offset;
			return step_to_segment(c, next);
		}
		return past_end(c, offset);
	}
	return 0;
}

/* The offset after the last whole record. */
static int64_t
end_offset(struct file_consumer *c)
{
	uint64_t *bases, base;
	struct index_entry *idx, e;
	struct stat st;
	int64_t complete, r;
	size_t ni;
	char name[SEGMENT_NAME_MAX];
	int n, fd;

	if ((n = segment_list(c->dirfd, &bases)) <= 0) {
		free(n == 0 ? bases : NULL);
		return n == 0 ? 0 : -1;
	}
	base = bases[n - 1];
	free(bases);
	segment_name(base, name);
	if ((fd = openat(c->dirfd, name, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0 ||
	    (complete = segment_complete_size(fd, st.st_size)) < 0)
		return -1;
	ni = index_load(c->dirfd, base, fd, complete, &idx);
	e = index_find(idx, ni, base, UINT64_MAX);
	free(idx);
	r = segment_count(fd, e.pos, complete, e.offset, NULL, NULL);
	close(fd);
	return r;
}

static int
first_offset(struct file_consumer *c, uint64_t *first)
{
	uint64_t *bases;
	int n = segment_list(c->dirfd, &bases);

	if (n < 0)
		return -1;
	*first = n ? bases[0] : 0;
	free(bases);
	return 0;
}

static int
start_at(struct file_consumer *c, const struct offset_spec *o)
{
	uint64_t first, stored;
	int64_t end;

	switch (o->kind) {
	case OFFSET_DEFAULT:
	case OFFSET_STORED:
		if (c->group && group_load(c, &stored) == 0)
			return seek_offset(c, stored);
		if (o->kind == OFFSET_STORED)
			return first_offset(c, &first) < 0 ? -1 : seek_offset(c, first);
		/* FALLTHROUGH */
	case OFFSET_END:
		if ((end = end_offset(c)) < 0)
			return -1;
		return seek_offset(c, end);
	case OFFSET_BEGINNING:
		return first_offset(c, &first) < 0 ? -1 : seek_offset(c, first);
	case OFFSET_ABS:
		return seek_offset(c, o->value);
	case OFFSET_FROM_END:
		if ((end = end_offset(c)) < 0 || first_offset(c, &first) < 0)
			return -1;
		return seek_offset(c, end - o->value > (int64_t)first ? (uint64_t)(end - o->value) : first);
	case OFFSET_TIME:
		c->seek_time = o->value;
		return first_offset(c, &first) < 0 ? -1 : seek_offset(c, first);
	}
	return -1;
}

/* Where o says, or with stored:SPEC where the group stands. A group that
   has no position yet and starts from the end (end, -N) stores where that
   is at once: started again before it read anything, it does not skip
   what came meanwhile. */
static int
start(struct file_consumer *c, const struct offset_spec *o)
{
	struct position pos;
	uint64_t stored;
	int r;

	if (!o->resume || !c->group)
		return start_at(c, o);
	if (group_load(c, &stored) == 0)
		return seek_offset(c, stored);
	if ((r = start_at(c, o)) == 0 && (o->kind == OFFSET_END || o->kind == OFFSET_FROM_END)) {
		file_position(&c->base, &pos);
		r = file_commit(&c->base, &pos) ? -1 : 0;
		position_free(&pos);
	}
	return r;
}

/* Wait up to ms for the log to change. */
static void
wait_change(struct file_consumer *c, int ms)
{
	char buf[4096];
	struct pollfd pfd = { .fd = c->notifyfd, .events = POLLIN };

	if (c->notifyfd < 0) {
		poll(NULL, 0, ms < 0 || ms > c->poll_ms ? c->poll_ms : ms);
		return;
	}
	if (poll(&pfd, 1, ms < 0 || ms > RECHECK_MS ? RECHECK_MS : ms) > 0)
		while (read(c->notifyfd, buf, sizeof buf) > 0)
			;
}

/* 1 if the record is before the time sought by -o @TIME. */
static int
before_seek_time(struct file_consumer *c, const char *line, size_t len)
{
	struct ce_event ev;
	struct ce_error err;
	const struct json_span *t;
	int64_t ns;

	if (ce_parse(&ev, line, len, 0, &err) < 0 || !(t = ce_get(&ev, "time", 4)) ||
	    rfc3339_parse(t->p + 1, t->len - 2, &ns) < 0)
		return 1;
	return ns < c->seek_time;
}

static int
file_next(struct consumer *cons, struct record *rec, int timeout_ms)
{
	struct file_consumer *c = (struct file_consumer *)cons;
	int64_t deadline = timeout_ms > 0 ? clock_ms() + timeout_ms : 0, next;
	char *nl;
	int r, left;

	for (;;) {
		if ((nl = memchr(c->buf + c->start, '\n', c->end - c->start))) {
			rec->line = c->buf + c->start;
			rec->len = nl - rec->line;
			rec->ev = NULL;  /* not parsed here */
			rec->offset = c->offset++;
			rec->partition = 0;
			c->start = nl + 1 - c->buf;
			c->wanted = 0;  /* a record after all: its offset is the position */
			if (c->seek_time && before_seek_time(c, rec->line, rec->len))
				continue;
			c->seek_time = 0;
			return 1;
		}
		if (c->segfd >= 0 && (r = refill(c)) != 0) {
			if (r < 0)
				goto fail;
			continue;
		}
		if (c->segfd < 0) {
			/* the flow had no segment when we started */
			if ((next = next_segment(c)) >= 0) {
				if (step_to_segment(c, next) < 0)
					goto fail;
				continue;
			}
		} else if ((next = next_segment(c)) > (int64_t)c->seg_base) {
			/* a newer segment: this one is complete once read again to its end */
			if ((r = refill(c)) < 0)
				goto fail;
			if (r > 0)
				continue;
			if (c->end > c->start)
				warnmsg("%s: segment %" PRIu64 ": torn last line skipped", c->dir, c->seg_base);
			if (step_to_segment(c, next) < 0)
				goto fail;
			continue;
		}
		/* a partial line is not ours yet: read it again when it is whole */
		c->end = c->start;
		if (c->stop_at_end)
			return CONSUMER_END;
		if (timeout_ms == 0)
			return 0;
		left = timeout_ms < 0 ? -1 : (int)(deadline - clock_ms());
		if (timeout_ms > 0 && left <= 0)
			return 0;
		wait_change(c, left);
		if (timeout_ms < 0)
			return 0;  /* let the caller look at signals and clocks */
	}
fail:
	warnmsg("%s: %s", c->dir, strerror(errno));
	c->base.status = EX_FLOW_IOERR;
	return CONSUMER_ERROR;
}

static void
file_close(struct consumer *cons)
{
	struct file_consumer *c = (struct file_consumer *)cons;

	if (c->segfd >= 0)
		close(c->segfd);
	if (c->notifyfd >= 0)
		close(c->notifyfd);
	close(c->dirfd);
	free(c->buf);
	free(c->group);
	free(c->dir);
	free(c);
}

static void
file_unread(struct consumer *cons)
{
	struct file_consumer *c = (struct file_consumer *)cons;
	const char *p = c->buf + c->start - 1;

	/* the line is still in the buffer, just before start */
	while (p > c->buf && p[-1] != '\n')
		p--;
	c->start = p - c->buf;
	c->offset--;
}

static const struct consumer_ops file_consumer_ops = {
	file_next, file_position, file_commit, file_close, file_unread,
};

struct consumer *
file_consumer_open(const char *dir, const struct broker_opts *o, int *status)
{
	struct file_consumer *c;
	const char *env = getenv("FLOW_FILE_POLL_MS");
	int64_t poll_ms = 0;
	int dirfd;

	if (env && parse_int64(env, 1, 60000, &poll_ms) < 0) {
		warnmsg("FLOW_FILE_POLL_MS: not a number of milliseconds (1-60000): %s", env);
		*status = EX_FLOW_CONFIG;
		return NULL;
	}
	if (o->group && group_name_check(o->group) < 0) {
		warnmsg("%s: bad group name (1-128 of A-Z a-z 0-9 . _ -)", o->group);
		*status = EX_FLOW_USAGE;
		return NULL;
	}
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		warnmsg("%s: %s", dir, errno == ENOENT ? "no such flow" : strerror(errno));
		*status = errno == ENOENT ? EX_FLOW_NEGATIVE : errno == EACCES ? EX_FLOW_NOPERM : EX_FLOW_IOERR;
		return NULL;
	}
	c = xcalloc(1, sizeof *c);
	c->base.ops = &file_consumer_ops;
	c->dir = xstrdup(dir);
	c->dirfd = dirfd;
	c->group = o->group ? xstrdup(o->group) : NULL;
	c->sync = o->sync;
	c->stop_at_end = o->stop_at_end;
	c->segfd = -1;
	c->cap = CE_LINE_MAX + READ_BYTES;
	c->buf = xmalloc(c->cap);
	c->notifyfd = -1;
	c->poll_ms = poll_ms ? (int)poll_ms : POLL_MS;
	/* network filesystems do not tell inotify of other hosts' writes: poll */
	if (!o->stop_at_end && !poll_ms && (c->notifyfd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) >= 0 &&
	    inotify_add_watch(c->notifyfd, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0) {
		close(c->notifyfd);
		c->notifyfd = -1;
	}
	if (start(c, &o->start) < 0) {
		warnmsg("%s: %s", dir, strerror(errno));
		*status = EX_FLOW_IOERR;
		file_close(&c->base);
		return NULL;
	}
	return &c->base;
}
