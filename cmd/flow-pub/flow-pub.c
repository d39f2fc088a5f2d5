/* flow-pub: NDJSON CloudEvents on stdin -> a flow. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <sodium.h>

#include "brokeropt.h"
#include "linepool.h"
#include "publish.h"
#include "util.h"

static const char usage[] =
    "usage: flow-pub [-wv] [-j NUM] [-t TYPE] [-s SOURCE] [--fill] [--sync] [--reject FILE]\n"
    "                [-X KEY=VALUE] [-F FILE] [--binary] [-H 'NAME: VALUE'|@FILE] [--batch N]\n"
    "                [--retries N] [--cacert FILE] [--webhook-secret FILE] URL\n";

static const char help[] =
    "Publish newline-delimited CloudEvents JSON from stdin to the flow at URL.\n"
    "\n"
    "  -r, --reject FILE   keep rejected and undelivered lines, unchanged, in FILE\n"
    "  -w, --wrap          make each line the data of a new event (needs -t, -s)\n"
    "  -t, --type TYPE     type of wrapped events\n"
    "  -s, --source URI    source of wrapped events\n"
    "      --fill          add a missing id (random UUID) and time (now)\n"
    "      --sync          fsync before acknowledging (file broker)\n"
    "  -j, --jobs NUM      threads checking events (default: the processors\n"
    "                      online; one with --wrap or --fill)\n"
    "  -X KEY=VALUE        librdkafka property (kafka broker), repeatable\n"
    "  -F FILE             librdkafka properties, one KEY=VALUE a line\n"
    "      --binary        binary mode: Kafka ce_* headers, HTTP ce-* headers\n"
    "  -H, --header 'NAME: VALUE'  HTTP header of every request, repeatable\n"
    "  -H @FILE, --header-file FILE  HTTP headers, one a line (secrets)\n"
    "      --batch N       HTTP: up to N events a request (a JSON array)\n"
    "      --retries N     HTTP: retries of a request on 408, 429, 5xx (default 6)\n"
    "      --cacert FILE   HTTPS: the CAs to trust (PEM), not the system's\n"
    "      --webhook-secret FILE  HTTP: sign (Standard Webhooks) with FILE's whsec_ key\n"
    "  -v, --verbose       a live count on a terminal; the count and rate at the end\n"
    "  -h, --help          this help\n"
    "  -V, --version       version\n"
    "\n"
    "URL: file:///dir (or a path), kafka://host:port/topic, fnap://host:port/flow, flow://flow,\n"
    "     http[s]://host[:port]/path\n"
    "Exit: 0 all published, 65 some lines rejected, 69/75 broker unavailable, 64 usage.\n";

int
main(int argc, char **argv)
{
	enum { OPT_FILL = 256, OPT_SYNC, OPT_BINARY };
	static const struct option longopts[] = {
		{ "reject", required_argument, NULL, 'r' },
		{ "wrap", no_argument, NULL, 'w' },
		{ "type", required_argument, NULL, 't' },
		{ "source", required_argument, NULL, 's' },
		{ "fill", no_argument, NULL, OPT_FILL },
		{ "sync", no_argument, NULL, OPT_SYNC },
		{ "binary", no_argument, NULL, OPT_BINARY },
		{ "verbose", no_argument, NULL, 'v' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		BROKEROPT_HTTP_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct publish_opts po = { .threads = linepool_default_threads() };
	struct broker_opts bo = { 0 };
	struct publish_stats st;
	struct producer *p;
	const char *why;
	int64_t v;
	int c, status;

	util_init(argv[0]);
	catch_stop_signals();
	while ((c = getopt_long(argc, argv, "r:wt:s:vj:hV" BROKEROPT_PRODUCER BROKEROPT_HTTP, longopts, NULL)) != -1) {
		switch (c) {
		case 'r': po.reject_path = optarg; break;
		case 'w': po.wrap = 1; break;
		case 't': po.type = optarg; break;
		case 's': po.source = optarg; break;
		case OPT_FILL: po.fill = 1; break;
		case OPT_SYNC: bo.sync = 1; break;
		case OPT_BINARY: bo.binary = 1; break;
		case 'v': po.verbose = 1; break;
		case 'j':
			if (parse_int64(optarg, 1, 64, &v) < 0)
				die(EX_FLOW_USAGE, "-j %s: expected a number from 1 to 64", optarg);
			po.threads = (int)v;
			break;
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
	if (sodium_init() < 0)
		die(EX_FLOW_SOFTWARE, "libsodium: cannot initialise");
	if (po.wrap) {
		if (!po.type || !po.source)
			die(EX_FLOW_USAGE, "--wrap needs -t TYPE and -s SOURCE");
		if (publish_check_wrap(&po, &why) < 0)
			die(EX_FLOW_USAGE, "-t/-s: %s", why);
	} else if (po.type || po.source)
		die(EX_FLOW_USAGE, "-t and -s go with --wrap");
	if ((p = producer_open(argv[optind], &bo, &status))) {
		status = publish_stream(STDIN_FILENO, "stdin", p, &po, &st);
		p->ops->close(p);
	}
	brokeropt_free(&bo);
	return status;
}
