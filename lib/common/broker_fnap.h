/* broker_fnap: fnap://host:port/FLOW and fnaps://... (implicit TLS): a
   flow's events through its agent, with PUBLISH and STREAM. Credentials
   come from FNAP_USER and FNAP_PASSWORD (else ANONYMOUS, which reads
   public flows); FNAP_CA names the PEM file of trusted CAs for fnaps
   (else the system's). With a consumer group (-g) the agent keeps the
   group's position, per user, moved by the consumer's ACKs, and a stream
   cut off is resumed from it (fnap_consume.c). */
#ifndef FLOW_BROKER_FNAP_H
#define FLOW_BROKER_FNAP_H

#include "broker.h"
#include "fnap_client.h"

struct producer *fnap_producer_open(const struct flow_url *u, const struct broker_opts *o, int *status);
/* A logged-in session with u's agent, as FNAP_USER (else anonymous); NULL
   after a message, with *status. */
struct fnap_client *fnap_broker_session(const struct flow_url *u, int *status);
struct consumer *fnap_consumer_open(const struct flow_url *u, const struct broker_opts *o, int *status);

#endif
