/* publish: the one pump of lines into a producer, for flow-pub (lines of
   a descriptor) and the agent's PUBLISH (lines of its connection): validate
   each line (or wrap it in a new event, or fill in id and time), hand the
   rejected ones back to the caller, count what the broker could not take. */
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
	int threads;              /* -j: publish_stream checks lines on this many
	                             threads (linepool) when not wrapping or filling */
};

struct publish_stats {
	uint64_t lines, published, rejected, failed;
	uint64_t first_failed;  /* input line of the first event not stored; 0: none known */
	int ended;              /* the input was read to its end */
};

/* Check wrap's type and source; 0, or -1 with *why. */
int publish_check_wrap(const struct publish_opts *o, const char **why);

/* What publish_pump reads: lines from a descriptor (publish_stream) or
   from an agent's connection up to its "." line (PUBLISH). */
enum {
	PUBLISH_LINE,   /* a line: *line, *len, valid until the next call */
	PUBLISH_CHECKED, /* a line the source found to be an event, sent as it is */
	PUBLISH_BAD,    /* a line that cannot be an event: *line, *len, and *why */
	PUBLISH_LONG,   /* the first *len bytes of a line too long (*why); its rest is gone */
	PUBLISH_END,    /* the end of the input, as it should end */
	PUBLISH_CUT,    /* stopped short (a stop signal, a peer gone): keep what came */
	PUBLISH_ERROR,  /* a read error, told by the source: exit status 74 */
};

struct publish_source {
	int (*next)(void *ctx, const char **line, size_t *len, const char **why);
	/* Have idle(arg) called whenever the source is about to wait for input
	   (the pump then sends what the producer holds); NULL: never. */
	void (*set_idle)(void *ctx, void (*idle)(void *arg), void *arg);
	/* Tell and keep a rejected line as the caller does (whole is 0 for the
	   head of a PUBLISH_LONG line); lineno counts every line, from 1. */
	void (*rejected)(void *ctx, uint64_t lineno, const char *line, size_t len, int whole,
	    const char *why);
	/* An event the broker took and then lost (on_fail); NULL: only counted. */
	broker_fail_fn lost;
	void *ctx;
	/* After the broker failed: 0, stop reading; 1, read on to the end,
	   sending nothing (lines are still checked and rejected). */
	int drain;
};

/* Read src until its end, validate each line (or wrap or fill it, as o
   says), send the events to p, flush; counts in st. The status: 0, the
   broker's failure status, or 74 when the source failed (PUBLISH_ERROR).
   Rejected lines do not make it 65: that is the caller's to say. */
int publish_pump(struct producer *p, const struct publish_opts *o, const struct publish_source *src,
    struct publish_stats *st);

/* Read lines from fd (named inname in messages) until its end or a stop
   signal, send them, flush. The exit status: 0, 65 if lines were rejected,
   or the broker's failure status. */
int publish_stream(int fd, const char *inname, struct producer *p, const struct publish_opts *o,
    struct publish_stats *st);

#endif
