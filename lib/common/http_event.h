/* http_event: what an HTTP request of broker_http carries for events, and
   the checks of the options that shape it (brokeropt). Binary mode per
   the CloudEvents HTTP binding (ce-* headers, the data as body); Standard
   Webhooks signatures (webhook-id, webhook-timestamp, webhook-signature:
   v1,base64(HMAC-SHA256(key, "id.timestamp.body"))); -H values. Nothing
   here does I/O but reading the named files. */
#ifndef FLOW_HTTP_EVENT_H
#define FLOW_HTTP_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <curl/curl.h>
#include <sodium.h>

#include "ce.h"

#define HTTP_HEADER_MAX 4096       /* bytes of one -H line */
#define HTTP_HEADERS_MAX 32        /* -H lines in all, files included */
#define HTTP_HEADER_FILE_MAX 65536 /* bytes of a --header-file */
#define HTTP_WEBHOOK_KEY_MIN 24    /* the Standard Webhooks secret's bounds, bytes */
#define HTTP_WEBHOOK_KEY_MAX 64
/* the characters of an HTTP token (RFC 9110 5.6.2): a header's name */
#define HTTP_TOKEN_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~"
#define HTTP_WEBHOOK_ID_LEN 38     /* "flow_" and 32 hex digits, NUL included */

/* Binary mode for ev: its ce-* headers (string values percent-encoded as
   the binding says, others as their JSON text) and Content-Type appended
   to *hdrs, its data in *body (malloc'd; NULL and *len 0 with no data).
   JSON data (by datacontenttype, or none: then application/json) is its
   JSON text, other data its string's text or data_base64's bytes. 0; 1
   when the event cannot go in binary mode (data not a string under a type
   that is not JSON, a CloudEvents datacontenttype or one with a control
   character), which is then sent
   structured (so is data_base64 with its pad bits set, which libsodium
   refuses). */
int http_binary(const struct ce_event *ev, struct curl_slist **hdrs, char **body, size_t *len);

/* The webhook-id of a request: "flow_" and the first 16 bytes, in hex, of
   SHA-256 over the JSON text of each of its events' source and id, each
   followed by a NUL (the same for the same events, retried or sent again:
   receivers deduplicate with it). Start, add each event, end into id. */
void http_webhook_id_start(crypto_hash_sha256_state *st);
void http_webhook_id_add(crypto_hash_sha256_state *st, const struct ce_event *ev);
void http_webhook_id_end(crypto_hash_sha256_state *st, char id[HTTP_WEBHOOK_ID_LEN]);

/* The three webhook headers for body, signed with key at ts, appended to
   *hdrs. */
void http_webhook_sign(struct curl_slist **hdrs, const unsigned char *key, size_t keylen,
    const char *id, time_t ts, const char *body, size_t len);

/* The secret in a --webhook-secret file ("whsec_" and base64, white space
   around it ignored) into key (HTTP_WEBHOOK_KEY_MAX bytes): 0 with
   *keylen, or -1 with *why. */
int http_webhook_secret(const char *text, size_t n, unsigned char *key, size_t *keylen,
    const char **why);

/* A -H line "Name: value": 0, or -1 with *why (a name that is not an HTTP
   token, a header flow sets itself, a control character such as CR or LF
   in the value, too long). */
int http_header_check(const char *h, const char **why);

#endif
