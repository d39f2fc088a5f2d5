#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ce.h"
#include "fnap_ua_shell.h"
#include "lines.h"
#include "util.h"

struct shell {
	struct fnap_client *cl;
	struct line_reader *lr;
	int last;        /* the code of the agent's last reply */
	int ended;       /* the user's input is over */
	int quit_sent;
};

/* Print the agent's lines that are there; FNAP_TIMEOUT once none are left,
   else how the connection ended. */
static int
from_agent(struct shell *sh)
{
	const char *text;
	char *line;
	size_t len;
	int r, code;

	fnap_conn_set_timeout(sh->cl->c, 0);
	while ((r = fnap_read_line(sh->cl->c, CE_LINE_MAX, &line, &len)) != FNAP_TIMEOUT) {
		if (r == FNAP_TOO_LONG || r == FNAP_NUL) {
			warnmsg("%s: a line too long or with a NUL byte, not shown", sh->cl->host);
			continue;
		}
		if (r != FNAP_LINE) {
			fnap_client_read_failed(sh->cl, r);
			break;
		}
		if ((code = fnap_reply_code(line, &text)) > 0)
			sh->last = code;
		fwrite(line, 1, len, stdout);
		putchar('\n');
	}
	/* a reader that has gone (| head) ends the session too */
	return fflush(stdout) == EOF ? FNAP_ERROR : r;
}

static int
is_verb(const char *line, size_t len, const char *verb)
{
	return len == strlen(verb) && strncasecmp(line, verb, len) == 0;
}

/* Send the user's lines that are there; at the end of them, QUIT. 0, or
   -1 when the connection failed, with the reason in cl->why. */
static int
from_user(struct shell *sh)
{
	const char *line;
	size_t len;
	int r;

	while (!sh->ended && !lr_would_block(sh->lr)) {
		r = lr_next(sh->lr, &line, &len);
		if (r == LR_EOF || r == LR_ERROR) {
			if (r == LR_ERROR)
				warnmsg("standard input: %s", strerror(errno));
			sh->ended = 1;
			if (!sh->quit_sent && fnap_send(sh->cl->c, "QUIT") < 0)
				goto failed;
			return 0;
		}
		if (r == LR_LONG) {
			warnmsg("line %llu: longer than %d bytes, not sent",
			    (unsigned long long)lr_lineno(sh->lr), CE_LINE_MAX);
			continue;
		}
		if (len > 0 && line[len - 1] == '\r')
			len--;
		/* the session cannot change under the relay: TLS is chosen before */
		if (is_verb(line, len, "STARTTLS")) {
			warnmsg("STARTTLS: not in the shell: use --tls, or tls: true in the configuration");
			continue;
		}
		sh->quit_sent |= is_verb(line, len, "QUIT");
		if (fnap_body(sh->cl->c, line, len) < 0 || fnap_flush(sh->cl->c) < 0)
			goto failed;
	}
	return 0;
failed:
	snprintf(sh->cl->why, sizeof sh->cl->why, "cannot send to the agent: %s", strerror(errno));
	return -1;
}

/* Wait for the agent, or for the user while there is input to come: > 0,
   or 0 when QUIT has had no answer in time. */
static int
wait_input(struct shell *sh, int in)
{
	struct pollfd p[2] = { { .fd = sh->cl->fd, .events = POLLIN }, { .fd = in, .events = POLLIN } };
	int r;

	while ((r = poll(p, sh->ended ? 1 : 2, sh->ended ? FNAP_CLIENT_TIMEOUT_MS : -1)) < 0)
		if (errno != EINTR) {
			snprintf(sh->cl->why, sizeof sh->cl->why, "poll: %s", strerror(errno));
			return -1;
		}
	if (r == 0)
		snprintf(sh->cl->why, sizeof sh->cl->why, "no answer to QUIT");
	return r;
}

int
ua_shell(struct fnap_client *cl, int in)
{
	struct shell sh = { .cl = cl, .lr = lr_open(in, CE_LINE_MAX) };
	int r;

	if (isatty(in))
		fprintf(stderr, "%s: %s: connected%s; QUIT or the end of input ends the session\n",
		    progname, cl->host, fnap_conn_is_tls(cl->c) ? " with TLS" : "");
	while ((r = from_agent(&sh)) == FNAP_TIMEOUT && from_user(&sh) == 0 && wait_input(&sh, in) > 0)
		;
	lr_close(sh.lr);
	if (sh.last == 221 || ferror(stdout))
		return EX_FLOW_OK;  /* a failed stdout is exit_flushed()'s to report */
	warnmsg("%s: %s", cl->host, cl->why);
	return sh.last >= 400 ? fnap_client_status(sh.last) : EX_FLOW_UNAVAILABLE;
}
