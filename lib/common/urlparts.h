/* urlparts: the checks of the parts broker URLs are made of, for uri and
   the broker kinds (brokers.h) that parse their own URLs: host:port
   lists, flow names at the end of a URL. Pure functions of their
   arguments; anyone may call them. */
#ifndef FLOW_URLPARTS_H
#define FLOW_URLPARTS_H

#include <stddef.h>

#include "dnsname.h"
#include "dnsquery.h"

/* The hosts of s..end: a comma-separated list of host:port (list), or one
   host[:port]. Host names, IPv4 or [IPv6] addresses; every element of a
   list is checked, the one after the last comma too. 0, or -1 with *why. */
int url_hosts_check(const char *s, const char *end, int list, const char **why);

/* The flow FQDN that ends a URL, a trailing '/' allowed, checked and
   normalized into out: 0, or -1 with *why. */
int url_fqdn(const char *s, char out[DNSNAME_MAX + 1], const char **why);

/* "scheme://host:port[,host:port...]/name" of the first n targets,
   malloc'd. */
char *url_hosts_format(const char *scheme, const struct srv_target *t, size_t n, const char *name);

#endif
