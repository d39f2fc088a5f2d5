#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "ce.h"
#include "out.h"
#include "progress.h"
#include "rfc3339.h"
#include "subscribe.h"
#include "util.h"

#define OUT_BYTES (256 * 1024)
#define COMMIT_EVERY_MS 1000   /* on a busy stream, commit at least this often */

/* 1 if the event's time is after the limit. */
static int
after(const struct record *rec, int64_t until_ns)
{
	struct ce_event scratch;
	const struct ce_event *ev = record_event(rec, &scratch);
	const struct json_span *t;
	int64_t ns;

	return ev && (t = ce_get(ev, "time", 4)) &&
	    t->type == JSON_STRING && rfc3339_parse(t->p + 1, t->len - 2, &ns) == 0 && ns > until_ns;
}

/* Write out what is buffered, then commit it. -1 when the reader has gone. */
static int
flush_commit(struct consumer *c, struct out *out, int *status)
{
	int r;

	if (out_flush(out) < 0) {
		if (errno != EPIPE) {
			warnmsg("stdout: %s", strerror(errno));
			*status = EX_FLOW_IOERR;
		}
		return -1;
	}
	if ((r = consumer_commit(c)) != 0 && *status == 0)
		*status = r;
	return 0;
}

/* -v: the counts and the rate since t0 (the live line erased first). No
   percent on the live line: where a flow ends is not known for every
   broker, and with -e it moves while it is read. */
static void
report_end(struct progress *p, const struct consumer *c, uint64_t n, int64_t t0)
{
	double secs = (clock_ms() - t0) / 1e3;

	progress_end(p);
	warnmsg("%" PRIu64 " events written, %" PRIu64 " rejected, in %.3f s (%.0f events/s)", n,
	    c->rejected, secs, secs > 0 ? n / secs : 0.0);
}

int
subscribe_stream(struct consumer *c, int fd, const struct subscribe_opts *o)
{
	struct out *out = out_open(fd, OUT_BYTES);
	struct record rec;
	struct progress progress;
	uint64_t n = 0;
	int64_t last_commit = clock_ms(), wait, t0 = last_commit;
	int r, status = 0;

	progress_start(&progress, stderr, o->verbose);
	while (!stop_requested) {
		wait = -1;
		if (out_pending(out))
			wait = 0;
		else if (o->until_ns) {
			/* past --until, read what is there but wait for nothing more */
			wait = (o->until_ns - clock_real_ns()) / 1000000;
			if (wait < 0)
				wait = 0;
		}
		r = c->ops->next(c, &rec, (int)(wait > 1000000 ? 1000000 : wait));
		if (r == 1) {
			if (o->until_ns && after(&rec, o->until_ns)) {
				c->ops->unread(c);
				break;
			}
			if (out_line(out, rec.line, rec.len) < 0)
				goto gone;
			if (++n == o->count)
				break;
			progress_update(&progress, n, c->rejected, 0, 0);
			if ((n & 1023) == 0 && clock_ms() - last_commit >= COMMIT_EVERY_MS) {
				if (flush_commit(c, out, &status) < 0)
					goto gone;
				last_commit = clock_ms();
			}
			continue;
		}
		if (r == 0) {
			if (out_pending(out) && flush_commit(c, out, &status) < 0)
				goto gone;
			last_commit = clock_ms();
			if (o->until_ns && clock_real_ns() >= o->until_ns && !out_pending(out))
				break;
			progress_draw(&progress, n, c->rejected, 0, 0);
			continue;
		}
		if (r == CONSUMER_ERROR)
			status = c->status;
		break;
	}
	(void)flush_commit(c, out, &status);
	/* the reader went away (| head): commit nothing more, end quietly */
gone:
	out_close(out);
	if (o->verbose)
		report_end(&progress, c, n, t0);
	return status;
}
