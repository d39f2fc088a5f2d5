#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filelog.h"
#include "util.h"

void
segment_name(uint64_t base, char out[SEGMENT_NAME_MAX])
{
	snprintf(out, SEGMENT_NAME_MAX, "%020" PRIu64 ".ndjson", base);
}

void
index_name(uint64_t base, char out[SEGMENT_NAME_MAX])
{
	snprintf(out, SEGMENT_NAME_MAX, "%020" PRIu64 ".index", base);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
segment_list(int dirfd, uint64_t **bases)
{
	DIR *d;
	struct dirent *de;
	size_t n = 0, cap = 16;
	uint64_t *v;
	int fd;

	if ((fd = dup(dirfd)) < 0)
		return -1;
	if (!(d = fdopendir(fd))) {
		close(fd);
		return -1;
	}
	rewinddir(d);
	v = xmalloc(cap * sizeof *v);
	while ((de = readdir(d))) {
		const char *s = de->d_name;
		size_t len = strlen(s);

		if (len != 27 || strcmp(s + 20, ".ndjson") != 0 || strspn(s, "0123456789") != 20)
			continue;
		if (n == cap)
			v = xrealloc(v, (cap *= 2) * sizeof *v);
		v[n++] = strtoull(s, NULL, 10);
	}
	closedir(d);
	qsort(v, n, sizeof *v, cmp_u64);
	*bases = v;
	return (int)n;
}

/* 1 if pos is 0 or the byte before it is a newline. */
static int
at_line_start(int segfd, uint64_t pos)
{
	char c;

	return pos == 0 || (pread(segfd, &c, 1, pos - 1) == 1 && c == '\n');
}

size_t
index_load(int dirfd, uint64_t base, int segfd, uint64_t size, struct index_entry **out)
{
	char name[SEGMENT_NAME_MAX];
	struct index_entry *e = NULL;
	struct stat st;
	size_t n = 0, i;
	ssize_t r;
	int fd;

	*out = NULL;
	index_name(base, name);
	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	/* the index is bounded by the segment size: one entry per 1024 lines */
	if (fstat(fd, &st) == 0 && st.st_size >= (off_t)sizeof *e) {
		n = st.st_size / sizeof *e;
		e = xmalloc(n * sizeof *e);
		r = pread(fd, e, n * sizeof *e, 0);
		n = r > 0 ? (size_t)r / sizeof *e : 0;
	}
	close(fd);
	for (i = 0; i < n; i++) {
		uint64_t prev_off = i ? e[i - 1].offset : base, prev_pos = i ? e[i - 1].pos : 0;

		if (e[i].offset <= prev_off || e[i].pos <= prev_pos || e[i].pos > size ||
		    e[i].offset - prev_off > e[i].pos - prev_pos)
			break;
	}
	n = i;
	/* the last entry is checked against the data: the rest was written before it */
	while (n > 0 && !at_line_start(segfd, e[n - 1].pos))
		n--;
	*out = e;
	return n;
}

struct index_entry
index_find(const struct index_entry *e, size_t n, uint64_t base, uint64_t offset)
{
	struct index_entry best = { base, 0 };
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (e[mid].offset <= offset) {
			best = e[mid];
			lo = mid + 1;
		} else
			hi = mid;
	}
	return best;
}

int64_t
segment_count(int segfd, uint64_t pos, uint64_t size, uint64_t offset,
    void (*add)(void *ctx, uint64_t offset, uint64_t pos), void *ctx)
{
	/* not static: readers may have threads of their own; and another
	   writer's append is mostly small, so no more than it needs */
	size_t cap = size - pos < 1 << 20 ? size - pos : 1 << 20;
	char *buf = xmalloc(cap);
	const char *p, *end, *nl;
	ssize_t r;

	while (pos < size) {
		r = pread(segfd, buf, size - pos < cap ? size - pos : cap, pos);
		if (r <= 0) {
			free(buf);
			return -1;
		}
		for (p = buf, end = buf + r; (nl = memchr(p, '\n', end - p)); p = nl + 1) {
			offset++;
			if (add && offset % FILE_INDEX_INTERVAL == 0)
				add(ctx, offset, pos + (nl + 1 - buf));
		}
		pos += r;
	}
	free(buf);
	return (int64_t)offset;
}

int64_t
segment_complete_size(int segfd, uint64_t size)
{
	char buf[4096];
	uint64_t pos = size;
	ssize_t r, i;

	while (pos > 0) {
		uint64_t from = pos > sizeof buf ? pos - sizeof buf : 0;

		if ((r = pread(segfd, buf, pos - from, from)) <= 0)
			return -1;
		for (i = r - 1; i >= 0; i--)
			if (buf[i] == '\n')
				return from + i + 1;
		pos = from;
	}
	return 0;
}

void
retention_load(int dirfd, const char *dir, struct file_retention *r)
{
	char line[128];
	FILE *fp;
	int fd;
	long long v;

	*r = (struct file_retention){ 0 };
	if ((fd = openat(dirfd, "retention", O_RDONLY | O_CLOEXEC)) < 0 || !(fp = fdopen(fd, "r"))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while (fgets(line, sizeof line, fp)) {
		if (sscanf(line, " segments %lld", &v) == 1 && v > 0)
			r->segments = v;
		else if (sscanf(line, " age %lld", &v) == 1 && v > 0)
			r->age = v;
		else if (sscanf(line, " events %lld", &v) == 1 && v > 0)
			r->events = v;
		else if (line[strspn(line, " \t")] != '#' && line[strspn(line, " \t\n")] != '\0')
			warnmsg("%s/retention: ignored: %.*s", dir, (int)strcspn(line, "\n"), line);
	}
	fclose(fp);
}

int64_t
group_file_read(int dirfd, const char *group)
{
	char path[160];
	int64_t v;
	int fd;

	snprintf(path, sizeof path, "groups/%s", group);
	if ((fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	v = next_file_read(fd);
	close(fd);
	return v;
}

int64_t
next_file_read(int fd)
{
	char text[32];
	ssize_t n = pread(fd, text, sizeof text - 1, 0);
	int64_t v;

	if (n <= 0)
		return -1;
	text[n] = '\0';
	text[strcspn(text, "\n")] = '\0';
	return parse_int64(text, 0, INT64_MAX, &v) < 0 ? -2 : v;
}
