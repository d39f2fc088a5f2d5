/* fnap-serve: the agent of a flow namespace (FNAA), serving FNAP on
   stdin/stdout for tcpserver, inetd, s6-tcpserver or systemd. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "fnap_serve.h"
#include "util.h"

#define DEFAULT_CONF "/etc/flow/fnap-serve.conf"

static const char usage[] = "usage: fnap-serve [-c FILE] | fnap-serve -p NAME\n";

static const char help[] =
    "Serve FNAP on stdin/stdout, one connection per process.\n"
    "\n"
    "  -c, --config FILE   the configuration (default $FNAP_CONFIG, else " DEFAULT_CONF ")\n"
    "  -p, --password NAME read a password on stdin, print NAME's users-file line\n"
    "  -h, --help          this help\n"
    "  -V, --version       version\n";

/* The users-file line for name, with a password read on stdin. */
static int
hash_password(const char *name)
{
	char pass[1024], hash[crypto_pwhash_STRBYTES];

	if (!name[0] || strpbrk(name, ":\n") || strlen(name) >= 64)
		die(EX_FLOW_USAGE, "%s: a user name is 1-63 characters, without ':'", name);
	if (!fgets(pass, sizeof pass, stdin))
		die(EX_FLOW_USAGE, "no password on stdin");
	pass[strcspn(pass, "\r\n")] = '\0';
	if (crypto_pwhash_str(hash, pass, strlen(pass), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		die(EX_FLOW_SOFTWARE, "out of memory hashing the password");
	sodium_memzero(pass, sizeof pass);
	printf("%s:%s:\n", name, hash);
	exit_flushed(EX_FLOW_OK);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "password", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf_path = getenv("FNAP_CONFIG"), *user = NULL;
	struct fnap_conf conf;
	int c;

	util_init(argv[0]);
	catch_stop_signals();
	while ((c = getopt_long(argc, argv, "c:p:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': conf_path = optarg; break;
		case 'p': user = optarg; break;
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
	if (user)
		return hash_password(user);
	if (fnap_conf_load(conf_path ? conf_path : DEFAULT_CONF, &conf) < 0)
		exit(EX_FLOW_CONFIG);
	return fnap_serve(&conf, STDIN_FILENO, STDOUT_FILENO);
}
