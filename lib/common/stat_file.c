/* The figures of a file flow (flowstat.h) from its directory: the segment
   names give the offsets, the sparse index and at most FILE_INDEX_INTERVAL
   lines of counting give the end, and a few lines are read for the times,
   so that a flow of any size answers in milliseconds. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ce.h"
#include "file_read.h"
#include "filelog.h"
#include "flowstat.h"
#include "rfc3339.h"
#include "uri.h"
#include "util.h"

#define CHUNK (64 * 1024)

/* A segment as it is being looked at. */
struct segment {
	int fd;
	uint64_t base, size;   /* size: up to its last newline */
};

static int
segment_open(int dirfd, uint64_t base, struct segment *s)
{
	char name[SEGMENT_NAME_MAX];
	struct stat st;
	int64_t size;

	segment_name(base, name);
	if ((s->fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(s->fd, &st) < 0 || (size = segment_complete_size(s->fd, st.st_size)) < 0) {
		close(s->fd);
		return -1;
	}
	s->base = base;
	s->size = (uint64_t)size;
	return 0;
}

/* The time of the event in line[0..len), or STAT_UNKNOWN. */
static int64_t
line_time(const char *line, size_t len)
{
	struct ce_event ev;
	struct ce_error err;
	const struct json_span *t;
	int64_t ns;

	if (ce_parse(&ev, line, len, CE_ALLOW_NO_ID, &err) < 0 || !(t = ce_get(&ev, "time", 4)) ||
	    t->type != JSON_STRING || rfc3339_parse(t->p + 1, t->len - 2, &ns) < 0)
		return STAT_UNKNOWN;
	return ns;
}

/* The time of the event whose line starts at pos. */
static int64_t
time_at(const struct segment *s, uint64_t pos)
{
	size_t cap = CHUNK, len = 0;
	char *buf = xmalloc(cap);
	int64_t t = STAT_UNKNOWN;
	ssize_t n;
	char *nl;

	while (pos + len < s->size && len <= CE_LINE_MAX) {
		if (cap - len < CHUNK)
			buf = xrealloc(buf, cap *= 2);
		if ((n = pread(s->fd, buf + len, CHUNK, (off_t)(pos + len))) <= 0)
			break;
		if ((nl = memchr(buf + len, '\n', (size_t)n))) {
			t = line_time(buf, (size_t)(nl - buf));
			break;
		}
		len += (size_t)n;
	}
	free(buf);
	return t;
}

/* The position after count more lines from pos, or -1 when the segment
   ends first. */
static int64_t
skip_lines(const struct segment *s, uint64_t pos, uint64_t count)
{
	char buf[CHUNK], *p, *e;
	ssize_t n;

	while (count > 0) {
		if (pos >= s->size || (n = pread(s->fd, buf, sizeof buf, (off_t)pos)) <= 0)
			return -1;
		for (p = buf, e = buf + n; count > 0 && (p = memchr(p, '\n', e - p)); p++)
			count--;
		pos += count > 0 ? (uint64_t)n : (uint64_t)(p - buf);
	}
	return (int64_t)pos;
}

/* Where the line of record offset starts in s, found from the index: -1
   when s does not hold it. */
static int64_t
record_pos(int dirfd, const struct segment *s, uint64_t offset)
{
	struct index_entry *e, at;
	size_t n = index_load(dirfd, s->base, s->fd, s->size, &e);

	at = index_find(e, n, s->base, offset);
	free(e);
	return skip_lines(s, at.pos, offset - at.offset);
}

/* The start of the last line of s, or -1 when it is empty. */
static int64_t
last_line_pos(const struct segment *s)
{
	char buf[CHUNK];
	uint64_t end = s->size - 1, from;  /* s->size - 1: the last newline */
	ssize_t n;
	char *nl;

	if (s->size == 0)
		return -1;
	while (end > 0) {
		from = end > sizeof buf ? end - sizeof buf : 0;
		if ((n = pread(s->fd, buf, end - from, (off_t)from)) <= 0)
			return -1;
		if ((nl = memrchr(buf, '\n', (size_t)n)))
			return (int64_t)(from + (uint64_t)(nl - buf) + 1);
		end = from;
	}
	return 0;
}

/* The offset after the last record of s: the last index entry, then
   counting the lines after it. */
static uint64_t
segment_end(int dirfd, const struct segment *s)
{
	struct index_entry *e, at;
	size_t n = index_load(dirfd, s->base, s->fd, s->size, &e);
	int64_t end;

	at = index_find(e, n, s->base, UINT64_MAX);
	free(e);
	end = segment_count(s->fd, at.pos, s->size, at.offset, NULL, NULL);
	return end < 0 ? at.offset : (uint64_t)end;
}

/* The names in groups/ that q lists, malloc'd (none when there is no
   such directory). */
static size_t
group_names(int dirfd, const struct stat_query *q, char ***names)
{
	size_t n = 0;
	struct dirent *d;
	DIR *dir;
	int fd;

	*names = NULL;
	if ((fd = openat(dirfd, "groups", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || !(dir = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((d = readdir(dir)))
		if (group_name_check(d->d_name) == 0 && stat_group_listed(q, d->d_name)) {
			*names = xrealloc(*names, (n + 1) * sizeof **names);
			(*names)[n++] = xstrdup(d->d_name);
		}
	closedir(dir);
	return n;
}

/* The time of record offset, the segment that holds it found among the n
   bases. */
static int64_t
record_time(int dirfd, const uint64_t *bases, int n, uint64_t offset)
{
	struct segment s;
	int64_t pos, t = STAT_UNKNOWN;
	int i = n - 1;

	while (i > 0 && bases[i] > offset)
		i--;
	if (n == 0 || segment_open(dirfd, bases[i], &s) < 0)
		return t;
	if ((pos = record_pos(dirfd, &s, offset)) >= 0)
		t = time_at(&s, (uint64_t)pos);
	close(s.fd);
	return t;
}

static void
stat_groups(int dirfd, const char *dir, const uint64_t *bases, int nseg,
    const struct stat_query *q, struct flow_stat *st)
{
	char **names = q->groups;
	size_t i, n = q->ngroups ? (size_t)q->ngroups : group_names(dirfd, q, &names);
	uint64_t held_end = st->first + st->events;
	struct group_stat *g;
	int64_t off, t;

	st->groups = xcalloc(n ? n : 1, sizeof *st->groups);
	for (i = 0; i < n; i++) {
		if ((off = group_file_read(dirfd, names[i])) < 0) {
			warnmsg("%s: no group %s", dir, names[i]);
			st->missing_groups++;
			continue;
		}
		g = &st->groups[st->ngroups++];
		g->name = xstrdup(names[i]);
		g->offset = (uint64_t)off;
		off = g->offset > st->first ? off : (int64_t)st->first;  /* what is still held */
		g->lag = held_end > (uint64_t)off ? held_end - (uint64_t)off : 0;
		g->age_ns = 0;
		if (g->lag && (t = record_time(dirfd, bases, nseg, (uint64_t)off)) != STAT_UNKNOWN)
			g->age_ns = q->now_ns - t;
		else if (g->lag)
			g->age_ns = STAT_UNKNOWN;
	}
	if (!q->ngroups) {
		for (i = 0; i < n; i++)
			free(names[i]);
		free(names);
	}
}

/* Events, bytes, offsets and times from the n segments. */
static int
stat_segments(int dirfd, const char *dir, const uint64_t *bases, int n, struct flow_stat *st)
{
	struct segment s;
	int64_t pos;
	int i;

	for (i = 0; i < n; i++) {
		if (segment_open(dirfd, bases[i], &s) < 0) {
			warnmsg("%s: segment %d: %s", dir, i, strerror(errno));
			return EX_FLOW_IOERR;
		}
		st->bytes += s.size;
		if (i == 0 && s.size)
			st->oldest_ns = time_at(&s, 0);
		if (i == n - 1) {
			st->next = segment_end(dirfd, &s);
			if ((pos = last_line_pos(&s)) >= 0)
				st->newest_ns = time_at(&s, (uint64_t)pos);
		}
		close(s.fd);
	}
	if (n) {
		st->first = bases[0];
		/* offsets run on across segments; a gap (segments deleted by
		   hand from the middle) is counted as held */
		st->events = st->next > st->first ? st->next - st->first : 0;
	}
	return 0;
}

int
stat_file(const struct flow_url *u, const struct broker_opts *o, const struct stat_query *q,
    struct flow_stat *st)
{
	const char *dir = u->path;
	uint64_t *bases = NULL;
	int dirfd, fd, n, status;

	(void)o;
	int64_t given = -1;
	struct file_retention keep;

	st->oldest_ns = st->newest_ns = STAT_UNKNOWN;
	if ((dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		warnmsg("%s: %s", dir, errno == ENOENT ? "no such flow" : strerror(errno));
		return errno == ENOENT ? 1 : EX_FLOW_IOERR;
	}
	if ((n = segment_list(dirfd, &bases)) < 0) {
		warnmsg("%s: %s", dir, strerror(errno));
		close(dirfd);
		return EX_FLOW_IOERR;
	}
	status = stat_segments(dirfd, dir, bases, n, st);
	if ((fd = openat(dirfd, "next", O_RDONLY | O_CLOEXEC)) >= 0) {
		given = next_file_read(fd);
		close(fd);
	}
	if (given > 0 && (uint64_t)given > st->next) {
		st->next = (uint64_t)given;   /* the newest segments were deleted */
		if (!n)
			st->first = st->next;
	}
	retention_load(dirfd, dir, &keep);
	st->retain_seconds = keep.age ? keep.age : -1;
	st->retain_segments = keep.segments ? (int64_t)keep.segments : -1;
	st->retain_events = keep.events ? (int64_t)keep.events : -1;
	if (status == 0)
		stat_groups(dirfd, dir, bases, n, q, st);
	stat_one_part(st);
	free(bases);
	close(dirfd);
	return status;
}
