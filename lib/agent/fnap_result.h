/* fnap_result: the agent's reply codes (fnap(7)), the reply texts that
   more than one command gives, and the result its model hands back in
   place of a reply. The model (fnap_flows, fnap_subs, fnap_queue) never
   writes to the client: it returns 0, or a reply code with the reason in
   a struct result, and the command handlers (fnap_serve_*.c) alone turn
   that into a reply. Any file of the agent may include it. */
#ifndef FLOW_FNAP_RESULT_H
#define FLOW_FNAP_RESULT_H

enum reply_code {
	REPLY_OK = 220,             /* done; "DATA" before a body */
	REPLY_BYE = 221,
	REPLY_CLOSING = 421,        /* the session ends */
	REPLY_RETRY = 450,          /* failed for now: a later try may work */
	REPLY_NO_TLS = 454,
	REPLY_BAD_COMMAND = 500,
	REPLY_USAGE = 501,          /* bad arguments */
	REPLY_NOT_HERE = 502,       /* this agent has no processors */
	REPLY_AUTH_REQUIRED = 530,
	REPLY_AUTH_FAILED = 535,
	REPLY_ENCRYPT = 538,        /* PLAIN needs TLS */
	REPLY_DENIED = 550,         /* no such thing, or not the session's */
	REPLY_QUOTA = 552,
	REPLY_NAME = 553,           /* the flow name is not allowed */
};

/* Whether the flow does not exist or is not the session's stays unsaid. */
#define TEXT_NO_FLOW "no such flow or access denied"
#define TEXT_NO_SUBSCRIPTION "no such subscription or access denied"
#define TEXT_CANNOT_CREATE "cannot create the flow, retry"

struct result {
	int code;                        /* 0: done */
	char why[1024];                  /* the reply's text otherwise */
};

/* Fill r with code and the formatted reason; returns code. */
int result_set(struct result *r, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
