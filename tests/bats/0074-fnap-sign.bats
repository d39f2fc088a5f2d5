#!/usr/bin/env bats
# fnap-serve signs what is PUBLISHed into a namespace with a sign-key, as
# a mail server signs with DKIM: an agent under tcpserver with a file
# namespace, a real named taking its dns-update, flow-verify --dns and
# flow-resolve --key as the outside world's checks.

load helpers/common
load helpers/fnap
load helpers/named
load helpers/sign

setup() {
	common_setup
	new_keys "$TMP"
	echo test | fnap-serve -p test | sed 's/:$/:flows.s.example,other.example/' > "$TMP/users"
}
teardown() {
	local clean=0
	fnap_stop || clean=1
	named_stop
	common_teardown
	return $clean
}

NS=flows.s.example
KEYID=s1._flowkey.flows.s.example

# sign_start [EXTRA LINE...]: the agent serving $NS from $TMP/flows, the
# namespace signed with $TMP/sign.pem, and the lines given
sign_start() {
	local IFS=$'\n'
	FNAP_NAMESPACES="namespace $NS file $TMP/flows" FNAP_EXTRA_CONF="sign-key $NS $TMP/sign.pem s1
$*" fnap_start
}

# with_named_update: the lines that send the agent's updates to the test's named
with_named_update() {
	printf '%s\n' "dns-update ${1:-nsupdate -k $NAMED_KEY}" "dns-server 127.0.0.1:$NAMED_PORT" 'dns-zone example'
}

# publish FLOW: stdin's events into FLOW through fnap:// (flow-pub)
publish() {
	FNAP_USER=test FNAP_PASSWORD=test flow-pub "fnap://127.0.0.1:$FNAP_PORT/$1"
}

# stored FLOW: the events of a file flow as they are on disk
stored() {
	flow-sub -o beginning -e "$TMP/flows/$1"
}

# keyids: the key ids of the dssematerial of each event on stdin
keyids() {
	while IFS= read -r line; do
		printf '%s\n' "$line" | jq -r .dssematerial | base64 -d | jq -r '.signatures[].keyid'
	done
}

# audit_count PATTERN: the audit lines of the log matching PATTERN (ERE)
audit_count() {
	grep -cE "fnap-serve: audit: $1" "$TMP/fnap.log" || true
}

@test "sign-key: PUBLISH signs each event; the key's record is published once; flow-verify --dns and flow-resolve --key agree" {
	named_start example
	cp "$TMP/p256.pem" "$TMP/sign.pem"
	sign_start "$(with_named_update)"
	printf '%s\n' "$FNAP_AUTH" "CREATE FLOW a.$NS" QUIT | fnap_session > /dev/null
	many_events 5 > "$TMP/in"
	publish "a.$NS" < "$TMP/in"
	stored "a.$NS" > "$TMP/out"
	[ "$(wc -l < "$TMP/out")" -eq 5 ]
	# each is the event sent, with the agent's material
	unsigned_of < "$TMP/out" | cmp - "$TMP/in"
	[ "$(keyids < "$TMP/out" | sort -u)" = "$KEYID" ]
	run --separate-stderr flow-verify --dns --namespace "$NS" < "$TMP/out"
	[ "$status" -eq 0 ] || { echo "$stderr" >&2; false; }
	assert_eq "$(jq -r .id "$TMP/in")" "$(printf '%s\n' "$output" | jq -r .id)"
	run --separate-stderr flow-resolve --key "$KEYID"
	[ "$status" -eq 0 ]
	assert_eq "key-id=$KEYID
type=p256
$(cat "$TMP/p256.pub")" "$output"
	[ "$(cat "$TMP/state/keys/$KEYID")" = "$(key_record "$TMP/p256.pub" p256)" ]
	# a second PUBLISH signs and publishes nothing again
	event more | publish "a.$NS"
	[ "$(stored "a.$NS" | wc -l)" -eq 6 ]
	[ "$(audit_count "event=publish-key .* key=$KEYID code=220")" -eq 1 ]
	[ "$(audit_count "event=publish-key")" -eq 1 ]
	[ "$(audit_count "event=publish .*flow=a.$NS .*count=5 signed=5 code=220")" -eq 1 ]
	[ "$(audit_count "event=publish .*flow=a.$NS .*count=1 signed=1 code=220")" -eq 1 ]
	# a namespace without a sign-key stores the events as they are, and says nothing of signing
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW u.other.example' QUIT | fnap_session > /dev/null
	publish u.other.example < "$TMP/in"
	stored u.other.example | cmp - "$TMP/in"
	[ "$(audit_count 'event=publish .*flow=u.other.example .*count=5 code=220')" -eq 1 ]
}

@test "sign-key: material by the namespace's key kept byte for byte; forged or tampered refused; another namespace's re-signed" {
	named_start example
	cp "$TMP/p256.pem" "$TMP/sign.pem"
	sign_start "$(with_named_update)"
	event own | flow-sign -k "$TMP/p256.pem" -i "$KEYID" > "$TMP/own"
	sed 's/"id":"own"/"id":"changed"/' "$TMP/own" > "$TMP/tampered"
	event forged | flow-sign -k "$TMP/ed.pem" -i "$KEYID" > "$TMP/forged"
	event other | flow-sign -k "$TMP/ed.pem" -i o1._flowkey.other.example > "$TMP/other"
	event plain > "$TMP/plain"
	# material that is no envelope at all is nobody's: replaced
	event junk ',"dssematerial":"bm90IGFuIGVudmVsb3Bl"' > "$TMP/junk"
	{ echo "$FNAP_AUTH"; echo "CREATE FLOW b.$NS"; echo "PUBLISH b.$NS"
	  cat "$TMP/own" "$TMP/tampered" "$TMP/forged" "$TMP/other" "$TMP/plain" "$TMP/junk"
	  echo .; echo QUIT; } | fnap_session > "$TMP/replies"
	sed -n '5,7p' "$TMP/replies" > "$TMP/verdicts"
	assert_match "^501 line 2: dssematerial under $NS does not verify \(step 8: core digest differs" "$(sed -n 1p "$TMP/verdicts")"
	assert_match "^501 line 3: dssematerial under $NS does not verify \(step 7: the signature by keyid \"$KEYID\" does not verify\)" "$(sed -n 2p "$TMP/verdicts")"
	[ "$(sed -n 3p "$TMP/verdicts")" = '220 OK 4 events' ]
	stored "b.$NS" > "$TMP/out"
	[ "$(jq -r .id "$TMP/out" | tr '\n' ' ')" = 'own other plain junk ' ]
	# the publisher's own signature, byte for byte
	head -1 "$TMP/out" | cmp - "$TMP/own"
	# the other namespace's signature replaced by the agent's
	[ "$(sed -n 2p "$TMP/out" | keyids)" = "$KEYID" ]
	[ "$(sed -n 2p "$TMP/out" | unsigned_of)" = "$(unsigned_of < "$TMP/other")" ]
	[ "$(sed -n 4p "$TMP/out" | keyids)" = "$KEYID" ]
	run --separate-stderr flow-verify --dns --namespace "$NS" < "$TMP/out"
	[ "$status" -eq 0 ] || { echo "$stderr" >&2; false; }
	[ "$(printf '%s\n' "$output" | wc -l)" -eq 4 ]
	[ "$(audit_count "event=publish .*flow=b.$NS .*count=4 signed=3 code=220")" -eq 1 ]
}

@test "sign-key: read only by a PUBLISH into the namespace; unusable, PUBLISH is 450 and nothing is stored; no dns-update, nothing published" {
	# no key file yet: the sessions that do not publish do not notice
	sign_start
	printf '%s\n' "$FNAP_AUTH" "CREATE FLOW c.$NS" "DESCRIBE FLOW c.$NS" "LIST FLOWS $NS" QUIT |
		fnap_session > "$TMP/s1"
	[ "$(sed -n 3p "$TMP/s1")" = "220 OK c.$NS" ]
	[ "$(tail -n 2 "$TMP/s1")" = "$(printf '220 OK\n221 Bye')" ]
	! grep -q sign-key "$TMP/fnap.log" || false
	printf '%s\n' "$FNAP_AUTH" "PUBLISH c.$NS" QUIT | fnap_session > "$TMP/s2"
	[ "$(sed -n 3p "$TMP/s2")" = "450 cannot sign the flow's events now, retry" ]
	grep -qx "fnap-serve: sign-key: $TMP/sign.pem: No such file or directory" "$TMP/fnap.log"
	[ "$(audit_count "event=publish .*flow=c.$NS .*count=0 signed=0 code=450")" -eq 1 ]
	# a public key is no key to sign with
	cp "$TMP/p256.pub" "$TMP/sign.pem"
	printf '%s\n' "$FNAP_AUTH" "PUBLISH c.$NS" QUIT | fnap_session > "$TMP/s3"
	[ "$(sed -n 3p "$TMP/s3")" = "450 cannot sign the flow's events now, retry" ]
	grep -qx "fnap-serve: sign-key: $TMP/sign.pem: no PEM private key in it" "$TMP/fnap.log"
	[ -z "$(stored "c.$NS")" ]
	# an Ed25519 key; without dns-update nothing is published, the events are signed
	cp "$TMP/ed.pem" "$TMP/sign.pem"
	event e1 | publish "c.$NS"
	run --separate-stderr flow-verify -k "$TMP/ed.pub" -i "$KEYID" --namespace "$NS" < <(stored "c.$NS")
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | jq -r .id)" = e1 ]
	[ "$(audit_count event=publish-key)" -eq 0 ]
	[ ! -e "$TMP/state/keys" ]
}

@test "sign-key: the extensions named on its line are signed too; a bad name is 450 at the first PUBLISH" {
	cp "$TMP/ed.pem" "$TMP/sign.pem"
	FNAP_NAMESPACES="namespace $NS file $TMP/flows" FNAP_EXTRA_CONF="sign-key $NS $TMP/sign.pem s1 delay  gate" \
		fnap_start
	printf '%s\n' "$FNAP_AUTH" "CREATE FLOW x.$NS" QUIT | fnap_session > /dev/null
	{ event x1 ',"delay":42,"gate":"a3","other":1'; event x2; } | publish "x.$NS"
	stored "x.$NS" > "$TMP/out"
	# strict verification keeps the signed extensions, drops the other
	run --separate-stderr flow-verify -k "$TMP/ed.pub" -i "$KEYID" --namespace "$NS" < "$TMP/out"
	[ "$status" -eq 0 ] || { echo "$stderr" >&2; false; }
	[ "$(printf '%s\n' "$output" | jq -c '[.id, .delay, .gate, .other]' | tr '\n' ' ')" = \
		'["x1",42,"a3",null] ["x2",null,null,null] ' ]
	# a signed extension changed on the way fails at the extensions' digest
	sed -n 1p "$TMP/out" | sed 's/"delay":42/"delay":43/' > "$TMP/changed"
	run --separate-stderr flow-verify -k "$TMP/ed.pub" -i "$KEYID" --namespace "$NS" < "$TMP/changed"
	[ "$status" -eq 65 ]
	assert_match 'step 9' "$stderr"
	fnap_stop
	# a name that is no extension's: nothing signed, nothing stored
	FNAP_NAMESPACES="namespace $NS file $TMP/flows" FNAP_EXTRA_CONF="sign-key $NS $TMP/sign.pem s1 Delay" \
		fnap_start
	printf '%s\n' "$FNAP_AUTH" "PUBLISH x.$NS" QUIT | fnap_session > "$TMP/s"
	[ "$(sed -n 3p "$TMP/s")" = "450 cannot sign the flow's events now, retry" ]
	grep -q "^fnap-serve: sign-key: $TMP/sign.pem: its extensions: not an extension name" "$TMP/fnap.log"
	[ "$(stored "x.$NS" | wc -l)" -eq 2 ]
}

@test "sign-key: a failed dns-update is logged and audited, PUBLISH still signs, the next one publishes; a new key is published again" {
	named_start example
	cp "$TMP/p256.pem" "$TMP/sign.pem"
	printf '#!/bin/sh\n[ -e %s ] && exit 1\nexec nsupdate -k %s\n' "$TMP/dns-down" "$NAMED_KEY" > "$TMP/update"
	chmod +x "$TMP/update"
	sign_start "$(with_named_update "$TMP/update")"
	printf '%s\n' "$FNAP_AUTH" "CREATE FLOW d.$NS" QUIT | fnap_session > /dev/null
	touch "$TMP/dns-down"
	event d1 | publish "d.$NS"
	[ "$(stored "d.$NS" | keyids)" = "$KEYID" ]
	grep -qx "fnap-serve: dns-update: $KEYID: the command failed" "$TMP/fnap.log"
	[ "$(audit_count "event=publish-key .* key=$KEYID code=450")" -eq 1 ]
	run flow-resolve --key "$KEYID"
	[ "$status" -eq 1 ]
	rm "$TMP/dns-down"
	event d2 | publish "d.$NS"
	[ "$(audit_count "event=publish-key .* key=$KEYID code=220")" -eq 1 ]
	assert_match '^type=p256$' "$(flow-resolve --key "$KEYID")"
	event d3 | publish "d.$NS"
	[ "$(audit_count event=publish-key)" -eq 2 ]
	# the key changes: its record is replaced at the next PUBLISH
	cp "$TMP/ed.pem" "$TMP/sign.pem"
	event d4 | publish "d.$NS"
	[ "$(audit_count "event=publish-key .* key=$KEYID code=220")" -eq 2 ]
	assert_match '^type=ed25519$' "$(flow-resolve --key "$KEYID")"
	run --separate-stderr flow-verify --dns --namespace "$NS" < <(stored "d.$NS" | tail -1)
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | jq -r .id)" = d4 ]
}

@test "sign-key: bad lines are configuration errors (78; 64 with -o)" {
	local bad
	FNAP_NAMESPACES="namespace $NS file $TMP/flows" fnap_config
	for bad in "sign-key $NS" "sign-key $NS $TMP/k.pem" \
		"sign-key nowhere.example $TMP/k.pem s1" "sign-key a..b $TMP/k.pem s1" \
		"sign-key $NS k.pem s1" "sign-key $NS $TMP/k.pem a.b" "sign-key $NS $TMP/k.pem bad_sel!" \
		"sign-key $NS $TMP/k.pem $(printf 'x%.0s' $(seq 64))" "sign-key $NS $TMP/k.pem _flowkey"; do
		printf '%s\n' "$bad" >> "$TMP/fnap.conf"
		run fnap-serve -c "$TMP/fnap.conf" < /dev/null
		[ "$status" -eq 78 ] || { echo "accepted: $bad" >&2; false; }
		assert_match 'fnap.conf: line [0-9]+: sign-key: ' "$output"
		sed -i '$d' "$TMP/fnap.conf"
	done
	# two keys for one namespace; a sign-key before its namespace line
	printf '%s\n' "sign-key $NS $TMP/k.pem s1" "sign-key $NS $TMP/k2.pem s2" >> "$TMP/fnap.conf"
	run fnap-serve -c "$TMP/fnap.conf" < /dev/null
	[ "$status" -eq 78 ]
	assert_match 'line [0-9]+: sign-key: the namespace has a sign-key already' "$output"
	sed -i '$d' "$TMP/fnap.conf"
	run fnap-serve -c "$TMP/fnap.conf" < /dev/null
	[ "$status" -eq 0 ]
	sed -i '$d' "$TMP/fnap.conf"
	printf 'sign-key other.example %s s1\nnamespace other.example file %s\n' "$TMP/k.pem" "$TMP/flows" > "$TMP/early.conf"
	run fnap-serve -c "$TMP/early.conf" < /dev/null
	[ "$status" -eq 78 ]
	assert_match 'early.conf: line 1: sign-key: not a namespace served' "$output"
	run fnap-serve -c "$TMP/fnap.conf" -o "sign-key=nowhere.example $TMP/k.pem s1" < /dev/null
	[ "$status" -eq 64 ]
	assert_match 'not a namespace served' "$output"
}
