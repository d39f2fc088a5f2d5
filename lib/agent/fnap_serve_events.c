/* PUBLISH: events carried over FNAP into the flow's own broker, signed
   first when the flow's namespace has a sign-key (fnap_sign); its audit
   line at its end tells where its events were stored (the producer's
   on_stored). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fnap_queue.h"
#include "fnap_session.h"
#include "fnap_sign.h"
#include "publish.h"
#include "util.h"

#define ERRORS_KEPT 1000        /* PUBLISH: rejected lines told one by one */

/* PUBLISH's lines: the client's, up to its "." line, signed by sg (NULL:
   as they are); the rejected ones told back in 501 replies at the end. */
struct publish_conn {
	struct session *s;
	struct signer *sg;
	int64_t signed_count;
	char (*why)[160];
	long rejected;
};

/* A line of the client as it is to be stored: signed, kept, or refused. */
static int
signed_line(struct publish_conn *pc, const char **line, size_t *len, const char **why)
{
	switch (sign_line(pc->sg, *line, *len, line, len, why)) {
	case SIGN_SIGNED:
		pc->signed_count++;
		return PUBLISH_LINE;
	case SIGN_KEPT:
		return PUBLISH_LINE;
	case SIGN_REFUSED:
		break;
	}
	return PUBLISH_BAD;
}

static int
conn_next(void *ctx, const char **line, size_t *len, const char **why)
{
	struct publish_conn *pc = ctx;
	char *l;
	int r = fnap_read_line(pc->s->c, pc->s->conf->event_max, &l, len);

	if (r == FNAP_LINE) {
		*line = l;
		if (*len == 1 && l[0] == '.')
			return PUBLISH_END;
		return pc->sg ? signed_line(pc, line, len, why) : PUBLISH_LINE;
	}
	if (r == FNAP_EOF || r == FNAP_ERROR || r == FNAP_TIMEOUT) {
		/* without the final "." nothing says the client meant all of it: keep what came */
		pc->s->quit = 1;
		return PUBLISH_CUT;
	}
	*line = "";
	*len = 0;
	*why = r == FNAP_NUL ? "NUL byte" : "line too long";
	return r == FNAP_NUL ? PUBLISH_BAD : PUBLISH_LONG;
}

static void
conn_rejected(void *ctx, uint64_t lineno, const char *line, size_t len, int whole, const char *why)
{
	struct publish_conn *pc = ctx;

	(void)line, (void)len, (void)whole;
	if (pc->rejected < ERRORS_KEPT) {
		if (!pc->why)
			pc->why = xmalloc(ERRORS_KEPT * sizeof *pc->why);
		snprintf(pc->why[pc->rejected], sizeof pc->why[0], "line %ld: %s", (long)lineno, why);
	}
	pc->rejected++;
}

void
fnap_cmd_publish(struct session *s, char *args)
{
	static const struct publish_opts as_they_are = { 0 };
	struct broker_opts o;
	char url[QUEUE_URL_MAX], *name = fnap_word(&args);
	struct publish_conn pc = { .s = s };
	struct publish_source src = { .next = conn_next, .rejected = conn_rejected, .ctx = &pc, .drain = 1 };
	struct publish_stats st;
	struct audit_span stored = { 0 };
	struct flow_meta m;
	struct producer *p;
	struct result r;
	long i;
	int status = 0;

	if (session_open_flow(s, name, FLOW_PUBLISH, &m, url, &o) < 0)
		return;
	if (fnap_word(&args)) {
		session_usage(s);
		goto out;
	}
	if (sign_open(s->conf, m.flow, &pc.sg, &r) != 0) {
		session_reply(s, &r);
		audit_publish(s, m.flow, NULL, 0, 0, r.code);
		goto out;
	}
	if (pc.sg && sign_record_state(pc.sg) != SIGN_RECORD_UNCHANGED)
		audit_key(s, sign_keyid(pc.sg),
		    sign_record_state(pc.sg) == SIGN_RECORD_PUBLISHED ? 0 : REPLY_RETRY);
	if (!(p = producer_open(url, &o, &status))) {
		fnap_reply(s->c, REPLY_RETRY, "flow unavailable, retry");
		audit_publish(s, m.flow, NULL, 0, pc.sg ? 0 : -1, REPLY_RETRY);
		goto out;
	}
	p->on_stored = audit_span_add;
	p->stored_ctx = &stored;
	fnap_reply(s->c, REPLY_OK, "OK send events");
	status = publish_pump(p, &as_they_are, &src, &st);
	p->ops->close(p);
	if (!s->quit) {
		for (i = 0; i < pc.rejected && i < ERRORS_KEPT; i++)
			fnap_reply(s->c, REPLY_USAGE, "%s", pc.why[i]);
		if (pc.rejected > ERRORS_KEPT)
			fnap_reply(s->c, REPLY_USAGE, "%ld more lines rejected", pc.rejected - ERRORS_KEPT);
		if (status)
			fnap_reply(s->c, REPLY_RETRY, "flow unavailable: %" PRIu64 " of the events stored, retry the rest",
			    st.published);
		else
			fnap_reply(s->c, REPLY_OK, "OK %" PRIu64 " events", st.published);
	}
	audit_publish(s, m.flow, &stored, st.published, pc.sg ? pc.signed_count : -1,
	    s->quit ? AUDIT_NO_REPLY : status ? REPLY_RETRY : REPLY_OK);
	free(pc.why);
out:
	sign_close(pc.sg);
	broker_opts_free(&o);
}
