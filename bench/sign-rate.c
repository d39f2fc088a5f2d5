/* sign-rate: the bare signature primitive's rate on one core, the limit
   flow-sign and flow-verify are measured against (bench/sign.sh).

   usage: sign-rate KEY.pem sign|verify COUNT
   Signs (or verifies) COUNT messages the length of the DSSE PAE flow-sign
   makes for an event signed without -e (made by dsse.h, as flow-sign makes
   it), each message different (a verification's time depends on the
   signature's scalars: one signature verified over and over would let the
   processor learn its branches). The library is called as fast as it
   allows, as an application that keeps its contexts would: for ECDSA
   P-256 OpenSSL's SHA-256 and EVP_PKEY_sign / EVP_PKEY_verify on one
   context made once; for Ed25519 libsodium's crypto_sign_detached /
   crypto_sign_verify_detached with the expanded secret key made once
   (libsodium's Ed25519 is more than twice as fast as OpenSSL 3's: flow
   uses it). Prints the operations per second of processor time, which a
   loaded machine does not change as it does the elapsed time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "dsse.h"

#define RING 256   /* distinct messages and signatures, verified in turn */
#define SIG_MAX 80  /* a DER ECDSA P-256 signature, or Ed25519's 64 bytes */

struct signed_msg {
	unsigned char msg[200], sig[SIG_MAX];
	size_t siglen;
};

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The length of flow-sign's PAE of an event signed without extensions. */
static size_t
pae_len(void)
{
	struct dsse_material m = { .has_ext = 0 };
	char material[256], pae[256 + 80];

	return dsse_pae(pae, material, dsse_material_write(material, &m));
}

static int
p256_sign(EVP_PKEY_CTX *pk, EVP_MD_CTX *md, const EVP_MD *sha, struct signed_msg *s, size_t len)
{
	unsigned char digest[32];

	s->siglen = sizeof s->sig;
	return EVP_DigestInit_ex2(md, sha, NULL) == 1 && EVP_DigestUpdate(md, s->msg, len) == 1 &&
	    EVP_DigestFinal_ex(md, digest, NULL) == 1 &&
	    EVP_PKEY_sign(pk, s->sig, &s->siglen, digest, sizeof digest) == 1;
}

static int
p256_verify(EVP_PKEY_CTX *pk, EVP_MD_CTX *md, const EVP_MD *sha, const struct signed_msg *s, size_t len)
{
	unsigned char digest[32];

	return EVP_DigestInit_ex2(md, sha, NULL) == 1 && EVP_DigestUpdate(md, s->msg, len) == 1 &&
	    EVP_DigestFinal_ex(md, digest, NULL) == 1 &&
	    EVP_PKEY_verify(pk, s->sig, s->siglen, digest, sizeof digest) == 1;
}

/* Sign each message of ring; then, timed, sign or verify count of them in
   turn: the seconds, or -1 when the library failed. */
static double
p256(EVP_PKEY *pkey, int verify, struct signed_msg *ring, size_t len, long count)
{
	EVP_PKEY_CTX *sign = EVP_PKEY_CTX_new(pkey, NULL), *check = EVP_PKEY_CTX_new(pkey, NULL);
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_MD *sha = EVP_MD_fetch(NULL, "SHA256", NULL);
	double t0 = -1, secs = -1;
	long i;
	int ok = sign && check && md && sha && EVP_PKEY_sign_init(sign) == 1 &&
	    EVP_PKEY_verify_init(check) == 1;

	for (i = 0; ok && i < RING; i++)
		ok = p256_sign(sign, md, sha, &ring[i], len);
	if (ok)
		t0 = cpu_now();
	for (i = 0; ok && i < count; i++)
		ok = verify ? p256_verify(check, md, sha, &ring[i % RING], len) :
		    p256_sign(sign, md, sha, &ring[i % RING], len);
	if (ok)
		secs = cpu_now() - t0;
	EVP_PKEY_CTX_free(sign);
	EVP_PKEY_CTX_free(check);
	EVP_MD_CTX_free(md);
	EVP_MD_free(sha);
	return secs;
}

static double
ed25519(EVP_PKEY *pkey, int verify, struct signed_msg *ring, size_t len, long count)
{
	unsigned char seed[32], pk[32], sk[64];
	size_t n = sizeof seed;
	double t0;
	long i;
	int ok = 1;

	if (EVP_PKEY_get_raw_private_key(pkey, seed, &n) != 1)
		return -1;
	crypto_sign_seed_keypair(pk, sk, seed);
	for (i = 0; i < RING; i++)
		crypto_sign_detached(ring[i].sig, NULL, ring[i].msg, len, sk);
	t0 = cpu_now();
	for (i = 0; i < count; i++) {
		if (verify)
			ok &= crypto_sign_verify_detached(ring[i % RING].sig, ring[i % RING].msg, len, pk) == 0;
		else
			crypto_sign_detached(ring[i % RING].sig, NULL, ring[i % RING].msg, len, sk);
	}
	return ok ? cpu_now() - t0 : -1;
}

int
main(int argc, char **argv)
{
	static struct signed_msg ring[RING];
	size_t len = pae_len();
	EVP_PKEY *pkey;
	FILE *f;
	double secs;
	long count, i;
	int verify;

	if (argc != 4 || (strcmp(argv[2], "sign") != 0 && strcmp(argv[2], "verify") != 0) ||
	    (count = atol(argv[3])) <= 0) {
		fputs("usage: sign-rate KEY.pem sign|verify COUNT\n", stderr);
		return 64;
	}
	if (sodium_init() < 0 || !(f = fopen(argv[1], "r")) ||
	    !(pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL))) {
		fprintf(stderr, "sign-rate: %s: no PEM private key\n", argv[1]);
		return 78;
	}
	fclose(f);
	verify = strcmp(argv[2], "verify") == 0;
	for (i = 0; i < RING; i++)
		randombytes_buf(ring[i].msg, len);
	secs = EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519 ? ed25519(pkey, verify, ring, len, count) :
	    p256(pkey, verify, ring, len, count);
	EVP_PKEY_free(pkey);
	if (secs < 0) {
		fprintf(stderr, "sign-rate: %s: the library failed\n", argv[2]);
		return 70;
	}
	printf("%.0f\n", count / secs);
	return 0;
}
