#!/usr/bin/env bats
# flow-httpd under a real tcpserver, file flows behind it: every answer a
# client can get, checked with curl; the official CloudEvents SDK for
# JavaScript (tests/node/ce-http.js) as an independent sender; the flow
# out as Server-Sent Events to curl and to a headless Chromium.

load helpers/common
load helpers/fnap
load helpers/s6

# the token of the test, and a Standard Webhooks secret (whsec_ base64)
TOKEN=0123456789abcdef-read-write
READER=0123456789abcdef-read-only
SECRET_B64=c2VjcmV0LW9mLXRoZS13ZWJob29rLXRlc3Q=

setup() {
	common_setup
	printf 'whsec_%s\n' "$SECRET_B64" > "$TMP/whsec"
	cat > "$TMP/httpd.conf" <<CONF
# flow-httpd of the test
flow open file://$TMP/flows/open
public write
flow orders file://$TMP/flows/orders
token read,write $(echo "$TOKEN" | flow-httpd -H)
token read $(echo "$READER" | flow-httpd -H)
webhook-secret $TMP/whsec
webhook-tolerance 60
flow broken file://$TMP/whsec/not-a-directory
public read,write
batch-max 5
body-max 65536
${HTTPD_EXTRA_CONF:-}
CONF
}

teardown() {
	s6_stop
	stop_pids ${HTTPD_PID:-} ${WWW_PID:-}
	no_sanitizer_reports "$TMP/httpd.log"
	common_teardown
}

# httpd_start: flow-httpd under tcpserver on a free port, its log in $TMP/httpd.log
httpd_start() {
	tcp_start "$TMP/httpd.port" flow-httpd -f "$TMP/httpd.conf" 2> "$TMP/httpd.log"
	HTTPD_PID=$TCP_PID
	BASE=http://127.0.0.1:$TCP_PORT
}

# post PATH CURL-ARGS...: print "STATUS BODY" of a POST
post() {
	local path=$1
	shift
	curl -s --path-as-is -o "$TMP/body" -w '%{http_code}' "$@" "$BASE$path"
	printf ' %s\n' "$(cat "$TMP/body")"
}

structured() { post "$1" -H 'Content-Type: application/cloudevents+json' --data-binary "$2" "${@:3}"; }

# stored DIR: the events of the file flow, in order
stored() { flow-sub -o beginning -e "file://$TMP/flows/$1"; }

@test "flow-httpd: -h, -V, usage and configuration errors" {
	run flow-httpd -h
	[ "$status" -eq 0 ]
	assert_match '^usage: flow-httpd' "${lines[0]}"
	run flow-httpd -V
	[ "$status" -eq 0 ]
	run flow-httpd -x
	[ "$status" -eq 64 ]
	run flow-httpd extra
	[ "$status" -eq 64 ]
	run flow-httpd -f "$TMP/none.conf"
	[ "$status" -eq 78 ]
	assert_match 'none.conf: No such file' "$output"
	local bad
	for bad in 'flow ../x file:///tmp/x' 'flow a' 'token write nothash' 'public all' 'body-max 1' \
		'keepalive 999' 'flow a file:///a x' 'nonsense 1' "webhook-secret $TMP/httpd.conf" \
		'tls-certificate /x'; do
		printf 'flow first file://%s/f\n%s\n' "$TMP" "$bad" > "$TMP/bad.conf"
		run flow-httpd -f "$TMP/bad.conf" < /dev/null
		[ "$status" -eq 78 ] || { echo "accepted: $bad"; false; }
		assert_match '^flow-httpd: .*bad.conf' "$output"
	done
	echo 'public write' > "$TMP/bad.conf"
	run flow-httpd -f "$TMP/bad.conf"
	assert_match 'bad.conf:1: no flow line before it' "$output"
	run flow-httpd -H <<< short
	[ "$status" -eq 64 ]
	run flow-httpd -H <<< "$TOKEN"
	[ "$status" -eq 0 ]
	assert_match '^\$argon2id\$' "$output"
}

@test "flow-httpd: 202 for a structured, a binary (JSON, text, bytes) and a batch POST, each event stored" {
	httpd_start
	run structured /open "$(event s1 ',"data":{"a":1}' | jq .)"
	assert_eq '202 {"stored":1}' "$output"
	run post /open -H 'ce-specversion: 1.0' -H 'ce-id: b1' -H 'ce-source: /test' -H 'ce-type: t' \
		-H 'ce-subject: caf%C3%A9' -H 'Content-Type: application/json' --data-binary '{ "n": [1, 2] }'
	assert_eq '202 {"stored":1}' "$output"
	run post /open -H 'ce-specversion: 1.0' -H 'ce-id: b2' -H 'ce-source: /test' -H 'ce-type: t' \
		-H 'Content-Type: text/plain' --data-binary 'hello'
	assert_eq '202 {"stored":1}' "$output"
	printf '\001\002\377' > "$TMP/bytes"
	run post /open -H 'ce-specversion: 1.0' -H 'ce-id: b3' -H 'ce-source: /test' -H 'ce-type: t' \
		-H 'Content-Type: application/octet-stream' --data-binary @"$TMP/bytes"
	assert_eq '202 {"stored":1}' "$output"
	run post /open -H 'Content-Type: application/cloudevents-batch+json' \
		--data-binary "[$(event k1), $(event k2)]"
	assert_eq '202 {"stored":2}' "$output"
	run stored open
	[ "${#lines[@]}" -eq 6 ]
	assert_eq "$(event s1 ',"data":{"a":1}')" "${lines[0]}"
	assert_eq '{"specversion":"1.0","id":"b1","source":"/test","type":"t","subject":"café","datacontenttype":"application/json","data":{"n":[1,2]}}' "${lines[1]}"
	assert_eq 'hello' "$(jq -r .data <<< "${lines[2]}")"
	assert_eq 'AQL/' "$(jq -r .data_base64 <<< "${lines[3]}")"
	assert_eq 'k1 k2' "$(jq -r .id <<< "${lines[4]}${lines[5]}" | tr '\n' ' ' | sed 's/ $//')"
}

@test "flow-httpd: 400 names each bad event of a batch by index and reason, the good ones stored" {
	httpd_start
	run post /open -H 'Content-Type: application/cloudevents-batch+json' \
		--data-binary "[$(event g1), {\"id\":\"x\"}, 7, $(event g2 ',"time":"yesterday"'), $(event g3)]"
	[ "${output%% *}" = 400 ]
	assert_eq '[1,2,3]' "$(jq -c '[.rejected[].index]' <<< "${output#* }")"
	assert_eq 2 "$(jq .stored <<< "${output#* }")"
	assert_match 'not a JSON object' "$(jq -r '.rejected[1].reason' <<< "${output#* }")"
	assert_match 'time' "$(jq -r '.rejected[2].reason' <<< "${output#* }")"
	assert_eq 'g1 g3' "$(stored open | jq -r .id | tr '\n' ' ' | sed 's/ $//')"
	run structured /open '{"specversion":"0.3","id":"x","source":"/s","type":"t"}'
	assert_match '^400 .*"index":0,"reason":"specversion' "$output"
	run structured /open '{"a":1} {"b":2}'
	assert_match '^400 .*more than one JSON value' "$output"
	run post /open -H 'Content-Type: application/cloudevents-batch+json' --data-binary '{}'
	assert_match '^400 .*a batch is a JSON array' "$output"
	run post /open -H 'ce-specversion: 1.0' -H 'ce-id: %zz' -H 'ce-source: /s' -H 'ce-type: t' --data-binary x
	assert_match '^400 .*percent-encoded' "$output"
	run post /open -H 'ce-specversion: 1.0' -H 'ce-id: i' -H 'ce-source: /s' -H 'ce-type: t' -H 'ce-data: x' --data-binary x
	assert_match '^400 .*ce-data' "$output"
	run post /open -H 'ce-specversion: 1.0' -H 'ce-id: i' -H 'ce-source: /s' -H 'ce-type: t' \
		-H 'Content-Type: application/json' --data-binary '{'
	assert_match '^400 .*not one JSON value' "$output"
	assert_eq 2 "$(stored open | wc -l)"
}

@test "flow-httpd: 401 without credentials, a bearer token writes, a read-only token does not" {
	httpd_start
	curl -s -D "$TMP/headers" -o /dev/null -H 'Content-Type: application/cloudevents+json' \
		--data-binary "$(event a1)" "$BASE/orders"
	assert_match '^HTTP/1.1 401' "$(head -1 "$TMP/headers")"
	grep -qi '^WWW-Authenticate: Bearer realm="flow-httpd"' "$TMP/headers"
	run structured /orders "$(event a2)" -H "Authorization: Bearer wrong-token-0123456789"
	assert_match '^401 .*bearer token not accepted' "$output"
	run structured /orders "$(event a3)" -H "Authorization: Bearer $READER"
	assert_match '^401' "$output"
	run structured /orders "$(event a4)" -H "Authorization: Bearer $TOKEN"
	assert_eq '202 {"stored":1}' "$output"
	assert_eq a4 "$(stored orders | jq -r .id)"
}

# webhook BODY [TIMESTAMP [SECRET-B64]]: the three Standard Webhooks headers as curl options
webhook() {
	local ts=${2:-$(date +%s)} key
	key=$(printf %s "${3:-$SECRET_B64}" | base64 -d | od -An -tx1 | tr -d ' \n')
	local sig
	sig=$(printf '%s.%s.%s' msg_1 "$ts" "$1" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key" -binary | base64)
	printf '%s\n' -H "webhook-id: msg_1" -H "webhook-timestamp: $ts" -H "webhook-signature: v1,bm90IHRoaXMgb25l v1,$sig"
}

@test "flow-httpd: a Standard Webhooks signature writes; an old timestamp, another key or another body do not" {
	httpd_start
	local body old
	body=$(event w1)
	mapfile -t h < <(webhook "$body")
	run structured /orders "$body" "${h[@]}"
	assert_eq '202 {"stored":1}' "$output"
	old=$(( $(date +%s) - 120 ))
	mapfile -t h < <(webhook "$body" "$old")
	run structured /orders "$body" "${h[@]}"
	assert_match '^401 .*outside the tolerance' "$output"
	mapfile -t h < <(webhook "$body" "" "b3RoZXItc2VjcmV0LW9mLWEtd2ViaG9vaw==")
	run structured /orders "$body" "${h[@]}"
	assert_match '^401 .*no webhook signature verifies' "$output"
	mapfile -t h < <(webhook "$body")
	run structured /orders "$(event w2)" "${h[@]}"
	assert_match '^401' "$output"
	assert_eq w1 "$(stored orders | jq -r .id)"
}

@test "flow-httpd: 404 unknown flow or bad path, 405 with Allow, 406 a GET of no event stream, 415 unknown type" {
	httpd_start
	local path
	for path in /nowhere /open/x /../open /.open '/op%2Fen' /; do
		run structured "$path" "$(event n1)"
		assert_match '^404 \{"error":"no such flow"\}' "$output"
	done
	curl -s -D "$TMP/headers" -o /dev/null -X PUT --data-binary x "$BASE/open"
	assert_match '^HTTP/1.1 405' "$(head -1 "$TMP/headers")"
	grep -qi '^Allow: GET, POST' "$TMP/headers"
	run curl -s -w ' %{http_code}' "$BASE/open"
	assert_match '406$' "$output"
	run post /open -H 'Content-Type: application/json' --data-binary "$(event n2)"
	assert_match '^415 ' "$output"
	run post /open --data-binary "$(event n3)"
	assert_match '^415 ' "$output"
	assert_eq 0 "$(stored open 2>/dev/null | wc -l)"
}

@test "flow-httpd: 413 for a body over body-max (by its length, or chunked) and for a batch over batch-max" {
	httpd_start
	head -c 70000 /dev/zero | tr '\0' ' ' > "$TMP/big"
	run post /open -H 'Content-Type: application/cloudevents+json' --data-binary @"$TMP/big"
	assert_match '^413 .*body-max' "$output"
	run post /open -H 'Content-Type: application/cloudevents+json' -H 'Transfer-Encoding: chunked' --data-binary @"$TMP/big"
	assert_match '^413 .*body-max' "$output"
	run post /open -H 'Content-Type: application/cloudevents-batch+json' \
		--data-binary "[$(for i in 1 2 3 4 5 6; do event "m$i"; echo ,; done | sed '$d')]"
	assert_match '^413 .*more than 5 events' "$output"
	assert_eq 0 "$(stored open 2>/dev/null | wc -l)"
}

@test "flow-httpd: 503 with Retry-After when the flow's broker cannot store" {
	httpd_start
	curl -s -D "$TMP/headers" -o "$TMP/body" -H 'Content-Type: application/cloudevents+json' \
		--data-binary "$(event u1)" "$BASE/broken"
	assert_match '^HTTP/1.1 503' "$(head -1 "$TMP/headers")"
	grep -qi '^Retry-After: 5' "$TMP/headers"
	assert_match 'did not take' "$(cat "$TMP/body")"
	assert_match 'POST /broken: 503' "$(cat "$TMP/httpd.log")"
}

@test "flow-httpd: keep-alive: requests one after the other on one connection, one process" {
	httpd_start
	curl -sv -o /dev/null -o /dev/null -o /dev/null -H 'Content-Type: application/cloudevents+json' \
		--data-binary "$(event c1)" "$BASE/open" "$BASE/open" "$BASE/nowhere" 2> "$TMP/curl.err"
	grep -q 'Re-using existing connection' "$TMP/curl.err"
	assert_eq 1 "$(grep -c 'Connected to' "$TMP/curl.err")"
	assert_eq 2 "$(stored open | wc -l)"
}

@test "flow-httpd: the CloudEvents SDK for JavaScript sends structured, binary and batch events" {
	node -e 'require("cloudevents")'
	httpd_start
	local sdk="$FLOW_SRCDIR/tests/node/ce-http.js"
	printf '%s\n' '{"id":"j1","source":"/sdk","type":"t","data":{"x":1}}' \
		'{"id":"j2","source":"/sdk","type":"t","datacontenttype":"text/plain","data":"two","ext1":"e"}' > "$TMP/sdk"
	run node "$sdk" "$BASE/open" structured < "$TMP/sdk"
	[ "$status" -eq 0 ]
	assert_eq '202 {"stored":1}' "${lines[0]}"
	assert_eq '202 {"stored":1}' "${lines[1]}"
	sed 's/"j/"k/' "$TMP/sdk" | node "$sdk" "$BASE/open" binary > "$TMP/out"
	assert_eq 2 "$(grep -c '^202' "$TMP/out")"
	sed 's/"j/"l/' "$TMP/sdk" | node "$sdk" "$BASE/open" batch > "$TMP/out"
	assert_eq '202 {"stored":2}' "$(cat "$TMP/out")"
	stored open > "$TMP/all"
	assert_eq 'j1 j2 k1 k2 l1 l2' "$(jq -r .id "$TMP/all" | tr '\n' ' ' | sed 's/ $//')"
	assert_eq '{"x":1} {"x":1} {"x":1}' "$(jq -c 'select(.id | endswith("1")) | .data' "$TMP/all" | tr '\n' ' ' | sed 's/ $//')"
	assert_eq 'two two two' "$(jq -r 'select(.id | endswith("2")) | .data' "$TMP/all" | tr '\n' ' ' | sed 's/ $//')"
	assert_eq 'e e e' "$(jq -r 'select(.id | endswith("2")) | .ext1' "$TMP/all" | tr '\n' ' ' | sed 's/ $//')"
}

# sse_start FILE PATH CURL-ARGS...: curl reading the stream of PATH into FILE, in the background (SSE_PID)
sse_start() {
	local file=$1 path=$2
	shift 2
	curl -s -N --max-time 60 -H 'Accept: text/event-stream' "$@" "$BASE$path" > "$file" &
	SSE_PID=$!
}

# sse_ids FILE: the id: lines of a stream, space-separated
sse_ids() { sed -n 's/^id: //p' "$1" | tr '\n' ' ' | sed 's/ $//'; }

@test "flow-httpd: a flow as Server-Sent Events: id is the offset, new events follow, Last-Event-ID resumes" {
	echo 'keepalive 1' >> "$TMP/httpd.conf"
	httpd_start
	local i
	for i in 0 1 2; do event "e$i"; done | flow-pub "file://$TMP/flows/orders"
	sse_start "$TMP/sse" '/orders?from=beginning' -H "Authorization: Bearer $READER"
	wait_until 10 grep -q '^id: 2$' "$TMP/sse"
	run structured /orders "$(event e3)" -H "Authorization: Bearer $TOKEN"
	assert_eq '202 {"stored":1}' "$output"
	wait_until 10 grep -q '^id: 3$' "$TMP/sse"
	wait_until 10 grep -q '^: keep-alive$' "$TMP/sse"
	stop_pids "$SSE_PID"
	assert_eq '0 1 2 3' "$(sse_ids "$TMP/sse")"
	assert_eq "data: $(event e3)" "$(grep -A1 '^id: 3$' "$TMP/sse" | tail -1)"
	# the browser's reconnection: after the last id it saw
	sse_start "$TMP/resume" /orders -H "Authorization: Bearer $READER" -H 'Last-Event-ID: 1'
	wait_until 10 grep -q '^id: 3$' "$TMP/resume"
	stop_pids "$SSE_PID"
	assert_eq '2 3' "$(sse_ids "$TMP/resume")"
	# by default, only what comes after
	sse_start "$TMP/end" /orders -H "Authorization: Bearer $TOKEN"
	wait_until 10 grep -q '^: flow orders' "$TMP/end"
	event e4 | flow-pub "file://$TMP/flows/orders"
	wait_until 10 grep -q '^id: 4$' "$TMP/end"
	stop_pids "$SSE_PID"
	assert_eq '4' "$(sse_ids "$TMP/end")"
	curl -s -D "$TMP/headers" -o /dev/null --max-time 5 -H 'Accept: text/event-stream' \
		-H "Authorization: Bearer $READER" "$BASE/orders?from=-1" || true
	grep -qi '^Content-Type: text/event-stream' "$TMP/headers"
	grep -qi '^Cache-Control: no-cache' "$TMP/headers"
}

@test "flow-httpd: a stream needs the read right; a bad Last-Event-ID or from is 400; an unreadable broker 503" {
	httpd_start
	run curl -s -w ' %{http_code}' -H 'Accept: text/event-stream' "$BASE/orders"
	assert_match '^\{"error":"authentication required"\} 401$' "$output"
	run curl -s -w ' %{http_code}' -H 'Accept: text/event-stream' "$BASE/open"
	assert_match ' 401$' "$output"
	mapfile -t h < <(webhook '')
	run curl -s -w ' %{http_code}' -H 'Accept: text/event-stream' "${h[@]}" "$BASE/orders"
	assert_match ' 401$' "$output"
	run curl -s -w ' %{http_code}' -H 'Accept: text/event-stream' -H "Authorization: Bearer $TOKEN" \
		-H 'Last-Event-ID: x1' "$BASE/orders"
	assert_match 'Last-Event-ID is not an offset.* 400$' "$output"
	run curl -s -w ' %{http_code}' -H 'Accept: text/event-stream' -H "Authorization: Bearer $TOKEN" \
		"$BASE/orders?from=stored"
	assert_match 'from: expected.* 400$' "$output"
	curl -s -D "$TMP/headers" -o /dev/null -H 'Accept: text/event-stream' "$BASE/broken"
	assert_match '^HTTP/1.1 503' "$(head -1 "$TMP/headers")"
	grep -qi '^Retry-After: 5' "$TMP/headers"
}

@test "flow-httpd: TLS with OpenSSL from the first byte: POSTs on one connection, a stream, no plain HTTP" {
	fnap_tls_files
	printf 'tls-certificate %s\ntls-key %s\n' "$TMP/tls/cert.pem" "$TMP/tls/key.pem" >> "$TMP/httpd.conf"
	httpd_start
	local https=https://localhost:$TCP_PORT
	curl -sv --cacert "$TMP/tls/ca.pem" --resolve "localhost:$TCP_PORT:127.0.0.1" -o "$TMP/b1" -o "$TMP/b2" \
		-H 'Content-Type: application/cloudevents+json' --data-binary "$(event t1)" \
		"$https/open" "$https/open" 2> "$TMP/curl.err"
	assert_eq '{"stored":1}' "$(cat "$TMP/b1")"
	assert_eq '{"stored":1}' "$(cat "$TMP/b2")"
	grep -q 'Re-using existing connection' "$TMP/curl.err"
	grep -q 'SSL certificate verify ok' "$TMP/curl.err"
	event t0 | flow-pub "file://$TMP/flows/orders"  # a file flow is read once it exists
	curl -s -N --max-time 60 --cacert "$TMP/tls/ca.pem" --resolve "localhost:$TCP_PORT:127.0.0.1" \
		-H 'Accept: text/event-stream' -H "Authorization: Bearer $READER" "$https/orders" > "$TMP/sse" &
	SSE_PID=$!
	wait_until 10 grep -q '^: flow orders' "$TMP/sse"
	run curl -s --cacert "$TMP/tls/ca.pem" --resolve "localhost:$TCP_PORT:127.0.0.1" \
		-H 'Content-Type: application/cloudevents+json' -H "Authorization: Bearer $TOKEN" \
		--data-binary "$(event t2)" "$https/orders"
	assert_eq '{"stored":1}' "$output"
	wait_until 10 grep -q '^id: 1$' "$TMP/sse"
	stop_pids "$SSE_PID"
	assert_eq "data: $(event t2)" "$(grep '^data:' "$TMP/sse")"
	run curl -s --max-time 5 -w '%{http_code}' -H 'Content-Type: application/cloudevents+json' \
		--data-binary "$(event t3)" "http://127.0.0.1:$TCP_PORT/open"
	[ "$output" = 000 ]
	assert_eq 't1 t1' "$(stored open | jq -r .id | tr '\n' ' ' | sed 's/ $//')"
}

# www_start: a small web server (python3's http.server) for $TMP/www on a free port: WWW_PORT, WWW_PID
www_start() {
	mkdir -p "$TMP/www"
	python3 -u -m http.server --bind 127.0.0.1 --directory "$TMP/www" 0 > "$TMP/www.log" 2>&1 &
	WWW_PID=$!
	wait_until 10 grep -q 'port [0-9]' "$TMP/www.log"
	WWW_PORT=$(sed -n 's/.* port \([0-9]*\).*/\1/p' "$TMP/www.log" | head -1)
}

# The page: an EventSource on the stream at ?src=, each event an item
# "ID EVENT-ID"; after ?n= events it closes the stream (so that a headless
# browser's time runs out and it prints the page) and says done.
board_page() {
	cat > "$TMP/www/board.html" <<'HTML'
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>waiting</title></head>
<body><h1>flow board</h1><ul id="events"></ul>
<script>
const q = new URLSearchParams(location.search);
const src = new EventSource(q.get("src"));
let n = 0;
src.onmessage = (m) => {
	const li = document.createElement("li");
	li.textContent = m.lastEventId + " " + JSON.parse(m.data).id;
	document.getElementById("events").appendChild(li);
	if (++n === Number(q.get("n"))) { src.close(); document.title = "done"; }
};
</script></body></html>
HTML
}


@test "flow-httpd: a headless Chromium's EventSource shows the events of a flow as they come (screenshot kept)" {
	command -v chromium
	www_start
	board_page
	printf 'flow board file://%s/flows/board\npublic read,write\nallow-origin http://127.0.0.1:%s\n' \
		"$TMP" "$WWW_PORT" >> "$TMP/httpd.conf"
	httpd_start
	run structured /board "$(event b0)"
	run structured /board "$(event b1)"
	local page="http://127.0.0.1:$WWW_PORT/board.html?n=4&src=$BASE/board%3Ffrom%3Dbeginning"
	timeout 60 chromium --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--user-data-dir="$TMP/chromium" --virtual-time-budget=20000 --dump-dom "$page" \
		> "$TMP/dom" 2>> "$TMP/chromium.log" &
	local pid=$!
	# once the browser reads the stream, two more events, live
	wait_until 30 grep -q 'GET /board?\{0,1\}.*: 200 stream' "$TMP/httpd.log"
	run structured /board "$(event b2)"
	run structured /board "$(event b3)"
	wait "$pid"
	grep -q '<title>done</title>' "$TMP/dom"
	assert_eq '<ul id="events"><li>0 b0</li><li>1 b1</li><li>2 b2</li><li>3 b3</li></ul>' \
		"$(grep -o '<ul id="events">.*</ul>' "$TMP/dom")"
	# the picture, kept beside the suite's log
	local shot=${FLOW_BUILDDIR:-$TMP}/tests/bats/0101-flow-httpd-chromium.png
	timeout 60 chromium --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--user-data-dir="$TMP/chromium" --virtual-time-budget=20000 --window-size=640,360 \
		--screenshot="$shot" "$page" 2>> "$TMP/chromium.log"
	[ "$(head -c 8 "$shot" | od -An -c | tr -d ' ')" = '211PNG\r\n032\n' ]
	[ "$(stat -c %s "$shot")" -gt 1000 ]
}

CONTRIB=$FLOW_SRCDIR/contrib/httpd

# free_port: a loopback port nobody listens on now (FREE_PORT)
free_port() {
	tcp_start "$TMP/free.port" true
	stop_pids "$TCP_PID"
	FREE_PORT=$TCP_PORT
}

# served_on PORT ID: a POST of event ID to /open on PORT is stored (within 10 s of the listener starting)
served_on() {
	BASE=http://127.0.0.1:$1
	wait_until 10 curl -s -o /dev/null "$BASE/open"
	run structured /open "$(event "$2")"
	assert_eq '202 {"stored":1}' "$output"
	assert_eq "$2" "$(stored open | jq -r .id | tail -1)"
}

@test "flow-httpd: contrib: the inetd.conf line's fields, its argv serving HTTP under tcpserver" {
	local line
	assert_eq 1 "$(grep -cv -e '^#' -e '^[[:space:]]*$' "$CONTRIB/inetd.conf")" 'service lines'
	line=$(grep -v -e '^#' -e '^[[:space:]]*$' "$CONTRIB/inetd.conf")
	# shellcheck disable=SC2086
	set -- $line
	assert_eq 8080 "$1" port
	assert_eq stream "$2" 'socket type'
	assert_eq tcp "$3" protocol
	assert_match '^nowait(\.[0-9]+)?$' "$4"
	assert_match '^/.*/flow-httpd$' "$6"
	assert_eq flow-httpd "$7" 'argv[0]'
	assert_eq '-f /etc/flow/flow-httpd.conf' "${*:8}" arguments
	tcp_start "$TMP/inetd.port" flow-httpd -f "$TMP/httpd.conf" 2> "$TMP/httpd.log"
	HTTPD_PID=$TCP_PID
	served_on "$TCP_PORT" i1
}

@test "flow-httpd: contrib: the systemd units: Accept=yes, stdin and stdout the socket, ExecStart serving HTTP, verified" {
	local key exec
	key() { sed -n "s/^$2=//p" "$CONTRIB/systemd/$1"; }
	assert_eq 8080 "$(key flow-httpd.socket ListenStream)" ListenStream
	assert_eq yes "$(key flow-httpd.socket Accept)" Accept
	assert_eq socket "$(key flow-httpd@.service StandardInput)" StandardInput
	assert_eq socket "$(key flow-httpd@.service StandardOutput)" StandardOutput
	exec=$(key flow-httpd@.service ExecStart)
	# shellcheck disable=SC2086
	set -- $exec
	assert_match '^/.*/flow-httpd$' "$1"
	assert_eq '-f /etc/flow/flow-httpd.conf' "${*:2}" 'ExecStart arguments'
	command -v systemd-socket-activate
	free_port
	systemd-socket-activate -l "127.0.0.1:$FREE_PORT" --accept --inetd \
		"$(command -v flow-httpd)" -f "$TMP/httpd.conf" 2> "$TMP/httpd.log" &
	HTTPD_PID=$!
	served_on "$FREE_PORT" y1
	mkdir "$TMP/units"
	cp "$CONTRIB/systemd/flow-httpd.socket" "$TMP/units/"
	sed "s|^ExecStart=/[^ ]*/flow-httpd |ExecStart=$(command -v flow-httpd) |" \
		"$CONTRIB/systemd/flow-httpd@.service" > "$TMP/units/flow-httpd@.service"
	run systemd-analyze verify --man=no "$TMP/units/flow-httpd.socket" "$TMP/units/flow-httpd@.service"
	[ "$status" -eq 0 ]
	assert_eq '' "$output" 'systemd-analyze verify'
}

@test "flow-httpd: contrib: the s6 service directory under s6-svscan serves HTTP and logs" {
	[ -x "$CONTRIB/s6/flow-httpd/run" ]
	[ -x "$CONTRIB/s6/flow-httpd/log/run" ]
	sh -n "$CONTRIB/s6/flow-httpd/run"
	grep -q '^PORT=${PORT:-8080}$' "$CONTRIB/s6/flow-httpd/run"
	grep -q '^CONFIG=${CONFIG:-/etc/flow/flow-httpd.conf}$' "$CONTRIB/s6/flow-httpd/run"
	mkdir -p "$TMP/scan"
	cp -R "$CONTRIB/s6/flow-httpd" "$TMP/scan/flow-httpd"
	free_port
	mkdir "$TMP/scan/flow-httpd/env"
	echo 127.0.0.1 > "$TMP/scan/flow-httpd/env/IP"
	echo "$FREE_PORT" > "$TMP/scan/flow-httpd/env/PORT"
	echo "$TMP/httpd.conf" > "$TMP/scan/flow-httpd/env/CONFIG"
	id -un > "$TMP/scan/flow-httpd/env/RUNAS"
	s6_start
	served_on "$FREE_PORT" s1
	wait_until 10 grep -q 'POST /open: 202' "$TMP/scan/flow-httpd/log/main/current"
	assert_match 'tcpserver: pid [0-9]+ from 127\.0\.0\.1' "$(cat "$TMP/scan/flow-httpd/log/main/current")"
	s6_stop
}

@test "flow-httpd: limits: headers over header-max 431, a slow request cut at request-timeout, a silent client at idle-timeout, a quiet stream kept" {
	printf 'header-max 4096\nrequest-timeout 2\nidle-timeout 3\nkeepalive 1\n' >> "$TMP/httpd.conf"
	httpd_start
	run curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $(head -c 5000 /dev/zero | tr '\0' a)" "$BASE/open"
	assert_eq 431 "$output"
	# a body that comes a byte a second: the connection ends after 2 s, not after the 30 s of its bytes
	# (flow-httpd exits with a byte unread, so the kernel may end it with a reset: cat's error is expected)
	local start=$SECONDS
	tcpclient -R -H 127.0.0.1 "$TCP_PORT" sh -c '
		printf "POST /open HTTP/1.1\r\nHost: t\r\nContent-Type: application/cloudevents+json\r\nContent-Length: 40\r\n\r\n{" >&7
		(for i in $(seq 1 30); do sleep 1; printf " " >&7 || exit 0; done) &
		cat <&6 > /dev/null || :' 2>/dev/null
	[ $((SECONDS - start)) -le 6 ]
	grep -q 'a request took longer than 2 s' "$TMP/httpd.log"
	# nothing at all: closed after the idle timeout
	start=$SECONDS
	tcpclient -R -H 127.0.0.1 "$TCP_PORT" sh -c 'cat <&6 > /dev/null' 2>/dev/null
	[ $((SECONDS - start)) -ge 2 ]
	[ $((SECONDS - start)) -le 8 ]
	assert_eq 0 "$(stored open 2>/dev/null | wc -l)"
	# a quiet stream outlives the idle timeout: its keep-alive comments are traffic
	event q0 | flow-pub "file://$TMP/flows/orders"
	run curl -s -N --max-time 5 -H 'Accept: text/event-stream' -H "Authorization: Bearer $READER" "$BASE/orders"
	[ "$status" -eq 28 ]
	[ "$(grep -c '^: keep-alive$' <<< "$output")" -ge 3 ]
}
