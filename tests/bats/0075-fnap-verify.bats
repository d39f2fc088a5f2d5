#!/usr/bin/env bats
# SUBSCRIBE ... VERIFY: a processor copies only the events signed with
# keys of the source flow's namespace, found in DNS. Two organisations
# (orange signs, blue subscribes) under tcpserver with TLS, a real named
# serving orange's FLOWKEY1 record, s6-svscan running the processors.

load helpers/common
load helpers/fnap
load helpers/named
load helpers/s6
load helpers/orgs
load helpers/sign
load helpers/fnapua

setup() {
	common_setup
	HOME=$TMP/home
	export HOME
}
teardown() {
	local clean=0
	stop_pids ${ORANGE_PID:-} ${BLUE_PID:-} ${FAKE_PID:-}
	s6_stop
	named_stop
	no_sanitizer_reports "$TMP"/*/fnap.log "$TMP/s6.log" || clean=1
	common_teardown
	return $clean
}

ARR=arrivals.flows.orange.example
LATE=late.flows.blue.example
KEY=sel1._flowkey.flows.orange.example

# signed_orgs: orange and blue; orange's key published in its zone; alice's
# public flow ARR holding e1 (signed), e2 (signed, then changed), e3
# (unsigned), e4 (signed), e5 (signed by a key of blue's namespace), e6
# (signed), as $TMP/in holds them
signed_orgs() {
	orange_and_blue
	new_keys "$TMP"
	flow-resolve -s "127.0.0.1:$NAMED_PORT" --records add-key "$KEY" --public-key "$TMP/p256.pub" \
		--zone example | named_update
	at orange alice apw "CREATE FLOW $ARR PUBLIC" > /dev/null
	{
		event e1 | flow-sign -k "$TMP/p256.pem" -i "$KEY"
		event e2 ',"data":"x"' | flow-sign -k "$TMP/p256.pem" -i "$KEY" | sed 's/"data":"x"/"data":"y"/'
		event e3
		event e4 | flow-sign -k "$TMP/p256.pem" -i "$KEY"
		event e5 | flow-sign -k "$TMP/ed.pem" -i sel1._flowkey.flows.blue.example
		event e6 | flow-sign -k "$TMP/p256.pem" -i "$KEY"
	} > "$TMP/in"
	flow-pub "$TMP/orange/flows/$ARR" < "$TMP/in"
}

# ids FLOW-DIR: the ids of a file flow on one line
ids() { flow-sub -o beginning -e "$1" | jq -r .id | xargs; }
# lines FILE N: FILE holds N lines at least
lines() { [ -e "$1" ] && [ "$(wc -l < "$1")" -ge "$2" ]; }

@test "SUBSCRIBE ... LOCAL ... VERIFY: blue's flow gets exactly the signed events, in order; the rejects file holds the others; the log names them" {
	signed_orgs
	at blue bob bobpw "SUBSCRIBE $ARR LOCAL late VERIFY" > "$TMP/s"
	grep -q "^$LATE SUBSCRIBED TO [a-z0-9]\{7\}\.$ARR" "$TMP/s"
	SUB=$(sed -n 4p "$TMP/s" | tr -d '\r' | sed 's/.* //')
	SVC=$TMP/blue/state/service/$LATE
	wait_flow_count "$TMP/blue/flows/$LATE" 3
	wait_until 20 lines "$SVC/rejects" 3
	assert_eq "e1 e4 e6" "$(ids "$TMP/blue/flows/$LATE")"
	sed -n '2,3p;5p' "$TMP/in" | cmp - "$SVC/rejects"
	assert_eq 600 "$(stat -c %a "$SVC/rejects")"
	# orange copies all: the events are verified where they arrive
	assert_eq "e1 e2 e3 e4 e5 e6" "$(ids "$TMP/orange/flows/$SUB")"
	grep -q "'--verify' 'flows.orange.example'" "$SVC/run"
	! grep -q "'--verify'" "$TMP/orange/state/service/$SUB/run" || false
	grep -qx "verify=flows.orange.example" "$TMP/blue/state/flows/$LATE"
	wait_until 10 grep -q 'event e5 at offset [0-9-]*: not verified: step 7: .*not under _flowkey.flows.orange.example' "$TMP/s6.log"
	grep -q 'event e2 at offset [0-9-]*: not verified: step 8: ' "$TMP/s6.log"
	grep -q 'event e3 at offset [0-9-]*: not verified: step 2: no dssematerial' "$TMP/s6.log"
	[ "$(grep -c 'not verified' "$TMP/s6.log")" -eq 3 ]
}

@test "SUBSCRIBE ... LOCAL without VERIFY copies all six; the processor's rejects file stays empty" {
	signed_orgs
	at blue bob bobpw "SUBSCRIBE $ARR LOCAL late" > /dev/null
	wait_flow_count "$TMP/blue/flows/$LATE" 6
	assert_eq "e1 e2 e3 e4 e5 e6" "$(ids "$TMP/blue/flows/$LATE")"
	! grep -q "'--verify'" "$TMP/blue/state/service/$LATE/run" || false
	! grep -q "^verify=" "$TMP/blue/state/flows/$LATE" || false
	[ ! -s "$TMP/blue/state/service/$LATE/rejects" ]
}

@test "SUBSCRIBE ... VERIFY of a flow served here: the subscription flow holds only the signed events" {
	signed_orgs
	at orange alice apw "SUBSCRIBE $ARR VERIFY" > "$TMP/s"
	SUB=$(sed -n 4p "$TMP/s" | tr -d '\r')
	[ -d "$TMP/orange/flows/$SUB" ]
	wait_flow_count "$TMP/orange/flows/$SUB" 3
	wait_until 20 lines "$TMP/orange/state/service/$SUB/rejects" 3
	assert_eq "e1 e4 e6" "$(ids "$TMP/orange/flows/$SUB")"
	grep -qx "verify=flows.orange.example" "$TMP/orange/state/flows/$SUB"
	# and with WHERE after VERIFY, the filter sees what verified
	at orange alice apw "SUBSCRIBE $ARR VERIFY WHERE id <> 'e4'" > "$TMP/s2"
	SUB2=$(sed -n 4p "$TMP/s2" | tr -d '\r')
	wait_flow_count "$TMP/orange/flows/$SUB2" 2
	wait_until 20 lines "$TMP/orange/state/service/$SUB2/rejects" 3
	assert_eq "e1 e6" "$(ids "$TMP/orange/flows/$SUB2")"
}

@test "SUBSCRIBE ... VERIFY: a restarted processor keeps verifying, the last run's rejects kept aside; DNS away holds an event back, not drops it" {
	signed_orgs
	at blue bob bobpw "SUBSCRIBE $ARR LOCAL late VERIFY" > /dev/null
	SVC=$TMP/blue/state/service/$LATE
	wait_flow_count "$TMP/blue/flows/$LATE" 3
	wait_until 20 lines "$SVC/rejects" 3
	s6-svc -r "$SVC"
	wait_until 20 test -s "$SVC/rejects.1"
	sed -n '2,3p;5p' "$TMP/in" | cmp - "$SVC/rejects.1"
	{ event e7 | flow-sign -k "$TMP/p256.pem" -i "$KEY"; event e8; } | flow-pub "$TMP/orange/flows/$ARR"
	wait_flow_count "$TMP/blue/flows/$LATE" 4
	wait_until 20 lines "$SVC/rejects" 1
	assert_eq "e1 e4 e6 e7" "$(ids "$TMP/blue/flows/$LATE")"
	event e8 | cmp - "$SVC/rejects"
	# a key not looked up yet while named does not answer: the processor
	# stops (69) and is started again until it does; nothing is lost
	mkdir "$TMP/k2"
	new_keys "$TMP/k2"
	flow-resolve -s "127.0.0.1:$NAMED_PORT" --records add-key sel2._flowkey.flows.orange.example \
		--public-key "$TMP/k2/p256.pub" --zone example | named_update
	kill -STOP "$NAMED_PID"
	event e9 | flow-sign -k "$TMP/k2/p256.pem" -i sel2._flowkey.flows.orange.example |
		flow-pub "$TMP/orange/flows/$ARR"
	wait_until 60 grep -q 'event e9 at offset [0-9-]*: stopping before it, to start again from it' "$TMP/s6.log"
	[ "$(flow-sub -o beginning -e "$TMP/blue/flows/$LATE" | wc -l)" -eq 4 ]
	kill -CONT "$NAMED_PID"
	wait_flow_count "$TMP/blue/flows/$LATE" 5 60
	assert_eq "e1 e4 e6 e7 e9" "$(ids "$TMP/blue/flows/$LATE")"
}

@test "fnap subscribe --verify sends VERIFY after LOCAL, before WHERE; --verify with another command is 64 before any connection" {
	fnapua_fake_start
	FNAPUA_AGENT_EXTRA= fnapua_config "$FAKE_PORT"
	printf '%s\n' '220 DATA' 'unix.ar-late.flows.unix.ar SUBSCRIBED TO abcdefg.arr.other.example' \
		'220 OK' > "$TMP/replies"
	run --separate-stderr fnap subscribe arr.other.example --local late --verify --where "id <> 'x'"
	[ "$status" -eq 0 ]
	assert_eq "local=unix.ar-late.flows.unix.ar subscription=abcdefg.arr.other.example" "$output"
	assert_eq "SUBSCRIBE arr.other.example LOCAL unix.ar-late VERIFY WHERE id <> 'x'" "$(sed -n 3p "$TMP/sent")"
	: > "$TMP/sent"
	for args in 'create flow x.flows.unix.ar --verify' 'grant read x.flows.unix.ar bob --verify' \
		'unsubscribe x.flows.unix.ar --verify'; do
		# shellcheck disable=SC2086
		run --separate-stderr fnap $args
		[ "$status" -eq 64 ] || { echo "fnap $args: status $status" >&2; false; }
		assert_eq 'fnap: --verify is for subscribe' "${stderr_lines[0]}"
	done
	# check speaks the monitoring plugins' codes: a usage error is UNKNOWN
	run --separate-stderr fnap check --verify
	[ "$status" -eq 3 ]
	assert_match '^FNAP UNKNOWN - .*--verify and --token are not for check' "$output"
	[ ! -s "$TMP/sent" ]
	run fnap -h
	assert_match 'subscribe FLOW .*\[--verify\]' "$output"
}
