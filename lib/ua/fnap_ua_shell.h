/* fnap_ua_shell: fnap shell, a session typed by the user on an
   authenticated connection (TLS when it is): each line read is sent as it
   is, each line the agent sends is printed as it comes, so that DATA
   blocks, PUBLISH and STREAM work as they do on the wire. */
#ifndef FLOW_FNAP_UA_SHELL_H
#define FLOW_FNAP_UA_SHELL_H

#include "fnap_client.h"

/* Relay lines from in to the agent and the agent's to stdout until the
   agent closes the connection; at the end of in, QUIT (unless it was
   typed). The exit status: 0 after 221, the status of the last reply
   when it was a failure, else 69. */
int ua_shell(struct fnap_client *cl, int in);

#endif
