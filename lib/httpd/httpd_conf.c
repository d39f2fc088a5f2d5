#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsse.h"
#include "httpd_conf.h"
#include "util.h"

#define CONF_LINE_MAX 4096
#define FLOWS_MAX 10000
#define SECRET_FILE_MAX 1024

/* The numeric settings of the whole program, and their bounds. */
static const struct limit {
	const char *key;
	size_t off;
	int64_t min, max;
} limits[] = {
	{ "body-max", offsetof(struct httpd_conf, body_max), 1024, 64 * 1024 * 1024 },
	{ "batch-max", offsetof(struct httpd_conf, batch_max), 1, 100000 },
	{ "header-max", offsetof(struct httpd_conf, header_max), 4096, 1024 * 1024 },
	{ "idle-timeout", offsetof(struct httpd_conf, idle_timeout), 1, 86400 },
	{ "request-timeout", offsetof(struct httpd_conf, request_timeout), 1, 86400 },
	{ "keepalive", offsetof(struct httpd_conf, keepalive), 1, 3600 },
};

void
httpd_conf_init(struct httpd_conf *c)
{
	memset(c, 0, sizeof *c);
	c->body_max = 1024 * 1024 + 4096;  /* one event of CE_LINE_MAX, with room for headers of a batch */
	c->batch_max = 1000;
	c->header_max = 16384;
	c->idle_timeout = 30;
	c->request_timeout = 60;
	c->keepalive = 15;
}

int
httpd_name_valid(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len >= HTTPD_NAME_MAX || name[0] == '.' || name[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		char ch = name[i];
		if (ch == '.' && name[i + 1] == '.')
			return 0;
		if (!(ch >= 'a' && ch <= 'z') && !(ch >= 'A' && ch <= 'Z') && !(ch >= '0' && ch <= '9') &&
		    ch != '-' && ch != '_' && ch != '.')
			return 0;
	}
	return 1;
}

const struct httpd_flow *
httpd_conf_flow(const struct httpd_conf *c, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < c->nflows; i++)
		if (strlen(c->flows[i].name) == len && memcmp(c->flows[i].name, name, len) == 0)
			return &c->flows[i];
	return NULL;
}

/* "read", "write" or "read,write" (either order); -1 for anything else. */
static int
rights_parse(const char *s)
{
	if (strcmp(s, "read") == 0)
		return HTTPD_READ;
	if (strcmp(s, "write") == 0)
		return HTTPD_WRITE;
	if (strcmp(s, "read,write") == 0 || strcmp(s, "write,read") == 0)
		return HTTPD_READ | HTTPD_WRITE;
	return -1;
}

static int
add_flow(struct httpd_conf *c, const char *name, const char *url, const char **why)
{
	struct httpd_flow *f;

	if (!name || !url || !httpd_name_valid(name, strlen(name)))
		return *why = "expected: flow NAME URL (NAME: letters, digits, - _ and single dots)", -1;
	if (httpd_conf_flow(c, name, strlen(name)))
		return *why = "a flow of that name already", -1;
	if (c->nflows == FLOWS_MAX)
		return *why = "too many flows", -1;
	c->flows = xrealloc(c->flows, (c->nflows + 1) * sizeof *c->flows);
	f = &c->flows[c->nflows++];
	memset(f, 0, sizeof *f);
	strcpy(f->name, name);
	f->url = xstrdup(url);
	f->tolerance = 300;
	return 0;
}

/* The key of a Standard Webhooks secret file: "whsec_" and base64. */
static int
load_secret(struct httpd_flow *f, const char *path, const char **why)
{
	char text[SECRET_FILE_MAX + 2], *p;
	FILE *fp = fopen(path, "r");
	size_t n;

	if (!fp)
		return *why = strerror(errno), -1;
	n = fread(text, 1, sizeof text - 1, fp);
	fclose(fp);
	if (n > SECRET_FILE_MAX)
		return *why = "webhook secret file too long", -1;
	text[n] = '\0';
	text[strcspn(text, "\r\n")] = '\0';
	p = strncmp(text, "whsec_", 6) == 0 ? text + 6 : text;
	if (dsse_b64_decode(f->secret, sizeof f->secret, p, strlen(p), &f->secretlen) < 0 ||
	    f->secretlen < 16)
		return *why = "webhook secret: expected whsec_ and base64 of 16 to 256 bytes", -1;
	return 0;
}

/* A line about the last flow: token, webhook-secret, webhook-tolerance, public. */
static int
flow_line(struct httpd_conf *c, const char *key, const char *a, const char *b, const char **why)
{
	struct httpd_flow *f = c->nflows ? &c->flows[c->nflows - 1] : NULL;
	int rights;

	if (!f)
		return *why = "no flow line before it", -1;
	if (strcmp(key, "token") == 0) {
		if (!a || !b || (rights = rights_parse(a)) < 0 || strncmp(b, "$argon2id$", 10) != 0)
			return *why = "expected: token read|write|read,write ARGON2ID-HASH", -1;
		if (f->ntokens == HTTPD_TOKENS_MAX)
			return *why = "too many tokens for one flow", -1;
		f->tokens[f->ntokens].rights = rights;
		f->tokens[f->ntokens++].hash = xstrdup(b);
		return 0;
	}
	if (strcmp(key, "public") == 0) {
		if (!a || b || (rights = rights_parse(a)) < 0)
			return *why = "expected: public read|write|read,write", -1;
		f->public_rights |= rights;
		return 0;
	}
	if (strcmp(key, "webhook-tolerance") == 0) {
		if (!a || b || parse_int64(a, 1, 86400, &f->tolerance) < 0)
			return *why = "expected: webhook-tolerance SECONDS (1-86400)", -1;
		return 0;
	}
	if (!a || b)
		return *why = "expected: webhook-secret FILE", -1;
	return load_secret(f, a, why);
}

static int
limit_line(struct httpd_conf *c, const struct limit *l, const char *a, const char *b, const char **why)
{
	if (!a || b || parse_int64(a, l->min, l->max, (int64_t *)((char *)c + l->off)) < 0)
		return *why = "expected a whole number within bounds (see flow-httpd(8))", -1;
	return 0;
}

int
httpd_conf_line(struct httpd_conf *c, char *line, const char **why)
{
	static const char *const sep = " \t\r\n";
	char *save, *key, *a, *b, *extra;
	size_t i;

	line[strcspn(line, "#")] = '\0';
	if (!(key = strtok_r(line, sep, &save)))
		return 0;
	a = strtok_r(NULL, sep, &save);
	b = a ? strtok_r(NULL, sep, &save) : NULL;
	extra = b ? strtok_r(NULL, sep, &save) : NULL;
	if (extra)
		return *why = "too many words", -1;
	if (strcmp(key, "flow") == 0)
		return add_flow(c, a, b, why);
	if (strcmp(key, "token") == 0 || strcmp(key, "public") == 0 ||
	    strcmp(key, "webhook-secret") == 0 || strcmp(key, "webhook-tolerance") == 0)
		return flow_line(c, key, a, b, why);
	for (i = 0; i < sizeof limits / sizeof limits[0]; i++)
		if (strcmp(key, limits[i].key) == 0)
			return limit_line(c, &limits[i], a, b, why);
	if (strcmp(key, "tls-certificate") == 0 || strcmp(key, "tls-key") == 0 ||
	    strcmp(key, "allow-origin") == 0) {
		char **slot = key[0] == 'a' ? &c->allow_origin : key[4] == 'c' ? &c->tls_cert : &c->tls_key;
		if (!a || b || strlen(a) > 256)
			return *why = "expected one word: a file, or an origin", -1;
		free(*slot);
		*slot = xstrdup(a);
		return 0;
	}
	return *why = "unknown setting", -1;
}

int
httpd_conf_load(struct httpd_conf *c, const char *path)
{
	char line[CONF_LINE_MAX + 2];
	const char *why;
	FILE *fp = fopen(path, "r");
	int lineno = 0, ok = 0;

	if (!fp) {
		warnmsg("%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, fp)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(fp)) {
			warnmsg("%s:%d: line longer than %d bytes", path, lineno, CONF_LINE_MAX);
			ok = -1;
			break;
		}
		if (httpd_conf_line(c, line, &why) < 0) {
			warnmsg("%s:%d: %s", path, lineno, why);
			ok = -1;
			break;
		}
	}
	if (ok == 0 && ferror(fp)) {
		warnmsg("%s: %s", path, strerror(errno));
		ok = -1;
	}
	fclose(fp);
	return ok;
}

int
httpd_conf_check(const struct httpd_conf *c, const char **why)
{
	if (!c->tls_cert != !c->tls_key)
		return *why = "tls-certificate and tls-key go together", -1;
	if (c->keepalive >= c->idle_timeout)
		return *why = "keepalive must be shorter than idle-timeout", -1;
	if (c->nflows == 0)
		return *why = "no flow line", -1;
	return 0;
}

void
httpd_conf_free(struct httpd_conf *c)
{
	size_t i;
	int t;

	for (i = 0; i < c->nflows; i++) {
		free(c->flows[i].url);
		for (t = 0; t < c->flows[i].ntokens; t++)
			free(c->flows[i].tokens[t].hash);
	}
	free(c->flows);
	free(c->tls_cert);
	free(c->tls_key);
	free(c->allow_origin);
	memset(c, 0, sizeof *c);
}
