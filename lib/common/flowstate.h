/* flowstate: what the agent knows of its flows, one small file each in
   STATE/flows/, created atomically (link), so that concurrent sessions
   each create a flow once. */
#ifndef FLOW_FLOWSTATE_H
#define FLOW_FLOWSTATE_H

#include <stdint.h>

#include "dnsname.h"

#define FLOWSTATE_USER_MAX 64
#define FLOWSTATE_PATH_MAX 1024

struct flow_meta {
	char flow[DNSNAME_MAX + 1];
	char owner[FLOWSTATE_USER_MAX];
	int public;
	int64_t created_ns;
	char path[FLOWSTATE_PATH_MAX];   /* file broker: the flow directory */
};

/* 0; -1 with errno (EEXIST: the flow exists). */
int flowstate_create(const char *state, const struct flow_meta *m);
/* 0 found; -1 not there (or unreadable). */
int flowstate_load(const char *state, const char *flow, struct flow_meta *m);
int flowstate_delete(const char *state, const char *flow);
/* Call fn for every flow, in name order; the number of flows, or -1. */
int flowstate_each(const char *state, void (*fn)(void *ctx, const struct flow_meta *m), void *ctx);

#endif
