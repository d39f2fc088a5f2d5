/* bridge: copy events from N flows to M flows, at least once: a source's
   offset is committed only after every destination acknowledged what was
   read before it. Optionally verified (CloudEvents Verifiability, keys of
   one namespace found in DNS) and filtered with CESQL, in that order. */
#ifndef FLOW_BRIDGE_H
#define FLOW_BRIDGE_H

#include <stdint.h>

#include "broker.h"
#include "cesql.h"
#include "provenance.h"

struct reject;

struct bridge_opts {
	char **src, **dst;
	int nsrc, ndst;
	struct broker_opts broker;  /* group, start offset, -e, Kafka properties */
	struct cesql *where;        /* NULL: everything */
	const struct prov_verifier *verify;  /* --verify (the caller's, set up): NULL, none */
	struct reject *reject;      /* --reject: records that are not events, events that failed --verify */
	int verbose;
};

struct bridge_stats {
	uint64_t read, written, filtered, rejected, unverified;
};

/* Run until every source ended (-e), a stop signal, or a failure; the exit
   status: 65 when a source held records that are not events, or events
   that failed --verify (said, kept with --reject, and passed over), but
   after a stop signal (0); 69
   when a key could not be looked up (DNS did not answer): the event is
   not passed over, the sources stay before it, so that a run started
   again (by the supervisor) goes on from it. */
int bridge_run(const struct bridge_opts *o, struct bridge_stats *st);

#endif
