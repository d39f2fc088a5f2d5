/* filelog-test: the cases of filelog.test through lib/common/filelog
   (unit.h, README), each in a directory of its own under $TMPDIR. */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filelog.h"
#include "unit.h"

/* Entries written "OFFSET@POS OFFSET@POS ..." into at most max; the count, or -1. */
static int
parse_entries(const char *s, struct index_entry *e, int max)
{
	unsigned long long off, pos;
	int n = 0, used;

	while (*s) {
		if (n == max || sscanf(s, "%llu@%llu%n", &off, &pos, &used) != 2)
			return -1;
		e[n++] = (struct index_entry){ off, pos };
		s += used;
		s += *s == ' ';
	}
	return n;
}

static void
put_entry(struct unit_out *out, struct index_entry e)
{
	unit_printf(out, "%s%llu@%llu", out->len ? " " : "", (unsigned long long)e.offset,
	    (unsigned long long)e.pos);
}

/* segment_count's callback: each index entry it would write */
static void
add_entry(void *ctx, uint64_t offset, uint64_t pos)
{
	unit_printf(ctx, "index %llu@%llu ", (unsigned long long)offset, (unsigned long long)pos);
}

/* Write len bytes of data to name in dirfd; the fd, open for reading, or -1. */
static int
make_file(int dirfd, const char *name, const char *data, size_t len)
{
	int fd = openat(dirfd, name, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd >= 0 && len && write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return fd;
}

/* list: the bases segment_list finds among files named in s */
static int
check_list(int dirfd, char *names, struct unit_out *out)
{
	uint64_t *bases;
	char *name;
	int n, i, fd;

	for (name = strtok(names, " "); name; name = strtok(NULL, " ")) {
		if ((fd = make_file(dirfd, name, "", 0)) < 0)
			return -1;
		close(fd);
	}
	if ((n = segment_list(dirfd, &bases)) < 0)
		return -1;
	for (i = 0; i < n; i++)
		unit_printf(out, "%s%llu", i ? " " : "", (unsigned long long)bases[i]);
	free(bases);
	return 0;
}

/* count: segment_count over the complete lines, from offset; complete:
   segment_complete_size; index: what index_load keeps of an index file */
static int
check_segment(int dirfd, const struct unit_case *c, struct unit_out *out)
{
	const char *op = c->field[0];
	int index = strcmp(op, "index") == 0, data = index ? 2 : 1;  /* the field of the segment's bytes */
	struct index_entry e[16], *loaded;
	long long offset, base = 0;
	char name[SEGMENT_NAME_MAX];
	int64_t size;
	size_t n, i;
	int fd, ne = 0, r = -1;

	if (c->nfields < 3 || c->nfields < data + 2)
		return -1;
	if (index) {
		if (c->nfields != 5 || unit_number(c, 3, &base) < 0 ||
		    (ne = parse_entries(c->field[1], e, 16)) < 0)
			return -1;
		index_name(base, name);
		if ((fd = make_file(dirfd, name, (const char *)e, ne * sizeof *e)) < 0)
			return -1;
		close(fd);
	}
	segment_name(base, name);
	if ((fd = make_file(dirfd, name, c->field[data], c->len[data])) < 0)
		return -1;
	size = segment_complete_size(fd, lseek(fd, 0, SEEK_END));
	if (strcmp(op, "complete") == 0 && c->nfields == 3) {
		unit_printf(out, "%lld", (long long)size);
		r = 0;
	} else if (strcmp(op, "count") == 0 && c->nfields == 4 && unit_number(c, 2, &offset) == 0) {
		unit_printf(out, "next %lld", (long long)segment_count(fd, 0, size, offset, add_entry, out));
		r = 0;
	} else if (index) {
		n = index_load(dirfd, base, fd, lseek(fd, 0, SEEK_END), &loaded);
		for (i = 0; i < n; i++)
			put_entry(out, loaded[i]);
		free(loaded);
		r = 0;
	}
	close(fd);
	return r;
}

static int
check_in(int dirfd, const struct unit_case *c, struct unit_out *out)
{
	const char *op = c->field[0];
	struct index_entry e[16];
	long long a, b;
	char seg[SEGMENT_NAME_MAX], idx[SEGMENT_NAME_MAX];
	int n;

	if (strcmp(op, "name") == 0 && c->nfields == 3 && unit_number(c, 1, &a) == 0) {
		segment_name(a, seg);
		index_name(a, idx);
		unit_printf(out, "%s %s", seg, idx);
		return 0;
	}
	if (strcmp(op, "find") == 0 && c->nfields == 5 && unit_number(c, 2, &a) == 0 &&
	    unit_number(c, 3, &b) == 0 && (n = parse_entries(c->field[1], e, 16)) >= 0) {
		put_entry(out, index_find(e, n, a, b));
		return 0;
	}
	if (strcmp(op, "list") == 0 && c->nfields == 3)
		return check_list(dirfd, c->field[1], out);
	return check_segment(dirfd, c, out);
}

/* Each case in a new directory, removed after it. */
static int
check(const struct unit_case *c, struct unit_out *out)
{
	const char *tmp = getenv("TMPDIR");
	char dir[4096];
	struct dirent *de;
	DIR *d;
	int dirfd, r;

	snprintf(dir, sizeof dir, "%s/filelog-test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir) || (dirfd = open(dir, O_RDONLY | O_DIRECTORY)) < 0) {
		perror(dir);
		return -1;
	}
	r = check_in(dirfd, c, out);
	if ((d = fdopendir(dirfd))) {
		rewinddir(d);  /* segment_list read it through a dup: the offset is shared */
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
				unlinkat(dirfd, de->d_name, 0);
		closedir(d);
	} else
		close(dirfd);
	if (rmdir(dir) < 0) {
		perror(dir);
		return -1;
	}
	return r;
}

int
main(int argc, char **argv)
{
	return unit_main(argc, argv, check);
}
