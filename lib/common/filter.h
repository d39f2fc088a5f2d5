/* filter: keep the events of a stream that match a CESQL expression and the
   Subscriptions API dialects, like grep; or print the expression's value. */
#ifndef FLOW_FILTER_H
#define FLOW_FILTER_H

#include <stdint.h>

#include "cesql.h"
#include "dedupe.h"
#include "out.h"

enum dialect { DIALECT_EXACT, DIALECT_PREFIX, DIALECT_SUFFIX };

struct filter_cond {
	enum dialect kind;
	char *attr;       /* lower case */
	char *value;
};

struct filter_opts {
	struct cesql *expr;          /* NULL: every event */
	struct filter_cond *conds;   /* ANDed with expr */
	int nconds;
	int invert;                  /* -v */
	int count;                   /* -c: print only the number of matches */
	int quiet;                   /* -q: no output, stop at the first match */
	int print;                   /* --print: the value of expr for each event */
	uint64_t max;                /* -m: stop after so many matches (0: no limit) */
	struct dedupe *dedupe;       /* --dedupe, or NULL */
	const char *reject_path;     /* --reject */
};

struct filter_state {
	uint64_t matched, rejected;
	int rejectfd;
	int done;                    /* -q or -m reached */
	int gone;                    /* the reader of stdout went away */
};

/* Parse "ATTR=VALUE" for a dialect option; 0 or -1. */
int filter_cond_parse(struct filter_cond *c, enum dialect kind, const char *arg);

/* Filter the lines of fd (named inname) to out. The exit status so far:
   0, 65 (lines rejected) or 74 (I/O); matches are counted in st. */
int filter_stream(int fd, const char *inname, struct out *out, const struct filter_opts *o,
    struct filter_state *st);

#endif
