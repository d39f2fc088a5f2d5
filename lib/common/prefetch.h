/* prefetch: a consumer read ahead by a thread of its own, a batch of
   records at a time, so that fetching, parsing and checking records goes on
   while the caller sends the ones before (flow-bridge: one core reads, the
   other produces, as the two processes of flow-sub | flow-pub do). */
#ifndef FLOW_PREFETCH_H
#define FLOW_PREFETCH_H

#include "broker.h"

/* A consumer that hands out inner's records, read ahead; closing it closes
   inner. Set inner's on_reject before: it runs on the reading thread. The
   reading thread blocks every signal. position() never stands past a
   record not yet handed out; it may stand before some that were, which
   the next position covers. */
struct consumer *consumer_prefetch(struct consumer *inner);

#endif
