/* broker_http: http:// and https:// destinations, a producer only. Each
   event is POSTed per the CloudEvents HTTP binding: structured mode (the
   line, application/cloudevents+json), binary mode (--binary: ce-*
   headers, datacontenttype as Content-Type, the data as body) or batches
   (--batch N: a JSON array of up to N events,
   application/cloudevents-batch+json, delivered or failed as a whole).
   Requests go through one libcurl multi handle (connections kept and
   reused), HTTP_INFLIGHT at most at a time, so a receiver may see them out
   of order. 2xx is delivered; 408, 429, 5xx and transport errors are
   retried (broker_opts.http_retries times) after a capped exponential
   backoff with jitter, or the server's Retry-After; anything else, or the
   last retry failing, reports every event of the request through on_fail
   with "HTTP <status>: <first line of the body>" (or "connection: <why>").
   send, push and mark then return the failure's exit status, so that the
   caller stops, unless the receiver refused the data (4xx but 401, 403,
   408, 429: 65), which stops nothing; flush returns the first of all.
   Checkpoints (mark, settled) follow the requests: one is settled once
   every request before it ended, delivered or failed. */
#ifndef FLOW_BROKER_HTTP_H
#define FLOW_BROKER_HTTP_H

#include <stdint.h>
#include <time.h>

#include "broker.h"
#include "brokers.h"

#define HTTP_INFLIGHT 4             /* requests in flight at once */
#define HTTP_QUEUE_MAX 64           /* requests held (in flight, or waiting to retry) */
#define HTTP_BACKOFF_MS 250         /* the first retry's delay, doubled at each */
#define HTTP_BACKOFF_CAP_MS 30000   /* the longest backoff */
#define HTTP_RETRY_AFTER_CAP_MS 60000  /* the longest Retry-After obeyed */
#define HTTP_RETRIES_DEFAULT 6
#define HTTP_RETRIES_MAX 20
#define HTTP_BATCH_MAX 1000

/* The row of brokers.c's table (brokers_http.c). */
extern const struct broker_kind broker_http;

struct producer *http_producer_open(const struct flow_url *u, const struct broker_opts *o, int *status);

/* A Retry-After value (n bytes, no NUL needed): delay-seconds or an HTTP
   date, read at now. 0 with *ms (a date past is 0; capped at
   HTTP_RETRY_AFTER_CAP_MS), or -1 when it is neither. */
int http_retry_after(const char *s, size_t n, time_t now, int64_t *ms);

/* The delay before retry number attempt (from 1): HTTP_BACKOFF_MS doubled
   attempt - 1 times, at most HTTP_BACKOFF_CAP_MS, then a random part of
   its second half taken off (jitter: between half and all of it). */
int64_t http_backoff_ms(int attempt);

#endif
