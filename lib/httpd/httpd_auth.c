#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "auth.h"
#include "dsse.h"
#include "httpd_auth.h"
#include "util.h"

#define TOKEN_MAX (AUTH_PASSWORD_MAX - 1)
#define WEBHOOK_ID_MAX 256
#define SIGNATURE_HEADER_MAX 4096

int
httpd_token_hash(const char *token, char *out, size_t size, const char **why)
{
	char line[AUTH_NAME_MAX + 256];
	char *hash, *end;

	/* auth.c writes a users-file line "name:hash:"; the hash is its middle */
	if (auth_hash_line("token", token, AUTH_COST_LOW, line, sizeof line, why) < 0)
		return -1;
	hash = strchr(line, ':') + 1;
	end = strrchr(hash, ':');
	if (!end || (size_t)(end - hash) >= size)
		return *why = "hash too long", -1;
	memcpy(out, hash, (size_t)(end - hash));
	out[end - hash] = '\0';
	return 0;
}

/* Is the bearer token one of f's hashes that grant right? Every such hash
   is tried, so that the time taken does not say which one matched. */
static int
bearer_ok(const struct httpd_flow *f, int right, const char *authorization)
{
	const char *token;
	int i, ok = 0;

	if (strncasecmp(authorization, "Bearer ", 7) != 0)
		return 0;
	token = authorization + 7 + strspn(authorization + 7, " ");
	if (!*token || strlen(token) > TOKEN_MAX)
		return 0;
	for (i = 0; i < f->ntokens; i++)
		if ((f->tokens[i].rights & right) &&
		    crypto_pwhash_str_verify(f->tokens[i].hash, token, strlen(token)) == 0)
			ok = 1;
	return ok;
}

/* HMAC-SHA256 over "id.timestamp.body" with f's secret, base64 in out. */
static void
webhook_mac(const struct httpd_flow *f, const struct httpd_credentials *cr, char *out)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state h;

	crypto_auth_hmacsha256_init(&h, f->secret, f->secretlen);
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)cr->webhook_id, strlen(cr->webhook_id));
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)cr->webhook_timestamp,
	    strlen(cr->webhook_timestamp));
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&h, (const unsigned char *)cr->body, cr->bodylen);
	crypto_auth_hmacsha256_final(&h, mac);
	dsse_b64_encode(out, mac, sizeof mac);
}

/* 1 if one of the "v1,BASE64" signatures (space-separated) is ours. */
static int
signature_listed(const char *header, const char *expected)
{
	size_t elen = strlen(expected), n;
	const char *p = header;

	while (*p) {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n == 3 + elen && strncmp(p, "v1,", 3) == 0 && sodium_memcmp(p + 3, expected, elen) == 0)
			return 1;
		p += n;
	}
	return 0;
}

static int
webhook_ok(const struct httpd_flow *f, const struct httpd_credentials *cr, int64_t now, const char **why)
{
	char expected[DSSE_B64_LEN(crypto_auth_hmacsha256_BYTES) + 1];
	int64_t ts;

	if (strlen(cr->webhook_id) > WEBHOOK_ID_MAX || strlen(cr->webhook_signature) > SIGNATURE_HEADER_MAX)
		return *why = "webhook headers too long", 0;
	if (parse_int64(cr->webhook_timestamp, 0, INT64_MAX / 2, &ts) < 0)
		return *why = "webhook-timestamp is not a number of seconds", 0;
	if (ts < now - f->tolerance || ts > now + f->tolerance)
		return *why = "webhook-timestamp outside the tolerance", 0;
	webhook_mac(f, cr, expected);
	if (!signature_listed(cr->webhook_signature, expected))
		return *why = "no webhook signature verifies", 0;
	return 1;
}

int
httpd_authorize(const struct httpd_flow *f, int right, const struct httpd_credentials *cr,
    int64_t now, const char **why)
{
	if (cr->authorization) {
		if (bearer_ok(f, right, cr->authorization))
			return 1;
		return *why = "bearer token not accepted", 0;
	}
	if (right == HTTPD_WRITE && f->secretlen && cr->webhook_id && cr->webhook_timestamp &&
	    cr->webhook_signature)
		return webhook_ok(f, cr, now, why);
	if (f->public_rights & right)
		return 1;
	return *why = "authentication required", 0;
}
