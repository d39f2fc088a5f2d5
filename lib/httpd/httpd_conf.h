/* httpd_conf: the configuration of flow-httpd. One setting a line, "#"
   comments: "flow NAME URL" maps the path /NAME to any broker URL, and
   the lines after it (token, webhook-secret, webhook-tolerance, public)
   say who may write or read that flow; the other settings (limits, TLS)
   apply to the whole program wherever they stand. Everything is checked
   when loaded: a flow name is [A-Za-z0-9_-] with dots between (no "..",
   no leading dot), at most HTTPD_NAME_MAX - 1 bytes, so that no request
   path can name anything else. */
#ifndef FLOW_HTTPD_CONF_H
#define FLOW_HTTPD_CONF_H

#include <stddef.h>
#include <stdint.h>

#define HTTPD_NAME_MAX 128      /* bytes of a flow name, with its NUL */
#define HTTPD_TOKENS_MAX 16     /* token lines of one flow */
#define HTTPD_SECRET_MAX 256    /* bytes of a webhook secret, decoded */

enum {
	HTTPD_READ = 1,   /* GET: the flow as Server-Sent Events */
	HTTPD_WRITE = 2,  /* POST: events into the flow */
};

struct httpd_token {
	int rights;       /* HTTPD_READ | HTTPD_WRITE */
	char *hash;       /* Argon2id, as crypto_pwhash_str writes it */
};

struct httpd_flow {
	char name[HTTPD_NAME_MAX];
	char *url;
	struct httpd_token tokens[HTTPD_TOKENS_MAX];
	int ntokens;
	unsigned char secret[HTTPD_SECRET_MAX];  /* Standard Webhooks key, decoded */
	size_t secretlen;                        /* 0: no webhook signatures */
	int64_t tolerance;                       /* seconds a signature's timestamp may be off */
	int public_rights;                       /* rights without authentication */
};

struct httpd_conf {
	struct httpd_flow *flows;
	size_t nflows;
	int64_t body_max;        /* bytes of a request body */
	int64_t batch_max;       /* events in one batch */
	int64_t header_max;      /* bytes of the request line and headers */
	int64_t idle_timeout;    /* seconds without a byte from the client */
	int64_t request_timeout; /* seconds to receive and answer one POST */
	int64_t keepalive;       /* seconds between Server-Sent Events comments */
	char *tls_cert, *tls_key;
	char *allow_origin;      /* Access-Control-Allow-Origin of every answer, or NULL */
};

void httpd_conf_init(struct httpd_conf *c);
/* Read path into c; 0, or -1 after a message "path:line: reason". */
int httpd_conf_load(struct httpd_conf *c, const char *path);
/* Parse and apply one "key value" line (line is changed); 0, or -1 with
   *why. Also what httpd_conf_load does for each line of the file. */
int httpd_conf_line(struct httpd_conf *c, char *line, const char **why);
/* The settings together make sense (TLS needs both files...); 0, or -1 with *why. */
int httpd_conf_check(const struct httpd_conf *c, const char **why);
void httpd_conf_free(struct httpd_conf *c);

/* 1 if name can be a flow's name (see above). */
int httpd_name_valid(const char *name, size_t len);
/* The flow called name[0..len), or NULL. */
const struct httpd_flow *httpd_conf_flow(const struct httpd_conf *c, const char *name, size_t len);

#endif
