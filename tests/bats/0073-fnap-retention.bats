#!/usr/bin/env bats
# fnap-serve: CREATE FLOW ... RETAIN and SET RETENTION on a file
# namespace under tcpserver: DESCRIBE, the flow's retention file, who may.

load helpers/common
load helpers/fnap
load helpers/fnapua
load helpers/named

setup() { common_setup; }
teardown() {
	local clean=0
	fnap_stop || clean=1
	named_stop
	common_teardown
	return $clean
}

OTHER_AUTH="AUTHENTICATE PLAIN $(printf '\0other\0secret' | base64)"

@test "retention: CREATE RETAIN, DESCRIBE, the retention file, SET RETENTION, NONE" {
	fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW r.flows.unix.ar RETAIN 2h' 'DESCRIBE FLOW r.flows.unix.ar' QUIT |
		fnap_session > "$TMP/out"
	[ "$(sed -n 3p "$TMP/out")" = '220 OK r.flows.unix.ar' ]
	# after DESCRIBE's other lines, before its OK
	[ "$(grep -B1 '^220 OK$' "$TMP/out" | head -1)" = 'retention=2h' ]
	[ "$(cat "$TMP/flows/r.flows.unix.ar/retention")" = 'age 7200' ]
	grep -qx 'retain-seconds=7200' "$TMP/out"
	# an administrator's segments line stays
	echo 'segments 5' >> "$TMP/flows/r.flows.unix.ar/retention"
	printf '%s\n' "$FNAP_AUTH" 'SET RETENTION r.flows.unix.ar 7D' 'DESCRIBE FLOW r.flows.unix.ar' QUIT |
		fnap_session > "$TMP/out"
	[ "$(sed -n 3p "$TMP/out")" = '220 OK r.flows.unix.ar' ]
	grep -qx 'retention=7d' "$TMP/out"
	[ "$(cat "$TMP/flows/r.flows.unix.ar/retention")" = "segments 5
age 604800" ]
	printf '%s\n' "$FNAP_AUTH" 'SET RETENTION r.flows.unix.ar none' 'DESCRIBE FLOW r.flows.unix.ar' QUIT |
		fnap_session > "$TMP/out"
	! grep -q '^retention=' "$TMP/out"
	[ "$(cat "$TMP/flows/r.flows.unix.ar/retention")" = 'segments 5' ]
	rm "$TMP/flows/r.flows.unix.ar/retention"
	printf '%s\n' "$FNAP_AUTH" 'SET RETENTION r.flows.unix.ar NONE' QUIT | fnap_session > "$TMP/out"
	[ "$(sed -n 3p "$TMP/out")" = '220 OK r.flows.unix.ar' ]
	[ ! -e "$TMP/flows/r.flows.unix.ar/retention" ]
	# a flow made without RETAIN says none and has no file
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW n.flows.unix.ar PUBLIC' 'DESCRIBE FLOW n.flows.unix.ar' QUIT |
		fnap_session > "$TMP/out"
	! grep -q '^retention=' "$TMP/out"
	[ ! -e "$TMP/flows/n.flows.unix.ar/retention" ]
	# PUBLIC and RETAIN in either order
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW p.flows.unix.ar RETAIN 3d PUBLIC' QUIT | fnap_session > "$TMP/out"
	[ "$(sed -n 3p "$TMP/out")" = '220 OK p.flows.unix.ar' ]
	[ "$(cat "$TMP/flows/p.flows.unix.ar/retention")" = 'age 259200' ]
}

@test "retention: another user gets 550 and changes nothing; EVENTS is refused by the file broker" {
	fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW r.flows.unix.ar PUBLIC RETAIN 12h' \
		'CREATE FLOW e.flows.unix.ar RETAIN 1000 EVENTS' 'SET RETENTION r.flows.unix.ar 5 events' QUIT |
		fnap_session > "$TMP/out"
	sed -n '3,$p' "$TMP/out" | cmp - <<'OUT'
220 OK r.flows.unix.ar
501 file flows cannot keep a count of events
501 file flows cannot keep a count of events
221 Bye
OUT
	[ ! -e "$TMP/flows/e.flows.unix.ar" ]
	printf '%s\n' "$OTHER_AUTH" 'SET RETENTION r.flows.unix.ar 1h' 'SET RETENTION nosuch.flows.unix.ar 1h' QUIT |
		fnap_session > "$TMP/out"
	sed -n '3,$p' "$TMP/out" | cmp - <<'OUT'
550 no such flow or access denied
550 no such flow or access denied
221 Bye
OUT
	[ "$(cat "$TMP/flows/r.flows.unix.ar/retention")" = 'age 43200' ]
	grep -q 'audit: event=retention .* user=other flow=r.flows.unix.ar retention=1h code=550' "$TMP/fnap.log"
}

@test "retention: bad values are 501 and make nothing" {
	fnap_start
	local v
	{
		echo "$FNAP_AUTH"
		echo 'CREATE FLOW r.flows.unix.ar'
		for v in 0 0d -1 -1h 7x 7 'x EVENTS' '0 EVENTS' 99999999999d 3651d 87601h 1000000001 d ''; do
			echo "CREATE FLOW b.flows.unix.ar RETAIN $v"
			echo "SET RETENTION r.flows.unix.ar $v"
		done
		echo 'CREATE FLOW b.flows.unix.ar RETAIN 1h RETAIN 2h'
		echo 'CREATE FLOW b.flows.unix.ar PUBLIC PUBLIC'
		echo 'CREATE FLOW b.flows.unix.ar RETAIN NONE'
		echo 'SET RETENTION r.flows.unix.ar 1h 2h'
		echo 'SET RETENTION r.flows.unix.ar'
		echo 'SET RETENTION'
		echo 'SET'
		echo 'SET PUBLIC r.flows.unix.ar 1h'
		echo 'SET RETENTION r.flows.unix.ar 5 EVENTS NOW'
		echo 'SET RETENTION ../x.flows.unix.ar 1h'
		echo QUIT
	} | fnap_session > "$TMP/out"
	[ "$(sed -n 3p "$TMP/out")" = '220 OK r.flows.unix.ar' ]
	[ "$(grep -c '^501 usage: CREATE FLOW <fqdn> \[PUBLIC\] \[RETAIN <n>d|<n>h|<n> EVENTS\]$' "$TMP/out")" -eq 17 ]
	[ "$(grep -c '^501 usage: SET RETENTION <flow> <n>d|<n>h|<n> EVENTS|NONE$' "$TMP/out")" -eq 20 ]
	[ "$(grep -c '^553 ' "$TMP/out")" -eq 1 ]
	[ "$(wc -l < "$TMP/out")" -eq 42 ]
	[ ! -e "$TMP/flows/b.flows.unix.ar" ]
	[ ! -e "$TMP/flows/r.flows.unix.ar/retention" ]
}

@test "fnap create flow --retain and fnap set retention: the agent's words; bad values are 64 before any connection" {
	fnap_start
	fnapua_config
	run --separate-stderr fnap create flow k.flows.unix.ar --retain 12h
	[ "$status" -eq 0 ]
	[ "$output" = 'flow=k.flows.unix.ar' ]
	[ "$(cat "$TMP/flows/k.flows.unix.ar/retention")" = 'age 43200' ]
	run --separate-stderr fnap set retention k.flows.unix.ar --retain 3d
	[ "$status" -eq 0 ]
	[ "$output" = 'flow=k.flows.unix.ar' ]
	[ "$(cat "$TMP/flows/k.flows.unix.ar/retention")" = 'age 259200' ]
	fnap describe flow k.flows.unix.ar | grep -qx 'retention=3d'
	run fnap set retention k.flows.unix.ar --retain none
	[ "$status" -eq 0 ]
	[ ! -e "$TMP/flows/k.flows.unix.ar/retention" ]
	# N alone is a count of events: the file broker keeps none (the agent's 501)
	run --separate-stderr fnap create flow e.flows.unix.ar --retain 1000
	[ "$status" -eq 70 ]
	assert_match '501 file flows cannot keep a count of events' "$stderr"
	# refused before any connection
	for v in 0 -1 7x 2w 1.5d '' 012h 123456789012; do
		run fnap -a 127.0.0.1:1 create flow x.flows.unix.ar --retain "$v"
		[ "$status" -eq 64 ] || { echo "--retain '$v': $status" >&2; false; }
	done
	run fnap -a 127.0.0.1:1 create flow x.flows.unix.ar --retain none
	[ "$status" -eq 64 ]
	run fnap -a 127.0.0.1:1 set retention x.flows.unix.ar
	[ "$status" -eq 64 ]
	assert_match 'set retention: --retain' "$output"
	run fnap -a 127.0.0.1:1 describe flow x.flows.unix.ar --retain 1d
	[ "$status" -eq 64 ]
	assert_match -- '--retain is for create flow and set retention' "$output"
}

@test "retention in DNS: the flow's _queue TXT record says retention=, as SET RETENTION changes it; flow-resolve prints it" {
	named_start example
	echo test | fnap-serve -p test | sed 's/:$/:flows.r.example/' > "$TMP/users"
	FNAP_NAMESPACES="namespace flows.r.example file $TMP/flows" FNAP_EXTRA_CONF="dns-update nsupdate -k $NAMED_KEY
dns-server 127.0.0.1:$NAMED_PORT
dns-zone example" fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW a.flows.r.example RETAIN 2h' QUIT | fnap_session > /dev/null
	flow-resolve a.flows.r.example > "$TMP/r1"
	grep -qx 'retention=2h' "$TMP/r1"
	assert_eq 2h "$(flow-resolve -j a.flows.r.example | jq -r .retention)"
	printf '%s\n' "$FNAP_AUTH" 'SET RETENTION a.flows.r.example 7d' QUIT | fnap_session > /dev/null
	grep -qx 'retention=7d' <(flow-resolve a.flows.r.example)
	printf '%s\n' "$FNAP_AUTH" 'SET RETENTION a.flows.r.example NONE' QUIT | fnap_session > /dev/null
	! flow-resolve a.flows.r.example | grep -q '^retention='
	[ "$(flow-resolve -j a.flows.r.example | jq -r .retention)" = null ]
}
