#!/usr/bin/env bats
# fnap, the user agent: against fnap-serve under tcpserver (plain and
# TLS), a scripted agent that records what fnap sends, named for the
# agents found through DNS, and s6 for subscriptions.

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
	fnap_stop
	fnapua_fake_stop
	s6_stop
	named_stop
	common_teardown
}

# body: the body of the DATA block of a session's output on stdin
body() {
	sed -n '/^220 DATA$/,/^220 OK$/p' | sed '1d;$d'
}

@test "fnap: -h, -V and usage errors (64)" {
	run fnap -h
	[ "$status" -eq 0 ]
	assert_match '^usage: fnap ' "${lines[0]}"
	assert_match 'subscribe FLOW \[--from START\] \[--local NAME\] \[--where EXPR\]' "$output"
	run fnap -V
	[ "$status" -eq 0 ]
	assert_match '^fnap [0-9]+\.[0-9]+' "$output"
	local args
	for args in '' frobnicate create 'create flow' 'create flow a.b c.d' 'list' 'list things' \
		'caps now' 'describe flow a..b' 'describe flow x.flows.unix.ar --public' \
		'create flow x.flows.unix.ar --local y' 'subscribe x.flows.unix.ar --local a_b' \
		'-j shell' '-x caps' '--agent'; do
		# shellcheck disable=SC2086
		run --separate-stderr fnap $args
		[ "$status" -eq 64 ] || { echo "fnap $args: status $status" >&2; false; }
		assert_match '^usage: fnap ' "${stderr_lines[${#stderr_lines[@]} - 1]}"
	done
	run --separate-stderr fnap create flow
	assert_eq 'fnap: usage: fnap create flow FQDN [--public] [--retain 7d|12h|N]' "${stderr_lines[0]}"
	run --separate-stderr fnap describe flow a..b
	assert_eq 'fnap: describe flow a..b: empty label' "${stderr_lines[0]}"
	run --separate-stderr fnap subscribe x.flows.unix.ar --where $'delay > 1\nQUIT'
	[ "$status" -eq 64 ]
	assert_eq 'fnap: --where: one line, not empty' "${stderr_lines[0]}"
	run --separate-stderr fnap -s 'bad host' caps
	[ "$status" -eq 64 ]
	# nothing was printed on stdout
	[ -z "$output" ]
}

@test "fnap: ~/.flow.yml errors name their line (78); no ~/.flow.yml is an empty configuration" {
	# bad REASON: the configuration on stdin is refused with REASON
	bad() {
		cat > "$TMP/bad.yml"
		run --separate-stderr fnap -c "$TMP/bad.yml" list namespaces
		[ "$status" -eq 78 ] || { echo "status $status: $stderr" >&2; return 1; }
		assert_eq "fnap: $TMP/bad.yml: $1" "$stderr"
	}
	bad 'line 6: agent: unknown key passwd' <<'YML'
agents:
  - name: fnaa-unix
    fqdn: localhost
    username: test
    # a typo must not fall back on ANONYMOUS
    passwd: test
YML
	bad 'line 5: namespace flows.unix.ar: no agent named fnaa' <<'YML'
agents:
  - name: fnaa-unix
    fqdn: localhost
namespaces:
  - name: flows.unix.ar
    agent: fnaa
YML
	bad 'line 1: unknown key agent: expected agents: and namespaces:' <<< 'agent: []'
	bad 'line 2: did not find expected node content' <<< 'agents: ['
	bad 'line 4: port: expected 1-65535' <<< $'agents:\n  - name: a\n    fqdn: localhost\n    port: 70000'
	bad 'line 3: tls: expected true or false' <<< $'agents:\n  - name: a\n    tls: maybe'
	bad 'line 2: an agent needs a name and an fqdn' <<< $'agents:\n  - name: a'
	bad 'line 2: agent a: a username needs a password, and a password a username' \
		<<< $'agents:\n  - name: a\n    fqdn: localhost\n    username: test'
	bad "line 3: fqdn: characters other than a-z, 0-9, '-' and '.'" \
		<<< $'agents:\n  - name: a\n    fqdn: local_host'
	bad 'line 4: agent a listed twice' <<< $'agents:\n  - {name: a, fqdn: h1}\n\n  - {name: a, fqdn: h2}'
	bad 'line 1: agents: expected a list' <<< 'agents: fnaa'
	bad 'line 3: aliases are not supported' <<< $'agents:\n  - &a {name: a, fqdn: h}\n  - *a'
	bad 'line 2: more than one document' <<< $'agents: []\n---\nagents: []'
	run --separate-stderr fnap -c "$TMP/none.yml" list namespaces
	[ "$status" -eq 78 ]
	assert_eq "fnap: $TMP/none.yml: No such file or directory" "$stderr"
	# no ~/.flow.yml, or one with comments only: no agent to ask by default
	run --separate-stderr fnap list namespaces
	[ "$status" -eq 78 ]
	assert_eq 'fnap: no agent: name one with --agent, or list one in the configuration' "$stderr"
	mkdir -p "$HOME"
	printf '# nothing yet\n' > "$HOME/.flow.yml"
	run --separate-stderr fnap caps
	[ "$status" -eq 78 ]
	assert_match 'no agent' "$stderr"
	# and ~/.flow.yml is read: its errors show
	printf 'agents:\n  - name: a\n    fqdn: h\n    color: blue\n' > "$HOME/.flow.yml"
	run --separate-stderr fnap caps
	[ "$status" -eq 78 ]
	assert_eq "fnap: $HOME/.flow.yml: line 4: agent: unknown key color" "$stderr"
}

@test "fnap: create, describe, list and delete flows with ~/.flow.yml's credentials (PLAIN)" {
	fnap_start
	fnapua_config
	run --separate-stderr fnap create flow Time.flows.unix.ar
	[ "$status" -eq 0 ]
	[ "$output" = "flow=time.flows.unix.ar" ]
	[ -d "$TMP/flows/time.flows.unix.ar" ]
	run --separate-stderr fnap create flow pub.flows.unix.ar --public
	[ "$output" = "flow=pub.flows.unix.ar" ]
	# DESCRIBE's body as it is, the owner the user of ~/.flow.yml
	run --separate-stderr fnap describe flow time.flows.unix.ar
	[ "$status" -eq 0 ]
	printf '%s\n' "$FNAP_AUTH" 'DESCRIBE FLOW time.flows.unix.ar' 'QUIT' | fnap_session | body > "$TMP/expected"
	cmp <(printf '%s\n' "$output") "$TMP/expected"
	grep -qx 'owner=test' "$TMP/expected"
	grep -qx 'public=no' "$TMP/expected"
	run --separate-stderr fnap list flows
	assert_eq "$(printf 'flow=pub.flows.unix.ar\nflow=time.flows.unix.ar')" "$output"
	run --separate-stderr fnap list flows flows.unix.ar
	assert_eq "$(printf 'flow=pub.flows.unix.ar\nflow=time.flows.unix.ar')" "$output"
	run --separate-stderr fnap list namespaces
	[ "$output" = "namespace=flows.unix.ar" ]
	run --separate-stderr fnap caps
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "capability=FNAP 1" ]
	grep -qx 'capability=AUTH PLAIN ANONYMOUS' <<< "$output"
	# the agent named on the command line, by name, or as host:port with
	# the credentials of the configuration for that host
	run --separate-stderr fnap --agent fnaa-unix list flows
	[ "${#lines[@]}" -eq 2 ]
	run --separate-stderr fnap -a "localhost:$FNAP_PORT" list flows
	[ "${#lines[@]}" -eq 2 ]
	run --separate-stderr fnap delete flow time.flows.unix.ar
	[ "$status" -eq 0 ]
	[ "$output" = "flow=time.flows.unix.ar" ]
	[ ! -e "$TMP/flows/time.flows.unix.ar" ]
	run --separate-stderr fnap list flows
	[ "$output" = "flow=pub.flows.unix.ar" ]
}

@test "fnap: ANONYMOUS without credentials: public flows only; refusals are 77" {
	fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW pub.flows.unix.ar PUBLIC' 'CREATE FLOW priv.flows.unix.ar' \
		'QUIT' | fnap_session > /dev/null
	FNAPUA_ANONYMOUS=1 fnapua_config
	run --separate-stderr fnap list flows
	[ "$status" -eq 0 ]
	[ "$output" = "flow=pub.flows.unix.ar" ]
	run --separate-stderr fnap describe flow pub.flows.unix.ar
	grep -qx 'public=yes' <<< "$output"
	run --separate-stderr fnap describe flow priv.flows.unix.ar
	[ "$status" -eq 77 ]
	assert_eq 'fnap: describe flow priv.flows.unix.ar: 550 no such flow or access denied' "$stderr"
	run --separate-stderr fnap create flow anon.flows.unix.ar
	[ "$status" -eq 77 ]
	[ ! -e "$TMP/flows/anon.flows.unix.ar" ]
	# a host that is not in the configuration: ANONYMOUS too, even without ~/.flow.yml
	rm "$HOME/.flow.yml"
	run --separate-stderr fnap --agent "127.0.0.1:$FNAP_PORT" list flows
	[ "$status" -eq 0 ]
	[ "$output" = "flow=pub.flows.unix.ar" ]
	# a wrong password is refused, not turned into ANONYMOUS
	FNAPUA_ANONYMOUS=1 FNAPUA_AGENT_EXTRA=$'    username: test\n    password: wrong' fnapua_config
	run --separate-stderr fnap list flows
	[ "$status" -eq 77 ]
	[ -z "$output" ]
	assert_eq 'fnap: localhost: authentication as test: 535 authentication failed' "$stderr"
}

@test "fnap: -j prints one JSON object per record (jq reads them)" {
	fnap_start
	fnapua_config
	run --separate-stderr fnap -j create flow time.flows.unix.ar
	[ "$status" -eq 0 ]
	[ "$(jq -r .flow <<< "$output")" = time.flows.unix.ar ]
	fnap create flow a.flows.unix.ar --public -j > /dev/null
	run --separate-stderr fnap -j describe flow time.flows.unix.ar
	[ "${#lines[@]}" -eq 1 ]
	jq -e '.flow == "time.flows.unix.ar" and .owner == "test" and .public == "no" and .type == "file"' \
		<<< "$output"
	[ "$(jq -r .path <<< "$output")" = "$TMP/flows/time.flows.unix.ar" ]
	run --separate-stderr fnap -j list flows
	[ "${#lines[@]}" -eq 2 ]
	[ "$(jq -sc 'map(.flow)' <<< "$output")" = '["a.flows.unix.ar","time.flows.unix.ar"]' ]
	run --separate-stderr fnap -j list namespaces
	[ "$(jq -c . <<< "$output")" = '{"namespace":"flows.unix.ar"}' ]
	run --separate-stderr fnap -j caps
	jq -se 'map(.capability) | index("FNAP 1") == 0' <<< "$output"
	# a failure prints nothing on stdout
	run --separate-stderr fnap -j describe flow nosuch.flows.unix.ar
	[ "$status" -eq 77 ]
	[ -z "$output" ]
}

@test "fnap: agents found through DNS: _fnap._tcp SRV in order, then the flow's _flow._tcp SRV" {
	fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW time.flows.unix.ar' 'QUIT' | fnap_session > /dev/null
	cat > "$TMP/records" <<EOF
fnaa	IN A 127.0.0.1
dead	IN A 127.0.0.1
_fnap._tcp.flows	IN SRV 0 0 1 dead.unix.ar.
_fnap._tcp.flows	IN SRV 10 0 $FNAP_PORT fnaa.unix.ar.
time.flows	IN PTR _flow._tcp.time.flows.unix.ar.
_flow._tcp.time.flows	IN SRV 0 0 $FNAP_PORT fnaa.unix.ar.
EOF
	named_start unix.ar "$TMP/records"
	# no namespaces: the credentials of the host the records name
	mkdir -p "$HOME"
	printf 'agents:\n  - name: unix\n    fqdn: fnaa.unix.ar\n    username: test\n    password: test\n' \
		> "$HOME/.flow.yml"
	run --separate-stderr fnap describe flow time.flows.unix.ar
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "flow=time.flows.unix.ar" ]
	grep -qx 'owner=test' <<< "$output"
	# the first target (priority 0) refused the connection, the next answered
	assert_match '^fnap: dead\.unix\.ar:1: Connection refused' "$stderr"
	# -s over FLOW_NAMESERVER
	run --separate-stderr env FLOW_NAMESERVER=127.0.0.1:1 fnap -s "127.0.0.1:$NAMED_PORT" \
		list flows flows.unix.ar
	[ "$status" -eq 0 ]
	[ "$output" = "flow=time.flows.unix.ar" ]
	# without the namespace's record, the flow's own
	printf 'server 127.0.0.1 %s\nupdate delete _fnap._tcp.flows.unix.ar. SRV\nsend\n' "$NAMED_PORT" |
		named_update
	run --separate-stderr fnap describe flow time.flows.unix.ar
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "flow=time.flows.unix.ar" ]
	[ -z "$stderr" ]
	run --separate-stderr fnap list flows flows.unix.ar
	[ "$status" -eq 1 ]
	assert_match '^fnap: flows\.unix\.ar: no agent in the configuration, nor in DNS: ' "$stderr"
	run --separate-stderr fnap describe flow x.nowhere.unix.ar
	[ "$status" -eq 1 ]
	# no name server: 69
	run --separate-stderr env FLOW_NAMESERVER=127.0.0.1:1 fnap describe flow time.flows.unix.ar
	[ "$status" -eq 69 ]
}

@test "fnap: TLS from the first byte with tls: true (or --tls), the certificate checked against ca:" {
	fnap_tls_files
	# as from another host: PLAIN goes through only on TLS
	FNAP_EXTRA_CONF="tls-certificate $TMP/tls/cert.pem
tls-key $TMP/tls/key.pem" FNAP_WRAP="env TCPREMOTEIP=192.0.2.7" fnap_start -T
	FNAPUA_AGENT_EXTRA=$'    tls: true\n    ca: '"$TMP/tls/ca.pem" fnapua_config
	run --separate-stderr fnap create flow time.flows.unix.ar
	[ "$status" -eq 0 ]
	[ "$output" = "flow=time.flows.unix.ar" ]
	run --separate-stderr fnap describe flow time.flows.unix.ar
	grep -qx 'owner=test' <<< "$output"
	run --separate-stderr fnap shell <<< 'LIST FLOWS'
	[ "$status" -eq 0 ]
	assert_eq "$(printf '220 DATA\ntime.flows.unix.ar\n220 OK\n221 Bye')" "$output"
	# --tls when the configuration does not say so
	FNAPUA_AGENT_EXTRA="    ca: $TMP/tls/ca.pem" fnapua_config
	run --separate-stderr fnap --tls list flows
	[ "$status" -eq 0 ]
	[ "$output" = "flow=time.flows.unix.ar" ]
	# a certificate that cannot be checked: no session
	FNAPUA_AGENT_EXTRA='    tls: yes' fnapua_config
	run --separate-stderr fnap list flows
	[ "$status" -eq 69 ]
	assert_match '^fnap: localhost:[0-9]+: TLS: .*certificate' "$stderr"
}

@test "fnap: shell sends the lines and prints the answers as they come (PUBLISH, STREAM); QUIT at the end" {
	fnap_start
	fnapua_config
	{
		echo 'CREATE FLOW ev.flows.unix.ar'
		echo 'PUBLISH ev.flows.unix.ar'
		event 1
		event 2
		echo .
		echo 'STREAM ev.flows.unix.ar FROM BEGINNING COUNT 2'
		echo 'starttls'
		echo 'LIST FLOWS'
	} > "$TMP/in"
	run --separate-stderr fnap shell < "$TMP/in"
	[ "$status" -eq 0 ]
	cmp <(printf '%s\n' "$output") - <<OUT
220 OK ev.flows.unix.ar
220 OK send events
220 OK 2 events
220 DATA
$(event 1)
$(event 2)
220 OK
220 DATA
ev.flows.unix.ar
220 OK
221 Bye
OUT
	assert_eq 'fnap: STARTTLS: not in the shell: use --tls, or tls: true in the configuration' "$stderr"
	flow-sub -o beginning -e "$TMP/flows/ev.flows.unix.ar" | cmp - <(event 1; event 2)
	# QUIT typed ends the session: what follows is not sent
	run --separate-stderr fnap shell <<< $'NOOP\nquit\nDELETE FLOW ev.flows.unix.ar'
	[ "$status" -eq 0 ]
	assert_eq "$(printf '220 OK\n221 Bye')" "$output"
	[ -d "$TMP/flows/ev.flows.unix.ar" ]
	# the agent ends the session (three failed authentications) while the
	# shell is still sending: the last reply arrives, and the status says it
	run --separate-stderr fnap shell < <(
		for i in 1 2 3; do echo 'AUTHENTICATE PLAIN AHRlc3QAd3Jvbmc='; done
		for i in $(seq 1 50); do echo NOOP; sleep 0.02; done)
	[ "$status" -eq 75 ]
	[ "${lines[${#lines[@]} - 1]}" = '421 too many authentication failures, closing' ]
	assert_eq 'fnap: localhost: the agent closed the connection' "$stderr"
}

@test "fnap: failures have their exit status: unreachable 69, taken name 65, someone else's namespace 77" {
	fnap_start
	fnapua_config
	fnap create flow time.flows.unix.ar > /dev/null
	run --separate-stderr fnap create flow time.flows.unix.ar
	[ "$status" -eq 65 ]
	assert_eq 'fnap: create flow time.flows.unix.ar: 553 flow name not allowed: time.flows.unix.ar exists' \
		"$stderr"
	run --separate-stderr fnap --agent fnaa-unix create flow a.other.example
	[ "$status" -eq 77 ]
	[ ! -e "$TMP/flows/a.other.example" ]
	run --separate-stderr fnap delete flow nosuch.flows.unix.ar
	[ "$status" -eq 77 ]
	assert_eq 'fnap: delete flow nosuch.flows.unix.ar: 550 no such flow or access denied' "$stderr"
	fnap_stop
	run --separate-stderr fnap list flows
	[ "$status" -eq 69 ]
	assert_match '^fnap: localhost:[0-9]+: Connection refused' "$stderr"
}

@test "fnap: subscribe and its kin send the thesis's commands; the answers become records (a scripted agent)" {
	fnapua_fake_start
	mkdir -p "$HOME"
	cat > "$HOME/.flow.yml" <<YML
agents:
  - name: fnaa-unix
    fqdn: 127.0.0.1
    port: $FAKE_PORT
    username: test
    password: test
    prefix: emiliano.ar-
namespaces:
  - name: flows.unix.ar
    agent: fnaa-unix
YML
	printf '%s\n' '220 DATA' 'emiliano.ar-time.flows.unix.ar SUBSCRIBED TO ksdj898.time.flows.unix.ar' \
		'220 OK' > "$TMP/replies"
	run --separate-stderr fnap subscribe time.flows.unix.ar --local emiliano.ar-time.flows.unix.ar
	[ "$status" -eq 0 ]
	[ "$output" = "local=emiliano.ar-time.flows.unix.ar subscription=ksdj898.time.flows.unix.ar" ]
	cmp "$TMP/sent" <(printf '%s\n' 'AUTHENTICATE PLAIN' 'AHRlc3QAdGVzdA==' \
		'SUBSCRIBE time.flows.unix.ar LOCAL emiliano.ar-time.flows.unix.ar' QUIT)
	# a local name without a dot gets the agent's prefix
	: > "$TMP/sent"
	run --separate-stderr fnap -j subscribe time.flows.unix.ar --local Time --where "delay > 30 AND type = 'x'"
	[ "$(jq -c . <<< "$output")" = \
		'{"local":"emiliano.ar-time.flows.unix.ar","subscription":"ksdj898.time.flows.unix.ar"}' ]
	[ "$(sed -n 3p "$TMP/sent")" = "SUBSCRIBE time.flows.unix.ar LOCAL emiliano.ar-time WHERE delay > 30 AND type = 'x'" ]
	printf '%s\n' '220 DATA' 'ksdj898.time.flows.unix.ar' '220 OK' > "$TMP/replies"
	run --separate-stderr fnap subscribe time.flows.unix.ar
	[ "$output" = "subscription=ksdj898.time.flows.unix.ar" ]
	printf '%s\n' '220 DATA' 'ksdj898.time.flows.unix.ar bob running' 'x1.time.flows.unix.ar test paused' \
		'220 OK' > "$TMP/replies"
	run --separate-stderr fnap list subscriptions time.flows.unix.ar
	assert_eq "$(printf '%s\n' 'subscription=ksdj898.time.flows.unix.ar subscriber=bob state=running' \
		'subscription=x1.time.flows.unix.ar subscriber=test state=paused')" "$output"
	printf '220 OK\n' > "$TMP/replies"
	: > "$TMP/sent"
	run --separate-stderr fnap pause ksdj898.time.flows.unix.ar
	[ "$output" = "id=ksdj898.time.flows.unix.ar state=paused" ]
	run --separate-stderr fnap resume ksdj898.time.flows.unix.ar
	[ "$output" = "id=ksdj898.time.flows.unix.ar state=running" ]
	run --separate-stderr fnap revoke ksdj898.time.flows.unix.ar
	[ "$output" = "subscription=ksdj898.time.flows.unix.ar" ]
	run --separate-stderr fnap unsubscribe emiliano.ar-time.flows.unix.ar
	[ "$output" = "local=emiliano.ar-time.flows.unix.ar" ]
	grep -v '^AUTHENTICATE\|^AHRlc3QAdGVzdA==$\|^QUIT' "$TMP/sent" | cmp - <(printf '%s\n' 'PAUSE ksdj898.time.flows.unix.ar' \
		'RESUME ksdj898.time.flows.unix.ar' 'REVOKE ksdj898.time.flows.unix.ar' \
		'UNSUBSCRIBE emiliano.ar-time.flows.unix.ar')
	# an answer without the subscription in it
	printf '%s\n' '220 DATA' '220 OK' > "$TMP/replies"
	run --separate-stderr fnap subscribe time.flows.unix.ar
	[ "$status" -eq 70 ]
	assert_match "the agent's answer has no subscription in it" "$stderr"
}

@test "fnap: subscribe through fnap-serve: 502 without a supervisor; with s6, the whole cycle" {
	fnap_start
	fnapua_config
	fnap create flow time.flows.unix.ar --public > /dev/null
	run --separate-stderr fnap subscribe time.flows.unix.ar --local time
	[ "$status" -eq 70 ]
	assert_eq 'fnap: subscribe time.flows.unix.ar: 502 no processors here: the agent has no supervisor configured' \
		"$stderr"
	fnap_stop
	s6_start
	FNAP_EXTRA_CONF="supervisor $S6_SCAN" fnap_start
	fnapua_config
	# the local name: the prefix, then the agent puts it in the user's namespace
	run --separate-stderr fnap subscribe time.flows.unix.ar --local time
	[ "$status" -eq 0 ]
	assert_match '^local=unix\.ar-time\.flows\.unix\.ar subscription=[a-z0-9]{7}\.time\.flows\.unix\.ar$' "$output"
	local sub=${output##*=}
	run --separate-stderr fnap list subscriptions time.flows.unix.ar
	[ "$output" = "subscription=$sub subscriber=test state=running" ]
	run --separate-stderr fnap pause "$sub"
	[ "$status" -eq 0 ]
	run --separate-stderr fnap -j list subscriptions
	[ "$(jq -r .state <<< "$output")" = paused ]
	run --separate-stderr fnap resume "$sub"
	[ "$status" -eq 0 ]
	run --separate-stderr fnap unsubscribe unix.ar-time.flows.unix.ar
	[ "$status" -eq 0 ] || { echo "unsub: $status $output $stderr" >&2; cat "$TMP/fnap.log" >&2; false; }
	[ "$output" = "local=unix.ar-time.flows.unix.ar" ]
	run --separate-stderr fnap list subscriptions
	[ -z "$output" ]
	run --separate-stderr fnap revoke "$sub"
	[ "$status" -eq 77 ]
}

@test "fnap: a broken agent: garbage, an endless line, a hang-up mid-answer (69, said); a stream line that is not an event (65, kept)" {
	fnapua_fake_start
	fnapua_config "$FAKE_PORT"
	# answer REPLY...: fnap list flows, answered with the REPLY lines
	answer() {
		printf '%s\n' "$@" > "$TMP/replies"
		run --separate-stderr timeout 20 fnap list flows
	}
	answer 'garbage'
	[ "$status" -eq 69 ]
	assert_eq 'fnap: localhost: not an FNAP reply: garbage' "$stderr"
	answer '999 from the future'
	[ "$status" -eq 69 ]
	assert_eq 'fnap: localhost: not an FNAP reply: 999 from the future' "$stderr"
	answer '220 DATA' "$(head -c 1100000 /dev/zero | tr '\0' x)" '220 OK'
	[ "$status" -eq 69 ]
	assert_eq 'fnap: localhost: a line from the agent longer than the line limit' "$stderr"
	[ -z "$output" ]
	# a stream that does not open with 220 DATA is no stream
	echo '220 OK' > "$TMP/replies"
	run --separate-stderr env FNAP_USER=test FNAP_PASSWORD=test timeout 20 \
		flow-sub -e "fnap://127.0.0.1:$FAKE_PORT/x.flows.unix.ar"
	[ "$status" -eq 69 ]
	assert_eq 'flow-sub: 127.0.0.1: STREAM x.flows.unix.ar: the agent answered 220 OK, not a DATA block' "$stderr"
	[ -z "$output" ]
	fnapua_fake_stop
	# an agent that hangs up in the middle of an answer
	tcp_start "$TMP/cut.port" sh -c 'printf "220 cut FNAA\r\n"; read -r l; printf "220 OK\r\n"
		read -r l; printf "220 Authenticated\r\n"
		read -r l; printf "220 DATA\r\nname=half.flows.unix.ar\r\n"'
	fnapua_config "$TCP_PORT"
	FAKE_PID=$TCP_PID  # stopped by the teardown
	run --separate-stderr timeout 20 fnap list flows
	[ "$status" -eq 69 ]
	assert_eq 'fnap: localhost: the agent closed the connection' "$stderr"
	[ -z "$output" ]
	# flow-sub trusts a stream from an agent no more than a Kafka topic
	run --separate-stderr env FNAP_USER=test FNAP_PASSWORD=test timeout 20 \
		flow-sub -e -r "$TMP/rejected" "fnap://127.0.0.1:$TCP_PORT/half.flows.unix.ar"
	[ "$status" -eq 69 ]
	assert_eq 'name=half.flows.unix.ar' "$(cat "$TMP/rejected")"
	assert_eq "$(printf '%s\n' \
		'flow-sub: 127.0.0.1: STREAM half.flows.unix.ar: line 1: not an event: not a JSON object' \
		'flow-sub: 127.0.0.1: the agent ended the stream')" "$stderr"
	[ -z "$output" ]
	# a whole stream with a line that is not an event among events: 65
	stop_pids "$TCP_PID"
	event e1 > "$TMP/e1"
	event e2 > "$TMP/e2"
	tcp_start "$TMP/mixed.port" sh -c 'printf "220 mixed FNAA\r\n"; read -r l; printf "220 OK\r\n"
		read -r l; printf "220 Authenticated\r\n"
		read -r l; printf "220 DATA\r\n"; cat "$0"; printf "{\"id\":1}\r\n"; cat "$1"; printf "220 OK\r\n"
		read -r l' "$TMP/e1" "$TMP/e2"
	FAKE_PID=$TCP_PID
	run --separate-stderr env FNAP_USER=test FNAP_PASSWORD=test timeout 20 \
		flow-sub -e -r "$TMP/rejected" "fnap://127.0.0.1:$TCP_PORT/mixed.flows.unix.ar"
	[ "$status" -eq 65 ]
	assert_eq "$(cat "$TMP/e1" "$TMP/e2")" "$output"
	assert_eq 'flow-sub: 127.0.0.1: STREAM mixed.flows.unix.ar: line 2: not an event: id: must be a string' "$stderr"
	assert_eq '{"id":1}' "$(cat "$TMP/rejected")"
}

@test "fnap: flow-sub checks a long stream on several threads and hands it out in order: events across many batches, lines that are not events (one with a NUL, one ending in CR) said by their line, kept in order (65)" {
	# 20,000 events (some 2 MB, dozens of the pool's batches), four bad
	awk 'BEGIN { for (i = 1; i <= 20000; i++) printf "{\"specversion\":\"1.0\",\"id\":\"e%05d\",\"source\":\"/s\",\"type\":\"t\",\"data\":\"%s\"}%s\n", i, substr("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 1, i % 50), i % 7 ? "" : "\r" }' > "$TMP/events"
	{
		echo 'garbage'
		sed -n '1,6999p' "$TMP/events"
		printf '{"id":1}\r\n'
		sed -n '7000,13000p' "$TMP/events"
		printf '{"specversion":"1.0","id":"n\0ul","source":"/s","type":"t"}\n'
		sed -n '13001,$p' "$TMP/events"
		echo 'not json'
	} > "$TMP/stream"
	tcp_start "$TMP/long.port" sh -c 'printf "220 long FNAA\r\n"; read -r l; printf "220 OK\r\n"
		read -r l; printf "220 Authenticated\r\n"
		read -r l; printf "220 DATA\r\n"; cat "$0"; printf "220 OK\r\n"
		read -r l' "$TMP/stream"
	FAKE_PID=$TCP_PID
	run --separate-stderr env FNAP_USER=test FNAP_PASSWORD=test timeout 60 \
		flow-sub -e -r "$TMP/rejected" "fnap://127.0.0.1:$TCP_PORT/long.flows.unix.ar"
	[ "$status" -eq 65 ]
	tr -d '\r' < "$TMP/events" > "$TMP/expected"
	printf '%s\n' "$output" | cmp - "$TMP/expected"
	local at='flow-sub: 127.0.0.1: STREAM long.flows.unix.ar: line'
	assert_eq "$(printf '%s\n' "$at 1: not an event: not a JSON object" \
		"$at 7001: not an event: id: must be a string" \
		"$at 13003: not an event: invalid JSON in id: control character in string" \
		"$at 20004: not an event: not a JSON object")" "$stderr"
	{ printf '%s\n' garbage '{"id":1}'
	  printf '{"specversion":"1.0","id":"n\0ul","source":"/s","type":"t"}\n'
	  echo 'not json'; } | cmp - "$TMP/rejected"
}

@test "fnap: an anonymous subscription through fnap-serve: subscribe prints its token; pause, resume, revoke and unsubscribe need it (77 without); a malformed one is 64 before any connection" {
	s6_start
	FNAP_EXTRA_CONF="supervisor $S6_SCAN" fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW pub.flows.unix.ar PUBLIC' 'QUIT' | fnap_session > /dev/null
	FNAPUA_ANONYMOUS=1 fnapua_config
	# state SUB: the state of SUB as the owner of the flow lists it
	state() {
		printf '%s\n' "$FNAP_AUTH" 'LIST SUBSCRIPTIONS pub.flows.unix.ar' 'QUIT' | fnap_session |
			awk -v id="$1" '$1 == id { print $3 }'
	}
	run --separate-stderr fnap subscribe pub.flows.unix.ar
	[ "$status" -eq 0 ] || { echo "subscribe: $status $stderr" >&2; false; }
	assert_match '^subscription=[a-z0-9]{7}\.pub\.flows\.unix\.ar token=[0-9a-f]{32}$' "$output"
	local sub token other=0123456789abcdef0123456789abcdef
	sub=${output%% *}
	sub=${sub#subscription=}
	token=${output##*token=}
	[ "$(state "$sub")" = running ]
	# without the token, or with another: refused, and nothing changes
	run --separate-stderr fnap pause "$sub"
	[ "$status" -eq 77 ]
	[ -z "$output" ]
	assert_eq "fnap: pause $sub: 550 no such subscription or access denied" "$stderr"
	run --separate-stderr fnap revoke "$sub" --token "$other"
	[ "$status" -eq 77 ]
	run --separate-stderr env FNAP_TOKEN=$other fnap unsubscribe "$sub"
	[ "$status" -eq 77 ]
	# the command line over the environment
	run --separate-stderr env FNAP_TOKEN="$token" fnap revoke "$sub" -k "$other"
	[ "$status" -eq 77 ]
	[ "$(state "$sub")" = running ]
	# with it (in upper case too, as names may be typed): pause, resume, revoke
	run --separate-stderr fnap pause "$sub" --token "$token"
	[ "$status" -eq 0 ]
	[ "$output" = "id=$sub state=paused" ]
	[ "$(state "$sub")" = paused ]
	run --separate-stderr env FNAP_TOKEN="${token^^}" fnap resume "$sub"
	[ "$status" -eq 0 ]
	[ "$output" = "id=$sub state=running" ]
	[ "$(state "$sub")" = running ]
	run --separate-stderr fnap -j revoke "$sub" -k "$token"
	[ "$status" -eq 0 ]
	[ "$(jq -r .subscription <<< "$output")" = "$sub" ]
	[ ! -e "$TMP/state/flows/$sub" ]
	[ -z "$(state "$sub")" ]
	# -j: the token is a member; unsubscribe takes it too
	run --separate-stderr fnap -j subscribe pub.flows.unix.ar
	[ "$status" -eq 0 ]
	jq -e '(.subscription | test("^[a-z0-9]{7}\\.pub\\.flows\\.unix\\.ar$")) and
		(.token | test("^[0-9a-f]{32}$")) and (keys | length == 2)' <<< "$output"
	sub=$(jq -r .subscription <<< "$output")
	token=$(jq -r .token <<< "$output")
	run --separate-stderr env FNAP_TOKEN="$token" fnap unsubscribe "$sub"
	[ "$status" -eq 0 ]
	[ "$output" = "local=$sub" ]
	[ ! -e "$TMP/state/flows/$sub" ]
	# FNAP_TOKEN, malformed or not, is nothing to the commands that take no token
	run --separate-stderr env FNAP_TOKEN='not a token' fnap list flows
	[ "$status" -eq 0 ]
	[ "$output" = "flow=pub.flows.unix.ar" ]
	# the token never reached a log
	! grep -q "$token" "$TMP/fnap.log" || false
	# a malformed token is a usage error found before any connection: with
	# the agent gone, a well-formed one fails to connect (69), those 64
	fnap_stop
	run --separate-stderr fnap pause "$sub" --token "$other"
	[ "$status" -eq 69 ]
	local bad
	for bad in '' "${other:1}" "${other}0" "${other:1}g" "${other:2} $other" "${other:2}"$'\r\n' \
		"$other"$'\r\nDELETE FLOW pub.flows.unix.ar' "../${other:3}"; do
		run --separate-stderr fnap revoke "$sub" --token "$bad"
		[ "$status" -eq 64 ] || { echo "--token '$bad': status $status" >&2; false; }
		[ -z "$output" ]
		assert_eq 'fnap: --token: not 32 hexadecimal digits' "${stderr_lines[0]}"
		assert_match '^usage: fnap ' "${stderr_lines[1]}"
	done
	run --separate-stderr env FNAP_TOKEN="${other}0" fnap resume "$sub"
	[ "$status" -eq 64 ]
	assert_eq 'fnap: FNAP_TOKEN: not 32 hexadecimal digits' "${stderr_lines[0]}"
	# --token on a command that takes none
	local args
	for args in 'subscribe pub.flows.unix.ar' 'list flows' 'create flow x.flows.unix.ar' 'shell'; do
		# shellcheck disable=SC2086
		run --separate-stderr fnap $args -k "$other"
		[ "$status" -eq 64 ] || { echo "fnap $args -k: status $status" >&2; false; }
		assert_eq 'fnap: --token is for unsubscribe, revoke, pause and resume' "${stderr_lines[0]}"
	done
}

@test "fnap: only a closing '220 OK token=' and 32 lower-case hex digits is a token; the token is sent last, in lower case (a scripted agent)" {
	fnapua_fake_start
	FNAPUA_ANONYMOUS=1 fnapua_config "$FAKE_PORT"
	local token=5f0c9a7e4b1d2c3e8f6a0b9c7d5e3f1a closing
	printf '%s\n' '220 DATA' 'k2x9q7d.time.flows.unix.ar' "220 OK token=$token" > "$TMP/replies"
	run --separate-stderr fnap subscribe time.flows.unix.ar
	[ "$status" -eq 0 ]
	[ "$output" = "subscription=k2x9q7d.time.flows.unix.ar token=$token" ]
	printf '%s\n' '220 DATA' 'u.time.flows.unix.ar SUBSCRIBED TO k2x9q7d.time.flows.unix.ar' \
		"220 OK token=$token" > "$TMP/replies"
	run --separate-stderr fnap subscribe time.flows.unix.ar --local u.time.flows.unix.ar
	[ "$output" = "local=u.time.flows.unix.ar subscription=k2x9q7d.time.flows.unix.ar token=$token" ]
	# what older agents, or anything else, may say after OK: no token
	for closing in "220 OK token=${token^^}" "220 OK token=${token:1}" "220 OK token=${token}0" \
		"220 OK token=$token more" "220 OK token=${token:1}g" '220 OK token=' '220 OK 1 subscription' \
		"220 OK  token=$token" "220 OK TOKEN=$token"; do
		printf '%s\n' '220 DATA' 'k2x9q7d.time.flows.unix.ar' "$closing" > "$TMP/replies"
		run --separate-stderr fnap -j subscribe time.flows.unix.ar
		[ "$status" -eq 0 ] || { echo "$closing: status $status" >&2; false; }
		[ "$output" = '{"subscription":"k2x9q7d.time.flows.unix.ar"}' ] ||
			{ echo "$closing: $output" >&2; false; }
	done
	# the token goes last, in lower case; --token over FNAP_TOKEN
	printf '220 OK\n' > "$TMP/replies"
	: > "$TMP/sent"
	fnap pause k2x9q7d.time.flows.unix.ar --token "${token^^}" > /dev/null
	FNAP_TOKEN=$token fnap resume k2x9q7d.time.flows.unix.ar > /dev/null
	FNAP_TOKEN=0123456789abcdef0123456789abcdef fnap revoke -k "$token" k2x9q7d.time.flows.unix.ar > /dev/null
	FNAP_TOKEN='' fnap unsubscribe u.time.flows.unix.ar > /dev/null
	grep -v '^AUTHENTICATE\|^QUIT' "$TMP/sent" | cmp - <(printf '%s\n' \
		"PAUSE k2x9q7d.time.flows.unix.ar $token" "RESUME k2x9q7d.time.flows.unix.ar $token" \
		"REVOKE k2x9q7d.time.flows.unix.ar $token" 'UNSUBSCRIBE u.time.flows.unix.ar')
}

@test "fnap: -j writes a long value whole, escaped as JSON, an invalid byte as U+FFFD" {
	fnapua_fake_start
	fnapua_config "$FAKE_PORT"
	# 200 times 15 bytes: the value is written in several pieces
	local piece=$'x"\\\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\t\x01' raw= json= i
	for ((i = 0; i < 200; i++)); do
		raw+=$piece
		json+=$'x\\"\\\\\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\\t\\u0001'
	done
	printf '%s\n' '220 DATA' 'flow=time.flows.unix.ar' "note=$raw"$'\xff' '220 OK' > "$TMP/replies"
	run --separate-stderr fnap -j describe flow time.flows.unix.ar
	[ "$status" -eq 0 ]
	assert_eq "{\"flow\":\"time.flows.unix.ar\",\"note\":\"$json"$'\xef\xbf\xbd"}' "$output"
	[ "$(jq -r .note <<< "$output")" = "$raw"$'\xef\xbf\xbd' ]
}

@test "fnap -d and fnap-serve -d: every line on stderr, C: the client's, S: the agent's; PLAIN's credentials masked; stdout as without -d" {
	fnap_start -d
	fnapua_config
	fnap create flow d.flows.unix.ar > "$TMP/plain.out"
	run --separate-stderr fnap -d describe flow d.flows.unix.ar
	[ "$status" -eq 0 ]
	fnap describe flow d.flows.unix.ar | cmp - <(printf '%s\n' "$output")
	# the whole session, as fnap(7)'s transcripts write it
	printf '%s\n' "$stderr" > "$TMP/trace"
	cmp <(sed -n '1,4p;6p' "$TMP/trace") - <<'OUT'
fnap: S: 220 fnaa.unix.ar FNAA
fnap: C: AUTHENTICATE PLAIN
fnap: S: 220 OK
fnap: C: ****
fnap: C: DESCRIBE FLOW d.flows.unix.ar
OUT
	grep -qx 'fnap: S: 220 Authenticated' "$TMP/trace"
	grep -qx 'fnap: S: owner=test' "$TMP/trace"
	[ "$(tail -n 2 "$TMP/trace" | head -n 1)" = 'fnap: C: QUIT' ]
	[ "$(tail -n 1 "$TMP/trace")" = 'fnap: S: 221 Bye' ]
	! grep -q "AHRlc3QAdGVzdA==\|dGVzdAB0ZXN0" "$TMP/trace" || false
	# the agent's side, each line after its session's pid; a one-line PLAIN masked too
	printf '%s\n' "$FNAP_AUTH" 'DESCRIBE FLOW nope.flows.unix.ar' QUIT | fnap_session > /dev/null
	grep -Eq '^fnap-serve: [0-9]+: C: AUTHENTICATE PLAIN \*\*\*\*$' "$TMP/fnap.log"
	grep -Eq '^fnap-serve: [0-9]+: C: \*\*\*\*$' "$TMP/fnap.log"
	grep -Eq '^fnap-serve: [0-9]+: S: 550 no such flow or access denied$' "$TMP/fnap.log"
	grep -Eq '^fnap-serve: [0-9]+: C: DESCRIBE FLOW d.flows.unix.ar$' "$TMP/fnap.log"
	! grep -q "AHRlc3QAdGVzdA==\|dGVzdAB0ZXN0" "$TMP/fnap.log" || false
	# without -d (nor "trace yes"), no trace
	fnap_stop
	FNAP_EXTRA_CONF='trace no' fnap_start
	fnapua_config
	fnap describe flow d.flows.unix.ar > /dev/null
	! grep -q ': [CS]: ' "$TMP/fnap.log" || false
	run fnap-serve -c "$TMP/fnap.conf" -o trace=maybe < /dev/null
	[ "$status" -eq 64 ]
}
