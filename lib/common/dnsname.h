/* dnsname: flow and namespace names are DNS names, checked before they touch
   a path, a topic, a DNS update or a shell. */
#ifndef FLOW_DNSNAME_H
#define FLOW_DNSNAME_H

#include <stddef.h>

#define DNSNAME_MAX 253

/* 0 if s[0..len) is a host name of labels [a-z0-9-], 1-63 characters, not
   starting or ending with '-', at most 253 characters, one trailing dot
   allowed; upper case is accepted. Else -1 and *why. */
int dnsname_check(const char *s, size_t len, const char **why);

/* Copy a checked name into out (DNSNAME_MAX + 1 bytes), lower case, without a
   trailing dot. */
void dnsname_normalize(const char *s, size_t len, char *out);

/* Both: 0 and the normal form of s[0..len) in out, or -1 and *why as
   dnsname_check says it. */
int dnsname_parse(const char *s, size_t len, char out[DNSNAME_MAX + 1], const char **why);

#endif
