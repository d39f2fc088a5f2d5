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
fnap_handler fnap_cmd_subscribe, fnap_cmd_unsubscribe,          /* fnap_serve_sub.c */
    fnap_cmd_revoke, fnap_cmd_pause, fnap_cmd_resume, fnap_list_subscriptions;

/* A flow name from a request into out (lower case): 0, or a 553 reply and -1. */
int fnap_flow_arg(struct session *s, const char *arg, char out[DNSNAME_MAX + 1]);
/* Load a flow the session may read (write: change), else reply 550 without
   saying whether it exists: 0 or -1. */
int fnap_find_flow(struct session *s, const char *arg, int write, struct flow_meta *m);
/* Is the flow the session's: is its user (never an anonymous session) the
   flow's owner or subscriber? */
int fnap_theirs(const struct session *s, const struct flow_meta *m);
/* May the session read the flow? Its owner, its subscriber, anyone if public. */
int fnap_readable(const struct session *s, const struct flow_meta *m);
/* The broker URL of the flow (file:// or kafka://) and the options it
   needs (the namespace's Kafka properties): 0, or -1 with a 450 reply. */
int fnap_flow_broker(struct session *s, const struct flow_meta *m, char *url, size_t size,
    struct broker_opts *o);
/* The flow's broker URL alone. */
void fnap_flow_url(const struct flow_meta *m, char *url, size_t size);

/* The other agent's subscription of SUBSCRIBE ... LOCAL (fnap_serve_peer.c). */
struct peer_sub {
	char agent[DNSNAME_MAX + 8];   /* host:port */
	int tls;
	char sub[DNSNAME_MAX + 1];     /* the subscription flow there */
	char token[FLOWSTATE_TOKEN_MAX]; /* what ends it, when made anonymously; else "" */
};
/* Subscribe to flow (WHERE where, unless NULL) at its agent, found in DNS:
   0 with p filled in; else the agent's reply code, or -1 when it cannot
   be found or reached, with the reason in err. */
int fnap_peer_subscribe(const struct fnap_conf *conf, const char *flow, const char *where,
    struct peer_sub *p, char *err, size_t size);
/* REVOKE subscription flow sub at agent (host:port), with its token
   unless token is empty: 0, or -1 after a message. */
int fnap_peer_revoke(const struct fnap_conf *conf, const char *agent, int tls, const char *sub,
    const char *token);
/* The credentials configured for the agent on host (peers file): 1, else 0. */
int fnap_peer_credentials(const struct fnap_conf *conf, const char *host,
    char user[AUTH_NAME_MAX], char password[AUTH_PASSWORD_MAX]);

/* Make a new flow: the namespace's queue for m->flow, its record (owner,
   public, source... as the caller set them) and its DNS records. 0, or
   -1 after the reply (and nothing left behind). */
int fnap_flow_new(struct session *s, struct flow_meta *m);
/* Remove a flow, its queue and DNS records: 0, or the reply code with *why. */
int fnap_flow_destroy(struct session *s, const char *flow, const char **why);
/* Before a flow goes: stop the processor that feeds it (ending the
   subscription it copies) and revoke the subscriptions that copy it.
   0, or the reply code with *why. */
int fnap_sub_detach(struct session *s, const struct flow_meta *m, const char **why);

#endif
