/* flow-bridge: copy events between flows, N to M, at least once. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <sodium.h>

#include "bridge.h"
#include "brokeropt.h"
#include "reject.h"
#include "util.h"

static const char usage[] =
    "usage: flow-bridge [-ev] [-g GROUP] [-o OFFSET] [--verify NS] [-w EXPR] [-r FILE] [-X KEY=VALUE]\n"
    "                   [-F FILE] [--binary] SRC DST\n"
    "       flow-bridge [options] -f SRC [-f SRC]... -t DST [-t DST]...\n";

static const char help[] =
    "Copy the events of SRC flows to DST flows, at least once: a source moves on\n"
    "only once every destination acknowledged what it gave.\n"
    "\n"
    "  -f, --from URL       a source (repeatable: a collector)\n"
    "  -t, --to URL         a destination (repeatable: a distributor)\n"
    "  -g, --group GROUP    consumer group of the sources: resume where it stopped\n"
    "  -o, --offset OFFSET  where the sources start, as for flow-sub\n"
    "      --verify NS      copy only the events that verify with keys under _flowkey.NS\n"
    "                       (as flow-verify --dns --namespace NS; DNS from $FLOW_NAMESERVER)\n"
    "  -w, --where EXPR     copy only the events for which the CESQL EXPR is true\n"
    "  -e, --exit           exit once every source reached its end\n"
    "  -r, --reject FILE    keep records that are not CloudEvents (kafka), and events\n"
    "                       that failed --verify, in FILE\n"
    "  -X KEY=VALUE, -F FILE, --binary   Kafka settings, as for flow-pub\n"
    "  -H, --header-file, --batch, --retries, --cacert, --webhook-secret\n"
    "                       http(s) destinations' settings, as for flow-pub\n"
    "  -v, --verbose        a live count on a terminal; the counts at the end\n"
    "  -h, --help           this help\n"
    "  -V, --version        version\n"
    "\n"
    "Exit: 0 done (or stopped by SIGTERM/SIGINT), 65 records rejected or events not\n"
    "verified, 64 usage, 69/75 a broker failed (69: or DNS, for --verify).\n";

/* A consumer and producers in one process: half flow-sub's prefetch (and
   fetches half that, so that one does not fill it) and half flow-pub's
   queue keep it under 64 MB, at the same speed (set first, so that -X can
   change them). */
static void
kafka_defaults(struct broker_opts *b)
{
	broker_prop_add(b, "queued.max.messages.kbytes=4096");
	broker_prop_add(b, "fetch.max.bytes=2097152");
	broker_prop_add(b, "queue.buffering.max.kbytes=4096");
}

/* The verifier of --verify ns, as flow-verify --dns --namespace ns makes
   it: strict, keys looked up in DNS (FLOW_NAMESERVER, else resolv.conf)
   and only under _flowkey.ns; or exit 64 (ns is not a name, no name
   server) or 70. */
static const struct prov_verifier *
make_verifier(const char *ns, struct prov_verifier *v)
{
	struct resolver_opts ro = { getenv("FLOW_NAMESERVER"), RESOLVE_DEFAULT_TIMEOUT,
		RESOLVE_DEFAULT_RETRIES, 0 };
	const char *why;

	if (sodium_init() < 0)
		die(EX_FLOW_SOFTWARE, "libsodium: cannot initialise");
	v->mode = PROV_STRICT;
	v->keys = keyring_new();
	if (keyring_set_namespace(v->keys, ns, &why) < 0 || keyring_use_dns(v->keys, &ro, &why) < 0)
		die(EX_FLOW_USAGE, "--verify %s: %s", ns, why);
	return v;
}

int
main(int argc, char **argv)
{
	enum { OPT_BINARY = 256, OPT_VERIFY };
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "group", required_argument, NULL, 'g' },
		{ "offset", required_argument, NULL, 'o' },
		{ "where", required_argument, NULL, 'w' },
		{ "exit", no_argument, NULL, 'e' },
		{ "reject", required_argument, NULL, 'r' },
		{ "binary", no_argument, NULL, OPT_BINARY },
		{ "verify", required_argument, NULL, OPT_VERIFY },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		BROKEROPT_HTTP_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	static char *src[256], *dst[256];
	struct reject rj;
	struct bridge_opts o = { .src = src, .dst = dst, .reject = &rj };
	struct bridge_stats st;
	struct cesql_parse_error perr;
	struct prov_verifier verifier = { .keys = NULL };
	const char *where = NULL, *reject_path = NULL, *verify = NULL;
	int c, status;

	util_init(argv[0]);
	catch_stop_signals();
	kafka_defaults(&o.broker);
	while ((c = getopt_long(argc, argv, "f:t:g:w:er:vhV" BROKEROPT_CONSUMER BROKEROPT_HTTP, longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
		case 't':
			if ((c == 'f' ? o.nsrc : o.ndst) == 256)
				die(EX_FLOW_USAGE, "more than 256 sources or destinations");
			if (c == 'f')
				o.src[o.nsrc++] = optarg;
			else
				o.dst[o.ndst++] = optarg;
			break;
		case 'g': o.broker.group = optarg; break;
		case 'w': where = optarg; break;
		case 'e': o.broker.stop_at_end = 1; break;
		case 'r': reject_path = optarg; break;
		case OPT_BINARY: o.broker.binary = 1; break;
		case OPT_VERIFY: verify = optarg; break;
		case 'v': o.verbose = 1; break;
		case 'h': fputs(usage, stdout); fputs(help, stdout); exit_flushed(EX_FLOW_OK);
		case 'V': print_version();
		default:
			if (!brokeropt(c, optarg, &o.broker)) {
				fputs(usage, stderr);
				exit(EX_FLOW_USAGE);
			}
		}
	}
	if (o.nsrc == 0 && o.ndst == 0 && argc - optind == 2) {
		o.src[o.nsrc++] = argv[optind];
		o.dst[o.ndst++] = argv[optind + 1];
	} else if (o.nsrc == 0 || o.ndst == 0 || optind != argc) {
		fputs(usage, stderr);
		exit(EX_FLOW_USAGE);
	}
	if (where) {
		if (!(o.where = cesql_compile_filter(where, &perr)))
			die(EX_FLOW_USAGE, "--where: column %zu: %s", perr.column, perr.msg);
	}
	o.verify = verify ? make_verifier(verify, &verifier) : NULL;
	if (reject_open(&rj, reject_path) < 0)
		exit(EX_FLOW_IOERR);
	status = bridge_run(&o, &st);
	/* what the reject file lost outweighs what it kept */
	if (reject_close(&rj) < 0 && (status == 0 || status == EX_FLOW_DATAERR))
		status = EX_FLOW_IOERR;
	cesql_free(o.where);
	keyring_free(verifier.keys);  /* NULL without --verify */
	brokeropt_free(&o.broker);
	return status;
}
