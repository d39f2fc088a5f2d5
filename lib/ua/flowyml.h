/* flowyml: the user agent's configuration, ~/.flow.yml, in the thesis's
   format (a YAML mapping of two lists of maps), read with libyaml:

	agents:
	  - name: fnaa-unix          # how --agent and namespaces name it
	    fqdn: fnaa.unix.ar       # its host
	    username: test           # PLAIN credentials; none: ANONYMOUS
	    password: test
	    prefix: unix.ar-         # local names of subscriptions made there
	    port: 61000              # optional (61000)
	    tls: true                # optional: TLS from the first byte
	    ca: /etc/flow/ca.pem     # optional: the CAs to trust for it
	namespaces:
	  - name: flows.unix.ar
	    agent: fnaa-unix

   Anything else is an error with its line number (an unknown key, a value
   of the wrong kind, a username without a password, a name listed twice,
   a namespace whose agent is not listed): a typo must not make the client
   fall back on DNS or on ANONYMOUS without saying so. The first agent is
   the user's own, for commands that name no flow. */
#ifndef FLOW_FLOWYML_H
#define FLOW_FLOWYML_H

#include <stddef.h>

#define FLOWYML_MAX_AGENTS 64
#define FLOWYML_MAX_NAMESPACES 1024
#define FLOWYML_VALUE_MAX 1024        /* bytes of one value */
#define FLOWYML_FILE_MAX (1024 * 1024) /* bytes of the whole file */

struct flowyml_agent {
	char *name, *fqdn, *username, *password, *prefix, *ca; /* NULL when absent */
	unsigned port;        /* 0 when absent */
	int tls;
	unsigned line;        /* where the entry starts, 1-based */
};

struct flowyml_namespace {
	char *name, *agent;   /* name normalized (lower case, no final dot) */
	unsigned line;
};

struct flowyml {
	struct flowyml_agent *agents;
	size_t nagents;
	struct flowyml_namespace *namespaces;
	size_t nnamespaces;
};

/* Read path into *cfg (which it zeroes first). When optional is set, a file
   that does not exist is an empty configuration. 0, or -1 after the
   message "progname: path: line N: reason" (or "path: reason"). */
int flowyml_load(const char *path, int optional, struct flowyml *cfg);
void flowyml_free(struct flowyml *cfg);

/* The agent called name, or NULL. */
const struct flowyml_agent *flowyml_agent(const struct flowyml *cfg, const char *name);
/* The first agent whose fqdn is host (any case), or NULL. */
const struct flowyml_agent *flowyml_agent_at(const struct flowyml *cfg, const char *host);
/* The namespace holding fqdn (fqdn itself, or the longest name it ends
   in after a dot), or NULL. fqdn is normalized. */
const struct flowyml_namespace *flowyml_namespace_of(const struct flowyml *cfg, const char *fqdn);

#endif
