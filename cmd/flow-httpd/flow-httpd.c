/* flow-httpd: CloudEvents over HTTP into flows (webhooks) and flows out
   as Server-Sent Events, one connection on stdin/stdout per process, for
   tcpserver, inetd, s6-tcpserver or systemd. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "auth.h"
#include "httpd_auth.h"
#include "httpd_conf.h"
#include "httpd_serve.h"
#include "util.h"

#define DEFAULT_CONF "/etc/flow/flow-httpd.conf"

static const char usage[] = "usage: flow-httpd [-f FILE] | flow-httpd -H\n";

static const char help[] =
    "Serve CloudEvents over HTTP on stdin/stdout, one connection per process:\n"
    "POST /FLOW stores events, GET /FLOW streams them as Server-Sent Events.\n"
    "\n"
    "  -f, --config FILE   the configuration (default $FLOW_HTTPD_CONFIG, else " DEFAULT_CONF ")\n"
    "  -H, --hash-token    read a token on stdin, print its hash for a token line\n"
    "  -h, --help          this help\n"
    "  -V, --version       version\n";

/* The hash of a token read on stdin, for the configuration's token lines. */
static int
hash_token(void)
{
	char token[AUTH_PASSWORD_MAX + 2], hash[256];
	const char *why;

	if (!fgets(token, sizeof token, stdin))
		die(EX_FLOW_USAGE, "no token on stdin");
	token[strcspn(token, "\r\n")] = '\0';
	if (strlen(token) < 16 || strlen(token) >= AUTH_PASSWORD_MAX)
		die(EX_FLOW_USAGE, "a token is 16-%d bytes", AUTH_PASSWORD_MAX - 1);
	if (httpd_token_hash(token, hash, sizeof hash, &why) < 0)
		die(EX_FLOW_SOFTWARE, "token: %s", why);
	sodium_memzero(token, sizeof token);
	puts(hash);
	exit_flushed(EX_FLOW_OK);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'f' },
		{ "hash-token", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = getenv("FLOW_HTTPD_CONFIG"), *why;
	struct httpd_conf conf;
	int c, hash = 0, status;

	util_init(argv[0]);
	catch_stop_signals();
	while ((c = getopt_long(argc, argv, "f:HhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': path = optarg; break;
		case 'H': hash = 1; break;
		case 'h': fputs(usage, stdout); fputs(help, stdout); exit_flushed(EX_FLOW_OK);
		case 'V': print_version();
		default: fputs(usage, stderr); exit(EX_FLOW_USAGE);
		}
	}
	if (optind != argc) {
		fputs(usage, stderr);
		exit(EX_FLOW_USAGE);
	}
	if (sodium_init() < 0)
		die(EX_FLOW_SOFTWARE, "libsodium: cannot initialise");
	if (hash)
		return hash_token();
	if (!path || !*path)
		path = DEFAULT_CONF;
	httpd_conf_init(&conf);
	if (httpd_conf_load(&conf, path) < 0)
		exit(EX_FLOW_CONFIG);
	if (httpd_conf_check(&conf, &why) < 0)
		die(EX_FLOW_CONFIG, "%s: %s", path, why);
	status = httpd_serve(&conf, STDIN_FILENO, STDOUT_FILENO);
	httpd_conf_free(&conf);
	return status;
}
