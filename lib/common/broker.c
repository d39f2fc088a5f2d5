#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "broker_file.h"
#include "broker_fnap.h"
#include "broker_kafka.h"
#include "file_read.h"
#include "resolve.h"
#include "rfc3339.h"
#include "util.h"

int
offset_parse(const char *s, struct offset_spec *o)
{
	if (strcmp(s, "beginning") == 0) {
		o->kind = OFFSET_BEGINNING;
		return 0;
	}
	if (strcmp(s, "end") == 0) {
		o->kind = OFFSET_END;
		return 0;
	}
	if (strcmp(s, "stored") == 0) {
		o->kind = OFFSET_STORED;
		return 0;
	}
	if (s[0] == '@') {
		o->kind = OFFSET_TIME;
		return rfc3339_parse(s + 1, strlen(s + 1), &o->value);
	}
	if (s[0] == '-') {
		o->kind = OFFSET_FROM_END;
		return parse_int64(s + 1, 0, INT64_MAX, &o->value);
	}
	o->kind = OFFSET_ABS;
	return parse_int64(s, 0, INT64_MAX, &o->value);
}

int
producer_mark_by_flush(struct producer *p, uint64_t *id)
{
	*id = ++p->marks;
	return p->ops->flush(p);
}

int
producer_settled_at_once(struct producer *p, uint64_t id, int timeout_ms)
{
	(void)p, (void)id, (void)timeout_ms;
	return 1;
}

int
consumer_commit(struct consumer *c)
{
	struct position pos;
	int r;

	c->ops->position(c, &pos);
	r = c->ops->commit(c, &pos);
	position_free(&pos);
	return r;
}

const struct ce_event *
record_event(const struct record *rec, struct ce_event *ev)
{
	struct ce_error err;

	if (rec->ev)
		return rec->ev;
	return ce_parse(ev, rec->line, rec->len, 0, &err) == 0 ? ev : NULL;
}

void
position_free(struct position *pos)
{
	free(pos->next);
	pos->next = NULL;
	pos->n = 0;
}

int
broker_prop_add(struct broker_opts *o, const char *kv)
{
	const char *eq = strchr(kv, '=');

	if (!eq || eq == kv) {
		warnmsg("%s: expected key=value", kv);
		return -1;
	}
	o->props = xrealloc(o->props, (o->nprops + 1) * sizeof *o->props);
	o->props[o->nprops++] = xstrdup(kv);
	return 0;
}

void
broker_opts_free(struct broker_opts *o)
{
	while (o->nprops > 0)
		free(o->props[--o->nprops]);
	free(o->props);
	o->props = NULL;
}

int
broker_prop_file(struct broker_opts *o, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int lineno = 0, r = 0;
	size_t n;

	if (!f) {
		warnmsg("%s: %s", path, strerror(errno));
		return -1;
	}
	while (r == 0 && fgets(line, sizeof line, f)) {
		char *s = line;

		lineno++;
		n = strcspn(s, "\r\n");
		s[n] = '\0';
		s += strspn(s, " \t");
		if (*s == '\0' || *s == '#')
			continue;
		if (!strchr(s, '=')) {
			warnmsg("%s: line %d: expected key=value", path, lineno);
			r = -1;
		} else
			r = broker_prop_add(o, s);
	}
	if (ferror(f)) {
		warnmsg("%s: %s", path, strerror(errno));
		r = -1;
	}
	fclose(f);
	return r;
}

/* The brokers served, by URL scheme. */
struct backend {
	struct producer *(*producer)(const struct flow_url *, const struct broker_opts *, int *);
	struct consumer *(*consumer)(const struct flow_url *, const struct broker_opts *, int *);
};

static struct producer *
file_producer(const struct flow_url *u, const struct broker_opts *o, int *status)
{
	return file_producer_open(u->path, o, status);
}

static struct consumer *
file_consumer(const struct flow_url *u, const struct broker_opts *o, int *status)
{
	return file_consumer_open(u->path, o, status);
}

static const struct backend backends[] = {
	[URL_FILE] = { file_producer, file_consumer },
	[URL_KAFKA] = { kafka_producer_open, kafka_consumer_open },
	[URL_FNAP] = { fnap_producer_open, fnap_consumer_open },
	[URL_FNAPS] = { fnap_producer_open, fnap_consumer_open },
};

/* path with the symlinks of its longest existing prefix resolved and the
   rest (directories not made yet) after it: where a flow directory really
   is, or would be made. malloc'd; NULL with errno. */
static char *
real_path(const char *path)
{
	char *head = xstrdup(path), *real, *slash, *out;
	const char *rest = "";

	while (!(real = realpath(head, NULL))) {
		if (errno != ENOENT || !(slash = strrchr(head, '/'))) {
			free(head);
			return NULL;
		}
		rest = path + (slash - head);
		slash[slash == head] = '\0';  /* "/x" leaves "/" */
	}
	free(head);
	rest += strspn(rest, "/");
	out = xmalloc(strlen(real) + strlen(rest) + 2);
	sprintf(out, "%s%s%s", real, *rest && real[strlen(real) - 1] != '/' ? "/" : "", rest);
	free(real);
	return out;
}

/* 1 if dir lies inside the directory root (both real paths), else 0. */
static int
path_inside(const char *dir, const char *root)
{
	size_t n = strlen(root);

	while (n > 0 && root[n - 1] == '/')
		n--;
	return strncmp(dir, root, n) == 0 && dir[n] == '/' && dir[n + 1] != '\0';
}

/* Is dir (real) inside a root of FLOW_FILE_ROOTS? 0 yes; else an exit status
   after a message: 77 outside them all, 78 for a root that is not absolute. */
static int
file_roots_check(const char *url, const char *path, const char *dir)
{
	const char *roots = getenv("FLOW_FILE_ROOTS"), *p, *end;
	char *root, *real;
	int inside = 0;

	for (p = roots ? roots : ""; !inside && *p; p = *end ? end + 1 : end) {
		end = p + strcspn(p, ":");
		if (end == p)
			continue;  /* an empty entry is nothing, not the current directory */
		root = xstrndup(p, end - p);
		if (root[0] != '/') {
			warnmsg("FLOW_FILE_ROOTS: not an absolute directory: %s", root);
			free(root);
			return EX_FLOW_CONFIG;
		}
		if ((real = real_path(root)))
			inside = path_inside(dir, real);
		free(real);
		free(root);
	}
	if (inside)
		return 0;
	if (!roots || !*roots)
		warnmsg("%s: the name server gives a file broker, %s: refused, FLOW_FILE_ROOTS "
		    "(the directories trusted for file flows) is not set", url, path);
	else
		warnmsg("%s: the name server gives a file broker, %s: refused, it is not inside "
		    "FLOW_FILE_ROOTS (%s)", url, dir, roots);
	return EX_FLOW_NOPERM;
}

/* A file broker that DNS named is used only inside a directory that this
   host trusts for it (FLOW_FILE_ROOTS): the name server does not choose
   which local directory is written. The flow is then opened by its real path,
   as checked. 0, or -1 after a message with *status. */
static int
trust_dns_file_broker(const char *url, struct flow_url *u, int *status)
{
	char *dir;

	if (!(dir = real_path(u->path))) {
		warnmsg("%s: %s: %s", url, u->path, strerror(errno));
		*status = errno == EACCES ? EX_FLOW_NOPERM : EX_FLOW_IOERR;
		return -1;
	}
	if ((*status = file_roots_check(url, u->path, dir)) != 0) {
		free(dir);
		return -1;
	}
	free(u->path);
	u->path = dir;
	return 0;
}

/* Parse url, looking flow:// names up in DNS; the backend, or NULL after a message. */
static const struct backend *
open_url(const char *url, struct flow_url *u, int *status)
{
	const char *why;
	char *real;

	if (url_parse(url, u, &why) < 0) {
		warnmsg("%s: %s", url, why);
		*status = EX_FLOW_USAGE;
		return NULL;
	}
	if (u->scheme == URL_FLOW) {
		real = resolve_broker_url(u->name, status);
		url_free(u);
		if (!real)
			return NULL;
		if (url_parse(real, u, &why) < 0 || u->scheme == URL_FLOW) {
			warnmsg("%s: resolved to %s: %s", url, real,
			    u->scheme == URL_FLOW ? "a flow:// URL again" : why);
			if (u->scheme == URL_FLOW)
				url_free(u);
			free(real);
			*status = EX_FLOW_UNAVAILABLE;
			return NULL;
		}
		free(real);
		if (u->scheme == URL_FILE && trust_dns_file_broker(url, u, status) < 0) {
			url_free(u);
			return NULL;
		}
	}
	return &backends[u->scheme];  /* every scheme but flow://, resolved above */
}

struct producer *
producer_open(const char *url, const struct broker_opts *o, int *status)
{
	const struct backend *b;
	struct flow_url u;
	struct producer *p;

	if (!(b = open_url(url, &u, status)))
		return NULL;
	p = b->producer(&u, o, status);
	url_free(&u);
	return p;
}

struct consumer *
consumer_open(const char *url, const struct broker_opts *o, int *status)
{
	const struct backend *b;
	struct flow_url u;
	struct consumer *c;

	if (!(b = open_url(url, &u, status)))
		return NULL;
	c = b->consumer(&u, o, status);
	url_free(&u);
	return c;
}
