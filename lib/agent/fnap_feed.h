/* fnap_feed: the processor that feeds a flow of the agent, as the model
   of subscriptions (fnap_subs) starts and stops it: a flow-bridge under
   the supervisor (processor), named by the flow it feeds, copying its
   source (a flow here, or a subscription flow at another agent, read
   over fnap://) through an optional CESQL filter, after verifying each
   event with the keys of the namespace the flow's record names in
   verify (SUBSCRIBE ... VERIFY), if any. What it could not take it
   keeps in its rejects file (processor.h). It always reads as a
   consumer group of its own, kept by the source's broker or by the other
   agent (STREAM ... GROUP), so that a processor restarted, or cut off
   and reconnected, goes on where it was: nothing lost, nothing twice.
   It never replies: 0, or a reply code with the reason in a struct
   result. */
#ifndef FLOW_FNAP_FEED_H
#define FLOW_FNAP_FEED_H

#include "flowstate.h"
#include "fnap_conf.h"
#include "fnap_result.h"

#define FEED_FROM_MAX 64

/* What a processor copies: from where in its source when it first starts
   (from: "" for the first event, else flow-bridge's -o words: end, N, -N,
   @time, a relative time resolved already), through which filter (where: a CESQL expression, or NULL),
   and whether only what the source's organisation signed (verify: VERIFY
   was asked; fnap_subs finds the namespace and writes it in the fed
   flow's record, which feed_start reads). */
struct feed_terms {
	char from[FEED_FROM_MAX];
	const char *where;
	int verify;
};

/* FROM's value as SUBSCRIBE takes it (BEGINNING, END, N, -N, @time, in
   any case for the words; a relative @time resolved now, into RFC 3339)
   into t->from: 0, or -1 when it is none. */
int feed_from(const char *word, struct feed_terms *t);

/* Start the processor feeding dst from src_url: flow src here, or a flow
   elsewhere (src NULL), with the environment env (NULL: none; the other
   agent's credentials), verifying with the keys of namespace dst->verify
   unless it is "". 0, or 450. */
int feed_start(const struct fnap_conf *conf, const struct flow_meta *dst, const char *src_url,
    const struct flow_meta *src, const struct feed_terms *t, char *const env[], struct result *r);
/* Stop and remove the processor feeding m, if any: 0, or 450. */
int feed_stop(const struct fnap_conf *conf, const struct flow_meta *m, struct result *r);

#endif
