/* ce: one CloudEvent as one line of JSON (structured mode): parse, validate,
   look up attributes, and make new events. */
#ifndef FLOW_CE_H
#define FLOW_CE_H

#include <stddef.h>

#include "json.h"

#define CE_LINE_MAX (1024 * 1024)  /* longest accepted event line, bytes */
#define CE_TOO_LONG "longer than 1048576 bytes"  /* why a longer line is refused */
_Static_assert(CE_LINE_MAX == 1048576, "CE_TOO_LONG names CE_LINE_MAX");
#define CE_MAX_ATTRS 64            /* most top-level members of one event */

struct ce_attr {
	const char *name;  /* points into the line, no quotes, no escapes */
	size_t namelen;
	struct json_span val;
};

struct ce_event {
	const char *line;
	size_t len;
	int nattrs;
	struct ce_attr attrs[CE_MAX_ATTRS];  /* in line order, data included */
};

enum {
	CE_ALLOW_NO_ID = 1,    /* --fill: a missing id is not an error */
};

/* Why a line was rejected: a short reason for "line N: reason". */
struct ce_error {
	char msg[160];
};

/* Parse and validate line[0..len) (no newline) per CloudEvents 1.0 JSON.
   0 valid; -1 invalid, with err->msg. The event points into line. */
int ce_parse(struct ce_event *ev, const char *line, size_t len, unsigned flags,
    struct ce_error *err);

/* The attribute called name, or NULL. */
const struct json_span *ce_get(const struct ce_event *ev, const char *name, size_t namelen);

/* Write a random (version 4) UUID, 36 characters and a NUL, into out. */
void ce_new_id(char out[37]);

#endif
