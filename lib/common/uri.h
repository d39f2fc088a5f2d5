/* uri: the broker URLs every program accepts (flow-broker(7)). */
#ifndef FLOW_URI_H
#define FLOW_URI_H

#include "dnsname.h"

enum url_scheme { URL_FILE, URL_KAFKA, URL_FNAP, URL_FNAPS, URL_FLOW };

struct flow_url {
	enum url_scheme scheme;
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
