/* dnsupdate: the RFC 2136 update script, in nsupdate(1) syntax, that adds
   or deletes a flow's records (the layout is in resolve.h): the
   agents' SRV records at _flow._tcp.F and, with the same targets, at F
   itself, where the thesis's agents look for them. The
   agent (fnap-serve) and admins pipe it into "nsupdate -k KEYFILE". Every
   name and value is checked before a byte is written: nothing from a
   request can add a line, a quote or a record of its own to the script. */
#ifndef FLOW_DNSUPDATE_H
#define FLOW_DNSUPDATE_H

#include <stdio.h>

#include "dnsquery.h"
#include "resolve.h"

enum dnsupdate_op { DNSUPDATE_ADD, DNSUPDATE_DELETE };

#define DNSUPDATE_DEFAULT_TTL 300

struct dnsupdate_flow {
	const char *flow;           /* the flow FQDN F */
	const char *ns;             /* its namespace; NULL: F without its first label */
	const struct srv_target *agents; /* _flow._tcp.F SRV, may be none */
	size_t nagents;
	int agent_tls;              /* _flow._tcp.F TXT "tls" */
	const struct broker_kind *broker; /* NULL: no _queue records */
	const struct srv_target *brokers; /* _queue._flow._tcp.F SRV (kafka, fnap: one at least) */
	size_t nbrokers;
	const char *topic;          /* kafka, fnap: TXT topic=, NULL for the default (F) */
	const char *path;           /* file: TXT path= (required) */
	int broker_tls;             /* _queue TXT "tls" */
	const char *retention;      /* _queue TXT retention= ("7d", "12h"); NULL or "": none */
	int public;                 /* browse entry _flow._tcp.NS PTR F */
	unsigned long ttl;
	const char *server;         /* "HOST[:PORT]" ("[V6]:PORT"): a server line, or NULL */
	const char *zone;           /* a zone line, or NULL (nsupdate finds it) */
};

/* Parse an SRV target "HOST:PORT[:PRIORITY[:WEIGHT]]" (priority and weight
   0 when absent). 0, or -1 with *why. */
int dnsupdate_target_parse(const char *spec, struct srv_target *t, const char **why);

/* The name server to send updates to, as an admin writes it: "HOST PORT"
   (nsupdate's own server line), "HOST[:PORT]", "[IPV6ADDR]:PORT" or a bare
   IPV6ADDR; port 53 when absent. Written to out as dnsupdate_flow.server
   takes it. 0, or -1 with *why. */
#define DNSUPDATE_SERVER_MAX (DNSNAME_MAX + 16)
int dnsupdate_server_parse(const char *spec, char out[DNSUPDATE_SERVER_MAX], const char **why);

/* Check d for op, then write the whole script to f: for ADD, the deletion
   of the flow's old records, then its records, in one update (so adding
   again replaces); for DELETE, the deletion of its records and browse
   entry. A final "send". 0, or -1 with *why and nothing written. Write
   errors are the caller's to check (ferror). */
int dnsupdate_write(FILE *f, enum dnsupdate_op op, const struct dnsupdate_flow *d,
    const char **why);

/* A signing key's FLOWKEY1 record (flowkey.h) at its key id's name. */
struct dnsupdate_key {
	const char *name;           /* a key id: <selector>._flowkey.<namespace> */
	const char *record;         /* ADD: the record's text */
	unsigned long ttl;
	const char *server;         /* as in dnsupdate_flow */
	const char *zone;
};

/* Check k for op, then write the script to f: for ADD, the deletion of the
   TXT records at the name, then the record, in one update (so adding again
   replaces the key: never two FLOWKEY1 records); for DELETE, the deletion
   of the TXT records at the name. The record is written as strings of at
   most 255 bytes, as TXT data needs. 0, or -1 with *why and nothing written. */
int dnsupdate_write_key(FILE *f, enum dnsupdate_op op, const struct dnsupdate_key *k,
    const char **why);

#endif
