/* progress: the live line that -v shows while long work runs on a
   terminal: events so far, their rate, rejects and, when the size of the
   input is known, the percent done and the time left. Redrawn in place
   ("\r", the line, "\033[K" to erase what a longer one left) at most every
   PROGRESS_REDRAW_MS; progress_end erases it, so that a warning or the
   summary line lands on a clean line. Off, every call a no-op, unless -v
   was given and the stream is a terminal: a log gets only the summary.
   Cheap enough for every event: the clock is read every PROGRESS_EVERY
   calls of progress_update only. One thread. */
#ifndef FLOW_PROGRESS_H
#define FLOW_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

#define PROGRESS_EVERY 64        /* progress_update calls between looks at the clock */
#define PROGRESS_REDRAW_MS 250

struct progress {
	FILE *f;
	int on;                      /* -v and f a terminal */
	int drawn;                   /* the live line is on the screen */
	unsigned calls;
	int64_t start_ms, drawn_ms;
	/* the rate is over the last one to two seconds, so that a change shows */
	int64_t window_ms, next_window_ms;
	uint64_t window_events, next_window_events;
};

/* Off unless asked (-v) and f is a terminal. */
void progress_start(struct progress *p, FILE *f, int asked);

/* Redraw now if the last drawing is old enough: for idle moments, and for
   progress_update. total is the size of the input (0: unknown, no percent),
   done how much of it was read, in the same unit. */
void progress_draw(struct progress *p, uint64_t events, uint64_t rejects, uint64_t done,
    uint64_t total);

/* progress_due for each event: 1 every PROGRESS_EVERY calls when on (then
   progress_draw looks at the clock). For counts that cost to gather. */
static inline int
progress_due(struct progress *p)
{
	return p->on && ++p->calls % PROGRESS_EVERY == 0;
}

static inline void
progress_update(struct progress *p, uint64_t events, uint64_t rejects, uint64_t done, uint64_t total)
{
	if (progress_due(p))
		progress_draw(p, events, rejects, done, total);
}

/* What is left to read of fd when it is a regular file (its size less
   where it stands), in bytes; 0 for anything else (no percent). */
uint64_t progress_input_size(int fd);

/* Erase the live line (before a warning, and before the summary); the next
   drawing puts it back. */
void progress_end(struct progress *p);

#endif
