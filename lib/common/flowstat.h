/* flowstat: what flow-stat reports of a flow, without reading its log:
   the events it holds, their offsets and times, its retention, and how
   far behind each consumer group is. A gatherer per broker kind fills a
   struct flow_stat (stat_file.c, stat_kafka.c); this module writes it as
   key=value lines, JSON or the Prometheus text format, and judges it
   against thresholds as a monitoring plugin does. */
#ifndef FLOW_FLOWSTAT_H
#define FLOW_FLOWSTAT_H

#include <stdint.h>
#include <stdio.h>

#define STAT_UNKNOWN INT64_MIN   /* a time or an age nobody can tell */

struct group_stat {
	char *name;
	uint64_t offset;    /* of the next record the group reads */
	uint64_t lag;       /* records held that it has not read */
	int64_t age_ns;     /* how long ago its oldest unread event happened */
	uint64_t *part_offset, *part_lag;   /* the same for each partition */
};

/* A partition's offsets (a file flow has one, partition 0). */
struct part_stat {
	uint64_t first, next;
};

struct flow_stat {
	const char *url;
	uint64_t events, bytes, first, next;   /* first: the oldest offset held */
	int bytes_unknown;                     /* the broker does not tell (Kafka) */
	int64_t oldest_ns, newest_ns;          /* event times, or STAT_UNKNOWN */
	int64_t retain_seconds, retain_segments;   /* -1: not limited so */
	int64_t retain_events;                     /* at least so many kept; -1 */
	struct part_stat *parts;
	int nparts;
	struct group_stat *groups;
	size_t ngroups;
	int missing_groups;    /* of those asked for, how many there are not */
};

/* What a gatherer is asked: the groups named (all there are when none,
   or those whose names start with prefix unless it is NULL: the agent's
   DESCRIBE lists one user's), and the time to measure ages from. */
struct stat_query {
	char **groups;
	int ngroups;
	const char *prefix;
	int64_t now_ns;
};

/* Is the group named so one of those q lists when it names none? */
int stat_group_listed(const struct stat_query *q, const char *name);

struct broker_opts;
struct flow_url;

/* The file flow of u (its directory) into st: 0, or 1 when there is no
   such flow, or another exit status, with a message on stderr. A group
   asked for that is not there is told of and counted in
   st->missing_groups. Each is the row's stat of its kind (brokers.h). */
int stat_file(const struct flow_url *u, const struct broker_opts *o, const struct stat_query *q,
    struct flow_stat *st);

/* The Kafka topic of u the same way: over its partitions, the sums of
   the watermarks, of each group's committed offsets and lags, and the
   oldest and newest of the times at the edges. Its size on disk and its
   retention are not told. */
int stat_kafka(const struct flow_url *u, const struct broker_opts *o, const struct stat_query *q,
    struct flow_stat *st);

/* The flow of u as its agent's DESCRIBE tells it (fnap(7)), over a
   session as FNAP_USER (else anonymous): the groups are that user's,
   told by their names; what DESCRIBE does not say is unknown (no
   partitions). The same returns, 77 when the agent refuses the flow. */
int stat_fnap(const struct flow_url *u, const struct broker_opts *o, const struct stat_query *q,
    struct flow_stat *st);

/* st as one partition, 0: the flow's offsets and each group's (a file
   flow, which has one; a flow its agent tells of as a whole). */
void stat_one_part(struct flow_stat *st);

void flow_stat_free(struct flow_stat *st);

/* st as key=value lines (a group's lines after its "group=" line), or as
   one JSON object on a line; with parts, each partition's too. */
void stat_write_text(FILE *f, const struct flow_stat *st, int parts);
void stat_write_json(FILE *f, const struct flow_stat *st, int parts);

/* The n flows in the Prometheus text exposition format: each metric once,
   HELP and TYPE first, a sample per flow (and group); with parts, the
   partitions' offsets and lags as metrics of their own. */
void stat_write_prometheus(FILE *f, const struct flow_stat *st, size_t n, int parts);

/* Thresholds of --check; -1 where none is set. */
struct stat_limits {
	int64_t warn_lag, crit_lag, warn_age_ns, crit_age_ns;
};

/* The monitoring-plugins verdict over the n flows, unknown more things
   asked for (flows or groups) being unreadable or not there: one status
   line on f; returns 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
int stat_check(FILE *f, const struct flow_stat *st, size_t n, size_t unknown,
    const struct stat_limits *lim);

#endif
