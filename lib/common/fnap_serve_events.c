/* STREAM and PUBLISH: a flow's events carried over FNAP, read from and
   written to the flow's own broker. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ce.h"
#include "fnap_session.h"
#include "util.h"

#define URL_MAX (FLOWSTATE_PATH_MAX + DNSNAME_MAX + 16)
#define IDLE_WAIT_MS 1000       /* how often an idle stream looks at its client */
#define ERRORS_KEPT 1000        /* PUBLISH: rejected lines told one by one */

/* FROM's value: BEGINNING, END, N, -N (before the end) or @RFC3339. */
static int
from_arg(const char *w, struct offset_spec *o)
{
	if (strcasecmp(w, "BEGINNING") == 0)
		o->kind = OFFSET_BEGINNING;
	else if (strcasecmp(w, "END") == 0)
		o->kind = OFFSET_END;
	else if (offset_parse(w, o) < 0 || o->kind == OFFSET_BEGINNING || o->kind == OFFSET_END ||
	    o->kind == OFFSET_STORED)
		return -1;
	return 0;
}

static int
stream_args(char *args, struct broker_opts *o, int64_t *count)
{
	char *w, *v;

	while ((w = fnap_word(&args))) {
		v = fnap_word(&args);
		if (!v)
			return -1;
		if (strcasecmp(w, "FROM") == 0) {
			if (from_arg(v, &o->start) < 0)
				return -1;
		} else if (strcasecmp(w, "COUNT") == 0) {
			if (parse_int64(v, 1, INT64_MAX, count) < 0)
				return -1;
		} else if (strcasecmp(w, "TO") == 0 && strcasecmp(v, "END") == 0)
			o->stop_at_end = 1;
		else
			return -1;
	}
	return 0;
}

void
fnap_cmd_stream(struct session *s, char *args)
{
	struct broker_opts o;
	char url[URL_MAX], *name = fnap_word(&args);
	struct flow_meta m, now;
	struct consumer *cons;
	struct record rec;
	int64_t count = 0, n = 0;
	int status, r, unflushed = 0, done = 0, waited;

	if (fnap_find_flow(s, name, 0, &m) < 0 || fnap_flow_broker(s, &m, url, sizeof url, &o) < 0)
		return;
	o.start.kind = OFFSET_END;
	if (stream_args(args, &o, &count) < 0) {
		fnap_reply(s->c, 501, "usage: STREAM <flow> [FROM <offset>|BEGINNING|END] [COUNT <n>] [TO END]");
		goto out;
	}
	if (!(cons = consumer_open(url, &o, &status))) {
		fnap_reply(s->c, 450, "flow unavailable, retry");
		goto out;
	}
	fnap_reply(s->c, 220, "DATA");
	while (!done) {
		waited = !unflushed;
		r = cons->ops->next(cons, &rec, waited ? IDLE_WAIT_MS : 0);
		if (r == 1) {
			unflushed = 1;
			if (fnap_body(s->c, rec.line, rec.len) < 0)
				done = s->quit = 1;
			else if (count && ++n == count) {
				fnap_reply(s->c, 220, "OK");
				done = 1;
			}
		} else if (r == 0) {
			/* idle: what was read goes out now, and a client that left is noticed */
			unflushed = 0;
			if (fnap_flush(s->c) < 0 || fnap_peer_closed(s->c) || stop_requested)
				done = s->quit = 1;
			else if (waited && (flowstate_load(s->conf->state, m.flow, &now) < 0 ||
			    now.created_ns != m.created_ns)) {
				/* deleted (a subscription revoked): its readers are told */
				fnap_reply(s->c, 550, "no such flow or access denied");
				done = 1;
			}
		} else if (r == CONSUMER_END) {
			fnap_reply(s->c, 220, "OK");
			done = 1;
		} else {
			fnap_reply(s->c, 450, "flow unavailable");
			done = 1;
		}
	}
	cons->ops->close(cons);
out:
	broker_opts_free(&o);
}

struct rejects {
	char (*why)[160];
	long n;
};

static void
reject(struct rejects *rj, long lineno, const char *why)
{
	if (rj->n < ERRORS_KEPT) {
		if (!rj->why)
			rj->why = xmalloc(ERRORS_KEPT * sizeof *rj->why);
		snprintf(rj->why[rj->n], sizeof rj->why[0], "line %ld: %s", lineno, why);
	}
	rj->n++;
}

void
fnap_cmd_publish(struct session *s, char *args)
{
	struct broker_opts o;
	char url[URL_MAX], *line, *name = fnap_word(&args);
	struct rejects rj = { NULL, 0 };
	struct flow_meta m;
	struct producer *p;
	struct ce_event ev;
	struct ce_error err;
	size_t len;
	long lineno = 0, stored = 0, i;
	int status = 0, r;

	if (fnap_find_flow(s, name, 1, &m) < 0 || fnap_flow_broker(s, &m, url, sizeof url, &o) < 0)
		return;
	if (fnap_word(&args)) {
		fnap_reply(s->c, 501, "usage: PUBLISH <flow>");
		goto out;
	}
	if (!(p = producer_open(url, &o, &status))) {
		fnap_reply(s->c, 450, "flow unavailable, retry");
		goto out;
	}
	fnap_reply(s->c, 220, "OK send events");
	for (;;) {
		r = fnap_read_line(s->c, s->conf->event_max, &line, &len);
		if (r == FNAP_LINE && len == 1 && line[0] == '.')
			break;
		if (r == FNAP_EOF || r == FNAP_ERROR || r == FNAP_TIMEOUT) {
			/* without the final "." nothing says the client meant all of it: keep what came */
			s->quit = 1;
			break;
		}
		lineno++;
		if (r == FNAP_TOO_LONG)
			reject(&rj, lineno, "line too long");
		else if (r == FNAP_NUL)
			reject(&rj, lineno, "NUL byte");
		else if (ce_parse(&ev, line, len, 0, &err) < 0)
			reject(&rj, lineno, err.msg);
		else if (status == 0 && (status = p->ops->send(p, line, len, &ev)) == 0)
			stored++;
	}
	if (status == 0)
		status = p->ops->flush(p);
	stored -= p->failed;  /* taken, then lost by the broker after all */
	p->ops->close(p);
	if (!s->quit) {
		for (i = 0; i < rj.n && i < ERRORS_KEPT; i++)
			fnap_reply(s->c, 501, "%s", rj.why[i]);
		if (rj.n > ERRORS_KEPT)
			fnap_reply(s->c, 501, "%ld more lines rejected", rj.n - ERRORS_KEPT);
		if (status)
			fnap_reply(s->c, 450, "flow unavailable: %ld of the events stored, retry the rest",
			    stored);
		else
			fnap_reply(s->c, 220, "OK %ld events", stored);
	}
	free(rj.why);
out:
	broker_opts_free(&o);
}
