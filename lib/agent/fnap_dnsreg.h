/* fnap_dnsreg: a flow's DNS records (resolve.h has their layout), added
   when the agent makes the flow and deleted when it removes it, and the
   FLOWKEY1 record of a namespace's signing key (flowkey.h), by the
   configured dns-update command with an nsupdate script on its standard
   input. Part of the agent's model: it never replies to a client; what
   goes wrong is said in the log. Called by fnap_flows and fnap_sign. */
#ifndef FLOW_FNAP_DNSREG_H
#define FLOW_FNAP_DNSREG_H

#include "dnsupdate.h"
#include "flowstate.h"
#include "fnap_conf.h"

/* Add or delete m's records: 0 (also when no dns-update is configured),
   or -1 after a message. */
int dnsreg_update(const struct fnap_conf *conf, enum dnsupdate_op op, const struct flow_meta *m);
/* Add (or replace) the key record (its FLOWKEY1 text) at keyid: 0 (also
   when no dns-update is configured), or -1 after a message. */
int dnsreg_key(const struct fnap_conf *conf, const char *keyid, const char *record);

#endif
