/* brokeropt: the broker options that flow-pub, flow-sub and flow-bridge
   share, handled in one place of their getopt loops: -X KEY=VALUE and
   -F FILE (librdkafka properties), -o OFFSET (where a consumer starts),
   and for http(s) destinations (flow-pub, flow-bridge) -H 'Name: value'
   or -H @FILE (--header, --header-file: headers of every request),
   --batch N, --retries N, --cacert FILE and --webhook-secret FILE. A bad
   value ends the program as every one of them does: the reason on stderr,
   exit 64 (usage) for -X, -o, -H, --batch and --retries, 78
   (configuration) for the files of -F, -H @FILE, --cacert and
   --webhook-secret. A -H value is never echoed: it may be a secret. */
#ifndef FLOW_BROKEROPT_H
#define FLOW_BROKEROPT_H

#include <getopt.h>

#include "broker.h"

/* The letters for getopt's option string, for a producer and a consumer,
   and the HTTP destinations' (a producer's too). */
#define BROKEROPT_PRODUCER "X:F:"
#define BROKEROPT_CONSUMER "X:F:o:"
#define BROKEROPT_HTTP "H:"

/* The long options' values: above any program's own. */
enum {
	BROKEROPT_HEADER_FILE = 0x1000, BROKEROPT_BATCH, BROKEROPT_RETRIES, BROKEROPT_CACERT,
	BROKEROPT_WEBHOOK_SECRET,
};

/* The HTTP destinations' long options, for a program's struct option table. */
#define BROKEROPT_HTTP_LONGOPTS \
	{ "header", required_argument, NULL, 'H' }, \
	{ "header-file", required_argument, NULL, BROKEROPT_HEADER_FILE }, \
	{ "batch", required_argument, NULL, BROKEROPT_BATCH }, \
	{ "retries", required_argument, NULL, BROKEROPT_RETRIES }, \
	{ "cacert", required_argument, NULL, BROKEROPT_CACERT }, \
	{ "webhook-secret", required_argument, NULL, BROKEROPT_WEBHOOK_SECRET }

/* Apply option c with its argument to o: 1 when c is one of these
   options, 0 when it is not (the caller's own, or an unknown one). */
int brokeropt(int c, const char *arg, struct broker_opts *o);

/* broker_opts_free, and what the HTTP options hold (the key wiped). */
void brokeropt_free(struct broker_opts *o);

#endif
