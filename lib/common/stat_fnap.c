/* The figures of a flow served over FNAP (flowstat.h), as its agent's
   DESCRIBE tells them: one session, one command. The lines DESCRIBE has
   always written (flow=, type=, ...) are passed over; so are keys this
   program does not know, which a later agent may add. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "broker_fnap.h"
#include "file_read.h"
#include "flowstat.h"
#include "rfc3339.h"
#include "uri.h"
#include "util.h"

#define LINES_MAX 65536   /* of an answer: a hostile agent's are not kept without end */
#define GROUP_PREFIX "group."

static int
count_value(const char *v, uint64_t *out)
{
	int64_t n;

	if (parse_int64(v, 0, INT64_MAX, &n) < 0)
		return -1;
	*out = (uint64_t)n;
	return 0;
}

/* Seconds with up to three decimals ("12.345") into nanoseconds. */
static int
age_value(const char *v, int64_t *ns)
{
	char *end;
	double s = strtod(v, &end);

	if (end == v || *end || !(s >= 0 && s < 9e9))
		return -1;
	*ns = (int64_t)(s * 1e9 + 0.5);
	return 0;
}

/* The group of a "group.<name>.<what>" key, added to st when new, and
   *what; NULL when the name is not one flow-stat takes (group_name_check). */
static struct group_stat *
group_of(struct flow_stat *st, const char *key, const char **what)
{
	const char *name = key + strlen(GROUP_PREFIX), *dot = strrchr(name, '.');
	char *n;
	size_t i;

	if (!dot)
		return NULL;
	n = xstrndup(name, (size_t)(dot - name));
	for (i = 0; i < st->ngroups && strcmp(st->groups[i].name, n) != 0; i++)
		;
	if (i == st->ngroups && group_name_check(n) == 0) {
		st->groups = xrealloc(st->groups, (i + 1) * sizeof *st->groups);
		memset(&st->groups[i], 0, sizeof st->groups[i]);
		st->groups[i].name = n;
		st->groups[i].age_ns = STAT_UNKNOWN;
		st->ngroups++;
	} else
		free(n);
	*what = dot + 1;
	return i < st->ngroups ? &st->groups[i] : NULL;
}

static int
group_line(struct flow_stat *st, const char *key, const char *v)
{
	struct group_stat *g;
	const char *what;

	if (!(g = group_of(st, key, &what)))
		return 0;   /* a name no -g could ask for: passed over */
	if (strcmp(what, "offset") == 0)
		return count_value(v, &g->offset);
	if (strcmp(what, "lag") == 0)
		return count_value(v, &g->lag);
	if (strcmp(what, "age") == 0)
		return age_value(v, &g->age_ns);
	return 0;
}

/* One line of the answer into st, *held once it says how many events
   the flow holds: 0, or -1 for a value that is not one. */
static int
told_line(struct flow_stat *st, char *line, int *held)
{
	char *v = strchr(line, '=');

	if (!v)
		return 0;
	*v++ = '\0';
	if (strcmp(line, "events") == 0) {
		*held = 1;
		return count_value(v, &st->events);
	}
	if (strcmp(line, "bytes") == 0) {
		st->bytes_unknown = 0;
		return count_value(v, &st->bytes);
	}
	if (strcmp(line, "first-offset") == 0)
		return count_value(v, &st->first);
	if (strcmp(line, "next-offset") == 0)
		return count_value(v, &st->next);
	if (strcmp(line, "oldest") == 0)
		return rfc3339_parse(v, strlen(v), &st->oldest_ns);
	if (strcmp(line, "newest") == 0)
		return rfc3339_parse(v, strlen(v), &st->newest_ns);
	if (strcmp(line, "retain-seconds") == 0)
		return parse_int64(v, 0, INT64_MAX, &st->retain_seconds);
	if (strcmp(line, "retain-segments") == 0)
		return parse_int64(v, 0, INT64_MAX, &st->retain_segments);
	if (strcmp(line, "retain-events") == 0)
		return parse_int64(v, 0, INT64_MAX, &st->retain_events);
	if (strncmp(line, GROUP_PREFIX, strlen(GROUP_PREFIX)) == 0)
		return group_line(st, line, v);
	return 0;
}

/* A DATA block's lines into st up to its closing reply: that reply's
   code and *text; -1 with the reason in cl->why; 0 after a message. */
static int
body(struct fnap_client *cl, const char *flow, struct flow_stat *st, int *held, const char **text)
{
	int code, lines;
	char *line;
	size_t len;

	for (lines = 0; lines <= LINES_MAX; lines++) {
		if (fnap_client_line(cl, &line, &len) < 0)
			return -1;
		if ((code = fnap_reply_code(line, text)) > 0)
			return code;
		if (told_line(st, line, held) < 0) {
			warnmsg("%s: DESCRIBE %s: a bad value of %.40s", cl->host, flow, line);
			return 0;
		}
	}
	warnmsg("%s: DESCRIBE %s: more than %d lines", cl->host, flow, LINES_MAX);
	return 0;
}

/* DESCRIBE FLOW's answer into st: 0, or an exit status after a message. */
static int
describe(struct fnap_client *cl, const char *flow, struct flow_stat *st)
{
	const char *text;
	int code, held = 0;

	code = fnap_client_command(cl, &text, "DESCRIBE FLOW %s", flow);
	if (code == 220 && !fnap_client_is_data(text))
		warnmsg("%s: DESCRIBE %s: the agent answered 220 %s, not a DATA block", cl->host, flow, text);
	else if (code == 220 && (code = body(cl, flow, st, &held, &text)) == 0)
		return EX_FLOW_UNAVAILABLE;
	else if (code < 0)
		warnmsg("%s: DESCRIBE %s: %s", cl->host, flow, cl->why);
	else if (code != 220)
		warnmsg("%s: DESCRIBE %s: %d %s", cl->host, flow, code, text);
	else if (!held)
		warnmsg("%s: DESCRIBE %s: the agent does not say what the flow holds", cl->host, flow);
	else
		return 0;
	return code > 220 ? fnap_client_status(code) : EX_FLOW_UNAVAILABLE;
}

/* Keep only the groups q names, in its order; those not told of are
   said and counted. */
static void
named_groups(const struct stat_query *q, struct flow_stat *st)
{
	struct group_stat *kept = xcalloc(q->ngroups, sizeof *kept);
	size_t i, n = 0;
	int j;

	for (j = 0; j < q->ngroups; j++) {
		for (i = 0; i < st->ngroups && strcmp(st->groups[i].name, q->groups[j]) != 0; i++)
			;
		if (i == st->ngroups) {
			warnmsg("%s: no group %s", st->url, q->groups[j]);
			st->missing_groups++;
			continue;
		}
		kept[n++] = st->groups[i];
		st->groups[i].name = NULL;   /* now kept's */
	}
	for (i = 0; i < st->ngroups; i++)
		free(st->groups[i].name);
	free(st->groups);
	st->groups = kept;
	st->ngroups = n;
}

int
stat_fnap(const struct flow_url *u, const struct broker_opts *o, const struct stat_query *q,
    struct flow_stat *st)
{
	struct fnap_client *cl;
	const char *text;
	int status;

	(void)o;
	st->oldest_ns = st->newest_ns = STAT_UNKNOWN;
	st->retain_seconds = st->retain_segments = st->retain_events = -1;
	st->bytes_unknown = 1;
	if (!(cl = fnap_broker_session(u, &status)))
		return status;
	status = describe(cl, u->name, st);
	if (status == 0 && q->ngroups)
		named_groups(q, st);
	/* DESCRIBE tells the flow as a whole (a Kafka flow's partitions summed) */
	if (status == 0)
		stat_one_part(st);
	fnap_client_command(cl, &text, "QUIT");
	fnap_client_close(cl);
	return status;
}
