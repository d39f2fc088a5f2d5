#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "auth.h"
#include "ce.h"
#include "fnap_client.h"
#include "dnsquery.h"
#include "util.h"

/* Split "host[:port]" / "[v6]:port" into host and port text. */
static int
split_hostport(const char *hp, char *host, size_t hsize, char port[8])
{
	const char *colon, *end;
	size_t n;

	if (hp[0] == '[') {
		if (!(end = strchr(hp, ']')) || (end[1] && end[1] != ':'))
			return -1;
		n = end - hp - 1;
		hp++;
		colon = end[1] ? end + 1 : NULL;
	} else {
		colon = strrchr(hp, ':');
		n = colon ? (size_t)(colon - hp) : strlen(hp);
	}
	if (n == 0 || n >= hsize)
		return -1;
	memcpy(host, hp, n);
	host[n] = '\0';
	snprintf(port, 8, "%s", colon ? colon + 1 : "61000");
	return colon && (!colon[1] || strlen(colon + 1) > 5) ? -1 : 0;
}

/* A connected socket, within the timeout; -1 with errno. */
static int
connect_within(const struct addrinfo *ai, int timeout_ms)
{
	struct pollfd p;
	socklen_t len = sizeof(int);
	int fd, err = 0, fl;

	if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol)) < 0)
		return -1;
	fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS)
			goto fail;
		p = (struct pollfd){ .fd = fd, .events = POLLOUT };
		if (poll(&p, 1, timeout_ms) <= 0) {
			errno = ETIMEDOUT;
			goto fail;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
			errno = err ? err : errno;
			goto fail;
		}
	}
	fcntl(fd, F_SETFL, fl);
	return fd;
fail:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/* A debugging switch of the whole process, set once by main. */
static const char *trace_prefix;

void
fnap_client_trace(const char *prefix)
{
	trace_prefix = prefix;
}

struct fnap_client *
fnap_client_open(const char *hostport, int tls, const char *cafile, int *status)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	struct fnap_client *cl = xcalloc(1, sizeof *cl);
	const char *why = NULL, *text;
	char port[8], addr[INET_ADDRSTRLEN];
	const char *name = addr;
	struct in_addr a4;
	int e, code, fail_status = EX_FLOW_UNAVAILABLE;

	cl->fd = -1;
	if (split_hostport(hostport, cl->host, sizeof cl->host, port) < 0) {
		warnmsg("%s: expected host[:port]", hostport);
		fail_status = EX_FLOW_USAGE;
		goto fail;
	}
	/* a name the flow's records gave is asked of the same name server
	   first (FLOW_NAMESERVER), then of the system's */
	if (inet_pton(AF_INET, cl->host, &a4) == 1 || strchr(cl->host, ':') ||
	    resolve_host_address(cl->host, addr, &why) != EX_FLOW_OK)
		name = cl->host;
	if ((e = getaddrinfo(name, port, &hints, &res)) != 0) {
		warnmsg("%s: %s", hostport, gai_strerror(e));
		goto fail;
	}
	for (ai = res; ai && cl->fd < 0; ai = ai->ai_next)
		cl->fd = connect_within(ai, FNAP_CLIENT_TIMEOUT_MS);
	e = errno;
	freeaddrinfo(res);
	if (cl->fd < 0) {
		warnmsg("%s: %s", hostport, strerror(e));
		goto fail;
	}
	cl->c = fnap_conn_new(cl->fd, cl->fd, CE_LINE_MAX, FNAP_CLIENT_TIMEOUT_MS);
	if (trace_prefix)
		fnap_conn_trace(cl->c, STDERR_FILENO, trace_prefix, 1);
	if (tls && (!(cl->tls = tls_client_ctx(cafile, &why)) ||
	    fnap_conn_connect_tls(cl->c, cl->tls, cl->host, &why) < 0)) {
		warnmsg("%s: TLS: %s", hostport, why);
		goto fail;
	}
	if ((code = fnap_client_reply(cl, &text)) != 220) {
		if (code > 0)
			warnmsg("%s: the agent says: %d %s", hostport, code, text);
		else
			warnmsg("%s: no greeting from the agent", hostport);
		fail_status = code == 421 || code == 450 ? EX_FLOW_TEMPFAIL : EX_FLOW_UNAVAILABLE;
		goto fail;
	}
	return cl;
fail:
	/* *status is the caller's running status: set only on failure */
	*status = fail_status;
	fnap_client_close(cl);
	return NULL;
}

int
fnap_client_status(int code)
{
	switch (code) {
	case 421:
	case 450:
		return EX_FLOW_TEMPFAIL;
	case 454:
		return EX_FLOW_UNAVAILABLE;
	case 530:
	case 535:
	case 538:
	case 550:
		return EX_FLOW_NOPERM;
	case 552:
	case 553:
		return EX_FLOW_DATAERR;
	case 500:
	case 501:
	case 502:
		return EX_FLOW_SOFTWARE;
	default:
		/* a 4xx is temporary whatever it is; a 5xx is not */
		return code < 0 ? EX_FLOW_UNAVAILABLE : code >= 400 && code < 500 ? EX_FLOW_TEMPFAIL :
		    EX_FLOW_SOFTWARE;
	}
}

int
fnap_client_auth(struct fnap_client *cl, const char *user, const char *password, int *status)
{
	char b64[sodium_base64_ENCODED_LEN(AUTH_NAME_MAX + AUTH_PASSWORD_MAX + 2,
	    sodium_base64_VARIANT_ORIGINAL)];
	const char *text;
	int code;

	if (!user)
		code = fnap_client_command(cl, &text, "AUTHENTICATE ANONYMOUS");
	else if (auth_plain_encode(user, password ? password : "", b64, sizeof b64) < 0) {
		warnmsg("%s: the user name or the password is too long", cl->host);
		*status = EX_FLOW_USAGE;
		return -1;
	} else {
		/* in two steps, as the thesis's client does: its server ignores
		   an initial response and answers 220 OK, "send it now" */
		if ((code = fnap_client_command(cl, &text, "AUTHENTICATE PLAIN")) == 220)
			code = fnap_client_command(cl, &text, "%s", b64);
		sodium_memzero(b64, sizeof b64);
	}
	if (code == 220)
		return 0;
	if (code > 0)
		warnmsg("%s: authentication as %s: %d %s", cl->host, user ? user : "anonymous", code, text);
	else
		warnmsg("%s: authentication: %s", cl->host, cl->why);
	*status = fnap_client_status(code);
	return -1;
}

int
fnap_client_is_data(const char *text)
{
	return strncmp(text, "DATA", 4) == 0 && text[4 + strspn(text + 4, " \t")] == '\0';
}

int
fnap_client_token(const char *text, char out[FNAP_TOKEN_HEX + 1])
{
	static const char ok[] = "OK token=";
	const char *t = text + sizeof ok - 1;

	out[0] = '\0';
	if (strncmp(text, ok, sizeof ok - 1) != 0 || strlen(t) != FNAP_TOKEN_HEX ||
	    strspn(t, "0123456789abcdef") != FNAP_TOKEN_HEX)
		return 0;
	memcpy(out, t, FNAP_TOKEN_HEX + 1);
	return 1;
}

void
fnap_client_read_failed(struct fnap_client *cl, int r)
{
	if (r == FNAP_ERROR && errno)  /* still the read's or the write's */
		snprintf(cl->why, sizeof cl->why, "the connection failed: %s", strerror(errno));
	else
		snprintf(cl->why, sizeof cl->why, "%s", r == FNAP_EOF ? "the agent closed the connection" :
		    r == FNAP_TIMEOUT ? "no answer from the agent in time" :
		    r == FNAP_TOO_LONG ? "a line from the agent longer than the line limit" :
		    r == FNAP_NUL ? "a NUL byte from the agent" : "the connection failed");
}

int
fnap_client_line(struct fnap_client *cl, char **line, size_t *len)
{
	int r = fnap_read_line(cl->c, CE_LINE_MAX, line, len);

	if (r == FNAP_LINE)
		return 0;
	fnap_client_read_failed(cl, r);
	return -1;
}

int
fnap_client_reply(struct fnap_client *cl, const char **text)
{
	char *line;
	size_t len;
	int code;

	if (fnap_client_line(cl, &line, &len) < 0)
		return -1;
	if ((code = fnap_reply_code(line, text)) < 0)
		snprintf(cl->why, sizeof cl->why, "not an FNAP reply: %.40s%s", line, len > 40 ? "..." : "");
	return code;
}

int
fnap_client_command(struct fnap_client *cl, const char **text, const char *fmt, ...)
{
	char buf[FNAP_COMMAND_MAX];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	r = fnap_send(cl->c, "%s", buf);
	sodium_memzero(buf, sizeof buf);  /* it may have held a password */
	if (r < 0) {
		snprintf(cl->why, sizeof cl->why, "cannot send to the agent: %s", strerror(errno));
		return -1;
	}
	return fnap_client_reply(cl, text);
}

void
fnap_client_close(struct fnap_client *cl)
{
	if (!cl)
		return;
	fnap_conn_free(cl->c);
	tls_ctx_free(cl->tls);
	if (cl->fd >= 0)
		close(cl->fd);
	free(cl);
}
