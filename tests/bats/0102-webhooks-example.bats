#!/usr/bin/env bats
# examples/pipelines/webhooks.sh: signed webhooks from outside into orange's
# flow-httpd, filtered by orange's flow-bridge and delivered, signed, to
# blue's flow-httpd. The script checks itself; these tests check its output
# apart from it: the filter again with jq, and the signatures of what orange
# sends with the Standard Webhooks library (tests/node/receiver.js).

load helpers/common

setup() {
	common_setup
	RECV_PID=
}
teardown() {
	stop_pids ${RECV_PID:-}
	common_teardown
}

# run_example: the script's output in $TMP/out (stdout and stderr apart)
run_example() {
	run --separate-stderr "$FLOW_SRCDIR/examples/pipelines/webhooks.sh"
	[ "$status" -eq 0 ] || { echo "$output $stderr" >&2; false; }
	printf '%s\n' "$output" > "$TMP/out"
}

# receiver SECRET-FILE: tests/node/receiver.js in $TMP/r (afresh), checking
# signatures with SECRET-FILE; its URL in URL
receiver() {
	stop_pids ${RECV_PID:-}
	rm -rf "$TMP/r"
	mkdir "$TMP/r"
	node "$FLOW_SRCDIR/tests/node/receiver.js" "$TMP/r" secret="$1" 2> "$TMP/r/stderr" &
	RECV_PID=$!
	wait_until 20 test -f "$TMP/r/port"
	URL=http://127.0.0.1:$(cat "$TMP/r/port")/from-orange
}

# section FROM TO: the lines of the output between the steps that start so
section() { sed -n "/^== $1/,/^== $2/p" "$TMP/out"; }
# events: the JSON lines among stdin's, sorted and in one form
events() { grep '^{' | jq -cS . | sort; }
# accepted: the events curl sent that orange answered 202, in one form
accepted() { grep -A1 '^> ' "$TMP/out" | grep -B1 '^< 202 ' | sed -n 's/^> //p' | jq -cS . | sort; }

@test "examples: webhooks.sh, signed events into orange, the late ones delivered signed to blue" {
	run_example
	# the partner's four, then the forged one refused, with the reason
	assert_eq 4 "$(section 'outside: the partner posts four' 'outside: someone else' | grep -c '^< 202 {"stored":1}$')"
	assert_match '^< 401 \{"error":"no webhook signature verifies"\}$' "$(section 'outside: someone else' 'orange.s flow holds')"
	assert_match 'POST /arrivals: 401 no webhook signature verifies' "$output"
	# orange's bridge: two of four, then one of two (its group resumed)
	assert_match 'flow-bridge: 4 events read, 2 written, 2 filtered out' "$output"
	assert_match 'flow-bridge: 2 events read, 1 written, 1 filtered out' "$output"
	# blue: every post of the bridge taken (its signature verified), an
	# unsigned one refused; its flow, exactly a2, a4, a6
	section "a post to blue without" "blue.s flow holds" > "$TMP/blue"
	assert_eq 3 "$(grep -c 'POST /from-orange: 202 {"stored":1}$' "$TMP/blue")"
	assert_eq 1 "$(grep -c 'POST /from-orange: 401 ' "$TMP/blue")"
	assert_match '^\{"error":"authentication required"\} 401$' "$(cat "$TMP/blue")"
	assert_eq 'a2 a4 a6 ' "$(section "blue.s flow holds" done | events | jq -r .id | sort | tr '\n' ' ')"
	assert_match '^== done' "$(tail -n 1 "$TMP/out")"
}

@test "examples: webhooks.sh, blue holds what curl sent and orange took, filtered (jq), nothing forged" {
	run_example
	accepted > "$TMP/accepted"
	assert_eq 6 "$(wc -l < "$TMP/accepted")"
	# orange's flow, before a5 and a6 were posted: a1-a4, not the forged x1
	section "orange.s flow holds" "orange.s flow-bridge" | events |
		diff <(grep -v '"id":"a[56]"' "$TMP/accepted") -
	[ -z "$(section "outside: someone else" done | grep '^{.*"id":"x1"')" ]
	jq -c 'select(.type == "com.example.arrival" and .delay > 30)' "$TMP/accepted" > "$TMP/late"
	assert_eq 3 "$(wc -l < "$TMP/late")"
	section "blue.s flow holds" done | events | diff "$TMP/late" -
}

@test "examples: webhooks.sh, orange's bridge signs as Standard Webhooks says (checked by the standardwebhooks library)" {
	node -e 'require("cloudevents"); require("standardwebhooks")'
	run_example
	# the bridge as the script runs it: a consumer group, the CESQL filter, signing
	local cmd where
	cmd=$(grep -m 1 '^\$ flow-bridge ' "$TMP/out")
	assert_match " -g to-blue -o stored -w \"type = 'com.example.arrival' AND delay > 30\" --webhook-secret [^ ]+/orange/blue\.whsec " "$cmd"
	where=$(printf '%s\n' "$cmd" | sed 's/.* -w "\([^"]*\)".*/\1/')
	# orange's events, the same options, to a receiver that checks the
	# signatures with the secret the bridge signs with
	accepted | flow-pub "$TMP/arrivals"
	printf 'whsec_%s\n' "$(openssl rand -base64 32)" > "$TMP/secret"
	receiver "$TMP/secret"
	flow-bridge -e -g to-blue -o stored -w "$where" --webhook-secret "$TMP/secret" "$TMP/arrivals" "$URL"
	jq -e -s 'length == 3 and all(._sig == "ok")' "$TMP/r/events"
	jq -cS 'del(.time, ._headers, ._sig, ._webhook_id, ._mode)' "$TMP/r/events" | sort > "$TMP/got"
	section "blue.s flow holds" done | events | diff - "$TMP/got"
	# another secret at the receiver: every signature fails there
	printf 'whsec_%s\n' "$(openssl rand -base64 32)" > "$TMP/other"
	receiver "$TMP/other"
	flow-bridge -e -o beginning -w "$where" --webhook-secret "$TMP/secret" "$TMP/arrivals" "$URL"
	jq -e -s 'length == 3 and all(._sig == "bad")' "$TMP/r/events"
}
