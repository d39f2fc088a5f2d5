#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fnap_ua.h"
#include "dnsquery.h"
#include "resolve.h"
#include "util.h"

#define HOSTPORT_MAX (DNSNAME_MAX + 16)

/* "host:port", "[v6]:port" for an IPv6 address. */
static void
hostport(char out[HOSTPORT_MAX], const char *host, unsigned port)
{
	snprintf(out, HOSTPORT_MAX, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host,
	    port ? port : FNAP_PORT);
}

/* The host of "host[:port]" or "[v6]:port". */
static void
host_part(const char *hp, char out[HOSTPORT_MAX])
{
	size_t n = hp[0] == '[' ? strcspn(++hp, "]") :
	    strchr(hp, ':') ? (size_t)(strrchr(hp, ':') - hp) : strlen(hp);

	snprintf(out, HOSTPORT_MAX, "%.*s", (int)n, hp);
}

/* Connect to hp and authenticate (unless u->no_login), as the
   configuration says for the agent a there (credentials, TLS, CA), if it
   has one. */
static struct fnap_client *
session(const struct ua *u, const char *hp, int tls, const struct flowyml_agent *a, int *status)
{
	struct fnap_client *cl;

	if (!(cl = fnap_client_open(hp, tls || u->tls || (a && a->tls), a ? a->ca : NULL, status)))
		return NULL;
	if (!u->no_login && fnap_client_auth(cl, a ? a->username : NULL, a ? a->password : NULL, status) < 0) {
		fnap_client_close(cl);
		return NULL;
	}
	return cl;
}

/* A resolver for u's name server; NULL after a message. */
static struct resolver *
ua_resolver(const struct ua *u)
{
	struct resolver_opts o = { u->nameserver, RESOLVE_DEFAULT_TIMEOUT, RESOLVE_DEFAULT_RETRIES, 0 };
	struct resolver *r;
	const char *why;

	if (!(r = resolver_open(&o, &why)))
		warnmsg("name server %s: %s", u->nameserver ? u->nameserver : "of resolv.conf", why);
	return r;
}

/* The agents DNS gives name, in the order to try, with whether they
   require TLS; an exit status, after a message when it is not 0. */
static int
dns_agents(const struct ua *u, enum ua_target t, const char *name, struct srv_target *agents,
    size_t *n, int *tls)
{
	const char *ns = t == UA_NAMESPACE ? name : strchr(name, '.'), *why = "no namespace";
	struct flow_info *fi;
	struct resolver *r;
	int st = EX_FLOW_NEGATIVE;

	if (!(r = ua_resolver(u)))
		return EX_FLOW_CONFIG;
	if (ns)
		st = resolve_namespace_agent(r, t == UA_NAMESPACE ? ns : ns + 1, agents, n, tls, &why);
	if (st == EX_FLOW_NEGATIVE && t == UA_FLOW) {
		fi = xmalloc(sizeof *fi);
		if ((st = resolve_flow(r, name, RESOLVE_AGENT, fi, &why)) == EX_FLOW_OK) {
			memcpy(agents, fi->agents, fi->nagents * sizeof *agents);
			*n = fi->nagents;
			*tls = fi->agent_tls;
		}
		free(fi);
	}
	if (st != EX_FLOW_OK)
		warnmsg("%s: no agent in the configuration, nor in DNS: %s", name, why);
	resolver_close(r);
	return st;
}

/* The first of the targets t[0..n) that answers, logged in with the
   credentials of agent a, or without a those the configuration has for
   the target's host; *agent is the entry used. */
static struct fnap_client *
first_answering(const struct ua *u, const struct srv_target *t, size_t n, int tls,
    const struct flowyml_agent *a, const struct flowyml_agent **agent, int *status)
{
	struct fnap_client *cl = NULL;
	char hp[HOSTPORT_MAX];
	size_t i;

	/* an agent that cannot be reached makes way for the next */
	for (i = 0; i < n && !cl && (i == 0 || *status == EX_FLOW_UNAVAILABLE); i++) {
		*agent = a ? a : flowyml_agent_at(u->cfg, t[i].host);
		hostport(hp, t[i].host, t[i].port);
		cl = session(u, hp, tls, *agent, status);
	}
	return cl;
}

/* The first of the agents DNS gives name that answers. */
static struct fnap_client *
dns_session(const struct ua *u, enum ua_target t, const char *name,
    const struct flowyml_agent **agent, int *status)
{
	struct srv_target agents[RESOLVE_MAX_TARGETS];
	size_t n = 0;
	int tls = 0;

	if ((*status = dns_agents(u, t, name, agents, &n, &tls)) != EX_FLOW_OK)
		return NULL;
	return first_answering(u, agents, n, tls, NULL, agent, status);
}

/* Agent a of the configuration, at its port; without one, where the SRV
   records at its fqdn say (as the thesis's client finds its agents), and
   without those at port 61000. An address or localhost is not asked of
   DNS. */
static struct fnap_client *
config_session(const struct ua *u, const struct flowyml_agent *a, int *status)
{
	struct srv_target t[RESOLVE_MAX_TARGETS];
	const struct flowyml_agent *used;
	char hp[HOSTPORT_MAX];
	struct in_addr addr;
	struct resolver *r;
	const char *why;
	size_t n = 0;
	int st = EX_FLOW_NEGATIVE;

	if (!a->port && inet_pton(AF_INET, a->fqdn, &addr) != 1 && strcasecmp(a->fqdn, "localhost")) {
		if (!(r = ua_resolver(u))) {
			*status = EX_FLOW_CONFIG;
			return NULL;
		}
		/* DNS failing is said, and the default port tried, as a client
		   of a service found by SRV falls back on its host name */
		if ((st = resolve_srv(r, a->fqdn, t, &n, &why)) == EX_FLOW_UNAVAILABLE)
			warnmsg("%s; trying %s:%u", why, a->fqdn, FNAP_PORT);
		resolver_close(r);
	}
	if (st == EX_FLOW_OK)
		return first_answering(u, t, n, 0, a, &used, status);
	hostport(hp, a->fqdn, a->port);
	return session(u, hp, 0, a, status);
}

struct fnap_client *
ua_connect(const struct ua *u, enum ua_target t, const char *name,
    const struct flowyml_agent **agent, int *status)
{
	const struct flowyml_namespace *ns;
	char hp[HOSTPORT_MAX];

	*agent = NULL;
	if (u->agent) {
		if (!(*agent = flowyml_agent(u->cfg, u->agent))) {
			/* not a name of the configuration: a host, maybe one it lists */
			host_part(u->agent, hp);
			*agent = flowyml_agent_at(u->cfg, hp);
			return session(u, u->agent, 0, *agent, status);
		}
	} else if (t != UA_DEFAULT) {
		if (!(ns = flowyml_namespace_of(u->cfg, name)))
			return dns_session(u, t, name, agent, status);
		*agent = flowyml_agent(u->cfg, ns->agent);
	} else if (u->cfg->nagents)
		*agent = &u->cfg->agents[0];
	else {
		warnmsg("no agent: name one with --agent, or list one in the configuration");
		*status = EX_FLOW_CONFIG;
		return NULL;
	}
	return config_session(u, *agent, status);
}

void
ua_quit(struct fnap_client *cl)
{
	const char *text;

	fnap_client_command(cl, &text, "QUIT");
	fnap_client_close(cl);
}
