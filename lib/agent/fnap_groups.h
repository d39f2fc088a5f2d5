/* fnap_groups: the broker's name of a consumer group that a user reads
   with over FNAP (STREAM ... GROUP name): "fnap-g-", 16 hex digits of
   BLAKE2b of the user ("" for an anonymous session, whose groups are
   every anonymous session's), "-" and the name as given. The user's part
   is a prefix, so that DESCRIBE can find a user's groups among the
   broker's and show their names; the name is checked before it is put
   anywhere. It calls nothing of the agent; the STREAM handler and the
   model (fnap_flows) call it. */
#ifndef FLOW_FNAP_GROUPS_H
#define FLOW_FNAP_GROUPS_H

#include "fnap_flows.h"

#define GROUPS_NAME_MAX 64                              /* a group's name as a client gives it */
#define GROUPS_PREFIX_MAX (7 + 16 + 1 + 1)              /* "fnap-g-", hex, "-", NUL */
#define GROUPS_KEY_MAX (GROUPS_PREFIX_MAX + GROUPS_NAME_MAX)

/* The prefix of who's groups into out. */
void groups_prefix(const struct fnap_who *who, char out[GROUPS_PREFIX_MAX]);
/* who's group name into out: 0, or -1 when name is not 1-64 of
   A-Z a-z 0-9 . _ - */
int groups_key(const struct fnap_who *who, const char *name, char out[GROUPS_KEY_MAX]);

#endif
