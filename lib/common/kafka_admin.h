/* kafka_admin: a flow's topic made and removed, for the agent: with
   librdkafka's Admin API (CreateTopics, DeleteTopics), or, on a cluster
   that creates topics when they are first asked for, by asking for its
   metadata. */
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
};

/* Make the topic: 0 done; 1 it exists already (Admin API only); -1 with
   *why (valid until the next call). */
int kafka_topic_create(const struct kafka_topic_spec *s, const char **why);
/* Remove the topic (Admin API only; otherwise the cluster keeps it): 0
   done or not there; -1 with *why. */
int kafka_topic_delete(const struct kafka_topic_spec *s, const char **why);

#endif
