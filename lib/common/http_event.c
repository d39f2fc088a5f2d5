/* CloudEvents in HTTP requests: binary mode, webhook signatures, -H checks. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http_event.h"
#include "json.h"
#include "util.h"

/* A media type whose subtype, parameters aside, is json or ends in +json. */
static int
is_json_type(const char *s, size_t n)
{
	const char *slash = memchr(s, '/', n);
	size_t end = 0;

	/* s is not NUL-terminated: the scan stops at n */
	while (end < n && s[end] != ';' && s[end] != ' ')
		end++;
	if (!slash || (size_t)(slash - s) >= end)
		return 0;
	n = end - (slash + 1 - s);
	s = slash + 1;
	return (n == 4 && strncasecmp(s, "json", 4) == 0) ||
	    (n > 5 && strncasecmp(s + n - 5, "+json", 5) == 0);
}

/* A value that cannot stand in a header as it is: a control character. */
static int
has_control(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 1;
	return 0;
}

/* "name: value" appended to *hdrs, the value percent-encoded when asked
   (the binding's rule for string attributes: space, '"', '%' and every
   byte outside printable ASCII). */
static void
add_header(struct curl_slist **hdrs, const char *name, size_t namelen, const char *v, size_t n,
    int encode)
{
	char *line = xmalloc(namelen + 2 + 3 * n + 1), *o = line;
	size_t i;

	memcpy(o, name, namelen);
	o += namelen;
	*o++ = ':';
	*o++ = ' ';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (encode && (c < 0x21 || c > 0x7e || c == '"' || c == '%'))
			o += sprintf(o, "%%%02X", c);
		else
			*o++ = (char)c;
	}
	*o = '\0';
	*hdrs = curl_slist_append(*hdrs, line);
	free(line);
}

/* The body for the event's data (see http_binary): 0, 1 for structured mode. */
static int
data_body(const struct json_span *v, int base64, int json_data, char **body, size_t *len)
{
	const char *s;
	size_t n;

	*body = xmalloc(v->len + 1);
	if (base64) {
		s = json_str(v, *body, &n);
		/* pad bits set, which libsodium refuses: structured mode carries it */
		if (sodium_base642bin((unsigned char *)*body, v->len, s, n, NULL, len, NULL,
		    sodium_base64_VARIANT_ORIGINAL) < 0)
			return 1;
	} else if (json_data)
		*len = json_compact(*body, v);
	else if (v->type == JSON_STRING) {
		s = json_str(v, *body, len);
		memmove(*body, s, *len);
	} else
		return 1;
	return 0;
}

int
http_binary(const struct ce_event *ev, struct curl_slist **hdrs, char **body, size_t *len)
{
	const struct json_span *ct = ce_get(ev, "datacontenttype", 15);
	char *scratch = xmalloc(ev->len + 1), *name = xmalloc(ev->len + 3), *type = xmalloc(ev->len + 1);
	struct curl_slist *mine = NULL, *l;
	const char *s = NULL;
	size_t n = 0, ct_len;
	int i, r = 0, json_data, has_data = 0, has_base64 = ce_get(ev, "data_base64", 11) != NULL;

	*body = NULL;
	*len = 0;
	if (ct)
		s = json_str(ct, type, &n);
	/* a CloudEvents type would read as structured mode; a control
	   character cannot be a Content-Type */
	if (ct && ((n >= 23 && strncasecmp(s, "application/cloudevents", 23) == 0) || has_control(s, n)))
		r = 1;
	json_data = !ct || is_json_type(s, n);
	ct_len = n;
	for (i = 0; i < ev->nattrs && r == 0; i++) {
		const struct ce_attr *a = &ev->attrs[i];
		const struct json_span *v = &a->val;
		int is_data = a->namelen == 4 && memcmp(a->name, "data", 4) == 0;
		int is_base64 = a->namelen == 11 && memcmp(a->name, "data_base64", 11) == 0;

		/* data: null beside data_base64 is absent; data_base64: null is no data */
		if ((is_data && !(has_base64 && v->type == JSON_NULL)) || (is_base64 && v->type != JSON_NULL)) {
			r = data_body(v, is_base64, json_data, body, len);
			has_data = 1;
			continue;
		}
		if (v->type == JSON_NULL || is_data || is_base64)
			continue;
		if (a->namelen == 15 && memcmp(a->name, "datacontenttype", 15) == 0) {
			add_header(&mine, "Content-Type", 12, s, ct_len, 0);
			continue;
		}
		memcpy(name, "ce-", 3);
		memcpy(name + 3, a->name, a->namelen);
		if (v->type == JSON_STRING) {
			const char *t = json_str(v, scratch, &n);

			add_header(&mine, name, 3 + a->namelen, t, n, 1);
		} else
			add_header(&mine, name, 3 + a->namelen, v->p, v->len, 0);
	}
	/* no Content-Type would be libcurl's form type: none is said */
	if (r == 0 && !ct)
		mine = curl_slist_append(mine, has_data ? "Content-Type: application/json" : "Content-Type:");
	free(scratch);
	free(name);
	free(type);
	if (r) {
		free(*body);
		*body = NULL;
		*len = 0;
	}
	for (l = mine; !r && l; l = l->next)
		*hdrs = curl_slist_append(*hdrs, l->data);
	curl_slist_free_all(mine);
	return r;
}

void
http_webhook_id_start(crypto_hash_sha256_state *st)
{
	crypto_hash_sha256_init(st);
}

void
http_webhook_id_add(crypto_hash_sha256_state *st, const struct ce_event *ev)
{
	static const char *const names[] = { "source", "id" };
	const struct json_span *v;
	size_t i;

	for (i = 0; i < 2; i++) {
		if ((v = ce_get(ev, names[i], strlen(names[i]))))
			crypto_hash_sha256_update(st, (const unsigned char *)v->p, v->len);
		crypto_hash_sha256_update(st, (const unsigned char *)"", 1);
	}
}

void
http_webhook_id_end(crypto_hash_sha256_state *st, char id[HTTP_WEBHOOK_ID_LEN])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256_final(st, h);
	memcpy(id, "flow_", 5);
	sodium_bin2hex(id + 5, HTTP_WEBHOOK_ID_LEN - 5, h, 16);
}

void
http_webhook_sign(struct curl_slist **hdrs, const unsigned char *key, size_t keylen,
    const char *id, time_t ts, const char *body, size_t len)
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char stamp[24], line[128], b64[sodium_base64_ENCODED_LEN(crypto_auth_hmacsha256_BYTES,
	    sodium_base64_VARIANT_ORIGINAL)];

	snprintf(stamp, sizeof stamp, "%lld", (long long)ts);
	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)stamp, strlen(stamp));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2base64(b64, sizeof b64, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
	snprintf(line, sizeof line, "webhook-id: %s", id);
	*hdrs = curl_slist_append(*hdrs, line);
	snprintf(line, sizeof line, "webhook-timestamp: %s", stamp);
	*hdrs = curl_slist_append(*hdrs, line);
	snprintf(line, sizeof line, "webhook-signature: v1,%s", b64);
	*hdrs = curl_slist_append(*hdrs, line);
}

int
http_webhook_secret(const char *text, size_t n, unsigned char *key, size_t *keylen, const char **why)
{
	const char *end;

	while (n > 0 && strchr(" \t\r\n", text[n - 1]))
		n--;
	while (n > 0 && strchr(" \t\r\n", *text))
		text++, n--;
	if (n < 6 || memcmp(text, "whsec_", 6) != 0) {
		*why = "expected whsec_ and the secret in base64";
		return -1;
	}
	if (sodium_base642bin(key, HTTP_WEBHOOK_KEY_MAX, text + 6, n - 6, NULL, keylen, &end,
	    sodium_base64_VARIANT_ORIGINAL) < 0 || end != text + n) {
		*why = "the secret after whsec_ is not base64 (or longer than 64 bytes)";
		return -1;
	}
	if (*keylen < HTTP_WEBHOOK_KEY_MIN) {
		*why = "the secret is shorter than 24 bytes";
		return -1;
	}
	return 0;
}

/* Headers flow sets itself: the body's type and length, the binding's and
   the signature's. */
static int
reserved(const char *name, size_t n)
{
	static const char *const whole[] = { "content-type", "content-length", "transfer-encoding" };
	size_t i;

	for (i = 0; i < sizeof whole / sizeof *whole; i++)
		if (n == strlen(whole[i]) && strncasecmp(name, whole[i], n) == 0)
			return 1;
	return (n > 3 && strncasecmp(name, "ce-", 3) == 0) || (n > 8 && strncasecmp(name, "webhook-", 8) == 0);
}

int
http_header_check(const char *h, const char **why)
{
	size_t name = strspn(h, HTTP_TOKEN_CHARS);
	const char *v = h + name;
	size_t i;

	if (strlen(h) > HTTP_HEADER_MAX)
		return *why = "longer than 4096 bytes", -1;
	if (name == 0 || *v != ':')
		return *why = "expected Name: value (the name an HTTP token)", -1;
	if (reserved(h, name))
		return *why = "flow sets this header itself", -1;
	for (v++; *v == ' ' || *v == '\t'; v++)
		;
	if (!*v)
		return *why = "an empty value", -1;
	for (i = 0; v[i]; i++)
		if (((unsigned char)v[i] < 0x20 && v[i] != '\t') || v[i] == 0x7f)
			return *why = "a control character (CR, LF...) in the value", -1;
	return 0;
}
