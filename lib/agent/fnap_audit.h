/* fnap_audit: the agent's audit trail. One line for every authentication,
   every state change and every STREAM and PUBLISH, on standard error
   (which the listener's logger keeps):

     fnap-serve: audit: event=E session=PID peer=ADDR tls=yes|no user=U KEY=VALUE... code=NNN

   written by a single write(2) of at most AUDIT_LINE_MAX bytes, so that
   the lines of concurrent sessions never mix. A value that is not a plain
   word of printable ASCII (a space, '"', '=', '\', a control byte, a byte
   over 127, or empty) is quoted, with \" \\ and \xHH inside, so that no
   name a client chose makes a second key or a second line; "-" stands for
   none. When standard error is the client's own connection (inetd and
   xinetd give the socket as descriptors 0, 1 and 2) the lines go to
   syslog (LOG_AUTHPRIV) instead. fnap-serve(8) lists the events and keys.
   The command handlers call it next to their replies, fnap_serve at the
   start of a session; it never replies and calls nothing of the model. */
#ifndef FLOW_FNAP_AUDIT_H
#define FLOW_FNAP_AUDIT_H

#include <stddef.h>
#include <stdint.h>

struct session;

#define AUDIT_LINE_MAX 4096     /* PIPE_BUF: a write to a pipe this long is whole */
#define AUDIT_VALUE_MAX 256     /* a value's bytes as written, quotes included */
#define AUDIT_PEER_MAX 64

/* A code for a STREAM or PUBLISH that ended without a final reply: the
   client left (or closed its STREAM). Written "code=-". */
#define AUDIT_NO_REPLY (-1)

/* Who the session is talking to, fixed at its start. */
struct audit_peer {
	char addr[AUDIT_PEER_MAX];  /* "IP:PORT", "[IPv6]:PORT" or "local" */
	int to_syslog;              /* standard error is the client's connection */
};

/* The client of the connection read on fd: tcpserver's TCPREMOTEIP and
   TCPREMOTEPORT, else the socket's peer, else "local" (a pipe, a Unix
   socket); and where the lines go. */
void audit_start(struct audit_peer *p, int fd);

/* An AUTHENTICATE that was decided: mech "plain" or "anonymous", user the
   name given (NULL: not known, as for 538), code the reply (220, 535, 421
   at the third failure, 538, 450); then pairs of key and value (a NULL
   value is written "-") ended by a NULL key: "reason", "trace". */
void audit_auth(const struct session *s, const char *mech, const char *user, int code, ...)
    __attribute__((sentinel));

/* A state change asked for (create, delete, subscribe, unsubscribe,
   revoke, pause, resume, grant, revoke-grant, retention): flow as the client named it (written in its normal form when
   it is a flow name, else as given), code the model's answer (0: done,
   written 220) or the reply's code; then pairs of key and value ended by
   a NULL key, as for audit_auth. Never a token or a password. */
void audit_change(const struct session *s, const char *event, const char *flow, int code, ...)
    __attribute__((sentinel));

/* The offsets of the events of a STREAM or a PUBLISH, as far as they make
   one range: all of one partition, each offset known, ascending. A zeroed
   struct is empty. */
struct audit_span {
	int state;                  /* AUDIT_SPAN_EMPTY, _RANGE or _UNKNOWN */
	int32_t partition;
	int64_t first, last;
};
enum { AUDIT_SPAN_EMPTY, AUDIT_SPAN_RANGE, AUDIT_SPAN_UNKNOWN };

/* Add the events first..last of partition to the struct audit_span span
   (an offset < 0: not known). The signature of a producer's on_stored
   (broker.h); STREAM adds each record it delivers. */
void audit_span_add(void *span, int32_t partition, int64_t first, int64_t last);

/* The end of a STREAM (events delivered) or of a PUBLISH (events stored):
   the flow's normal name, the span (NULL: none), the count, and the
   code of the final reply or AUDIT_NO_REPLY. A PUBLISH into a namespace
   that signs tells how many events the agent signed (signed >= 0; -1:
   none of the line's business). */
void audit_stream(const struct session *s, const char *flow, const struct audit_span *span,
    uint64_t count, int code);
void audit_publish(const struct session *s, const char *flow, const struct audit_span *span,
    uint64_t count, int64_t signed_count, int code);

/* A signing key's record published through dns-update (code 0) or not
   (REPLY_RETRY): the key id. */
void audit_key(const struct session *s, const char *keyid, int code);

/* value (len bytes) as the line writes it, into out (AUDIT_VALUE_MAX + 1
   bytes, NUL-terminated): as it is, or quoted, or cut to fit with "..."
   before its closing quote; NULL is "-". Returns its length. */
size_t audit_value(const char *value, size_t len, char out[AUDIT_VALUE_MAX + 1]);

#endif
