#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ce.h"
#include "fnap.h"
#include "fnap_conf.h"
#include "dnsquery.h"
#include "dnsupdate.h"
#include "flowkey.h"
#include "util.h"

enum kind { PATH, TEXT, FLAG, INT, PORT, SIZE };

/* The plain settings: where each goes, and its bounds. */
static const struct setting {
	const char *key;
	enum kind kind;
	size_t off;
	int64_t min, max;
} settings[] = {
	{ "port", PORT, offsetof(struct fnap_conf, port), 1, 65535 },
	{ "tls-port", PORT, offsetof(struct fnap_conf, tls_port), 0, 65535 },
	{ "state", PATH, offsetof(struct fnap_conf, state), 0, 0 },
	{ "users", PATH, offsetof(struct fnap_conf, users), 0, 0 },
	{ "dns-update", TEXT, offsetof(struct fnap_conf, dns_update), 0, 0 },
	{ "dns-zone", TEXT, offsetof(struct fnap_conf, dns_zone), 0, 0 },
	{ "tls-certificate", PATH, offsetof(struct fnap_conf, tls_cert), 0, 0 },
	{ "tls-key", PATH, offsetof(struct fnap_conf, tls_key), 0, 0 },
	{ "implicit-tls", FLAG, offsetof(struct fnap_conf, implicit_tls), 0, 0 },
	{ "plain-cleartext", FLAG, offsetof(struct fnap_conf, plain_cleartext), 0, 0 },
	{ "idle-timeout", INT, offsetof(struct fnap_conf, idle_timeout), 1, 86400 },
	{ "login-timeout", INT, offsetof(struct fnap_conf, login_timeout), 1, 86400 },
	{ "command-line-max", SIZE, offsetof(struct fnap_conf, command_max), 512, 65536 },
	{ "event-line-max", SIZE, offsetof(struct fnap_conf, event_max), 1024, CE_LINE_MAX },
	{ "flows-per-user", INT, offsetof(struct fnap_conf, flows_per_user), 0, 1000000000 },
	{ "anonymous-subscriptions", INT, offsetof(struct fnap_conf, anonymous_subscriptions), 0, 1000000000 },
	{ "supervisor", PATH, offsetof(struct fnap_conf, scan_dir), 0, 0 },
	{ "peers", PATH, offsetof(struct fnap_conf, peers), 0, 0 },
	{ "tls-ca", PATH, offsetof(struct fnap_conf, tls_ca), 0, 0 },
	{ "trace", FLAG, offsetof(struct fnap_conf, trace), 0, 0 },
};

void
fnap_conf_init(struct fnap_conf *c)
{
	memset(c, 0, sizeof *c);
	c->port = FNAP_PORT;
	c->idle_timeout = 300;
	c->login_timeout = 60;
	c->command_max = FNAP_COMMAND_MAX;
	c->event_max = CE_LINE_MAX;
	c->anonymous_subscriptions = 10;
}

static int
set_plain(struct fnap_conf *c, const struct setting *s, const char *val, const char **why)
{
	char *p = (char *)c + s->off;
	int64_t n;

	switch (s->kind) {
	case PATH:
	case TEXT:
		if (!*val || (s->kind == PATH && val[0] != '/')) {
			*why = s->kind == PATH ? "expected an absolute path" : "a value is missing";
			return -1;
		}
		free(*(char **)p);
		*(char **)p = xstrdup(val);
		return 0;
	case FLAG:
		if (strcmp(val, "yes") != 0 && strcmp(val, "no") != 0) {
			*why = "expected yes or no";
			return -1;
		}
		*(int *)p = strcmp(val, "yes") == 0;
		return 0;
	case INT:
	case PORT:
	case SIZE:
		if (parse_int64(val, s->min, s->max, &n) < 0) {
			*why = "not a number, or out of range";
			return -1;
		}
		if (s->kind == SIZE)
			*(size_t *)p = n;
		else if (s->kind == PORT)
			*(unsigned *)p = n;
		else
			*(int *)p = n;
		return 0;
	}
	return -1;
}

/* Each server of a kind served at its own servers must do as an SRV
   target in DNS, where the agent publishes them. */
static int
servers_check(const char *where, const char **why)
{
	struct srv_target t;
	char *list = xstrdup(where), *p, *host;
	int r = 0;

	for (p = list; r == 0 && (host = strsep(&p, ","));)
		r = dnsupdate_target_parse(host, &t, why);
	free(list);
	return r;
}

/* namespace NAME KIND WHERE [OPTION...]: file DIR, kafka HOST:PORT[,...] [OPTION...] */
static int
set_namespace(struct fnap_conf *c, char *val, const char **why)
{
	struct fnap_namespace *ns = &c->ns[c->nns];
	char *name = fnap_word(&val), *word = fnap_word(&val), *where = fnap_word(&val);
	const struct broker_kind *kind = word ? broker_kind_by_name(word, strlen(word)) : NULL;
	int i;

	if (c->nns == FNAP_MAX_NAMESPACES) {
		*why = "too many namespaces";
		return -1;
	}
	if (!name || dnsname_check(name, strlen(name), why) < 0)
		return -1;
	memset(ns, 0, sizeof *ns);
	dnsname_normalize(name, strlen(name), ns->name);
	for (i = 0; i < c->nns; i++)
		if (strcmp(c->ns[i].name, ns->name) == 0) {
			*why = "namespace given twice";
			return -1;
		}
	if (!kind || !kind->keeper || !where) {
		*why = "expected NAME file /DIRECTORY or NAME kafka HOST:PORT[,HOST:PORT...] [OPTIONS]";
		return -1;
	}
	if (!kind->keeper->served_by_agent && servers_check(where, why) < 0)
		return -1;
	if (kind->keeper->space_parse(&ns->space, where, val, why) < 0) {
		kind->keeper->space_free(&ns->space);
		return -1;
	}
	ns->kind = kind;
	c->nns++;
	return 0;
}

/* sign-key NAMESPACE FILE SELECTOR [EXTENSION...]: of a namespace line
   given before it, one key each; neither the file nor the extensions'
   names are checked here (a session that does not sign must not pay for
   it: the signing code checks them, fnap_sign) */
static int
set_sign_key(struct fnap_conf *c, char *val, const char **why)
{
	char *name = fnap_word(&val), *file = fnap_word(&val), *selector = fnap_word(&val);
	char ns[DNSNAME_MAX + 1], keyid[DNSNAME_MAX + 2];
	int i;

	if (!name || !file || !selector) {
		*why = "expected NAMESPACE /KEYFILE SELECTOR [EXTENSION...]";
		return -1;
	}
	if (dnsname_check(name, strlen(name), why) < 0)
		return -1;
	dnsname_normalize(name, strlen(name), ns);
	for (i = 0; i < c->nns && strcmp(c->ns[i].name, ns) != 0; i++)
		;
	if (i == c->nns) {
		*why = "not a namespace served (a namespace line must come first)";
		return -1;
	}
	if (c->ns[i].sign_key) {
		*why = "the namespace has a sign-key already";
		return -1;
	}
	if (file[0] != '/') {
		*why = "expected an absolute path";
		return -1;
	}
	if (strchr(selector, '.') ||
	    (size_t)snprintf(keyid, sizeof keyid, "%s._flowkey.%s", selector, ns) >= sizeof keyid ||
	    flowkey_id_name(keyid, strlen(keyid), c->ns[i].sign_keyid, why) < 0) {
		*why = "the selector is not one DNS label (or the key id is too long)";
		return -1;
	}
	c->ns[i].sign_key = xstrdup(file);
	while (*val == ' ' || *val == '\t')
		val++;
	c->ns[i].sign_exts = *val ? xstrdup(val) : NULL;
	return 0;
}

int
fnap_conf_set(struct fnap_conf *c, const char *setting, const char **why)
{
	char *key = xstrdup(setting), *val, *end, server[DNSUPDATE_SERVER_MAX];
	size_t i;
	int r = -1;

	val = key + strcspn(key, " \t=");
	if (*val)
		*val++ = '\0';
	val += strspn(val, " \t");
	end = val + strlen(val);
	while (end > val && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	for (i = 0; i < sizeof settings / sizeof *settings; i++)
		if (strcmp(key, settings[i].key) == 0)
			break;
	if (i < sizeof settings / sizeof *settings)
		r = set_plain(c, &settings[i], val, why);
	else if (strcmp(key, "hostname") == 0) {
		if ((r = dnsname_check(val, strlen(val), why)) == 0)
			dnsname_normalize(val, strlen(val), c->hostname);
	} else if (strcmp(key, "dns-server") == 0) {
		/* checked now: a bad one would fail every CREATE later */
		if ((r = dnsupdate_server_parse(val, server, why)) == 0) {
			free(c->dns_server);
			c->dns_server = xstrdup(server);
		}
	} else if (strcmp(key, "namespace") == 0)
		r = set_namespace(c, val, why);
	else if (strcmp(key, "sign-key") == 0)
		r = set_sign_key(c, val, why);
	else
		*why = "unknown setting";
	free(key);
	return r;
}

int
fnap_conf_load(struct fnap_conf *c, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096], *s;
	const char *why;
	int lineno = 0;

	if (!f) {
		warnmsg("%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			warnmsg("%s: line %d: longer than %zu bytes", path, lineno, sizeof line - 2);
			fclose(f);
			return -1;
		}
		line[strcspn(line, "\r\n")] = '\0';
		s = line + strspn(line, " \t");
		if (*s == '\0' || *s == '#')
			continue;
		if (fnap_conf_set(c, s, &why) < 0) {
			warnmsg("%s: line %d: %.*s: %s", path, lineno, (int)strcspn(s, " \t"), s, why);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

int
fnap_conf_check(const struct fnap_conf *c, const char **why)
{
	*why = NULL;
	if (!c->hostname[0])
		*why = "hostname is not set";
	else if (!c->state)
		*why = "state is not set";
	else if (!c->users)
		*why = "users is not set";
	else if (c->nns == 0)
		*why = "no namespace is served";
	else if (!c->tls_cert != !c->tls_key)
		*why = "tls-certificate and tls-key go together";
	else if (c->implicit_tls && !c->tls_cert)
		*why = "implicit TLS needs tls-certificate and tls-key";
	else if (c->command_max > c->event_max)
		*why = "command-line-max is larger than event-line-max";
	return *why ? -1 : 0;
}

void
fnap_conf_free(struct fnap_conf *c)
{
	int i;

	free(c->state);
	free(c->users);
	free(c->dns_update);
	free(c->dns_server);
	free(c->dns_zone);
	free(c->tls_cert);
	free(c->tls_key);
	free(c->scan_dir);
	free(c->peers);
	free(c->tls_ca);
	for (i = 0; i < c->nns; i++) {
		c->ns[i].kind->keeper->space_free(&c->ns[i].space);
		free(c->ns[i].sign_key);
		free(c->ns[i].sign_exts);
	}
	memset(c, 0, sizeof *c);
}

int
fnap_in_namespace(const char *name, const char *ns)
{
	size_t l = strlen(name), nl = strlen(ns);

	return strcmp(name, ns) == 0 ||
	    (l > nl + 1 && name[l - nl - 1] == '.' && strcmp(name + l - nl, ns) == 0);
}

const struct fnap_namespace *
fnap_conf_namespace(const struct fnap_conf *c, const char *flow)
{
	const struct fnap_namespace *best = NULL;
	int i;

	/* a flow is a label or more in front of its namespace */
	for (i = 0; i < c->nns; i++)
		if (strcmp(flow, c->ns[i].name) != 0 && fnap_in_namespace(flow, c->ns[i].name) &&
		    (!best || strlen(c->ns[i].name) > strlen(best->name)))
			best = &c->ns[i];
	return best;
}

unsigned
fnap_conf_public_port(const struct fnap_conf *c)
{
	return c->tls_port ? c->tls_port : c->port;
}

int
fnap_conf_public_tls(const struct fnap_conf *c)
{
	return c->tls_port || c->implicit_tls;
}
