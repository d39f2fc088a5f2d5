/* The Kafka broker's entry points as the agent and the broker programs
   link them (module.h): the first call loads kafka.so, and with it
   librdkafka; a session or a run that never touches a Kafka flow never
   maps it. */
#include "config.h"

#include <stddef.h>

#include "broker_kafka.h"
#include "flowstat.h"
#include "kafka_admin.h"
#include "module.h"
#include "util.h"

/* The module's table, or NULL with *why. */
static const struct kafka_module *
kafka(const char **why)
{
	static const struct kafka_module *m;

	if (!m && !(m = module_load("kafka", why)))
		return NULL;
	return m;
}

/* The module's table, or NULL said on stderr with *status set. */
static const struct kafka_module *
kafka_or_say(int *status)
{
	const struct kafka_module *m;
	const char *why;

	if (!(m = kafka(&why))) {
		warnmsg("kafka: %s", why);
		*status = EX_FLOW_SOFTWARE;
	}
	return m;
}

struct producer *
kafka_producer_open(const struct flow_url *u, const struct broker_opts *o, int *status)
{
	const struct kafka_module *m = kafka_or_say(status);

	return m ? m->producer_open(u, o, status) : NULL;
}

struct consumer *
kafka_consumer_open(const struct flow_url *u, const struct broker_opts *o, int *status)
{
	const struct kafka_module *m = kafka_or_say(status);

	return m ? m->consumer_open(u, o, status) : NULL;
}

int
kafka_topic_create(const struct kafka_topic_spec *s, const char **why)
{
	const struct kafka_module *m = kafka(why);

	return m ? m->topic_create(s, why) : -1;
}

int
kafka_topic_delete(const struct kafka_topic_spec *s, const char **why)
{
	const struct kafka_module *m = kafka(why);

	return m ? m->topic_delete(s, why) : -1;
}

int
kafka_topic_retain(const struct kafka_topic_spec *s, const char **why)
{
	const struct kafka_module *m = kafka(why);

	return m ? m->topic_retain(s, why) : -1;
}

int
stat_kafka(const struct flow_url *u, const struct broker_opts *o, const struct stat_query *q,
    struct flow_stat *st)
{
	int status = EX_FLOW_OK;
	const struct kafka_module *m = kafka_or_say(&status);

	return m ? m->stat(u, o, q, st) : status;
}
