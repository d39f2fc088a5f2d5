/* flowkey: the keys a verifier accepts, by key id: keys given as PEM files
   and, as DKIM publishes its keys, keys found in DNS. A key id found in DNS
   is the name <selector>._flowkey.<namespace> and its TXT record is

       v=FLOWKEY1; k=p256|ed25519; p=<base64 DER SubjectPublicKeyInfo>

   (tags separated by ';', blanks around them ignored, v first, unknown
   tags ignored, an empty p= a revoked key; the strings of one TXT record
   are joined, as DKIM does; two FLOWKEY1 records at one name are refused).
   With a namespace set, only key ids under _flowkey.<namespace> are
   accepted, from a file or from DNS: an organisation cannot sign for
   another.

   A keyring is one object, locked inside: threads may look keys up at
   the same time. Each key id is looked up in DNS once (answers, negative
   ones too, are kept for the keyring's life; at most KEYRING_MAX_CACHED,
   then the cache starts again). */
#ifndef FLOW_FLOWKEY_H
#define FLOW_FLOWKEY_H

#include <stddef.h>

#include "dnsname.h"
#include "dnsquery.h"
#include "keyid.h"
#include "sigkey.h"

#define KEYRING_MAX_CACHED 256

enum keyring_answer { KEY_FOUND, KEY_UNKNOWN, KEY_UNAVAILABLE };

struct keyring;

/* Parse a FLOWKEY1 TXT record's text into k: 0; 1 with *why when the
   record revokes its key (empty p=); -1 with *why when it is not valid. */
int flowkey_record_parse(const char *txt, size_t n, struct sigkey *k, const char **why);

/* The FLOWKEY1 record text of k's public key into out (FLOWKEY_RECORD_MAX
   bytes, NUL-terminated): its length, or -1 (OpenSSL failed). */
#define FLOWKEY_RECORD_MAX 256
long flowkey_record_format(const struct sigkey *k, char *out);

/* Look the FLOWKEY1 record at name (as flowkey_id_name makes it) up through
   res into *k: EX_FLOW_OK, else with *why EX_FLOW_NEGATIVE (no such name,
   no FLOWKEY1 record, a revoked key), EX_FLOW_DATAERR (a FLOWKEY1 record
   that is not valid, two of them) or EX_FLOW_UNAVAILABLE (no answer). */
int flowkey_lookup(struct resolver *res, const char *name, struct sigkey *k, const char **why);

struct keyring *keyring_new(void);
void keyring_free(struct keyring *kr);

/* Accept the key in a PEM file (public or private) under keyid: 0, or
   -1 with why. */
int keyring_add_file(struct keyring *kr, const char *keyid, const char *path, char *why,
    size_t whysize);

/* Look key ids up in DNS through a resolver made from o: 0, or -1 with *why. */
int keyring_use_dns(struct keyring *kr, const struct resolver_opts *o, const char **why);

/* Accept only key ids under _flowkey.ns: 0, or -1 with *why (not a name). */
int keyring_set_namespace(struct keyring *kr, const char *ns, const char **why);

/* The key for keyid[0..n): KEY_FOUND with *k (valid for the keyring's
   life), else why (whysize bytes): KEY_UNKNOWN (not acceptable, not found,
   revoked, bad record) or KEY_UNAVAILABLE (DNS did not answer). */
enum keyring_answer keyring_find(struct keyring *kr, const char *keyid, size_t n,
    const struct sigkey **k, char *why, size_t whysize);

#endif
