/* broker_kafka: kafka://host:port[,host:port...]/topic through librdkafka.
   Producers are idempotent (acks=all) and report every event that was not
   acknowledged; consumers hand back structured event lines, whatever mode
   the records were written in. */
#ifndef FLOW_BROKER_KAFKA_H
#define FLOW_BROKER_KAFKA_H

#include "broker.h"

#include <librdkafka/rdkafka.h>

/* A configuration: bootstrap.servers from the URL, then defaults, then the
   user's -X/-F properties; NULL after a message, with *status. */
rd_kafka_conf_t *kafka_conf(const struct flow_url *u, const struct broker_opts *o,
    const char *const *defaults, size_t n, int *status);

/* The number of partitions of topic; -1 after a message, with *status
   1 when there is no such topic, else 69. */
int kafka_partition_count(rd_kafka_t *rk, const char *topic, int *status);

struct producer *kafka_producer_open(const struct flow_url *u, const struct broker_opts *o, int *status);
struct consumer *kafka_consumer_open(const struct flow_url *u, const struct broker_opts *o, int *status);

#endif
