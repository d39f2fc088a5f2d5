#include "config.h"

#include <arpa/nameser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsquery.h"
#include "resolve.h"
#include "util.h"

/* prefix + name, within the 253 characters of a DNS name. */
static int
join_name(struct resolver *r, char *out, const char *prefix, const char *name, const char **why)
{
	if (strlen(prefix) + strlen(name) > DNSNAME_MAX) {
		*why = resolver_fail(r, "%s%s: name too long", prefix, name);
		return EX_FLOW_NEGATIVE;
	}
	strcpy(out, prefix);
	strcat(out, name);
	return EX_FLOW_OK;
}

/* A service name: labels "_[a-z0-9-]+" in front of a host name. */
static int
service_name_ok(const char *s)
{
	const char *why;
	size_t n;

	while (s[0] == '_') {
		n = strspn(s + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");
		if (n == 0 || s[n + 1] != '.')
			return 0;
		s += n + 2;
	}
	return dnsname_check(s, strlen(s), &why) == 0;
}

static int
word_is(const char *w, size_t n, const char *key)
{
	return n == strlen(key) && memcmp(w, key, n) == 0;
}

struct txt_ctx {
	const char *owner;
	struct flow_info *fi;
	int *tls;
};

static void
agent_word(void *v, const char *w, size_t n)
{
	struct txt_ctx *c = v;

	if (word_is(w, n, "tls"))
		*c->tls = 1;
}

/* Keep "key=value" in out when value is printable ASCII and fits. */
static void
keep_value(const struct txt_ctx *c, const char *key, const char *v, size_t n, char *out, size_t size)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] > '~' || v[i] == '"' ||
		    v[i] == '\\')
			break;
	if (n == 0 || i < n || n >= size) {
		warnmsg("%s: TXT %s= with a bad value ignored", c->owner, key);
		return;
	}
	memcpy(out, v, n);
	out[n] = '\0';
}

static void
queue_word(void *v, const char *w, size_t n)
{
	struct txt_ctx *c = v;
	struct flow_info *fi = c->fi;

	if (word_is(w, n, "tls"))
		fi->broker_tls = 1;
	else if (n > 12 && memcmp(w, "broker-type=", 12) == 0) {
		const struct broker_kind *k = broker_kind_by_name(w + 12, n - 12);

		if (k)
			fi->broker = k;
		else
			warnmsg("%s: TXT broker-type= of an unknown type ignored", c->owner);
	} else if (n > 6 && memcmp(w, "topic=", 6) == 0)
		keep_value(c, "topic", w + 6, n - 6, fi->topic, sizeof fi->topic);
	else if (n > 5 && memcmp(w, "path=", 5) == 0)
		keep_value(c, "path", w + 5, n - 5, fi->path, sizeof fi->path);
	else if (n > 10 && memcmp(w, "retention=", 10) == 0)
		keep_value(c, "retention", w + 10, n - 10, fi->retention, sizeof fi->retention);
	/* Other words are for other programs, or later versions. */
}

int
flow_path_check(const char *s)
{
	size_t n = strlen(s);

	if (s[0] != '/' || n >= RESOLVE_PATH_MAX || strstr(s, "/../") ||
	    (n >= 3 && strcmp(s + n - 3, "/..") == 0))
		return -1;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+,@=~:") == n ?
	    0 : -1;
}

/* The broker records: SRV (optional for file), TXT type, topic, path, tls. */
static int
lookup_broker(struct resolver *r, const char *service, struct flow_info *fi, const char **why)
{
	char name[DNSNAME_MAX + 1];
	struct txt_ctx c = { name, fi, NULL };
	int st;

	if ((st = join_name(r, name, "_queue.", service, why)) != EX_FLOW_OK)
		return st;
	st = resolve_srv(r, name, fi->brokers, &fi->nbrokers, why);
	if (st == EX_FLOW_UNAVAILABLE)
		return st;
	if ((st = dns_each_txt_word(r, name, queue_word, &c, why)) != EX_FLOW_OK)
		return st;
	/* A topic for the kinds that take one (default: the flow), a path for the others. */
	if (!fi->broker)
		fi->topic[0] = fi->path[0] = '\0';
	else if (fi->broker->topic_check) {
		if (fi->topic[0] && fi->broker->topic_check(fi->topic) < 0) {
			warnmsg("%s: TXT topic= not a valid %s topic, ignored", name, fi->broker->name);
			fi->topic[0] = '\0';
		}
		if (!fi->topic[0])
			strcpy(fi->topic, fi->flow);
		else if (fi->broker->topic_normalize)
			fi->broker->topic_normalize(fi->topic);
		fi->path[0] = '\0';
	} else {
		if (fi->path[0] && flow_path_check(fi->path) < 0) {
			warnmsg("%s: TXT path= not a clean absolute path, ignored", name);
			fi->path[0] = '\0';
		}
		fi->topic[0] = '\0';
	}
	return EX_FLOW_OK;
}

int
resolve_flow(struct resolver *r, const char *fqdn, int what, struct flow_info *fi,
    const char **why)
{
	char service[NS_MAXDNAME];
	struct txt_ctx c = { service, fi, &fi->agent_tls };
	const char *no_flow;
	ns_msg m;
	ns_rr rr;
	int st, i = 0, found = 0;

	memset(fi, 0, sizeof *fi);
	dnsname_normalize(fqdn, strlen(fqdn), fi->flow);
	if ((st = dns_query(r, fi->flow, ns_t_ptr, &m, why)) == EX_FLOW_UNAVAILABLE)
		return st;
	while (st == EX_FLOW_OK && !found && dns_next_record(&m, &i, ns_t_ptr, &rr))
		found = dns_rdata_name(&m, &rr, ns_rr_rdata(rr), service, sizeof service) == 0 &&
		    strlen(service) <= DNSNAME_MAX && service_name_ok(service);
	if (!found) {
		no_flow = st == EX_FLOW_OK ? "no such flow (no usable PTR record)" :
		    resolver_no_such_name(r) ? "no such flow" : "no such flow (no PTR record)";
		/* a flow the thesis's agent registered may have F SRV alone */
		if (st == EX_FLOW_OK || !resolver_no_such_name(r))
			st = resolve_srv(r, fi->flow, fi->agents, &fi->nagents, why);
		if (st == EX_FLOW_UNAVAILABLE)
			return st;
		if (!fi->nagents)
			return *why = no_flow, EX_FLOW_NEGATIVE;
		snprintf(service, sizeof service, "_flow._tcp.%s", fi->flow);
	}
	if ((what & RESOLVE_AGENT) && !fi->nagents) {
		if ((st = resolve_srv(r, service, fi->agents, &fi->nagents, why)) == EX_FLOW_UNAVAILABLE)
			return st;
		/* ours write F SRV too, with the same targets; the thesis's agents only that */
		if (!fi->nagents && (st = resolve_srv(r, fi->flow, fi->agents, &fi->nagents, why)) ==
		    EX_FLOW_UNAVAILABLE)
			return st;
	}
	if ((what & RESOLVE_AGENT) && fi->nagents &&
	    (st = dns_each_txt_word(r, service, agent_word, &c, why)) != EX_FLOW_OK)
		return st;
	if ((what & RESOLVE_BROKER) && (st = lookup_broker(r, service, fi, why)) != EX_FLOW_OK)
		return st;
	if (fi->nagents || fi->nbrokers || fi->broker)
		return EX_FLOW_OK;
	*why = what == RESOLVE_AGENT ? "no agent records" : what == RESOLVE_BROKER ?
	    "no broker records" : "no agent or broker records";
	return EX_FLOW_NEGATIVE;
}

int
resolve_namespace_agent(struct resolver *r, const char *ns, struct srv_target *agents,
    size_t *nagents, int *tls, const char **why)
{
	char name[DNSNAME_MAX + 1];
	struct txt_ctx c = { name, NULL, tls };
	int st;

	*tls = 0;
	if ((st = join_name(r, name, "_fnap._tcp.", ns, why)) != EX_FLOW_OK ||
	    (st = resolve_srv(r, name, agents, nagents, why)) != EX_FLOW_OK)
		return st;
	return dns_each_txt_word(r, name, agent_word, &c, why);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
resolve_namespace_flows(struct resolver *r, const char *ns, char ***names, size_t *n,
    const char **why)
{
	char name[DNSNAME_MAX + 1], target[NS_MAXDNAME];
	const char *bad;
	ns_msg m;
	ns_rr rr;
	size_t i, kept;
	int st, k = 0;

	*names = NULL;
	*n = 0;
	if ((st = join_name(r, name, "_flow._tcp.", ns, why)) != EX_FLOW_OK ||
	    (st = dns_query(r, name, ns_t_ptr, &m, why)) != EX_FLOW_OK)
		return st;
	*names = xcalloc(ns_msg_count(m, ns_s_an), sizeof **names);
	while (dns_next_record(&m, &k, ns_t_ptr, &rr)) {
		if (dns_rdata_name(&m, &rr, ns_rr_rdata(rr), target, sizeof target) < 0 ||
		    dnsname_check(target, strlen(target), &bad) < 0) {
			warnmsg("%s: PTR record with a bad flow name ignored", name);
			continue;
		}
		(*names)[*n] = xmalloc(DNSNAME_MAX + 1);
		dnsname_normalize(target, strlen(target), (*names)[(*n)++]);
	}
	qsort(*names, *n, sizeof **names, name_cmp);
	for (i = kept = 0; i < *n; i++) {
		if (kept > 0 && strcmp((*names)[kept - 1], (*names)[i]) == 0)
			free((*names)[i]);
		else
			(*names)[kept++] = (*names)[i];
	}
	*n = kept;
	if (kept == 0) {
		free(*names);
		*names = NULL;
		*why = resolver_fail(r, "%s: no usable PTR record", name);
		return EX_FLOW_NEGATIVE;
	}
	return EX_FLOW_OK;
}

void
resolve_names_free(char **names, size_t n)
{
	while (n > 0)
		free(names[--n]);
	free(names);
}

char *
flow_info_url(const struct flow_info *fi, const char **why)
{
	if (fi->broker)
		return fi->broker->url_of(fi, why);
	*why = "no broker-type in the _queue TXT record";
	return NULL;
}

char *
resolve_broker_url(const char *fqdn, int *status)
{
	struct resolver_opts o = { getenv("FLOW_NAMESERVER"), RESOLVE_DEFAULT_TIMEOUT,
	    RESOLVE_DEFAULT_RETRIES, 0 };
	struct flow_info *fi;
	struct resolver *r;
	const char *why;
	char *url = NULL;

	if (o.nameserver && !*o.nameserver)
		o.nameserver = NULL;
	if (dnsname_check(fqdn, strlen(fqdn), &why) < 0) {
		warnmsg("flow://%s: %s", fqdn, why);
		*status = EX_FLOW_USAGE;
		return NULL;
	}
	if (!(r = resolver_open(&o, &why))) {
		warnmsg("flow://%s: FLOW_NAMESERVER=%s: %s", fqdn, o.nameserver, why);
		*status = EX_FLOW_CONFIG;
		return NULL;
	}
	fi = xmalloc(sizeof *fi);
	*status = resolve_flow(r, fqdn, RESOLVE_BROKER, fi, &why);
	if (*status == EX_FLOW_OK && !(url = flow_info_url(fi, &why)))
		*status = EX_FLOW_NEGATIVE;
	if (!url)
		warnmsg("flow://%s: %s", fqdn, why);
	free(fi);
	resolver_close(r);
	return url;
}
