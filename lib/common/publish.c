#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ce.h"
#include "lines.h"
#include "publish.h"
#include "reject.h"
#include "rfc3339.h"
#include "util.h"

struct publisher {
	const struct publish_opts *o;
	struct producer *p;
	const char *inname;
	struct reject rejects;
	char *event;              /* a wrapped or filled event is built here */
	size_t event_cap;
	struct publish_stats *st;
	int status;               /* of the last flush */
	uint64_t first_failed;    /* input line number of the first line not stored; 0: none known */
};

static void
on_broker_fail(void *ctx, const char *line, size_t len, const char *reason)
{
	struct publisher *pb = ctx;

	pb->st->failed++;
	if (pb->p->fail_tag && (!pb->first_failed || pb->p->fail_tag < pb->first_failed))
		pb->first_failed = pb->p->fail_tag;
	reject_keep(&pb->rejects, line, len, reason);
}

/* Append s[0..n) to the event being built. */
static char *
put(char *o, const char *s, size_t n)
{
	memcpy(o, s, n);
	return o + n;
}

static size_t
quote_into(char *o, const char *s)
{
	return json_quote(o, s, strlen(s));
}

/* {"specversion":"1.0","id":...,"source":...,"type":...,"time":...,"data":...} */
static const char *
wrap_line(struct publisher *pb, const char *line, size_t len, size_t *outlen, const char **why)
{
	const char *p = json_skip_ws(line, line + len), *end = line + len, *w;
	struct json_span v;
	char id[37], now[RFC3339_MAX];
	char *o = pb->event;
	int is_json;

	w = p;
	is_json = p < end && json_scan_value(&w, end, &v, why) == 0 && json_skip_ws(w, end) == end;
	if (!is_json && !utf8_valid(line, len)) {
		*why = "invalid UTF-8";
		return NULL;
	}
	ce_new_id(id);
	rfc3339_format(clock_real_ns(), now);
	o = put(o, "{\"specversion\":\"1.0\",\"id\":\"", 27);
	o = put(o, id, 36);
	o = put(o, "\",\"source\":", 11);
	o += quote_into(o, pb->o->source);
	o = put(o, ",\"type\":", 8);
	o += quote_into(o, pb->o->type);
	o = put(o, ",\"time\":\"", 9);
	o = put(o, now, strlen(now));
	o = put(o, "\",\"data\":", 9);
	if (is_json)
		o = put(o, v.p, v.len);
	else
		o += json_quote(o, line, len);
	*o++ = '}';
	*outlen = o - pb->event;
	if (*outlen > CE_LINE_MAX) {
		*why = "wrapped event longer than the line limit";
		return NULL;
	}
	return pb->event;
}

/* The line with "id" and/or "time" put in front of its first attribute. */
static const char *
fill_line(struct publisher *pb, const struct ce_event *ev, size_t *outlen)
{
	const char *brace = memchr(ev->line, '{', ev->len);
	size_t head = brace - ev->line + 1;
	char id[37], now[RFC3339_MAX];
	char *o = pb->event;

	if (ce_get(ev, "id", 2) && ce_get(ev, "time", 4))
		return NULL;
	o = put(o, ev->line, head);
	if (!ce_get(ev, "id", 2)) {
		ce_new_id(id);
		o = put(o, "\"id\":\"", 6);
		o = put(o, id, 36);
		o = put(o, "\",", 2);
	}
	if (!ce_get(ev, "time", 4)) {
		rfc3339_format(clock_real_ns(), now);
		o = put(o, "\"time\":\"", 8);
		o = put(o, now, strlen(now));
		o = put(o, "\",", 2);
	}
	o = put(o, ev->line + head, ev->len - head);
	*outlen = o - pb->event;
	return pb->event;
}

int
publish_check_wrap(const struct publish_opts *o, const char **why)
{
	struct publisher pb = { .o = o };
	struct ce_event ev;
	struct ce_error err;
	static char msg[sizeof err.msg];
	size_t len;
	const char *line;

	pb.event = xmalloc(6 * (strlen(o->type) + strlen(o->source)) + 256);
	line = wrap_line(&pb, "null", 4, &len, why);
	if (line && ce_parse(&ev, line, len, 0, &err) < 0) {
		memcpy(msg, err.msg, sizeof msg);
		*why = msg;
		line = NULL;
	}
	free(pb.event);
	return line ? 0 : -1;
}

/* Input pauses: a live stream is not held back. */
static void
push_when_idle(void *ctx)
{
	struct publisher *pb = ctx;

	if (pb->status == 0)
		pb->status = pb->p->ops->push(pb->p);
}

static void
reject(struct publisher *pb, uint64_t lineno, const char *line, size_t len, int newline, const char *why)
{
	warnmsg("%s: line %" PRIu64 ": %s", pb->inname, lineno, why);
	pb->st->rejected++;
	if (newline)
		reject_line(&pb->rejects, line, len);
	else
		reject_head(&pb->rejects, line, len);
}

/* The event to send for input line lineno, wrapped or filled as asked,
   with ev its parse when it is the line itself; NULL once rejected. */
static const char *
event_line(struct publisher *pb, uint64_t lineno, const char *line, size_t len, struct ce_event *ev,
    size_t *sendlen)
{
	const struct publish_opts *o = pb->o;
	struct ce_error err;
	const char *send = line, *why;

	*sendlen = len;
	if (o->wrap) {
		if (!(send = wrap_line(pb, line, len, sendlen, &why)))
			reject(pb, lineno, line, len, 1, why);
	} else if (ce_parse(ev, line, len, o->fill ? CE_ALLOW_NO_ID : 0, &err) < 0) {
		reject(pb, lineno, line, len, 1, err.msg);
		send = NULL;
	} else if (o->fill && !(send = fill_line(pb, ev, sendlen))) {
		send = line;
		*sendlen = len;
	} else if (o->fill && *sendlen > CE_LINE_MAX) {
		reject(pb, lineno, line, len, 1, "too long once id and time are added");
		send = NULL;
	}
	return send;
}

/* What the broker did not take, and where to publish again from; with -v
   the counts and the rate since t0. */
static void
report_end(const struct publisher *pb, int64_t t0)
{
	const struct publish_stats *st = pb->st;
	const char *reject = pb->o->reject_path;
	char first[64] = "";
	double secs = (clock_real_ns() - t0) / 1e9;

	if (st->failed && pb->first_failed)
		snprintf(first, sizeof first, "; the first is line %" PRIu64, pb->first_failed);
	if (st->failed)
		warnmsg("%s: %" PRIu64 " events not delivered%s%s%s", pb->inname, st->failed,
		    reject ? ", kept in " : "", reject ? reject : "", first);
	if (pb->o->verbose)
		warnmsg("%" PRIu64 " events published, %" PRIu64 " rejected, %" PRIu64
		    " not delivered, in %.3f s (%.0f events/s)", st->published, st->rejected, st->failed,
		    secs, secs > 0 ? st->published / secs : 0.0);
}

int
publish_stream(int fd, const char *inname, struct producer *p, const struct publish_opts *o,
    struct publish_stats *st)
{
	struct publisher pb = { .o = o, .p = p, .inname = inname, .st = st };
	struct line_reader *lr;
	struct ce_event ev;
	const char *line, *send;
	size_t len, sendlen;
	int r, status = 0, eof = 0;
	int64_t t0 = clock_real_ns();

	memset(st, 0, sizeof *st);
	if (reject_open(&pb.rejects, o->reject_path) < 0)
		return EX_FLOW_IOERR;
	if (o->wrap || o->fill) {
		pb.event_cap = 6 * (size_t)CE_LINE_MAX + 6 * (strlen(o->type ? o->type : "") +
		    strlen(o->source ? o->source : "")) + 256;
		pb.event = xmalloc(pb.event_cap);
	}
	p->on_fail = on_broker_fail;
	p->fail_ctx = &pb;
	lr = lr_open(fd, CE_LINE_MAX);
	lr_set_long_sink(lr, reject_fd(&pb.rejects));
	lr_stop_on_signal(lr);
	lr_set_idle(lr, push_when_idle, &pb);
	while (!stop_requested) {
		r = lr_next(lr, &line, &len);
		if ((status = pb.status) != 0)
			break;
		if (r == LR_EOF) {
			eof = 1;
			break;
		}
		if (r == LR_ERROR) {
			if (errno == EINTR)
				break;
			warnmsg("%s: %s", inname, strerror(errno));
			status = EX_FLOW_IOERR;
			break;
		}
		st->lines++;
		if (r == LR_LONG) {
			char why_long[64];

			snprintf(why_long, sizeof why_long, "longer than %d bytes", CE_LINE_MAX);
			reject(&pb, lr_lineno(lr), line, len, 0, why_long);
			continue;
		}
		if (!(send = event_line(&pb, lr_lineno(lr), line, len, &ev, &sendlen)))
			continue;
		/* a wrapped or filled line is not the one parsed */
		p->tag = lr_lineno(lr);
		if ((status = p->ops->send(p, send, sendlen, send == line ? &ev : NULL)) != 0)
			break;
		st->published++;
	}
	if (status == 0)
		status = p->ops->flush(p);
	if (status != 0 && !stop_requested && !eof)
		warnmsg("%s: stopped after line %" PRIu64 "; the rest was not read", inname, st->lines);
	st->published -= st->failed;
	report_end(&pb, t0);
	/* the producer may outlive this call: it must not keep a pointer to pb */
	p->on_fail = NULL;
	p->fail_ctx = NULL;
	lr_close(lr);
	free(pb.event);
	if (reject_close(&pb.rejects) < 0 && status == 0)
		status = EX_FLOW_IOERR;
	if (status == 0 && st->rejected)
		status = EX_FLOW_DATAERR;
	return status;
}
