/* CREATE FLOW, SET RETENTION, DESCRIBE FLOW, DELETE FLOW and LIST: parse, ask the model
   (fnap_flows, fnap_subs), reply; CREATE and DELETE are audited whatever
   their answer but a 501. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fnap_session.h"
#include "fnap_subs.h"

/* CREATE FLOW, DESCRIBE FLOW, DELETE FLOW: the second word must be FLOW. */
static int
flow_word(struct session *s, char **args)
{
	char *w = fnap_word(args);

	if (w && strcasecmp(w, "FLOW") == 0)
		return 0;
	session_usage(s);
	return -1;
}

/* Bounds of a retention: ten years, and a count past any flow's use. */
#define RETAIN_DAYS_MAX 3650
#define RETAIN_EVENTS_MAX 1000000000ULL

/* The retention at *args, "<n>d", "<n>h", "<n> EVENTS" (NONE too when
   none_ok), into out as the flow's record keeps it ("" for NONE; a count
   as "<n>", one word as fnap --retain writes it, so that a TXT word and
   an audit value hold it): 0, or -1 for a bad value. */
static int
retention_words(char **args, int none_ok, char out[FLOWSTATE_RETENTION_MAX])
{
	char *w = fnap_word(args), *unit;
	unsigned long long n;

	if (w && none_ok && strcasecmp(w, "NONE") == 0)
		return out[0] = '\0', 0;
	/* eleven characters at most: n cannot overflow */
	if (!w || *w < '1' || *w > '9' || strlen(w) > 11)
		return -1;
	n = strtoull(w, &unit, 10);
	if (strcasecmp(unit, "d") == 0 && n <= RETAIN_DAYS_MAX)
		snprintf(out, FLOWSTATE_RETENTION_MAX, "%llud", n);
	else if (strcasecmp(unit, "h") == 0 && n <= RETAIN_DAYS_MAX * 24)
		snprintf(out, FLOWSTATE_RETENTION_MAX, "%lluh", n);
	else if (!*unit && n <= RETAIN_EVENTS_MAX && (w = fnap_word(args)) && strcasecmp(w, "EVENTS") == 0)
		snprintf(out, FLOWSTATE_RETENTION_MAX, "%llu", n);
	else
		return -1;
	return 0;
}

void
fnap_cmd_create(struct session *s, char *args)
{
	char *name, *opt, flow[DNSNAME_MAX + 1], retention[FLOWSTATE_RETENTION_MAX] = "";
	int public = 0, retain = 0, bad = 0, code;
	struct flow_meta m;
	struct result r;

	if (flow_word(s, &args) < 0)
		return;
	name = fnap_word(&args);
	/* each option once */
	while (!bad && (opt = fnap_word(&args))) {
		if (strcasecmp(opt, "PUBLIC") == 0 && !public)
			public = 1;
		else if (strcasecmp(opt, "RETAIN") == 0 && !retain)
			retain = 1, bad = retention_words(&args, 0, retention) < 0;
		else
			bad = 1;
	}
	if (session_flow_name(s, name, flow) < 0) {
		audit_change(s, "create", name, REPLY_NAME, "public", public ? "yes" : "no", NULL);
		return;
	}
	if (bad) {
		session_usage(s);
		return;
	}
	if ((code = flows_create(s->conf, &s->who, name, public, retention, &m, &r)))
		session_reply(s, &r);
	else
		fnap_reply(s->c, REPLY_OK, "OK %s", m.flow);
	audit_change(s, "create", flow, code, "public", public ? "yes" : "no", NULL);
}

/* SET RETENTION <flow> <value>: the flow's owner only. */
void
fnap_cmd_set(struct session *s, char *args)
{
	char *what = fnap_word(&args), *name = fnap_word(&args), retention[FLOWSTATE_RETENTION_MAX];
	struct flow_meta m;
	struct result r;
	int code;

	if (!what || strcasecmp(what, "RETENTION") != 0 || !name || retention_words(&args, 1, retention) < 0 ||
	    fnap_word(&args)) {
		session_usage(s);
		return;
	}
	if ((code = flows_retain(s->conf, &s->who, name, retention, &m, &r)))
		session_reply(s, &r);
	else
		fnap_reply(s->c, REPLY_OK, "OK %s", m.flow);
	audit_change(s, "retention", name, code, "retention", retention[0] ? retention : "none", NULL);
}

void
fnap_cmd_delete(struct session *s, char *args)
{
	struct flow_meta m;
	struct result r;
	const char *name;
	int code;

	if (flow_word(s, &args) < 0)
		return;
	name = fnap_word(&args);
	if ((code = flows_find(s->conf, &s->who, name, FLOW_OWN, &m, &r)) || (code = subs_delete_flow(s->conf, &m, &r)))
		session_reply(s, &r);
	else
		fnap_reply(s->c, REPLY_OK, "OK %s", m.flow);
	audit_change(s, "delete", name, code, NULL);
}

static void
body_line(void *ctx, const char *key, const char *value)
{
	struct session *s = ctx;
	char line[FLOWSTATE_PATH_MAX + 64];
	int n = snprintf(line, sizeof line, "%s=%s", key, value);

	fnap_body(s->c, line, n < (int)sizeof line ? (size_t)n : sizeof line - 1);
}

void
fnap_cmd_describe(struct session *s, char *args)
{
	struct flow_meta m;

	if (flow_word(s, &args) < 0 || session_find_flow(s, fnap_word(&args), FLOW_READ, &m) < 0)
		return;
	fnap_reply(s->c, REPLY_OK, "DATA");
	flows_describe(s->conf, &s->who, &m, body_line, s);
	fnap_reply(s->c, REPLY_OK, "OK");
}

static void
name_line(void *ctx, const char *name)
{
	struct session *s = ctx;

	fnap_body(s->c, name, strlen(name));
}

static void
list_namespaces(struct session *s)
{
	int i;

	fnap_reply(s->c, REPLY_OK, "DATA");
	for (i = 0; i < s->conf->nns; i++)
		if (flows_ns_listed(&s->who, s->conf->ns[i].name))
			name_line(s, s->conf->ns[i].name);
	fnap_reply(s->c, REPLY_OK, "OK");
}

void
fnap_cmd_list(struct session *s, char *args)
{
	char *what = fnap_word(&args), *ns = fnap_word(&args), name[DNSNAME_MAX + 1];

	if (what && strcasecmp(what, "NAMESPACES") == 0 && !ns) {
		list_namespaces(s);
		return;
	}
	if (what && strcasecmp(what, "SUBSCRIPTIONS") == 0 && !fnap_word(&args)) {
		fnap_list_subscriptions(s, ns);
		return;
	}
	if (what && strcasecmp(what, "GRANTS") == 0 && !fnap_word(&args)) {
		fnap_list_grants(s, ns);
		return;
	}
	if (!what || strcasecmp(what, "FLOWS") != 0 || fnap_word(&args)) {
		session_usage(s);
		return;
	}
	if (ns && session_flow_name(s, ns, name) < 0)
		return;
	fnap_reply(s->c, REPLY_OK, "DATA");
	flows_list(s->conf, &s->who, ns ? name : NULL, name_line, s);
	fnap_reply(s->c, REPLY_OK, "OK");
}
