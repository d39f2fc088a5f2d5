#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filter.h"
#include "linepool.h"
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
	/* attribute names as CloudEvents has them, [a-z0-9], any case */
	for (i = 0; c->attr[i]; i++) {
		if (c->attr[i] >= 'A' && c->attr[i] <= 'Z')
			c->attr[i] += 'a' - 'A';
		if (!((c->attr[i] >= 'a' && c->attr[i] <= 'z') || (c->attr[i] >= '0' && c->attr[i] <= '9'))) {
			free(c->attr);
			return -1;
		}
	}
	c->value = xstrdup(eq + 1);
	c->vlen = strlen(c->value);
	return 0;
}

void
filter_cond_free(struct filter_cond *c)
{
	free(c->attr);
	free(c->value);
}

/* The attribute as text: strings decoded (into scratch when they have
   escapes), other values as written. NULL when absent. */
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

/* The Subscriptions API's exact, prefix and suffix: case-sensitive string
   comparisons of the attribute's value. */
static int
conds_match(const struct filter_opts *o, const struct ce_event *ev, char *scratch)
{
	const struct filter_cond *c;
	const char *s;
	size_t len;
	int i;

	for (i = 0; i < o->nconds; i++) {
		c = &o->conds[i];
		if (!(s = attr_text(ev, c->attr, scratch, &len)) || c->vlen > len)
			return 0;
		switch (c->kind) {
		case DIALECT_EXACT:
			if (len != c->vlen || memcmp(s, c->value, len) != 0)
				return 0;
			break;
		case DIALECT_PREFIX:
			if (memcmp(s, c->value, c->vlen) != 0)
				return 0;
			break;
		case DIALECT_SUFFIX:
			if (memcmp(s + len - c->vlen, c->value, c->vlen) != 0)
				return 0;
			break;
		}
	}
	return 1;
}

int
filter_match(const struct filter_opts *o, struct filter_state *st, const struct ce_event *ev)
{
	enum cesql_error e;
	const char *msg;

	if (!st->scratch)
		st->scratch = xmalloc(2 * (size_t)CE_LINE_MAX);
	return conds_match(o, ev, st->scratch) && (!o->expr || cesql_match(o->expr, ev, &e, &msg));
}

/* Passed on already with the same (source, id)? Else remember it. */
static int
duplicate(const struct filter_opts *o, struct filter_state *st, const struct ce_event *ev)
{
	const char *src, *id;
	size_t slen, idlen;

	/* both are there: ce_parse checked */
	src = attr_text(ev, "source", st->scratch, &slen);
	id = attr_text(ev, "id", st->scratch + CE_LINE_MAX, &idlen);
	return dedupe_seen(o->dedupe, src, slen, id, idlen);
}

/* What filter_stream does before its input waits. */
struct idle {
	struct out *out;             /* NULL: nothing written as it comes (-c, -q) */
	struct filter_state *st;
};

static void
on_idle(void *ctx)
{
	struct idle *idle = ctx;
	struct filter_state *st = idle->st;

	if (idle->out)
		(void)out_flush(idle->out);
	progress_draw(&st->progress, st->read, st->rejected, st->bytes, st->size);
}

/* A line to stdout; 0, or 74 on an error other than EPIPE (which ends
   the run quietly). */
static int
emit(struct out *out, struct filter_state *st, const char *p, size_t n)
{
	if (out_line(out, p, n) == 0)
		return 0;
	st->gone = 1;
	if (errno == EPIPE)
		return 0;
	warnmsg("stdout: %s", strerror(errno));
	return EX_FLOW_IOERR;
}

/* --print: the value of the expression, and the error it raised. */
static int
print_value(struct out *out, const struct filter_opts *o, struct filter_state *st, const struct ce_event *ev,
    uint64_t lineno)
{
	struct cesql_value v;
	enum cesql_error e;
	const char *msg;
	size_t need;

	if ((e = cesql_eval_event(o->expr, ev, &v, &msg)) != CESQL_OK) {
		progress_end(&st->progress);
		warnmsg("event %" PRIu64 ": %s: %s", lineno, cesql_error_name(e), msg);
	}
	/* a string the expression made may be longer than the line */
	need = v.type == CESQL_STRING ? 6 * v.len + 16 : 16;
	if (need > st->jsonsize) {
		st->json = xrealloc(st->json, need);
		st->jsonsize = need;
	}
	return emit(out, st, st->json, cesql_value_json(&v, st->json));
}

int
filter_stream(int fd, const char *inname, struct out *out, const struct filter_opts *o,
    struct filter_state *st)
{
	struct line_reader *lr = lr_open(fd, CE_LINE_MAX);
	struct idle idle = { .out = o->count || o->quiet ? NULL : out, .st = st };
	struct ce_event ev;
	struct ce_error err;
	const char *line;
	size_t len;
	int r, status = 0;

	if (!st->scratch)
		st->scratch = xmalloc(2 * (size_t)CE_LINE_MAX);
	lr_set_long_sink(lr, reject_fd(st->rejects));
	lr_stop_on_signal(lr);
	lr_set_idle(lr, on_idle, &idle);
	while (!st->done && !st->gone && !stop_requested) {
		r = lr_next(lr, &line, &len);
		if (r == LR_EOF || (r == LR_ERROR && errno == EINTR))
			break;
		if (r == LR_ERROR) {
			warnmsg("%s: %s", inname, strerror(errno));
			status = EX_FLOW_IOERR;
			break;
		}
		st->bytes += len + 1;  /* a long line's rest is not counted: it only comes short */
		progress_update(&st->progress, st->read, st->rejected, st->bytes, st->size);
		if (r == LR_LONG) {
			progress_end(&st->progress);
			warnmsg("%s: line %" PRIu64 ": longer than %d bytes", inname, lr_lineno(lr), CE_LINE_MAX);
			st->rejected++;
			reject_head(st->rejects, line, len);
			continue;
		}
		if (ce_parse(&ev, line, len, 0, &err) < 0) {
			progress_end(&st->progress);
			warnmsg("%s: line %" PRIu64 ": %s", inname, lr_lineno(lr), err.msg);
			st->rejected++;
			reject_line(st->rejects, line, len);
			continue;
		}
		st->read++;
		if (o->print) {
			if ((status = print_value(out, o, st, &ev, lr_lineno(lr))) != 0)
				break;
			continue;
		}
		if (filter_match(o, st, &ev) == o->invert || (o->dedupe && duplicate(o, st, &ev)))
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

#define OUT_BYTES (256 * 1024)

/* The bytes left to read of the inputs named, when every one is a regular
   file; 0 (no percent) otherwise. */
static uint64_t
inputs_size(char *const *files, int nfiles)
{
	struct stat sb;
	uint64_t size = 0;
	int i;

	if (nfiles == 0)
		return progress_input_size(STDIN_FILENO);
	for (i = 0; i < nfiles; i++) {
		if (strcmp(files[i], "-") == 0)
			sb.st_size = progress_input_size(STDIN_FILENO);
		else if (stat(files[i], &sb) < 0 || !S_ISREG(sb.st_mode))
			return 0;
		if (sb.st_size == 0)
			return 0;
		size += sb.st_size;
	}
	return size;
}

/* --verbose: the counts and the rate since t0 (the live line erased first). */
static void
report_end(struct filter_state *st, int64_t t0)
{
	double secs = (clock_ms() - t0) / 1e3;

	progress_end(&st->progress);
	warnmsg("%" PRIu64 " events read, %" PRIu64 " passed, %" PRIu64 " lines rejected, in %.3f s (%.0f events/s)",
	    st->read, st->matched, st->rejected, secs, secs > 0 ? st->read / secs : 0.0);
}

/* A thread's own filter: a compiled expression keeps its evaluation's
   arena and message, so each thread compiles the text again. */
struct filter_work {
	struct filter_opts o;
	struct filter_state st;
	struct ce_event ev;
	int ready;
};

static int
filter_line(void *ctx, void *work, const char *line, size_t len, const char **out, size_t *outlen,
    char *why, size_t whysize)
{
	const struct filter_opts *o = ctx;
	struct filter_work *w = work;
	struct cesql_parse_error perr;
	struct ce_error err;

	if (!w->ready) {
		w->o = *o;
		/* it compiled once already, in the calling thread */
		if (o->expr && !(w->o.expr = cesql_compile_filter(o->expr_text, &perr)))
			die(EX_FLOW_SOFTWARE, "parse: column %zu: %s", perr.column, perr.msg);
		w->ready = 1;
	}
	if (ce_parse(&w->ev, line, len, 0, &err) < 0) {
		snprintf(why, whysize, "%s", err.msg);
		return LP_REJECT;
	}
	if (filter_match(&w->o, &w->st, &w->ev) == o->invert)
		return LP_DROP;
	*out = line;
	*outlen = len;
	return LP_PASS;
}

static void
filter_work_free(void *work)
{
	struct filter_work *w = work;

	if (w->ready && w->o.expr)
		cesql_free(w->o.expr);
	filter_state_free(&w->st);
}

/* Whether the lines can be checked on several threads: nothing asks for
   one event after the other (--print's warnings, --dedupe, -c, -q, -m,
   --verbose's live line) and there is one input. */
static int
pooled(const struct filter_opts *o, int nfiles)
{
	return o->threads > 1 && nfiles <= 1 && !o->print && !o->dedupe && !o->count && !o->quiet &&
	    !o->max && !o->verbose;
}

/* filter_run on a pool of threads (lib/common/linepool), the same
   messages, output and exit statuses. */
static int
filter_run_pooled(const struct filter_opts *o, const char *file)
{
	struct linepool_opts lo = { .threads = o->threads, .reject_path = o->reject_path,
		.fn = filter_line, .ctx = (void *)o, .worksize = sizeof(struct filter_work),
		.work_free = filter_work_free, .inname = "stdin" };
	struct linepool_counts counts;
	int status;

	if (file && strcmp(file, "-") != 0) {
		if ((lo.in = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
			warnmsg("%s: %s", file, strerror(errno));
			return EX_FLOW_IOERR;
		}
		lo.inname = file;
	}
	status = linepool_run(&lo, &counts);
	if (lo.in != STDIN_FILENO)
		close(lo.in);
	if (status)
		return status;
	return counts.passed ? EX_FLOW_OK : EX_FLOW_NEGATIVE;
}

int
filter_run(const struct filter_opts *o, char *const *files, int nfiles)
{
	struct reject rejects;
	struct filter_state st = { .rejects = &rejects };
	struct out *out;
	const char *name;
	int i, fd, r, status = 0;
	int64_t t0 = clock_ms();
	char count[32];

	if (pooled(o, nfiles))
		return filter_run_pooled(o, nfiles ? files[0] : NULL);
	if (reject_open(&rejects, o->reject_path) < 0)
		return EX_FLOW_IOERR;
	progress_start(&st.progress, stderr, o->verbose);
	if (st.progress.on)
		st.size = inputs_size(files, nfiles);
	out = out_open(STDOUT_FILENO, OUT_BYTES);
	for (i = 0; i == 0 || i < nfiles; i++) {
		name = i < nfiles ? files[i] : "-";
		if (strcmp(name, "-") == 0) {
			fd = STDIN_FILENO;
			name = "stdin";
		} else if ((fd = open(name, O_RDONLY | O_CLOEXEC)) < 0) {
			warnmsg("%s: %s", name, strerror(errno));
			status = EX_FLOW_IOERR;
			continue;
		}
		r = filter_stream(fd, name, out, o, &st);
		if (fd != STDIN_FILENO)
			close(fd);
		if (r && !status)
			status = r;
		if (st.done || st.gone || stop_requested)
			break;
	}
	if (o->verbose)
		report_end(&st, t0);
	if (o->count && !st.gone &&
	    (r = emit(out, &st, count, snprintf(count, sizeof count, "%" PRIu64, st.matched))) && !status)
		status = r;
	if (out_close(out) < 0 && errno != EPIPE && !st.gone) {
		warnmsg("stdout: %s", strerror(errno));
		status = EX_FLOW_IOERR;
	}
	if (reject_close(&rejects) < 0)
		status = EX_FLOW_IOERR;
	filter_state_free(&st);
	/* like grep -q, a match found is success whatever came before it */
	if (o->quiet && st.matched)
		return EX_FLOW_OK;
	if (status)
		return status;
	if (st.rejected)
		return EX_FLOW_DATAERR;
	return st.matched || o->print ? EX_FLOW_OK : EX_FLOW_NEGATIVE;
}

void
filter_state_free(struct filter_state *st)
{
	free(st->scratch);
	free(st->json);
	st->scratch = st->json = NULL;
	st->jsonsize = 0;
}
