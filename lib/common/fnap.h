/* fnap: FNAP framing on a pair of descriptors (DESIGN §7): lines ending in
   CRLF (a bare LF accepted) with a length limit and an idle timeout, and
   replies "NNN text". Shared by the agent and, later, its clients. */
#ifndef FLOW_FNAP_H
#define FLOW_FNAP_H

#include <stddef.h>

#define FNAP_COMMAND_MAX 4096      /* bytes of a command line */
#define FNAP_PORT 61000

enum {
	FNAP_LINE = 1, FNAP_EOF = 0, FNAP_ERROR = -1,
	FNAP_TOO_LONG = -2,   /* the line was longer than allowed: discarded */
	FNAP_TIMEOUT = -3,    /* nothing came within the idle timeout */
	FNAP_NUL = -4,        /* the line held a NUL byte: discarded */
};

struct fnap_conn;

struct fnap_conn *fnap_conn_new(int in, int out, int timeout_s);
void fnap_conn_free(struct fnap_conn *c);

/* The next line, without its CR LF, at most max bytes (valid until the next call). */
int fnap_read_line(struct fnap_conn *c, size_t max, char **line, size_t *len);

/* "code text" CR LF, written at once. 0 or -1. */
int fnap_reply(struct fnap_conn *c, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A body line of a DATA block (buffered; fnap_reply and fnap_flush write it). */
int fnap_body(struct fnap_conn *c, const char *line, size_t len);
int fnap_flush(struct fnap_conn *c);

#endif
