/* Grants: who may read or write a flow besides its owner, one file a flow
   in STATE/grants. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "fnap_grants.h"
#include "util.h"

#define GRANTS_DIR "grants"
/* a line: the user, the right, " where=" and the WHERE */
#define LINE_MAX_BYTES (AUTH_NAME_MAX + 16 + GRANTS_WHERE_MAX)

static const char *const right_names[] = { "read", "write" };

const char *
grants_right_name(enum grant_right right)
{
	return right_names[right];
}

/* One grant, as a line of the file holds it. */
struct grant {
	char user[AUTH_NAME_MAX];
	enum grant_right right;
	char where[GRANTS_WHERE_MAX];    /* "": none */
};

/* A whole line of the file into g: 0, or -1 for one that grants nothing
   (made by hand wrongly). */
static int
parse_line(char *line, struct grant *g)
{
	char *p = line, *user, *right;

	line[strcspn(line, "\n")] = '\0';
	user = fnap_word(&p);
	right = fnap_word(&p);
	if (!user || !right || strlen(user) >= sizeof g->user)
		return -1;
	if (strcmp(right, "read") == 0)
		g->right = GRANT_READ;
	else if (strcmp(right, "write") == 0)
		g->right = GRANT_WRITE;
	else
		return -1;
	strcpy(g->user, user);
	g->where[0] = '\0';
	if (*p && (strncmp(p, "where=", 6) != 0 || g->right != GRANT_READ ||
	    snprintf(g->where, sizeof g->where, "%s", p + 6) >= (int)sizeof g->where))
		return -1;
	return 0;
}

/* The rest of a line, which grants nothing. */
static void
skip_line(FILE *f)
{
	int c;

	while ((c = getc(f)) != EOF && c != '\n')
		;
}

/* Call fn for each grant of flow's file, in its order, until fn returns
   non-zero (which is returned); 0 when there is no file. */
static int
each_grant(const struct fnap_conf *conf, const char *flow, int (*fn)(void *ctx, const struct grant *g),
    void *ctx)
{
	char path[FLOWSTATE_FILE_MAX], line[LINE_MAX_BYTES];
	struct grant g;
	FILE *f;
	int r = 0;

	flowstate_file(conf->state, GRANTS_DIR, flow, path);
	if (!(f = fopen(path, "r")))
		return 0;
	while (!r && fgets(line, sizeof line, f)) {
		if (!strchr(line, '\n'))
			skip_line(f);    /* longer than any grant's, or cut */
		else if (parse_line(line, &g) == 0)
			r = fn(ctx, &g);
	}
	fclose(f);
	return r;
}

struct wanted {
	const char *user;
	enum grant_right right;
	char *where;
	size_t size;
};

static int
match_grant(void *ctx, const struct grant *g)
{
	struct wanted *w = ctx;

	if (g->right != w->right || strcmp(g->user, w->user) != 0)
		return 0;
	if (w->where && snprintf(w->where, w->size, "%s", g->where) >= (int)w->size)
		return -1;    /* cut short, it would let more through */
	return 1;
}

int
grants_allows(const struct fnap_conf *conf, const struct fnap_who *who, const struct flow_meta *m,
    enum grant_right right, char *where, size_t size)
{
	struct wanted w = { who->user, right, where, size };

	return each_grant(conf, m->flow, match_grant, &w) == 1;
}

struct listing {
	void (*fn)(void *ctx, const char *flow, const char *user, const char *right, const char *where);
	void *ctx;
	const char *flow;
};

static int
list_grant(void *ctx, const struct grant *g)
{
	struct listing *l = ctx;

	l->fn(l->ctx, l->flow, g->user, right_names[g->right], g->where[0] ? g->where : NULL);
	return 0;
}

void
grants_each(const struct fnap_conf *conf, const char *flow,
    void (*fn)(void *ctx, const char *flow, const char *user, const char *right, const char *where),
    void *ctx)
{
	struct listing l = { fn, ctx, flow };

	each_grant(conf, flow, list_grant, &l);
}

/* A flow's grants in memory, in user order, to change one. */
struct grant_set {
	struct grant *g;
	size_t n;
};

static int
add_grant(void *ctx, const struct grant *g)
{
	struct grant_set *gs = ctx;

	gs->g = xrealloc(gs->g, (gs->n + 1) * sizeof *gs->g);
	gs->g[gs->n++] = *g;
	return 0;
}

static int
write_grants(FILE *f, const void *ctx)
{
	const struct grant_set *gs = ctx;
	size_t i;

	for (i = 0; i < gs->n; i++)
		fprintf(f, "%s %s%s%s\n", gs->g[i].user, right_names[gs->g[i].right],
		    gs->g[i].where[0] ? " where=" : "", gs->g[i].where);
	return ferror(f) ? -1 : 0;
}

/* Where user's grant of right is in gs, or where it goes (*found 0). */
static size_t
grant_slot(const struct grant_set *gs, const char *user, enum grant_right right, int *found)
{
	size_t i;
	int c = 1;

	for (i = 0; i < gs->n; i++) {
		c = strcmp(gs->g[i].user, user);
		if (c > 0 || (c == 0 && gs->g[i].right >= right))
			break;
	}
	*found = i < gs->n && c == 0 && gs->g[i].right == right;
	return i;
}

/* Put g in gs, in place of one of the same user and right. */
static void
put_grant(struct grant_set *gs, const struct grant *g)
{
	int found;
	size_t i = grant_slot(gs, g->user, g->right, &found);

	if (!found) {
		gs->g = xrealloc(gs->g, (gs->n + 1) * sizeof *gs->g);
		memmove(gs->g + i + 1, gs->g + i, (gs->n - i) * sizeof *gs->g);
		gs->n++;
	}
	gs->g[i] = *g;
}

/* Take g out of gs: 0, or -1 if it is not there. */
static int
take_grant(struct grant_set *gs, const struct grant *g)
{
	int found;
	size_t i = grant_slot(gs, g->user, g->right, &found);

	if (!found)
		return -1;
	memmove(gs->g + i, gs->g + i + 1, (gs->n - i - 1) * sizeof *gs->g);
	gs->n--;
	return 0;
}

/* Change m's grants by put_grant (put) or take_grant, under the flow's
   lock, m still being there as it was found: 0, or a reply code. */
static int
change_grants(const struct fnap_conf *conf, const struct flow_meta *m, const struct grant *g, int put,
    struct result *r)
{
	struct grant_set gs = { NULL, 0 };
	char path[FLOWSTATE_FILE_MAX];
	struct flow_meta now;
	int lock, code = 0;

	if ((lock = flowstate_lock(conf->state, m->flow)) < 0) {
		warnmsg("%s: %s", conf->state, strerror(errno));
		return result_set(r, REPLY_RETRY, "cannot change the grants, retry");
	}
	each_grant(conf, m->flow, add_grant, &gs);
	/* deleted (or made again) while this session looked */
	if (flowstate_load(conf->state, m->flow, &now) < 0 || now.created_ns != m->created_ns)
		code = result_set(r, REPLY_DENIED, TEXT_NO_FLOW);
	else if (put)
		put_grant(&gs, g);
	else if (take_grant(&gs, g) < 0)
		code = result_set(r, REPLY_DENIED, "no such grant");
	flowstate_file(conf->state, GRANTS_DIR, m->flow, path);
	if (!code && (gs.n ? flowstate_file_replace(conf->state, GRANTS_DIR, m->flow, write_grants, &gs) :
	    unlink(path)) < 0) {
		warnmsg("%s: %s", path, strerror(errno));
		code = result_set(r, REPLY_RETRY, "cannot change the grants, retry");
	}
	flowstate_unlock(lock);
	free(gs.g);
	return code;
}

/* Is name a user of the users file? 1, 0, or -1 after a message when
   the file cannot be read. */
static int
is_user(const char *users, const char *name)
{
	FILE *f = fopen(users, "r");
	size_t cap = 0, n = strlen(name);
	char *line = NULL;
	int found = 0;

	if (!f) {
		warnmsg("%s: %s", users, strerror(errno));
		return -1;
	}
	/* "name:hash:namespaces" */
	while (!found && getline(&line, &cap, f) > 0)
		found = strncmp(line, name, n) == 0 && line[n] == ':' && strchr(line + n + 1, ':');
	free(line);
	fclose(f);
	return found;
}

/* May user be granted right on m? 0, or a reply code. */
static int
grantable(const struct fnap_conf *conf, const struct flow_meta *m, const char *user,
    enum grant_right right, struct result *r)
{
	int known;

	if (m->subscriber[0])
		return result_set(r, REPLY_USAGE, "%s is a subscription: grant on %s", m->flow, m->source);
	if (strcmp(user, m->owner) == 0)
		return result_set(r, REPLY_USAGE, "%s owns %s", user, m->flow);
	if (auth_name_reserved(user))
		return right == GRANT_READ ? 0 :
		    result_set(r, REPLY_USAGE, "%s may be granted READ, never WRITE", user);
	/* a name that does not fit, or with a ':', is no user's */
	if (strlen(user) >= AUTH_NAME_MAX || strchr(user, ':'))
		return result_set(r, REPLY_DENIED, "no such user");
	if ((known = is_user(conf->users, user)) < 0)
		return result_set(r, REPLY_RETRY, "users file unavailable, retry");
	return known ? 0 : result_set(r, REPLY_DENIED, "no such user");
}

int
grants_set(const struct fnap_conf *conf, const struct flow_meta *m, const char *user,
    enum grant_right right, const char *where, struct result *r)
{
	struct grant g = { .right = right };
	const char *p;

	if (grantable(conf, m, user, right, r))
		return r->code;
	strcpy(g.user, user);
	if (where && snprintf(g.where, sizeof g.where, "%s", where) >= (int)sizeof g.where)
		return result_set(r, REPLY_USAGE, "WHERE: longer than %d bytes", GRANTS_WHERE_MAX - 1);
	/* a line of LIST GRANTS shows it: no control character to garble it */
	for (p = g.where; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 127)
			return result_set(r, REPLY_USAGE, "WHERE: a control character");
	return change_grants(conf, m, &g, 1, r);
}

int
grants_unset(const struct fnap_conf *conf, const struct flow_meta *m, const char *user,
    enum grant_right right, struct result *r)
{
	struct grant g = { .right = right };

	if (snprintf(g.user, sizeof g.user, "%s", user) >= (int)sizeof g.user)
		return result_set(r, REPLY_DENIED, "no such grant");
	return change_grants(conf, m, &g, 0, r);
}

void
grants_drop(const struct fnap_conf *conf, const char *flow)
{
	char path[FLOWSTATE_FILE_MAX];

	flowstate_file(conf->state, GRANTS_DIR, flow, path);
	if (unlink(path) < 0 && errno != ENOENT)
		warnmsg("%s: %s", path, strerror(errno));
}
