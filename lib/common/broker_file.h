/* broker_file: the embedded log's appender. A flow is a directory of NDJSON
   segment files named by the offset of their first record, each with a
   sparse index; appenders take an flock on "lock"; groups/ holds consumer
   offsets. Its readers are file_read's. */
#ifndef FLOW_BROKER_FILE_H
#define FLOW_BROKER_FILE_H

#include "broker.h"

#define FILE_SEGMENT_BYTES (256 * 1024 * 1024)    /* roll to a new segment past this */

struct producer *file_producer_open(const char *dir, const struct broker_opts *o, int *status);

#endif
