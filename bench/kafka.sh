#!/usr/bin/env bash
# bench/kafka.sh [EVENTS]: on librdkafka mock clusters, same events, same run:
# flow-pub vs kcat -P -l, flow-sub -o beginning -e vs kcat -C -e, flow-bridge vs
# flow-sub | flow-pub. Targets: no slower than the peer; RSS < 64 MB. The peer
# of flow-pub is kcat -P writing the same records, with the structured mode's
# content-type header; bare kcat -P is shown too (see doc/choices.md).
# BENCH_REPS rounds (default 5); each figure is the best of its rounds.
# Topics have 64 partitions: the mock keeps only about 5 MB of each, and
# drops older batches silently; every run checks it moved all the events.
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

# mock TOPIC...: a fresh mock cluster at $k, with TOPICs of 64 partitions.
# Each producer writes to a cluster of its own: the mock keeps every record
# in memory (up to 5 MB a partition), and one that already holds earlier
# runs' hundreds of MB is slower for whoever comes later.
mock() {
	local t
	kafka_stop
	kafka_start 3
	k=$KAFKA
	for t; do kafka_cmd topic "$t" 64; done
}
trap 'kafka_stop; rm -rf "$run"' EXIT
reps=${BENCH_REPS:-5}
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
# best NAME: keep the shortest time of NAME over the rounds, and the
# largest RSS (the RSS target holds for every run)
best() {
	local t="best_$1" m="rss_$1"
	if [ -z "${!t:-}" ] || awk -v a="$secs" -v b="${!t}" 'BEGIN { exit !(a < b) }'; then
		printf -v "$t" %s "$secs"
	fi
	[ "${!m:-0}" -ge "$rss" ] || printf -v "$m" %s "$rss"
	all="$all $1=$secs"
}

# the rounds alternate tool and peer, so that a slow spell of the machine
# or of the mock does not fall on one side only
for r in $(seq "$reps"); do
	all=
	mock kcat
	measure "kcat -b '$k' -P -t kcat $x -l '$in'"
	best kp; expect kcat
	# the records flow-pub writes carry the structured mode's content-type
	mock kcath
	measure "kcat -b '$k' -P -t kcath $x -H content-type=application/cloudevents+json -l '$in'"
	best kh; expect kcath
	mock pub pipe
	measure "flow-pub $x 'kafka://$k/pub' < '$in'"
	best fp; expect pub
	measure "kcat -b '$k' -C -t pub -o beginning -e -q | wc -l > '$run/count'"
	best kc; counted "kcat -C"
	measure "kcat -b '$k' -C -t pub -X fetch.wait.max.ms=10 -o beginning -e -q | wc -l > '$run/count'"
	best kw; counted "kcat -C -X fetch.wait.max.ms=10"
	measure "flow-sub -o beginning -e 'kafka://$k/pub' | wc -l > '$run/count'"
	best fs; counted flow-sub
	measure "flow-sub -o beginning -e 'kafka://$k/pub' | flow-pub $x 'kafka://$k/pipe'"
	best sp; expect pipe
	# the bridge reads and writes a cluster in the same state as the pipe did
	mock pub bridge
	flow-pub $x "kafka://$k/pub" < "$in"
	measure "flow-bridge -e -o beginning $x 'kafka://$k/pub' 'kafka://$k/bridge'"
	best fb; expect bridge
	kafka_stop
	echo "round $r:$all (seconds)"
done

printf '%-40s %8s %12s %9s\n' "command (best time, most RSS of $reps)" seconds events/s peak-KB
row() { printf '%-40s %8s %12s %9s\n' "$1" "$2" "$(rate "$n" "$2")" "$3"; }
row "kcat -P -l (peer)" "$best_kp" "$rss_kp"
row "kcat -P -l -H content-type (peer)" "$best_kh" "$rss_kh"
row "flow-pub" "$best_fp" "$rss_fp"
row "kcat -C -e (peer)" "$best_kc" "$rss_kc"
row "kcat -C -e, flow-sub's fetch wait (peer)" "$best_kw" "$rss_kw"
row "flow-sub -o beginning -e" "$best_fs" "$rss_fs"
row "flow-sub | flow-pub (peer)" "$best_sp" "$rss_sp"
row "flow-bridge" "$best_fb" "$rss_fb"
fp=$best_fp kp=$best_kp kh=$best_kh fs=$best_fs kc=$best_kc kw=$best_kw fb=$best_fb sp=$best_sp
echo "flow-pub / kcat -P -H content-type time: $(ratio "$fp" "$kh") (target <= 1: the same records)"
echo "flow-pub / kcat -P time: $(ratio "$fp" "$kp") (records without the content-type header)"
echo "flow-sub / kcat -C time: $(ratio "$fs" "$kc") (target <= 1)"
echo "flow-sub / kcat -C -X fetch.wait.max.ms=10 time: $(ratio "$fs" "$kw") (the same fetch wait)"
echo "flow-bridge / (flow-sub | flow-pub) time: $(ratio "$fb" "$sp") (target <= 1)"
summary_row "flow-pub (kafka)" "$(rate "$n" "$fp") ev/s, $rss_fp KB" "kcat -P -H $(rate "$n" "$kh") ev/s" "$(ratio "$fp" "$kh")x time" "<= 1x, < 64 MB"
summary_row "flow-sub (kafka)" "$(rate "$n" "$fs") ev/s, $rss_fs KB" "kcat -C $(rate "$n" "$kc") ev/s" "$(ratio "$fs" "$kc")x time" "<= 1x, < 64 MB"
summary_row "flow-bridge (kafka)" "$(rate "$n" "$fb") ev/s, $rss_fb KB" "sub|pub $(rate "$n" "$sp") ev/s" "$(ratio "$fb" "$sp")x time" "<= 1x, < 64 MB"
