/* fnap_client: a session with an agent, as its client: a TCP connection
   (TLS from the first byte for fnaps), the greeting, authentication (PLAIN
   with a user's credentials, else ANONYMOUS), and commands with their
   replies. Shared by the fnap:// broker, the fnap program and the agent
   itself as a client of other agents. It speaks as the thesis's client
   does (lines ending in CR LF, PLAIN in two steps), so that the thesis's
   server understands it too. */
#ifndef FLOW_FNAP_CLIENT_H
#define FLOW_FNAP_CLIENT_H

#include "fnap.h"

#define FNAP_CLIENT_TIMEOUT_MS 30000   /* for a reply, a connection, a handshake */

struct fnap_client {
	struct fnap_conn *c;
	int fd;
	struct tls_ctx *tls;
	char host[256];
	char why[96];   /* why the last read got no reply line */
};

/* From now on, every session of this process traces its lines on
   standard error, each after prefix (fnap_conn_trace): fnap -d. */
void fnap_client_trace(const char *prefix);

/* Connect to "host[:port]" ("[v6addr]:port"; port 61000 when absent),
   with TLS when tls is set (trusting the PEM file cafile, else the
   system's CAs), and read the greeting. NULL after a message
   "progname: host: reason", with *status (64 bad address, 69
   unreachable or no greeting, 75 the agent is busy). */
struct fnap_client *fnap_client_open(const char *hostport, int tls, const char *cafile,
    int *status);
/* AUTHENTICATE PLAIN (user, password), or ANONYMOUS when user is NULL. 0, or
   -1 after a message, with *status (77 refused, 69 connection lost). PLAIN
   goes in two steps: "AUTHENTICATE PLAIN", then, after a 220, the base64
   line on its own; the answer to that is the result. */
int fnap_client_auth(struct fnap_client *cl, const char *user, const char *password, int *status);
/* Send a command (fmt, ...) and read its reply: the code, *text after it
   (valid until the next read); -1 when the connection failed or closed. */
int fnap_client_command(struct fnap_client *cl, const char **text, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Read one reply line: its code and *text; -1 for no reply (closed, timed
   out, not a reply line), with the reason in cl->why. */
int fnap_client_reply(struct fnap_client *cl, const char **text);
/* Whether a 220 reply's text opens a DATA block: "DATA", blanks after it
   allowed (a DATA block's first reply says nothing else). */
int fnap_client_is_data(const char *text);
/* The token in the text of SUBSCRIBE's closing reply: 1 when it is
   exactly "OK token=" and FNAP_TOKEN_HEX lower-case hex digits, copied
   into out; else 0 and out "" (older agents, the thesis's among them, may
   say other things after OK, which are no token). */
int fnap_client_token(const char *text, char out[FNAP_TOKEN_HEX + 1]);
/* Read one line of an answer's body; -1 with the reason in cl->why. */
int fnap_client_line(struct fnap_client *cl, char **line, size_t *len);
/* Put in cl->why why a read ended with r (FNAP_EOF, FNAP_TIMEOUT, ...). */
void fnap_client_read_failed(struct fnap_client *cl, int r);
/* The exit status for a failure reply code (450 -> 75, 550 -> 77, ...):
   75 or 69 for a 4xx (temporary), 77, 65 or 70 for a 5xx (permanent). */
int fnap_client_status(int code);
/* Close the connection (without QUIT: the caller says it when it may). */
void fnap_client_close(struct fnap_client *cl);

#endif
