/* libFuzzer target: the agent's session loop (fnap_serve), fed the fuzz
   input as everything one client sends. The input goes into a pipe that is
   then closed, so the agent reads the whole session and then the end of
   input; replies go to /dev/null. The configuration is made once, in a
   temporary directory: two file namespaces and a users file with users
   test/test (flows.unix.ar) and other/secret (other.example); the flows
   made by one input are removed before the next.

   Time is virtual: poll() and the monotonic clock are replaced here (the
   program's definitions come before libc's and the sanitizers'), so a wait
   that would time out (an idle STREAM looking at its client every second,
   the idle timeout) returns at once with the clock moved on, instead of
   costing a real second per input. Likewise the decoy hash that a wrong
   user name is checked against (Argon2id with 64 MiB, so that it takes as
   long as a wrong password) is not computed: only the users file's own,
   cheapest hashes are. The code under test is unchanged. */
#define _GNU_SOURCE 1
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "fnap_conf.h"
#include "fnap_serve.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- virtual time ---- */

static int64_t skipped_ms;  /* how far the clock has been moved on */

int
poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	struct timespec zero = { 0, 0 };
	int r = ppoll(fds, n, &zero, NULL);

	if (r == 0 && timeout_ms > 0)
		skipped_ms += timeout_ms;
	return r;
}

int
clock_gettime(clockid_t id, struct timespec *ts)
{
	int64_t ns;

	if (syscall(SYS_clock_gettime, id, ts) < 0)
		return -1;
	if (id == CLOCK_MONOTONIC) {
		ns = ts->tv_nsec + skipped_ms % 1000 * 1000000;
		ts->tv_sec += skipped_ms / 1000 + ns / 1000000000;
		ts->tv_nsec = ns % 1000000000;
	}
	return 0;
}

/* ---- the decoy's cost ---- */

int
crypto_pwhash_str_verify(const char *hash, const char *password, unsigned long long len)
{
	/* only the decoy costs that much here, and it never matches */
	if (strstr(hash, "$m=65536,"))
		return -1;
	return crypto_pwhash_argon2id_str_verify(hash, password, len);
}

/* ---- the agent's configuration, made once ---- */

static char dir[] = "/tmp/fnap-fuzz.XXXXXX";
static char state[sizeof dir + 16], flows[sizeof dir + 16];
static struct fnap_conf conf;
static int devnull;

static void
set(const char *fmt, const char *arg)
{
	char setting[256];
	const char *why;

	snprintf(setting, sizeof setting, fmt, arg);
	if (fnap_conf_set(&conf, setting, &why) < 0) {
		fprintf(stderr, "fnap-fuzz: %s: %s\n", setting, why);
		abort();
	}
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
cleanup(void)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void
setup(void)
{
	char users[sizeof dir + 16], hash[crypto_pwhash_STRBYTES];
	const char *why;
	FILE *f;

	if (sodium_init() < 0 || !mkdtemp(dir))
		abort();
	atexit(cleanup);
	/* the cheapest Argon2id there is: verifying it is what PLAIN does on
	   every try, and the interactive cost would make each input slow */
	if (crypto_pwhash_str(hash, "test", 4, crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN) != 0)
		abort();
	snprintf(users, sizeof users, "%s/users", dir);
	if (!(f = fopen(users, "w")))
		abort();
	fprintf(f, "test:%s:flows.unix.ar\n", hash);
	if (crypto_pwhash_str(hash, "secret", 6, crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN) != 0)
		abort();
	fprintf(f, "other:%s:other.example\n", hash);
	fclose(f);
	snprintf(state, sizeof state, "%s/state", dir);
	snprintf(flows, sizeof flows, "%s/flows", dir);

	fnap_conf_init(&conf);
	set("hostname fnaa.unix.ar", NULL);
	set("state %s", state);
	set("users %s", users);
	set("namespace flows.unix.ar file %s", flows);
	set("namespace other.example file %s", flows);
	set("idle-timeout 5", NULL);
	/* the smallest limits, so that inputs of -max_len can go past them */
	set("command-line-max 512", NULL);
	set("event-line-max 1024", NULL);
	if (fnap_conf_check(&conf, &why) < 0) {
		fprintf(stderr, "fnap-fuzz: configuration: %s\n", why);
		abort();
	}
	if ((devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
		abort();
	/* no TCPREMOTEIP: a pipe is a local client, so PLAIN is served */
	unsetenv("TCPREMOTEIP");
	signal(SIGPIPE, SIG_IGN);
}

/* What one input left behind must not change what the next one does. */
static void
reset(void)
{
	nftw(state, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	nftw(flows, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	int fds[2];

	if (!ready) {
		setup();
		ready = 1;
	}
	/* the whole session must fit in the pipe: nobody reads it meanwhile */
	if (size > 60000 || pipe(fds) < 0)
		return 0;
	if (size && write(fds[1], data, size) != (ssize_t)size)
		abort();
	close(fds[1]);
	fnap_serve(&conf, fds[0], devnull);
	close(fds[0]);
	reset();
	return 0;
}
