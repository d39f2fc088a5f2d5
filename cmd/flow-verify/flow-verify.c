/* flow-verify: check the CloudEvents Verifiability material of each event
   of a stream; pass on only the events that verify. */
#include "config.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "linepool.h"
#include "provenance.h"
#include "util.h"

static const char usage[] =
    "usage: flow-verify [-j NUM] [-r FILE] [-k PUB.pem -i KEYID]... [--dns [--dnssec]] [-s HOST[:PORT]]\n"
    "                   [--namespace NS] [--mode strict|passthrough|core-only]";

static const char help[] =
    "\n"
    "Verify each event (CloudEvents JSON lines on standard input) per the CloudEvents\n"
    "Verifiability extension; write those that verify, as the mode presents them.\n"
    "\n"
    "  -k, --key FILE         PEM public (or private) key, ECDSA P-256 or Ed25519\n"
    "  -i, --key-id KEYID     key id of the -k before it (repeatable, in pairs)\n"
    "      --dns              look key ids up in DNS: <sel>._flowkey.<ns> TXT FLOWKEY1\n"
    "      --dnssec           with --dns: only keys a validating resolver authenticated\n"
    "                         (the AD bit; also FLOW_DNSSEC=1)\n"
    "  -s, --server HOST[:PORT] name server to ask (default $FLOW_NAMESERVER, else resolv.conf)\n"
    "      --namespace NS     accept only key ids under _flowkey.NS\n"
    "      --mode MODE        strict (default): drop unsigned extensions;\n"
    "                         passthrough: keep them, named in dsseunverified;\n"
    "                         core-only: drop every extension\n"
    "  -r, --reject FILE      keep the events that fail, unchanged, in FILE\n"
    "  -j, --jobs NUM         threads verifying (default: the processors online)\n"
    "  -h, --help             this help\n"
    "  -V, --version          version\n"
    "\n"
    "Exit: 0 all verified, 64 usage, 65 events failed, 69 DNS unavailable, 74 I/O,\n"
    "78 unusable key.\n";

struct verify_args {
	const char *keyfiles[DSSE_MAX_SIGS], *keyids[DSSE_MAX_SIGS];
	int nkeys, nids, dns, dnssec;
	const char *server, *ns, *reject;
	enum prov_mode mode;
	int64_t jobs;
};

static int
verify_one(void *ctx, void *work, const char *line, size_t len, const char **out, size_t *outlen,
    char *why, size_t whysize)
{
	struct dsse_fail f;
	int st = prov_verify_line(ctx, work, line, len, out, outlen, &f);

	if (st == PROV_VERIFIED)
		return LP_PASS;
	if (f.step)
		snprintf(why, whysize, "step %s: %s", f.step, f.msg);
	else
		snprintf(why, whysize, "%s", f.msg);
	return st == PROV_UNAVAILABLE ? LP_STOP : LP_REJECT;
}

static void
work_free(void *work)
{
	prov_work_free(work);
}

static enum prov_mode
parse_mode(const char *s)
{
	if (strcmp(s, "strict") == 0)
		return PROV_STRICT;
	if (strcmp(s, "passthrough") == 0)
		return PROV_PASSTHROUGH;
	if (strcmp(s, "core-only") == 0)
		return PROV_CORE_ONLY;
	die(EX_FLOW_USAGE, "--mode %s: expected strict, passthrough or core-only", s);
}

static void
parse_args(int argc, char **argv, struct verify_args *a)
{
	enum { OPT_DNS = 256, OPT_NS, OPT_MODE, OPT_DNSSEC };
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "key-id", required_argument, NULL, 'i' },
		{ "dns", no_argument, NULL, OPT_DNS },
		{ "dnssec", no_argument, NULL, OPT_DNSSEC },
		{ "server", required_argument, NULL, 's' },
		{ "namespace", required_argument, NULL, OPT_NS },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "reject", required_argument, NULL, 'r' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "k:i:s:r:j:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
		case 'i':
			if ((c == 'k' ? a->nkeys : a->nids) == DSSE_MAX_SIGS)
				die(EX_FLOW_USAGE, "-%c: at most %d keys", c, DSSE_MAX_SIGS);
			if (c == 'k')
				a->keyfiles[a->nkeys++] = optarg;
			else
				a->keyids[a->nids++] = optarg;
			break;
		case OPT_DNS: a->dns = 1; break;
		case OPT_DNSSEC: a->dnssec = 1; break;
		case 's': a->server = optarg; break;
		case OPT_NS: a->ns = optarg; break;
		case OPT_MODE: a->mode = parse_mode(optarg); break;
		case 'r': a->reject = optarg; break;
		case 'j':
			if (parse_int64(optarg, 1, 64, &a->jobs) < 0)
				die(EX_FLOW_USAGE, "-j %s: expected a number from 1 to 64", optarg);
			break;
		case 'h': puts(usage); fputs(help, stdout); exit_flushed(EX_FLOW_OK);
		case 'V': print_version();
		default: usage_exit(usage, NULL);
		}
	}
	if (optind < argc)
		usage_exit(usage, "no operands: events are read from standard input");
	if (a->nkeys != a->nids)
		usage_exit(usage, "give each key (-k) its key id (-i)");
	if (a->nkeys == 0 && !a->dns)
		usage_exit(usage, "no key to verify with: give -k and -i, or --dns");
	if (a->server && !a->dns)
		usage_exit(usage, "-s is for --dns");
	if (a->dnssec && !a->dns)
		usage_exit(usage, "--dnssec is for --dns");
}

static struct keyring *
make_keyring(const struct verify_args *a)
{
	struct resolver_opts ro = { a->server ? a->server : getenv("FLOW_NAMESERVER"),
		RESOLVE_DEFAULT_TIMEOUT, RESOLVE_DEFAULT_RETRIES, a->dnssec };
	struct keyring *kr = keyring_new();
	const char *why;
	char buf[160];
	int i;

	if (a->ns && keyring_set_namespace(kr, a->ns, &why) < 0)
		die(EX_FLOW_USAGE, "--namespace %s: %s", a->ns, why);
	for (i = 0; i < a->nkeys; i++)
		if (keyring_add_file(kr, a->keyids[i], a->keyfiles[i], buf, sizeof buf) < 0)
			die(EX_FLOW_CONFIG, "%s: %s", a->keyfiles[i], buf);
	if (a->dns && keyring_use_dns(kr, &ro, &why) < 0)
		die(EX_FLOW_USAGE, "name server %s: %s", ro.nameserver ? ro.nameserver : "", why);
	return kr;
}

int
main(int argc, char **argv)
{
	struct verify_args a = { .mode = PROV_STRICT };
	struct linepool_opts o = { 0 };
	struct prov_verifier v;
	int status;

	util_init(argv[0]);
	catch_stop_signals();
	if (sodium_init() < 0)
		die(EX_FLOW_SOFTWARE, "libsodium: cannot initialise");
	parse_args(argc, argv, &a);
	v.mode = a.mode;
	v.keys = make_keyring(&a);
	o.threads = a.jobs ? (int)a.jobs : linepool_default_threads();
	o.reject_path = a.reject;
	o.fn = verify_one;
	o.ctx = &v;
	o.worksize = sizeof(struct prov_work);
	o.work_free = work_free;
	status = linepool_run(&o, NULL);
	keyring_free(v.keys);
	return status;
}
