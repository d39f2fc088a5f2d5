/* fnap_flows: the agent's flows as its model keeps them, apart from the
   protocol: who may see and change a flow (its owner, its subscriber,
   anyone when public, and those its owner granted READ or WRITE,
   fnap_grants), making one (its record, queue and DNS records, or
   nothing at all), removing one (with its grants), what DESCRIBE, LIST
   FLOWS and LIST GRANTS show. It never replies to a client: each call
   returns 0, or a reply code with the reason in a struct result
   (fnap_result.h), and says in the log what the client is not told. The
   command handlers (fnap_serve_*.c) and fnap_subs call it; it calls
   neither, and calls fnap_grants, which does not call it. */
#ifndef FLOW_FNAP_FLOWS_H
#define FLOW_FNAP_FLOWS_H

#include "auth.h"
#include "flowstate.h"
#include "fnap_conf.h"
#include "fnap_result.h"

/* Who asks: a user with the namespaces they may make flows in, or an
   anonymous session (no one: it reads public flows only). */
struct fnap_who {
	int anonymous;
	char user[AUTH_NAME_MAX];
	char namespaces[AUTH_NAMESPACES_MAX];
};

/* What a command needs of the flow it names. */
enum flow_access {
	FLOW_READ,           /* DESCRIBE, SUBSCRIBE, STREAM: what flows_reading allows */
	FLOW_PUBLISH,        /* PUBLISH: its owner, the holder of a WRITE grant */
	FLOW_OWN,            /* DELETE, GRANT, REVOKE ... FROM: its owner only */
};

/* How who may read a flow: not at all; all of it, as its owner, its
   subscriber or anyone when public; or through a READ grant, only the
   events for which the grant's WHERE is true. */
enum flow_reading { FLOW_UNREADABLE, FLOW_READABLE, FLOW_GRANTED };

/* A flow name from a request into out (lower case): 0, or 553. */
int flows_name(const char *arg, char out[DNSNAME_MAX + 1], struct result *r);
/* Is the flow who's: its owner or subscriber (never an anonymous session)? */
int flows_theirs(const struct fnap_who *who, const struct flow_meta *m);
/* How who may read m, and for FLOW_GRANTED the grant's WHERE into where
   ("" for none; one that does not fit in size is FLOW_UNREADABLE). What
   a STREAM checks before and while it sends. */
enum flow_reading flows_reading(const struct fnap_conf *conf, const struct fnap_who *who,
    const struct flow_meta *m, char *where, size_t size);
/* May who make flows in namespace ns (LIST NAMESPACES shows all to anonymous)? */
int flows_ns_listed(const struct fnap_who *who, const char *ns);

/* The flow named arg to which who has access: 0, or 553 for a bad name,
   550 without saying whether it exists. */
int flows_find(const struct fnap_conf *conf, const struct fnap_who *who, const char *arg,
    enum flow_access access, struct flow_meta *m, struct result *r);

/* CREATE FLOW arg [PUBLIC] [RETAIN ...] for who, retention as the record
   keeps it ("" none): 0 with m filled in, or a reply code. */
int flows_create(const struct fnap_conf *conf, const struct fnap_who *who, const char *arg,
    int public, const char *retention, struct flow_meta *m, struct result *r);
/* SET RETENTION arg for its owner who (retention "" for NONE): its
   queue's, its record's and its DNS records', under its lock. 0 with m
   as it is now, or a reply code. */
int flows_retain(const struct fnap_conf *conf, const struct fnap_who *who, const char *arg,
    const char *retention, struct flow_meta *m, struct result *r);
/* Make flow m->flow, owned (owner, public, source... set by the caller)
   in a namespace served here: its record, queue and DNS records, counted
   against who's quota. 0, or a reply code (and nothing left behind). */
int flows_new(const struct fnap_conf *conf, const struct fnap_who *who, struct flow_meta *m,
    struct result *r);
/* Remove flow: its DNS records, queue, record and grants. 0, or a reply code. */
int flows_destroy(const struct fnap_conf *conf, const char *flow, struct result *r);
/* Rewrite m's record as it is now, under the flow's lock: 0 or -1. */
int flows_record(const struct fnap_conf *conf, const struct flow_meta *m);

/* DESCRIBE: m's lines as key and value, in their order, through fn. */
void flows_describe(const struct fnap_conf *conf, const struct fnap_who *who,
    const struct flow_meta *m, void (*fn)(void *ctx, const char *key, const char *value), void *ctx);
/* LIST FLOWS [ns]: the name of each flow who may see (inside ns unless
   NULL) through fn, in name order; -1 after a message if the flows
   cannot be read. */
int flows_list(const struct fnap_conf *conf, const struct fnap_who *who, const char *ns,
    void (*fn)(void *ctx, const char *flow), void *ctx);
/* LIST GRANTS [flow]: the grants on the flows who owns (flow only,
   unless NULL) through fn (fnap_grants' grants_each), in name order; -1
   after a message if the flows cannot be read. */
int flows_grants(const struct fnap_conf *conf, const struct fnap_who *who, const char *flow,
    void (*fn)(void *ctx, const char *flow, const char *user, const char *right, const char *where),
    void *ctx);

#endif
