/* publish: NDJSON lines from a descriptor into a producer: validate each
   line (or wrap it in a new event, or fill in id and time), keep the
   rejected ones, report what the broker could not take. */
#ifndef FLOW_PUBLISH_H
#define FLOW_PUBLISH_H

#include <stdint.h>

#include "broker.h"

struct publish_opts {
	const char *reject_path;  /* --reject FILE, or NULL */
	int wrap;                 /* -w: each line becomes the data of a new event */
	const char *type;         /* -t, -s: for wrap */
	const char *source;
	int fill;                 /* --fill: add a missing id and time */
	int verbose;              /* -v: count and rate on stderr */
};

struct publish_stats {
	uint64_t lines, published, rejected, failed;
};

/* Check wrap's type and source; 0, or -1 with *why. */
int publish_check_wrap(const struct publish_opts *o, const char **why);

/* Read lines from fd (named inname in messages) until its end or a stop
   signal, send them, flush. The exit status: 0, 65 if lines were rejected,
   or the broker's failure status. */
int publish_stream(int fd, const char *inname, struct producer *p, const struct publish_opts *o,
    struct publish_stats *st);

#endif
