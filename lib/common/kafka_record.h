/* kafka_record: CloudEvents in Kafka records (the CloudEvents Kafka binding):
   an event line to a binary-mode record (ce_* headers, value = data), and a
   record of either mode back to one structured event line. */
#ifndef FLOW_KAFKA_RECORD_H
#define FLOW_KAFKA_RECORD_H

#include <stddef.h>

#include <librdkafka/rdkafka.h>

#include "ce.h"

#define KAFKA_STRUCTURED_TYPE "application/cloudevents+json"

/* Binary mode: headers for the event's attributes (the caller owns them)
   and its data as the value, decoded into buf (at least 2 * ev->len bytes).
   JSON data (by datacontenttype, or none, which adds application/json) is
   its JSON text; other data its string's text or data_base64's bytes; no
   data, no value (data: null beside data_base64 is absent). An event whose
   data is not a string under a type that is not JSON, or whose type is the
   CloudEvents media type (which a reader takes for structured mode), is
   made a structured record instead. Every event ce_parse takes can be
   made a record. 0, or -1 with *why. */
int kafka_binary_record(const struct ce_event *ev, rd_kafka_headers_t **hdrs, const char **value,
    size_t *vlen, char *buf, const char **why);

/* The record as one structured event line, validated: in place when it is
   a structured record on one line, else made in buf (cap bytes). The mode
   is the content-type's: application/cloudevents... is structured (only
   its +json format is read), else ce_specversion means binary, else the
   value is taken for a structured event. 0 with *line, *len and the parsed
   event in *ev, or -1 with *why (not a CloudEvent). */
int kafka_event_line(const rd_kafka_message_t *m, char *buf, size_t cap, const char **line,
    size_t *len, struct ce_event *ev, const char **why);

#endif
