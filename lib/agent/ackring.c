#include "config.h"

#include <stdlib.h>

#include "ackring.h"
#include "util.h"

struct sent {
	int64_t offset;
	int32_t partition;
};

struct ackring {
	struct sent *ring;
	size_t cap, head, count;   /* the unacknowledged, oldest at head */
	uint64_t sent, acked;
	struct position pos;       /* past everything acknowledged */
};

struct ackring *
ackring_new(size_t cap)
{
	struct ackring *a = xcalloc(1, sizeof *a);

	a->cap = cap;
	a->ring = xcalloc(cap, sizeof *a->ring);
	return a;
}

void
ackring_free(struct ackring *a)
{
	if (a) {
		free(a->ring);
		position_free(&a->pos);
		free(a);
	}
}

int
ackring_full(const struct ackring *a)
{
	return a->count == a->cap;
}

uint64_t
ackring_sent(const struct ackring *a)
{
	return a->sent;
}

uint64_t
ackring_acked(const struct ackring *a)
{
	return a->acked;
}

void
ackring_push(struct ackring *a, int32_t partition, int64_t offset)
{
	struct sent *s = &a->ring[(a->head + a->count++) % a->cap];

	s->partition = partition < 0 || partition >= ACKRING_PARTITIONS ? 0 : partition;
	s->offset = offset;
	a->sent++;
}

/* The position past s: its partition's next offset, the table grown to it. */
static void
move_past(struct position *pos, const struct sent *s)
{
	int32_t i;

	if (s->partition >= pos->n) {
		pos->next = xrealloc(pos->next, (s->partition + 1) * sizeof *pos->next);
		for (i = pos->n; i <= s->partition; i++)
			pos->next[i] = -1;
		pos->n = s->partition + 1;
	}
	if (s->offset >= 0 && s->offset + 1 > pos->next[s->partition])
		pos->next[s->partition] = s->offset + 1;
}

int
ackring_ack(struct ackring *a, uint64_t n, const struct position **pos)
{
	if (n > a->sent)
		return -1;
	if (n <= a->acked)
		return 0;
	for (; a->acked < n; a->acked++) {
		move_past(&a->pos, &a->ring[a->head]);
		a->head = (a->head + 1) % a->cap;
		a->count--;
	}
	*pos = &a->pos;
	return 1;
}
