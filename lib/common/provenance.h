/* provenance: sign and verify one event line per the CloudEvents
   Verifiability extension (conformance/verifiability.md), with the keys of
   sigkey.h and keyring of flowkey.h. A signer and a verifier are read-only
   once set up and hold no global state: threads (and later the agent) call
   prov_sign_line and prov_verify_line on them at the same time, each with
   its own struct prov_work for buffers.

   Signing adds "dssematerial" before the line's closing brace (or replaces
   the value of one already there: re-signing) and leaves every other byte
   of the line as it was. Verifying runs the spec's Verification Protocol
   in order; a failure names the step (struct dsse_fail; step NULL when the
   line is not a valid event at all). What a verified event becomes depends
   on the mode: strict keeps the core attributes, the data, the verified
   extensions and dssematerial; core-only drops every extension but
   dssematerial; passthrough keeps all and marks the unverified extensions
   by adding the String extension "dsseunverified", their names separated
   by commas (any such member the line had is dropped first). A line
   nothing was dropped from is passed on byte for byte. */
#ifndef FLOW_PROVENANCE_H
#define FLOW_PROVENANCE_H

#include <stddef.h>

#include <openssl/evp.h>

#include "ce.h"
#include "dsse.h"
#include "flowkey.h"
#include "sigkey.h"

#define PROV_MARK "dsseunverified"

enum prov_mode { PROV_STRICT, PROV_PASSTHROUGH, PROV_CORE_ONLY };

struct prov_signer {
	int nkeys;
	const struct sigkey *keys;
	const char *const *keyids;
	int nexts;                      /* extensions to sign, in order */
	const char *const *exts;
	const size_t *extlens;
};

struct prov_verifier {
	enum prov_mode mode;
	struct keyring *keys;
};

/* Buffers of one thread, grown as lines need (at most a few times the
   longest line). */
struct prov_work {
	struct ce_event ev;
	EVP_MD_CTX *md;                 /* SHA-256, made at first use */
	char *scratch, *aux, *out, *copy;
	size_t scratchsize, auxsize, outsize, copysize;
	struct sigkey_ctx keyctx;       /* OpenSSL's, kept from one line to the next */
};

void prov_work_free(struct prov_work *w);

/* 0 if names (the -e list) may be signed, or -1 with *why. */
int prov_exts_check(const char *const *names, const size_t *lens, int n, const char **why);

/* Sign line[0..len): 0 with *out, *outlen (in w, valid until its next use),
   or -1 with why (whysize bytes): not an event, an extension without a
   CloudEvents type, OpenSSL failing. */
int prov_sign_line(const struct prov_signer *s, struct prov_work *w, const char *line, size_t len,
    const char **out, size_t *outlen, char *why, size_t whysize);

enum { PROV_VERIFIED = 0, PROV_FAILED = -1, PROV_UNAVAILABLE = -2 };

/* Verify line[0..len): PROV_VERIFIED with *out, *outlen; PROV_FAILED with
   f; PROV_UNAVAILABLE with f when a key could not be looked up (DNS). */
int prov_verify_line(const struct prov_verifier *v, struct prov_work *w, const char *line,
    size_t len, const char **out, size_t *outlen, struct dsse_fail *f);

#endif
