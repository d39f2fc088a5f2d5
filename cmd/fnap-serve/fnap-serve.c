/* fnap-serve: the agent of a flow namespace (FNAA), serving FNAP on
   stdin/stdout for tcpserver, inetd, s6-tcpserver or systemd. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "auth.h"
#include "fnap_conf.h"
#include "fnap_serve.h"
#include "util.h"

#define DEFAULT_CONF "/etc/flow/fnap-serve.conf"
#define MAX_OVERRIDES 64

static const char usage[] =
    "usage: fnap-serve [-dT] [-c FILE] [-o KEY=VALUE]... | fnap-serve [-C COST] -p NAME\n";

static const char help[] =
    "Serve FNAP on stdin/stdout, one connection per process.\n"
    "\n"
    "  -c, --config FILE   the configuration (default $FNAP_CONFIG, else " DEFAULT_CONF ")\n"
    "  -o, --set KEY=VALUE a setting of the configuration, over the file's\n"
    "  -T, --tls           implicit TLS: the handshake before the greeting\n"
    "  -d, --debug         every line of the session on standard error (C: client, S: agent)\n"
    "  -p, --password NAME read a password on stdin, print NAME's users-file line\n"
    "  -C, --cost COST     of its hash: low (7 MiB), interactive (64 MiB, the default)\n"
    "                      or moderate (256 MiB), per login\n"
    "  -h, --help          this help\n"
    "  -V, --version       version\n";

/* The users-file line for name, with a password read on stdin. */
static int
hash_password(const char *name, enum auth_cost cost)
{
	char pass[AUTH_PASSWORD_MAX + 2], line[AUTH_NAME_MAX + 256];
	const char *why;

	if (!fgets(pass, sizeof pass, stdin))
		die(EX_FLOW_USAGE, "no password on stdin");
	pass[strcspn(pass, "\r\n")] = '\0';
	if (!pass[0] || strlen(pass) >= AUTH_PASSWORD_MAX)
		die(EX_FLOW_USAGE, "a password is 1-%d bytes", AUTH_PASSWORD_MAX - 1);
	if (auth_hash_line(name, pass, cost, line, sizeof line, &why) < 0)
		die(strstr(why, "memory") ? EX_FLOW_SOFTWARE : EX_FLOW_USAGE, "%s: %s", name, why);
	sodium_memzero(pass, sizeof pass);
	puts(line);
	exit_flushed(EX_FLOW_OK);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "set", required_argument, NULL, 'o' },
		{ "tls", no_argument, NULL, 'T' },
		{ "debug", no_argument, NULL, 'd' },
		{ "password", required_argument, NULL, 'p' },
		{ "cost", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf_path = getenv("FNAP_CONFIG"), *user = NULL, *why;
	const char *overrides[MAX_OVERRIDES];
	struct fnap_conf conf;
	int c, i, n = 0, implicit_tls = 0, trace = 0, status, cost = AUTH_COST_INTERACTIVE, cost_given = 0;

	util_init(argv[0]);
	catch_stop_signals();
	while ((c = getopt_long(argc, argv, "c:o:dTp:C:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': conf_path = optarg; break;
		case 'o':
			if (n == MAX_OVERRIDES)
				die(EX_FLOW_USAGE, "more than %d settings with -o", MAX_OVERRIDES);
			overrides[n++] = optarg;
			break;
		case 'T': implicit_tls = 1; break;
		case 'd': trace = 1; break;
		case 'p': user = optarg; break;
		case 'C':
			if ((cost = auth_cost_parse(optarg)) < 0)
				die(EX_FLOW_USAGE, "-C %s: expected low, interactive or moderate", optarg);
			cost_given = 1;
			break;
		case 'h': fputs(usage, stdout); fputs(help, stdout); exit_flushed(EX_FLOW_OK);
		case 'V': print_version();
		default: fputs(usage, stderr); exit(EX_FLOW_USAGE);
		}
	}
	if (cost_given && !user)
		die(EX_FLOW_USAGE, "-C: only with -p");
	if (optind != argc) {
		fputs(usage, stderr);
		exit(EX_FLOW_USAGE);
	}
	if (sodium_init() < 0)
		die(EX_FLOW_SOFTWARE, "libsodium: cannot initialise");
	if (user)
		return hash_password(user, cost);
	fnap_conf_init(&conf);
	if (fnap_conf_load(&conf, conf_path && *conf_path ? conf_path : DEFAULT_CONF) < 0)
		exit(EX_FLOW_CONFIG);
	for (i = 0; i < n; i++)
		if (fnap_conf_set(&conf, overrides[i], &why) < 0)
			die(EX_FLOW_USAGE, "-o %s: %s", overrides[i], why);
	if (implicit_tls)
		conf.implicit_tls = 1;
	if (trace)
		conf.trace = 1;
	if (fnap_conf_check(&conf, &why) < 0)
		die(EX_FLOW_CONFIG, "%s: %s", conf_path ? conf_path : DEFAULT_CONF, why);
	status = fnap_serve(&conf, STDIN_FILENO, STDOUT_FILENO);
	fnap_conf_free(&conf);
	return status;
}
