/* processor: the agent's processors as s6 service directories. A
   processor is STATE/service/NAME/ (mode 0750) with a run script that
   sets the creator's umask and execs one program (flow-bridge) with its
   arguments shell-quoted, and an env/ directory (mode 0700, files 0600)
   that s6-envdir reads, so that credentials never stand in the script. The service is linked into the
   supervisor's scan directory and s6-svscan told to look; pause, resume
   and removal go through s6-svc. NAME is a flow name: nothing else
   reaches a path or the script unquoted. What a processor could not
   take (records that are not events, events that failed verification)
   it keeps in STATE/service/NAME/rejects, made mode 0600 by the run
   script at each start, after it moved the previous run's to
   rejects.1: two runs' worth at most, gone with the processor. */
#ifndef FLOW_PROCESSOR_H
#define FLOW_PROCESSOR_H

#include <stddef.h>

/* Make and start processor name, running argv (argv[0] found in PATH)
   with the environment variables env ("KEY=VALUE", NULL-terminated; PATH
   and FLOW_NAMESERVER of the agent are added). 0, or -1 with *why (and
   nothing left behind). */
int processor_create(const char *state, const char *scan, const char *name,
    char *const argv[], char *const env[], const char **why);
/* The path of processor name's rejects file into out (size bytes): 0, or
   -1 when it does not fit. */
int processor_rejects(const char *state, const char *name, char *out, size_t size);
/* Pause (SIGSTOP) or resume (SIGCONT) it: 0, or -1 with *why. */
int processor_pause(const char *state, const char *name, int pause, const char **why);
/* Stop it, unlink it from the scan directory and remove its directory: 0,
   or -1 with *why. A processor that is not there is removed already. */
int processor_remove(const char *state, const char *scan, const char *name, const char **why);

#endif
