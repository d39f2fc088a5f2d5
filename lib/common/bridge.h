/* bridge: copy events from N flows to M flows, at least once: a source's
   offset is committed only after every destination acknowledged what was
   read before it. Optionally filtered with CESQL. */
#ifndef FLOW_BRIDGE_H
#define FLOW_BRIDGE_H

#include <stdint.h>

#include "broker.h"
#include "cesql.h"

struct reject;

struct bridge_opts {
	char **src, **dst;
	int nsrc, ndst;
	struct broker_opts broker;  /* group, start offset, -e, Kafka properties */
	struct cesql *where;        /* NULL: everything */
	struct reject *reject;      /* --reject: records that are not events */
	int verbose;
};

struct bridge_stats {
	uint64_t read, written, filtered, rejected;
};

/* Run until every source ended (-e), a stop signal, or a failure; the exit
   status: 65 when a source held records that are not events (said, kept
   with --reject, and passed over). */
int bridge_run(const struct bridge_opts *o, struct bridge_stats *st);

#endif
