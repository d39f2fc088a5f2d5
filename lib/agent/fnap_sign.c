/* The agent's signing of PUBLISHed events, and its key's DNS record. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dsse.h"
#include "flowstate.h"
#include "fnap.h"
#include "fnap_dnsreg.h"
#include "fnap_sign.h"
#include "provenance.h"
#include "util.h"

#define MATERIAL "dssematerial"
#define KEYS_DIR "keys"          /* STATE/keys/KEYID: the record last published */

struct signer {
	const struct fnap_namespace *ns;
	struct sigkey key;
	const char *keyids[1];
	char *extbuf;                /* the sign-key line's extensions, split */
	const char *exts[DSSE_MAX_EXTS];
	size_t extlens[DSSE_MAX_EXTS];
	struct prov_signer ps;
	struct prov_verifier pv;     /* its keyring made at the first event signed already */
	struct prov_work work;
	struct ce_event ev;          /* an event whose material is looked at */
	enum sign_record record;
	char why[320];
};

/* The record last published for keyid into was: 0, or -1 (none). */
static int
marker_read(const char *state, const char *keyid, char was[FLOWKEY_RECORD_MAX + 2])
{
	char path[FLOWSTATE_FILE_MAX];
	FILE *f;
	int r = -1;

	flowstate_file(state, KEYS_DIR, keyid, path);
	if (!(f = fopen(path, "r")))
		return -1;
	if (fgets(was, FLOWKEY_RECORD_MAX + 2, f)) {
		was[strcspn(was, "\n")] = '\0';
		r = 0;
	}
	fclose(f);
	return r;
}

static int
marker_fill(FILE *f, const void *record)
{
	return fprintf(f, "%s\n", (const char *)record) < 0 ? -1 : 0;
}

/* Publish the key's record unless the marker says it is there already. */
static enum sign_record
publish_record(const struct fnap_conf *conf, const struct signer *sg)
{
	const char *keyid = sg->ns->sign_keyid;
	char record[FLOWKEY_RECORD_MAX], was[FLOWKEY_RECORD_MAX + 2];
	enum sign_record st = SIGN_RECORD_UNCHANGED;
	int lock;

	if (!conf->dns_update)
		return SIGN_RECORD_UNCHANGED;
	if (flowkey_record_format(&sg->key, record) < 0) {
		warnmsg("sign-key: %s: the key cannot be written as a record", keyid);
		return SIGN_RECORD_FAILED;
	}
	/* concurrent sessions: one publishes, the others find its marker */
	if ((lock = flowstate_lock(conf->state, keyid)) < 0) {
		warnmsg("sign-key: %s: cannot take the lock: %s", keyid, strerror(errno));
		return SIGN_RECORD_FAILED;
	}
	if (marker_read(conf->state, keyid, was) < 0 || strcmp(was, record) != 0) {
		if (dnsreg_key(conf, keyid, record) < 0)
			st = SIGN_RECORD_FAILED;
		else {
			st = SIGN_RECORD_PUBLISHED;
			/* without it the next PUBLISH only publishes again */
			if (flowstate_file_replace(conf->state, KEYS_DIR, keyid, marker_fill, record) < 0)
				warnmsg("sign-key: %s: cannot record the publication: %s", keyid, strerror(errno));
		}
	}
	flowstate_unlock(lock);
	return st;
}

/* The extensions of ns's sign-key line into sg->ps: 0, or -1 with sg->why. */
static int
extensions(struct signer *sg, const struct fnap_namespace *ns)
{
	char *p, *w;
	const char *bad;

	if (!ns->sign_exts)
		return 0;
	p = sg->extbuf = xstrdup(ns->sign_exts);
	while ((w = fnap_word(&p))) {
		if (sg->ps.nexts == DSSE_MAX_EXTS) {
			snprintf(sg->why, sizeof sg->why, "more than %d extensions", DSSE_MAX_EXTS);
			return -1;
		}
		sg->exts[sg->ps.nexts] = w;
		sg->extlens[sg->ps.nexts++] = strlen(w);
	}
	sg->ps.exts = sg->exts;
	sg->ps.extlens = sg->extlens;
	if (prov_exts_check(sg->exts, sg->extlens, sg->ps.nexts, &bad) < 0) {
		snprintf(sg->why, sizeof sg->why, "its extensions: %s", bad);
		return -1;
	}
	return 0;
}

int
sign_open(const struct fnap_conf *conf, const char *flow, struct signer **out, struct result *r)
{
	const struct fnap_namespace *ns = fnap_conf_namespace(conf, flow);
	struct signer *sg;

	*out = NULL;
	if (!ns || !ns->sign_key)
		return 0;
	sg = xcalloc(1, sizeof *sg);
	if (sigkey_load(&sg->key, ns->sign_key, 1, sg->why, sizeof sg->why) < 0 ||
	    extensions(sg, ns) < 0) {
		warnmsg("sign-key: %s: %s", ns->sign_key, sg->why);
		if (sg->key.pkey)
			sigkey_free(&sg->key);
		free(sg->extbuf);
		free(sg);
		/* nothing is stored unsigned */
		return result_set(r, REPLY_RETRY, "cannot sign the flow's events now, retry");
	}
	sg->ns = ns;
	sg->keyids[0] = ns->sign_keyid;
	sg->ps.nkeys = 1;
	sg->ps.keys = &sg->key;
	sg->ps.keyids = sg->keyids;
	sg->record = publish_record(conf, sg);
	*out = sg;
	return 0;
}

enum sign_record
sign_record_state(const struct signer *sg)
{
	return sg->record;
}

const char *
sign_keyid(const struct signer *sg)
{
	return sg->ns->sign_keyid;
}

/* Whether a signature of env names a key id under the namespace. */
static int
names_namespace(const struct signer *sg, const struct dsse_envelope *env)
{
	char selector[DNSNAME_MAX + 1], ns[DNSNAME_MAX + 1];
	const char *why;
	int i;

	for (i = 0; i < env->nsigs; i++)
		if (flowkey_id_parse(env->sigs[i].keyid, env->sigs[i].keyidlen, selector, ns, &why) == 0 &&
		    strcmp(ns, sg->ns->name) == 0)
			return 1;
	return 0;
}

/* Whether the line's dssematerial names a key id of the namespace. Not
   an event, or material that does not parse: no (signing replaces it, or
   refuses the line). */
static int
claims_namespace(struct signer *sg, const char *line, size_t len)
{
	const struct json_span *dm;
	struct dsse_envelope env;
	struct dsse_fail f;
	struct ce_error err;
	size_t tn, envlen, L;
	const char *t;
	char *buf;
	int claims = 0;

	if (ce_parse(&sg->ev, line, len, 0, &err) < 0 ||
	    !(dm = ce_get(&sg->ev, MATERIAL, strlen(MATERIAL))) || dm->type != JSON_STRING)
		return 0;
	/* the string's text, the envelope's bytes, the envelope's scratch */
	L = dm->len;
	buf = xmalloc(4 * L + 64);
	t = json_str(dm, buf, &tn);
	if (dsse_b64_decode((unsigned char *)buf + L, L, t, tn, &envlen) == 0 &&
	    dsse_envelope_parse(&env, buf + L, envlen, buf + 2 * L, &f) == 0)
		claims = names_namespace(sg, &env);
	free(buf);
	return claims;
}

/* The namespace's own material: kept if it verifies with the key. */
static enum sign_answer
verify_own(struct signer *sg, const char *line, size_t len)
{
	struct dsse_fail f;
	const char *out, *bad;
	size_t outlen;

	if (!sg->pv.keys) {
		sg->pv.keys = keyring_new();
		if (keyring_set_namespace(sg->pv.keys, sg->ns->name, &bad) < 0 ||
		    keyring_add_file(sg->pv.keys, sg->ns->sign_keyid, sg->ns->sign_key, sg->why,
		    sizeof sg->why) < 0) {
			warnmsg("sign-key: %s: %s", sg->ns->sign_key, sg->why);
			keyring_free(sg->pv.keys);
			sg->pv.keys = NULL;
			snprintf(sg->why, sizeof sg->why, "its dssematerial cannot be verified now");
			return SIGN_REFUSED;
		}
	}
	if (prov_verify_line(&sg->pv, &sg->work, line, len, &out, &outlen, &f) == PROV_VERIFIED)
		return SIGN_KEPT;
	snprintf(sg->why, sizeof sg->why, "dssematerial under %.100s does not verify (step %.8s: %s)",
	    sg->ns->name, f.step ? f.step : "-", f.msg);
	return SIGN_REFUSED;
}

enum sign_answer
sign_line(struct signer *sg, const char *line, size_t len, const char **out, size_t *outlen,
    const char **why)
{
	*why = sg->why;
	/* most events come unsigned: no parse of their material */
	if (memmem(line, len, MATERIAL, strlen(MATERIAL)) && claims_namespace(sg, line, len))
		return verify_own(sg, line, len);
	if (prov_sign_line(&sg->ps, &sg->work, line, len, out, outlen, sg->why, sizeof sg->why) < 0)
		return SIGN_REFUSED;
	return SIGN_SIGNED;
}

void
sign_close(struct signer *sg)
{
	if (!sg)
		return;
	prov_work_free(&sg->work);
	if (sg->pv.keys)
		keyring_free(sg->pv.keys);
	sigkey_free(&sg->key);
	free(sg->extbuf);
	free(sg);
}
