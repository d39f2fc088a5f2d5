#!/usr/bin/env bash
# bench/kafka.sh [EVENTS]: on librdkafka mock clusters, same events, same run:
# flow-pub vs kcat -P -l, flow-sub -o beginning -e vs kcat -C -e, flow-bridge vs
# flow-sub | flow-pub; RSS < 64 MB. The peer
# of flow-pub is kcat -P writing the same records, with the structured mode's
# content-type header; bare kcat -P is shown too (see doc/choices.md).
# BENCH_REPS rounds (default 5), best and median. Targets (DESIGN): flow-pub
# <= 0.9x kcat -P's time, flow-sub <= 0.6x kcat -C's.
# Topics have 512 partitions (the mock keeps only about 5 MB of each, and
# drops older batches silently); every run checks it moved all the events.
set -eu
. "$(dirname "$0")/common.sh"
# the mock cluster helper is a check program: built by make check, or here
[ -x "$build/tests/helpers/kafka-mock" ] || make -C "$build" -s tests/helpers/kafka-mock
PATH="$build/tests/helpers:$PATH"
n=${1:-1000000}
in=$(events "$n")
run=$(mktemp -d "$work/kafka.XXXXXX")

# shellcheck source=../tests/bats/helpers/kafka.bash
. "$top/tests/bats/helpers/kafka.bash"
TMP=$run

# mock TOPIC...: a fresh mock cluster at $k, with TOPICs of 512 partitions.
# Each producer writes to a cluster of its own: the mock keeps every record
# in memory (up to 5 MB a partition), and one that already holds earlier
# runs' hundreds of MB is slower for whoever comes later.
mock() {
	local t
	kafka_stop
	kafka_start 3
	k=$KAFKA
	for t; do kafka_cmd topic "$t" 512; done
}
trap 'kafka_stop; rm -rf "$run"' EXIT
x="-X sticky.partitioning.linger.ms=0"

# expect TOPIC: every event is there
expect() {
	local got
	got=$(kcat -b "$k" -C -t "$1" -o beginning -e -q | wc -l)
	[ "$got" -eq "$n" ] || { echo "kafka.sh: $1 holds $got of $n events" >&2; exit 1; }
}
# counted: a consumer's output line count, taken inside the timed pipeline
counted() {
	[ "$(cat "$run/count")" -eq "$n" ] || { echo "kafka.sh: $1 read $(cat "$run/count") of $n events" >&2; exit 1; }
}
# the rounds alternate tool and peer, so that a slow spell of the machine
# or of the mock does not fall on one side only
for r in $(seq "$reps"); do
	mock kcat
	measure "kcat -b '$k' -P -t kcat $x -l '$in'"
	keep kp; expect kcat
	# the records flow-pub writes carry the structured mode's content-type
	mock kcath
	measure "kcat -b '$k' -P -t kcath $x -H content-type=application/cloudevents+json -l '$in'"
	keep kh; expect kcath
	mock pub pipe
	measure "flow-pub $x 'kafka://$k/pub' < '$in'"
	keep fp; expect pub
	measure "kcat -b '$k' -C -t pub -o beginning -e -q | wc -l > '$run/count'"
	keep kc; counted "kcat -C"
	measure "kcat -b '$k' -C -t pub -X fetch.wait.max.ms=10 -o beginning -e -q | wc -l > '$run/count'"
	keep kw; counted "kcat -C -X fetch.wait.max.ms=10"
	measure "flow-sub -o beginning -e 'kafka://$k/pub' | wc -l > '$run/count'"
	keep fs; counted flow-sub
	measure "flow-sub -o beginning -e 'kafka://$k/pub' | flow-pub $x 'kafka://$k/pipe'"
	keep sp; expect pipe
	# the bridge reads and writes a cluster in the same state as the pipe did
	mock pub bridge
	flow-pub $x "kafka://$k/pub" < "$in"
	measure "flow-bridge -e -o beginning $x 'kafka://$k/pub' 'kafka://$k/bridge'"
	keep fb; expect bridge
	kafka_stop
	echo "round $r done" >&2
done

printf '%-40s %8s %8s %12s %9s\n' "command (of $reps rounds, most RSS)" best median events/s peak-KB
for k in "kp:kcat -P -l (peer)" "kh:kcat -P -l -H content-type (peer)" "fp:flow-pub" "kc:kcat -C -e (peer)" \
    "kw:kcat -C -e, flow-sub's fetch wait (peer)" "fs:flow-sub -o beginning -e" "sp:flow-sub | flow-pub (peer)" \
    "fb:flow-bridge"; do
	m="rss_${k%%:*}"
	printf '%-40s %8s %8s %12s %9s\n' "${k#*:}" "$(best "${k%%:*}")" "$(median "${k%%:*}")" \
		"$(rate "$n" "$(best "${k%%:*}")")" "${!m}"
done
echo "flow-pub / kcat -P -H content-type time: $(ratios fp kh), best (median) (target <= 0.9: the same records)"
echo "flow-pub / kcat -P time: $(ratios fp kp) (records without the content-type header)"
echo "flow-sub / kcat -C time: $(ratios fs kc) (target <= 0.6)"
echo "flow-sub / kcat -C -X fetch.wait.max.ms=10 time: $(ratios fs kw) (the same fetch wait)"
echo "flow-bridge / (flow-sub | flow-pub) time: $(ratios fb sp) (target <= 1)"
summary_row "flow-pub (kafka)" "$(rate "$n" "$(best fp)") ev/s, $rss_fp KB" "kcat -P -H $(rate "$n" "$(best kh)") ev/s" \
	"$(ratios fp kh)x time" "<= 0.9x, < 64 MB"
summary_row "flow-sub (kafka)" "$(rate "$n" "$(best fs)") ev/s, $rss_fs KB" "kcat -C $(rate "$n" "$(best kc)") ev/s" \
	"$(ratios fs kc)x time" "<= 0.6x, < 64 MB"
summary_row "flow-bridge (kafka)" "$(rate "$n" "$(best fb)") ev/s, $rss_fb KB" "sub|pub $(rate "$n" "$(best sp)") ev/s" \
	"$(ratios fb sp)x time" "<= 1x, < 64 MB"
