#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "broker_file.h"
#include "file_read.h"
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

/* Parse url and say why not, or that its broker is not there yet. */
static int
open_url(const char *url, struct flow_url *u, int *status)
{
	const char *why;

	if (url_parse(url, u, &why) < 0) {
		warnmsg("%s: %s", url, why);
		*status = EX_FLOW_USAGE;
		return -1;
	}
	if (u->scheme != URL_FILE) {
		warnmsg("%s: %s:// is not supported yet", url, url_scheme_name(u->scheme));
		url_free(u);
		*status = EX_FLOW_UNAVAILABLE;
		return -1;
	}
	return 0;
}

struct producer *
producer_open(const char *url, const struct broker_opts *o, int *status)
{
	struct flow_url u;
	struct producer *p;

	if (open_url(url, &u, status) < 0)
		return NULL;
	p = file_producer_open(u.path, o, status);
	url_free(&u);
	return p;
}

struct consumer *
consumer_open(const char *url, const struct broker_opts *o, int *status)
{
	struct flow_url u;
	struct consumer *c;

	if (open_url(url, &u, status) < 0)
		return NULL;
	c = file_consumer_open(u.path, o, status);
	url_free(&u);
	return c;
}
