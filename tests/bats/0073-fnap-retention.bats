#!/usr/bin/env bats
# fnap-serve: CREATE FLOW ... RETAIN and SET RETENTION on a file
# namespace under tcpserver: DESCRIBE, the flow's retention file, who may.

load helpers/common
load helpers/fnap
load helpers/fnapua
load helpers/kafka
load helpers/named

setup() { common_setup; }
teardown() {
	local clean=0
	fnap_stop || clean=1
	kafka_stop
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
	! grep -q '^retention=' "$TMP/out" || false
	[ "$(cat "$TMP/flows/r.flows.unix.ar/retention")" = 'segments 5' ]
	rm "$TMP/flows/r.flows.unix.ar/retention"
	printf '%s\n' "$FNAP_AUTH" 'SET RETENTION r.flows.unix.ar NONE' QUIT | fnap_session > "$TMP/out"
	[ "$(sed -n 3p "$TMP/out")" = '220 OK r.flows.unix.ar' ]
	[ ! -e "$TMP/flows/r.flows.unix.ar/retention" ]
	# a flow made without RETAIN says none and has no file
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW n.flows.unix.ar PUBLIC' 'DESCRIBE FLOW n.flows.unix.ar' QUIT |
		fnap_session > "$TMP/out"
	! grep -q '^retention=' "$TMP/out" || false
	[ ! -e "$TMP/flows/n.flows.unix.ar/retention" ]
	# PUBLIC and RETAIN in either order
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW p.flows.unix.ar RETAIN 3d PUBLIC' QUIT | fnap_session > "$TMP/out"
	[ "$(sed -n 3p "$TMP/out")" = '220 OK p.flows.unix.ar' ]
	[ "$(cat "$TMP/flows/p.flows.unix.ar/retention")" = 'age 259200' ]
}

@test "retention: another user gets 550 and changes nothing" {
	fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW r.flows.unix.ar PUBLIC RETAIN 12h' QUIT | fnap_session > "$TMP/out"
	[ "$(sed -n 3p "$TMP/out")" = '220 OK r.flows.unix.ar' ]
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

# segments_of DIR: the bases of the flow's segments, oldest first
segments_of() {
	local b
	ls "$1" | sed -n 's/\.ndjson$//p' | while read -r b; do echo $((10#$b)); done
}

@test "retention: RETAIN n EVENTS on a file flow keeps at least the newest n, dropping whole old segments" {
	fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW e.flows.unix.ar RETAIN 1000 EVENTS' \
		'DESCRIBE FLOW e.flows.unix.ar' QUIT | fnap_session > "$TMP/out"
	[ "$(sed -n 3p "$TMP/out")" = '220 OK e.flows.unix.ar' ]
	grep -qx 'retention=1000' "$TMP/out"
	grep -qx 'retain-events=1000' "$TMP/out"
	[ "$(cat "$TMP/flows/e.flows.unix.ar/retention")" = 'events 1000' ]
	# ten runs of 300 events, each starting a segment (FLOW_FILE_SEGMENT_BYTES=1)
	gen-events 3000 > "$TMP/in"
	for i in 0 1 2 3 4 5 6 7 8 9; do
		sed -n "$((i * 300 + 1)),$((i * 300 + 300))p" "$TMP/in" |
			FLOW_FILE_SEGMENT_BYTES=1 flow-pub "$TMP/flows/e.flows.unix.ar"
	done
	segments_of "$TMP/flows/e.flows.unix.ar" > "$TMP/bases"
	run flow-stat "$TMP/flows/e.flows.unix.ar"
	[ "$status" -eq 0 ]
	grep -qx 'retain-events=1000' <<< "$output"
	events=$(sed -n 's/^events=//p' <<< "$output")
	first=$(sed -n 's/^first=//p' <<< "$output")
	# old segments went, and at least 1000 events stayed
	[ "$first" -gt 0 ] && [ "$first" -eq "$(head -n 1 "$TMP/bases")" ]
	[ "$events" -ge 1000 ] && [ "$events" -lt 3000 ]
	# at the last roll, dropping the oldest segment kept would have left fewer than 1000
	[ $(($(tail -n 1 "$TMP/bases") - $(sed -n 2p "$TMP/bases"))) -lt 1000 ]
	# the events held are the newest ones, in order
	flow-sub -o beginning -e "$TMP/flows/e.flows.unix.ar" | cmp - <(tail -n "$events" "$TMP/in")
	# SET RETENTION to an age replaces the count; an administrator's segments line stays
	echo 'segments 50' >> "$TMP/flows/e.flows.unix.ar/retention"
	printf '%s\n' "$FNAP_AUTH" 'SET RETENTION e.flows.unix.ar 1d' 'SET RETENTION e.flows.unix.ar 20 events' QUIT |
		fnap_session > "$TMP/out"
	[ "$(sed -n 4p "$TMP/out")" = '220 OK e.flows.unix.ar' ]
	[ "$(cat "$TMP/flows/e.flows.unix.ar/retention")" = "segments 50
events 20" ]
	# one word in the audit line, as in DESCRIBE and the DNS
	grep -q 'audit: event=retention .* flow=e.flows.unix.ar retention=20 code=220$' "$TMP/fnap.log"
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
	# N alone is a count of events
	run --separate-stderr fnap create flow e.flows.unix.ar --retain 1000
	[ "$status" -eq 0 ]
	[ "$(cat "$TMP/flows/e.flows.unix.ar/retention")" = 'events 1000' ]
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
	! flow-resolve a.flows.r.example | grep -q '^retention=' || false
	[ "$(flow-resolve -j a.flows.r.example | jq -r .retention)" = null ]
}

# kafka_retention_start: the agent with two Kafka namespaces on the mock
# cluster, flows.k.example whose topics the cluster makes when asked for
# and flows.a.example whose topics the agent makes (CreateTopics),
# registering its flows in named
kafka_retention_start() {
	kafka_start 1
	named_start example
	echo test | fnap-serve -p test | sed 's/:$/:flows.k.example,flows.a.example/' > "$TMP/users"
	FNAP_NAMESPACES="namespace flows.k.example kafka $KAFKA topics=auto timeout=2
namespace flows.a.example kafka $KAFKA timeout=1" FNAP_EXTRA_CONF="dns-update nsupdate -k $NAMED_KEY
dns-server 127.0.0.1:$NAMED_PORT
dns-zone example" fnap_start
}

@test "retention on Kafka: the cluster's refusal is 450 with its reason and changes nothing; EVENTS is 501" {
	kafka_retention_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW a.flows.k.example' 'SET RETENTION a.flows.k.example 2h' \
		'DESCRIBE FLOW a.flows.k.example' QUIT | fnap_session > "$TMP/out"
	[ "$(sed -n 3p "$TMP/out")" = '220 OK a.flows.k.example' ]
	# librdkafka's mock cluster answers no DescribeConfigs: the agent says the cluster's reason
	assert_match '^450 cannot set the retention, retry: kafka: .+' "$(sed -n 4p "$TMP/out")"
	grep -qx 'type=kafka' "$TMP/out"
	! grep -q '^retention=' "$TMP/out" || false
	# its record as it was
	grep -qx 'flow=a.flows.k.example' "$TMP/state/flows/a.flows.k.example"
	! grep -q '^retention=' "$TMP/state/flows/a.flows.k.example" || false
	flow-resolve a.flows.k.example > "$TMP/r"
	grep -qx 'broker-type=kafka' "$TMP/r"
	! grep -q '^retention=' "$TMP/r" || false
	# made with RETAIN: refused the same way, and no flow is left
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW b.flows.k.example RETAIN 1d' 'DESCRIBE FLOW b.flows.k.example' QUIT |
		fnap_session > "$TMP/out"
	assert_match '^450 cannot create the topic, retry: kafka: .+' "$(sed -n 3p "$TMP/out")"
	[ "$(sed -n 4p "$TMP/out")" = '550 no such flow or access denied' ]
	run flow-resolve b.flows.k.example
	[ "$status" -ne 0 ]
	# with the retention in CreateTopics' configuration: the mock, with no
	# controller, answers no CreateTopics either
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW d.flows.a.example RETAIN 12h' QUIT | fnap_session > "$TMP/out"
	assert_match '^450 cannot create the topic, retry: kafka: .+' "$(sed -n 3p "$TMP/out")"
	# Kafka keeps no count of records: 501 before the cluster is asked
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW c.flows.k.example RETAIN 100 EVENTS' \
		'SET RETENTION a.flows.k.example 100 EVENTS' QUIT | fnap_session > "$TMP/out"
	sed -n '3,$p' "$TMP/out" | cmp - <<'OUT'
501 kafka flows cannot keep a count of events, only an age
501 kafka flows cannot keep a count of events, only an age
221 Bye
OUT
	[ "$(ls "$TMP/state/flows")" = a.flows.k.example ]
}
