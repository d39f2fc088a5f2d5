#include "config.h"

#include <stdlib.h>

#include "brokeropt.h"
#include "util.h"

int
brokeropt(int c, const char *arg, struct broker_opts *o)
{
	switch (c) {
	case 'X':
		/* broker_prop_add and broker_prop_file say what is wrong */
		if (broker_prop_add(o, arg) < 0)
			exit(EX_FLOW_USAGE);
		return 1;
	case 'F':
		if (broker_prop_file(o, arg) < 0)
			exit(EX_FLOW_CONFIG);
		return 1;
	case 'o':
		if (offset_parse(arg, &o->start) < 0)
			die(EX_FLOW_USAGE, "-o %s: expected beginning, end, stored, N, -N, @TIME (RFC 3339, or -N with s, m, h or d) or stored:(one of the others)", arg);
		return 1;
	default:
		return 0;
	}
}
