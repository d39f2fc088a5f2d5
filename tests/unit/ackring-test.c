/* ackring-test: the cases of ackring.test through lib/agent/ackring
   (unit.h, README): what a client's ACK n makes of the events a GROUP
   stream sent. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ackring.h"
#include "unit.h"

#define SEP(out) ((out)->len ? " " : "")

/* One step of a case: "P:O" an event of partition P at offset O sent
   ("full" if the ring was full), "ack:N" the client's ACK N. The result:
   each ACK's answer in turn, a space apart: "moved P=NEXT,..." (per
   partition the offset after the last done, -1 where none), "same",
   "over" (more than sent) or "full". */
static int
step(struct ackring *a, const char *w, struct unit_out *out)
{
	const struct position *pos;
	long long n, off;
	int p, i, r;

	if (sscanf(w, "ack:%lld", &n) == 1) {
		if ((r = ackring_ack(a, (uint64_t)n, &pos)) < 0)
			unit_printf(out, "%sover", SEP(out));
		else if (r == 0)
			unit_printf(out, "%ssame", SEP(out));
		else {
			unit_printf(out, "%smoved", SEP(out));
			for (i = 0; i < pos->n; i++)
				unit_printf(out, "%s%d=%lld", i ? "," : " ", i, (long long)pos->next[i]);
		}
		return 0;
	}
	if (sscanf(w, "%d:%lld", &p, &off) != 2)
		return -1;
	if (ackring_full(a))
		unit_printf(out, "%sfull", SEP(out));
	else
		ackring_push(a, p, off);
	return 0;
}

/* ring CAP STEPS: the steps (space-separated) on a ring of CAP events */
static int
check(const struct unit_case *c, struct unit_out *out)
{
	char steps[1024], *w, *save;
	long long cap;
	struct ackring *a;
	int bad = 0;

	if (c->nfields != 4 || strcmp(c->field[0], "ring") != 0 || unit_number(c, 1, &cap) < 0 ||
	    cap < 1 || c->len[2] >= sizeof steps)
		return -1;
	memcpy(steps, c->field[2], c->len[2] + 1);
	a = ackring_new((size_t)cap);
	for (w = strtok_r(steps, " ", &save); w && !bad; w = strtok_r(NULL, " ", &save))
		bad = step(a, w, out) < 0;
	unit_printf(out, "%ssent=%llu acked=%llu", SEP(out), (unsigned long long)ackring_sent(a),
	    (unsigned long long)ackring_acked(a));
	ackring_free(a);
	return bad ? -1 : 0;
}

int
main(int argc, char **argv)
{
	return unit_main(argc, argv, check);
}
