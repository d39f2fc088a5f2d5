/* CREATE, DESCRIBE, LIST and DELETE of flows: the record in the state
   directory, the queue (a directory of the file broker, or a Kafka topic)
   and the DNS records, and who may see what. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dnsquery.h"
#include "dnsupdate.h"
#include "fnap_session.h"
#include "kafka_admin.h"
#include "resolve.h"
#include "rfc3339.h"
#include "util.h"

#define KAFKA_TOPIC_MAX 249

int
fnap_flow_arg(struct session *s, const char *arg, char out[DNSNAME_MAX + 1])
{
	const char *why;

	if (!arg || dnsname_parse(arg, strlen(arg), out, &why) < 0) {
		fnap_reply(s->c, 553, "flow name not allowed: %s", arg ? why : "missing");
		return -1;
	}
	return 0;
}

int
fnap_theirs(const struct session *s, const struct flow_meta *m)
{
	return !s->anonymous && (strcmp(m->owner, s->user) == 0 || strcmp(m->subscriber, s->user) == 0);
}

int
fnap_readable(const struct session *s, const struct flow_meta *m)
{
	return m->public || fnap_theirs(s, m);
}

int
fnap_find_flow(struct session *s, const char *arg, int write, struct flow_meta *m)
{
	char name[DNSNAME_MAX + 1];

	if (fnap_flow_arg(s, arg, name) < 0)
		return -1;
	if (flowstate_load(s->conf->state, name, m) < 0 ||
	    !(write ? !s->anonymous && strcmp(m->owner, s->user) == 0 : fnap_readable(s, m))) {
		fnap_reply(s->c, 550, "no such flow or access denied");
		return -1;
	}
	return 0;
}

int
fnap_flow_broker(struct session *s, const struct flow_meta *m, char *url, size_t size,
    struct broker_opts *o)
{
	const struct fnap_namespace *ns = fnap_conf_namespace(s->conf, m->flow);

	memset(o, 0, sizeof *o);
	fnap_flow_url(m, url, size);
	if (strcmp(m->type, "file") == 0)
		return 0;
	if (!ns || (ns->properties && broker_prop_file(o, ns->properties) < 0)) {
		broker_opts_free(o);
		fnap_reply(s->c, 450, "the flow's broker is not configured, retry later");
		return -1;
	}
	return 0;
}

void
fnap_flow_url(const struct flow_meta *m, char *url, size_t size)
{
	if (strcmp(m->type, "file") == 0)
		snprintf(url, size, "file://%s", m->path);
	else
		snprintf(url, size, "kafka://%s/%s", m->servers, m->topic);
}

/* Is the port published (tls-port, else port) one of implicit TLS? */
static int
served_with_tls(const struct fnap_conf *conf)
{
	return conf->tls_port || conf->implicit_tls;
}

/* Where the flow's events are served for other hosts: the agent itself for
   the file broker (implicit TLS when it has a port for it), Kafka's
   bootstrap servers. */
static int
brokers_of(const struct fnap_conf *conf, const struct flow_meta *m, struct srv_target *t,
    size_t *n)
{
	char *list, *p, *host;
	const char *why;

	*n = 0;
	if (strcmp(m->type, "kafka") != 0) {
		t[0] = (struct srv_target){ 0, 0, conf->tls_port ? conf->tls_port : conf->port, "" };
		snprintf(t[0].host, sizeof t[0].host, "%s", conf->hostname);
		*n = 1;
		return 0;
	}
	list = xstrdup(m->servers);
	for (p = list; (host = strsep(&p, ",")) && *n < RESOLVE_MAX_TARGETS;)
		if (dnsupdate_target_parse(host, &t[(*n)++], &why) < 0) {
			free(list);
			return -1;
		}
	free(list);
	return 0;
}

/* Run the dns-update command with the script on its standard input, its
   output going to our log (standard error), never to the client. */
static int
dns_update(struct session *s, enum dnsupdate_op op, const struct flow_meta *m)
{
	const struct fnap_conf *conf = s->conf;
	const struct fnap_namespace *ns = fnap_conf_namespace(conf, m->flow);
	/* other agents and clients are sent to TLS wherever it is served */
	struct srv_target agent = { 0, 0, conf->tls_port ? conf->tls_port : conf->port, "" },
	    brokers[RESOLVE_MAX_TARGETS];
	struct dnsupdate_flow d = {
		.flow = m->flow, .ns = ns ? ns->name : NULL, .agents = &agent, .nagents = 1,
		.agent_tls = served_with_tls(conf),
		/* subscription flows are no one's to browse: their names stay
		   with their owner and subscriber */
		.brokers = brokers, .public = m->public && !m->subscriber[0], .ttl = DNSUPDATE_DEFAULT_TTL,
		.server = conf->dns_server, .zone = conf->dns_zone,
	};
	const char *why = "the command failed";
	int fds[2], status, r = -1;
	FILE *f;
	pid_t pid;

	if (!conf->dns_update)
		return 0;
	snprintf(agent.host, sizeof agent.host, "%s", conf->hostname);
	if (strcmp(m->type, "kafka") == 0) {
		d.broker_type = BROKER_KAFKA;
		d.topic = m->topic;
	} else {
		d.broker_type = BROKER_FNAP;
		d.broker_tls = served_with_tls(conf);
	}
	if (brokers_of(conf, m, brokers, &d.nbrokers) < 0 || pipe(fds) < 0) {
		warnmsg("dns-update: %s: cannot prepare the update", m->flow);
		return -1;
	}
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		warnmsg("dns-update: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(fds[1]);
		if (dup2(fds[0], 0) < 0 || dup2(2, 1) < 0)
			_exit(EX_FLOW_SOFTWARE);
		execl("/bin/sh", "sh", "-c", conf->dns_update, (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	if ((f = fdopen(fds[1], "w"))) {
		if (dnsupdate_write(f, op, &d, &why) == 0 && fflush(f) == 0)
			r = 0;
		fclose(f);
	} else
		close(fds[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		r = -1;
	if (r < 0)
		warnmsg("dns-update: %s: %s", m->flow, why);
	return r;
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

/* Make the flow's queue: 0, or -1 after the reply. */
static int
queue_create(struct session *s, const struct fnap_namespace *ns, const struct flow_meta *m)
{
	struct kafka_topic_spec k;
	const char *why;
	int r;

	if (ns->kind == FNAP_NS_FILE) {
		if (mkdir_p(m->path) == 0)
			return 0;
		warnmsg("%s: %s", m->path, strerror(errno));
		fnap_reply(s->c, 450, "cannot create the flow, retry");
		return -1;
	}
	topic_spec(ns, m, &k);
	if ((r = kafka_topic_create(&k, &why)) == 0)
		return 0;
	if (r == 1) {
		fnap_reply(s->c, 553, "flow name not allowed: a topic %s exists", m->topic);
		return -1;
	}
	warnmsg("%s: %s", m->flow, why);
	fnap_reply(s->c, 450, "cannot create the topic, retry: %s", why);
	return -1;
}

/* Remove the flow's queue: 0, or -1 with a message. */
static int
queue_delete(struct session *s, const struct flow_meta *m)
{
	const struct fnap_namespace *ns = fnap_conf_namespace(s->conf, m->flow);
	struct kafka_topic_spec k;
	const char *why;

	if (strcmp(m->type, "file") == 0) {
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

int
fnap_flow_new(struct session *s, struct flow_meta *m)
{
	const struct fnap_namespace *ns = fnap_conf_namespace(s->conf, m->flow);
	/* what an anonymous session makes is a subscription: all of them
	   share one quota of their own */
	int quota = s->anonymous ? s->conf->anonymous_subscriptions : s->conf->flows_per_user;
	int lock, r = -1;

	if (s->anonymous && quota == 0) {
		fnap_reply(s->c, 552, "quota exceeded: no anonymous subscriptions here");
		return -1;
	}
	if (ns->kind == FNAP_NS_KAFKA && strlen(m->flow) > KAFKA_TOPIC_MAX) {
		fnap_reply(s->c, 553, "flow name not allowed: longer than a Kafka topic may be");
		return -1;
	}
	m->created_ns = clock_real_ns();
	if (ns->kind == FNAP_NS_FILE) {
		strcpy(m->type, "file");
		snprintf(m->path, sizeof m->path, "%s/%s", ns->base, m->flow);
	} else {
		strcpy(m->type, "kafka");
		snprintf(m->servers, sizeof m->servers, "%s", ns->servers);
		snprintf(m->topic, sizeof m->topic, "%s", m->flow);
	}
	if ((lock = flowstate_lock(s->conf->state, m->flow)) < 0) {
		warnmsg("%s: %s", s->conf->state, strerror(errno));
		fnap_reply(s->c, 450, "cannot create the flow, retry");
		return -1;
	}
	if (flowstate_create(s->conf->state, m, quota) < 0) {
		if (errno == EEXIST)
			fnap_reply(s->c, 553, "flow name not allowed: %s exists", m->flow);
		else if (errno == EDQUOT)
			fnap_reply(s->c, 552, "quota exceeded: %d %s", quota,
			    s->anonymous ? "anonymous subscriptions" : "flows");
		else {
			warnmsg("%s: %s", s->conf->state, strerror(errno));
			fnap_reply(s->c, 450, "cannot create the flow, retry");
		}
	} else if (queue_create(s, ns, m) < 0) {
		flowstate_delete(s->conf->state, m->flow);
	} else if (dns_update(s, DNSUPDATE_ADD, m) < 0) {
		queue_delete(s, m);
		flowstate_delete(s->conf->state, m->flow);
		fnap_reply(s->c, 450, "cannot register the flow in DNS, retry");
	} else
		r = 0;
	flowstate_unlock(lock);
	return r;
}

static void
create(struct session *s, char *args)
{
	const struct fnap_namespace *ns;
	struct flow_meta m = { 0 };
	char *name = fnap_word(&args), *opt = fnap_word(&args);

	if (fnap_flow_arg(s, name, m.flow) < 0)
		return;
	if ((opt && strcasecmp(opt, "PUBLIC") != 0) || fnap_word(&args)) {
		fnap_reply(s->c, 501, "usage: CREATE FLOW <fqdn> [PUBLIC]");
		return;
	}
	if (!(ns = fnap_conf_namespace(s->conf, m.flow)) || s->anonymous ||
	    !auth_ns_listed(s->namespaces, ns->name)) {
		fnap_reply(s->c, 550, "no such flow or access denied");
		return;
	}
	snprintf(m.owner, sizeof m.owner, "%s", s->user);
	m.public = opt != NULL;
	if (fnap_flow_new(s, &m) == 0)
		fnap_reply(s->c, 220, "OK %s", m.flow);
}

int
fnap_flow_destroy(struct session *s, const char *flow, const char **why)
{
	struct flow_meta m;
	int lock, code = 450;

	*why = "cannot delete the flow, retry";
	if ((lock = flowstate_lock(s->conf->state, flow)) < 0)
		return code;
	/* another session may have deleted it while this one waited */
	if (flowstate_load(s->conf->state, flow, &m) < 0) {
		*why = "no such flow or access denied";
		code = 550;
	} else if (dns_update(s, DNSUPDATE_DELETE, &m) < 0)
		*why = "cannot remove the DNS records, retry";
	else if (queue_delete(s, &m) < 0)
		*why = "cannot remove the flow's queue, retry";
	else {
		flowstate_delete(s->conf->state, m.flow);
		code = 0;
	}
	flowstate_unlock(lock);
	return code;
}

static void
delete(struct session *s, char *args)
{
	struct flow_meta m;
	const char *why;
	int code;

	if (fnap_find_flow(s, fnap_word(&args), 1, &m) < 0)
		return;
	/* what feeds the flow, and the subscriptions that copy it, go first */
	if ((code = fnap_sub_detach(s, &m, &why)) == 0)
		code = fnap_flow_destroy(s, m.flow, &why);
	if (code)
		fnap_reply(s->c, code, "%s", why);
	else
		fnap_reply(s->c, 220, "OK %s", m.flow);
}

static void
body(struct session *s, const char *key, const char *value)
{
	char line[FLOWSTATE_PATH_MAX + 64];
	int n = snprintf(line, sizeof line, "%s=%s", key, value);

	fnap_body(s->c, line, n < (int)sizeof line ? (size_t)n : sizeof line - 1);
}

static void
describe(struct session *s, char *args)
{
	const struct fnap_conf *conf = s->conf;
	struct flow_meta m;
	char created[RFC3339_MAX], url[FLOWSTATE_PATH_MAX + DNSNAME_MAX + 16], server[DNSNAME_MAX + 8];
	unsigned port = conf->tls_port ? conf->tls_port : conf->port;

	int owner;

	if (fnap_find_flow(s, fnap_word(&args), 0, &m) < 0)
		return;
	rfc3339_format(m.created_ns, created);
	/* a file flow is on this host: to others it is served over FNAP */
	owner = !s->anonymous && strcmp(m.owner, s->user) == 0;
	/* the thesis's four lines first, in its order */
	fnap_reply(s->c, 220, "DATA");
	body(s, "flow", m.flow);
	body(s, "type", owner || strcmp(m.type, "file") != 0 ? m.type : "fnap");
	if (strcmp(m.type, "kafka") == 0) {
		body(s, "topic", m.topic);
		body(s, "server", m.servers);
		snprintf(url, sizeof url, "kafka://%s/%s", m.servers, m.topic);
	} else {
		body(s, "topic", m.flow);
		snprintf(server, sizeof server, "%s:%u", conf->hostname, port);
		body(s, "server", server);
		snprintf(url, sizeof url, "fnap%s://%s:%u/%s", served_with_tls(conf) ? "s" : "", conf->hostname,
		    port, m.flow);
	}
	body(s, "url", url);
	if (m.path[0] && owner)
		body(s, "path", m.path);
	body(s, "owner", m.owner);
	body(s, "public", m.public ? "yes" : "no");
	body(s, "created", created);
	/* what feeds it: the flow it copies, for whom, and how it runs */
	if (m.source[0])
		body(s, "source", m.source);
	if (m.agent[0])
		body(s, "source-agent", m.agent);
	if (m.subscriber[0])
		body(s, "subscriber", m.subscriber);
	if (m.feed[0])
		body(s, "feed", m.feed);
	fnap_reply(s->c, 220, "OK");
}

struct listing {
	struct session *s;
	const char *ns;
};

/* A subscription flow is listed to its owner and subscriber only, even
   when anyone may read it (an anonymous subscriber's): its name is no
   one else's business. */
static void
list_one(void *ctx, const struct flow_meta *m)
{
	struct listing *l = ctx;

	if ((m->subscriber[0] ? fnap_theirs(l->s, m) : fnap_readable(l->s, m)) &&
	    (!l->ns || fnap_in_namespace(m->flow, l->ns)))
		fnap_body(l->s->c, m->flow, strlen(m->flow));
}

void
fnap_cmd_list(struct session *s, char *args)
{
	char *what = fnap_word(&args), *ns = fnap_word(&args), name[DNSNAME_MAX + 1];
	struct listing l = { s, NULL };
	int i;

	if (what && strcasecmp(what, "NAMESPACES") == 0 && !ns) {
		fnap_reply(s->c, 220, "DATA");
		for (i = 0; i < s->conf->nns; i++)
			if (s->anonymous || auth_ns_listed(s->namespaces, s->conf->ns[i].name))
				fnap_body(s->c, s->conf->ns[i].name, strlen(s->conf->ns[i].name));
		fnap_reply(s->c, 220, "OK");
		return;
	}
	if (what && strcasecmp(what, "SUBSCRIPTIONS") == 0 && !fnap_word(&args)) {
		fnap_list_subscriptions(s, ns);
		return;
	}
	if (!what || strcasecmp(what, "FLOWS") != 0 || fnap_word(&args)) {
		fnap_reply(s->c, 501,
		    "usage: LIST FLOWS [<namespace>] | LIST NAMESPACES | LIST SUBSCRIPTIONS [<flow>]");
		return;
	}
	if (ns) {
		if (fnap_flow_arg(s, ns, name) < 0)
			return;
		l.ns = name;
	}
	fnap_reply(s->c, 220, "DATA");
	if (flowstate_each(s->conf->state, list_one, &l) < 0)
		warnmsg("%s: cannot list the flows: %s", s->conf->state, strerror(errno));
	fnap_reply(s->c, 220, "OK");
}

/* CREATE FLOW, DESCRIBE FLOW, DELETE FLOW: the second word must be FLOW. */
static void
flow_verb(struct session *s, char *args, void (*run)(struct session *, char *), const char *usage)
{
	char *w = fnap_word(&args);

	if (!w || strcasecmp(w, "FLOW") != 0) {
		fnap_reply(s->c, 501, "usage: %s", usage);
		return;
	}
	run(s, args);
}

void
fnap_cmd_create(struct session *s, char *args)
{
	flow_verb(s, args, create, "CREATE FLOW <fqdn> [PUBLIC]");
}

void
fnap_cmd_describe(struct session *s, char *args)
{
	flow_verb(s, args, describe, "DESCRIBE FLOW <fqdn>");
}

void
fnap_cmd_delete(struct session *s, char *args)
{
	flow_verb(s, args, delete, "DELETE FLOW <fqdn>");
}
