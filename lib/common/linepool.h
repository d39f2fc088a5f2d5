/* linepool: a filter of event lines that costs a lot per line (a signature;
   a validation and a CESQL test) spread over a few threads, output in input
   order. The calling thread copies whole lines into batches, all those
   read at once (it does not look for each line: the worker does); workers
   run a function on each line of a batch, and so does the calling thread
   when it would otherwise sleep until a batch is done (a sleep and its
   wake-up cost more than a batch); the calling thread writes the batches'
   results in turn: the line the function made to standard output (nothing
   for a line it dropped), or, for a line it refused, the reason on standard
   error ("line N: reason", after the input's name when given) and the line
   itself, unchanged, to the --reject file. A few batches are in flight at
   most, so memory stays flat whatever the stream's length. When the input
   pauses, everything read so far is processed and written: a live
   stream's output is not held back.

   The function gets its thread's own work area (worksize bytes, zeroed
   at first, work_free'd at the end) and must not touch global state.
   The workers block every signal: a stop is the calling thread's. */
#ifndef FLOW_LINEPOOL_H
#define FLOW_LINEPOOL_H

#include <stddef.h>
#include <stdint.h>

enum { LP_PASS = 0, LP_REJECT = 1, LP_STOP = 2, LP_DROP = 3 };

/* LP_PASS with *out, *outlen (valid until the next call with work; the line
   itself is passed on without a copy); LP_DROP: nothing written; LP_REJECT
   or LP_STOP (give up: exit 69) with why. */
typedef int (*lp_fn)(void *ctx, void *work, const char *line, size_t len, const char **out,
    size_t *outlen, char *why, size_t whysize);

struct linepool_opts {
	int in;                    /* the descriptor read (0: standard input) */
	struct line_reader *reader; /* or one to take the lines from instead,
	                              a transport's, filled by the caller */
	const char *inname;        /* its name in messages, or NULL */
	int threads;               /* threads that run fn, the calling thread one of
	                              them (it runs a batch when it would otherwise
	                              wait for one); 1: the calling thread alone */
	const char *reject_path;   /* or NULL */
	lp_fn fn;
	void *ctx;
	size_t worksize;
	void (*work_free)(void *work);
};

struct linepool_counts {
	uint64_t passed, dropped, rejected;  /* lines written, dropped, refused */
};

/* The number of threads to use by default: the processors online, at most 16. */
int linepool_default_threads(void);

/* Filter in to standard output: the exit status, 0, 65 (lines refused),
   69 (LP_STOP), 74 (I/O); a reader of standard output that went away ends
   it quietly, SIGINT and SIGTERM after what was read. The lines' fates are
   counted in *counts when it is not NULL. */
int linepool_run(const struct linepool_opts *o, struct linepool_counts *counts);

/* The pool as a reader, for a caller that does more with each line than
   write it (flow-pub sends it; the fnap:// consumer hands it on): the
   lines of o->in (or o->reader) in order, each with its verdict, read
   ahead and checked on o->threads threads (reject_path is not used: the
   caller keeps what it refuses). */
struct linepool;

/* What linepool_next gives besides LP_PASS, LP_DROP, LP_REJECT, LP_STOP;
   LP_AGAIN: o->reader has no whole line and every line taken from it was
   given out: the caller fills it (lr_fill or its own) and asks again. */
enum { LP_LONG = 10, LP_END = 11, LP_ERROR = 12, LP_AGAIN = 13 };

struct lp_line {
	uint64_t lineno;
	const char *line;  /* the line, no newline; LP_LONG: its first CE_LINE_MAX bytes */
	size_t len;
	const char *out;   /* LP_PASS: the result, followed by a newline; LP_REJECT,
	                      LP_STOP: the reason, NUL-terminated */
	size_t outlen;
};

struct linepool *linepool_open(const struct linepool_opts *o);
/* The rest of an LP_LONG line goes to fd (-1: dropped), as lr_set_long_sink. */
void linepool_set_long_sink(struct linepool *lp, int fd);
/* idle(ctx) when the input pauses, once every line read was given out. */
void linepool_set_idle(struct linepool *lp, void (*idle)(void *ctx), void *ctx);
/* The next line and its verdict, valid until the next call; LP_END at the
   end of the input; LP_ERROR with errno (EINTR: a stop signal came). */
int linepool_next(struct linepool *lp, struct lp_line *l);
void linepool_close(struct linepool *lp);

#endif
