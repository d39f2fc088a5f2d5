/* rfc3339: RFC 3339 date-time strings <-> nanoseconds since the epoch;
   durations ("10m") in nanoseconds. */
#ifndef FLOW_RFC3339_H
#define FLOW_RFC3339_H

#include <stddef.h>
#include <stdint.h>

#define RFC3339_MAX 40

/* 0 if s[0..len) is an RFC 3339 date-time (fractions to nanoseconds kept,
   finer digits accepted and dropped); *ns is UTC, saturated to INT64_MIN /
   INT64_MAX outside 1677-2262. -1 otherwise. */
int rfc3339_parse(const char *s, size_t len, int64_t *ns);

/* Write ns as "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC, milliseconds cut towards
   the past, before 1970 too: -1 is 1969-12-31T23:59:59.999Z) with a NUL;
   returns the length (24). */
size_t rfc3339_format(int64_t ns, char out[RFC3339_MAX]);

/* A duration "N" or "N" followed by s, m, h or d (seconds, minutes,
   hours, days), N a whole number: 0 and *ns, or -1 when it is not one or
   exceeds a century. */
int duration_parse(const char *s, int64_t *ns);

#endif
