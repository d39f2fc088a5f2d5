/* fnap_ua_cmd: the commands of the user agent fnap ("create flow F",
   "list flows", "subscribe F", ...): the words of the command line made
   an FNAP command, sent to the agent fnap_ua finds, and its answer
   printed as records, one per line: key=value pairs separated by a space
   (a description: its key=value lines as the agent sent them; a grant's
   where= last, the rest of its line), or with -j one JSON object of
   string members per record. An anonymous SUBSCRIBE's
   token (fnap(7)) is printed with the subscription, and given back with
   --token to unsubscribe, revoke, pause and resume. */
#ifndef FLOW_FNAP_UA_CMD_H
#define FLOW_FNAP_UA_CMD_H

#include "fnap_ua.h"

/* Options that belong to one command. */
struct ua_args {
	int public;          /* create flow FQDN --public */
	const char *local;   /* subscribe FLOW --local NAME */
	const char *from;    /* subscribe FLOW --from beginning|end|N|-N|@TIME */
	int verify;          /* subscribe FLOW --verify */
	const char *retain;  /* create flow, set retention: --retain Nd|Nh|N|none */
	const char *where;   /* subscribe FLOW, grant read FLOW USER: --where EXPR */
	const char *token;   /* unsubscribe, revoke, pause, resume: --token, or FNAP_TOKEN */
	int token_from_env;  /* token is FNAP_TOKEN's: the other commands ignore it */
};

/* Run the command of argv[0..argc): 0, or an exit status after a message;
   or EX_FLOW_USAGE without a message, with *why, when argv is not a
   command with the arguments and options it takes. */
int ua_run(const struct ua *u, const struct ua_args *a, int argc, char **argv, const char **why);

#endif
