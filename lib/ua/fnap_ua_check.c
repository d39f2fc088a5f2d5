#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "fnap_ua_check.h"
#include "monitoring.h"
#include "util.h"

#define CHECK_USAGE "usage: fnap check [AGENT] [--warn-time S] [--crit-time S] [-t S]"
#define SECONDS_MAX 86400          /* of a threshold or the timeout */
#define CAPS_LINES_MAX 256         /* an agent offers a few capabilities */
#define LABEL_MAX 300              /* an agent as named: a DNS name, a port */
#define SUMMARY_MAX 512

/* What one round with the agent measured, or why it failed. */
struct probe {
	int64_t connect_ns, caps_ns;   /* connect and greeting; CAPABILITIES */
	int tls;
	char why[SUMMARY_MAX];         /* "" when the agent answered as it should */
};

/* Written by the timer's handler, which may only write(2) and _exit(2). */
static char timeout_line[SUMMARY_MAX];

static int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* "S" or "S.F" (up to nanoseconds), at most SECONDS_MAX, into *ns; -1
   when s is anything else. */
static int
seconds_parse(const char *s, int64_t *ns)
{
	const int64_t second = 1000000000;
	int64_t whole = 0, frac = 0, scale = second;
	const char *p = s;

	for (; *p >= '0' && *p <= '9' && p - s < 6; p++)
		whole = whole * 10 + (*p - '0');
	if (p == s)
		return -1;
	if (*p == '.' && *++p == '\0')
		return -1;
	for (; *p >= '0' && *p <= '9' && scale > 1; p++)
		frac += (*p - '0') * (scale /= 10);
	if (*p || whole * second + frac > SECONDS_MAX * second)
		return -1;
	*ns = whole * second + frac;
	return 0;
}

/* A status line must stay one line and keep its "|" for the performance
   data: anything else the agent sent becomes '?'. */
static void
printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f || *s == '|')
			*s = '?';
}

static void
on_timeout(int sig)
{
	(void)sig;
	write_all(STDOUT_FILENO, timeout_line, strlen(timeout_line));
	_exit(MON_CRITICAL);
}

/* CRITICAL when the check is not over within ns, whatever it waits for
   (a connection, a TLS handshake, a reply). */
static void
arm_timeout(int64_t ns, const char *label, const char *seconds)
{
	struct itimerval it = { { 0, 0 }, { (time_t)(ns / 1000000000), (ns % 1000000000) / 1000 } };
	struct sigaction sa = { .sa_handler = on_timeout };

	snprintf(timeout_line, sizeof timeout_line, "FNAP CRITICAL - %s: no answer within %s s\n",
	    label, seconds);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

/* CAPABILITIES and its DATA block, which must hold "FNAP 1"; "" in why
   when it does. */
static void
ask_capabilities(struct fnap_client *cl, char why[SUMMARY_MAX])
{
	const char *text;
	char *line;
	size_t len, lines;
	int code, fnap1 = 0;

	why[0] = '\0';
	if ((code = fnap_client_command(cl, &text, "CAPABILITIES")) < 0) {
		snprintf(why, SUMMARY_MAX, "CAPABILITIES: %s", cl->why);
		return;
	}
	if (code != 220 || !fnap_client_is_data(text)) {
		snprintf(why, SUMMARY_MAX, "CAPABILITIES answered %d %.80s, not a DATA block", code, text);
		return;
	}
	for (lines = 0; (code = fnap_client_line(cl, &line, &len)) == 0; lines++) {
		if ((code = fnap_reply_code(line, &text)) > 0)
			break;
		if (lines == CAPS_LINES_MAX) {
			snprintf(why, SUMMARY_MAX, "CAPABILITIES: more than %d lines", CAPS_LINES_MAX);
			return;
		}
		fnap1 |= len == 6 && memcmp(line, "FNAP 1", 6) == 0;
	}
	if (code < 0)
		snprintf(why, SUMMARY_MAX, "CAPABILITIES: %s", cl->why);
	else if (code != 220)
		snprintf(why, SUMMARY_MAX, "CAPABILITIES ended with %d %.80s", code, text);
	else if (!fnap1)
		snprintf(why, SUMMARY_MAX, "no \"FNAP 1\" among its capabilities");
}

/* Connect, greeting, CAPABILITIES, QUIT; the state when the agent could
   not be asked (UNKNOWN for what is wrong here, CRITICAL for the agent),
   else OK with p's times. */
static enum mon_state
probe(const struct ua *u, struct probe *p)
{
	const struct flowyml_agent *agent;
	struct fnap_client *cl;
	int64_t t0 = mono_ns();
	int st;

	if (!(cl = ua_connect(u, UA_DEFAULT, NULL, &agent, &st))) {
		/* fnap_client and fnap_ua said why on standard error */
		snprintf(p->why, sizeof p->why, "%s",
		    st == EX_FLOW_USAGE ? "not HOST[:PORT]" :
		    st == EX_FLOW_CONFIG || st == EX_FLOW_NEGATIVE ? "no agent to check (see standard error)" :
		    st == EX_FLOW_TEMPFAIL ? "busy or closing: its greeting was not 220" :
		    "no connection, TLS session or FNAP greeting (see standard error)");
		return st == EX_FLOW_USAGE || st == EX_FLOW_CONFIG || st == EX_FLOW_NEGATIVE ?
		    MON_UNKNOWN : MON_CRITICAL;
	}
	p->connect_ns = mono_ns() - t0;
	p->tls = cl->tls != NULL;
	ask_capabilities(cl, p->why);
	p->caps_ns = mono_ns() - t0 - p->connect_ns;
	ua_quit(cl);
	return p->why[0] ? MON_CRITICAL : MON_OK;
}

/* The agent as the status line names it: its host when the configuration
   lists it, else as given. */
static void
agent_label(const struct ua *u, char out[LABEL_MAX])
{
	const struct flowyml_agent *a = u->agent ? flowyml_agent(u->cfg, u->agent) :
	    u->cfg->nagents ? &u->cfg->agents[0] : NULL;

	snprintf(out, LABEL_MAX, "%s", a ? a->fqdn : u->agent ? u->agent : "the default agent");
}

int
ua_check_unknown(const char *why)
{
	printf("FNAP UNKNOWN - %s\n", why);
	fprintf(stderr, "%s\n", CHECK_USAGE);
	return MON_UNKNOWN;
}

/* The options, checked: thresholds (-1 when not set) and the timeout;
   NULL, or what is wrong with them. */
static const char *
check_options(const struct ua *u, const struct ua_check_opts *o, int argc, char **argv,
    int64_t *warn, int64_t *crit, int64_t *timeout)
{
	const char *agent = argc > 1 ? argv[1] : u->agent;
	size_t i;

	*warn = *crit = -1;
	*timeout = 10 * (int64_t)1000000000;
	if (argc > 2)
		return "one AGENT at most";
	if (argc > 1 && u->agent)
		return "AGENT and -a both name an agent";
	for (i = 0; agent && agent[i] > ' ' && agent[i] < 0x7f && agent[i] != '|'; i++)
		;
	if (agent && (!*agent || agent[i] || i >= LABEL_MAX - 16))
		return "AGENT: a name of the configuration or HOST[:PORT], printable";
	if (o->warn_time && seconds_parse(o->warn_time, warn) < 0)
		return "--warn-time: seconds (decimals allowed), at most 86400";
	if (o->crit_time && seconds_parse(o->crit_time, crit) < 0)
		return "--crit-time: seconds (decimals allowed), at most 86400";
	if (o->timeout && (seconds_parse(o->timeout, timeout) < 0 || *timeout == 0))
		return "-t: seconds (decimals allowed), more than 0, at most 86400";
	return NULL;
}

int
ua_check(const struct ua *given, const struct ua_check_opts *o, int argc, char **argv)
{
	struct ua u = *given;
	struct probe p = { 0 };
	char label[LABEL_MAX];
	const char *why;
	int64_t warn, crit, timeout, total;
	enum mon_state state;

	if ((why = check_options(given, o, argc, argv, &warn, &crit, &timeout)))
		return ua_check_unknown(why);
	if (argc > 1)
		u.agent = argv[1];
	u.no_login = 1;
	agent_label(&u, label);
	arm_timeout(timeout, label, o->timeout ? o->timeout : "10");
	if ((state = probe(&u, &p)) != MON_OK) {
		printable(p.why);
		printf("FNAP %s - %s: %s\n", mon_state_name(state), label, p.why);
		return state;
	}
	total = p.connect_ns + p.caps_ns;
	state = mon_level(total, warn, crit);
	printf("FNAP %s - %s answers in %.1f ms (FNAP 1%s) | time=%.6fs;", mon_state_name(state),
	    label, total / 1e6, p.tls ? ", TLS" : "", total / 1e9);
	mon_threshold(stdout, warn, 1e9, ";");
	mon_threshold(stdout, crit, 1e9, ";0");
	printf(" connect=%.6fs;;;0 capabilities=%.6fs;;;0\n", p.connect_ns / 1e9, p.caps_ns / 1e9);
	return state;
}
