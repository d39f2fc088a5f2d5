#!/usr/bin/env bats
# Subscriptions across two organisations that survive: blue's processor
# reads orange's subscription flow as a consumer group kept by orange's
# agent (STREAM ... GROUP, ACK), orange's processor reads the flow as a
# group of its file broker. Real agents under tcpserver with TLS, named,
# s6-svscan; a writer publishing at orange all along.

load helpers/common
load helpers/fnap
load helpers/named
load helpers/s6
load helpers/orgs
load helpers/fnapua

setup() { common_setup; }
teardown() {
	local clean=0
	stop_pids ${WRITER_PID:-} ${ORANGE_PID:-} ${BLUE_PID:-} ${FAKE_PID:-}
	s6_stop
	named_stop
	no_sanitizer_reports "$TMP"/*/fnap.log "$TMP/s6.log" || clean=1
	common_teardown
	return $clean
}

N=3000
ARR=arrivals.flows.orange.example
LATE=late.flows.blue.example

# two_orgs: orange (alice's public flow ARR) and blue (bob), blue's
# agent a user of orange's; bob subscribes to ARR as blue's LATE, from
# FROM (default: the beginning). Sets SUB (the subscription flow at
# orange) and SVC (blue's processor)
two_orgs() {
	orange_and_blue
	at orange alice apw "CREATE FLOW $ARR PUBLIC" > /dev/null
	at blue bob bobpw "SUBSCRIBE $ARR ${FROM:+FROM $FROM }LOCAL late" > "$TMP/s"
	SUB=$(sed -n 4p "$TMP/s" | sed 's/.* //')
	[ -d "$TMP/orange/flows/$SUB" ]
	SVC=$TMP/blue/state/service/$LATE
}

# count FLOW-DIR: the events of a file flow
count() { flow-sub -o beginning -e "$1" 2>/dev/null | wc -l; }
# at_least FLOW-DIR N
at_least() { [ "$(count "$1")" -ge "$2" ]; }
# all_there FLOW-DIR N: N events of different ids at least
all_there() { [ "$(ids "$1" 2>/dev/null | sort -u | wc -l)" -ge "$2" ]; }
# more_groups DIR N: DIR holds more than N files
more_groups() { [ "$(ls "$1" 2>/dev/null | wc -l)" -gt "$2" ]; }
# ids FLOW-DIR: the ids of a file flow, one a line
ids() { flow-sub -o beginning -e "$1" | jq -r .id; }

@test "blue's processor restarted with SIGTERM (s6-svc -r) five times mid-stream, orange's twice: 0 lost, 0 duplicated" {
	two_orgs
	grep -q "'-g' 'fnap-[0-9a-f]*' '-o' 'stored'" "$SVC/run"
	grep -q "'-g' 'fnap-[0-9a-f]*' '-o' 'stored'" "$TMP/orange/state/service/$SUB/run"
	write_slowly "$TMP/orange/flows/$ARR" 1 "$N" &
	WRITER_PID=$!
	for round in 1 2 3 4 5; do
		wait_until 60 at_least "$TMP/blue/flows/$LATE" $(( round * 400 ))
		s6-svc -r "$SVC"
		[ "$round" -gt 3 ] || s6-svc -r "$TMP/orange/state/service/$SUB"
	done
	wait "$WRITER_PID"
	WRITER_PID=
	wait_until 120 at_least "$TMP/blue/flows/$LATE" "$N"
	assert_eq "$N" "$(ids "$TMP/blue/flows/$LATE" | sort -u | wc -l)"
	assert_eq "$N" "$(count "$TMP/blue/flows/$LATE")"
	assert_eq "$N" "$(count "$TMP/orange/flows/$SUB")"
	# what the writer published, in its order
	ids "$TMP/blue/flows/$LATE" | cmp - <(seq 1 "$N" | sed 's/^/e/')
}

@test "orange's agent killed and restarted mid-stream: blue's processor reconnects (one line each time, backing off) and resumes: 0 lost, 0 duplicated" {
	two_orgs
	write_slowly "$TMP/orange/flows/$ARR" 1 "$N" &
	WRITER_PID=$!
	wait_until 60 at_least "$TMP/blue/flows/$LATE" 500
	# the agent and all its sessions go at once; the same port comes back
	kill -KILL "$ORANGE_PID"
	pkill -KILL -f "fnap-serve -c $TMP/orange/fnap.conf" || true
	wait_until 30 grep -q "; reconnecting in" "$TMP/s6.log"
	tcpserver -q -R -H -c 200 127.0.0.1 "$ORANGE_PORT" fnap-serve -c "$TMP/orange/fnap.conf" -T \
		2>> "$TMP/orange/fnap.log" &
	ORANGE_PID=$!
	wait "$WRITER_PID"
	WRITER_PID=
	wait_until 120 at_least "$TMP/blue/flows/$LATE" "$N"
	assert_eq "$N" "$(count "$TMP/blue/flows/$LATE")"
	ids "$TMP/blue/flows/$LATE" | cmp - <(seq 1 "$N" | sed 's/^/e/')
	# each try is a line, with a backoff from 1 s: a few at most
	n=$(grep -c "reconnecting in" "$TMP/s6.log")
	[ "$n" -ge 1 ] && [ "$n" -le 10 ]
	grep "reconnecting in" "$TMP/s6.log" | head -n 1 | grep -Eq 'reconnecting in (0\.[5-9]|1\.0) s$'
}

@test "blue's processor killed with SIGKILL mid-stream: 0 lost; what it wrote after its last checkpoint comes twice, at most a second's worth (the count is printed)" {
	two_orgs
	write_slowly "$TMP/orange/flows/$ARR" 1 "$N" &
	WRITER_PID=$!
	wait_until 60 at_least "$TMP/blue/flows/$LATE" 1000
	s6-svc -k "$SVC"
	wait "$WRITER_PID"
	WRITER_PID=
	wait_until 120 all_there "$TMP/blue/flows/$LATE" "$N"
	assert_eq "$N" "$(ids "$TMP/blue/flows/$LATE" | sort -u | wc -l)"
	total=$(count "$TMP/blue/flows/$LATE")
	twice=$(( total - N ))
	echo "# SIGKILL: $twice of $N events written twice" >&3
	# a checkpoint every second: the writer makes at most ~700 a second
	[ "$twice" -ge 0 ] && [ "$twice" -le 1000 ]
	# every event once, then from the checkpoint on again, in order
	ids "$TMP/blue/flows/$LATE" | awk '!seen[$0]++' | cmp - <(seq 1 "$N" | sed 's/^/e/')
}

@test "SUBSCRIBE ... FROM: END copies only what comes after, @TIME from then on, an offset from there; across agents too" {
	two_orgs
	for i in 1 2 3; do event "old$i" ',"time":"2020-01-01T00:00:00Z"'; done | flow-pub "$TMP/orange/flows/$ARR"
	for i in 1 2; do event "new$i" ',"time":"2024-06-01T00:00:00Z"'; done | flow-pub "$TMP/orange/flows/$ARR"
	# END is where the flow ends when the processor starts, which it stores
	# at once (as a group's first position): then it is pinned
	groups_before=$(ls "$TMP/orange/flows/$ARR/groups" | wc -l)
	at orange alice apw "SUBSCRIBE $ARR FROM END" > "$TMP/s1"
	wait_until 20 more_groups "$TMP/orange/flows/$ARR/groups" "$groups_before"
	at orange alice apw "SUBSCRIBE $ARR FROM @2024-01-01T00:00:00Z" "SUBSCRIBE $ARR FROM 4" \
		"SUBSCRIBE $ARR FROM BEGINNING" > "$TMP/s3"
	mapfile -t subs < <(grep -hE "^[a-z0-9]{7}\.$ARR\$" "$TMP/s1" "$TMP/s3")
	[ "${#subs[@]}" -eq 4 ]
	event after | flow-pub "$TMP/orange/flows/$ARR"
	wait_until 20 at_least "$TMP/orange/flows/${subs[3]}" 6
	wait_until 20 at_least "$TMP/orange/flows/${subs[0]}" 1
	wait_until 20 at_least "$TMP/orange/flows/${subs[1]}" 3
	wait_until 20 at_least "$TMP/orange/flows/${subs[2]}" 2
	assert_eq "after" "$(ids "$TMP/orange/flows/${subs[0]}" | tr '\n' ' ' | sed 's/ $//')"
	assert_eq "new1 new2 after" "$(ids "$TMP/orange/flows/${subs[1]}" | tr '\n' ' ' | sed 's/ $//')"
	assert_eq "new2 after" "$(ids "$TMP/orange/flows/${subs[2]}" | tr '\n' ' ' | sed 's/ $//')"
	# restarted, a processor goes on where it was, not from its FROM again
	s6-svc -r "$TMP/orange/state/service/${subs[1]}"
	event later | flow-pub "$TMP/orange/flows/$ARR"
	wait_until 20 at_least "$TMP/orange/flows/${subs[1]}" 4
	assert_eq "new1 new2 after later" "$(ids "$TMP/orange/flows/${subs[1]}" | tr '\n' ' ' | sed 's/ $//')"
	# from blue: FROM is asked of orange's agent, which starts its copy there
	at blue bob bobpw "SUBSCRIBE $ARR FROM -1 LOCAL last" > "$TMP/sb"
	wait_until 20 at_least "$TMP/blue/flows/last.flows.blue.example" 1
	assert_eq "later" "$(ids "$TMP/blue/flows/last.flows.blue.example")"
	# fnap subscribe --from: checked before any connection
	run fnap -a 127.0.0.1:1 subscribe "$ARR" --from bogus
	[ "$status" -eq 64 ]
	assert_match 'from: beginning, end, N, -N or @TIME' "$output"
	run fnap -a 127.0.0.1:1 create flow "x.$ARR" --from end
	[ "$status" -eq 64 ]
	assert_match -- '--from is for subscribe' "$output"
}

# joined FLOW-DIR: its events' ids on one line
joined() { ids "$1" | tr '\n' ' ' | sed 's/ $//'; }

@test "SUBSCRIBE ... FROM @-1h: resolved when served, the processor and the other agent given the absolute time; fnap --from too" {
	two_orgs
	local ago sub earliest latest sent
	for ago in '3 hours' '90 minutes' '20 minutes' '5 minutes'; do
		event "${ago// /-}" ",\"time\":\"$(date -u -d "-$ago" +%FT%TZ)\""
	done | flow-pub "$TMP/orange/flows/$ARR"
	at orange alice apw "SUBSCRIBE $ARR FROM @-1h" "SUBSCRIBE $ARR FROM @-5x" "SUBSCRIBE $ARR FROM @-" \
		"SUBSCRIBE $ARR FROM @--5m" "SUBSCRIBE $ARR FROM @-99999999999d" > "$TMP/s1"
	[ "$(grep -c '^501 usage: SUBSCRIBE' "$TMP/s1")" -eq 4 ]
	sub=$(grep -E "^[a-z0-9]{7}\.$ARR\$" "$TMP/s1")
	wait_until 20 at_least "$TMP/orange/flows/$sub" 2
	assert_eq "20-minutes 5-minutes" "$(joined "$TMP/orange/flows/$sub")"
	# the processor was given the time as resolved, so a restart does not move it
	grep -Eq 'stored:@[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z' \
		"$TMP/orange/state/service/$sub/run"
	# across agents: blue asks orange from the absolute time
	at blue bob bobpw "SUBSCRIBE $ARR FROM @-1h LOCAL recent" > /dev/null
	wait_until 20 at_least "$TMP/blue/flows/recent.flows.blue.example" 2
	assert_eq "20-minutes 5-minutes" "$(joined "$TMP/blue/flows/recent.flows.blue.example")"
	# fnap subscribe --from @-1h resolves it and sends an absolute time
	fnapua_fake_start
	printf '%s\n' '220 DATA' "abcdefg.$ARR" '220 OK' > "$TMP/replies"
	earliest=$(date -u -d '-1 hour' +%s)
	run --separate-stderr fnap -a "127.0.0.1:$FAKE_PORT" subscribe "$ARR" --from @-1h
	latest=$(date -u -d '-1 hour' +%s)
	[ "$status" -eq 0 ]
	sent=$(grep "^SUBSCRIBE $ARR FROM @" "$TMP/sent" | sed 's/.* FROM @//')
	assert_match '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$' "$sent"
	[ "$(date -u -d "$sent" +%s)" -ge "$earliest" ]
	[ "$(date -u -d "$sent" +%s)" -le "$latest" ]
	fnapua_fake_stop
	for t in @-5x @- @--5m @-99999999999d; do
		run fnap -a 127.0.0.1:1 subscribe "$ARR" --from "$t"
		[ "$status" -eq 64 ]
		assert_match 'from: beginning, end, N, -N or @TIME \(RFC 3339, or -N with s, m, h or d\)' "$output"
	done
}
