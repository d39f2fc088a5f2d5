/* libFuzzer target: flow-verify's reading of untrusted material. The first
   byte picks what the rest is:
     even  a DSSE envelope's JSON text, read as flow-verify reads it
           (dsse_envelope_parse, then dsse_material_parse on its payload);
           what reads must write back and read again the same
     odd   an event line, verified (prov_verify_line, in the three modes)
           and signed (prov_sign_line); what flow-sign signs must verify,
           and in strict mode a verified line verifies again.
   The key is a fixed Ed25519 key made in the program. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <unistd.h>
#include <sodium.h>

#include "dsse.h"
#include "provenance.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sigkey key;
static struct keyring *ring;
static struct prov_work work, again;

static void
setup(void)
{
	static const unsigned char seed[32] = { 1, 2, 3 };
	static char pem[] = "/tmp/verify-fuzz-key.XXXXXX";
	unsigned char pk[32], sk[64];
	EVP_PKEY *p;
	FILE *f;
	char why[160];
	int fd;

	if (sodium_init() < 0)
		abort();
	crypto_sign_seed_keypair(pk, sk, seed);
	p = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
	if ((fd = mkstemp(pem)) < 0 || !(f = fdopen(fd, "w")) || !p ||
	    !PEM_write_PrivateKey(f, p, NULL, NULL, 0, NULL, NULL))
		abort();
	fclose(f);
	EVP_PKEY_free(p);
	if (sigkey_load(&key, pem, 1, why, sizeof why) < 0)
		abort();
	ring = keyring_new();
	if (keyring_add_file(ring, "k._flowkey.example.com", pem, why, sizeof why) < 0)
		abort();
	unlink(pem);
}

static void
envelope(const char *text, size_t n)
{
	static char scratch[8192], scratch2[4096], out[16384], scratch3[32768];
	struct dsse_envelope e, e2;
	struct dsse_material m, m2;
	struct dsse_fail f;
	size_t len;
	int i;

	if (n > 4096 || dsse_envelope_parse(&e, text, n, scratch, &f) < 0)
		return;
	len = dsse_envelope_write(out, e.payload, e.payloadlen, e.sigs, e.nsigs);
	if (len > dsse_envelope_size(e.payloadlen, e.sigs, e.nsigs) ||
	    dsse_envelope_parse(&e2, out, len, scratch3, &f) < 0 || e2.nsigs != e.nsigs ||
	    e2.payloadlen != e.payloadlen || memcmp(e2.payload, e.payload, e.payloadlen) != 0)
		abort();
	for (i = 0; i < e.nsigs; i++)
		if (e2.sigs[i].siglen != e.sigs[i].siglen || e2.sigs[i].keyidlen != e.sigs[i].keyidlen ||
		    memcmp(e2.sigs[i].sig, e.sigs[i].sig, e.sigs[i].siglen) != 0)
			abort();
	if (dsse_material_parse(&m, e.payload, e.payloadlen, scratch2, &f) < 0)
		return;
	len = dsse_material_write(out, &m);
	if (len > dsse_material_size(&m) ||
	    dsse_material_parse(&m2, (unsigned char *)out, len, scratch3, &f) < 0 ||
	    memcmp(m.core, m2.core, 32) != 0 || m.has_ext != m2.has_ext || m.nnames != m2.nnames ||
	    (m.has_ext && memcmp(m.ext, m2.ext, 32) != 0))
		abort();
}

static void
event(const char *line, size_t n)
{
	static const char *const exts[] = { "exta", "extb" };
	static const size_t extlens[] = { 4, 4 };
	static const char *const ids[] = { "k._flowkey.example.com" };
	struct prov_signer s = { 1, &key, ids, (int)(n % 3), exts, extlens };
	struct prov_verifier v = { PROV_STRICT, ring };
	struct dsse_fail f;
	const char *out, *out2;
	size_t len, len2;
	char why[200];
	int mode;

	for (mode = PROV_STRICT; mode <= PROV_CORE_ONLY; mode++) {
		v.mode = mode;
		if (prov_verify_line(&v, &work, line, n, &out, &len, &f) == PROV_VERIFIED && mode == PROV_STRICT) {
			/* what strict mode passes on verifies again, unchanged */
			if (prov_verify_line(&v, &again, out, len, &out2, &len2, &f) != PROV_VERIFIED ||
			    len2 != len || memcmp(out, out2, len) != 0)
				abort();
		}
	}
	if (prov_sign_line(&s, &work, line, n, &out, &len, why, sizeof why) < 0)
		return;
	v.mode = PROV_PASSTHROUGH;
	if (prov_verify_line(&v, &again, out, len, &out2, &len2, &f) != PROV_VERIFIED)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ring)
		setup();
	if (size == 0 || size > CE_LINE_MAX)
		return 0;
	if (data[0] & 1)
		event((const char *)data + 1, size - 1);
	else
		envelope((const char *)data + 1, size - 1);
	return 0;
}
