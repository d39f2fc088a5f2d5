/* The agent as a client of other agents, for SUBSCRIBE ... LOCAL: find
   the flow's agent through DNS, log in with the credentials configured for
   it (else ANONYMOUS), over TLS when its records say so, and subscribe
   there, or revoke that subscription (with the token the other agent
   answered, when it was made anonymously). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "fnap_client.h"
#include "fnap.h"
#include "fnap_peer.h"
#include "dnsquery.h"
#include "resolve.h"
#include "util.h"

int
fnap_peer_credentials(const struct fnap_conf *conf, const char *host, char user[AUTH_NAME_MAX],
    char password[AUTH_PASSWORD_MAX])
{
	char line[AUTH_NAME_MAX + AUTH_PASSWORD_MAX + DNSNAME_MAX + 8], *p, *h, *u, *w;
	FILE *f;
	int found = 0;

	if (!conf->peers || !(f = fopen(conf->peers, "r")))
		return 0;
	while (!found && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		p = line;
		if (!(h = fnap_word(&p)) || h[0] == '#' || !(u = fnap_word(&p)) || !(w = fnap_word(&p)))
			continue;
		if (strcasecmp(h, host) == 0 && strlen(u) < AUTH_NAME_MAX &&
		    strlen(w) < AUTH_PASSWORD_MAX) {
			strcpy(user, u);
			strcpy(password, w);
			found = 1;
		}
	}
	sodium_memzero(line, sizeof line);
	fclose(f);
	return found;
}

/* A logged-in session with the agent at hostport; NULL after a message. */
static struct fnap_client *
peer_open(const struct fnap_conf *conf, const char *hostport, const char *host, int tls)
{
	char user[AUTH_NAME_MAX], password[AUTH_PASSWORD_MAX];
	struct fnap_client *cl;
	int status, known;

	if (!(cl = fnap_client_open(hostport, tls, conf->tls_ca, &status)))
		return NULL;
	known = fnap_peer_credentials(conf, host, user, password);
	if (fnap_client_auth(cl, known ? user : NULL, known ? password : NULL, &status) < 0) {
		fnap_client_close(cl);
		cl = NULL;
	}
	sodium_memzero(password, sizeof password);
	return cl;
}

/* Read the DATA block of a SUBSCRIBE: its one line, the subscription
   flow, then "220 OK", with "token=<hex>" after it when the subscription
   was made anonymously (what ends it then). */
static int
read_subscription(struct fnap_client *cl, const char *flow, struct peer_sub *p)
{
	const char *why, *text;
	char *line;
	size_t len, n = strlen(flow);

	if (fnap_read_line(cl->c, FNAP_COMMAND_MAX, &line, &len) != FNAP_LINE ||
	    dnsname_check(line, len, &why) < 0 || len <= n + 1 ||
	    strcmp(line + len - n, flow) != 0 || line[len - n - 1] != '.')
		return -1;
	dnsname_normalize(line, len, p->sub);
	if (fnap_client_reply(cl, &text) != 220)
		return -1;
	fnap_client_token(text, p->token);
	return 0;
}

int
fnap_peer_subscribe(const struct fnap_conf *conf, const char *flow, const char *from, const char *where,
    struct peer_sub *p, char *err, size_t size)
{
	struct resolver_opts o = { getenv("FLOW_NAMESERVER"), RESOLVE_DEFAULT_TIMEOUT,
	    RESOLVE_DEFAULT_RETRIES, 0 };
	struct fnap_client *cl = NULL;
	struct flow_info *fi = xcalloc(1, sizeof *fi);
	struct resolver *r;
	const char *why, *text;
	size_t i;
	int code = -1;

	snprintf(err, size, "cannot find the flow's agent");
	if (o.nameserver && !*o.nameserver)
		o.nameserver = NULL;
	if (!(r = resolver_open(&o, &why)) || resolve_flow(r, flow, RESOLVE_AGENT, fi, &why) != 0) {
		warnmsg("%s: %s", flow, why);
		goto done;
	}
	snprintf(err, size, "the flow's agent does not answer");
	for (i = 0; i < fi->nagents && !cl; i++) {
		snprintf(p->agent, sizeof p->agent, "%s:%u", fi->agents[i].host, fi->agents[i].port);
		cl = peer_open(conf, p->agent, fi->agents[i].host, fi->agent_tls);
	}
	if (!cl)
		goto done;
	p->tls = fi->agent_tls;
	/* FROM only when asked: an agent of before it knows none */
	code = fnap_client_command(cl, &text, "SUBSCRIBE %s%s%s%s%s", flow, from && *from ? " FROM " : "",
	    from && *from ? from : "", where ? " WHERE " : "", where ? where : "");
	if (code == 220 && fnap_client_is_data(text) && read_subscription(cl, flow, p) == 0)
		code = 0;
	else if (code == 220) {
		snprintf(err, size, "%s: SUBSCRIBE %s: an answer that is not a subscription", p->agent, flow);
		warnmsg("%s", err);
		code = -1;
	}
	else if (code > 0) {
		warnmsg("%s: SUBSCRIBE %s: %d %s", p->agent, flow, code, text);
		snprintf(err, size, "%s says: %d %s", p->agent, code, text);
	}
	if (code >= 0)
		fnap_client_command(cl, &text, "QUIT");
done:
	if (cl)
		fnap_client_close(cl);
	if (r)
		resolver_close(r);
	free(fi);
	return code;
}

int
fnap_peer_revoke(const struct fnap_conf *conf, const char *agent, int tls, const char *sub,
    const char *token)
{
	char host[DNSNAME_MAX + 1];
	struct fnap_client *cl;
	const char *text;
	int code;

	snprintf(host, sizeof host, "%.*s", (int)strcspn(agent, ":"), agent);
	if (!(cl = peer_open(conf, agent, host, tls)))
		return -1;
	if ((code = fnap_client_command(cl, &text, "REVOKE %s%s%s", sub, *token ? " " : "", token)) != 220)
		warnmsg("%s: REVOKE %s: %d %s", agent, sub, code, code > 0 ? text : "no answer");
	else
		fnap_client_command(cl, &text, "QUIT");
	fnap_client_close(cl);
	return code == 220 ? 0 : -1;
}
