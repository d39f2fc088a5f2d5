#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "auth.h"
#include "broker.h"
#include "ce.h"
#include "dnsname.h"
#include "fnap_ua_cmd.h"
#include "fnap_ua_shell.h"
#include "json.h"
#include "rfc3339.h"
#include "util.h"

/* What an answer holds, and how it is printed. */
enum reply {
	R_NAME,       /* 220 OK [NAME]: key=NAME */
	R_STATE,      /* 220 OK: id=ID state=key */
	R_FIELDS,     /* DATA of key=value lines: one record of them */
	R_LIST,       /* DATA of names: key=NAME each */
	R_SUBS,       /* DATA of "subscription subscriber state" lines */
	R_SUBSCRIBE,  /* DATA: "LOCAL SUBSCRIBED TO SUBSCRIPTION", or "SUBSCRIPTION";
	                 then 220 OK, with token=HEX for an anonymous session */
	R_GRANT,      /* 220 OK: flow=F user=U right=key[ where=W], the grant as sent */
	R_GRANTS,     /* DATA of "flow user right[ where=W]" lines */
	R_SHELL,      /* no command: the user's own session */
};

/* --from's text, as SUBSCRIBE's FROM takes it at the agent */
#define FROM_MAX 64

enum { O_PUBLIC = 1, O_LOCAL = 2, O_WHERE = 4, O_TOKEN = 8, O_FROM = 16, O_RETAIN = 32, O_SET_RETAIN = 64,
	O_VERIFY = 128 };

#define RETAIN_MAX 32

/* The options' values as the command line to the agent writes them. */
struct option_words {
	char from[FROM_MAX];     /* --from, a relative time resolved */
	char retain[RETAIN_MAX]; /* --retain: "7d", "12h", "N EVENTS", "NONE" */
};

struct command {
	const char *word1, *word2;   /* as typed; word2 NULL for one word */
	int minargs, maxargs;        /* 0 or 1 name after the words; 2 with to */
	const char *args;            /* for the usage message */
	const char *verb;            /* FNAP */
	enum ua_target target;       /* whose agent, given a name */
	enum reply reply;
	const char *key;
	int options;                 /* O_*: the options it takes */
	const char *to;              /* the word before a user, who follows the
	                                name (GRANT's TO, REVOKE's FROM), or NULL */
};

static const struct command commands[] = {
	{ "create", "flow", 1, 1, "FQDN [--public] [--retain 7d|12h|N]", "CREATE FLOW", UA_FLOW, R_NAME, "flow",
	  O_PUBLIC | O_RETAIN, NULL },
	{ "set", "retention", 1, 1, "FLOW --retain 7d|12h|N|none", "SET RETENTION", UA_FLOW, R_NAME, "flow",
	  O_SET_RETAIN, NULL },
	{ "describe", "flow", 1, 1, "FQDN", "DESCRIBE FLOW", UA_FLOW, R_FIELDS, NULL, 0, NULL },
	{ "delete", "flow", 1, 1, "FQDN", "DELETE FLOW", UA_FLOW, R_NAME, "flow", 0, NULL },
	{ "list", "flows", 0, 1, "[NAMESPACE]", "LIST FLOWS", UA_NAMESPACE, R_LIST, "flow", 0, NULL },
	{ "list", "namespaces", 0, 0, "", "LIST NAMESPACES", UA_DEFAULT, R_LIST, "namespace", 0, NULL },
	{ "list", "subscriptions", 0, 1, "[FLOW]", "LIST SUBSCRIPTIONS", UA_FLOW, R_SUBS, NULL, 0, NULL },
	{ "list", "grants", 0, 1, "[FLOW]", "LIST GRANTS", UA_FLOW, R_GRANTS, NULL, 0, NULL },
	{ "subscribe", NULL, 1, 1, "FLOW [--from START] [--local NAME] [--where EXPR] [--verify]", "SUBSCRIBE",
	  UA_FLOW, R_SUBSCRIBE, NULL, O_FROM | O_LOCAL | O_VERIFY | O_WHERE, NULL },
	{ "unsubscribe", NULL, 1, 1, "LOCAL [--token TOKEN]", "UNSUBSCRIBE", UA_FLOW, R_NAME, "local",
	  O_TOKEN, NULL },
	{ "revoke", NULL, 1, 1, "SUBSCRIPTION [--token TOKEN]", "REVOKE", UA_FLOW, R_NAME,
	  "subscription", O_TOKEN, NULL },
	{ "pause", NULL, 1, 1, "ID [--token TOKEN]", "PAUSE", UA_FLOW, R_STATE, "paused", O_TOKEN, NULL },
	{ "resume", NULL, 1, 1, "ID [--token TOKEN]", "RESUME", UA_FLOW, R_STATE, "running", O_TOKEN, NULL },
	{ "grant", "read", 2, 2, "FLOW USER [--where EXPR]", "GRANT READ ON", UA_FLOW, R_GRANT, "read",
	  O_WHERE, "TO" },
	{ "grant", "write", 2, 2, "FLOW USER", "GRANT WRITE ON", UA_FLOW, R_GRANT, "write", 0, "TO" },
	{ "ungrant", "read", 2, 2, "FLOW USER", "REVOKE READ ON", UA_FLOW, R_GRANT, "read", 0, "FROM" },
	{ "ungrant", "write", 2, 2, "FLOW USER", "REVOKE WRITE ON", UA_FLOW, R_GRANT, "write", 0, "FROM" },
	{ "caps", NULL, 0, 0, "", "CAPABILITIES", UA_DEFAULT, R_LIST, "capability", 0, NULL },
	{ "shell", NULL, 0, 0, "", NULL, UA_DEFAULT, R_SHELL, NULL, 0, NULL },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])
/* room left in a command line for --where after the verb and two names */
#define WHERE_MAX (FNAP_COMMAND_MAX - 2 * DNSNAME_MAX - 64)
#define HEX_LOWER "0123456789abcdef"

static char why_buf[256];

static const struct command *
find(int argc, char **argv)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (argc > 0 && strcmp(argv[0], commands[i].word1) == 0 &&
		    (!commands[i].word2 || (argc > 1 && strcmp(argv[1], commands[i].word2) == 0)))
			return &commands[i];
	return NULL;
}

/* A checked, normalized name; -1 with *why. */
static int
name_arg(const char *what, const char *arg, char out[DNSNAME_MAX + 1], const char **why)
{
	const char *bad;

	if (dnsname_parse(arg, strlen(arg), out, &bad) < 0) {
		snprintf(why_buf, sizeof why_buf, "%s %.64s: %s", what, arg, bad);
		*why = why_buf;
		return -1;
	}
	return 0;
}

/* One record on one line: "k=v k=v", or {"k":"v","k":"v"} (null for a
   value that is not there). */
static void
print_record(int json, size_t n, const char *const *keys, const char *const *values)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!json) {
			printf("%s%s=%s", i ? " " : "", keys[i], values[i] ? values[i] : "");
			continue;
		}
		fputs(i ? "," : "{", stdout);
		json_write_string(stdout, keys[i]);
		putchar(':');
		if (values[i])
			json_write_string(stdout, values[i]);
		else
			fputs("null", stdout);
	}
	fputs(!json ? "\n" : n ? "}\n" : "{}\n", stdout);
}

/* An answer's lines: bounded, as anything read from the network */
#define BODY_MAX (64 << 20)

struct body {
	char **lines;
	size_t n, bytes;
};

static void
body_free(struct body *b)
{
	while (b->n > 0)
		free(b->lines[--b->n]);
	free(b->lines);
}

/* The lines of a DATA block, up to the reply that closes it: its code
   (-1 when none came) and *text. */
static int
read_body(struct fnap_client *cl, struct body *b, const char **text)
{
	char *line;
	size_t len;
	int code;

	for (;;) {
		if (fnap_client_line(cl, &line, &len) < 0)
			return -1;
		if ((code = fnap_reply_code(line, text)) > 0)
			return code;
		if ((b->bytes += len + 1) > BODY_MAX) {
			snprintf(cl->why, sizeof cl->why, "an answer longer than %d MiB", BODY_MAX >> 20);
			return -1;
		}
		b->lines = xrealloc(b->lines, (b->n + 1) * sizeof *b->lines);
		b->lines[b->n++] = xstrndup(line, len);
	}
}

/* A description: its lines as they are, or one JSON object. */
static void
print_fields(int json, struct body *b)
{
	const char **keys, **values;
	char *eq;
	size_t i;

	if (!json) {
		for (i = 0; i < b->n; i++)
			puts(b->lines[i]);
		return;
	}
	keys = xcalloc(b->n + 1, sizeof *keys);
	values = xcalloc(b->n + 1, sizeof *values);
	for (i = 0; i < b->n; i++) {
		keys[i] = b->lines[i];
		if ((eq = strchr(b->lines[i], '='))) {
			*eq = '\0';
			values[i] = eq + 1;
		}
	}
	print_record(json, b->n, keys, values);
	free(keys);
	free(values);
}

/* The record of a grant: flow=F user=U right=R, and where=W (the rest
   of the line) when there is one. */
static void
print_grant(int json, const char *flow, const char *user, const char *right, const char *where)
{
	static const char *const keys[] = { "flow", "user", "right", "where" };
	const char *values[] = { flow, user, right, where };

	print_record(json, where ? 4 : 3, keys, values);
}

/* The records of a DATA block: key=NAME for each name, the three words of
   each subscription, each grant, or what SUBSCRIBE answers, with
   token=TOKEN when it is not ""; 0, or -1 when SUBSCRIBE's answer is
   empty. */
static int
print_lines(int json, enum reply reply, const char *key, struct body *b, const char *token)
{
	static const char *const sub_keys[] = { "subscription", "subscriber", "state" };
	static const char *const local_keys[] = { "local", "subscription", "token" };
	const char *words[3], *const *keys = &key;
	char *p, *to;
	size_t i, n;

	if (reply == R_SUBSCRIBE && b->n == 0)
		return -1;
	for (i = 0; i < b->n; i++) {
		p = b->lines[i];
		n = 1;
		words[0] = p;
		if (reply == R_GRANTS) {
			for (n = 0; n < 3 && (words[n] = fnap_word(&p)); n++)
				;
			print_grant(json, words[0], n > 1 ? words[1] : NULL, n > 2 ? words[2] : NULL,
			    strncmp(p, "where=", 6) == 0 ? p + 6 : NULL);
			continue;
		}
		if (reply == R_SUBS) {
			keys = sub_keys;
			for (n = 0; n < 3 && (words[n] = fnap_word(&p)); n++)
				;
		} else if (reply == R_SUBSCRIBE && (to = strstr(p, " SUBSCRIBED TO "))) {
			*to = '\0';
			words[1] = to + strlen(" SUBSCRIBED TO ");
			keys = local_keys;
			n = 2;
		} else if (reply == R_SUBSCRIBE)
			keys = local_keys + 1;
		if (reply == R_SUBSCRIBE && *token)
			words[n++] = token;
		print_record(json, n, keys, words);
	}
	return 0;
}

/* What a command sends after its verb: the name ("" for none), the user
   (of a grant, or NULL), the WHERE (or NULL), and the rest of the line. */
struct request {
	const char *name, *user, *where;
	const char *extra;
};

/* Send the command, print what it answers; 0 or an exit status. */
static int
run(const struct ua *u, struct fnap_client *cl, const struct command *cmd, const char *label,
    const struct request *q)
{
	static const char *const state_keys[] = { "id", "state" };
	const char *text, *name = q->name, *values[2] = { name, cmd->key };
	const char *sep = *name ? " " : "";
	char token[FNAP_TOKEN_HEX + 1] = "";
	struct body b = { NULL, 0, 0 };
	int code, bad = 0;
	int data = cmd->reply != R_NAME && cmd->reply != R_STATE && cmd->reply != R_GRANT;

	code = fnap_client_command(cl, &text, "%s%s%s%s", cmd->verb, sep, name, q->extra);
	if (code == 220 && data && !fnap_client_is_data(text)) {
		/* printing nothing and saying 0 would pass for an empty answer */
		warnmsg("%s%s%s: the agent answered 220 %s, not a DATA block", label, sep, name, text);
		return EX_FLOW_UNAVAILABLE;
	}
	if (code == 220 && data)
		code = read_body(cl, &b, &text);
	if (code == 220 && cmd->reply == R_SUBSCRIBE)
		fnap_client_token(text, token);
	if (code == 220 && cmd->reply == R_NAME) {
		if (strncmp(text, "OK ", 3) == 0 && text[3])
			values[0] = text + 3;  /* the agent's spelling */
		print_record(u->json, 1, &cmd->key, values);
	} else if (code == 220 && cmd->reply == R_STATE)
		print_record(u->json, 2, state_keys, values);
	else if (code == 220 && cmd->reply == R_GRANT)
		print_grant(u->json, name, q->user, cmd->key, q->where);
	else if (code == 220 && cmd->reply == R_FIELDS)
		print_fields(u->json, &b);
	else if (code == 220)
		bad = print_lines(u->json, cmd->reply, cmd->key, &b, token);
	body_free(&b);
	if (code == 220 && !bad)
		return EX_FLOW_OK;
	if (bad) {
		warnmsg("%s: the agent's answer has no subscription in it", cl->host);
		return EX_FLOW_SOFTWARE;
	}
	if (code > 0)
		warnmsg("%s%s%s: %d %s", label, sep, name, code, text);
	else
		warnmsg("%s: %s", cl->host, cl->why);
	return fnap_client_status(code);
}

/* --local NAME as it goes to the agent: without a dot, after the prefix
   the configuration gives that agent; -1 after a message. */
static int
local_name(const char *local, const struct flowyml_agent *agent, char out[DNSNAME_MAX + 1])
{
	const char *prefix = agent && agent->prefix && !strchr(local, '.') ? agent->prefix : "";
	const char *bad;
	char name[2 * DNSNAME_MAX];

	snprintf(name, sizeof name, "%s%s", prefix, local);
	if (dnsname_parse(name, strlen(name), out, &bad) < 0) {
		warnmsg("--local %s: %s", name, bad);
		return -1;
	}
	return 0;
}

/* The token to send, in *token: --token's, else FNAP_TOKEN's for a
   command that takes one, else ""; 32 hex digits, put in lower case as
   names are. -1 with *why, which does not repeat a secret. */
static int
token_arg(const struct ua_args *a, const struct command *cmd, char token[FNAP_TOKEN_HEX + 1],
    const char **why)
{
	size_t i;

	token[0] = '\0';
	if (!a->token || !(cmd->options & O_TOKEN))
		return 0;
	if (strlen(a->token) != FNAP_TOKEN_HEX || strspn(a->token, HEX_LOWER "ABCDEF") != FNAP_TOKEN_HEX) {
		*why = a->token_from_env ? "FNAP_TOKEN: not 32 hexadecimal digits" :
		    "--token: not 32 hexadecimal digits";
		return -1;
	}
	for (i = 0; i <= FNAP_TOKEN_HEX; i++)
		token[i] = (char)tolower((unsigned char)a->token[i]);
	return 0;
}

/* A user to grant to: a name the agent's users file can hold, which is
   one word of a command; -1 with *why. */
static int
user_arg(const char *user, const char **why)
{
	size_t i, n = strlen(user);

	for (i = 0; i < n && user[i] > ' ' && user[i] < 127 && user[i] != ':'; i++)
		;
	if (n && n < AUTH_NAME_MAX && i == n)
		return 0;
	snprintf(why_buf, sizeof why_buf, "user %.64s: 1-%d printable characters, without blanks or ':'",
	    user, AUTH_NAME_MAX - 1);
	*why = why_buf;
	return -1;
}

/* --from's value: what SUBSCRIBE's FROM takes (flow-sub's -o words but
   stored), into out as sent, a relative time resolved here where it is
   read first; 0 or -1. */
static int
from_arg(const char *from, char out[FROM_MAX])
{
	struct offset_spec o;

	if (strlen(from) >= FROM_MAX || offset_parse(from, &o) < 0 || o.resume || o.kind == OFFSET_STORED)
		return -1;
	if (o.kind == OFFSET_TIME) {
		out[0] = '@';
		time_resolved_text(from + 1, o.value, out + 1, FROM_MAX - 1);
	} else
		strcpy(out, from);
	return 0;
}

/* --retain's value: Nd or Nh (days, hours), N (events), none (set
   retention only), into the agent's words; 0 or -1. The agent checks the
   bounds. */
static int
retain_arg(const char *v, int none_ok, char out[RETAIN_MAX])
{
	size_t n = strspn(v, "0123456789");

	if (none_ok && strcasecmp(v, "none") == 0)
		snprintf(out, RETAIN_MAX, "NONE");
	else if (n == 0 || n > 11 || v[0] == '0')
		return -1;
	else if (!v[n])
		snprintf(out, RETAIN_MAX, "%s EVENTS", v);
	else if (!v[n + 1] && strchr("dDhH", v[n]))
		snprintf(out, RETAIN_MAX, "%s", v);
	else
		return -1;
	return 0;
}

/* Whether the options given fit cmd; -1 with *why if not. */
static int
check_options(const struct ua *u, const struct ua_args *a, const struct command *cmd,
    char local[DNSNAME_MAX + 1], struct option_words *w, const char **why)
{
	if (a->retain && !(cmd->options & (O_RETAIN | O_SET_RETAIN)))
		*why = "--retain is for create flow and set retention";
	else if (!a->retain && (cmd->options & O_SET_RETAIN))
		*why = "set retention: --retain 7d|12h|N|none is needed";
	else if (a->retain && retain_arg(a->retain, cmd->options & O_SET_RETAIN, w->retain) < 0)
		*why = "--retain: Nd (days), Nh (hours) or N (events); none for set retention";
	else if (a->public && !(cmd->options & O_PUBLIC))
		*why = "--public is for create flow";
	else if (a->local && !(cmd->options & O_LOCAL))
		*why = "--local is for subscribe";
	else if (a->from && !(cmd->options & O_FROM))
		*why = "--from is for subscribe";
	else if (a->verify && !(cmd->options & O_VERIFY))
		*why = "--verify is for subscribe";
	else if (a->from && from_arg(a->from, w->from) < 0)
		*why = "--from: beginning, end, N, -N or @TIME (RFC 3339, or -N with s, m, h or d)";
	else if (a->where && !(cmd->options & O_WHERE))
		*why = "--where is for subscribe and grant read";
	else if (a->token && !a->token_from_env && !(cmd->options & O_TOKEN))
		*why = "--token is for unsubscribe, revoke, pause and resume";
	else if (u->json && cmd->reply == R_SHELL)
		*why = "-j: the shell prints the agent's answers as they are";
	else if (a->where && (strpbrk(a->where, "\r\n") || !a->where[strspn(a->where, " ")]))
		*why = "--where: one line, not empty";
	else if (a->where && strlen(a->where) > WHERE_MAX)
		*why = "--where: too long";
	else
		return a->local ? name_arg("--local", a->local, local, why) : 0;
	return -1;
}

int
ua_run(const struct ua *u, const struct ua_args *a, int argc, char **argv, const char **why)
{
	const struct command *cmd = find(argc, argv);
	const struct flowyml_agent *agent;
	char name[DNSNAME_MAX + 1] = "", local[DNSNAME_MAX + 1], extra[FNAP_COMMAND_MAX], label[32];
	char token[FNAP_TOKEN_HEX + 1], to[AUTH_NAME_MAX + 8] = "";
	struct option_words w;
	struct request q = { name, cmd && cmd->to ? argv[argc - 1] : NULL, a->where, extra };
	struct fnap_client *cl;
	enum ua_target t;
	int nargs, st;

	if (!cmd) {
		*why = argc ? "unknown command" : "no command";
		return EX_FLOW_USAGE;
	}
	nargs = argc - (cmd->word2 ? 2 : 1);
	snprintf(label, sizeof label, "%s%s%s", cmd->word1, cmd->word2 ? " " : "",
	    cmd->word2 ? cmd->word2 : "");
	if (nargs < cmd->minargs || nargs > cmd->maxargs) {
		snprintf(why_buf, sizeof why_buf, "usage: fnap %s %s", label, cmd->args);
		*why = why_buf;
		return EX_FLOW_USAGE;
	}
	if ((nargs && name_arg(label, argv[argc - nargs], name, why) < 0) ||
	    (q.user && user_arg(q.user, why) < 0) ||
	    check_options(u, a, cmd, local, &w, why) < 0 || token_arg(a, cmd, token, why) < 0)
		return EX_FLOW_USAGE;
	if (q.user)
		snprintf(to, sizeof to, " %s %s", cmd->to, q.user);
	/* a subscription with a local flow is made by the agent that will
	   hold it: the one of its namespace, or without a dot the user's own */
	t = a->local ? (strchr(local, '.') ? UA_FLOW : UA_DEFAULT) : nargs ? cmd->target : UA_DEFAULT;
	if (!(cl = ua_connect(u, t, a->local ? local : name, &agent, &st)))
		return st;
	if (cmd->reply == R_SHELL) {
		st = ua_shell(cl, STDIN_FILENO);
		fnap_client_close(cl);
		return st;
	}
	if (a->local && local_name(a->local, agent, local) < 0)
		st = EX_FLOW_USAGE;
	else {
		/* the token last, where the agent takes it */
		snprintf(extra, sizeof extra, "%s%s%s%s%s%s%s%s%s%s%s%s%s", a->public ? " PUBLIC" : "",
		    a->retain ? (cmd->options & O_SET_RETAIN ? " " : " RETAIN ") : "", a->retain ? w.retain : "",
		    a->from ? " FROM " : "", a->from ? w.from : "",
		    a->local ? " LOCAL " : "", a->local ? local : "", to, a->verify ? " VERIFY" : "",
		    a->where ? " WHERE " : "",
		    a->where ? a->where : "", *token ? " " : "", token);
		st = run(u, cl, cmd, label, &q);
	}
	ua_quit(cl);
	return st;
}
