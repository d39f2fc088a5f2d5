#!/usr/bin/env bats
# fnap-serve's grants: GRANT READ|WRITE ON ... TO, REVOKE ... FROM, LIST
# GRANTS; a partner's agent reading a private flow through a grant's
# WHERE (two agents, named, TLS, s6), and fnap's grant commands.

load helpers/common
load helpers/fnap
load helpers/fnapua
load helpers/named
load helpers/s6
load helpers/orgs

setup() { common_setup; }
teardown() {
	local clean=0
	fnap_stop || clean=1
	stop_pids ${ORANGE_PID:-} ${BLUE_PID:-}
	s6_stop
	named_stop
	no_sanitizer_reports "$TMP"/*/fnap.log "$TMP/s6.log" || clean=1
	common_teardown
	return $clean
}

OTHER='AUTHENTICATE PLAIN AG90aGVyAHNlY3JldA=='
A=a.flows.unix.ar

# N events with ids 1..N, delay 10 (odd) or 40 (even), gate N % 3
events() {
	local i
	for i in $(seq 1 "$1"); do event "$i" ",\"delay\":$(( i % 2 ? 10 : 40 )),\"gate\":$(( i % 3 ))"; done
}

# has_events FILE N: FILE holds N events (lines of JSON)
has_events() { [ "$(grep -c '^{' "$1")" -eq "$2" ]; }

# the subscription flows of the agent in state directory $1
subscriptions() {
	grep -l '^subscriber=' "$1"/flows/* 2>/dev/null | xargs -r -n 1 basename
}

@test "fnap-serve: orange grants blue's agent READ with a WHERE: it describes the flow, its subscriptions copy through (grant) AND (own); REVOKE READ ... FROM ends them" {
	orange_and_blue
	local flow=arrivals.flows.orange.example
	at orange alice apw "CREATE FLOW $flow" > "$TMP/c"
	at orange blue-agent bpw "DESCRIBE FLOW $flow" > "$TMP/d0"
	[ "$(sed -n 3p "$TMP/d0")" = '550 no such flow or access denied' ]
	at orange alice apw "GRANT READ ON $flow TO blue-agent WHERE delay > 30" 'LIST GRANTS' > "$TMP/g"
	cmp <(sed -n '3,$p' "$TMP/g") - <<OUT
220 OK
220 DATA
$flow blue-agent read where=delay > 30
220 OK
221 Bye
OUT
	# the grantee sees the private flow, streams it (empty yet), subscribes
	# with a WHERE of its own; it may not write it
	at orange blue-agent bpw "DESCRIBE FLOW $flow" 'LIST FLOWS' "PUBLISH $flow" \
		"STREAM $flow FROM BEGINNING TO END" 'LIST GRANTS' "SUBSCRIBE $flow WHERE gate = 0" > "$TMP/b"
	grep -qx "flow=$flow" "$TMP/b"
	grep -qx 'owner=alice' "$TMP/b"
	assert_eq "$(printf '%s\n' '220 DATA' "$flow" '220 OK' '550 no such flow or access denied' \
		'220 DATA' '220 OK' '220 DATA' '220 OK' '220 DATA')" \
		"$(sed -n '/^created=/,$p' "$TMP/b" | grep -v = | sed -n 2,10p)"
	sub1=$(grep -x "[a-z0-9]\{7\}\.$flow" "$TMP/b")
	# the processor's filter is the grant's AND the subscriber's; the record says it was granted
	grep -qF "'--where' '(delay > 30) AND (gate = 0)'" "$TMP/orange/state/service/$sub1/run"
	grep -qx 'granted=[0-9a-f]\{64\}' "$TMP/orange/state/flows/$sub1"
	# blue's user subscribes from blue: blue's agent subscribes at orange as blue-agent
	at blue bob bobpw "SUBSCRIBE $flow LOCAL late" > "$TMP/s"
	assert_match "^late.flows.blue.example SUBSCRIBED TO [a-z0-9]{7}\.$flow\$" "$(sed -n 4p "$TMP/s")"
	sub2=$(sed -n 4p "$TMP/s" | sed 's/.* //')
	grep -qF "'--where' 'delay > 30'" "$TMP/orange/state/service/$sub2/run"
	events 60 > "$TMP/in"
	flow-pub "$TMP/orange/flows/$flow" < "$TMP/in"
	late=$TMP/blue/flows/late.flows.blue.example
	wait_flow_count "$late" 30
	flow-sub -o beginning -e "$late" | cmp - <(grep '"delay":40' "$TMP/in")
	# STREAM sends the grantee what the grant's WHERE lets through, no more
	at orange blue-agent bpw "STREAM $flow FROM BEGINNING TO END" > "$TMP/whole"
	sed -n '/^{/p' "$TMP/whole" | cmp - <(grep '"delay":40' "$TMP/in")
	# blue's agent streams its subscription: only what both WHEREs let through
	wait_flow_count "$TMP/orange/flows/$sub1" 10
	at orange blue-agent bpw "STREAM $sub1 FROM BEGINNING TO END" > "$TMP/st"
	sed -n '/^{/p' "$TMP/st" | cmp - <(grep '"delay":40,"gate":0' "$TMP/in")
	at orange alice apw "LIST SUBSCRIPTIONS $flow" > "$TMP/ls"
	assert_eq "$(printf '%s blue-agent running\n' "$sub1" "$sub2" | sort)" "$(grep running "$TMP/ls" | sort)"
	# alice takes the grant away: both subscriptions go, blue's processor stops
	at orange alice apw "REVOKE READ ON $flow FROM blue-agent" "REVOKE READ ON $flow FROM blue-agent" \
		'LIST GRANTS' > "$TMP/v"
	assert_eq "$(printf '%s\n' '220 OK' '550 no such grant' '220 DATA' '220 OK')" "$(sed -n 3,6p "$TMP/v")"
	[ -z "$(subscriptions "$TMP/orange/state")" ]
	[ ! -e "$TMP/orange/flows/$sub1" ] && [ ! -e "$TMP/orange/flows/$sub2" ]
	[ ! -e "$TMP/orange/state/grants/$flow" ]
	s6-svwait -D -t 10000 "$TMP/blue/state/service/late.flows.blue.example"
	flow-pub "$TMP/orange/flows/$flow" < "$TMP/in"
	[ "$(flow_count "$late")" -eq 30 ]
	at orange blue-agent bpw "DESCRIBE FLOW $flow" "SUBSCRIBE $flow" 'LIST FLOWS' > "$TMP/after"
	assert_eq "$(printf '%s\n' '550 no such flow or access denied' '550 no such flow or access denied' \
		'220 DATA' '220 OK')" "$(sed -n 3,6p "$TMP/after")"
}

@test "fnap-serve: a new WHERE replaces the old and ends what was made under it; no WHERE streams whole; anonymous READ; a public flow's subscriptions are no grant's; DELETE drops the grants" {
	s6_start
	FNAP_EXTRA_CONF="supervisor $S6_SCAN" fnap_start
	printf '%s\n' "$FNAP_AUTH" "CREATE FLOW $A" "GRANT READ ON $A TO other WHERE delay > 30" QUIT |
		fnap_session > /dev/null
	printf '%s\n' "$OTHER" "SUBSCRIBE $A" QUIT | fnap_session > "$TMP/s1"
	sub1=$(sed -n 4p "$TMP/s1")
	grep -qF "'--where' 'delay > 30'" "$TMP/state/service/$sub1/run"
	# the same WHERE again: the subscription stays; another: it ends
	printf '%s\n' "$FNAP_AUTH" "GRANT READ ON $A TO other WHERE delay > 30" QUIT | fnap_session > /dev/null
	[ -e "$TMP/state/flows/$sub1" ]
	printf '%s\n' "$FNAP_AUTH" "GRANT READ ON $A TO other WHERE delay > 50" 'LIST GRANTS' QUIT |
		fnap_session > "$TMP/g"
	assert_eq "$(printf '%s\n' '220 OK' '220 DATA' "$A other read where=delay > 50" '220 OK')" \
		"$(sed -n 3,6p "$TMP/g")"
	[ ! -e "$TMP/state/flows/$sub1" ]
	[ ! -e "$TMP/state/service/$sub1" ]
	printf '%s\n' "$OTHER" "SUBSCRIBE $A WHERE gate = 1" QUIT | fnap_session > "$TMP/s2"
	sub2=$(sed -n 4p "$TMP/s2")
	grep -qF "'--where' '(delay > 50) AND (gate = 1)'" "$TMP/state/service/$sub2/run"
	# READ without a WHERE: the grantee streams the flow whole
	printf '%s\n' "$FNAP_AUTH" "GRANT READ ON $A TO other" "GRANT READ ON $A TO anonymous" 'LIST GRANTS' QUIT |
		fnap_session > "$TMP/g2"
	assert_eq "$(printf '%s\n' '220 OK' '220 OK' '220 DATA' "$A anonymous read" "$A other read" '220 OK')" \
		"$(sed -n 3,8p "$TMP/g2")"
	[ ! -e "$TMP/state/flows/$sub2" ]
	events 3 > "$TMP/in"
	flow-pub "$TMP/flows/$A" < "$TMP/in"
	printf '%s\n' "$OTHER" "STREAM $A FROM BEGINNING TO END" QUIT | fnap_session > "$TMP/st"
	sed -n '/^{/p' "$TMP/st" | cmp - "$TMP/in"
	# anonymous, granted READ, reads the private flow as a user would
	printf '%s\n' 'AUTHENTICATE ANONYMOUS' "DESCRIBE FLOW $A" 'LIST FLOWS' "STREAM $A FROM BEGINNING COUNT 1" \
		"PUBLISH $A" QUIT | fnap_session > "$TMP/an"
	grep -qx "flow=$A" "$TMP/an"
	assert_eq "$(printf '%s\n' '220 DATA' "$A" '220 OK' '220 DATA' "$(head -n 1 "$TMP/in")" '220 OK' \
		'550 no such flow or access denied')" "$(sed -n '/^created=/,$p' "$TMP/an" | grep -v = | sed -n 2,8p)"
	# a public flow is read by anyone: subscribing to it is under no grant,
	# and REVOKE READ leaves that subscription alone
	printf '%s\n' "$FNAP_AUTH" "CREATE FLOW b.flows.unix.ar PUBLIC" \
		"GRANT READ ON b.flows.unix.ar TO other WHERE delay > 30" QUIT | fnap_session > /dev/null
	printf '%s\n' "$OTHER" "SUBSCRIBE b.flows.unix.ar" QUIT | fnap_session > "$TMP/s3"
	sub3=$(sed -n 4p "$TMP/s3")
	! grep -q '^granted=' "$TMP/state/flows/$sub3" || false
	! grep -q -- '--where' "$TMP/state/service/$sub3/run" || false
	printf '%s\n' "$FNAP_AUTH" "REVOKE READ ON b.flows.unix.ar FROM other" QUIT | fnap_session > "$TMP/v"
	[ "$(sed -n 3p "$TMP/v")" = '220 OK' ]
	[ -e "$TMP/state/flows/$sub3" ]
	# DELETE FLOW drops its grants: made again, the flow is no one's but its owner's
	[ -e "$TMP/state/grants/$A" ]
	printf '%s\n' "$FNAP_AUTH" "DELETE FLOW $A" "CREATE FLOW $A" "LIST GRANTS $A" QUIT | fnap_session > "$TMP/d"
	assert_eq "$(printf '%s\n' "220 OK $A" "220 OK $A" '220 DATA' '220 OK')" "$(sed -n 3,6p "$TMP/d")"
	[ ! -e "$TMP/state/grants/$A" ]
	printf '%s\n' "$OTHER" "DESCRIBE FLOW $A" QUIT | fnap_session > "$TMP/o"
	[ "$(sed -n 3p "$TMP/o")" = '550 no such flow or access denied' ]
}

@test "fnap-serve: taking a READ grant away ends the grantee's open STREAMs with 550 within seconds, a GROUP stream too; a new WHERE applies to a running STREAM" {
	fnap_start
	printf '%s\n' "$FNAP_AUTH" "CREATE FLOW $A" "GRANT READ ON $A TO other" QUIT | fnap_session > /dev/null
	events 4 > "$TMP/in"
	flow-pub "$TMP/flows/$A" < "$TMP/in"
	# two streams that follow the flow, their input held open (fds 8 and 9)
	mkfifo "$TMP/f1" "$TMP/f2"
	FNAP_PORT=$FNAP_PORT fnap_raw < "$TMP/f1" > "$TMP/st1" &
	S1=$!
	FNAP_PORT=$FNAP_PORT fnap_raw < "$TMP/f2" > "$TMP/st2" &
	S2=$!
	exec 8> "$TMP/f1" 9> "$TMP/f2"
	printf '%s\r\n' "$OTHER" "STREAM $A FROM BEGINNING" >&8
	printf '%s\r\n' "$OTHER" "STREAM $A GROUP g FROM BEGINNING" >&9
	wait_until 10 has_events "$TMP/st1" 4
	wait_until 10 has_events "$TMP/st2" 4
	# a new WHERE: from then on only what it lets through
	printf '%s\n' "$FNAP_AUTH" "GRANT READ ON $A TO other WHERE delay > 30" QUIT | fnap_session > /dev/null
	events 8 | tail -n 4 > "$TMP/more"
	flow-pub "$TMP/flows/$A" < "$TMP/more"
	wait_until 10 has_events "$TMP/st1" 6
	wait_until 10 has_events "$TMP/st2" 6
	assert_eq '"6" "8"' "$(grep '^{' "$TMP/st1" | tail -n 2 | jq .id | tr '\n' ' ' | sed 's/ $//')"
	# taken away: both end with 550 (the plain one's session goes on)
	printf '%s\n' "$FNAP_AUTH" "REVOKE READ ON $A FROM other" QUIT | fnap_session > /dev/null
	wait_until 10 grep -q '^550 no such flow or access denied' "$TMP/st1"
	wait_until 10 grep -q '^550 no such flow or access denied' "$TMP/st2"
	printf 'QUIT\r\n' >&8
	printf 'QUIT\r\n' >&9
	exec 8>&- 9>&-
	wait "$S1" "$S2"
	[ "$(tail -n 1 "$TMP/st1" | tr -d '\r')" = '221 Bye' ]
}

@test "fnap-serve: GRANT WRITE lets a partner PUBLISH (flow-pub fnap:// too) and nothing else" {
	s6_start
	FNAP_EXTRA_CONF="supervisor $S6_SCAN" fnap_start
	printf '%s\n' "$FNAP_AUTH" "CREATE FLOW $A" "GRANT WRITE ON $A TO other" QUIT | fnap_session > "$TMP/w"
	[ "$(sed -n 4p "$TMP/w")" = '220 OK' ]
	events 2 > "$TMP/in"
	{ printf '%s\n' "$OTHER" "PUBLISH $A"; cat "$TMP/in"; printf '%s\n' . "DESCRIBE FLOW $A" \
		"STREAM $A FROM BEGINNING TO END" "SUBSCRIBE $A" "DELETE FLOW $A" "GRANT READ ON $A TO other" \
		"REVOKE WRITE ON $A FROM other" "LIST GRANTS $A" 'LIST GRANTS' 'LIST FLOWS' QUIT; } |
		fnap_session > "$TMP/o"
	cmp <(sed -n '3,$p' "$TMP/o") - <<'OUT'
220 OK send events
220 OK 2 events
550 no such flow or access denied
550 no such flow or access denied
550 no such flow or access denied
550 no such flow or access denied
550 no such flow or access denied
550 no such flow or access denied
550 no such flow or access denied
220 DATA
220 OK
220 DATA
220 OK
221 Bye
OUT
	FNAP_USER=other FNAP_PASSWORD=secret flow-pub "fnap://127.0.0.1:$FNAP_PORT/$A" < "$TMP/in"
	flow-sub -o beginning -e "$TMP/flows/$A" | cmp - <(cat "$TMP/in" "$TMP/in")
	# the owner takes it away: PUBLISH is refused from then on
	printf '%s\n' "$FNAP_AUTH" "REVOKE WRITE ON $A FROM other" 'LIST GRANTS' QUIT | fnap_session > "$TMP/v"
	assert_eq "$(printf '%s\n' '220 OK' '220 DATA' '220 OK')" "$(sed -n 3,5p "$TMP/v")"
	printf '%s\n' "$OTHER" "PUBLISH $A" QUIT | fnap_session > "$TMP/o2"
	[ "$(sed -n 3p "$TMP/o2")" = '550 no such flow or access denied' ]
	[ "$(flow_count "$TMP/flows/$A")" -eq 4 ]
}

@test "fnap-serve: GRANT, REVOKE ... FROM and LIST GRANTS with bad arguments, by others, to no one" {
	s6_start
	FNAP_EXTRA_CONF="supervisor $S6_SCAN
command-line-max 8192" fnap_start
	long=$(printf 'x%.0s' $(seq 1 64))
	where=$(printf 'delay > 1 AND %.0s' $(seq 1 300))'delay > 1'
	{ printf '%s\n' "GRANT READ ON $A TO other" "$FNAP_AUTH" "CREATE FLOW $A" 'GRANT' 'GRANT READ' \
		"GRANT READ ON $A" "GRANT READ ON $A TO" "GRANT READ $A TO other" "GRANT ALL ON $A TO other" \
		"GRANT READ ON $A FROM other" "GRANT WRITE ON $A TO other WHERE delay > 1" \
		"GRANT READ ON $A TO other WHERE" "GRANT READ ON $A TO other ALSO" \
		"GRANT READ ON $A TO other WHERE delay >" "GRANT READ ON $A TO other WHERE nosuch(1)" \
		'GRANT READ ON ../etc.flows.unix.ar TO other' 'GRANT READ ON nosuch.flows.unix.ar TO other' \
		"GRANT READ ON $A TO nosuch" "GRANT READ ON $A TO $long" "GRANT READ ON $A TO other:x" \
		"GRANT WRITE ON $A TO anonymous" "GRANT READ ON $A TO test" "GRANT READ ON $A TO other WHERE $where"
	  printf 'GRANT READ ON %s TO other WHERE delay > 1\tAND gate = 1\n' "$A"
	  printf '%s\n' "REVOKE READ ON $A FROM other" "REVOKE READ ON $A" "REVOKE READ ON $A TO other" \
		"REVOKE WRITE ON $A FROM other x" 'REVOKE READ ON nosuch.flows.unix.ar FROM other' \
		'LIST GRANTS a b' 'LIST GRANTS nosuch.flows.unix.ar' 'LIST GRANTS' QUIT; } |
		fnap_session > "$TMP/out"
	cmp "$TMP/out" - <<OUT
220 fnaa.unix.ar FNAA
530 authentication required
220 Authenticated
220 OK $A
501 usage: GRANT READ ON <flow> TO <user> [WHERE <cesql>] | GRANT WRITE ON <flow> TO <user>
501 usage: GRANT READ ON <flow> TO <user> [WHERE <cesql>] | GRANT WRITE ON <flow> TO <user>
501 usage: GRANT READ ON <flow> TO <user> [WHERE <cesql>] | GRANT WRITE ON <flow> TO <user>
501 usage: GRANT READ ON <flow> TO <user> [WHERE <cesql>] | GRANT WRITE ON <flow> TO <user>
501 usage: GRANT READ ON <flow> TO <user> [WHERE <cesql>] | GRANT WRITE ON <flow> TO <user>
501 usage: GRANT READ ON <flow> TO <user> [WHERE <cesql>] | GRANT WRITE ON <flow> TO <user>
501 usage: GRANT READ ON <flow> TO <user> [WHERE <cesql>] | GRANT WRITE ON <flow> TO <user>
501 usage: GRANT READ ON <flow> TO <user> [WHERE <cesql>] | GRANT WRITE ON <flow> TO <user>
501 usage: GRANT READ ON <flow> TO <user> [WHERE <cesql>] | GRANT WRITE ON <flow> TO <user>
501 usage: GRANT READ ON <flow> TO <user> [WHERE <cesql>] | GRANT WRITE ON <flow> TO <user>
501 WHERE: column 8: unexpected end of expression
501 WHERE: column 1: no function NOSUCH with 1 argument
553 flow name not allowed: empty label
550 no such flow or access denied
550 no such user
550 no such user
550 no such user
501 anonymous may be granted READ, never WRITE
501 test owns $A
501 WHERE: longer than 4095 bytes
501 WHERE: a control character
550 no such grant
501 usage: REVOKE <subscription-flow> [<token>] | REVOKE READ|WRITE ON <flow> FROM <user>
501 usage: REVOKE <subscription-flow> [<token>] | REVOKE READ|WRITE ON <flow> FROM <user>
501 usage: REVOKE <subscription-flow> [<token>] | REVOKE READ|WRITE ON <flow> FROM <user>
550 no such flow or access denied
501 usage: LIST FLOWS [<namespace>] | LIST NAMESPACES | LIST SUBSCRIPTIONS [<flow>] | LIST GRANTS [<flow>]
550 no such flow or access denied
220 DATA
220 OK
221 Bye
OUT
	# none of it made a grant
	[ ! -e "$TMP/state/grants" ] || [ -z "$(ls -A "$TMP/state/grants")" ]
	# a subscription flow takes no grant; another user, or an anonymous
	# session, neither grants nor revokes, and is told no more than of a
	# flow that does not exist
	sub=$(printf '%s\n' "$FNAP_AUTH" "SUBSCRIBE $A" QUIT | fnap_session | sed -n 4p)
	printf '%s\n' "$FNAP_AUTH" "GRANT READ ON $A TO other" "GRANT READ ON $sub TO other" QUIT | fnap_session > "$TMP/t"
	assert_eq "$(printf '220 OK\n501 %s is a subscription: grant on %s' "$sub" "$A")" "$(sed -n 3,4p "$TMP/t")"
	for who in "$OTHER" 'AUTHENTICATE ANONYMOUS'; do
		printf '%s\n' "$who" "GRANT READ ON $A TO other" "GRANT WRITE ON $A TO other" \
			"REVOKE READ ON $A FROM other" "LIST GRANTS $A" 'LIST GRANTS' QUIT | fnap_session > "$TMP/n"
		assert_eq "$(printf '%s\n' '550 no such flow or access denied' '550 no such flow or access denied' \
			'550 no such flow or access denied' '550 no such flow or access denied' '220 DATA' '220 OK')" \
			"$(sed -n 3,8p "$TMP/n")" "$who"
	done
	printf '%s\n' "$FNAP_AUTH" 'LIST GRANTS' QUIT | fnap_session > "$TMP/l"
	assert_eq "$(printf '%s\n' '220 DATA' "$A other read" '220 OK')" "$(sed -n 3,5p "$TMP/l")"
}

@test "fnap: grant, ungrant and list grants at the flow's agent; records, -j, refusals (77) and usage errors (64)" {
	fnap_start
	export HOME=$TMP/home
	fnapua_config
	run --separate-stderr fnap create flow "$A"
	[ "$status" -eq 0 ]
	run --separate-stderr fnap grant read "$A" other --where "delay > 30 AND type = 'x'"
	[ "$status" -eq 0 ]
	assert_eq "flow=$A user=other right=read where=delay > 30 AND type = 'x'" "$output"
	run --separate-stderr fnap grant write "$A" other
	assert_eq "flow=$A user=other right=write" "$output"
	run --separate-stderr fnap grant read "$A" anonymous
	run --separate-stderr fnap list grants
	[ "$status" -eq 0 ]
	assert_eq "$(printf '%s\n' "flow=$A user=anonymous right=read" \
		"flow=$A user=other right=read where=delay > 30 AND type = 'x'" "flow=$A user=other right=write")" "$output"
	run --separate-stderr fnap -j list grants "$A"
	[ "$(printf '%s\n' "$output" | jq -r 'select(.user == "other" and .right == "read") | .where')" = "delay > 30 AND type = 'x'" ]
	[ "$(printf '%s\n' "$output" | jq -s 'map(select(has("where"))) | length')" -eq 1 ]
	run --separate-stderr fnap ungrant write "$A" other
	[ "$status" -eq 0 ]
	assert_eq "flow=$A user=other right=write" "$output"
	# the agent's refusals: no such grant, no such user, anonymous WRITE
	run --separate-stderr fnap ungrant write "$A" other
	[ "$status" -eq 77 ]
	assert_eq "fnap: ungrant write $A: 550 no such grant" "${stderr_lines[0]}"
	run --separate-stderr fnap grant read "$A" nosuch
	[ "$status" -eq 77 ]
	run --separate-stderr fnap grant write "$A" anonymous
	[ "$status" -eq 70 ]
	[ -z "$output" ]
	# usage errors, before any connection
	local args
	for args in "grant read $A" "grant read $A other extra" "grant write $A other --where x" \
		"grant read $A a:b" "grant read $A $(printf 'x%.0s' $(seq 1 64))" "grant all $A other" \
		"ungrant read $A other --where x" "ungrant $A other" "grant read a..b other" \
		"list grants a b" "subscribe $A --local x --where y --public"; do
		# shellcheck disable=SC2086
		run --separate-stderr fnap $args
		[ "$status" -eq 64 ] || { echo "fnap $args: status $status" >&2; false; }
	done
	run --separate-stderr fnap grant write "$A" other --where 'x = 1'
	assert_eq 'fnap: --where is for subscribe and grant read' "${stderr_lines[0]}"
	run --separate-stderr fnap grant read "$A" 'a:b'
	assert_eq "fnap: user a:b: 1-63 printable characters, without blanks or ':'" "${stderr_lines[0]}"
	run --separate-stderr fnap create flow "b.$A" --local x
	assert_eq 'fnap: --local is for subscribe' "${stderr_lines[0]}"
}
