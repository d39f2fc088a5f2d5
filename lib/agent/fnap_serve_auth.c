/* AUTHENTICATE: SASL PLAIN (RFC 4616) against the users file, and
   ANONYMOUS (RFC 4505), which may read public flows only. PLAIN as the
   reserved name "anonymous" fails as a wrong password does. Every
   attempt decided (a password checked, or PLAIN refused in the clear) has
   its audit line, which the log of a failure once was. */
#include "config.h"

#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "fnap_session.h"

#define AUTH_TRIES 3

/* A failed PLAIN: its audit line, and the third ends the session. */
static void
failed(struct session *s, const char *user, const char *why)
{
	int code = ++s->failures >= AUTH_TRIES ? REPLY_CLOSING : REPLY_AUTH_FAILED;

	audit_auth(s, "plain", user, code, "reason", why, NULL);
	if (code == REPLY_CLOSING) {
		fnap_reply(s->c, REPLY_CLOSING, "too many authentication failures, closing");
		s->quit = 1;
	} else
		fnap_reply(s->c, REPLY_AUTH_FAILED, "authentication failed");
}

static void
plain(struct session *s, char *resp)
{
	char user[AUTH_NAME_MAX], pass[AUTH_PASSWORD_MAX], ns[AUTH_NAMESPACES_MAX], *line;
	const char *why;
	size_t len;
	int r;

	if (!s->conf->plain_cleartext && !s->local && !fnap_conn_is_tls(s->c)) {
		fnap_reply(s->c, REPLY_ENCRYPT, "encryption required for PLAIN");
		audit_auth(s, "plain", NULL, REPLY_ENCRYPT, NULL);
		return;
	}
	if (!resp) {
		fnap_reply(s->c, REPLY_OK, "OK");
		r = fnap_read_line(s->c, s->conf->command_max, &line, &len);
		if (r == FNAP_EOF || r == FNAP_ERROR || r == FNAP_TIMEOUT) {
			s->quit = 1;
			return;
		}
		if (r != FNAP_LINE) {
			fnap_reply(s->c, REPLY_USAGE, "%s", r == FNAP_NUL ? "NUL byte" : "line too long");
			return;
		}
		/* "*" cancels, as in IMAP */
		if (strcmp(line, "*") == 0) {
			fnap_reply(s->c, REPLY_USAGE, "authentication cancelled");
			return;
		}
		resp = line;
	}
	if (auth_plain_decode(resp, user, pass, &why) < 0) {
		fnap_reply(s->c, REPLY_USAGE, "%s", why);
		return;
	}
	r = auth_user_check(s->conf->users, user, pass, ns);
	sodium_memzero(pass, sizeof pass);
	if (r < 0) {
		fnap_reply(s->c, REPLY_RETRY, "users file unavailable, retry");
		audit_auth(s, "plain", user, REPLY_RETRY, NULL);
		return;
	}
	if (r == 0) {
		failed(s, user, auth_name_reserved(user) ? "a reserved name, no user's" : "wrong user or password");
		return;
	}
	s->authed = 1;
	s->who.anonymous = 0;
	memcpy(s->who.user, user, sizeof s->who.user);
	memcpy(s->who.namespaces, ns, sizeof s->who.namespaces);
	fnap_reply(s->c, REPLY_OK, "Authenticated");
	audit_auth(s, "plain", user, REPLY_OK, NULL);
}

void
fnap_cmd_authenticate(struct session *s, char *args)
{
	char *mech = fnap_word(&args), *resp = fnap_word(&args);

	if (!mech) {
		session_usage(s);
		return;
	}
	if (strcasecmp(mech, "ANONYMOUS") == 0) {
		/* the trace (an address, say) is the client's business */
		s->authed = s->who.anonymous = 1;
		strcpy(s->who.user, AUTH_ANONYMOUS);
		s->who.namespaces[0] = '\0';
		fnap_reply(s->c, REPLY_OK, "Authenticated");
		audit_auth(s, "anonymous", AUTH_ANONYMOUS, REPLY_OK, "trace", resp, NULL);
	} else if (strcasecmp(mech, "PLAIN") == 0) {
		if (fnap_word(&args))
			fnap_reply(s->c, REPLY_USAGE, "usage: AUTHENTICATE PLAIN [<base64>]");
		else
			plain(s, resp);
	} else
		fnap_reply(s->c, REPLY_USAGE, "mechanisms: PLAIN ANONYMOUS");
}
