/* fnap: FNAP framing (fnap(7), FRAMING), shared by the agent and its
   clients: a connection over a pair of descriptors, plain or TLS; lines
   ending in CR LF (a bare LF accepted) read with a length limit and a
   timeout that the whole line must arrive within (a byte now and then does
   not keep a reader waiting), and a deadline no read or handshake goes
   past; replies "NNN text", written at once; body lines of DATA blocks,
   buffered. Underneath are the programs' one line reader (lines.c) and
   one writer (out.c) over a transport (transport.c), plain or TLS. */
#ifndef FLOW_FNAP_H
#define FLOW_FNAP_H

#include <stddef.h>
#include <stdint.h>

#include "tls.h"

struct line_reader;

#define FNAP_COMMAND_MAX 4096      /* bytes of a command line, by default */
#define FNAP_TOKEN_HEX 32          /* hex digits of an anonymous subscription's token */
#define FNAP_PORT 61000

enum {
	FNAP_LINE = 1, FNAP_EOF = 0, FNAP_ERROR = -1,
	FNAP_TOO_LONG = -2,   /* the line was longer than allowed: discarded */
	FNAP_TIMEOUT = -3,    /* nothing came in time */
	FNAP_NUL = -4,        /* the line held a NUL byte: discarded */
};

struct fnap_conn;

/* A connection reading in and writing out, lines of at most line_max bytes,
   waiting at most timeout_ms for either (-1: forever). */
struct fnap_conn *fnap_conn_new(int in, int out, size_t line_max, int timeout_ms);
/* Flush, end TLS, free; the descriptors stay open. */
void fnap_conn_free(struct fnap_conn *c);
/* The server's end of a session: flush, end TLS, stop writing, then drop
   the client's input until it closes too, for linger_ms at most; so the
   last reply is read, not lost to a reset. fnap_conn_free() still frees. */
void fnap_conn_close(struct fnap_conn *c, int linger_ms);
/* How long reads wait from now on (writes and handshakes keep the first). */
void fnap_conn_set_timeout(struct fnap_conn *c, int timeout_ms);
/* No read or handshake waits past deadline_ms (a clock_ms() time; -1:
   none), whatever its timeout: a limit on the whole session. */
void fnap_conn_set_deadline(struct fnap_conn *c, int64_t deadline_ms);
/* The TLS handshake (as the server, or as a client checking host's
   certificate), within the connection's timeout; from then on everything
   goes through TLS. Input buffered before is dropped: it must not pass for
   protected input. 0, or -1 with *why. */
int fnap_conn_accept_tls(struct fnap_conn *c, struct tls_ctx *x, const char **why);
int fnap_conn_connect_tls(struct fnap_conn *c, struct tls_ctx *x, const char *host,
    const char **why);
int fnap_conn_is_tls(const struct fnap_conn *c);
/* Trace every line of c, whole, on descriptor fd: "<prefix>C: <line>"
   for a line of the client, "<prefix>S: <line>" for one of the agent, as
   fnap(7)'s transcripts show them (client: whether this end is the
   client). A PLAIN credential is written "****", on the AUTHENTICATE line
   or on the line after it. For fnap -d and fnap-serve -d. */
void fnap_conn_trace(struct fnap_conn *c, int fd, const char *prefix, int client);

/* The next line, without its CR LF, of at most max bytes (<= line_max),
   NUL-terminated in place and valid until the next call: FNAP_LINE, or
   FNAP_EOF, FNAP_ERROR, FNAP_TIMEOUT, FNAP_TOO_LONG, FNAP_NUL. With a
   timeout above 0, FNAP_TIMEOUT when the line is not whole within it (what
   came of it stays buffered for the next call); with 0, when what is there
   holds no whole line. Output still buffered is written before waiting. */
int fnap_read_line(struct fnap_conn *c, size_t max, char **line, size_t *len);
/* The connection's line reader, its lines of at most max bytes (a CR
   besides), for a caller that takes many lines at once (a STREAM's
   events, checked on several threads: linepool) rather than one by one
   with fnap_read_line; such lines are not traced. */
struct line_reader *fnap_conn_reader(struct fnap_conn *c, size_t max);
/* Write what is buffered, then take in what comes within timeout_ms (-1:
   no limit) and the connection's deadline: 1 when something came or the
   input ended, 0 when nothing came in time, -1 when it failed. */
int fnap_fill(struct fnap_conn *c, int timeout_ms);
/* Without waiting: 1 once the peer has closed its side (what it sent
   before stays readable), else 0. */
int fnap_peer_closed(struct fnap_conn *c);

/* "NNN text" CR LF, written with what is buffered. 0 or -1. */
int fnap_reply(struct fnap_conn *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A line (a command, from a client), written at once. 0 or -1. */
int fnap_send(struct fnap_conn *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A body line of a DATA block, or an event, buffered. 0 or -1. */
int fnap_body(struct fnap_conn *c, const char *line, size_t len);
int fnap_flush(struct fnap_conn *c);

/* A reply line's code (100-599), with *text after it; -1 if line is not one. */
int fnap_reply_code(const char *line, const char **text);
/* The next space-separated word of *p, cut off there; NULL at the end. */
char *fnap_word(char **p);

#endif
