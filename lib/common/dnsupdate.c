#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dnsupdate.h"
#include "flowkey.h"
#include "util.h"

#define TTL_MAX 2147483647UL

static char reason[DNSNAME_MAX + 128];

static const char *
because(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof reason, fmt, ap);
	va_end(ap);
	return reason;
}

int
dnsupdate_target_parse(const char *spec, struct srv_target *t, const char **why)
{
	const char *colon = strchr(spec, ':'), *bad;
	char num[3][8];
	int64_t v[3] = { 0, 0, 0 };
	size_t i, n;

	if (!colon || dnsname_check(spec, colon - spec, &bad) < 0) {
		*why = "expected HOST:PORT[:PRIORITY[:WEIGHT]] with a host name";
		return -1;
	}
	dnsname_normalize(spec, colon - spec, t->host);
	for (i = 0; colon && i < 3; i++) {
		spec = colon + 1;
		colon = strchr(spec, ':');
		n = colon ? (size_t)(colon - spec) : strlen(spec);
		if (n >= sizeof num[i])
			n = sizeof num[i] - 1; /* then too long a number for the check */
		memcpy(num[i], spec, n);
		num[i][n] = '\0';
		if (parse_int64(num[i], i == 0 ? 1 : 0, 65535, &v[i]) < 0 || (colon && i == 2)) {
			*why = "expected HOST:PORT[:PRIORITY[:WEIGHT]], numbers up to 65535";
			return -1;
		}
	}
	t->port = v[0];
	t->priority = v[1];
	t->weight = v[2];
	return 0;
}

int
dnsupdate_server_parse(const char *spec, char out[DNSUPDATE_SERVER_MAX], const char **why)
{
	size_t n = strcspn(spec, " \t");
	const char *port = spec + n + strspn(spec + n, " \t");
	char host[DNSNAME_MAX + 1];
	unsigned p;

	if (strlen(spec) >= DNSUPDATE_SERVER_MAX - 2 || port[strcspn(port, " \t")]) {
		*why = "expected HOST [PORT], HOST:PORT or [IPV6ADDR]:PORT";
		return -1;
	}
	if (!*port)
		snprintf(out, DNSUPDATE_SERVER_MAX, "%s", spec);
	else  /* "HOST PORT", as nsupdate's own server line has it */
		snprintf(out, DNSUPDATE_SERVER_MAX, memchr(spec, ':', n) && spec[0] != '[' ?
		    "[%.*s]:%s" : "%.*s:%s", (int)n, spec, port);
	return nameserver_parse(out, host, &p, why);
}

/* A target as written: checked again, for callers that filled it by hand. */
static int
target_ok(const struct srv_target *t)
{
	const char *why;

	return dnsname_check(t->host, strlen(t->host), &why) == 0 && t->port >= 1 &&
	    t->port <= 65535 && t->priority <= 65535 && t->weight <= 65535;
}

/* The server and zone lines' values, either may be NULL: 0, or -1 with *why. */
static int
check_header(const char *server, const char *zone, const char **why)
{
	char host[DNSNAME_MAX + 1];
	const char *bad;
	unsigned port;

	if (server && nameserver_parse(server, host, &port, &bad) < 0)
		return *why = because("server: %s", bad), -1;
	if (zone && dnsname_check(zone, strlen(zone), &bad) < 0)
		return *why = because("zone: %s", bad), -1;
	return 0;
}

/* The server and zone lines, checked by check_header. */
static void
write_header(FILE *f, const char *server, const char *zone)
{
	char host[DNSNAME_MAX + 1], name[DNSNAME_MAX + 1];
	const char *why;
	unsigned port;

	if (server) {
		nameserver_parse(server, host, &port, &why);
		fprintf(f, "server %s %u\n", host, port);
	}
	if (zone) {
		dnsname_normalize(zone, strlen(zone), name);
		fprintf(f, "zone %s.\n", name);
	}
}

static int
check(enum dnsupdate_op op, const struct dnsupdate_flow *d, char *ns, const char **why)
{
	const char *bad, *dot;
	size_t i, n, nslen;

	if (!d->flow || dnsname_check(d->flow, strlen(d->flow), &bad) < 0)
		return *why = because("flow name: %s", d->flow ? bad : "missing"), -1;
	n = strlen(d->flow) - (d->flow[strlen(d->flow) - 1] == '.');
	if (n + strlen("_queue._flow._tcp.") > DNSNAME_MAX)
		return *why = "flow name too long for its _queue._flow._tcp records", -1;
	if (d->ns) {
		if (dnsname_check(d->ns, strlen(d->ns), &bad) < 0)
			return *why = because("namespace: %s", bad), -1;
		dnsname_normalize(d->ns, strlen(d->ns), ns);
	} else if ((dot = memchr(d->flow, '.', n)) && dot + 1 < d->flow + n)
		dnsname_normalize(dot + 1, d->flow + n - dot - 1, ns);
	else
		return *why = "a flow name needs a namespace: NAME.NAMESPACE", -1;
	nslen = strlen(ns);
	if (nslen + strlen("_flow._tcp.") > DNSNAME_MAX)
		return *why = "namespace too long for its _flow._tcp records", -1;
	if (n <= nslen + 1 || d->flow[n - nslen - 1] != '.' ||
	    strncasecmp(d->flow + n - nslen, ns, nslen) != 0)
		return *why = because("flow %s is not inside namespace %s", d->flow, ns), -1;
	if (check_header(d->server, d->zone, why) < 0)
		return -1;
	if (op == DNSUPDATE_DELETE)
		return 0;
	if (d->ttl > TTL_MAX)
		return *why = "TTL out of range", -1;
	for (i = 0; i < d->nagents; i++)
		if (!target_ok(&d->agents[i]))
			return *why = "bad agent target", -1;
	for (i = 0; i < d->nbrokers; i++)
		if (!target_ok(&d->brokers[i]))
			return *why = "bad broker target", -1;
	if (!d->broker) {
		if (d->nbrokers || d->topic || d->path || d->broker_tls)
			return *why = "broker records need a broker type", -1;
		if (d->nagents == 0)
			return *why = "neither an agent nor a broker", -1;
		return 0;
	}
	if (!d->broker->topic_check) {
		if (!d->path || flow_path_check(d->path) < 0)
			return *why = because("broker type %s needs a clean absolute path", d->broker->name), -1;
		if (d->topic)
			return *why = because("broker type %s takes a path, not a topic", d->broker->name), -1;
		return 0;
	}
	if (d->nbrokers == 0)
		return *why = because("broker type %s needs a broker HOST:PORT", d->broker->name), -1;
	if (d->path)
		return *why = "a path is for broker type file only", -1;
	if (d->topic && d->broker->topic_check(d->topic) < 0)
		return *why = because("bad %s topic", d->broker->name), -1;
	return 0;
}

static void
write_targets(FILE *f, const char *owner, unsigned long ttl, const struct srv_target *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fprintf(f, "update add %s. %lu IN SRV %u %u %u %s.\n", owner, ttl, t[i].priority,
		    t[i].weight, t[i].port, t[i].host);
}

int
dnsupdate_write(FILE *f, enum dnsupdate_op op, const struct dnsupdate_flow *d, const char **why)
{
	char flow[DNSNAME_MAX + 1], ns[DNSNAME_MAX + 1];
	char agent[DNSNAME_MAX + 32], queue[DNSNAME_MAX + 32]; /* checked: <= 253 */
	unsigned long ttl = d->ttl;

	if (check(op, d, ns, why) < 0)
		return -1;
	dnsname_normalize(d->flow, strlen(d->flow), flow);
	snprintf(agent, sizeof agent, "_flow._tcp.%s", flow);
	snprintf(queue, sizeof queue, "_queue._flow._tcp.%s", flow);
	write_header(f, d->server, d->zone);
	fprintf(f, "update delete %s. PTR\n", flow);
	fprintf(f, "update delete %s. SRV\n", flow);
	fprintf(f, "update delete %s. SRV\nupdate delete %s. TXT\n", agent, agent);
	fprintf(f, "update delete %s. SRV\nupdate delete %s. TXT\n", queue, queue);
	fprintf(f, "update delete _flow._tcp.%s. PTR %s.\n", ns, flow);
	if (op == DNSUPDATE_ADD) {
		fprintf(f, "update add %s. %lu IN PTR %s.\n", flow, ttl, agent);
		write_targets(f, agent, ttl, d->agents, d->nagents);
		write_targets(f, flow, ttl, d->agents, d->nagents);  /* where the thesis's agents look */
		if (d->agent_tls)
			fprintf(f, "update add %s. %lu IN TXT \"tls\"\n", agent, ttl);
		if (d->broker) {
			write_targets(f, queue, ttl, d->brokers, d->nbrokers);
			fprintf(f, "update add %s. %lu IN TXT \"broker-type=%s\"", queue, ttl,
			    d->broker->name);
			if (d->topic)
				fprintf(f, " \"topic=%s\"", d->topic);
			if (d->path)
				fprintf(f, " \"path=%s\"", d->path);
			if (d->retention && *d->retention)
				fprintf(f, " \"retention=%s\"", d->retention);
			fprintf(f, "%s\n", d->broker_tls ? " \"tls\"" : "");
		}
		if (d->public)
			fprintf(f, "update add _flow._tcp.%s. %lu IN PTR %s.\n", ns, ttl, flow);
	}
	fputs("send\n", f);
	return 0;
}

/* Record text that nsupdate takes between quotes as it is: printable ASCII
   but the quote and the backslash. */
static int
record_text_ok(const char *s)
{
	for (; *s; s++)
		if (*s < ' ' || *s > '~' || *s == '"' || *s == '\\')
			return 0;
	return 1;
}

int
dnsupdate_write_key(FILE *f, enum dnsupdate_op op, const struct dnsupdate_key *k, const char **why)
{
	char name[DNSNAME_MAX + 1];
	const char *bad, *p;
	size_t n;

	if (!k->name || flowkey_id_name(k->name, strlen(k->name), name, &bad) < 0)
		return *why = because("key name: %s", k->name ? bad : "missing"), -1;
	if (check_header(k->server, k->zone, why) < 0)
		return -1;
	if (op == DNSUPDATE_ADD && (k->ttl > TTL_MAX || !k->record || !*k->record ||
	    !record_text_ok(k->record)))
		return *why = k->ttl > TTL_MAX ? "TTL out of range" : "bad key record text", -1;
	write_header(f, k->server, k->zone);
	fprintf(f, "update delete %s. TXT\n", name);
	if (op == DNSUPDATE_ADD) {
		fprintf(f, "update add %s. %lu IN TXT", name, k->ttl);
		for (p = k->record; *p; p += n) {
			n = strnlen(p, 255);
			fprintf(f, " \"%.*s\"", (int)n, p);
		}
		fputc('\n', f);
	}
	fputs("send\n", f);
	return 0;
}
