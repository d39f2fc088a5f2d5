/* broker: the interface every broker implements (file, kafka, fnap), and
   opening one from a URL (broker_open.c, through the URL's kind,
   brokers.h). Producers take validated event lines; consumers hand back
   event lines, structured mode, without the newline. */
#ifndef FLOW_BROKER_H
#define FLOW_BROKER_H

#include <stddef.h>
#include <stdint.h>

#include "ce.h"
#include "uri.h"

/* Where a consumer starts (-o). */
enum offset_kind {
	OFFSET_DEFAULT,    /* the group's stored offset, else the end */
	OFFSET_BEGINNING,
	OFFSET_END,
	OFFSET_STORED,     /* the group's stored offset, else the beginning */
	OFFSET_ABS,        /* record number value */
	OFFSET_FROM_END,   /* value records before the end */
	OFFSET_TIME,       /* first event at or after value (ns since the epoch) */
};

struct offset_spec {
	enum offset_kind kind;
	int64_t value;
	int resume;        /* stored:SPEC: the group's stored offset, else kind */
};

/* Parse beginning|end|stored|N|-N|@TIME, or stored:SPEC (SPEC one of
   the others); 0 or -1. TIME is RFC 3339 or relative (-10m: time_parse),
   resolved against the real clock here: the spec always holds an
   absolute time. */
int offset_parse(const char *s, struct offset_spec *o);

struct broker_opts {
	int sync;                 /* file: fsync before acknowledging */
	const char *group;        /* consumer group, or NULL */
	struct offset_spec start;
	int stop_at_end;          /* -e: end at the current end instead of following */
	char **props;             /* kafka: librdkafka "key=value" properties */
	size_t nprops;
	int binary;               /* kafka, http: produce binary-mode records */
	/* http(s) destinations (broker_http.h), set by brokeropt */
	char **headers;           /* -H lines, "Name: value", checked */
	size_t nheaders;
	int batch;                /* --batch N: events a request; 0: one each */
	int http_attempts;        /* --retries N: N + 1; 0: the default */
	const char *cafile;       /* --cacert FILE: the CAs trusted for https, else the system's */
	unsigned char *webhook_key;  /* --webhook-secret FILE's key, or NULL: no signature */
	size_t webhook_keylen;
};

/* Told of each event the broker finally could not take (after retries), so
   that the caller reports it and keeps it (--reject): nothing is lost silently. */
typedef void (*broker_fail_fn)(void *ctx, const char *line, size_t len, const char *reason);

/* Told where events were stored, by the producers that know (file: the
   offsets a flush appended at, partition 0; kafka: each delivery report's
   partition and offset, an offset < 0 when the cluster gave none): a run
   of events stored one after the other, first to last. */
typedef void (*broker_stored_fn)(void *ctx, int32_t partition, int64_t first, int64_t last);

struct producer;
struct producer_ops {
	/* Queue one event line (no newline anywhere in it: every source
	   splits at newlines or compacts its JSON); ev is the line parsed, when the
	   caller has it, else NULL. 0, or an exit status; a line it could
	   not take is reported through on_fail like the others. */
	int (*send)(struct producer *, const char *line, size_t len, const struct ce_event *ev);
	/* Make everything sent durable, or report it through on_fail.
	   0, or an exit status (69, 74, 75) when some events were not taken. */
	int (*flush)(struct producer *);
	/* Input paused: what was sent goes out now, without waiting for it to
	   be durable. 0, or an exit status as for flush. */
	int (*push)(struct producer *);
	/* A checkpoint after what was sent so far, numbered in *id (ascending),
	   so that flow-bridge goes on reading while it becomes durable. 0, or
	   an exit status as for flush. */
	int (*mark)(struct producer *, uint64_t *id);
	/* 1 once every event sent before checkpoint id is durable or was
	   reported through on_fail, else 0; waits up to timeout_ms for it. */
	int (*settled)(struct producer *, uint64_t id, int timeout_ms);
	void (*close)(struct producer *);
};

struct producer {
	const struct producer_ops *ops;
	broker_fail_fn on_fail;
	void *fail_ctx;
	uint64_t failed;  /* events reported through on_fail */
	uint64_t marks;   /* checkpoints taken */
	/* Set by the caller before send(): a number it wants back with the
	   line if it fails (flow-pub: the input line number). */
	uint64_t tag;
	/* While on_fail runs: the tag the line was sent with; 0 from a
	   producer that keeps none. */
	uint64_t fail_tag;
	/* Set by the caller: told of what is stored (the agent's audit
	   trail); NULL: nobody asks. The fnap producer never tells. */
	broker_stored_fn on_stored;
	void *stored_ctx;
};

/* mark and settled of a producer whose flush is quick: mark flushes. */
int producer_mark_by_flush(struct producer *, uint64_t *id);
int producer_settled_at_once(struct producer *, uint64_t id, int timeout_ms);

struct record {
	const char *line;  /* valid until the next call of next() */
	size_t len;
	const struct ce_event *ev;  /* line parsed, when the broker checked it; else NULL */
	int64_t offset;
	int32_t partition;
};

enum { CONSUMER_END = -1, CONSUMER_ERROR = -2 };

/* Where a consumer stands: per partition, the offset of the next record
   (-1: none read there yet). */
struct position {
	int64_t *next;
	int32_t n;
};

struct consumer;
struct consumer_ops {
	/* 1: a record; 0: none within timeout_ms (-1 waits forever, may also
	   return 0 on a signal); CONSUMER_END with stop_at_end at the end;
	   CONSUMER_ERROR after a message, with the exit status in status. */
	int (*next)(struct consumer *, struct record *, int timeout_ms);
	/* Where it stands now: past every record returned so far. */
	void (*position)(struct consumer *, struct position *);
	/* Store pos, taken before, for the group. 0, or an exit status. It may
	   run while another thread is in next() (flow-bridge reads ahead). */
	int (*commit)(struct consumer *, const struct position *pos);
	void (*close)(struct consumer *);
	/* Take back the record last returned: next() returns it again and
	   commit() does not cover it (flow-sub --until stops before it). */
	void (*unread)(struct consumer *);
};

struct consumer {
	const struct consumer_ops *ops;
	int status;
	/* Told of each record that is not a CloudEvent (after a message on
	   stderr), so that the caller keeps it (--reject); NULL: not kept. */
	broker_fail_fn on_reject;
	void *reject_ctx;
	uint64_t rejected;
};

/* Store, for the group, that every record returned so far is done. */
int consumer_commit(struct consumer *);
/* The record's event: the broker's parse, else parsed into ev; NULL when
   the line is not a CloudEvent. */
const struct ce_event *record_event(const struct record *rec, struct ce_event *ev);
void position_free(struct position *);

/* -X key=value and -F FILE (key=value lines, # comments): librdkafka
   properties. 0, or -1 after a message. */
int broker_prop_add(struct broker_opts *o, const char *kv);
int broker_prop_file(struct broker_opts *o, const char *path);
void broker_opts_free(struct broker_opts *o);

/* url into u, a flow:// name looked up in DNS (a file broker it names
   used only inside FLOW_FILE_ROOTS), as the two below open it: its
   broker kind, or NULL after a message, with *status. Free u with
   url_free. */
struct flow_url;
const struct broker_kind *broker_url_open(const char *url, struct flow_url *u, int *status);
/* Open a producer / consumer for url; NULL after a message, with *status. */
struct producer *producer_open(const char *url, const struct broker_opts *o, int *status);
struct consumer *consumer_open(const char *url, const struct broker_opts *o, int *status);

#endif
