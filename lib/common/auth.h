/* auth: who an FNAP client is. The users file (one "name:hash:namespaces"
   line each, Argon2id hashes from libsodium's crypto_pwhash_str, the
   namespaces comma-separated), the SASL PLAIN message (RFC 4616), and
   whether a client is on this host. "anonymous" is the name of every
   ANONYMOUS session: no user may have it, so a users-file line with it
   is ignored (it never authenticates). */
#ifndef FLOW_AUTH_H
#define FLOW_AUTH_H

#include <stddef.h>

#define AUTH_NAME_MAX 64        /* bytes of a user name, with its NUL */
#define AUTH_PASSWORD_MAX 1024
#define AUTH_NAMESPACES_MAX 4096
#define AUTH_ANONYMOUS "anonymous"   /* the user of ANONYMOUS sessions, reserved */

/* How much an Argon2id hash costs: the verification uses what the hash
   says, so a users file may mix them. */
enum auth_cost {
	AUTH_COST_LOW,          /* 7 MiB, 5 passes: many logins at once on a small machine */
	AUTH_COST_INTERACTIVE,  /* libsodium's interactive: 64 MiB, 2 passes */
	AUTH_COST_MODERATE,     /* libsodium's moderate: 256 MiB, 3 passes */
};

/* 1 if name is reserved (AUTH_ANONYMOUS): no user has it. */
int auth_name_reserved(const char *name);

/* "low", "interactive" or "moderate"; -1 for anything else. */
int auth_cost_parse(const char *s);

/* The users-file line of name (without namespaces: "name:hash:") for
   password, in out (size >= AUTH_NAME_MAX + 128). 0, or -1 with *why. */
int auth_hash_line(const char *name, const char *password, enum auth_cost cost, char *out, size_t size,
    const char **why);

/* Check name's password against the users file; on success copy the
   user's namespaces into ns (AUTH_NAMESPACES_MAX bytes). 1 yes, 0 no, -1
   the file cannot be read (after a message). An unknown name costs as
   much time as a wrong password, a reserved name too. */
int auth_user_check(const char *users, const char *name, const char *password, char *ns);

/* 1 if namespace ns is in the comma-separated list. */
int auth_ns_listed(const char *list, const char *ns);

/* Decode a PLAIN response (base64 of "authzid NUL authcid NUL password";
   an authzid, if any, must be the authcid): 0 with user and password
   filled in, else -1 with *why. */
int auth_plain_decode(const char *b64, char user[AUTH_NAME_MAX],
    char password[AUTH_PASSWORD_MAX], const char **why);
/* The PLAIN response for user and password (no authzid) into out; 0, or -1
   when it does not fit. */
int auth_plain_encode(const char *user, const char *password, char *out, size_t size);

/* Is the client of the connection on fd on this host: TCPREMOTEIP (as
   tcpserver sets it) or the socket's peer on loopback, or fd not a socket
   at all (a pipe)? */
int auth_client_is_local(int fd);

#endif
