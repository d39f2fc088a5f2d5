/* flow-sign: add the CloudEvents Verifiability material (dssematerial) to
   each event of a stream. */
#include "config.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "json.h"
#include "linepool.h"
#include "provenance.h"
#include "util.h"

static const char usage[] =
    "usage: flow-sign [-j NUM] [-r FILE] [-e EXT]... -k KEY.pem -i KEYID [-k KEY.pem -i KEYID]...";

static const char help[] =
    "\n"
    "Sign each event (CloudEvents JSON lines on standard input) per the CloudEvents\n"
    "Verifiability extension: add dssematerial, the DSSE envelope over the digests of\n"
    "the core attributes, the data and the extensions named with -e.\n"
    "\n"
    "  -k, --key FILE       PEM private key, ECDSA P-256 or Ed25519 (repeatable)\n"
    "  -i, --key-id KEYID   key id of the -k before it, e.g. sel._flowkey.example.com\n"
    "  -e, --ext NAME       also sign this extension attribute (repeatable, in order)\n"
    "  -r, --reject FILE    keep the lines that cannot be signed, unchanged, in FILE\n"
    "  -j, --jobs NUM       threads signing (default: the processors online)\n"
    "  -h, --help           this help\n"
    "  -V, --version        version\n"
    "\n"
    "Exit: 0 all signed, 64 usage, 65 lines not signed, 74 I/O, 78 unusable key.\n";

struct sign_args {
	struct sigkey keys[DSSE_MAX_SIGS];
	const char *keyids[DSSE_MAX_SIGS];
	int nkeys, nids;
	const char *exts[DSSE_MAX_EXTS + 1];
	size_t extlens[DSSE_MAX_EXTS + 1];
	int nexts;
	int64_t jobs;
	const char *reject;
};

static int
sign_one(void *ctx, void *work, const char *line, size_t len, const char **out, size_t *outlen,
    char *why, size_t whysize)
{
	return prov_sign_line(ctx, work, line, len, out, outlen, why, whysize) == 0 ? LP_PASS : LP_REJECT;
}

static void
work_free(void *work)
{
	prov_work_free(work);
}

/* A key id goes into JSON and messages: printable, UTF-8, 1-255 bytes. */
static void
check_keyid(const char *id)
{
	size_t i, n = strlen(id);

	for (i = 0; i < n; i++)
		if ((unsigned char)id[i] < 0x20 || id[i] == 0x7f)
			break;
	if (n == 0 || n > DSSE_MAX_KEYID || i < n || !utf8_valid(id, n))
		die(EX_FLOW_USAGE, "-i: expected 1 to 255 bytes of printable UTF-8");
}

static void
parse_args(int argc, char **argv, struct sign_args *a)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "key-id", required_argument, NULL, 'i' },
		{ "ext", required_argument, NULL, 'e' },
		{ "reject", required_argument, NULL, 'r' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char why[160];
	const char *bad;
	int c;

	while ((c = getopt_long(argc, argv, "k:i:e:r:j:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			if (a->nkeys == DSSE_MAX_SIGS)
				die(EX_FLOW_USAGE, "-k: at most %d keys", DSSE_MAX_SIGS);
			if (sigkey_load(&a->keys[a->nkeys], optarg, 1, why, sizeof why) < 0)
				die(EX_FLOW_CONFIG, "%s: %s", optarg, why);
			a->nkeys++;
			break;
		case 'i':
			check_keyid(optarg);
			if (a->nids == DSSE_MAX_SIGS)
				die(EX_FLOW_USAGE, "-i: at most %d keys", DSSE_MAX_SIGS);
			a->keyids[a->nids++] = optarg;
			break;
		case 'e':
			if (a->nexts == DSSE_MAX_EXTS)
				die(EX_FLOW_USAGE, "-e: at most %d extensions", DSSE_MAX_EXTS);
			a->exts[a->nexts] = optarg;
			a->extlens[a->nexts++] = strlen(optarg);
			break;
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
	if (a->nkeys == 0 || a->nkeys != a->nids)
		usage_exit(usage, "give each key (-k) its key id (-i)");
	if (prov_exts_check(a->exts, a->extlens, a->nexts, &bad) < 0)
		die(EX_FLOW_USAGE, "-e: %s", bad);
}

int
main(int argc, char **argv)
{
	struct sign_args a = { .jobs = 0 };
	struct prov_signer s;
	struct linepool_opts o = { 0 };
	int status, i;

	util_init(argv[0]);
	catch_stop_signals();
	if (sodium_init() < 0)
		die(EX_FLOW_SOFTWARE, "libsodium: cannot initialise");
	parse_args(argc, argv, &a);
	s = (struct prov_signer){ a.nkeys, a.keys, a.keyids, a.nexts, a.exts, a.extlens };
	o.threads = a.jobs ? (int)a.jobs : linepool_default_threads();
	o.reject_path = a.reject;
	o.fn = sign_one;
	o.ctx = &s;
	o.worksize = sizeof(struct prov_work);
	o.work_free = work_free;
	status = linepool_run(&o, NULL);
	for (i = 0; i < a.nkeys; i++)
		sigkey_free(&a.keys[i]);
	return status;
}
