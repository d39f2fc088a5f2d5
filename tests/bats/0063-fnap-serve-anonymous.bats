#!/usr/bin/env bats
# fnap-serve's anonymous sessions: what their subscriptions cost (their
# own quota, never the flow owner's), who manages them (the token their
# SUBSCRIBE answered, nobody else anonymous), who sees them, and the
# reserved user name "anonymous". Real agents under tcpserver, processors
# under a real s6-svscan, a real named for the two organisations.

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

ANON='AUTHENTICATE ANONYMOUS tests'
OTHER='AUTHENTICATE PLAIN AG90aGVyAHNlY3JldA=='

# anon_subscribe FLOW: an anonymous SUBSCRIBE in a session of its own;
# prints "SUBSCRIPTION TOKEN", or the reply when it is refused
anon_subscribe() {
	printf '%s\n' "$ANON" "SUBSCRIBE $1" 'QUIT' | fnap_session > "$TMP/anon.out"
	if [ "$(sed -n 3p "$TMP/anon.out")" = '220 DATA' ]; then
		printf '%s %s\n' "$(sed -n 4p "$TMP/anon.out")" "$(sed -n 5p "$TMP/anon.out" | sed -n 's/^220 OK token=//p')"
	else
		sed -n 3p "$TMP/anon.out"
	fi
}

# services: the processors the agent runs
services() {
	ls "$TMP/state/service" 2>/dev/null | wc -l
}

@test "fnap-serve: anonymous subscriptions count against a quota of their own, never the flow owner's" {
	s6_start
	FNAP_EXTRA_CONF="supervisor $S6_SCAN
flows-per-user 3
anonymous-subscriptions 2" fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW pub.flows.unix.ar PUBLIC' 'QUIT' | fnap_session > /dev/null
	read -r sub1 token1 < <(anon_subscribe pub.flows.unix.ar)
	read -r sub2 token2 < <(anon_subscribe pub.flows.unix.ar)
	assert_match '^[a-z0-9]{7}\.pub\.flows\.unix\.ar$' "$sub1"
	assert_match '^[0-9a-f]{32}$' "$token1"
	assert_match '^[0-9a-f]{32}$' "$token2"
	[ "$token1" != "$token2" ]
	# the owner still has two flows to make, and then no more
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW a.flows.unix.ar' 'CREATE FLOW b.flows.unix.ar' \
		'CREATE FLOW c.flows.unix.ar' 'QUIT' | fnap_session > "$TMP/own"
	assert_eq "$(printf '220 OK a.flows.unix.ar\n220 OK b.flows.unix.ar\n552 quota exceeded: 3 flows')" \
		"$(sed -n 3,5p "$TMP/own")" "the owner's flows"
	# a third anonymous subscription is over the anonymous quota: no flow, no processor
	[ "$(services)" -eq 2 ]
	assert_eq '552 quota exceeded: 2 anonymous subscriptions' "$(anon_subscribe pub.flows.unix.ar)"
	[ "$(services)" -eq 2 ]
	[ "$(ls "$TMP/state/flows" | grep -c '\.pub\.flows\.unix\.ar$')" -eq 2 ]
	# one ended with its token makes room for another
	printf '%s\n' "$ANON" "REVOKE $sub1 $token1" 'QUIT' | fnap_session > "$TMP/rv"
	[ "$(sed -n 3p "$TMP/rv")" = '220 OK' ]
	read -r sub3 token3 < <(anon_subscribe pub.flows.unix.ar)
	assert_match '^[a-z0-9]{7}\.pub\.flows\.unix\.ar$' "$sub3"
	# a user's subscriptions count against the user: other (3 flows)
	# subscribes three times, not a fourth; the owner is not charged
	printf '%s\n' "$OTHER" 'SUBSCRIBE pub.flows.unix.ar' 'SUBSCRIBE pub.flows.unix.ar' \
		'SUBSCRIBE pub.flows.unix.ar' 'SUBSCRIBE pub.flows.unix.ar' 'QUIT' | fnap_session > "$TMP/o"
	[ "$(grep -c '^220 OK$' "$TMP/o")" -eq 3 ]
	grep -qx '552 quota exceeded: 3 flows' "$TMP/o"
	! grep -q 'token=' "$TMP/o" || false
	printf '%s\n' "$FNAP_AUTH" 'DELETE FLOW a.flows.unix.ar' 'CREATE FLOW d.flows.unix.ar' 'QUIT' |
		fnap_session > "$TMP/own2"
	assert_eq "$(printf '220 OK a.flows.unix.ar\n220 OK d.flows.unix.ar')" "$(sed -n 3,4p "$TMP/own2")"
}

@test "fnap-serve: anonymous-subscriptions 0 refuses anonymous subscriptions; bad values are configuration errors" {
	s6_start
	FNAP_EXTRA_CONF="supervisor $S6_SCAN
anonymous-subscriptions 0" fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW pub.flows.unix.ar PUBLIC' 'QUIT' | fnap_session > /dev/null
	assert_eq '552 quota exceeded: no anonymous subscriptions here' "$(anon_subscribe pub.flows.unix.ar)"
	[ "$(ls "$TMP/state/flows")" = pub.flows.unix.ar ]
	[ "$(services)" -eq 0 ]
	# users are not concerned
	printf '%s\n' "$OTHER" 'SUBSCRIBE pub.flows.unix.ar' 'QUIT' | fnap_session > "$TMP/o"
	[ "$(sed -n 3p "$TMP/o")" = '220 DATA' ]
	for bad in 'anonymous-subscriptions -1' 'anonymous-subscriptions x' 'anonymous-subscriptions' \
		'anonymous-subscriptions 10000000000' 'anonymous-subscriptions 1.5'; do
		printf '%s\n' "$bad" >> "$TMP/fnap.conf"
		run --separate-stderr fnap-serve -c "$TMP/fnap.conf" < /dev/null
		[ "$status" -eq 78 ] || { echo "accepted: $bad" >&2; false; }
		assert_match "fnap.conf: line [0-9]+: anonymous-subscriptions" "$stderr"
		sed -i '$d' "$TMP/fnap.conf"
	done
	run --separate-stderr fnap-serve -c "$TMP/fnap.conf" -o 'anonymous-subscriptions=many' < /dev/null
	[ "$status" -eq 64 ]
	assert_match 'anonymous-subscriptions' "$stderr"
}

@test "fnap-serve: an anonymous session manages only the subscription whose token it gives; nobody else sees its name" {
	s6_start
	FNAP_EXTRA_CONF="supervisor $S6_SCAN" fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW pub.flows.unix.ar PUBLIC' 'QUIT' | fnap_session > /dev/null
	read -r sub token < <(anon_subscribe pub.flows.unix.ar)
	assert_match '^[0-9a-f]{32}$' "$token"
	# the record keeps the token's hash, never the token
	grep -qx 'subscriber=anonymous' "$TMP/state/flows/$sub"
	grep -qE '^token-hash=[0-9a-f]{64}$' "$TMP/state/flows/$sub"
	! grep -rq "$token" "$TMP/state" || false
	# another anonymous session: not listed, not managed without the
	# token or with a wrong one
	printf '%s\n' "$ANON" 'LIST FLOWS' 'LIST SUBSCRIPTIONS' "PAUSE $sub" "REVOKE $sub" "UNSUBSCRIBE $sub" \
		"REVOKE $sub 0123456789abcdef0123456789abcdef" "REVOKE $sub ${token}0" "REVOKE $sub ${token^^}" \
		"REVOKE $sub $(head -c 3000 /dev/zero | tr '\0' a)" "REVOKE $sub ../../$token" \
		"REVOKE $sub $token extra" 'QUIT' | fnap_session > "$TMP/b"
	cmp "$TMP/b" - <<'OUT'
220 fnaa.unix.ar FNAA
220 Authenticated
220 DATA
pub.flows.unix.ar
220 OK
220 DATA
220 OK
550 no such subscription or access denied
550 no such subscription or access denied
550 no such subscription or access denied
550 no such subscription or access denied
550 no such subscription or access denied
550 no such subscription or access denied
550 no such subscription or access denied
550 no such subscription or access denied
501 usage: REVOKE <subscription-flow> [<token>] | REVOKE READ|WRITE ON <flow> FROM <user>
221 Bye
OUT
	# another user does not see it either; its owner does
	printf '%s\n' "$OTHER" 'LIST FLOWS flows.unix.ar' "REVOKE $sub" 'QUIT' | fnap_session > "$TMP/o"
	assert_eq "$(printf '220 DATA\npub.flows.unix.ar\n220 OK\n550 no such subscription or access denied')" \
		"$(sed -n 3,6p "$TMP/o")" "another user"
	printf '%s\n' "$FNAP_AUTH" 'LIST FLOWS' 'QUIT' | fnap_session > "$TMP/t"
	grep -qx "$sub" "$TMP/t"
	[ -e "$TMP/state/flows/$sub" ]
	# with its token, any session manages it: pause, resume, then revoke
	printf '%s\n' "$ANON" "PAUSE $sub $token" "RESUME $sub $token" "REVOKE $sub $token" \
		"REVOKE $sub $token" 'QUIT' | fnap_session > "$TMP/m"
	assert_eq "$(printf '220 OK\n220 OK\n220 OK\n550 no such subscription or access denied')" \
		"$(sed -n 3,6p "$TMP/m")" "with the token"
	[ ! -e "$TMP/state/flows/$sub" ]
	[ ! -e "$TMP/flows/$sub" ]
	[ ! -e "$TMP/state/service/$sub" ]
	# the log names no token
	! grep -q "$token" "$TMP/fnap.log" || false
}

@test "fnap-serve: anonymous is a reserved user name: fnap-serve -p refuses it, a users-file line never authenticates" {
	run --separate-stderr fnap-serve -p anonymous <<< 'secret'
	[ "$status" -eq 64 ]
	[ -z "$output" ]
	assert_match '^fnap-serve: anonymous: a reserved name' "$stderr"
	# a line made by hand for it is ignored: PLAIN as anonymous fails as a wrong password does
	fnap_users
	echo secret | fnap-serve -p someone | sed 's/^someone:\(.*\):$/anonymous:\1:flows.unix.ar/' >> "$TMP/users"
	grep -q '^anonymous:\$argon2id' "$TMP/users"
	fnap_start
	printf '%s\n' "AUTHENTICATE PLAIN $(printf '\0anonymous\0secret' | base64)" 'LIST NAMESPACES' \
		'CREATE FLOW x.flows.unix.ar' 'QUIT' | fnap_session > "$TMP/out"
	cmp "$TMP/out" <(printf '%s\n' '220 fnaa.unix.ar FNAA' '535 authentication failed' \
		'530 authentication required' '530 authentication required' '221 Bye')
	grep -q "audit: event=auth .* user=anonymous mech=plain reason=\"a reserved name, no user's\" code=535\$" "$TMP/fnap.log"
	# the users before and after it still log in
	printf '%s\n' "$FNAP_AUTH" 'QUIT' | fnap_session > "$TMP/t"
	[ "$(sed -n 2p "$TMP/t")" = '220 Authenticated' ]
}

# wait_events FLOW-DIR N: until the file flow holds N events (20 s at most)
wait_events() {
	local i
	for i in $(seq 1 200); do
		[ -d "$1" ] && [ "$(flow-sub -o beginning -e "$1" | wc -l)" -ge "$2" ] && return 0
		sleep 0.1
	done
	echo "$1: fewer than $2 events" >&2
	return 1
}

@test "fnap-serve: an agent that subscribed anonymously keeps the token and revokes with it; the copy is in no browse list" {
	printf '%s\n' 'fnaa.orange IN A 127.0.0.1' 'fnaa.blue IN A 127.0.0.1' > "$TMP/records"
	named_start example "$TMP/records"
	s6_start
	fnap_tls_files fnaa.orange.example fnaa.blue.example
	mkdir -p "$TMP/orange" "$TMP/blue"
	echo apw | fnap-serve -p alice | sed 's/:$/:flows.orange.example/' > "$TMP/orange/users"
	echo bobpw | fnap-serve -p bob | sed 's/:$/:flows.blue.example/' > "$TMP/blue/users"
	# blue has no credentials for orange: it subscribes there as ANONYMOUS
	: > "$TMP/orange/peers"
	: > "$TMP/blue/peers"
	agent_start orange
	agent_start blue
	at orange alice apw 'CREATE FLOW arrivals.flows.orange.example PUBLIC' > "$TMP/c"
	[ "$(sed -n 3p "$TMP/c")" = '220 OK arrivals.flows.orange.example' ]
	at blue bob bobpw 'SUBSCRIBE arrivals.flows.orange.example LOCAL all' > "$TMP/s"
	[ "$(sed -n 3p "$TMP/s")" = '220 DATA' ]
	sub=$(sed -n 4p "$TMP/s" | sed 's/.* //')
	grep -qx 'subscriber=anonymous' "$TMP/orange/state/flows/$sub"
	grep -qE '^token-hash=[0-9a-f]{64}$' "$TMP/orange/state/flows/$sub"
	# blue keeps the token with its local flow, and shows it to nobody
	grep -qE '^source-token=[0-9a-f]{32}$' "$TMP/blue/state/flows/all.flows.blue.example"
	at blue bob bobpw 'DESCRIBE FLOW all.flows.blue.example' > "$TMP/d"
	! grep -q token "$TMP/d" || false
	gen-events 20 > "$TMP/in"
	flow-pub "$TMP/orange/flows/arrivals.flows.orange.example" < "$TMP/in"
	wait_events "$TMP/blue/flows/all.flows.blue.example" 20
	# DNS lists the public flow for browsing, never the subscription copy
	run --separate-stderr flow-resolve -l flows.orange.example
	[ "$status" -eq 0 ]
	assert_match 'arrivals\.flows\.orange\.example' "$output"
	! grep -q "$sub" <<< "$output" || false
	# another anonymous client cannot end it; bob's UNSUBSCRIBE does, at orange too
	printf '%s\n' "$ANON" "REVOKE $sub" 'QUIT' | FNAP_PORT=$ORANGE_PORT fnap_tls_session > "$TMP/x"
	[ "$(sed -n 3p "$TMP/x")" = '550 no such subscription or access denied' ]
	[ -e "$TMP/orange/state/flows/$sub" ]
	at blue bob bobpw 'UNSUBSCRIBE all.flows.blue.example' > "$TMP/u"
	[ "$(sed -n 3p "$TMP/u")" = '220 OK' ]
	[ ! -e "$TMP/orange/state/flows/$sub" ]
	[ ! -e "$TMP/orange/flows/$sub" ]
	! grep -q '^source-token=' "$TMP/blue/state/flows/all.flows.blue.example" || false
	[ -z "$(ls "$S6_SCAN")" ]
	! grep -q 'REVOKE' "$TMP/blue/fnap.log" || false
}
