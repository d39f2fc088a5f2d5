/* httpd_post: store the events of one POST in a flow. Each event is
   validated by ce_parse exactly as flow-pub does; the valid ones go to a
   producer of the flow's broker URL, flushed (durable, acknowledged)
   before the answer says 202. The answer's body is JSON:
   {"stored":N} and, when some were refused, "rejected":[{"index":I,
   "reason":"..."}] (I counts a batch's elements from 0) with status 400;
   413 for a batch of too many events, 503 when the broker did not take
   them (nothing is said stored then). Never writes to the client itself. */
#ifndef FLOW_HTTPD_POST_H
#define FLOW_HTTPD_POST_H

#include <stddef.h>

#include "httpd_conf.h"
#include "httpd_event.h"

/* The request, as httpd_serve gathered it. */
struct httpd_post {
	enum httpd_mode mode;           /* not HTTPD_UNSUPPORTED */
	const struct httpd_header *headers;
	size_t nheaders;
	const char *content_type;       /* NULL: none */
	const char *body;
	size_t len;
};

/* What to answer: an HTTP status and a JSON body (malloc'd, NUL-terminated). */
struct httpd_answer {
	int status;
	char *body;
};

/* Store the events of req in f; the answer in *a (free a->body). */
void httpd_post_store(const struct httpd_conf *c, const struct httpd_flow *f,
    const struct httpd_post *req, struct httpd_answer *a);

#endif
