/* libFuzzer target: the DNS answers the resolver parses. res_nquery is
   replaced here (the program's definition comes before libc's), so that
   every lookup of a flow or a namespace gets the fuzz input as its answer;
   the code under test is unchanged. */
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnsquery.h"
#include "resolve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t *fuzz_data;
static size_t fuzz_size;

int
res_nquery(res_state st, const char *name, int class, int type, unsigned char *answer, int anslen)
{
	(void)st, (void)name, (void)class, (void)type;
	if (fuzz_size < 12)
		return -1;
	memcpy(answer, fuzz_data, fuzz_size < (size_t)anslen ? fuzz_size : (size_t)anslen);
	/* a real res_nquery says how long the whole answer was, even when longer */
	return (int)fuzz_size;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct resolver *r;
	struct resolver_opts o = { .nameserver = "127.0.0.1:53", .timeout = 1, .retries = 0 };
	struct flow_info fi;
	struct srv_target agents[RESOLVE_MAX_TARGETS];
	size_t nagents, n;
	char **names, *url;
	const char *why;
	int tls;

	if (!r && !(r = resolver_open(&o, &why)))
		abort();
	fuzz_data = data;
	fuzz_size = size;
	if (resolve_flow(r, "arrivals.flows.example.test", RESOLVE_AGENT | RESOLVE_BROKER, &fi, &why) == 0 &&
	    (url = flow_info_url(&fi, &why)))
		free(url);
	resolve_namespace_agent(r, "flows.example.test", agents, &nagents, &tls, &why);
	if (resolve_namespace_flows(r, "flows.example.test", &names, &n, &why) == 0)
		resolve_names_free(names, n);
	return 0;
}
