/* fnap_peer: the agent as a client of other agents, for SUBSCRIBE ...
   LOCAL: it finds a flow's agent through DNS, logs in there with the
   credentials configured for that host in the peers file (else
   ANONYMOUS), over TLS when the records say so, and subscribes, or
   revokes such a subscription. It never replies to the agent's own
   client: failures come back as codes and reasons, and go to the log.
   Called by the model of subscriptions (fnap_subs). */
#ifndef FLOW_FNAP_PEER_H
#define FLOW_FNAP_PEER_H

#include <stddef.h>

#include "auth.h"
#include "flowstate.h"
#include "fnap_conf.h"

/* The other agent's subscription of SUBSCRIBE ... LOCAL. */
struct peer_sub {
	char agent[DNSNAME_MAX + 8];   /* host:port */
	int tls;
	char sub[DNSNAME_MAX + 1];     /* the subscription flow there */
	char token[FLOWSTATE_TOKEN_MAX]; /* what ends it, when made anonymously; else "" */
};

/* Subscribe to flow (FROM from, unless NULL or ""; WHERE where, unless
   NULL) at its agent, found in DNS:
   0 with p filled in; else the agent's reply code, or -1 when it cannot
   be found or reached, with the reason in err. */
int fnap_peer_subscribe(const struct fnap_conf *conf, const char *flow, const char *from, const char *where,
    struct peer_sub *p, char *err, size_t size);
/* REVOKE subscription flow sub at agent (host:port), with its token
   unless token is empty: 0, or -1 after a message. */
int fnap_peer_revoke(const struct fnap_conf *conf, const char *agent, int tls, const char *sub,
    const char *token);
/* The credentials configured for the agent on host (peers file): 1, else 0. */
int fnap_peer_credentials(const struct fnap_conf *conf, const char *host,
    char user[AUTH_NAME_MAX], char password[AUTH_PASSWORD_MAX]);

#endif
