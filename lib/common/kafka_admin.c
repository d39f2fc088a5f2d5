#include "config.h"

#include <stdio.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "broker.h"
#include "broker_kafka.h"
#include "kafka_admin.h"
#include "util.h"

static char why_buf[512];

static const char *
keep_why(const char *what, const char *reason)
{
	snprintf(why_buf, sizeof why_buf, "%s: %s", what, reason);
	return why_buf;
}

/* A client of the cluster with the namespace's properties. */
static rd_kafka_t *
client(const struct kafka_topic_spec *s, const char **why)
{
	/* kafka_conf takes the bootstrap list from it */
	struct flow_url u = { .hosts = (char *)s->servers, .name = (char *)s->topic };
	struct broker_opts o = { 0 };
	rd_kafka_conf_t *conf;
	rd_kafka_t *rk;
	char errstr[256];
	int status;

	if (s->properties && broker_prop_file(&o, s->properties) < 0) {
		*why = keep_why(s->properties, "cannot use the Kafka properties");
		return NULL;
	}
	conf = kafka_conf(&u, &o, NULL, 0, &status);
	broker_opts_free(&o);
	if (!conf) {
		*why = "bad Kafka properties";
		return NULL;
	}
	if (!(rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr))) {
		rd_kafka_conf_destroy(conf);
		*why = keep_why("kafka", errstr);
	}
	return rk;
}

/* The cluster creates the topic when a producer asks for its metadata. */
static int
touch(rd_kafka_t *rk, const struct kafka_topic_spec *s, const char **why)
{
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, s->topic, NULL);
	const struct rd_kafka_metadata *md;
	rd_kafka_resp_err_t err;
	int r = -1;

	if (!rkt) {
		*why = keep_why("kafka", rd_kafka_err2str(rd_kafka_last_error()));
		return -1;
	}
	err = rd_kafka_metadata(rk, 0, rkt, &md, s->timeout_ms);
	if (err)
		*why = keep_why("no answer from the cluster", rd_kafka_err2str(err));
	else {
		err = md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
		/* just created: no leader yet */
		if (err == 0 || err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE)
			r = 0;
		else if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
			*why = "the cluster does not create topics when asked (use topics=admin)";
		else
			*why = keep_why("kafka", rd_kafka_err2str(err));
		rd_kafka_metadata_destroy(md);
	}
	rd_kafka_topic_destroy(rkt);
	return r;
}

/* An admin request under way: its options (the namespace's timeouts)
   and the queue its answer comes to. */
struct admin_call {
	rd_kafka_AdminOptions_t *opts;
	rd_kafka_queue_t *q;
};

static void
call_begin(rd_kafka_t *rk, const struct kafka_topic_spec *s, rd_kafka_admin_op_t op,
    struct admin_call *c)
{
	char errstr[256];

	c->q = rd_kafka_queue_new(rk);
	c->opts = rd_kafka_AdminOptions_new(rk, op);
	rd_kafka_AdminOptions_set_request_timeout(c->opts, s->timeout_ms, errstr, sizeof errstr);
	rd_kafka_AdminOptions_set_operation_timeout(c->opts, s->timeout_ms, errstr, sizeof errstr);
}

/* The request's answer, to be destroyed by the caller; NULL with *why when
   none came or the whole request failed. */
static rd_kafka_event_t *
call_end(struct admin_call *c, const struct kafka_topic_spec *s, const char **why)
{
	rd_kafka_event_t *ev = rd_kafka_queue_poll(c->q, s->timeout_ms + 1000);

	if (!ev)
		*why = "no answer from the cluster";
	else if (rd_kafka_event_error(ev)) {
		*why = keep_why("kafka", rd_kafka_event_error_string(ev));
		rd_kafka_event_destroy(ev);
		ev = NULL;
	}
	rd_kafka_AdminOptions_destroy(c->opts);
	rd_kafka_queue_destroy(c->q);
	return ev;
}

/* Send one admin request (create: nt; delete: dt) and read its answer for
   the topic: 0, 1 (created: it existed; deleted: it was not there), -1. */
static int
admin(rd_kafka_t *rk, const struct kafka_topic_spec *s, rd_kafka_NewTopic_t *nt,
    rd_kafka_DeleteTopic_t *dt, const char **why)
{
	const rd_kafka_topic_result_t **res;
	struct admin_call c;
	rd_kafka_resp_err_t err;
	rd_kafka_event_t *ev;
	size_t n = 0;
	int r = -1;

	call_begin(rk, s, nt ? RD_KAFKA_ADMIN_OP_CREATETOPICS : RD_KAFKA_ADMIN_OP_DELETETOPICS, &c);
	if (nt)
		rd_kafka_CreateTopics(rk, &nt, 1, c.opts, c.q);
	else
		rd_kafka_DeleteTopics(rk, &dt, 1, c.opts, c.q);
	if (!(ev = call_end(&c, s, why)))
		return -1;
	if (nt)
		res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
	else
		res = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
	if (n != 1)
		*why = "kafka: no result for the topic";
	else if ((err = rd_kafka_topic_result_error(res[0])) == RD_KAFKA_RESP_ERR_NO_ERROR)
		r = 0;
	else if (nt ? err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS :
	    err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
		r = 1;
	else
		*why = keep_why("kafka", rd_kafka_topic_result_error_string(res[0]) ?
		    rd_kafka_topic_result_error_string(res[0]) : rd_kafka_err2str(err));
	rd_kafka_event_destroy(ev);
	return r;
}

/* The one resource of a DescribeConfigs or AlterConfigs answer, or NULL
   with *why (the cluster's reason). */
static const rd_kafka_ConfigResource_t *
config_result(const rd_kafka_ConfigResource_t **res, size_t n, const char **why)
{
	if (n != 1) {
		*why = "kafka: no result for the topic";
		return NULL;
	}
	if (rd_kafka_ConfigResource_error(res[0])) {
		*why = keep_why("kafka", rd_kafka_ConfigResource_error_string(res[0]) ?
		    rd_kafka_ConfigResource_error_string(res[0]) :
		    rd_kafka_err2str(rd_kafka_ConfigResource_error(res[0])));
		return NULL;
	}
	return res[0];
}

/* Into to, the topic's own settings as the cluster has them (those its
   DescribeConfigs says were set for the topic, not defaults), but
   retention.ms: AlterConfigs replaces them all, so what is not sent goes
   back to the cluster's default. 0, or -1 with *why. */
static int
topic_settings(rd_kafka_t *rk, const struct kafka_topic_spec *s, rd_kafka_ConfigResource_t *to,
    const char **why)
{
	rd_kafka_ConfigResource_t *cr = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, s->topic);
	const rd_kafka_ConfigResource_t **res, *got;
	const rd_kafka_ConfigEntry_t **e;
	struct admin_call c;
	rd_kafka_event_t *ev;
	size_t n = 0, i;

	call_begin(rk, s, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS, &c);
	rd_kafka_DescribeConfigs(rk, &cr, 1, c.opts, c.q);
	rd_kafka_ConfigResource_destroy(cr);
	if (!(ev = call_end(&c, s, why)))
		return -1;
	res = rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &n);
	if ((got = config_result(res, n, why))) {
		e = rd_kafka_ConfigResource_configs(got, &n);
		for (i = 0; i < n; i++)
			if (rd_kafka_ConfigEntry_source(e[i]) == RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG &&
			    rd_kafka_ConfigEntry_value(e[i]) &&
			    strcmp(rd_kafka_ConfigEntry_name(e[i]), "retention.ms") != 0)
				rd_kafka_ConfigResource_set_config(to, rd_kafka_ConfigEntry_name(e[i]),
				    rd_kafka_ConfigEntry_value(e[i]));
	}
	rd_kafka_event_destroy(ev);
	return got ? 0 : -1;
}

/* The topic's settings as they are, with retention.ms as s says (none:
   the cluster's default): read, then written back whole. */
static int
alter_retention(rd_kafka_t *rk, const struct kafka_topic_spec *s, const char **why)
{
	rd_kafka_ConfigResource_t *cr = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, s->topic);
	const rd_kafka_ConfigResource_t **res;
	struct admin_call c;
	rd_kafka_event_t *ev = NULL;
	char ms[24];
	size_t n = 0;
	int r = -1;

	if (topic_settings(rk, s, cr, why) < 0)
		goto out;
	if (s->retention_ms) {
		snprintf(ms, sizeof ms, "%lld", s->retention_ms);
		rd_kafka_ConfigResource_set_config(cr, "retention.ms", ms);
	}
	call_begin(rk, s, RD_KAFKA_ADMIN_OP_ALTERCONFIGS, &c);
	rd_kafka_AlterConfigs(rk, &cr, 1, c.opts, c.q);
	if (!(ev = call_end(&c, s, why)))
		goto out;
	res = rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &n);
	r = config_result(res, n, why) ? 0 : -1;
out:
	if (ev)
		rd_kafka_event_destroy(ev);
	rd_kafka_ConfigResource_destroy(cr);
	return r;
}

/* A new topic with the spec's partitions, replicas and retention.ms. */
static rd_kafka_NewTopic_t *
new_topic(const struct kafka_topic_spec *s, const char **why)
{
	rd_kafka_NewTopic_t *nt;
	char errstr[256], ms[24];

	if (!(nt = rd_kafka_NewTopic_new(s->topic, s->partitions, s->replication, errstr, sizeof errstr))) {
		*why = keep_why("kafka", errstr);
		return NULL;
	}
	snprintf(ms, sizeof ms, "%lld", s->retention_ms);
	if (s->retention_ms && rd_kafka_NewTopic_set_config(nt, "retention.ms", ms)) {
		*why = "kafka: cannot set retention.ms";
		rd_kafka_NewTopic_destroy(nt);
		return NULL;
	}
	return nt;
}

int
kafka_topic_create(const struct kafka_topic_spec *s, const char **why)
{
	rd_kafka_NewTopic_t *nt;
	rd_kafka_t *rk;
	int r = -1;

	if (!(rk = client(s, why)))
		return -1;
	/* a topic the cluster made is given its retention after */
	if (!s->admin)
		r = touch(rk, s, why) < 0 || (s->retention_ms && alter_retention(rk, s, why) < 0) ? -1 : 0;
	else if ((nt = new_topic(s, why))) {
		r = admin(rk, s, nt, NULL, why);
		rd_kafka_NewTopic_destroy(nt);
	}
	rd_kafka_destroy(rk);
	return r;
}

int
kafka_topic_retain(const struct kafka_topic_spec *s, const char **why)
{
	rd_kafka_t *rk;
	int r;

	if (!(rk = client(s, why)))
		return -1;
	r = alter_retention(rk, s, why);
	rd_kafka_destroy(rk);
	return r;
}

int
kafka_topic_delete(const struct kafka_topic_spec *s, const char **why)
{
	rd_kafka_DeleteTopic_t *dt;
	rd_kafka_t *rk;
	int r;

	if (!s->admin)
		return 0;
	if (!(rk = client(s, why)))
		return -1;
	dt = rd_kafka_DeleteTopic_new(s->topic);
	r = admin(rk, s, NULL, dt, why);
	rd_kafka_DeleteTopic_destroy(dt);
	rd_kafka_destroy(rk);
	return r < 0 ? -1 : 0;
}
