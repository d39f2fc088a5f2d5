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

/* Send one admin request (create: nt; delete: dt) and read its answer for
   the topic: 0, 1 (created: it existed; deleted: it was not there), -1. */
static int
admin(rd_kafka_t *rk, const struct kafka_topic_spec *s, rd_kafka_NewTopic_t *nt,
    rd_kafka_DeleteTopic_t *dt, const char **why)
{
	rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
	rd_kafka_AdminOptions_t *opts;
	const rd_kafka_topic_result_t **res;
	rd_kafka_resp_err_t err;
	rd_kafka_event_t *ev = NULL;
	char errstr[256];
	size_t n = 0;
	int r = -1;

	opts = rd_kafka_AdminOptions_new(rk, nt ? RD_KAFKA_ADMIN_OP_CREATETOPICS :
	    RD_KAFKA_ADMIN_OP_DELETETOPICS);
	rd_kafka_AdminOptions_set_request_timeout(opts, s->timeout_ms, errstr, sizeof errstr);
	rd_kafka_AdminOptions_set_operation_timeout(opts, s->timeout_ms, errstr, sizeof errstr);
	if (nt)
		rd_kafka_CreateTopics(rk, &nt, 1, opts, q);
	else
		rd_kafka_DeleteTopics(rk, &dt, 1, opts, q);
	if (!(ev = rd_kafka_queue_poll(q, s->timeout_ms + 1000))) {
		*why = "no answer from the cluster";
		goto out;
	}
	if (rd_kafka_event_error(ev)) {
		*why = keep_why("kafka", rd_kafka_event_error_string(ev));
		goto out;
	}
	if (nt)
		res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
	else
		res = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev), &n);
	if (n != 1) {
		*why = "kafka: no result for the topic";
		goto out;
	}
	err = rd_kafka_topic_result_error(res[0]);
	if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
		r = 0;
	else if (nt ? err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS :
	    err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
		r = 1;
	else
		*why = keep_why("kafka", rd_kafka_topic_result_error_string(res[0]) ?
		    rd_kafka_topic_result_error_string(res[0]) : rd_kafka_err2str(err));
out:
	if (ev)
		rd_kafka_event_destroy(ev);
	rd_kafka_AdminOptions_destroy(opts);
	rd_kafka_queue_destroy(q);
	return r;
}

int
kafka_topic_create(const struct kafka_topic_spec *s, const char **why)
{
	rd_kafka_NewTopic_t *nt;
	rd_kafka_t *rk;
	char errstr[256];
	int r = -1;

	if (!(rk = client(s, why)))
		return -1;
	if (!s->admin)
		r = touch(rk, s, why);
	else if (!(nt = rd_kafka_NewTopic_new(s->topic, s->partitions, s->replication, errstr,
	    sizeof errstr)))
		*why = keep_why("kafka", errstr);
	else {
		r = admin(rk, s, nt, NULL, why);
		rd_kafka_NewTopic_destroy(nt);
	}
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
