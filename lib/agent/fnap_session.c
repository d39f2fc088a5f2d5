/* What the agent's command handlers share: the replies of usage and of
   the model's results. */
#include "config.h"

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
session_find_flow(struct session *s, const char *arg, int write, struct flow_meta *m)
{
	struct result r;

	if (!flows_find(s->conf, &s->who, arg, write, m, &r))
		return 0;
	session_reply(s, &r);
	return -1;
}

int
session_open_flow(struct session *s, const char *arg, int write, struct flow_meta *m,
    char url[QUEUE_URL_MAX], struct broker_opts *o)
{
	struct result r;

	if (session_find_flow(s, arg, write, m) < 0)
		return -1;
	if (!queue_open_args(s->conf, m, url, o, &r))
		return 0;
	session_reply(s, &r);
	return -1;
}
