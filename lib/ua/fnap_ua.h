/* fnap_ua: how the user agent fnap reaches an agent. The agent
   named with --agent; else the one ~/.flow.yml gives the namespace of the
   name at hand; else DNS: _fnap._tcp SRV of the namespace (for a flow: the
   flow name without its first label), then the flow's own _flow._tcp SRV.
   With no name at hand, the first agent of the configuration (the user's
   own). An agent of the configuration without a port is where the SRV
   records at its fqdn say, as the thesis's client finds it, else at port
   61000. The session is then authenticated with PLAIN and the credentials
   the configuration has for that host, or ANONYMOUS without any; not at
   all with no_login (fnap check, whose CAPABILITIES needs no login). */
#ifndef FLOW_FNAP_UA_H
#define FLOW_FNAP_UA_H

#include "flowyml.h"
#include "fnap_client.h"

struct ua {
	const struct flowyml *cfg;
	const char *agent;       /* --agent: a name of cfg, else HOST[:PORT]; or NULL */
	const char *nameserver;  /* -s or FLOW_NAMESERVER, or NULL: resolv.conf */
	int tls;                 /* --tls: TLS whatever the configuration says */
	int json;                /* -j */
	int no_login;            /* connect and read the greeting only */
};

enum ua_target {
	UA_DEFAULT,    /* no name: --agent, else the first agent of cfg */
	UA_FLOW,       /* a flow: its namespace's agent, else DNS */
	UA_NAMESPACE,  /* a namespace: its agent, else its _fnap._tcp SRV */
};

/* An authenticated session with the agent for name (NULL for UA_DEFAULT),
   and in *agent its entry in the configuration (NULL when there is none).
   NULL after a message "fnap: context: reason", with *status. */
struct fnap_client *ua_connect(const struct ua *u, enum ua_target t, const char *name,
    const struct flowyml_agent **agent, int *status);
/* QUIT (the answer is not waited for long), then close. */
void ua_quit(struct fnap_client *cl);

#endif
