#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "rfc3339.h"
#include "util.h"

int
offset_parse(const char *s, struct offset_spec *o)
{
	o->resume = 0;
	if (strncmp(s, "stored:", 7) == 0) {
		if (offset_parse(s + 7, o) < 0 || o->kind == OFFSET_STORED || o->resume)
			return -1;
		o->resume = 1;
		return 0;
	}
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
		return time_parse(s + 1, clock_real_ns(), &o->value);
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
