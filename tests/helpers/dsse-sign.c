/* dsse-sign: make dssematerial for any payload, for tests of flow-verify
   that need well-signed material flow-sign would never make (the spec's
   defense-in-depth cases), and look at the signatures of material.

   dsse-sign [-H] KEY.pem KEYID < PAYLOAD   the base64 dssematerial of a DSSE
                                            envelope over PAYLOAD; -H: a P-256
                                            signature with the high s (n - s)
   dsse-sign -s < DSSEMATERIAL              "low" or "high" for each P-256
                                            signature's s */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "dsse.h"
#include "sigkey.h"

#define MAX 65536

static const unsigned char order[32] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

static void
negate(unsigned char *s)
{
	int i, d, borrow = 0;

	for (i = 31; i >= 0; i--) {
		d = order[i] - s[i] - borrow;
		borrow = d < 0;
		s[i] = (unsigned char)(d + 256 * borrow);
	}
}

static int
show_s(const char *in, size_t n)
{
	static char env[MAX], scratch[2 * MAX];
	struct dsse_envelope e;
	struct dsse_fail f;
	size_t len;
	int i, j, high;

	if (dsse_b64_decode((unsigned char *)env, sizeof env, in, n, &len) < 0 ||
	    dsse_envelope_parse(&e, env, len, scratch, &f) < 0) {
		fputs("dsse-sign: not dssematerial\n", stderr);
		return 65;
	}
	for (i = 0; i < e.nsigs; i++) {
		/* s > n/2 when 2s > n: compare s with the halved order */
		for (j = 0, high = 0; j < 32; j++) {
			unsigned h = (order[j] >> 1) | (j ? (order[j - 1] & 1) << 7 : 0);
			if (e.sigs[i].sig[32 + j] != h) {
				high = e.sigs[i].sig[32 + j] > h;
				break;
			}
		}
		puts(high ? "high" : "low");
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static char in[MAX], pae[MAX + 80], env[4 * MAX], b64[6 * MAX];
	struct dsse_signature sig;
	struct sigkey k;
	char why[160];
	size_t n = 0, len;
	ssize_t r;
	int high = argc > 1 && strcmp(argv[1], "-H") == 0;

	while ((r = read(0, in + n, sizeof in - n)) > 0)
		n += (size_t)r;
	if (sodium_init() < 0)
		return 70;
	if (argc == 2 && strcmp(argv[1], "-s") == 0)
		return show_s(in, n && in[n - 1] == '\n' ? n - 1 : n);
	if (argc != 3 + high) {
		fputs("usage: dsse-sign [-H] KEY.pem KEYID < PAYLOAD | dsse-sign -s < DSSEMATERIAL\n", stderr);
		return 64;
	}
	if (sigkey_load(&k, argv[1 + high], 1, why, sizeof why) < 0) {
		fprintf(stderr, "dsse-sign: %s: %s\n", argv[1 + high], why);
		return 78;
	}
	len = dsse_pae(pae, in, n);
	if (sigkey_sign(&k, pae, len, sig.sig) < 0)
		return 70;
	if (high && k.alg == SIGKEY_P256)
		negate(sig.sig + 32);
	sig.siglen = SIGKEY_SIG_LEN;
	sig.keyid = argv[2 + high];
	sig.keyidlen = strlen(sig.keyid);
	len = dsse_envelope_write(env, in, n, &sig, 1);
	dsse_b64_encode(b64, env, len);
	puts(b64);
	sigkey_free(&k);
	return 0;
}
