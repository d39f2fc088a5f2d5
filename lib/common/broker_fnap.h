/* broker_fnap: fnap://host:port/FLOW and fnaps://... (implicit TLS): a
   flow's events through its agent, with PUBLISH and STREAM. Credentials
   come from FNAP_USER and FNAP_PASSWORD (else ANONYMOUS, which reads
   public flows); FNAP_CA names the PEM file of trusted CAs for fnaps
   (else the system's). The agent keeps no consumer-group offsets. */
#ifndef FLOW_BROKER_FNAP_H
#define FLOW_BROKER_FNAP_H

#include "broker.h"

struct producer *fnap_producer_open(const struct flow_url *u, const struct broker_opts *o, int *status);
struct consumer *fnap_consumer_open(const struct flow_url *u, const struct broker_opts *o, int *status);

#endif
