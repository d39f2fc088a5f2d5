/* sign-rate: the bare signature primitive's rate on one core, the limit
   flow-sign and flow-verify are measured against (bench/sign.sh).

   usage: sign-rate KEY.pem sign|verify COUNT
   Signs (or verifies) a 180-byte message, the size of a DSSE PAE of
   flow-sign's material, COUNT times, as an application calling the library
   would: OpenSSL's EVP_DigestSign / EVP_DigestVerify (SHA-256) for ECDSA
   P-256, libsodium's crypto_sign_detached / crypto_sign_verify_detached for
   Ed25519. Prints the operations per second. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
p256(EVP_PKEY *pkey, int verify, unsigned char *msg, long count)
{
	unsigned char sig[80];
	size_t siglen = sizeof sig;
	EVP_MD_CTX *ctx;
	long i;
	int ok = 1;

	for (i = 0; i < count; i++) {
		ctx = EVP_MD_CTX_new();
		if (!verify || i == 0) {
			siglen = sizeof sig;
			ok &= EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pkey) == 1 &&
			    EVP_DigestSign(ctx, sig, &siglen, msg, 180) == 1;
			if (verify) {
				EVP_MD_CTX_free(ctx);
				ctx = EVP_MD_CTX_new();
			}
		}
		if (verify)
			ok &= EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pkey) == 1 &&
			    EVP_DigestVerify(ctx, sig, siglen, msg, 180) == 1;
		EVP_MD_CTX_free(ctx);
		msg[i % 180] ^= verify ? 0 : 1;   /* a different message each time when signing */
	}
	return ok;
}

static int
ed25519(EVP_PKEY *pkey, int verify, unsigned char *msg, long count)
{
	unsigned char seed[32], pk[32], sk[64], sig[64];
	size_t n = sizeof seed;
	long i;
	int ok = 1;

	if (EVP_PKEY_get_raw_private_key(pkey, seed, &n) != 1)
		return 0;
	crypto_sign_seed_keypair(pk, sk, seed);
	crypto_sign_detached(sig, NULL, msg, 180, sk);
	for (i = 0; i < count; i++) {
		if (verify) {
			ok &= crypto_sign_verify_detached(sig, msg, 180, pk) == 0;
		} else {
			crypto_sign_detached(sig, NULL, msg, 180, sk);
			msg[i % 180] ^= 1;
		}
	}
	return ok;
}

int
main(int argc, char **argv)
{
	unsigned char msg[180];
	EVP_PKEY *pkey;
	FILE *f;
	double t0;
	long count;
	int verify, ok;

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
	memset(msg, 'x', sizeof msg);
	t0 = now();
	ok = EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519 ? ed25519(pkey, verify, msg, count) :
	    p256(pkey, verify, msg, count);
	printf("%.0f\n", count / (now() - t0));
	EVP_PKEY_free(pkey);
	return ok ? 0 : 70;
}
