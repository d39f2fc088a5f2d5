/* fnap: the user agent, a client of the agents (FNAA) that serve flow
   namespaces: create, describe, list and delete flows, subscribe, or talk
   FNAP in a shell; the agents and credentials come from ~/.flow.yml. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowyml.h"
#include "fnap_client.h"
#include "fnap_ua_cmd.h"
#include "dnsquery.h"
#include "util.h"

static const char synopsis[] =
    "usage: fnap [-j] [-c FILE] [-a AGENT] [-s HOST[:PORT]] [--tls] COMMAND [ARGUMENT] [OPTIONS]";

static const char help[] =
    "usage: fnap [options] COMMAND [ARGUMENT] [command options]\n"
    "Manage flows at their agents; print key=value records, one per line.\n"
    "  -c, --config FILE          the configuration (default ~/.flow.yml)\n"
    "  -a, --agent AGENT          this agent of the configuration, or HOST[:PORT]\n"
    "  -s, --server HOST[:PORT]   name server for SRV lookups (default $FLOW_NAMESERVER)\n"
    "      --tls                  TLS from the first byte, whatever the configuration says\n"
    "  -j, --json                 print each record as a JSON object\n"
    "  -d, --debug                every line exchanged, on stderr (C: sent, S: received)\n"
    "  -h, --help                 this help\n"
    "  -V, --version              print the version\n"
    "Commands:\n"
    "  create flow FQDN [--public]       flow=FQDN\n"
    "  describe flow FQDN                the agent's key=value lines\n"
    "  delete flow FQDN                  flow=FQDN\n"
    "  list flows [NAMESPACE]            flow=FQDN per line\n"
    "  list namespaces                   namespace=NAME per line\n"
    "  list subscriptions [FLOW]         subscription=S subscriber=U state=X per line\n"
    "  list grants [FLOW]                flow=F user=U right=R[ where=W] per line\n"
    "  subscribe FLOW [--from START] [--local NAME] [--where EXPR]\n"
    "                                    [local=NAME ]subscription=S[ token=T]\n"
    "  unsubscribe LOCAL [-k TOKEN]      local=LOCAL\n"
    "  revoke SUBSCRIPTION [-k TOKEN]    subscription=SUBSCRIPTION\n"
    "  pause ID, resume ID [-k TOKEN]    id=ID state=paused|running\n"
    "    --from beginning|end|N|-N|@TIME: where the subscription starts (default beginning)\n"
    "    -k, --token TOKEN: the token=T of an anonymous subscribe (default $FNAP_TOKEN)\n"
    "  grant read|write FLOW USER [--where EXPR] (--where: read only)\n"
    "                                    flow=F user=U right=R[ where=W]\n"
    "  ungrant read|write FLOW USER      flow=F user=U right=R\n"
    "  caps                              capability=... per line\n"
    "  shell                             FNAP lines from stdin, the answers as they are\n"
    "Exit status: 0 done, 1 no agent found, 64 usage, 65 name taken or not allowed,\n"
    "69 agent or DNS unreachable, 70 command not understood, 75 retry later,\n"
    "77 refused (550: no such flow or access denied), 78 configuration error.\n";

enum { OPT_TLS = 256, OPT_PUBLIC, OPT_LOCAL, OPT_WHERE, OPT_FROM };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "agent", required_argument, NULL, 'a' },
	{ "server", required_argument, NULL, 's' },
	{ "tls", no_argument, NULL, OPT_TLS },
	{ "json", no_argument, NULL, 'j' },
	{ "debug", no_argument, NULL, 'd' },
	{ "public", no_argument, NULL, OPT_PUBLIC },
	{ "local", required_argument, NULL, OPT_LOCAL },
	{ "where", required_argument, NULL, OPT_WHERE },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "token", required_argument, NULL, 'k' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

int
main(int argc, char **argv)
{
	struct ua u = { .nameserver = getenv("FLOW_NAMESERVER") };
	struct ua_args a = { 0 };
	const char *config = NULL, *home = getenv("HOME"), *token = getenv("FNAP_TOKEN"), *why;
	char host[DNSNAME_MAX + 1], *path = NULL;
	struct flowyml cfg;
	unsigned port;
	int c, st;

	util_init(argv[0]);
	while ((c = getopt_long(argc, argv, "a:c:dhjk:s:V", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': u.agent = optarg; break;
		case 'c': config = optarg; break;
		case 'j': u.json = 1; break;
		case 'd': fnap_client_trace("fnap: "); break;
		case 'k': a.token = optarg; break;
		case 's':
			if (nameserver_parse(optarg, host, &port, &why) < 0)
				die(EX_FLOW_USAGE, "-s %s: %s", optarg, why);
			/* host names in SRV answers are asked of it too (fnap_client) */
			setenv("FLOW_NAMESERVER", optarg, 1);
			u.nameserver = optarg;
			break;
		case OPT_TLS: u.tls = 1; break;
		case OPT_PUBLIC: a.public = 1; break;
		case OPT_LOCAL: a.local = optarg; break;
		case OPT_WHERE: a.where = optarg; break;
		case OPT_FROM: a.from = optarg; break;
		case 'h': fputs(help, stdout); exit_flushed(EX_FLOW_OK);
		case 'V': print_version();
		default: usage_exit(synopsis, NULL);
		}
	}
	if (u.nameserver && !*u.nameserver)
		u.nameserver = NULL;
	/* the command line over the environment; empty is unset, as above */
	if (!a.token && token && *token) {
		a.token = token;
		a.token_from_env = 1;
	}
	/* without -c, a missing ~/.flow.yml is an empty configuration */
	if (!config && home && *home) {
		path = xmalloc(strlen(home) + sizeof "/.flow.yml");
		sprintf(path, "%s/.flow.yml", home);
	}
	if (config || path) {
		if (flowyml_load(config ? config : path, !config, &cfg) < 0)
			exit(EX_FLOW_CONFIG);
	} else
		memset(&cfg, 0, sizeof cfg);
	free(path);
	u.cfg = &cfg;
	why = NULL;
	st = ua_run(&u, &a, argc - optind, argv + optind, &why);
	flowyml_free(&cfg);
	if (st == EX_FLOW_USAGE && why)
		usage_exit(synopsis, why);
	exit_flushed(st);
}
