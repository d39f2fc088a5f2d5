#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sodium.h>

#include "sigkey.h"

/* The order n of P-256, big-endian. */
static const unsigned char p256_order[32] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

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

/* The context of c for k (signing or verifying), made when missing: NULL
   when OpenSSL failed. */
static EVP_PKEY_CTX *
key_ctx(const struct sigkey *k, struct sigkey_ctx *c, int verify)
{
	EVP_PKEY_CTX **slots = verify ? c->verify : c->sign, *ctx;
	unsigned *made = verify ? &c->nverify : &c->nsign;
	int i;

	for (i = 0; i < SIGKEY_CTX_KEYS; i++)
		if (slots[i] && EVP_PKEY_CTX_get0_pkey(slots[i]) == k->pkey)
			return slots[i];
	ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
	if (!ctx || (verify ? EVP_PKEY_verify_init(ctx) : EVP_PKEY_sign_init(ctx)) != 1) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	i = (int)((*made)++ % SIGKEY_CTX_KEYS);
	EVP_PKEY_CTX_free(slots[i]);
	slots[i] = ctx;
	return ctx;
}

static int
sha256(struct sigkey_ctx *c, const void *msg, size_t n, unsigned char *digest)
{
	EVP_MD *sha;

	if (!c->sha) {
		sha = EVP_MD_fetch(NULL, "SHA256", NULL);
		if ((c->sha = EVP_MD_CTX_new()) == NULL || !sha || EVP_DigestInit_ex2(c->sha, sha, NULL) != 1) {
			EVP_MD_free(sha);
			return -1;
		}
		EVP_MD_free(sha);   /* the context holds its own reference */
	}
	return EVP_DigestInit_ex2(c->sha, NULL, NULL) == 1 && EVP_DigestUpdate(c->sha, msg, n) == 1 &&
	    EVP_DigestFinal_ex(c->sha, digest, NULL) == 1 ? 0 : -1;
}

/* The DER INTEGER at *pp (before end) as 32 bytes big-endian: 0, or -1. */
static int
der_int32(const unsigned char **pp, const unsigned char *end, unsigned char *out)
{
	const unsigned char *p = *pp;
	size_t n;

	if (end - p < 2 || p[0] != 0x02 || (n = p[1]) > (size_t)(end - p - 2))
		return -1;
	*pp = p + 2 + n;
	for (p += 2; n > 0 && *p == 0; n--)
		p++;
	if (n > 32)
		return -1;
	memset(out, 0, 32 - n);
	memcpy(out + 32 - n, p, n);
	return 0;
}

/* A 32-byte big-endian integer as DER at p (at most 35 bytes); past it. */
static unsigned char *
der_put_int32(unsigned char *p, const unsigned char *v)
{
	size_t skip = 0;

	while (skip < 31 && v[skip] == 0)
		skip++;
	*p++ = 0x02;
	*p++ = (unsigned char)(32 - skip + (v[skip] >= 0x80));
	if (v[skip] >= 0x80)
		*p++ = 0;
	memcpy(p, v + skip, 32 - skip);
	return p + 32 - skip;
}

/* The DER SEQUENCE of r and s OpenSSL signs with as r || s (64 bytes):
   0, or -1. (OpenSSL's DER is read and written here, not through
   ECDSA_SIG and BIGNUMs: they cost a few allocations each.) */
static int
der_to_raw(const unsigned char *der, size_t derlen, unsigned char *sig)
{
	const unsigned char *p = der + 2, *end = der + derlen;

	if (derlen < 2 || der[0] != 0x30 || der[1] != derlen - 2)
		return -1;
	return der_int32(&p, end, sig) == 0 && der_int32(&p, end, sig + 32) == 0 && p == end ? 0 : -1;
}

static int
p256_sign(const struct sigkey *k, struct sigkey_ctx *c, const void *msg, size_t n, unsigned char *sig)
{
	unsigned char digest[32], der[80];
	size_t derlen = sizeof der;
	EVP_PKEY_CTX *ctx = key_ctx(k, c, 0);

	if (!ctx || sha256(c, msg, n, digest) < 0 ||
	    EVP_PKEY_sign(ctx, der, &derlen, digest, sizeof digest) != 1 || der_to_raw(der, derlen, sig) < 0) {
		ERR_clear_error();
		return -1;
	}
	p256_low_s(sig + 32);
	return 0;
}

static int
p256_verify(const struct sigkey *k, struct sigkey_ctx *c, const void *msg, size_t n,
    const unsigned char *sig)
{
	unsigned char digest[32], der[2 + 2 * 35], *p = der + 2;
	EVP_PKEY_CTX *ctx = key_ctx(k, c, 1);
	int ok;

	p = der_put_int32(p, sig);
	p = der_put_int32(p, sig + 32);
	der[0] = 0x30;
	der[1] = (unsigned char)(p - der - 2);
	ok = ctx && sha256(c, msg, n, digest) == 0 &&
	    EVP_PKEY_verify(ctx, der, (size_t)(p - der), digest, sizeof digest) == 1;
	ERR_clear_error();
	return ok;
}

int
sigkey_sign_ctx(const struct sigkey *k, struct sigkey_ctx *c, const void *msg, size_t n,
    unsigned char *sig)
{
	if (k->alg == SIGKEY_ED25519)
		return crypto_sign_detached(sig, NULL, msg, n, k->ed_sk) == 0 ? 0 : -1;
	return p256_sign(k, c, msg, n, sig);
}

int
sigkey_verify_ctx(const struct sigkey *k, struct sigkey_ctx *c, const void *msg, size_t n,
    const unsigned char *sig, size_t siglen)
{
	if (siglen != SIGKEY_SIG_LEN)
		return 0;
	if (k->alg == SIGKEY_ED25519)
		return crypto_sign_verify_detached(sig, msg, n, k->ed_pk) == 0;
	return p256_verify(k, c, msg, n, sig);
}

int
sigkey_sign(const struct sigkey *k, const void *msg, size_t n, unsigned char *sig)
{
	struct sigkey_ctx c = { 0 };
	int r = sigkey_sign_ctx(k, &c, msg, n, sig);

	sigkey_ctx_free(&c);
	return r;
}

int
sigkey_verify(const struct sigkey *k, const void *msg, size_t n, const unsigned char *sig,
    size_t siglen)
{
	struct sigkey_ctx c = { 0 };
	int r = sigkey_verify_ctx(k, &c, msg, n, sig, siglen);

	sigkey_ctx_free(&c);
	return r;
}

void
sigkey_ctx_free(struct sigkey_ctx *c)
{
	int i;

	EVP_MD_CTX_free(c->sha);
	for (i = 0; i < SIGKEY_CTX_KEYS; i++) {
		EVP_PKEY_CTX_free(c->sign[i]);
		EVP_PKEY_CTX_free(c->verify[i]);
	}
	memset(c, 0, sizeof *c);
}

void
sigkey_free(struct sigkey *k)
{
	EVP_PKEY_free(k->pkey);
	sodium_memzero(k->ed_sk, sizeof k->ed_sk);
	k->pkey = NULL;
}
