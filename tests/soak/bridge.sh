#!/usr/bin/env bash
# tests/soak/bridge.sh [SECONDS]: flow-bridge between two Kafka topics of a
# 3-broker mock cluster for SECONDS (default 600) while events keep coming
# and a broker goes down and comes back every few seconds. At the end:
# every acknowledged event reached the destination (lost=0), duplicates are
# counted, and the bridge's RSS, sampled every 5 s, stayed flat. Exit 0 only
# when nothing was lost and, after a 30 s warm-up, the second half's RSS is
# within 20% (and 4 MB, for short runs still warming up) of the first half's. The programs come from FLOW_BUILDDIR (a
# build directory; default the source tree).
set -eu -o pipefail
secs=${1:-600}
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${FLOW_BUILDDIR:-$top}
for d in "$build"/cmd/*/ "$build/tests/helpers/" "$top/tests/helpers/"; do PATH="$d:$PATH"; done
export PATH
work=$(mktemp -d "${TMPDIR:-/tmp}/flow-soak.XXXXXX")
bridge= feeder= KAFKA_PID=
cleanup() {
	[ -z "$feeder" ] || kill "$feeder" 2>/dev/null || true
	[ -z "$bridge" ] || kill "$bridge" 2>/dev/null || true
	kafka_stop
	rm -rf "$work"
}
trap cleanup EXIT
say() { printf 'soak: %s\n' "$*" >&2; }

# the mock cluster, through the bats suites' helpers (they work in $TMP)
TMP=$work
. "$top/tests/bats/helpers/kafka.bash"
kafka_start 3
k=$KAFKA
# 32 partitions: the mock keeps only about 5 MB of each
kafka_cmd topic src 32
kafka_cmd topic dst 32
x="-X sticky.partitioning.linger.ms=0"

# the feeder: 1000 events at a time, about 300 a second, each block in
# sent/ once flow-pub had every event acknowledged (it waits out the
# outages: a failure is the end of the soak)
mkdir "$work/sent"
feed() {
	local n=0 f
	while :; do
		f=$work/sent/$n
		gen-events 1000 "$n" | sed "s/\"id\":\"\\([a-z]*\\)-/\"id\":\"\\1-$n-/" > "$f.in"
		flow-pub $x "kafka://$k/src" < "$f.in" 2>> "$work/feed.err" || { say "flow-pub failed:"; cat "$work/feed.err" >&2; exit 1; }
		mv "$f.in" "$f"
		n=$((n + 1))
		sleep 3
	done
}
feed &
feeder=$!

# the broker that goes down is drawn at random, so one may be down again and
# again: a batch for its partitions can wait out several outages, plus
# reconnection and the idempotent producer's recovery. 20 s was once not
# enough: 98 events timed out, and the bridge stopped, as it must when a
# destination gives up. 60 s is still a fifth of librdkafka's own default
flow-bridge -g soak -o beginning $x -X session.timeout.ms=6000 -X message.timeout.ms=60000 \
	"kafka://$k/src" "kafka://$k/dst" 2> "$work/bridge.err" &
bridge=$!

# faults: every 4 s a broker goes down for 2 s; RSS sampled every 5 s
start=$(date +%s) downs=0 last_sample=0
: > "$work/rss"
while [ $(($(date +%s) - start)) -lt "$secs" ]; do
	b=$((RANDOM % 3 + 1))
	kafka_cmd down $b
	sleep 2
	kafka_cmd up $b
	downs=$((downs + 1))
	sleep 2
	now=$(date +%s)
	if [ $((now - last_sample)) -ge 5 ]; then
		if ! kill -0 "$bridge" 2>/dev/null; then
			wait "$bridge" && bstatus=0 || bstatus=$?
			say "flow-bridge ended early, exit $bstatus:"
			cat "$work/bridge.err" >&2
			exit 1
		fi
		kill -0 "$feeder" 2>/dev/null || exit 1
		awk '/^VmRSS/ { print $2 }' "/proc/$bridge/status" >> "$work/rss"
		last_sample=$now
	fi
done

# stop feeding (after its current block), let the bridge catch up, stop it
kill "$feeder"
wait "$feeder" 2>/dev/null || true
feeder=
cat "$work"/sent/[0-9]* > "$work/all-sent" 2>/dev/null || : > "$work/all-sent"
sent=$(wc -l < "$work/all-sent")
for i in $(seq 1 120); do
	got=$(kafka_read dst | wc -l) || true
	[ "$got" -lt "$sent" ] || break
	sleep 1
done
kill -TERM "$bridge"
wait "$bridge" && bstatus=0 || bstatus=$?
bridge=
kafka_read dst > "$work/got"
counts=$(count_lost_dup "$work/all-sent" "$work/got")

# RSS: after a warm-up of 30 s (6 samples), the largest sample of the
# second half against the largest of the first: a leak grows with the events
tail -n +7 "$work/rss" > "$work/rss.warm"
n=$(wc -l < "$work/rss.warm")
[ "$n" -ge 2 ] || { say "too short to sample RSS: run 60 s at least"; exit 1; }
early=$(head -n $((n / 2)) "$work/rss.warm" | sort -n | tail -n 1)
late=$(tail -n +$((n / 2 + 1)) "$work/rss.warm" | sort -n | tail -n 1)
printf 'soak: %s s, %d broker outages, %d events sent and acknowledged, %d copied\n' \
	"$secs" "$downs" "$sent" "$(wc -l < "$work/got")"
printf 'soak: %s; flow-bridge exit %d\n' "$counts" "$bstatus"
printf 'soak: flow-bridge RSS KB, a sample every 5 s: first %s, after 30 s %s, max of the first half %s, of the second %s, last %s\n' \
	"$(head -n 1 "$work/rss")" "$(head -n 1 "$work/rss.warm")" "$early" "$late" "$(tail -n 1 "$work/rss")"
status=0
[ "$sent" -gt 0 ] || { say "nothing was sent"; status=1; }
case $counts in lost=0\ *) ;; *) say "events lost"; status=1 ;; esac
[ "$bstatus" -eq 0 ] || { say "flow-bridge exit $bstatus:"; tail -n 5 "$work/bridge.err" >&2; status=1; }
[ "$late" -le $((early * 12 / 10 + 4096)) ] || { say "RSS grew: $early -> $late KB"; status=1; }
exit $status
