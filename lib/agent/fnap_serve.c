/* The session loop of the agent: the greeting, the command table, TLS, and
   the commands that need nothing but the session. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "fnap_serve.h"
#include "fnap_session.h"
#include "util.h"

static fnap_handler cmd_capabilities, cmd_starttls, cmd_noop, cmd_help, cmd_quit;

static const struct command {
	const char *verb;
	int needs_auth;
	fnap_handler *run;
	const char *usage;        /* for HELP, and the 501 of bad arguments */
} commands[] = {
	{ "CAPABILITIES", 0, cmd_capabilities, "CAPABILITIES" },
	{ "STARTTLS", 0, cmd_starttls, "STARTTLS" },
	{ "AUTHENTICATE", 0, fnap_cmd_authenticate,
	    "AUTHENTICATE PLAIN [<base64>] | AUTHENTICATE ANONYMOUS [<trace>]" },
	{ "NOOP", 0, cmd_noop, "NOOP" },
	{ "HELP", 0, cmd_help, "HELP" },
	{ "QUIT", 0, cmd_quit, "QUIT" },
	{ "CREATE", 1, fnap_cmd_create, "CREATE FLOW <fqdn> [PUBLIC] [RETAIN <n>d|<n>h|<n> EVENTS]" },
	{ "SET", 1, fnap_cmd_set, "SET RETENTION <flow> <n>d|<n>h|<n> EVENTS|NONE" },
	{ "DESCRIBE", 1, fnap_cmd_describe, "DESCRIBE FLOW <fqdn>" },
	{ "LIST", 1, fnap_cmd_list,
	    "LIST FLOWS [<namespace>] | LIST NAMESPACES | LIST SUBSCRIPTIONS [<flow>] | LIST GRANTS [<flow>]" },
	{ "DELETE", 1, fnap_cmd_delete, "DELETE FLOW <fqdn>" },
	{ "STREAM", 1, fnap_cmd_stream,
	    "STREAM <flow> [GROUP <name>] [FROM <offset>|BEGINNING|END|@<time>|STORED[:<from>]] [COUNT <n>] [TO END]" },
	{ "ACK", 1, fnap_cmd_ack, "ACK <n>" },
	{ "PUBLISH", 1, fnap_cmd_publish, "PUBLISH <flow>" },
	{ "SUBSCRIBE", 1, fnap_cmd_subscribe, "SUBSCRIBE <flow> [FROM BEGINNING|END|<offset>|@<time>] [LOCAL <local>] [VERIFY] [WHERE <cesql>]" },
	{ "UNSUBSCRIBE", 1, fnap_cmd_unsubscribe, "UNSUBSCRIBE <local> [<token>]" },
	{ "REVOKE", 1, fnap_cmd_revoke,
	    "REVOKE <subscription-flow> [<token>] | REVOKE READ|WRITE ON <flow> FROM <user>" },
	{ "PAUSE", 1, fnap_cmd_pause, "PAUSE <flow> [<token>]" },
	{ "RESUME", 1, fnap_cmd_resume, "RESUME <flow> [<token>]" },
	{ "GRANT", 1, fnap_cmd_grant,
	    "GRANT READ ON <flow> TO <user> [WHERE <cesql>] | GRANT WRITE ON <flow> TO <user>" },
};

#define NCOMMANDS (sizeof commands / sizeof *commands)
#define LINGER_MS 2000   /* for a client still sending when the session ends */

static void
cmd_capabilities(struct session *s, char *args)
{
	const struct fnap_conf *conf = s->conf;
	const struct broker_kind *k;
	char brokers[128] = "BROKERS";
	size_t n = strlen(brokers), i;
	int by_agent, j;

	/* the kinds of its namespaces, those at their own servers first; every
	   flow's events are served over FNAP too (STREAM, PUBLISH) */
	for (by_agent = 0; by_agent < 2; by_agent++)
		for (i = 0; (k = broker_kind_at(i)); i++)
			for (j = 0; j < conf->nns; j++)
				if (conf->ns[j].kind == k && k->keeper->served_by_agent == by_agent) {
					n += snprintf(brokers + n, sizeof brokers - n, " %s", k->name);
					break;
				}
	snprintf(brokers + n, sizeof brokers - n, " %s", broker_fnap.name);
	fnap_reply(s->c, REPLY_OK, "DATA");
	fnap_body(s->c, "FNAP 1", 6);
	fnap_body(s->c, "AUTH PLAIN ANONYMOUS", 20);
	if (conf->tls_cert && !fnap_conn_is_tls(s->c))
		fnap_body(s->c, "STARTTLS", 8);
	fnap_body(s->c, brokers, strlen(brokers));
	if (conf->scan_dir) {
		fnap_body(s->c, "PROCESSORS bridge", 17);
		fnap_body(s->c, "FILTER cesql", 12);
	}
	fnap_reply(s->c, REPLY_OK, "OK");
}

/* The server's TLS context, made when a session first needs it (OpenSSL is
   loaded then: lazy_openssl.c): 0, or -1 said in the log (a certificate
   that cannot be used). */
static int
tls_context(struct session *s)
{
	const char *why;

	if (!s->tls && !(s->tls = tls_server_ctx(s->conf->tls_cert, s->conf->tls_key, &why))) {
		warnmsg("%s: %s", s->conf->tls_cert, why);
		return -1;
	}
	return 0;
}

/* The handshake on the session's connection; -1 ends the session. */
static int
start_tls(struct session *s)
{
	const char *why;

	if (fnap_conn_accept_tls(s->c, s->tls, &why) < 0) {
		warnmsg("TLS: %s", why);
		return -1;
	}
	return 0;
}

static void
cmd_starttls(struct session *s, char *args)
{
	if (fnap_word(&args)) {
		session_usage(s);
		return;
	}
	if (fnap_conn_is_tls(s->c)) {
		fnap_reply(s->c, REPLY_USAGE, "TLS already started");
		return;
	}
	if (!s->conf->tls_cert || tls_context(s) < 0) {
		fnap_reply(s->c, REPLY_NO_TLS, "TLS not available");
		return;
	}
	fnap_reply(s->c, REPLY_OK, "Ready to start TLS");
	if (start_tls(s) < 0) {
		s->quit = 1;
		return;
	}
	/* nothing learnt before the handshake counts */
	s->authed = s->failures = 0;
	memset(&s->who, 0, sizeof s->who);
}

static void
cmd_noop(struct session *s, char *args)
{
	fnap_reply(s->c, REPLY_OK, "OK");
}

static void
cmd_help(struct session *s, char *args)
{
	size_t i;

	fnap_reply(s->c, REPLY_OK, "DATA");
	for (i = 0; i < NCOMMANDS; i++)
		if (commands[i].usage && (commands[i].run != cmd_starttls || s->conf->tls_cert))
			fnap_body(s->c, commands[i].usage, strlen(commands[i].usage));
	fnap_reply(s->c, REPLY_OK, "OK");
}

static void
cmd_quit(struct session *s, char *args)
{
	fnap_reply(s->c, REPLY_BYE, "Bye");
	s->quit = 1;
}

static void
dispatch(struct session *s, char *line)
{
	char *args = line, *verb = fnap_word(&args);
	size_t i;

	if (!verb) {
		fnap_reply(s->c, REPLY_BAD_COMMAND, "empty command");
		return;
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (strcasecmp(verb, commands[i].verb) == 0)
			break;
	if (i == NCOMMANDS)
		fnap_reply(s->c, REPLY_BAD_COMMAND, "unknown command");
	else if (commands[i].needs_auth && !s->authed)
		fnap_reply(s->c, REPLY_AUTH_REQUIRED, "authentication required");
	else {
		s->usage = commands[i].usage;
		commands[i].run(s, args);
	}
}

/* A session has login-timeout to authenticate, from its start or from the
   STARTTLS that made it start again: a client that sends a byte now and
   then, or NOOP, must not hold one of the server's few processes (tcpserver
   -c) for ever. The deadline, kept up to date after each command. */
static void
login_clock(struct session *s, int *was_authed, int64_t *login_by)
{
	if (s->authed == *was_authed)
		return;
	*was_authed = s->authed;
	*login_by = s->authed ? -1 : clock_ms() + s->conf->login_timeout * 1000LL;
	fnap_conn_set_deadline(s->c, *login_by);
}

int
fnap_serve(const struct fnap_conf *conf, int in, int out)
{
	struct session s = { .conf = conf };
	char *line;
	size_t len;
	int64_t login_by = -1;
	mode_t old_mask;
	int r, status = EX_FLOW_OK, was_authed = 1;

	/* nothing the agent makes (flows, their events, its state) is for
	   other users: they go through FNAP, which checks and logs them. One
	   call when the inherited mask is no stricter (the usual 022). */
	if ((old_mask = umask(027)) & ~(mode_t)027)
		umask(old_mask | 027);
	s.c = fnap_conn_new(in, out, conf->event_max, conf->idle_timeout * 1000);
	login_clock(&s, &was_authed, &login_by);
	s.local = auth_client_is_local(in);
	audit_start(&s.audit, in);
	if (conf->trace && !s.audit.to_syslog) {
		/* never on the connection itself (inetd): a trace is for the log */
		char prefix[64];

		snprintf(prefix, sizeof prefix, "fnap-serve: %ld: ", (long)getpid());
		fnap_conn_trace(s.c, STDERR_FILENO, prefix, 0);
	}
	if (conf->implicit_tls && tls_context(&s) < 0) {
		fnap_reply(s.c, REPLY_CLOSING, "%s service not available", conf->hostname);
		status = EX_FLOW_CONFIG;
		goto out;
	}
	if (conf->implicit_tls && start_tls(&s) < 0)
		goto out;
	fnap_reply(s.c, REPLY_OK, "%s FNAA", conf->hostname);
	while (!s.quit && !stop_requested) {
		r = fnap_read_line(s.c, conf->command_max, &line, &len);
		if (r == FNAP_EOF || r == FNAP_ERROR)
			break;
		if (r == FNAP_TIMEOUT) {
			if (login_by >= 0 && clock_ms() >= login_by)
				fnap_reply(s.c, REPLY_CLOSING, "not authenticated within %d seconds, closing",
				    conf->login_timeout);
			else
				fnap_reply(s.c, REPLY_CLOSING, "idle for %d seconds, closing", conf->idle_timeout);
			break;
		}
		if (r == FNAP_TOO_LONG)
			fnap_reply(s.c, REPLY_BAD_COMMAND, "line too long");
		else if (r == FNAP_NUL)
			fnap_reply(s.c, REPLY_BAD_COMMAND, "NUL byte in a command");
		else
			dispatch(&s, line);
		login_clock(&s, &was_authed, &login_by);
	}
	if (stop_requested)
		fnap_reply(s.c, REPLY_CLOSING, "%s shutting down", conf->hostname);
out:
	session_stream_end(&s);
	fnap_conn_close(s.c, LINGER_MS);
	fnap_conn_free(s.c);
	tls_ctx_free(s.tls);
	return status;
}
