/* fnap_sign: the agent signs what is PUBLISHed into a namespace that has a
   sign-key (fnap-serve.conf), as a mail server signs with DKIM. A signer
   is made for one PUBLISH: only then is the key file read, so that a
   session that does not publish into a signing namespace never pays for
   it. Before handing a signer out, it makes sure the key's FLOWKEY1 TXT
   record (flowkey.h) was published through dns-update: STATE/keys/KEYID
   holds the record last published, written under the key id's lock, so
   the update runs once per key and again when the key changes; a failed
   update is logged, retried by the next PUBLISH, and does not stop the
   signing.

   Each event is signed over its core attributes and data (no extension
   is named in the signature), its dssematerial added, or replaced when
   the material's key ids are all outside the namespace (another
   namespace's signature is dropped: the agent vouches instead). Material
   that names a key id under _flowkey.NAMESPACE is verified with the
   configured key: kept byte for byte if it verifies, the event refused
   otherwise, so that no one stores a forgery under the namespace's name.

   Part of the agent's model: it never replies to a client; it returns a
   code and a reason, and says in the log what an admin must fix. Called
   by the PUBLISH handler (fnap_serve_events.c). */
#ifndef FLOW_FNAP_SIGN_H
#define FLOW_FNAP_SIGN_H

#include <stddef.h>

#include "fnap_conf.h"
#include "fnap_result.h"

struct signer;

/* Whether the key's record was published when the signer was made. */
enum sign_record {
	SIGN_RECORD_UNCHANGED,   /* published before, or no dns-update configured */
	SIGN_RECORD_PUBLISHED,   /* published now */
	SIGN_RECORD_FAILED,      /* the update failed (logged): tried again next time */
};

/* The signer of the events PUBLISHed into flow: 0 with *out (NULL when
   the flow's namespace has no sign-key), or REPLY_RETRY with r when the
   key cannot be read or used (the log says why). */
int sign_open(const struct fnap_conf *conf, const char *flow, struct signer **out, struct result *r);

/* What sign_open did with the key's record, and the key id. */
enum sign_record sign_record_state(const struct signer *sg);
const char *sign_keyid(const struct signer *sg);

enum sign_answer {
	SIGN_SIGNED,    /* *out, *outlen: the line signed (valid until the next call) */
	SIGN_KEPT,      /* signed already with the namespace's key: the line as it is */
	SIGN_REFUSED,   /* *why (valid until the next call): not an event, or forged */
};

/* One event line of the PUBLISH. */
enum sign_answer sign_line(struct signer *sg, const char *line, size_t len, const char **out,
    size_t *outlen, const char **why);

void sign_close(struct signer *sg);

#endif
