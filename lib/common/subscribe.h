/* subscribe: a consumer's events to a descriptor as NDJSON, flushed when the
   flow is idle, the group's offset committed only for lines written. */
#ifndef FLOW_SUBSCRIBE_H
#define FLOW_SUBSCRIBE_H

#include <stdint.h>

#include "broker.h"

struct subscribe_opts {
	uint64_t count;     /* -c: stop after this many events (0: no limit) */
	int64_t until_ns;   /* --until: stop before the first event after it (0: none) */
	int verbose;        /* -v: the live line on a terminal, the counts at the end */
};

/* Copy events to fd until the end (-e), the count, --until, a stop signal
   or EPIPE. Returns the exit status. */
int subscribe_stream(struct consumer *c, int fd, const struct subscribe_opts *o);

#endif
