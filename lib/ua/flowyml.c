#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>
#include <yaml.h>

#include "dnsname.h"
#include "flowyml.h"
#include "util.h"

/* The reader: libyaml's events, walked by recursive descent. */
struct reader {
	yaml_parser_t parser;
	yaml_event_t ev;
	int have_ev;
	const char *path;
	struct flowyml *cfg;
};

enum kind { K_TEXT, K_HOST, K_NAME, K_PREFIX, K_PORT, K_BOOL };

struct field {
	const char *key;
	size_t offset;
	enum kind kind;
};

static const struct field agent_fields[] = {
	{ "name", offsetof(struct flowyml_agent, name), K_TEXT },
	{ "fqdn", offsetof(struct flowyml_agent, fqdn), K_HOST },
	{ "username", offsetof(struct flowyml_agent, username), K_TEXT },
	{ "password", offsetof(struct flowyml_agent, password), K_TEXT },
	{ "prefix", offsetof(struct flowyml_agent, prefix), K_PREFIX },
	{ "port", offsetof(struct flowyml_agent, port), K_PORT },
	{ "tls", offsetof(struct flowyml_agent, tls), K_BOOL },
	{ "ca", offsetof(struct flowyml_agent, ca), K_TEXT },
	{ NULL, 0, 0 },
};

static const struct field namespace_fields[] = {
	{ "name", offsetof(struct flowyml_namespace, name), K_NAME },
	{ "agent", offsetof(struct flowyml_namespace, agent), K_TEXT },
	{ NULL, 0, 0 },
};

static unsigned
line_of(const struct reader *r)
{
	return r->ev.start_mark.line + 1;
}

static int __attribute__((format(printf, 3, 4)))
fail(const struct reader *r, unsigned line, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	warnmsg("%s: line %u: %s", r->path, line, buf);
	return -1;
}

/* The next event in r->ev; 0, or -1 after the parser's message. */
static int
next(struct reader *r)
{
	if (r->have_ev)
		yaml_event_delete(&r->ev);
	r->have_ev = 0;
	if (!yaml_parser_parse(&r->parser, &r->ev))
		return fail(r, r->parser.problem_mark.line + 1, "%s",
		    r->parser.problem ? r->parser.problem : "not YAML");
	r->have_ev = 1;
	if (r->ev.type == YAML_ALIAS_EVENT)
		return fail(r, line_of(r), "aliases are not supported");
	return 0;
}

static const char *
scalar(const struct reader *r)
{
	return (const char *)r->ev.data.scalar.value;
}

/* A plain empty, ~ or null scalar: no value at all. */
static int
is_null(const struct reader *r)
{
	if (r->ev.type != YAML_SCALAR_EVENT || r->ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return !*scalar(r) || strcmp(scalar(r), "~") == 0 || strcasecmp(scalar(r), "null") == 0;
}

/* Check and store the scalar value of f in the entry at base. */
static int
set_field(const struct reader *r, const struct field *f, void *base)
{
	const char *v = scalar(r), *why;
	size_t n = r->ev.data.scalar.length;
	char name[DNSNAME_MAX + 2];
	struct in6_addr a6;
	int64_t port;

	if (n >= FLOWYML_VALUE_MAX || strlen(v) != n)
		return fail(r, line_of(r), "%s: too long, or a NUL byte", f->key);
	switch (f->kind) {
	case K_PORT:
		if (parse_int64(v, 1, 65535, &port) < 0)
			return fail(r, line_of(r), "port: expected 1-65535");
		*(unsigned *)((char *)base + f->offset) = port;
		return 0;
	case K_BOOL:
		if (strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 || strcasecmp(v, "on") == 0)
			*(int *)((char *)base + f->offset) = 1;
		else if (strcasecmp(v, "false") && strcasecmp(v, "no") && strcasecmp(v, "off"))
			return fail(r, line_of(r), "%s: expected true or false", f->key);
		return 0;
	case K_HOST:
		/* an IPv6 address is a host too, kept as it is */
		if (inet_pton(AF_INET6, v, &a6) == 1)
			break;
		/* fall through */
	case K_NAME:
		if (dnsname_check(v, n, &why) < 0)
			return fail(r, line_of(r), "%s: %s", f->key, why);
		dnsname_normalize(v, n, name);
		v = name;
		break;
	case K_PREFIX:
		/* a prefix is what may start a flow name: prefix + "x" is one */
		snprintf(name, sizeof name, "%sx", v);
		if (n > 63 || dnsname_check(name, n + 1, &why) < 0)
			return fail(r, line_of(r), "prefix: %s", n > 63 ? "too long" : why);
		dnsname_normalize(name, n + 1, name);
		name[n] = '\0';
		v = name;
		break;
	case K_TEXT:
		if (!n)
			return fail(r, line_of(r), "%s: empty", f->key);
		break;
	}
	*(char **)((char *)base + f->offset) = xstrdup(v);
	return 0;
}

/* The members of one list entry, up to its MAPPING_END. */
static int
read_entry(struct reader *r, const struct field *fields, void *base, const char *what)
{
	unsigned seen = 0, i;
	char key[64];

	for (;;) {
		if (next(r) < 0)
			return -1;
		if (r->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		if (r->ev.type != YAML_SCALAR_EVENT)
			return fail(r, line_of(r), "%s: expected key: value", what);
		for (i = 0; fields[i].key && strcmp(fields[i].key, scalar(r)); i++)
			;
		if (!fields[i].key)
			return fail(r, line_of(r), "%s: unknown key %.40s", what, scalar(r));
		if (seen & 1u << i)
			return fail(r, line_of(r), "%s: %s given twice", what, fields[i].key);
		seen |= 1u << i;
		snprintf(key, sizeof key, "%s", scalar(r));
		if (next(r) < 0)
			return -1;
		if (r->ev.type != YAML_SCALAR_EVENT)
			return fail(r, line_of(r), "%s: %s: expected a single value", what, key);
		if (!is_null(r) && set_field(r, &fields[i], base) < 0)
			return -1;
	}
}

static int
read_agent(struct reader *r, unsigned line)
{
	struct flowyml *cfg = r->cfg;
	struct flowyml_agent *a;

	if (cfg->nagents == FLOWYML_MAX_AGENTS)
		return fail(r, line, "more than %d agents", FLOWYML_MAX_AGENTS);
	cfg->agents = xrealloc(cfg->agents, (cfg->nagents + 1) * sizeof *cfg->agents);
	a = memset(&cfg->agents[cfg->nagents++], 0, sizeof *a);
	a->line = line;
	if (read_entry(r, agent_fields, a, "agent") < 0)
		return -1;
	if (!a->name || !a->fqdn)
		return fail(r, line, "an agent needs a name and an fqdn");
	if (!a->username != !a->password)
		return fail(r, line, "agent %s: a username needs a password, and a password a username",
		    a->name);
	return 0;
}

static int
read_namespace(struct reader *r, unsigned line)
{
	struct flowyml *cfg = r->cfg;
	struct flowyml_namespace *ns;

	if (cfg->nnamespaces == FLOWYML_MAX_NAMESPACES)
		return fail(r, line, "more than %d namespaces", FLOWYML_MAX_NAMESPACES);
	cfg->namespaces = xrealloc(cfg->namespaces, (cfg->nnamespaces + 1) * sizeof *cfg->namespaces);
	ns = memset(&cfg->namespaces[cfg->nnamespaces++], 0, sizeof *ns);
	ns->line = line;
	if (read_entry(r, namespace_fields, ns, "namespace") < 0)
		return -1;
	if (!ns->name || !ns->agent)
		return fail(r, line, "a namespace needs a name and an agent");
	return 0;
}

/* The value of agents: or namespaces:, a list of maps (or nothing). */
static int
read_list(struct reader *r, int (*entry)(struct reader *, unsigned), const char *key)
{
	if (next(r) < 0)
		return -1;
	if (is_null(r))
		return 0;
	if (r->ev.type != YAML_SEQUENCE_START_EVENT)
		return fail(r, line_of(r), "%s: expected a list", key);
	for (;;) {
		if (next(r) < 0)
			return -1;
		if (r->ev.type == YAML_SEQUENCE_END_EVENT)
			return 0;
		if (r->ev.type != YAML_MAPPING_START_EVENT)
			return fail(r, line_of(r), "%s: expected a list of key: value maps", key);
		if (entry(r, line_of(r)) < 0)
			return -1;
	}
}

/* The top mapping, agents: and namespaces:, up to its MAPPING_END. */
static int
read_top(struct reader *r)
{
	static const struct {
		const char *key;
		int (*entry)(struct reader *, unsigned);
	} lists[] = { { "agents", read_agent }, { "namespaces", read_namespace } };
	unsigned seen = 0, i;

	for (;;) {
		if (next(r) < 0)
			return -1;
		if (r->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		for (i = 0; i < 2 && (r->ev.type != YAML_SCALAR_EVENT || strcmp(scalar(r), lists[i].key)); i++)
			;
		if (i == 2)
			return fail(r, line_of(r), "unknown key %.40s: expected agents: and namespaces:",
			    r->ev.type == YAML_SCALAR_EVENT ? scalar(r) : "(not a name)");
		if (seen & 1u << i)
			return fail(r, line_of(r), "%s given twice", lists[i].key);
		seen |= 1u << i;
		if (read_list(r, lists[i].entry, lists[i].key) < 0)
			return -1;
	}
}

static int
read_document(struct reader *r)
{
	if (next(r) < 0 || next(r) < 0)  /* the stream start, then the document's */
		return -1;
	if (r->ev.type == YAML_STREAM_END_EVENT)
		return 0;
	if (next(r) < 0)
		return -1;
	if (r->ev.type == YAML_MAPPING_START_EVENT) {
		if (read_top(r) < 0)
			return -1;
	} else if (!is_null(r))
		return fail(r, line_of(r), "expected agents: and namespaces:");
	if (next(r) < 0 || next(r) < 0)  /* the document end, then the stream's */
		return -1;
	if (r->ev.type != YAML_STREAM_END_EVENT)
		return fail(r, line_of(r), "more than one document");
	return 0;
}

/* Names unique, and every namespace served by an agent listed. */
static int
check_names(const struct reader *r)
{
	const struct flowyml *cfg = r->cfg;
	size_t i, j;

	for (i = 0; i < cfg->nagents; i++)
		for (j = 0; j < i; j++)
			if (strcmp(cfg->agents[i].name, cfg->agents[j].name) == 0)
				return fail(r, cfg->agents[i].line, "agent %s listed twice", cfg->agents[i].name);
	for (i = 0; i < cfg->nnamespaces; i++) {
		if (!flowyml_agent(cfg, cfg->namespaces[i].agent))
			return fail(r, cfg->namespaces[i].line, "namespace %s: no agent named %s",
			    cfg->namespaces[i].name, cfg->namespaces[i].agent);
		for (j = 0; j < i; j++)
			if (strcmp(cfg->namespaces[i].name, cfg->namespaces[j].name) == 0)
				return fail(r, cfg->namespaces[i].line, "namespace %s listed twice",
				    cfg->namespaces[i].name);
	}
	return 0;
}

int
flowyml_load(const char *path, int optional, struct flowyml *cfg)
{
	struct reader r = { .path = path, .cfg = cfg };
	char *buf;
	size_t len;
	FILE *f;
	int rc;

	memset(cfg, 0, sizeof *cfg);
	if (!(f = fopen(path, "re"))) {
		if (optional && errno == ENOENT)
			return 0;
		warnmsg("%s: %s", path, strerror(errno));
		return -1;
	}
	buf = xmalloc(FLOWYML_FILE_MAX + 1);
	len = fread(buf, 1, FLOWYML_FILE_MAX + 1, f);
	if (ferror(f) || len > FLOWYML_FILE_MAX) {
		warnmsg("%s: %s", path, ferror(f) ? strerror(errno) : "larger than 1 MiB");
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	if (!yaml_parser_initialize(&r.parser))
		die(EX_FLOW_SOFTWARE, "out of memory");
	yaml_parser_set_input_string(&r.parser, (const unsigned char *)buf, len);
	rc = read_document(&r) < 0 || check_names(&r) < 0 ? -1 : 0;
	if (r.have_ev)
		yaml_event_delete(&r.ev);
	yaml_parser_delete(&r.parser);
	sodium_memzero(buf, len);  /* it held passwords */
	free(buf);
	if (rc < 0)
		flowyml_free(cfg);
	return rc;
}

void
flowyml_free(struct flowyml *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nagents; i++) {
		struct flowyml_agent *a = &cfg->agents[i];

		if (a->password)
			sodium_memzero(a->password, strlen(a->password));
		free(a->name);
		free(a->fqdn);
		free(a->username);
		free(a->password);
		free(a->prefix);
		free(a->ca);
	}
	for (i = 0; i < cfg->nnamespaces; i++) {
		free(cfg->namespaces[i].name);
		free(cfg->namespaces[i].agent);
	}
	free(cfg->agents);
	free(cfg->namespaces);
	memset(cfg, 0, sizeof *cfg);
}

const struct flowyml_agent *
flowyml_agent(const struct flowyml *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nagents; i++)
		if (strcmp(cfg->agents[i].name, name) == 0)
			return &cfg->agents[i];
	return NULL;
}

const struct flowyml_agent *
flowyml_agent_at(const struct flowyml *cfg, const char *host)
{
	size_t i;

	for (i = 0; i < cfg->nagents; i++)
		if (strcasecmp(cfg->agents[i].fqdn, host) == 0)
			return &cfg->agents[i];
	return NULL;
}

const struct flowyml_namespace *
flowyml_namespace_of(const struct flowyml *cfg, const char *fqdn)
{
	const struct flowyml_namespace *best = NULL;
	size_t i, n, len = strlen(fqdn);

	for (i = 0; i < cfg->nnamespaces; i++) {
		n = strlen(cfg->namespaces[i].name);
		if ((n == len || (n < len && fqdn[len - n - 1] == '.')) &&
		    strcmp(fqdn + len - n, cfg->namespaces[i].name) == 0 &&
		    (!best || n > strlen(best->name)))
			best = &cfg->namespaces[i];
	}
	return best;
}
