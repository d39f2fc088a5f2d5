/* The agent's flows: their records in the state directory, their queues,
   their DNS records, and who may see and change what. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnap_dnsreg.h"
#include "flowstat.h"
#include "fnap_flows.h"
#include "fnap_grants.h"
#include "fnap_groups.h"
#include "fnap_queue.h"
#include "rfc3339.h"
#include "util.h"

int
flows_name(const char *arg, char out[DNSNAME_MAX + 1], struct result *r)
{
	const char *why;

	if (!arg || dnsname_parse(arg, strlen(arg), out, &why) < 0)
		return result_set(r, REPLY_NAME, "flow name not allowed: %s", arg ? why : "missing");
	return 0;
}

int
flows_theirs(const struct fnap_who *who, const struct flow_meta *m)
{
	return !who->anonymous && (strcmp(m->owner, who->user) == 0 || strcmp(m->subscriber, who->user) == 0);
}

static int
owns(const struct fnap_who *who, const struct flow_meta *m)
{
	return !who->anonymous && strcmp(m->owner, who->user) == 0;
}

enum flow_reading
flows_reading(const struct fnap_conf *conf, const struct fnap_who *who, const struct flow_meta *m,
    char *where, size_t size)
{
	if (m->public || flows_theirs(who, m))
		return FLOW_READABLE;
	return grants_allows(conf, who, m, GRANT_READ, where, size) ? FLOW_GRANTED : FLOW_UNREADABLE;
}

/* Has who that access to m? */
static int
has_access(const struct fnap_conf *conf, const struct fnap_who *who, const struct flow_meta *m,
    enum flow_access access)
{
	char where[GRANTS_WHERE_MAX];

	switch (access) {
	case FLOW_READ:
		return flows_reading(conf, who, m, where, sizeof where) != FLOW_UNREADABLE;
	case FLOW_PUBLISH:
		return owns(who, m) || grants_allows(conf, who, m, GRANT_WRITE, NULL, 0);
	case FLOW_OWN:
		return owns(who, m);
	}
	return 0;
}

int
flows_ns_listed(const struct fnap_who *who, const char *ns)
{
	return who->anonymous || auth_ns_listed(who->namespaces, ns);
}

int
flows_find(const struct fnap_conf *conf, const struct fnap_who *who, const char *arg,
    enum flow_access access, struct flow_meta *m, struct result *r)
{
	char name[DNSNAME_MAX + 1];

	if (flows_name(arg, name, r))
		return r->code;
	if (flowstate_load(conf->state, name, m) < 0 || !has_access(conf, who, m, access))
		return result_set(r, REPLY_DENIED, TEXT_NO_FLOW);
	return 0;
}

int
flows_create(const struct fnap_conf *conf, const struct fnap_who *who, const char *arg,
    int public, const char *retention, struct flow_meta *m, struct result *r)
{
	const struct fnap_namespace *ns;

	memset(m, 0, sizeof *m);
	if (flows_name(arg, m->flow, r))
		return r->code;
	if (!(ns = fnap_conf_namespace(conf, m->flow)) || who->anonymous ||
	    !auth_ns_listed(who->namespaces, ns->name))
		return result_set(r, REPLY_DENIED, TEXT_NO_FLOW);
	snprintf(m->owner, sizeof m->owner, "%s", who->user);
	m->public = public;
	snprintf(m->retention, sizeof m->retention, "%s", retention);
	return flows_new(conf, who, m, r);
}

int
flows_retain(const struct fnap_conf *conf, const struct fnap_who *who, const char *arg,
    const char *retention, struct flow_meta *m, struct result *r)
{
	int lock, code;

	if ((code = flows_find(conf, who, arg, FLOW_OWN, m, r)))
		return code;
	if ((lock = flowstate_lock(conf->state, m->flow)) < 0)
		return result_set(r, REPLY_RETRY, "cannot set the retention, retry");
	/* another session may have deleted it while this one waited */
	if (flowstate_load(conf->state, m->flow, m) < 0)
		code = result_set(r, REPLY_DENIED, TEXT_NO_FLOW);
	else {
		snprintf(m->retention, sizeof m->retention, "%s", retention);
		if (!(code = queue_retain(conf, m, r)) &&
		    (flowstate_update(conf->state, m) < 0 || dnsreg_update(conf, DNSUPDATE_ADD, m) < 0))
			code = result_set(r, REPLY_RETRY, "cannot record the retention, retry");
	}
	flowstate_unlock(lock);
	return code;
}

/* The record, the queue, the DNS records, under the flow's lock. */
static int
make_flow(const struct fnap_conf *conf, const struct fnap_namespace *ns, int anonymous, int quota,
    struct flow_meta *m, struct result *r)
{
	if (flowstate_create(conf->state, m, quota) < 0) {
		if (errno == EEXIST)
			return result_set(r, REPLY_NAME, "flow name not allowed: %s exists", m->flow);
		if (errno == EDQUOT)
			return result_set(r, REPLY_QUOTA, "quota exceeded: %d %s", quota,
			    anonymous ? "anonymous subscriptions" : "flows");
		warnmsg("%s: %s", conf->state, strerror(errno));
		return result_set(r, REPLY_RETRY, TEXT_CANNOT_CREATE);
	}
	if (queue_create(ns, m, r)) {
		flowstate_delete(conf->state, m->flow);
		return r->code;
	}
	if (dnsreg_update(conf, DNSUPDATE_ADD, m) < 0) {
		queue_delete(conf, m);
		flowstate_delete(conf->state, m->flow);
		return result_set(r, REPLY_RETRY, "cannot register the flow in DNS, retry");
	}
	return 0;
}

int
flows_new(const struct fnap_conf *conf, const struct fnap_who *who, struct flow_meta *m,
    struct result *r)
{
	const struct fnap_namespace *ns = fnap_conf_namespace(conf, m->flow);
	/* what an anonymous session makes is a subscription: all of them
	   share one quota of their own */
	int quota = who->anonymous ? conf->anonymous_subscriptions : conf->flows_per_user;
	int lock, code;

	if (who->anonymous && quota == 0)
		return result_set(r, REPLY_QUOTA, "quota exceeded: no anonymous subscriptions here");
	if (queue_place(ns, m, r))
		return r->code;
	m->created_ns = clock_real_ns();
	if ((lock = flowstate_lock(conf->state, m->flow)) < 0) {
		warnmsg("%s: %s", conf->state, strerror(errno));
		return result_set(r, REPLY_RETRY, TEXT_CANNOT_CREATE);
	}
	code = make_flow(conf, ns, who->anonymous, quota, m, r);
	flowstate_unlock(lock);
	return code;
}

int
flows_destroy(const struct fnap_conf *conf, const char *flow, struct result *r)
{
	struct flow_meta m;
	int lock, code = REPLY_RETRY;

	result_set(r, code, "cannot delete the flow, retry");
	if ((lock = flowstate_lock(conf->state, flow)) < 0)
		return code;
	/* another session may have deleted it while this one waited */
	if (flowstate_load(conf->state, flow, &m) < 0)
		code = result_set(r, REPLY_DENIED, TEXT_NO_FLOW);
	else if (dnsreg_update(conf, DNSUPDATE_DELETE, &m) < 0)
		result_set(r, code, "cannot remove the DNS records, retry");
	else if (queue_delete(conf, &m) < 0)
		result_set(r, code, "cannot remove the flow's queue, retry");
	else {
		flowstate_delete(conf->state, m.flow);
		grants_drop(conf, m.flow);
		code = r->code = 0;
	}
	flowstate_unlock(lock);
	return code;
}

int
flows_record(const struct fnap_conf *conf, const struct flow_meta *m)
{
	int lock = flowstate_lock(conf->state, m->flow), r;

	if (lock < 0)
		return -1;
	r = flowstate_update(conf->state, m);
	flowstate_unlock(lock);
	return r;
}

/* A number as DESCRIBE's value of key. */
static void
number_line(void (*fn)(void *ctx, const char *key, const char *value), void *ctx, const char *key,
    uint64_t n)
{
	char v[24];

	snprintf(v, sizeof v, "%" PRIu64, n);
	fn(ctx, key, v);
}

/* A time as DESCRIBE's value of key, unless nobody can tell it. */
static void
time_line(void (*fn)(void *ctx, const char *key, const char *value), void *ctx, const char *key,
    int64_t ns)
{
	char t[RFC3339_MAX];

	if (ns == STAT_UNKNOWN)
		return;
	rfc3339_format(ns, t);
	fn(ctx, key, t);
}

/* DESCRIBE's lines of a user's group g, its broker name after prefix. */
static void
group_lines(void (*fn)(void *ctx, const char *key, const char *value), void *ctx,
    const struct group_stat *g, size_t prefix)
{
	char key[GROUPS_NAME_MAX + 16], v[32];

	snprintf(key, sizeof key, "group.%s.offset", g->name + prefix);
	number_line(fn, ctx, key, g->offset);
	snprintf(key, sizeof key, "group.%s.lag", g->name + prefix);
	number_line(fn, ctx, key, g->lag);
	if (g->age_ns == STAT_UNKNOWN)
		return;
	snprintf(key, sizeof key, "group.%s.age", g->name + prefix);
	snprintf(v, sizeof v, "%.3f", g->age_ns / 1e9);
	fn(ctx, key, v);
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct group_stat *)a)->name, ((const struct group_stat *)b)->name);
}

/* What m holds and how far behind who's groups are (in name order), as its broker tells
   them now; nothing when it cannot (the log says why). */
static void
describe_held(const struct fnap_conf *conf, const struct fnap_who *who, const struct flow_meta *m,
    void (*fn)(void *ctx, const char *key, const char *value), void *ctx)
{
	char prefix[GROUPS_PREFIX_MAX];
	struct flow_stat st;
	size_t i;

	groups_prefix(who, prefix);
	if (queue_stat(conf, m, prefix, clock_real_ns(), &st) == 0) {
		number_line(fn, ctx, "events", st.events);
		if (!st.bytes_unknown)
			number_line(fn, ctx, "bytes", st.bytes);
		number_line(fn, ctx, "first-offset", st.first);
		number_line(fn, ctx, "next-offset", st.next);
		time_line(fn, ctx, "oldest", st.oldest_ns);
		time_line(fn, ctx, "newest", st.newest_ns);
		if (st.retain_seconds >= 0)
			number_line(fn, ctx, "retain-seconds", (uint64_t)st.retain_seconds);
		if (st.retain_segments >= 0)
			number_line(fn, ctx, "retain-segments", (uint64_t)st.retain_segments);
		if (st.retain_events >= 0)
			number_line(fn, ctx, "retain-events", (uint64_t)st.retain_events);
		qsort(st.groups, st.ngroups, sizeof *st.groups, by_name);
		for (i = 0; i < st.ngroups; i++)
			group_lines(fn, ctx, &st.groups[i], strlen(prefix));
	}
	flow_stat_free(&st);
}

void
flows_describe(const struct fnap_conf *conf, const struct fnap_who *who,
    const struct flow_meta *m, void (*fn)(void *ctx, const char *key, const char *value), void *ctx)
{
	char created[RFC3339_MAX];

	rfc3339_format(m->created_ns, created);
	/* the thesis's four lines first, in its order */
	fn(ctx, "flow", m->flow);
	queue_describe(conf, m, owns(who, m), fn, ctx);
	fn(ctx, "owner", m->owner);
	fn(ctx, "public", m->public ? "yes" : "no");
	fn(ctx, "created", created);
	/* what feeds it: the flow it copies, for whom, and how it runs */
	if (m->source[0])
		fn(ctx, "source", m->source);
	if (m->agent[0])
		fn(ctx, "source-agent", m->agent);
	if (m->subscriber[0])
		fn(ctx, "subscriber", m->subscriber);
	if (m->feed[0])
		fn(ctx, "feed", m->feed);
	describe_held(conf, who, m, fn, ctx);
	/* none set: no line, so the thesis's transcript stays as it was */
	if (m->retention[0])
		fn(ctx, "retention", m->retention);
}

/* fn for each flow, in name order: 0, or -1 after a message. */
static int
each_flow(const struct fnap_conf *conf, void (*fn)(void *ctx, const struct flow_meta *m), void *ctx)
{
	if (flowstate_each(conf->state, fn, ctx) >= 0)
		return 0;
	warnmsg("%s: cannot list the flows: %s", conf->state, strerror(errno));
	return -1;
}

struct listing {
	const struct fnap_conf *conf;
	const struct fnap_who *who;
	const char *ns;
	void (*fn)(void *ctx, const char *flow);
	void *ctx;
};

/* A subscription flow is listed to its owner and subscriber only, even
   when anyone may read it (an anonymous subscriber's): its name is no
   one else's business. */
static void
list_one(void *ctx, const struct flow_meta *m)
{
	struct listing *l = ctx;
	char where[GRANTS_WHERE_MAX];

	if ((m->subscriber[0] ? flows_theirs(l->who, m) :
	    flows_reading(l->conf, l->who, m, where, sizeof where) != FLOW_UNREADABLE) &&
	    (!l->ns || fnap_in_namespace(m->flow, l->ns)))
		l->fn(l->ctx, m->flow);
}

int
flows_list(const struct fnap_conf *conf, const struct fnap_who *who, const char *ns,
    void (*fn)(void *ctx, const char *flow), void *ctx)
{
	struct listing l = { conf, who, ns, fn, ctx };

	return each_flow(conf, list_one, &l);
}

struct grant_listing {
	const struct fnap_conf *conf;
	const struct fnap_who *who;
	const char *flow;
	void (*fn)(void *ctx, const char *flow, const char *user, const char *right, const char *where);
	void *ctx;
};

static void
list_grants(void *ctx, const struct flow_meta *m)
{
	struct grant_listing *l = ctx;

	if (owns(l->who, m) && (!l->flow || strcmp(m->flow, l->flow) == 0))
		grants_each(l->conf, m->flow, l->fn, l->ctx);
}

int
flows_grants(const struct fnap_conf *conf, const struct fnap_who *who, const char *flow,
    void (*fn)(void *ctx, const char *flow, const char *user, const char *right, const char *where),
    void *ctx)
{
	struct grant_listing l = { conf, who, flow, fn, ctx };

	return each_flow(conf, list_grants, &l);
}
