#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "httpd_relay.h"
#include "httpd_request.h"
#include "httpd_serve.h"
#include "tls.h"
#include "util.h"

#define WATCH_MS 250   /* how often the request timeout is looked at */

static int closed_pipe[2] = { -1, -1 };  /* written once the connection is closed */

static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	(void)cls;
	(void)conn;
	(void)socket_context;
	if (code == MHD_CONNECTION_NOTIFY_CLOSED)
		(void)!write(closed_pipe[1], "x", 1);
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof msg, fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	warnmsg("libmicrohttpd: %s", msg);
}

/* The peer of fd as text, and its address for libmicrohttpd. */
static void
peer_of(int fd, struct sockaddr_storage *ss, socklen_t *len, char *text, size_t size)
{
	const char *env = getenv("TCPREMOTEIP");

	*len = sizeof *ss;
	if (getpeername(fd, (struct sockaddr *)ss, len) < 0 || *len > sizeof *ss) {
		memset(ss, 0, sizeof *ss);
		ss->ss_family = AF_UNIX;
		*len = sizeof(sa_family_t);
	}
	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)ss)->sin_addr, text, (socklen_t)size);
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ss)->sin6_addr, text, (socklen_t)size);
	else
		snprintf(text, size, "%s", env && strlen(env) < 64 ? env : "local");
}

/* The descriptor libmicrohttpd serves: fd itself, or the plaintext side of the TLS relay. */
static int
plain_side(const struct httpd_conf *c, int in, int out)
{
	struct tls_ctx *x;
	const char *why;
	int fd;

	if (!c->tls_cert) {
		/* libmicrohttpd closes in when the client is done; a copy left
		   open on out would keep the client waiting for the end */
		if (out != in)
			dup2(open("/dev/null", O_WRONLY | O_CLOEXEC), out);
		return in;
	}
	if (!(x = tls_server_ctx(c->tls_cert, c->tls_key, &why))) {
		warnmsg("%s: %s", c->tls_cert, why);
		return -1;
	}
	fd = httpd_relay_start(x, in, out, (int)c->idle_timeout * 1000, (int)c->idle_timeout * 1000, &why);
	if (fd < 0)
		warnmsg("TLS: %s", why);
	/* the context stays: the relay's session holds a reference to it until the end */
	return fd;
}

static struct MHD_Daemon *
start_daemon(const struct httpd_conf *c, struct httpd_site *site)
{
	return MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET | MHD_USE_INTERNAL_POLLING_THREAD |
	        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG,
	    0, NULL, NULL, httpd_request_handle, site,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)c->header_max,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)c->idle_timeout,
	    MHD_OPTION_NOTIFY_COMPLETED, httpd_request_completed, site,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
	    MHD_OPTION_END);
}

/* Until the connection closes: 0, or 75 when a request took too long. */
static int
wait_closed(const struct httpd_conf *c, struct httpd_site *site)
{
	struct pollfd p = { closed_pipe[0], POLLIN, 0 };
	int64_t since;

	while (!stop_requested) {
		if (poll(&p, 1, WATCH_MS) > 0)
			return 0;
		since = httpd_site_busy_since(site);
		if (since && clock_ms() - since > c->request_timeout * 1000) {
			warnmsg("%s: a request took longer than %lld s", site->peer, (long long)c->request_timeout);
			return EX_FLOW_TEMPFAIL;
		}
	}
	return 0;
}

int
httpd_serve(const struct httpd_conf *c, int in, int out)
{
	struct sockaddr_storage ss;
	struct httpd_site site;
	struct MHD_Daemon *d;
	socklen_t len;
	char peer[64];
	int fd, status;

	peer_of(in, &ss, &len, peer, sizeof peer);
	httpd_site_init(&site, c, peer);
	if (pipe(closed_pipe) < 0)
		die(EX_FLOW_SOFTWARE, "pipe: %s", strerror(errno));
	if ((fd = plain_side(c, in, out)) < 0)
		return EX_FLOW_UNAVAILABLE;
	if (fd != in) {
		/* libmicrohttpd serves a socket pair, not TCP: told so, it tries no TCP options */
		memset(&ss, 0, sizeof ss);
		ss.ss_family = AF_UNIX;
		len = sizeof(sa_family_t);
	}
	if (!(d = start_daemon(c, &site))) {
		warnmsg("libmicrohttpd: cannot start");
		return EX_FLOW_SOFTWARE;
	}
	if (MHD_add_connection(d, fd, (struct sockaddr *)&ss, len) != MHD_YES) {
		warnmsg("%s: libmicrohttpd does not take the connection", peer);
		return EX_FLOW_SOFTWARE;
	}
	status = wait_closed(c, &site);
	/* cut short, the connection's thread may still be in a request that
	   uses c: the process ends here, before the caller frees it */
	if (status != 0 || stop_requested)
		exit(status);
	MHD_stop_daemon(d);
	return status;
}
