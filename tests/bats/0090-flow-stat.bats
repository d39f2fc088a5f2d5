#!/usr/bin/env bats
# flow-stat on file flows, Kafka (the mock cluster) and flows read through
# an agent (fnap://, flow:// through named): what a flow holds, its groups'
# lag and age, partitions, JSON, Prometheus metrics (checked by promtool),
# monitoring checks.

load helpers/common
load helpers/fnap
load helpers/kafka
load helpers/named

setup() {
	common_setup
	gen-events 3000 > "$TMP/in"
}
teardown() {
	local clean=0
	fnap_stop || clean=1
	kafka_stop
	named_stop
	common_teardown
	return $clean
}

# stat_key KEY: the value of the first KEY= line of $output
stat_key() {
	printf '%s\n' "$output" | sed -n "s/^$1=//p" | head -n 1
}

# segmented DIR: $TMP/in published to DIR in ten runs of flow-pub of 300
# events, each starting a segment (or two: a block ends every 64 KiB)
segmented() {
	local i
	for i in 0 1 2 3 4 5 6 7 8 9; do
		sed -n "$((i * 300 + 1)),$((i * 300 + 300))p" "$TMP/in" |
			FLOW_FILE_SEGMENT_BYTES=1 flow-pub "$1"
	done
}

# base N: the first offset of the Nth segment of $TMP/flow
base() {
	local name
	name=$(ls "$TMP/flow" | grep '\.ndjson$' | sed -n "${1}p")
	echo $((10#${name%.ndjson}))
}

# event_epoch N: the time of the Nth event (from 1) of $TMP/in, in seconds
event_epoch() {
	date -u -d "$(sed -n "${1}p" "$TMP/in" | jq -r .time)" +%s
}

@test "flow-stat: -h, -V and usage errors" {
	run flow-stat -h
	[ "$status" -eq 0 ]
	assert_match '^usage: flow-stat' "${lines[0]}"
	run flow-stat -V
	[ "$status" -eq 0 ]
	run flow-stat
	[ "$status" -eq 64 ]
	run flow-stat -g ../up "$TMP/flow"
	[ "$status" -eq 64 ]
	run flow-stat --check --warn-lag many "$TMP/flow"
	[ "$status" -eq 64 ]
	assert_match 'warn-lag' "$output"
	run flow-stat --check --crit-age 5y "$TMP/flow"
	[ "$status" -eq 64 ]
	run flow-stat --crit-lag 5 "$TMP/flow"
	[ "$status" -eq 64 ]
	assert_match 'thresholds are for --check' "$output"
	run flow-stat 'kafka://'
	[ "$status" -eq 64 ]
	run flow-stat 'fnap://127.0.0.1:1/f.example'
	[ "$status" -eq 69 ]
	assert_match '127.0.0.1:1' "$output"
	run flow-stat 'fnap://127.0.0.1:1/a..b'
	[ "$status" -eq 64 ]
}

@test "flow-stat: a flow that is not there, and an empty one" {
	run flow-stat "$TMP/none"
	[ "$status" -eq 1 ]
	assert_match 'none: no such flow' "$output"
	flow-pub "$TMP/empty" < /dev/null
	run flow-stat "file://$TMP/empty"
	[ "$status" -eq 0 ]
	assert_eq 0 "$(stat_key events)"
	assert_eq 0 "$(stat_key first)"
	assert_eq 0 "$(stat_key next)"
	assert_eq "" "$(stat_key oldest)" oldest
	assert_eq "file://$TMP/empty" "$(stat_key url)"
}

@test "flow-stat: events, bytes, offsets and times across segments" {
	segmented "$TMP/flow"
	[ "$(ls "$TMP/flow"/*.ndjson | wc -l)" -ge 10 ]
	run flow-stat "$TMP/flow"
	[ "$status" -eq 0 ]
	assert_eq 3000 "$(stat_key events)"
	assert_eq 0 "$(stat_key first)"
	assert_eq 3000 "$(stat_key next)"
	assert_eq "$(cat "$TMP/flow"/*.ndjson | wc -c)" "$(stat_key bytes)" bytes
	assert_eq "$(date -u -d @"$(event_epoch 1)" +%Y-%m-%dT%H:%M:%S.000Z)" "$(stat_key oldest)" oldest
	assert_eq "$(date -u -d @"$(event_epoch 3000)" +%Y-%m-%dT%H:%M:%S.000Z)" "$(stat_key newest)" newest
	[ -z "$(stat_key group)" ]
}

@test "flow-stat: each group's offset, lag and the age of its oldest unread event" {
	segmented "$TMP/flow"
	flow-sub -e -o beginning -g early -c 1234 "$TMP/flow" > /dev/null
	flow-sub -e -o beginning -g done "$TMP/flow" > /dev/null
	before=$(date +%s)
	run flow-stat -j -g early -g done "$TMP/flow"
	after=$(date +%s)
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.events == 3000 and (.groups | length) == 2'
	echo "$output" | jq -e '.groups[0] == {"group":"early","offset":1234,"lag":1766,"age":.groups[0].age}'
	echo "$output" | jq -e '.groups[1].group == "done" and .groups[1].lag == 0 and .groups[1].age == 0'
	# the age is that of event 1235 (offset 1234), measured between before and after
	age=$(echo "$output" | jq '.groups[0].age | floor')
	t=$(event_epoch 1235)
	[ "$age" -ge $((before - t - 1)) ] && [ "$age" -le $((after - t)) ]
	# -p: a file flow is one partition, 0
	run flow-stat -p -g early "$TMP/flow"
	[ "$(printf '%s\n' "$output" | grep -c '^partition=0$')" -eq 2 ]
	# every group there is, without -g
	run flow-stat "$TMP/flow"
	[ "$(printf '%s\n' "$output" | grep -c '^group=')" -eq 2 ]
	run flow-stat -g nobody "$TMP/flow"
	[ "$status" -eq 1 ]
	assert_match 'no group nobody' "$output"
}

@test "flow-stat: retention, dropped segments and hand-deleted ones" {
	printf 'segments 3\nage 86400\n' > "$TMP/retention"
	mkdir "$TMP/flow" && cp "$TMP/retention" "$TMP/flow/retention"
	flow-sub -e -o beginning -g old -c 10 "$TMP/flow" < /dev/null > /dev/null 2>&1 || true
	head -n 10 "$TMP/in" | flow-pub "$TMP/flow"
	flow-sub -e -o beginning -g old -c 10 "$TMP/flow" > /dev/null
	segmented "$TMP/flow"
	run flow-stat "$TMP/flow"
	[ "$status" -eq 0 ]
	[ "$(ls "$TMP/flow"/*.ndjson | wc -l)" -eq 3 ]
	first=$(base 1)
	assert_eq "$first" "$(stat_key first)" first
	assert_eq $((3010 - first)) "$(stat_key events)" events
	assert_eq 86400 "$(stat_key retain-seconds)"
	assert_eq 3 "$(stat_key retain-segments)"
	# a group behind the oldest record held lags by what is held
	assert_eq 10 "$(stat_key offset)" offset
	assert_eq $((3010 - first)) "$(stat_key lag)" lag
	# the newest segment deleted by hand: next stays, events are what is there
	newest=$(base 3)
	rm "$(ls "$TMP/flow"/*.ndjson | tail -n 1)"
	run flow-stat "$TMP/flow"
	assert_eq 3010 "$(stat_key next)" next
	assert_eq $((newest - first)) "$(stat_key events)" events
	assert_eq $((newest - first)) "$(stat_key lag)" lag
}

@test "flow-stat: --prometheus passes promtool check metrics" {
	flow-pub "$TMP/a" < "$TMP/in"
	head -n 10 "$TMP/in" | flow-pub "$TMP/b\"q"
	flow-sub -e -o beginning -g g1 -c 100 "$TMP/a" > /dev/null
	run flow-stat --prometheus "$TMP/a" "$TMP/b\"q"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | promtool check metrics
	assert_match "^flow_events\\{flow=\"$TMP/a\"\\} 3000$" "$(printf '%s\n' "$output" | grep '^flow_events{flow="'"$TMP/a"'"')"
	printf '%s\n' "$output" | grep -qF "flow_events{flow=\"$TMP/b\\\"q\"} 10"
	printf '%s\n' "$output" | grep -qF "flow_group_lag_events{flow=\"$TMP/a\",group=\"g1\"} 2900"
	[ "$(printf '%s\n' "$output" | grep -c '^# TYPE flow_events gauge$')" -eq 1 ]
}

@test "flow-stat: --check says OK, WARNING, CRITICAL or UNKNOWN as monitoring plugins do" {
	flow-pub "$TMP/flow" < "$TMP/in"
	flow-sub -e -o beginning -g g -c 2000 "$TMP/flow" > /dev/null
	run flow-stat --check --warn-lag 1500 --crit-lag 5000 "$TMP/flow"
	[ "$status" -eq 0 ]
	assert_match '^FLOW OK - 1 flow, 1 group, 0 unknown, most lag 1000 events' "$output"
	assert_match '\| lag=1000;1500;5000;0 age=' "$output"
	run flow-stat --check --warn-lag 500 --crit-lag 5000 "$TMP/flow"
	[ "$status" -eq 1 ]
	assert_match '^FLOW WARNING' "$output"
	run flow-stat --check --warn-lag 10 --crit-lag 999 "$TMP/flow"
	[ "$status" -eq 2 ]
	assert_match '^FLOW CRITICAL' "$output"
	# the oldest unread event happened long ago (2026-11-22)
	run flow-stat --check --crit-age 1h "$TMP/flow"
	[ "$status" -eq 2 ]
	run flow-stat --check --warn-age 36500d "$TMP/flow"
	[ "$status" -eq 0 ]
	run flow-stat --check "$TMP/flow" "$TMP/none"
	[ "$status" -eq 3 ]
	assert_match '^FLOW UNKNOWN - 1 flow, 1 group, 1 unknown' "${lines[-1]}"
	run flow-stat --check -g missing "$TMP/flow"
	[ "$status" -eq 3 ]
}

@test "flow-stat kafka: watermarks, times at both ends and a group's committed lag, summed over partitions" {
	kafka_start 3
	kafka_cmd topic st 3
	flow-pub "kafka://$KAFKA/st" < "$TMP/in"
	flow-sub -e -o beginning -g ga -c 1000 "kafka://$KAFKA/st" > /dev/null
	before=$(date +%s)
	run --separate-stderr flow-stat -g ga "kafka://$KAFKA/st"
	after=$(date +%s)
	[ "$status" -eq 0 ]
	assert_eq 3000 "$(stat_key events)" events
	# kcat, an independent client, counts the same records
	assert_eq 3000 "$(kafka_read st | wc -l)" records
	assert_eq 0 "$(stat_key first)"
	assert_eq 3000 "$(stat_key next)"
	assert_eq "" "$(stat_key bytes)" bytes
	assert_eq "$(date -u -d @"$(event_epoch 1)" +%Y-%m-%dT%H:%M:%S.000Z)" "$(stat_key oldest)" oldest
	assert_eq "$(date -u -d @"$(event_epoch 3000)" +%Y-%m-%dT%H:%M:%S.000Z)" "$(stat_key newest)" newest
	assert_eq 1000 "$(stat_key offset)" offset
	assert_eq 2000 "$(stat_key lag)" lag
	# the oldest unread event is one of those after the first 1000 read
	age=$(stat_key age)
	age=${age%.*}
	[ "$age" -le $((after - $(event_epoch 1))) ] && [ "$age" -ge $((before - $(event_epoch 3000) - 1)) ]
	# -p: each partition; they add up to the topic's figures
	run flow-stat -p -j -g ga "kafka://$KAFKA/st"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '(.partitions | length) == 3 and ([.partitions[] | .next - .first] | add) == 3000'
	echo "$output" | jq -e '([.groups[0].partitions[].lag] | add) == 2000 and ([.groups[0].partitions[].offset] | add) == 1000'
	# kcat's count of partition 0 is the same
	p0=$(echo "$output" | jq '.partitions[0].next - .partitions[0].first')
	assert_eq "$p0" "$(kafka_read st -p 0 | wc -l)" "partition 0"
	run flow-stat -p --prometheus -g ga "kafka://$KAFKA/st"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | promtool check metrics
	! printf '%s\n' "$output" | grep -q '^flow_size_bytes{' || false
	[ "$(printf '%s\n' "$output" | grep -c '^flow_group_partition_lag_events{.*group="ga",partition="[012]"}')" -eq 3 ]
	run flow-stat -g nobody "kafka://$KAFKA/st"
	[ "$status" -eq 1 ]
	assert_match 'no group nobody' "$output"
}

# fnap_stat ARGS...: flow-stat as user test of the agent
fnap_stat() { FNAP_USER=test FNAP_PASSWORD=test flow-stat "$@"; }

@test "flow-stat fnap://: the agent's DESCRIBE, the user's groups (flow-sub -g) and their lag; -j, --prometheus, --check" {
	fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW st.flows.unix.ar' QUIT | fnap_session > /dev/null
	flow-pub "$TMP/flows/st.flows.unix.ar" < "$TMP/in"
	url=fnap://127.0.0.1:$FNAP_PORT/st.flows.unix.ar
	FNAP_USER=test FNAP_PASSWORD=test flow-sub -e -o beginning -g audit -c 1000 "$url" > /dev/null
	FNAP_USER=test FNAP_PASSWORD=test flow-sub -e -o beginning -g done "$url" > /dev/null
	before=$(date +%s)
	run --separate-stderr fnap_stat "$url"
	after=$(date +%s)
	[ "$status" -eq 0 ]
	assert_eq "$url" "$(stat_key url)"
	assert_eq 3000 "$(stat_key events)" events
	assert_eq "$(cat "$TMP/flows/st.flows.unix.ar"/*.ndjson | wc -c)" "$(stat_key bytes)" bytes
	assert_eq 0 "$(stat_key first)"
	assert_eq 3000 "$(stat_key next)"
	assert_eq "$(date -u -d @"$(event_epoch 1)" +%Y-%m-%dT%H:%M:%S.000Z)" "$(stat_key oldest)" oldest
	assert_eq "$(date -u -d @"$(event_epoch 3000)" +%Y-%m-%dT%H:%M:%S.000Z)" "$(stat_key newest)" newest
	# the user's groups by the names flow-sub was given, as a file flow's
	printf '%s\n' "$output" | sed -n '/^group=/,$p' | sed '/^age=/d' | cmp - <(printf '%s\n' \
		group=audit offset=1000 lag=2000 group=done offset=3000 lag=0)
	age=$(stat_key age)
	t=$(event_epoch 1001)
	[ "${age%.*}" -ge $((before - t - 1)) ] && [ "${age%.*}" -le $((after - t)) ]
	# the same figures as flow-stat reads from the directory, but the groups' names
	run fnap_stat -j -g audit "$url"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.events == 3000 and (.groups | length) == 1 and .groups[0].group == "audit" and .groups[0].lag == 2000'
	run fnap_stat --prometheus "$url"
	printf '%s\n' "$output" | promtool check metrics
	printf '%s\n' "$output" | grep -qF "flow_group_lag_events{flow=\"$url\",group=\"audit\"} 2000"
	run fnap_stat --check --warn-lag 1500 "$url"
	[ "$status" -eq 1 ]
	assert_match '^FLOW WARNING - 1 flow, 2 groups, 0 unknown, most lag 2000 events' "$output"
	run fnap_stat -g nobody "$url"
	[ "$status" -eq 1 ]
	assert_match 'no group nobody' "$output"
	# another user has no groups here; nor may read the private flow
	run --separate-stderr env FNAP_USER=other FNAP_PASSWORD=secret flow-stat "$url"
	[ "$status" -eq 77 ]
	assert_match '550 no such flow or access denied' "$stderr"
	run flow-stat "fnap://127.0.0.1:$FNAP_PORT/none.flows.unix.ar"
	[ "$status" -eq 77 ]
}

@test "flow-stat -p over fnap://: the flow as one partition, 0, its totals and its groups'" {
	fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW p.flows.unix.ar' QUIT | fnap_session > /dev/null
	head -n 500 "$TMP/in" | flow-pub "$TMP/flows/p.flows.unix.ar"
	url=fnap://127.0.0.1:$FNAP_PORT/p.flows.unix.ar
	FNAP_USER=test FNAP_PASSWORD=test flow-sub -e -o beginning -g half -c 200 "$url" > /dev/null
	run fnap_stat -p "$url"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" | sed -n '/^partition=/,$p' | sed '/^age=/d' | cmp - <(printf '%s\n' \
		partition=0 first=0 next=500 events=500 group=half offset=200 lag=300 partition=0 offset=200 lag=300)
	run fnap_stat -p -j "$url"
	echo "$output" | jq -e '.partitions == [{"partition":0,"first":0,"next":500}] and
		.groups[0].partitions == [{"partition":0,"offset":200,"lag":300}]'
	# the same rows as flow-stat -p on the directory, but the group's name
	run flow-stat -p -j "$TMP/flows/p.flows.unix.ar"
	echo "$output" | jq -e '.partitions == [{"partition":0,"first":0,"next":500}]'
	run fnap_stat -p --prometheus "$url"
	printf '%s\n' "$output" | promtool check metrics
	printf '%s\n' "$output" | grep -qF "flow_partition_next_offset{flow=\"$url\",partition=\"0\"} 500"
}

@test "flow-stat flow://: a flow found through DNS (named) at its agent under tcpserver, as DESCRIBE tells it; -p" {
	named_start example <(echo 'fnaa IN A 127.0.0.1')
	echo test | fnap-serve -p test | sed 's/:$/:flows.s.example/' > "$TMP/users"
	FNAP_NAMESPACES="namespace flows.s.example file $TMP/flows" FNAP_EXTRA_CONF="hostname fnaa.example
dns-update nsupdate -k $NAMED_KEY
dns-server 127.0.0.1:$NAMED_PORT
dns-zone example" fnap_start
	# the port it advertises (its SRV record) is tcpserver's, known once it runs
	echo "port $FNAP_PORT" >> "$TMP/fnap.conf"
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW s.flows.s.example PUBLIC RETAIN 100 EVENTS' QUIT | fnap_session > "$TMP/out"
	[ "$(sed -n 3p "$TMP/out")" = '220 OK s.flows.s.example' ]
	flow-resolve s.flows.s.example > "$TMP/r"
	grep -qx "broker=fnaa.example:$FNAP_PORT" "$TMP/r"
	# a count of events is one word, as fnap --retain writes it
	grep -qx 'retention=100' "$TMP/r"
	head -n 700 "$TMP/in" | flow-pub "$TMP/flows/s.flows.s.example"
	run --separate-stderr fnap_stat flow://s.flows.s.example
	[ "$status" -eq 0 ]
	assert_eq flow://s.flows.s.example "$(stat_key url)"
	assert_eq 700 "$(stat_key events)" events
	assert_eq 700 "$(stat_key next)" next
	assert_eq 100 "$(stat_key retain-events)" retain-events
	run fnap_stat -p -j flow://s.flows.s.example
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.events == 700 and .retention.events == 100 and
		.partitions == [{"partition":0,"first":0,"next":700}]'
	# a flow DNS does not know
	run flow-stat flow://nosuch.flows.s.example
	[ "$status" -ne 0 ]
}
