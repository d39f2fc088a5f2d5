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
