/* util: program name, diagnostics, exit codes, checked allocation. */
#ifndef FLOW_UTIL_H
#define FLOW_UTIL_H

#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* Exit status, the same in every program (flow(7), EXIT STATUS). */
enum {
	EX_FLOW_OK = 0,
	EX_FLOW_NEGATIVE = 1,     /* no event matched, name not found */
	EX_FLOW_USAGE = 64,
	EX_FLOW_DATAERR = 65,     /* some input lines rejected */
	EX_FLOW_UNAVAILABLE = 69, /* broker, DNS or agent unreachable */
	EX_FLOW_SOFTWARE = 70,    /* internal error */
	EX_FLOW_IOERR = 74,
	EX_FLOW_TEMPFAIL = 75,
	EX_FLOW_NOPERM = 77,
	EX_FLOW_CONFIG = 78,
};

extern const char *progname;

/* Set progname from argv[0]; ignore SIGPIPE so EPIPE reaches write(). */
void util_init(const char *argv0);

/* "progname: message" on stderr. */
void warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* warnmsg, then exit(status). */
void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

/* Set by SIGINT/SIGTERM once catch_stop_signals() ran; blocking calls are
   interrupted (no SA_RESTART) so that loops notice it. A signal that comes
   after a loop's test but before its blocking call interrupts nothing: a
   wait with no time limit also polls stop_fd(), which the signal makes
   readable (-1, which poll ignores, before catch_stop_signals). */
extern volatile sig_atomic_t stop_requested;
void catch_stop_signals(void);
int stop_fd(void);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* write(2) all of p[0..n), again after EINTR and short writes; 0 or -1 with errno. */
int write_all(int fd, const void *p, size_t n);

/* mkdir -p path (mode 0777 less the umask); 0 or -1 with errno. */
int mkdir_p(const char *path);
/* rm -rf path, symbolic links not followed; 0 (also when it was not
   there) or -1 with errno. */
int remove_tree(const char *path);

/* Parse a whole decimal number in [min, max]; 0 on success, -1 otherwise. */
int parse_int64(const char *s, int64_t min, int64_t max, int64_t *out);

/* Monotonic and wall clocks, in milliseconds / nanoseconds since the epoch. */
int64_t clock_ms(void);
int64_t clock_real_ns(void);

/* Start fn(arg) on a thread of its own that blocks every signal: they
   are for the thread that waits on input and stops (a stop signal caught
   by a worker would leave the reader in its wait). 0, or an errno. */
int thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

/* Print "progname VERSION" on stdout and exit 0 (for -V). */
void print_version(void) __attribute__((noreturn));
/* The reason (unless NULL) and the synopsis on standard error, exit 64. */
void usage_exit(const char *synopsis, const char *why) __attribute__((noreturn));

/* The value of hexadecimal digit c (either case), or -1. */
static inline int
hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Flush stdout and exit with status, or 74 if stdout could not be written
   (EPIPE is a quiet, successful end). */
void exit_flushed(int status) __attribute__((noreturn));

#endif
