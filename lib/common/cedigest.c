#include "config.h"

#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include <openssl/evp.h>

#include "cedigest.h"
#include "rfc3339.h"
#include "util.h"

#define NS_PER_S 1000000000LL

int
ce_time_canonical(const char *s, size_t n, char out[CE_TIME_CANONICAL_LEN + 1])
{
	char full[RFC3339_MAX];
	int64_t ns, secs;

	if (rfc3339_parse(s, n, &ns) < 0 || ns == INT64_MIN || ns == INT64_MAX)
		return -1;
	/* a valid UTC time ("Z", not a leap second) is its own canonical text
	   to the second: formatting it again cost as much as two digests */
	if (s[10] == 'T' && s[n - 1] == 'Z' && s[17] != '6') {
		memcpy(out, s, 19);
		out[19] = 'Z';
		out[20] = '\0';
		return 0;
	}
	/* floor, not truncation towards zero, so that times before 1970 are
	   cut to the second they fall in, as they are after it */
	secs = ns / NS_PER_S - (ns % NS_PER_S < 0);
	rfc3339_format(secs * NS_PER_S, full);
	memcpy(out, full, 19);
	out[19] = 'Z';
	out[20] = '\0';
	return 0;
}

/* An integral JSON number in the 32-bit range of CloudEvents' Integer. */
static int
is_ce_integer(const struct json_span *v)
{
	int64_t x = 0;
	size_t i = v->p[0] == '-';

	if (v->len - i > 10)
		return 0;
	for (; i < v->len; i++) {
		if (v->p[i] < '0' || v->p[i] > '9')
			return 0;
		x = x * 10 + (v->p[i] - '0');
	}
	return v->p[0] == '-' ? x <= 2147483648LL : x <= 2147483647LL;
}

int
ce_ext_canonical(const struct json_span *v, char *scratch, const char **p, size_t *n)
{
	switch (v->type) {
	case JSON_STRING:
		*p = json_str(v, scratch, n);
		return 0;
	case JSON_TRUE:
	case JSON_FALSE:
		*p = v->p;
		*n = v->len;
		return 0;
	case JSON_NUMBER:
		if (!is_ce_integer(v))
			return -1;
		/* "-0" is 0: the decimal form has no sign for it */
		*p = v->len == 2 && v->p[1] == '0' ? "0" : v->p;
		*n = v->len == 2 && v->p[1] == '0' ? 1 : v->len;
		return 0;
	default:
		return -1;
	}
}

/* An event takes ten hashes of a few bytes: one context, made once per
   thread with the implementation fetched once (OpenSSL 3's one-shot
   SHA256() fetches on every call), is reused for all; OpenSSL's SHA-256
   uses the processor's SHA instructions. */
static void
hash_into(EVP_MD_CTX *md, unsigned char *out, const void *p, size_t n)
{
	EVP_DigestInit_ex2(md, NULL, NULL);
	EVP_DigestUpdate(md, p, n);
	EVP_DigestFinal_ex(md, out, NULL);
}

EVP_MD_CTX *
ce_digest_ctx_new(void)
{
	EVP_MD *sha = EVP_MD_fetch(NULL, "SHA256", NULL);
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (!sha || !md || EVP_DigestInit_ex2(md, sha, NULL) != 1)
		die(EX_FLOW_SOFTWARE, "OpenSSL: no SHA-256");
	EVP_MD_free(sha);   /* the context holds its own reference */
	return md;
}

/* The digest of a core attribute's text, or of nothing when absent. */
static void
hash_attr(EVP_MD_CTX *md, const struct ce_event *ev, const char *name, char *scratch, unsigned char *out)
{
	const struct json_span *v = ce_get(ev, name, strlen(name));
	const char *t = "";
	size_t n = 0;

	if (v && v->type == JSON_STRING)
		t = json_str(v, scratch, &n);
	hash_into(md, out, t, n);
}

static int
hash_data(EVP_MD_CTX *md, const struct ce_event *ev, char *scratch, unsigned char *out, const char **why)
{
	const struct json_span *v = ce_get(ev, "data", 4), *b = ce_get(ev, "data_base64", 11);
	const char *t;
	size_t n;

	if (v && v->type != JSON_NULL) {
		hash_into(md, out, v->p, v->len);
	} else if (b && b->type == JSON_STRING) {
		t = json_str(b, scratch, &n);
		if (sodium_base642bin((unsigned char *)scratch, b->len, t, n, NULL, &n, NULL,
		    sodium_base64_VARIANT_ORIGINAL) != 0) {
			*why = "data_base64: not canonical base64 (pad bits set)";
			return -1;
		}
		hash_into(md, out, scratch, n);
	} else {
		hash_into(md, out, "", 0);
	}
	return 0;
}

int
ce_core_digest(EVP_MD_CTX *md, const struct ce_event *ev, char *scratch, unsigned char out[CE_DIGEST_LEN],
    const char **why)
{
	static const char *const names[] = {
		"id", "source", "specversion", "type", "datacontenttype", "dataschema", "subject",
	};
	unsigned char seq[9 * CE_DIGEST_LEN];
	char canon[CE_TIME_CANONICAL_LEN + 1];
	const struct json_span *t;
	const char *s;
	size_t i, n;

	for (i = 0; i < 7; i++)
		hash_attr(md, ev, names[i], scratch, seq + i * CE_DIGEST_LEN);
	t = ce_get(ev, "time", 4);
	if (t && t->type == JSON_STRING) {
		s = json_str(t, scratch, &n);
		if (ce_time_canonical(s, n, canon) < 0) {
			*why = "time: not an RFC 3339 time between 1677 and 2262";
			return -1;
		}
		hash_into(md, seq + 7 * CE_DIGEST_LEN, canon, CE_TIME_CANONICAL_LEN);
	} else {
		hash_into(md, seq + 7 * CE_DIGEST_LEN, "", 0);
	}
	if (hash_data(md, ev, scratch, seq + 8 * CE_DIGEST_LEN, why) < 0)
		return -1;
	hash_into(md, out, seq, sizeof seq);
	return 0;
}

int
ce_ext_digest(EVP_MD_CTX *md, const struct ce_event *ev, const char *const *names, const size_t *lens, int n,
    char *scratch, unsigned char out[CE_DIGEST_LEN], int *bad)
{
	unsigned char seq[CE_MAX_ATTRS * CE_DIGEST_LEN];
	const struct json_span *v;
	const char *p;
	size_t len;
	int i;

	for (i = 0; i < n && i < CE_MAX_ATTRS; i++) {
		v = ce_get(ev, names[i], lens[i]);
		p = "";
		len = 0;
		if (v && ce_ext_canonical(v, scratch, &p, &len) < 0) {
			*bad = i;
			return -1;
		}
		hash_into(md, seq + i * CE_DIGEST_LEN, p, len);
	}
	hash_into(md, out, seq, (size_t)i * CE_DIGEST_LEN);
	return 0;
}
