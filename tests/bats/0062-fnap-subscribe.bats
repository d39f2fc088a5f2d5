#!/usr/bin/env bats
# fnap-serve's subscriptions: processors (flow-bridge) as service
# directories under a real s6-svscan; two agents, named and TLS for
# SUBSCRIBE ... LOCAL across organisations.

load helpers/common
load helpers/fnap
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

# count FLOW-DIR: the events in a file flow now
count() {
	[ -d "$1" ] || { echo 0; return; }
	flow-sub -o beginning -e "$1" | wc -l
}

# wait_count FLOW-DIR N [SECONDS]: until the flow holds N events (at most
# SECONDS, 20 by default); says what it saw when it gives up
wait_count() {
	local i n
	for i in $(seq 1 $(( ${3:-20} * 10 ))); do
		n=$(count "$1")
		[ "$n" -ge "$2" ] && return 0
		sleep 0.1
	done
	echo "$1: $n events, expected $2; the processors:" >&2
	cat "$TMP/s6.log" >&2
	for s in "$TMP/scan"/*; do echo "$s: $(s6-svstat "$s")" >&2; done
	return 1
}

# the random subscription id of a transcript made constant
no_id() {
	sed -E 's/(SUBSCRIBED TO |^)[a-z0-9]{7}\.(time|arrivals)\./\1ID.\2./'
}

@test "fnap-serve: the thesis transcript with SUBSCRIBE ... LOCAL, byte for byte; events reach the local flow" {
	s6_start
	FNAP_EXTRA_CONF="supervisor $S6_SCAN" fnap_start
	printf '%s\r\n' 'AUTHENTICATE PLAIN' 'AHRlc3QAdGVzdA==' 'CREATE FLOW time.flows.unix.ar' \
		'SUBSCRIBE time.flows.unix.ar LOCAL emiliano.ar-time.flows.unix.ar' 'QUIT' | fnap_raw > "$TMP/raw"
	no_id < "$TMP/raw" | cmp - <(printf '%s\r\n' '220 fnaa.unix.ar FNAA' '220 OK' '220 Authenticated' \
		'220 OK time.flows.unix.ar' '220 DATA' 'emiliano.ar-time.flows.unix.ar SUBSCRIBED TO ID.time.flows.unix.ar' \
		'220 OK' '221 Bye')
	sub=$(grep -a 'SUBSCRIBED TO' "$TMP/raw" | tr -d '\r' | sed 's/.* //')
	# the subscription flow and the local flow, each fed by its processor
	[ -x "$TMP/state/service/$sub/run" ]
	[ -x "$TMP/state/service/emiliano.ar-time.flows.unix.ar/run" ]
	[ -L "$S6_SCAN/$sub" ]
	grep -q "^exec s6-envdir ./env 'flow-bridge' '-g' 'fnap-[0-9a-f]\{16\}' '-o' 'stored' '-r' '$TMP/state/service/$sub/rejects' 'file://$TMP/flows/time.flows.unix.ar' 'file://$TMP/flows/$sub'\$" \
		"$TMP/state/service/$sub/run"
	# what it could not take, kept for the agent alone
	wait_until 10 test -e "$TMP/state/service/$sub/rejects"
	assert_eq 600 "$(stat -c %a "$TMP/state/service/$sub/rejects")"
	gen-events 300 > "$TMP/in"
	flow-pub "$TMP/flows/time.flows.unix.ar" < "$TMP/in"
	wait_count "$TMP/flows/emiliano.ar-time.flows.unix.ar" 300
	flow-sub -o beginning -e "$TMP/flows/emiliano.ar-time.flows.unix.ar" | cmp - "$TMP/in"
	# the user sees the subscription, and ends it; the local flow keeps its events
	printf '%s\n' "$FNAP_AUTH" 'LIST SUBSCRIPTIONS' 'LIST SUBSCRIPTIONS time.flows.unix.ar' \
		'DESCRIBE FLOW emiliano.ar-time.flows.unix.ar' 'UNSUBSCRIBE emiliano.ar-time.flows.unix.ar' \
		'LIST SUBSCRIPTIONS' 'QUIT' | fnap_session > "$TMP/out"
	cmp <(sed -n '3,8p' "$TMP/out") - <<OUT
220 DATA
$sub test running
220 OK
220 DATA
$sub test running
220 OK
OUT
	# DESCRIBE says what feeds the flow, then UNSUBSCRIBE is done
	assert_eq "$(printf 'source=%s\nfeed=running\nevents=300' "$sub")" \
		"$(sed -n '/^created=/,$p' "$TMP/out" | sed -n 2,4p)"
	# after its figures, DESCRIBE's end; then UNSUBSCRIBE's answer
	assert_eq "$(printf '220 OK\n220 OK')" "$(sed -n '/^created=/,$p' "$TMP/out" | grep -v = | sed -n 1,2p)"
	assert_eq "$(printf '220 DATA\n220 OK\n221 Bye')" "$(tail -n 3 "$TMP/out")" "the last listing"
	[ ! -e "$TMP/state/flows/$sub" ]
	[ ! -e "$TMP/flows/$sub" ]
	[ ! -e "$TMP/state/service/$sub" ]
	[ ! -e "$TMP/state/service/emiliano.ar-time.flows.unix.ar" ]
	[ -z "$(ls "$S6_SCAN")" ]
	[ "$(count "$TMP/flows/emiliano.ar-time.flows.unix.ar")" -eq 300 ]
	! grep -q '^source=' "$TMP/state/flows/emiliano.ar-time.flows.unix.ar" || false
	# and nothing more arrives
	flow-pub "$TMP/flows/time.flows.unix.ar" < "$TMP/in"
	sleep 1
	[ "$(count "$TMP/flows/emiliano.ar-time.flows.unix.ar")" -eq 300 ]
}

@test "fnap-serve: SUBSCRIBE WHERE filters at the source; PAUSE, RESUME, REVOKE; DELETE revokes" {
	s6_start
	FNAP_EXTRA_CONF="supervisor $S6_SCAN" fnap_start
	other='AUTHENTICATE PLAIN AG90aGVyAHNlY3JldA=='
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW arrivals.flows.unix.ar PUBLIC' 'QUIT' | fnap_session > /dev/null
	for i in $(seq 1 100); do event "$i" ",\"delay\":$(( i % 2 ? 10 : 40 ))"; done > "$TMP/in"
	flow-pub "$TMP/flows/arrivals.flows.unix.ar" < "$TMP/in"
	printf '%s\n' "$other" 'SUBSCRIBE arrivals.flows.unix.ar WHERE delay > 30' 'QUIT' |
		fnap_session > "$TMP/sub"
	assert_eq "$(printf '220 DATA\nID.arrivals.flows.unix.ar\n220 OK')" "$(sed -n 3,5p "$TMP/sub" | no_id)"
	sub=$(sed -n 4p "$TMP/sub")
	# the flow's events from the first on, those with delay > 30
	wait_count "$TMP/flows/$sub" 50
	flow-sub -o beginning -e "$TMP/flows/$sub" | cmp - <(grep '"delay":40' "$TMP/in")
	# the subscriber and the flow's owner see it; nobody else
	printf '%s\n' "$other" "DESCRIBE FLOW $sub" 'LIST SUBSCRIPTIONS' 'QUIT' | fnap_session > "$TMP/o"
	grep -qx 'owner=test' "$TMP/o"
	grep -qx 'subscriber=other' "$TMP/o"
	grep -qx "$sub other running" "$TMP/o"
	printf '%s\n' "$FNAP_AUTH" 'LIST SUBSCRIPTIONS arrivals.flows.unix.ar' 'QUIT' | fnap_session > "$TMP/t"
	grep -qx "$sub other running" "$TMP/t"
	printf '%s\n' 'AUTHENTICATE ANONYMOUS' "DESCRIBE FLOW $sub" "PAUSE $sub" "REVOKE $sub" \
		'LIST SUBSCRIPTIONS' 'QUIT' | fnap_session > "$TMP/a"
	assert_eq "$(printf '%s\n' '550 no such flow or access denied' \
		'550 no such subscription or access denied' '550 no such subscription or access denied' \
		'220 DATA' '220 OK')" "$(sed -n 3,7p "$TMP/a")" "anonymous"
	# paused, nothing arrives; resumed, everything does
	printf '%s\n' "$other" "PAUSE $sub" 'LIST SUBSCRIPTIONS' 'QUIT' | fnap_session > "$TMP/p"
	assert_eq "$(printf '220 OK\n220 DATA\n%s other paused\n220 OK' "$sub")" "$(sed -n 3,6p "$TMP/p")"
	flow-pub "$TMP/flows/arrivals.flows.unix.ar" < "$TMP/in"
	sleep 1.5
	[ "$(count "$TMP/flows/$sub")" -eq 50 ]
	printf '%s\n' "$other" "RESUME $sub" 'QUIT' | fnap_session > "$TMP/r"
	[ "$(sed -n 3p "$TMP/r")" = '220 OK' ]
	wait_count "$TMP/flows/$sub" 100
	# the flow's owner revokes: the processor and the copy are gone
	printf '%s\n' "$FNAP_AUTH" "REVOKE $sub" "REVOKE $sub" 'QUIT' | fnap_session > "$TMP/v"
	assert_eq "$(printf '220 OK\n550 no such subscription or access denied')" "$(sed -n 3,4p "$TMP/v")"
	[ ! -e "$TMP/flows/$sub" ]
	[ ! -e "$TMP/state/service/$sub" ]
	[ -z "$(ls "$S6_SCAN")" ]
	# a subscription goes with its flow
	printf '%s\n' "$other" 'SUBSCRIBE arrivals.flows.unix.ar' 'QUIT' | fnap_session > "$TMP/sub2"
	sub2=$(sed -n 4p "$TMP/sub2")
	wait_count "$TMP/flows/$sub2" 200
	printf '%s\n' "$FNAP_AUTH" 'DELETE FLOW arrivals.flows.unix.ar' 'QUIT' | fnap_session > "$TMP/d"
	[ "$(sed -n 3p "$TMP/d")" = '220 OK arrivals.flows.unix.ar' ]
	[ ! -e "$TMP/state/flows/$sub2" ]
	[ ! -e "$TMP/flows/$sub2" ]
	[ -z "$(ls -A "$TMP/state/service")" ]
	[ -z "$(ls "$S6_SCAN")" ]
}

@test "fnap-serve: subscription commands with bad arguments, and without a supervisor" {
	s6_start
	FNAP_EXTRA_CONF="supervisor $S6_SCAN" fnap_start
	printf '%s\n' 'SUBSCRIBE a.flows.unix.ar' "$FNAP_AUTH" 'CREATE FLOW a.flows.unix.ar' \
		'SUBSCRIBE' 'SUBSCRIBE a.flows.unix.ar LOCAL' 'SUBSCRIBE a.flows.unix.ar WHERE' \
		'SUBSCRIBE a.flows.unix.ar NOW' 'SUBSCRIBE a.flows.unix.ar FROM' 'SUBSCRIBE a.flows.unix.ar FROM stored' \
		'SUBSCRIBE a.flows.unix.ar FROM @yesterday' 'SUBSCRIBE a.flows.unix.ar FROM 1 FROM 2' \
		'SUBSCRIBE a.flows.unix.ar LOCAL x FROM 1' 'SUBSCRIBE a.flows.unix.ar WHERE delay >' \
		"SUBSCRIBE a.flows.unix.ar WHERE type = 'x" 'SUBSCRIBE ../etc.flows.unix.ar' \
		'SUBSCRIBE nosuch.flows.unix.ar' 'SUBSCRIBE a.flows.unix.ar LOCAL $(id)' \
		'SUBSCRIBE a.flows.unix.ar LOCAL a.flows.unix.ar' 'SUBSCRIBE a.flows.unix.ar VERIFY VERIFY' \
		'SUBSCRIBE a.flows.unix.ar VERIFY LOCAL x' 'SUBSCRIBE a.flows.unix.ar VERIFY FROM 1' \
		'SUBSCRIBE a.flows.unix.ar VERIFY NOW' 'SUBSCRIBE a.flows.unix.ar WHERE id = 1 VERIFY' \
		'SUBSCRIBE a.flows.unix.ar VERIFY WHERE' 'SUBSCRIBE a.flows.unix.ar verify=yes' 'SUBSCRIBE nodot LOCAL x VERIFY' \
		'UNSUBSCRIBE' 'UNSUBSCRIBE a.flows.unix.ar' \
		'REVOKE a.flows.unix.ar x y' 'PAUSE nosuch.flows.unix.ar' 'RESUME' 'LIST SUBSCRIPTIONS a b' \
		'QUIT' | fnap_session > "$TMP/out"
	cmp "$TMP/out" - <<'OUT'
220 fnaa.unix.ar FNAA
530 authentication required
220 Authenticated
220 OK a.flows.unix.ar
501 usage: SUBSCRIBE <flow> [FROM BEGINNING|END|<offset>|@<time>] [LOCAL <local>] [VERIFY] [WHERE <cesql>]
501 usage: SUBSCRIBE <flow> [FROM BEGINNING|END|<offset>|@<time>] [LOCAL <local>] [VERIFY] [WHERE <cesql>]
501 usage: SUBSCRIBE <flow> [FROM BEGINNING|END|<offset>|@<time>] [LOCAL <local>] [VERIFY] [WHERE <cesql>]
501 usage: SUBSCRIBE <flow> [FROM BEGINNING|END|<offset>|@<time>] [LOCAL <local>] [VERIFY] [WHERE <cesql>]
501 usage: SUBSCRIBE <flow> [FROM BEGINNING|END|<offset>|@<time>] [LOCAL <local>] [VERIFY] [WHERE <cesql>]
501 usage: SUBSCRIBE <flow> [FROM BEGINNING|END|<offset>|@<time>] [LOCAL <local>] [VERIFY] [WHERE <cesql>]
501 usage: SUBSCRIBE <flow> [FROM BEGINNING|END|<offset>|@<time>] [LOCAL <local>] [VERIFY] [WHERE <cesql>]
501 usage: SUBSCRIBE <flow> [FROM BEGINNING|END|<offset>|@<time>] [LOCAL <local>] [VERIFY] [WHERE <cesql>]
501 usage: SUBSCRIBE <flow> [FROM BEGINNING|END|<offset>|@<time>] [LOCAL <local>] [VERIFY] [WHERE <cesql>]
501 WHERE: column 8: unexpected end of expression
501 WHERE: column 8: unterminated string
553 flow name not allowed: empty label
550 no such flow or access denied
553 flow name not allowed: characters other than a-z, 0-9, '-' and '.'
553 flow name not allowed: a.flows.unix.ar exists
501 usage: SUBSCRIBE <flow> [FROM BEGINNING|END|<offset>|@<time>] [LOCAL <local>] [VERIFY] [WHERE <cesql>]
501 usage: SUBSCRIBE <flow> [FROM BEGINNING|END|<offset>|@<time>] [LOCAL <local>] [VERIFY] [WHERE <cesql>]
501 usage: SUBSCRIBE <flow> [FROM BEGINNING|END|<offset>|@<time>] [LOCAL <local>] [VERIFY] [WHERE <cesql>]
501 usage: SUBSCRIBE <flow> [FROM BEGINNING|END|<offset>|@<time>] [LOCAL <local>] [VERIFY] [WHERE <cesql>]
501 WHERE: column 8: unexpected 'VERIFY' after the expression
501 usage: SUBSCRIBE <flow> [FROM BEGINNING|END|<offset>|@<time>] [LOCAL <local>] [VERIFY] [WHERE <cesql>]
501 usage: SUBSCRIBE <flow> [FROM BEGINNING|END|<offset>|@<time>] [LOCAL <local>] [VERIFY] [WHERE <cesql>]
501 VERIFY: nodot is in no namespace
501 usage: UNSUBSCRIBE <local> [<token>]
550 no such subscription or access denied
501 usage: REVOKE <subscription-flow> [<token>] | REVOKE READ|WRITE ON <flow> FROM <user>
550 no such subscription or access denied
501 usage: RESUME <flow> [<token>]
501 usage: LIST FLOWS [<namespace>] | LIST NAMESPACES | LIST SUBSCRIPTIONS [<flow>] | LIST GRANTS [<flow>]
221 Bye
OUT
	# nothing was made by them
	[ "$(ls "$TMP/state/flows")" = a.flows.unix.ar ]
	[ ! -e "$TMP/state/service" ] || [ -z "$(ls -A "$TMP/state/service")" ]
	fnap_stop
	# an agent without a supervisor runs no processors, and says so
	fnap_start
	printf '%s\n' "$FNAP_AUTH" 'SUBSCRIBE a.flows.unix.ar' 'PAUSE a.flows.unix.ar' 'CAPABILITIES' 'QUIT' |
		fnap_session > "$TMP/none"
	assert_eq "$(printf '%s\n' '502 no processors here: the agent has no supervisor configured' \
		'502 no processors here: the agent has no supervisor configured')" "$(sed -n 3,4p "$TMP/none")"
	! grep -q PROCESSORS "$TMP/none" || false
}

@test "fnap-serve: two organisations: blue subscribes to orange's flow through DNS and TLS, filtered; pause, resume, revoke" {
	orange_and_blue
	at orange alice apw 'CREATE FLOW arrivals.flows.orange.example PUBLIC' > "$TMP/c"
	[ "$(sed -n 3p "$TMP/c")" = '220 OK arrivals.flows.orange.example' ]
	# blue finds orange's agent in DNS, subscribes there as blue-agent, over TLS
	at blue bob bobpw 'SUBSCRIBE arrivals.flows.orange.example LOCAL late WHERE delay > 30' > "$TMP/s"
	assert_eq "$(printf '220 DATA\nlate.flows.blue.example SUBSCRIBED TO ID.arrivals.flows.orange.example\n220 OK')" \
		"$(sed -n 3,5p "$TMP/s" | no_id)"
	sub=$(sed -n 4p "$TMP/s" | sed 's/.* //')
	[ -d "$TMP/orange/flows/$sub" ]
	grep -qx 'subscriber=blue-agent' "$TMP/orange/state/flows/$sub"
	# the password is in the processor's env/, not in its run script
	svc=$TMP/blue/state/service/late.flows.blue.example
	grep -q "'fnaps://fnaa.orange.example:$ORANGE_PORT/$sub' 'file://$TMP/blue/flows/late.flows.blue.example'" "$svc/run"
	! grep -q bpw "$svc/run" || false
	[ "$(stat -c %a "$svc/env/FNAP_PASSWORD")" = 600 ]
	[ "$(cat "$svc/env/FNAP_USER")" = blue-agent ]
	# events published at orange (through its agent) arrive at blue, filtered
	for i in $(seq 1 100); do event "$i" ",\"delay\":$(( i % 2 ? 10 : 40 ))"; done > "$TMP/in"
	FNAP_CA=$TMP/tls/ca.pem FNAP_USER=alice FNAP_PASSWORD=apw \
		flow-pub "fnaps://fnaa.orange.example:$ORANGE_PORT/arrivals.flows.orange.example" < "$TMP/in"
	wait_count "$TMP/blue/flows/late.flows.blue.example" 50
	flow-sub -o beginning -e "$TMP/blue/flows/late.flows.blue.example" | cmp - <(grep '"delay":40' "$TMP/in")
	# each side lists it
	at orange alice apw 'LIST SUBSCRIPTIONS' > "$TMP/lo"
	grep -qx "$sub blue-agent running" "$TMP/lo"
	at blue bob bobpw 'LIST SUBSCRIPTIONS' 'DESCRIBE FLOW late.flows.blue.example' > "$TMP/lb"
	grep -qx "$sub bob running" "$TMP/lb"
	grep -qx "source-agent=fnaa.orange.example:$ORANGE_PORT" "$TMP/lb"
	# paused at blue, nothing arrives; resumed, the rest does
	at blue bob bobpw 'PAUSE late.flows.blue.example' > "$TMP/p"
	[ "$(sed -n 3p "$TMP/p")" = '220 OK' ]
	flow-pub "$TMP/orange/flows/arrivals.flows.orange.example" < "$TMP/in"
	sleep 1.5
	[ "$(count "$TMP/blue/flows/late.flows.blue.example")" -eq 50 ]
	at blue bob bobpw 'RESUME late.flows.blue.example' > "$TMP/r"
	[ "$(sed -n 3p "$TMP/r")" = '220 OK' ]
	wait_count "$TMP/blue/flows/late.flows.blue.example" 100
	# orange revokes: the copy is gone there, and events stop at blue
	at orange alice apw "REVOKE $sub" > "$TMP/v"
	[ "$(sed -n 3p "$TMP/v")" = '220 OK' ]
	[ ! -e "$TMP/orange/flows/$sub" ]
	flow-pub "$TMP/orange/flows/arrivals.flows.orange.example" < "$TMP/in"
	sleep 1.5
	[ "$(count "$TMP/blue/flows/late.flows.blue.example")" -eq 100 ]
	# blue's processor, refused (77), is not restarted for ever
	s6-svwait -D -t 5000 "$svc"
	# a second subscription, ended by blue: orange's copy goes too
	at blue bob bobpw 'UNSUBSCRIBE late.flows.blue.example' \
		'SUBSCRIBE arrivals.flows.orange.example LOCAL all.flows.blue.example' > "$TMP/s2"
	[ "$(sed -n 3p "$TMP/s2")" = '220 OK' ]
	sub2=$(sed -n 5p "$TMP/s2" | sed 's/.* //')
	[ -d "$TMP/orange/flows/$sub2" ]
	wait_count "$TMP/blue/flows/all.flows.blue.example" 300
	at blue bob bobpw 'UNSUBSCRIBE all.flows.blue.example' 'LIST SUBSCRIPTIONS' > "$TMP/u"
	assert_eq "$(printf '220 OK\n220 DATA\n220 OK')" "$(sed -n 3,5p "$TMP/u")"
	[ ! -e "$TMP/orange/flows/$sub2" ]
	[ ! -e "$TMP/orange/state/flows/$sub2" ]
	[ -z "$(ls "$S6_SCAN")" ]
	# blue's flows keep what they received
	[ "$(count "$TMP/blue/flows/all.flows.blue.example")" -eq 300 ]
}

# svstat SERVICE: whether it is up and wanted up, "true true" say
svstat() {
	s6-svstat -o up,wantedup "$1"
}

# wait_svstat SERVICE STATE SECONDS: until svstat says STATE
wait_svstat() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(svstat "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	echo "$1: $(svstat "$1"), not $2 after $3 s; the processors:" >&2
	cat "$TMP/s6.log" >&2
	return 1
}

@test "fnap-serve: a processor whose source agent refuses for good (5xx) is stopped, saying why; refused for now (4xx), it is retried" {
	printf '%s\n' 'fnaa.orange IN A 127.0.0.1' > "$TMP/records"
	named_start example "$TMP/records"
	s6_start
	local orange=$TMP/orange blue=$TMP/blue dns
	mkdir -p "$orange" "$blue"
	{ echo apw | fnap-serve -p alice | sed 's/:$/:flows.orange.example/'
	  echo bpw | fnap-serve -p blue-agent; } > "$orange/users"
	echo bobpw | fnap-serve -p bob | sed 's/:$/:flows.blue.example/' > "$blue/users"
	echo 'fnaa.orange.example blue-agent bpw' > "$blue/peers"
	# orange's agent, plain, behind rblsmtpd: tcpserver's rules (orange's
	# admin) let a client through (RBLSMTPD empty) or have every command
	# refused, 553 for good ("-text"), 451 for now ("text")
	rules() {
		echo "127.0.0.1:allow,RBLSMTPD=\"$1\"" > "$orange/rules"
		tcprules "$orange/rules.cdb" "$orange/rules.tmp" < "$orange/rules"
	}
	rules ''
	dns="dns-update nsupdate -k $NAMED_KEY
dns-server 127.0.0.1:$NAMED_PORT
dns-zone example
supervisor $S6_SCAN"
	TMP=$orange TCPSERVER_OPTS="-x $orange/rules.cdb" FNAP_WRAP=rblsmtpd \
		FNAP_NAMESPACES="namespace flows.orange.example file $orange/flows" \
		FNAP_EXTRA_CONF="hostname fnaa.orange.example
$dns" fnap_start
	echo "port $FNAP_PORT" >> "$orange/fnap.conf"
	ORANGE_PID=$FNAP_PID ORANGE_PORT=$FNAP_PORT FNAP_PID=
	TMP=$blue FNAP_NAMESPACES="namespace flows.blue.example file $blue/flows" \
		FNAP_EXTRA_CONF="hostname fnaa.blue.example
peers $blue/peers
$dns" fnap_start
	BLUE_PID=$FNAP_PID BLUE_PORT=$FNAP_PORT FNAP_PID=
	printf '%s\n' 'AUTHENTICATE PLAIN AGFsaWNlAGFwdw==' 'CREATE FLOW arrivals.flows.orange.example PUBLIC' QUIT |
		FNAP_PORT=$ORANGE_PORT fnap_session > "$TMP/c"
	[ "$(sed -n 3p "$TMP/c")" = '220 OK arrivals.flows.orange.example' ]
	printf '%s\n' 'AUTHENTICATE PLAIN AGJvYgBib2Jwdw==' 'SUBSCRIBE arrivals.flows.orange.example LOCAL late' QUIT |
		FNAP_PORT=$BLUE_PORT fnap_session > "$TMP/s"
	assert_match '^late.flows.blue.example SUBSCRIBED TO ' "$(sed -n 4p "$TMP/s")"
	svc=$blue/state/service/late.flows.blue.example
	gen-events 10 > "$TMP/in"
	flow-pub "$orange/flows/arrivals.flows.orange.example" < "$TMP/in"
	wait_count "$blue/flows/late.flows.blue.example" 10
	# orange refuses blue for good; blue's processor starts again (as after
	# a reboot), is refused (553), and stays down, saying why
	rules '-blue is refused here'
	s6-svc -r "$svc"
	wait_svstat "$svc" 'false false' 20
	grep -q 'flow-bridge: fnaa.orange.example: authentication as blue-agent: 553 blue is refused here' "$TMP/s6.log"
	grep -q 'fnap-serve: processor late.flows.blue.example: exit status 65, which a restart would not change: stopped' \
		"$TMP/s6.log"
	# refused for now (451), it is started again and again, until let in
	rules 'blue must wait'
	s6-svc -u "$svc"
	for i in $(seq 1 200); do
		[ "$(grep -c '451 blue must wait' "$orange/fnap.log")" -ge 2 ] && break
		sleep 0.1
	done
	[ "$(grep -c '451 blue must wait' "$orange/fnap.log")" -ge 2 ]
	[ "$(svstat "$svc" | cut -d' ' -f2)" = true ]
	grep -q 'authentication as blue-agent: 451 blue must wait' "$TMP/s6.log"
	rules ''
	flow-pub "$orange/flows/arrivals.flows.orange.example" < "$TMP/in"
	wait_count "$blue/flows/late.flows.blue.example" 20
	wait_svstat "$svc" 'true true' 20
}

@test "examples: two-orgs.sh, orange's late arrivals reach blue, signed and verified, until orange revokes; blue's private flow reaches orange through a grant until bob takes it away" {
	run --separate-stderr "$FLOW_SRCDIR/examples/pipelines/two-orgs.sh"
	[ "$status" -eq 0 ] || { echo "$output $stderr" >&2; false; }
	# blue's flow holds a2 and a4 (delay > 30); still only them after the
	# revocation and a5
	ids() { printf '%s\n' "$output" | sed -n "$1" | grep '^{' | grep -o '"id":"a[0-9]"' | tr '\n' ' '; }
	# signed by orange's agent: blue's flow, then flow-verify --dns of it
	assert_eq '"id":"a2" "id":"a4" "id":"a2" "id":"a4" ' "$(ids '/^== at blue/,/^== orange.s agent goes down/p')" \
		"arrived"
	[ "$(printf '%s\n' "$output" | sed -n '/^== at blue/,/^== orange.s agent goes down/p' | grep -c '"delay":[0-9]*,.*"dssematerial":"')" -eq 4 ]
	assert_match 'key-id=s1\._flowkey\.flows\.orange\.example' "$output"
	# orange's agent killed and back: blue's processor reconnects, and has a6 too, once
	assert_eq '"id":"a2" "id":"a4" "id":"a6" ' "$(ids '/^== orange.s agent goes down/,/^== an event changed/p')" \
		"after the agent came back"
	# a8, changed after it was signed: in blue's reject file, not in its flow
	assert_eq '"id":"a8" "id":"a2" "id":"a4" "id":"a6" ' "$(ids '/^== an event changed/,/^== alice revokes/p')" \
		"the changed event"
	assert_match '  flow-bridge: .*: event a8 at offset [0-9]+: not verified: step 9' "$output"
	assert_match '  .*: .*; reconnecting in [0-9]+\.[0-9] s' "$output"
	assert_eq '"id":"a2" "id":"a4" "id":"a6" ' "$(ids '/^== alice revokes/,/^== the other way/p')" "after the revocation"
	assert_match 'SUBSCRIBED|subscription=[a-z0-9]{7}\.arrivals\.flows\.orange\.example' "$output"
	# the other way: only f2 (delay > 30, blue's WHERE), before and after the grant went
	fids() { printf '%s\n' "$output" | sed -n "$1" | grep '^{' | grep -o '"id":"f[0-9]"' | tr '\n' ' '; }
	assert_eq '"id":"f2" ' "$(fids '/^== at orange, only/,/^== bob takes/p')" "arrived"
	assert_eq '"id":"f2" ' "$(fids '/^== bob takes/,/^== done/p')" "after the grant went"
	assert_match 'flow=fleet\.flows\.blue\.example user=orange-agent right=read where=delay > 30' "$output"
	assert_match 'local=delays\.flows\.orange\.example subscription=[a-z0-9]{7}\.fleet\.flows\.blue\.example' "$output"
	assert_match '== done' "$output"
}
