/* Subscriptions: the flows that copy others, and the processors that
   feed them. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fnap_feed.h"
#include "fnap_peer.h"
#include "fnap_queue.h"
#include "fnap_subs.h"
#include "processor.h"
#include "util.h"

#define SUB_ID_LEN 7
#define TOKEN_BYTES (FNAP_TOKEN_HEX / 2)   /* 128 random bits: a token is not guessed */

/* A subscription flow has a subscriber; a local flow only a source. */
static int
is_subscription(const struct flow_meta *m)
{
	return m->subscriber[0] != '\0';
}

/* The hash of a token (or of a grant's WHERE) as the record keeps it, in hex. */
static void
token_hash(const char *token, char out[FLOWSTATE_TOKEN_MAX])
{
	unsigned char h[(FLOWSTATE_TOKEN_MAX - 1) / 2];

	crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(out, FLOWSTATE_TOKEN_MAX, h, sizeof h);
}

/* May who stop, pause or revoke what feeds m? Its owner, the subscriber
   of a subscription flow (a user), or whoever gives the token of an
   anonymous subscription. */
static int
manages(const struct fnap_who *who, const struct flow_meta *m, const char *token)
{
	char h[FLOWSTATE_TOKEN_MAX];

	if (token && strlen(m->token_hash) == sizeof h - 1) {
		token_hash(token, h);
		if (sodium_memcmp(h, m->token_hash, sizeof h - 1) == 0)
			return 1;
	}
	return flows_theirs(who, m);
}

int
subs_supervised(const struct fnap_conf *conf, struct result *r)
{
	if (conf->scan_dir)
		return 0;
	return result_set(r, REPLY_NOT_HERE, "no processors here: the agent has no supervisor configured");
}

static int end_subscription(const struct fnap_conf *conf, const struct flow_meta *sub,
    struct result *r);

/* Stop what feeds m and end the subscription it copies: at the flow's
   agent elsewhere (if it does not answer, its owner may revoke it), or
   here. m is left without a source. 0, or a reply code. */
static int
unfeed(const struct fnap_conf *conf, struct flow_meta *m, struct result *r)
{
	struct flow_meta sub;

	if (feed_stop(conf, m, r))
		return r->code;
	if (m->agent[0])
		fnap_peer_revoke(conf, m->agent, m->agent_tls, m->source, m->source_token);
	else if (!is_subscription(m) && flowstate_load(conf->state, m->source, &sub) == 0 &&
	    is_subscription(&sub) && end_subscription(conf, &sub, r))
		return r->code;
	if (!is_subscription(m)) {
		m->source[0] = m->agent[0] = m->source_token[0] = '\0';
		m->agent_tls = 0;
	}
	m->feed[0] = '\0';
	return 0;
}

/* The flows fed from source here; with grantee, only the subscriptions
   of that subscriber made under a grant, but those made under one with
   the WHERE whose hash is kept (unless NULL). */
struct dependents {
	const char *source;
	const char *grantee, *kept;
	char (*names)[DNSNAME_MAX + 1];
	size_t n;
};

static void
add_dependent(void *ctx, const struct flow_meta *m)
{
	struct dependents *d = ctx;

	if (strcmp(m->source, d->source) != 0 || m->agent[0])
		return;
	if (d->grantee && (!m->granted[0] || strcmp(m->subscriber, d->grantee) != 0 ||
	    (d->kept && strcmp(m->granted, d->kept) == 0)))
		return;
	d->names = xrealloc(d->names, (d->n + 1) * sizeof *d->names);
	strcpy(d->names[d->n++], m->flow);
}

/* Before m goes: stop the processor that feeds it (ending the subscription
   it copies) and revoke the subscriptions that copy it. 0, or a reply code. */
static int
detach(const struct fnap_conf *conf, const struct flow_meta *m, struct result *r)
{
	struct dependents d = { m->flow, NULL, NULL, NULL, 0 };
	struct flow_meta self = *m, dep;
	size_t i;
	int code = unfeed(conf, &self, r);

	/* subscription flows copying m are revoked; local flows fed from
	   m (a subscription flow) lose their feed and keep their events */
	if (!code && flowstate_each(conf->state, add_dependent, &d) < 0)
		code = result_set(r, REPLY_RETRY, "cannot read the flows, retry");
	for (i = 0; !code && i < d.n; i++) {
		if (flowstate_load(conf->state, d.names[i], &dep) < 0)
			continue;
		if (is_subscription(&dep))
			code = end_subscription(conf, &dep, r);
		else if (!(code = feed_stop(conf, &dep, r))) {
			dep.source[0] = dep.feed[0] = '\0';
			if (flows_record(conf, &dep) < 0)
				warnmsg("%s: cannot update its record", dep.flow);
		}
	}
	free(d.names);
	return code;
}

/* End subscription flow sub: its processor, what copies it, the flow. */
static int
end_subscription(const struct fnap_conf *conf, const struct flow_meta *sub, struct result *r)
{
	return detach(conf, sub, r) ? r->code : flows_destroy(conf, sub->flow, r);
}

int
subs_delete_flow(const struct fnap_conf *conf, const struct flow_meta *m, struct result *r)
{
	return end_subscription(conf, m, r);
}

/* End grantee's subscriptions of m made under a grant, but those made
   under one with the WHERE whose hash is kept (unless NULL). 0, or a
   reply code. */
static int
end_granted(const struct fnap_conf *conf, const struct flow_meta *m, const char *grantee,
    const char *kept, struct result *r)
{
	struct dependents d = { m->flow, grantee, kept, NULL, 0 };
	struct flow_meta sub;
	size_t i;
	int code = 0;

	if (flowstate_each(conf->state, add_dependent, &d) < 0)
		code = result_set(r, REPLY_RETRY, "cannot read the flows, retry");
	for (i = 0; !code && i < d.n; i++)
		if (flowstate_load(conf->state, d.names[i], &sub) == 0)
			code = end_subscription(conf, &sub, r);
	free(d.names);
	return code;
}

int
subs_grant(const struct fnap_conf *conf, const struct flow_meta *m, const char *user,
    enum grant_right right, const char *where, struct result *r)
{
	char kept[FLOWSTATE_TOKEN_MAX];

	if (grants_set(conf, m, user, right, where, r))
		return r->code;
	if (right != GRANT_READ)
		return 0;
	token_hash(where ? where : "", kept);
	return end_granted(conf, m, user, kept, r);
}

int
subs_ungrant(const struct fnap_conf *conf, const struct flow_meta *m, const char *user,
    enum grant_right right, struct result *r)
{
	struct result ended;
	int code = grants_unset(conf, m, user, right, r);

	/* without the grant too: a REVOKE cut short before it ended them
	   is done again */
	if ((code == 0 || code == REPLY_DENIED) && right == GRANT_READ &&
	    end_granted(conf, m, user, NULL, &ended)) {
		*r = ended;
		return r->code;
	}
	return code;
}

/* Remove flow, made a moment ago, after what went wrong; the log says why
   it could not. */
static void
undo(const struct fnap_conf *conf, const char *flow)
{
	struct result r;

	if (flows_destroy(conf, flow, &r))
		warnmsg("%s: %s", flow, r.why);
}

/* The subscription flow's record, before it is made. */
static int
subscription_meta(const struct fnap_who *who, const struct flow_meta *src, struct flow_meta *sub,
    char token[SUBS_TOKEN_TEXT], struct result *r)
{
	unsigned char secret[TOKEN_BYTES];
	char id[SUB_ID_LEN + 1];
	size_t i;

	if (is_subscription(src))
		return result_set(r, REPLY_USAGE, "%s is a subscription: subscribe to %s", src->flow, src->source);
	for (i = 0; i < SUB_ID_LEN; i++)
		id[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[randombytes_uniform(36)];
	id[i] = '\0';
	memset(sub, 0, sizeof *sub);
	if (snprintf(sub->flow, sizeof sub->flow, "%s.%s", id, src->flow) >= (int)sizeof sub->flow)
		return result_set(r, REPLY_NAME, "flow name not allowed: too long for a subscription of it");
	snprintf(sub->owner, sizeof sub->owner, "%s", src->owner);
	snprintf(sub->subscriber, sizeof sub->subscriber, "%s", who->user);
	snprintf(sub->source, sizeof sub->source, "%s", src->flow);
	strcpy(sub->feed, "running");
	/* an anonymous subscriber reads it as anyone does */
	sub->public = who->anonymous;
	token[0] = '\0';
	if (who->anonymous) {
		randombytes_buf(secret, sizeof secret);
		sodium_bin2hex(token, SUBS_TOKEN_TEXT, secret, sizeof secret);
		sodium_memzero(secret, sizeof secret);
		token_hash(token, sub->token_hash);
	}
	return 0;
}

/* The filter of who's subscription of src, whose own WHERE is where (or
   NULL): that, after the WHERE of the READ grant who reads src through,
   if any, "(grant) AND (own)", into *filter (NULL: none; free it); and
   sub->granted, the hash of the grant's WHERE, when there is a grant.
   0, or 550. */
static int
subscription_filter(const struct fnap_conf *conf, const struct fnap_who *who,
    const struct flow_meta *src, const char *where, struct flow_meta *sub, char **filter,
    struct result *r)
{
	char granted[GRANTS_WHERE_MAX];
	enum flow_reading reading = flows_reading(conf, who, src, granted, sizeof granted);
	size_t size;

	*filter = NULL;
	/* the grant went since the flow was found */
	if (reading == FLOW_UNREADABLE)
		return result_set(r, REPLY_DENIED, TEXT_NO_FLOW);
	if (reading == FLOW_GRANTED)
		token_hash(granted, sub->granted);
	if (reading != FLOW_GRANTED || !granted[0]) {
		*filter = where ? xstrdup(where) : NULL;
		return 0;
	}
	size = strlen(granted) + (where ? strlen(where) : 0) + sizeof "() AND ()";
	*filter = xmalloc(size);
	snprintf(*filter, size, where ? "(%s) AND (%s)" : "%s", granted, where);
	return 0;
}

/* The namespace whose keys VERIFY trusts for flow: the one it is served
   in here; else (another agent's flow) its name without the first label,
   the namespace of a flow named <name>.<namespace>. 0, or 501. */
static int
verify_namespace(const struct fnap_conf *conf, const char *flow, char out[DNSNAME_MAX + 1],
    struct result *r)
{
	const struct fnap_namespace *ns = fnap_conf_namespace(conf, flow);
	const char *parent = strchr(flow, '.');

	if (ns)
		parent = ns->name;
	else if (parent)
		parent++;
	else
		return result_set(r, REPLY_USAGE, "VERIFY: %s is in no namespace", flow);
	snprintf(out, DNSNAME_MAX + 1, "%s", parent);
	return 0;
}

int
subs_new(const struct fnap_conf *conf, const struct fnap_who *who, const struct flow_meta *src,
    const struct feed_terms *t, struct flow_meta *sub, char token[SUBS_TOKEN_TEXT], struct result *r)
{
	char src_url[QUEUE_URL_MAX], *filter;
	struct feed_terms copied = *t;
	int code;

	if (subscription_meta(who, src, sub, token, r) ||
	    (t->verify && verify_namespace(conf, src->flow, sub->verify, r)) ||
	    subscription_filter(conf, who, src, t->where, sub, &filter, r))
		return r->code;
	queue_url(src, src_url, sizeof src_url);
	copied.where = filter;
	if ((code = flows_new(conf, who, sub, r)) == 0 &&
	    (code = feed_start(conf, sub, src_url, src, &copied, NULL, r)) != 0)
		undo(conf, sub->flow);
	free(filter);
	return code;
}

/* The local flow's name: arg itself inside one of who's namespaces, else
   a name inside the first of them. 0, or a reply code. */
static int
local_name(const struct fnap_conf *conf, const struct fnap_who *who, const char *arg,
    char out[DNSNAME_MAX + 1], struct result *r)
{
	const struct fnap_namespace *ns;
	char name[DNSNAME_MAX + 1], first[DNSNAME_MAX + 1];

	if (flows_name(arg, name, r))
		return r->code;
	if ((ns = fnap_conf_namespace(conf, name)) && auth_ns_listed(who->namespaces, ns->name)) {
		strcpy(out, name);
		return 0;
	}
	snprintf(first, sizeof first, "%.*s", (int)strcspn(who->namespaces, ","), who->namespaces);
	if (snprintf(out, DNSNAME_MAX + 1, "%s.%s", name, first) > DNSNAME_MAX)
		return result_set(r, REPLY_NAME, "flow name not allowed: %s.%s is too long", name, first);
	if (!fnap_conf_namespace(conf, out))
		return result_set(r, REPLY_DENIED, TEXT_NO_FLOW);
	return 0;
}

/* What a processor reading from another agent is given: the credentials
   configured for it, the CAs to trust. */
struct peer_env {
	char user[AUTH_NAME_MAX + 16], password[AUTH_PASSWORD_MAX + 16];
	char ca[FLOWSTATE_PATH_MAX + 16];
	char *env[4];
};

static void
peer_env(const struct fnap_conf *conf, const char *agent, struct peer_env *e)
{
	char host[DNSNAME_MAX + 1], user[AUTH_NAME_MAX], password[AUTH_PASSWORD_MAX];
	int n = 0;

	snprintf(host, sizeof host, "%.*s", (int)strcspn(agent, ":"), agent);
	if (fnap_peer_credentials(conf, host, user, password)) {
		snprintf(e->user, sizeof e->user, "FNAP_USER=%s", user);
		snprintf(e->password, sizeof e->password, "FNAP_PASSWORD=%s", password);
		e->env[n++] = e->user;
		e->env[n++] = e->password;
	}
	sodium_memzero(password, sizeof password);
	if (conf->tls_ca) {
		snprintf(e->ca, sizeof e->ca, "FNAP_CA=%s", conf->tls_ca);
		e->env[n++] = e->ca;
	}
	e->env[n] = NULL;
}

/* Subscribe to flow at its agent elsewhere for local: its source, and
   the URL the processor reads it at into src_url. 0, or a reply code. */
static int
subscribe_elsewhere(const struct fnap_conf *conf, const char *flow, const struct feed_terms *t,
    struct flow_meta *local, char src_url[QUEUE_URL_MAX], struct result *r)
{
	char err[2 * DNSNAME_MAX + 32];
	struct peer_sub p = { 0 };
	int code;

	if ((code = fnap_peer_subscribe(conf, flow, t->from, t->where, &p, err, sizeof err)))
		return result_set(r, code == REPLY_DENIED || code == REPLY_USAGE ? code : REPLY_RETRY, "%s", err);
	snprintf(local->source, sizeof local->source, "%s", p.sub);
	snprintf(local->source_token, sizeof local->source_token, "%s", p.token);
	snprintf(local->agent, sizeof local->agent, "%s", p.agent);
	local->agent_tls = p.tls;
	snprintf(src_url, QUEUE_URL_MAX, "fnap%s://%s/%s", p.tls ? "s" : "", p.agent, p.sub);
	return 0;
}

/* The subscription for local, here or elsewhere, and its processor. */
static int
feed_local(const struct fnap_conf *conf, const struct fnap_who *who, const char *flow,
    const struct feed_terms *t, struct flow_meta *local, struct result *r)
{
	static const struct feed_terms whole = { "", NULL, 0 };
	char src_url[QUEUE_URL_MAX], token[SUBS_TOKEN_TEXT];
	struct peer_env e = { .env = { NULL } };
	struct flow_meta src, sub;
	int code;

	if (fnap_conf_namespace(conf, flow)) {
		/* the flow is served here: no need to ask anybody */
		if (flows_find(conf, who, flow, FLOW_READ, &src, r) ||
		    subs_new(conf, who, &src, t, &sub, token, r))
			return r->code;
		snprintf(local->source, sizeof local->source, "%s", sub.flow);
		queue_url(&sub, src_url, sizeof src_url);
	} else {
		/* verified here, as it comes in: not by the agent it comes from */
		if ((t->verify && verify_namespace(conf, flow, local->verify, r)) ||
		    subscribe_elsewhere(conf, flow, t, local, src_url, r))
			return r->code;
		peer_env(conf, local->agent, &e);
	}
	strcpy(local->feed, "running");
	if (flows_record(conf, local) < 0)
		code = result_set(r, REPLY_RETRY, "cannot record the flow, retry");
	else
		/* the subscription flow holds what was asked for: all of it */
		code = feed_start(conf, local, src_url, local->agent[0] ? NULL : &sub, &whole, e.env, r);
	sodium_memzero(&e, sizeof e);
	if (code) {
		struct result ignored;

		local->feed[0] = '\0';
		unfeed(conf, local, &ignored);
	}
	return code;
}

int
subs_new_local(const struct fnap_conf *conf, const struct fnap_who *who, const char *flow,
    const char *arg, const struct feed_terms *t, struct flow_meta *local, struct result *r)
{
	memset(local, 0, sizeof *local);
	if (who->anonymous)
		return result_set(r, REPLY_DENIED, TEXT_NO_FLOW);
	if (local_name(conf, who, arg, local->flow, r))
		return r->code;
	snprintf(local->owner, sizeof local->owner, "%s", who->user);
	if (flows_new(conf, who, local, r))
		return r->code;
	if (!feed_local(conf, who, flow, t, local, r))
		return 0;
	undo(conf, local->flow);
	return r->code;
}

int
subs_find_fed(const struct fnap_conf *conf, const struct fnap_who *who, const char *arg,
    const char *token, struct flow_meta *m, struct result *r)
{
	char flow[DNSNAME_MAX + 1];

	if (subs_supervised(conf, r) || flows_name(arg, flow, r))
		return r->code;
	if (flowstate_load(conf->state, flow, m) < 0 || !m->source[0] || !manages(who, m, token))
		return result_set(r, REPLY_DENIED, TEXT_NO_SUBSCRIPTION);
	return 0;
}

int
subs_revoke(const struct fnap_conf *conf, struct flow_meta *m, struct result *r)
{
	if (!is_subscription(m))
		return result_set(r, REPLY_DENIED, TEXT_NO_SUBSCRIPTION);
	return end_subscription(conf, m, r);
}

int
subs_unsubscribe(const struct fnap_conf *conf, struct flow_meta *m, struct result *r)
{
	if (is_subscription(m))
		return end_subscription(conf, m, r);
	if (unfeed(conf, m, r))
		return r->code;
	if (flows_record(conf, m) < 0)
		return result_set(r, REPLY_RETRY, "cannot update the flow's record, retry");
	return 0;
}

int
subs_pause(const struct fnap_conf *conf, struct flow_meta *m, int pause, struct result *r)
{
	const char *why;

	if (!m->feed[0])
		return result_set(r, REPLY_DENIED, TEXT_NO_SUBSCRIPTION);
	if (processor_pause(conf->state, m->flow, pause, &why) < 0) {
		warnmsg("processor %s: %s", m->flow, why);
		return result_set(r, REPLY_RETRY, "cannot reach the processor, retry");
	}
	strcpy(m->feed, pause ? "paused" : "running");
	if (flows_record(conf, m) < 0)
		warnmsg("%s: cannot update its record", m->flow);
	return 0;
}

struct sub_listing {
	const struct fnap_who *who;
	const char *flow;
	void (*fn)(void *ctx, const char *name, const char *user, const char *state);
	void *ctx;
};

/* A subscription flow the user owns or holds: "<flow> <subscriber>
   <state>"; a local flow fed from elsewhere: "<subscription> <user> <state>". */
static void
list_sub(void *ctx, const struct flow_meta *m)
{
	struct sub_listing *l = ctx;
	const char *state = m->feed[0] ? m->feed : "stopped";

	if (!m->source[0] || !manages(l->who, m, NULL) || (!is_subscription(m) && !m->agent[0]))
		return;
	if (l->flow && strcmp(m->source, l->flow) != 0 && strcmp(m->flow, l->flow) != 0)
		return;
	if (is_subscription(m))
		l->fn(l->ctx, m->flow, m->subscriber, state);
	else
		l->fn(l->ctx, m->source, m->owner, state);
}

int
subs_list(const struct fnap_conf *conf, const struct fnap_who *who, const char *flow,
    void (*fn)(void *ctx, const char *name, const char *user, const char *state), void *ctx)
{
	struct sub_listing l = { who, flow, fn, ctx };

	if (flowstate_each(conf->state, list_sub, &l) >= 0)
		return 0;
	warnmsg("%s: cannot list the flows", conf->state);
	return -1;
}
