/* Key ids: <selector>._flowkey.<namespace>. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "dnsname.h"
#include "keyid.h"

int
flowkey_id_parse(const char *keyid, size_t n, char *selector, char *ns, const char **why)
{
	char lower[DNSNAME_MAX + 2];
	const char *mark;
	size_t i, sl;

	*why = "not <selector>._flowkey.<namespace>";
	if (n > DNSNAME_MAX + 1)   /* with a trailing dot */
		return -1;
	for (i = 0; i < n; i++)   /* DNS names are not case-sensitive */
		lower[i] = (char)(keyid[i] >= 'A' && keyid[i] <= 'Z' ? keyid[i] + 32 : keyid[i]);
	if (!(mark = memmem(lower, n, FLOWKEY_LABEL, strlen(FLOWKEY_LABEL))))
		return -1;
	sl = (size_t)(mark - lower);
	if (sl == 0 || memchr(lower, '.', sl) || dnsname_parse(lower, sl, selector, why) < 0 ||
	    dnsname_parse(mark + strlen(FLOWKEY_LABEL), n - sl - strlen(FLOWKEY_LABEL), ns, why) < 0)
		return -1;
	return 0;
}

int
flowkey_id_name(const char *keyid, size_t n, char *name, const char **why)
{
	char selector[DNSNAME_MAX + 1], ns[DNSNAME_MAX + 1];

	if (flowkey_id_parse(keyid, n, selector, ns, why) < 0)
		return -1;
	if (snprintf(name, DNSNAME_MAX + 1, "%s%s%s", selector, FLOWKEY_LABEL, ns) > DNSNAME_MAX) {
		*why = "longer than 253 characters";
		return -1;
	}
	return 0;
}
