/* file_read: the reader of a file flow: start at an offset, hand out whole
   lines, follow the log (inotify, else polling), keep a group's offset. */
#ifndef FLOW_FILE_READ_H
#define FLOW_FILE_READ_H

#include "broker.h"

struct consumer *file_consumer_open(const char *dir, const struct broker_opts *o, int *status);

/* 0 if name may be a consumer group: 1-128 of [A-Za-z0-9._-], not starting with '.'. */
int group_name_check(const char *name);

#endif
