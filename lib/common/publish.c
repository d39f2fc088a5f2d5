#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ce.h"
#include "linepool.h"
#include "lines.h"
#include "progress.h"
#include "publish.h"
#include "reject.h"
#include "rfc3339.h"
#include "util.h"

struct publisher {
	const struct publish_opts *o;
	const struct publish_source *src;
	struct producer *p;
	char *event;              /* a wrapped or filled event is built here */
	struct publish_stats *st;
	int status;               /* of the last push while idle */
};

static void
on_broker_fail(void *ctx, const char *line, size_t len, const char *reason)
{
	struct publisher *pb = ctx;

	pb->st->failed++;
	if (pb->p->fail_tag && (!pb->st->first_failed || pb->p->fail_tag < pb->st->first_failed))
		pb->st->first_failed = pb->p->fail_tag;
	if (pb->src->lost)
		pb->src->lost(pb->src->ctx, line, len, reason);
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
reject(struct publisher *pb, uint64_t lineno, const char *line, size_t len, int whole, const char *why)
{
	pb->st->rejected++;
	pb->src->rejected(pb->src->ctx, lineno, line, len, whole, why);
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

static int
pump_loop(struct publisher *pb)
{
	const struct publish_source *src = pb->src;
	struct publish_stats *st = pb->st;
	struct producer *p = pb->p;
	struct ce_event ev;
	const char *line, *send, *why = NULL;
	size_t len, sendlen;
	int r, status = 0;

	for (;;) {
		r = src->next(src->ctx, &line, &len, &why);
		if (pb->status != 0)
			return pb->status;
		if (r == PUBLISH_END) {
			st->ended = 1;
			break;
		}
		if (r == PUBLISH_CUT)
			break;
		if (r == PUBLISH_ERROR)
			return EX_FLOW_IOERR;
		st->lines++;
		if (r == PUBLISH_CHECKED) {
			send = line;
			sendlen = len;
		} else if (r != PUBLISH_LINE) {
			reject(pb, st->lines, line, len, r == PUBLISH_BAD, why);
			continue;
		} else if (!(send = event_line(pb, st->lines, line, len, &ev, &sendlen)))
			continue;
		if (status != 0)
			continue;
		/* a wrapped or filled line is not the one parsed; a checked one's
		   parse stayed with the thread that checked it */
		p->tag = st->lines;
		if ((status = p->ops->send(p, send, sendlen, r == PUBLISH_LINE && send == line ? &ev : NULL)) != 0) {
			if (!src->drain)
				return status;
			continue;
		}
		st->published++;
	}
	return status;
}

int
publish_pump(struct producer *p, const struct publish_opts *o, const struct publish_source *src,
    struct publish_stats *st)
{
	struct publisher pb = { .o = o, .src = src, .p = p, .st = st };
	int status;

	memset(st, 0, sizeof *st);
	if (o->wrap || o->fill)
		pb.event = xmalloc(6 * (size_t)CE_LINE_MAX + 6 * (strlen(o->type ? o->type : "") +
		    strlen(o->source ? o->source : "")) + 256);
	p->on_fail = on_broker_fail;
	p->fail_ctx = &pb;
	if (src->set_idle)
		src->set_idle(src->ctx, push_when_idle, &pb);
	status = pump_loop(&pb);
	if (status == 0)
		status = p->ops->flush(p);
	st->published -= st->failed;
	/* neither the producer nor the source may keep a pointer to pb */
	p->on_fail = NULL;
	p->fail_ctx = NULL;
	if (src->set_idle)
		src->set_idle(src->ctx, NULL, NULL);
	free(pb.event);
	return status;
}

/* publish_stream's source: a descriptor's lines, rejected ones told on
   stderr and kept in --reject; with -v on a terminal, the live line. */
struct fd_source {
	struct line_reader *lr;      /* or, checking lines on several threads: */
	struct linepool *lp;
	const char *inname;
	struct reject rejects;
	struct progress progress;
	const struct publish_stats *st;
	uint64_t bytes, size;        /* read so far; of a regular file (0: unknown) */
	void (*idle)(void *arg);     /* the pump's */
	void *idle_arg;
};

/* fd_next from the pool: lines with their verdicts */
static int
pooled_next(struct fd_source *fs, const char **line, size_t *len, const char **why)
{
	struct lp_line l;
	int r = linepool_next(fs->lp, &l);

	if (r == LP_END)
		return PUBLISH_END;
	if (r == LP_ERROR) {
		if (errno == EINTR)
			return PUBLISH_CUT;
		warnmsg("%s: %s", fs->inname, strerror(errno));
		return PUBLISH_ERROR;
	}
	*line = l.line;
	*len = l.len;
	*why = l.out;
	fs->bytes += l.len + 1;
	progress_update(&fs->progress, fs->st->published, fs->st->rejected, fs->bytes, fs->size);
	return r == LP_PASS ? PUBLISH_CHECKED : r == LP_LONG ? PUBLISH_LONG : PUBLISH_BAD;
}

static int
fd_next(void *ctx, const char **line, size_t *len, const char **why)
{
	struct fd_source *fs = ctx;
	int r;

	if (stop_requested)
		return PUBLISH_CUT;
	if (fs->lp)
		return pooled_next(fs, line, len, why);
	r = lr_next(fs->lr, line, len);
	if (r == LR_LINE || r == LR_LONG) {
		fs->bytes += *len + 1;  /* a long line's rest is not counted: it only comes short */
		progress_update(&fs->progress, fs->st->published, fs->st->rejected, fs->bytes, fs->size);
	}
	if (r == LR_LINE)
		return PUBLISH_LINE;
	if (r == LR_LONG) {
		*why = CE_TOO_LONG;
		return PUBLISH_LONG;
	}
	if (r == LR_EOF)
		return PUBLISH_END;
	if (errno == EINTR)
		return PUBLISH_CUT;
	warnmsg("%s: %s", fs->inname, strerror(errno));
	return PUBLISH_ERROR;
}

/* Before waiting for input: the pump's idle work, then the live line (a
   slow input still shows it moving). */
static void
fd_idle(void *ctx)
{
	struct fd_source *fs = ctx;

	fs->idle(fs->idle_arg);
	progress_draw(&fs->progress, fs->st->published, fs->st->rejected, fs->bytes, fs->size);
}

static void
fd_set_idle(void *ctx, void (*idle)(void *arg), void *arg)
{
	struct fd_source *fs = ctx;

	fs->idle = idle;
	fs->idle_arg = arg;
	if (fs->lp)
		linepool_set_idle(fs->lp, idle ? fd_idle : NULL, fs);
	else
		lr_set_idle(fs->lr, idle ? fd_idle : NULL, fs);
}

static void
fd_rejected(void *ctx, uint64_t lineno, const char *line, size_t len, int whole, const char *why)
{
	struct fd_source *fs = ctx;

	progress_end(&fs->progress);
	warnmsg("%s: line %" PRIu64 ": %s", fs->inname, lineno, why);
	if (whole)
		reject_line(&fs->rejects, line, len);
	else
		reject_head(&fs->rejects, line, len);
}

static void
fd_lost(void *ctx, const char *line, size_t len, const char *reason)
{
	struct fd_source *fs = ctx;

	reject_keep(&fs->rejects, line, len, reason);
}

/* What the broker did not take, and where to publish again from; with -v
   the counts and the rate since t0. */
static void
report_end(const char *inname, const struct publish_opts *o, const struct publish_stats *st,
    int64_t t0)
{
	const char *reject = o->reject_path;
	char first[64] = "";
	double secs = (clock_real_ns() - t0) / 1e9;

	if (st->failed && st->first_failed)
		snprintf(first, sizeof first, "; the first is line %" PRIu64, st->first_failed);
	if (st->failed)
		warnmsg("%s: %" PRIu64 " events not delivered%s%s%s", inname, st->failed,
		    reject ? ", kept in " : "", reject ? reject : "", first);
	if (o->verbose)
		warnmsg("%" PRIu64 " events published, %" PRIu64 " rejected, %" PRIu64
		    " not delivered, in %.3f s (%.0f events/s)", st->published, st->rejected, st->failed,
		    secs, secs > 0 ? st->published / secs : 0.0);
}

/* A pool thread's check of a line: an event, sent as it is, or why not. */
static int
check_event(void *ctx, void *work, const char *line, size_t len, const char **out, size_t *outlen,
    char *why, size_t whysize)
{
	struct ce_error err;

	(void)ctx;
	if (ce_parse(work, line, len, 0, &err) < 0) {
		snprintf(why, whysize, "%s", err.msg);
		return LP_REJECT;
	}
	*out = line;
	*outlen = len;
	return LP_PASS;
}

int
publish_stream(int fd, const char *inname, struct producer *p, const struct publish_opts *o,
    struct publish_stats *st)
{
	struct fd_source fs = { .inname = inname, .st = st };
	struct linepool_opts lo = { .in = fd, .inname = inname, .threads = o->threads,
		.fn = check_event, .worksize = sizeof(struct ce_event) };
	struct publish_source src = {
		.next = fd_next, .set_idle = fd_set_idle, .rejected = fd_rejected, .lost = fd_lost,
		.ctx = &fs,
	};
	int status;
	int64_t t0 = clock_real_ns();

	if (reject_open(&fs.rejects, o->reject_path) < 0)
		return EX_FLOW_IOERR;
	if (o->threads > 1 && !o->wrap && !o->fill) {
		fs.lp = linepool_open(&lo);
		linepool_set_long_sink(fs.lp, reject_fd(&fs.rejects));
	} else {
		fs.lr = lr_open(fd, CE_LINE_MAX);
		lr_set_long_sink(fs.lr, reject_fd(&fs.rejects));
		lr_stop_on_signal(fs.lr);
	}
	fs.size = progress_input_size(fd);
	progress_start(&fs.progress, stderr, o->verbose);
	status = publish_pump(p, o, &src, st);
	progress_end(&fs.progress);
	if (status != 0 && !stop_requested && !st->ended)
		warnmsg("%s: stopped after line %" PRIu64 "; the rest was not read", inname, st->lines);
	report_end(inname, o, st, t0);
	if (fs.lp)
		linepool_close(fs.lp);
	else
		lr_close(fs.lr);
	if (reject_close(&fs.rejects) < 0 && status == 0)
		status = EX_FLOW_IOERR;
	if (status == 0 && st->rejected)
		status = EX_FLOW_DATAERR;
	return status;
}
