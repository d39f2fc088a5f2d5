/* fnap_queue: where the agent keeps a flow's events, as its namespace's
   broker kind keeps them (the kind's keeper, brokers.h: a directory of
   the file broker, a Kafka topic named as the flow). It places a new
   flow's queue, makes and removes it, and says how the flow's events are
   reached: its broker URL and options, its DNS broker records (the
   agent's own for a kind it serves over FNAP), the lines DESCRIBE shows
   of it and what it holds. Part
   of the agent's model: it never replies to a client; the model
   (fnap_flows, fnap_subs) and the handlers of STREAM and PUBLISH call it. */
#ifndef FLOW_FNAP_QUEUE_H
#define FLOW_FNAP_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "broker.h"
#include "dnsupdate.h"
#include "flowstate.h"
#include "fnap_conf.h"
#include "fnap_result.h"

/* Room for a flow's broker URL. */
#define QUEUE_URL_MAX (FLOWSTATE_PATH_MAX + DNSNAME_MAX + 16)

/* Fill m's broker fields for flow m->flow in namespace ns: 0, or a reply
   code in r (553: a name the broker cannot take). */
int queue_place(const struct fnap_namespace *ns, struct flow_meta *m, struct result *r);
/* Make m's queue, keeping events as m->retention says: 0, or a reply
   code in r (501: its kind cannot keep that; 450 with the cluster's
   reason for Kafka), nothing left behind that the kind may remove. */
int queue_create(const struct fnap_namespace *ns, const struct flow_meta *m, struct result *r);
/* Have m's queue keep events as m->retention says ("" as its broker
   keeps them): 0, or a reply code in r (501: its kind cannot keep that;
   450 with the cluster's reason for Kafka). */
int queue_retain(const struct fnap_conf *conf, const struct flow_meta *m, struct result *r);
/* Remove m's queue: 0, or -1 after a message in the log. */
int queue_delete(const struct fnap_conf *conf, const struct flow_meta *m);

/* The flow's broker URL, as the agent itself opens it. */
void queue_url(const struct flow_meta *m, char *url, size_t size);
/* The URL and the broker options it needs (the namespace's Kafka
   properties): 0, or 450 in r. Free o with broker_opts_free. */
int queue_open_args(const struct fnap_conf *conf, const struct flow_meta *m, char url[QUEUE_URL_MAX],
    struct broker_opts *o, struct result *r);

/* The broker records of m for d: where other hosts find its events (the
   agent itself for the file broker; Kafka's bootstrap servers), into t.
   0, or -1 when its servers make no SRV target. */
int queue_dns(const struct fnap_conf *conf, const struct flow_meta *m, struct dnsupdate_flow *d,
    struct srv_target t[RESOLVE_MAX_TARGETS]);

/* What m's queue holds, and of its groups those whose names start with
   prefix, measured at now_ns, into st, as its kind's stat (brokers.h)
   tells them: 0, or -1 after a message in the log (the broker cannot
   tell now). Free st with flow_stat_free either way. */
struct flow_stat;
int queue_stat(const struct fnap_conf *conf, const struct flow_meta *m, const char *prefix,
    int64_t now_ns, struct flow_stat *st);

/* DESCRIBE's broker lines of m, "type" to "path", through fn; mine: the
   session owns the flow (a file flow is then shown as the file it is,
   else as the FNAP stream it is to others). */
void queue_describe(const struct fnap_conf *conf, const struct flow_meta *m, int mine,
    void (*fn)(void *ctx, const char *key, const char *value), void *ctx);

#endif
