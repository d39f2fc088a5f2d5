#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flowstate.h"
#include "util.h"

static void
meta_path(const char *state, const char *flow, char *out, size_t size)
{
	snprintf(out, size, "%s/flows/%s", state, flow);
}

int
flowstate_create(const char *state, const struct flow_meta *m)
{
	char dir[FLOWSTATE_PATH_MAX + 16], tmp[FLOWSTATE_PATH_MAX + 64], path[FLOWSTATE_PATH_MAX + 300];
	FILE *f;
	int r, e;

	snprintf(dir, sizeof dir, "%s/flows", state);
	if (mkdir(state, 0700) < 0 && errno != EEXIST)
		return -1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -1;
	snprintf(tmp, sizeof tmp, "%s/.new.%ld", dir, (long)getpid());
	if (!(f = fopen(tmp, "w")))
		return -1;
	fprintf(f, "flow=%s\nowner=%s\npublic=%s\ncreated=%" PRId64 "\npath=%s\n", m->flow, m->owner,
	    m->public ? "yes" : "no", m->created_ns, m->path);
	if (fflush(f) == EOF || fsync(fileno(f)) < 0) {
		e = errno;
		fclose(f);
		unlink(tmp);
		errno = e;
		return -1;
	}
	fclose(f);
	/* link fails if the name is taken: of concurrent creators, one wins */
	meta_path(state, m->flow, path, sizeof path);
	r = link(tmp, path);
	e = errno;
	unlink(tmp);
	errno = e;
	return r;
}

int
flowstate_load(const char *state, const char *flow, struct flow_meta *m)
{
	char path[FLOWSTATE_PATH_MAX + 300], line[FLOWSTATE_PATH_MAX + 16], *v;
	FILE *f;

	meta_path(state, flow, path, sizeof path);
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
		else if (strcmp(line, "path") == 0)
			snprintf(m->path, sizeof m->path, "%s", v);
	}
	fclose(f);
	return m->flow[0] ? 0 : -1;
}

int
flowstate_delete(const char *state, const char *flow)
{
	char path[FLOWSTATE_PATH_MAX + 300];

	meta_path(state, flow, path, sizeof path);
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
	char dir[FLOWSTATE_PATH_MAX + 16], **names = NULL;
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
	qsort(names, n, sizeof *names, cmp_names);
	for (i = 0; i < n; i++) {
		if (flowstate_load(state, names[i], &m) == 0)
			fn(ctx, &m);
		free(names[i]);
	}
	free(names);
	return (int)n;
}
