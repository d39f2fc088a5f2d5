/* SUBSCRIBE, UNSUBSCRIBE, REVOKE (of a subscription; of a grant, in
   fnap_serve_grant.c), PAUSE, RESUME and LIST SUBSCRIPTIONS: parse, ask
   the model of subscriptions (fnap_subs), reply; all but LIST are
   audited whatever their answer but a 501. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fnap_session.h"
#include "fnap_subs.h"

/* SUBSCRIBE's audit line: the flow as named, the subscription flow made
   and the local flow (NULL: none), the filter. */
static void
log_subscribe(struct session *s, const char *flow, int code, const char *sub, const char *local,
    const char *where)
{
	audit_change(s, "subscribe", flow, code, "sub", sub, "local", local, "where", where, NULL);
}

/* SUBSCRIBE flow LOCAL local: the one line of its DATA is
   "<local> SUBSCRIBED TO <subscription>". */
static void
subscribe_local(struct session *s, const char *flow, const char *arg, const struct feed_terms *t)
{
	const char *where = t->where;
	char line[2 * DNSNAME_MAX + 32];
	struct flow_meta local;
	struct result r;
	int n, code;

	if ((code = subs_new_local(s->conf, &s->who, flow, arg, t, &local, &r))) {
		session_reply(s, &r);
		log_subscribe(s, flow, code, NULL, arg, where);
		return;
	}
	n = snprintf(line, sizeof line, "%s SUBSCRIBED TO %s", local.flow, local.source);
	fnap_reply(s->c, REPLY_OK, "DATA");
	fnap_body(s->c, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
	fnap_reply(s->c, REPLY_OK, "OK");
	log_subscribe(s, flow, code, local.source, local.flow, where);
}

static void
subscribe(struct session *s, const char *flow, const struct feed_terms *t)
{
	const char *where = t->where;
	char token[SUBS_TOKEN_TEXT];
	struct flow_meta src, sub;
	struct result r;
	int code;

	if ((code = flows_find(s->conf, &s->who, flow, FLOW_READ, &src, &r)) ||
	    (code = subs_new(s->conf, &s->who, &src, t, &sub, token, &r))) {
		session_reply(s, &r);
		log_subscribe(s, flow, code, NULL, NULL, where);
		return;
	}
	fnap_reply(s->c, REPLY_OK, "DATA");
	fnap_body(s->c, sub.flow, strlen(sub.flow));
	/* after OK, where clients that know no token (the thesis's) look no further */
	if (token[0])
		fnap_reply(s->c, REPLY_OK, "OK token=%s", token);
	else
		fnap_reply(s->c, REPLY_OK, "OK");
	/* never the token: it is the anonymous subscriber's key */
	log_subscribe(s, flow, code, sub.flow, NULL, where);
}

void
fnap_cmd_subscribe(struct session *s, char *args)
{
	char *name = fnap_word(&args), *word = fnap_word(&args), *local = NULL, *where = NULL;
	char flow[DNSNAME_MAX + 1];
	struct feed_terms t = { "", NULL, 0 };
	struct result r;
	int code;

	if (word && strcasecmp(word, "FROM") == 0) {
		if (feed_from(fnap_word(&args), &t) < 0) {
			session_usage(s);
			return;
		}
		word = fnap_word(&args);
	}
	if (word && strcasecmp(word, "LOCAL") == 0) {
		local = fnap_word(&args);
		word = local ? fnap_word(&args) : "LOCAL"; /* no name: the usage */
	}
	if (word && strcasecmp(word, "VERIFY") == 0) {
		t.verify = 1;
		word = fnap_word(&args);
	}
	if (word && strcasecmp(word, "WHERE") == 0 && *(where = args + strspn(args, " ")))
		word = NULL;
	if (!name || word) {
		session_usage(s);
		return;
	}
	if (session_where(s, where) < 0)
		return;
	if ((code = subs_supervised(s->conf, &r)) || (code = flows_name(name, flow, &r))) {
		session_reply(s, &r);
		log_subscribe(s, name, code, NULL, local, where);
		return;
	}
	t.where = where;
	if (local)
		subscribe_local(s, flow, local, &t);
	else
		subscribe(s, flow, &t);
}

/* The flow named by the first argument, fed by a processor the session
   manages (or that the second argument, a token, lets it manage): 0, or
   -1 after the reply (and the audit line of a refusal). */
static int
fed_flow(struct session *s, const char *event, char *args, struct flow_meta *m)
{
	char *name = fnap_word(&args), *token = fnap_word(&args);
	struct result r;

	if (!name || fnap_word(&args)) {
		session_usage(s);
		return -1;
	}
	if (subs_find_fed(s->conf, &s->who, name, token, m, &r)) {
		session_reply(s, &r);
		audit_change(s, event, name, r.code, NULL);
		return -1;
	}
	return 0;
}

/* The reply of a model's call on a fed flow m: its result, or 220 OK;
   and its audit line. */
static void
reply_done(struct session *s, const char *event, const struct flow_meta *m, int code,
    const struct result *r)
{
	session_done(s, code, r);
	audit_change(s, event, m->flow, code, NULL);
}

void
fnap_cmd_revoke(struct session *s, char *args)
{
	struct flow_meta m;
	struct result r;

	if (fnap_revoke_grant_form(args))
		fnap_revoke_grant(s, args);
	else if (fed_flow(s, "revoke", args, &m) == 0)
		reply_done(s, "revoke", &m, subs_revoke(s->conf, &m, &r), &r);
}

void
fnap_cmd_unsubscribe(struct session *s, char *args)
{
	struct flow_meta m;
	struct result r;

	if (fed_flow(s, "unsubscribe", args, &m) == 0)
		reply_done(s, "unsubscribe", &m, subs_unsubscribe(s->conf, &m, &r), &r);
}

void
fnap_cmd_pause(struct session *s, char *args)
{
	struct flow_meta m;
	struct result r;

	if (fed_flow(s, "pause", args, &m) == 0)
		reply_done(s, "pause", &m, subs_pause(s->conf, &m, 1, &r), &r);
}

void
fnap_cmd_resume(struct session *s, char *args)
{
	struct flow_meta m;
	struct result r;

	if (fed_flow(s, "resume", args, &m) == 0)
		reply_done(s, "resume", &m, subs_pause(s->conf, &m, 0, &r), &r);
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
