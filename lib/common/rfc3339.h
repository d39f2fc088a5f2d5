/* rfc3339: RFC 3339 date-time strings <-> nanoseconds since the epoch;
   durations ("10m") in nanoseconds; times as every flow program takes
   them (flow(7) TIME VALUES): an RFC 3339 date-time, or a relative "-N" plus a
   unit, resolved against a now the caller passes (the real clock, once,
   where the time is first read, so that what is passed on is absolute). */
#ifndef FLOW_RFC3339_H
#define FLOW_RFC3339_H

#include <stddef.h>
#include <stdint.h>

#define RFC3339_MAX 40

/* 0 if s[0..len) is an RFC 3339 date-time (fractions to nanoseconds kept,
   finer digits accepted and dropped); *ns is UTC, saturated to INT64_MIN /
   INT64_MAX outside 1677-2262. -1 otherwise. */
int rfc3339_parse(const char *s, size_t len, int64_t *ns);

/* 1 if rfc3339_parse would take s[0..len), else 0: the check alone, for
   those who keep no time (an event's time attribute). */
int rfc3339_valid(const char *s, size_t len);

/* Write ns as "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC, milliseconds cut towards
   the past, before 1970 too: -1 is 1969-12-31T23:59:59.999Z) with a NUL;
   returns the length (24). */
size_t rfc3339_format(int64_t ns, char out[RFC3339_MAX]);

/* A duration "N" or "N" followed by s, m, h or d (seconds, minutes,
   hours, days), N a whole number: 0 and *ns, or -1 when it is not one or
   exceeds a century. */
int duration_parse(const char *s, int64_t *ns);

/* A time: an RFC 3339 date-time, or "-N" followed by one unit s, m, h or
   d (N 1-12 decimal digits, at most a century, "-0s" allowed: now),
   meaning now minus N units. Only the past: no "+N". Relative times are
   the only ones that start with '-'. 0 and *ns, or -1. */
int time_parse(const char *s, int64_t now, int64_t *ns);

/* The text of time s to pass on to another program or agent, into
   out[0..size) with a NUL: s itself when it is RFC 3339 (exact), else
   ns, what time_parse resolved it to, formatted as rfc3339_format does
   (milliseconds), so that the time is not resolved again later. */
void time_resolved_text(const char *s, int64_t ns, char *out, size_t size);

#endif
