#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "flowstat.h"
#include "json.h"
#include "monitoring.h"
#include "rfc3339.h"
#include "util.h"

void
stat_one_part(struct flow_stat *st)
{
	size_t i;

	st->nparts = 1;
	st->parts = xmalloc(sizeof *st->parts);
	st->parts[0].first = st->first;
	st->parts[0].next = st->next;
	for (i = 0; i < st->ngroups; i++) {
		st->groups[i].part_offset = xmalloc(sizeof *st->groups[i].part_offset);
		st->groups[i].part_lag = xmalloc(sizeof *st->groups[i].part_lag);
		st->groups[i].part_offset[0] = st->groups[i].offset;
		st->groups[i].part_lag[0] = st->groups[i].lag;
	}
}

void
flow_stat_free(struct flow_stat *st)
{
	size_t i;

	for (i = 0; i < st->ngroups; i++) {
		free(st->groups[i].name);
		free(st->groups[i].part_offset);
		free(st->groups[i].part_lag);
	}
	free(st->groups);
	free(st->parts);
	st->parts = NULL;
	st->groups = NULL;
	st->ngroups = 0;
}

int
stat_group_listed(const struct stat_query *q, const char *name)
{
	return !q->prefix || strncmp(name, q->prefix, strlen(q->prefix)) == 0;
}

/* A time as RFC 3339 text, "" when unknown. */
static const char *
time_text(int64_t ns, char buf[RFC3339_MAX])
{
	if (ns == STAT_UNKNOWN)
		return "";
	rfc3339_format(ns, buf);
	return buf;
}

void
stat_write_text(FILE *f, const struct flow_stat *st, int parts)
{
	char t[RFC3339_MAX];
	size_t i;
	int p;

	fprintf(f, "url=%s\nevents=%" PRIu64 "\n", st->url, st->events);
	if (st->bytes_unknown)
		fputs("bytes=\n", f);
	else
		fprintf(f, "bytes=%" PRIu64 "\n", st->bytes);
	fprintf(f, "first=%" PRIu64 "\nnext=%" PRIu64 "\n", st->first, st->next);
	fprintf(f, "oldest=%s\n", time_text(st->oldest_ns, t));
	fprintf(f, "newest=%s\n", time_text(st->newest_ns, t));
	if (st->retain_seconds >= 0)
		fprintf(f, "retain-seconds=%" PRId64 "\n", st->retain_seconds);
	if (st->retain_segments >= 0)
		fprintf(f, "retain-segments=%" PRId64 "\n", st->retain_segments);
	if (st->retain_events >= 0)
		fprintf(f, "retain-events=%" PRId64 "\n", st->retain_events);
	for (p = 0; parts && p < st->nparts; p++)
		fprintf(f, "partition=%d\nfirst=%" PRIu64 "\nnext=%" PRIu64 "\nevents=%" PRIu64 "\n", p,
		    st->parts[p].first, st->parts[p].next, st->parts[p].next - st->parts[p].first);
	for (i = 0; i < st->ngroups; i++) {
		const struct group_stat *g = &st->groups[i];

		fprintf(f, "group=%s\noffset=%" PRIu64 "\nlag=%" PRIu64 "\n", g->name, g->offset, g->lag);
		if (g->age_ns == STAT_UNKNOWN)
			fprintf(f, "age=\n");
		else
			fprintf(f, "age=%.3f\n", g->age_ns / 1e9);
		for (p = 0; parts && p < st->nparts; p++)
			fprintf(f, "partition=%d\noffset=%" PRIu64 "\nlag=%" PRIu64 "\n", p,
			    g->part_offset[p], g->part_lag[p]);
	}
}

static void
json_time(FILE *f, const char *key, int64_t ns)
{
	char t[RFC3339_MAX];

	fprintf(f, ",\"%s\":", key);
	if (ns == STAT_UNKNOWN)
		fputs("null", f);
	else
		fprintf(f, "\"%s\"", time_text(ns, t));
}

/* "retention": the bounds set, each key only when it is */
static void
json_retention(FILE *f, const struct flow_stat *st)
{
	const char *sep = "";

	fputs(",\"retention\":{", f);
	if (st->retain_seconds >= 0)
		fprintf(f, "\"seconds\":%" PRId64, st->retain_seconds), sep = ",";
	if (st->retain_segments >= 0)
		fprintf(f, "%s\"segments\":%" PRId64, sep, st->retain_segments), sep = ",";
	if (st->retain_events >= 0)
		fprintf(f, "%s\"events\":%" PRId64, sep, st->retain_events);
	fputs("}", f);
}

void
stat_write_json(FILE *f, const struct flow_stat *st, int parts)
{
	size_t i;
	int p;

	fputs("{\"url\":", f);
	json_write_string(f, st->url);
	fprintf(f, ",\"events\":%" PRIu64 ",\"bytes\":", st->events);
	if (st->bytes_unknown)
		fputs("null", f);
	else
		fprintf(f, "%" PRIu64, st->bytes);
	fprintf(f, ",\"first\":%" PRIu64 ",\"next\":%" PRIu64, st->first, st->next);
	json_time(f, "oldest", st->oldest_ns);
	json_time(f, "newest", st->newest_ns);
	json_retention(f, st);
	if (parts) {
		fputs(",\"partitions\":[", f);
		for (p = 0; p < st->nparts; p++)
			fprintf(f, "%s{\"partition\":%d,\"first\":%" PRIu64 ",\"next\":%" PRIu64 "}", p ? "," : "", p,
			    st->parts[p].first, st->parts[p].next);
		fputs("]", f);
	}
	fputs(",\"groups\":[", f);
	for (i = 0; i < st->ngroups; i++) {
		const struct group_stat *g = &st->groups[i];

		fprintf(f, "%s{\"group\":", i ? "," : "");
		json_write_string(f, g->name);
		fprintf(f, ",\"offset\":%" PRIu64 ",\"lag\":%" PRIu64 ",\"age\":", g->offset, g->lag);
		if (g->age_ns == STAT_UNKNOWN)
			fputs("null", f);
		else
			fprintf(f, "%.3f", g->age_ns / 1e9);
		if (parts) {
			fputs(",\"partitions\":[", f);
			for (p = 0; p < st->nparts; p++)
				fprintf(f, "%s{\"partition\":%d,\"offset\":%" PRIu64 ",\"lag\":%" PRIu64 "}",
				    p ? "," : "", p, g->part_offset[p], g->part_lag[p]);
			fputs("]", f);
		}
		fputs("}", f);
	}
	fputs("]}\n", f);
}

/* A label value: '\\', '"' and newline escaped, as the format asks. */
static void
label(FILE *f, const char *name, const char *value)
{
	fprintf(f, "%s=\"", name);
	for (; *value; value++) {
		if (*value == '\\' || *value == '"')
			fputc('\\', f);
		if (*value == '\n')
			fputs("\\n", f);
		else
			fputc(*value, f);
	}
	fputc('"', f);
}

/* The metrics of a flow: name, help, and where the value is. */
enum metric_value { M_EVENTS, M_BYTES, M_FIRST, M_NEXT, M_OLDEST, M_NEWEST, M_RETAIN_S, M_RETAIN_SEG,
	M_RETAIN_EV };

static const struct {
	const char *name, *help;
	enum metric_value v;
} flow_metrics[] = {
	{ "flow_events", "Events the flow holds.", M_EVENTS },
	{ "flow_size_bytes", "Bytes the flow's events take in the broker.", M_BYTES },
	{ "flow_first_offset", "Offset of the oldest event held.", M_FIRST },
	{ "flow_next_offset", "Offset the next event will get.", M_NEXT },
	{ "flow_oldest_event_timestamp_seconds", "Time of the oldest event held.", M_OLDEST },
	{ "flow_newest_event_timestamp_seconds", "Time of the newest event.", M_NEWEST },
	{ "flow_retention_seconds", "Age past which events are dropped.", M_RETAIN_S },
	{ "flow_retention_segments", "Segments kept, the newest.", M_RETAIN_SEG },
	{ "flow_retention_events", "Events kept at least, the newest.", M_RETAIN_EV },
};

/* The value of metric v for st into *out: 0, or -1 when it has none. */
static int
metric(const struct flow_stat *st, enum metric_value v, double *out)
{
	int64_t ns;

	switch (v) {
	case M_EVENTS: *out = (double)st->events; return 0;
	case M_BYTES: *out = (double)st->bytes; return st->bytes_unknown ? -1 : 0;
	case M_FIRST: *out = (double)st->first; return 0;
	case M_NEXT: *out = (double)st->next; return 0;
	case M_OLDEST: ns = st->oldest_ns; break;
	case M_NEWEST: ns = st->newest_ns; break;
	case M_RETAIN_S: *out = (double)st->retain_seconds; return st->retain_seconds < 0 ? -1 : 0;
	case M_RETAIN_SEG: *out = (double)st->retain_segments; return st->retain_segments < 0 ? -1 : 0;
	default: *out = (double)st->retain_events; return st->retain_events < 0 ? -1 : 0;
	}
	*out = ns / 1e9;
	return ns == STAT_UNKNOWN ? -1 : 0;
}

static void
group_family(FILE *f, const struct flow_stat *st, size_t n, int which)
{
	static const char *const names[] = { "flow_group_offset", "flow_group_lag_events",
		"flow_group_oldest_unread_age_seconds" };
	static const char *const helps[] = { "Offset of the next event the group reads.",
		"Events held that the group has not read.",
		"How long ago the oldest event the group has not read happened." };
	size_t i, j;

	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", names[which], helps[which], names[which]);
	for (i = 0; i < n; i++)
		for (j = 0; j < st[i].ngroups; j++) {
			const struct group_stat *g = &st[i].groups[j];

			if (which == 2 && g->age_ns == STAT_UNKNOWN)
				continue;
			fprintf(f, "%s{", names[which]);
			label(f, "flow", st[i].url);
			fputc(',', f);
			label(f, "group", g->name);
			if (which == 0)
				fprintf(f, "} %" PRIu64 "\n", g->offset);
			else if (which == 1)
				fprintf(f, "} %" PRIu64 "\n", g->lag);
			else
				fprintf(f, "} %.3f\n", g->age_ns / 1e9);
		}
}

/* The partitions' offsets (which 0, 1) and the groups' offsets and lags
   by partition (2, 3). */
static void
partition_family(FILE *f, const struct flow_stat *st, size_t n, int which)
{
	static const char *const names[] = { "flow_partition_first_offset", "flow_partition_next_offset",
		"flow_group_partition_offset", "flow_group_partition_lag_events" };
	static const char *const helps[] = { "Offset of the oldest event the partition holds.",
		"Offset the partition's next event will get.",
		"Offset of the next event the group reads in the partition.",
		"Events the partition holds that the group has not read." };
	size_t i, j;
	int p;

	fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", names[which], helps[which], names[which]);
	for (i = 0; i < n; i++)
		for (j = 0; j < (which < 2 ? 1 : st[i].ngroups); j++)
			for (p = 0; p < st[i].nparts; p++) {
				fprintf(f, "%s{", names[which]);
				label(f, "flow", st[i].url);
				if (which >= 2) {
					fputc(',', f);
					label(f, "group", st[i].groups[j].name);
				}
				fprintf(f, ",partition=\"%d\"} %" PRIu64 "\n", p,
				    which == 0 ? st[i].parts[p].first : which == 1 ? st[i].parts[p].next :
				    which == 2 ? st[i].groups[j].part_offset[p] : st[i].groups[j].part_lag[p]);
			}
}

void
stat_write_prometheus(FILE *f, const struct flow_stat *st, size_t n, int parts)
{
	size_t m, i;
	double v;

	for (m = 0; m < sizeof flow_metrics / sizeof flow_metrics[0]; m++) {
		fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", flow_metrics[m].name, flow_metrics[m].help,
		    flow_metrics[m].name);
		for (i = 0; i < n; i++)
			if (metric(&st[i], flow_metrics[m].v, &v) == 0) {
				fprintf(f, "%s{", flow_metrics[m].name);
				label(f, "flow", st[i].url);
				fprintf(f, "} %.17g\n", v);
			}
	}
	for (m = 0; m < 3; m++)
		group_family(f, st, n, (int)m);
	for (m = 0; parts && m < 4; m++)
		partition_family(f, st, n, (int)m);
}

int
stat_check(FILE *f, const struct flow_stat *st, size_t n, size_t unknown, const struct stat_limits *lim)
{
	uint64_t max_lag = 0;
	int64_t max_age = 0;
	size_t i, j, groups = 0;
	enum mon_state state = MON_OK, s;

	for (i = 0; i < n; i++)
		for (j = 0; j < st[i].ngroups; j++) {
			const struct group_stat *g = &st[i].groups[j];

			groups++;
			if (g->lag > max_lag)
				max_lag = g->lag;
			if (g->age_ns != STAT_UNKNOWN && g->age_ns > max_age)
				max_age = g->age_ns;
			if ((s = mon_level((int64_t)g->lag, lim->warn_lag, lim->crit_lag)) > state)
				state = s;
			if (g->age_ns != STAT_UNKNOWN &&
			    (s = mon_level(g->age_ns, lim->warn_age_ns, lim->crit_age_ns)) > state)
				state = s;
		}
	if (unknown)
		state = MON_UNKNOWN;
	fprintf(f, "FLOW %s - %zu flow%s, %zu group%s, %zu unknown, most lag %" PRIu64
	    " events, oldest unread %.3f s", mon_state_name(state), n, n == 1 ? "" : "s",
	    groups, groups == 1 ? "" : "s", unknown, max_lag, max_age / 1e9);
	fprintf(f, " | lag=%" PRIu64 ";", max_lag);
	mon_threshold(f, lim->warn_lag, 1, ";");
	mon_threshold(f, lim->crit_lag, 1, ";0");
	fprintf(f, " age=%.3fs;", max_age / 1e9);
	mon_threshold(f, lim->warn_age_ns, 1e9, ";");
	mon_threshold(f, lim->crit_age_ns, 1e9, ";0\n");
	return state;
}
