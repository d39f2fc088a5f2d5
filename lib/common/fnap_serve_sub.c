/* Subscriptions: SUBSCRIBE, UNSUBSCRIBE, REVOKE, PAUSE, RESUME and LIST
   SUBSCRIPTIONS. A subscription of a served flow is a new flow
   <id>.<flow>, owned by the flow's owner and readable by its subscriber,
   fed by a processor (flow-bridge under s6) that copies the flow, through
   the WHERE filter, from its first event on. SUBSCRIBE ... LOCAL also
   makes a flow of the user's fed from the subscription flow, here or at
   the flow's agent elsewhere (subscribed at as a client). A processor is
   named by the flow it feeds; what a flow is fed from is its record's
   source (and agent, when that is elsewhere).
   A subscription counts against its subscriber's quota; those of
   anonymous sessions, against one quota of their own. An anonymous
   session is no one: its SUBSCRIBE answers a random token ("220 OK
   token=<hex>"), whose hash the record keeps, and only that token
   manages the subscription afterwards (in this session or another: an
   agent that subscribed anonymously revokes with it). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "cesql.h"
#include "fnap_session.h"
#include "processor.h"
#include "util.h"

#define SUB_ID_LEN 7
#define TOKEN_BYTES (FNAP_TOKEN_HEX / 2)   /* 128 random bits: a token is not guessed */
#define TOKEN_TEXT (FNAP_TOKEN_HEX + 1)
#define URL_MAX (FLOWSTATE_PATH_MAX + DNSNAME_MAX + 16)

/* A subscription flow has a subscriber; a local flow only a source. */
static int
is_subscription(const struct flow_meta *m)
{
	return m->subscriber[0] != '\0';
}

/* The hash of a token as the record keeps it, in hex. */
static void
token_hash(const char *token, char out[FLOWSTATE_TOKEN_MAX])
{
	unsigned char h[(FLOWSTATE_TOKEN_MAX - 1) / 2];

	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, FLOWSTATE_TOKEN_MAX, h, sizeof h);
}

/* May the session stop, pause or revoke what feeds m? Its owner, the
   subscriber of a subscription flow (a user), or whoever gives the token
   of an anonymous subscription. */
static int
manages(const struct session *s, const struct flow_meta *m, const char *token)
{
	char h[FLOWSTATE_TOKEN_MAX];

	if (token && strlen(m->token_hash) == sizeof h - 1) {
		token_hash(token, h);
		if (sodium_memcmp(h, m->token_hash, sizeof h - 1) == 0)
			return 1;
	}
	return fnap_theirs(s, m);
}

static int
supervised(struct session *s)
{
	if (s->conf->scan_dir)
		return 1;
	fnap_reply(s->c, 502, "no processors here: the agent has no supervisor configured");
	return 0;
}

/* Rewrite m's record as it is now (under the flow's lock): 0 or -1. */
static int
record(struct session *s, const struct flow_meta *m)
{
	int lock = flowstate_lock(s->conf->state, m->flow), r;

	if (lock < 0)
		return -1;
	r = flowstate_update(s->conf->state, m);
	flowstate_unlock(lock);
	return r;
}

/* The consumer group of the processor feeding flow: a name of its own, of
   a length any broker takes. */
static void
group_of(const char *flow, char out[32])
{
	unsigned char h[8];
	char hex[2 * sizeof h + 1];

	crypto_generichash(h, sizeof h, (const unsigned char *)flow, strlen(flow), NULL, 0);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	snprintf(out, 32, "fnap-%s", hex);
}

/* Start the processor feeding dst from src_url: flow src here, or a flow
   elsewhere (src NULL). A flow here is read as a consumer group, which
   the processor resumes when restarted; an agent elsewhere keeps no
   groups, so a restarted processor copies its flow again from the first
   event (duplicates, never a loss). 0, or 450 with *why. */
static int
feed_start(struct session *s, const struct flow_meta *dst, const char *src_url,
    const struct flow_meta *src, const char *where, char *const env[], const char **why)
{
	const struct fnap_namespace *ns[2] = {
		src ? fnap_conf_namespace(s->conf, src->flow) : NULL,
		fnap_conf_namespace(s->conf, dst->flow),
	};
	char group[32], dst_url[URL_MAX];
	char *argv[16];
	int n = 0, i;

	fnap_flow_url(dst, dst_url, sizeof dst_url);
	group_of(dst->flow, group);
	argv[n++] = "flow-bridge";
	if (src) {
		argv[n++] = "-g";
		argv[n++] = group;
	}
	argv[n++] = "-o";
	argv[n++] = src ? "stored" : "beginning";
	if (where) {
		argv[n++] = "--where";
		argv[n++] = (char *)where;
	}
	for (i = 0; i < 2; i++)
		if (ns[i] && ns[i]->properties && (i == 0 || !ns[0] || ns[0]->properties != ns[1]->properties)) {
			argv[n++] = "-F";
			argv[n++] = ns[i]->properties;
		}
	argv[n++] = (char *)src_url;
	argv[n++] = dst_url;
	argv[n] = NULL;
	if (processor_create(s->conf->state, s->conf->scan_dir, dst->flow, argv, env, why) < 0) {
		warnmsg("processor %s: %s", dst->flow, *why);
		*why = "cannot start the processor, retry";
		return 450;
	}
	return 0;
}

/* Stop and remove the processor feeding m: 0, or 450 with *why. */
static int
feed_stop(struct session *s, const struct flow_meta *m, const char **why)
{
	if (!m->feed[0])
		return 0;
	if (!s->conf->scan_dir)
		*why = "no supervisor configured";
	else if (processor_remove(s->conf->state, s->conf->scan_dir, m->flow, why) == 0)
		return 0;
	warnmsg("processor %s: %s", m->flow, *why);
	*why = "cannot stop the processor, retry";
	return 450;
}

static int end_subscription(struct session *s, const struct flow_meta *sub, const char **why);

/* Stop what feeds m and end the subscription it copies: at the flow's
   agent elsewhere (if it does not answer, its owner may revoke it), or
   here. m is left without a source. 0, or a reply code with *why. */
static int
unfeed(struct session *s, struct flow_meta *m, const char **why)
{
	struct flow_meta sub;
	int code;

	if ((code = feed_stop(s, m, why)))
		return code;
	if (m->agent[0])
		fnap_peer_revoke(s->conf, m->agent, m->agent_tls, m->source, m->source_token);
	else if (!is_subscription(m) && flowstate_load(s->conf->state, m->source, &sub) == 0 &&
	    is_subscription(&sub) && (code = end_subscription(s, &sub, why)))
		return code;
	if (!is_subscription(m)) {
		m->source[0] = m->agent[0] = m->source_token[0] = '\0';
		m->agent_tls = 0;
	}
	m->feed[0] = '\0';
	return 0;
}

struct dependents {
	const char *source;
	char (*names)[DNSNAME_MAX + 1];
	size_t n;
};

static void
add_dependent(void *ctx, const struct flow_meta *m)
{
	struct dependents *d = ctx;

	if (strcmp(m->source, d->source) != 0 || m->agent[0])
		return;
	d->names = xrealloc(d->names, (d->n + 1) * sizeof *d->names);
	strcpy(d->names[d->n++], m->flow);
}

int
fnap_sub_detach(struct session *s, const struct flow_meta *m, const char **why)
{
	struct dependents d = { m->flow, NULL, 0 };
	struct flow_meta self = *m, dep;
	size_t i;
	int code = unfeed(s, &self, why);

	/* subscription flows copying m are revoked; local flows fed from
	   m (a subscription flow) lose their feed and keep their events */
	if (!code && flowstate_each(s->conf->state, add_dependent, &d) < 0) {
		*why = "cannot read the flows, retry";
		code = 450;
	}
	for (i = 0; !code && i < d.n; i++) {
		if (flowstate_load(s->conf->state, d.names[i], &dep) < 0)
			continue;
		if (is_subscription(&dep))
			code = end_subscription(s, &dep, why);
		else if (!(code = feed_stop(s, &dep, why))) {
			dep.source[0] = dep.feed[0] = '\0';
			if (record(s, &dep) < 0)
				warnmsg("%s: cannot update its record", dep.flow);
		}
	}
	free(d.names);
	return code;
}

/* End subscription flow sub: its processor, what copies it, the flow. */
static int
end_subscription(struct session *s, const struct flow_meta *sub, const char **why)
{
	int code = fnap_sub_detach(s, sub, why);

	return code ? code : fnap_flow_destroy(s, sub->flow, why);
}

/* Make the subscription of the session to src (WHERE where, or NULL): 0
   with sub filled in, and the token that manages it for an anonymous
   session (else ""); or -1 after the reply. */
static int
subscription_new(struct session *s, const struct flow_meta *src, const char *where,
    struct flow_meta *sub, char token[TOKEN_TEXT])
{
	unsigned char secret[TOKEN_BYTES];
	char id[SUB_ID_LEN + 1], src_url[URL_MAX];
	const char *why;
	size_t i;
	int code;

	if (is_subscription(src)) {
		fnap_reply(s->c, 501, "%s is a subscription: subscribe to %s", src->flow, src->source);
		return -1;
	}
	for (i = 0; i < SUB_ID_LEN; i++)
		id[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[randombytes_uniform(36)];
	id[i] = '\0';
	memset(sub, 0, sizeof *sub);
	if (snprintf(sub->flow, sizeof sub->flow, "%s.%s", id, src->flow) >= (int)sizeof sub->flow) {
		fnap_reply(s->c, 553, "flow name not allowed: too long for a subscription of it");
		return -1;
	}
	snprintf(sub->owner, sizeof sub->owner, "%s", src->owner);
	snprintf(sub->subscriber, sizeof sub->subscriber, "%s", s->user);
	snprintf(sub->source, sizeof sub->source, "%s", src->flow);
	strcpy(sub->feed, "running");
	/* an anonymous subscriber reads it as anyone does */
	sub->public = s->anonymous;
	token[0] = '\0';
	if (s->anonymous) {
		randombytes_buf(secret, sizeof secret);
		sodium_bin2hex(token, TOKEN_TEXT, secret, sizeof secret);
		sodium_memzero(secret, sizeof secret);
		token_hash(token, sub->token_hash);
	}
	fnap_flow_url(src, src_url, sizeof src_url);
	if (fnap_flow_new(s, sub) < 0)
		return -1;
	if (!(code = feed_start(s, sub, src_url, src, where, NULL, &why)))
		return 0;
	fnap_reply(s->c, code, "%s", why);
	if (fnap_flow_destroy(s, sub->flow, &why))
		warnmsg("%s: %s", sub->flow, why);
	return -1;
}

/* The local flow's name: local itself inside one of the user's
   namespaces, else a name inside the first of them. 0, or -1 after the reply. */
static int
local_name(struct session *s, const char *arg, char out[DNSNAME_MAX + 1])
{
	const struct fnap_namespace *ns;
	char name[DNSNAME_MAX + 1], first[DNSNAME_MAX + 1];

	if (fnap_flow_arg(s, arg, name) < 0)
		return -1;
	if ((ns = fnap_conf_namespace(s->conf, name)) && auth_ns_listed(s->namespaces, ns->name)) {
		strcpy(out, name);
		return 0;
	}
	snprintf(first, sizeof first, "%.*s", (int)strcspn(s->namespaces, ","), s->namespaces);
	if (snprintf(out, DNSNAME_MAX + 1, "%s.%s", name, first) > DNSNAME_MAX) {
		fnap_reply(s->c, 553, "flow name not allowed: %s.%s is too long", name, first);
		return -1;
	}
	if (!(ns = fnap_conf_namespace(s->conf, out))) {
		fnap_reply(s->c, 550, "no such flow or access denied");
		return -1;
	}
	return 0;
}

/* SUBSCRIBE flow LOCAL arg: the local flow first (its name is the
   user's), then the subscription, then the processor between them. */
static void
subscribe_local(struct session *s, const char *flow, const char *arg, const char *where)
{
	char src_url[URL_MAX], err[2 * DNSNAME_MAX + 32], user[AUTH_NAME_MAX], password[AUTH_PASSWORD_MAX];
	char env_user[AUTH_NAME_MAX + 16], env_password[AUTH_PASSWORD_MAX + 16];
	char env_ca[FLOWSTATE_PATH_MAX + 16], host[DNSNAME_MAX + 1];
	char *env[4] = { NULL }, token[TOKEN_TEXT];
	struct flow_meta local = { 0 }, src, sub;
	struct peer_sub p = { 0 };
	const char *why = "cannot record the flow, retry";
	int code, n = 0;

	if (s->anonymous) {
		fnap_reply(s->c, 550, "no such flow or access denied");
		return;
	}
	if (local_name(s, arg, local.flow) < 0)
		return;
	snprintf(local.owner, sizeof local.owner, "%s", s->user);
	if (fnap_flow_new(s, &local) < 0)
		return;
	if (fnap_conf_namespace(s->conf, flow)) {
		/* the flow is served here: no need to ask anybody */
		if (fnap_find_flow(s, flow, 0, &src) < 0 || subscription_new(s, &src, where, &sub, token) < 0)
			goto undo;
		snprintf(local.source, sizeof local.source, "%s", sub.flow);
		fnap_flow_url(&sub, src_url, sizeof src_url);
	} else {
		if ((code = fnap_peer_subscribe(s->conf, flow, where, &p, err, sizeof err))) {
			fnap_reply(s->c, code == 550 || code == 501 ? code : 450, "%s", err);
			goto undo;
		}
		snprintf(local.source, sizeof local.source, "%s", p.sub);
		snprintf(local.source_token, sizeof local.source_token, "%s", p.token);
		snprintf(local.agent, sizeof local.agent, "%s", p.agent);
		local.agent_tls = p.tls;
		snprintf(src_url, sizeof src_url, "fnap%s://%s/%s", p.tls ? "s" : "", p.agent, p.sub);
		snprintf(host, sizeof host, "%.*s", (int)strcspn(p.agent, ":"), p.agent);
		if (fnap_peer_credentials(s->conf, host, user, password)) {
			snprintf(env_user, sizeof env_user, "FNAP_USER=%s", user);
			snprintf(env_password, sizeof env_password, "FNAP_PASSWORD=%s", password);
			env[n++] = env_user;
			env[n++] = env_password;
		}
		if (s->conf->tls_ca) {
			snprintf(env_ca, sizeof env_ca, "FNAP_CA=%s", s->conf->tls_ca);
			env[n++] = env_ca;
		}
	}
	strcpy(local.feed, "running");
	code = record(s, &local) < 0 ? 450 :
	    feed_start(s, &local, src_url, local.agent[0] ? NULL : &sub, NULL, env, &why);
	sodium_memzero(password, sizeof password);
	sodium_memzero(env_password, sizeof env_password);
	if (code) {
		fnap_reply(s->c, code, "%s", why);
		local.feed[0] = '\0';
		unfeed(s, &local, &why);
		goto undo;
	}
	n = snprintf(err, sizeof err, "%s SUBSCRIBED TO %s", local.flow, local.source);
	fnap_reply(s->c, 220, "DATA");
	fnap_body(s->c, err, (size_t)n < sizeof err ? (size_t)n : sizeof err - 1);
	fnap_reply(s->c, 220, "OK");
	return;
undo:
	if (fnap_flow_destroy(s, local.flow, &why))
		warnmsg("%s: %s", local.flow, why);
}

void
fnap_cmd_subscribe(struct session *s, char *args)
{
	char *name = fnap_word(&args), *word = fnap_word(&args), *local = NULL, *where = NULL;
	char flow[DNSNAME_MAX + 1], token[TOKEN_TEXT];
	struct cesql_parse_error perr;
	struct flow_meta src, sub;
	struct cesql *q;

	if (word && strcasecmp(word, "LOCAL") == 0) {
		local = fnap_word(&args);
		word = local ? fnap_word(&args) : "LOCAL"; /* no name: the usage */
	}
	if (word && strcasecmp(word, "WHERE") == 0 && *(where = args + strspn(args, " ")))
		word = NULL;
	if (!name || word) {
		fnap_reply(s->c, 501, "usage: SUBSCRIBE <flow> [LOCAL <local>] [WHERE <cesql>]");
		return;
	}
	if (where) {
		if (!(q = cesql_compile_filter(where, &perr))) {
			fnap_reply(s->c, 501, "WHERE: column %zu: %s", perr.column, perr.msg);
			return;
		}
		cesql_free(q);
	}
	if (!supervised(s) || fnap_flow_arg(s, name, flow) < 0)
		return;
	if (local) {
		subscribe_local(s, flow, local, where);
		return;
	}
	if (fnap_find_flow(s, flow, 0, &src) < 0 || subscription_new(s, &src, where, &sub, token) < 0)
		return;
	fnap_reply(s->c, 220, "DATA");
	fnap_body(s->c, sub.flow, strlen(sub.flow));
	/* after OK, where clients that know no token (the thesis's) look no further */
	if (token[0])
		fnap_reply(s->c, 220, "OK token=%s", token);
	else
		fnap_reply(s->c, 220, "OK");
}

/* The flow named by the first argument, fed by a processor the session
   manages (or that the second argument, a token, lets it manage): 0, or
   -1 after the reply. */
static int
fed_flow(struct session *s, char *args, const char *usage, struct flow_meta *m)
{
	char *name = fnap_word(&args), *token = fnap_word(&args), flow[DNSNAME_MAX + 1];

	if (!name || fnap_word(&args)) {
		fnap_reply(s->c, 501, "usage: %s", usage);
		return -1;
	}
	if (!supervised(s) || fnap_flow_arg(s, name, flow) < 0)
		return -1;
	if (flowstate_load(s->conf->state, flow, m) < 0 || !m->source[0] || !manages(s, m, token)) {
		fnap_reply(s->c, 550, "no such subscription or access denied");
		return -1;
	}
	return 0;
}

void
fnap_cmd_revoke(struct session *s, char *args)
{
	struct flow_meta m;
	const char *why;
	int code;

	if (fed_flow(s, args, "REVOKE <subscription-flow> [<token>]", &m) < 0)
		return;
	if (!is_subscription(&m))
		fnap_reply(s->c, 550, "no such subscription or access denied");
	else if ((code = end_subscription(s, &m, &why)))
		fnap_reply(s->c, code, "%s", why);
	else
		fnap_reply(s->c, 220, "OK");
}

void
fnap_cmd_unsubscribe(struct session *s, char *args)
{
	struct flow_meta m;
	const char *why;
	int code;

	if (fed_flow(s, args, "UNSUBSCRIBE <local> [<token>]", &m) < 0)
		return;
	/* a subscription flow goes; a local flow stays, with its events */
	if (is_subscription(&m))
		code = end_subscription(s, &m, &why);
	else if (!(code = unfeed(s, &m, &why)) && record(s, &m) < 0) {
		why = "cannot update the flow's record, retry";
		code = 450;
	}
	if (code)
		fnap_reply(s->c, code, "%s", why);
	else
		fnap_reply(s->c, 220, "OK");
}

static void
pause_or_resume(struct session *s, char *args, int pause)
{
	struct flow_meta m;
	const char *why;

	if (fed_flow(s, args, pause ? "PAUSE <flow> [<token>]" : "RESUME <flow> [<token>]", &m) < 0)
		return;
	if (!m.feed[0]) {
		fnap_reply(s->c, 550, "no such subscription or access denied");
		return;
	}
	if (processor_pause(s->conf->state, m.flow, pause, &why) < 0) {
		warnmsg("processor %s: %s", m.flow, why);
		fnap_reply(s->c, 450, "cannot reach the processor, retry");
		return;
	}
	strcpy(m.feed, pause ? "paused" : "running");
	if (record(s, &m) < 0)
		warnmsg("%s: cannot update its record", m.flow);
	fnap_reply(s->c, 220, "OK");
}

void
fnap_cmd_pause(struct session *s, char *args)
{
	pause_or_resume(s, args, 1);
}

void
fnap_cmd_resume(struct session *s, char *args)
{
	pause_or_resume(s, args, 0);
}

struct sub_listing {
	struct session *s;
	const char *flow;
};

/* A subscription flow the user owns or holds: "<flow> <subscriber>
   <state>"; a local flow fed from elsewhere: "<subscription> <user> <state>". */
static void
list_sub(void *ctx, const struct flow_meta *m)
{
	struct sub_listing *l = ctx;
	char line[2 * DNSNAME_MAX + FLOWSTATE_USER_MAX + 16];
	int n;

	if (!m->source[0] || !manages(l->s, m, NULL) || (!is_subscription(m) && !m->agent[0]))
		return;
	if (l->flow && strcmp(m->source, l->flow) != 0 && strcmp(m->flow, l->flow) != 0)
		return;
	n = is_subscription(m) ?
	    snprintf(line, sizeof line, "%s %s %s", m->flow, m->subscriber, m->feed[0] ? m->feed : "stopped") :
	    snprintf(line, sizeof line, "%s %s %s", m->source, m->owner, m->feed[0] ? m->feed : "stopped");
	fnap_body(l->s->c, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

void
fnap_list_subscriptions(struct session *s, char *arg)
{
	char flow[DNSNAME_MAX + 1];
	struct sub_listing l = { s, NULL };

	if (arg) {
		if (fnap_flow_arg(s, arg, flow) < 0)
			return;
		l.flow = flow;
	}
	fnap_reply(s->c, 220, "DATA");
	if (flowstate_each(s->conf->state, list_sub, &l) < 0)
		warnmsg("%s: cannot list the flows", s->conf->state);
	fnap_reply(s->c, 220, "OK");
}
