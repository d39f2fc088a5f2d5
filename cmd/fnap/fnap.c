/* fnap: the user agent, a client of the agents (FNAA) that serve flow
   namespaces: create, describe, list and delete flows, subscribe, or talk
   FNAP in a shell, or check one as a monitoring plugin; the agents and
   credentials come from ~/.flow.yml. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowyml.h"
#include "fnap_client.h"
#include "fnap_ua_check.h"
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
    "  create flow FQDN [--public] [--retain 7d|12h|N]   flow=FQDN\n"
    "  set retention FLOW --retain 7d|12h|N|none         flow=FLOW\n"
    "  describe flow FQDN                the agent's key=value lines\n"
    "  delete flow FQDN                  flow=FQDN\n"
    "  list flows [NAMESPACE]            flow=FQDN per line\n"
    "  list namespaces                   namespace=NAME per line\n"
    "  list subscriptions [FLOW]         subscription=S subscriber=U state=X per line\n"
    "  list grants [FLOW]                flow=F user=U right=R[ where=W] per line\n"
    "  subscribe FLOW [--from START] [--local NAME] [--where EXPR] [--verify]\n"
    "                                    [local=NAME ]subscription=S[ token=T]\n"
    "  unsubscribe LOCAL [-k TOKEN]      local=LOCAL\n"
    "  revoke SUBSCRIPTION [-k TOKEN]    subscription=SUBSCRIPTION\n"
    "  pause ID, resume ID [-k TOKEN]    id=ID state=paused|running\n"
    "    --from beginning|end|N|-N|@TIME: where the subscription starts (default beginning)\n"
    "    --verify: copy only the events signed with keys of the flow's namespace (DNS)\n"
    "    -k, --token TOKEN: the token=T of an anonymous subscribe (default $FNAP_TOKEN)\n"
    "  grant read|write FLOW USER [--where EXPR] (--where: read only)\n"
    "                                    flow=F user=U right=R[ where=W]\n"
    "  ungrant read|write FLOW USER      flow=F user=U right=R\n"
    "  caps                              capability=... per line\n"
    "  shell                             FNAP lines from stdin, the answers as they are\n"
    "  check [AGENT] [--warn-time S] [--crit-time S] [-t S]\n"
    "                                    FNAP OK|WARNING|CRITICAL|UNKNOWN - ... | time=...\n"
    "    a monitoring plugin: greeting and CAPABILITIES, timed; -t: give up after S (10)\n"
    "Exit status: 0 done, 1 no agent found, 64 usage, 65 name taken or not allowed,\n"
    "69 agent or DNS unreachable, 70 command not understood, 75 retry later,\n"
    "77 refused (550: no such flow or access denied), 78 configuration error;\n"
    "check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.\n";

enum { OPT_TLS = 256, OPT_PUBLIC, OPT_LOCAL, OPT_WHERE, OPT_FROM, OPT_WARN_TIME, OPT_CRIT_TIME, OPT_RETAIN,
	OPT_VERIFY };

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
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "retain", required_argument, NULL, OPT_RETAIN },
	{ "token", required_argument, NULL, 'k' },
	{ "warn-time", required_argument, NULL, OPT_WARN_TIME },
	{ "crit-time", required_argument, NULL, OPT_CRIT_TIME },
	{ "timeout", required_argument, NULL, 't' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* Everything the command line says. */
struct cmdline {
	struct ua u;
	struct ua_args a;
	struct ua_check_opts check;
	const char *config;
	const char *bad;     /* the first usage problem, or NULL */
};

/* The options into cl; the first problem is kept in cl->bad ("" when
   getopt told it): check answers it with its status line, the other
   commands with the synopsis. */
static void
parse_options(int argc, char **argv, struct cmdline *cl)
{
	static char bad[DNSNAME_MAX + 64];
	char host[DNSNAME_MAX + 1];
	const char *why;
	unsigned port;
	int c;

	while ((c = getopt_long(argc, argv, "a:c:dhjk:s:t:V", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': cl->u.agent = optarg; break;
		case 'c': cl->config = optarg; break;
		case 'j': cl->u.json = 1; break;
		case 'd': fnap_client_trace("fnap: "); break;
		case 'k': cl->a.token = optarg; break;
		case 's':
			if (nameserver_parse(optarg, host, &port, &why) < 0) {
				snprintf(bad, sizeof bad, "-s %.*s: %s", DNSNAME_MAX, optarg, why);
				cl->bad = cl->bad ? cl->bad : bad;
				break;
			}
			/* host names in SRV answers are asked of it too (fnap_client) */
			setenv("FLOW_NAMESERVER", optarg, 1);
			cl->u.nameserver = optarg;
			break;
		case OPT_TLS: cl->u.tls = 1; break;
		case OPT_PUBLIC: cl->a.public = 1; break;
		case OPT_LOCAL: cl->a.local = optarg; break;
		case OPT_WHERE: cl->a.where = optarg; break;
		case OPT_FROM: cl->a.from = optarg; break;
		case OPT_VERIFY: cl->a.verify = 1; break;
		case OPT_RETAIN: cl->a.retain = optarg; break;
		case OPT_WARN_TIME: cl->check.warn_time = optarg; break;
		case OPT_CRIT_TIME: cl->check.crit_time = optarg; break;
		case 't': cl->check.timeout = optarg; break;
		case 'h': fputs(help, stdout); exit_flushed(EX_FLOW_OK);
		case 'V': print_version();
		/* getopt said what: "" */
		default: cl->bad = cl->bad ? cl->bad : "";
		}
	}
}

/* A usage problem of the command line for command check (or NULL):
   one found by parse_options, or an option of the other commands. */
static const char *
check_usage(const struct cmdline *cl, int check)
{
	const struct ua_args *a = &cl->a;
	int other = a->public || a->local || a->where || a->from || a->verify ||
	    (a->token && !a->token_from_env) || cl->u.json;

	if (check && other)
		return "-j, --public, --local, --where, --from, --verify and --token are not for check";
	if (!check && (cl->check.warn_time || cl->check.crit_time || cl->check.timeout))
		return "--warn-time, --crit-time and -t are for check";
	return cl->bad;
}

int
main(int argc, char **argv)
{
	struct cmdline cl = { .u = { .nameserver = getenv("FLOW_NAMESERVER") } };
	const char *home = getenv("HOME"), *token = getenv("FNAP_TOKEN"), *why;
	char *path = NULL;
	struct flowyml cfg;
	int st, check;

	util_init(argv[0]);
	parse_options(argc, argv, &cl);
	check = optind < argc && strcmp(argv[optind], "check") == 0;
	if (cl.u.nameserver && !*cl.u.nameserver)
		cl.u.nameserver = NULL;
	/* the command line over the environment; empty is unset, as above */
	if (!cl.a.token && token && *token) {
		cl.a.token = token;
		cl.a.token_from_env = 1;
	}
	if ((why = check_usage(&cl, check)) && check)
		exit_flushed(ua_check_unknown(*why ? why : "an unknown option or a missing argument"));
	if (why)
		usage_exit(synopsis, *why ? why : NULL);
	/* without -c, a missing ~/.flow.yml is an empty configuration */
	if (!cl.config && home && *home) {
		path = xmalloc(strlen(home) + sizeof "/.flow.yml");
		sprintf(path, "%s/.flow.yml", home);
	}
	if (cl.config || path) {
		if (flowyml_load(cl.config ? cl.config : path, !cl.config, &cfg) < 0)
			exit_flushed(check ? ua_check_unknown("the configuration cannot be used") :
			    EX_FLOW_CONFIG);
	} else
		memset(&cfg, 0, sizeof cfg);
	free(path);
	cl.u.cfg = &cfg;
	why = NULL;
	st = check ? ua_check(&cl.u, &cl.check, argc - optind, argv + optind) :
	    ua_run(&cl.u, &cl.a, argc - optind, argv + optind, &why);
	flowyml_free(&cfg);
	if (st == EX_FLOW_USAGE && why)
		usage_exit(synopsis, why);
	exit_flushed(st);
}
