#!/usr/bin/env bats
# fnap-serve's audit trail: one key=value line on its standard error for
# every authentication, every change of state and every PUBLISH, under a
# real tcpserver (and s6-svscan for the processors of subscriptions, the
# mock Kafka cluster for offsets by partition); hostile names quoted.

load helpers/common
load helpers/fnap
load helpers/kafka
load helpers/s6

setup() { common_setup; }
teardown() {
	local clean=0
	fnap_stop || clean=1
	s6_stop
	kafka_stop
	no_sanitizer_reports "$TMP/s6.log" || clean=1
	common_teardown
	return $clean
}

OTHER='AUTHENTICATE PLAIN AG90aGVyAHNlY3JldA=='
PREFIX='fnap-serve: audit:'

# audit EVENT: its lines in the agent's log, but for what differs from run
# to run: session=N is session=S, the client's port on loopback P
audit() {
	grep -a "^$PREFIX event=$1 " "$TMP/fnap.log" |
		sed -E 's/ session=[0-9]+ / session=S /; s/ peer=127\.0\.0\.1:[0-9]+ / peer=127.0.0.1:P /'
}

# keys: the keys of each line of stdin, in their order (quoted values,
# where a "=" or a space may be, taken out first)
keys() {
	sed -E 's/"([^"\\]|\\.)*"/Q/g; s/^[^:]*: audit://; s/=[^ ]*//g'
}

# man_lines EVENT: the examples of fnap-serve(8) of that event
man_lines() {
	grep "^$PREFIX event=$1 " "$FLOW_SRCDIR/man/fnap-serve.8"
}

# man_keys_match EVENT...: each event's lines in the log have the keys of
# its examples in fnap-serve(8), the same kinds of them (auth: three)
man_keys_match() {
	local e
	for e; do
		[ -n "$(man_lines "$e")" ] || { echo "no example of $e in fnap-serve(8)" >&2; return 1; }
		assert_eq "$(man_lines "$e" | keys | sort -u)" "$(audit "$e" | keys | sort -u)" "keys of $e"
	done
}

# well_formed: every line of the log but tcpserver's own is an audit line:
# the prefix, then key=value words, values plain or quoted with \" \\ \xHH
well_formed() {
	local bad
	bad=$(LC_ALL=C grep -avP '^fnap-serve: audit:( [a-z]+=([\x21\x23-\x3c\x3e-\x5b\x5d-\x7e]+|"([\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\]|\\x[0-9a-f]{2})*"))+$' \
		"$TMP/fnap.log" | grep -av '^tcpserver: ' || true)
	[ -z "$bad" ] || { echo "not an audit line: <$bad>" >&2; return 1; }
}

# plain USER PASSWORD: the AUTHENTICATE PLAIN line of that user
plain() {
	printf 'AUTHENTICATE PLAIN %s\n' "$(printf '\0%s\0%s' "$1" "$2" | base64 -w 0)"
}

L="$PREFIX event=auth session=S peer=127.0.0.1:P tls=no"

# two_events FILE: FILE holds two events (lines of JSON) at least
two_events() { [ "$(grep -c '^{' "$1")" -ge 2 ]; }

@test "audit: PLAIN and ANONYMOUS logins, failed or not, one line each: user, mechanism, peer, TLS, the session's pid" {
	TCPSERVER_OPTS=-v fnap_start
	printf '%s\n' "$FNAP_AUTH" QUIT | fnap_session > /dev/null
	# two wrong, then the reserved name: the third failure closes (421)
	printf '%s\n' "$(plain test wrong)" "$(plain nobody x)" "$(plain anonymous x)" |
		fnap_session > "$TMP/fail"
	[ "$(tail -n 1 "$TMP/fail")" = '421 too many authentication failures, closing' ]
	printf '%s\n' 'AUTHENTICATE ANONYMOUS ops@example.net' QUIT | fnap_session > /dev/null
	printf '%s\n' 'AUTHENTICATE ANONYMOUS' QUIT | fnap_session > /dev/null
	# no authentication, no line: not base64, cancelled, no mechanism
	printf '%s\n' 'AUTHENTICATE PLAIN !!' 'AUTHENTICATE PLAIN' '*' 'AUTHENTICATE' 'AUTHENTICATE X' QUIT |
		fnap_session > "$TMP/none"
	[ "$(grep -c '^501 ' "$TMP/none")" -eq 4 ]
	cmp <(audit auth) - <<OUT
$L user=test mech=plain code=220
$L user=test mech=plain reason="wrong user or password" code=535
$L user=nobody mech=plain reason="wrong user or password" code=535
$L user=anonymous mech=plain reason="a reserved name, no user's" code=421
$L user=anonymous mech=anonymous trace=ops@example.net code=220
$L user=anonymous mech=anonymous trace=- code=220
OUT
	# the old diagnostic is gone: one line an event
	! grep -q 'authentication failed for' "$TMP/fnap.log" || false
	# session is the process's pid, as tcpserver -v tells it, and peer its client's port
	read -r pid port < <(grep -a "^$PREFIX event=auth .* user=test " "$TMP/fnap.log" |
		sed -E 's/.* session=([0-9]+) peer=127\.0\.0\.1:([0-9]+) .*/\1 \2/')
	grep -q "^tcpserver: pid $pid from 127\.0\.0\.1$" "$TMP/fnap.log"
	grep -Eq "^tcpserver: ok $pid [^ ]* [^ ]*:127\.0\.0\.1::$port$" "$TMP/fnap.log"
	# the sessions are different processes
	[ "$(grep -a "^$PREFIX " "$TMP/fnap.log" | sed -E 's/.* session=([0-9]+) .*/\1/' | sort -u | wc -l)" -eq 4 ]
	man_keys_match auth
	well_formed
}

@test "audit: TLS and another host: PLAIN refused in the clear (538, no user yet), then over STARTTLS" {
	fnap_tls_files
	FNAP_EXTRA_CONF="tls-certificate $TMP/tls/cert.pem
tls-key $TMP/tls/key.pem" FNAP_WRAP="env TCPREMOTEIP=192.0.2.7" fnap_start
	printf '%s\n' "$FNAP_AUTH" QUIT | fnap_session > /dev/null
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW t.flows.unix.ar' QUIT | fnap_starttls_session > "$TMP/tls.out"
	[ "$(sed -n 1,2p "$TMP/tls.out")" = "$(printf '220 Authenticated\n220 OK t.flows.unix.ar')" ]
	audit auth | sed -E 's/ peer=192\.0\.2\.7:[0-9]+ / peer=192.0.2.7:P /' | cmp - <<OUT
$PREFIX event=auth session=S peer=192.0.2.7:P tls=no user=- mech=plain code=538
$PREFIX event=auth session=S peer=192.0.2.7:P tls=yes user=test mech=plain code=220
OUT
	assert_match ' peer=192\.0\.2\.7:[0-9]+ tls=yes user=test flow=t\.flows\.unix\.ar public=no code=220$' \
		"$(audit create)"
	well_formed
}

@test "audit: CREATE and DELETE, refused ones too, with their codes; 501 has no line" {
	fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW a.flows.unix.ar PUBLIC' 'CREATE FLOW B.Flows.Unix.AR' \
		'CREATE FLOW a.flows.unix.ar' 'CREATE FLOW x.other.example' 'CREATE FLOW' \
		'CREATE FLOW c.flows.unix.ar NOW' 'CREATE a.flows.unix.ar' QUIT | fnap_session > "$TMP/create"
	sed -n '3,$p' "$TMP/create" | cmp - <<'OUT'
220 OK a.flows.unix.ar
220 OK b.flows.unix.ar
553 flow name not allowed: a.flows.unix.ar exists
550 no such flow or access denied
553 flow name not allowed: missing
501 usage: CREATE FLOW <fqdn> [PUBLIC] [RETAIN <n>d|<n>h|<n> EVENTS]
501 usage: CREATE FLOW <fqdn> [PUBLIC] [RETAIN <n>d|<n>h|<n> EVENTS]
221 Bye
OUT
	printf '%s\n' "$OTHER" 'DELETE FLOW a.flows.unix.ar' 'DELETE FLOW nosuch.flows.unix.ar' QUIT |
		fnap_session > /dev/null
	printf '%s\n' 'AUTHENTICATE ANONYMOUS' 'CREATE FLOW z.flows.unix.ar' 'DELETE FLOW a.flows.unix.ar' QUIT |
		fnap_session > /dev/null
	printf '%s\n' "$FNAP_AUTH" 'DELETE FLOW A.flows.unix.ar' 'DELETE FLOW' 'DELETE a.flows.unix.ar' QUIT |
		fnap_session > "$TMP/delete"
	sed -n '3,$p' "$TMP/delete" | cmp - <(printf '%s\n' '220 OK a.flows.unix.ar' \
		'553 flow name not allowed: missing' '501 usage: DELETE FLOW <fqdn>' '221 Bye')
	U="$PREFIX event=create session=S peer=127.0.0.1:P tls=no"
	cmp <(audit create) - <<OUT
$U user=test flow=a.flows.unix.ar public=yes code=220
$U user=test flow=b.flows.unix.ar public=no code=220
$U user=test flow=a.flows.unix.ar public=no code=553
$U user=test flow=x.other.example public=no code=550
$U user=test flow=- public=no code=553
$U user=anonymous flow=z.flows.unix.ar public=no code=550
OUT
	U="$PREFIX event=delete session=S peer=127.0.0.1:P tls=no"
	cmp <(audit delete) - <<OUT
$U user=other flow=a.flows.unix.ar code=550
$U user=other flow=nosuch.flows.unix.ar code=550
$U user=anonymous flow=a.flows.unix.ar code=550
$U user=test flow=a.flows.unix.ar code=220
$U user=test flow=- code=553
OUT
	man_keys_match create delete
	well_formed
}

@test "audit: SUBSCRIBE (LOCAL, WHERE), PAUSE, RESUME, REVOKE, UNSUBSCRIBE under s6; never a token" {
	s6_start
	FNAP_EXTRA_CONF="supervisor $S6_SCAN" fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW arrivals.flows.unix.ar PUBLIC' QUIT | fnap_session > /dev/null
	printf '%s\n' "$OTHER" 'SUBSCRIBE arrivals.flows.unix.ar WHERE delay > 30' QUIT | fnap_session > "$TMP/sub"
	sub=$(sed -n 4p "$TMP/sub")
	assert_match '^[a-z0-9]{7}\.arrivals\.flows\.unix\.ar$' "$sub"
	printf '%s\n' "$OTHER" "PAUSE $sub" "RESUME $sub" 'SUBSCRIBE nosuch.flows.unix.ar' \
		'SUBSCRIBE arrivals.flows.unix.ar LOCAL mine' 'SUBSCRIBE arrivals.flows.unix.ar LOCAL ../x' QUIT |
		fnap_session > "$TMP/other"
	local_sub=$(sed -n 's/^mine\.other\.example SUBSCRIBED TO //p' "$TMP/other")
	assert_match '^[a-z0-9]{7}\.arrivals\.flows\.unix\.ar$' "$local_sub"
	# an anonymous subscription is managed by its token, which no line shows
	printf '%s\n' 'AUTHENTICATE ANONYMOUS' "REVOKE $sub" 'SUBSCRIBE arrivals.flows.unix.ar' QUIT |
		fnap_session > "$TMP/anon"
	anon_sub=$(sed -n 5p "$TMP/anon")
	token=$(sed -n 's/^220 OK token=//p' "$TMP/anon")
	assert_match '^[0-9a-f]{32}$' "$token"
	printf '%s\n' 'AUTHENTICATE ANONYMOUS' "PAUSE $anon_sub $token" "REVOKE $anon_sub $token" QUIT |
		fnap_session > "$TMP/anon2"
	[ "$(sed -n 3,4p "$TMP/anon2")" = "$(printf '220 OK\n220 OK')" ]
	printf '%s\n' "$FNAP_AUTH" "REVOKE $sub" QUIT | fnap_session > /dev/null
	printf '%s\n' "$OTHER" 'UNSUBSCRIBE mine.other.example' "RESUME $sub" QUIT | fnap_session > /dev/null
	! grep -q "$token" "$TMP/fnap.log" || false
	P="session=S peer=127.0.0.1:P tls=no"
	cmp <(audit subscribe) - <<OUT
$PREFIX event=subscribe $P user=other flow=arrivals.flows.unix.ar sub=$sub local=- where="delay > 30" code=220
$PREFIX event=subscribe $P user=other flow=nosuch.flows.unix.ar sub=- local=- where=- code=550
$PREFIX event=subscribe $P user=other flow=arrivals.flows.unix.ar sub=$local_sub local=mine.other.example where=- code=220
$PREFIX event=subscribe $P user=other flow=arrivals.flows.unix.ar sub=- local=../x where=- code=553
$PREFIX event=subscribe $P user=anonymous flow=arrivals.flows.unix.ar sub=$anon_sub local=- where=- code=220
OUT
	cmp <(audit pause) - <<OUT
$PREFIX event=pause $P user=other flow=$sub code=220
$PREFIX event=pause $P user=anonymous flow=$anon_sub code=220
OUT
	cmp <(audit resume) - <<OUT
$PREFIX event=resume $P user=other flow=$sub code=220
$PREFIX event=resume $P user=other flow=$sub code=550
OUT
	cmp <(audit revoke) - <<OUT
$PREFIX event=revoke $P user=anonymous flow=$sub code=550
$PREFIX event=revoke $P user=anonymous flow=$anon_sub code=220
$PREFIX event=revoke $P user=test flow=$sub code=220
OUT
	cmp <(audit unsubscribe) - <<OUT
$PREFIX event=unsubscribe $P user=other flow=mine.other.example code=220
OUT
	man_keys_match subscribe pause resume revoke unsubscribe
	well_formed
}

# publish_events N [FLOW]: a PUBLISH of N events in a session of user test
publish_events() {
	{ echo "$FNAP_AUTH"; echo "PUBLISH ${2:-p.flows.unix.ar}"; [ "$1" -eq 0 ] || gen-events "$1"; echo .; echo QUIT; } |
		fnap_session
}

@test "audit: PUBLISH to a file flow: the offsets stored, the count, how it ended" {
	fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW p.flows.unix.ar' QUIT | fnap_session > /dev/null
	publish_events 3 > /dev/null
	# others' events take offsets 3 and 4
	gen-events 2 | flow-pub "$TMP/flows/p.flows.unix.ar"
	# a rejected line stores nothing
	{ echo "$FNAP_AUTH"; echo 'PUBLISH p.flows.unix.ar'; gen-events 1; echo 'not an event'; gen-events 1 2;
		echo .; echo QUIT; } | fnap_session > "$TMP/pub"
	grep -qx '220 OK 2 events' "$TMP/pub"
	publish_events 0 > /dev/null
	# a client that leaves before its "." line: what came is kept, no reply
	exec 5<> "/dev/tcp/127.0.0.1/$FNAP_PORT"
	{ echo "$FNAP_AUTH"; echo 'PUBLISH p.flows.unix.ar'; gen-events 1; } | sed 's/$/\r/' >&5
	head -n 3 <&5 > "$TMP/cut"
	exec 5>&- 5<&-
	[ "$(tr -d '\r' < "$TMP/cut" | sed -n 3p)" = '220 OK send events' ]
	wait_until 10 grep -q ' code=-$' "$TMP/fnap.log"
	# a flow the user may not write: no PUBLISH starts, and no line
	printf '%s\n' "$OTHER" 'PUBLISH p.flows.unix.ar' QUIT | fnap_session > "$TMP/denied"
	grep -qx '550 no such flow or access denied' "$TMP/denied"
	U="$PREFIX event=publish session=S peer=127.0.0.1:P tls=no user=test flow=p.flows.unix.ar"
	cmp <(audit publish) - <<OUT
$U partition=0 first=0 last=2 count=3 code=220
$U partition=0 first=5 last=6 count=2 code=220
$U partition=- first=- last=- count=0 code=220
$U partition=0 first=7 last=7 count=1 code=-
OUT
	[ "$(flow-sub -o beginning -e "$TMP/flows/p.flows.unix.ar" | wc -l)" -eq 8 ]
	man_keys_match publish
	# STREAM's line is PUBLISH's, another event (audit_stream, called by STREAM)
	assert_eq "$(man_lines publish | keys | sed 's/^ event/ E/')" "$(man_lines stream | keys | sed 's/^ event/ E/')"
	well_formed
}

@test "audit: STREAM: the offsets delivered and how it ended (COUNT, TO END, a client gone, a grant taken away); GRANT and REVOKE ... FROM" {
	fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW s.flows.unix.ar' QUIT | fnap_session > /dev/null
	for i in 1 2 3 4 5 6; do event "$i" ",\"delay\":$(( i % 2 ? 10 : 40 ))"; done | flow-pub "$TMP/flows/s.flows.unix.ar"
	printf '%s\n' "$FNAP_AUTH" 'STREAM s.flows.unix.ar FROM 1 COUNT 2' 'STREAM s.flows.unix.ar FROM -1 TO END' \
		'STREAM s.flows.unix.ar FROM END TO END' 'GRANT READ ON s.flows.unix.ar TO other WHERE delay > 30' \
		'GRANT WRITE ON s.flows.unix.ar TO anonymous' 'GRANT READ ON nope.flows.unix.ar TO other' QUIT |
		fnap_session > /dev/null
	# the grantee: only what the WHERE lets through; 550 before a stream starts has no line
	printf '%s\n' "$OTHER" 'STREAM s.flows.unix.ar FROM BEGINNING TO END' 'STREAM x.flows.unix.ar' QUIT |
		fnap_session > "$TMP/o"
	[ "$(grep -c '^{' "$TMP/o")" -eq 3 ]
	# a GROUP stream acknowledged; one, from there, that the grant's end stops
	printf '%s\n' "$OTHER" 'STREAM s.flows.unix.ar GROUP g FROM BEGINNING COUNT 1' 'ACK 1' QUIT | fnap_session > /dev/null
	mkfifo "$TMP/f"
	fnap_raw < "$TMP/f" > "$TMP/st" &
	pid=$!
	exec 8> "$TMP/f"
	printf '%s\r\n' "$OTHER" 'STREAM s.flows.unix.ar GROUP g' >&8
	wait_until 10 two_events "$TMP/st"
	printf '%s\n' "$FNAP_AUTH" 'REVOKE READ ON s.flows.unix.ar FROM other' 'REVOKE WRITE ON s.flows.unix.ar FROM other' \
		QUIT | fnap_session > /dev/null
	wait_until 10 grep -q '^550 ' "$TMP/st"
	exec 8>&-
	wait "$pid"
	T="$PREFIX event=stream session=S peer=127.0.0.1:P tls=no"
	cmp <(audit stream) - <<OUT
$T user=test flow=s.flows.unix.ar partition=0 first=1 last=2 count=2 code=220
$T user=test flow=s.flows.unix.ar partition=0 first=5 last=5 count=1 code=220
$T user=test flow=s.flows.unix.ar partition=- first=- last=- count=0 code=220
$T user=other flow=s.flows.unix.ar partition=0 first=1 last=5 count=3 code=220
$T user=other flow=s.flows.unix.ar partition=0 first=1 last=1 count=1 code=220
$T user=other flow=s.flows.unix.ar partition=0 first=3 last=5 count=2 code=550
OUT
	G="$PREFIX event=grant session=S peer=127.0.0.1:P tls=no user=test flow"
	R="$PREFIX event=revoke-grant session=S peer=127.0.0.1:P tls=no user=test flow"
	cmp <(audit grant; audit revoke-grant) - <<OUT
$G=s.flows.unix.ar right=read grantee=other where="delay > 30" code=220
$G=s.flows.unix.ar right=write grantee=anonymous where=- code=501
$G=nope.flows.unix.ar right=read grantee=other where=- code=550
$R=s.flows.unix.ar right=read grantee=other code=220
$R=s.flows.unix.ar right=write grantee=other code=550
OUT
	man_keys_match stream grant revoke-grant
	well_formed
}

@test "audit: PUBLISH to Kafka: one partition's offsets from the delivery reports; several partitions make no range" {
	kafka_start 1
	kafka_cmd "topic one.flows.unix.ar 1"
	kafka_cmd "topic three.flows.unix.ar 3"
	FNAP_NAMESPACES="namespace flows.unix.ar kafka $KAFKA topics=auto" fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW one.flows.unix.ar' 'CREATE FLOW three.flows.unix.ar' QUIT |
		fnap_session > /dev/null
	publish_events 5 one.flows.unix.ar | grep -qx '220 OK 5 events'
	publish_events 3 one.flows.unix.ar | grep -qx '220 OK 3 events'
	# thirty keys: the partitioner spreads them over the three partitions
	{ echo "$FNAP_AUTH"; echo 'PUBLISH three.flows.unix.ar'
		for i in $(seq 1 30); do event "k$i" ",\"partitionkey\":\"key$i\""; done; echo .; echo QUIT; } |
		fnap_session | grep -qx '220 OK 30 events'
	[ "$(kafka_read three.flows.unix.ar -f '%p\n' | sort -u | wc -l)" -gt 1 ]
	U="$PREFIX event=publish session=S peer=127.0.0.1:P tls=no user=test"
	cmp <(audit publish) - <<OUT
$U flow=one.flows.unix.ar partition=0 first=0 last=4 count=5 code=220
$U flow=one.flows.unix.ar partition=0 first=5 last=7 count=3 code=220
$U flow=three.flows.unix.ar partition=- first=- last=- count=30 code=220
OUT
	# the offsets are Kafka's own, as kcat reads them
	assert_eq "$(seq 0 7)" "$(kafka_read one.flows.unix.ar -f '%o\n')"
	well_formed
}

@test "audit: hostile user, flow and trace names make no second key and no second line" {
	fnap_start
	# a user name is 63 bytes at most
	forged='e" code=220
fnap-serve: audit: event=auth user=root'
	long=$(printf 'a%.0s' $(seq 1 3000))
	{ plain "$forged" x; plain 'a b=c' x; echo 'AUTHENTICATE ANONYMOUS x=y"z\'
		echo 'AUTHENTICATE ANONYMOUS code=220'
		printf 'CREATE FLOW a"b=c.flows.unix.ar\n'; printf 'CREATE FLOW a\rb.flows.unix.ar\n'
		echo "CREATE FLOW $long.flows.unix.ar"; printf 'CREATE FLOW jos\xc3\xa9.flows.unix.ar\n'
		echo QUIT; } | fnap_session > "$TMP/out"
	[ "$(grep -c '^553 ' "$TMP/out")" -eq 4 ]
	# as many lines as events, every one of them well formed
	[ "$(wc -l < "$TMP/fnap.log")" -eq 8 ]
	well_formed
	! grep -q '^fnap-serve: audit: event=auth user=root' "$TMP/fnap.log" || false
	A="$PREFIX event=auth session=S peer=127.0.0.1:P tls=no"
	C="$PREFIX event=create session=S peer=127.0.0.1:P tls=no user=anonymous"
	cmp <(audit '[a-z]*') - <<OUT
$A user="e\\" code=220\\x0afnap-serve: audit: event=auth user=root" mech=plain reason="wrong user or password" code=535
$A user="a b=c" mech=plain reason="wrong user or password" code=535
$A user=anonymous mech=anonymous trace="x=y\\"z\\\\" code=220
$A user=anonymous mech=anonymous trace="code=220" code=220
$C flow="a\\"b=c.flows.unix.ar" public=no code=553
$C flow="a\\x0db.flows.unix.ar" public=no code=553
$C flow="$(printf 'a%.0s' $(seq 1 251))..." public=no code=553
$C flow="jos\\xc3\\xa9.flows.unix.ar" public=no code=553
OUT
	# each line has its keys once, in their order
	cmp <(audit '[a-z]*' | keys | sort | uniq -c | sed -E 's/^ *([0-9]+) /\1/') - <<'OUT'
4 event session peer tls user flow public code
2 event session peer tls user mech reason code
2 event session peer tls user mech trace code
OUT
}

@test "audit: 40 sessions at once: every line whole, four a session, none lost" {
	fnap_start
	gen-events 50 > "$TMP/in"
	mkdir "$TMP/out"
	local i pids=()
	for i in $(seq 1 40); do
		{ echo "$FNAP_AUTH"; echo "CREATE FLOW w$i.flows.unix.ar"; echo "PUBLISH w$i.flows.unix.ar"
			cat "$TMP/in"; echo .; echo "DELETE FLOW w$i.flows.unix.ar"; echo QUIT; } |
			fnap_session > "$TMP/out/$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	[ "$(cat "$TMP"/out/* | grep -c '^220 OK 50 events$')" -eq 40 ]
	[ "$(wc -l < "$TMP/fnap.log")" -eq 160 ]
	well_formed
	# each session's four lines, in the order of its commands
	for i in $(seq 1 40); do
		pid=$(grep -a " flow=w$i\.flows\.unix\.ar public=no code=220\$" "$TMP/fnap.log" |
			sed -E 's/.* session=([0-9]+) .*/\1/')
		assert_eq 'auth create publish delete' \
			"$(grep -a " session=$pid " "$TMP/fnap.log" | sed -E 's/^[^=]*=([a-z]+) .*/\1/' | tr '\n' ' ' | sed 's/ $//')"
		grep -aq " session=$pid .* flow=w$i\.flows\.unix\.ar partition=0 first=0 last=49 count=50 code=220\$" "$TMP/fnap.log"
	done
}

@test "audit: with the connection as standard error (inetd), the lines stay off the connection" {
	fnap_config
	# as inetd starts it: descriptors 0, 1 and 2 are the connection
	tcp_start "$TMP/fnap.port" sh -c 'exec "$@" 2>&1' sh fnap-serve -c "$TMP/fnap.conf" 2> "$TMP/fnap.log"
	FNAP_PID=$TCP_PID
	FNAP_PORT=$TCP_PORT
	printf '%s\n' "$FNAP_AUTH" "$(plain test wrong)" 'CREATE FLOW i.flows.unix.ar' QUIT | fnap_session > "$TMP/out"
	cmp "$TMP/out" - <<'OUT'
220 fnaa.unix.ar FNAA
220 Authenticated
535 authentication failed
220 OK i.flows.unix.ar
221 Bye
OUT
	! grep -q audit "$TMP/fnap.log" || false
}

@test "audit: fnap-serve(8) has an example of every kind of line, and only of those" {
	assert_eq 'auth create delete grant pause publish publish-key resume retention revoke revoke-grant stream subscribe unsubscribe' \
		"$(grep -o "^$PREFIX event=[a-z-]*" "$FLOW_SRCDIR/man/fnap-serve.8" | sed 's/.*=//' | sort -u | tr '\n' ' ' | sed 's/ $//')"
	# the prefix and the keys the page lists for every line
	grep -q '^\.Ql fnap-serve: audit:$' "$FLOW_SRCDIR/man/fnap-serve.8"
	for k in event session peer tls user code; do
		grep -Eq "^\.(It )?Li $k( ,)?\$" "$FLOW_SRCDIR/man/fnap-serve.8"
	done
}
