#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsse.h"
#include "flowkey.h"
#include "util.h"

#define RECORD_MAX 2048   /* bytes of one joined TXT record */

struct key_entry {
	char *keyid;
	size_t len;
	int found;
	struct sigkey key;
	char why[96];         /* when not found */
};

struct keyring {
	pthread_mutex_t lock;
	struct key_entry *files;   /* given on the command line, never dropped */
	int nfiles;
	struct key_entry *cache;   /* from DNS */
	int ncached;
	struct resolver *res;      /* NULL: no DNS */
	char ns[DNSNAME_MAX + 1];  /* "" accepts any namespace */
};

/* The next "tag=value" of a tag list, blanks around both cut: 1, or 0 at
   the end; -1 when a non-empty tag has no '='. */
static int
next_tag(const char **pp, const char *end, const char **tag, size_t *taglen, const char **val,
    size_t *vallen)
{
	const char *p = *pp, *semi, *eq;

	while (p < end && (*p == ' ' || *p == '\t' || *p == ';'))
		p++;
	if (p >= end)
		return 0;
	if (!(semi = memchr(p, ';', (size_t)(end - p))))
		semi = end;
	*pp = semi;
	if (!(eq = memchr(p, '=', (size_t)(semi - p))))
		return -1;
	for (*tag = p, *taglen = (size_t)(eq - p); *taglen && (p[*taglen - 1] == ' ' || p[*taglen - 1] == '\t');)
		(*taglen)--;
	for (*val = eq + 1; *val < semi && (**val == ' ' || **val == '\t');)
		(*val)++;
	for (*vallen = (size_t)(semi - *val); *vallen && ((*val)[*vallen - 1] == ' ' ||
	    (*val)[*vallen - 1] == '\t');)
		(*vallen)--;
	return 1;
}

#define TAG_IS(t, tl, s) ((tl) == strlen(s) && memcmp((t), (s), (tl)) == 0)

int
flowkey_record_parse(const char *txt, size_t n, struct sigkey *k, const char **why)
{
	const char *p = txt, *end = txt + n, *tag, *val, *kv = NULL, *pv = NULL;
	size_t taglen, vallen, klen = 0, plen = 0, derlen;
	unsigned char der[512];
	int r, first = 1;

	while ((r = next_tag(&p, end, &tag, &taglen, &val, &vallen)) > 0) {
		if (first && !(TAG_IS(tag, taglen, "v") && TAG_IS(val, vallen, "FLOWKEY1"))) {
			*why = "not a FLOWKEY1 record (v=FLOWKEY1 first)";
			return -1;
		}
		if ((TAG_IS(tag, taglen, "k") && kv) || (TAG_IS(tag, taglen, "p") && pv)) {
			*why = "a tag repeated";
			return -1;
		}
		if (TAG_IS(tag, taglen, "k"))
			kv = val, klen = vallen;
		else if (TAG_IS(tag, taglen, "p"))
			pv = val, plen = vallen;
		first = 0;
	}
	if (r < 0 || first || !kv || !pv) {
		*why = r < 0 ? "a tag without '='" : "k= or p= missing";
		return -1;
	}
	if (plen == 0) {
		*why = "key revoked (empty p=)";
		return 1;
	}
	if (!TAG_IS(kv, klen, "p256") && !TAG_IS(kv, klen, "ed25519")) {
		*why = "k= is not p256 or ed25519";
		return -1;
	}
	if (dsse_b64_decode(der, sizeof der, pv, plen, &derlen) < 0) {
		*why = "p= is not base64 of at most 512 bytes";
		return -1;
	}
	if (sigkey_from_spki(k, der, derlen, why) < 0)
		return -1;
	if (!TAG_IS(kv, klen, sigkey_alg_name(k->alg))) {
		sigkey_free(k);
		*why = "k= does not name the key's algorithm";
		return -1;
	}
	return 0;
}

long
flowkey_record_format(const struct sigkey *k, char *out)
{
	unsigned char der[128];   /* P-256: 91 bytes, Ed25519: 44 */
	long n = sigkey_spki(k, der, sizeof der);
	int head;

	if (n < 0)
		return -1;
	head = snprintf(out, FLOWKEY_RECORD_MAX, "v=FLOWKEY1; k=%s; p=", sigkey_alg_name(k->alg));
	if (head + DSSE_B64_LEN((size_t)n) >= FLOWKEY_RECORD_MAX)
		return -1;
	return head + (long)dsse_b64_encode(out + head, der, (size_t)n);
}

struct keyring *
keyring_new(void)
{
	struct keyring *kr = xcalloc(1, sizeof *kr);

	pthread_mutex_init(&kr->lock, NULL);
	kr->cache = xcalloc(KEYRING_MAX_CACHED, sizeof *kr->cache);
	return kr;
}

static void
entries_free(struct key_entry *e, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		free(e[i].keyid);
		sigkey_free(&e[i].key);
	}
}

void
keyring_free(struct keyring *kr)
{
	if (!kr)
		return;
	entries_free(kr->files, kr->nfiles);
	entries_free(kr->cache, kr->ncached);
	free(kr->files);
	free(kr->cache);
	if (kr->res)
		resolver_close(kr->res);
	pthread_mutex_destroy(&kr->lock);
	free(kr);
}

int
keyring_add_file(struct keyring *kr, const char *keyid, const char *path, char *why, size_t whysize)
{
	struct key_entry *e;

	kr->files = xrealloc(kr->files, (kr->nfiles + 1) * sizeof *kr->files);
	e = &kr->files[kr->nfiles];
	memset(e, 0, sizeof *e);
	if (sigkey_load(&e->key, path, 0, why, whysize) < 0)
		return -1;
	e->keyid = xstrdup(keyid);
	e->len = strlen(keyid);
	e->found = 1;
	kr->nfiles++;
	return 0;
}

int
keyring_use_dns(struct keyring *kr, const struct resolver_opts *o, const char **why)
{
	return (kr->res = resolver_open(o, why)) ? 0 : -1;
}

int
keyring_set_namespace(struct keyring *kr, const char *ns, const char **why)
{
	return dnsname_parse(ns, strlen(ns), kr->ns, why);
}

/* Join the character strings of a TXT record into out (RECORD_MAX bytes):
   its length, or -1 when malformed or too long. */
static long
txt_join(const ns_rr *rr, char *out)
{
	const unsigned char *p = ns_rr_rdata(*rr), *end = p + ns_rr_rdlen(*rr);
	size_t n = 0, len;

	for (; p < end; p += len) {
		len = *p++;
		if (len > (size_t)(end - p) || n + len > RECORD_MAX)
			return -1;
		memcpy(out + n, p, len);
		n += len;
	}
	return (long)n;
}

int
flowkey_lookup(struct resolver *res, const char *name, struct sigkey *k, const char **why)
{
	char txt[RECORD_MAX];
	int i = 0, st, records = 0, parsed = -1;
	long n;
	ns_msg m;
	ns_rr rr;

	if ((st = dns_query(res, name, ns_t_txt, &m, why)) == EX_FLOW_UNAVAILABLE)
		return st;
	while (st == EX_FLOW_OK && dns_next_record(&m, &i, ns_t_txt, &rr)) {
		if ((n = txt_join(&rr, txt)) < 0 || n < 10 || memcmp(txt, "v=FLOWKEY1", 10) != 0)
			continue;
		if (++records > 1) {
			if (parsed == 0)
				sigkey_free(k);
			*why = "more than one FLOWKEY1 record";
			return EX_FLOW_DATAERR;
		}
		parsed = flowkey_record_parse(txt, (size_t)n, k, why);
	}
	if (records == 0) {
		*why = "no FLOWKEY1 record in DNS";
		return EX_FLOW_NEGATIVE;
	}
	return parsed == 0 ? EX_FLOW_OK : parsed > 0 ? EX_FLOW_NEGATIVE : EX_FLOW_DATAERR;
}

static struct key_entry *
lookup(struct key_entry *e, int n, const char *keyid, size_t len)
{
	int i;

	for (i = 0; i < n; i++)
		if (e[i].len == len && memcmp(e[i].keyid, keyid, len) == 0)
			return &e[i];
	return NULL;
}

/* With kr locked: the entry for keyid into *ep, looked up in DNS if need
   be, or why. */
static enum keyring_answer
find_locked(struct keyring *kr, const char *keyid, size_t n, struct key_entry **ep, char *why,
    size_t whysize)
{
	struct key_entry *e;
	char name[DNSNAME_MAX + 1];
	const char *bad;

	if ((e = lookup(kr->files, kr->nfiles, keyid, n)) || (e = lookup(kr->cache, kr->ncached, keyid, n))) {
		*ep = e;
		return e->found ? KEY_FOUND : KEY_UNKNOWN;
	}
	if (!kr->res) {
		snprintf(why, whysize, "no key given for it");
		return KEY_UNKNOWN;
	}
	if (kr->ncached == KEYRING_MAX_CACHED) {
		/* keys handed out stay valid, so none is dropped: memory stays
		   bounded by refusing new key ids past the limit */
		snprintf(why, whysize, "more than %d key ids looked up", KEYRING_MAX_CACHED);
		return KEY_UNKNOWN;
	}
	e = &kr->cache[kr->ncached];
	memset(e, 0, sizeof *e);
	if (flowkey_id_name(keyid, n, name, &bad) < 0) {
		snprintf(e->why, sizeof e->why, "%s", bad);
	} else {
		switch (flowkey_lookup(kr->res, name, &e->key, &bad)) {
		case EX_FLOW_UNAVAILABLE:
			snprintf(why, whysize, "DNS: %s", bad);
			return KEY_UNAVAILABLE;   /* not kept: the next event asks again */
		case EX_FLOW_OK:
			e->found = 1;
			break;
		default:
			snprintf(e->why, sizeof e->why, "%s", bad);
		}
	}
	e->keyid = xmalloc(n + 1);   /* a decoded key id may hold a NUL */
	memcpy(e->keyid, keyid, n);
	e->len = n;
	kr->ncached++;
	*ep = e;
	return e->found ? KEY_FOUND : KEY_UNKNOWN;
}

enum keyring_answer
keyring_find(struct keyring *kr, const char *keyid, size_t n, const struct sigkey **k, char *why,
    size_t whysize)
{
	char selector[DNSNAME_MAX + 1], ns[DNSNAME_MAX + 1];
	struct key_entry *e = NULL;
	enum keyring_answer a;
	const char *bad;

	if (kr->ns[0] && (flowkey_id_parse(keyid, n, selector, ns, &bad) < 0 || strcmp(ns, kr->ns) != 0)) {
		snprintf(why, whysize, "not under _flowkey.%s", kr->ns);
		return KEY_UNKNOWN;
	}
	pthread_mutex_lock(&kr->lock);
	a = find_locked(kr, keyid, n, &e, why, whysize);
	if (a == KEY_FOUND)
		*k = &e->key;
	else if (e)
		snprintf(why, whysize, "%s", e->why);
	pthread_mutex_unlock(&kr->lock);
	return a;
}
