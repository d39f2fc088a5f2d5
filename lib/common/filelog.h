/* filelog: the on-disk layout of a file flow, shared by its appender and
   its readers: segment names, index entries, recovery of the end. */
#ifndef FLOW_FILELOG_H
#define FLOW_FILELOG_H

#include <stddef.h>
#include <stdint.h>

/* One sparse index entry: record offset -> byte position in its segment. */
struct index_entry {
	uint64_t offset;
	uint64_t pos;
};

#define SEGMENT_NAME_MAX 32
#define FILE_INDEX_INTERVAL 1024   /* records between index entries */

/* "%020llu.ndjson" / "%020llu.index" */
void segment_name(uint64_t base, char out[SEGMENT_NAME_MAX]);
void index_name(uint64_t base, char out[SEGMENT_NAME_MAX]);

/* Bases of the segments in dirfd, ascending, malloc'd; the count, or -1. */
int segment_list(int dirfd, uint64_t **bases);

/* Valid index entries of the segment (base) whose data file is size bytes
   long and open as segfd: entries past the data, out of order or not at a
   line start are dropped. malloc'd; the count. */
size_t index_load(int dirfd, uint64_t base, int segfd, uint64_t size, struct index_entry **out);

/* The last entry at or before offset (or {base, 0}). */
struct index_entry index_find(const struct index_entry *e, size_t n, uint64_t base, uint64_t offset);

/* Count the lines of segfd from pos to size (a whole number of lines),
   calling add(ctx, offset, pos) at every offset that is a multiple of
   FILE_INDEX_INTERVAL. Returns the offset after the last line, or -1. */
int64_t segment_count(int segfd, uint64_t pos, uint64_t size, uint64_t offset,
    void (*add)(void *ctx, uint64_t offset, uint64_t pos), void *ctx);

/* The size of segfd up to its last newline: what a torn last line leaves. */
int64_t segment_complete_size(int segfd, uint64_t size);

/* What a file flow keeps: the appender drops its oldest segments (never
   the one it writes) while any of these says so; 0 for a line not there. */
struct file_retention {
	uint64_t segments;   /* "segments N": a segment past the newest N goes */
	int64_t age;         /* "age SECONDS": one last written longer ago goes */
	uint64_t events;     /* "events N": one goes when the newer ones hold N
	                        events or more (counted by offsets) */
};

/* The flow's "retention" file in dirfd into r, every line optional. Other
   lines are warned of as in dir/retention. */
void retention_load(int dirfd, const char *dir, struct file_retention *r);

/* The offset in the flow's "next" file, open as fd: -1 when it is empty
   or unreadable, -2 when it is not an offset. */
int64_t next_file_read(int fd);

/* The offset stored for a consumer group in groups/GROUP of the flow
   dirfd, read as the "next" file is: -1 when there is none, -2 when it is
   not an offset. */
int64_t group_file_read(int dirfd, const char *group);

#endif
