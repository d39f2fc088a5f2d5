#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "broker.h"
#include "ce.h"
#include "dnsupdate.h"
#include "flowstate.h"
#include "fnap.h"
#include "fnap_serve.h"
#include "rfc3339.h"
#include "util.h"

#define AUTH_TRIES 3

struct session {
	const struct fnap_conf *conf;
	struct fnap_conn *c;
	int authed, anonymous, failures, quit;
	char user[FLOWSTATE_USER_MAX];
	char namespaces[1024];
};

struct command {
	const char *verb;
	int needs_auth;
	void (*run)(struct session *s, char *args);
};

/* The next word of *p (cut off there), or NULL. */
static char *
word(char **p)
{
	char *w = *p + strspn(*p, " ");

	if (!*w)
		return NULL;
	*p = w + strcspn(w, " ");
	if (**p)
		*(*p)++ = '\0';
	return w;
}

/* A flow name from a request: a DNS name, lower case; else a 553 reply. */
static int
flow_name(struct session *s, const char *arg, char out[DNSNAME_MAX + 1])
{
	const char *why;

	if (!arg || dnsname_check(arg, strlen(arg), &why) < 0) {
		fnap_reply(s->c, 553, "flow name not allowed: %s", arg ? why : "missing");
		return -1;
	}
	dnsname_normalize(arg, strlen(arg), out);
	return 0;
}

/* May the session read the flow? Owner, or anyone when it is public. */
static int
readable(const struct session *s, const struct flow_meta *m)
{
	return m->public || (!s->anonymous && strcmp(m->owner, s->user) == 0);
}

/* Look up a flow the session may use; else 550, saying no more than that. */
static int
find_flow(struct session *s, const char *arg, int write, struct flow_meta *m)
{
	char name[DNSNAME_MAX + 1];

	if (flow_name(s, arg, name) < 0)
		return -1;
	if (flowstate_load(s->conf->state, name, m) < 0 ||
	    !(write ? !s->anonymous && strcmp(m->owner, s->user) == 0 : readable(s, m))) {
		fnap_reply(s->c, 550, "no such flow or access denied");
		return -1;
	}
	return 0;
}

/* Pipe the flow's DNS update to the configured command; 0 or -1. */
static int
dns_update(struct session *s, enum dnsupdate_op op, const struct flow_meta *m)
{
	struct srv_target agent = { 0, 0, s->conf->port, "" };
	struct dnsupdate_flow d = {
		.flow = m->flow, .agents = &agent, .nagents = 1, .broker_type = BROKER_FILE,
		.path = m->path, .public = m->public, .ttl = DNSUPDATE_DEFAULT_TTL,
	};
	const char *why;
	FILE *p;
	int r;

	if (!s->conf->dns_update)
		return 0;
	snprintf(agent.host, sizeof agent.host, "%s", s->conf->hostname);
	fflush(NULL);
	if (!(p = popen(s->conf->dns_update, "w"))) {
		warnmsg("dns-update: %s", strerror(errno));
		return -1;
	}
	r = dnsupdate_write(p, op, &d, &why);
	if (r < 0)
		warnmsg("dns-update: %s: %s", m->flow, why);
	if (pclose(p) != 0 && r == 0) {
		warnmsg("dns-update: %s: the command failed", m->flow);
		r = -1;
	}
	return r;
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void
cmd_create(struct session *s, char *args)
{
	const struct fnap_namespace *ns;
	struct flow_meta m = { 0 };
	char *name = word(&args), *opt = word(&args);

	if (flow_name(s, name, m.flow) < 0)
		return;
	if (opt && strcasecmp(opt, "PUBLIC") != 0) {
		fnap_reply(s->c, 501, "usage: CREATE FLOW <fqdn> [PUBLIC]");
		return;
	}
	if (!(ns = fnap_conf_namespace(s->conf, m.flow)) || s->anonymous ||
	    !fnap_ns_listed(s->namespaces, ns->name)) {
		fnap_reply(s->c, 550, "no such flow or access denied");
		return;
	}
	snprintf(m.owner, sizeof m.owner, "%s", s->user);
	m.public = opt != NULL;
	m.created_ns = clock_real_ns();
	snprintf(m.path, sizeof m.path, "%s/%s", ns->base, m.flow);
	if (flowstate_create(s->conf->state, &m) < 0) {
		if (errno == EEXIST)
			fnap_reply(s->c, 553, "flow name not allowed: %s exists", m.flow);
		else
			fnap_reply(s->c, 450, "cannot create the flow, retry: %s", strerror(errno));
		return;
	}
	if (mkdir_p(m.path) < 0 || dns_update(s, DNSUPDATE_ADD, &m) < 0) {
		flowstate_delete(s->conf->state, m.flow);
		fnap_reply(s->c, 450, "cannot create the flow, retry");
		return;
	}
	fnap_reply(s->c, 220, "OK %s", m.flow);
}

static void
body(struct session *s, const char *fmt, const char *v)
{
	char line[FLOWSTATE_PATH_MAX + 64];

	fnap_body(s->c, line, snprintf(line, sizeof line, fmt, v));
}

static void
cmd_describe(struct session *s, char *args)
{
	struct flow_meta m;
	char created[RFC3339_MAX], url[FLOWSTATE_PATH_MAX + 8];

	if (find_flow(s, word(&args), 0, &m) < 0)
		return;
	rfc3339_format(m.created_ns, created);
	snprintf(url, sizeof url, "file://%s", m.path);
	fnap_reply(s->c, 220, "DATA");
	body(s, "flow=%s", m.flow);
	body(s, "type=%s", "file");
	body(s, "topic=%s", m.flow);
	body(s, "server=%s", s->conf->hostname);
	body(s, "url=%s", url);
	body(s, "owner=%s", m.owner);
	body(s, "public=%s", m.public ? "yes" : "no");
	body(s, "created=%s", created);
	fnap_reply(s->c, 220, "OK");
}

struct listing {
	struct session *s;
	const char *ns;
};

static void
list_one(void *ctx, const struct flow_meta *m)
{
	struct listing *l = ctx;
	size_t fl = strlen(m->flow), nl = l->ns ? strlen(l->ns) : 0;

	if (readable(l->s, m) && (!l->ns || (fl > nl + 1 && m->flow[fl - nl - 1] == '.' &&
	    strcmp(m->flow + fl - nl, l->ns) == 0)))
		fnap_body(l->s->c, m->flow, fl);
}

static void
cmd_list(struct session *s, char *args)
{
	char *what = word(&args), *ns = word(&args), name[DNSNAME_MAX + 1];
	struct listing l = { s, NULL };
	int i;

	if (what && strcasecmp(what, "NAMESPACES") == 0 && !ns) {
		fnap_reply(s->c, 220, "DATA");
		for (i = 0; i < s->conf->nns; i++)
			if (s->anonymous || fnap_ns_listed(s->namespaces, s->conf->ns[i].name))
				fnap_body(s->c, s->conf->ns[i].name, strlen(s->conf->ns[i].name));
		fnap_reply(s->c, 220, "OK");
		return;
	}
	if (!what || strcasecmp(what, "FLOWS") != 0) {
		fnap_reply(s->c, 501, "usage: LIST FLOWS [<namespace>] | LIST NAMESPACES");
		return;
	}
	if (ns) {
		if (flow_name(s, ns, name) < 0)
			return;
		l.ns = name;
	}
	fnap_reply(s->c, 220, "DATA");
	flowstate_each(s->conf->state, list_one, &l);
	fnap_reply(s->c, 220, "OK");
}

static void
cmd_delete(struct session *s, char *args)
{
	struct flow_meta m;

	if (find_flow(s, word(&args), 1, &m) < 0)
		return;
	if (dns_update(s, DNSUPDATE_DELETE, &m) < 0) {
		fnap_reply(s->c, 450, "cannot remove the DNS records, retry");
		return;
	}
	flowstate_delete(s->conf->state, m.flow);
	nftw(m.path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	fnap_reply(s->c, 220, "OK %s", m.flow);
}

/* CREATE FLOW, DESCRIBE FLOW, DELETE FLOW: the second word must be FLOW. */
static void
flow_verb(struct session *s, char *args, void (*run)(struct session *, char *), const char *usage)
{
	char *w = word(&args);

	if (!w || strcasecmp(w, "FLOW") != 0) {
		fnap_reply(s->c, 501, "usage: %s", usage);
		return;
	}
	run(s, args);
}

static void
cmd_create_flow(struct session *s, char *args)
{
	flow_verb(s, args, cmd_create, "CREATE FLOW <fqdn> [PUBLIC]");
}

static void
cmd_describe_flow(struct session *s, char *args)
{
	flow_verb(s, args, cmd_describe, "DESCRIBE FLOW <fqdn>");
}

static void
cmd_delete_flow(struct session *s, char *args)
{
	flow_verb(s, args, cmd_delete, "DELETE FLOW <fqdn>");
}

static void
cmd_stream(struct session *s, char *args)
{
	struct broker_opts o = { .start = { OFFSET_END } };
	char *w, url[FLOWSTATE_PATH_MAX + 8];
	struct flow_meta m;
	struct consumer *cons;
	struct record rec;
	int64_t count = 0, n = 0;
	int status, r;

	if (find_flow(s, word(&args), 0, &m) < 0)
		return;
	while ((w = word(&args))) {
		if (strcasecmp(w, "FROM") == 0 && (w = word(&args))) {
			if (strcasecmp(w, "BEGINNING") == 0)
				o.start.kind = OFFSET_BEGINNING;
			else if (strcasecmp(w, "END") == 0)
				o.start.kind = OFFSET_END;
			else if (offset_parse(w, &o.start) < 0 || o.start.kind != OFFSET_ABS)
				goto usage;
		} else if (strcasecmp(w, "COUNT") == 0 && (w = word(&args)) &&
		    parse_int64(w, 1, INT64_MAX, &count) == 0) {
			;
		} else
			goto usage;
	}
	snprintf(url, sizeof url, "file://%s", m.path);
	if (!(cons = consumer_open(url, &o, &status))) {
		fnap_reply(s->c, 450, "flow unavailable, retry");
		return;
	}
	fnap_reply(s->c, 220, "DATA");
	for (;;) {
		r = cons->ops->next(cons, &rec, n ? 0 : 1000);
		if (r == 1) {
			if (fnap_body(s->c, rec.line, rec.len) < 0)
				break;
			if (count && ++n == count) {
				fnap_reply(s->c, 220, "OK");
				break;
			}
		} else if (r == 0) {
			/* idle: what was read goes out now */
			if (fnap_flush(s->c) < 0 || stop_requested)
				break;
		} else {
			fnap_reply(s->c, 450, "flow unavailable");
			break;
		}
	}
	cons->ops->close(cons);
	/* an endless stream ends the session: the client reads until it closes */
	s->quit = !(count && n == count);
	return;
usage:
	fnap_reply(s->c, 501, "usage: STREAM <flow> [FROM <offset>|BEGINNING|END] [COUNT <n>]");
}

static void
cmd_publish(struct session *s, char *args)
{
	struct broker_opts o = { 0 };
	char url[FLOWSTATE_PATH_MAX + 8], *line, errors[8][200];
	struct flow_meta m;
	struct producer *p;
	struct ce_event ev;
	struct ce_error err;
	size_t len;
	long lineno = 0, sent = 0, rejected = 0;
	int status, r, i;

	if (find_flow(s, word(&args), 1, &m) < 0)
		return;
	snprintf(url, sizeof url, "file://%s", m.path);
	if (!(p = producer_open(url, &o, &status))) {
		fnap_reply(s->c, 450, "flow unavailable, retry");
		return;
	}
	fnap_reply(s->c, 220, "OK send events");
	for (;;) {
		r = fnap_read_line(s->c, CE_LINE_MAX, &line, &len);
		if (r == FNAP_LINE && len == 1 && line[0] == '.')
			break;
		if (r == FNAP_EOF || r == FNAP_ERROR || r == FNAP_TIMEOUT) {
			s->quit = 1;
			break;
		}
		lineno++;
		if (r != FNAP_LINE || ce_parse(&ev, line, len, 0, &err) < 0) {
			if (rejected < 8)
				snprintf(errors[rejected], sizeof errors[0], "line %ld: %s", lineno,
				    r == FNAP_TOO_LONG ? "line too long" : r == FNAP_NUL ? "NUL byte" : err.msg);
			rejected++;
			continue;
		}
		if (p->ops->send(p, line, len) == 0)
			sent++;
	}
	status = p->ops->flush(p);
	p->ops->close(p);
	if (s->quit)
		return;
	for (i = 0; i < rejected && i < 8; i++)
		fnap_reply(s->c, 501, "%s", errors[i]);
	if (status)
		fnap_reply(s->c, 450, "flow unavailable: events not stored, retry");
	else
		fnap_reply(s->c, 220, "OK %ld events", sent);
}

/* Is the client on this host (loopback, or not a socket at all)? */
static int
local_client(void)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	const char *ip = getenv("TCPREMOTEIP");

	if (ip)
		return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0;
	if (getpeername(0, (struct sockaddr *)&ss, &len) < 0)
		return 1;
	if (ss.ss_family == AF_INET)
		return (ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >> 24) == 127;
	if (ss.ss_family == AF_INET6)
		return memcmp(&((struct sockaddr_in6 *)&ss)->sin6_addr, &in6addr_loopback, 16) == 0;
	return 1;
}

static void
auth_failed(struct session *s)
{
	if (++s->failures >= AUTH_TRIES) {
		fnap_reply(s->c, 421, "too many authentication failures, closing");
		s->quit = 1;
	} else
		fnap_reply(s->c, 535, "authentication failed");
}

static void
cmd_authenticate(struct session *s, char *args)
{
	char *mech = word(&args), *resp = word(&args), *line, ns[sizeof s->namespaces];
	unsigned char raw[1024];
	size_t len, rawlen;
	const char *authz, *user, *pass;
	int r;

	if (!mech) {
		fnap_reply(s->c, 501, "usage: AUTHENTICATE PLAIN [<base64>] | AUTHENTICATE ANONYMOUS [trace]");
		return;
	}
	if (strcasecmp(mech, "ANONYMOUS") == 0) {
		s->authed = s->anonymous = 1;
		snprintf(s->user, sizeof s->user, "anonymous");
		fnap_reply(s->c, 220, "Authenticated");
		return;
	}
	if (strcasecmp(mech, "PLAIN") != 0) {
		fnap_reply(s->c, 501, "mechanisms: PLAIN ANONYMOUS");
		return;
	}
	if (!s->conf->plain_cleartext && !local_client()) {
		fnap_reply(s->c, 538, "encryption required for PLAIN");
		return;
	}
	if (!resp) {
		fnap_reply(s->c, 220, "OK");
		if ((r = fnap_read_line(s->c, FNAP_COMMAND_MAX, &line, &len)) != FNAP_LINE) {
			s->quit = r == FNAP_EOF || r == FNAP_TIMEOUT || r == FNAP_ERROR;
			if (!s->quit)
				fnap_reply(s->c, 500, "line too long");
			return;
		}
		resp = line;
	}
	/* base64 of authzid NUL authcid NUL password */
	if (sodium_base642bin(raw, sizeof raw - 1, resp, strlen(resp), NULL, &rawlen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) < 0) {
		fnap_reply(s->c, 501, "not base64");
		return;
	}
	raw[rawlen] = '\0';
	authz = (const char *)raw;
	user = memchr(raw, '\0', rawlen) ? authz + strlen(authz) + 1 : NULL;
	pass = user && user < (const char *)raw + rawlen ? user + strlen(user) + 1 : NULL;
	if (!pass || pass > (const char *)raw + rawlen || (*authz && strcmp(authz, user) != 0) ||
	    strlen(user) >= sizeof s->user) {
		auth_failed(s);
		return;
	}
	r = fnap_user_check(s->conf, user, pass, ns, sizeof ns);
	if (r == 1) {
		s->authed = 1;
		s->anonymous = 0;
		snprintf(s->user, sizeof s->user, "%s", user);
		memcpy(s->namespaces, ns, sizeof s->namespaces);
	}
	sodium_memzero(raw, sizeof raw);
	if (r < 0)
		fnap_reply(s->c, 450, "users file unavailable, retry");
	else if (r == 0)
		auth_failed(s);
	else
		fnap_reply(s->c, 220, "Authenticated");
}

static void
block(struct session *s, const char *const *lines)
{
	fnap_reply(s->c, 220, "DATA");
	for (; *lines; lines++)
		fnap_body(s->c, *lines, strlen(*lines));
	fnap_reply(s->c, 220, "OK");
}

static void
cmd_capabilities(struct session *s, char *args)
{
	static const char *const caps[] = { "FNAP 1", "AUTH PLAIN ANONYMOUS", "BROKERS file", NULL };

	block(s, caps);
}

static void
cmd_help(struct session *s, char *args)
{
	static const char *const help[] = {
		"CAPABILITIES", "AUTHENTICATE PLAIN [<base64>]", "AUTHENTICATE ANONYMOUS [<trace>]",
		"CREATE FLOW <fqdn> [PUBLIC]", "DESCRIBE FLOW <fqdn>", "LIST FLOWS [<namespace>]",
		"LIST NAMESPACES", "DELETE FLOW <fqdn>",
		"STREAM <flow> [FROM <offset>|BEGINNING|END] [COUNT <n>]", "PUBLISH <flow>", "NOOP", "HELP",
		"QUIT", NULL,
	};

	block(s, help);
}

static void
cmd_noop(struct session *s, char *args)
{
	fnap_reply(s->c, 220, "OK");
}

static void
cmd_quit(struct session *s, char *args)
{
	fnap_reply(s->c, 221, "Bye");
	s->quit = 1;
}

static void
cmd_starttls(struct session *s, char *args)
{
	fnap_reply(s->c, 454, "TLS not available");
}

static const struct command commands[] = {
	{ "CAPABILITIES", 0, cmd_capabilities },
	{ "STARTTLS", 0, cmd_starttls },
	{ "AUTHENTICATE", 0, cmd_authenticate },
	{ "NOOP", 0, cmd_noop },
	{ "HELP", 0, cmd_help },
	{ "QUIT", 0, cmd_quit },
	{ "CREATE", 1, cmd_create_flow },
	{ "DESCRIBE", 1, cmd_describe_flow },
	{ "LIST", 1, cmd_list },
	{ "DELETE", 1, cmd_delete_flow },
	{ "STREAM", 1, cmd_stream },
	{ "PUBLISH", 1, cmd_publish },
};

int
fnap_serve(const struct fnap_conf *conf, int in, int out)
{
	struct session s = { .conf = conf };
	char *line, *args, *verb;
	size_t len, i;
	int r;

	s.c = fnap_conn_new(in, out, conf->idle_timeout);
	fnap_reply(s.c, 220, "%s FNAA", conf->hostname);
	while (!s.quit && !stop_requested) {
		r = fnap_read_line(s.c, FNAP_COMMAND_MAX, &line, &len);
		if (r == FNAP_EOF || r == FNAP_ERROR)
			break;
		if (r == FNAP_TIMEOUT) {
			fnap_reply(s.c, 421, "idle for %d seconds, closing", conf->idle_timeout);
			break;
		}
		if (r == FNAP_TOO_LONG || r == FNAP_NUL) {
			fnap_reply(s.c, 500, r == FNAP_NUL ? "NUL byte in a command" : "line too long");
			continue;
		}
		args = line;
		if (!(verb = word(&args)))
			continue;
		for (i = 0; i < sizeof commands / sizeof *commands; i++)
			if (strcasecmp(verb, commands[i].verb) == 0)
				break;
		if (i == sizeof commands / sizeof *commands)
			fnap_reply(s.c, 500, "unknown command");
		else if (commands[i].needs_auth && !s.authed)
			fnap_reply(s.c, 530, "authentication required");
		else
			commands[i].run(&s, args);
	}
	fnap_conn_free(s.c);
	return EX_FLOW_OK;
}
