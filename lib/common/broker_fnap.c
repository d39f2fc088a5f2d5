#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_fnap.h"
#include "ce.h"
#include "fnap_client.h"
#include "rfc3339.h"
#include "util.h"

/* A PUBLISH is ended (and its answer read) at the latest after this much:
   the lines of a batch are kept until then, to report those not stored. */
#define BATCH_BYTES (4 * 1024 * 1024)

struct fnap_client *
fnap_broker_session(const struct flow_url *u, int *status)
{
	const char *user = getenv("FNAP_USER"), *ca = getenv("FNAP_CA");
	struct fnap_client *cl;

	cl = fnap_client_open(u->hosts, u->tls, ca && *ca ? ca : NULL, status);
	if (cl && fnap_client_auth(cl, user && *user ? user : NULL, getenv("FNAP_PASSWORD"), status) < 0) {
		fnap_client_close(cl);
		cl = NULL;
	}
	return cl;
}

/* -- producing -- */

struct fnap_producer {
	struct producer base;
	struct fnap_client *cl;
	char flow[DNSNAME_MAX + 1];
	int in_batch;
	char *kept;          /* the batch's lines, each with its newline */
	size_t len, cap;
	long *rejected;      /* line numbers (from 1) the agent rejected, ascending */
	long nlines, nrejected;
	int status;          /* once the connection failed, every send fails */
};

static int
start_batch(struct fnap_producer *p)
{
	const char *text;
	int code = fnap_client_command(p->cl, &text, "PUBLISH %s", p->flow);

	if (code == 220) {
		p->in_batch = 1;
		return 0;
	}
	if (code < 0)
		warnmsg("%s: PUBLISH %s: %s", p->cl->host, p->flow, p->cl->why);
	else
		warnmsg("%s: PUBLISH %s: %d %s", p->cl->host, p->flow, code, text);
	return p->status = fnap_client_status(code);
}

/* Tell on_fail of line number n of the batch (1-based). */
static void
fail_line(struct fnap_producer *p, long n, const char *reason)
{
	const char *s = p->kept, *nl;
	long i;

	for (i = 1; i < n && (nl = memchr(s, '\n', p->kept + p->len - s)); i++)
		s = nl + 1;
	if (i != n || s >= p->kept + p->len)
		return;
	nl = memchr(s, '\n', p->kept + p->len - s);
	p->base.failed++;
	if (p->base.on_fail)
		p->base.on_fail(p->base.fail_ctx, s, nl - s, reason);
}

/* Every line of the batch the agent did not reject one by one has failed. */
static void
fail_rest(struct fnap_producer *p, const char *reason)
{
	long n, r = 0;

	for (n = 1; n <= p->nlines; n++) {
		while (r < p->nrejected && p->rejected[r] < n)
			r++;
		if (r == p->nrejected || p->rejected[r] != n)
			fail_line(p, n, reason);
	}
}

/* The agent's verdict on one rejected line, "line N: reason". */
static void
line_rejected(struct fnap_producer *p, const char *text)
{
	char *end;
	long n;

	if (strncmp(text, "line ", 5) != 0 || (n = strtol(text + 5, &end, 10)) < 1 ||
	    n > p->nlines || strncmp(end, ": ", 2) != 0) {
		warnmsg("%s: PUBLISH %s: %s", p->cl->host, p->flow, text);
		return;
	}
	if (!p->rejected)
		p->rejected = xmalloc(p->nlines * sizeof *p->rejected);
	if (p->nrejected < p->nlines)
		p->rejected[p->nrejected++] = n;
	fail_line(p, n, end + 2);
}

/* End the PUBLISH with "." and read the answer. 0, or an exit status. */
static int
end_batch(struct fnap_producer *p)
{
	const char *text;
	int code;

	if (!p->in_batch)
		return p->status;
	p->in_batch = 0;
	code = fnap_client_command(p->cl, &text, ".");
	while (code == 501) {
		line_rejected(p, text);
		code = fnap_client_reply(p->cl, &text);
	}
	if (code != 220) {
		if (code < 0)
			warnmsg("%s: PUBLISH %s: %s", p->cl->host, p->flow, p->cl->why);
		else
			warnmsg("%s: PUBLISH %s: %d %s", p->cl->host, p->flow, code, text);
		fail_rest(p, code < 0 ? "the connection to the agent ended" : "the agent did not store it");
		p->status = code < 0 ? EX_FLOW_UNAVAILABLE : fnap_client_status(code);
	}
	p->len = 0;
	p->nlines = p->nrejected = 0;
	free(p->rejected);
	p->rejected = NULL;
	return p->status;
}

static int
fnap_send_event(struct producer *base, const char *line, size_t len, const struct ce_event *ev)
{
	struct fnap_producer *p = (struct fnap_producer *)base;

	(void)ev;
	if (p->status || (!p->in_batch && start_batch(p) != 0)) {
		/* the agent takes nothing more: this line is reported, not dropped */
		p->base.failed++;
		p->base.fail_tag = p->base.tag;
		if (p->base.on_fail)
			p->base.on_fail(p->base.fail_ctx, line, len, "the agent refused PUBLISH");
		p->base.fail_tag = 0;
		return p->status;
	}
	if (p->len + len + 1 > p->cap) {
		p->cap = p->len + len + 1 + BATCH_BYTES / 4;
		p->kept = xrealloc(p->kept, p->cap);
	}
	memcpy(p->kept + p->len, line, len);
	p->kept[p->len + len] = '\n';
	p->len += len + 1;
	p->nlines++;
	/* a failed write shows in the answer (there is none): end_batch tells */
	fnap_body(p->cl->c, line, len);
	if (p->len >= BATCH_BYTES)
		return end_batch(p);
	return 0;
}

static int
fnap_flush_events(struct producer *base)
{
	return end_batch((struct fnap_producer *)base);
}

static void
fnap_close_producer(struct producer *base)
{
	struct fnap_producer *p = (struct fnap_producer *)base;
	const char *text;

	if (end_batch(p) == 0)
		fnap_client_command(p->cl, &text, "QUIT");
	fnap_client_close(p->cl);
	free(p->kept);
	free(p);
}

static const struct producer_ops fnap_producer_ops = {
	fnap_send_event, fnap_flush_events, fnap_flush_events, producer_mark_by_flush, producer_settled_at_once,
	fnap_close_producer,
};

struct producer *
fnap_producer_open(const struct flow_url *u, const struct broker_opts *o, int *status)
{
	struct fnap_producer *p = xcalloc(1, sizeof *p);

	p->base.ops = &fnap_producer_ops;
	snprintf(p->flow, sizeof p->flow, "%s", u->name);
	/* PUBLISH at once: a flow that cannot be written fails here, not later */
	if (!(p->cl = fnap_broker_session(u, status)) || (*status = start_batch(p)) != 0) {
		fnap_client_close(p->cl);
		free(p);
		return NULL;
	}
	return &p->base;
}
