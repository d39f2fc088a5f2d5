/* reject: the --reject FILE of flow-pub, flow-sub, flow-filter and
   flow-bridge, where lines and records that could not be taken are kept
   unchanged, one a line, so that nothing is lost silently. The file is
   opened once (created mode 0666 less the umask, truncated, like a shell
   redirection); after a write error it is told once as "FILE: reason" and
   written no more, and reject_close() then fails, so the program exits 74.
   A sink without a path takes every call and keeps nothing. */
#ifndef FLOW_REJECT_H
#define FLOW_REJECT_H

#include <stddef.h>

struct reject {
	const char *path;  /* NULL: nothing is kept */
	int fd;            /* -1 when none */
	int failed;        /* a write failed: told, no more writes */
};

/* Open path (NULL: none); 0, or -1 after telling why. */
int reject_open(struct reject *rj, const char *path);
/* Keep line[0..len) and a newline. */
void reject_line(struct reject *rj, const char *line, size_t len);
/* Keep the head of a line too long to be read whole; the line reader
   writes its rest and the newline to reject_fd(). */
void reject_head(struct reject *rj, const char *head, size_t len);
/* The descriptor of the file, or -1: the line reader's sink for the rest
   of an over-long line. */
int reject_fd(const struct reject *rj);
/* reject_line() with the signature of a broker's on_fail and on_reject
   callbacks (broker_fail_fn): ctx is the struct reject, reason is not kept. */
void reject_keep(void *ctx, const char *rec, size_t len, const char *reason);
/* Close; 0, or -1 if a write failed before or the close does (told). */
int reject_close(struct reject *rj);

#endif
