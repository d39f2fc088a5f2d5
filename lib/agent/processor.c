#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "processor.h"
#include "util.h"

#define PATH_BYTES 2048
#define WAIT_DOWN_MS "5000"
#define REJECTS "rejects"      /* in the service directory, where the run script runs */

/* A path of at most PATH_BYTES: 0, or -1 when it does not fit. */
static int __attribute__((format(printf, 2, 3)))
pathf(char *out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, PATH_BYTES, fmt, ap);
	va_end(ap);
	if (n >= 0 && n < PATH_BYTES)
		return 0;
	errno = ENAMETOOLONG;
	return -1;
}

/* Run an s6 tool and wait for it: its exit status, or -1. Its output goes
   to our log (standard error): standard output is the client's. */
static int
run_tool(char *const argv[])
{
	int status, null;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		if ((null = open("/dev/null", O_RDONLY)) >= 0)
			dup2(null, 0);
		dup2(2, 1);
		execvp(argv[0], argv);
		warnmsg("%s: %s", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Write a file of mode mode whole; 0 or -1. */
static int
write_file(const char *path, mode_t mode, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode), r;

	if (fd < 0)
		return -1;
	r = write_all(fd, text, strlen(text));
	if (fchmod(fd, mode) < 0)
		r = -1;
	if (close(fd) < 0)
		r = -1;
	return r;
}

/* s in single quotes, each quote in it as '\'' */
static void
put_quoted(FILE *f, const char *s)
{
	putc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			putc(*s, f);
	putc('\'', f);
}

/* The umask of this process, as it is. */
static mode_t
current_umask(void)
{
	mode_t mask = umask(0);

	umask(mask);
	return mask;
}

static int
write_run(const char *dir, char *const argv[])
{
	char path[PATH_BYTES];
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int i, r;

	if (!f)
		return -1;
	/* the processor writes flows with the agent's umask, not with the
	   supervisor's: what it makes is the agent's */
	/* the last run's rejects kept aside, this run's file the agent's alone */
	fprintf(f, "#!/bin/sh\n# written by fnap-serve; the environment is in ./env\nexec 2>&1\n"
	    "if [ -s %s ]; then mv -f %s %s.1; fi\n(umask 077 && : >> %s)\n"
	    "umask %04o\nexec s6-envdir ./env", REJECTS, REJECTS, REJECTS, REJECTS, (unsigned)current_umask());
	for (i = 0; argv[i]; i++) {
		putc(' ', f);
		put_quoted(f, argv[i]);
	}
	putc('\n', f);
	if (fclose(f) == EOF) {
		free(text);
		return -1;
	}
	r = pathf(path, "%s/run", dir) < 0 ? -1 : write_file(path, 0750, text);
	free(text);
	/* what a restart cannot change is not retried every second for ever:
	   a usage, data or configuration error, an internal one, a refusal
	   (77: the subscription was revoked; a 5xx of the source's agent).
	   What may pass (69 unreachable, 74 I/O, 75 temporary: a 4xx) is. */
	if (r == 0 && pathf(path, "%s/finish", dir) == 0)
		r = write_file(path, 0750, "#!/bin/sh\n# written by fnap-serve\n"
		    "case $1 in\n64|65|70|77|78)\n"
		    "\techo \"fnap-serve: processor ${PWD##*/}: exit status $1, which a restart would not"
		    " change: stopped (s6-svc -u starts it again)\" >&2\n"
		    "\texec s6-svc -d . ;;\nesac\n");
	return r;
}

/* env/KEY holding VALUE, for each "KEY=VALUE" */
static int
write_env(const char *dir, char *const env[])
{
	static const char *const inherited[] = { "PATH", "FLOW_NAMESERVER" };
	char path[PATH_BYTES], *key;
	const char *v;
	size_t i;
	int r = 0;

	if (pathf(path, "%s/env", dir) < 0 || mkdir(path, 0700) < 0)
		return -1;
	for (i = 0; i < sizeof inherited / sizeof *inherited; i++)
		if ((v = getenv(inherited[i])) && *v && !strchr(v, '\n')) {
			if (pathf(path, "%s/env/%s", dir, inherited[i]) < 0 || write_file(path, 0600, v) < 0)
				return -1;
		}
	for (i = 0; r == 0 && env && env[i]; i++) {
		key = xstrndup(env[i], strcspn(env[i], "="));
		r = pathf(path, "%s/env/%s", dir, key) < 0 ? -1 : write_file(path, 0600, env[i] + strlen(key) + (env[i][strlen(key)] == '='));
		free(key);
	}
	return r;
}

int
processor_create(const char *state, const char *scan, const char *name,
    char *const argv[], char *const env[], const char **why)
{
	char base[PATH_BYTES], tmp[PATH_BYTES], dir[PATH_BYTES], link[PATH_BYTES];
	char *scanctl[] = { "s6-svscanctl", "-a", (char *)scan, NULL };

	*why = "cannot write its service directory";
	if (pathf(base, "%s/service", state) < 0 || pathf(dir, "%s/%s", base, name) < 0 ||
	    pathf(tmp, "%s/.new.%s.%ld", base, name, (long)getpid()) < 0 ||
	    pathf(link, "%s/%s", scan, name) < 0)
		return -1;
	/* made aside and renamed into place: the supervisor never sees half of it */
	if (mkdir_p(base) < 0 || mkdir(tmp, 0750) < 0)
		return -1;
	if (write_run(tmp, argv) < 0 || write_env(tmp, env) < 0 || rename(tmp, dir) < 0) {
		if (errno == EEXIST || errno == ENOTEMPTY)
			*why = "it exists";
		remove_tree(tmp);
		return -1;
	}
	if (symlink(dir, link) < 0) {
		*why = "cannot link it into the scan directory";
		remove_tree(dir);
		return -1;
	}
	if (run_tool(scanctl) != 0) {
		*why = "the supervisor (s6-svscan) does not answer";
		unlink(link);
		remove_tree(dir);
		return -1;
	}
	return 0;
}

int
processor_rejects(const char *state, const char *name, char *out, size_t size)
{
	int n = snprintf(out, size, "%s/service/%s/" REJECTS, state, name);

	return n >= 0 && (size_t)n < size ? 0 : -1;
}

int
processor_pause(const char *state, const char *name, int pause, const char **why)
{
	char dir[PATH_BYTES];
	char *svc[] = { "s6-svc", pause ? "-p" : "-c", dir, NULL };

	if (pathf(dir, "%s/service/%s", state, name) == 0 && run_tool(svc) == 0)
		return 0;
	*why = "its supervisor does not answer";
	return -1;
}

int
processor_remove(const char *state, const char *scan, const char *name, const char **why)
{
	char dir[PATH_BYTES], link[PATH_BYTES];
	char *down[] = { "s6-svc", "-wD", "-T", WAIT_DOWN_MS, "-d", dir, NULL };
	char *quit[] = { "s6-svc", "-x", dir, NULL };
	char *scanctl[] = { "s6-svscanctl", "-an", (char *)scan, NULL };
	struct stat st;
	int i;

	if (pathf(dir, "%s/service/%s", state, name) < 0 || pathf(link, "%s/%s", scan, name) < 0) {
		*why = "its path is too long";
		return -1;
	}
	if (stat(dir, &st) < 0 && errno == ENOENT) {
		unlink(link);
		return 0;
	}
	/* down first, so that no event is being written when it goes */
	run_tool(down);
	run_tool(quit);
	if (unlink(link) < 0 && errno != ENOENT) {
		*why = "cannot unlink it from the scan directory";
		return -1;
	}
	run_tool(scanctl);
	/* s6-supervise may write its status once more as it exits */
	for (i = 0; i < 50 && remove_tree(dir) < 0; i++)
		usleep(100000);
	if (i == 50) {
		*why = "cannot remove its service directory";
		return -1;
	}
	return 0;
}
