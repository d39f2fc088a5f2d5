/* FNAP's row: fnap[s]://host[:port]/flow, an agent that serves the flow's
   events (STREAM, PUBLISH); broker-type=fnap with its SRV record, topic=
   the flow's name there and TXT "tls" for fnaps. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "broker_fnap.h"
#include "brokers.h"
#include "flowstat.h"
#include "resolve.h"
#include "uri.h"
#include "urlparts.h"
#include "util.h"

#define DEFAULT_PORT ":61000"

static int
fnap_topic_check(const char *s)
{
	const char *why;

	return dnsname_check(s, strlen(s), &why);
}

static void
fnap_topic_normalize(char *s)
{
	dnsname_normalize(s, strlen(s), s);
}

static int
fnap_url_parse(const char *rest, struct flow_url *u, const char **why)
{
	const char *slash = strchr(rest, '/');
	char name[DNSNAME_MAX + 1];
	size_t n;

	if (!slash || slash == rest || !slash[1]) {
		*why = "expected fnap://host[:port]/flow.name.space";
		return -1;
	}
	if (url_hosts_check(rest, slash, 0, why) < 0)
		return -1;
	n = slash - rest;
	/* no port (a bare [v6] address has none): the default */
	if (!memchr(rest, ':', n) || rest[n - 1] == ']') {
		u->hosts = xmalloc(n + sizeof DEFAULT_PORT);
		memcpy(u->hosts, rest, n);
		strcpy(u->hosts + n, DEFAULT_PORT);
	} else
		u->hosts = xstrndup(rest, n);
	if (url_fqdn(slash + 1, name, why) < 0)
		return -1;
	u->name = xstrdup(name);
	return 0;
}

/* the first agent: each serves the whole flow */
static char *
fnap_url_of(const struct flow_info *fi, const char **why)
{
	if (fi->nbrokers == 0) {
		*why = "no _queue SRV record for the broker";
		return NULL;
	}
	return url_hosts_format(fi->broker_tls ? "fnaps" : "fnap", fi->brokers, 1, fi->topic);
}

const struct broker_kind broker_fnap = {
	.name = "fnap", .scheme = "fnap", .tls_scheme = "fnaps",
	.url_parse = fnap_url_parse, .url_of = fnap_url_of,
	.topic_check = fnap_topic_check, .topic_normalize = fnap_topic_normalize,
	.producer_open = fnap_producer_open, .consumer_open = fnap_consumer_open,
	.stat = stat_fnap,
};
