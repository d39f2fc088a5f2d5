/* Opening a broker from a URL (broker.h's producer_open and
   consumer_open): the URL's kind (brokers.h) opens it, after a flow://
   name is looked up in DNS, and a file broker that DNS named is used only
   inside the directories this host trusts for it. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "resolve.h"
#include "util.h"

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

const struct broker_kind *
broker_url_open(const char *url, struct flow_url *u, int *status)
{
	const char *why;
	char *real;

	if (url_parse(url, u, &why) < 0) {
		warnmsg("%s: %s", url, why);
		*status = EX_FLOW_USAGE;
		return NULL;
	}
	if (!u->kind) {
		real = resolve_broker_url(u->name, status);
		url_free(u);
		if (!real)
			return NULL;
		if (url_parse(real, u, &why) < 0 || !u->kind) {
			warnmsg("%s: resolved to %s: %s", url, real,
			    u->name && !u->kind ? "a flow:// URL again" : why);
			url_free(u);
			free(real);
			*status = EX_FLOW_UNAVAILABLE;
			return NULL;
		}
		free(real);
		if (u->kind->local && trust_dns_file_broker(url, u, status) < 0) {
			url_free(u);
			return NULL;
		}
	}
	return u->kind;
}

struct producer *
producer_open(const char *url, const struct broker_opts *o, int *status)
{
	const struct broker_kind *k;
	struct flow_url u;
	struct producer *p;

	if (!(k = broker_url_open(url, &u, status)))
		return NULL;
	p = k->producer_open(&u, o, status);
	url_free(&u);
	return p;
}

struct consumer *
consumer_open(const char *url, const struct broker_opts *o, int *status)
{
	const struct broker_kind *k;
	struct flow_url u;
	struct consumer *c;

	if (!(k = broker_url_open(url, &u, status)))
		return NULL;
	c = k->consumer_open(&u, o, status);
	url_free(&u);
	return c;
}
