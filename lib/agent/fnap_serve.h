/* fnap_serve: one FNAP session of the agent on a pair of descriptors. */
#ifndef FLOW_FNAP_SERVE_H
#define FLOW_FNAP_SERVE_H

#include "fnap_conf.h"

/* Serve the client on in/out until QUIT, end of input, the idle timeout,
   the login timeout or three failed authentications; the exit status. The
   process's umask gets 027 added: what the agent makes is not for others. */
int fnap_serve(const struct fnap_conf *conf, int in, int out);

#endif
