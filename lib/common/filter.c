#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filter.h"
#include "lines.h"
#include "util.h"

int
filter_cond_parse(struct filter_cond *c, enum dialect kind, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t i;

	if (!eq || eq == arg)
		return -1;
	c->kind = kind;
	c->attr = xstrndup(arg, eq - arg);
	for (i = 0; c->attr[i]; i++) {
		if (c->attr[i] >= 'A' && c->attr[i] <= 'Z')
			c->attr[i] += 32;
		else if (!((c->attr[i] >= 'a' && c->attr[i] <= 'z') || (c->attr[i] >= '0' && c->attr[i] <= '9') ||
		    c->attr[i] == '_')) {
			free(c->attr);
			return -1;
		}
	}
	c->value = xstrdup(eq + 1);
	return 0;
}

/* The attribute as text: strings decoded, other values as written. */
static const char *
attr_text(const struct ce_event *ev, const char *name, char *scratch, size_t *len)
{
	const struct json_span *v = ce_get(ev, name, strlen(name));

	if (!v)
		return NULL;
	if (v->type == JSON_STRING)
		return json_str(v, scratch, len);
	*len = v->len;
	return v->p;
}

static int
conds_match(const struct filter_opts *o, const struct ce_event *ev, char *scratch)
{
	const char *s;
	size_t len, vlen;
	int i;

	for (i = 0; i < o->nconds; i++) {
		const struct filter_cond *c = &o->conds[i];

		if (!(s = attr_text(ev, c->attr, scratch, &len)))
			return 0;
		vlen = strlen(c->value);
		if (vlen > len)
			return 0;
		switch (c->kind) {
		case DIALECT_EXACT:
			if (len != vlen || memcmp(s, c->value, len) != 0)
				return 0;
			break;
		case DIALECT_PREFIX:
			if (memcmp(s, c->value, vlen) != 0)
				return 0;
			break;
		case DIALECT_SUFFIX:
			if (memcmp(s + len - vlen, c->value, vlen) != 0)
				return 0;
			break;
		}
	}
	return 1;
}

/* Already passed on with the same (source, id)? */
static int
duplicate(const struct filter_opts *o, const struct ce_event *ev, char *scratch)
{
	const char *src, *id;
	size_t slen, idlen;
	char *scratch2 = scratch + CE_LINE_MAX;

	src = attr_text(ev, "source", scratch, &slen);
	id = attr_text(ev, "id", scratch2, &idlen);
	return dedupe_seen(o->dedupe, src, slen, id, idlen);
}

static void
keep_rejected(const struct filter_opts *o, struct filter_state *st, const char *line, size_t len, int nl)
{
	if (st->rejectfd >= 0 && (write_all(st->rejectfd, line, len) < 0 ||
	    (nl && write_all(st->rejectfd, "\n", 1) < 0))) {
		warnmsg("%s: %s", o->reject_path, strerror(errno));
		st->rejectfd = -1;
	}
}

static void
flush_when_idle(void *ctx)
{
	(void)out_flush(ctx);
}

static int
emit(struct out *out, struct filter_state *st, const char *p, size_t n)
{
	if (out_line(out, p, n) < 0) {
		if (errno != EPIPE)
			warnmsg("stdout: %s", strerror(errno));
		st->gone = 1;
		return errno == EPIPE ? 0 : EX_FLOW_IOERR;
	}
	return 0;
}

int
filter_stream(int fd, const char *inname, struct out *out, const struct filter_opts *o,
    struct filter_state *st)
{
	static char *scratch, *json;
	struct line_reader *lr = lr_open(fd, CE_LINE_MAX);
	struct ce_event ev;
	struct ce_error err;
	enum cesql_error e;
	const char *line, *msg;
	size_t len;
	int r, status = 0, match;

	if (!scratch) {
		scratch = xmalloc(2 * (size_t)CE_LINE_MAX);
		json = xmalloc(6 * (size_t)CE_LINE_MAX + 16);
	}
	lr_set_long_sink(lr, st->rejectfd);
	lr_set_intr(lr, &stop_requested);
	if (!o->count && !o->quiet)
		lr_set_idle(lr, flush_when_idle, out);
	while (!st->done && !st->gone && !stop_requested) {
		r = lr_next(lr, &line, &len);
		if (r == LR_EOF || (r == LR_ERROR && errno == EINTR))
			break;
		if (r == LR_ERROR) {
			warnmsg("%s: %s", inname, strerror(errno));
			status = EX_FLOW_IOERR;
			break;
		}
		if (r == LR_LONG) {
			warnmsg("%s: line %" PRIu64 ": longer than %d bytes", inname, lr_lineno(lr), CE_LINE_MAX);
			st->rejected++;
			keep_rejected(o, st, line, len, 0);
			continue;
		}
		if (ce_parse(&ev, line, len, 0, &err) < 0) {
			warnmsg("%s: line %" PRIu64 ": %s", inname, lr_lineno(lr), err.msg);
			st->rejected++;
			keep_rejected(o, st, line, len, 1);
			continue;
		}
		if (o->print) {
			struct cesql_value v;

			e = cesql_eval_event(o->expr, &ev, &v, &msg);
			if (e != CESQL_OK)
				warnmsg("event %" PRIu64 ": %s: %s", lr_lineno(lr), cesql_error_name(e), msg);
			if ((status = emit(out, st, json, cesql_value_json(&v, json))) != 0)
				break;
			continue;
		}
		match = conds_match(o, &ev, scratch) && (!o->expr || cesql_match(o->expr, &ev, &e, &msg));
		if (match == o->invert || (o->dedupe && duplicate(o, &ev, scratch)))
			continue;
		st->matched++;
		if (!o->count && !o->quiet && (status = emit(out, st, line, len)) != 0)
			break;
		if (o->quiet || (o->max && st->matched == o->max))
			st->done = 1;
	}
	lr_close(lr);
	return status;
}
