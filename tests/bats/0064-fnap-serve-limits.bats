#!/usr/bin/env bats
# fnap-serve's limits: a command line has a deadline, an unauthenticated
# session a lifetime (login-timeout), so that slow clients cannot keep the
# slots of tcpserver -c; and what the agent and its processors write on
# disk is not for other users, whatever the umask they were started with.

load helpers/common
load helpers/fnap
load helpers/s6

setup() { common_setup; SLOW_PIDS=(); }
teardown() {
	local clean=0
	stop_pids "${SLOW_PIDS[@]}"
	fnap_stop || clean=1
	s6_stop
	no_sanitizer_reports "$TMP/s6.log" || clean=1
	common_teardown
	return $clean
}

# slow OUT DELAY [LINE]: in the background, a client that sends LINE (when
# given), then "NOOP" CR LF one byte every DELAY seconds, for 60 s at most;
# what the agent answers goes to OUT. Its pid is added to SLOW_PIDS.
slow() {
	timeout 60 tcpclient -R -H 127.0.0.1 "$FNAP_PORT" sh -c '
		cat <&6 > "$1" &
		[ -z "$3" ] || printf "%s\r\n" "$3" >&7
		while :; do
			for b in N O O P "\r" "\n"; do printf "$b" >&7 || exit 0; sleep "$2"; done
		done' slow "$1" "$2" "${3:-}" 2>/dev/null &
	SLOW_PIDS+=($!)
}

# wait_grep FILE REGEX SECONDS: until a line of FILE matches, at most SECONDS
wait_grep() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "$1: no line matching /$2/ after $3 s:" >&2
	cat "$1" >&2
	return 1
}

@test "fnap-serve: a command line must come whole within idle-timeout; a byte now and then does not keep the session" {
	FNAP_IDLE=2 fnap_start
	# "NOOP" CR LF over 3 s: each byte within the idle timeout, the line not
	slow "$TMP/out" 0.5 "$FNAP_AUTH"
	wait_grep "$TMP/out" '^421 ' 20
	assert_eq "$(printf '%s\n' '220 fnaa.unix.ar FNAA' '220 Authenticated' '421 idle for 2 seconds, closing')" \
		"$(tr -d '\r' < "$TMP/out")"
}

@test "fnap-serve: a command line over the limit is answered as soon as it passes it, before its newline" {
	FNAP_IDLE=30 fnap_start
	# 5000 bytes without a newline; once answered, the rest of the line and QUIT
	timeout 60 tcpclient -R -H 127.0.0.1 "$FNAP_PORT" sh -c '
		cat <&6 > "$1" &
		printf "%s\r\n" "$2" >&7
		head -c 5000 /dev/zero | tr "\0" x >&7
		until grep -q "^500 " "$1"; do sleep 0.1; done
		printf "xxx\r\nQUIT\r\n" >&7
		wait' long "$TMP/out" "$FNAP_AUTH" > /dev/null 2>&1 &
	SLOW_PIDS+=($!)
	wait_grep "$TMP/out" '^500 ' 10
	wait_grep "$TMP/out" '^221 ' 10
	assert_eq "$(printf '%s\n' '220 fnaa.unix.ar FNAA' '220 Authenticated' '500 line too long' '221 Bye')" \
		"$(tr -d '\r' < "$TMP/out")"
}

@test "fnap-serve: unauthenticated sessions end after login-timeout with 421; slow clients holding every slot of tcpserver -c do not keep a real one out" {
	TCPSERVER_OPTS="-c 3" FNAP_EXTRA_CONF="login-timeout 3" fnap_start
	# three clients take the three slots, each sending a NOOP in 3 s, well
	# within the idle timeout (30 s), never authenticating
	local i
	for i in 1 2 3; do
		slow "$TMP/slow$i" 0.5
		wait_grep "$TMP/slow$i" '^220 fnaa.unix.ar FNAA' 30
	done
	# a real client waits for a slot, then is served: within 20 s, where
	# the slow ones would hold them for 60
	printf '%s\n' "$FNAP_AUTH" QUIT | fnap_session > "$TMP/real" &
	SLOW_PIDS+=($!)
	wait_grep "$TMP/real" '^221 Bye' 20
	assert_eq "$(printf '%s\n' '220 fnaa.unix.ar FNAA' '220 Authenticated' '221 Bye')" "$(cat "$TMP/real")"
	for i in 1 2 3; do
		wait_grep "$TMP/slow$i" '^421 ' 10
		assert_eq '421 not authenticated within 3 seconds, closing' "$(tr -d '\r' < "$TMP/slow$i" | tail -n 1)"
	done
}

@test "fnap-serve: an authenticated session outlives login-timeout; ANONYMOUS counts as authenticated" {
	FNAP_EXTRA_CONF="login-timeout 1" fnap_start
	# the time itself is what is tested: the commands come after the login timeout
	{ printf '%s\r\n' "$FNAP_AUTH"; sleep 2; printf '%s\r\n' NOOP QUIT; } | fnap_raw | tr -d '\r' > "$TMP/plain"
	assert_eq "$(printf '%s\n' '220 fnaa.unix.ar FNAA' '220 Authenticated' '220 OK' '221 Bye')" "$(cat "$TMP/plain")"
	{ printf '%s\r\n' 'AUTHENTICATE ANONYMOUS'; sleep 2; printf '%s\r\n' NOOP QUIT; } | fnap_raw | tr -d '\r' > "$TMP/anon"
	assert_eq "$(printf '%s\n' '220 fnaa.unix.ar FNAA' '220 Authenticated' '220 OK' '221 Bye')" "$(cat "$TMP/anon")"
	# failed authentications do not count
	{ printf '%s\r\n' 'AUTHENTICATE PLAIN AHRlc3QAd3Jvbmc='; sleep 2; printf '%s\r\n' NOOP; } | fnap_raw | tr -d '\r' > "$TMP/failed"
	assert_eq "$(printf '%s\n' '220 fnaa.unix.ar FNAA' '535 authentication failed' \
		'421 not authenticated within 1 seconds, closing')" "$(cat "$TMP/failed")"
}

@test "fnap-serve: login-timeout that is not a number of seconds (1-86400) is a configuration error" {
	fnap_config
	local bad
	for bad in 'login-timeout 0' 'login-timeout -5' 'login-timeout x' 'login-timeout 86401' \
		'login-timeout 1e3' 'login-timeout' 'login-timeout 99999999999999999999'; do
		printf '%s\n' "$bad" >> "$TMP/fnap.conf"
		run fnap-serve -c "$TMP/fnap.conf" < /dev/null
		[ "$status" -eq 78 ] || { echo "accepted: $bad" >&2; false; }
		assert_match 'fnap.conf: line [0-9]+: login-timeout: (not a number, or out of range|a value is missing)' "$output"
		sed -i '$d' "$TMP/fnap.conf"
	done
	run fnap-serve -c "$TMP/fnap.conf" -o 'login-timeout=0' < /dev/null
	[ "$status" -eq 64 ]
	assert_match 'login-timeout=0: not a number, or out of range' "$output"
	run bash -c "printf 'QUIT\n' | fnap-serve -c '$TMP/fnap.conf' -o login-timeout=86400"
	[ "$status" -eq 0 ]
}

# others FILE...: what of FILE and below other users may read, write or
# enter (but s6-supervise's own supervise/, in a service directory of 0750)
others() {
	find "$@" -name supervise -prune -o -perm /o=rwx -printf '%m %p\n'
}

@test "fnap-serve: under umask 022, flows, their events (through the agent and through a processor) and the state are not for other users" {
	umask 022
	s6_start
	FNAP_EXTRA_CONF="supervisor $S6_SCAN" fnap_start
	gen-events 20 > "$TMP/in"
	{ printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW p.flows.unix.ar' 'CREATE FLOW pub.flows.unix.ar PUBLIC' \
		'PUBLISH p.flows.unix.ar'; cat "$TMP/in"; printf '%s\n' . 'SUBSCRIBE p.flows.unix.ar' QUIT; } |
		fnap_session > "$TMP/out"
	assert_eq '220 OK 20 events' "$(sed -n 6p "$TMP/out")"
	sub=$(sed -n 8p "$TMP/out")
	assert_match '^[a-z0-9]{7}\.p\.flows\.unix\.ar$' "$sub"
	# the processor copies the flow into the subscription flow
	for i in $(seq 1 200); do
		[ "$(flow-sub -o beginning -e "$TMP/flows/$sub" 2>/dev/null | wc -l)" -eq 20 ] && break
		sleep 0.1
	done
	flow-sub -o beginning -e "$TMP/flows/$sub" | cmp - "$TMP/in"
	# the flows: directories 0750, files (segments, index, lock, the group's
	# offsets the processor keeps in the source) 0640
	for f in p pub "${sub%.p.flows.unix.ar}.p"; do
		assert_eq 750 "$(stat -c %a "$TMP/flows/$f.flows.unix.ar")" "$f's directory"
	done
	ls "$TMP/flows/p.flows.unix.ar"/*.ndjson "$TMP/flows/$sub"/*.ndjson
	assert_eq '' "$(find "$TMP/flows" -mindepth 1 -type d ! -perm 750)" "directories not 0750"
	assert_eq '' "$(find "$TMP/flows" -type f ! -perm 640)" "files not 0640"
	[ -n "$(find "$TMP/flows/p.flows.unix.ar" -path '*group*' -type f)" ]
	# nothing in the state either; the credentials' directory is the agent's alone
	assert_eq '' "$(others "$TMP/state" "$TMP/flows"/*)" "open to others"
	assert_eq 750 "$(stat -c %a "$TMP/state/service/$sub")"
	assert_eq 700 "$(stat -c %a "$TMP/state/service/$sub/env")"
	assert_eq '' "$(find "$TMP/state/service/$sub/env" -type f ! -perm 600)"
}
