/* out: buffered output of lines, written in large blocks to a descriptor
   or to a transport (plain or TLS); what a failed write did not get out
   stays buffered for the next flush. */
#ifndef FLOW_OUT_H
#define FLOW_OUT_H

#include <stddef.h>

#include "transport.h"

struct out;

struct out *out_open(int fd, size_t bufsize);
/* Writing to t, which must outlive the writer (its TLS may start later). */
struct out *out_open_transport(struct transport *t, size_t bufsize);
/* Flush, then free (the descriptor stays open); 0 or -1 with errno. */
int out_close(struct out *o);
/* Free without writing what is buffered (the other end has failed). */
void out_free(struct out *o);

/* Buffer bytes, writing when the buffer is full; 0 or -1 with errno (EPIPE
   when the reader has gone). */
int out_write(struct out *o, const void *p, size_t n);
/* Buffer p[0..n) and a newline. */
int out_line(struct out *o, const char *p, size_t n);
int out_flush(struct out *o);
size_t out_pending(const struct out *o);

#endif
