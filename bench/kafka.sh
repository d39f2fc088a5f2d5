#!/usr/bin/env bash
# bench/kafka.sh [EVENTS]: on one librdkafka mock cluster, same events, same run:
# flow-pub vs kcat -P -l, flow-sub -o beginning -e vs kcat -C -e, flow-bridge vs
# flow-sub | flow-pub. Targets: no slower than the peer; RSS < 64 MB.
# Topics have 64 partitions: the mock keeps only about 5 MB of each.
set -eu
. "$(dirname "$0")/common.sh"
n=${1:-1000000}
in=$(events "$n")
mkfifo "$work/kafka.ctl" 2>/dev/null || true
kafka-mock 3 < "$work/kafka.ctl" > "$work/kafka.out" &
mock=$!
exec 9> "$work/kafka.ctl"
trap 'exec 9>&-; wait $mock; rm -f "$work/kafka.ctl"' EXIT
until [ -s "$work/kafka.out" ]; do sleep 0.05; done
k=$(head -n 1 "$work/kafka.out")
for t in kcat pub bridge pipe; do echo "topic $t 64" >&9; done
sleep 1
x="-X sticky.partitioning.linger.ms=0"

printf '%-40s %8s %12s %9s\n' command seconds events/s peak-KB
row() { printf '%-40s %8s %12s %9s\n' "$1" "$2" "$(rate "$n" "$2")" "$3"; }

measure "kcat -b '$k' -P -t kcat $x -l '$in'"
kp=$secs; row "kcat -P -l (peer)" "$secs" "$rss"
measure "flow-pub $x 'kafka://$k/pub' < '$in'"
fp=$secs fp_rss=$rss; row "flow-pub" "$secs" "$rss"
measure "kcat -b '$k' -C -t pub -o beginning -e -q"
kc=$secs; row "kcat -C -e (peer)" "$secs" "$rss"
measure "flow-sub -o beginning -e 'kafka://$k/pub'"
fs=$secs fs_rss=$rss; row "flow-sub -o beginning -e" "$secs" "$rss"
measure "flow-sub -o beginning -e 'kafka://$k/pub' | flow-pub $x 'kafka://$k/pipe'"
sp=$secs; row "flow-sub | flow-pub (peer)" "$secs" "$rss"
measure "flow-bridge -e -o beginning $x 'kafka://$k/pub' 'kafka://$k/bridge'"
fb=$secs fb_rss=$rss; row "flow-bridge" "$secs" "$rss"
got=$(kcat -b "$k" -C -t bridge -o beginning -e -q | wc -l)
[ "$got" -eq "$n" ] || { echo "kafka.sh: the bridge copied $got of $n events" >&2; exit 1; }

echo "flow-pub / kcat -P time: $(ratio "$fp" "$kp") (target <= 1)"
echo "flow-sub / kcat -C time: $(ratio "$fs" "$kc") (target <= 1)"
echo "flow-bridge / (flow-sub | flow-pub) time: $(ratio "$fb" "$sp") (target <= 1)"
summary_row "flow-pub (kafka)" "$(rate "$n" "$fp") ev/s, $fp_rss KB" "kcat -P $(rate "$n" "$kp") ev/s" "$(ratio "$fp" "$kp")x time" "<= 1x, < 64 MB"
summary_row "flow-sub (kafka)" "$(rate "$n" "$fs") ev/s, $fs_rss KB" "kcat -C $(rate "$n" "$kc") ev/s" "$(ratio "$fs" "$kc")x time" "<= 1x, < 64 MB"
summary_row "flow-bridge (kafka)" "$(rate "$n" "$fb") ev/s, $fb_rss KB" "sub|pub $(rate "$n" "$sp") ev/s" "$(ratio "$fb" "$sp")x time" "<= 1x, < 64 MB"
