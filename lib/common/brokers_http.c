/* HTTP's row: http[s]://host[:port]/path, a receiver that events are
   POSTed to (broker_http.h): a destination only, given as a URL, never
   named in DNS (no name: no broker-type= word) nor kept by the agent. */
#include "config.h"

#include <string.h>

#include "broker_http.h"
#include "brokers.h"
#include "uri.h"
#include "util.h"

#define URL_MAX 2048

/* The URL whole, in u->path, as libcurl takes it: a host, no white space,
   control or non-ASCII bytes, no fragment. */
static int
http_url_parse(const char *rest, struct flow_url *u, const char **why)
{
	size_t n = strlen(rest), i;

	if (n == 0 || rest[0] == '/' || rest[0] == ':' || rest[0] == '?') {
		*why = "expected http[s]://host[:port][/path]";
		return -1;
	}
	if (n > URL_MAX) {
		*why = "longer than 2048 bytes";
		return -1;
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)rest[i] <= 0x20 || (unsigned char)rest[i] >= 0x7f || rest[i] == '#') {
			*why = "white space, a control or non-ASCII byte or a fragment (#) in the URL";
			return -1;
		}
	u->path = xmalloc(n + sizeof "https://");
	strcpy(u->path, u->tls ? "https://" : "http://");
	strcat(u->path, rest);
	return 0;
}

static struct consumer *
http_consumer_open(const struct flow_url *u, const struct broker_opts *o, int *status)
{
	(void)o;
	warnmsg("%s: an HTTP URL is a destination only (flow-pub, flow-bridge's DST)", u->path);
	*status = EX_FLOW_USAGE;
	return NULL;
}

/* flow-stat: a receiver holds no flow to tell of (and the row has no
   name for the message of a kind without a stat). */
static int
http_stat(const struct flow_url *u, const struct broker_opts *o, const struct stat_query *q,
    struct flow_stat *st)
{
	(void)o, (void)q, (void)st;
	warnmsg("%s: an HTTP URL is a destination only: no flow to tell of", u->path);
	return EX_FLOW_USAGE;
}

const struct broker_kind broker_http = {
	.name = NULL, .scheme = "http", .tls_scheme = "https",
	.url_parse = http_url_parse,
	.producer_open = http_producer_open, .consumer_open = http_consumer_open,
	.stat = http_stat,
};
