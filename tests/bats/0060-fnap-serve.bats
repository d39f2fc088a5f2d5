#!/usr/bin/env bats
# fnap-serve: the agent, under tcpserver on loopback.

load helpers/common
load helpers/fnap

setup() { common_setup; }
teardown() {
	fnap_stop
	common_teardown
}

@test "fnap-serve: -h, -V, -p and configuration errors" {
	run fnap-serve -h
	[ "$status" -eq 0 ]
	run fnap-serve -V
	[ "$status" -eq 0 ]
	run bash -c 'echo pw | fnap-serve -p alice'
	[ "$status" -eq 0 ]
	assert_match '^alice:\$argon2id\$v=19\$' "$output"
	run bash -c 'echo pw | fnap-serve -p "a:b"'
	[ "$status" -eq 64 ]
	printf 'hostname x.example\nbogus 1\n' > "$TMP/bad.conf"
	run fnap-serve -c "$TMP/bad.conf" < /dev/null
	[ "$status" -eq 78 ]
	assert_match 'bad.conf: line 2: bogus' "$output"
	run fnap-serve -c "$TMP/missing.conf" < /dev/null
	[ "$status" -eq 78 ]
}

@test "fnap-serve: the thesis transcript (section 7.3) over tcpserver, byte for byte" {
	fnap_start
	printf '%s\n' 'AUTHENTICATE PLAIN' 'AHRlc3QAdGVzdA==' 'CREATE FLOW time.flows.unix.ar' \
		'DESCRIBE FLOW time.flows.unix.ar' 'QUIT' | fnap_session > "$TMP/out"
	head -n 4 "$TMP/out" | cmp - <(printf '%s\n' '220 fnaa.unix.ar FNAA' '220 OK' '220 Authenticated' \
		'220 OK time.flows.unix.ar')
	sed -n 5,6p "$TMP/out" | cmp - <(printf '%s\n' '220 DATA' 'flow=time.flows.unix.ar')
	grep -qx 'type=file' "$TMP/out"
	grep -qx 'topic=time.flows.unix.ar' "$TMP/out"
	grep -qx 'server=fnaa.unix.ar' "$TMP/out"
	grep -qx 'owner=test' "$TMP/out"
	grep -qx "url=file://$TMP/flows/time.flows.unix.ar" "$TMP/out"
	[ "$(tail -n 2 "$TMP/out")" = "$(printf '220 OK\n221 Bye')" ]
	# and the lines really end in CR LF
	{ printf 'QUIT\r\n'; sleep 1; } | fnap_raw > "$TMP/raw"
	cmp "$TMP/raw" <(printf '220 fnaa.unix.ar FNAA\r\n221 Bye\r\n')
}

@test "fnap-serve: bad input gets the listed codes and changes nothing" {
	fnap_start
	local long
	long=$(head -c 5000 /dev/zero | tr '\0' 'A')
	{
		echo 'CREATE FLOW early.flows.unix.ar'
		echo 'FROBNICATE'
		echo "NOOP $long"
		echo 'AUTHENTICATE PLAIN !!!notbase64'
		echo 'AUTHENTICATE PLAIN AHRlc3QAdGVzdA=='
		echo 'CREATE FLOW'
		echo 'CREATE FLOW ../../etc.flows.unix.ar'
		echo 'CREATE FLOW x;rm-rf.flows.unix.ar'
		echo 'CREATE FLOW $(id).flows.unix.ar'
		echo 'CREATE FLOW a.other.example'
		echo 'CREATE FLOW thing'
		echo 'CREATE NOTAFLOW x.flows.unix.ar'
		echo 'DESCRIBE FLOW nosuch.flows.unix.ar'
		echo 'DELETE FLOW nosuch.flows.unix.ar'
		echo 'STARTTLS'
		echo 'QUIT'
	} | fnap_session > "$TMP/out"
	{ printf 'NOOP\0x\r\nQUIT\r\n'; sleep 1; } | fnap_raw | tr -d '\r' > "$TMP/nul"
	cmp "$TMP/out" - <<'OUT'
220 fnaa.unix.ar FNAA
530 authentication required
500 unknown command
500 line too long
501 not base64
220 Authenticated
553 flow name not allowed: missing
553 flow name not allowed: empty label
553 flow name not allowed: characters other than a-z, 0-9, '-' and '.'
553 flow name not allowed: characters other than a-z, 0-9, '-' and '.'
550 no such flow or access denied
550 no such flow or access denied
501 usage: CREATE FLOW <fqdn> [PUBLIC]
550 no such flow or access denied
550 no such flow or access denied
454 TLS not available
221 Bye
OUT
	[ "$(sed -n 2p "$TMP/nul")" = "500 NUL byte in a command" ]
	# nothing was created, nothing escaped the flows directory
	[ -z "$(ls -A "$TMP/flows")" ]
	[ ! -e "$TMP/state/flows" ] || [ -z "$(ls -A "$TMP/state/flows")" ]
}

@test "fnap-serve: authentication: three failures close, PLAIN from another host needs TLS, ANONYMOUS reads public flows" {
	fnap_start
	printf '%s\n' 'AUTHENTICATE PLAIN AHRlc3QAd3Jvbmc=' 'AUTHENTICATE PLAIN AHRlc3QAd3Jvbmc=' \
		'AUTHENTICATE PLAIN AHRlc3QAd3Jvbmc=' 'NOOP' | fnap_session > "$TMP/out"
	cmp "$TMP/out" <(printf '%s\n' '220 fnaa.unix.ar FNAA' '535 authentication failed' \
		'535 authentication failed' '421 too many authentication failures, closing')
	# as tcpserver tells it, the client is not on loopback
	printf 'AUTHENTICATE PLAIN AHRlc3QAdGVzdA==\r\nQUIT\r\n' |
		TCPREMOTEIP=192.0.2.7 fnap-serve -c "$TMP/fnap.conf" | tr -d '\r' > "$TMP/remote"
	[ "$(sed -n 2p "$TMP/remote")" = "538 encryption required for PLAIN" ]
	# anonymous: public flows only, read-only
	printf '%s\n' 'AUTHENTICATE PLAIN AHRlc3QAdGVzdA==' 'CREATE FLOW pub.flows.unix.ar PUBLIC' \
		'CREATE FLOW priv.flows.unix.ar' 'QUIT' | fnap_session > /dev/null
	printf '%s\n' 'AUTHENTICATE ANONYMOUS tests' 'LIST FLOWS' 'DESCRIBE FLOW priv.flows.unix.ar' \
		'CREATE FLOW anon.flows.unix.ar' 'QUIT' | fnap_session > "$TMP/anon"
	cmp "$TMP/anon" <(printf '%s\n' '220 fnaa.unix.ar FNAA' '220 Authenticated' '220 DATA' \
		'pub.flows.unix.ar' '220 OK' '550 no such flow or access denied' \
		'550 no such flow or access denied' '221 Bye')
	# another user sees the public flow only, and cannot delete it
	printf '%s\n' 'AUTHENTICATE PLAIN AG90aGVyAHNlY3JldA==' 'LIST FLOWS flows.unix.ar' \
		'DELETE FLOW pub.flows.unix.ar' 'LIST NAMESPACES' 'QUIT' | fnap_session > "$TMP/other"
	cmp "$TMP/other" <(printf '%s\n' '220 fnaa.unix.ar FNAA' '220 Authenticated' '220 DATA' \
		'pub.flows.unix.ar' '220 OK' '550 no such flow or access denied' '220 DATA' 'other.example' \
		'220 OK' '221 Bye')
}

@test "fnap-serve: PUBLISH and STREAM interoperate with flow-pub and flow-sub; DELETE removes the flow" {
	fnap_start
	printf '%s\n' 'AUTHENTICATE PLAIN AHRlc3QAdGVzdA==' 'CREATE FLOW ev.flows.unix.ar' 'QUIT' | fnap_session >/dev/null
	gen-events 5 > "$TMP/in"
	{ echo 'AUTHENTICATE PLAIN AHRlc3QAdGVzdA=='; echo 'PUBLISH ev.flows.unix.ar'; cat "$TMP/in";
	  echo 'not an event'; echo '.'; echo 'QUIT'; } | fnap_session > "$TMP/out"
	cmp "$TMP/out" <(printf '%s\n' '220 fnaa.unix.ar FNAA' '220 Authenticated' '220 OK send events' \
		'501 line 6: not a JSON object' '220 OK 5 events' '221 Bye')
	flow-sub -o beginning -e "$TMP/flows/ev.flows.unix.ar" | cmp - "$TMP/in"
	gen-events 3 7 | flow-pub "$TMP/flows/ev.flows.unix.ar"
	printf '%s\n' 'AUTHENTICATE PLAIN AHRlc3QAdGVzdA==' 'STREAM ev.flows.unix.ar FROM BEGINNING COUNT 8' 'QUIT' |
		fnap_session > "$TMP/stream"
	sed -n '4,11p' "$TMP/stream" | cmp - <(cat "$TMP/in"; gen-events 3 7)
	[ "$(sed -n 3p "$TMP/stream")" = "220 DATA" ]
	[ "$(tail -n 2 "$TMP/stream")" = "$(printf '220 OK\n221 Bye')" ]
	printf '%s\n' 'AUTHENTICATE PLAIN AHRlc3QAdGVzdA==' 'DELETE FLOW ev.flows.unix.ar' \
		'DESCRIBE FLOW ev.flows.unix.ar' 'QUIT' | fnap_session > "$TMP/del"
	[ "$(sed -n 3,4p "$TMP/del")" = "$(printf '220 OK ev.flows.unix.ar\n550 no such flow or access denied')" ]
	[ ! -e "$TMP/flows/ev.flows.unix.ar" ]
}

@test "fnap-serve: 50 concurrent sessions creating flows leave each created once" {
	fnap_start
	local i pids=
	for i in $(seq 1 50); do
		printf '%s\n' 'AUTHENTICATE PLAIN AHRlc3QAdGVzdA==' "CREATE FLOW f$((i % 10)).flows.unix.ar" \
			"CREATE FLOW u$i.flows.unix.ar" 'QUIT' | FNAP_WAIT=5 fnap_session > "$TMP/s$i" &
		pids="$pids $!"
	done
	# shellcheck disable=SC2086
	wait $pids
	# each of the 10 shared names created by exactly one session, every unique one created
	[ "$(cat "$TMP"/s* | grep -c '^220 OK f[0-9]\.flows\.unix\.ar$')" -eq 10 ]
	[ "$(cat "$TMP"/s* | grep -c '^553 flow name not allowed: f[0-9]\.flows\.unix\.ar exists$')" -eq 40 ]
	[ "$(cat "$TMP"/s* | grep -c '^220 OK u[0-9]*\.flows\.unix\.ar$')" -eq 50 ]
	[ "$(ls "$TMP/state/flows" | wc -l)" -eq 60 ]
	[ "$(ls "$TMP/flows" | wc -l)" -eq 60 ]
	# no temporary files left
	[ -z "$(ls -A "$TMP/state/flows" | grep '^\.')" ]
}

@test "fnap-serve: the idle timeout closes with 421" {
	FNAP_IDLE=1 fnap_start
	sleep 3 | fnap_raw | tr -d '\r' > "$TMP/idle"
	[ "$(sed -n 2p "$TMP/idle")" = "421 idle for 1 seconds, closing" ]
}
