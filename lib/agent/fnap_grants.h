/* fnap_grants: what the owner of a flow lets other users of the agent do
   with it (GRANT, REVOKE ... FROM, LIST GRANTS; fnap(7)): read it, all of
   it or only the events for which a CESQL WHERE of the owner's is true,
   or write it (PUBLISH). A grantee is a user of the users file (another
   organisation's agent logs in as one), or anonymous, who may be granted
   READ only. A flow's grants are one small file, STATE/grants/FLOW, of
   "<user> <read|write>[ where=<cesql>]" lines in user order, replaced
   whole under the flow's lock and read without it; it goes with the flow.
   Part of the agent's model: it never replies to a client, each call
   returns 0 or a reply code with the reason in a struct result. It says
   nothing of who owns a flow: its callers (fnap_flows, which decides who
   may do what, and fnap_subs, which ends what a grant allowed, for the
   handlers that found the flow the session owns) have asked. It calls
   flowstate only. */
#ifndef FLOW_FNAP_GRANTS_H
#define FLOW_FNAP_GRANTS_H

#include <stddef.h>

#include "flowstate.h"
#include "fnap.h"
#include "fnap_conf.h"
#include "fnap_flows.h"
#include "fnap_result.h"

enum grant_right { GRANT_READ, GRANT_WRITE };

/* Bytes of a grant's WHERE with its NUL: a default command line's, so
   that any WHERE a SUBSCRIBE takes, a GRANT takes too. */
#define GRANTS_WHERE_MAX FNAP_COMMAND_MAX

/* "read" or "write". */
const char *grants_right_name(enum grant_right right);

/* GRANT right ON m TO user [WHERE where] (where NULL: none; WRITE takes
   none), replacing what user held of that right. 0; or 501 (anonymous
   granted WRITE, the flow's owner, a subscription flow, a WHERE too long
   or with a control character), 550 (no such user; the flow gone), 450. */
int grants_set(const struct fnap_conf *conf, const struct flow_meta *m, const char *user,
    enum grant_right right, const char *where, struct result *r);
/* REVOKE right ON m FROM user: 0, or 550 (no such grant), 450. */
int grants_unset(const struct fnap_conf *conf, const struct flow_meta *m, const char *user,
    enum grant_right right, struct result *r);

/* 1 if who holds that grant on m, with its WHERE in where ("" for none;
   where may be NULL for WRITE), else 0. A WHERE that does not fit in
   size grants nothing. One small file read: cheap enough for each turn
   of a STREAM's loop. */
int grants_allows(const struct fnap_conf *conf, const struct fnap_who *who, const struct flow_meta *m,
    enum grant_right right, char *where, size_t size);

/* Each grant on flow through fn, in user order (where NULL: none). */
void grants_each(const struct fnap_conf *conf, const char *flow,
    void (*fn)(void *ctx, const char *flow, const char *user, const char *right, const char *where),
    void *ctx);

/* Flow goes: its grants with it (under its lock). */
void grants_drop(const struct fnap_conf *conf, const char *flow);

#endif
