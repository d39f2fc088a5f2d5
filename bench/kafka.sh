#!/usr/bin/env bash
# bench/kafka.sh [EVENTS]: on one librdkafka mock cluster, same events, same run:
# flow-pub vs kcat -P -l, flow-sub -o beginning -e vs kcat -C -e, flow-bridge vs
# flow-sub | flow-pub. Targets: no slower than the peer; RSS < 64 MB.
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

# the mock reads its commands on fd 9 and stops when it closes
exec 9> >(exec kafka-mock 3 > "$run/mock.out")
mock=$!
trap 'exec 9>&-; wait $mock 2>/dev/null; rm -rf "$run"' EXIT
i=0
until [ -s "$run/mock.out" ]; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || { echo "kafka.sh: kafka-mock did not start" >&2; exit 1; }
	sleep 0.05
done
k=$(head -n 1 "$run/mock.out")
for t in kcat pub bridge pipe; do echo "topic $t 64" >&9; done
until [ "$(grep -c '^ok$' "$run/mock.out")" -eq 4 ]; do sleep 0.05; done
x="-X sticky.partitioning.linger.ms=0"

printf '%-40s %8s %12s %9s\n' command seconds events/s peak-KB
row() { printf '%-40s %8s %12s %9s\n' "$1" "$2" "$(rate "$n" "$2")" "$3"; }
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

measure "kcat -b '$k' -P -t kcat $x -l '$in'"
kp=$secs; row "kcat -P -l (peer)" "$secs" "$rss"
expect kcat
measure "flow-pub $x 'kafka://$k/pub' < '$in'"
fp=$secs fp_rss=$rss; row "flow-pub" "$secs" "$rss"
expect pub
measure "kcat -b '$k' -C -t pub -o beginning -e -q | wc -l > '$run/count'"
kc=$secs; row "kcat -C -e (peer)" "$secs" "$rss"
counted "kcat -C"
measure "flow-sub -o beginning -e 'kafka://$k/pub' | wc -l > '$run/count'"
fs=$secs fs_rss=$rss; row "flow-sub -o beginning -e" "$secs" "$rss"
counted flow-sub
measure "flow-sub -o beginning -e 'kafka://$k/pub' | flow-pub $x 'kafka://$k/pipe'"
sp=$secs; row "flow-sub | flow-pub (peer)" "$secs" "$rss"
expect pipe
measure "flow-bridge -e -o beginning $x 'kafka://$k/pub' 'kafka://$k/bridge'"
fb=$secs fb_rss=$rss; row "flow-bridge" "$secs" "$rss"
expect bridge

echo "flow-pub / kcat -P time: $(ratio "$fp" "$kp") (target <= 1)"
echo "flow-sub / kcat -C time: $(ratio "$fs" "$kc") (target <= 1)"
echo "flow-bridge / (flow-sub | flow-pub) time: $(ratio "$fb" "$sp") (target <= 1)"
summary_row "flow-pub (kafka)" "$(rate "$n" "$fp") ev/s, $fp_rss KB" "kcat -P $(rate "$n" "$kp") ev/s" "$(ratio "$fp" "$kp")x time" "<= 1x, < 64 MB"
summary_row "flow-sub (kafka)" "$(rate "$n" "$fs") ev/s, $fs_rss KB" "kcat -C $(rate "$n" "$kc") ev/s" "$(ratio "$fs" "$kc")x time" "<= 1x, < 64 MB"
summary_row "flow-bridge (kafka)" "$(rate "$n" "$fb") ev/s, $fb_rss KB" "sub|pub $(rate "$n" "$sp") ev/s" "$(ratio "$fb" "$sp")x time" "<= 1x, < 64 MB"
