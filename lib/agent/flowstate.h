/* flowstate: what the agent knows of its flows, one small key=value file
   each in STATE/flows/, written whole and then linked into place, so that
   of concurrent sessions creating a flow one wins and no reader sees half
   a record. Creating and deleting a flow happen under the flow's lock
   (flock on STATE/locks/FLOW), so that its queue and DNS records are made
   and removed by one session at a time. A flow counts against the quota
   of its subscriber when it has one (a subscription flow), else of its
   owner. Other small files of a flow (its grants, fnap_grants) are kept
   beside the records, in STATE/<dir>/FLOW, replaced alike. */
#ifndef FLOW_FLOWSTATE_H
#define FLOW_FLOWSTATE_H

#include <stdint.h>
#include <stdio.h>

#include "brokers.h"
#include "dnsname.h"

#define FLOWSTATE_USER_MAX 64
#define FLOWSTATE_PATH_MAX BROKER_QUEUE_PATH_MAX
#define FLOWSTATE_TOKEN_MAX 65     /* a token or its hash, hex, with its NUL */
#define FLOWSTATE_RETENTION_MAX 24 /* "<n>d", "<n>h", "<n>" (events): fnap(7) bounds n */
#define FLOWSTATE_FILE_MAX (FLOWSTATE_PATH_MAX + DNSNAME_MAX + 32)   /* a path in STATE */

struct flow_meta {
	char flow[DNSNAME_MAX + 1];
	char owner[FLOWSTATE_USER_MAX];
	int public;
	int64_t created_ns;
	const struct broker_kind *kind;   /* where its events are: one with a keeper */
	struct broker_queue queue;        /* and which of them */
	/* a subscription flow: the flow it copies, and who may read it; a
	   local flow of SUBSCRIBE ... LOCAL: the subscription flow it copies */
	char source[DNSNAME_MAX + 1];
	char subscriber[FLOWSTATE_USER_MAX];
	char feed[8];                     /* its processor: "", "running", "paused" */
	char agent[DNSNAME_MAX + 8];      /* a local flow: the source's agent host:port */
	int agent_tls;
	/* a subscription flow of an anonymous session: the hash of the token
	   that manages it; a local flow fed from an anonymous subscription
	   elsewhere: that subscription's token */
	char token_hash[FLOWSTATE_TOKEN_MAX];
	char source_token[FLOWSTATE_TOKEN_MAX];
	/* a subscription flow made under a READ grant of its source: the
	   hash of the grant's WHERE, hex (of "" when it has none); the
	   grant's REVOKE, or a new WHERE, ends it */
	char granted[FLOWSTATE_TOKEN_MAX];
	/* how long its queue keeps events, as CREATE ... RETAIN and SET
	   RETENTION wrote it ("7d", "12h"); "": as its broker keeps them */
	char retention[FLOWSTATE_RETENTION_MAX];
	/* SUBSCRIBE ... VERIFY: the namespace under whose _flowkey keys its
	   processor verifies what it copies; "": none */
	char verify[DNSNAME_MAX + 1];
};

/* The flow's lock, held until flowstate_unlock: a descriptor, or -1 with errno. */
int flowstate_lock(const char *state, const char *flow);
void flowstate_unlock(int fd);

/* Record a new flow: 0; -1 with errno (EEXIST: the flow exists; EDQUOT:
   whom it counts against has max flows already, max > 0). */
int flowstate_create(const char *state, const struct flow_meta *m, int max);
/* 0 found; -1 not there (or unreadable). */
int flowstate_load(const char *state, const char *flow, struct flow_meta *m);
int flowstate_delete(const char *state, const char *flow);
/* Replace the record of an existing flow (under its lock): 0, or -1 with errno. */
int flowstate_update(const char *state, const struct flow_meta *m);
/* Call fn for every flow, in name order; the number of flows, or -1. */
int flowstate_each(const char *state, void (*fn)(void *ctx, const struct flow_meta *m), void *ctx);

/* The path of flow's file in STATE/dir into out. */
void flowstate_file(const char *state, const char *dir, const char *flow, char out[FLOWSTATE_FILE_MAX]);
/* Replace flow's file in STATE/dir (under the flow's lock) with what
   fill writes (0, or -1): written beside it, synced, renamed into place,
   so that no reader sees half of it. 0, or -1 with errno. */
int flowstate_file_replace(const char *state, const char *dir, const char *flow,
    int (*fill)(FILE *f, const void *ctx), const void *ctx);

#endif
