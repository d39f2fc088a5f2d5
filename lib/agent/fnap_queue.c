/* A flow's queue, kept as its namespace's broker kind says (its keeper,
   brokers.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowstat.h"
#include "fnap_queue.h"
#include "uri.h"
#include "util.h"

int
queue_place(const struct fnap_namespace *ns, struct flow_meta *m, struct result *r)
{
	const char *why;

	if (ns->kind->keeper->place(&ns->space, m->flow, &m->queue, &why) < 0)
		return result_set(r, REPLY_NAME, "flow name not allowed: %s", why);
	m->kind = ns->kind;
	return 0;
}

/* m's retention as its kind keeps it, into keep (all 0 for none): 0, or
   501 when the kind cannot keep that. */
static int
retention_of(const struct flow_meta *m, struct broker_retention *keep, struct result *r)
{
	const char *v = m->retention;
	char unit = v[0] ? v[strlen(v) - 1] : '\0';
	long long n = atoll(v);

	*keep = (struct broker_retention){ 0 };
	if (!m->kind->keeper->retain)
		return result_set(r, REPLY_USAGE, "the agent cannot set the retention of %s flows", m->kind->name);
	if (unit == 'd' || unit == 'h')
		keep->seconds = n * (unit == 'd' ? 86400 : 3600);
	else if (unit)
		keep->events = (unsigned long long)n;
	/* Kafka drops whole log segments by time or size only */
	if (keep->events && !m->kind->keeper->keeps_count)
		return result_set(r, REPLY_USAGE, "%s flows cannot keep a count of events, only an age",
		    m->kind->name);
	return 0;
}

/* A keeper's failure as the reply text, with its reason for the client
   when the kind gives one (a Kafka cluster's); the log has it anyway. */
static int
keeper_failed(const struct flow_meta *m, const char *text, const char *why, struct result *r)
{
	if (!why)
		return result_set(r, REPLY_RETRY, "%s", text);
	warnmsg("%s: %s", m->flow, why);
	if (!m->kind->keeper->noun)
		return result_set(r, REPLY_RETRY, "%s", text);
	return result_set(r, REPLY_RETRY, "%s: %s", text, why);
}

int
queue_create(const struct fnap_namespace *ns, const struct flow_meta *m, struct result *r)
{
	const struct broker_keeper *k = m->kind->keeper;
	struct broker_retention keep = { 0 };
	char text[64];
	const char *why;
	int made;

	if (m->retention[0] && retention_of(m, &keep, r))
		return r->code;
	made = k->create(&ns->space, &m->queue, &keep, &why);
	if (made == 1)
		return result_set(r, REPLY_NAME, "flow name not allowed: a %s %s exists", k->noun, m->queue.topic);
	if (made == 0)
		return 0;
	if (!k->noun)
		return keeper_failed(m, TEXT_CANNOT_CREATE, why, r);
	snprintf(text, sizeof text, "cannot create the %s, retry", k->noun);
	return keeper_failed(m, text, why, r);
}

int
queue_retain(const struct fnap_conf *conf, const struct flow_meta *m, struct result *r)
{
	const struct fnap_namespace *ns = fnap_conf_namespace(conf, m->flow);
	struct broker_retention keep;
	const char *why;

	if (retention_of(m, &keep, r))
		return r->code;
	if (!ns)
		return result_set(r, REPLY_RETRY, "the flow's broker is not configured, retry later");
	if (m->kind->keeper->retain(&ns->space, &m->queue, &keep, &why) == 0)
		return 0;
	return keeper_failed(m, "cannot set the retention, retry", why, r);
}

int
queue_delete(const struct fnap_conf *conf, const struct flow_meta *m)
{
	const struct fnap_namespace *ns = fnap_conf_namespace(conf, m->flow);
	const char *why;

	if (m->kind->keeper->remove(ns ? &ns->space : NULL, &m->queue, &why) == 0)
		return 0;
	if (why)
		warnmsg("%s: %s", m->flow, why);
	return -1;
}

void
queue_url(const struct flow_meta *m, char *url, size_t size)
{
	m->kind->keeper->url(&m->queue, url, size);
}

int
queue_open_args(const struct fnap_conf *conf, const struct flow_meta *m, char url[QUEUE_URL_MAX],
    struct broker_opts *o, struct result *r)
{
	const struct fnap_namespace *ns = fnap_conf_namespace(conf, m->flow);

	memset(o, 0, sizeof *o);
	queue_url(m, url, QUEUE_URL_MAX);
	if (m->kind->keeper->served_by_agent)
		return 0;
	if (!ns || (ns->space.properties && broker_prop_file(o, ns->space.properties) < 0)) {
		broker_opts_free(o);
		return result_set(r, REPLY_RETRY, "the flow's broker is not configured, retry later");
	}
	return 0;
}

int
queue_stat(const struct fnap_conf *conf, const struct flow_meta *m, const char *prefix,
    int64_t now_ns, struct flow_stat *st)
{
	struct stat_query q = { .prefix = prefix, .now_ns = now_ns };
	char url[QUEUE_URL_MAX];
	struct broker_opts o;
	struct flow_url u;
	struct result r;
	const char *why;
	int status = -1;

	memset(st, 0, sizeof *st);
	if (!m->kind->stat || queue_open_args(conf, m, url, &o, &r))
		return -1;
	st->url = m->flow;
	if (url_parse(url, &u, &why) < 0)
		warnmsg("%s: %s: %s", m->flow, url, why);
	else {
		status = m->kind->stat(&u, &o, &q, st) == 0 ? 0 : -1;
		url_free(&u);
	}
	broker_opts_free(&o);
	return status;
}

int
queue_dns(const struct fnap_conf *conf, const struct flow_meta *m, struct dnsupdate_flow *d,
    struct srv_target t[RESOLVE_MAX_TARGETS])
{
	char *list, *p, *host;
	const char *why;
	int r = 0;

	d->brokers = t;
	d->nbrokers = 0;
	if (m->kind->keeper->served_by_agent) {
		/* the agent itself, over TLS where it serves that */
		d->broker = &broker_fnap;
		d->broker_tls = fnap_conf_public_tls(conf);
		t[0] = (struct srv_target){ 0, 0, fnap_conf_public_port(conf), "" };
		snprintf(t[0].host, sizeof t[0].host, "%s", conf->hostname);
		d->nbrokers = 1;
		return 0;
	}
	d->broker = m->kind;
	d->topic = m->queue.topic;
	list = xstrdup(m->queue.servers);
	for (p = list; !r && (host = strsep(&p, ",")) && d->nbrokers < RESOLVE_MAX_TARGETS;)
		r = dnsupdate_target_parse(host, &t[d->nbrokers++], &why);
	free(list);
	return r;
}

void
queue_describe(const struct fnap_conf *conf, const struct flow_meta *m, int mine,
    void (*fn)(void *ctx, const char *key, const char *value), void *ctx)
{
	char url[QUEUE_URL_MAX], server[DNSNAME_MAX + 8];
	unsigned port = fnap_conf_public_port(conf);
	int by_agent = m->kind->keeper->served_by_agent;

	/* a flow the agent serves is shown to others as the FNAP stream it is to them */
	fn(ctx, "type", (mine || !by_agent ? m->kind : &broker_fnap)->name);
	if (!by_agent) {
		fn(ctx, "topic", m->queue.topic);
		fn(ctx, "server", m->queue.servers);
		queue_url(m, url, sizeof url);
	} else {
		fn(ctx, "topic", m->flow);
		snprintf(server, sizeof server, "%s:%u", conf->hostname, port);
		fn(ctx, "server", server);
		snprintf(url, sizeof url, "%s://%s:%u/%s",
		    fnap_conf_public_tls(conf) ? broker_fnap.tls_scheme : broker_fnap.scheme, conf->hostname,
		    port, m->flow);
	}
	fn(ctx, "url", url);
	if (m->queue.path[0] && mine)
		fn(ctx, "path", m->queue.path);
}
