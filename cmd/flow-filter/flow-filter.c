/* flow-filter: keep the CloudEvents that match a CESQL expression. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "filter.h"
#include "linepool.h"
#include "util.h"

static const char usage[] =
    "usage: flow-filter [-cqv] [-j NUM] [-m NUM] [--print] [--exact|--prefix|--suffix ATTR=VALUE]...\n"
    "                   [--dedupe[=N]] [--reject FILE] [--verbose] [EXPR] [FILE...]\n";

static const char help[] =
    "Keep the events (CloudEvents JSON lines) for which EXPR, a CloudEvents SQL\n"
    "expression, is true; pass them on byte for byte.\n"
    "\n"
    "      --exact ATTR=VALUE   the attribute is VALUE (repeatable, ANDed with EXPR)\n"
    "      --prefix ATTR=VALUE  the attribute starts with VALUE\n"
    "      --suffix ATTR=VALUE  the attribute ends with VALUE\n"
    "  -v, --invert-match       keep the events that do not match\n"
    "  -c, --count              print only the number of matching events\n"
    "  -q, --quiet              print nothing; exit 0 at the first match\n"
    "  -m, --max-count NUM      stop after NUM matching events\n"
    "      --print              write the value of EXPR for each event, as JSON\n"
    "      --dedupe[=N]         drop an event whose (source, id) was among the last N\n"
    "                           passed on (default 100000)\n"
    "  -r, --reject FILE        keep invalid lines, unchanged, in FILE\n"
    "  -j, --jobs NUM           threads checking events (default: the processors\n"
    "                           online; one with -c, -q, -m, --print, --dedupe,\n"
    "                           --verbose or several files)\n"
    "      --verbose            a live count on a terminal; the counts and rate at\n"
    "                           the end (-v is --invert-match, as in grep)\n"
    "  -h, --help               this help\n"
    "  -V, --version            version\n"
    "\n"
    "AND, OR and XOR have one precedence and group from the left, as CESQL 1.0\n"
    "says: use parentheses. An event that raises an error does not pass.\n"
    "Identifiers data.a.b read fields of JSON data (an extension of CESQL 1.0).\n"
    "Exit: 0 some event matched, 1 none, 64 bad expression, 65 invalid lines.\n";

/* EXPR, which the dialect options make optional when no FILE follows;
   the index of the first FILE. */
static int
compile_expr(struct filter_opts *o, int argc, char **argv, int i)
{
	struct cesql_parse_error perr;

	if (i < argc && (o->nconds == 0 || strcmp(argv[i], "-") != 0)) {
		/* --print shows whatever the expression yields, missingFunction
		   errors included; a filter refuses what could never pass */
		o->expr = o->print ? cesql_compile(argv[i], &perr) : cesql_compile_filter(argv[i], &perr);
		if (!o->expr)
			die(EX_FLOW_USAGE, "parse: column %zu: %s", perr.column, perr.msg);
		o->expr_text = argv[i];
		return i + 1;
	}
	if (o->nconds == 0) {
		fputs(usage, stderr);
		exit(EX_FLOW_USAGE);
	}
	return i;
}

/* --exact, --prefix, --suffix ATTR=VALUE */
static void
add_cond(struct filter_opts *o, enum dialect kind, const char *arg)
{
	o->conds = xrealloc(o->conds, (o->nconds + 1) * sizeof *o->conds);
	if (filter_cond_parse(&o->conds[o->nconds], kind, arg) < 0)
		die(EX_FLOW_USAGE, "%s: expected ATTR=VALUE, ATTR letters and digits", arg);
	o->nconds++;
}

int
main(int argc, char **argv)
{
	enum { OPT_PRINT = 256, OPT_EXACT, OPT_PREFIX, OPT_SUFFIX, OPT_DEDUPE, OPT_VERBOSE };
	static const struct option longopts[] = {
		{ "exact", required_argument, NULL, OPT_EXACT },
		{ "prefix", required_argument, NULL, OPT_PREFIX },
		{ "suffix", required_argument, NULL, OPT_SUFFIX },
		{ "invert-match", no_argument, NULL, 'v' },
		{ "count", no_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "max-count", required_argument, NULL, 'm' },
		{ "print", no_argument, NULL, OPT_PRINT },
		{ "dedupe", optional_argument, NULL, OPT_DEDUPE },
		{ "reject", required_argument, NULL, 'r' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, OPT_VERBOSE },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct filter_opts o = { .threads = linepool_default_threads() };
	int64_t v, dedupe = 0;
	int c, status, i;

	util_init(argv[0]);
	catch_stop_signals();
	while ((c = getopt_long(argc, argv, "vcqm:r:j:hV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_EXACT:
		case OPT_PREFIX:
		case OPT_SUFFIX:
			add_cond(&o, c == OPT_EXACT ? DIALECT_EXACT : c == OPT_PREFIX ? DIALECT_PREFIX :
			    DIALECT_SUFFIX, optarg);
			break;
		case 'v': o.invert = 1; break;
		case 'c': o.count = 1; break;
		case 'q': o.quiet = 1; break;
		case 'm':
			if (parse_int64(optarg, 1, INT64_MAX, &v) < 0)
				die(EX_FLOW_USAGE, "-m %s: expected a positive number", optarg);
			o.max = v;
			break;
		case OPT_PRINT: o.print = 1; break;
		case OPT_DEDUPE:
			dedupe = 100000;
			if (optarg && parse_int64(optarg, 1, 100000000, &dedupe) < 0)
				die(EX_FLOW_USAGE, "--dedupe=%s: expected a number from 1 to 100000000", optarg);
			break;
		case 'r': o.reject_path = optarg; break;
		case 'j':
			if (parse_int64(optarg, 1, 64, &v) < 0)
				die(EX_FLOW_USAGE, "-j %s: expected a number from 1 to 64", optarg);
			o.threads = (int)v;
			break;
		case OPT_VERBOSE: o.verbose = 1; break;
		case 'h': fputs(usage, stdout); fputs(help, stdout); exit_flushed(EX_FLOW_OK);
		case 'V': print_version();
		default: fputs(usage, stderr); exit(EX_FLOW_USAGE);
		}
	}
	optind = compile_expr(&o, argc, argv, optind);
	if (o.print && (!o.expr || o.count || o.quiet || o.invert || o.max || dedupe || o.nconds))
		die(EX_FLOW_USAGE, "--print takes an expression and no other filtering option");
	if (dedupe) {
		if (sodium_init() < 0)
			die(EX_FLOW_SOFTWARE, "libsodium: cannot initialise");
		o.dedupe = dedupe_new(dedupe);
	}
	status = filter_run(&o, argv + optind, argc - optind);
	cesql_free(o.expr);
	dedupe_free(o.dedupe);
	for (i = 0; i < o.nconds; i++)
		filter_cond_free(&o.conds[i]);
	free(o.conds);
	return status;
}
