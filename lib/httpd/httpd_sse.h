/* httpd_sse: a flow as a text/event-stream (the Server-Sent Events of the
   HTML standard). Each event is "id: OFFSET" and "data: LINE" (the event
   line as the broker holds it; it has no newline); a ": keep-alive"
   comment goes out whenever no event came for the keep-alive interval,
   so that proxies and the idle timeout see traffic and a closed client is
   noticed. The stream starts after the offset of Last-Event-ID when the
   client sends one (a browser's EventSource does when it reconnects),
   else where "from" says (beginning, end, N, -N, @TIME as flow-sub -o),
   else at the end. Offsets are those of partition 0: a flow of several
   Kafka partitions cannot be resumed by id. Never writes to the client
   itself: the caller hands out what httpd_sse_read fills. */
#ifndef FLOW_HTTPD_SSE_H
#define FLOW_HTTPD_SSE_H

#include <stddef.h>
#include <sys/types.h>

#include "httpd_conf.h"

struct httpd_sse;

/* A stream of f; NULL with *status (400: a bad Last-Event-ID or from,
   503: the broker cannot be read) and *why. */
struct httpd_sse *httpd_sse_open(const struct httpd_flow *f, const char *last_event_id, const char *from,
    int keepalive_s, int *status, const char **why);
/* Up to max bytes of the stream into buf, waiting for the next event up
   to the keep-alive interval: their number (> 0), or -1 when the stream
   ends (the broker failed, or a stop signal). */
ssize_t httpd_sse_read(struct httpd_sse *s, char *buf, size_t max);
void httpd_sse_close(struct httpd_sse *s);

#endif
