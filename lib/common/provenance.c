#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cedigest.h"
#include "json.h"
#include "provenance.h"
#include "util.h"

#define MATERIAL_NAME "dssematerial"

static void
grow(char **p, size_t *size, size_t need)
{
	if (*size >= need)
		return;
	free(*p);
	*p = xmalloc(need);
	*size = need;
}

void
prov_work_free(struct prov_work *w)
{
	free(w->scratch);
	free(w->aux);
	free(w->out);
	free(w->copy);
	EVP_MD_CTX_free(w->md);
	sigkey_ctx_free(&w->keyctx);
	memset(w, 0, sizeof *w);
}

int
prov_exts_check(const char *const *names, const size_t *lens, int n, const char **why)
{
	int i;
	size_t j;

	if (n > DSSE_MAX_EXTS) {
		*why = "more than 64 extensions";
		return -1;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < lens[i]; j++)
			if (!((names[i][j] >= 'a' && names[i][j] <= 'z') || (names[i][j] >= '0' && names[i][j] <= '9')))
				break;
		if (lens[i] == 0 || j < lens[i]) {
			*why = "not an extension name (lower-case letters and digits)";
			return -1;
		}
	}
	return dsse_names_check(names, lens, n, why);
}

/* The line with value as the (new) string value of dssematerial, into w->out. */
static size_t
put_material(struct prov_work *w, const char *line, size_t len, const char *b64, size_t b64len)
{
	const struct json_span *old = ce_get(&w->ev, MATERIAL_NAME, strlen(MATERIAL_NAME));
	struct json_span obj, in_line;
	const char *q = line, *why;
	size_t head, tail;
	char *p;

	if (old && w->ev.line != line) {   /* read from the copy: find it in the line */
		json_scan_value(&q, line + len, &obj, &why);
		json_object_get(&obj, MATERIAL_NAME, strlen(MATERIAL_NAME), &in_line);
		old = &in_line;
	}

	grow(&w->out, &w->outsize, len + b64len + 32);
	p = w->out;
	if (old) {
		head = (size_t)(old->p - line);
		tail = head + old->len;
	} else {
		for (head = len; line[head - 1] != '}'; head--)
			;
		tail = --head;
	}
	memcpy(p, line, head);
	p += head;
	if (!old) {
		memcpy(p, ",\"" MATERIAL_NAME "\":", strlen(MATERIAL_NAME) + 4);
		p += strlen(MATERIAL_NAME) + 4;
	}
	*p++ = '"';
	memcpy(p, b64, b64len);
	p += b64len;
	*p++ = '"';
	memcpy(p, line + tail, len - tail);
	return (size_t)(p - w->out) + len - tail;
}

/* An optional core attribute given as "" hashes as if absent (the spec's
   absent-versus-empty rule), though the validator refuses it: the event is
   read again without such members, from a copy in w->copy. */
static int
parse_event(struct prov_work *w, const char *line, size_t len, struct ce_error *err)
{
	static const char *const optional[] = { "subject", "dataschema", "datacontenttype" };
	const char *p = line, *end = line + len, *why;
	struct json_span obj, name, val;
	struct ce_error again;
	size_t i, n = 0, dropped = 0;

	if (ce_parse(&w->ev, line, len, 0, err) == 0)
		return 0;
	if (json_scan_value(&p, end, &obj, &why) < 0 || obj.type != JSON_OBJECT ||
	    json_skip_ws(p, end) != end)
		return -1;   /* not for the empty attributes, then */
	grow(&w->copy, &w->copysize, len + 2);
	w->copy[n++] = '{';
	p = obj.p + 1;
	while (dsse_json_next(&p, end, 1, &name, &val)) {
		for (i = 0; i < 3; i++)
			if (val.type == JSON_STRING && val.len == 2 && name.len == strlen(optional[i]) + 2 &&
			    memcmp(name.p + 1, optional[i], name.len - 2) == 0)
				break;
		if (i < 3) {
			dropped++;
			continue;
		}
		if (n > 1)
			w->copy[n++] = ',';
		memcpy(w->copy + n, name.p, (size_t)(val.p + val.len - name.p));
		n += (size_t)(val.p + val.len - name.p);
	}
	w->copy[n++] = '}';
	return dropped && ce_parse(&w->ev, w->copy, n, 0, &again) == 0 ? 0 : -1;
}

int
prov_sign_line(const struct prov_signer *s, struct prov_work *w, const char *line, size_t len,
    const char **out, size_t *outlen, char *why, size_t whysize)
{
	struct dsse_signature sigs[DSSE_MAX_SIGS];
	struct dsse_material m;
	struct ce_error err;
	size_t msize, mlen, plen, envlen;
	char *pae, *env, *b64;
	const char *reason;
	int i, bad;

	grow(&w->scratch, &w->scratchsize, len + 64);
	if (!w->md)
		w->md = ce_digest_ctx_new();
	if (parse_event(w, line, len, &err) < 0) {
		snprintf(why, whysize, "%s", err.msg);
		return -1;
	}
	if (ce_core_digest(w->md, &w->ev, w->scratch, m.core, &reason) < 0) {
		snprintf(why, whysize, "%s", reason);
		return -1;
	}
	m.has_ext = s->nexts > 0;
	m.nnames = s->nexts;
	for (i = 0; i < s->nexts; i++) {
		m.names[i] = s->exts[i];
		m.namelen[i] = s->extlens[i];
	}
	if (m.has_ext && ce_ext_digest(w->md, &w->ev, m.names, m.namelen, m.nnames, w->scratch, m.ext, &bad) < 0) {
		snprintf(why, whysize, "%s: no CloudEvents type (not a string, boolean or 32-bit integer)",
		    s->exts[bad]);
		return -1;
	}
	for (i = 0; i < s->nkeys; i++) {
		sigs[i].keyid = s->keyids[i];
		sigs[i].keyidlen = strlen(s->keyids[i]);
		sigs[i].siglen = SIGKEY_SIG_LEN;
	}
	msize = dsse_material_size(&m);
	envlen = dsse_envelope_size(msize, sigs, s->nkeys);
	grow(&w->aux, &w->auxsize, 2 * msize + 80 + envlen + DSSE_B64_LEN(envlen) + 1);
	mlen = dsse_material_write(w->aux, &m);
	pae = w->aux + msize;
	plen = dsse_pae(pae, w->aux, mlen);
	for (i = 0; i < s->nkeys; i++)
		if (sigkey_sign_ctx(&s->keys[i], &w->keyctx, pae, plen, sigs[i].sig) < 0) {
			snprintf(why, whysize, "OpenSSL could not sign");
			return -1;
		}
	env = pae + msize + 80;
	envlen = dsse_envelope_write(env, w->aux, mlen, sigs, s->nkeys);
	b64 = env + envlen;
	dsse_b64_encode(b64, env, envlen);
	*outlen = put_material(w, line, len, b64, DSSE_B64_LEN(envlen));
	*out = w->out;
	return 0;
}

static int
fail(struct dsse_fail *f, const char *step, const char *msg)
{
	f->step = step;
	snprintf(f->msg, sizeof f->msg, "%s", msg);
	return PROV_FAILED;
}

/* Step 7: some signature by an acceptable key verifies over the PAE. */
static int
check_signatures(const struct prov_verifier *v, struct prov_work *w, const struct dsse_envelope *e,
    const char *pae, size_t plen, struct dsse_fail *f)
{
	char why[128], q[6 * DSSE_MAX_KEYID + 3], first[sizeof f->msg] = "";
	const struct sigkey *k;
	int i;

	for (i = 0; i < e->nsigs; i++) {
		q[json_quote(q, e->sigs[i].keyid, e->sigs[i].keyidlen)] = '\0';
		switch (keyring_find(v->keys, e->sigs[i].keyid, e->sigs[i].keyidlen, &k, why, sizeof why)) {
		case KEY_UNAVAILABLE:
			snprintf(f->msg, sizeof f->msg, "keyid %.60s: %.80s", q, why);
			f->step = "7";
			return PROV_UNAVAILABLE;
		case KEY_UNKNOWN:
			if (!first[0])
				snprintf(first, sizeof first, "no signature by an accepted key (keyid %.40s: %.70s)", q, why);
			continue;
		case KEY_FOUND:
			if (sigkey_verify_ctx(k, &w->keyctx, pae, plen, e->sigs[i].sig, e->sigs[i].siglen))
				return PROV_VERIFIED;
			snprintf(first, sizeof first, "the signature by keyid %.80s does not verify", q);
		}
	}
	return fail(f, "7", first);
}

/* Steps 8 and 9: the digests of the event are those signed. */
static int
check_digests(const struct prov_verifier *v, struct prov_work *w, const struct dsse_material *m,
    struct dsse_fail *f)
{
	unsigned char d[CE_DIGEST_LEN];
	const char *why;
	int bad;

	if (ce_core_digest(w->md, &w->ev, w->scratch, d, &why) < 0)
		return fail(f, "8", why);
	if (memcmp(d, m->core, sizeof d) != 0)
		return fail(f, "8", "core digest differs: the event was changed after signing");
	if (!m->has_ext || v->mode == PROV_CORE_ONLY)
		return PROV_VERIFIED;
	if (ce_ext_digest(w->md, &w->ev, m->names, m->namelen, m->nnames, w->scratch, d, &bad) < 0) {
		fail(f, "9", "");
		snprintf(f->msg, sizeof f->msg, "signed extension %.*s has no CloudEvents type",
		    (int)(m->namelen[bad] > 64 ? 64 : m->namelen[bad]), m->names[bad]);
		return PROV_FAILED;
	}
	if (memcmp(d, m->ext, sizeof d) != 0)
		return fail(f, "9", "ext digest differs: a signed extension was changed after signing");
	return PROV_VERIFIED;
}

static int
is_signed(const struct dsse_material *m, const struct ce_attr *a)
{
	int i;

	for (i = 0; i < m->nnames; i++)
		if (m->namelen[i] == a->namelen && memcmp(m->names[i], a->name, a->namelen) == 0)
			return 1;
	return 0;
}

#define NAME_IS(a, s) ((a)->namelen == strlen(s) && memcmp((a)->name, (s), (a)->namelen) == 0)

/* Whether a verified event keeps attribute a in mode; *unverified is set
   for an extension kept without being verified. */
static int
keeps(enum prov_mode mode, const struct dsse_material *m, const struct ce_attr *a, int *unverified)
{
	*unverified = 0;
	if (dsse_is_core_attr(a->name, a->namelen) || NAME_IS(a, "data") || NAME_IS(a, "data_base64") ||
	    NAME_IS(a, MATERIAL_NAME))
		return 1;
	if (mode == PROV_PASSTHROUGH && NAME_IS(a, PROV_MARK))
		return 0;   /* only ours may say what was not verified */
	if (mode != PROV_CORE_ONLY && m->has_ext && is_signed(m, a))
		return 1;
	*unverified = mode == PROV_PASSTHROUGH;
	return *unverified;
}

/* The verified event as the mode presents it: the line itself, or the
   members it keeps (as written) and the mark, in w->out. */
static void
present(const struct prov_verifier *v, struct prov_work *w, const struct dsse_material *m,
    const char *line, size_t len, const char **out, size_t *outlen)
{
	const struct ce_event *ev = &w->ev;
	const struct ce_attr *a;
	char *p, *mark;
	int i, unverified, kept = 0, marked = 0;

	grow(&w->out, &w->outsize, 2 * ev->len + 128);
	p = w->out;
	*p++ = '{';
	mark = w->out + ev->len + 64;   /* the names, gathered past the members */
	for (i = 0; i < ev->nattrs; i++) {
		a = &ev->attrs[i];
		if (!keeps(v->mode, m, a, &unverified))
			continue;
		if (kept++)
			*p++ = ',';
		memcpy(p, a->name - 1, (size_t)(a->val.p + a->val.len - (a->name - 1)));
		p += a->val.p + a->val.len - (a->name - 1);
		if (unverified) {
			if (marked++)
				*mark++ = ',';
			memcpy(mark, a->name, a->namelen);
			mark += a->namelen;
		}
	}
	if (kept == ev->nattrs && !marked) {
		*out = line;
		*outlen = len;
		return;
	}
	if (marked) {
		i = sprintf(p, ",\"%s\":\"", PROV_MARK);
		memmove(p + i, w->out + ev->len + 64, (size_t)(mark - (w->out + ev->len + 64)));
		p += i + (mark - (w->out + ev->len + 64));
		*p++ = '"';
	}
	*p++ = '}';
	*out = w->out;
	*outlen = (size_t)(p - w->out);
}

int
prov_verify_line(const struct prov_verifier *v, struct prov_work *w, const char *line, size_t len,
    const char **out, size_t *outlen, struct dsse_fail *f)
{
	const struct json_span *dm;
	struct dsse_envelope env;
	struct dsse_material m;
	struct ce_error err;
	size_t L, tn, envlen, plen;
	const char *t;
	char *pae;
	int st;

	grow(&w->scratch, &w->scratchsize, len + 64);
	if (!w->md)
		w->md = ce_digest_ctx_new();
	if (parse_event(w, line, len, &err) < 0)
		return fail(f, NULL, err.msg);
	dm = ce_get(&w->ev, MATERIAL_NAME, strlen(MATERIAL_NAME));
	if (!dm || (dm->type == JSON_STRING && dm->len == 2))
		return fail(f, "2", "no dssematerial: the event is not signed");
	if (dm->type != JSON_STRING)
		return fail(f, "3", "dssematerial is not a Binary value (a base64 string)");
	/* aux: the string's text, the envelope's bytes, the envelope's
	   scratch (twice its length), the payload's scratch, the PAE */
	L = dm->len;
	grow(&w->aux, &w->auxsize, 6 * L + 128);
	t = json_str(dm, w->aux, &tn);
	if (dsse_b64_decode((unsigned char *)w->aux + L, L, t, tn, &envlen) < 0)
		return fail(f, "3", "dssematerial is not base64");
	if (dsse_envelope_parse(&env, w->aux + L, envlen, w->aux + 2 * L, f) < 0 ||
	    dsse_material_parse(&m, env.payload, env.payloadlen, w->aux + 4 * L, f) < 0)
		return PROV_FAILED;
	pae = w->aux + 5 * L;
	plen = dsse_pae(pae, env.payload, env.payloadlen);
	if ((st = check_signatures(v, w, &env, pae, plen, f)) != PROV_VERIFIED ||
	    (st = check_digests(v, w, &m, f)) != PROV_VERIFIED)
		return st;
	present(v, w, &m, line, len, out, outlen);
	return PROV_VERIFIED;
}
