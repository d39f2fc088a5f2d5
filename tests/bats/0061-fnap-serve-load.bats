#!/usr/bin/env bats
# fnap-serve under load: 200 sessions at once through tcpserver -c 200 (50 on
# a sanitizer build), each creating, describing, publishing to and streaming
# its own flow.

load helpers/common
load helpers/fnap

setup() { common_setup; }
teardown() {
	local clean=0
	fnap_stop || clean=1
	common_teardown
	return $clean
}

# 200 on the plain build; the sanitizer build, several times slower and
# bigger, opens 50 (a load test sizes itself to the build it runs on)
if sanitized_build; then SESSIONS=${LOAD_SESSIONS:-50}; else SESSIONS=${LOAD_SESSIONS:-200}; fi

# session I: one session for flow wI; it authenticates, waits until
# $TMP/go exists (so that every session is open at once), then works
session() {
	local f=w$1.flows.unix.ar
	{
		printf '%s\r\n' "$FNAP_AUTH"
		while [ ! -e "$TMP/go" ]; do sleep 0.1; done
		printf '%s\r\n' "CREATE FLOW $f" "DESCRIBE FLOW $f" "PUBLISH $f"
		sed 's/$/\r/' "$TMP/in"
		printf '%s\r\n' . "STREAM $f FROM BEGINNING TO END" QUIT
	} | fnap_raw | tr -d '\r' > "$TMP/s$1"
}

# expected I: what session I must read back (but the time of creation)
expected() {
	local f=w$1.flows.unix.ar
	printf '%s\n' '220 fnaa.unix.ar FNAA' '220 Authenticated' "220 OK $f" '220 DATA' "flow=$f" \
		'type=file' "topic=$f" 'server=fnaa.unix.ar:61000' "url=fnap://fnaa.unix.ar:61000/$f" \
		"path=$TMP/flows/$f" 'owner=test' 'public=no' 'events=0' 'bytes=0' 'first-offset=0' \
		'next-offset=0' '220 OK' \
		'220 OK send events' "220 OK $(wc -l < "$TMP/in") events" '220 DATA'
	cat "$TMP/in"
	printf '%s\n' '220 OK' '221 Bye'
}

@test "fnap-serve: $SESSIONS sessions at once CREATE, DESCRIBE, PUBLISH and STREAM: none fails, the state is whole" {
	# 200 logins at once: the low hash cost (7 MiB each), not 200 x 64 MiB
	echo test | fnap-serve -C low -p test | sed 's/:$/:flows.unix.ar/' > "$TMP/users"
	# the first sessions wait for the last ones to open: an idle timeout
	# longer than the wait for them below (200 logins and 200 bash
	# pipelines took over two minutes on a loaded two-core machine)
	FNAP_IDLE=600 FNAP_EXTRA_CONF="flows-per-user $((SESSIONS + 10))" fnap_start
	gen-events 50 > "$TMP/in"
	local i n=0 failed=0 pids=()
	for i in $(seq 1 $SESSIONS); do
		session "$i" &
		pids+=($!)
	done
	# every session is served by its own fnap-serve, a child of tcpserver
	for i in $(seq 1 3000); do
		n=$(pgrep -c -P "$FNAP_PID" || true)
		[ "$n" -lt $SESSIONS ] || break
		sleep 0.1
	done
	echo "# $n sessions open at once" >&3
	[ "$n" -eq $SESSIONS ]
	touch "$TMP/go"
	wait "${pids[@]}"
	for i in $(seq 1 $SESSIONS); do
		sed -i '/^created=20[0-9-]*T[0-9:.]*Z$/d' "$TMP/s$i"
		expected "$i" | cmp -s - "$TMP/s$i" || { failed=$((failed + 1)); diff <(expected "$i") "$TMP/s$i" | head -n 5; }
	done
	echo "# failed sessions: $failed" >&3
	[ "$failed" -eq 0 ]
	# the state afterwards: every flow listed once, and each holds its events
	printf '%s\n' "$FNAP_AUTH" 'LIST FLOWS' QUIT | fnap_session > "$TMP/list"
	[ "$(grep -c '^w[0-9]*\.flows\.unix\.ar$' "$TMP/list")" -eq $SESSIONS ]
	[ "$(grep '^w' "$TMP/list" | sort -u | wc -l)" -eq $SESSIONS ]
	for i in $(seq 1 $SESSIONS); do
		flow-sub -o beginning -e "$TMP/flows/w$i.flows.unix.ar" | cmp -s - "$TMP/in" || failed=$((failed + 1))
	done
	[ "$failed" -eq 0 ]
	! grep -v '^fnap-serve: audit: event=' "$TMP/fnap.log" || false
}
