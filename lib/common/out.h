/* out: buffered output of lines to a descriptor, written in large blocks;
   what a failed write did not get out stays buffered for the next flush. */
#ifndef FLOW_OUT_H
#define FLOW_OUT_H

#include <stddef.h>

struct out;

struct out *out_open(int fd, size_t bufsize);
/* Flush, then free (the descriptor stays open); 0 or -1 with errno. */
int out_close(struct out *o);

/* Buffer bytes, writing when the buffer is full; 0 or -1 with errno (EPIPE
   when the reader has gone). */
int out_write(struct out *o, const void *p, size_t n);
/* Buffer p[0..n) and a newline. */
int out_line(struct out *o, const char *p, size_t n);
int out_flush(struct out *o);
size_t out_pending(const struct out *o);

#endif
