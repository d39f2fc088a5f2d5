#!/usr/bin/env bats
# Consumer groups over FNAP: STREAM ... GROUP with ACK, flow-sub -g and
# flow-bridge -g with an fnap:// source, positions kept by the agent per
# user and group, resumed after a stop and after a lost connection.

load helpers/common
load helpers/fnap

setup() { common_setup; }
teardown() {
	local clean=0
	fnap_stop || clean=1
	stop_pids ${BRIDGE_PID:-} ${WRITER_PID:-}
	common_teardown
	return $clean
}

# agent_with FLOW N: an agent whose user test owns flows.unix.ar flow FLOW
# holding events e1..eN
agent_with() {
	fnap_start
	printf '%s\n' "$FNAP_AUTH" "CREATE FLOW $1" QUIT | fnap_session > /dev/null
	for i in $(seq 1 "$2"); do event "e$i"; done | FNAP_USER=test FNAP_PASSWORD=test \
		flow-pub "fnap://127.0.0.1:$FNAP_PORT/$1"
}

# events_at DIR N: the file flow DIR holds N events at least
events_at() { [ "$(flow-sub -e -o beginning "$1" 2>/dev/null | wc -l)" -ge "$2" ]; }

# ids: the ids of the events on stdin, one per line
ids() { jq -r .id; }

sub_test() { FNAP_USER=${U:-test} FNAP_PASSWORD=${P:-test} flow-sub "$@"; }

@test "flow-sub -g over fnap://: a group resumes where it stopped, per user; -o beginning starts again" {
	agent_with g.flows.unix.ar 5
	url=fnap://127.0.0.1:$FNAP_PORT/g.flows.unix.ar
	# a new group starts at the end unless told (as with file and Kafka)
	run sub_test -e -g audit "$url"
	[ "$status" -eq 0 ] && [ -z "$output" ]
	sub_test -e -g readers -o beginning "$url" | ids > "$TMP/first"
	assert_eq "e1 e2 e3 e4 e5 " "$(cat "$TMP/first" | tr '\n' ' ')"
	for i in 6 7 8; do event "e$i"; done | FNAP_USER=test FNAP_PASSWORD=test flow-pub "$url"
	sub_test -e -g readers -o stored "$url" | ids > "$TMP/second"
	assert_eq "e6 e7 e8 " "$(cat "$TMP/second" | tr '\n' ' ')"
	# nothing more for the group; another user's group of the same name is its own
	run sub_test -e -g readers "$url"
	[ "$status" -eq 0 ] && [ -z "$output" ]
	# the broker's groups: the user's hashed prefix, then the name as given
	[ "$(ls "$TMP/flows/g.flows.unix.ar/groups" | grep -cE '^fnap-g-[0-9a-f]{16}-readers$')" -eq 1 ]
	U=other P=secret run flow-sub -e -g readers -o stored "$url"
	[ "$status" -eq 77 ]    # other may not read test's private flow
	printf '%s\n' "$FNAP_AUTH" "DELETE FLOW g.flows.unix.ar" "CREATE FLOW g.flows.unix.ar PUBLIC" QUIT | fnap_session > /dev/null
	event p1 | FNAP_USER=test FNAP_PASSWORD=test flow-pub "$url"
	U=other P=secret sub_test -e -g readers -o stored "$url" | ids > "$TMP/other"
	assert_eq "p1" "$(cat "$TMP/other")"
	# the group of an anonymous session is every anonymous session's
	flow-sub -e -g anon -o stored "$url" | ids > "$TMP/anon1"
	run flow-sub -e -g anon -o stored "$url"
	assert_eq "p1" "$(cat "$TMP/anon1")"
	[ -z "$output" ]
}

@test "STREAM GROUP: events up to the last ACK are done; ACK after the stream's end; the protocol's errors" {
	agent_with s.flows.unix.ar 4
	printf '%s\n' "$FNAP_AUTH" 'STREAM s.flows.unix.ar GROUP g1 FROM BEGINNING COUNT 3' 'ACK 2' 'ACK 9' QUIT |
		fnap_session | sed 's/^{.*"id":"\([^"]*\)".*/\1/' > "$TMP/out"
	cmp "$TMP/out" - <<'OUT'
220 fnaa.unix.ar FNAA
220 Authenticated
220 DATA
e1
e2
e3
220 OK
220 OK
501 ACK: not a count of the events sent
221 Bye
OUT
	# the group stands after e2: a new stream resumes there
	printf '%s\n' "$FNAP_AUTH" 'STREAM s.flows.unix.ar GROUP g1 TO END' QUIT |
		fnap_session | sed -n 's/^{.*"id":"\([^"]*\)".*/\1/p' | tr '\n' ' ' > "$TMP/resumed"
	assert_eq "e3 e4 " "$(cat "$TMP/resumed")"
	# bad arguments
	for args in 'GROUP' 'GROUP a/b' 'GROUP g FROM STORED:STORED' 'FROM STORED' 'FROM STORED:5' \
		"GROUP $(printf 'x%.0s' $(seq 1 65))" 'GROUP a GROUP b' 'GROUP g FROM stored:bogus'; do
		printf '%s\n' "$FNAP_AUTH" "STREAM s.flows.unix.ar $args" QUIT | fnap_session | sed -n 3p > "$TMP/r"
		assert_match '^501 usage: STREAM' "$(cat "$TMP/r")"
	done
	printf '%s\n' "$FNAP_AUTH" 'ACK 1' 'ACK' QUIT | fnap_session | sed -n '3,4p' > "$TMP/r"
	printf '%s\n' '501 no STREAM with GROUP to acknowledge' '501 usage: ACK <n>' | cmp "$TMP/r" -
	# only ACK and QUIT while a GROUP stream runs
	printf '%s\n' "$FNAP_AUTH" 'STREAM s.flows.unix.ar GROUP g2 FROM BEGINNING' 'DESCRIBE FLOW s.flows.unix.ar' QUIT |
		fnap_session | grep -v '^{' > "$TMP/r"
	printf '%s\n' '220 fnaa.unix.ar FNAA' '220 Authenticated' '220 DATA' \
		'500 only ACK <n> and QUIT while a STREAM runs' '221 Bye' | cmp "$TMP/r" -
	no_sanitizer_reports "$TMP/fnap.log"
}

@test "flow-sub -g fnap:// stopped by SIGTERM mid-stream and started again: every event once" {
	agent_with t.flows.unix.ar 0
	url=fnap://127.0.0.1:$FNAP_PORT/t.flows.unix.ar
	write_slowly "$TMP/flows/t.flows.unix.ar" 1 3000 &
	WRITER_PID=$!
	: > "$TMP/got"
	for round in 1 2 3 4 5; do
		# flow-sub itself, not a shell running it, is to get the signal
		FNAP_USER=test FNAP_PASSWORD=test flow-sub -g pipe -o stored "$url" >> "$TMP/got" 2>> "$TMP/sub.err" &
		pid=$!
		wait_lines "$TMP/got" $(( round * 400 )) 30
		kill -TERM $pid
		wait $pid
	done
	wait "$WRITER_PID"
	WRITER_PID=
	sub_test -e -g pipe -o stored "$url" >> "$TMP/got"
	assert_eq 0 "$(ids < "$TMP/got" | sort | uniq -d | wc -l)"
	assert_eq 3000 "$(wc -l < "$TMP/got")"
	[ ! -s "$TMP/sub.err" ]
}

# agent_up PORT: the agent at PORT answers
agent_up() { tcpclient -R -H 127.0.0.1 "$1" sh -c 'printf "QUIT\r\n" >&7; cat <&6' 2>/dev/null | grep -q '^221'; }

@test "flow-bridge -g from fnap://: the agent killed and restarted mid-stream, the bridge reconnects and resumes: 0 lost, 0 duplicated" {
	agent_with r.flows.unix.ar 0
	url=fnap://127.0.0.1:$FNAP_PORT/r.flows.unix.ar
	port=$FNAP_PORT
	flow=$TMP/flows/r.flows.unix.ar
	[ -d "$flow" ]
	write_slowly "$flow" 1 2000 &
	WRITER_PID=$!
	FNAP_USER=test FNAP_PASSWORD=test flow-bridge -g copy -o stored "$url" "$TMP/copy" 2> "$TMP/bridge.err" &
	BRIDGE_PID=$!
	wait_until 30 events_at "$TMP/copy" 300
	# the agent and its sessions go away at once, and come back on the same port
	kill -KILL "$FNAP_PID"
	pkill -KILL -f "fnap-serve -c $TMP/fnap.conf" || true
	FNAP_PID=
	wait_until 30 grep -q 'reconnecting in' "$TMP/bridge.err"
	tcpserver -q -R -H -c 200 127.0.0.1 "$port" fnap-serve -c "$TMP/fnap.conf" 2>> "$TMP/fnap.log" &
	FNAP_PID=$!
	wait_until 30 agent_up "$port"
	wait "$WRITER_PID"
	wait_until 90 events_at "$TMP/copy" 2000
	kill -TERM "$BRIDGE_PID"
	wait "$BRIDGE_PID"
	BRIDGE_PID=
	flow-sub -e -o beginning "$TMP/copy" | ids > "$TMP/got"
	assert_eq 0 "$(sort "$TMP/got" | uniq -d | wc -l)"
	assert_eq 2000 "$(wc -l < "$TMP/got")"
	# one line a reconnect
	assert_match '^[1-9][0-9]*$' "$(grep -c 'reconnecting in' "$TMP/bridge.err")"
}

@test "STREAM GROUP: a client that acknowledges nothing gets 262144 events, then 421 after the idle timeout" {
	FNAP_IDLE=2 agent_with n.flows.unix.ar 0
	gen-events 262150 | flow-pub "$TMP/flows/n.flows.unix.ar"
	# the commands, then the connection held open (fd 8) without a word more
	mkfifo "$TMP/in"
	fnap_raw < "$TMP/in" > "$TMP/raw" &
	pid=$!
	exec 8> "$TMP/in"
	printf '%s\r\n' "$FNAP_AUTH" 'STREAM n.flows.unix.ar GROUP lazy FROM BEGINNING' >&8
	wait_until 120 grep -q '^421 ' "$TMP/raw"
	exec 8>&-
	wait "$pid"
	tr -d '\r' < "$TMP/raw" > "$TMP/out"
	assert_eq 262144 "$(grep -c '^{' "$TMP/out")"
	assert_eq '421 no ACK for 2 seconds, closing' "$(tail -n 1 "$TMP/out")"
	# nothing was acknowledged: the group has no position
	[ -z "$(ls "$TMP/flows/n.flows.unix.ar/groups" 2>/dev/null)" ]
}
