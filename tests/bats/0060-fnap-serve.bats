#!/usr/bin/env bats
# fnap-serve: the agent, under tcpserver on loopback; openssl s_client,
# flow-pub, flow-sub, the Kafka mock cluster and named as its peers.

load helpers/common
load helpers/fnap
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

TLS_CONF='tls-certificate $TMP/tls/cert.pem
tls-key $TMP/tls/key.pem'

tls_conf() {
	fnap_tls_files
	FNAP_EXTRA_CONF=$(eval "printf '%s\n' \"$TLS_CONF\"")${FNAP_EXTRA_CONF:+
$FNAP_EXTRA_CONF}
	export FNAP_EXTRA_CONF
}

@test "fnap-serve: -h, -V, -p, -o and configuration errors" {
	run fnap-serve -h
	[ "$status" -eq 0 ]
	assert_match '^usage: fnap-serve' "${lines[0]}"
	run fnap-serve -V
	[ "$status" -eq 0 ]
	run bash -c 'echo pw | fnap-serve -p alice'
	[ "$status" -eq 0 ]
	assert_match '^alice:\$argon2id\$v=19\$[^:]*:$' "$output"
	assert_match 'm=65536,t=2,' "$output"
	# the hash records its cost: low, interactive, moderate
	run bash -c 'echo pw | fnap-serve -C low -p alice'
	[ "$status" -eq 0 ]
	assert_match '^alice:\$argon2id\$v=19\$m=7168,t=5,p=1\$[^:]*:$' "$output"
	run bash -c 'echo pw | fnap-serve -C moderate -p alice'
	assert_match 'm=262144,t=3,' "$output"
	run --separate-stderr fnap-serve -C huge -p alice
	[ "$status" -eq 64 ]
	[ "$stderr" = 'fnap-serve: -C huge: expected low, interactive or moderate' ]
	run --separate-stderr fnap-serve -C interactive < /dev/null
	[ "$status" -eq 64 ]
	[ "$stderr" = 'fnap-serve: -C: only with -p' ]
	run bash -c 'echo pw | fnap-serve -p "a:b"'
	[ "$status" -eq 64 ]
	run bash -c 'fnap-serve -p alice < /dev/null'
	[ "$status" -eq 64 ]
	run fnap-serve -x
	[ "$status" -eq 64 ]
	fnap_config
	printf 'hostname x.example\nbogus 1\n' > "$TMP/bad.conf"
	run fnap-serve -c "$TMP/bad.conf" < /dev/null
	[ "$status" -eq 78 ]
	assert_match 'bad.conf: line 2: bogus: unknown setting' "$output"
	for bad in 'port 0' 'idle-timeout x' 'state relative/dir' 'namespace a..b file /x' \
		'namespace n.example file' 'namespace n.example kafka' 'namespace n.example kafka h:1 partitions=0' \
		'namespace n.example file rel/dir' 'namespace n.example file /x partitions=1' \
		'namespace n.example fnap h:1' 'namespace n.example http /x' \
		'implicit-tls maybe' 'event-line-max 10'; do
		printf '%s\n' "$bad" >> "$TMP/fnap.conf"
		run fnap-serve -c "$TMP/fnap.conf" < /dev/null
		[ "$status" -eq 78 ] || { echo "accepted: $bad" >&2; false; }
		sed -i '$d' "$TMP/fnap.conf"
	done
	run fnap-serve -c "$TMP/missing.conf" < /dev/null
	[ "$status" -eq 78 ]
	printf 'hostname x.example\n' > "$TMP/partial.conf"
	run fnap-serve -c "$TMP/partial.conf" < /dev/null
	[ "$status" -eq 78 ]
	assert_match 'state is not set' "$output"
	# -T without a certificate; -o over the file
	run fnap-serve -c "$TMP/fnap.conf" -T < /dev/null
	[ "$status" -eq 78 ]
	assert_match 'implicit TLS needs' "$output"
	run fnap-serve -c "$TMP/fnap.conf" -o 'idle-timeout=nope' < /dev/null
	[ "$status" -eq 64 ]
	run bash -c "printf 'QUIT\n' | fnap-serve -c '$TMP/fnap.conf' -o hostname=other.example"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = $'220 other.example FNAA\r' ]
	# FNAP_CONFIG names the file when -c does not
	run bash -c "printf 'QUIT\n' | FNAP_CONFIG='$TMP/fnap.conf' fnap-serve"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = $'221 Bye\r' ]
}

@test "fnap-serve: the thesis transcript (section 7.3) over tcpserver, byte for byte" {
	fnap_start
	{ printf '%s\r\n' 'AUTHENTICATE PLAIN' 'AHRlc3QAdGVzdA==' 'CREATE FLOW time.flows.unix.ar' \
		'DESCRIBE FLOW time.flows.unix.ar' 'QUIT'; } | fnap_raw > "$TMP/raw"
	created=$(grep -a '^created=' "$TMP/raw" | tr -d '\r')
	assert_match '^created=20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z$' "$created"
	printf '%s\r\n' '220 fnaa.unix.ar FNAA' '220 OK' '220 Authenticated' '220 OK time.flows.unix.ar' \
		'220 DATA' 'flow=time.flows.unix.ar' 'type=file' 'topic=time.flows.unix.ar' \
		'server=fnaa.unix.ar:61000' 'url=fnap://fnaa.unix.ar:61000/time.flows.unix.ar' \
		"path=$TMP/flows/time.flows.unix.ar" 'owner=test' 'public=no' "$created" \
		'events=0' 'bytes=0' 'first-offset=0' 'next-offset=0' '220 OK' '221 Bye' > "$TMP/expected"
	cmp "$TMP/raw" "$TMP/expected"
	[ -d "$TMP/flows/time.flows.unix.ar" ]
	# its SUBSCRIBE ... LOCAL: 0062-fnap-subscribe.bats
}

# describe_lines USER PASSWORD FLOW: DESCRIBE FLOW's body for USER
describe_lines() {
	printf '%s\n' "AUTHENTICATE PLAIN $(printf '\0%s\0%s' "$1" "$2" | base64)" "DESCRIBE FLOW $3" QUIT |
		fnap_session | sed -n '/^220 DATA$/,/^220 OK$/p' | sed '1d;$d'
}

@test "fnap-serve: DESCRIBE says what the flow holds and the asking user's groups after the thesis's lines" {
	fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW held.flows.unix.ar PUBLIC' QUIT | fnap_session > /dev/null
	for i in 1 2 3 4 5; do event "e$i" ",\"time\":\"2026-01-0${i}T10:00:00Z\""; done > "$TMP/in"
	flow-pub "$TMP/flows/held.flows.unix.ar" < "$TMP/in"
	# test reads 2 of 5 with group g1 (ACK 2), other 5 with its own g1
	printf '%s\n' "$FNAP_AUTH" 'STREAM held.flows.unix.ar GROUP g1 FROM BEGINNING COUNT 3' 'ACK 2' QUIT |
		fnap_session > /dev/null
	printf '%s\n' "AUTHENTICATE PLAIN $(printf '\0other\0secret' | base64)" \
		'STREAM held.flows.unix.ar GROUP g1 FROM BEGINNING COUNT 5' 'ACK 5' QUIT | fnap_session > /dev/null
	before=$(date +%s)
	describe_lines test test held.flows.unix.ar > "$TMP/test"
	after=$(date +%s)
	# the thesis's lines first, in its order, as they were
	sed -n 1,4p "$TMP/test" | cut -d= -f1 | cmp - <(printf '%s\n' flow type topic server)
	[ "$(sed -n '/^created=/=' "$TMP/test")" -eq 9 ]
	sed -n '10,$p' "$TMP/test" | sed '/^group\.g1\.age=/d' | cmp - <(printf '%s\n' events=5 \
		"bytes=$(wc -c < "$TMP/in")" first-offset=0 next-offset=5 oldest=2026-01-01T10:00:00.000Z \
		newest=2026-01-05T10:00:00.000Z group.g1.offset=2 group.g1.lag=3)
	# the age of its oldest unread event, e3's
	age=$(sed -n 's/^group\.g1\.age=//p' "$TMP/test")
	e3=$(date -u -d 2026-01-03T10:00:00Z +%s)
	[ "${age%.*}" -ge $((before - e3 - 1)) ] && [ "${age%.*}" -le $((after - e3)) ]
	# another user sees their own group of that name only
	describe_lines other secret held.flows.unix.ar > "$TMP/other"
	grep -qx 'group.g1.offset=5' "$TMP/other"
	grep -qx 'group.g1.lag=0' "$TMP/other"
	grep -qx 'group.g1.age=0.000' "$TMP/other"
	[ "$(grep -c '^group\.' "$TMP/other")" -eq 3 ]
	# nobody's groups for anonymous sessions that made none; retention when the flow has one
	printf 'segments 3\nage 86400\n' > "$TMP/flows/held.flows.unix.ar/retention"
	printf '%s\n' 'AUTHENTICATE ANONYMOUS t' 'DESCRIBE FLOW held.flows.unix.ar' QUIT | fnap_session > "$TMP/anon"
	[ "$(grep -c '^group\.' "$TMP/anon")" -eq 0 ]
	grep -qx 'retain-seconds=86400' "$TMP/anon"
	grep -qx 'retain-segments=3' "$TMP/anon"
	grep -qx 'events=5' "$TMP/anon"
}

@test "fnap-serve: DESCRIBE of a flow whose broker cannot tell: the record's lines, nothing of what it holds" {
	fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW gone.flows.unix.ar' QUIT | fnap_session > /dev/null
	rm -r "$TMP/flows/gone.flows.unix.ar"
	describe_lines test test gone.flows.unix.ar > "$TMP/out"
	grep -qx 'flow=gone.flows.unix.ar' "$TMP/out"
	grep -q '^created=' "$TMP/out"
	[ "$(grep -c '^events=\|^next-offset=' "$TMP/out")" -eq 0 ]
	grep -q 'gone.flows.unix.ar: no such flow' "$TMP/fnap.log"
}

@test "fnap-serve: the thesis transcript on a Kafka namespace (mock cluster); PUBLISH and STREAM there" {
	kafka_start 1
	FNAP_NAMESPACES="namespace flows.unix.ar kafka $KAFKA topics=auto
namespace local.unix.ar file $TMP/flows" fnap_start
	# the kinds of its namespaces, those at their own servers first, then FNAP
	printf '%s\n' CAPABILITIES QUIT | fnap_session | grep -qx 'BROKERS kafka file fnap'
	printf '%s\r\n' 'AUTHENTICATE PLAIN' 'AHRlc3QAdGVzdA==' 'CREATE FLOW time.flows.unix.ar' \
		'DESCRIBE FLOW time.flows.unix.ar' 'QUIT' | fnap_raw | tr -d '\r' > "$TMP/out"
	head -n 9 "$TMP/out" | cmp - <(printf '%s\n' '220 fnaa.unix.ar FNAA' '220 OK' '220 Authenticated' \
		'220 OK time.flows.unix.ar' '220 DATA' 'flow=time.flows.unix.ar' 'type=kafka' \
		'topic=time.flows.unix.ar' "server=$KAFKA")
	grep -qx "url=kafka://$KAFKA/time.flows.unix.ar" "$TMP/out"
	[ "$(tail -n 2 "$TMP/out")" = "$(printf '220 OK\n221 Bye')" ]
	# events in over FNAP, out with flow-sub on the topic; and the other way
	gen-events 5 > "$TMP/in"
	{ echo "$FNAP_AUTH"; echo 'PUBLISH time.flows.unix.ar'; cat "$TMP/in"; echo .; echo QUIT; } |
		fnap_session > "$TMP/pub"
	[ "$(sed -n 3,4p "$TMP/pub")" = "$(printf '220 OK send events\n220 OK 5 events')" ]
	# the cluster made the topic with its own partition count: order holds per partition only
	timeout 20 flow-sub -o beginning -e "kafka://$KAFKA/time.flows.unix.ar" | sort | cmp - <(sort "$TMP/in")
	gen-events 3 7 | flow-pub "kafka://$KAFKA/time.flows.unix.ar"
	printf '%s\n' "$FNAP_AUTH" 'STREAM time.flows.unix.ar FROM BEGINNING TO END' 'QUIT' |
		fnap_session > "$TMP/stream"
	sed -n 4,11p "$TMP/stream" | sort | cmp - <({ cat "$TMP/in"; gen-events 3 7; } | sort)
	[ "$(sed -n '12,$p' "$TMP/stream")" = "$(printf '220 OK\n221 Bye')" ]
}

@test "fnap-serve: a Kafka cluster that cannot create topics (Admin API) leaves no flow behind" {
	kafka_start 1
	# librdkafka's mock cluster has no controller: CreateTopics cannot be answered
	FNAP_NAMESPACES="namespace flows.unix.ar kafka $KAFKA timeout=1" fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW t.flows.unix.ar' 'DESCRIBE FLOW t.flows.unix.ar' 'QUIT' |
		fnap_session > "$TMP/out"
	assert_match '^450 cannot create the topic, retry: ' "$(sed -n 3p "$TMP/out")"
	[ "$(sed -n 4p "$TMP/out")" = "550 no such flow or access denied" ]
	[ -z "$(ls -A "$TMP/state/flows")" ]
}

@test "fnap-serve: STARTTLS and implicit TLS with openssl s_client; PLAIN needs TLS from other hosts" {
	tls_conf
	FNAP_WRAP="env TCPREMOTEIP=192.0.2.7" fnap_start
	# in the clear, from "another host": no PLAIN, but STARTTLS is offered
	printf '%s\n' CAPABILITIES "$FNAP_AUTH" QUIT | fnap_session > "$TMP/clear"
	grep -qx STARTTLS "$TMP/clear"
	grep -qx '538 encryption required for PLAIN' "$TMP/clear"
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW time.flows.unix.ar' 'DESCRIBE FLOW time.flows.unix.ar' \
		'STARTTLS' 'CAPABILITIES' 'QUIT' | fnap_starttls_session > "$TMP/session"
	[ "$(tr -d '\r' < "$TMP/plain")" = "$(printf '220 fnaa.unix.ar FNAA\n220 Ready to start TLS')" ]
	sed -n 1,5p "$TMP/session" | cmp - <(printf '%s\n' '220 Authenticated' '220 OK time.flows.unix.ar' \
		'220 DATA' 'flow=time.flows.unix.ar' 'type=file')
	grep -qx '501 TLS already started' "$TMP/session"
	! grep -qx STARTTLS "$TMP/session" || false
	[ "$(tail -n 1 "$TMP/session")" = "221 Bye" ]
	fnap_stop
	# implicit TLS (-T): the greeting comes through TLS
	FNAP_WRAP="env TCPREMOTEIP=192.0.2.7" fnap_start -T
	printf '%s\n' "$FNAP_AUTH" 'LIST FLOWS' 'QUIT' | fnap_tls_session > "$TMP/implicit"
	cmp "$TMP/implicit" <(printf '%s\n' '220 fnaa.unix.ar FNAA' '220 Authenticated' '220 DATA' \
		'time.flows.unix.ar' '220 OK' '221 Bye')
	# a client that does not speak TLS gets nothing, and the agent says why
	{ printf 'QUIT\r\n' | fnap_raw 2>/dev/null || true; } > "$TMP/notls"
	[ ! -s "$TMP/notls" ]
	grep -q 'fnap-serve: TLS: ' "$TMP/fnap.log"
}

@test "fnap-serve: STARTTLS without a certificate, or with a bad one, is 454; implicit TLS with a bad one a configuration error" {
	fnap_start
	printf '%s\n' STARTTLS QUIT | fnap_session > "$TMP/out"
	[ "$(sed -n 2p "$TMP/out")" = "454 TLS not available" ]
	fnap_stop
	FNAP_EXTRA_CONF="tls-certificate $TMP/users
tls-key $TMP/users" fnap_config
	# read at the first STARTTLS: the session goes on in the clear
	run --separate-stderr bash -c "printf 'STARTTLS\nNOOP\nQUIT\n' | fnap-serve -c '$TMP/fnap.conf'"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = $'454 TLS not available\r' ]
	[ "${lines[2]}" = $'220 OK\r' ]
	assert_match "^fnap-serve: $TMP/users: " "$stderr"
	run --separate-stderr bash -c "fnap-serve -T -c '$TMP/fnap.conf' < /dev/null"
	[ "$status" -eq 78 ]
	assert_match '^421 ' "$output"
	assert_match "^fnap-serve: $TMP/users: " "$stderr"
}

@test "fnap-serve: bad input gets the listed codes and changes nothing" {
	fnap_start
	local long
	long=$(head -c 5000 /dev/zero | tr '\0' 'A')
	{
		for verb in 'CREATE FLOW early.flows.unix.ar' 'DESCRIBE FLOW x.flows.unix.ar' 'LIST FLOWS' \
			'DELETE FLOW x.flows.unix.ar' 'STREAM x.flows.unix.ar' 'PUBLISH x.flows.unix.ar' \
			'SUBSCRIBE x.flows.unix.ar' 'REVOKE x' 'PAUSE x' 'RESUME x' 'UNSUBSCRIBE x'; do
			echo "$verb"
		done
		echo 'FROBNICATE'
		echo ''
		echo "NOOP $long"
		echo 'AUTHENTICATE'
		echo 'AUTHENTICATE KERBEROS'
		echo 'AUTHENTICATE PLAIN !!!notbase64'
		echo 'AUTHENTICATE PLAIN'
		echo 'also not base64'
		echo 'AUTHENTICATE PLAIN dGVzdAB0ZXN0'
		echo 'AUTHENTICATE PLAIN AHRlc3QAdGVzdA=='
		echo 'CREATE FLOW'
		echo 'CREATE'
		echo 'CREATE FLOW ../../etc.flows.unix.ar'
		echo 'CREATE FLOW x;rm-rf.flows.unix.ar'
		echo 'CREATE FLOW $(id).flows.unix.ar'
		echo 'CREATE FLOW `id`.flows.unix.ar'
		echo 'CREATE FLOW a.other.example'
		echo 'CREATE FLOW thing'
		echo 'CREATE FLOW flows.unix.ar'
		echo 'CREATE NOTAFLOW x.flows.unix.ar'
		echo 'CREATE FLOW x.flows.unix.ar PRIVATE'
		echo 'DESCRIBE FLOW nosuch.flows.unix.ar'
		echo 'DELETE FLOW nosuch.flows.unix.ar'
		echo 'LIST'
		echo 'LIST THINGS'
		echo 'STREAM'
		echo 'STREAM nosuch.flows.unix.ar'
		echo 'PUBLISH ../x'
		echo 'STARTTLS now'
		echo 'QUIT'
	} | fnap_session > "$TMP/out"
	{ printf 'NOOP\0x\r\nQUIT\r\n'; } | fnap_raw | tr -d '\r' > "$TMP/nul"
	cmp "$TMP/out" - <<'OUT'
220 fnaa.unix.ar FNAA
530 authentication required
530 authentication required
530 authentication required
530 authentication required
530 authentication required
530 authentication required
530 authentication required
530 authentication required
530 authentication required
530 authentication required
530 authentication required
500 unknown command
500 empty command
500 line too long
501 usage: AUTHENTICATE PLAIN [<base64>] | AUTHENTICATE ANONYMOUS [<trace>]
501 mechanisms: PLAIN ANONYMOUS
501 not base64
220 OK
501 not base64
501 expected authzid NUL user NUL password
220 Authenticated
553 flow name not allowed: missing
501 usage: CREATE FLOW <fqdn> [PUBLIC] [RETAIN <n>d|<n>h|<n> EVENTS]
553 flow name not allowed: empty label
553 flow name not allowed: characters other than a-z, 0-9, '-' and '.'
553 flow name not allowed: characters other than a-z, 0-9, '-' and '.'
553 flow name not allowed: characters other than a-z, 0-9, '-' and '.'
550 no such flow or access denied
550 no such flow or access denied
550 no such flow or access denied
501 usage: CREATE FLOW <fqdn> [PUBLIC] [RETAIN <n>d|<n>h|<n> EVENTS]
501 usage: CREATE FLOW <fqdn> [PUBLIC] [RETAIN <n>d|<n>h|<n> EVENTS]
550 no such flow or access denied
550 no such flow or access denied
501 usage: LIST FLOWS [<namespace>] | LIST NAMESPACES | LIST SUBSCRIPTIONS [<flow>] | LIST GRANTS [<flow>]
501 usage: LIST FLOWS [<namespace>] | LIST NAMESPACES | LIST SUBSCRIPTIONS [<flow>] | LIST GRANTS [<flow>]
553 flow name not allowed: missing
550 no such flow or access denied
553 flow name not allowed: empty label
501 usage: STARTTLS
221 Bye
OUT
	[ "$(sed -n 2p "$TMP/nul")" = "500 NUL byte in a command" ]
	[ "$(sed -n 3p "$TMP/nul")" = "221 Bye" ]
	# nothing was created, nothing escaped the flows directory
	[ -z "$(ls -A "$TMP/flows")" ]
	[ ! -e "$TMP/state/flows" ] || [ -z "$(ls -A "$TMP/state/flows")" ]
	# and the agent is still there
	printf 'NOOP\nQUIT\n' | fnap_session | grep -qx '220 OK'
}

@test "fnap-serve: event lines: 1 MiB at most (or event-line-max), NUL bytes, invalid events; STREAM arguments" {
	FNAP_EXTRA_CONF='event-line-max 4096' fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW ev.flows.unix.ar' 'QUIT' | fnap_session > /dev/null
	{
		printf '%s\r\n' "$FNAP_AUTH" 'PUBLISH ev.flows.unix.ar'
		event 1
		event 2 ",\"data\":\"$(head -c 5000 /dev/zero | tr '\0' x)\""
		printf '{"specversion":"1.0",\0}\r\n'
		echo '{"specversion":"0.3","id":"x","source":"/s","type":"t"}'
		event 3
		printf '.\r\n'
		printf '%s\r\n' 'STREAM ev.flows.unix.ar FROM BEGINNING COUNT 0' 'STREAM ev.flows.unix.ar FROM stored' \
			'STREAM ev.flows.unix.ar UNTIL END' 'STREAM ev.flows.unix.ar FROM' \
			'STREAM ev.flows.unix.ar FROM -1 TO END' 'STREAM ev.flows.unix.ar FROM 0 COUNT 1' \
			'PUBLISH ev.flows.unix.ar extra' 'QUIT'
	} | fnap_raw | tr -d '\r' > "$TMP/out"
	cmp "$TMP/out" - <<OUT
220 fnaa.unix.ar FNAA
220 Authenticated
220 OK send events
501 line 2: line too long
501 line 3: NUL byte
501 line 4: specversion: must be "1.0"
220 OK 2 events
501 usage: STREAM <flow> [GROUP <name>] [FROM <offset>|BEGINNING|END|@<time>|STORED[:<from>]] [COUNT <n>] [TO END]
501 usage: STREAM <flow> [GROUP <name>] [FROM <offset>|BEGINNING|END|@<time>|STORED[:<from>]] [COUNT <n>] [TO END]
501 usage: STREAM <flow> [GROUP <name>] [FROM <offset>|BEGINNING|END|@<time>|STORED[:<from>]] [COUNT <n>] [TO END]
501 usage: STREAM <flow> [GROUP <name>] [FROM <offset>|BEGINNING|END|@<time>|STORED[:<from>]] [COUNT <n>] [TO END]
220 DATA
$(event 3)
220 OK
220 DATA
$(event 1)
220 OK
501 usage: PUBLISH <flow>
221 Bye
OUT
	# the 1 MiB default: a longer line is rejected, the session goes on
	fnap_stop
	fnap_start
	{
		printf '%s\r\n' "$FNAP_AUTH" 'PUBLISH ev.flows.unix.ar'
		head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' x
		printf '\r\n.\r\nQUIT\r\n'
	} | fnap_raw | tr -d '\r' > "$TMP/big"
	[ "$(sed -n '4,$p' "$TMP/big")" = "$(printf '501 line 1: line too long\n220 OK 0 events\n221 Bye')" ]
}

# login_kb USER PASSWORD: the peak memory, in KB, of a failed PLAIN login
# on a pipe. Argon2id's memory is its cost, and unlike its time it does not
# move with the machine's load.
login_kb() {
	printf 'AUTHENTICATE PLAIN %s\r\nQUIT\r\n' "$(printf '\0%s\0%s' "$1" "$2" | base64)" |
		/usr/bin/time -f %M -o "$TMP/login.kb" fnap-serve -c "$TMP/fnap.conf" > "$TMP/login.out"
	grep -q '^535 ' "$TMP/login.out"
	cat "$TMP/login.kb"
}

@test "fnap-serve: an unknown name costs as much as a wrong password, at the users file's own hash cost" {
	echo test | fnap-serve -C moderate -p test | sed 's/:$/:flows.unix.ar/' > "$TMP/users"
	fnap_config
	local wrong unknown
	wrong=$(login_kb test nottest)
	unknown=$(login_kb nobody nottest)
	echo "# wrong password ${wrong} KB, unknown name ${unknown} KB" >&3
	# moderate hashes in 256 MiB; a decoy of another cost would take 64 MiB
	# (interactive) or 7 MiB (low): both at the file's cost, within a tenth
	[ "$wrong" -gt $((256 * 1024)) ]
	[ "$unknown" -gt $((256 * 1024)) ]
	[ $((unknown * 10)) -lt $((wrong * 11)) ]
	[ $((wrong * 10)) -lt $((unknown * 11)) ]
}

@test "fnap-serve: authentication: three failures close, PLAIN from another host, ANONYMOUS reads public flows" {
	fnap_start
	printf '%s\n' 'AUTHENTICATE PLAIN AHRlc3QAd3Jvbmc=' 'AUTHENTICATE PLAIN AG5vYm9keQB0ZXN0' \
		'AUTHENTICATE PLAIN' 'AHRlc3QAd3Jvbmc=' 'NOOP' | fnap_session > "$TMP/out"
	cmp "$TMP/out" <(printf '%s\n' '220 fnaa.unix.ar FNAA' '535 authentication failed' \
		'535 authentication failed' '220 OK' '421 too many authentication failures, closing')
	grep -q 'audit: event=auth .* user=nobody mech=plain reason="wrong user or password" code=535$' "$TMP/fnap.log"
	# as tcpserver tells it, the client is not on loopback
	printf 'AUTHENTICATE PLAIN AHRlc3QAdGVzdA==\r\nQUIT\r\n' |
		TCPREMOTEIP=192.0.2.7 fnap-serve -c "$TMP/fnap.conf" | tr -d '\r' > "$TMP/remote"
	[ "$(sed -n 2p "$TMP/remote")" = "538 encryption required for PLAIN" ]
	printf 'AUTHENTICATE PLAIN AHRlc3QAdGVzdA==\r\nQUIT\r\n' |
		TCPREMOTEIP=::1 fnap-serve -c "$TMP/fnap.conf" | tr -d '\r' > "$TMP/v6"
	[ "$(sed -n 2p "$TMP/v6")" = "220 Authenticated" ]
	printf 'AUTHENTICATE PLAIN AHRlc3QAdGVzdA==\r\nQUIT\r\n' |
		TCPREMOTEIP=192.0.2.7 fnap-serve -c "$TMP/fnap.conf" -o 'plain-cleartext yes' |
		tr -d '\r' > "$TMP/allowed"
	[ "$(sed -n 2p "$TMP/allowed")" = "220 Authenticated" ]
	# anonymous: public flows only, read-only
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW pub.flows.unix.ar PUBLIC' \
		'CREATE FLOW priv.flows.unix.ar' 'QUIT' | fnap_session > /dev/null
	printf '%s\n' 'AUTHENTICATE ANONYMOUS tests' 'LIST FLOWS' 'DESCRIBE FLOW priv.flows.unix.ar' \
		'CREATE FLOW anon.flows.unix.ar' 'PUBLISH pub.flows.unix.ar' 'DELETE FLOW pub.flows.unix.ar' \
		'QUIT' | fnap_session > "$TMP/anon"
	cmp "$TMP/anon" <(printf '%s\n' '220 fnaa.unix.ar FNAA' '220 Authenticated' '220 DATA' \
		'pub.flows.unix.ar' '220 OK' '550 no such flow or access denied' \
		'550 no such flow or access denied' '550 no such flow or access denied' \
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
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW ev.flows.unix.ar' 'QUIT' | fnap_session >/dev/null
	gen-events 5 > "$TMP/in"
	{ echo "$FNAP_AUTH"; echo 'PUBLISH ev.flows.unix.ar'; cat "$TMP/in";
	  echo 'not an event'; echo '.'; echo 'QUIT'; } | fnap_session > "$TMP/out"
	cmp "$TMP/out" <(printf '%s\n' '220 fnaa.unix.ar FNAA' '220 Authenticated' '220 OK send events' \
		'501 line 6: not a JSON object' '220 OK 5 events' '221 Bye')
	flow-sub -o beginning -e "$TMP/flows/ev.flows.unix.ar" | cmp - "$TMP/in"
	gen-events 3 7 | flow-pub "$TMP/flows/ev.flows.unix.ar"
	printf '%s\n' "$FNAP_AUTH" 'STREAM ev.flows.unix.ar FROM BEGINNING COUNT 8' 'QUIT' |
		fnap_session > "$TMP/stream"
	sed -n '4,11p' "$TMP/stream" | cmp - <(cat "$TMP/in"; gen-events 3 7)
	[ "$(sed -n 3p "$TMP/stream")" = "220 DATA" ]
	[ "$(tail -n 2 "$TMP/stream")" = "$(printf '220 OK\n221 Bye')" ]
	# a live stream: an event written later arrives; the agent notices the client leave
	timeout 60 tcpclient -R -H 127.0.0.1 "$FNAP_PORT" sh -c \
		'printf "%s\r\n" "$1" "STREAM ev.flows.unix.ar" >&7; exec cat <&6' sh "$FNAP_AUTH" \
		> "$TMP/live" &
	local reader=$!
	# the stream is open (220 DATA, from the end); then an event comes
	wait_lines "$TMP/live" 3 30
	event live-1 | flow-pub "$TMP/flows/ev.flows.unix.ar"
	wait_lines "$TMP/live" 4 30
	# the client leaves
	stop_pids "$reader"
	[ "$(sed -n '3,$p' "$TMP/live" | tr -d '\r')" = "$(printf '220 DATA\n%s' "$(event live-1)")" ]
	wait_until 30 sh -c "! pgrep -P $FNAP_PID > /dev/null"
	printf '%s\n' "$FNAP_AUTH" 'DELETE FLOW ev.flows.unix.ar' \
		'DESCRIBE FLOW ev.flows.unix.ar' 'QUIT' | fnap_session > "$TMP/del"
	[ "$(sed -n 3,4p "$TMP/del")" = "$(printf '220 OK ev.flows.unix.ar\n550 no such flow or access denied')" ]
	[ ! -e "$TMP/flows/ev.flows.unix.ar" ]
}

@test "fnap-serve: 50 concurrent sessions creating flows leave each created once" {
	fnap_start
	local i pids=
	for i in $(seq 1 50); do
		printf '%s\n' "$FNAP_AUTH" "CREATE FLOW f$((i % 10)).flows.unix.ar" \
			"CREATE FLOW u$i.flows.unix.ar" 'QUIT' | fnap_session > "$TMP/s$i" &
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
	# every record whole, no temporary file left
	[ -z "$(ls -A "$TMP/state/flows" | grep '^\.')" ]
	for f in "$TMP"/state/flows/*; do
		grep -qx 'owner=test' "$f"
		grep -qx "path=$TMP/flows/$(basename "$f")" "$f"
	done
	# and 50 sessions deleting them at once, twice each: each deleted once
	pids=
	for i in $(seq 1 50); do
		printf '%s\n' "$FNAP_AUTH" "DELETE FLOW f$((i % 10)).flows.unix.ar" "DELETE FLOW u$i.flows.unix.ar" \
			'QUIT' | fnap_session > "$TMP/d$i" &
		pids="$pids $!"
	done
	# shellcheck disable=SC2086
	wait $pids
	[ "$(cat "$TMP"/d* | grep -c '^220 OK f[0-9]\.flows\.unix\.ar$')" -eq 10 ]
	[ "$(cat "$TMP"/d* | grep -c '^550 ')" -eq 40 ]
	[ -z "$(ls -A "$TMP/state/flows")" ]
	[ -z "$(ls -A "$TMP/flows")" ]
}

@test "fnap-serve: flows-per-user is a quota (552)" {
	FNAP_EXTRA_CONF='flows-per-user 2' fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW a.flows.unix.ar' 'CREATE FLOW b.flows.unix.ar' \
		'CREATE FLOW c.flows.unix.ar' 'DELETE FLOW a.flows.unix.ar' 'CREATE FLOW c.flows.unix.ar' \
		'QUIT' | fnap_session > "$TMP/out"
	assert_eq "$(printf '%s\n' '220 OK a.flows.unix.ar' '220 OK b.flows.unix.ar' \
		'552 quota exceeded: 2 flows' '220 OK a.flows.unix.ar' '220 OK c.flows.unix.ar')" \
		"$(sed -n 3,7p "$TMP/out")" "the session"
}

@test "fnap-serve: CREATE and DELETE register and remove the DNS records (named, nsupdate)" {
	named_start unix.ar
	FNAP_EXTRA_CONF="dns-update nsupdate -k $NAMED_KEY
dns-server 127.0.0.1:$NAMED_PORT
dns-zone unix.ar" fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW pub.flows.unix.ar PUBLIC' 'CREATE FLOW priv.flows.unix.ar' \
		'QUIT' | fnap_session > "$TMP/out"
	[ "$(sed -n 3,4p "$TMP/out")" = "$(printf '220 OK pub.flows.unix.ar\n220 OK priv.flows.unix.ar')" ]
	run flow-resolve pub.flows.unix.ar
	[ "$status" -eq 0 ]
	cmp <(printf '%s\n' "$output") - <<'EOF'
flow=pub.flows.unix.ar
agent=fnaa.unix.ar:61000
agent-tls=no
broker-type=fnap
broker=fnaa.unix.ar:61000
broker-tls=no
topic=pub.flows.unix.ar
url=fnap://fnaa.unix.ar:61000/pub.flows.unix.ar
EOF
	run flow-resolve -l flows.unix.ar
	[ "$output" = "pub.flows.unix.ar" ]
	run flow-resolve -u priv.flows.unix.ar
	[ "$output" = "fnap://fnaa.unix.ar:61000/priv.flows.unix.ar" ]
	printf '%s\n' "$FNAP_AUTH" 'DELETE FLOW pub.flows.unix.ar' 'QUIT' | fnap_session > "$TMP/del"
	[ "$(sed -n 3p "$TMP/del")" = "220 OK pub.flows.unix.ar" ]
	run flow-resolve pub.flows.unix.ar
	[ "$status" -eq 1 ]
	# the last flow gone, the namespace has no _flow._tcp records at all
	run flow-resolve -l flows.unix.ar
	[ "$status" -eq 1 ]
	[[ "$output" == *"no such name"* ]]
	fnap_stop
	# an update that fails: no flow
	FNAP_EXTRA_CONF="dns-update exit 3" fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW x.flows.unix.ar' 'DELETE FLOW priv.flows.unix.ar' 'QUIT' |
		fnap_session > "$TMP/fail"
	[ "$(sed -n 3,4p "$TMP/fail")" = "$(printf '%s\n' '450 cannot register the flow in DNS, retry' \
		'450 cannot remove the DNS records, retry')" ]
	[ ! -e "$TMP/state/flows/x.flows.unix.ar" ]
	[ ! -e "$TMP/flows/x.flows.unix.ar" ]
	[ -e "$TMP/state/flows/priv.flows.unix.ar" ]
	grep -q 'dns-update: x.flows.unix.ar: ' "$TMP/fnap.log"
}

@test "fnap-serve: CAPABILITIES, HELP, NOOP; the idle timeout closes with 421" {
	FNAP_IDLE=1 fnap_start
	printf '%s\n' CAPABILITIES noop Help | fnap_session > "$TMP/out"
	sed -n 1,7p "$TMP/out" | cmp - <(printf '%s\n' '220 fnaa.unix.ar FNAA' '220 DATA' 'FNAP 1' \
		'AUTH PLAIN ANONYMOUS' 'BROKERS file fnap' '220 OK' '220 OK')
	grep -qxF 'STREAM <flow> [GROUP <name>] [FROM <offset>|BEGINNING|END|@<time>|STORED[:<from>]] [COUNT <n>] [TO END]' "$TMP/out"
	[ "$(tail -n 1 "$TMP/out")" = "421 idle for 1 seconds, closing" ]
}

@test "fnap-serve: HELP gives each command's usage as its 501 quotes it, the token of REVOKE, UNSUBSCRIBE, PAUSE and RESUME too" {
	fnap_start
	printf '%s\n' "$FNAP_AUTH" HELP 'REVOKE' 'UNSUBSCRIBE' 'PAUSE' 'RESUME' 'LIST' 'CREATE' QUIT |
		fnap_session > "$TMP/out"
	sed -n 's/^501 usage: //p' "$TMP/out" > "$TMP/usage"
	[ "$(wc -l < "$TMP/usage")" -eq 6 ]
	grep -qx 'REVOKE <subscription-flow> \[<token>\] | REVOKE READ|WRITE ON <flow> FROM <user>' "$TMP/usage"
	grep -qx 'PAUSE <flow> \[<token>\]' "$TMP/usage"
	# each usage line of a 501 is a line of HELP, as it is
	sed -n '/^220 DATA$/,/^220 OK$/p' "$TMP/out" | grep -Fxf "$TMP/usage" | sort | cmp - <(sort "$TMP/usage")
}

@test "fnap-serve: flow-pub to fnap:// whose session ended between two batches keeps the next line in --reject" {
	fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW ev.flows.unix.ar' 'QUIT' | fnap_session > /dev/null
	mkfifo "$TMP/fifo"
	FNAP_USER=test FNAP_PASSWORD=test flow-pub --reject "$TMP/rej" \
		"fnap://127.0.0.1:$FNAP_PORT/ev.flows.unix.ar" < "$TMP/fifo" 2> "$TMP/err" &
	local pub=$! status=0
	exec 8> "$TMP/fifo"
	event first >&8
	# the input idle, the batch is ended and stored; then the session goes
	wait_until 30 test -s "$TMP/flows/ev.flows.unix.ar/00000000000000000000.ndjson"
	pkill -KILL -P "$FNAP_PID" fnap-serve
	event second >&8
	exec 8>&-
	wait "$pub" || status=$?
	cat "$TMP/err" >&2
	[ "$status" -eq 69 ]
	[ "$(flow-sub -o beginning -e "$TMP/flows/ev.flows.unix.ar")" = "$(event first)" ]
	[ "$(cat "$TMP/rej")" = "$(event second)" ]
}

@test "fnap-serve: flow-sub -o @TIME before 1970 over fnap:// starts at the first event at or after it" {
	fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW old.flows.unix.ar' 'QUIT' | fnap_session > /dev/null
	local t
	for t in 1969-12-31T23:59:58.700Z 1969-12-31T23:59:59.200Z 1969-12-31T23:59:59.600Z \
	    1970-01-01T00:00:00.100Z; do
		event "$t" ",\"time\":\"$t\""
	done > "$TMP/in"
	FNAP_USER=test FNAP_PASSWORD=test flow-pub "fnap://127.0.0.1:$FNAP_PORT/old.flows.unix.ar" < "$TMP/in"
	# flow-sub sends the time as STREAM's @TIME in milliseconds, UTC
	FNAP_USER=test FNAP_PASSWORD=test flow-sub -o @1969-12-31T23:59:59.5Z -e \
		"fnap://127.0.0.1:$FNAP_PORT/old.flows.unix.ar" | cmp - <(sed -n '3,$p' "$TMP/in")
	FNAP_USER=test FNAP_PASSWORD=test flow-sub -o @1969-12-31T23:59:58.999Z -e \
		"fnap://127.0.0.1:$FNAP_PORT/old.flows.unix.ar" | cmp - <(sed -n '2,$p' "$TMP/in")
}

@test "fnap-serve: STREAM FROM @-1h and flow-sub -o @-30m over fnap:// take relative times; bad ones are 501" {
	fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW rel.flows.unix.ar' 'QUIT' | fnap_session > /dev/null
	local ago usage
	for ago in '3 hours' '90 minutes' '20 minutes' '5 minutes'; do
		event "${ago// /-}" ",\"time\":\"$(date -u -d "-$ago" +%FT%TZ)\""
	done > "$TMP/in"
	flow-pub "$TMP/flows/rel.flows.unix.ar" < "$TMP/in"
	printf '%s\n' "$FNAP_AUTH" 'STREAM rel.flows.unix.ar FROM @-1h TO END' \
		'STREAM rel.flows.unix.ar FROM @-100m COUNT 1' 'STREAM rel.flows.unix.ar FROM STORED:@-1h' \
		'STREAM rel.flows.unix.ar FROM @-5x' 'STREAM rel.flows.unix.ar FROM @-' \
		'STREAM rel.flows.unix.ar FROM @--5m' 'STREAM rel.flows.unix.ar FROM @-99999999999d' \
		'STREAM rel.flows.unix.ar FROM @+1h' 'QUIT' | fnap_session > "$TMP/out"
	usage='501 usage: STREAM <flow> [GROUP <name>] [FROM <offset>|BEGINNING|END|@<time>|STORED[:<from>]] [COUNT <n>] [TO END]'
	cmp "$TMP/out" - <<OUT
220 fnaa.unix.ar FNAA
220 Authenticated
220 DATA
$(sed -n '3,4p' "$TMP/in")
220 OK
220 DATA
$(sed -n 2p "$TMP/in")
220 OK
$usage
$usage
$usage
$usage
$usage
$usage
221 Bye
OUT
	# the consumer resolves -o @-30m itself and sends STREAM an absolute time
	FNAP_USER=test FNAP_PASSWORD=test flow-sub -o @-30m -e \
		"fnap://127.0.0.1:$FNAP_PORT/rel.flows.unix.ar" | cmp - <(sed -n '3,$p' "$TMP/in")
}

@test "fnap-serve: fnap:// and fnaps:// URLs in flow-pub and flow-sub" {
	tls_conf
	fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW ev.flows.unix.ar' 'CREATE FLOW pub.flows.unix.ar PUBLIC' \
		'QUIT' | fnap_session > /dev/null
	gen-events 20 > "$TMP/in"
	FNAP_USER=test FNAP_PASSWORD=test flow-pub "fnap://127.0.0.1:$FNAP_PORT/ev.flows.unix.ar" < "$TMP/in"
	flow-sub -o beginning -e "$TMP/flows/ev.flows.unix.ar" | cmp - "$TMP/in"
	FNAP_USER=test FNAP_PASSWORD=test flow-sub -o beginning -e "fnap://127.0.0.1:$FNAP_PORT/ev.flows.unix.ar" |
		cmp - "$TMP/in"
	FNAP_USER=test FNAP_PASSWORD=test flow-sub -o 15 -c 3 "fnap://127.0.0.1:$FNAP_PORT/ev.flows.unix.ar" |
		cmp - <(sed -n 16,18p "$TMP/in")
	FNAP_USER=test FNAP_PASSWORD=test flow-bridge -o beginning -e "fnap://127.0.0.1:$FNAP_PORT/ev.flows.unix.ar" \
		"$TMP/copy"
	flow-sub -o beginning -e "$TMP/copy" | cmp - "$TMP/in"
	# without credentials: anonymous, public flows only
	run flow-sub -e "fnap://127.0.0.1:$FNAP_PORT/ev.flows.unix.ar"
	[ "$status" -eq 77 ]
	run flow-pub "fnap://127.0.0.1:$FNAP_PORT/pub.flows.unix.ar" < "$TMP/in"
	[ "$status" -eq 77 ]
	run flow-sub -e "fnap://127.0.0.1:$FNAP_PORT/pub.flows.unix.ar"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# a new group starts at the end (0068 tries groups further)
	run env FNAP_USER=test FNAP_PASSWORD=test flow-sub -e -g g "fnap://127.0.0.1:$FNAP_PORT/ev.flows.unix.ar"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	fnap_stop
	# fnaps: implicit TLS, the certificate checked against FNAP_CA
	fnap_start -T
	FNAP_CA=$TMP/tls/ca.pem FNAP_USER=test FNAP_PASSWORD=test \
		flow-sub -o beginning -e "fnaps://localhost:$FNAP_PORT/ev.flows.unix.ar" | cmp - "$TMP/in"
	run env FNAP_USER=test FNAP_PASSWORD=test flow-sub -e "fnaps://localhost:$FNAP_PORT/ev.flows.unix.ar"
	[ "$status" -eq 69 ]
	assert_match 'TLS: .*certificate' "$output"
}
