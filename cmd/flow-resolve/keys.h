/* keys: flow-resolve's signing keys in DNS. It prints the key a key id
   names (its FLOWKEY1 TXT record, flowkey.h), and writes the nsupdate
   script that publishes a key from a PEM file, or removes it. Messages go
   to standard error as "flow-resolve: NAME: reason"; the functions return
   flow-resolve's exit status and never exit. */
#ifndef FLOW_RESOLVE_KEYS_H
#define FLOW_RESOLVE_KEYS_H

#include "dnsquery.h"
#include "dnsupdate.h"

/* Print the key at name (checked by flowkey_id_name) through r: key-id=
   and type= lines then the public key's PEM block, or with json one JSON
   object {key_id, type, pem}. EX_FLOW_OK, NEGATIVE (no key, revoked),
   DATAERR (a record that is not a valid FLOWKEY1), UNAVAILABLE. */
int key_print(struct resolver *r, const char *name, int json);

/* Write the update script for keyid (u's ttl, server and zone filled in):
   with ADD the key of the PEM file pem (public or private, P-256 or
   Ed25519), with DELETE (pem NULL) its removal. EX_FLOW_OK; USAGE (not a
   key id, a bad server or zone); CONFIG (pem unusable). */
int key_script(enum dnsupdate_op op, const char *keyid, const char *pem, struct dnsupdate_key *u);

#endif
