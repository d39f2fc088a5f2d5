#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flowstate.h"
#include "util.h"

/* STATE/sub or STATE/sub/name, the directory made if need be. */
static int
state_path(const char *state, const char *sub, const char *name, char out[FLOWSTATE_FILE_MAX])
{
	snprintf(out, FLOWSTATE_FILE_MAX, "%s/%s", state, sub);
	if ((mkdir(state, 0700) < 0 && errno != EEXIST) || (mkdir(out, 0700) < 0 && errno != EEXIST))
		return -1;
	if (name)
		snprintf(out, FLOWSTATE_FILE_MAX, "%s/%s/%s", state, sub, name);
	return 0;
}

static int
lock_file(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) < 0)
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	return fd;
}

int
flowstate_lock(const char *state, const char *flow)
{
	char path[FLOWSTATE_FILE_MAX];

	if (state_path(state, "locks", flow, path) < 0)
		return -1;
	return lock_file(path);
}

void
flowstate_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* Whom a flow counts against: a subscription its subscriber, never the
   owner of the flow it copies. */
static const char *
charged(const struct flow_meta *m)
{
	return m->subscriber[0] ? m->subscriber : m->owner;
}

struct user_count {
	const char *user;
	int n;
};

static void
count_charged(void *ctx, const struct flow_meta *m)
{
	struct user_count *uc = ctx;

	uc->n += strcmp(charged(m), uc->user) == 0;
}

static int
write_record(FILE *f, const void *ctx)
{
	const struct flow_meta *m = ctx;

	fprintf(f, "flow=%s\nowner=%s\npublic=%s\ncreated=%" PRId64 "\ntype=%s\n", m->flow, m->owner,
	    m->public ? "yes" : "no", m->created_ns, m->kind->name);
	if (m->queue.path[0])
		fprintf(f, "path=%s\n", m->queue.path);
	if (m->queue.servers[0])
		fprintf(f, "servers=%s\ntopic=%s\n", m->queue.servers, m->queue.topic);
	if (m->source[0])
		fprintf(f, "source=%s\n", m->source);
	if (m->subscriber[0])
		fprintf(f, "subscriber=%s\n", m->subscriber);
	if (m->feed[0])
		fprintf(f, "feed=%s\n", m->feed);
	if (m->agent[0])
		fprintf(f, "agent=%s\nagent-tls=%s\n", m->agent, m->agent_tls ? "yes" : "no");
	if (m->token_hash[0])
		fprintf(f, "token-hash=%s\n", m->token_hash);
	if (m->source_token[0])
		fprintf(f, "source-token=%s\n", m->source_token);
	if (m->granted[0])
		fprintf(f, "granted=%s\n", m->granted);
	if (m->retention[0])
		fprintf(f, "retention=%s\n", m->retention);
	if (m->verify[0])
		fprintf(f, "verify=%s\n", m->verify);
	return ferror(f) ? -1 : 0;
}

/* What was written is on disk before the file is linked into place. */
static int
sync_file(FILE *f)
{
	return fflush(f) == EOF || fsync(fileno(f)) < 0 ? -1 : 0;
}

int
flowstate_create(const char *state, const struct flow_meta *m, int max)
{
	char tmp[FLOWSTATE_FILE_MAX], path[FLOWSTATE_FILE_MAX], lock[FLOWSTATE_FILE_MAX], name[64];
	struct user_count uc = { charged(m), 0 };
	FILE *f;
	int r, e, fd = -1;

	snprintf(name, sizeof name, ".new.%ld", (long)getpid());
	if (state_path(state, "flows", name, tmp) < 0 || !(f = fopen(tmp, "w")))
		return -1;
	r = write_record(f, m) < 0 ? -1 : sync_file(f);
	e = errno;
	if (fclose(f) == EOF && r == 0) {
		r = -1;
		e = errno;
	}
	if (r == 0 && max > 0) {
		/* count and add under one lock, or concurrent sessions pass the count together */
		snprintf(lock, sizeof lock, "%s/lock", state);
		if ((fd = lock_file(lock)) < 0) {
			r = -1;
			e = errno;
		} else {
			flowstate_each(state, count_charged, &uc);
			if (uc.n >= max) {
				r = -1;
				e = EDQUOT;
			}
		}
	}
	if (r == 0) {
		/* link fails if the name is taken: of concurrent creators, one wins */
		flowstate_file(state, "flows", m->flow, path);
		r = link(tmp, path);
		e = errno;
	}
	flowstate_unlock(fd);
	unlink(tmp);
	errno = e;
	return r;
}

int
flowstate_load(const char *state, const char *flow, struct flow_meta *m)
{
	char path[FLOWSTATE_FILE_MAX], line[FLOWSTATE_PATH_MAX + 16], *v;
	FILE *f;

	flowstate_file(state, "flows", flow, path);
	if (!(f = fopen(path, "r")))
		return -1;
	memset(m, 0, sizeof *m);
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!(v = strchr(line, '=')))
			continue;
		*v++ = '\0';
		if (strcmp(line, "flow") == 0)
			snprintf(m->flow, sizeof m->flow, "%s", v);
		else if (strcmp(line, "owner") == 0)
			snprintf(m->owner, sizeof m->owner, "%s", v);
		else if (strcmp(line, "public") == 0)
			m->public = strcmp(v, "yes") == 0;
		else if (strcmp(line, "created") == 0)
			m->created_ns = strtoll(v, NULL, 10);
		else if (strcmp(line, "type") == 0)
			m->kind = broker_kind_by_name(v, strlen(v));
		else if (strcmp(line, "path") == 0)
			snprintf(m->queue.path, sizeof m->queue.path, "%s", v);
		else if (strcmp(line, "servers") == 0)
			snprintf(m->queue.servers, sizeof m->queue.servers, "%s", v);
		else if (strcmp(line, "topic") == 0)
			snprintf(m->queue.topic, sizeof m->queue.topic, "%s", v);
		else if (strcmp(line, "source") == 0)
			snprintf(m->source, sizeof m->source, "%s", v);
		else if (strcmp(line, "subscriber") == 0)
			snprintf(m->subscriber, sizeof m->subscriber, "%s", v);
		else if (strcmp(line, "feed") == 0)
			snprintf(m->feed, sizeof m->feed, "%s", v);
		else if (strcmp(line, "agent") == 0)
			snprintf(m->agent, sizeof m->agent, "%s", v);
		else if (strcmp(line, "agent-tls") == 0)
			m->agent_tls = strcmp(v, "yes") == 0;
		else if (strcmp(line, "token-hash") == 0)
			snprintf(m->token_hash, sizeof m->token_hash, "%s", v);
		else if (strcmp(line, "source-token") == 0)
			snprintf(m->source_token, sizeof m->source_token, "%s", v);
		else if (strcmp(line, "granted") == 0)
			snprintf(m->granted, sizeof m->granted, "%s", v);
		else if (strcmp(line, "retention") == 0)
			snprintf(m->retention, sizeof m->retention, "%s", v);
		else if (strcmp(line, "verify") == 0)
			snprintf(m->verify, sizeof m->verify, "%s", v);
	}
	fclose(f);
	return m->flow[0] && m->kind ? 0 : -1;
}

int
flowstate_update(const char *state, const struct flow_meta *m)
{
	return flowstate_file_replace(state, "flows", m->flow, write_record, m);
}

void
flowstate_file(const char *state, const char *dir, const char *flow, char out[FLOWSTATE_FILE_MAX])
{
	snprintf(out, FLOWSTATE_FILE_MAX, "%s/%s/%s", state, dir, flow);
}

int
flowstate_file_replace(const char *state, const char *dir, const char *flow,
    int (*fill)(FILE *f, const void *ctx), const void *ctx)
{
	char tmp[FLOWSTATE_FILE_MAX], path[FLOWSTATE_FILE_MAX], name[64];
	FILE *f;
	int r, e;

	snprintf(name, sizeof name, ".new.%ld", (long)getpid());
	if (state_path(state, dir, name, tmp) < 0 || !(f = fopen(tmp, "w")))
		return -1;
	r = fill(f, ctx) < 0 ? -1 : sync_file(f);
	if (fclose(f) == EOF)
		r = -1;
	flowstate_file(state, dir, flow, path);
	if (r == 0)
		r = rename(tmp, path);
	e = errno;
	if (r < 0)
		unlink(tmp);
	errno = e;
	return r;
}

int
flowstate_delete(const char *state, const char *flow)
{
	char path[FLOWSTATE_FILE_MAX];

	flowstate_file(state, "flows", flow, path);
	return unlink(path);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
flowstate_each(const char *state, void (*fn)(void *ctx, const struct flow_meta *m), void *ctx)
{
	char dir[FLOWSTATE_FILE_MAX], **names = NULL;
	struct flow_meta m;
	struct dirent *de;
	size_t n = 0, i;
	DIR *d;

	snprintf(dir, sizeof dir, "%s/flows", state);
	if (!(d = opendir(dir)))
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.') {
			names = xrealloc(names, (n + 1) * sizeof *names);
			names[n++] = xstrdup(de->d_name);
		}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_names);
	for (i = 0; i < n; i++) {
		if (flowstate_load(state, names[i], &m) == 0)
			fn(ctx, &m);
		free(names[i]);
	}
	free(names);
	return (int)n;
}
