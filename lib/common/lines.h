/* lines: read newline-terminated lines from a descriptor in large blocks,
   with a bound on line length and no allocation per line. */
#ifndef FLOW_LINES_H
#define FLOW_LINES_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct line_reader;

enum { LR_EOF = 0, LR_LINE = 1, LR_LONG = 2, LR_ERROR = -1 };

/* Lines longer than maxlen bytes (newline excluded) come back as LR_LONG. */
struct line_reader *lr_open(int fd, size_t maxlen);
void lr_close(struct line_reader *lr);

/* LR_LINE: *line, *len (no newline; valid until the next call).
   LR_LONG: the line is longer than maxlen; *line, *len are its first maxlen
   bytes, and the rest is consumed by the next call, written to long_sink
   first when that is >= 0 (so a rejected line is kept whole).
   LR_EOF at the end; LR_ERROR with errno. A last line without a newline
   is a line. Interrupted reads (EINTR) are retried, unless the reader
   stops on signals and one came: then LR_ERROR with errno EINTR. */
int lr_next(struct line_reader *lr, const char **line, size_t *len);

/* Where the rest of an LR_LONG line goes: a descriptor, or -1 to drop it. */
void lr_set_long_sink(struct line_reader *lr, int fd);

/* Stop reading, even while waiting for input, once SIGINT or SIGTERM came
   (stop_requested, after catch_stop_signals()). */
void lr_stop_on_signal(struct line_reader *lr);

/* 1 when the next lr_next() would have to wait for input. */
int lr_would_block(struct line_reader *lr);

/* Call idle(ctx) whenever the reader is about to wait for input, so that a
   caller can flush what it holds while its input pauses. */
void lr_set_idle(struct line_reader *lr, void (*idle)(void *ctx), void *ctx);

/* Number of the line last returned, from 1. */
uint64_t lr_lineno(const struct line_reader *lr);

#endif
