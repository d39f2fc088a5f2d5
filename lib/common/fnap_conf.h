/* fnap_conf: the agent's configuration file (fnap-serve.conf(5)) and its
   users file (name:argon2id-hash:namespace,...). */
#ifndef FLOW_FNAP_CONF_H
#define FLOW_FNAP_CONF_H

#include "dnsname.h"

#define FNAP_MAX_NAMESPACES 64

struct fnap_namespace {
	char name[DNSNAME_MAX + 1];
	char *base;           /* file broker: the directory of its flows */
};

struct fnap_conf {
	char hostname[DNSNAME_MAX + 1];
	unsigned port;        /* advertised in DNS and DESCRIBE */
	char *state;          /* the state directory */
	char *users;          /* the users file */
	char *dns_update;     /* a command that takes an nsupdate script, or NULL */
	int plain_cleartext;  /* allow PLAIN without TLS from other hosts */
	int idle_timeout;     /* seconds */
	struct fnap_namespace ns[FNAP_MAX_NAMESPACES];
	int nns;
};

/* Read path; 0, or -1 after a message naming the line. */
int fnap_conf_load(const char *path, struct fnap_conf *c);

/* The namespace a flow name belongs to (the longest suffix), or NULL. */
const struct fnap_namespace *fnap_conf_namespace(const struct fnap_conf *c, const char *flow);

/* Check name's password against the users file; on success copy the user's
   namespaces (comma-separated) into ns (ns_size bytes). 1 yes, 0 no, -1 the
   file cannot be read. */
int fnap_user_check(const struct fnap_conf *c, const char *name, const char *password, char *ns,
    size_t ns_size);

/* 1 if namespace ns is in the comma-separated list. */
int fnap_ns_listed(const char *list, const char *ns);

#endif
