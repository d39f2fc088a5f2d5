/* The parts of broker URLs. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "urlparts.h"
#include "util.h"

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

int
url_hosts_check(const char *s, const char *end, int list, const char **why)
{
	const char *comma;

	for (;; s = comma + 1) {
		comma = memchr(s, ',', end - s);
		if (list && (comma ? comma : end) == s) {
			*why = "empty host:port in the list (a comma too many)";
			return -1;
		}
		if (hostport_check(s, (comma ? comma : end) - s, list) < 0 || (!list && comma)) {
			*why = "bad host:port";
			return -1;
		}
		if (!comma)
			return 0;
	}
}

int
url_fqdn(const char *s, char out[DNSNAME_MAX + 1], const char **why)
{
	size_t len = strlen(s);

	if (len > 0 && s[len - 1] == '/')
		len--;
	return dnsname_parse(s, len, out, why);
}

char *
url_hosts_format(const char *scheme, const struct srv_target *t, size_t n, const char *name)
{
	char *url = xmalloc(strlen(scheme) + 8 + n * (DNSNAME_MAX + 7) + strlen(name)), *p = url;
	size_t i;

	p += sprintf(p, "%s://", scheme);
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s%s:%u", i ? "," : "", t[i].host, t[i].port);
	sprintf(p, "/%s", name);
	return url;
}
