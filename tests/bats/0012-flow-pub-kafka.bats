#!/usr/bin/env bats
# flow-pub on Kafka (the librdkafka mock cluster), checked with kcat.

load helpers/common
load helpers/kafka

setup() {
	common_setup
	kafka_start 3
}
teardown() {
	kafka_stop
	common_teardown
}

@test "flow-pub kafka: 20000 events, read back by kcat byte for byte" {
	kafka_cmd topic arrivals 4
	gen-events 20000 > "$TMP/in"
	# spread over the partitions: the mock keeps only about 5 MB of each
	flow-pub -X sticky.partitioning.linger.ms=0 "kafka://$KAFKA/arrivals" < "$TMP/in"
	kafka_read arrivals > "$TMP/out"
	# one order per partition: the same lines, and each partition in input order
	sort "$TMP/in" | cmp - <(sort "$TMP/out")
	# structured mode: the content-type header of the Kafka binding
	kafka_read arrivals -c 1 -J |
		jq -e '.headers == ["content-type", "application/cloudevents+json"]'
}

@test "flow-pub kafka: --binary makes ce_ headers and the data the value; partitionkey is the key" {
	kafka_cmd topic bin 1
	echo '{"specversion":"1.0","id":"b1","source":"/s","type":"t","partitionkey":"gate-7","datacontenttype":"application/json","data":{"x":1}}' |
		flow-pub --binary "kafka://$KAFKA/bin"
	kafka_read bin -J > "$TMP/rec"
	jq -e '.key == "gate-7" and .payload == "{\"x\":1}"' "$TMP/rec"
	jq -e '.headers == ["ce_specversion","1.0","ce_id","b1","ce_source","/s","ce_type","t","ce_partitionkey","gate-7","content-type","application/json"]' "$TMP/rec"
	# and back: flow-sub makes the same event of it
	flow-sub -o beginning -e "kafka://$KAFKA/bin" |
		jq -e '.id == "b1" and .data == {"x":1} and .datacontenttype == "application/json" and .partitionkey == "gate-7"'
}

@test "flow-pub kafka: structured records keep partitionkey as the key: as published, filled, and bridged" {
	kafka_cmd topic keyed 1
	kafka_cmd topic bridged 1
	{
		echo '{"specversion":"1.0","id":"k1","source":"/s","type":"t","partitionkey":"gate-7"}'
		echo '{"specversion":"1.0","id":"k2","source":"/s","type":"t"}'
	} | flow-pub "kafka://$KAFKA/keyed"
	# --fill sends a line other than the one it parsed
	echo '{"specversion":"1.0","source":"/s","type":"t","partitionkey":42}' |
		flow-pub --fill "kafka://$KAFKA/keyed"
	kafka_read keyed -J | jq -c '[.key, (.payload | fromjson | .id | length)]' > "$TMP/keys"
	printf '%s\n' '["gate-7",2]' '[null,2]' '["42",36]' | cmp - "$TMP/keys"
	# flow-bridge hands on the event its Kafka source parsed, a file
	# source's line unparsed, or the event --where parsed: the same keys
	flow-bridge -e -o beginning "kafka://$KAFKA/keyed" "kafka://$KAFKA/bridged"
	flow-sub -o beginning -e "kafka://$KAFKA/keyed" | flow-pub "file://$TMP/flows/keyed"
	flow-bridge -e -o beginning "file://$TMP/flows/keyed" "kafka://$KAFKA/bridged"
	flow-bridge -e -o beginning --where "id <> 'k2'" "file://$TMP/flows/keyed" "kafka://$KAFKA/bridged"
	kafka_read bridged -J | jq -r '.key' > "$TMP/bridged"
	printf '%s\n' gate-7 null 42 gate-7 null 42 gate-7 42 | cmp - "$TMP/bridged"
}

@test "flow-pub kafka: a broker down and back during the run loses nothing" {
	kafka_cmd topic faults 6
	gen-events 60000 > "$TMP/in"
	# a slow producer, so that the outage falls in the middle of the stream
	( head -n 20000 "$TMP/in"; sleep 1; sed -n 20001,40000p "$TMP/in"; sleep 1; tail -n 20000 "$TMP/in" ) |
		flow-pub -X sticky.partitioning.linger.ms=0 "kafka://$KAFKA/faults" &
	local pub=$!
	sleep 0.5
	kafka_cmd down 2
	sleep 1.5
	kafka_cmd up 2
	wait "$pub"
	kafka_read faults > "$TMP/out"
	local counts
	counts=$(count_lost_dup "$TMP/in" "$TMP/out")
	echo "# $counts" >&3
	assert_match '^lost=0 ' "$counts"
}

@test "flow-pub kafka: all brokers down: retries, then fails loudly, keeps every event, exit 69" {
	kafka_cmd topic down 1
	kafka_cmd down -1
	gen-events 100 > "$TMP/in"
	run --separate-stderr flow-pub -X message.timeout.ms=1500 --reject "$TMP/rej" "kafka://$KAFKA/down" < "$TMP/in"
	[ "$status" -eq 69 ]
	assert_match '100 events not delivered, kept in' "$stderr"
	# every line was read: nothing claims otherwise
	! grep -q 'the rest was not read' <<< "$stderr" || false
	sort "$TMP/in" | cmp - <(sort "$TMP/rej")
	# a failed connection is said once (librdkafka's FAIL), not again as ERROR
	grep -q 'kafka: FAIL: .*Connection refused' <<< "$stderr"
	! grep -q 'kafka: ERROR: ' <<< "$stderr" || false
}

@test "flow-pub kafka: bad properties and URLs" {
	run flow-pub -X no.such.property=1 "kafka://$KAFKA/t" < /dev/null
	[ "$status" -eq 78 ]
	run flow-pub -X novalue "kafka://$KAFKA/t" < /dev/null
	[ "$status" -eq 64 ]
	printf '# comment\nlinger.ms=1\n\nacks=all\n' > "$TMP/props"
	event 1 | flow-pub -F "$TMP/props" "kafka://$KAFKA/props"
	printf 'nonsense\n' > "$TMP/bad"
	run flow-pub -F "$TMP/bad" "kafka://$KAFKA/t" < /dev/null
	[ "$status" -eq 78 ]
	run flow-pub "kafka://$KAFKA/bad/topic" < /dev/null
	[ "$status" -eq 64 ]
}

@test "flow-pub kafka: an empty element in the host list (leading, trailing, doubled comma) is a usage error" {
	kafka_cmd topic commas 1
	local url
	for url in "kafka://$KAFKA,/commas" "kafka://,$KAFKA/commas" "kafka://$KAFKA,,$KAFKA/commas"; do
		run --separate-stderr flow-pub "$url" < <(event 1)
		[ "$status" -eq 64 ]
		assert_eq "flow-pub: $url: empty host:port in the list (a comma too many)" "$stderr"
	done
	# nothing was published; the list without the comma too many works
	[ -z "$(timeout 30 flow-sub -o beginning -e "kafka://$KAFKA/commas")" ]
	event 2 | flow-pub "kafka://$KAFKA/commas"
	[ "$(timeout 30 flow-sub -o beginning -e "kafka://$KAFKA/commas")" = "$(event 2)" ]
}

# payload_and_type TOPIC: each record of TOPIC as [value, content-type]
payload_and_type() {
	kafka_read "$1" -J |
		jq -c '[.payload, (.headers | [recurse(.[2:]; length > 0)[:2] | select(.[0] == "content-type")[1]][0])]'
}

@test "flow-pub kafka: --binary carries each data form so that it reads back as the same value" {
	kafka_cmd topic forms 1
	local e='"specversion":"1.0","source":"/s","type":"t"'
	{
		echo "{$e,\"id\":\"f1\",\"data\":{\"x\":[1,\"y\"]}}"
		echo "{$e,\"id\":\"f2\",\"datacontenttype\":\"application/json\",\"data\":\"123\"}"
		echo "{$e,\"id\":\"f3\",\"datacontenttype\":\"application/vnd.a+json\",\"data\":\"true\"}"
		echo "{$e,\"id\":\"f4\",\"data\":\"text\"}"
		echo "{$e,\"id\":\"f5\",\"data\":null}"
		echo "{$e,\"id\":\"f6\"}"
		echo "{$e,\"id\":\"f7\",\"datacontenttype\":\"text/plain\",\"data\":\"a\\nb\"}"
		echo "{$e,\"id\":\"f8\",\"datacontenttype\":\"text/plain\",\"data\":\"\"}"
		echo "{$e,\"id\":\"f9\",\"datacontenttype\":\"image/png\",\"data_base64\":\"AAEC\"}"
		echo "{$e,\"id\":\"f10\",\"data\":2.5}"
		# not a string under a type that is not JSON: a structured record
		echo "{$e,\"id\":\"f11\",\"datacontenttype\":\"text/plain\",\"data\":{\"x\":1}}"
	} > "$TMP/in"
	flow-pub --binary "kafka://$KAFKA/forms" < "$TMP/in"
	payload_and_type forms > "$TMP/recs"
	printf '%s\n' '["{\"x\":[1,\"y\"]}","application/json"]' '["\"123\"","application/json"]' \
		'["\"true\"","application/vnd.a+json"]' '["\"text\"","application/json"]' '["null","application/json"]' \
		'[null,null]' '["a\nb","text/plain"]' '["","text/plain"]' '["\u0000\u0001\u0002","image/png"]' \
		'["2.5","application/json"]' > "$TMP/expected"
	head -n 10 "$TMP/recs" | cmp - "$TMP/expected"
	[ "$(sed -n 11p "$TMP/recs")" = "[$(sed -n 11p "$TMP/in" | jq -R .),\"application/cloudevents+json\"]" ]
	# read back: the same data, and JSON data says its type
	flow-sub -o beginning -e "kafka://$KAFKA/forms" > "$TMP/out"
	jq -c '[.id, .data, .data_base64, .datacontenttype]' "$TMP/out" > "$TMP/got"
	jq -c '[.id, .data, .data_base64, (.datacontenttype // if has("data") then "application/json" else null end)]' "$TMP/in" |
		cmp - "$TMP/got"
	# data: null is kept apart from no data
	[ "$(sed -n 5p "$TMP/out" | jq 'has("data")')" = true ]
	[ "$(sed -n 6p "$TMP/out" | jq 'has("data")')" = false ]
	[ "$(sed -n 2p "$TMP/out" | jq -c .data)" = '"123"' ]
}

@test "flow-pub kafka: --binary carries every event the validator takes: long names, set pad bits, CloudEvents as data, null data" {
	kafka_cmd topic valid 1
	local e='"specversion":"1.0","source":"/s","type":"t"' long
	long=$(printf 'x%.0s' $(seq 70))
	{
		# an extension name past 63 characters was cut in its header's name
		echo "{$e,\"id\":\"g1\",\"$long\":\"v\"}"
		# pad bits set (F, not E): libsodium refused them, flow-pub said 65
		echo "{$e,\"id\":\"g2\",\"datacontenttype\":\"image/png\",\"data_base64\":\"AAF=\"}"
		# the CloudEvents media type as content-type makes a structured
		# record: a nested event was read in place of this one
		echo "{$e,\"id\":\"g3\",\"datacontenttype\":\"application/cloudevents+json\",\"data\":{$e,\"id\":\"inner\"}}"
		echo "{$e,\"id\":\"g4\",\"datacontenttype\":\"application/cloudevents-batch+json\"}"
		# data: null beside data_base64 is absent: it took the value's place
		echo "{$e,\"id\":\"g5\",\"data_base64\":\"AAE=\",\"data\":null}"
	} > "$TMP/in"
	flow-pub --binary "kafka://$KAFKA/valid" < "$TMP/in"
	payload_and_type valid > "$TMP/recs"
	[ "$(sed -n 2p "$TMP/recs")" = '["\u0000\u0001","image/png"]' ]
	[ "$(sed -n 3p "$TMP/recs")" = "[$(sed -n 3p "$TMP/in" | jq -R .),\"application/cloudevents+json\"]" ]
	[ "$(sed -n 4p "$TMP/recs")" = "[$(sed -n 4p "$TMP/in" | jq -R .),\"application/cloudevents+json\"]" ]
	[ "$(sed -n 5p "$TMP/recs")" = '["\u0000\u0001",null]' ]
	flow-sub -o beginning -e "kafka://$KAFKA/valid" > "$TMP/out"
	[ "$(jq -r .id "$TMP/out" | paste -sd ' ')" = 'g1 g2 g3 g4 g5' ]
	[ "$(sed -n 1p "$TMP/out" | jq -r --arg n "$long" '.[$n]')" = v ]
	[ "$(sed -n 2p "$TMP/out" | jq -r .data_base64)" = AAE= ]
	sed -n 3,4p "$TMP/in" | cmp - <(sed -n 3,4p "$TMP/out")
	[ "$(sed -n 5p "$TMP/out" | jq -c '[.data_base64, has("data")]')" = '["AAE=",false]' ]
}
