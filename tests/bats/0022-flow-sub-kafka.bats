#!/usr/bin/env bats
# flow-sub on Kafka: records of any mode come out as structured lines.

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

@test "flow-sub kafka: binary-mode records made by kcat come out as structured events" {
	kafka_cmd topic bin 1
	printf 'doors open' | kcat -b "$KAFKA" -P -t bin -H ce_specversion=1.0 -H ce_id=k1 \
		-H ce_source=/gate/7 -H ce_type=com.example.gate -H content-type=text/plain -H ce_myext=v
	printf '{"delay":12}' | kcat -b "$KAFKA" -P -t bin -H ce_specversion=1.0 -H ce_id=k2 \
		-H ce_source=/gate/7 -H ce_type=com.example.delay -H content-type=application/json
	printf '\377\376' | kcat -b "$KAFKA" -P -t bin -H ce_specversion=1.0 -H ce_id=k3 \
		-H ce_source=/gate/7 -H ce_type=com.example.raw -H content-type=application/octet-stream
	flow-sub -o beginning -e "kafka://$KAFKA/bin" > "$TMP/out"
	[ "$(sed -n 1p "$TMP/out")" = '{"specversion":"1.0","id":"k1","source":"/gate/7","type":"com.example.gate","myext":"v","datacontenttype":"text/plain","data":"doors open"}' ]
	[ "$(sed -n 2p "$TMP/out")" = '{"specversion":"1.0","id":"k2","source":"/gate/7","type":"com.example.delay","datacontenttype":"application/json","data":{"delay":12}}' ]
	jq -e '.data_base64 == "//4="' < <(sed -n 3p "$TMP/out")
	# every line is a valid event
	flow-pub "$TMP/check" < "$TMP/out"
}

@test "flow-sub kafka: plain JSON records (kcat -P) are read; what is not a CloudEvent is kept with --reject" {
	kafka_cmd topic mixed 1
	{ event p1; echo 'not an event'; event p2; printf '{\n "specversion": "1.0", "id": "p3",\n "source": "/s", "type": "t"\n}\n'; } > "$TMP/recs"
	head -n 3 "$TMP/recs" | kcat -b "$KAFKA" -P -t mixed
	tail -n 4 "$TMP/recs" | kcat -b "$KAFKA" -P -t mixed -D '\0' 2>/dev/null || tail -n 4 "$TMP/recs" | tr -d '\n' | kcat -b "$KAFKA" -P -t mixed
	run --separate-stderr flow-sub -o beginning -e --reject "$TMP/rej" "kafka://$KAFKA/mixed"
	[ "$status" -eq 65 ]
	assert_match 'partition 0 offset 1: not a JSON object' "$stderr"
	[ "$(cat "$TMP/rej")" = 'not an event' ]
	[ "${lines[0]}" = "$(event p1)" ]
	[ "${lines[1]}" = "$(event p2)" ]
	jq -e '.id == "p3"' <<< "${lines[2]}"
	[ "${#lines[@]}" -eq 3 ]
	# a reject file that cannot be written: named, and exit 74, as the record is lost
	run --separate-stderr flow-sub -o beginning -e --reject /dev/full "kafka://$KAFKA/mixed"
	[ "$status" -eq 74 ]
	assert_match '^flow-sub: /dev/full: No space left on device$' "$stderr"
	[ "${#lines[@]}" -eq 3 ]
}

@test "flow-sub kafka: a consumer group commits what it wrote and resumes there" {
	kafka_cmd topic grp 3
	gen-events 3000 > "$TMP/in"
	flow-pub "kafka://$KAFKA/grp" < "$TMP/in"
	# the mock rebalances only once a departed member's session expired: keep it short
	local x="-X session.timeout.ms=6000 -X heartbeat.interval.ms=500"
	flow-sub $x -g audit -o stored -c 1000 "kafka://$KAFKA/grp" > "$TMP/part1"
	[ "$(wc -l < "$TMP/part1")" -eq 1000 ]
	timeout 30 flow-sub $x -g audit -o stored -c 2000 "kafka://$KAFKA/grp" > "$TMP/part2"
	sort "$TMP/part1" "$TMP/part2" | cmp - <(sort "$TMP/in")
}

@test "flow-sub kafka: -o beginning, -N, end; -e ends at every partition's end" {
	kafka_cmd topic offs 2
	gen-events 100 > "$TMP/in"
	flow-pub -X sticky.partitioning.linger.ms=0 "kafka://$KAFKA/offs" < "$TMP/in"
	[ "$(timeout 30 flow-sub -o beginning -e "kafka://$KAFKA/offs" | wc -l)" -eq 100 ]
	# -N counts back in each partition
	[ "$(timeout 30 flow-sub -o -5 -e "kafka://$KAFKA/offs" | wc -l)" -eq 10 ]
	[ -z "$(timeout 30 flow-sub -o end -e "kafka://$KAFKA/offs")" ]
}

@test "flow-sub kafka: an empty element in the host list (leading, trailing, doubled comma) is a usage error" {
	kafka_cmd topic commas 1
	event 1 | flow-pub "kafka://$KAFKA/commas"
	local url
	for url in "kafka://$KAFKA,/commas" "kafka://,$KAFKA/commas" "kafka://$KAFKA,,$KAFKA/commas"; do
		run --separate-stderr timeout 30 flow-sub -o beginning -e "$url"
		[ "$status" -eq 64 ]
		[ -z "$output" ]
		assert_eq "flow-sub: $url: empty host:port in the list (a comma too many)" "$stderr"
	done
}

# kcat_bin TOPIC ID [KCAT-OPTION...]: a binary-mode record of the required
# attributes, its value from stdin (one message: a record separator as delimiter)
kcat_bin() {
	local topic=$1 id=$2
	shift 2
	kcat -b "$KAFKA" -P -t "$topic" -D '\x1e' -H ce_specversion=1.0 -H "ce_id=$id" -H ce_source=/s \
		-H ce_type=t "$@"
}

@test "flow-sub kafka: a binary record of pretty-printed JSON is one compact line, and flow-pub takes it" {
	kafka_cmd topic pretty 1
	printf '{\n  "delay": 12,\n\t"gates": [ 1, "a  b\\n" ],\r\n  "x": { }\n}\n' |
		kcat_bin pretty k1 -H content-type=application/json
	printf '[\n 1,\n 2\n]' | kcat_bin pretty k2 -H 'content-type=application/vnd.gate+json; charset=utf-8'
	printf ' "text" ' | kcat_bin pretty k3 -H content-type=text/json
	flow-sub -o beginning -e "kafka://$KAFKA/pretty" > "$TMP/out"
	[ "$(wc -l < "$TMP/out")" -eq 3 ]
	[ "$(sed -n 1p "$TMP/out")" = '{"specversion":"1.0","id":"k1","source":"/s","type":"t","datacontenttype":"application/json","data":{"delay":12,"gates":[1,"a  b\n"],"x":{}}}' ]
	[ "$(sed -n 2p "$TMP/out" | jq -c .data)" = '[1,2]' ]
	[ "$(sed -n 3p "$TMP/out" | jq -c .data)" = '"text"' ]
	# the next program in the pipe takes every line
	flow-pub "$TMP/flow" < "$TMP/out"
	[ "$(cat "$TMP"/flow/*.ndjson | wc -l)" -eq 3 ]
}

@test "flow-sub kafka: the content-type decides the mode: structured even with ce_ headers, binary otherwise" {
	kafka_cmd topic modes 1
	event s1 ',"data":{"a":1}' | kcat -b "$KAFKA" -P -t modes -H 'content-type=application/cloudevents+json; charset=UTF-8' \
		-H ce_specversion=1.0 -H ce_id=other -H ce_source=/h -H ce_type=h
	event s2 | kcat -b "$KAFKA" -P -t modes -H content-type=Application/CloudEvents+JSON -H ce_specversion=1.0
	event s3 | kcat -b "$KAFKA" -P -t modes -H content-type=application/cloudevents+avro -H ce_specversion=1.0
	event s4 | kcat -b "$KAFKA" -P -t modes -H content-type=application/cloudevents-batch+json
	run --separate-stderr flow-sub -o beginning -e --reject "$TMP/rej" "kafka://$KAFKA/modes"
	[ "$status" -eq 65 ]
	[ "${lines[0]}" = "$(event s1 ',"data":{"a":1}')" ]
	[ "${lines[1]}" = "$(event s2)" ]
	[ "${#lines[@]}" -eq 2 ]
	assert_match 'offset 2: content-type "application/cloudevents\+avro": not the JSON event format' "${stderr_lines[0]}"
	assert_match 'offset 3: content-type "application/cloudevents-batch\+json": not the JSON event format' "${stderr_lines[1]}"
	[ "$(wc -l < "$TMP/rej")" -eq 2 ]
}

@test "flow-sub kafka: content-type and ce_datacontenttype: one attribute when equal, an error naming both when not" {
	kafka_cmd topic dct 1
	printf '{"a":1}' | kcat_bin dct d1 -H content-type=application/json -H ce_datacontenttype=application/json
	printf 'hi' | kcat_bin dct d2 -H ce_datacontenttype=text/plain
	printf 'hi' | kcat_bin dct d3 -H content-type=text/plain -H ce_datacontenttype=text/html
	run --separate-stderr flow-sub -o beginning -e "kafka://$KAFKA/dct"
	[ "$status" -eq 65 ]
	[ "${lines[0]}" = '{"specversion":"1.0","id":"d1","source":"/s","type":"t","datacontenttype":"application/json","data":{"a":1}}' ]
	[ "${lines[1]}" = '{"specversion":"1.0","id":"d2","source":"/s","type":"t","datacontenttype":"text/plain","data":"hi"}' ]
	[ "${#lines[@]}" -eq 2 ]
	assert_match 'offset 2: content-type "text/plain" and ce_datacontenttype "text/html" differ' "${stderr_lines[0]}"
}

@test "flow-sub kafka: binary values: no value is no data, null is null, untyped bytes are JSON or base64" {
	kafka_cmd topic vals 1
	# no value and an empty one: kcat sends neither, kafka-python both
	local h='["ce_specversion","1.0"],["ce_source","/s"],["ce_type","t"]'
	echo "{\"value\":null,\"headers\":[$h,[\"ce_id\",\"v1\"]]}" | kafka-py produce "$KAFKA" vals
	printf 'null' | kcat_bin vals v2 -H content-type=application/json
	echo "{\"value\":\"\",\"headers\":[$h,[\"ce_id\",\"v3\"],[\"content-type\",\"text/plain\"]]}" |
		kafka-py produce "$KAFKA" vals
	printf '{"a": [true]}' | kcat_bin vals v4
	printf 'doors open' | kcat_bin vals v5
	printf '{"a": ' | kcat_bin vals v6 -H content-type=application/json
	kafka_read vals -J | jq -c .payload > "$TMP/payloads"
	printf '%s\n' null '"null"' '""' '"{\"a\": [true]}"' '"doors open"' '"{\"a\": "' | cmp - "$TMP/payloads"
	flow-sub -o beginning -e "kafka://$KAFKA/vals" | jq -c 'del(.specversion, .source, .type)' > "$TMP/out"
	printf '%s\n' '{"id":"v1"}' \
		'{"id":"v2","datacontenttype":"application/json","data":null}' \
		'{"id":"v3","datacontenttype":"text/plain","data":""}' \
		'{"id":"v4","data":{"a":[true]}}' \
		'{"id":"v5","data_base64":"ZG9vcnMgb3Blbg=="}' \
		'{"id":"v6","datacontenttype":"application/json","data_base64":"eyJhIjog"}' | cmp - "$TMP/out"
}
