/* The file broker's row: file:///dir, broker-type=file with path=. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker_file.h"
#include "filelog.h"
#include "brokers.h"
#include "flowstat.h"
#include "file_read.h"
#include "resolve.h"
#include "uri.h"
#include "util.h"

static int
file_url_parse(const char *rest, struct flow_url *u, const char **why)
{
	if (strncmp(rest, "localhost/", 10) == 0)
		rest += 9;
	if (*rest != '/') {
		*why = "a file URL needs an absolute path (file:///path)";
		return -1;
	}
	u->path = xstrdup(rest);
	return 0;
}

static char *
file_url_of(const struct flow_info *fi, const char **why)
{
	char *url;

	if (!fi->path[0]) {
		*why = "broker-type=file without a path= in the _queue TXT record";
		return NULL;
	}
	url = xmalloc(strlen(fi->path) + 8);
	sprintf(url, "file://%s", fi->path);
	return url;
}

static struct producer *
file_producer(const struct flow_url *u, const struct broker_opts *o, int *status)
{
	return file_producer_open(u->path, o, status);
}

static struct consumer *
file_consumer(const struct flow_url *u, const struct broker_opts *o, int *status)
{
	return file_consumer_open(u->path, o, status);
}

/* The agent keeps a namespace's flows in a directory each under WHERE,
   and serves them to other hosts itself. */

static int
file_space_parse(struct broker_space *sp, const char *where, char *options, const char **why)
{
	if (where[0] != '/' || *options) {
		*why = "expected NAME file /DIRECTORY";
		return -1;
	}
	sp->where = xstrdup(where);
	return 0;
}

static void
file_space_free(struct broker_space *sp)
{
	free(sp->where);
}

static int
file_place(const struct broker_space *sp, const char *flow, struct broker_queue *q, const char **why)
{
	(void)why;
	snprintf(q->path, sizeof q->path, "%s/%s", sp->where, flow);
	return 0;
}

static int
file_remove(const struct broker_space *sp, const struct broker_queue *q, const char **why)
{
	char gone[BROKER_QUEUE_PATH_MAX + 32];
	const char *slash = strrchr(q->path, '/');
	int tries;

	(void)sp;
	*why = NULL;
	/* A STREAM of the flow may still store a group's offset in it until it
	   sees the flow gone (a second or so): the directory is renamed out of
	   its name at once, then removed, again while such a late file turns
	   up in it. */
	snprintf(gone, sizeof gone, "%.*s.%s.deleted.%ld", slash ? (int)(slash - q->path + 1) : 0,
	    q->path, slash ? slash + 1 : q->path, (long)getpid());
	if (rename(q->path, gone) < 0) {
		if (errno == ENOENT)   /* removed already */
			return 0;
		warnmsg("%s: %s", q->path, strerror(errno));
		return -1;
	}
	for (tries = 0; remove_tree(gone) < 0; tries++)
		if (errno != ENOTEMPTY || tries == 20) {
			warnmsg("%s: %s", gone, strerror(errno));
			return -1;
		}
	return 0;
}

static void
file_url(const struct broker_queue *q, char *url, size_t size)
{
	snprintf(url, size, "file://%s", q->path);
}

/* Rewrite q's retention file with its "age" or "events" line (none for
   neither), keeping an administrator's "segments" line; renamed into
   place, so appenders read the old file or the new one, never half of one. */
static int
file_retain(const struct broker_space *sp, const struct broker_queue *q,
    const struct broker_retention *keep, const char **why)
{
	char path[BROKER_QUEUE_PATH_MAX + 16], tmp[BROKER_QUEUE_PATH_MAX + 32];
	struct file_retention was;
	FILE *f;
	int dirfd;

	(void)sp;
	*why = NULL;
	if ((dirfd = open(q->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return *why = strerror(errno), -1;
	retention_load(dirfd, q->path, &was);
	close(dirfd);
	snprintf(path, sizeof path, "%s/retention", q->path);
	if (!keep->seconds && !keep->events && !was.segments)
		return unlink(path) == 0 || errno == ENOENT ? 0 : (*why = strerror(errno), -1);
	snprintf(tmp, sizeof tmp, "%s/retention.new", q->path);
	if (!(f = fopen(tmp, "w")))
		return *why = strerror(errno), -1;
	if (was.segments)
		fprintf(f, "segments %" PRIu64 "\n", was.segments);
	if (keep->seconds)
		fprintf(f, "age %lld\n", keep->seconds);
	if (keep->events)
		fprintf(f, "events %llu\n", keep->events);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		*why = strerror(errno);
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* What goes wrong is said in the log with the directory, not to the client. */
static int
file_create(const struct broker_space *sp, const struct broker_queue *q,
    const struct broker_retention *keep, const char **why)
{
	*why = NULL;
	if (mkdir_p(q->path) < 0) {
		warnmsg("%s: %s", q->path, strerror(errno));
		return -1;
	}
	if ((!keep->seconds && !keep->events) || file_retain(sp, q, keep, why) == 0)
		return 0;
	warnmsg("%s: %s", q->path, *why);
	*why = NULL;
	remove_tree(q->path);
	return -1;
}

static const struct broker_keeper keeper = {
	file_space_parse, file_space_free, file_place, file_create, file_remove, file_url,
	.served_by_agent = 1, .retain = file_retain, .keeps_count = 1,
};

const struct broker_kind broker_file = {
	.name = "file", .scheme = "file", .local = 1,
	.url_parse = file_url_parse, .url_of = file_url_of,
	.producer_open = file_producer, .consumer_open = file_consumer,
	.keeper = &keeper,
	.stat = stat_file,
};
