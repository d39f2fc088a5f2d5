#!/usr/bin/env bats
# CloudEvents through implementations nobody here wrote, started like every
# real part: kafka-python (a Kafka client apart from librdkafka) and the
# official CloudEvents SDK for JavaScript with kafkajs (tests/node), against
# the librdkafka mock cluster. The SDK is not the reference, the spec is:
# where it is wrong, the test says so (doc/choices.md).

load helpers/common
load helpers/kafka

setup() {
	common_setup
	# missing modules are a failure, not a skip: CI installs them (setup.sh)
	/usr/bin/python3 -c 'import kafka'
	node -e 'require("cloudevents"); require("kafkajs")'
	kafka_start 1
	local t
	for t in py pys pyb in out none; do kafka_cmd topic "$t" 1; done  # one order
	EVENTS=$FLOW_SRCDIR/tests/node/events.ndjson
}
teardown() {
	kafka_stop
	common_teardown
}

sdk() { node "$FLOW_SRCDIR/tests/node/ce-sdk.js" "$@"; }

# Events compared as values: the key order aside, and the partitionkey: null
# the SDK adds to every event read from a record without a key
norm() { jq -cS 'del(.partitionkey | nulls)' "$@"; }

@test "sdk: kafka-python's records of both modes through flow-sub, flow-pub's of both modes read by kafka-python" {
	local h='["ce_specversion","1.0"],["ce_source","/py"],["ce_type","t"]'
	{
		# structured, pretty-printed, with ce_ headers the binding allows beside it
		jq -n --arg v "$(event p1 ',"data":{"a":[1,2]}' | jq .)" \
			'{value: $v, headers: [["content-type","application/cloudevents+json; charset=UTF-8"],["ce_id","ignored"]]}'
		jq -n --arg v "$(printf '{\n "b": true\n}')" "{key: \"k\", value: \$v, headers: [$h,[\"ce_id\",\"p2\"],[\"ce_n\",\"7\"],[\"content-type\",\"application/json\"],[\"ce_datacontenttype\",\"application/json\"]]}"
		echo "{\"value\":\"\\\"123\\\"\",\"headers\":[$h,[\"ce_id\",\"p3\"],[\"content-type\",\"application/json\"]]}"
		echo "{\"value\":null,\"headers\":[$h,[\"ce_id\",\"p4\"]]}"
		echo "{\"value_base64\":\"/wA=\",\"headers\":[$h,[\"ce_id\",\"p5\"],[\"content-type\",\"image/png\"]]}"
		echo "{\"value\":\"l\\u00e4uft\",\"headers\":[$h,[\"ce_id\",\"p6\"],[\"content-type\",\"text/plain; charset=utf-8\"]]}"
	} | jq -c . | kafka-py produce "$KAFKA" py
	flow-sub -o beginning -e "kafka://$KAFKA/py" > "$TMP/out"
	printf '%s\n' "$(event p1 ',"data":{"a":[1,2]}')" \
		'{"specversion":"1.0","source":"/py","type":"t","id":"p2","n":"7","datacontenttype":"application/json","data":{"b":true}}' \
		'{"specversion":"1.0","source":"/py","type":"t","id":"p3","datacontenttype":"application/json","data":"123"}' \
		'{"specversion":"1.0","source":"/py","type":"t","id":"p4"}' \
		'{"specversion":"1.0","source":"/py","type":"t","id":"p5","datacontenttype":"image/png","data_base64":"/wA="}' \
		'{"specversion":"1.0","source":"/py","type":"t","id":"p6","datacontenttype":"text/plain; charset=utf-8","data":"läuft"}' |
		jq -cS . | cmp - <(jq -cS . "$TMP/out")
	# and back, in each mode, read by kafka-python (the record key is no
	# attribute: what the binding maps to it is the partitionkey extension)
	flow-pub "kafka://$KAFKA/pys" < "$TMP/out"
	flow-pub --binary "kafka://$KAFKA/pyb" < "$TMP/out"
	kafka-py consume "$KAFKA" pys 6 > "$TMP/s"
	jq -r .value "$TMP/s" | cmp - "$TMP/out"
	jq -e '.headers == [["content-type","application/cloudevents+json"]]' "$TMP/s"
	kafka-py consume "$KAFKA" pyb 6 > "$TMP/b"
	jq -c '[.key, .value, .value_base64, (.headers | map(select(.[0] == "content-type"))[0][1])]' "$TMP/b" |
		cmp - <(printf '%s\n' '[null,"{\"a\":[1,2]}",null,"application/json"]' '[null,"{\"b\":true}",null,"application/json"]' \
			'[null,"\"123\"",null,"application/json"]' '[null,null,null,null]' '[null,null,"/wA=","image/png"]' \
			'[null,"läuft",null,"text/plain; charset=utf-8"]')
	# one content type a record, never ce_datacontenttype beside it
	! grep -q ce_datacontenttype "$TMP/b" || false
}

@test "sdk: every attribute and data form round-trips SDK -> flow-sub -> flow-pub -> SDK in structured mode" {
	sdk produce "$KAFKA" in structured < "$EVENTS" > "$TMP/sent"
	flow-sub -o beginning -e "kafka://$KAFKA/in" | flow-pub "kafka://$KAFKA/out"
	sdk consume "$KAFKA" out "$(wc -l < "$EVENTS")" > "$TMP/got"
	diff <(norm "$TMP/sent") <(norm "$TMP/got")
}

@test "sdk: binary mode round-trips SDK -> flow-sub -> flow-pub --binary -> SDK, as far as the SDK keeps to the binding" {
	sdk produce "$KAFKA" in binary < "$EVENTS" > "$TMP/sent"
	flow-sub -o beginning -e "kafka://$KAFKA/in" > "$TMP/flow"
	# what the SDK gets wrong, and what flow makes of it:
	# a JSON string it writes unquoted (o8): not JSON, so its bytes are kept
	grep '"id":"o8"' "$TMP/flow" | jq -e '.data_base64 == "YSBzdHJpbmc=" and .datacontenttype == "application/json"' 
	# no data is no value (o9), which the SDK itself cannot read back
	grep '"id":"o9"' "$TMP/flow" | jq -e 'has("data") or has("data_base64") | not' 
	# ... content-type and ce_datacontenttype, both written, are one attribute
	[ "$(grep -c '"datacontenttype"' "$TMP/flow")" -eq 8 ]
	grep -v '"id":"o[89]"' "$TMP/flow" | flow-pub --binary "kafka://$KAFKA/out"
	sdk consume "$KAFKA" out 7 > "$TMP/got"
	# binary mode carries every attribute as its string (the SDK reads
	# strings back), and the SDK gives text data as bytes
	local f='def n: del(.partitionkey | nulls) | with_entries(if (.key | IN("data", "data_base64")) then . else .value |= tostring end)
		| if .data_base64 and (.datacontenttype | startswith("text/")) then .data = (.data_base64 | @base64d) | del(.data_base64) else . end; n'
	diff <(grep -v '"id":"o[89]"' "$TMP/sent" | jq -cS "$f") <(jq -cS "$f" "$TMP/got")
	# the record of no data, made by flow-pub: no value, as the binding says
	grep '"id":"o9"' "$TMP/flow" | flow-pub --binary "kafka://$KAFKA/none"
	kafka-py consume "$KAFKA" none 1 | jq -e '.value == null and .value_base64 == null'
}
