#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <sodium.h>

#include "auth.h"
#include "util.h"

/* Verified when the name is unknown and the users file has no other hash
   (one of the file's own is used otherwise, so that the cost is the same),
   so that a wrong name takes as long as a wrong password; whatever it
   matches grants nothing. */
static const char decoy_hash[crypto_pwhash_STRBYTES] =
    "$argon2id$v=19$m=65536,t=2,p=1$zcQ1JolFcVxCxFY0X9VUMg$QJva+q8eA1MCRolBTzDF8r21h6fgDjMBHCIk28P7MCU";

int
auth_name_reserved(const char *name)
{
	return strcmp(name, AUTH_ANONYMOUS) == 0;
}

int
auth_cost_parse(const char *s)
{
	return strcmp(s, "low") == 0 ? AUTH_COST_LOW : strcmp(s, "interactive") == 0 ? AUTH_COST_INTERACTIVE :
	    strcmp(s, "moderate") == 0 ? AUTH_COST_MODERATE : -1;
}

int
auth_hash_line(const char *name, const char *password, enum auth_cost cost, char *out, size_t size,
    const char **why)
{
	/* low: the smallest of OWASP's Argon2id settings, m=7 MiB t=5 */
	static const struct { unsigned long long ops; size_t mem; } costs[] = {
		{ 5, 7 << 20 },
		{ crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE },
		{ crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE },
	};
	char hash[crypto_pwhash_STRBYTES];

	if (!name[0] || strlen(name) >= AUTH_NAME_MAX || strpbrk(name, ":\r\n")) {
		*why = "a user name is 1-63 characters, without ':'";
		return -1;
	}
	if (auth_name_reserved(name)) {
		*why = "a reserved name: it is the user of ANONYMOUS sessions";
		return -1;
	}
	if (crypto_pwhash_str(hash, password, strlen(password), costs[cost].ops, costs[cost].mem) != 0) {
		*why = "out of memory hashing the password";
		return -1;
	}
	if ((size_t)snprintf(out, size, "%s:%s:", name, hash) >= size) {
		*why = "the line does not fit";
		return -1;
	}
	return 0;
}

int
auth_user_check(const char *users, const char *name, const char *password, char *ns)
{
	FILE *f = fopen(users, "r");
	char line[AUTH_NAME_MAX + crypto_pwhash_STRBYTES + AUTH_NAMESPACES_MAX], *hash, *list;
	char decoy[crypto_pwhash_STRBYTES] = "";
	int found = 0, ok = 0;

	if (!f) {
		warnmsg("%s: %s", users, strerror(errno));
		return -1;
	}
	while (!found && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!(hash = strchr(line, ':')) || !(list = strchr(hash + 1, ':')))
			continue;
		*hash++ = '\0';
		*list++ = '\0';
		/* a line of a reserved name is no user's: it only costs the same */
		if (strcmp(line, name) != 0 || auth_name_reserved(line)) {
			if (!decoy[0] && strlen(hash) < sizeof decoy)
				strcpy(decoy, hash);
			continue;
		}
		found = 1;
		if (crypto_pwhash_str_verify(hash, password, strlen(password)) == 0) {
			snprintf(ns, AUTH_NAMESPACES_MAX, "%s", list);
			ok = 1;
		}
	}
	fclose(f);
	if (!found && crypto_pwhash_str_verify(decoy[0] ? decoy : decoy_hash, password, strlen(password)) == 0)
		ok = 0;  /* still no */
	return ok;
}

int
auth_ns_listed(const char *list, const char *ns)
{
	size_t n = strlen(ns);
	const char *p;

	for (p = list; *p; p += strcspn(p, ",")) {
		p += *p == ',';
		if (strncmp(p, ns, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
	}
	return 0;
}

int
auth_plain_decode(const char *b64, char user[AUTH_NAME_MAX], char password[AUTH_PASSWORD_MAX],
    const char **why)
{
	unsigned char raw[AUTH_NAME_MAX * 2 + AUTH_PASSWORD_MAX];
	const char *authz, *authc, *pass, *end;
	size_t len;
	int r = -1;

	if (sodium_base642bin(raw, sizeof raw, b64, strlen(b64), NULL, &len, NULL,
	    sodium_base64_VARIANT_ORIGINAL) < 0) {
		*why = errno == ERANGE ? "too long" : "not base64";
		return -1;
	}
	end = (const char *)raw + len;
	authz = (const char *)raw;
	*why = "expected authzid NUL user NUL password";
	if (!(authc = memchr(authz, '\0', len)))
		goto out;
	authc++;
	if (!(pass = memchr(authc, '\0', end - authc)))
		goto out;
	pass++;
	if (memchr(pass, '\0', end - pass) || pass == end)
		goto out;
	*why = "the user name is too long, or the password";
	if (pass - authc - 1 >= AUTH_NAME_MAX || end - pass >= AUTH_PASSWORD_MAX || authc[0] == '\0')
		goto out;
	*why = "authorization as another user is not supported";
	if (authc - authz > 1 && strcmp(authz, authc) != 0)
		goto out;
	memcpy(user, authc, pass - authc);
	memcpy(password, pass, end - pass);
	password[end - pass] = '\0';
	r = 0;
out:
	sodium_memzero(raw, sizeof raw);
	return r;
}

int
auth_plain_encode(const char *user, const char *password, char *out, size_t size)
{
	unsigned char raw[AUTH_NAME_MAX + AUTH_PASSWORD_MAX + 2];
	size_t ul = strlen(user), pl = strlen(password);

	if (ul >= AUTH_NAME_MAX || pl >= AUTH_PASSWORD_MAX ||
	    size < sodium_base64_ENCODED_LEN(ul + pl + 2, sodium_base64_VARIANT_ORIGINAL))
		return -1;
	raw[0] = '\0';
	memcpy(raw + 1, user, ul);
	raw[ul + 1] = '\0';
	memcpy(raw + ul + 2, password, pl);
	sodium_bin2base64(out, size, raw, ul + pl + 2, sodium_base64_VARIANT_ORIGINAL);
	sodium_memzero(raw, sizeof raw);
	return 0;
}

static int
loopback_text(const char *ip)
{
	struct in6_addr a6;
	struct in_addr a4;

	if (inet_pton(AF_INET, ip, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, ip, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) ||
		    (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	return 0;
}

int
auth_client_is_local(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	const char *ip = getenv("TCPREMOTEIP");
	char text[INET6_ADDRSTRLEN];

	if (ip)
		return loopback_text(ip);
	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return errno == ENOTSOCK;
	if (ss.ss_family == AF_INET)
		return inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, text, sizeof text) &&
		    loopback_text(text);
	if (ss.ss_family == AF_INET6)
		return inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, text, sizeof text) &&
		    loopback_text(text);
	return ss.ss_family == AF_UNIX;
}
