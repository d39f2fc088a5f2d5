#include "config.h"

#include <stdio.h>
#include <string.h>

#include "dsse.h"
#include "json.h"

static const char *const core_attrs[] = {
	"id", "source", "specversion", "type", "datacontenttype", "dataschema", "subject", "time",
};

static const char b64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Plain codecs, not libsodium's constant-time ones: everything base64 here
   is public (digests, signatures, envelopes), and libsodium's spent more
   time per event than anything but the signature (doc/choices.md). */
size_t
dsse_b64_encode(char *out, const void *in, size_t n)
{
	const unsigned char *b = in;
	char *p = out;
	unsigned long v;
	size_t i;

	for (i = 0; i + 3 <= n; i += 3) {
		v = (unsigned long)b[i] << 16 | (unsigned long)b[i + 1] << 8 | b[i + 2];
		*p++ = b64_chars[v >> 18];
		*p++ = b64_chars[(v >> 12) & 63];
		*p++ = b64_chars[(v >> 6) & 63];
		*p++ = b64_chars[v & 63];
	}
	if (i < n) {
		v = (unsigned long)b[i] << 16 | (i + 1 < n ? (unsigned long)b[i + 1] << 8 : 0);
		*p++ = b64_chars[v >> 18];
		*p++ = b64_chars[(v >> 12) & 63];
		*p++ = i + 1 < n ? b64_chars[(v >> 6) & 63] : '=';
		*p++ = '=';
	}
	*p = '\0';
	return (size_t)(p - out);
}

/* Each character's 6 bits for the letters and digits; 64 and 65 for '+'
   and '/', 66 and 67 for '-' and '_' (62 and 63 in their alphabets); X
   for the others. */
#define X 255
static const unsigned char b64_values[256] = {
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, 64, X, 66, X, 65,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X, X, X, X, X, X,
	X, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X, X, X, X, 67,
	X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
};
#undef X

/* The 6 bits of character c in the standard or the URL-safe alphabet, or -1. */
static int
b64_value(unsigned char c, int urlsafe)
{
	int v = b64_values[c];

	if (v < 64)
		return v;
	if (v == 64 + 2 * urlsafe || v == 65 + 2 * urlsafe)
		return v - 2 - 2 * urlsafe;
	return -1;
}

/* Whole groups of four letters and digits into out, the common case, in
   one step each: how many characters were read (*o bytes written). */
static size_t
b64_groups(unsigned char *out, size_t outmax, const char *in, size_t n, size_t *o)
{
	const unsigned char *s = (const unsigned char *)in;
	unsigned long v;
	size_t i;

	for (i = 0; i + 4 <= n && *o + 3 <= outmax; i += 4) {
		if ((b64_values[s[i]] | b64_values[s[i + 1]] | b64_values[s[i + 2]] | b64_values[s[i + 3]]) >= 64)
			break;
		v = (unsigned long)b64_values[s[i]] << 18 | (unsigned long)b64_values[s[i + 1]] << 12 |
		    (unsigned long)b64_values[s[i + 2]] << 6 | b64_values[s[i + 3]];
		out[(*o)++] = (unsigned char)(v >> 16);
		out[(*o)++] = (unsigned char)(v >> 8);
		out[(*o)++] = (unsigned char)v;
	}
	return i;
}

int
dsse_b64_decode(unsigned char *out, size_t outmax, const char *in, size_t n, size_t *outlen)
{
	unsigned long acc = 0;
	size_t i, bits = 0, pad, o = 0;
	int urlsafe = 0, v;

	/* the alphabet is read off the text, so that one pass decodes it; a
	   text mixing both alphabets fails in it */
	for (i = 0; i < n; i++)
		if (in[i] == '-' || in[i] == '_')
			urlsafe = 1;
	for (i = b64_groups(out, outmax, in, n, &o); i < n && (v = b64_value((unsigned char)in[i], urlsafe)) >= 0; i++) {
		acc = (acc << 6 | (unsigned long)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o == outmax)
				return -1;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	/* a last group of 2 or 3 characters, its unused bits zero, and when the
	   text ends in '=' exactly the padding that completes the group */
	if (bits > 4 || (acc & ((1UL << bits) - 1)) != 0)
		return -1;
	pad = n > 0 && in[n - 1] == '=' ? bits / 2 : 0;
	if (n - i != pad)
		return -1;
	for (; i < n; i++)
		if (in[i] != '=')
			return -1;
	*outlen = o;
	return 0;
}

/* The text s at p; past it. (The writers below make a few pieces per
   event: memcpy, not the printf family, whose parsing cost more.) */
static char *
put(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

/* The decimal digits of n at p; past them. */
static char *
put_size(char *p, size_t n)
{
	char digits[24];
	int k = 0;

	do
		digits[k++] = (char)('0' + n % 10);
	while ((n /= 10) > 0);
	while (k > 0)
		*p++ = digits[--k];
	return p;
}

size_t
dsse_pae(char *out, const void *body, size_t n)
{
	char *p = put(out, "DSSEv1 ");

	p = put_size(p, strlen(DSSE_PAYLOAD_TYPE));
	p = put(p, " " DSSE_PAYLOAD_TYPE " ");
	p = put_size(p, n);
	*p++ = ' ';
	memcpy(p, body, n);
	return (size_t)(p - out) + n;
}

int
dsse_is_core_attr(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof core_attrs / sizeof core_attrs[0]; i++)
		if (strlen(core_attrs[i]) == len && memcmp(core_attrs[i], name, len) == 0)
			return 1;
	return 0;
}

int
dsse_names_check(const char *const *names, const size_t *lens, int n, const char **why)
{
	int i, j;

	for (i = 0; i < n; i++) {
		if (dsse_is_core_attr(names[i], lens[i])) {
			*why = "a core context attribute";
			return -1;
		}
		if (lens[i] == 12 && memcmp(names[i], "dssematerial", 12) == 0) {
			*why = "dssematerial itself";
			return -1;
		}
		for (j = 0; j < i; j++)
			if (lens[j] == lens[i] && memcmp(names[j], names[i], lens[i]) == 0) {
				*why = "a name repeated";
				return -1;
			}
	}
	return 0;
}

static int
fail(struct dsse_fail *f, const char *step, const char *msg)
{
	f->step = step;
	snprintf(f->msg, sizeof f->msg, "%s", msg);
	return -1;
}

/* One JSON object in text[0..n) and nothing but white space after it. */
static int
whole_object(const char *text, size_t n, struct json_span *obj)
{
	const char *p = text, *end = text + n, *why;

	if (json_scan_value(&p, end, obj, &why) < 0 || obj->type != JSON_OBJECT)
		return -1;
	return json_skip_ws(p, end) == end ? 0 : -1;
}

int
dsse_json_next(const char **pp, const char *end, int is_object, struct json_span *name,
    struct json_span *val)
{
	const char *p = json_skip_ws(*pp, end), *why;

	if (*p == ',')
		p = json_skip_ws(p + 1, end);
	if (*p == '}' || *p == ']')
		return 0;
	if (is_object) {
		json_scan_value(&p, end, name, &why);
		p = json_skip_ws(p, end) + 1;   /* ':' */
	}
	json_scan_value(&p, end, val, &why);
	*pp = p;
	return 1;
}

/* Which of keys[] the member name is (-1: none). */
static int
member_index(const struct json_span *name, const char *const *keys, int nkeys)
{
	char buf[32];
	const char *k;
	size_t n;
	int i;

	if (name->len > sizeof buf)
		return -1;
	k = json_str(name, buf, &n);
	for (i = 0; i < nkeys; i++)
		if (strlen(keys[i]) == n && memcmp(keys[i], k, n) == 0)
			return i;
	return -1;
}

/* Pick the members keys[] of obj into vals[] (type NONE when absent);
   -1 when one of them comes twice. */
static int
pick_members(const struct json_span *obj, const char *const *keys, int nkeys, struct json_span *vals)
{
	const char *p = obj->p + 1, *end = obj->p + obj->len;
	struct json_span name, val;
	int i;

	for (i = 0; i < nkeys; i++)
		vals[i].type = JSON_NONE;
	while (dsse_json_next(&p, end, 1, &name, &val))
		if ((i = member_index(&name, keys, nkeys)) >= 0) {
			if (vals[i].type != JSON_NONE)
				return -1;
			vals[i] = val;
		}
	return 0;
}

/* Decode the base64 in the JSON string s into out (outmax bytes), using
   tmp (s->len bytes) for its unescaped text. */
static int
b64_string(const struct json_span *s, char *tmp, unsigned char *out, size_t outmax, size_t *outlen)
{
	const char *t;
	size_t n;

	if (s->type != JSON_STRING)
		return -1;
	t = json_str(s, tmp, &n);
	return dsse_b64_decode(out, outmax, t, n, outlen);
}

static int
parse_signature(struct dsse_signature *sig, const struct json_span *obj, const char *text,
    char *scratch, struct dsse_fail *f)
{
	static const char *const keys[] = { "keyid", "sig" };
	struct json_span v[2];

	if (obj->type != JSON_OBJECT || pick_members(obj, keys, 2, v) < 0)
		return fail(f, "4", "a signature is not an object with one sig");
	sig->keyid = "";
	sig->keyidlen = 0;
	if (v[0].type == JSON_STRING) {
		sig->keyid = json_str(&v[0], scratch + 2 * (v[0].p - text), &sig->keyidlen);
		if (sig->keyidlen > DSSE_MAX_KEYID)
			return fail(f, "4", "a keyid is longer than 255 bytes");
	} else if (v[0].type != JSON_NONE) {
		return fail(f, "4", "a keyid is not a string");
	}
	if (v[1].type == JSON_NONE)
		return fail(f, "4", "a signature has no sig");
	if (b64_string(&v[1], scratch + 2 * (v[1].p - text), sig->sig, sizeof sig->sig, &sig->siglen) < 0)
		return fail(f, "4", "a sig is not base64 of at most 128 bytes");
	return 0;
}

int
dsse_envelope_parse(struct dsse_envelope *e, const char *text, size_t n, char *scratch,
    struct dsse_fail *f)
{
	static const char *const keys[] = { "payload", "payloadType", "signatures" };
	struct json_span obj, v[3], el, unused;
	const char *p, *end, *t;
	size_t len;

	if (!utf8_valid(text, n))
		return fail(f, "3", "dssematerial is not UTF-8");
	if (whole_object(text, n, &obj) < 0 || pick_members(&obj, keys, 3, v) < 0)
		return fail(f, "4", "not a DSSE envelope: not one JSON object with unique members");
	if (v[0].type != JSON_STRING || v[1].type != JSON_STRING || v[2].type != JSON_ARRAY)
		return fail(f, "4", "not a DSSE envelope: payload, payloadType or signatures missing");
	t = json_str(&v[1], scratch + (v[1].p - text), &len);
	if (len != strlen(DSSE_PAYLOAD_TYPE) || memcmp(t, DSSE_PAYLOAD_TYPE, len) != 0)
		return fail(f, "5", "unknown payloadType");
	/* the payload's text is unescaped into the first half of its region
	   of scratch (2 * its length), its bytes decoded into the second */
	e->payload = (unsigned char *)scratch + 2 * (v[0].p - text) + v[0].len;
	if (b64_string(&v[0], scratch + 2 * (v[0].p - text), (unsigned char *)e->payload, v[0].len,
	    &e->payloadlen) < 0)
		return fail(f, "6", "payload is not base64");
	e->nsigs = 0;
	p = v[2].p + 1;
	end = v[2].p + v[2].len;
	while (dsse_json_next(&p, end, 0, &unused, &el)) {
		if (e->nsigs == DSSE_MAX_SIGS)
			return fail(f, "4", "more than 16 signatures");
		if (parse_signature(&e->sigs[e->nsigs], &el, text, scratch, f) < 0)
			return -1;
		e->nsigs++;
	}
	if (e->nsigs == 0)
		return fail(f, "4", "no signature");
	return 0;
}

static int
parse_names(struct dsse_material *m, const struct json_span *arr, const char *text, char *scratch,
    struct dsse_fail *f)
{
	const char *p = arr->p + 1, *end = arr->p + arr->len, *why;
	struct json_span el, unused;

	if (arr->type != JSON_ARRAY)
		return fail(f, "6.4", "signedextattrs is not an array");
	m->nnames = 0;
	while (dsse_json_next(&p, end, 0, &unused, &el)) {
		if (el.type != JSON_STRING)
			return fail(f, "6.4", "signedextattrs holds something other than a string");
		if (m->nnames == DSSE_MAX_EXTS)
			return fail(f, "6.4", "signedextattrs names more than 64 attributes");
		m->names[m->nnames] = json_str(&el, scratch + (el.p - text), &m->namelen[m->nnames]);
		if (m->namelen[m->nnames] == 0 || m->namelen[m->nnames] > DSSE_MAX_NAME)
			return fail(f, "6.4", "signedextattrs holds an empty name or one over 255 bytes");
		m->nnames++;
	}
	if (dsse_names_check(m->names, m->namelen, m->nnames, &why) < 0) {
		fail(f, "6.4", "signedextattrs names ");
		strncat(f->msg, why, sizeof f->msg - strlen(f->msg) - 1);
		return -1;
	}
	return 0;
}

int
dsse_material_parse(struct dsse_material *m, const unsigned char *payload, size_t n, char *scratch,
    struct dsse_fail *f)
{
	static const char *const keys[] = { "core", "ext", "signedextattrs" };
	const char *text = (const char *)payload;
	struct json_span obj, v[3];
	size_t len;

	if (!utf8_valid(text, n) || whole_object(text, n, &obj) < 0 || pick_members(&obj, keys, 3, v) < 0)
		return fail(f, "6", "payload is not one JSON object with unique members");
	if (v[0].type == JSON_NONE || b64_string(&v[0], scratch + (v[0].p - text), m->core,
	    sizeof m->core, &len) < 0 || len != DSSE_DIGEST_LEN)
		return fail(f, "6.2", "core is not the base64 of 32 bytes");
	if (v[1].type != JSON_NONE && (b64_string(&v[1], scratch + (v[1].p - text), m->ext,
	    sizeof m->ext, &len) < 0 || len != DSSE_DIGEST_LEN))
		return fail(f, "6.3", "ext is not the base64 of 32 bytes");
	m->nnames = 0;
	if (v[2].type != JSON_NONE && parse_names(m, &v[2], text, scratch, f) < 0)
		return -1;
	if ((v[1].type == JSON_NONE) != (v[2].type == JSON_NONE))
		return fail(f, "6.5", "ext and signedextattrs are not both present or both absent");
	if (v[2].type != JSON_NONE && m->nnames == 0)
		return fail(f, "6.5", "signedextattrs is empty: then it and ext must be absent");
	m->has_ext = v[1].type != JSON_NONE;
	return 0;
}

size_t
dsse_material_size(const struct dsse_material *m)
{
	size_t n = 100 + 2 * DSSE_B64_LEN(DSSE_DIGEST_LEN);
	int i;

	for (i = 0; i < m->nnames; i++)
		n += 6 * m->namelen[i] + 3;
	return n;
}

size_t
dsse_material_write(char *out, const struct dsse_material *m)
{
	char *p = put(out, "{\"core\":\"");
	int i;

	p += dsse_b64_encode(p, m->core, DSSE_DIGEST_LEN);
	if (m->has_ext) {
		p = put(p, "\",\"ext\":\"");
		p += dsse_b64_encode(p, m->ext, DSSE_DIGEST_LEN);
		p = put(p, "\",\"signedextattrs\":[");
		for (i = 0; i < m->nnames; i++) {
			if (i > 0)
				*p++ = ',';
			p += json_quote(p, m->names[i], m->namelen[i]);
		}
		*p++ = ']';
	} else {
		*p++ = '"';
	}
	*p++ = '}';
	return (size_t)(p - out);
}

size_t
dsse_envelope_size(size_t payloadlen, const struct dsse_signature *sigs, int nsigs)
{
	size_t n = 100 + strlen(DSSE_PAYLOAD_TYPE) + DSSE_B64_LEN(payloadlen);
	int i;

	for (i = 0; i < nsigs; i++)
		n += 30 + 6 * sigs[i].keyidlen + DSSE_B64_LEN(sigs[i].siglen);
	return n;
}

size_t
dsse_envelope_write(char *out, const void *payload, size_t payloadlen,
    const struct dsse_signature *sigs, int nsigs)
{
	char *p = put(out, "{\"payload\":\"");
	int i;

	p += dsse_b64_encode(p, payload, payloadlen);
	p = put(p, "\",\"payloadType\":\"" DSSE_PAYLOAD_TYPE "\",\"signatures\":[");
	for (i = 0; i < nsigs; i++) {
		p = put(p, i > 0 ? ",{\"keyid\":" : "{\"keyid\":");
		p += json_quote(p, sigs[i].keyid, sigs[i].keyidlen);
		p = put(p, ",\"sig\":\"");
		p += dsse_b64_encode(p, sigs[i].sig, sigs[i].siglen);
		p = put(p, "\"}");
	}
	p = put(p, "]}");
	return (size_t)(p - out);
}
