#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <sodium.h>

#include "broker_kafka.h"
#include "kafka_record.h"
#include "util.h"

/* Memory: the prefetch queue counts the bytes of the records it holds,
   which cost about twice that with librdkafka's own structures, and a
   record keeps the whole fetch response it came in alive (fetch.max.bytes,
   50 MB by default). 8 MB of prefetch reads 1M events as fast as 16 MB.
   The last one is for -e only: a partition's end shows once a fetch comes
   back empty, and a broker holds an empty fetch for fetch.wait.max.ms
   (500 ms) in case events arrive, which a reader stopping there does not
   want (1M events: 0.95 s, not 1.45 s). */
static const char *const consumer_defaults[] = {
	"enable.auto.commit=false", "enable.auto.offset.store=false", "enable.partition.eof=true",
	"queued.max.messages.kbytes=8192", "fetch.max.bytes=4194304", "log_level=3",
	"fetch.wait.max.ms=10",
};

/* A consumer in one of two modes: a balanced member of its group
   (subscribe), or reading partitions it assigns itself, from the offsets
   -o asks for (and -e needs to know when each has reached its end). */
struct kafka_consumer {
	struct consumer base;
	rd_kafka_t *rk;
	char *topic;
	int group;
	int stop_at_end;
	rd_kafka_message_t *cur;   /* the record handed out last */
	int replay;                /* unread(): hand cur out again */
	int64_t replay_offset;
	int32_t npart;
	int64_t *next;             /* per partition: offset to commit, -1 none */
	char *at_end;              /* per partition: reached its end */
	char *buf;                 /* structured lines made from binary records */
	struct ce_event ev;        /* the record handed out last, parsed */
	long taken, wake_count;    /* records read since the queue was last empty, */
	size_t taken_bytes, wake_bytes;  /* and how many make fetchers stop */
};

static void
grow(struct kafka_consumer *c, int32_t partition)
{
	int32_t i, n = partition + 1;

	if (partition < c->npart)
		return;
	c->next = xrealloc(c->next, n * sizeof *c->next);
	c->at_end = xrealloc(c->at_end, n);
	for (i = c->npart; i < n; i++) {
		c->next[i] = -1;
		c->at_end[i] = 0;
	}
	c->npart = n;
}

static int
all_at_end(const struct kafka_consumer *c)
{
	int32_t i;

	for (i = 0; i < c->npart; i++)
		if (!c->at_end[i])
			return 0;
	return c->npart > 0;
}

/* librdkafka 2.0 stops fetching a partition while the queue holds
   queued.min.messages or queued.max.messages.kbytes, and looks again only
   when something wakes its broker thread: up to a second later. Having
   drained that much, a ListOffsets request to each leader wakes them now. */
static void
wake_fetchers(struct kafka_consumer *c)
{
	rd_kafka_topic_partition_list_t *l;
	int i;

	if (rd_kafka_assignment(c->rk, &l))
		return;
	for (i = 0; i < l->cnt; i++)
		l->elems[i].offset = RD_KAFKA_OFFSET_END;  /* as a time: the latest */
	if (l->cnt)
		rd_kafka_offsets_for_times(c->rk, l, 500);
	rd_kafka_topic_partition_list_destroy(l);
}

static int
kafka_next(struct consumer *cons, struct record *rec, int timeout_ms)
{
	struct kafka_consumer *c = (struct kafka_consumer *)cons;
	rd_kafka_message_t *m;
	const char *why;

	if (c->replay) {
		c->replay = 0;
		m = c->cur;
		goto deliver;
	}
	for (;;) {
		if (c->cur) {
			rd_kafka_message_destroy(c->cur);
			c->cur = NULL;
		}
		if (c->stop_at_end && all_at_end(c))
			return CONSUMER_END;
		if (!(m = rd_kafka_consumer_poll(c->rk, 0))) {
			if (c->taken >= c->wake_count || c->taken_bytes >= c->wake_bytes)
				wake_fetchers(c);
			c->taken = 0;
			c->taken_bytes = 0;
			if (!(m = rd_kafka_consumer_poll(c->rk, timeout_ms < 0 ? 1000 : timeout_ms)))
				return 0;
		}
		c->taken++;
		c->taken_bytes += m->len;
		c->cur = m;
		grow(c, m->partition);
		if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
			c->at_end[m->partition] = 1;
			continue;
		}
		if (m->err) {
			warnmsg("kafka: %s: %s", c->topic, rd_kafka_message_errstr(m));
			if (m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC || m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
			    rd_kafka_fatal_error(c->rk, NULL, 0)) {
				c->base.status = m->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
				    m->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ? EX_FLOW_NEGATIVE : EX_FLOW_UNAVAILABLE;
				return CONSUMER_ERROR;
			}
			continue;  /* librdkafka retries the rest itself */
		}
		c->at_end[m->partition] = 0;
		c->replay_offset = c->next[m->partition];
		c->next[m->partition] = m->offset + 1;
	deliver:
		if (kafka_event_line(m, c->buf, 6 * (size_t)CE_LINE_MAX, &rec->line, &rec->len, &c->ev, &why) == 0) {
			rec->ev = &c->ev;
			rec->offset = m->offset;
			rec->partition = m->partition;
			return 1;
		}
		/* not a CloudEvent: said, kept by the caller, and passed over */
		warnmsg("kafka: %s: partition %" PRId32 " offset %" PRId64 ": %s", c->topic, m->partition,
		    m->offset, why);
		c->base.rejected++;
		if (c->base.on_reject)
			c->base.on_reject(c->base.reject_ctx, m->payload ? m->payload : "", m->payload ? m->len : 0, why);
	}
}

static void
kafka_unread(struct consumer *cons)
{
	struct kafka_consumer *c = (struct kafka_consumer *)cons;

	c->replay = 1;
	c->next[c->cur->partition] = c->replay_offset;
}

static void
kafka_position(struct consumer *cons, struct position *pos)
{
	struct kafka_consumer *c = (struct kafka_consumer *)cons;

	pos->n = c->npart;
	pos->next = xmalloc((c->npart ? c->npart : 1) * sizeof *pos->next);
	memcpy(pos->next, c->next, c->npart * sizeof *pos->next);
}

static int
kafka_commit(struct consumer *cons, const struct position *pos)
{
	struct kafka_consumer *c = (struct kafka_consumer *)cons;
	rd_kafka_topic_partition_list_t *l;
	rd_kafka_resp_err_t err;
	int32_t i;

	if (!c->group)
		return 0;
	l = rd_kafka_topic_partition_list_new(pos->n);
	for (i = 0; i < pos->n; i++)
		if (pos->next[i] >= 0)
			rd_kafka_topic_partition_list_add(l, c->topic, i)->offset = pos->next[i];
	err = l->cnt ? rd_kafka_commit(c->rk, l, 0) : RD_KAFKA_RESP_ERR_NO_ERROR;
	rd_kafka_topic_partition_list_destroy(l);
	if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
		warnmsg("kafka: %s: cannot commit: %s", c->topic, rd_kafka_err2str(err));
		return EX_FLOW_TEMPFAIL;
	}
	return 0;
}

static void
kafka_consumer_close(struct consumer *cons)
{
	struct kafka_consumer *c = (struct kafka_consumer *)cons;

	if (c->cur)
		rd_kafka_message_destroy(c->cur);
	rd_kafka_consumer_close(c->rk);
	rd_kafka_destroy(c->rk);
	free(c->next);
	free(c->at_end);
	free(c->buf);
	free(c->topic);
	free(c);
}

static const struct consumer_ops kafka_consumer_ops = {
	kafka_next, kafka_position, kafka_commit, kafka_consumer_close, kafka_unread,
};

int
kafka_partition_count(rd_kafka_t *rk, const char *topic, int *status)
{
	const struct rd_kafka_metadata *md;
	rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
	rd_kafka_resp_err_t err;
	int n;

	err = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
	rd_kafka_topic_destroy(rkt);
	if (err || md->topic_cnt != 1 || md->topics[0].err) {
		err = err ? err : md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
		warnmsg("kafka: %s: %s", topic, rd_kafka_err2str(err));
		if (md && !(err == RD_KAFKA_RESP_ERR__TRANSPORT || err == RD_KAFKA_RESP_ERR__TIMED_OUT))
			rd_kafka_metadata_destroy(md);
		*status = err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ? EX_FLOW_NEGATIVE : EX_FLOW_UNAVAILABLE;
		return -1;
	}
	n = md->topics[0].partition_cnt;
	rd_kafka_metadata_destroy(md);
	return n;
}

/* stored:SPEC: where the group has committed an offset, it; elsewhere
   what l holds. 0, or -1 after a message. */
static int
resume_committed(struct kafka_consumer *c, rd_kafka_topic_partition_list_t *l, int *status)
{
	rd_kafka_topic_partition_list_t *stored = rd_kafka_topic_partition_list_copy(l);
	rd_kafka_resp_err_t err = rd_kafka_committed(c->rk, stored, 10000);
	int i;

	if (err) {
		warnmsg("kafka: %s: the group's offsets: %s", c->topic, rd_kafka_err2str(err));
		*status = EX_FLOW_UNAVAILABLE;
	} else
		for (i = 0; i < l->cnt && i < stored->cnt; i++)
			if (stored->elems[i].offset >= 0)
				l->elems[i].offset = stored->elems[i].offset;
	rd_kafka_topic_partition_list_destroy(stored);
	return err ? -1 : 0;
}

/* Assign every partition of the topic, at the offsets -o asks for. */
static int
assign(struct kafka_consumer *c, const struct offset_spec *o, int *status)
{
	rd_kafka_topic_partition_list_t *l;
	rd_kafka_resp_err_t err;
	int64_t start;
	int i, n;

	if ((n = kafka_partition_count(c->rk, c->topic, status)) < 0)
		return -1;
	switch (o->kind) {
	case OFFSET_BEGINNING: start = RD_KAFKA_OFFSET_BEGINNING; break;
	case OFFSET_ABS: start = o->value; break;
	case OFFSET_FROM_END: start = RD_KAFKA_OFFSET_TAIL(o->value); break;
	case OFFSET_STORED:
	case OFFSET_DEFAULT: start = c->group ? RD_KAFKA_OFFSET_STORED : RD_KAFKA_OFFSET_END; break;
	case OFFSET_TIME: start = o->value / 1000000; break;
	default: start = RD_KAFKA_OFFSET_END; break;
	}
	l = rd_kafka_topic_partition_list_new(n);
	for (i = 0; i < n; i++)
		rd_kafka_topic_partition_list_add(l, c->topic, i)->offset = start;
	if (o->kind == OFFSET_TIME && (err = rd_kafka_offsets_for_times(c->rk, l, 10000))) {
		warnmsg("kafka: %s: offsets for %s: %s", c->topic, "the time", rd_kafka_err2str(err));
		rd_kafka_topic_partition_list_destroy(l);
		*status = EX_FLOW_UNAVAILABLE;
		return -1;
	}
	for (i = 0; i < l->cnt; i++)
		if (l->elems[i].offset < 0 && o->kind == OFFSET_TIME)
			l->elems[i].offset = RD_KAFKA_OFFSET_END;  /* nothing that late yet */
	if (o->resume && c->group && resume_committed(c, l, status) < 0) {
		rd_kafka_topic_partition_list_destroy(l);
		return -1;
	}
	grow(c, n - 1);
	err = rd_kafka_assign(c->rk, l);
	rd_kafka_topic_partition_list_destroy(l);
	if (err) {
		warnmsg("kafka: %s: %s", c->topic, rd_kafka_err2str(err));
		*status = EX_FLOW_UNAVAILABLE;
		return -1;
	}
	return 0;
}

/* Half the queue limits: having read that much since the queue was last
   empty, the fetchers may have stopped (a guess too low costs a request). */
static void
wake_limits(struct kafka_consumer *c, rd_kafka_conf_t *conf)
{
	char v[32];
	size_t n = sizeof v;

	c->wake_count = rd_kafka_conf_get(conf, "queued.min.messages", v, &n) == RD_KAFKA_CONF_OK ?
	    strtol(v, NULL, 10) / 2 : 50000;
	n = sizeof v;
	c->wake_bytes = rd_kafka_conf_get(conf, "queued.max.messages.kbytes", v, &n) == RD_KAFKA_CONF_OK ?
	    (size_t)strtol(v, NULL, 10) * 512 : 8 << 20;
}

struct consumer *
kafka_consumer_open(const struct flow_url *u, const struct broker_opts *o, int *status)
{
	struct kafka_consumer *c;
	rd_kafka_conf_t *conf;
	rd_kafka_topic_partition_list_t *l;
	char errstr[512], id[64];
	rd_kafka_resp_err_t err;

	if (!(conf = kafka_conf(u, o, consumer_defaults,
	    sizeof consumer_defaults / sizeof *consumer_defaults - !o->stop_at_end, status)))
		return NULL;
	if (!o->group) {
		/* librdkafka wants a group even to assign; this one never commits */
		snprintf(id, sizeof id, "flow-sub-%ld-%08x", (long)getpid(), randombytes_random());
		rd_kafka_conf_set(conf, "group.id", id, errstr, sizeof errstr);
	} else
		rd_kafka_conf_set(conf, "group.id", o->group, errstr, sizeof errstr);
	rd_kafka_conf_set(conf, "auto.offset.reset", o->start.kind == OFFSET_STORED ? "earliest" : "latest",
	    errstr, sizeof errstr);
	c = xcalloc(1, sizeof *c);
	wake_limits(c, conf);
	if (!(c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr))) {
		warnmsg("kafka: %s", errstr);
		free(c);
		*status = EX_FLOW_CONFIG;
		return NULL;
	}
	rd_kafka_poll_set_consumer(c->rk);
	c->base.ops = &kafka_consumer_ops;
	c->topic = xstrdup(u->name);
	c->group = o->group != NULL;
	c->stop_at_end = o->stop_at_end;
	c->buf = xmalloc(6 * (size_t)CE_LINE_MAX + 1024);
	if (o->group && !o->stop_at_end && (o->start.kind == OFFSET_DEFAULT || o->start.kind == OFFSET_STORED)) {
		l = rd_kafka_topic_partition_list_new(1);
		rd_kafka_topic_partition_list_add(l, c->topic, RD_KAFKA_PARTITION_UA);
		err = rd_kafka_subscribe(c->rk, l);
		rd_kafka_topic_partition_list_destroy(l);
		if (err) {
			warnmsg("kafka: %s: %s", c->topic, rd_kafka_err2str(err));
			*status = EX_FLOW_UNAVAILABLE;
			kafka_consumer_close(&c->base);
			return NULL;
		}
	} else if (assign(c, &o->start, status) < 0) {
		kafka_consumer_close(&c->base);
		return NULL;
	}
	return &c->base;
}
