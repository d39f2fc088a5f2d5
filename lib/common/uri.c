#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "uri.h"
#include "util.h"

#define FNAP_DEFAULT_PORT "61000"

/* host:port with a host name, IPv4 address or [IPv6] address, and a port. */
static int
hostport_check(const char *s, size_t len, int need_port)
{
	const char *colon;
	size_t i, hostlen;
	int64_t port;
	char num[8];

	if (len > 0 && s[0] == '[') {
		const char *rb = memchr(s, ']', len);

		if (!rb || rb == s + 1)
			return -1;
		for (i = 1; s + i < rb; i++)
			if (!strchr("0123456789abcdefABCDEF:.", s[i]))
				return -1;
		colon = rb + 1 < s + len ? rb + 1 : NULL;
		if (colon && *colon != ':')
			return -1;
		hostlen = rb - s + 1;
	} else {
		colon = memchr(s, ':', len);
		hostlen = colon ? (size_t)(colon - s) : len;
		for (i = 0; i < hostlen; i++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_", s[i]))
				return -1;
	}
	if (hostlen == 0)
		return -1;
	if (!colon)
		return need_port ? -1 : 0;
	if ((size_t)(s + len - colon - 1) >= sizeof num || s + len == colon + 1)
		return -1;
	memcpy(num, colon + 1, s + len - colon - 1);
	num[s + len - colon - 1] = '\0';
	return parse_int64(num, 1, 65535, &port);
}

/* The hosts of s..end: a comma-separated list of host:port for Kafka, one
   host[:port] for FNAP. Every element of a list is checked, the one after
   the last comma too, so that an empty one is an error wherever it is. */
static int
host_list_check(const char *s, const char *end, int kafka, const char **why)
{
	const char *comma;

	for (;; s = comma + 1) {
		comma = memchr(s, ',', end - s);
		if (kafka && (comma ? comma : end) == s) {
			*why = "empty host:port in the list (a comma too many)";
			return -1;
		}
		if (hostport_check(s, (comma ? comma : end) - s, kafka) < 0 || (!kafka && comma)) {
			*why = "bad host:port";
			return -1;
		}
		if (!comma)
			return 0;
	}
}

static int
topic_check(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 249 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return -1;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n ? 0 : -1;
}

/* The flow FQDN that ends a URL, a trailing '/' allowed. */
static int
url_fqdn(const char *s, char out[DNSNAME_MAX + 1], const char **why)
{
	size_t len = strlen(s);

	if (len > 0 && s[len - 1] == '/')
		len--;
	return dnsname_parse(s, len, out, why);
}

static int
url_flow_name(const char *s, struct flow_url *u, const char **why)
{
	char name[DNSNAME_MAX + 1];

	if (url_fqdn(s, name, why) < 0)
		return -1;
	u->name = xstrdup(name);
	return 0;
}

int
flow_name_parse(const char *arg, char out[DNSNAME_MAX + 1], const char **why)
{
	if (strncmp(arg, "flow://", 7) == 0)
		arg += 7;
	else if (strstr(arg, "://")) {
		*why = "not a flow:// URI";
		return -1;
	}
	return url_fqdn(arg, out, why);
}

int
url_parse(const char *s, struct flow_url *u, const char **why)
{
	const char *sep = strstr(s, "://"), *rest, *slash;

	memset(u, 0, sizeof *u);
	if (!sep) {
		if (!*s) {
			*why = "empty URL";
			return -1;
		}
		u->scheme = URL_FILE;
		u->path = xstrdup(s);
		return 0;
	}
	rest = sep + 3;
	if (sep - s == 4 && strncmp(s, "file", 4) == 0) {
		u->scheme = URL_FILE;
		if (strncmp(rest, "localhost/", 10) == 0)
			rest += 9;
		if (*rest != '/') {
			*why = "a file URL needs an absolute path (file:///path)";
			return -1;
		}
		u->path = xstrdup(rest);
		return 0;
	}
	if (sep - s == 4 && strncmp(s, "flow", 4) == 0) {
		u->scheme = URL_FLOW;
		return url_flow_name(rest, u, why);
	}
	if ((sep - s == 5 && strncmp(s, "kafka", 5) == 0) || (sep - s == 4 && strncmp(s, "fnap", 4) == 0) ||
	    (sep - s == 5 && strncmp(s, "fnaps", 5) == 0)) {
		u->scheme = s[0] == 'k' ? URL_KAFKA : sep - s == 4 ? URL_FNAP : URL_FNAPS;
		if (!(slash = strchr(rest, '/')) || slash == rest || !slash[1]) {
			*why = u->scheme == URL_KAFKA ? "expected kafka://host:port[,host:port...]/topic" :
			    "expected fnap://host[:port]/flow.name.space";
			return -1;
		}
		if (host_list_check(rest, slash, u->scheme == URL_KAFKA, why) < 0)
			return -1;
		u->hosts = xstrndup(rest, slash - rest);
		if (u->scheme == URL_KAFKA) {
			u->name = xstrdup(slash + 1);
			if (topic_check(u->name) < 0) {
				*why = "bad topic name (1-249 of a-z A-Z 0-9 . _ -)";
				url_free(u);
				return -1;
			}
			return 0;
		}
		if (!memchr(u->hosts, ':', strlen(u->hosts)) || u->hosts[strlen(u->hosts) - 1] == ']') {
			char *h = xmalloc(strlen(u->hosts) + sizeof FNAP_DEFAULT_PORT + 1);

			strcpy(h, u->hosts);
			strcat(h, ":" FNAP_DEFAULT_PORT);
			free(u->hosts);
			u->hosts = h;
		}
		if (url_flow_name(slash + 1, u, why) < 0) {
			url_free(u);
			return -1;
		}
		return 0;
	}
	*why = "unknown scheme (file, kafka, fnap, fnaps or flow)";
	return -1;
}

void
url_free(struct flow_url *u)
{
	free(u->path);
	free(u->hosts);
	free(u->name);
	memset(u, 0, sizeof *u);
}
