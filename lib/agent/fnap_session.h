/* fnap_session: one session of the agent as its command handlers
   (fnap_serve_*.c) share it, and what they have in common to turn
   requests into calls of the model (fnap_flows, fnap_subs) and its
   results into replies. A handler parses its arguments, asks the model
   (which authorizes and acts), and replies; the usage text it answers
   501 with is its row's in the command table (fnap_serve.c). Called by
   the handlers only. */
#ifndef FLOW_FNAP_SESSION_H
#define FLOW_FNAP_SESSION_H

#include "fnap.h"
#include "fnap_audit.h"
#include "fnap_conf.h"
#include "fnap_flows.h"
#include "fnap_queue.h"
#include "fnap_result.h"
#include "tls.h"

struct session {
	const struct fnap_conf *conf;
	struct fnap_conn *c;
	struct tls_ctx *tls;      /* made at the first STARTTLS (NULL before) */
	int local;                /* the client is on this host */
	struct audit_peer audit;  /* who the client is, for the audit trail */
	int authed, failures, quit;
	struct fnap_who who;      /* once authed */
	const char *usage;        /* the command's, for a 501 */
	struct stream *stream;    /* the last STREAM with GROUP, for its ACKs */
};

/* A command: the session, and the rest of its line after the verb. */
typedef void fnap_handler(struct session *s, char *args);

fnap_handler fnap_cmd_authenticate;                            /* fnap_serve_auth.c */
fnap_handler fnap_cmd_create, fnap_cmd_describe, fnap_cmd_delete, /* fnap_serve_flow.c */
    fnap_cmd_list, fnap_cmd_set;
fnap_handler fnap_cmd_publish;                                 /* fnap_serve_events.c */
fnap_handler fnap_cmd_stream, fnap_cmd_ack;                    /* fnap_serve_stream.c */
/* The session ends, or streams anew: its last GROUP stream goes. */
void session_stream_end(struct session *s);
fnap_handler fnap_cmd_subscribe, fnap_cmd_unsubscribe,          /* fnap_serve_sub.c */
    fnap_cmd_revoke, fnap_cmd_pause, fnap_cmd_resume;
fnap_handler fnap_cmd_grant;                                   /* fnap_serve_grant.c */
/* LIST SUBSCRIPTIONS [flow] (fnap_serve_sub.c). */
void fnap_list_subscriptions(struct session *s, const char *flow);
/* REVOKE's arguments of the grant form, READ|WRITE ON ... (the other is
   a subscription flow, whose name has dots)? And REVOKE of that form
   (fnap_serve_grant.c). */
int fnap_revoke_grant_form(const char *args);
void fnap_revoke_grant(struct session *s, char *args);
/* LIST GRANTS [flow] (fnap_serve_grant.c). */
void fnap_list_grants(struct session *s, const char *flow);

/* 501 with the command's usage text. */
void session_usage(struct session *s);
/* The reply of a model's result: r->code with r->why. */
void session_reply(struct session *s, const struct result *r);
/* The reply of a model's call that answers nothing more: code's result
   in r, or 220 OK for 0. */
void session_done(struct session *s, int code, const struct result *r);
/* A flow name from a request into out (lower case): 0, or -1 after the 553. */
int session_flow_name(struct session *s, const char *arg, char out[DNSNAME_MAX + 1]);
/* The flow named arg to which the session has that access: 0, or -1
   after the reply (553, or 550 without saying whether it exists). */
int session_find_flow(struct session *s, const char *arg, enum flow_access access,
    struct flow_meta *m);
/* Such a flow, its URL and the broker options to open it with: 0, or -1
   after the reply. Free o with broker_opts_free. */
int session_open_flow(struct session *s, const char *arg, enum flow_access access,
    struct flow_meta *m, char url[QUEUE_URL_MAX], struct broker_opts *o);
/* A WHERE (NULL: none) that compiles as a CESQL filter: 0, or -1 after
   the 501 that says where it does not. */
int session_where(struct session *s, const char *where);

#endif
