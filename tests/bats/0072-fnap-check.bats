#!/usr/bin/env bats
# fnap check, the monitoring plugin for an agent: against fnap-serve under
# tcpserver (plain and TLS), the scripted agent of helpers/fnapua.bash
# answering garbage, and servers that refuse, say other things or nothing.

load helpers/common
load helpers/fnap
load helpers/fnapua

# the monitoring-plugins format: a state, a summary without "|", and
# label=value[unit];warn;crit;min perfdata
PLUGIN_LINE='^FNAP (OK|WARNING|CRITICAL|UNKNOWN) - [^|]+( \| ([a-z]+=[0-9.]+s;[0-9.]*;[0-9.]*;[0-9.]*( |$))+)?$'

setup() {
	common_setup
	HOME=$TMP/home
	export HOME
	unset FLOW_NAMESERVER
}

teardown() {
	fnap_stop
	fnapua_fake_stop
	stop_pids ${OTHER_PID:-}
	common_teardown
}

# other_start PROGRAM...: tcpserver running PROGRAM, as a server that is
# not an agent; sets OTHER_PORT
other_start() {
	tcp_start "$TMP/other.port" "$@"
	OTHER_PID=$TCP_PID
	OTHER_PORT=$TCP_PORT
}

@test "fnap check: OK with the round-trip times, without logging in; the default agent, a name, -a HOST:PORT" {
	fnap_start
	fnapua_config
	run --separate-stderr fnap -d check
	[ "$status" -eq 0 ]
	assert_match "$PLUGIN_LINE" "$output"
	assert_match '^FNAP OK - localhost answers in [0-9]+\.[0-9] ms \(FNAP 1\) \| time=[0-9]+\.[0-9]{6}s;;;0 connect=[0-9.]+s;;;0 capabilities=[0-9.]+s;;;0$' "$output"
	# greeting, CAPABILITIES, QUIT and nothing else: no AUTHENTICATE
	assert_eq "$(printf 'C: CAPABILITIES\nC: QUIT')" "$(grep -o 'C: .*' <<< "$stderr" | tr -d '\r')"
	run fnap check fnaa-unix
	[ "$status" -eq 0 ]
	assert_match '^FNAP OK - localhost answers' "$output"
	rm "$HOME/.flow.yml"
	run fnap check "127.0.0.1:$FNAP_PORT"
	[ "$status" -eq 0 ]
	assert_match "^FNAP OK - 127.0.0.1:$FNAP_PORT answers" "$output"
	run fnap -a "127.0.0.1:$FNAP_PORT" check
	[ "$status" -eq 0 ]
}

@test "fnap check: over TLS from the first byte (tls: true, or --tls)" {
	fnap_tls_files
	FNAP_EXTRA_CONF="tls-certificate $TMP/tls/cert.pem
tls-key $TMP/tls/key.pem" fnap_start -T
	FNAPUA_AGENT_EXTRA=$'    tls: true\n    ca: '"$TMP/tls/ca.pem" fnapua_config
	run fnap check
	[ "$status" -eq 0 ]
	assert_match '^FNAP OK - localhost answers in [0-9.]+ ms \(FNAP 1, TLS\) \| time=' "$output"
	FNAPUA_AGENT_EXTRA="    ca: $TMP/tls/ca.pem" fnapua_config
	run fnap --tls check
	[ "$status" -eq 0 ]
	assert_match '\(FNAP 1, TLS\)' "$output"
	# without the CA, the certificate cannot be checked
	fnapua_config
	run --separate-stderr fnap --tls check
	[ "$status" -eq 2 ]
	assert_match "$PLUGIN_LINE" "$output"
	assert_match '^FNAP CRITICAL - localhost: no connection, TLS session or FNAP greeting' "$output"
	assert_match 'TLS: .*certificate' "$stderr"
	# plain at a TLS agent: it waits for a TLS hello, fnap for a greeting
	run fnap check -t 1
	[ "$status" -eq 2 ]
	assert_eq 'FNAP CRITICAL - localhost: no answer within 1 s' "$output"
}

@test "fnap check: WARNING and CRITICAL by --warn-time and --crit-time, in the perfdata too" {
	fnap_start
	fnapua_config
	run fnap check --warn-time 0 --crit-time 30
	[ "$status" -eq 1 ]
	assert_match "$PLUGIN_LINE" "$output"
	assert_match '^FNAP WARNING - localhost answers in .* \| time=[0-9.]+s;0;30;0 ' "$output"
	run fnap check --warn-time 0.000000001 --crit-time 0
	[ "$status" -eq 2 ]
	assert_match '^FNAP CRITICAL - .* \| time=[0-9.]+s;1e-09;0;0 ' "$output"
	run fnap check --warn-time 20 --crit-time 30.5
	[ "$status" -eq 0 ]
	assert_match ' \| time=[0-9.]+s;20;30.5;0 ' "$output"
}

@test "fnap check: CRITICAL for a closed port, garbage, a greeting not 220, no FNAP 1, silence" {
	fnap_start
	local closed=$FNAP_PORT
	fnap_stop
	run --separate-stderr fnap check "127.0.0.1:$closed"
	[ "$status" -eq 2 ]
	assert_match "$PLUGIN_LINE" "$output"
	assert_match "^fnap: 127.0.0.1:$closed: Connection refused" "$stderr"
	# the scripted agent greets, then answers CAPABILITIES with garbage
	fnapua_fake_start
	echo 'hello | world' > "$TMP/replies"
	run fnap check "127.0.0.1:$FAKE_PORT"
	[ "$status" -eq 2 ]
	assert_match "$PLUGIN_LINE" "$output"
	assert_eq "FNAP CRITICAL - 127.0.0.1:$FAKE_PORT: CAPABILITIES: not an FNAP reply: hello ? world" "$output"
	printf '220 DATA\nAUTH ANONYMOUS\n220 OK\n' > "$TMP/replies"
	run fnap check "127.0.0.1:$FAKE_PORT"
	[ "$status" -eq 2 ]
	assert_eq "FNAP CRITICAL - 127.0.0.1:$FAKE_PORT: no \"FNAP 1\" among its capabilities" "$output"
	printf '220 DATA\nFNAP 1\n220 OK\n' > "$TMP/replies"
	run fnap check "127.0.0.1:$FAKE_PORT"
	[ "$status" -eq 0 ]
	# it sent CAPABILITIES and QUIT each time, never AUTHENTICATE
	! grep -q AUTHENTICATE "$TMP/sent" || false
	grep -qx QUIT "$TMP/sent"
	printf '500 unknown command\n' > "$TMP/replies"
	run fnap check "127.0.0.1:$FAKE_PORT"
	[ "$status" -eq 2 ]
	assert_match ': CAPABILITIES answered 500 unknown command, not a DATA block$' "$output"
	fnapua_fake_stop
	other_start sh -c 'printf "554 not today\r\n"'
	run fnap check "127.0.0.1:$OTHER_PORT"
	[ "$status" -eq 2 ]
	assert_match "$PLUGIN_LINE" "$output"
	stop_pids "$OTHER_PID"
	# a server that accepts and says nothing: -t gives up
	other_start sleep 30
	run fnap check -t 0.5 "127.0.0.1:$OTHER_PORT"
	[ "$status" -eq 2 ]
	assert_eq "FNAP CRITICAL - 127.0.0.1:$OTHER_PORT: no answer within 0.5 s" "$output"
}

@test "fnap check: UNKNOWN (3) for usage and configuration problems; check's options elsewhere are usage errors (64)" {
	local args
	for args in '--warn-time x' '--crit-time -1' '--warn-time 1.' '--warn-time 86401' '-t 0' '-t 1e3' \
		'--bogus' 'a b' '-a x y' '-j' '--public' '--where x'; do
		# shellcheck disable=SC2086
		run --separate-stderr fnap check $args
		[ "$status" -eq 3 ] || { echo "fnap check $args: status $status" >&2; false; }
		assert_match "$PLUGIN_LINE" "$output"
		assert_match '^FNAP UNKNOWN - ' "$output"
		assert_match '^usage: fnap check ' "${stderr_lines[${#stderr_lines[@]} - 1]}"
	done
	run --separate-stderr fnap check $'bad\nname'
	[ "$status" -eq 3 ]
	[ "${#lines[@]}" -eq 1 ]
	# no agent named, none configured
	run --separate-stderr fnap check
	[ "$status" -eq 3 ]
	assert_eq 'FNAP UNKNOWN - the default agent: no agent to check (see standard error)' "$output"
	echo 'agents: [' > "$TMP/bad.yml"
	run --separate-stderr fnap -c "$TMP/bad.yml" check
	[ "$status" -eq 3 ]
	assert_eq 'FNAP UNKNOWN - the configuration cannot be used' "$output"
	run --separate-stderr fnap caps --warn-time 1
	[ "$status" -eq 64 ]
	assert_eq 'fnap: --warn-time, --crit-time and -t are for check' "${stderr_lines[0]}"
	run --separate-stderr fnap list flows -t 1
	[ "$status" -eq 64 ]
}
