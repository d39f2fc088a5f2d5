/* kafka_admin: a flow's topic made and removed, for the agent: with
   librdkafka's Admin API (CreateTopics, DeleteTopics), or, on a cluster
   that creates topics when they are first asked for, by asking for its
   metadata; and its retention.ms set, at creation (CreateTopics) or
   after (DescribeConfigs, then AlterConfigs with the topic's other
   settings as they were: librdkafka 2.0 has no IncrementalAlterConfigs). */
#ifndef FLOW_KAFKA_ADMIN_H
#define FLOW_KAFKA_ADMIN_H

struct kafka_topic_spec {
	const char *servers;      /* the bootstrap list host:port,... */
	const char *properties;   /* a file of librdkafka key=value lines, or NULL */
	const char *topic;
	int partitions;
	int replication;          /* -1: the cluster's default */
	int admin;                /* 1: Admin API; 0: the cluster's auto-creation */
	int timeout_ms;
	long long retention_ms;   /* 0: the cluster's default */
};

/* Make the topic, with its retention.ms if set: 0 done; 1 it exists
   already (Admin API only); -1 with *why (valid until the next call). A
   topic the cluster made (admin 0) whose retention.ms could not be set
   stays: the agent does not remove those. */
int kafka_topic_create(const struct kafka_topic_spec *s, const char **why);
/* Set the topic's retention.ms (its other settings kept, retention.bytes
   among them): 0, or -1 with *why (the cluster's reason; nothing changed
   when it could not read the topic's settings). */
int kafka_topic_retain(const struct kafka_topic_spec *s, const char **why);
/* Remove the topic (Admin API only; otherwise the cluster keeps it): 0
   done or not there; -1 with *why. */
int kafka_topic_delete(const struct kafka_topic_spec *s, const char **why);

#endif
