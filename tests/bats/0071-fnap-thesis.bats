#!/usr/bin/env bats
# Interoperability with the thesis's own programs (the DNS records its
# agent looks for, the session of fnap(7) EXAMPLES), our
# side: our clients (fnap, and fnap-serve as a client for SUBSCRIBE ...
# LOCAL) log in to the thesis's server (fnaad) the way its client does,
# and read its answers; our agent registers the records its agent looks
# for; fnap finds an agent's port as its client does. fnaad itself is not
# here: the scripted agent of helpers/fnapua.bash stands for it, following
# its transcript. Everything else is real: fnap-serve under tcpserver,
# BIND named with nsupdate, s6-svscan.

load helpers/common
load helpers/fnap
load helpers/fnapua
load helpers/named
load helpers/s6

setup() {
	common_setup
	HOME=$TMP/home
	export HOME
	unset FLOW_NAMESERVER
}

teardown() {
	local clean=0
	fnap_stop || clean=1
	fnapua_fake_stop
	s6_stop
	named_stop
	no_sanitizer_reports "$TMP/s6.log" || clean=1
	common_teardown
	return $clean
}

# thesis_yml HOST PORT: ~/.flow.yml with agent fnaa-unix at HOST:PORT (no
# port line when PORT is empty), user test, namespace flows.unix.ar
thesis_yml() {
	mkdir -p "$HOME"
	{
		printf 'agents:\n  - name: fnaa-unix\n    fqdn: %s\n' "$1"
		[ -z "$2" ] || printf '    port: %s\n' "$2"
		printf '    username: test\n    password: test\n    prefix: unix.ar-\n'
		printf 'namespaces:\n  - name: flows.unix.ar\n    agent: fnaa-unix\n'
	} > "$HOME/.flow.yml"
}

# replies LINE...: what the thesis-like agent answers to the next commands
replies() {
	printf '%s\n' "$@" > "$TMP/replies"
}

@test "fnap logs in to the thesis's server in two steps: AUTHENTICATE PLAIN, 220 OK, the base64 line" {
	fnapua_fake_start
	thesis_yml 127.0.0.1 "$FAKE_PORT"
	replies '220 OK time.flows.unix.ar'
	run --separate-stderr fnap create flow time.flows.unix.ar
	[ "$status" -eq 0 ]
	[ "$output" = "flow=time.flows.unix.ar" ]
	[ -z "$stderr" ]
	# as the thesis transcript has it: the command comes after 220 Authenticated
	cmp "$TMP/sent" <(printf '%s\n' 'AUTHENTICATE PLAIN' 'AHRlc3QAdGVzdA==' \
		'CREATE FLOW time.flows.unix.ar' QUIT)
	# the same with our own agent, which takes both forms
	fnap_start
	thesis_yml localhost "$FNAP_PORT"
	run --separate-stderr fnap create flow time.flows.unix.ar
	[ "$status" -eq 0 ]
	[ -d "$TMP/flows/time.flows.unix.ar" ]
	# a refusal at either step is said, with its status
	fnap_stop
	FNAP_WRAP="env TCPREMOTEIP=192.0.2.7" fnap_start
	thesis_yml localhost "$FNAP_PORT"
	run --separate-stderr fnap list flows
	[ "$status" -eq 77 ]
	assert_eq 'fnap: localhost: authentication as test: 538 encryption required for PLAIN' "$stderr"
	fnap_stop
	fnap_start
	thesis_yml localhost "$FNAP_PORT"
	sed -i 's/password: test/password: wrong/' "$HOME/.flow.yml"
	run --separate-stderr fnap list flows
	[ "$status" -eq 77 ]
	assert_eq 'fnap: localhost: authentication as test: 535 authentication failed' "$stderr"
}

@test "fnap: a DATA block opened by '220 DATA' with blanks after it is read; any other 220 fails loudly (69)" {
	fnapua_fake_start
	thesis_yml 127.0.0.1 "$FAKE_PORT"
	replies '220 DATA  ' 'flow=time.flows.unix.ar' 'type=kafka' 'topic=time.flows.unix.ar' \
		'server=kf1.unix.ar:9092' '220 OK'
	run --separate-stderr fnap describe flow time.flows.unix.ar
	[ "$status" -eq 0 ]
	assert_eq "$(printf '%s\n' 'flow=time.flows.unix.ar' 'type=kafka' 'topic=time.flows.unix.ar' \
		'server=kf1.unix.ar:9092')" "$output"
	replies $'220 DATA\t' 'time.flows.unix.ar' '220 OK'
	run --separate-stderr fnap list flows
	[ "$status" -eq 0 ]
	[ "$output" = "flow=time.flows.unix.ar" ]
	# not a DATA block where one is due: nothing printed, said, 69
	local reply cmd
	for reply in '220 OK' '220 Authenticated' '220 DATAX' '220 data'; do
		for cmd in 'describe flow time.flows.unix.ar' 'list flows' 'caps' \
			'subscribe time.flows.unix.ar'; do
			replies "$reply"
			# shellcheck disable=SC2086
			run --separate-stderr timeout 20 fnap $cmd
			[ "$status" -eq 69 ] || { echo "$cmd, answered $reply: $status" >&2; false; }
			[ -z "$output" ]
			assert_eq "fnap: $cmd: the agent answered $reply, not a DATA block" "$stderr"
		done
	done
	# commands answered by one line still take 220 OK
	replies '220 OK'
	run --separate-stderr fnap pause ksdj898.time.flows.unix.ar
	[ "$status" -eq 0 ]
	[ "$output" = "id=ksdj898.time.flows.unix.ar state=paused" ]
}

@test "fnap-serve: SUBSCRIBE ... LOCAL of a flow at a thesis agent, found by its F SRV alone, logged in as fnaad expects" {
	fnapua_fake_start
	# the thesis's agent registers F SRV; there is no PTR, no _flow._tcp
	printf '%s\n' 'fnaa IN A 127.0.0.1' "time.flows IN SRV 0 0 $FAKE_PORT fnaa.thesis.example." \
		> "$TMP/records"
	named_start thesis.example "$TMP/records"
	s6_start
	echo 'fnaa.thesis.example test test' > "$TMP/peers"
	chmod 600 "$TMP/peers"
	FNAP_EXTRA_CONF="supervisor $S6_SCAN
peers $TMP/peers" fnap_start
	replies '220 DATA  ' 'ksdj898.time.flows.thesis.example' '220 OK'
	printf '%s\n' "$FNAP_AUTH" 'SUBSCRIBE time.flows.thesis.example LOCAL t' 'QUIT' |
		fnap_session > "$TMP/out"
	assert_eq "$(printf '%s\n' '220 DATA' 't.flows.unix.ar SUBSCRIBED TO ksdj898.time.flows.thesis.example' \
		'220 OK')" "$(sed -n 3,5p "$TMP/out")"
	# the agent's own session there: the thesis's login, then the command
	head -n 4 "$TMP/sent" | cmp - <(printf '%s\n' 'AUTHENTICATE PLAIN' 'AHRlc3QAdGVzdA==' \
		'SUBSCRIBE time.flows.thesis.example' QUIT)
	grep -q "'fnap://fnaa.thesis.example:$FAKE_PORT/ksdj898.time.flows.thesis.example'" \
		"$TMP/state/service/t.flows.unix.ar/run"
	# ended here, revoked there, after the same login
	replies '220 OK'
	: > "$TMP/sent"
	printf '%s\n' "$FNAP_AUTH" 'UNSUBSCRIBE t.flows.unix.ar' 'QUIT' | fnap_session > "$TMP/un"
	[ "$(sed -n 3p "$TMP/un")" = '220 OK' ]
	grep -qx 'REVOKE ksdj898.time.flows.thesis.example' "$TMP/sent"
	grep -qx 'AHRlc3QAdGVzdA==' "$TMP/sent"
	! grep -q '^AUTHENTICATE PLAIN .' "$TMP/sent" || false
	# an answer that is not a DATA block is refused, and nothing is left
	replies '220 OK'
	printf '%s\n' "$FNAP_AUTH" 'SUBSCRIBE time.flows.thesis.example LOCAL u' 'QUIT' |
		fnap_session > "$TMP/bad"
	assert_match '^450 .*SUBSCRIBE time.flows.thesis.example: an answer that is not a subscription$' \
		"$(sed -n 3p "$TMP/bad")"
	[ ! -e "$TMP/state/flows/u.flows.unix.ar" ]
	[ ! -e "$TMP/flows/u.flows.unix.ar" ]
}

@test "fnap-serve: CREATE registers F SRV beside _flow._tcp.F SRV (same target), DELETE removes it; dns-server HOST PORT" {
	named_start unix.ar
	FNAP_EXTRA_CONF="dns-update nsupdate -k $NAMED_KEY
dns-server 127.0.0.1 $NAMED_PORT
dns-zone unix.ar" fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW time.flows.unix.ar' 'QUIT' | fnap_session > "$TMP/out"
	[ "$(sed -n 3p "$TMP/out")" = '220 OK time.flows.unix.ar' ]
	dig_srv() { dig @127.0.0.1 -p "$NAMED_PORT" +short "$1" SRV; }
	[ "$(dig_srv time.flows.unix.ar)" = '0 0 61000 fnaa.unix.ar.' ]
	[ "$(dig_srv _flow._tcp.time.flows.unix.ar)" = '0 0 61000 fnaa.unix.ar.' ]
	run flow-resolve -a time.flows.unix.ar
	[ "$output" = 'fnaa.unix.ar:61000' ]
	printf '%s\n' "$FNAP_AUTH" 'DELETE FLOW time.flows.unix.ar' 'QUIT' | fnap_session > "$TMP/del"
	[ "$(sed -n 3p "$TMP/del")" = '220 OK time.flows.unix.ar' ]
	[ -z "$(dig_srv time.flows.unix.ar)" ]
	fnap_stop
	# the other forms: [IPV6]:PORT, a bare HOST:PORT
	local server
	for server in "[::1]:$NAMED_PORT" "::1 $NAMED_PORT" "127.0.0.1:$NAMED_PORT"; do
		FNAP_EXTRA_CONF="dns-update nsupdate -k $NAMED_KEY
dns-server $server
dns-zone unix.ar" fnap_start
		printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW v6.flows.unix.ar' 'DELETE FLOW v6.flows.unix.ar' 'QUIT' |
			fnap_session > "$TMP/v6"
		assert_eq "$(printf '220 OK v6.flows.unix.ar\n220 OK v6.flows.unix.ar')" \
			"$(sed -n 3,4p "$TMP/v6")" "dns-server $server"
		fnap_stop
	done
}

@test "fnap-serve: a bad dns-server value is refused when the configuration is read (78, file and line)" {
	fnap_config
	local bad
	for bad in '127.0.0.1 99999' '127.0.0.1 53 x' '127.0.0.1 port' 'bad_host' '[::1' '[::1]x' \
		'127.0.0.1:' 'ns.example:0' "$(printf 'a%.0s' $(seq 300))"; do
		cp "$TMP/fnap.conf" "$TMP/bad.conf"
		printf 'dns-server %s\n' "$bad" >> "$TMP/bad.conf"
		run --separate-stderr fnap-serve -c "$TMP/bad.conf" < /dev/null
		[ "$status" -eq 78 ] || { echo "accepted: dns-server $bad" >&2; false; }
		[ -z "$output" ]
		assert_match "^fnap-serve: $TMP/bad.conf: line 9: dns-server: " "$stderr"
	done
	printf 'dns-server 127.0.0.1 99999\n' > "$TMP/one.conf"
	run --separate-stderr fnap-serve -c "$TMP/one.conf" < /dev/null
	[ "$status" -eq 78 ]
	assert_eq "fnap-serve: $TMP/one.conf: line 1: dns-server: bad port" "$stderr"
	# on the command line: a usage error
	run --separate-stderr fnap-serve -c "$TMP/fnap.conf" -o 'dns-server=a b c' < /dev/null
	[ "$status" -eq 64 ]
	assert_match 'dns-server=a b c: expected HOST \[PORT\]' "$stderr"
}

@test "fnap: an agent of ~/.flow.yml without port: is where the SRV record at its fqdn says, else at 61000" {
	fnap_start
	printf '%s\n' 'fnaa IN A 127.0.0.1' "fnaa IN SRV 0 0 $FNAP_PORT fnaa.unix.ar." > "$TMP/records"
	named_start unix.ar "$TMP/records"
	thesis_yml fnaa.unix.ar ''
	run --separate-stderr fnap create flow time.flows.unix.ar
	[ "$status" -eq 0 ]
	[ "$output" = 'flow=time.flows.unix.ar' ]
	[ -z "$stderr" ]
	run --separate-stderr fnap --agent fnaa-unix list flows
	[ "$output" = 'flow=time.flows.unix.ar' ]
	# a port in the configuration is used as it is
	printf 'server 127.0.0.1 %s\nupdate delete fnaa.unix.ar. SRV\nupdate add fnaa.unix.ar. 60 IN SRV 0 0 1 fnaa.unix.ar.\nsend\n' \
		"$NAMED_PORT" | named_update
	run --separate-stderr fnap list flows
	[ "$status" -eq 69 ]
	assert_match '^fnap: fnaa\.unix\.ar:1: Connection refused' "$stderr"
	thesis_yml fnaa.unix.ar "$FNAP_PORT"
	run --separate-stderr fnap list flows
	[ "$status" -eq 0 ]
	# no SRV record: port 61000 (outside the ports the system hands out)
	printf 'server 127.0.0.1 %s\nupdate delete fnaa.unix.ar. SRV\nsend\n' "$NAMED_PORT" | named_update
	thesis_yml fnaa.unix.ar ''
	run --separate-stderr fnap list flows
	[ "$status" -eq 69 ]
	assert_eq 'fnap: fnaa.unix.ar:61000: Connection refused' "$stderr"
	# DNS not answering: said, then port 61000 all the same
	run --separate-stderr env FLOW_NAMESERVER=127.0.0.1:1 fnap list flows
	[ "$status" -eq 69 ]
	assert_match '^fnap: fnaa\.unix\.ar SRV: name server unreachable .*; trying fnaa\.unix\.ar:61000$' \
		"${stderr_lines[0]}"
}
