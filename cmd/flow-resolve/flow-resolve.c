/* flow-resolve: where a flow lives (its agents, its broker), through DNS;
   the signing key a key id names; and the nsupdate scripts that register
   a flow or publish a key. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsupdate.h"
#include "json.h"
#include "dnsquery.h"
#include "flowkey.h"
#include "keys.h"
#include "resolve.h"
#include "uri.h"
#include "util.h"

static const char synopsis[] =
    "usage: flow-resolve [-aju] [--dnssec] [-s HOST[:PORT]] [-t SECONDS] [-r N] URI|FQDN... | -l NAMESPACE |"
    " -n NAMESPACE | --key KEYID | --records add|delete FQDN [record options] |"
    " --records add-key|delete-key KEYID [--public-key FILE.pem] [--ttl SECONDS] [--zone ZONE]";

static const char help[] =
    "usage: flow-resolve [options] flow://FQDN|FQDN...\n"
    "       flow-resolve [options] -l NAMESPACE | -n NAMESPACE\n"
    "       flow-resolve [options] --key KEYID\n"
    "       flow-resolve [-s HOST[:PORT]] --records add|delete FQDN [record options]\n"
    "       flow-resolve [-s HOST[:PORT]] --records add-key|delete-key KEYID [key record options]\n"
    "Find a flow's agents and broker, or a signing key, through DNS; print key=value lines.\n"
    "  -s, --server HOST[:PORT]   name server to ask (default $FLOW_NAMESERVER, else resolv.conf)\n"
    "  -t, --timeout SECONDS      wait per try (default 2)\n"
    "  -r, --retries N            tries after the first (default 1)\n"
    "      --dnssec               take only answers a validating resolver authenticated\n"
    "                             (the AD bit; also FLOW_DNSSEC=1); others fail (69)\n"
    "  -u, --url                  print only the broker URL\n"
    "  -a, --first-agent          print only the first agent to try (HOST:PORT)\n"
    "  -j, --json                 print one JSON object per name\n"
    "  -l, --list NAMESPACE       list the public flows of NAMESPACE\n"
    "  -n, --ns-agent NAMESPACE   print the agent of NAMESPACE\n"
    "      --key KEYID            print the signing key <selector>._flowkey.<namespace>\n"
    "                             (key-id=, type= and its PEM block)\n"
    "      --records add|delete   print the nsupdate script for the flow's records\n"
    "                             (with -s: a server line), from:\n"
    "      --agent HOST:PORT[:PRIORITY[:WEIGHT]]   an agent (repeatable)\n"
    "      --agent-tls            the agent requires TLS\n"
    "      --broker-type kafka|fnap|file\n"
    "      --broker HOST:PORT[:PRIORITY[:WEIGHT]]  a broker (repeatable)\n"
    "      --topic TOPIC          kafka topic or fnap flow (default: the flow)\n"
    "      --path DIR             file broker: the flow directory\n"
    "      --broker-tls           the broker requires TLS\n"
    "      --public               list the flow in its namespace\n"
    "      --namespace NAMESPACE  (default: FQDN without its first label)\n"
    "      --ttl SECONDS          (default 300)\n"
    "      --zone ZONE            add a zone line\n"
    "      --records add-key|delete-key   the script that publishes or removes a key's\n"
    "                             FLOWKEY1 record, from (--ttl and --zone as above):\n"
    "      --public-key FILE.pem  add-key: the key (public or private, P-256 or Ed25519)\n"
    "  -h, --help                 this help\n"
    "  -V, --version              print the version\n"
    "Exit status: 0 found, 1 no such name, records or key, 64 usage, 65 not a valid key record,\n"
    "69 DNS unreachable, 78 FLOW_NAMESERVER or the key file unusable.\n";

enum output { OUT_RECORDS, OUT_URL, OUT_AGENT, OUT_JSON };

enum {
	OPT_RECORDS = 256, OPT_AGENT, OPT_AGENT_TLS, OPT_BROKER_TYPE, OPT_BROKER, OPT_TOPIC,
	OPT_PATH, OPT_BROKER_TLS, OPT_PUBLIC, OPT_NAMESPACE, OPT_TTL, OPT_ZONE, OPT_PUBLIC_KEY,
	OPT_KEY, OPT_DNSSEC,
};

static const struct option longopts[] = {
	{ "server", required_argument, NULL, 's' },
	{ "timeout", required_argument, NULL, 't' },
	{ "retries", required_argument, NULL, 'r' },
	{ "url", no_argument, NULL, 'u' },
	{ "first-agent", no_argument, NULL, 'a' },
	{ "json", no_argument, NULL, 'j' },
	{ "list", required_argument, NULL, 'l' },
	{ "ns-agent", required_argument, NULL, 'n' },
	{ "records", required_argument, NULL, OPT_RECORDS },
	{ "agent", required_argument, NULL, OPT_AGENT },
	{ "agent-tls", no_argument, NULL, OPT_AGENT_TLS },
	{ "broker-type", required_argument, NULL, OPT_BROKER_TYPE },
	{ "broker", required_argument, NULL, OPT_BROKER },
	{ "topic", required_argument, NULL, OPT_TOPIC },
	{ "path", required_argument, NULL, OPT_PATH },
	{ "broker-tls", no_argument, NULL, OPT_BROKER_TLS },
	{ "public", no_argument, NULL, OPT_PUBLIC },
	{ "namespace", required_argument, NULL, OPT_NAMESPACE },
	{ "ttl", required_argument, NULL, OPT_TTL },
	{ "zone", required_argument, NULL, OPT_ZONE },
	{ "public-key", required_argument, NULL, OPT_PUBLIC_KEY },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "dnssec", no_argument, NULL, OPT_DNSSEC },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* The worse of two results: unreachable, then not found, then found. */
static int
worse(int a, int b)
{
	return a == EX_FLOW_UNAVAILABLE || b == EX_FLOW_UNAVAILABLE ? EX_FLOW_UNAVAILABLE :
	    a > b ? a : b;
}

static void
json_targets(const char *key, const struct srv_target *t, size_t n)
{
	size_t i;

	printf("\"%s\":[", key);
	for (i = 0; i < n; i++) {
		printf("%s{\"host\":", i ? "," : "");
		json_write_string(stdout, t[i].host);
		printf(",\"port\":%u,\"priority\":%u,\"weight\":%u}", t[i].port, t[i].priority,
		    t[i].weight);
	}
	putchar(']');
}

static void
json_member(const char *key, const char *value)
{
	printf(",\"%s\":", key);
	if (value && *value)
		json_write_string(stdout, value);
	else
		fputs("null", stdout);
}

static void
print_flow(const struct flow_info *fi, const char *url, enum output out)
{
	const char *type = fi->broker ? fi->broker->name : NULL;
	size_t i;

	if (out == OUT_JSON) {
		printf("{\"flow\":");
		json_write_string(stdout, fi->flow);
		putchar(',');
		json_targets("agents", fi->agents, fi->nagents);
		printf(",\"agent_tls\":%s", fi->agent_tls ? "true" : "false");
		json_member("broker_type", type);
		putchar(',');
		json_targets("brokers", fi->brokers, fi->nbrokers);
		printf(",\"broker_tls\":%s", fi->broker_tls ? "true" : "false");
		json_member("topic", fi->topic);
		json_member("path", fi->path);
		json_member("retention", fi->retention);
		json_member("url", url);
		puts("}");
		return;
	}
	printf("flow=%s\n", fi->flow);
	for (i = 0; i < fi->nagents; i++)
		printf("agent=%s:%u\n", fi->agents[i].host, fi->agents[i].port);
	printf("agent-tls=%s\n", fi->agent_tls ? "yes" : "no");
	if (type)
		printf("broker-type=%s\n", type);
	for (i = 0; i < fi->nbrokers; i++)
		printf("broker=%s:%u\n", fi->brokers[i].host, fi->brokers[i].port);
	if (type)
		printf("broker-tls=%s\n", fi->broker_tls ? "yes" : "no");
	if (fi->topic[0])
		printf("topic=%s\n", fi->topic);
	if (fi->path[0])
		printf("path=%s\n", fi->path);
	if (fi->retention[0])
		printf("retention=%s\n", fi->retention);
	if (url)
		printf("url=%s\n", url);
}

/* Resolve and print one flow; its result. */
static int
one_flow(struct resolver *r, const char *fqdn, enum output out, int *printed)
{
	static struct flow_info fi;
	int what = out == OUT_URL ? RESOLVE_BROKER : out == OUT_AGENT ? RESOLVE_AGENT :
	    RESOLVE_AGENT | RESOLVE_BROKER;
	const char *why, *nourl;
	char *url = NULL;
	int st;

	if ((st = resolve_flow(r, fqdn, what, &fi, &why)) != EX_FLOW_OK) {
		warnmsg("flow://%s: %s", fqdn, why);
		return st;
	}
	if ((what & RESOLVE_BROKER) && !(url = flow_info_url(&fi, &nourl)) &&
	    (out == OUT_URL || fi.broker || fi.nbrokers)) {
		warnmsg("flow://%s: no broker URL: %s", fqdn, nourl);
		st = out == OUT_URL ? EX_FLOW_NEGATIVE : EX_FLOW_OK;
	}
	if (out == OUT_URL && url)
		puts(url);
	else if (out == OUT_AGENT)
		printf("%s:%u\n", fi.agents[0].host, fi.agents[0].port);
	else if (out == OUT_RECORDS || out == OUT_JSON) {
		if (out == OUT_RECORDS && (*printed)++)
			putchar('\n');
		print_flow(&fi, url, out);
	}
	free(url);
	return st;
}

static int
list_flows(struct resolver *r, const char *ns, enum output out)
{
	const char *why;
	char **names;
	size_t i, n;
	int st;

	if ((st = resolve_namespace_flows(r, ns, &names, &n, &why)) != EX_FLOW_OK) {
		warnmsg("%s: %s", ns, why);
		return st;
	}
	if (out == OUT_JSON) {
		printf("{\"namespace\":");
		json_write_string(stdout, ns);
		printf(",\"flows\":[");
		for (i = 0; i < n; i++) {
			if (i)
				putchar(',');
			json_write_string(stdout, names[i]);
		}
		puts("]}");
	} else
		for (i = 0; i < n; i++)
			puts(names[i]);
	resolve_names_free(names, n);
	return EX_FLOW_OK;
}

static int
namespace_agent(struct resolver *r, const char *ns, enum output out)
{
	struct srv_target agents[RESOLVE_MAX_TARGETS];
	const char *why;
	size_t i, n;
	int st, tls;

	if ((st = resolve_namespace_agent(r, ns, agents, &n, &tls, &why)) != EX_FLOW_OK) {
		warnmsg("%s: %s", ns, why);
		return st;
	}
	if (out == OUT_JSON) {
		printf("{\"namespace\":");
		json_write_string(stdout, ns);
		putchar(',');
		json_targets("agents", agents, n);
		printf(",\"agent_tls\":%s}\n", tls ? "true" : "false");
	} else if (out == OUT_AGENT)
		printf("%s:%u\n", agents[0].host, agents[0].port);
	else {
		printf("namespace=%s\n", ns);
		for (i = 0; i < n; i++)
			printf("agent=%s:%u\n", agents[i].host, agents[i].port);
		printf("agent-tls=%s\n", tls ? "yes" : "no");
	}
	return EX_FLOW_OK;
}

/* --records: the options gathered, then the script on stdout. */
struct records {
	const char *op;
	int used;       /* a record option was given */
	int flow_only;  /* one that a key record does not take */
	const char *public_key;
	struct srv_target agents[RESOLVE_MAX_TARGETS], brokers[RESOLVE_MAX_TARGETS];
	struct dnsupdate_flow d;
};

static void
records_option(struct records *rec, int c, const char *arg)
{
	struct dnsupdate_flow *d = &rec->d;
	const char *why;
	char kinds[64], msg[96];
	int64_t ttl;

	rec->used = 1;
	rec->flow_only |= c != OPT_TTL && c != OPT_ZONE && c != OPT_PUBLIC_KEY;
	switch (c) {
	case OPT_AGENT:
	case OPT_BROKER:
		if ((c == OPT_AGENT ? d->nagents : d->nbrokers) == RESOLVE_MAX_TARGETS)
			usage_exit(synopsis, "too many targets");
		if (dnsupdate_target_parse(arg, c == OPT_AGENT ? &rec->agents[d->nagents++] :
		    &rec->brokers[d->nbrokers++], &why) < 0)
			die(EX_FLOW_USAGE, "%s: %s", arg, why);
		break;
	case OPT_AGENT_TLS: d->agent_tls = 1; break;
	case OPT_BROKER_TLS: d->broker_tls = 1; break;
	case OPT_PUBLIC: d->public = 1; break;
	case OPT_TOPIC: d->topic = arg; break;
	case OPT_PATH: d->path = arg; break;
	case OPT_NAMESPACE: d->ns = arg; break;
	case OPT_ZONE: d->zone = arg; break;
	case OPT_PUBLIC_KEY: rec->public_key = arg; break;
	case OPT_TTL:
		if (parse_int64(arg, 0, 2147483647, &ttl) < 0)
			usage_exit(synopsis, "--ttl: expected seconds");
		d->ttl = ttl;
		break;
	case OPT_BROKER_TYPE:
		if (!(d->broker = broker_kind_by_name(arg, strlen(arg)))) {
			broker_kinds_text(kinds, sizeof kinds, 0);
			snprintf(msg, sizeof msg, "--broker-type: %s", kinds);
			usage_exit(synopsis, msg);
		}
		break;
	}
}

/* --records add-key|delete-key KEYID: the key record's script. */
static int
write_key_records(struct records *rec, enum dnsupdate_op op, int argc, char **argv)
{
	struct dnsupdate_key u = { .ttl = rec->d.ttl, .server = rec->d.server, .zone = rec->d.zone };

	if (argc != 1)
		usage_exit(synopsis, "--records: one key id");
	if (rec->flow_only)
		usage_exit(synopsis, "a key record takes only --public-key, --ttl and --zone");
	if ((op == DNSUPDATE_ADD) != (rec->public_key != NULL))
		usage_exit(synopsis, op == DNSUPDATE_ADD ? "add-key needs --public-key FILE.pem" :
		    "delete-key takes no --public-key");
	return key_script(op, argv[0], rec->public_key, &u);
}

/* The words of --records, and whether they are about a key. */
static const struct {
	const char *word;
	enum dnsupdate_op op;
	int key;
} record_ops[] = {
	{ "add", DNSUPDATE_ADD, 0 }, { "delete", DNSUPDATE_DELETE, 0 },
	{ "add-key", DNSUPDATE_ADD, 1 }, { "delete-key", DNSUPDATE_DELETE, 1 },
};

static int
write_records(struct records *rec, int argc, char **argv)
{
	char fqdn[DNSNAME_MAX + 1];
	const char *why;
	size_t i;

	for (i = 0; i < sizeof record_ops / sizeof record_ops[0]; i++)
		if (strcmp(rec->op, record_ops[i].word) == 0)
			break;
	if (i == sizeof record_ops / sizeof record_ops[0])
		usage_exit(synopsis, "--records: add, delete, add-key or delete-key");
	if (record_ops[i].key)
		return write_key_records(rec, record_ops[i].op, argc, argv);
	if (rec->public_key)
		usage_exit(synopsis, "--public-key is for --records add-key");
	if (argc != 1)
		usage_exit(synopsis, "--records: one flow name");
	if (flow_name_parse(argv[0], fqdn, &why) < 0)
		die(EX_FLOW_USAGE, "%s: %s", argv[0], why);
	rec->d.flow = fqdn;
	rec->d.agents = rec->agents;
	rec->d.brokers = rec->brokers;
	if (dnsupdate_write(stdout, record_ops[i].op, &rec->d, &why) < 0)
		die(EX_FLOW_USAGE, "%s: %s", fqdn, why);
	return EX_FLOW_OK;
}

/* What the command line asks for, besides --records. */
struct args {
	struct resolver_opts ro;
	enum output out;
	int outputs;               /* -a, -j, -u given */
	const char *list, *agent_of, *keyid;
};

static void
parse_args(int argc, char **argv, struct args *a, struct records *rec)
{
	const char *why;
	char host[DNSNAME_MAX + 1];
	unsigned port;
	int64_t v;
	int c;

	while ((c = getopt_long(argc, argv, "ahjl:n:r:s:t:uV", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (nameserver_parse(optarg, host, &port, &why) < 0)
				die(EX_FLOW_USAGE, "-s %s: %s", optarg, why);
			a->ro.nameserver = rec->d.server = optarg;
			break;
		case 't':
		case 'r':
			if (parse_int64(optarg, c == 't', c == 't' ? 300 : 10, &v) < 0)
				usage_exit(synopsis, c == 't' ? "-t: expected 1-300 seconds" : "-r: expected 0-10");
			*(c == 't' ? &a->ro.timeout : &a->ro.retries) = v;
			break;
		case 'u': a->out = OUT_URL; a->outputs++; break;
		case 'a': a->out = OUT_AGENT; a->outputs++; break;
		case 'j': a->out = OUT_JSON; a->outputs++; break;
		case 'l': a->list = optarg; break;
		case 'n': a->agent_of = optarg; break;
		case OPT_KEY: a->keyid = optarg; break;
		case OPT_DNSSEC: a->ro.dnssec = 1; break;
		case OPT_RECORDS: rec->op = optarg; break;
		case 'h': fputs(help, stdout); exit_flushed(EX_FLOW_OK);
		case 'V': print_version();
		default:
			if (c >= OPT_AGENT && c <= OPT_PUBLIC_KEY) {
				records_option(rec, c, optarg);
				break;
			}
			usage_exit(synopsis, NULL);
		}
	}
}

int
main(int argc, char **argv)
{
	static struct records rec = { .d.ttl = DNSUPDATE_DEFAULT_TTL };
	struct args a = { { getenv("FLOW_NAMESERVER"), RESOLVE_DEFAULT_TIMEOUT,
	    RESOLVE_DEFAULT_RETRIES, 0 }, OUT_RECORDS, 0, NULL, NULL, NULL };
	const char *nsarg, *why;
	char ns[DNSNAME_MAX + 1], key[DNSNAME_MAX + 1], (*names)[DNSNAME_MAX + 1];
	struct resolver *r;
	int i, st = EX_FLOW_OK, printed = 0;

	util_init(argv[0]);
	parse_args(argc, argv, &a, &rec);
	argc -= optind;
	argv += optind;
	if (rec.op) {
		if (a.outputs || a.list || a.agent_of || a.keyid)
			usage_exit(synopsis, "--records writes a script: no -a, -j, -l, -n, -u or --key");
		exit_flushed(write_records(&rec, argc, argv));
	}
	if (rec.used)
		usage_exit(synopsis, "record options need --records");
	if (a.outputs > 1 || !!a.list + !!a.agent_of + !!a.keyid > 1 ||
	    ((a.list || a.agent_of || a.keyid) && (argc > 0 || a.out == OUT_URL)) ||
	    ((a.list || a.keyid) && a.out == OUT_AGENT) || (!a.list && !a.agent_of && !a.keyid && argc == 0))
		usage_exit(synopsis, NULL);
	if ((nsarg = a.list ? a.list : a.agent_of)) {
		if (dnsname_parse(nsarg, strlen(nsarg), ns, &why) < 0)
			die(EX_FLOW_USAGE, "%s: %s", nsarg, why);
	}
	if (a.keyid && flowkey_id_name(a.keyid, strlen(a.keyid), key, &why) < 0)
		die(EX_FLOW_USAGE, "%s: %s", a.keyid, why);
	/* Every name is checked before the first query. */
	names = xcalloc(argc ? argc : 1, sizeof *names);
	for (i = 0; i < argc; i++)
		if (flow_name_parse(argv[i], names[i], &why) < 0)
			die(EX_FLOW_USAGE, "%s: %s", argv[i], why);
	if (a.ro.nameserver && !*a.ro.nameserver)
		a.ro.nameserver = NULL;
	if (!(r = resolver_open(&a.ro, &why)))
		die(rec.d.server ? EX_FLOW_USAGE : EX_FLOW_CONFIG, "name server %s: %s", a.ro.nameserver, why);
	if (a.list)
		st = list_flows(r, ns, a.out);
	else if (a.agent_of)
		st = namespace_agent(r, ns, a.out);
	else if (a.keyid)
		st = key_print(r, key, a.out == OUT_JSON);
	for (i = 0; i < argc; i++)
		st = worse(st, one_flow(r, names[i], a.out, &printed));
	resolver_close(r);
	free(names);
	exit_flushed(st);
}
