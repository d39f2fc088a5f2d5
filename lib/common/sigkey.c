#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "sigkey.h"

/* The order n of P-256, big-endian. */
static const unsigned char p256_order[32] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

const char *
sigkey_alg_name(enum sigkey_alg alg)
{
	return alg == SIGKEY_P256 ? "p256" : "ed25519";
}

/* Take pkey as k if it is a P-256 or Ed25519 key: 0, or -1 with *why. */
static int
adopt(struct sigkey *k, EVP_PKEY *pkey, int is_private, const char **why)
{
	unsigned char seed[32];
	char group[32];
	size_t n = sizeof seed;

	memset(k, 0, sizeof *k);
	if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519) {
		k->alg = SIGKEY_ED25519;
		if (is_private) {
			if (EVP_PKEY_get_raw_private_key(pkey, seed, &n) != 1 || n != 32)
				goto bad;
			crypto_sign_seed_keypair(k->ed_pk, k->ed_sk, seed);
			sodium_memzero(seed, sizeof seed);
		} else if (EVP_PKEY_get_raw_public_key(pkey, k->ed_pk, &n) != 1 || n != 32) {
			goto bad;
		}
	} else if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC &&
	    EVP_PKEY_get_group_name(pkey, group, sizeof group, NULL) == 1 &&
	    strcmp(group, "prime256v1") == 0) {
		k->alg = SIGKEY_P256;
	} else {
		*why = "not an ECDSA P-256 or Ed25519 key";
		EVP_PKEY_free(pkey);
		return -1;
	}
	k->pkey = pkey;
	k->has_private = is_private;
	return 0;
bad:
	*why = "unreadable Ed25519 key";
	EVP_PKEY_free(pkey);
	return -1;
}

int
sigkey_load(struct sigkey *k, const char *path, int need_private, char *why, size_t whysize)
{
	EVP_PKEY *pkey = NULL;
	const char *reason = "no PEM private key in it";
	BIO *bio = BIO_new_file(path, "r");
	int is_private = 1;

	if (!bio) {
		snprintf(why, whysize, "%s", strerror(errno ? errno : EIO));
		return -1;
	}
	pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	if (!pkey && !need_private) {
		(void)BIO_reset(bio);
		pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
		is_private = 0;
		reason = "no PEM public or private key in it";
	}
	BIO_free(bio);
	ERR_clear_error();
	if (!pkey || adopt(k, pkey, is_private, &reason) < 0) {
		snprintf(why, whysize, "%s", reason);
		return -1;
	}
	return 0;
}

int
sigkey_from_spki(struct sigkey *k, const unsigned char *der, size_t n, const char **why)
{
	const unsigned char *p = der;
	EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, (long)n);

	ERR_clear_error();
	if (!pkey || p != der + n) {
		EVP_PKEY_free(pkey);
		*why = "not a DER SubjectPublicKeyInfo";
		return -1;
	}
	return adopt(k, pkey, 0, why);
}

long
sigkey_spki(const struct sigkey *k, unsigned char *der, size_t size)
{
	unsigned char *p = der;
	int n = i2d_PUBKEY(k->pkey, NULL);

	if (n <= 0 || (size_t)n > size || i2d_PUBKEY(k->pkey, &p) != n) {
		ERR_clear_error();
		return -1;
	}
	return n;
}

int
sigkey_write_pem(const struct sigkey *k, FILE *f)
{
	if (PEM_write_PUBKEY(f, k->pkey) != 1) {
		ERR_clear_error();
		return -1;
	}
	return 0;
}

/* s = n - s when s > n / 2, both 32 bytes big-endian. */
static void
p256_low_s(unsigned char *s)
{
	unsigned char half[32];
	int i, carry = 0, d;

	for (i = 0; i < 32; i++) {   /* half = n >> 1 */
		half[i] = (unsigned char)((p256_order[i] >> 1) | carry);
		carry = (p256_order[i] & 1) << 7;
	}
	if (memcmp(s, half, 32) <= 0)
		return;
	for (i = 31, carry = 0; i >= 0; i--) {
		d = p256_order[i] - s[i] - carry;
		carry = d < 0;
		s[i] = (unsigned char)(d + 256 * carry);
	}
}

static int
p256_sign(const struct sigkey *k, const void *msg, size_t n, unsigned char *sig)
{
	unsigned char digest[32], der[80];
	const unsigned char *p = der;
	size_t derlen = sizeof der;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
	ECDSA_SIG *es = NULL;
	int ok;

	crypto_hash_sha256(digest, msg, n);
	ok = ctx && EVP_PKEY_sign_init(ctx) == 1 &&
	    EVP_PKEY_sign(ctx, der, &derlen, digest, sizeof digest) == 1 &&
	    (es = d2i_ECDSA_SIG(NULL, &p, (long)derlen)) != NULL &&
	    BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, 32) == 32 &&
	    BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + 32, 32) == 32;
	ECDSA_SIG_free(es);
	EVP_PKEY_CTX_free(ctx);
	if (!ok) {
		ERR_clear_error();
		return -1;
	}
	p256_low_s(sig + 32);
	return 0;
}

static int
p256_verify(const struct sigkey *k, const void *msg, size_t n, const unsigned char *sig)
{
	unsigned char digest[32], *der = NULL;
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, 32, NULL), *s = BN_bin2bn(sig + 32, 32, NULL);
	EVP_PKEY_CTX *ctx = NULL;
	int derlen, ok = 0;

	if (es && r && s && ECDSA_SIG_set0(es, r, s) == 1) {
		r = s = NULL;   /* es owns them */
		derlen = i2d_ECDSA_SIG(es, &der);
		crypto_hash_sha256(digest, msg, n);
		ok = derlen > 0 && (ctx = EVP_PKEY_CTX_new(k->pkey, NULL)) != NULL &&
		    EVP_PKEY_verify_init(ctx) == 1 &&
		    EVP_PKEY_verify(ctx, der, (size_t)derlen, digest, sizeof digest) == 1;
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	OPENSSL_free(der);
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return ok;
}

int
sigkey_sign(const struct sigkey *k, const void *msg, size_t n, unsigned char *sig)
{
	if (k->alg == SIGKEY_ED25519)
		return crypto_sign_detached(sig, NULL, msg, n, k->ed_sk) == 0 ? 0 : -1;
	return p256_sign(k, msg, n, sig);
}

int
sigkey_verify(const struct sigkey *k, const void *msg, size_t n, const unsigned char *sig,
    size_t siglen)
{
	if (siglen != SIGKEY_SIG_LEN)
		return 0;
	if (k->alg == SIGKEY_ED25519)
		return crypto_sign_verify_detached(sig, msg, n, k->ed_pk) == 0;
	return p256_verify(k, msg, n, sig);
}

void
sigkey_free(struct sigkey *k)
{
	EVP_PKEY_free(k->pkey);
	sodium_memzero(k->ed_sk, sizeof k->ed_sk);
	k->pkey = NULL;
}
