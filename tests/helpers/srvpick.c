/* srvpick: resolve a flow's agents once, then print COUNT fresh RFC 2782
   orders of them, one order a line (host names separated by spaces), so a
   test can check priority order and the weight distribution. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dnsquery.h"
#include "resolve.h"
#include "util.h"

int
main(int argc, char **argv)
{
	struct resolver_opts ro = { NULL, RESOLVE_DEFAULT_TIMEOUT, RESOLVE_DEFAULT_RETRIES };
	static struct flow_info fi;
	struct srv_target t[RESOLVE_MAX_TARGETS];
	struct resolver *r;
	const char *why;
	int64_t count = 1000, i;
	size_t k;
	int c, st;

	util_init(argv[0]);
	while ((c = getopt(argc, argv, "n:s:")) != -1) {
		if (c == 's')
			ro.nameserver = optarg;
		else if (c != 'n' || parse_int64(optarg, 1, 1000000, &count) < 0)
			die(EX_FLOW_USAGE, "usage: srvpick [-s HOST[:PORT]] [-n COUNT] FQDN");
	}
	if (optind != argc - 1 || dnsname_check(argv[optind], strlen(argv[optind]), &why) < 0)
		die(EX_FLOW_USAGE, "usage: srvpick [-s HOST[:PORT]] [-n COUNT] FQDN");
	if (!(r = resolver_open(&ro, &why)))
		die(EX_FLOW_USAGE, "%s", why);
	if ((st = resolve_flow(r, argv[optind], RESOLVE_AGENT, &fi, &why)) != EX_FLOW_OK)
		die(st, "%s: %s", argv[optind], why);
	resolver_close(r);
	for (i = 0; i < count; i++) {
		memcpy(t, fi.agents, fi.nagents * sizeof *t);
		srv_order(t, fi.nagents);
		for (k = 0; k < fi.nagents; k++)
			printf("%s%s", k ? " " : "", t[k].host);
		putchar('\n');
	}
	exit_flushed(EX_FLOW_OK);
}
