/* sigkey: the signature keys of flow's provenance: ECDSA P-256 with SHA-256
   (signatures as the raw 64 bytes r || s, as the Verifiability spec's test
   vectors have them) and Ed25519 (plain, over the message). Keys come from
   PEM files as `openssl genpkey` and `openssl pkey -pubout` write them, or
   from the DER SubjectPublicKeyInfo of a DNS key record.

   A key is read-only once loaded: threads may sign and verify with one key
   at the same time. P-256 signatures are made with a low s (s <= n/2), and
   either form is accepted (doc/choices.md). OpenSSL holds the keys,
   libsodium computes Ed25519. */
#ifndef FLOW_SIGKEY_H
#define FLOW_SIGKEY_H

#include <stddef.h>
#include <stdio.h>

#include <openssl/evp.h>

#define SIGKEY_SIG_LEN 64   /* both algorithms */

enum sigkey_alg { SIGKEY_P256, SIGKEY_ED25519 };

struct sigkey {
	enum sigkey_alg alg;
	EVP_PKEY *pkey;
	int has_private;
	unsigned char ed_sk[64];   /* libsodium's secret key (seed and public key) */
	unsigned char ed_pk[32];
};

/* Read a PEM key file: a private key (PKCS#8 or SEC1), or with
   need_private == 0 also a public key. 0, or -1 with why. */
int sigkey_load(struct sigkey *k, const char *path, int need_private, char *why, size_t whysize);

/* A public key from DER SubjectPublicKeyInfo: 0, or -1 with *why. */
int sigkey_from_spki(struct sigkey *k, const unsigned char *der, size_t n, const char **why);

/* k's public key as DER SubjectPublicKeyInfo into der (size bytes): its
   length, or -1 (too small, or OpenSSL failed). */
long sigkey_spki(const struct sigkey *k, unsigned char *der, size_t size);

/* k's public key as a PEM block ("PUBLIC KEY", as `openssl pkey -pubout`
   writes it) on f: 0, or -1. */
int sigkey_write_pem(const struct sigkey *k, FILE *f);

/* "p256" or "ed25519", as DNS key records name them (inline: a program
   that loads OpenSSL when needed has it before). */
static inline const char *
sigkey_alg_name(enum sigkey_alg alg)
{
	return alg == SIGKEY_P256 ? "p256" : "ed25519";
}

/* Sign msg[0..n) into sig (SIGKEY_SIG_LEN bytes): 0, or -1 (OpenSSL failed). */
int sigkey_sign(const struct sigkey *k, const void *msg, size_t n, unsigned char *sig);

/* 1 if sig[0..siglen) is k's signature of msg[0..n), else 0. */
int sigkey_verify(const struct sigkey *k, const void *msg, size_t n, const unsigned char *sig,
    size_t siglen);

/* One thread's OpenSSL contexts for P-256 keys, kept from one signature to
   the next, since making them for each cost a tenth of the signature: a
   SHA-256 context and a few keys' signing and verifying contexts, made at
   a key's first use (the oldest dropped when more keys come). A context
   holds a reference to its key, so a key freed and another loaded at its
   address never finds the old one's. All zero is an empty one. */
#define SIGKEY_CTX_KEYS 4

struct sigkey_ctx {
	EVP_MD_CTX *sha;
	EVP_PKEY_CTX *sign[SIGKEY_CTX_KEYS], *verify[SIGKEY_CTX_KEYS];
	unsigned nsign, nverify;   /* contexts made, ever: the next slot to fill */
};

/* sigkey_sign and sigkey_verify with the contexts of c. */
int sigkey_sign_ctx(const struct sigkey *k, struct sigkey_ctx *c, const void *msg, size_t n,
    unsigned char *sig);
int sigkey_verify_ctx(const struct sigkey *k, struct sigkey_ctx *c, const void *msg, size_t n,
    const unsigned char *sig, size_t siglen);

void sigkey_ctx_free(struct sigkey_ctx *c);

void sigkey_free(struct sigkey *k);

#endif
