#!/bin/sh
# quickstart.sh: publish sample events to a file flow, read them back, follow it live.
# Needs flow-pub and flow-sub on PATH (./setup.sh demo arranges that).
set -eu

dir=$(mktemp -d "${TMPDIR:-/tmp}/flow-quickstart.XXXXXX")
trap 'if [ -n "$follower" ]; then kill "$follower" 2>/dev/null; fi; rm -rf "$dir"' EXIT INT TERM
follower=
flow="file://$dir/arrivals"

step() { printf '\n== %s\n' "$*"; }

step "publish three arrivals to $flow"
cat <<'EVENTS' | flow-pub -v "$flow"
{"specversion":"1.0","id":"a1","source":"/airport/gate/12","type":"com.example.arrival","time":"2026-11-22T10:00:00Z","data":{"flight":"AR1234","delay":5}}
{"specversion":"1.0","id":"a2","source":"/airport/gate/3","type":"com.example.arrival","time":"2026-11-22T10:02:00Z","data":{"flight":"IB6841","delay":42}}
{"specversion":"1.0","id":"a3","source":"/airport/gate/7","type":"com.example.delay","time":"2026-11-22T10:03:00Z","data":{"flight":"KL1672","delay":95}}
EVENTS

step "a line that is not a CloudEvent is reported and kept, not published"
echo '{"id":"oops"}' | flow-pub --reject "$dir/rejected" "$flow" || echo "(exit status $?)"
echo "kept in the reject file: $(cat "$dir/rejected")"

step "read the flow from the beginning"
flow-sub -o beginning -e "$flow"

step "the flow is a directory of plain NDJSON"
ls "$dir/arrivals"

step "follow the flow as group 'demo' while a log line is wrapped into an event"
flow-sub -g demo "$flow" > "$dir/live" &
follower=$!
sleep 0.3
echo 'gate 12: doors open' | flow-pub -w -t com.example.gate.log -s /airport/gate/12 "$flow"
sleep 0.3
cat "$dir/live"
kill "$follower"
wait "$follower" 2>/dev/null || true
follower=
echo "group 'demo' stored offset: $(cat "$dir/arrivals/groups/demo")"

step "done"
