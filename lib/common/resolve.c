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

#include "resolve.h"
#include "util.h"

/* The largest DNS message (TCP); answers over UDP that do not fit in 512
   bytes come back truncated and libresolv asks again over TCP. */
#define ANSWER_MAX 65536

struct resolver {
	struct __res_state rs;
	char why[512];
	unsigned char answer[ANSWER_MAX];
};

static const char *
fail(struct resolver *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof r->why, fmt, ap);
	va_end(ap);
	return r->why;
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
		*why = fail(r, "%s: %s", host, gai_strerror(err));
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

	memset(&r->rs, 0, sizeof r->rs);
	if (res_ninit(&r->rs) < 0) {
		*why = "cannot initialise the resolver";
		free(r);
		return NULL;
	}
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

/* prefix + name, within the 253 characters of a DNS name. */
static int
join_name(struct resolver *r, char *out, const char *prefix, const char *name, const char **why)
{
	if (strlen(prefix) + strlen(name) > DNSNAME_MAX) {
		*why = fail(r, "%s%s: name too long", prefix, name);
		return EX_FLOW_NEGATIVE;
	}
	strcpy(out, prefix);
	strcat(out, name);
	return EX_FLOW_OK;
}

/* Ask for name's records of one type; the answer is parsed into *m. */
static int
query(struct resolver *r, const char *name, int type, ns_msg *m, const char **why)
{
	const char *tname = type == ns_t_ptr ? "PTR" : type == ns_t_srv ? "SRV" :
	    type == ns_t_a ? "A" : "TXT";
	int64_t start = clock_ms();
	int n;

	errno = 0;
	n = res_nquery(&r->rs, name, ns_c_in, type, r->answer, sizeof r->answer);
	if (n < 0) {
		switch (r->rs.res_h_errno) {
		case HOST_NOT_FOUND:
			*why = fail(r, "%s: no such name", name);
			return EX_FLOW_NEGATIVE;
		case NO_DATA:
			*why = fail(r, "%s: no %s record", name, tname);
			return EX_FLOW_NEGATIVE;
		case TRY_AGAIN:
			/* libresolv says ETIMEDOUT as well when every answer was
			   SERVFAIL or REFUSED; a real timeout takes a whole try. */
			if (errno == ETIMEDOUT && clock_ms() - start < r->rs.retrans * 1000)
				errno = 0;
			*why = fail(r, "%s %s: %s", name, tname,
			    errno == ETIMEDOUT ? "name server timed out" :
			    errno == ECONNREFUSED ? "name server unreachable (connection refused)" :
			    errno ? strerror(errno) : "name server failed or refused the query");
			return EX_FLOW_UNAVAILABLE;
		default:
			*why = fail(r, "%s %s: name server refused or could not answer", name, tname);
			return EX_FLOW_UNAVAILABLE;
		}
	}
	if (n > (int)sizeof r->answer || ns_initparse(r->answer, n, m) < 0) {
		*why = fail(r, "%s %s: malformed answer", name, tname);
		return EX_FLOW_UNAVAILABLE;
	}
	return EX_FLOW_OK;
}

/* The next answer record of type, from *i on. Records of other types (the
   CNAME chain that led there, junk) are passed over. */
static int
next_record(ns_msg *m, int *i, int type, ns_rr *rr)
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
static int
rdata_name(ns_msg *m, const ns_rr *rr, const unsigned char *p, char *out, size_t size)
{
	const unsigned char *end = ns_rr_rdata(*rr) + ns_rr_rdlen(*rr);
	int n = dn_expand(ns_msg_base(*m), ns_msg_end(*m), p, out, size);

	return n < 0 || p + n != end ? -1 : 0;
}

/* A service name: labels "_[a-z0-9-]+" in front of a host name. */
static int
service_name_ok(const char *s)
{
	const char *why;
	size_t n;

	while (s[0] == '_') {
		n = strspn(s + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");
		if (n == 0 || s[n + 1] != '.')
			return 0;
		s += n + 2;
	}
	return dnsname_check(s, strlen(s), &why) == 0;
}

static int
lookup_srv(struct resolver *r, const char *name, struct srv_target *t, size_t *nt,
    const char **why)
{
	char host[NS_MAXDNAME];
	const unsigned char *rd;
	const char *bad;
	ns_msg m;
	ns_rr rr;
	int st, i = 0, dropped = 0;

	*nt = 0;
	if ((st = query(r, name, ns_t_srv, &m, why)) != EX_FLOW_OK)
		return st;
	while (next_record(&m, &i, ns_t_srv, &rr)) {
		rd = ns_rr_rdata(rr);
		if (ns_rr_rdlen(rr) < 7 || rdata_name(&m, &rr, rd + 6, host, sizeof host) < 0) {
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
		*why = fail(r, "%s: no usable SRV record", name);
		return EX_FLOW_NEGATIVE;
	}
	srv_order(t, *nt);
	return EX_FLOW_OK;
}

/* Call fn on each word of name's TXT records: words are separated by blanks
   inside a string and by string boundaries, so "broker-type=kafka tls" and
   "broker-type=kafka" "tls" mean the same. A missing TXT is no word at all. */
static int
each_txt_word(struct resolver *r, const char *name, void (*fn)(void *, const char *, size_t),
    void *ctx, const char **why)
{
	const unsigned char *p, *end;
	size_t len, w, i;
	ns_msg m;
	ns_rr rr;
	int st, k = 0;

	if ((st = query(r, name, ns_t_txt, &m, why)) != EX_FLOW_OK)
		return st == EX_FLOW_NEGATIVE ? EX_FLOW_OK : st;
	while (next_record(&m, &k, ns_t_txt, &rr)) {
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

static int
word_is(const char *w, size_t n, const char *key)
{
	return n == strlen(key) && memcmp(w, key, n) == 0;
}

struct txt_ctx {
	const char *owner;
	struct flow_info *fi;
	int *tls;
};

static void
agent_word(void *v, const char *w, size_t n)
{
	struct txt_ctx *c = v;

	if (word_is(w, n, "tls"))
		*c->tls = 1;
}

/* Keep "key=value" in out when value is printable ASCII and fits. */
static void
keep_value(const struct txt_ctx *c, const char *key, const char *v, size_t n, char *out, size_t size)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] > '~' || v[i] == '"' ||
		    v[i] == '\\')
			break;
	if (n == 0 || i < n || n >= size) {
		warnmsg("%s: TXT %s= with a bad value ignored", c->owner, key);
		return;
	}
	memcpy(out, v, n);
	out[n] = '\0';
}

static void
queue_word(void *v, const char *w, size_t n)
{
	struct txt_ctx *c = v;
	struct flow_info *fi = c->fi;

	if (word_is(w, n, "tls"))
		fi->broker_tls = 1;
	else if (n > 12 && memcmp(w, "broker-type=", 12) == 0) {
		if (word_is(w + 12, n - 12, "kafka"))
			fi->broker_type = BROKER_KAFKA;
		else if (word_is(w + 12, n - 12, "fnap"))
			fi->broker_type = BROKER_FNAP;
		else if (word_is(w + 12, n - 12, "file"))
			fi->broker_type = BROKER_FILE;
		else
			warnmsg("%s: TXT broker-type= of an unknown type ignored", c->owner);
	} else if (n > 6 && memcmp(w, "topic=", 6) == 0)
		keep_value(c, "topic", w + 6, n - 6, fi->topic, sizeof fi->topic);
	else if (n > 5 && memcmp(w, "path=", 5) == 0)
		keep_value(c, "path", w + 5, n - 5, fi->path, sizeof fi->path);
	/* Other words are for other programs, or later versions. */
}

int
flow_topic_check(enum broker_type t, const char *s)
{
	const char *why;
	size_t n = strlen(s);

	if (t == BROKER_FNAP)
		return dnsname_check(s, n, &why);
	if (n == 0 || n > RESOLVE_TOPIC_MAX || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return -1;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n ? 0 : -1;
}

int
flow_path_check(const char *s)
{
	size_t n = strlen(s);

	if (s[0] != '/' || n >= RESOLVE_PATH_MAX || strstr(s, "/../") ||
	    (n >= 3 && strcmp(s + n - 3, "/..") == 0))
		return -1;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+,@=~:") == n ?
	    0 : -1;
}

/* The broker records: SRV (optional for file), TXT type, topic, path, tls. */
static int
lookup_broker(struct resolver *r, const char *service, struct flow_info *fi, const char **why)
{
	char name[DNSNAME_MAX + 1];
	struct txt_ctx c = { name, fi, NULL };
	int st;

	if ((st = join_name(r, name, "_queue.", service, why)) != EX_FLOW_OK)
		return st;
	st = lookup_srv(r, name, fi->brokers, &fi->nbrokers, why);
	if (st == EX_FLOW_UNAVAILABLE)
		return st;
	if ((st = each_txt_word(r, name, queue_word, &c, why)) != EX_FLOW_OK)
		return st;
	/* A topic for kafka and fnap only (default: the flow), a path for file only. */
	switch (fi->broker_type) {
	case BROKER_KAFKA:
	case BROKER_FNAP:
		if (fi->topic[0] && flow_topic_check(fi->broker_type, fi->topic) < 0) {
			warnmsg("%s: TXT topic= not a valid %s topic, ignored", name,
			    broker_type_name(fi->broker_type));
			fi->topic[0] = '\0';
		}
		if (!fi->topic[0])
			strcpy(fi->topic, fi->flow);
		else if (fi->broker_type == BROKER_FNAP)
			dnsname_normalize(fi->topic, strlen(fi->topic), fi->topic);
		fi->path[0] = '\0';
		break;
	case BROKER_FILE:
		if (fi->path[0] && flow_path_check(fi->path) < 0) {
			warnmsg("%s: TXT path= not a clean absolute path, ignored", name);
			fi->path[0] = '\0';
		}
		fi->topic[0] = '\0';
		break;
	case BROKER_NONE:
		fi->topic[0] = fi->path[0] = '\0';
		break;
	}
	return EX_FLOW_OK;
}

int
resolve_flow(struct resolver *r, const char *fqdn, int what, struct flow_info *fi,
    const char **why)
{
	char service[NS_MAXDNAME];
	struct txt_ctx c = { service, fi, &fi->agent_tls };
	const char *no_flow;
	ns_msg m;
	ns_rr rr;
	int st, i = 0, found = 0;

	memset(fi, 0, sizeof *fi);
	dnsname_normalize(fqdn, strlen(fqdn), fi->flow);
	if ((st = query(r, fi->flow, ns_t_ptr, &m, why)) == EX_FLOW_UNAVAILABLE)
		return st;
	while (st == EX_FLOW_OK && !found && next_record(&m, &i, ns_t_ptr, &rr))
		found = rdata_name(&m, &rr, ns_rr_rdata(rr), service, sizeof service) == 0 &&
		    strlen(service) <= DNSNAME_MAX && service_name_ok(service);
	if (!found) {
		no_flow = st == EX_FLOW_OK ? "no such flow (no usable PTR record)" :
		    r->rs.res_h_errno == HOST_NOT_FOUND ? "no such flow" : "no such flow (no PTR record)";
		/* a flow the thesis's agent registered may have F SRV alone */
		if (st == EX_FLOW_OK || r->rs.res_h_errno != HOST_NOT_FOUND)
			st = lookup_srv(r, fi->flow, fi->agents, &fi->nagents, why);
		if (st == EX_FLOW_UNAVAILABLE)
			return st;
		if (!fi->nagents)
			return *why = no_flow, EX_FLOW_NEGATIVE;
		snprintf(service, sizeof service, "_flow._tcp.%s", fi->flow);
	}
	if ((what & RESOLVE_AGENT) && !fi->nagents) {
		if ((st = lookup_srv(r, service, fi->agents, &fi->nagents, why)) == EX_FLOW_UNAVAILABLE)
			return st;
		/* ours write F SRV too, with the same targets; the thesis's agents only that */
		if (!fi->nagents && (st = lookup_srv(r, fi->flow, fi->agents, &fi->nagents, why)) ==
		    EX_FLOW_UNAVAILABLE)
			return st;
	}
	if ((what & RESOLVE_AGENT) && fi->nagents &&
	    (st = each_txt_word(r, service, agent_word, &c, why)) != EX_FLOW_OK)
		return st;
	if ((what & RESOLVE_BROKER) && (st = lookup_broker(r, service, fi, why)) != EX_FLOW_OK)
		return st;
	if (fi->nagents || fi->nbrokers || fi->broker_type != BROKER_NONE)
		return EX_FLOW_OK;
	*why = what == RESOLVE_AGENT ? "no agent records" : what == RESOLVE_BROKER ?
	    "no broker records" : "no agent or broker records";
	return EX_FLOW_NEGATIVE;
}

int
resolve_srv(struct resolver *r, const char *name, struct srv_target *t, size_t *n,
    const char **why)
{
	return lookup_srv(r, name, t, n, why);
}

int
resolve_namespace_agent(struct resolver *r, const char *ns, struct srv_target *agents,
    size_t *nagents, int *tls, const char **why)
{
	char name[DNSNAME_MAX + 1];
	struct txt_ctx c = { name, NULL, tls };
	int st;

	*tls = 0;
	if ((st = join_name(r, name, "_fnap._tcp.", ns, why)) != EX_FLOW_OK ||
	    (st = lookup_srv(r, name, agents, nagents, why)) != EX_FLOW_OK)
		return st;
	return each_txt_word(r, name, agent_word, &c, why);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
resolve_namespace_flows(struct resolver *r, const char *ns, char ***names, size_t *n,
    const char **why)
{
	char name[DNSNAME_MAX + 1], target[NS_MAXDNAME];
	const char *bad;
	ns_msg m;
	ns_rr rr;
	size_t i, kept;
	int st, k = 0;

	*names = NULL;
	*n = 0;
	if ((st = join_name(r, name, "_flow._tcp.", ns, why)) != EX_FLOW_OK ||
	    (st = query(r, name, ns_t_ptr, &m, why)) != EX_FLOW_OK)
		return st;
	*names = xcalloc(ns_msg_count(m, ns_s_an), sizeof **names);
	while (next_record(&m, &k, ns_t_ptr, &rr)) {
		if (rdata_name(&m, &rr, ns_rr_rdata(rr), target, sizeof target) < 0 ||
		    dnsname_check(target, strlen(target), &bad) < 0) {
			warnmsg("%s: PTR record with a bad flow name ignored", name);
			continue;
		}
		(*names)[*n] = xmalloc(DNSNAME_MAX + 1);
		dnsname_normalize(target, strlen(target), (*names)[(*n)++]);
	}
	qsort(*names, *n, sizeof **names, name_cmp);
	for (i = kept = 0; i < *n; i++) {
		if (kept > 0 && strcmp((*names)[kept - 1], (*names)[i]) == 0)
			free((*names)[i]);
		else
			(*names)[kept++] = (*names)[i];
	}
	*n = kept;
	if (kept == 0) {
		free(*names);
		*names = NULL;
		*why = fail(r, "%s: no usable PTR record", name);
		return EX_FLOW_NEGATIVE;
	}
	return EX_FLOW_OK;
}

void
resolve_names_free(char **names, size_t n)
{
	while (n > 0)
		free(names[--n]);
	free(names);
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

const char *
broker_type_name(enum broker_type t)
{
	static const char *const names[] = { "", "kafka", "fnap", "file" };

	return names[t];
}

char *
flow_info_url(const struct flow_info *fi, const char **why)
{
	char *url, *p;
	size_t i;

	switch (fi->broker_type) {
	case BROKER_NONE:
		*why = "no broker-type in the _queue TXT record";
		return NULL;
	case BROKER_FILE:
		if (!fi->path[0]) {
			*why = "broker-type=file without a path= in the _queue TXT record";
			return NULL;
		}
		url = xmalloc(strlen(fi->path) + 8);
		sprintf(url, "file://%s", fi->path);
		return url;
	default:
		if (fi->nbrokers == 0) {
			*why = "no _queue SRV record for the broker";
			return NULL;
		}
		/* kafka: every broker, as a bootstrap list; fnap: the first. */
		url = p = xmalloc(16 + fi->nbrokers * (DNSNAME_MAX + 7) + strlen(fi->topic));
		p += sprintf(p, "%s://", fi->broker_type == BROKER_KAFKA ? "kafka" :
		    fi->broker_tls ? "fnaps" : "fnap");
		for (i = 0; i < (fi->broker_type == BROKER_KAFKA ? fi->nbrokers : 1); i++)
			p += sprintf(p, "%s%s:%u", i ? "," : "", fi->brokers[i].host, fi->brokers[i].port);
		sprintf(p, "/%s", fi->topic);
		return url;
	}
}

int
resolve_host_address(const char *host, char addr[INET_ADDRSTRLEN], const char **why)
{
	struct resolver_opts o = { getenv("FLOW_NAMESERVER"), RESOLVE_DEFAULT_TIMEOUT,
	    RESOLVE_DEFAULT_RETRIES };
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
	if ((st = query(r, host, ns_t_a, &m, why)) == EX_FLOW_OK) {
		if (next_record(&m, &i, ns_t_a, &rr) && ns_rr_rdlen(rr) == 4)
			inet_ntop(AF_INET, ns_rr_rdata(rr), addr, INET_ADDRSTRLEN);
		else {
			*why = fail(r, "%s: no A record", host);
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

char *
resolve_broker_url(const char *fqdn, int *status)
{
	struct resolver_opts o = { getenv("FLOW_NAMESERVER"), RESOLVE_DEFAULT_TIMEOUT,
	    RESOLVE_DEFAULT_RETRIES };
	struct flow_info *fi;
	struct resolver *r;
	const char *why;
	char *url = NULL;

	if (o.nameserver && !*o.nameserver)
		o.nameserver = NULL;
	if (dnsname_check(fqdn, strlen(fqdn), &why) < 0) {
		warnmsg("flow://%s: %s", fqdn, why);
		*status = EX_FLOW_USAGE;
		return NULL;
	}
	if (!(r = resolver_open(&o, &why))) {
		warnmsg("flow://%s: FLOW_NAMESERVER=%s: %s", fqdn, o.nameserver, why);
		*status = EX_FLOW_CONFIG;
		return NULL;
	}
	fi = xmalloc(sizeof *fi);
	*status = resolve_flow(r, fqdn, RESOLVE_BROKER, fi, &why);
	if (*status == EX_FLOW_OK && !(url = flow_info_url(fi, &why)))
		*status = EX_FLOW_NEGATIVE;
	if (!url)
		warnmsg("flow://%s: %s", fqdn, why);
	free(fi);
	resolver_close(r);
	return url;
}
