/* flow-filter: keep the CloudEvents that match a CESQL expression. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "filter.h"
#include "util.h"

#define OUT_BYTES (256 * 1024)

static const char usage[] =
    "usage: flow-filter [-cqv] [-m NUM] [--print] [--exact|--prefix|--suffix ATTR=VALUE]...\n"
    "                   [--dedupe[=N]] [--reject FILE] [EXPR] [FILE...]\n";

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
    "  -h, --help               this help\n"
    "  -V, --version            version\n"
    "\n"
    "Identifiers data.a.b read fields of JSON data (an extension of CESQL 1.0).\n"
    "Exit: 0 some event matched, 1 none, 64 bad expression, 65 invalid lines.\n";

int
main(int argc, char **argv)
{
	enum { OPT_PRINT = 256, OPT_EXACT, OPT_PREFIX, OPT_SUFFIX, OPT_DEDUPE };
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
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct filter_opts o = { 0 };
	struct filter_state st = { .rejectfd = -1 };
	struct cesql_parse_error perr;
	struct out *out;
	int64_t v, dedupe = 0;
	int c, status = 0, r, fd, i;
	const char *name;

	util_init(argv[0]);
	catch_stop_signals();
	while ((c = getopt_long(argc, argv, "vcqm:r:hV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_EXACT:
		case OPT_PREFIX:
		case OPT_SUFFIX:
			o.conds = xrealloc(o.conds, (o.nconds + 1) * sizeof *o.conds);
			if (filter_cond_parse(&o.conds[o.nconds++], c == OPT_EXACT ? DIALECT_EXACT :
			    c == OPT_PREFIX ? DIALECT_PREFIX : DIALECT_SUFFIX, optarg) < 0)
				die(EX_FLOW_USAGE, "%s: expected ATTR=VALUE", optarg);
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
		case 'h': fputs(usage, stdout); fputs(help, stdout); exit_flushed(EX_FLOW_OK);
		case 'V': print_version();
		default: fputs(usage, stderr); exit(EX_FLOW_USAGE);
		}
	}
	/* an expression, unless the dialect options say it all */
	if (optind < argc && (o.nconds == 0 || !(argv[optind][0] == '-' && !argv[optind][1]))) {
		if (!(o.expr = cesql_compile(argv[optind], &perr)))
			die(EX_FLOW_USAGE, "parse: column %zu: %s", perr.column, perr.msg);
		if ((name = cesql_missing_function(o.expr)))
			die(EX_FLOW_USAGE, "parse: no function %s with that many arguments", name);
		optind++;
	} else if (o.nconds == 0) {
		fputs(usage, stderr);
		exit(EX_FLOW_USAGE);
	}
	if (o.print && (!o.expr || o.count || o.quiet || o.invert || o.max || dedupe || o.nconds))
		die(EX_FLOW_USAGE, "--print takes an expression and no other filtering option");
	if (sodium_init() < 0)
		die(EX_FLOW_SOFTWARE, "libsodium: cannot initialise");
	if (dedupe)
		o.dedupe = dedupe_new(dedupe);
	if (o.reject_path &&
	    (st.rejectfd = open(o.reject_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) < 0)
		die(EX_FLOW_IOERR, "%s: %s", o.reject_path, strerror(errno));
	out = out_open(STDOUT_FILENO, OUT_BYTES);
	for (i = optind; i == optind || i < argc; i++) {
		name = i < argc ? argv[i] : "-";
		if (strcmp(name, "-") == 0) {
			fd = STDIN_FILENO;
			name = "stdin";
		} else if ((fd = open(name, O_RDONLY | O_CLOEXEC)) < 0) {
			warnmsg("%s: %s", name, strerror(errno));
			status = EX_FLOW_IOERR;
			continue;
		}
		r = filter_stream(fd, name, out, &o, &st);
		if (fd != STDIN_FILENO)
			close(fd);
		if (r && !status)
			status = r;
		if (st.done || st.gone || stop_requested)
			break;
	}
	if (o.count && !st.gone) {
		char buf[32];

		if (out_line(out, buf, snprintf(buf, sizeof buf, "%" PRIu64, st.matched)) < 0 && errno != EPIPE)
			status = EX_FLOW_IOERR;
	}
	if (out_close(out) < 0 && errno != EPIPE && !st.gone) {
		warnmsg("stdout: %s", strerror(errno));
		status = EX_FLOW_IOERR;
	}
	if (st.rejectfd >= 0 && close(st.rejectfd) < 0 && !status)
		status = EX_FLOW_IOERR;
	if (!status)
		status = st.rejected ? EX_FLOW_DATAERR : st.matched || o.print ? EX_FLOW_OK : EX_FLOW_NEGATIVE;
	cesql_free(o.expr);
	dedupe_free(o.dedupe);
	for (i = 0; i < o.nconds; i++) {
		free(o.conds[i].attr);
		free(o.conds[i].value);
	}
	free(o.conds);
	return status;
}
