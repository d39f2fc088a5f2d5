/* brokers: the one registry of broker kinds (file, kafka, fnap). A kind
   is one row, in its own file (brokers_file.c, brokers_kafka.c,
   brokers_fnap.c), and the table of rows is brokers.c's: every program
   finds a kind there, by URL scheme (uri), by its DNS broker-type word
   (resolve, dnsupdate, flow-resolve) or by the same word in the agent's
   configuration and records (fnap_conf, flowstate), and calls what the
   row carries: parse its URL, make one from DNS records, check TXT
   values, open a producer or consumer, and, for the kinds the agent keeps
   flows in, what it needs to provision them (struct broker_keeper). A new
   broker is one new row file
   and one line of the table (doc/choices.md says what a row provides).
   The rows are constant; anyone may call these functions. */
#ifndef FLOW_BROKERS_H
#define FLOW_BROKERS_H

#include <stddef.h>

#include "dnsname.h"

struct broker_opts;
struct consumer;
struct flow_info;
struct flow_url;
struct flow_stat;
struct stat_query;
struct producer;

/* A namespace of the agent kept in a kind: "namespace NAME KIND WHERE
   [OPTION...]" (fnap-serve.conf(5)). */
struct broker_space {
	char *where;          /* file: the directory of its flows; kafka: the bootstrap list */
	char *properties;     /* kafka: a file of librdkafka key=value lines, or NULL */
	int partitions;       /* kafka: of the topics created */
	int replication;      /* kafka: -1, the cluster's default */
	int topic_admin;      /* kafka: create and delete topics (Admin API), else
	                         leave it to the cluster's auto-creation */
	int timeout_ms;       /* kafka: for an answer of the cluster */
};

#define BROKER_QUEUE_PATH_MAX 1024

/* How long a queue keeps its events, each field 0 where it sets no bound:
   a flow's retention as CREATE ... RETAIN and SET RETENTION give it (one
   of the two). */
struct broker_retention {
	long long seconds;           /* events older than this may be dropped */
	unsigned long long events;   /* the newest this many are kept, at least */
};

/* Where the agent keeps one flow's events. */
struct broker_queue {
	char path[BROKER_QUEUE_PATH_MAX];     /* file: the flow directory */
	char servers[BROKER_QUEUE_PATH_MAX];  /* kafka: the bootstrap list */
	char topic[DNSNAME_MAX + 1];          /* kafka: the topic */
};

/* What the agent needs to keep flows in a kind. */
struct broker_keeper {
	/* WHERE and the OPTION words of a namespace line into sp (zeroed
	   before): 0, or -1 with *why (sp then freed with space_free). */
	int (*space_parse)(struct broker_space *sp, const char *where, char *options, const char **why);
	void (*space_free)(struct broker_space *sp);
	/* Flow's queue in sp into q: 0, or -1 with *why (a name the broker
	   cannot take). */
	int (*place)(const struct broker_space *sp, const char *flow, struct broker_queue *q,
	    const char **why);
	/* Make q, keeping its events as keep says (as retain does, where the
	   kind can say it as it makes q): 0; 1 when it exists already; -1
	   with *why, and nothing made that the kind may remove. */
	int (*create)(const struct broker_space *sp, const struct broker_queue *q,
	    const struct broker_retention *keep, const char **why);
	/* Remove q (sp NULL: its namespace is no longer served, so it stays):
	   0, or -1 with *why for the log. */
	int (*remove)(const struct broker_space *sp, const struct broker_queue *q, const char **why);
	/* Its broker URL, as the agent opens it. */
	void (*url)(const struct broker_queue *q, char *url, size_t size);
	/* What a queue is called in replies ("topic"), when create and remove
	   give a reason for the client; NULL: they say it in the log only. */
	const char *noun;
	/* Other hosts reach its flows through the agent (FNAP, the agent's
	   DNS records); else at its own servers (q's servers and topic, its
	   own kind's DNS records), which WHERE lists as SRV targets. */
	int served_by_agent;
	/* Keep q's events as keep says (all zero: as the broker keeps them
	   when nobody sets it): 0, or -1 with *why (for the client when noun
	   is set, else for the log). NULL: the agent cannot set a kind's
	   retention (SET RETENTION refuses it). */
	int (*retain)(const struct broker_space *sp, const struct broker_queue *q,
	    const struct broker_retention *keep, const char **why);
	/* It keeps a count of events (keep->events); else only times. */
	int keeps_count;
};

struct broker_kind {
	/* its word: "broker-type=" in DNS, flow-resolve --broker-type, the
	   agent's "namespace NAME WORD" and its flow records */
	const char *name;
	const char *scheme;           /* its URL scheme */
	const char *tls_scheme;       /* the same over TLS, or NULL */
	/* Its URLs name a directory of this host (u->path): one that DNS
	   names is opened only inside FLOW_FILE_ROOTS (broker_open.c). */
	int local;
	/* The URL after "scheme://" into u (path, hosts, name; u->kind and
	   u->tls are set): 0, or -1 with *why and u to be freed. */
	int (*url_parse)(const char *rest, struct flow_url *u, const char **why);
	/* The URL of a flow that DNS resolved to this kind, malloc'd; NULL
	   with *why when its records do not make one. */
	char *(*url_of)(const struct flow_info *fi, const char **why);
	/* A "topic=" TXT value: 0 if the kind takes it, else -1; NULL: the
	   kind takes a "path=" instead. */
	int (*topic_check)(const char *s);
	/* The topic as it is used (fnap: a flow name, in lower case), in place; or NULL. */
	void (*topic_normalize)(char *s);
	struct producer *(*producer_open)(const struct flow_url *u, const struct broker_opts *o,
	    int *status);
	struct consumer *(*consumer_open)(const struct flow_url *u, const struct broker_opts *o,
	    int *status);
	const struct broker_keeper *keeper;  /* NULL: the agent keeps no flows there */
	/* What the flow holds and how far behind its groups are, for
	   flow-stat (flowstat.h); NULL: not told of. */
	int (*stat)(const struct flow_url *u, const struct broker_opts *o, const struct stat_query *q,
	    struct flow_stat *st);
};

extern const struct broker_kind broker_file, broker_kafka, broker_fnap;

/* The kind of URL scheme s (len bytes), with *tls set for its TLS
   scheme; NULL if none. */
const struct broker_kind *broker_kind_by_scheme(const char *s, size_t len, int *tls);
/* The kind named word (len bytes), or NULL. */
const struct broker_kind *broker_kind_by_name(const char *word, size_t len);
/* The i-th kind of the table, from 0; NULL past the last. */
const struct broker_kind *broker_kind_at(size_t i);
/* The kinds' names ("file, kafka or fnap"), or with schemes their
   schemes ("file, kafka, fnap, fnaps"), for messages: into buf. */
void broker_kinds_text(char *buf, size_t size, int schemes);

#endif
