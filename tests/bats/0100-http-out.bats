#!/usr/bin/env bats
# http:// and https:// destinations of flow-pub and flow-bridge, received by
# tests/node/receiver.js: the official CloudEvents SDK for JavaScript reads
# every request (structured, binary, batch) and the Standard Webhooks
# library checks signatures, both implementations apart from ours.

load helpers/common

setup() {
	common_setup
	# missing modules are a failure, not a skip: CI installs them (setup.sh)
	node -e 'require("cloudevents"); require("standardwebhooks")'
	RECV_PIDS=
}
teardown() {
	stop_pids ${BRIDGE_PID:-} $RECV_PIDS
	common_teardown
}

# receiver NAME [WORD...]: a receiver writing into $TMP/NAME (receiver.js
# says the words), its URL in URL
receiver() {
	local d=$TMP/$1
	shift
	mkdir -p "$d"
	node "$FLOW_SRCDIR/tests/node/receiver.js" "$d" "$@" 2>"$d/stderr" &
	RECV_PIDS="$RECV_PIDS $!"
	wait_until 20 test -f "$d/port"
	URL=http://127.0.0.1:$(cat "$d/port")/in
}

# got NAME: the events received, the SDK's reading, sorted by id
got() { jq -cS 'del(.time, ._headers, ._sig, ._webhook_id, ._mode)' "$TMP/$1/events" | sort; }
# ids NAME: the ids received, each once, sorted
ids() { jq -r .id "$TMP/$1/events" | sort -u; }
# event_is NAME ID EXPR: the event ID received by NAME makes the jq EXPR true
event_is() { jq -e -s --arg id "$2" "map(select(.id == \$id))[0] | $3" "$TMP/$1/events" >/dev/null; }
# received NAME N: NAME has N events or more
received() { [ "$(cat "$TMP/$1/events" 2>/dev/null | wc -l)" -ge "$2" ]; }
# requests NAME: how many requests it answered
requests() { wc -l < "$TMP/$1/requests"; }

# Events with every kind of data, and what binary mode makes of them
sample() {
	event s1 ',"data":{"a":[1,2],"b":"x"}'
	event s2 ',"datacontenttype":"text/plain","data":"h\u00e9 llo","subject":"a b%c\"d"'
	event s3 ',"datacontenttype":"application/octet-stream","data_base64":"AAEC"'
	event s4 ',"n":5,"flag":true'
	event s5 ',"datacontenttype":"application/json","data":"123"'
}

@test "http: structured mode, one POST an event, as the SDK reads it" {
	receiver r
	sample > "$TMP/in"
	flow-pub "$URL" < "$TMP/in"
	assert_eq 5 "$(requests r)"
	jq -e -s 'all(._mode == "structured")' "$TMP/r/events"
	# the SDK gives base64 data back as bytes: the rest compared as sent
	jq -cS 'select(.id != "s3")' "$TMP/in" | sort > "$TMP/want"
	got r | jq -cS 'select(.id != "s3")' | diff "$TMP/want" -
	event_is r s3 '.data_base64 == "AAEC"'
}

@test "http: --binary: ce-* headers decoded, datacontenttype as Content-Type, data as body" {
	receiver r headers=content-type,ce-subject
	sample > "$TMP/in"
	flow-pub --binary "$URL" < "$TMP/in"
	jq -e -s 'all(._mode == "binary") and length == 5' "$TMP/r/events"
	event_is r s1 '.data == {"a":[1,2],"b":"x"} and ._headers["content-type"] == "application/json"'
	# string attributes are percent-encoded on the wire (space, '"', '%', non-ASCII)
	event_is r s2 '.data == "h\u00e9 llo" and .subject == "a b%c\"d" and
		._headers["ce-subject"] == "a%20b%25c%22d"'
	event_is r s3 '.data == "\u0000\u0001\u0002"'
	# no data: no body, and no Content-Type (libcurl's form type is not sent)
	event_is r s4 '.n == "5" and .flag == "true" and ._headers["content-type"] == null'
	# JSON data goes as its JSON text: a string stays a string
	event_is r s5 '.data == "123"'
}

@test "http: --batch N: application/cloudevents-batch+json, up to N events a request" {
	receiver r
	for i in $(seq 1 25); do event "b$i" ',"data":{"i":'"$i"'}'; done > "$TMP/in"
	flow-pub --batch 10 "$URL" < "$TMP/in"
	assert_eq 3 "$(requests r)"
	jq -e -s 'all(._mode == "batch") and length == 25' "$TMP/r/events"
	jq -cS . "$TMP/in" | sort | diff - <(got r)
}

@test "http: Standard Webhooks signatures, checked by the standardwebhooks library" {
	echo "whsec_$(openssl rand -base64 32)" > "$TMP/secret"
	echo "whsec_$(openssl rand -base64 32)" > "$TMP/other"
	sample > "$TMP/in"
	receiver r secret="$TMP/secret"
	flow-pub --webhook-secret "$TMP/secret" "$URL" < "$TMP/in"
	flow-pub --webhook-secret "$TMP/secret" --binary "$URL" < "$TMP/in"
	flow-pub --webhook-secret "$TMP/secret" --batch 2 "$URL" < "$TMP/in"
	jq -e -s 'length == 15 and all(._sig == "ok")' "$TMP/r/events"
	# webhook-id: the same for the same event sent again (receivers deduplicate)
	jq -e -s '[.[] | select(._mode != "batch")] | group_by(.id) | all(length == 2 and .[0]._webhook_id == .[1]._webhook_id)' \
		"$TMP/r/events"
	jq -e -s '[.[]._webhook_id] | all(test("^flow_[0-9a-f]{32}$"))' "$TMP/r/events"
	# another key: the check fails
	receiver o secret="$TMP/secret"
	flow-pub --webhook-secret "$TMP/other" "$URL" < "$TMP/in"
	jq -e -s 'length == 5 and all(._sig == "bad")' "$TMP/o/events"
}

@test "http: -H and --header-file (-H @FILE): headers of every request" {
	receiver r headers=x-test,authorization,x-more
	printf '# secrets\nAuthorization: Bearer s3cret\r\n\nX-More: 2\n' > "$TMP/headers"
	event h1 | flow-pub -H 'X-Test: one two' --header-file "$TMP/headers" "$URL"
	event h2 | flow-pub -H "@$TMP/headers" "$URL"
	event_is r h1 '._headers == {"x-test":"one two","authorization":"Bearer s3cret","x-more":"2"}'
	event_is r h2 '._headers == {"x-test":null,"authorization":"Bearer s3cret","x-more":"2"}'
}

@test "http: 503 retried with backoff until 202: every event delivered, none twice" {
	receiver r fail=3:503
	for i in $(seq 1 10); do event "r$i"; done > "$TMP/in"
	flow-pub -r "$TMP/rej" "$URL" < "$TMP/in"
	assert_eq 10 "$(jq -r .id "$TMP/r/events" | wc -l)"
	assert_eq 10 "$(ids r | wc -l)"
	assert_eq 3 "$(jq -s 'map(select(.status == 503)) | length' "$TMP/r/requests")"
	[ ! -s "$TMP/rej" ]
}

@test "http: 429 with Retry-After: 1 waits a second before the retry" {
	receiver r retry-after=1:1
	event a1 | flow-pub "$URL"
	assert_eq "a1" "$(ids r)"
	jq -e -s '.[0].status == 429 and .[1].status == 202 and .[1].ms >= 900' "$TMP/r/requests"
}

@test "http: 400 fails at once: the event in --reject, exit 65, the status and the body's first line" {
	receiver r status=400
	for i in 1 2 3; do event "x$i"; done > "$TMP/in"
	run flow-pub -r "$TMP/rej" "$URL" < "$TMP/in"
	[ "$status" -eq 65 ]
	assert_match "flow-pub: $URL: HTTP 400: bad event: nope \(1 event not delivered\)" "$output"
	[[ "$output" != *more* ]]
	# a refused event does not stop the others: each is tried once
	sort "$TMP/in" | cmp - <(sort "$TMP/rej")
	assert_eq 3 "$(requests r)"
}

@test "http: retries exhausted: 75 and --reject; connection refused: 69" {
	receiver r status=503
	event x1 > "$TMP/in"
	event x2 >> "$TMP/in"
	run flow-pub --batch 5 --retries 2 -r "$TMP/rej" "$URL" < "$TMP/in"
	[ "$status" -eq 75 ]
	assert_match 'HTTP 503: bad event: nope \(2 events not delivered\)' "$output"
	assert_eq 3 "$(requests r)"
	cmp "$TMP/in" "$TMP/rej"
	# nobody listens on port 1 here
	run flow-pub --retries 1 -r "$TMP/rej2" http://127.0.0.1:1/in < "$TMP/in"
	[ "$status" -eq 69 ]
	assert_match 'http://127.0.0.1:1/in: connection: .*(refused|connect)' "$output"
	# requests in flight at once end in any order
	sort "$TMP/in" | cmp - <(sort "$TMP/rej2")
}

@test "https: a test CA with --cacert; without it the peer is not trusted (69, not retried)" {
	cd "$TMP"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=test-ca 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj /CN=127.0.0.1 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\n' > ext
	openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile ext 2>/dev/null
	receiver r tls="$TMP/srv.pem:$TMP/srv.key"
	URL=https${URL#http}
	event t1 | flow-pub --cacert ca.pem "$URL"
	assert_eq t1 "$(ids r)"
	SECONDS=0
	run flow-pub "$URL" < <(event t2)
	[ "$status" -eq 69 ]
	assert_match 'connection: .*(certificate|SSL)' "$output"
	[ "$SECONDS" -lt 5 ]
	assert_eq 1 "$(requests r)"
}

@test "http: bad input: -H, --header-file, --batch, --retries, --cacert, --webhook-secret, URLs" {
	local u=http://127.0.0.1:1/in
	run flow-pub -H 'NoColon' $u < /dev/null
	[ "$status" -eq 64 ]
	assert_match 'expected Name: value' "$output"
	run flow-pub -H $'X-A: a\r\nX-Injected: b' $u < /dev/null
	[ "$status" -eq 64 ]
	assert_match 'X-A: a control character' "$output"
	run flow-pub -H 'Authorization: Bearer s3cret'$'\n' $u < /dev/null
	[ "$status" -eq 64 ]
	[[ "$output" != *s3cret* ]]
	run flow-pub -H 'Content-Type: text/plain' $u < /dev/null
	[ "$status" -eq 64 ]
	assert_match 'sets this header itself' "$output"
	run flow-pub -H 'ce-id: 1' $u < /dev/null
	[ "$status" -eq 64 ]
	run flow-pub -H 'X-Empty:' $u < /dev/null
	[ "$status" -eq 64 ]
	run flow-pub -H "X-Long: $(head -c 5000 /dev/zero | tr '\0' a)" $u < /dev/null
	[ "$status" -eq 64 ]
	run flow-pub $(for i in $(seq 1 33); do echo -H "X-$i:v"; done) $u < /dev/null
	[ "$status" -eq 64 ]
	assert_match 'more than 32 headers' "$output"
	run flow-pub -H @"$TMP/missing" $u < /dev/null
	[ "$status" -eq 78 ]
	printf 'X-Ok: 1\nAuthorization Bearer s3cret\n' > "$TMP/h"
	run flow-pub --header-file "$TMP/h" $u < /dev/null
	[ "$status" -eq 78 ]
	assert_match 'line 2: .*expected Name: value' "$output"
	[[ "$output" != *s3cret* ]]
	head -c 70000 /dev/zero | tr '\0' a > "$TMP/big"
	run flow-pub --header-file "$TMP/big" $u < /dev/null
	[ "$status" -eq 78 ]
	for b in 0 1001 x -1 ''; do
		run flow-pub --batch "$b" $u < /dev/null
		[ "$status" -eq 64 ]
	done
	run flow-pub --batch 2 --binary $u < /dev/null
	[ "$status" -eq 64 ]
	for n in 21 -1 x; do
		run flow-pub --retries "$n" $u < /dev/null
		[ "$status" -eq 64 ]
	done
	run flow-pub --cacert "$TMP/missing" $u < /dev/null
	[ "$status" -eq 78 ]
	run flow-pub --webhook-secret "$TMP/missing" $u < /dev/null
	[ "$status" -eq 78 ]
	for s in "$(openssl rand -base64 32)" "whsec_" "whsec_not*base64" "whsec_$(openssl rand -base64 16)" \
		"whsec_$(openssl rand -base64 80 | tr -d '\n')"; do
		echo "$s" > "$TMP/s"
		run flow-pub --webhook-secret "$TMP/s" $u < /dev/null
		[ "$status" -eq 78 ]
		assert_match 'webhook-secret' "$output"
	done
	run flow-pub 'http://h/a b' < /dev/null
	[ "$status" -eq 64 ]
	run flow-pub 'https://' < /dev/null
	[ "$status" -eq 64 ]
	run flow-sub -e $u
	[ "$status" -eq 64 ]
	assert_match 'destination only' "$output"
	run flow-stat $u
	[ "$status" -eq 64 ]
	assert_match 'destination only' "$output"
	run flow-bridge -e --batch 0 "$TMP/a" $u
	[ "$status" -eq 64 ]
}

@test "flow-bridge file -> http, -g: killed and restarted, nothing lost; the group moves only past 2xx" {
	gen-events 300 > "$TMP/in"
	flow-pub "$TMP/flow" < "$TMP/in"
	receiver r slow=10
	flow-bridge -g g -o stored "$TMP/flow" "$URL" 2>"$TMP/bridge.err" &
	BRIDGE_PID=$!
	wait_until 30 received r 60
	kill -KILL "$BRIDGE_PID"
	wait "$BRIDGE_PID" || true
	BRIDGE_PID=
	[ "$(ids r | wc -l)" -lt 300 ]
	flow-bridge -e -g g -o stored "$TMP/flow" "$URL"
	jq -r .id "$TMP/in" | sort -u | diff - <(ids r)

	# a receiver that refuses: the bridge fails, the group stays; then all is delivered
	receiver bad status=503
	run flow-bridge -e -g h -o stored --retries 0 "$TMP/flow" "$URL"
	[ "$status" -eq 75 ]
	assert_match 'not acknowledged by a destination' "$output"
	[ ! -s "$TMP/bad/events" ]
	receiver good
	flow-bridge -e -g h -o stored "$TMP/flow" "$URL"
	jq -r .id "$TMP/in" | sort -u | diff - <(ids good)
	assert_eq 300 "$(jq -r .id "$TMP/good/events" | wc -l)"
}
