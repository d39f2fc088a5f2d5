/* fnap_subs: the agent's subscriptions as its model keeps them, apart
   from the protocol. A subscription of a served flow is a new flow
   <id>.<flow>, owned by the flow's owner and readable by its subscriber,
   fed by a processor (fnap_feed: flow-bridge under s6) that copies the
   flow, through the WHERE filter, from its first event on (or FROM). SUBSCRIBE ... LOCAL also
   makes a flow of the user's fed from the subscription flow, here or at
   the flow's agent elsewhere (subscribed at as a client, fnap_peer). A
   processor is named by the flow it feeds; what a flow is fed from is its
   record's source (and agent, when that is elsewhere). A subscription
   counts against its subscriber's quota; those of anonymous sessions,
   against one quota of their own. An anonymous session is no one: its
   subscription is managed by a random token, whose hash the record keeps
   (in this session or another: an agent that subscribed anonymously
   revokes with it). A subscription made through a READ grant of the flow
   (fnap_grants) copies only what the grant's WHERE lets through, and
   goes when the grant does, or gets another WHERE: so a change of a
   grant is made here. With VERIFY, the processor that copies from the
   flow's agent (the subscription's, for a flow here; the local flow's,
   for one elsewhere) copies only the events signed with keys of the
   flow's namespace; the record of the flow it feeds keeps the namespace.
   It never replies to a client: each call returns 0, or a reply code
   with the reason in a struct result. The command handlers call it; it
   calls fnap_flows, fnap_grants, fnap_queue, fnap_feed, fnap_peer and processor,
   never them. */
#ifndef FLOW_FNAP_SUBS_H
#define FLOW_FNAP_SUBS_H

#include "flowstate.h"
#include "fnap.h"
#include "fnap_conf.h"
#include "fnap_feed.h"
#include "fnap_flows.h"
#include "fnap_grants.h"
#include "fnap_result.h"

#define SUBS_TOKEN_TEXT (FNAP_TOKEN_HEX + 1)

/* Are there processors here (a supervisor configured)? 0, or 502. */
int subs_supervised(const struct fnap_conf *conf, struct result *r);

/* Subscribe who to flow src, from t->from on, through t->where (NULL:
   none; the WHERE of a grant who reads src through before it): 0 with
   sub filled in, and the token that manages it for an anonymous session
   (else ""); or a reply code, with nothing left behind. */
int subs_new(const struct fnap_conf *conf, const struct fnap_who *who, const struct flow_meta *src,
    const struct feed_terms *t, struct flow_meta *sub, char token[SUBS_TOKEN_TEXT], struct result *r);
/* SUBSCRIBE flow LOCAL arg: the local flow (arg inside one of who's
   namespaces, else inside the first of them), the subscription here or
   at the flow's agent, the processor between them. 0 with local filled
   in (its flow and source), or a reply code, with nothing left behind. */
int subs_new_local(const struct fnap_conf *conf, const struct fnap_who *who, const char *flow,
    const char *arg, const struct feed_terms *t, struct flow_meta *local, struct result *r);

/* The flow named arg, fed by a processor who manages (or that token, if
   not NULL, lets them manage): 0, or 553, or 550. */
int subs_find_fed(const struct fnap_conf *conf, const struct fnap_who *who, const char *arg,
    const char *token, struct flow_meta *m, struct result *r);
/* REVOKE m (found by subs_find_fed): it must be a subscription flow,
   which goes with what copies it. 0, or a reply code. */
int subs_revoke(const struct fnap_conf *conf, struct flow_meta *m, struct result *r);
/* UNSUBSCRIBE m: a subscription flow goes; a local flow stays, with its
   events, and loses its feed. 0, or a reply code. */
int subs_unsubscribe(const struct fnap_conf *conf, struct flow_meta *m, struct result *r);
/* PAUSE (pause) or RESUME m's processor. 0, or a reply code. */
int subs_pause(const struct fnap_conf *conf, struct flow_meta *m, int pause, struct result *r);
/* DELETE FLOW m: what feeds it and the subscriptions that copy it go
   first, then the flow. 0, or a reply code. */
int subs_delete_flow(const struct fnap_conf *conf, const struct flow_meta *m, struct result *r);
/* GRANT right ON m TO user [WHERE where] (fnap_grants' grants_set),
   for m's owner: the user's subscriptions of m made under a READ grant
   with another WHERE end, as REVOKE ends them (a retry ends what a
   failure left). 0, or a reply code. */
int subs_grant(const struct fnap_conf *conf, const struct flow_meta *m, const char *user,
    enum grant_right right, const char *where, struct result *r);
/* REVOKE right ON m FROM user (grants_unset), for m's owner: of READ,
   the user's subscriptions of m made under the grant end too (also when
   the grant is gone already: a REVOKE cut short is done again, and still
   answered 550). 0, or a reply code. */
int subs_ungrant(const struct fnap_conf *conf, const struct flow_meta *m, const char *user,
    enum grant_right right, struct result *r);

/* LIST SUBSCRIPTIONS [flow]: the subscription flows who owns or holds,
   and who's local flows fed from elsewhere (about flow, unless NULL),
   through fn with the line's three words; -1 after a message if the
   flows cannot be read. */
int subs_list(const struct fnap_conf *conf, const struct fnap_who *who, const char *flow,
    void (*fn)(void *ctx, const char *name, const char *user, const char *state), void *ctx);

#endif
