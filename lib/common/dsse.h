/* dsse: the data of the CloudEvents Verifiability extension (DSSE v1.0.2),
   without keys: base64 (standard or URL-safe, padded or not, read; standard
   and padded, written), the DSSE pre-authentication encoding (PAE), the
   envelope and the VERIFICATION_MATERIAL JSON object, read and written.

   Readers take untrusted bytes: every failure is reported as the step of the
   spec's Verification Protocol it belongs to ("3", "4", "5", "6", "6.2",
   "6.3", "6.4", "6.5") and a short reason, in struct dsse_fail. Nothing is
   allocated: parsed text points into the caller's buffers, and what must be
   decoded goes into a scratch buffer the caller sizes to the input. */
#ifndef FLOW_DSSE_H
#define FLOW_DSSE_H

#include <stddef.h>

#include "json.h"

#define DSSE_PAYLOAD_TYPE "https://cloudevents.io/verifiability/dsse/v0.1"
#define DSSE_DIGEST_LEN 32
#define DSSE_MAX_EXTS 64       /* names in signedextattrs */
#define DSSE_MAX_NAME 255      /* bytes of one such name */
#define DSSE_MAX_SIGS 16       /* signatures in one envelope */
#define DSSE_MAX_KEYID 255     /* bytes of one keyid */
#define DSSE_MAX_SIG 128       /* bytes of one raw signature */

struct dsse_fail {
	const char *step;      /* of the Verification Protocol */
	char msg[160];
};

struct dsse_material {
	unsigned char core[DSSE_DIGEST_LEN];
	unsigned char ext[DSSE_DIGEST_LEN];
	int has_ext;                         /* ext and signedextattrs present */
	int nnames;
	const char *names[DSSE_MAX_EXTS];    /* decoded, in the order given */
	size_t namelen[DSSE_MAX_EXTS];
};

struct dsse_signature {
	const char *keyid;   /* decoded, no NUL */
	size_t keyidlen;
	unsigned char sig[DSSE_MAX_SIG];
	size_t siglen;
};

struct dsse_envelope {
	const unsigned char *payload;   /* decoded payload bytes */
	size_t payloadlen;
	int nsigs;
	struct dsse_signature sigs[DSSE_MAX_SIGS];
};

/* Length of the base64 text (padded, no NUL) of n bytes. */
#define DSSE_B64_LEN(n) ((((n) + 2) / 3) * 4)

/* Standard padded base64 of in[0..n) into out (DSSE_B64_LEN(n) + 1 bytes,
   NUL-terminated); returns the length. */
size_t dsse_b64_encode(char *out, const void *in, size_t n);

/* Decode base64 text (standard or URL-safe alphabet, with or without its
   padding, no white space, pad bits zero) into out (room for outmax
   bytes); 0 with *outlen, or -1. */
int dsse_b64_decode(unsigned char *out, size_t outmax, const char *in, size_t n, size_t *outlen);

/* The PAE of DSSE v1.0.2 for the CloudEvents payload type over body:
   "DSSEv1 47 <type> <len> <body>" into out (n + 80 bytes); its length. */
size_t dsse_pae(char *out, const void *body, size_t n);

/* The next member of a JSON object or element of an array that
   json_scan_value validated (*pp inside it: after the opening bracket or a
   previous value): 1 with *name (objects only) and *val, or 0 at its end. */
int dsse_json_next(const char **pp, const char *end, int is_object, struct json_span *name,
    struct json_span *val);

/* Check a list of extension names against the signedextattrs rules (no
   repetition, no core attribute, not dssematerial): 0, or -1 with *why. */
int dsse_names_check(const char *const *names, const size_t *lens, int n, const char **why);

/* 1 if name[0..len) is one of the eight core context attributes. */
int dsse_is_core_attr(const char *name, size_t len);

/* Parse the decoded envelope JSON text (steps 3-5, and the payload's and
   signatures' base64): 0, or -1 with f. scratch holds 2 * n bytes; e points
   into it. */
int dsse_envelope_parse(struct dsse_envelope *e, const char *text, size_t n, char *scratch,
    struct dsse_fail *f);

/* Parse the payload bytes as VERIFICATION_MATERIAL (steps 6-6.5): 0, or -1
   with f. scratch holds n bytes; m's names point into it or into payload. */
int dsse_material_parse(struct dsse_material *m, const unsigned char *payload, size_t n,
    char *scratch, struct dsse_fail *f);

/* Write m as compact JSON into out; room needed: dsse_material_size(m). */
size_t dsse_material_size(const struct dsse_material *m);
size_t dsse_material_write(char *out, const struct dsse_material *m);

/* Write the envelope JSON for payload and nsigs signatures (keyid, raw
   signature) into out; room needed: dsse_envelope_size(). */
size_t dsse_envelope_size(size_t payloadlen, const struct dsse_signature *sigs, int nsigs);
size_t dsse_envelope_write(char *out, const void *payload, size_t payloadlen,
    const struct dsse_signature *sigs, int nsigs);

#endif
