/* ackring: what a STREAM with GROUP has sent that its client has not yet
   acknowledged: the partition and offset of each event sent, oldest
   first, so that the client's "ACK n" (the first n events of the stream
   are done) becomes the broker position just past them, which the
   group's consumer then commits. Bounded: while it is full the stream
   sends nothing more until the client acknowledges. No I/O. */
#ifndef FLOW_ACKRING_H
#define FLOW_ACKRING_H

#include <stddef.h>
#include <stdint.h>

#include "broker.h"

#define ACKRING_PARTITIONS 65536   /* partitions beyond are not kept apart */

struct ackring;

struct ackring *ackring_new(size_t cap);
void ackring_free(struct ackring *a);
int ackring_full(const struct ackring *a);
/* Events sent so far, and acknowledged so far. */
uint64_t ackring_sent(const struct ackring *a);
uint64_t ackring_acked(const struct ackring *a);
/* One more event sent (not full: the caller checked). */
void ackring_push(struct ackring *a, int32_t partition, int64_t offset);
/* The client has done the first n events of the stream: 1 when that moved
   the position (*pos then points to it, per partition the offset after
   the last event done there, -1 where none was), 0 when it did not (n
   not above the last ACK), -1 when n is more than were sent. */
int ackring_ack(struct ackring *a, uint64_t n, const struct position **pos);

#endif
