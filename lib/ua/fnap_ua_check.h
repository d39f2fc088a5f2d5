/* fnap_ua_check: fnap check [AGENT], a monitoring plugin for an agent.
   It connects as fnap_ua does (TLS as the configuration or --tls say),
   reads the greeting, asks CAPABILITIES without logging in, says QUIT,
   and writes one status line on stdout as monitoring plugins do:

	FNAP OK - localhost answers in 1.2 ms (FNAP 1, TLS) | time=0.001200s;;;0 ...

   Its result is the exit status, the one exception to the toolkit's:
   0 OK, 1 WARNING (slower than --warn-time), 2 CRITICAL (slower than
   --crit-time, no connection, TLS failing, no 220 greeting, an answer
   that is not FNAP, no "FNAP 1" among the capabilities, nothing within
   the timeout), 3 UNKNOWN (a usage or configuration problem: the check
   did not get as far as asking the agent). The reason for a failed
   connection is on standard error, as every fnap diagnostic. */
#ifndef FLOW_FNAP_UA_CHECK_H
#define FLOW_FNAP_UA_CHECK_H

#include "fnap_ua.h"

/* The check's options as given, validated by ua_check; NULL when not. */
struct ua_check_opts {
	const char *warn_time, *crit_time;   /* --warn-time S, --crit-time S */
	const char *timeout;                 /* -t S: the whole check (10) */
};

/* Run "check [AGENT]" of argv[0..argc) against the agent AGENT names as
   -a takes it (none: u->agent, else the first of the configuration):
   the status line is printed, its state returned. */
int ua_check(const struct ua *u, const struct ua_check_opts *o, int argc, char **argv);
/* The UNKNOWN status line for why (a usage or configuration problem
   found before ua_check runs); returns 3. */
int ua_check_unknown(const char *why);

#endif
