/* A flow's DNS records, through the dns-update command. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fnap_dnsreg.h"
#include "fnap_queue.h"
#include "util.h"

/* A script: what it is about, and how it is written (0, or -1 with *why). */
struct script {
	enum dnsupdate_op op;
	const struct dnsupdate_flow *flow;    /* a flow's records, or */
	const struct dnsupdate_key *key;      /* a signing key's */
};

static int
script_write(FILE *f, const struct script *sc, const char **why)
{
	return sc->flow ? dnsupdate_write(f, sc->op, sc->flow, why) :
	    dnsupdate_write_key(f, sc->op, sc->key, why);
}

/* Run the command with the script on its standard input, its output going
   to our log (standard error), never to the client. 0, or -1 with *why. */
static int
run_update(const char *command, const struct script *sc, const char **why)
{
	int fds[2], status, r = -1;
	FILE *f;
	pid_t pid;

	if (pipe(fds) < 0)
		return *why = "cannot prepare the update", -1;
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return *why = strerror(errno), -1;
	}
	if (pid == 0) {
		close(fds[1]);
		if (dup2(fds[0], 0) < 0 || dup2(2, 1) < 0)
			_exit(EX_FLOW_SOFTWARE);
		execl("/bin/sh", "sh", "-c", command, (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	*why = "the command failed";
	if ((f = fdopen(fds[1], "w"))) {
		if (script_write(f, sc, why) == 0 && fflush(f) == 0)
			r = 0;
		fclose(f);
	} else
		close(fds[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		r = -1;
	return r;
}

int
dnsreg_update(const struct fnap_conf *conf, enum dnsupdate_op op, const struct flow_meta *m)
{
	const struct fnap_namespace *ns = fnap_conf_namespace(conf, m->flow);
	/* other agents and clients are sent to TLS wherever it is served */
	struct srv_target agent = { 0, 0, fnap_conf_public_port(conf), "" },
	    brokers[RESOLVE_MAX_TARGETS];
	struct dnsupdate_flow d = {
		.flow = m->flow, .ns = ns ? ns->name : NULL, .agents = &agent, .nagents = 1,
		.agent_tls = fnap_conf_public_tls(conf),
		/* subscription flows are no one's to browse: their names stay
		   with their owner and subscriber */
		.public = m->public && !m->subscriber[0], .ttl = DNSUPDATE_DEFAULT_TTL,
		.server = conf->dns_server, .zone = conf->dns_zone,
		/* the book: events kept for an advertised time */
		.retention = m->retention,
	};
	struct script sc = { .op = op, .flow = &d };
	const char *why;

	if (!conf->dns_update)
		return 0;
	snprintf(agent.host, sizeof agent.host, "%s", conf->hostname);
	if (queue_dns(conf, m, &d, brokers) < 0) {
		warnmsg("dns-update: %s: cannot prepare the update", m->flow);
		return -1;
	}
	if (run_update(conf->dns_update, &sc, &why) < 0) {
		warnmsg("dns-update: %s: %s", m->flow, why);
		return -1;
	}
	return 0;
}

int
dnsreg_key(const struct fnap_conf *conf, const char *keyid, const char *record)
{
	struct dnsupdate_key k = {
		.name = keyid, .record = record, .ttl = DNSUPDATE_DEFAULT_TTL,
		.server = conf->dns_server, .zone = conf->dns_zone,
	};
	struct script sc = { .op = DNSUPDATE_ADD, .key = &k };
	const char *why;

	if (!conf->dns_update)
		return 0;
	if (run_update(conf->dns_update, &sc, &why) < 0) {
		warnmsg("dns-update: %s: %s", keyid, why);
		return -1;
	}
	return 0;
}
