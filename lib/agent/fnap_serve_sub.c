/* SUBSCRIBE, UNSUBSCRIBE, REVOKE (of a subscription; of a grant, in
   fnap_serve_grant.c), PAUSE, RESUME and LIST SUBSCRIPTIONS: parse, ask
   the model of subscriptions (fnap_subs), reply. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fnap_session.h"
#include "fnap_subs.h"

/* SUBSCRIBE flow LOCAL local: the one line of its DATA is
   "<local> SUBSCRIBED TO <subscription>". */
static void
subscribe_local(struct session *s, const char *flow, const char *arg, const char *where)
{
	char line[2 * DNSNAME_MAX + 32];
	struct flow_meta local;
	struct result r;
	int n;

	if (subs_new_local(s->conf, &s->who, flow, arg, where, &local, &r)) {
		session_reply(s, &r);
		return;
	}
	n = snprintf(line, sizeof line, "%s SUBSCRIBED TO %s", local.flow, local.source);
	fnap_reply(s->c, REPLY_OK, "DATA");
	fnap_body(s->c, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
	fnap_reply(s->c, REPLY_OK, "OK");
}

static void
subscribe(struct session *s, const char *flow, const char *where)
{
	char token[SUBS_TOKEN_TEXT];
	struct flow_meta src, sub;
	struct result r;

	if (session_find_flow(s, flow, FLOW_READ, &src) < 0)
		return;
	if (subs_new(s->conf, &s->who, &src, where, &sub, token, &r)) {
		session_reply(s, &r);
		return;
	}
	fnap_reply(s->c, REPLY_OK, "DATA");
	fnap_body(s->c, sub.flow, strlen(sub.flow));
	/* after OK, where clients that know no token (the thesis's) look no further */
	if (token[0])
		fnap_reply(s->c, REPLY_OK, "OK token=%s", token);
	else
		fnap_reply(s->c, REPLY_OK, "OK");
}

void
fnap_cmd_subscribe(struct session *s, char *args)
{
	char *name = fnap_word(&args), *word = fnap_word(&args), *local = NULL, *where = NULL;
	char flow[DNSNAME_MAX + 1];
	struct result r;

	if (word && strcasecmp(word, "LOCAL") == 0) {
		local = fnap_word(&args);
		word = local ? fnap_word(&args) : "LOCAL"; /* no name: the usage */
	}
	if (word && strcasecmp(word, "WHERE") == 0 && *(where = args + strspn(args, " ")))
		word = NULL;
	if (!name || word) {
		session_usage(s);
		return;
	}
	if (session_where(s, where) < 0)
		return;
	if (subs_supervised(s->conf, &r)) {
		session_reply(s, &r);
		return;
	}
	if (session_flow_name(s, name, flow) < 0)
		return;
	if (local)
		subscribe_local(s, flow, local, where);
	else
		subscribe(s, flow, where);
}

/* The flow named by the first argument, fed by a processor the session
   manages (or that the second argument, a token, lets it manage): 0, or
   -1 after the reply. */
static int
fed_flow(struct session *s, char *args, struct flow_meta *m)
{
	char *name = fnap_word(&args), *token = fnap_word(&args);
	struct result r;

	if (!name || fnap_word(&args)) {
		session_usage(s);
		return -1;
	}
	if (subs_find_fed(s->conf, &s->who, name, token, m, &r)) {
		session_reply(s, &r);
		return -1;
	}
	return 0;
}

void
fnap_cmd_revoke(struct session *s, char *args)
{
	struct flow_meta m;
	struct result r;

	if (fnap_revoke_grant_form(args))
		fnap_revoke_grant(s, args);
	else if (fed_flow(s, args, &m) == 0)
		session_done(s, subs_revoke(s->conf, &m, &r), &r);
}

void
fnap_cmd_unsubscribe(struct session *s, char *args)
{
	struct flow_meta m;
	struct result r;

	if (fed_flow(s, args, &m) == 0)
		session_done(s, subs_unsubscribe(s->conf, &m, &r), &r);
}

void
fnap_cmd_pause(struct session *s, char *args)
{
	struct flow_meta m;
	struct result r;

	if (fed_flow(s, args, &m) == 0)
		session_done(s, subs_pause(s->conf, &m, 1, &r), &r);
}

void
fnap_cmd_resume(struct session *s, char *args)
{
	struct flow_meta m;
	struct result r;

	if (fed_flow(s, args, &m) == 0)
		session_done(s, subs_pause(s->conf, &m, 0, &r), &r);
}

static void
sub_line(void *ctx, const char *name, const char *user, const char *state)
{
	struct session *s = ctx;
	char line[2 * DNSNAME_MAX + FLOWSTATE_USER_MAX + 16];
	int n = snprintf(line, sizeof line, "%s %s %s", name, user, state);

	fnap_body(s->c, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

void
fnap_list_subscriptions(struct session *s, const char *arg)
{
	char flow[DNSNAME_MAX + 1];

	if (arg && session_flow_name(s, arg, flow) < 0)
		return;
	fnap_reply(s->c, REPLY_OK, "DATA");
	subs_list(s->conf, &s->who, arg ? flow : NULL, sub_line, s);
	fnap_reply(s->c, REPLY_OK, "OK");
}
