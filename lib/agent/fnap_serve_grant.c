/* GRANT, REVOKE READ|WRITE ... FROM and LIST GRANTS: parse, find the flow
   the session owns (fnap_flows), ask the model (fnap_subs, which keeps
   the grants with fnap_grants and ends what a grant allowed), reply;
   GRANT and REVOKE ... FROM are audited whatever their answer but a 501. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fnap_audit.h"
#include "fnap_session.h"
#include "fnap_subs.h"

/* A right as the audit trail writes it. */
static const char *const right_word[] = { [GRANT_READ] = "read", [GRANT_WRITE] = "write" };

/* "READ|WRITE ON <flow> <to> <user>" at the start of *args: 0 with its
   words, or -1. */
static int
grant_words(char **args, const char *to, enum grant_right *right, char **flow, char **user)
{
	char *w = fnap_word(args), *on = fnap_word(args), *prep;

	*flow = fnap_word(args);
	prep = fnap_word(args);
	*user = fnap_word(args);
	if (!w || !on || strcasecmp(on, "ON") != 0 || !*flow || !prep || strcasecmp(prep, to) != 0 ||
	    !*user)
		return -1;
	if (strcasecmp(w, "READ") == 0)
		*right = GRANT_READ;
	else if (strcasecmp(w, "WRITE") == 0)
		*right = GRANT_WRITE;
	else
		return -1;
	return 0;
}

void
fnap_cmd_grant(struct session *s, char *args)
{
	char *flow, *user, *word, *where = NULL;
	enum grant_right right;
	struct flow_meta m;
	struct result r;
	int code;

	if (grant_words(&args, "TO", &right, &flow, &user) < 0 ||
	    ((word = fnap_word(&args)) && (right != GRANT_READ || strcasecmp(word, "WHERE") != 0 ||
	    !*(where = args + strspn(args, " "))))) {
		session_usage(s);
		return;
	}
	if (session_where(s, where) < 0)
		return;
	if (!(code = flows_find(s->conf, &s->who, flow, FLOW_OWN, &m, &r)))
		code = subs_grant(s->conf, &m, user, right, where, &r);
	session_done(s, code, &r);
	audit_change(s, "grant", flow, code, "right", right_word[right], "grantee", user, "where", where, NULL);
}

int
fnap_revoke_grant_form(const char *args)
{
	const char *w = args + strspn(args, " "), *on;
	size_t n = strcspn(w, " ");

	if (!(n == 4 && strncasecmp(w, "READ", 4) == 0) && !(n == 5 && strncasecmp(w, "WRITE", 5) == 0))
		return 0;
	on = w + n + strspn(w + n, " ");
	return strncasecmp(on, "ON", 2) == 0 && (on[2] == ' ' || on[2] == '\0');
}

void
fnap_revoke_grant(struct session *s, char *args)
{
	char *flow, *user;
	enum grant_right right;
	struct flow_meta m;
	struct result r;
	int code;

	if (grant_words(&args, "FROM", &right, &flow, &user) < 0 || fnap_word(&args)) {
		session_usage(s);
		return;
	}
	if (!(code = flows_find(s->conf, &s->who, flow, FLOW_OWN, &m, &r)))
		code = subs_ungrant(s->conf, &m, user, right, &r);
	session_done(s, code, &r);
	audit_change(s, "revoke-grant", flow, code, "right", right_word[right], "grantee", user, NULL);
}

/* "<flow> <user> <read|write>[ where=<cesql>]" */
static void
grant_line(void *ctx, const char *flow, const char *user, const char *right, const char *where)
{
	struct session *s = ctx;
	char line[DNSNAME_MAX + AUTH_NAME_MAX + GRANTS_WHERE_MAX + 32];
	int n = snprintf(line, sizeof line, "%s %s %s%s%s", flow, user, right, where ? " where=" : "",
	    where ? where : "");

	fnap_body(s->c, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

void
fnap_list_grants(struct session *s, const char *arg)
{
	struct flow_meta m;

	if (arg && session_find_flow(s, arg, FLOW_OWN, &m) < 0)
		return;
	fnap_reply(s->c, REPLY_OK, "DATA");
	flows_grants(s->conf, &s->who, arg ? m.flow : NULL, grant_line, s);
	fnap_reply(s->c, REPLY_OK, "OK");
}
