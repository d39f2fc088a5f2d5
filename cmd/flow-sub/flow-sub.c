/* flow-sub: a flow -> NDJSON CloudEvents on stdout. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "brokeropt.h"
#include "rfc3339.h"
#include "reject.h"
#include "subscribe.h"
#include "util.h"

static const char usage[] =
    "usage: flow-sub [-ev] [-o OFFSET] [-c COUNT] [-g GROUP] [--until TIME]\n"
    "                [--reject FILE] [-X KEY=VALUE] [-F FILE] URL\n";

static const char help[] =
    "Write the events of the flow at URL to stdout, one JSON line each.\n"
    "\n"
    "  -o, --offset OFFSET  beginning, end, stored, N, -N (N before the end) or\n"
    "                       @TIME (first event at or after TIME: RFC 3339, or\n"
    "                       -N with s, m, h or d, as -10m);\n"
    "                       default: the group's stored offset, else the end\n"
    "  -e, --exit           exit at the end instead of following new events\n"
    "  -c, --count N        exit after N events\n"
    "  -g, --group GROUP    consumer group: resume where it stopped\n"
    "      --until TIME     stop before the first event later than TIME (or @TIME)\n"
    "      --sync           fsync the group's offset when storing it\n"
    "  -r, --reject FILE    keep records that are not CloudEvents (kafka) in FILE\n"
    "  -X KEY=VALUE         librdkafka property (kafka broker), repeatable\n"
    "  -F FILE              librdkafka properties, one KEY=VALUE a line\n"
    "  -v, --verbose        a live count on a terminal; the count and rate at the end\n"
    "  -h, --help           this help\n"
    "  -V, --version        version\n"
    "\n"
    "Exit: 0 done, 1 no such flow, 65 records rejected, 69/75 broker unavailable, 64 usage.\n";

int
main(int argc, char **argv)
{
	enum { OPT_UNTIL = 256, OPT_SYNC };
	static const struct option longopts[] = {
		{ "offset", required_argument, NULL, 'o' },
		{ "exit", no_argument, NULL, 'e' },
		{ "count", required_argument, NULL, 'c' },
		{ "group", required_argument, NULL, 'g' },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "sync", no_argument, NULL, OPT_SYNC },
		{ "reject", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct subscribe_opts so = { 0 };
	struct broker_opts bo = { 0 };
	struct consumer *cons;
	const char *reject_path = NULL;
	struct reject rj;
	int64_t v;
	int c, status;

	util_init(argv[0]);
	catch_stop_signals();
	while ((c = getopt_long(argc, argv, "ec:g:r:vhV" BROKEROPT_CONSUMER, longopts, NULL)) != -1) {
		switch (c) {
		case 'e': bo.stop_at_end = 1; break;
		case 'c':
			if (parse_int64(optarg, 1, INT64_MAX, &v) < 0)
				die(EX_FLOW_USAGE, "-c %s: expected a positive count", optarg);
			so.count = v;
			break;
		case 'g': bo.group = optarg; break;
		case OPT_UNTIL:
			/* the @ of -o's @TIME taken too, so that one spelling works for both */
			if (time_parse(optarg + (optarg[0] == '@'), clock_real_ns(), &so.until_ns) < 0)
				die(EX_FLOW_USAGE, "--until %s: expected [@]TIME: RFC 3339, or -N with s, m, h or d (flow(7))", optarg);
			break;
		case OPT_SYNC: bo.sync = 1; break;
		case 'r': reject_path = optarg; break;
		case 'v': so.verbose = 1; break;
		case 'h': fputs(usage, stdout); fputs(help, stdout); exit_flushed(EX_FLOW_OK);
		case 'V': print_version();
		default:
			if (!brokeropt(c, optarg, &bo)) {
				fputs(usage, stderr);
				exit(EX_FLOW_USAGE);
			}
		}
	}
	if (argc - optind != 1) {
		fputs(usage, stderr);
		exit(EX_FLOW_USAGE);
	}
	if (reject_open(&rj, reject_path) < 0)
		exit(EX_FLOW_IOERR);
	if (!(cons = consumer_open(argv[optind], &bo, &status))) {
		broker_opts_free(&bo);
		return status;
	}
	cons->on_reject = reject_keep;
	cons->reject_ctx = &rj;
	status = subscribe_stream(cons, STDOUT_FILENO, &so);
	if (status == 0 && cons->rejected)
		status = EX_FLOW_DATAERR;
	cons->ops->close(cons);
	broker_opts_free(&bo);
	/* what the reject file lost outweighs what it kept */
	if (reject_close(&rj) < 0 && (status == 0 || status == EX_FLOW_DATAERR))
		status = EX_FLOW_IOERR;
	return status;
}
