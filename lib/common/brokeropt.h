/* brokeropt: the broker options that flow-pub, flow-sub and flow-bridge
   share, handled in one place of their getopt loops: -X KEY=VALUE and
   -F FILE (librdkafka properties) and -o OFFSET (where a consumer starts).
   A bad value ends the program as every one of them does: the reason on
   stderr, exit 64 (usage) for -X and -o, 78 (configuration) for -F. */
#ifndef FLOW_BROKEROPT_H
#define FLOW_BROKEROPT_H

#include "broker.h"

/* The letters for getopt's option string, for a producer and a consumer. */
#define BROKEROPT_PRODUCER "X:F:"
#define BROKEROPT_CONSUMER "X:F:o:"

/* Apply option c with its argument to o: 1 when c is one of these
   options, 0 when it is not (the caller's own, or an unknown one). */
int brokeropt(int c, const char *arg, struct broker_opts *o);

#endif
