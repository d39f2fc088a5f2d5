/* fnap_conf: the agent's configuration (fnap-serve.conf(5)): "key value"
   lines, # comments; the same settings from the command line (-o). */
#ifndef FLOW_FNAP_CONF_H
#define FLOW_FNAP_CONF_H

#include <stddef.h>

#include "brokers.h"
#include "dnsname.h"

#define FNAP_MAX_NAMESPACES 64

struct fnap_namespace {
	char name[DNSNAME_MAX + 1];
	const struct broker_kind *kind; /* where its flows are kept: one with a keeper */
	struct broker_space space;      /* and how (WHERE, OPTIONS) */
	/* sign-key: events PUBLISHed into its flows are signed (fnap_sign)
	   with the PEM private key of this file, read only then; NULL: none */
	char *sign_key;
	char sign_keyid[DNSNAME_MAX + 1];   /* <selector>._flowkey.<name> */
	char *sign_exts;   /* the extensions it signs too, separated by blanks, or NULL */
};

struct fnap_conf {
	char hostname[DNSNAME_MAX + 1];
	unsigned port;        /* advertised in DNS and DESCRIBE */
	unsigned tls_port;    /* where implicit TLS is served (0: nowhere) */
	char *state;          /* the state directory */
	char *users;          /* the users file */
	char *dns_update;     /* a command that takes an nsupdate script, or NULL */
	char *dns_server;     /* the script's server, "HOST:PORT" ("[V6]:PORT"), or NULL */
	char *dns_zone;       /* the script's "zone ZONE", or NULL */
	char *tls_cert, *tls_key;
	int implicit_tls;     /* -T: TLS from the first byte */
	int plain_cleartext;  /* allow PLAIN without TLS from other hosts */
	int trace;            /* -d: every line of the session on standard error */
	int idle_timeout;     /* seconds */
	int login_timeout;    /* seconds a session may go unauthenticated */
	size_t command_max;   /* bytes of a command line */
	size_t event_max;     /* bytes of an event line */
	int flows_per_user;   /* 0: no limit */
	int anonymous_subscriptions; /* of all anonymous sessions together; 0: none */
	char *scan_dir;       /* the supervisor's scan directory (processors) */
	char *peers;          /* credentials for other agents (agent as client) */
	char *tls_ca;         /* CAs trusted as a client of other agents, or NULL */
	struct fnap_namespace ns[FNAP_MAX_NAMESPACES];
	int nns;
};

/* The defaults. */
void fnap_conf_init(struct fnap_conf *c);
/* Read the settings of path; 0, or -1 after a message naming the line. */
int fnap_conf_load(struct fnap_conf *c, const char *path);
/* One setting, "key value" or "key=value" (as -o gives it); 0, or -1 with *why. */
int fnap_conf_set(struct fnap_conf *c, const char *setting, const char **why);
/* Are the settings complete and consistent? 0, or -1 with *why. */
int fnap_conf_check(const struct fnap_conf *c, const char **why);
void fnap_conf_free(struct fnap_conf *c);

/* The namespace a flow name belongs to (the longest suffix), or NULL. */
const struct fnap_namespace *fnap_conf_namespace(const struct fnap_conf *c, const char *flow);
/* 1 if name is ns or a name inside it. */
int fnap_in_namespace(const char *name, const char *ns);

/* Where other hosts are sent (DNS, DESCRIBE): the tls-port when there is
   one, else the port; and whether that port is one of implicit TLS. */
unsigned fnap_conf_public_port(const struct fnap_conf *c);
int fnap_conf_public_tls(const struct fnap_conf *c);

#endif
