/* Kafka's row: kafka://host:port[,host:port...]/topic, broker-type=kafka
   with the brokers' SRV records and topic=. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_kafka.h"
#include "brokers.h"
#include "flowstat.h"
#include "kafka_admin.h"
#include "resolve.h"
#include "uri.h"
#include "urlparts.h"
#include "util.h"

#define TOPIC_MAX 249

static int
kafka_topic_check(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > TOPIC_MAX || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return -1;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n ? 0 : -1;
}

static int
kafka_url_parse(const char *rest, struct flow_url *u, const char **why)
{
	const char *slash = strchr(rest, '/');

	if (!slash || slash == rest || !slash[1]) {
		*why = "expected kafka://host:port[,host:port...]/topic";
		return -1;
	}
	if (url_hosts_check(rest, slash, 1, why) < 0)
		return -1;
	u->hosts = xstrndup(rest, slash - rest);
	u->name = xstrdup(slash + 1);
	if (kafka_topic_check(u->name) < 0) {
		*why = "bad topic name (1-249 of a-z A-Z 0-9 . _ -)";
		return -1;
	}
	return 0;
}

/* every broker, as a bootstrap list */
static char *
kafka_url_of(const struct flow_info *fi, const char **why)
{
	if (fi->nbrokers == 0) {
		*why = "no _queue SRV record for the broker";
		return NULL;
	}
	return url_hosts_format("kafka", fi->brokers, fi->nbrokers, fi->topic);
}

/* The agent keeps a namespace's flows in a topic each, named as the flow,
   on the cluster WHERE lists; it makes and removes them as kafka_admin
   does. */

/* An option after the bootstrap list, "key=value". */
static int
kafka_option(struct broker_space *sp, char *opt, const char **why)
{
	char *v = strchr(opt, '=');
	int64_t n;

	*why = "expected partitions=N, replication=N, properties=/FILE, topics=admin|auto or timeout=SECONDS";
	if (!v)
		return -1;
	*v++ = '\0';
	if (strcmp(opt, "partitions") == 0 && parse_int64(v, 1, 100000, &n) == 0)
		sp->partitions = n;
	else if (strcmp(opt, "replication") == 0 && parse_int64(v, 1, 1000, &n) == 0)
		sp->replication = n;
	else if (strcmp(opt, "properties") == 0 && v[0] == '/') {
		free(sp->properties);
		sp->properties = xstrdup(v);
	} else if (strcmp(opt, "topics") == 0 && (strcmp(v, "admin") == 0 || strcmp(v, "auto") == 0))
		sp->topic_admin = strcmp(v, "admin") == 0;
	else if (strcmp(opt, "timeout") == 0 && parse_int64(v, 1, 3600, &n) == 0)
		sp->timeout_ms = n * 1000;
	else
		return -1;
	return 0;
}

static int
kafka_space_parse(struct broker_space *sp, const char *where, char *options, const char **why)
{
	char *opt;

	sp->where = xstrdup(where);
	sp->partitions = 1;
	sp->replication = -1;
	sp->topic_admin = 1;
	sp->timeout_ms = 10000;
	while ((opt = strsep(&options, " ")))
		if (*opt && kafka_option(sp, opt, why) < 0)
			return -1;
	return 0;
}

static void
kafka_space_free(struct broker_space *sp)
{
	free(sp->where);
	free(sp->properties);
}

static int
kafka_place(const struct broker_space *sp, const char *flow, struct broker_queue *q, const char **why)
{
	if (strlen(flow) > TOPIC_MAX) {
		*why = "longer than a Kafka topic may be";
		return -1;
	}
	snprintf(q->servers, sizeof q->servers, "%s", sp->where);
	snprintf(q->topic, sizeof q->topic, "%s", flow);
	return 0;
}

static void
topic_spec(const struct broker_space *sp, const struct broker_queue *q, struct kafka_topic_spec *k)
{
	*k = (struct kafka_topic_spec){
		.servers = q->servers, .properties = sp->properties, .topic = q->topic,
		.partitions = sp->partitions, .replication = sp->replication, .admin = sp->topic_admin,
		.timeout_ms = sp->timeout_ms,
	};
}

/* Only an age: Kafka keeps no count of records (the agent refuses one,
   keeps_count 0); retention.bytes is left as the cluster has it. */
static int
kafka_create(const struct broker_space *sp, const struct broker_queue *q,
    const struct broker_retention *keep, const char **why)
{
	struct kafka_topic_spec k;

	topic_spec(sp, q, &k);
	k.retention_ms = keep->seconds * 1000;
	return kafka_topic_create(&k, why);
}

static int
kafka_retain(const struct broker_space *sp, const struct broker_queue *q,
    const struct broker_retention *keep, const char **why)
{
	struct kafka_topic_spec k;

	topic_spec(sp, q, &k);
	k.retention_ms = keep->seconds * 1000;
	return kafka_topic_retain(&k, why);
}

static int
kafka_remove(const struct broker_space *sp, const struct broker_queue *q, const char **why)
{
	struct kafka_topic_spec k;

	if (!sp) {
		warnmsg("%s: its namespace is no longer served: topic %s left alone", q->topic, q->topic);
		return 0;
	}
	topic_spec(sp, q, &k);
	return kafka_topic_delete(&k, why);
}

static void
kafka_url(const struct broker_queue *q, char *url, size_t size)
{
	snprintf(url, size, "kafka://%s/%s", q->servers, q->topic);
}

static const struct broker_keeper keeper = {
	kafka_space_parse, kafka_space_free, kafka_place, kafka_create, kafka_remove, kafka_url,
	.noun = "topic", .retain = kafka_retain,
};

const struct broker_kind broker_kafka = {
	.name = "kafka", .scheme = "kafka",
	.url_parse = kafka_url_parse, .url_of = kafka_url_of, .topic_check = kafka_topic_check,
	.producer_open = kafka_producer_open, .consumer_open = kafka_consumer_open,
	.keeper = &keeper,
	.stat = stat_kafka,
};
