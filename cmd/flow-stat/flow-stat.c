/* flow-stat: how much a flow holds and how far behind its consumer groups
   are, without reading it; as key=value lines, JSON, Prometheus metrics or
   a monitoring-plugins check. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "brokers.h"
#include "file_read.h"
#include "flowstat.h"
#include "rfc3339.h"
#include "uri.h"
#include "util.h"

static const char synopsis[] =
    "usage: flow-stat [-p] [-j | --prometheus | --check [--warn-lag N] [--crit-lag N]\n"
    "                 [--warn-age DURATION] [--crit-age DURATION]] [-g GROUP]...\n"
    "                 [-X KEY=VALUE] [-F FILE] URL...";

static const char help[] =
    "Tell what each flow holds and how far behind its consumer groups are.\n"
    "\n"
    "  -g, --group GROUP      only this group (repeatable; default: every group)\n"
    "  -j, --json             one JSON object a flow\n"
    "  -p, --partitions       each partition's offsets and lags too\n"
    "      --prometheus       the Prometheus text format (node_exporter's textfile collector)\n"
    "      --check            one status line, as a monitoring plugin:\n"
    "      --warn-lag N       WARNING when a group is more than N events behind\n"
    "      --crit-lag N       CRITICAL when more than N\n"
    "      --warn-age DURATION  WARNING when a group's oldest unread event is older\n"
    "      --crit-age DURATION  CRITICAL when older (DURATION: N, Ns, Nm, Nh or Nd)\n"
    "  -X KEY=VALUE           librdkafka property (kafka flows), repeatable\n"
    "  -F FILE                librdkafka properties, one KEY=VALUE a line\n"
    "  -h, --help             this help\n"
    "  -V, --version          version\n"
    "\n"
    "Exit: 0 done, 1 no such flow or group, 64 usage, 74 unreadable;\n"
    "with --check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n";

enum format { FMT_TEXT, FMT_JSON, FMT_PROMETHEUS, FMT_CHECK };

/* The figures of one flow named on the command line into st. */
static int
gather(const char *arg, const struct broker_opts *o, const struct stat_query *q, struct flow_stat *st)
{
	const struct broker_kind *k;
	struct flow_url u;
	int status;

	memset(st, 0, sizeof *st);
	st->url = arg;
	/* a flow:// name is read where flow-sub would read it */
	if (!(k = broker_url_open(arg, &u, &status)))
		return status;
	if (k->stat)
		status = k->stat(&u, o, q, st);
	else {
		warnmsg("%s: %s flows are not told of yet", arg, k->name);
		status = EX_FLOW_UNAVAILABLE;
	}
	url_free(&u);
	return status;
}

static int64_t
number_arg(const char *opt, const char *arg)
{
	int64_t v;

	if (parse_int64(arg, 0, INT64_MAX, &v) < 0)
		usage_exit(synopsis, opt);
	return v;
}

static int64_t
duration_arg(const char *opt, const char *arg)
{
	int64_t v;

	if (duration_parse(arg, &v) < 0)
		usage_exit(synopsis, opt);
	return v;
}

/* Write the flows gathered; the exit status. */
static int
report(enum format fmt, int parts, struct flow_stat *st, size_t n, size_t failed, int status,
    const struct stat_limits *lim)
{
	size_t i;

	if (fmt == FMT_CHECK)
		return stat_check(stdout, st, n, failed, lim);
	if (fmt == FMT_PROMETHEUS)
		stat_write_prometheus(stdout, st, n, parts);
	for (i = 0; fmt != FMT_PROMETHEUS && i < n; i++) {
		if (fmt == FMT_JSON)
			stat_write_json(stdout, &st[i], parts);
		else
			stat_write_text(stdout, &st[i], parts);
	}
	return status;
}

int
main(int argc, char **argv)
{
	enum { OPT_PROM = 256, OPT_CHECK, OPT_WARN_LAG, OPT_CRIT_LAG, OPT_WARN_AGE, OPT_CRIT_AGE };
	static const struct option longopts[] = {
		{ "group", required_argument, NULL, 'g' },
		{ "json", no_argument, NULL, 'j' },
		{ "partitions", no_argument, NULL, 'p' },
		{ "prometheus", no_argument, NULL, OPT_PROM },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "warn-lag", required_argument, NULL, OPT_WARN_LAG },
		{ "crit-lag", required_argument, NULL, OPT_CRIT_LAG },
		{ "warn-age", required_argument, NULL, OPT_WARN_AGE },
		{ "crit-age", required_argument, NULL, OPT_CRIT_AGE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct stat_limits lim = { -1, -1, -1, -1 };
	struct stat_query q = { 0 };
	struct broker_opts bo = { 0 };
	enum format fmt = FMT_TEXT;
	struct flow_stat *st;
	size_t n = 0, failed = 0;
	int c, i, s, status = 0, parts = 0;

	util_init(argv[0]);
	q.groups = xcalloc(argc, sizeof *q.groups);
	while ((c = getopt_long(argc, argv, "g:jpX:F:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'g':
			if (group_name_check(optarg) < 0)
				usage_exit(synopsis, "-g: a group is 1-128 of A-Z a-z 0-9 . _ -, not starting with '.'");
			q.groups[q.ngroups++] = optarg;
			break;
		case 'j': fmt = FMT_JSON; break;
		case 'p': parts = 1; break;
		case 'X':
			if (broker_prop_add(&bo, optarg) < 0)
				exit_flushed(EX_FLOW_USAGE);
			break;
		case 'F':
			if (broker_prop_file(&bo, optarg) < 0)
				exit_flushed(EX_FLOW_CONFIG);
			break;
		case OPT_PROM: fmt = FMT_PROMETHEUS; break;
		case OPT_CHECK: fmt = FMT_CHECK; break;
		case OPT_WARN_LAG: lim.warn_lag = number_arg("--warn-lag: not a number of events", optarg); break;
		case OPT_CRIT_LAG: lim.crit_lag = number_arg("--crit-lag: not a number of events", optarg); break;
		case OPT_WARN_AGE: lim.warn_age_ns = duration_arg("--warn-age: not a duration", optarg); break;
		case OPT_CRIT_AGE: lim.crit_age_ns = duration_arg("--crit-age: not a duration", optarg); break;
		case 'h': printf("%s\n\n%s", synopsis, help); exit_flushed(EX_FLOW_OK);
		case 'V': print_version();
		default: usage_exit(synopsis, NULL);
		}
	}
	if (optind == argc)
		usage_exit(synopsis, "no flow named");
	if (fmt != FMT_CHECK && (lim.warn_lag >= 0 || lim.crit_lag >= 0 || lim.warn_age_ns >= 0 ||
	    lim.crit_age_ns >= 0))
		usage_exit(synopsis, "thresholds are for --check");
	q.now_ns = clock_real_ns();
	st = xcalloc(argc - optind, sizeof *st);
	for (i = optind; i < argc; i++) {
		/* a flow that cannot be read is told of on stderr and left out */
		if ((s = gather(argv[i], &bo, &q, &st[n])) != 0) {
			flow_stat_free(&st[n]);
			failed++;
		} else if (st[n++].missing_groups) {
			s = EX_FLOW_NEGATIVE;
			failed++;
		}
		if (s > status)
			status = s;
	}
	status = report(fmt, parts, st, n, failed, status, &lim);
	for (i = 0; (size_t)i < n; i++)
		flow_stat_free(&st[i]);
	free(st);
	free(q.groups);
	broker_opts_free(&bo);
	exit_flushed(status);
}
