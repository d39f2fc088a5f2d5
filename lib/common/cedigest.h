/* cedigest: what a CloudEvents Verifiability signature covers, computed
   from a parsed event (ce.h): CORE_DIGEST over the eight core attributes
   and the data, EXT_DIGEST over named extension attributes, each value
   serialized by the spec's canonical rules.

   Choices where the spec is open (doc/choices.md): JSON data is hashed as
   the value's text exactly as written in the line, data_base64 as its
   decoded bytes, no data as no bytes; an extension's type is read off its
   JSON: a string is a String (hashed as its UTF-8 text), true/false a
   Boolean, an integral number in the 32-bit range an Integer; anything
   else has no CloudEvents type and cannot be hashed. The time is cut to
   the second in UTC; the validator already took only RFC 3339 with an
   offset. scratch holds at least the event line's length. */
#ifndef FLOW_CEDIGEST_H
#define FLOW_CEDIGEST_H

#include <stddef.h>

#include <openssl/evp.h>

#include "ce.h"

#define CE_DIGEST_LEN 32
#define CE_TIME_CANONICAL_LEN 20   /* YYYY-MM-DDTHH:MM:SSZ */

/* "YYYY-MM-DDTHH:MM:SSZ" (and a NUL) for an RFC 3339 time: 0, or -1 when
   it is not one or lies outside 1677-2262. */
int ce_time_canonical(const char *s, size_t n, char out[CE_TIME_CANONICAL_LEN + 1]);

/* The canonical bytes of an extension value: 0 with *p, *n (into the line
   or scratch), or -1 when its JSON has no CloudEvents type. */
int ce_ext_canonical(const struct json_span *v, char *scratch, const char **p, size_t *n);

/* A SHA-256 context for the digests below, one per thread (free it with
   EVP_MD_CTX_free). */
EVP_MD_CTX *ce_digest_ctx_new(void);

/* CORE_DIGEST of ev: 0, or -1 with *why. */
int ce_core_digest(EVP_MD_CTX *md, const struct ce_event *ev, char *scratch, unsigned char out[CE_DIGEST_LEN],
    const char **why);

/* EXT_DIGEST of ev over the n names (absent ones hash as empty): 0, or -1
   when the one at index *bad has no CloudEvents type; at most CE_MAX_ATTRS. */
int ce_ext_digest(EVP_MD_CTX *md, const struct ce_event *ev, const char *const *names, const size_t *lens, int n,
    char *scratch, unsigned char out[CE_DIGEST_LEN], int *bad);

#endif
