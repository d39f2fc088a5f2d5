/* httpd_auth: may this request read or write that flow? What the request
   shows is checked against the flow's configuration: a bearer token
   (Authorization: Bearer, checked against each Argon2id hash of the flow
   that grants the right), a Standard Webhooks signature (webhook-id,
   webhook-timestamp, webhook-signature: HMAC-SHA256 of "id.timestamp.body"
   with the flow's secret, the timestamp within the flow's tolerance; it
   grants writing only), else the flow's public rights. Nothing is
   allowed that the configuration does not say. */
#ifndef FLOW_HTTPD_AUTH_H
#define FLOW_HTTPD_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "httpd_conf.h"

/* What the request carries; NULL when a header is absent. */
struct httpd_credentials {
	const char *authorization;
	const char *webhook_id, *webhook_timestamp, *webhook_signature;
	const char *body;   /* the whole request body, for the signature */
	size_t bodylen;
};

/* 1 if the request may have right (HTTPD_READ or HTTPD_WRITE) on f at
   time now (seconds since the epoch); else 0 with *why (for the log and
   the 401 reply). */
int httpd_authorize(const struct httpd_flow *f, int right, const struct httpd_credentials *cr,
    int64_t now, const char **why);

/* The Argon2id hash of token (the cost "low" of auth.h: tokens are long
   and random) into out (size >= 128); 0, or -1 with *why. */
int httpd_token_hash(const char *token, char *out, size_t size, const char **why);

#endif
