#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

#include "broker_kafka.h"
#include "kafka_record.h"
#include "util.h"

/* librdkafka's own settings that make sense here, before the user's -X. */
static const char *const producer_defaults[] = {
	"enable.idempotence=true", "acks=all", "linger.ms=5", "message.timeout.ms=30000",
	"queue.buffering.max.kbytes=8192", "log_level=3",
};
static int
conf_set(rd_kafka_conf_t *conf, const char *key, const char *value)
{
	char errstr[512];

	if (rd_kafka_conf_set(conf, key, value, errstr, sizeof errstr) == RD_KAFKA_CONF_OK)
		return 0;
	warnmsg("-X %s=%s: %s", key, value, errstr);
	return -1;
}

/* librdkafka's own messages, in the form of every other diagnostic */
static void
log_line(const rd_kafka_t *rk, int level, const char *facility, const char *msg)
{
	(void)rk, (void)level;
	warnmsg("kafka: %s: %s", facility, msg);
}

/* librdkafka's errors: a broker lost is already told by its FAIL log line,
   and without this callback it would be told again as ERROR. */
static void
on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	(void)rk, (void)opaque;
	if (err != RD_KAFKA_RESP_ERR__TRANSPORT)
		warnmsg("kafka: %s", reason);
}

rd_kafka_conf_t *
kafka_conf(const struct flow_url *u, const struct broker_opts *o, const char *const *defaults, size_t n,
    int *status)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char *kv, *eq;
	size_t i;
	int r = conf_set(conf, "bootstrap.servers", u->hosts);

	rd_kafka_conf_set_log_cb(conf, log_line);
	rd_kafka_conf_set_error_cb(conf, on_error);

	/* ours first, so that the user's -X and -F properties can change them */
	for (i = 0; r == 0 && i < n + o->nprops; i++) {
		kv = xstrdup(i < n ? defaults[i] : o->props[i - n]);
		eq = strchr(kv, '=');
		*eq = '\0';
		r = conf_set(conf, kv, eq + 1);
		free(kv);
	}
	if (r < 0) {
		rd_kafka_conf_destroy(conf);
		*status = EX_FLOW_CONFIG;
		return NULL;
	}
	return conf;
}

/* The exit status for an error that made librdkafka give up. */
static int
error_status(rd_kafka_resp_err_t err)
{
	switch (err) {
	case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
	case RD_KAFKA_RESP_ERR__TRANSPORT:
	case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
	case RD_KAFKA_RESP_ERR__RESOLVE:
	case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
	case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
		return EX_FLOW_UNAVAILABLE;
	case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
	case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
	case RD_KAFKA_RESP_ERR__AUTHENTICATION:
		return EX_FLOW_NOPERM;
	default:
		return EX_FLOW_TEMPFAIL;
	}
}

/* -- producing -- */

#define POLL_EVERY 256
#define EPOCHS 16  /* checkpoints with events in flight, at most */

/* Events in flight are counted by epoch, the span between two checkpoints:
   a checkpoint is settled when its epoch and all before it have none. */
struct kafka_producer {
	struct producer base;
	rd_kafka_t *rk;
	rd_kafka_topic_t *rkt; /* looked up once, not by name at every message */
	char *topic;
	unsigned sent;         /* since the last poll for delivery reports */
	int binary;
	int status;            /* of the failures since the last flush */
	char *buf;             /* binary mode: decoded values */
	uint64_t epoch;        /* events sent now belong to it */
	uint64_t oldest;       /* the oldest epoch that may have events in flight */
	long inflight[EPOCHS]; /* by epoch % EPOCHS */
};

/* Delivery report: nothing is lost silently, what failed goes to on_fail.
   The opaque is the epoch's slot; in binary mode, the first byte of a copy
   of the event as it came, after which the event follows. */
static void
on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct kafka_producer *k = opaque;
	char *copy = k->binary ? m->_private : NULL, *line = copy ? copy + 1 : NULL;

	k->inflight[copy ? (unsigned char)copy[0] : (uintptr_t)m->_private]--;
	if (m->err) {
		k->base.failed++;
		if (!k->status)
			k->status = error_status(m->err);
		if (k->base.on_fail)
			k->base.on_fail(k->base.fail_ctx, line ? line : m->payload, line ? strlen(line) : m->len,
			    rd_kafka_err2str(m->err));
		if (k->base.failed == 1)
			warnmsg("kafka: %s: %s", k->topic, rd_kafka_err2str(m->err));
	} else if (k->base.on_stored)
		k->base.on_stored(k->base.stored_ctx, m->partition, m->offset, m->offset);
	free(copy);
}

static int
kafka_send(struct producer *p, const char *line, size_t len, const struct ce_event *ev)
{
	struct kafka_producer *k = (struct kafka_producer *)p;
	rd_kafka_headers_t *hdrs = NULL;
	const struct json_span *pk;
	struct ce_event parsed;
	struct ce_error err;
	const char *key = NULL, *value = line, *why;
	size_t keylen = 0, vlen = len;
	char *copy = NULL;
	rd_kafka_resp_err_t e;
	unsigned slot = k->epoch % EPOCHS;

	/* callers send events; a line without its parse is parsed only when
	   needed, for a binary record or a partitionkey */
	if (!ev && (k->binary || memmem(line, len, "\"partitionkey\"", 14))) {
		if (ce_parse(&parsed, line, len, 0, &err) < 0) {
			warnmsg("kafka: %s: not an event: %s", k->topic, err.msg);
			return EX_FLOW_DATAERR;
		}
		ev = &parsed;
	}
	/* the partitionkey extension is the record key */
	if (ev && (pk = ce_get(ev, "partitionkey", 12))) {
		key = pk->type == JSON_STRING ? pk->p + 1 : pk->p;
		keylen = pk->type == JSON_STRING ? pk->len - 2 : pk->len;
	}
	if (k->binary) {
		if (kafka_binary_record(ev, &hdrs, &value, &vlen, k->buf, &why) < 0) {
			warnmsg("kafka: %s: cannot make a binary record: %s", k->topic, why);
			return EX_FLOW_DATAERR;
		}
		copy = xmalloc(len + 2);
		copy[0] = (char)slot;
		memcpy(copy + 1, line, len);
		copy[len + 1] = '\0';
	}
	for (;;) {
		if (k->binary)
			e = rd_kafka_producev(k->rk, RD_KAFKA_V_RKT(k->rkt), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
			    RD_KAFKA_V_VALUE((void *)value, vlen), RD_KAFKA_V_KEY(key, keylen),
			    RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(copy), RD_KAFKA_V_END);
		else
			e = rd_kafka_producev(k->rk, RD_KAFKA_V_RKT(k->rkt), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
			    RD_KAFKA_V_VALUE((void *)value, vlen), RD_KAFKA_V_KEY(key, keylen),
			    RD_KAFKA_V_HEADER("content-type", KAFKA_STRUCTURED_TYPE, -1),
			    RD_KAFKA_V_OPAQUE((void *)(uintptr_t)slot), RD_KAFKA_V_END);
		if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
			break;
		/* a full local queue means waiting for the brokers, never dropping */
		rd_kafka_poll(k->rk, 100);
	}
	if (e) {
		if (hdrs)
			rd_kafka_headers_destroy(hdrs);
		free(copy);
		warnmsg("kafka: %s: %s", k->topic, rd_kafka_err2str(e));
		k->base.failed++;
		if (k->base.on_fail)
			k->base.on_fail(k->base.fail_ctx, line, len, rd_kafka_err2str(e));
		return error_status(e);
	}
	k->inflight[slot]++;
	/* delivery reports are served now and then, not at every message */
	if (++k->sent % POLL_EVERY == 0)
		rd_kafka_poll(k->rk, 0);
	return 0;
}

static int
kafka_flush(struct producer *p)
{
	struct kafka_producer *k = (struct kafka_producer *)p;
	int status;

	/* every message ends acknowledged or failed (message.timeout.ms) */
	while (rd_kafka_outq_len(k->rk) > 0)
		rd_kafka_flush(k->rk, 1000);
	status = k->status;
	k->status = 0;
	return status;
}

/* librdkafka sends within linger.ms by itself: serve the reports only */
static int
kafka_push(struct producer *p)
{
	struct kafka_producer *k = (struct kafka_producer *)p;

	rd_kafka_poll(k->rk, 0);
	return k->status;
}

/* Move oldest on past the epochs with nothing in flight; 1 if id is settled. */
static int
settled_now(struct kafka_producer *k, uint64_t id)
{
	while (k->oldest < k->epoch && k->inflight[k->oldest % EPOCHS] == 0)
		k->oldest++;
	return k->oldest > id;
}

static int
kafka_settled(struct producer *p, uint64_t id, int timeout_ms)
{
	struct kafka_producer *k = (struct kafka_producer *)p;
	int64_t deadline = clock_ms() + timeout_ms;
	int left;

	rd_kafka_poll(k->rk, 0);
	while (!settled_now(k, id) && (left = (int)(deadline - clock_ms())) > 0)
		rd_kafka_poll(k->rk, left < 100 ? left : 100);
	return settled_now(k, id);
}

static int
kafka_mark(struct producer *p, uint64_t *id)
{
	struct kafka_producer *k = (struct kafka_producer *)p;

	*id = k->epoch++;
	/* the new epoch takes the slot of one EPOCHS back: wait until it is free */
	while (k->epoch >= EPOCHS && !kafka_settled(p, k->epoch - EPOCHS, 1000))
		;
	return kafka_push(p);
}

static void
kafka_producer_close(struct producer *p)
{
	struct kafka_producer *k = (struct kafka_producer *)p;

	kafka_flush(p);
	rd_kafka_topic_destroy(k->rkt);
	rd_kafka_destroy(k->rk);
	free(k->topic);
	free(k->buf);
	free(k);
}

static const struct producer_ops kafka_producer_ops = {
	kafka_send, kafka_flush, kafka_push, kafka_mark, kafka_settled, kafka_producer_close,
};

struct producer *
kafka_producer_open(const struct flow_url *u, const struct broker_opts *o, int *status)
{
	struct kafka_producer *k = xcalloc(1, sizeof *k);
	rd_kafka_conf_t *conf;
	char errstr[512];

	if (!(conf = kafka_conf(u, o, producer_defaults, sizeof producer_defaults / sizeof *producer_defaults,
	    status))) {
		free(k);
		return NULL;
	}
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rd_kafka_conf_set_opaque(conf, k);
	if (!(k->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr))) {
		warnmsg("kafka: %s", errstr);
		free(k);
		*status = EX_FLOW_CONFIG;
		return NULL;
	}
	k->base.ops = &kafka_producer_ops;
	k->topic = xstrdup(u->name);
	if (!(k->rkt = rd_kafka_topic_new(k->rk, k->topic, NULL))) {
		warnmsg("kafka: %s: %s", k->topic, rd_kafka_err2str(rd_kafka_last_error()));
		*status = EX_FLOW_CONFIG;
		rd_kafka_destroy(k->rk);
		free(k->topic);
		free(k);
		return NULL;
	}
	k->binary = o->binary;
	if (k->binary)
		k->buf = xmalloc(2 * (size_t)CE_LINE_MAX);
	return &k->base;
}
