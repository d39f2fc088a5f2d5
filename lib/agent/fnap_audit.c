/* The agent's audit trail: one key=value line an event, whole, on
   standard error or syslog. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "fnap_audit.h"
#include "fnap_session.h"

#define PROGRAM "fnap-serve"
#define PREFIX PROGRAM ": audit:"
#define LINE_RESERVE 32         /* " cut=yes code=NNN" and the newline */

/* A line being made. */
struct line {
	char buf[AUDIT_LINE_MAX];
	size_t len;
	int cut;                    /* a pair was left out: the line was full */
};

/* A byte that may stand in a value without quotes. */
static int
plain_byte(unsigned char c)
{
	return c > ' ' && c < 127 && c != '"' && c != '=' && c != '\\';
}

/* c as it is written inside quotes, into e (4 bytes at most); its length. */
static size_t
escape(unsigned char c, char e[5])
{
	if (c == '"' || c == '\\') {
		e[0] = '\\';
		e[1] = (char)c;
		return 2;
	}
	if (c >= ' ' && c < 127) {
		e[0] = (char)c;
		return 1;
	}
	snprintf(e, 5, "\\x%02x", c);
	return 4;
}

size_t
audit_value(const char *value, size_t len, char out[AUDIT_VALUE_MAX + 1])
{
	char e[5];
	size_t i, n, elen, whole = 2;

	if (!value) {
		strcpy(out, "-");
		return 1;
	}
	for (i = 0; i < len && plain_byte(value[i]); i++)
		;
	/* "-" is none: a value that is "-" is quoted, as an empty one is */
	if (i == len && len > 0 && len <= AUDIT_VALUE_MAX && !(len == 1 && value[0] == '-')) {
		memcpy(out, value, len);
		out[len] = '\0';
		return len;
	}
	for (i = 0; i < len && whole <= AUDIT_VALUE_MAX; i++)
		whole += escape(value[i], e);
	n = 0;
	out[n++] = '"';
	for (i = 0; i < len; i++) {
		elen = escape(value[i], e);
		/* cut: room kept for "..." and the closing quote */
		if (whole > AUDIT_VALUE_MAX && n + elen > AUDIT_VALUE_MAX - 4) {
			memcpy(out + n, "...", 3);
			n += 3;
			break;
		}
		memcpy(out + n, e, elen);
		n += elen;
	}
	out[n++] = '"';
	out[n] = '\0';
	return n;
}

/* " key=value", unless the line has no room left for it. */
static void
put(struct line *l, const char *key, const char *value)
{
	char v[AUDIT_VALUE_MAX + 1];
	size_t klen = strlen(key), vlen = audit_value(value, value ? strlen(value) : 0, v);

	if (l->len + klen + vlen + 2 > sizeof l->buf - LINE_RESERVE) {
		l->cut = 1;
		return;
	}
	l->buf[l->len++] = ' ';
	memcpy(l->buf + l->len, key, klen);
	l->len += klen;
	l->buf[l->len++] = '=';
	memcpy(l->buf + l->len, v, vlen);
	l->len += vlen;
}

static void
put_number(struct line *l, const char *key, int64_t n)
{
	char text[24];

	snprintf(text, sizeof text, "%" PRId64, n);
	put(l, key, text);
}

/* The caller's pairs of key and value, up to a NULL key. */
static void
put_pairs(struct line *l, va_list ap)
{
	const char *key, *value;

	while ((key = va_arg(ap, const char *))) {
		value = va_arg(ap, const char *);
		put(l, key, value);
	}
}

/* The prefix, the event and who the session is; user NULL: "-". */
static void
start(struct line *l, const struct session *s, const char *event, const char *user)
{
	l->len = strlen(PREFIX);
	l->cut = 0;
	memcpy(l->buf, PREFIX, l->len);
	put(l, "event", event);
	put_number(l, "session", getpid());
	put(l, "peer", s->audit.addr);
	put(l, "tls", fnap_conn_is_tls(s->c) ? "yes" : "no");
	put(l, "user", user);
}

/* The code, then the line out in one piece. */
static void
finish(struct line *l, const struct session *s, int code)
{
	int n;

	if (l->cut)
		l->len += snprintf(l->buf + l->len, sizeof l->buf - l->len, " cut=yes");
	n = code == AUDIT_NO_REPLY ? snprintf(l->buf + l->len, sizeof l->buf - l->len, " code=-") :
	    snprintf(l->buf + l->len, sizeof l->buf - l->len, " code=%d", code ? code : REPLY_OK);
	l->len += n;
	if (s->audit.to_syslog) {
		/* syslog names the program itself: "fnap-serve[PID]: audit: ..." */
		syslog(LOG_INFO, "%s", l->buf + strlen(PROGRAM ": "));
		return;
	}
	l->buf[l->len++] = '\n';
	/* one write, or the lines of two sessions could mix */
	while (write(STDERR_FILENO, l->buf, l->len) < 0 && errno == EINTR)
		;
}

/* The session's user, once it is authenticated. */
static const char *
user_of(const struct session *s)
{
	return s->authed ? s->who.user : NULL;
}

void
audit_auth(const struct session *s, const char *mech, const char *user, int code, ...)
{
	struct line l;
	va_list ap;

	start(&l, s, "auth", user);
	put(&l, "mech", mech);
	va_start(ap, code);
	put_pairs(&l, ap);
	va_end(ap);
	finish(&l, s, code);
}

void
audit_change(const struct session *s, const char *event, const char *flow, int code, ...)
{
	char name[DNSNAME_MAX + 1];
	const char *why;
	struct line l;
	va_list ap;

	start(&l, s, event, user_of(s));
	put(&l, "flow", flow && dnsname_parse(flow, strlen(flow), name, &why) == 0 ? name : flow);
	va_start(ap, code);
	put_pairs(&l, ap);
	va_end(ap);
	finish(&l, s, code);
}

void
audit_span_add(void *span, int32_t partition, int64_t first, int64_t last)
{
	struct audit_span *sp = span;

	if (sp->state == AUDIT_SPAN_UNKNOWN)
		return;
	if (first < 0 || last < first ||
	    (sp->state == AUDIT_SPAN_RANGE && (partition != sp->partition || first <= sp->last))) {
		sp->state = AUDIT_SPAN_UNKNOWN;
		return;
	}
	if (sp->state == AUDIT_SPAN_EMPTY) {
		sp->state = AUDIT_SPAN_RANGE;
		sp->partition = partition;
		sp->first = first;
	}
	sp->last = last;
}

static void
events(const struct session *s, const char *event, const char *flow, const struct audit_span *span,
    uint64_t count, int64_t signed_count, int code)
{
	struct line l;

	start(&l, s, event, user_of(s));
	put(&l, "flow", flow);
	if (span && span->state == AUDIT_SPAN_RANGE) {
		put_number(&l, "partition", span->partition);
		put_number(&l, "first", span->first);
		put_number(&l, "last", span->last);
	} else {
		put(&l, "partition", NULL);
		put(&l, "first", NULL);
		put(&l, "last", NULL);
	}
	put_number(&l, "count", (int64_t)count);
	if (signed_count >= 0)
		put_number(&l, "signed", signed_count);
	finish(&l, s, code);
}

void
audit_stream(const struct session *s, const char *flow, const struct audit_span *span, uint64_t count,
    int code)
{
	events(s, "stream", flow, span, count, -1, code);
}

void
audit_publish(const struct session *s, const char *flow, const struct audit_span *span, uint64_t count,
    int64_t signed_count, int code)
{
	events(s, "publish", flow, span, count, signed_count, code);
}

void
audit_key(const struct session *s, const char *keyid, int code)
{
	struct line l;

	start(&l, s, "publish-key", user_of(s));
	put(&l, "key", keyid);
	finish(&l, s, code);
}

/* The peer of socket fd as "IP:PORT" or "[IPv6]:PORT": 0, or -1 when it
   is no Internet socket. */
static int
socket_peer(int fd, char *out, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char ip[INET6_ADDRSTRLEN];

	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;

		if (!inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip))
			return -1;
		snprintf(out, size, "%s:%u", ip, ntohs(in->sin_port));
		return 0;
	}
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;

		if (!inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip))
			return -1;
		snprintf(out, size, "[%s]:%u", ip, ntohs(in6->sin6_port));
		return 0;
	}
	return -1;
}

void
audit_start(struct audit_peer *p, int fd)
{
	const char *ip = getenv("TCPREMOTEIP"), *port = getenv("TCPREMOTEPORT");
	struct stat in, err;

	if (ip)
		snprintf(p->addr, sizeof p->addr, strchr(ip, ':') ? "[%s]:%s" : "%s:%s", ip, port ? port : "-");
	else if (socket_peer(fd, p->addr, sizeof p->addr) < 0)
		strcpy(p->addr, "local");
	/* inetd's servers have the connection as standard error too: the
	   lines must not reach the client */
	p->to_syslog = fstat(fd, &in) == 0 && fstat(STDERR_FILENO, &err) == 0 && S_ISSOCK(err.st_mode) &&
	    in.st_dev == err.st_dev && in.st_ino == err.st_ino;
	if (p->to_syslog)
		openlog(PROGRAM, LOG_PID, LOG_AUTHPRIV);
}
