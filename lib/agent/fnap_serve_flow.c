/* CREATE FLOW, DESCRIBE FLOW, DELETE FLOW and LIST: parse, ask the model
   (fnap_flows, fnap_subs), reply; CREATE and DELETE are audited whatever
   their answer but a 501. */
#include "config.h"

#include <stdio.h>
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

void
fnap_cmd_create(struct session *s, char *args)
{
	char *name, *opt, flow[DNSNAME_MAX + 1];
	struct flow_meta m;
	struct result r;
	int code;

	if (flow_word(s, &args) < 0)
		return;
	name = fnap_word(&args);
	opt = fnap_word(&args);
	if (session_flow_name(s, name, flow) < 0) {
		audit_change(s, "create", name, REPLY_NAME, "public", opt ? "yes" : "no", NULL);
		return;
	}
	if ((opt && strcasecmp(opt, "PUBLIC") != 0) || fnap_word(&args)) {
		session_usage(s);
		return;
	}
	if ((code = flows_create(s->conf, &s->who, name, opt != NULL, &m, &r)))
		session_reply(s, &r);
	else
		fnap_reply(s->c, REPLY_OK, "OK %s", m.flow);
	audit_change(s, "create", flow, code, "public", opt ? "yes" : "no", NULL);
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
