/* dnsquery: the DNS layer of the Flow Name Service, on libresolv. A
   resolver asks one name server (resolv.conf's, or any HOST[:PORT]) with
   its own timeout and tries; a query parses the answer, kept in the
   resolver until its next query, and the helpers below walk its records:
   any type, the domain name in a record's data, the words of TXT records,
   SRV records in RFC 2782 order. What the records mean for a flow is
   resolve.h's business.

   Lookups return EX_FLOW_OK, EX_FLOW_NEGATIVE (no such name or records) or
   EX_FLOW_UNAVAILABLE (no answer, server failure), with *why, a message in
   the resolver valid until its next lookup. With DNSSEC required (the
   option, or FLOW_DNSSEC=1 in the environment) only answers that the name
   server marked authenticated (the AD bit of a validating resolver, which
   the query asks for) are taken, positive or negative; any other is
   EX_FLOW_UNAVAILABLE: fail closed. Names must have passed
   dnsname_check(); record data that cannot be used (bad names, junk)
   is reported with warnmsg() and ignored. */
#ifndef FLOW_DNSQUERY_H
#define FLOW_DNSQUERY_H

#include <arpa/nameser.h>
#include <netinet/in.h>
#include <stddef.h>

#include "dnsname.h"

/* SRV targets kept per record set; more are reported and ignored. */
#define RESOLVE_MAX_TARGETS 32

struct srv_target {
	unsigned priority, weight, port;
	char host[DNSNAME_MAX + 1];
};

struct resolver_opts {
	const char *nameserver; /* "HOST[:PORT]", "[V6]:PORT" or NULL: resolv.conf */
	int timeout;            /* seconds per try, > 0 */
	int retries;            /* tries after the first, >= 0 */
	int dnssec;             /* only authenticated answers (also FLOW_DNSSEC=1) */
};

#define RESOLVE_DEFAULT_TIMEOUT 2
#define RESOLVE_DEFAULT_RETRIES 1

struct resolver;

/* Parse "HOST[:PORT]" ("[V6ADDR]:PORT", a bare V6ADDR, a host name) into
   host (DNSNAME_MAX + 1 bytes) and *port (53 when absent). 0, or -1 with *why. */
int nameserver_parse(const char *spec, char *host, unsigned *port, const char **why);

/* A resolver asking o->nameserver (any port). NULL with *why when the
   nameserver cannot be used. */
struct resolver *resolver_open(const struct resolver_opts *o, const char **why);
void resolver_close(struct resolver *r);

/* Format a reason into r's message, for a *why of a lookup on r. */
const char *resolver_fail(struct resolver *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* After a lookup that failed: 1 when the name itself does not exist
   (NXDOMAIN), 0 when it only lacks the records asked for, or no answer. */
int resolver_no_such_name(const struct resolver *r);

/* Ask for name's records of type (ns_t_ptr, ns_t_srv, ns_t_txt, ns_t_a);
   the answer, parsed into *m, lives in r until its next query. */
int dns_query(struct resolver *r, const char *name, int type, ns_msg *m, const char **why);

/* The next answer record of type, from record *i on, into *rr: 1, or 0
   when there is none left. */
int dns_next_record(ns_msg *m, int *i, int type, ns_rr *rr);

/* The domain name at p in rr's data, which must end there: 0, or -1. */
int dns_rdata_name(ns_msg *m, const ns_rr *rr, const unsigned char *p, char *out, size_t size);

/* Call fn(ctx, word, length) on each blank-separated word of name's TXT
   records; no TXT record is no word, and EX_FLOW_OK. */
int dns_each_txt_word(struct resolver *r, const char *name,
    void (*fn)(void *, const char *, size_t), void *ctx, const char **why);

/* The SRV records at name (at most RESOLVE_MAX_TARGETS in t, *n of them),
   in the order to try; NEGATIVE when none is usable. */
int resolve_srv(struct resolver *r, const char *name, struct srv_target *t, size_t *n,
    const char **why);

/* Put SRV targets in RFC 2782 order: priority ascending, and within one
   priority a weighted random order (weight 0 rarely first). */
void srv_order(struct srv_target *t, size_t n);

/* The IPv4 address of host from the name server of FLOW_NAMESERVER, for
   the host names that records name and only that server knows: EX_FLOW_OK
   with addr filled in, 1 when FLOW_NAMESERVER is not set (ask the
   system), else an exit status with *why. */
int resolve_host_address(const char *host, char addr[INET_ADDRSTRLEN], const char **why);

#endif
