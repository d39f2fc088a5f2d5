/* kafka.so's table (module.h). */
#include "config.h"

#include "broker_kafka.h"
#include "flowstat.h"
#include "kafka_admin.h"
#include "module.h"

const struct kafka_module kafka_module = {
	.producer_open = kafka_producer_open,
	.consumer_open = kafka_consumer_open,
	.topic_create = kafka_topic_create,
	.topic_delete = kafka_topic_delete,
	.topic_retain = kafka_topic_retain,
	.stat = stat_kafka,
};
