/* uri: the broker URLs every program accepts (flow-broker(7)): a broker
   kind's scheme (brokers.h, whose row parses the rest), or flow://, a
   flow name to look up in DNS. Anyone may call it. */
#ifndef FLOW_URI_H
#define FLOW_URI_H

#include "brokers.h"
#include "dnsname.h"

struct flow_url {
	const struct broker_kind *kind;  /* NULL: flow://, a name to resolve */
	int tls;      /* the kind's TLS scheme (fnaps) */
	char *path;   /* file: the flow directory */
	char *hosts;  /* kafka: "host:port[,host:port...]"; fnap(s): "host:port" */
	char *name;   /* kafka: the topic; fnap(s), flow: the flow FQDN (normalized) */
};

/* Parse s; 0 on success, -1 with *why (the URL is then unusable). A string
   without "scheme://" is taken as a file flow directory. */
int url_parse(const char *s, struct flow_url *u, const char **why);
void url_free(struct flow_url *u);

/* A flow named on a command line, "flow://F" or just "F", a trailing '/'
   allowed: its FQDN F, checked and normalized into out. -1 with *why,
   "not a flow:// URI" for another scheme. */
int flow_name_parse(const char *arg, char out[DNSNAME_MAX + 1], const char **why);

#endif
