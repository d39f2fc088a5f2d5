/* monitoring: what a monitoring plugin (the monitoring-plugins guidelines,
   as Nagios, Icinga and Naemon run them) writes, shared by flow-stat
   --check and fnap check: the four states, which are also the exit
   statuses, a figure judged against its warning and critical thresholds,
   and a threshold as the performance data after "|" writes it. Each
   program writes its own status line: what it measures differs. */
#ifndef FLOW_MONITORING_H
#define FLOW_MONITORING_H

#include <stdint.h>
#include <stdio.h>

enum mon_state { MON_OK, MON_WARNING, MON_CRITICAL, MON_UNKNOWN };

/* "OK", "WARNING", "CRITICAL" or "UNKNOWN". */
const char *mon_state_name(enum mon_state state);
/* The state of value: CRITICAL above crit, else WARNING above warn, else
   OK; a threshold below 0 is not set. */
enum mon_state mon_level(int64_t value, int64_t warn, int64_t crit);
/* Threshold v in units of unit (nothing when v < 0: not set), then after. */
void mon_threshold(FILE *f, int64_t v, double unit, const char *after);

#endif
