/* Broker URLs: the scheme finds the kind, whose row parses the rest. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uri.h"
#include "urlparts.h"
#include "util.h"

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
	static char unknown[128];
	const char *sep = strstr(s, "://");
	char name[DNSNAME_MAX + 1], kinds[96];

	memset(u, 0, sizeof *u);
	if (!sep) {
		if (!*s) {
			*why = "empty URL";
			return -1;
		}
		u->kind = &broker_file;
		u->path = xstrdup(s);
		return 0;
	}
	if (sep - s == 4 && strncmp(s, "flow", 4) == 0) {
		if (url_fqdn(sep + 3, name, why) < 0)
			return -1;
		u->name = xstrdup(name);
		return 0;
	}
	if ((u->kind = broker_kind_by_scheme(s, sep - s, &u->tls))) {
		if (u->kind->url_parse(sep + 3, u, why) == 0)
			return 0;
		url_free(u);
		return -1;
	}
	broker_kinds_text(kinds, sizeof kinds, 1);
	snprintf(unknown, sizeof unknown, "unknown scheme (%s or flow)", kinds);
	*why = unknown;
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
