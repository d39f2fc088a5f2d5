#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netdb.h>
#include <resolv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnsquery.h"
#include "util.h"

/* The largest DNS message (TCP); answers over UDP that do not fit in 512
   bytes come back truncated and libresolv asks again over TCP. */
#define ANSWER_MAX 65536

struct resolver {
	struct __res_state rs;
	int dnssec;                /* only answers with the AD bit */
	char why[512];
	unsigned char answer[ANSWER_MAX];
};

const char *
resolver_fail(struct resolver *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof r->why, fmt, ap);
	va_end(ap);
	return r->why;
}

int
resolver_no_such_name(const struct resolver *r)
{
	return r->rs.res_h_errno == HOST_NOT_FOUND;
}

int
nameserver_parse(const char *spec, char *host, unsigned *port, const char **why)
{
	const char *colon = strrchr(spec, ':'), *end;
	size_t hostlen;
	int64_t n;

	*port = 53;
	if (spec[0] == '[') {
		if (!(end = strchr(spec, ']')) || (end[1] && end[1] != ':')) {
			*why = "expected [IPV6ADDR]:PORT";
			return -1;
		}
		colon = end[1] ? end + 1 : NULL;
		spec++;
		hostlen = end - spec;
	} else if (colon && strchr(spec, ':') != colon) {
		colon = NULL; /* a bare IPv6 address */
		hostlen = strlen(spec);
	} else
		hostlen = colon ? (size_t)(colon - spec) : strlen(spec);
	if (hostlen == 0 || hostlen > DNSNAME_MAX) {
		*why = "expected HOST[:PORT]";
		return -1;
	}
	if (colon) {
		if (parse_int64(colon + 1, 1, 65535, &n) < 0) {
			*why = "bad port";
			return -1;
		}
		*port = n;
	}
	memcpy(host, spec, hostlen);
	host[hostlen] = '\0';
	if (strspn(host, "0123456789abcdefABCDEF:.") != hostlen && dnsname_check(host, hostlen, why) < 0)
		return -1;
	return 0;
}

/* Send every query to host:port instead of resolv.conf's servers. An IPv4
   server fits in nsaddr_list; an IPv6 one goes in _u._ext.nsaddrs with the
   nsaddr_list family cleared, as glibc's own res_init does. */
static int
use_nameserver(struct resolver *r, const char *spec, const char **why)
{
	struct addrinfo hints, *ai;
	char host[DNSNAME_MAX + 1], service[8];
	unsigned port;
	int err, i;

	if (nameserver_parse(spec, host, &port, why) < 0)
		return -1;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(service, sizeof service, "%u", port);
	if ((err = getaddrinfo(host, service, &hints, &ai)) != 0) {
		*why = resolver_fail(r, "%s: %s", host, gai_strerror(err));
		return -1;
	}
	/* Drop resolv.conf's servers (res_nclose frees their IPv6 addresses). */
	res_nclose(&r->rs);
	for (i = 0; i < MAXNS; i++) {
		r->rs._u._ext.nsaddrs[i] = NULL;
		r->rs._u._ext.nssocks[i] = -1;
	}
	r->rs._u._ext.nscount = 0;
	r->rs.nscount = 1;
	memset(&r->rs.nsaddr_list[0], 0, sizeof r->rs.nsaddr_list[0]);
	if (ai->ai_family == AF_INET)
		memcpy(&r->rs.nsaddr_list[0], ai->ai_addr, sizeof(struct sockaddr_in));
	else {
		r->rs._u._ext.nsaddrs[0] = xmalloc(sizeof(struct sockaddr_in6));
		memcpy(r->rs._u._ext.nsaddrs[0], ai->ai_addr, sizeof(struct sockaddr_in6));
	}
	freeaddrinfo(ai);
	return 0;
}

struct resolver *
resolver_open(const struct resolver_opts *o, const char **why)
{
	struct resolver *r = xmalloc(sizeof *r);
	const char *env;

	memset(&r->rs, 0, sizeof r->rs);
	if (res_ninit(&r->rs) < 0) {
		*why = "cannot initialise the resolver";
		free(r);
		return NULL;
	}
	r->dnssec = o->dnssec || ((env = getenv("FLOW_DNSSEC")) && strcmp(env, "1") == 0);
	/* ask with the AD bit (and EDNS0's DO), and let libresolv pass the
	   AD bit of the answer on rather than clear it (trust-ad) */
	if (r->dnssec)
		r->rs.options |= RES_USE_EDNS0 | RES_USE_DNSSEC | RES_TRUSTAD;
	r->rs.retrans = o->timeout > 0 ? o->timeout : RESOLVE_DEFAULT_TIMEOUT;
	r->rs.retry = (o->retries >= 0 ? o->retries : RESOLVE_DEFAULT_RETRIES) + 1;
	if (o->nameserver && use_nameserver(r, o->nameserver, why) < 0) {
		res_nclose(&r->rs);
		free(r);
		return NULL;
	}
	return r;
}

void
resolver_close(struct resolver *r)
{
	if (!r)
		return;
	res_nclose(&r->rs);
	free(r);
}

/* Did a response come (its header in r->answer, where libresolv leaves
   a negative one too)? */
static int
answered(const struct resolver *r)
{
	return r->rs.res_h_errno == HOST_NOT_FOUND || r->rs.res_h_errno == NO_DATA;
}

/* Ask for name's records of one type; the answer is parsed into *m. */
int
dns_query(struct resolver *r, const char *name, int type, ns_msg *m, const char **why)
{
	const char *tname = type == ns_t_ptr ? "PTR" : type == ns_t_srv ? "SRV" :
	    type == ns_t_a ? "A" : "TXT";
	int64_t start = clock_ms();
	int n;

	errno = 0;
	memset(r->answer, 0, HFIXEDSZ);
	n = res_nquery(&r->rs, name, ns_c_in, type, r->answer, sizeof r->answer);
	if (r->dnssec && (n >= 0 || answered(r)) && !((const HEADER *)r->answer)->ad) {
		*why = resolver_fail(r, "%s %s: the answer is not authenticated (DNSSEC required: "
		    "no AD bit from a validating resolver)", name, tname);
		return EX_FLOW_UNAVAILABLE;
	}
	if (n < 0) {
		switch (r->rs.res_h_errno) {
		case HOST_NOT_FOUND:
			*why = resolver_fail(r, "%s: no such name", name);
			return EX_FLOW_NEGATIVE;
		case NO_DATA:
			*why = resolver_fail(r, "%s: no %s record", name, tname);
			return EX_FLOW_NEGATIVE;
		case TRY_AGAIN:
			/* libresolv says ETIMEDOUT as well when every answer was
			   SERVFAIL or REFUSED; a real timeout takes a whole try. */
			if (errno == ETIMEDOUT && clock_ms() - start < r->rs.retrans * 1000)
				errno = 0;
			*why = resolver_fail(r, "%s %s: %s", name, tname,
			    errno == ETIMEDOUT ? "name server timed out" :
			    errno == ECONNREFUSED ? "name server unreachable (connection refused)" :
			    errno ? strerror(errno) : "name server failed or refused the query");
			return EX_FLOW_UNAVAILABLE;
		default:
			*why = resolver_fail(r, "%s %s: name server refused or could not answer", name, tname);
			return EX_FLOW_UNAVAILABLE;
		}
	}
	if (n > (int)sizeof r->answer || ns_initparse(r->answer, n, m) < 0) {
		*why = resolver_fail(r, "%s %s: malformed answer", name, tname);
		return EX_FLOW_UNAVAILABLE;
	}
	return EX_FLOW_OK;
}

/* The next answer record of type, from *i on. Records of other types (the
   CNAME chain that led there, junk) are passed over. */
int
dns_next_record(ns_msg *m, int *i, int type, ns_rr *rr)
{
	while (*i < ns_msg_count(*m, ns_s_an)) {
		if (ns_parserr(m, ns_s_an, (*i)++, rr) < 0)
			return 0;
		if ((int)ns_rr_type(*rr) == type && ns_rr_class(*rr) == ns_c_in)
			return 1;
	}
	return 0;
}

/* Expand a domain name of rdata that must fill it up to its end. */
int
dns_rdata_name(ns_msg *m, const ns_rr *rr, const unsigned char *p, char *out, size_t size)
{
	const unsigned char *end = ns_rr_rdata(*rr) + ns_rr_rdlen(*rr);
	int n = dn_expand(ns_msg_base(*m), ns_msg_end(*m), p, out, size);

	return n < 0 || p + n != end ? -1 : 0;
}

int
resolve_srv(struct resolver *r, const char *name, struct srv_target *t, size_t *nt,
    const char **why)
{
	char host[NS_MAXDNAME];
	const unsigned char *rd;
	const char *bad;
	ns_msg m;
	ns_rr rr;
	int st, i = 0, dropped = 0;

	*nt = 0;
	if ((st = dns_query(r, name, ns_t_srv, &m, why)) != EX_FLOW_OK)
		return st;
	while (dns_next_record(&m, &i, ns_t_srv, &rr)) {
		rd = ns_rr_rdata(rr);
		if (ns_rr_rdlen(rr) < 7 || dns_rdata_name(&m, &rr, rd + 6, host, sizeof host) < 0) {
			warnmsg("%s: malformed SRV record ignored", name);
			continue;
		}
		if (strcmp(host, ".") == 0 || host[0] == '\0')
			continue; /* RFC 2782: the service is not offered there */
		if (dnsname_check(host, strlen(host), &bad) < 0 || ns_get16(rd + 4) == 0) {
			warnmsg("%s: SRV record with a bad target or port 0 ignored", name);
			continue;
		}
		if (*nt == RESOLVE_MAX_TARGETS) {
			dropped++;
			continue;
		}
		t[*nt].priority = ns_get16(rd);
		t[*nt].weight = ns_get16(rd + 2);
		t[*nt].port = ns_get16(rd + 4);
		dnsname_normalize(host, strlen(host), t[*nt].host);
		(*nt)++;
	}
	if (dropped)
		warnmsg("%s: %d SRV records beyond the first %d ignored", name, dropped,
		    RESOLVE_MAX_TARGETS);
	if (*nt == 0) {
		*why = resolver_fail(r, "%s: no usable SRV record", name);
		return EX_FLOW_NEGATIVE;
	}
	srv_order(t, *nt);
	return EX_FLOW_OK;
}

/* Call fn on each word of name's TXT records: words are separated by blanks
   inside a string and by string boundaries, so "broker-type=kafka tls" and
   "broker-type=kafka" "tls" mean the same. A missing TXT is no word at all. */
int
dns_each_txt_word(struct resolver *r, const char *name, void (*fn)(void *, const char *, size_t),
    void *ctx, const char **why)
{
	const unsigned char *p, *end;
	size_t len, w, i;
	ns_msg m;
	ns_rr rr;
	int st, k = 0;

	if ((st = dns_query(r, name, ns_t_txt, &m, why)) != EX_FLOW_OK)
		return st == EX_FLOW_NEGATIVE ? EX_FLOW_OK : st;
	while (dns_next_record(&m, &k, ns_t_txt, &rr)) {
		p = ns_rr_rdata(rr);
		end = p + ns_rr_rdlen(rr);
		for (; p < end; p += len) {
			len = *p++;
			if (len > (size_t)(end - p)) {
				warnmsg("%s: malformed TXT record ignored", name);
				break;
			}
			for (i = 0; i < len; i += w) {
				for (w = 0; i + w < len && p[i + w] != ' ' && p[i + w] != '\t'; w++)
					;
				if (w == 0)
					w = 1;
				else
					fn(ctx, (const char *)p + i, w);
			}
		}
	}
	return EX_FLOW_OK;
}

static void
swap_targets(struct srv_target *a, struct srv_target *b)
{
	struct srv_target tmp = *a;

	*a = *b;
	*b = tmp;
}

void
srv_order(struct srv_target *t, size_t n)
{
	struct srv_target tmp;
	size_t i, j, k, zero, end;
	uint32_t sum, pick, run;

	/* Priority ascending; a stable insertion sort, n is small. */
	for (i = 1; i < n; i++) {
		tmp = t[i];
		for (j = i; j > 0 && t[j - 1].priority > tmp.priority; j--)
			t[j] = t[j - 1];
		t[j] = tmp;
	}
	for (i = 0; i < n; i = end) {
		for (end = i + 1; end < n && t[end].priority == t[i].priority; end++)
			;
		/* RFC 2782: the targets not placed yet, weight 0 first; a random
		   number in [0, sum of weights]; the first target whose running
		   sum reaches it goes next. */
		for (k = i; k + 1 < end; k++) {
			for (zero = k, sum = 0, j = k; j < end; j++) {
				sum += t[j].weight;
				if (t[j].weight == 0)
					swap_targets(&t[zero++], &t[j]);
			}
			pick = arc4random_uniform(sum + 1);
			for (run = 0, j = k; j + 1 < end; j++)
				if ((run += t[j].weight) >= pick)
					break;
			swap_targets(&t[k], &t[j]);
		}
	}
}

int
resolve_host_address(const char *host, char addr[INET_ADDRSTRLEN], const char **why)
{
	struct resolver_opts o = { getenv("FLOW_NAMESERVER"), RESOLVE_DEFAULT_TIMEOUT,
	    RESOLVE_DEFAULT_RETRIES, 0 };
	struct resolver *r;
	ns_msg m;
	ns_rr rr;
	int i = 0, st;

	if (!o.nameserver || !*o.nameserver)
		return 1;
	if (dnsname_check(host, strlen(host), why) < 0)
		return EX_FLOW_USAGE;
	if (!(r = resolver_open(&o, why)))
		return EX_FLOW_CONFIG;
	if ((st = dns_query(r, host, ns_t_a, &m, why)) == EX_FLOW_OK) {
		if (dns_next_record(&m, &i, ns_t_a, &rr) && ns_rr_rdlen(rr) == 4)
			inet_ntop(AF_INET, ns_rr_rdata(rr), addr, INET_ADDRSTRLEN);
		else {
			*why = resolver_fail(r, "%s: no A record", host);
			st = EX_FLOW_NEGATIVE;
		}
	}
	/* the message lives in the resolver: copy it out before closing */
	if (st != EX_FLOW_OK) {
		static char msg[DNSNAME_MAX + 128];

		snprintf(msg, sizeof msg, "%s", *why);
		*why = msg;
	}
	resolver_close(r);
	return st;
}
