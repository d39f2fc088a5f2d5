/* The http:// destination as the agent and the broker programs link it
   (module.h): the first call loads curl.so, and with it libcurl. The
   agent's own sessions never open one, nor take its options, so it is not
   mapped; a program maps it when it sends to one. */
#include "config.h"

#include <stddef.h>

#include "broker_http.h"
#include "http_event.h"
#include "module.h"
#include "util.h"

/* The module's table, or NULL with *why. */
static const struct curl_module *
curl(const char **why)
{
	static const struct curl_module *m;

	if (!m && !(m = module_load("curl", why)))
		return NULL;
	return m;
}

struct producer *
http_producer_open(const struct flow_url *u, const struct broker_opts *o, int *status)
{
	const char *why;
	const struct curl_module *m = curl(&why);

	if (!m) {
		warnmsg("http: %s", why);
		*status = EX_FLOW_SOFTWARE;
		return NULL;
	}
	return m->producer_open(u, o, status);
}

int
http_header_check(const char *h, const char **why)
{
	const struct curl_module *m = curl(why);

	return m ? m->header_check(h, why) : -1;
}

int
http_webhook_secret(const char *text, size_t n, unsigned char *key, size_t *keylen,
    const char **why)
{
	const struct curl_module *m = curl(why);

	return m ? m->webhook_secret(text, n, key, keylen, why) : -1;
}
