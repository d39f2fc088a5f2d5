/* filter: keep the events of a stream that match a CESQL expression and the
   Subscriptions API dialects, like grep; or print the expression's value. */
#ifndef FLOW_FILTER_H
#define FLOW_FILTER_H

#include <stdint.h>

#include "ce.h"
#include "cesql.h"
#include "dedupe.h"
#include "out.h"
#include "progress.h"
#include "reject.h"

enum dialect { DIALECT_EXACT, DIALECT_PREFIX, DIALECT_SUFFIX };

struct filter_cond {
	enum dialect kind;
	char *attr;       /* lower case */
	char *value;
	size_t vlen;
};

struct filter_opts {
	struct cesql *expr;          /* NULL: every event */
	const char *expr_text;       /* its text, compiled again by each thread */
	struct filter_cond *conds;   /* ANDed with expr */
	int nconds;
	int invert;                  /* -v */
	int count;                   /* -c: print only the number of matches */
	int quiet;                   /* -q: no output, stop at the first match */
	int print;                   /* --print: the value of expr for each event */
	uint64_t max;                /* -m: stop after so many matches (0: no limit) */
	struct dedupe *dedupe;       /* --dedupe, or NULL */
	const char *reject_path;     /* --reject FILE, or NULL */
	int verbose;                 /* --verbose: the live line, the counts at the end */
	int threads;                 /* -j: threads checking events, when nothing
	                                needs one event after the other */
};

struct filter_state {
	uint64_t read, matched, rejected;   /* events read; matched; lines rejected */
	struct reject *rejects;      /* --reject (filter_run opens it) */
	int done;                    /* -q or -m reached */
	int gone;                    /* the reader of stdout went away */
	char *scratch;               /* decoded attribute text */
	char *json;                  /* a --print value */
	size_t jsonsize;
	struct progress progress;    /* started by filter_run */
	uint64_t bytes, size;        /* read so far, of the inputs (size 0: unknown) */
};

/* Parse "ATTR=VALUE" of a dialect option into c; 0, or -1 if malformed. */
int filter_cond_parse(struct filter_cond *c, enum dialect kind, const char *arg);
void filter_cond_free(struct filter_cond *c);

/* Whether the event satisfies the dialect conditions and the expression
   (an evaluation error is no match), before -v and --dedupe. */
int filter_match(const struct filter_opts *o, struct filter_state *st, const struct ce_event *ev);

/* Filter the lines of fd (named inname in messages) to out. The status so
   far: 0, 65 (lines rejected) or 74 (I/O); matches are counted in st. */
int filter_stream(int fd, const char *inname, struct out *out, const struct filter_opts *o,
    struct filter_state *st);

/* Filter the files named (none, or "-": standard input) to standard output,
   with --reject and -c; the exit status: 0 some event matched
   (with --print: the input was read), 1 none, 65 lines rejected, 74 I/O. */
int filter_run(const struct filter_opts *o, char *const *files, int nfiles);

/* Free the buffers of st (the reject file is the caller's). */
void filter_state_free(struct filter_state *st);

#endif
