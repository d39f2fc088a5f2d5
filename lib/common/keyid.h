/* keyid: the names of signing keys, <selector>._flowkey.<namespace>, as
   DNS publishes them (flowkey.h says the record). Pure string work, apart
   from the keys themselves, so that what only names keys (dnsupdate's
   scripts) needs no cryptography library. */
#ifndef FLOW_KEYID_H
#define FLOW_KEYID_H

#include <stddef.h>

#define FLOWKEY_LABEL "._flowkey."

/* Split a key id into its selector and namespace (each DNSNAME_MAX + 1
   bytes, lower case): 0, or -1 with *why when it is not
   <selector>._flowkey.<namespace> with a one-label selector. */
int flowkey_id_parse(const char *keyid, size_t n, char *selector, char *ns, const char **why);

/* The DNS name of a key id, <selector>._flowkey.<namespace> in lower case
   and without a trailing dot, into name (DNSNAME_MAX + 1 bytes): 0, or -1
   with *why as flowkey_id_parse. */
int flowkey_id_name(const char *keyid, size_t n, char *name, const char **why);

#endif
