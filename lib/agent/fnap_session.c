/* What the agent's command handlers share: the replies of usage and of
   the model's results, and the checks of a flow name and a WHERE. */
#include "config.h"

#include "cesql.h"
#include "fnap_session.h"

void
session_usage(struct session *s)
{
	fnap_reply(s->c, REPLY_USAGE, "usage: %s", s->usage);
}

void
session_reply(struct session *s, const struct result *r)
{
	fnap_reply(s->c, r->code, "%s", r->why);
}

void
session_done(struct session *s, int code, const struct result *r)
{
	if (code)
		session_reply(s, r);
	else
		fnap_reply(s->c, REPLY_OK, "OK");
}

int
session_flow_name(struct session *s, const char *arg, char out[DNSNAME_MAX + 1])
{
	struct result r;

	if (!flows_name(arg, out, &r))
		return 0;
	session_reply(s, &r);
	return -1;
}

int
session_find_flow(struct session *s, const char *arg, enum flow_access access, struct flow_meta *m)
{
	struct result r;

	if (!flows_find(s->conf, &s->who, arg, access, m, &r))
		return 0;
	session_reply(s, &r);
	return -1;
}

int
session_open_flow(struct session *s, const char *arg, enum flow_access access, struct flow_meta *m,
    char url[QUEUE_URL_MAX], struct broker_opts *o)
{
	struct result r;

	if (session_find_flow(s, arg, access, m) < 0)
		return -1;
	if (!queue_open_args(s->conf, m, url, o, &r))
		return 0;
	session_reply(s, &r);
	return -1;
}

int
session_where(struct session *s, const char *where)
{
	struct cesql_parse_error perr;
	struct cesql *q;

	if (!where)
		return 0;
	if (!(q = cesql_compile_filter(where, &perr))) {
		fnap_reply(s->c, REPLY_USAGE, "WHERE: column %zu: %s", perr.column, perr.msg);
		return -1;
	}
	cesql_free(q);
	return 0;
}
