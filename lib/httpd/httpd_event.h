/* httpd_event: the CloudEvents in one HTTP request body, per the
   CloudEvents HTTP protocol binding 1.0: its content mode from the
   Content-Type, and each event as one structured-mode line for ce_parse
   and a producer. Pure functions over bytes the caller holds: nothing is
   validated here beyond what building the line needs (ce_parse does the
   rest, exactly as for flow-pub). Every output is bounded by CE_LINE_MAX. */
#ifndef FLOW_HTTPD_EVENT_H
#define FLOW_HTTPD_EVENT_H

#include <stddef.h>

#include "json.h"

#define HTTPD_CE_HEADERS_MAX 64  /* ce-* headers of one binary-mode request */

enum httpd_mode {
	HTTPD_STRUCTURED,   /* application/cloudevents+json: one event */
	HTTPD_BATCH,        /* application/cloudevents-batch+json: a JSON array of events */
	HTTPD_BINARY,       /* any other type with a ce-specversion header: attributes in headers */
	HTTPD_UNSUPPORTED,  /* 415 */
};

/* The mode of a request with that Content-Type (NULL: none) and, or not,
   a ce-specversion header. */
enum httpd_mode httpd_event_mode(const char *content_type, int has_specversion);

/* One request header, name and value as received. */
struct httpd_header {
	const char *name, *value;
};

/* The structured line of a binary-mode request: the ce-* headers among
   h[0..n) (names lower-cased without "ce-", values percent-decoded),
   content_type as datacontenttype, the body as data (a JSON value for a
   JSON type, a string for text, else data_base64). Into out (size bytes,
   NUL-terminated); its length, or -1 with *why. */
long httpd_binary_event(const struct httpd_header *h, size_t n, const char *content_type,
    const char *body, size_t len, char *out, size_t size, const char **why);

/* The line of a structured-mode body (one JSON object, white space
   between tokens removed) into out (at least len + 1 bytes); its length,
   or -1 with *why. */
long httpd_structured_event(const char *body, size_t len, char *out, const char **why);

/* The elements of a batch body, one after the other. */
struct httpd_batch {
	const char *p, *end;
};
/* Check that body is one JSON array; 0, or -1 with *why. */
int httpd_batch_open(struct httpd_batch *b, const char *body, size_t len, const char **why);
/* The next element: 1 with *elem, or 0 at the end of the array. */
int httpd_batch_next(struct httpd_batch *b, struct json_span *elem);

#endif
