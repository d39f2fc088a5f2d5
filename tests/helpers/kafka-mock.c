/* kafka-mock [BROKERS]: a Kafka cluster of BROKERS (default 3) mock brokers
   on loopback, from librdkafka's mock cluster: it speaks the real protocol.
   Prints the bootstrap list on one line, then reads commands on stdin:
     down N | up N         take broker N (1..BROKERS, -1: all) down or up
     topic NAME PARTITIONS create a topic
   and answers each with "ok" or "error: ..."; stops at "quit" or when
   stdin closes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

int
main(int argc, char **argv)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_mock_cluster_t *mc;
	rd_kafka_resp_err_t err;
	rd_kafka_t *rk;
	char errstr[512], line[512], name[256];
	int brokers = argc > 1 ? atoi(argv[1]) : 3, n;

	if (brokers < 1 || brokers > 16) {
		fprintf(stderr, "usage: kafka-mock [BROKERS]\n");
		return 64;
	}
	/* the mock cluster needs a client instance to live in */
	rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof errstr);
	if (!(rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr))) {
		fprintf(stderr, "kafka-mock: %s\n", errstr);
		return 70;
	}
	if (!(mc = rd_kafka_mock_cluster_new(rk, brokers))) {
		fprintf(stderr, "kafka-mock: cannot start the mock cluster\n");
		return 70;
	}
	printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
	fflush(stdout);
	while (fgets(line, sizeof line, stdin) && strcmp(line, "quit\n") != 0) {
		if (sscanf(line, "down %d", &n) == 1)
			err = rd_kafka_mock_broker_set_down(mc, n);
		else if (sscanf(line, "up %d", &n) == 1)
			err = rd_kafka_mock_broker_set_up(mc, n);
		else if (sscanf(line, "topic %255s %d", name, &n) == 2 && n > 0)
			err = rd_kafka_mock_topic_create(mc, name, n, brokers < 3 ? brokers : 3);
		else {
			printf("error: unknown command\n");
			fflush(stdout);
			continue;
		}
		if (err)
			printf("error: %s\n", rd_kafka_err2str(err));
		else
			printf("ok\n");
		fflush(stdout);
	}
	rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(rk);
	return 0;
}
