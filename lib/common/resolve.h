/* resolve: the Flow Name Service. A flow FQDN F is found through
   DNS, with libresolv:

	F                    PTR  _flow._tcp.F.
	_flow._tcp.F         SRV  the agents (FNAA); TXT "tls" when they need TLS
	_queue._flow._tcp.F  SRV  the brokers; TXT "broker-type=kafka|fnap|file"
	                          "topic=..." "path=/dir" "tls"
	F                    SRV  the agents again, where the thesis's agents
	                          look: used when _flow._tcp.F has none, and
	                          enough to make F a flow without its PTR

   and a namespace N by _fnap._tcp.N SRV (its agent) and the browse list
   _flow._tcp.N PTR F (its public flows). The DNS itself (the resolver,
   queries, SRV order) is dnsquery's. */
#ifndef FLOW_RESOLVE_H
#define FLOW_RESOLVE_H

#include <stddef.h>

#include "brokers.h"
#include "dnsname.h"
#include "dnsquery.h"

#define RESOLVE_PATH_MAX 1024

struct flow_info {
	char flow[DNSNAME_MAX + 1];
	struct srv_target agents[RESOLVE_MAX_TARGETS];  /* in the order to try */
	size_t nagents;
	int agent_tls;
	const struct broker_kind *broker;               /* its broker-type; NULL: no TXT says */
	struct srv_target brokers[RESOLVE_MAX_TARGETS]; /* in the order to try */
	size_t nbrokers;
	int broker_tls;
	char topic[DNSNAME_MAX + 1];       /* kafka topic or fnap flow; default F */
	char path[RESOLVE_PATH_MAX];       /* file: the flow directory, or "" */
	char retention[24];                /* how long events are kept ("7d", "12h"), or "" */
};

/* What resolve_flow() looks up: the agent records, the broker records, or both. */
enum { RESOLVE_AGENT = 1, RESOLVE_BROKER = 2 };

/* The lookups below return as dnsquery.h's do: EX_FLOW_OK, EX_FLOW_NEGATIVE
   or EX_FLOW_UNAVAILABLE with *why; a TXT value that cannot be used is
   reported with warnmsg() and ignored. */

/* Look up flow fqdn: its PTR, then the agent and/or broker records (what is
   a mask of RESOLVE_AGENT and RESOLVE_BROKER). OK when the flow exists and
   something asked for was found. */
int resolve_flow(struct resolver *r, const char *fqdn, int what, struct flow_info *fi,
    const char **why);

/* The agent of namespace ns (_fnap._tcp.ns SRV, TXT "tls"). */
int resolve_namespace_agent(struct resolver *r, const char *ns, struct srv_target *agents,
    size_t *nagents, int *tls, const char **why);

/* The public flows of namespace ns (_flow._tcp.ns PTR), sorted, in a
   malloc'd array of malloc'd names; free with resolve_names_free(). */
int resolve_namespace_flows(struct resolver *r, const char *ns, char ***names, size_t *n,
    const char **why);
void resolve_names_free(char **names, size_t n);

/* A file broker's directory as it may stand in a _queue TXT record, for
   reading and writing it (absolute, no "..", no blanks, quotes or
   shell-special characters; a topic is its broker kind's to check,
   brokers.h). 0 if fine, -1 if not. */
int flow_path_check(const char *s);

/* The broker URL of a resolved flow (kafka://h:p,h:p/topic, fnap[s]://h:p/F,
   file:///dir), malloc'd; NULL with *why when the records do not make one. */
char *flow_info_url(const struct flow_info *fi, const char **why);

/* For flow:// URLs in every program: resolve fqdn to its broker URL with
   the default resolver (FLOW_NAMESERVER when set), malloc'd. NULL after the
   diagnostic "progname: flow://fqdn: reason", with *status EX_FLOW_NEGATIVE
   (no such flow, or no usable broker), EX_FLOW_UNAVAILABLE (DNS unreachable),
   EX_FLOW_CONFIG (FLOW_NAMESERVER unusable) or EX_FLOW_USAGE (fqdn is not
   a DNS name). */
char *resolve_broker_url(const char *fqdn, int *status);

#endif
