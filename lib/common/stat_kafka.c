/* The figures of a Kafka topic (flowstat.h): each partition's low and
   high watermarks, each group's committed offsets (OffsetFetch, one
   handle a group since the group is a handle's), and the times of the
   records at the edges, fetched one a partition. Summed over the
   partitions; offsets count records, as the file broker's do. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "broker_kafka.h"
#include "ce.h"
#include "flowstat.h"
#include "kafka_record.h"
#include "rfc3339.h"
#include "uri.h"
#include "util.h"

#define WAIT_MS 10000

struct topic {
	rd_kafka_t *rk;
	const char *name;
	int n;                 /* partitions */
	int64_t *lo, *hi;      /* watermarks */
};

static rd_kafka_t *
handle(const struct flow_url *u, const struct broker_opts *o, const char *group, int *status)
{
	static const char *const defaults[] = { "enable.auto.commit=false", "log_level=3",
		"enable.partition.eof=true" };
	rd_kafka_conf_t *conf = kafka_conf(u, o, defaults, sizeof defaults / sizeof defaults[0], status);
	char errstr[512];
	rd_kafka_t *rk;

	if (!conf)
		return NULL;
	rd_kafka_conf_set(conf, "group.id", group ? group : "flow-stat", errstr, sizeof errstr);
	if (!(rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr))) {
		warnmsg("kafka: %s", errstr);
		*status = EX_FLOW_CONFIG;
	}
	return rk;
}

/* The time of the event in record m, or STAT_UNKNOWN. */
static int64_t
record_time(const rd_kafka_message_t *m, char *buf, size_t cap)
{
	const struct json_span *t;
	struct ce_event ev;
	const char *line, *why;
	size_t len;
	int64_t ns;

	if (kafka_event_line(m, buf, cap, &line, &len, &ev, &why) < 0 || !(t = ce_get(&ev, "time", 4)) ||
	    t->type != JSON_STRING || rfc3339_parse(t->p + 1, t->len - 2, &ns) < 0)
		return STAT_UNKNOWN;
	return ns;
}

/* The times of the records at offsets[p] (-1: none wanted), or of the
   first after it when it is gone, into times[p]. */
static void
times_at(const struct topic *t, const int64_t *offsets, int64_t *times)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(t->n);
	int64_t deadline = clock_ms() + WAIT_MS;
	size_t cap = 2 * CE_LINE_MAX + 4096;
	char *buf = xmalloc(cap), *done = xcalloc(t->n, 1);
	rd_kafka_message_t *m;
	int p, left = 0;

	for (p = 0; p < t->n; p++) {
		times[p] = STAT_UNKNOWN;
		if (offsets[p] < 0)
			done[p] = 1;
		else {
			rd_kafka_topic_partition_list_add(l, t->name, p)->offset = offsets[p];
			left++;
		}
	}
	rd_kafka_assign(t->rk, l);
	while (left > 0 && clock_ms() < deadline) {
		if (!(m = rd_kafka_consumer_poll(t->rk, 100)))
			continue;
		p = m->partition;
		if (p >= 0 && p < t->n && !done[p] &&
		    (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF || (!m->err && m->offset >= offsets[p]))) {
			if (!m->err)
				times[p] = record_time(m, buf, cap);
			done[p] = 1;
			left--;
		}
		rd_kafka_message_destroy(m);
	}
	rd_kafka_assign(t->rk, NULL);
	rd_kafka_topic_partition_list_destroy(l);
	free(done);
	free(buf);
}

/* The oldest (newest when newest is set) of the n times known. */
static int64_t
edge(const int64_t *times, int n, int newest)
{
	int64_t e = STAT_UNKNOWN;
	int p;

	for (p = 0; p < n; p++)
		if (times[p] != STAT_UNKNOWN && (e == STAT_UNKNOWN || (newest ? times[p] > e : times[p] < e)))
			e = times[p];
	return e;
}

/* Watermarks, events and the times at both ends. */
static int
stat_partitions(struct topic *t, struct flow_stat *st)
{
	int64_t *at = xcalloc(t->n, sizeof *at), *times = xcalloc(t->n, sizeof *times);
	rd_kafka_resp_err_t err;
	int p, status = 0;

	for (p = 0; p < t->n && !status; p++) {
		if ((err = rd_kafka_query_watermark_offsets(t->rk, t->name, p, &t->lo[p], &t->hi[p], WAIT_MS))) {
			warnmsg("kafka: %s: partition %d: %s", t->name, p, rd_kafka_err2str(err));
			status = EX_FLOW_UNAVAILABLE;
		}
		st->parts[p].first = (uint64_t)t->lo[p];
		st->parts[p].next = (uint64_t)t->hi[p];
		st->first += (uint64_t)t->lo[p];
		st->next += (uint64_t)t->hi[p];
	}
	if (!status) {
		st->events = st->next - st->first;
		for (p = 0; p < t->n; p++)
			at[p] = t->hi[p] > t->lo[p] ? t->lo[p] : -1;
		times_at(t, at, times);
		st->oldest_ns = edge(times, t->n, 0);
		for (p = 0; p < t->n; p++)
			at[p] = t->hi[p] > t->lo[p] ? t->hi[p] - 1 : -1;
		times_at(t, at, times);
		st->newest_ns = edge(times, t->n, 1);
	}
	free(at);
	free(times);
	return status;
}

/* The group's committed offsets: 0 and g filled, 1 when it has none on
   the topic, or an exit status. */
static int
stat_group(const struct flow_url *u, const struct broker_opts *o, const struct topic *t,
    const char *name, int64_t now_ns, struct group_stat *g)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(t->n);
	int64_t *at = xcalloc(t->n, sizeof *at), *times = xcalloc(t->n, sizeof *times), c, oldest;
	rd_kafka_resp_err_t err;
	int p, status = 0, any = 0;
	rd_kafka_t *rk;

	for (p = 0; p < t->n; p++)
		rd_kafka_topic_partition_list_add(l, t->name, p);
	if (!(rk = handle(u, o, name, &status)))
		goto done;
	if ((err = rd_kafka_committed(rk, l, WAIT_MS))) {
		warnmsg("kafka: %s: group %s: %s", t->name, name, rd_kafka_err2str(err));
		status = EX_FLOW_UNAVAILABLE;
		goto done;
	}
	g->part_offset = xcalloc(t->n ? t->n : 1, sizeof *g->part_offset);
	g->part_lag = xcalloc(t->n ? t->n : 1, sizeof *g->part_lag);
	for (p = 0; p < t->n; p++) {
		c = l->elems[p].offset;
		any |= c >= 0;
		c = c < t->lo[p] ? t->lo[p] : c;  /* none committed, or gone: from the oldest held */
		g->part_offset[p] = (uint64_t)c;
		g->part_lag[p] = c < t->hi[p] ? (uint64_t)(t->hi[p] - c) : 0;
		g->offset += g->part_offset[p];
		g->lag += g->part_lag[p];
		at[p] = c < t->hi[p] ? c : -1;
	}
	if (!any)
		status = 1;
	else if (g->lag) {
		times_at(t, at, times);
		oldest = edge(times, t->n, 0);
		g->age_ns = oldest == STAT_UNKNOWN ? STAT_UNKNOWN : now_ns - oldest;
	}
done:
	if (rk)
		rd_kafka_destroy(rk);
	rd_kafka_topic_partition_list_destroy(l);
	free(at);
	free(times);
	return status;
}

/* The groups the cluster knows of that q lists, malloc'd: their count,
   or -1 when it cannot tell (the protocol's ListGroups unanswered). */
static int
group_list(rd_kafka_t *rk, const struct stat_query *q, char ***names)
{
	const struct rd_kafka_group_list *gl;
	rd_kafka_resp_err_t err;
	int i, n;

	*names = NULL;
	if ((err = rd_kafka_list_groups(rk, NULL, &gl, WAIT_MS))) {
		warnmsg("kafka: cannot list the consumer groups (%s): name them with -g", rd_kafka_err2str(err));
		return -1;
	}
	*names = xcalloc(gl->group_cnt + 1, sizeof **names);
	for (i = n = 0; i < gl->group_cnt; i++)
		if (stat_group_listed(q, gl->groups[i].group))
			(*names)[n++] = xstrdup(gl->groups[i].group);
	rd_kafka_group_list_destroy(gl);
	return n;
}

static int
stat_groups(const struct flow_url *u, const struct broker_opts *o, const struct topic *t,
    const struct stat_query *q, struct flow_stat *st)
{
	char **names = q->groups;
	int i, n = q->ngroups ? q->ngroups : group_list(t->rk, q, &names), s, status = 0;
	struct group_stat *g;

	st->groups = xcalloc(n > 0 ? n : 1, sizeof *st->groups);
	for (i = 0; i < n && status == 0; i++) {
		g = &st->groups[st->ngroups];
		memset(g, 0, sizeof *g);
		if ((s = stat_group(u, o, t, names[i], q->now_ns, g)) == 0) {
			g->name = xstrdup(names[i]);
			st->ngroups++;
		} else {
			free(g->part_offset);
			free(g->part_lag);
			if (s == 1 && q->ngroups) {
				warnmsg("%s: no group %s", t->name, names[i]);
				st->missing_groups++;
			} else if (s != 1)
				status = s;
		}
	}
	if (!q->ngroups) {
		for (i = 0; i < n; i++)
			free(names[i]);
		free(names);
	}
	return status;
}

int
stat_kafka(const struct flow_url *u, const struct broker_opts *o, const struct stat_query *q,
    struct flow_stat *st)
{
	struct topic t = { .name = u->name };
	int status = 0;

	st->oldest_ns = st->newest_ns = STAT_UNKNOWN;
	st->bytes_unknown = 1;
	st->retain_seconds = st->retain_segments = st->retain_events = -1;
	if (!(t.rk = handle(u, o, NULL, &status)))
		return status;
	if ((t.n = kafka_partition_count(t.rk, t.name, &status)) >= 0) {
		t.lo = xcalloc(t.n ? t.n : 1, sizeof *t.lo);
		t.hi = xcalloc(t.n ? t.n : 1, sizeof *t.hi);
		st->parts = xcalloc(t.n ? t.n : 1, sizeof *st->parts);
		st->nparts = t.n;
		if ((status = stat_partitions(&t, st)) == 0)
			status = stat_groups(u, o, &t, q, st);
		free(t.lo);
		free(t.hi);
	}
	rd_kafka_destroy(t.rk);
	return status;
}
