/* A flow's queue: a file broker directory or a Kafka topic. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fnap_queue.h"
#include "kafka_admin.h"
#include "util.h"

#define KAFKA_TOPIC_MAX 249

static int
is_file(const struct flow_meta *m)
{
	return strcmp(m->type, "file") == 0;
}

int
queue_place(const struct fnap_namespace *ns, struct flow_meta *m, struct result *r)
{
	if (ns->kind == FNAP_NS_KAFKA && strlen(m->flow) > KAFKA_TOPIC_MAX)
		return result_set(r, REPLY_NAME, "flow name not allowed: longer than a Kafka topic may be");
	if (ns->kind == FNAP_NS_FILE) {
		strcpy(m->type, "file");
		snprintf(m->path, sizeof m->path, "%s/%s", ns->base, m->flow);
	} else {
		strcpy(m->type, "kafka");
		snprintf(m->servers, sizeof m->servers, "%s", ns->servers);
		snprintf(m->topic, sizeof m->topic, "%s", m->flow);
	}
	return 0;
}

static void
topic_spec(const struct fnap_namespace *ns, const struct flow_meta *m, struct kafka_topic_spec *k)
{
	*k = (struct kafka_topic_spec){
		.servers = m->servers, .properties = ns->properties, .topic = m->topic,
		.partitions = ns->partitions, .replication = ns->replication, .admin = ns->topic_admin,
		.timeout_ms = ns->timeout_ms,
	};
}

int
queue_create(const struct fnap_namespace *ns, const struct flow_meta *m, struct result *r)
{
	struct kafka_topic_spec k;
	const char *why;
	int made;

	if (ns->kind == FNAP_NS_FILE) {
		if (mkdir_p(m->path) == 0)
			return 0;
		warnmsg("%s: %s", m->path, strerror(errno));
		return result_set(r, REPLY_RETRY, TEXT_CANNOT_CREATE);
	}
	topic_spec(ns, m, &k);
	if ((made = kafka_topic_create(&k, &why)) == 0)
		return 0;
	if (made == 1)
		return result_set(r, REPLY_NAME, "flow name not allowed: a topic %s exists", m->topic);
	warnmsg("%s: %s", m->flow, why);
	return result_set(r, REPLY_RETRY, "cannot create the topic, retry: %s", why);
}

int
queue_delete(const struct fnap_conf *conf, const struct flow_meta *m)
{
	const struct fnap_namespace *ns = fnap_conf_namespace(conf, m->flow);
	struct kafka_topic_spec k;
	const char *why;

	if (is_file(m)) {
		if (remove_tree(m->path) == 0)
			return 0;
		warnmsg("%s: %s", m->path, strerror(errno));
		return -1;
	}
	if (!ns) {
		warnmsg("%s: its namespace is no longer served: topic %s left alone", m->flow, m->topic);
		return 0;
	}
	topic_spec(ns, m, &k);
	if (kafka_topic_delete(&k, &why) == 0)
		return 0;
	warnmsg("%s: %s", m->flow, why);
	return -1;
}

void
queue_url(const struct flow_meta *m, char *url, size_t size)
{
	if (is_file(m))
		snprintf(url, size, "file://%s", m->path);
	else
		snprintf(url, size, "kafka://%s/%s", m->servers, m->topic);
}

int
queue_open_args(const struct fnap_conf *conf, const struct flow_meta *m, char url[QUEUE_URL_MAX],
    struct broker_opts *o, struct result *r)
{
	const struct fnap_namespace *ns = fnap_conf_namespace(conf, m->flow);

	memset(o, 0, sizeof *o);
	queue_url(m, url, QUEUE_URL_MAX);
	if (is_file(m))
		return 0;
	if (!ns || (ns->properties && broker_prop_file(o, ns->properties) < 0)) {
		broker_opts_free(o);
		return result_set(r, REPLY_RETRY, "the flow's broker is not configured, retry later");
	}
	return 0;
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
	if (is_file(m)) {
		/* served by the agent itself, over TLS where it serves that */
		d->broker_type = BROKER_FNAP;
		d->broker_tls = fnap_conf_public_tls(conf);
		t[0] = (struct srv_target){ 0, 0, fnap_conf_public_port(conf), "" };
		snprintf(t[0].host, sizeof t[0].host, "%s", conf->hostname);
		d->nbrokers = 1;
		return 0;
	}
	d->broker_type = BROKER_KAFKA;
	d->topic = m->topic;
	list = xstrdup(m->servers);
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

	/* a file flow is on this host: to others it is served over FNAP */
	fn(ctx, "type", mine || !is_file(m) ? m->type : "fnap");
	if (!is_file(m)) {
		fn(ctx, "topic", m->topic);
		fn(ctx, "server", m->servers);
		snprintf(url, sizeof url, "kafka://%s/%s", m->servers, m->topic);
	} else {
		fn(ctx, "topic", m->flow);
		snprintf(server, sizeof server, "%s:%u", conf->hostname, port);
		fn(ctx, "server", server);
		snprintf(url, sizeof url, "fnap%s://%s:%u/%s", fnap_conf_public_tls(conf) ? "s" : "",
		    conf->hostname, port, m->flow);
	}
	fn(ctx, "url", url);
	if (m->path[0] && mine)
		fn(ctx, "path", m->path);
}
