/* The broker's names of FNAP consumer groups. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "fnap_groups.h"

void
groups_prefix(const struct fnap_who *who, char out[GROUPS_PREFIX_MAX])
{
	unsigned char h[8];
	char hex[2 * sizeof h + 1];
	const char *user = who->anonymous ? "" : who->user;

	crypto_generichash(h, sizeof h, (const unsigned char *)user, strlen(user), NULL, 0);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	snprintf(out, GROUPS_PREFIX_MAX, "fnap-g-%s-", hex);
}

int
groups_key(const struct fnap_who *who, const char *name, char out[GROUPS_KEY_MAX])
{
	size_t n = strlen(name);

	if (n == 0 || n > GROUPS_NAME_MAX || strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-") != n)
		return -1;
	groups_prefix(who, out);
	strcat(out, name);
	return 0;
}
