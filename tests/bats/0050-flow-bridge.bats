#!/usr/bin/env bats
# flow-bridge: N to M, at least once, between file and Kafka flows;
# --verify with keys served by a real named.

load helpers/common
load helpers/kafka
load helpers/named
load helpers/sign

setup() {
	common_setup
	gen-events 3000 > "$TMP/in"
}
teardown() {
	stop_pids ${BRIDGE_PID:-}
	kafka_stop
	named_stop
	common_teardown
}

# stop_bridge: SIGTERM to the bridge in the background, which must exit 0
# holds FLOW N: the file flow holds N events
holds() {
	[ "$(flow-sub -o beginning -e "$1" 2>/dev/null | wc -l)" -eq "$2" ]
}

stop_bridge() {
	local rc=0
	kill -TERM "$BRIDGE_PID"
	wait "$BRIDGE_PID" || rc=$?
	BRIDGE_PID=
	[ "$rc" -eq 0 ] || { echo "flow-bridge exit $rc" >&2; return 1; }
}

@test "flow-bridge: usage" {
	run flow-bridge -h
	[ "$status" -eq 0 ]
	run flow-bridge onlyone
	[ "$status" -eq 64 ]
	run flow-bridge -f a
	[ "$status" -eq 64 ]
	run flow-bridge -w "type =" a b
	[ "$status" -eq 64 ]
	assert_match 'where: column' "$output"
}

@test "flow-bridge: bad input: usage, URLs and settings; records that are not events are said, kept (-r) and 65" {
	run flow-bridge --nosuch a b
	[ "$status" -eq 64 ]
	assert_match '^usage: flow-bridge' "${lines[1]}"
	run flow-bridge -o sideways a b
	[ "$status" -eq 64 ]
	assert_match '-o sideways: expected beginning' "$output"
	run flow-bridge -g ../x "$TMP/a" "$TMP/b"
	[ "$status" -eq 64 ]
	assert_match '\.\./x: bad group name' "$output"
	run flow-bridge gopher://x/y "$TMP/b"
	[ "$status" -eq 64 ]
	assert_match 'unknown scheme' "$output"
	run flow-bridge "$TMP/a" 'kafka://127.0.0.1:9/bad topic'
	[ "$status" -eq 64 ]
	assert_match 'bad topic name' "$output"
	run flow-bridge flow://bad_name..example "$TMP/b"
	[ "$status" -eq 64 ]
	run flow-bridge -e "$TMP/nosuch" "$TMP/b"
	[ "$status" -eq 1 ]
	assert_match 'nosuch: no such flow' "$output"
	run flow-bridge -F "$TMP/missing" a b
	[ "$status" -eq 78 ]
	run flow-bridge -r "$TMP/no/such/dir" "$TMP/a" "$TMP/b"
	[ "$status" -eq 74 ]
	# a file source whose group offset cannot be stored: 74 at once, not retried like Kafka's
	event e1 | flow-pub "$TMP/g"
	touch "$TMP/g/groups"
	SECONDS=0
	run flow-bridge -e -g g -o beginning "$TMP/g" "$TMP/h"
	[ "$status" -eq 74 ]
	assert_match 'group g: cannot store the offset' "$output"
	[ "$SECONDS" -lt 10 ]
	flow-sub -o beginning -e "$TMP/h" | cmp - <(event e1)

	kafka_start 1
	kafka_cmd topic mixed 1
	run flow-bridge -e -X nosuch.property=1 "kafka://$KAFKA/mixed" "$TMP/out"
	[ "$status" -eq 78 ]
	assert_match 'nosuch.property' "$output"
	# any producer may write anything: junk between events in the source
	{ event m1; echo 'not an event'; event m2; echo '{"id":"no-specversion"}'; event m3; } |
		kcat -b "$KAFKA" -P -t mixed
	run --separate-stderr flow-bridge -e -o beginning -v -r "$TMP/rej" "kafka://$KAFKA/mixed" "$TMP/out"
	[ "$status" -eq 65 ]
	assert_match 'partition 0 offset 1: not a JSON object' "$stderr"
	assert_match 'partition 0 offset 3: missing required attribute specversion' "$stderr"
	assert_match '3 events read, 3 written, 0 filtered out, 2 records rejected' "$stderr"
	printf '%s\n' 'not an event' '{"id":"no-specversion"}' | cmp - "$TMP/rej"
	flow-sub -o beginning -e "$TMP/out" | cmp - <(event m1; event m2; event m3)
}

# big ID BYTES: an event whose data is BYTES long
big() {
	event "$1" ",\"data\":\"$(head -c "$2" /dev/zero | tr '\0' x)\""
}

@test "flow-bridge: sources read at once, events of every size up to the line limit arrive whole and in order" {
	# each source is read ahead in batches of its own: a big event starts a
	# new batch, one near the limit makes it grow; junk from two at a time
	{
		for i in $(seq 1 100); do event "f$i"; done
		big f-big1 300000
		for i in $(seq 101 300); do event "f$i"; done
		big f-big2 1040000
		big f-big3 200000
		big f-big4 200000
		for i in $(seq 301 400); do event "f$i"; done
	} > "$TMP/file-in"
	flow-pub "$TMP/a" < "$TMP/file-in"
	kafka_start 1
	kafka_cmd topic m1 1
	kafka_cmd topic m2 1
	{ event k1-1; echo 'junk one'; event k1-2; } | kcat -b "$KAFKA" -P -t m1
	{ event k2-1; event k2-2; echo 'junk two'; } | kcat -b "$KAFKA" -P -t m2
	run --separate-stderr flow-bridge -e -o beginning -v -r "$TMP/rej" \
		-f "$TMP/a" -f "kafka://$KAFKA/m1" -f "kafka://$KAFKA/m2" -t "$TMP/out"
	[ "$status" -eq 65 ]
	assert_match '408 events read, 408 written, 0 filtered out, 2 records rejected' "$stderr"
	printf '%s\n' 'junk one' 'junk two' | cmp - <(sort "$TMP/rej")
	flow-sub -o beginning -e "$TMP/out" > "$TMP/got"
	grep '"id":"f' "$TMP/got" | cmp - "$TMP/file-in"
	grep '"id":"k1-' "$TMP/got" | cmp - <(event k1-1; event k1-2)
	grep '"id":"k2-' "$TMP/got" | cmp - <(event k2-1; event k2-2)
}

@test "flow-bridge: file to file with --where, and a group that resumes" {
	head -n 2000 "$TMP/in" | flow-pub "$TMP/a"
	flow-bridge -e -g copy -o beginning -w "type = 'com.example.delay'" "$TMP/a" "$TMP/b"
	[ "$(cat "$TMP/a/groups/copy")" = 2000 ]
	tail -n 1000 "$TMP/in" | flow-pub "$TMP/a"
	flow-bridge -e -g copy -w "type = 'com.example.delay'" "$TMP/a" "$TMP/b"
	flow-sub -o beginning -e "$TMP/b" | cmp - <(jq -c 'select(.type == "com.example.delay")' "$TMP/in")
}

@test "flow-bridge: collector and distributor, file and Kafka: -f -f -t -t" {
	kafka_start 3
	kafka_cmd topic k 3
	head -n 1500 "$TMP/in" | flow-pub "$TMP/a"
	tail -n 1500 "$TMP/in" | flow-pub "$TMP/b"
	flow-bridge -e -o beginning -f "$TMP/a" -f "$TMP/b" -t "kafka://$KAFKA/k" -t "$TMP/c"
	flow-sub -o beginning -e "$TMP/c" | sort | cmp - <(sort "$TMP/in")
	kafka_read k | sort | cmp - <(sort "$TMP/in")
	# and back out of Kafka into a file flow
	flow-bridge -e -o beginning "kafka://$KAFKA/k" "$TMP/d"
	flow-sub -o beginning -e "$TMP/d" | sort | cmp - <(sort "$TMP/in")
}

@test "flow-bridge: Kafka to Kafka with a broker down and back: nothing lost" {
	kafka_start 3
	kafka_cmd topic src 3
	kafka_cmd topic dst 3
	gen-events 30000 > "$TMP/big"
	flow-pub -X sticky.partitioning.linger.ms=0 "kafka://$KAFKA/src" < "$TMP/big"
	flow-bridge -g br -o stored -X sticky.partitioning.linger.ms=0 -X session.timeout.ms=6000 \
		"kafka://$KAFKA/src" "kafka://$KAFKA/dst" 2> "$TMP/bridge.err" &
	BRIDGE_PID=$!
	sleep 1
	kafka_cmd down 3
	sleep 2
	kafka_cmd up 3
	# wait until the destination has everything, then stop the bridge
	local i=0
	until [ "$(kafka_read dst | wc -l)" -ge 30000 ]; do
		i=$((i + 1))
		[ "$i" -lt 60 ] || break
		sleep 1
	done
	stop_bridge
	kafka_read dst > "$TMP/out"
	local counts
	counts=$(count_lost_dup "$TMP/big" "$TMP/out")
	echo "# $counts" >&3
	assert_match '^lost=0 ' "$counts"
	# a lost broker is said once (librdkafka's FAIL), not again as ERROR
	! grep -q 'kafka: ERROR: ' "$TMP/bridge.err" || false
}

@test "flow-bridge: SIGTERM drains, commits what was acknowledged, exits 0" {
	flow-pub "$TMP/a" < "$TMP/in"
	flow-bridge -g live -o beginning "$TMP/a" "$TMP/b" &
	BRIDGE_PID=$!
	local i=0
	until [ "$(cat "$TMP/a/groups/live" 2>/dev/null)" = 3000 ]; do
		i=$((i + 1))
		[ "$i" -lt 500 ] || break
		sleep 0.01
	done
	event after | flow-pub "$TMP/a"
	# once it is bridged, the signal: the bridge must commit it on its way out
	wait_until 30 holds "$TMP/b" 3001
	stop_bridge
	[ "$(cat "$TMP/a/groups/live")" = 3001 ]
	flow-sub -o beginning -e "$TMP/b" | cmp - <(cat "$TMP/in"; event after)
}

# wait_offset FILE N: until the group offset in FILE is N, at most 20 s
wait_offset() {
	local i=0
	until [ "$(cat "$1" 2>/dev/null)" = "$2" ]; do
		i=$((i + 1))
		[ "$i" -le 2000 ] || { echo "$1: $(cat "$1" 2>/dev/null), not $2" >&2; return 1; }
		sleep 0.01
	done
}

@test "flow-bridge: a checkpoint is committed only once Kafka acknowledged everything before it" {
	kafka_start 1
	kafka_cmd topic dst 4
	head -n 1000 "$TMP/in" | flow-pub "$TMP/a"
	flow-bridge -g k -o beginning "$TMP/a" "kafka://$KAFKA/dst" 2> "$TMP/err" &
	BRIDGE_PID=$!
	wait_offset "$TMP/a/groups/k" 1000
	# the only broker away: the next events are read, sent, not acknowledged
	kafka_cmd down 1
	sed -n 1001,1500p "$TMP/in" | flow-pub "$TMP/a"
	sleep 3
	assert_eq 1000 "$(cat "$TMP/a/groups/k")" "offset while the broker is down"
	kafka_cmd up 1
	wait_offset "$TMP/a/groups/k" 1500
	stop_bridge
	kafka_read dst > "$TMP/out"
	local counts
	counts=$(count_lost_dup <(head -n 1500 "$TMP/in") "$TMP/out")
	echo "# $counts" >&3
	assert_match '^lost=0 ' "$counts"
}

# signing_zone: named serving the FLOWKEY1 records of two P-256 keys of
# namespace orange.example.test (sel1, sel2), keys in $TMP
K=_flowkey.orange.example.test
signing_zone() {
	new_keys "$TMP"
	mv "$TMP/p256.pem" "$TMP/k2.pem"
	mv "$TMP/p256.pub" "$TMP/k2.pub"
	new_keys "$TMP"
	printf 'sel1._flowkey.orange TXT "%s"\nsel2._flowkey.orange TXT "%s"\n' \
		"$(key_record "$TMP/p256.pub" p256)" "$(key_record "$TMP/k2.pub" p256)" > "$TMP/records"
	named_start example.test "$TMP/records"
}

@test "flow-bridge --verify: bad input" {
	run flow-bridge --verify 'no such!name' "$TMP/a" "$TMP/b"
	[ "$status" -eq 64 ]
	assert_match '^flow-bridge: --verify no such!name: ' "$output"
	run flow-bridge --verify "$TMP/a" "$TMP/b"
	[ "$status" -eq 64 ]
	assert_match '^usage: flow-bridge' "$output"
}

@test "flow-bridge --verify: only events signed under _flowkey.NS are copied, verified then filtered; the rest kept with -r, told, passed over" {
	signing_zone
	{
		event e1 | flow-sign -k "$TMP/p256.pem" -i sel1.$K
		event e2 ',"data":"x"' | flow-sign -k "$TMP/p256.pem" -i sel1.$K | sed 's/"data":"x"/"data":"y"/'
		event e3
		event e4 | flow-sign -k "$TMP/ed.pem" -i sel1._flowkey.blue.example.test
		event e5 | flow-sign -k "$TMP/k2.pem" -i sel2.$K | sed 's/^{/{"unsigned":"dropped",/'
		event e6 | flow-sign -k "$TMP/k2.pem" -i sel2.$K
		event e7 | flow-sign -k "$TMP/p256.pem" -i nosuch.$K
	} > "$TMP/in"
	flow-pub "$TMP/a" < "$TMP/in"
	run --separate-stderr flow-bridge -e -v -g g -o beginning --verify orange.example.test \
		-r "$TMP/rej" "$TMP/a" "$TMP/out"
	[ "$status" -eq 65 ]
	assert_match '7 events read, 3 written, 0 filtered out, 0 records rejected, 4 events not verified' "$stderr"
	assert_match "^flow-bridge: $TMP/a: event e2 at offset 1: not verified: step 8: " "$stderr"
	assert_match 'event e3 at offset 2: not verified: step 2: no dssematerial' "$stderr"
	assert_match 'event e4 at offset 3: not verified: step 7: .*not under _flowkey.orange.example.test' "$stderr"
	assert_match 'event e7 at offset 6: not verified: step 7: .*no FLOWKEY1 record' "$stderr"
	# kept unchanged, in order; copied as verified (strict: the unsigned member dropped)
	sed -n '2,4p;7p' "$TMP/in" | cmp - "$TMP/rej"
	flow-sub -o beginning -e "$TMP/out" > "$TMP/got"
	assert_eq "e1 e5 e6" "$(jq -r .id "$TMP/got" | xargs)"
	assert_eq null "$(jq -r .unsigned "$TMP/got" | sort -u)"
	sed -n 6p "$TMP/in" | cmp - <(sed -n 3p "$TMP/got")
	# passed over: the group stands after them all
	run --separate-stderr flow-bridge -e -v -g g -o stored:beginning --verify orange.example.test "$TMP/a" "$TMP/out"
	[ "$status" -eq 0 ]
	assert_match '0 events read' "$stderr"
	# the filter sees the event as verified: the unsigned member is gone
	run --separate-stderr flow-bridge -e -v -o beginning --verify orange.example.test \
		-w "NOT EXISTS unsigned AND id <> 'e6'" "$TMP/a" "$TMP/out2"
	[ "$status" -eq 65 ]
	assert_match '7 events read, 2 written, 1 filtered out' "$stderr"
	assert_eq "e1 e5" "$(flow-sub -o beginning -e "$TMP/out2" | jq -r .id | xargs)"
}

@test "flow-bridge --verify: a flood of events that fail is told a few lines a second and counted, all kept" {
	signing_zone
	for i in $(seq 1 3000); do event "u$i"; done | flow-pub "$TMP/a"
	run --separate-stderr flow-bridge -e -o beginning --verify orange.example.test -r "$TMP/rej" "$TMP/a" "$TMP/out"
	[ "$status" -eq 65 ]
	[ "$(wc -l < "$TMP/rej")" -eq 3000 ]
	told=$(grep -c 'not verified: step 2' <<<"$stderr")
	more=$(grep -o '[0-9]* more events not verified' <<<"$stderr" | awk '{ n += $1 } END { print n + 0 }')
	[ "$told" -le 100 ]
	assert_eq 3000 $((told + more))
	[ "$(flow-sub -o beginning -e "$TMP/out" 2>/dev/null | wc -l)" -eq 0 ]
}

@test "flow-bridge --verify: DNS not answering stops with 69 before the event; the group goes on from it" {
	signing_zone
	{
		event e1
		event e2 | flow-sign -k "$TMP/p256.pem" -i sel1.$K
		event e3 | flow-sign -k "$TMP/k2.pem" -i sel2.$K
	} | flow-pub "$TMP/a"
	# a UDP port nobody answers on
	FLOW_NAMESERVER=127.0.0.1:9 run --separate-stderr timeout 60 flow-bridge -e -v -g g -o beginning \
		--verify orange.example.test "$TMP/a" "$TMP/out"
	[ "$status" -eq 69 ]
	assert_match 'event e1 at offset 0: not verified: step 2' "$stderr"
	assert_match "$TMP/a: event e2 at offset 1: stopping before it, to start again from it: .*sel1.$K.*DNS" "$stderr"
	[ "$(flow-sub -o beginning -e "$TMP/out" 2>/dev/null | wc -l)" -eq 0 ]
	# the group did not move past the event not verified yet (the one
	# before it may come again: at least once)
	run --separate-stderr flow-bridge -e -v -g g -o stored:beginning --verify orange.example.test "$TMP/a" "$TMP/out"
	[ "$status" -eq 0 ] || [ "$status" -eq 65 ]
	assert_match 'events read, 2 written' "$stderr"
	assert_eq "e2 e3" "$(flow-sub -o beginning -e "$TMP/out" | jq -r .id | xargs)"
}

@test "flow-bridge: a source or destination that cannot be opened is 69 with its reason, with or without a group" {
	local g
	for g in "" "-g g1"; do
		# shellcheck disable=SC2086
		run --separate-stderr flow-bridge $g fnap://127.0.0.1:1/x.flows.example "$TMP/dst"
		[ "$status" -eq 69 ]
		assert_match '^flow-bridge: 127\.0\.0\.1:1: Connection refused' "$stderr"
		# shellcheck disable=SC2086
		run --separate-stderr flow-bridge $g -e "$TMP/nosuch" fnap://127.0.0.1:1/x.flows.example
		[ "$status" -eq 69 ]
	done
}
