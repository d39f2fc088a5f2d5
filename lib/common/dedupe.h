/* dedupe: remember the last N (source, id) pairs, in bounded memory, for
   consumers that see events at least once. */
#ifndef FLOW_DEDUPE_H
#define FLOW_DEDUPE_H

#include <stddef.h>

struct dedupe;

struct dedupe *dedupe_new(size_t n);
void dedupe_free(struct dedupe *d);

/* 1 if (source, id) was among the last n pairs remembered; else remember
   it (forgetting the oldest) and return 0. */
int dedupe_seen(struct dedupe *d, const char *source, size_t slen, const char *id, size_t idlen);

#endif
