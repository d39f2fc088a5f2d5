/* fnap_session: one session of the agent, as its command handlers
   (fnap_serve_*.c) share it, and the helpers they have in common. */
#ifndef FLOW_FNAP_SESSION_H
#define FLOW_FNAP_SESSION_H

#include "auth.h"
#include "broker.h"
#include "flowstate.h"
#include "fnap.h"
#include "fnap_conf.h"
#include "tls.h"

struct session {
	const struct fnap_conf *conf;
	struct fnap_conn *c;
	struct tls_ctx *tls;      /* NULL: TLS is not configured */
	int local;                /* the client is on this host */
	int authed, anonymous, failures, quit;
	char user[AUTH_NAME_MAX];
	char namespaces[AUTH_NAMESPACES_MAX];
};

/* A command: the session, and the rest of its line after the verb. */
typedef void fnap_handler(struct session *s, char *args);

fnap_handler fnap_cmd_authenticate;                            /* fnap_serve_auth.c */
fnap_handler fnap_cmd_create, fnap_cmd_describe, fnap_cmd_delete, /* fnap_serve_flow.c */
    fnap_cmd_list;
fnap_handler fnap_cmd_stream, fnap_cmd_publish;                /* fnap_serve_events.c */

/* A flow name from a request into out (lower case): 0, or a 553 reply and -1. */
int fnap_flow_arg(struct session *s, const char *arg, char out[DNSNAME_MAX + 1]);
/* Load a flow the session may read (write: change), else reply 550 without
   saying whether it exists: 0 or -1. */
int fnap_find_flow(struct session *s, const char *arg, int write, struct flow_meta *m);
/* May the session read the flow? Its owner, its subscriber, anyone if public. */
int fnap_readable(const struct session *s, const struct flow_meta *m);
/* The broker URL of the flow (file:// or kafka://) and the options it
   needs (the namespace's Kafka properties): 0, or -1 with a 450 reply. */
int fnap_flow_broker(struct session *s, const struct flow_meta *m, char *url, size_t size,
    struct broker_opts *o);

#endif
