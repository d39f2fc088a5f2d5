#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fnap.h"
#include "fnap_conf.h"
#include "util.h"

static int
yes(const char *v)
{
	return strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
}

int
fnap_conf_load(const char *path, struct fnap_conf *c)
{
	FILE *f = fopen(path, "r");
	char line[4096], *key, *val, *end, *why_s;
	const char *why;
	int lineno = 0;
	int64_t n;

	memset(c, 0, sizeof *c);
	c->port = FNAP_PORT;
	c->idle_timeout = 300;
	if (!f) {
		warnmsg("%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		key = line + strspn(line, " \t");
		if (*key == '\0' || *key == '#')
			continue;
		val = key + strcspn(key, " \t");
		if (*val)
			*val++ = '\0';
		val += strspn(val, " \t");
		end = val + strlen(val);
		while (end > val && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		why_s = NULL;
		if (strcmp(key, "hostname") == 0) {
			if (dnsname_check(val, strlen(val), &why) < 0)
				why_s = "not a host name";
			else
				dnsname_normalize(val, strlen(val), c->hostname);
		} else if (strcmp(key, "port") == 0) {
			if (parse_int64(val, 1, 65535, &n) < 0)
				why_s = "not a port";
			c->port = n;
		} else if (strcmp(key, "state") == 0 && val[0] == '/') {
			c->state = xstrdup(val);
		} else if (strcmp(key, "users") == 0 && *val) {
			c->users = xstrdup(val);
		} else if (strcmp(key, "dns-update") == 0 && *val) {
			c->dns_update = xstrdup(val);
		} else if (strcmp(key, "plain-cleartext") == 0) {
			c->plain_cleartext = yes(val);
		} else if (strcmp(key, "idle-timeout") == 0) {
			if (parse_int64(val, 1, 86400, &n) < 0)
				why_s = "not a number of seconds (1-86400)";
			c->idle_timeout = n;
		} else if (strcmp(key, "namespace") == 0) {
			/* namespace NAME file DIR */
			char *name = val, *type, *dir;

			type = name + strcspn(name, " \t");
			if (*type)
				*type++ = '\0';
			type += strspn(type, " \t");
			dir = type + strcspn(type, " \t");
			if (*dir)
				*dir++ = '\0';
			dir += strspn(dir, " \t");
			if (c->nns == FNAP_MAX_NAMESPACES)
				why_s = "too many namespaces";
			else if (dnsname_check(name, strlen(name), &why) < 0)
				why_s = "not a DNS name";
			else if (strcmp(type, "file") != 0 || dir[0] != '/')
				why_s = "expected: namespace NAME file /DIRECTORY";
			else {
				dnsname_normalize(name, strlen(name), c->ns[c->nns].name);
				c->ns[c->nns++].base = xstrdup(dir);
			}
		} else
			why_s = "unknown setting, or a value missing";
		if (why_s) {
			warnmsg("%s: line %d: %s: %s", path, lineno, key, why_s);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	if (!c->hostname[0] || !c->state || !c->users || c->nns == 0) {
		warnmsg("%s: hostname, state, users and a namespace are needed", path);
		return -1;
	}
	return 0;
}

const struct fnap_namespace *
fnap_conf_namespace(const struct fnap_conf *c, const char *flow)
{
	const struct fnap_namespace *best = NULL;
	size_t fl = strlen(flow), nl;
	int i;

	for (i = 0; i < c->nns; i++) {
		nl = strlen(c->ns[i].name);
		/* a flow is a label or more in front of its namespace */
		if (fl > nl + 1 && flow[fl - nl - 1] == '.' && strcmp(flow + fl - nl, c->ns[i].name) == 0 &&
		    (!best || nl > strlen(best->name)))
			best = &c->ns[i];
	}
	return best;
}

int
fnap_ns_listed(const char *list, const char *ns)
{
	size_t n = strlen(ns);
	const char *p;

	for (p = list; *p; p += strcspn(p, ",")) {
		p += *p == ',';
		if (strncmp(p, ns, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

int
fnap_user_check(const struct fnap_conf *c, const char *name, const char *password, char *ns,
    size_t ns_size)
{
	FILE *f = fopen(c->users, "r");
	char line[1024], *hash, *list;
	int ok = 0;

	if (!f) {
		warnmsg("%s: %s", c->users, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!(hash = strchr(line, ':')))
			continue;
		*hash++ = '\0';
		if (!(list = strchr(hash, ':')))
			continue;
		*list++ = '\0';
		if (strcmp(line, name) != 0)
			continue;
		if (crypto_pwhash_str_verify(hash, password, strlen(password)) == 0) {
			snprintf(ns, ns_size, "%s", list);
			ok = 1;
		}
		break;
	}
	fclose(f);
	return ok;
}
