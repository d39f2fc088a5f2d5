/* lines: the one line reader: newline-terminated lines read in large
   blocks from a descriptor, or from a transport (plain or TLS, the FNAP
   connection's), with a bound on line length and no allocation per line.
   A reader of a descriptor waits for input itself; a reader of a
   transport never waits: it says LR_AGAIN and its caller fills it within
   its own timeouts (lr_fill). */
#ifndef FLOW_LINES_H
#define FLOW_LINES_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "transport.h"

struct line_reader;

enum { LR_EOF = 0, LR_LINE = 1, LR_LONG = 2, LR_AGAIN = 3, LR_ERROR = -1 };

/* Lines longer than maxlen bytes (newline excluded) come back as LR_LONG. */
struct line_reader *lr_open(int fd, size_t maxlen);
/* A reader of t (which must outlive it; its TLS may start later): lr_next
   gives LR_AGAIN when no whole line is buffered, and at the end a last
   line without its newline is dropped, not a line. */
struct line_reader *lr_open_transport(struct transport *t, size_t maxlen);
void lr_close(struct line_reader *lr);

/* Read what comes within timeout_ms (0: only what is there; -1: no
   limit): 1 when something came or the input ended, 0 when nothing came
   in time, -1 with errno. */
int lr_fill(struct line_reader *lr, int timeout_ms);
/* Lines longer than maxlen (at most lr_open's) are LR_LONG from now on. */
void lr_set_max(struct line_reader *lr, size_t maxlen);
/* Forget the input buffered (it came before a TLS handshake). */
void lr_drop_input(struct line_reader *lr);
/* 1 once the input has ended (what came before may still be buffered). */
int lr_at_eof(const struct line_reader *lr);

/* LR_LINE: *line, *len (no newline; valid until the next call).
   LR_LONG: the line is longer than maxlen; *line, *len are its first maxlen
   bytes, and the rest is consumed by the next call, written to long_sink
   first when that is >= 0 (so a rejected line is kept whole).
   LR_EOF at the end; LR_ERROR with errno. A last line without a newline
   is a line. Interrupted reads (EINTR) are retried, unless the reader
   stops on signals and one came: then LR_ERROR with errno EINTR. */
int lr_next(struct line_reader *lr, const char **line, size_t *len);

/* lr_next, with all the whole lines buffered at once, up to `most` bytes
   with their newlines (the first line at least; 0: that line alone):
   LR_LINE gives them joined by their newlines, the last one left out, and
   no line of them is longer than maxlen. nowait: what is there is taken
   in (lr_fill(lr, 0)) and LR_AGAIN given rather than waiting for more,
   the idle callback not called; a reader of a transport is so filled
   without its caller. lr_lineno counts such a call as one line. */
int lr_next_lines(struct line_reader *lr, const char **lines, size_t *len, size_t most, int nowait);

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
