#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "reject.h"
#include "util.h"

int
reject_open(struct reject *rj, const char *path)
{
	rj->path = path;
	rj->failed = 0;
	rj->fd = -1;
	if (path && (rj->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) < 0) {
		warnmsg("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void
keep(struct reject *rj, const char *p, size_t len, int newline)
{
	if (rj->fd < 0 || rj->failed)
		return;
	if (write_all(rj->fd, p, len) < 0 || (newline && write_all(rj->fd, "\n", 1) < 0)) {
		warnmsg("%s: %s", rj->path, strerror(errno));
		rj->failed = 1;
	}
}

void
reject_line(struct reject *rj, const char *line, size_t len)
{
	keep(rj, line, len, 1);
}

void
reject_head(struct reject *rj, const char *head, size_t len)
{
	keep(rj, head, len, 0);
}

int
reject_fd(const struct reject *rj)
{
	return rj->failed ? -1 : rj->fd;
}

void
reject_keep(void *ctx, const char *rec, size_t len, const char *reason)
{
	(void)reason;
	keep(ctx, rec, len, 1);
}

int
reject_close(struct reject *rj)
{
	int r = rj->failed ? -1 : 0;

	if (rj->fd >= 0 && close(rj->fd) < 0 && !rj->failed) {
		warnmsg("%s: %s", rj->path, strerror(errno));
		r = -1;
	}
	rj->fd = -1;
	return r;
}
