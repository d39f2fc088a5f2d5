#!/usr/bin/env bats
# flow-sub on the file broker: offsets, groups, follow mode, pipes.

load helpers/common

setup() {
	common_setup
	gen-events 1000 > "$TMP/in"
	flow-pub "$TMP/flow" < "$TMP/in"
}
teardown() {
	stop_pids ${SUB_PID:-}
	common_teardown
}

@test "flow-sub: -h, -V and usage errors" {
	run flow-sub -h
	[ "$status" -eq 0 ]
	assert_match '^usage: flow-sub' "${lines[0]}"
	run flow-sub -V
	[ "$status" -eq 0 ]
	run flow-sub
	[ "$status" -eq 64 ]
	run flow-sub -o sometime "$TMP/flow"
	[ "$status" -eq 64 ]
	run flow-sub -c 0 "$TMP/flow"
	[ "$status" -eq 64 ]
	run flow-sub --until yesterday "$TMP/flow"
	[ "$status" -eq 64 ]
	run flow-sub -g '../escape' -e "$TMP/flow"
	[ "$status" -eq 64 ]
	run flow-sub -e "$TMP/no-such-flow"
	[ "$status" -eq 1 ]
	assert_match 'no such flow' "$output"
}

@test "flow-sub: -o beginning, N, -N, end, and -c" {
	flow-sub -o beginning -e "$TMP/flow" | cmp - "$TMP/in"
	flow-sub -o 990 -e "$TMP/flow" | cmp - <(tail -n 10 "$TMP/in")
	flow-sub -o -3 -e "$TMP/flow" | cmp - <(tail -n 3 "$TMP/in")
	flow-sub -o 100 -c 5 "$TMP/flow" | cmp - <(sed -n 101,105p "$TMP/in")
	[ -z "$(flow-sub -o end -e "$TMP/flow")" ]
	[ -z "$(flow-sub -e "$TMP/flow")" ]          # default without a group: the end
	[ -z "$(flow-sub -o 5000 -e "$TMP/flow")" ]  # past the end: the end
	flow-sub -o -5000 -e "$TMP/flow" | cmp - "$TMP/in"
}

@test "flow-sub: -o @TIME starts at the first event at or after TIME; --until stops after" {
	# gen-events stamps event i with 2026-11-22T10:00:00Z + i seconds
	flow-sub -o @2026-11-22T10:16:00Z -e "$TMP/flow" | cmp - <(sed -n '960,$p' "$TMP/in")
	flow-sub -o @2026-11-22T11:16:00+01:00 -e "$TMP/flow" | cmp - <(sed -n '960,$p' "$TMP/in")
	flow-sub -o beginning --until 2026-11-22T10:00:10Z "$TMP/flow" | cmp - <(head -n 10 "$TMP/in")
	# --until ends a follower too once the clock is past it, with nothing after it
	run timeout 5 flow-sub -o beginning --until 2000-01-01T00:00:00Z "$TMP/flow"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

# four events stamped 3 h, 90, 20 and 5 minutes before now, one a line of $TMP/rel-in
rel_flow() {
	local ago
	for ago in '3 hours' '90 minutes' '20 minutes' '5 minutes'; do
		printf '{"specversion":"1.0","id":"%s","source":"/rel","type":"t","time":"%s"}\n' \
		    "${ago// /-}" "$(date -u -d "-$ago" +%FT%TZ)"
	done > "$TMP/rel-in"
	flow-pub "$TMP/rel" < "$TMP/rel-in"
}

@test "flow-sub: relative times: -o @-10m and --until -1h or @-1h, resolved against the clock" {
	rel_flow
	flow-sub -o @-10m -e "$TMP/rel" | cmp - <(sed -n '4p' "$TMP/rel-in")
	flow-sub -o @-30m -e "$TMP/rel" | cmp - <(sed -n '3,4p' "$TMP/rel-in")
	flow-sub -o @-2h -e "$TMP/rel" | cmp - <(sed -n '2,4p' "$TMP/rel-in")
	flow-sub -o @-1d -e "$TMP/rel" | cmp - "$TMP/rel-in"
	flow-sub -o stored:@-10m -g rel -e "$TMP/rel" | cmp - <(sed -n '4p' "$TMP/rel-in")
	[ -z "$(flow-sub -o @-0s -e "$TMP/rel")" ]
	# --until in the past ends at once, after what is before it; -o's @ is taken too
	timeout 5 flow-sub -o beginning --until -1h "$TMP/rel" | cmp - <(sed -n '1,2p' "$TMP/rel-in")
	timeout 5 flow-sub -o beginning --until @-1h "$TMP/rel" | cmp - <(sed -n '1,2p' "$TMP/rel-in")
	timeout 5 flow-sub -o @-2h --until -15m "$TMP/rel" | cmp - <(sed -n '2,3p' "$TMP/rel-in")
}

@test "flow-sub: relative times that are not: usage errors" {
	rel_flow
	for t in @-5x @- @--5m @-99999999999d @-10 @+10m @-1H '@-1 h'; do
		run flow-sub -o "$t" -e "$TMP/rel"
		[ "$status" -eq 64 ]
		assert_match "^flow-sub: -o .*: expected .*@TIME \\(RFC 3339, or -N with s, m, h or d\\)" "$output"
	done
	for t in -5x - --5m -99999999999d @--5m 10m @@-5m; do
		run flow-sub --until "$t" -e "$TMP/rel"
		[ "$status" -eq 64 ]
		assert_match "^flow-sub: --until .*: expected \\[@\\]TIME" "$output"
	done
}

@test "flow-sub: a consumer group resumes where it stopped, and --until does not skip an event" {
	flow-sub -g audit -o beginning -c 300 "$TMP/flow" > "$TMP/part1"
	[ "$(cat "$TMP/flow/groups/audit")" = 300 ]
	flow-sub -g audit --until 2026-11-22T10:08:20Z "$TMP/flow" > "$TMP/part2"   # events 301..500
	[ "$(wc -l < "$TMP/part2")" -eq 200 ]
	flow-sub -g audit -e "$TMP/flow" > "$TMP/part3"
	cat "$TMP/part1" "$TMP/part2" "$TMP/part3" | cmp - "$TMP/in"
	# another group is independent; -o overrides the stored offset
	flow-sub -g other -o beginning -e "$TMP/flow" | cmp - "$TMP/in"
	flow-sub -g audit -o 998 -e "$TMP/flow" | cmp - <(tail -n 2 "$TMP/in")
	# the offset file is replaced atomically: no temporary files left behind
	[ "$(ls -A "$TMP/flow/groups")" = "$(printf 'audit\nother')" ]
}

@test "flow-sub: | head -n 1 exits 0 quietly, and the group commits only what was written" {
	gen-events 200000 > "$TMP/big"
	flow-pub "$TMP/big-flow" < "$TMP/big"
	run bash -c "flow-sub -g g -o beginning '$TMP/big-flow' 2>'$TMP/err' | head -n 1; echo \"rc=\${PIPESTATUS[0]}\""
	[ "${lines[0]}" = "$(head -n 1 "$TMP/big")" ]
	[ "${lines[1]}" = "rc=0" ]
	[ ! -s "$TMP/err" ]
	stored=$(cat "$TMP/big-flow/groups/g" 2>/dev/null || echo 0)
	# at most what went into the pipe before head left, never past it
	[ "$stored" -lt 200000 ]
	flow-sub -g g -o stored -e "$TMP/big-flow" | cmp - <(tail -n "+$((stored + 1))" "$TMP/big")
}

@test "flow-sub: follow mode delivers an event appended later, within 100 ms" {
	local best=999999 t0 t1 i=0 tries=20 n
	# a latency is a figure of the plain build; with sanitizers it is reported
	sanitized_build && tries=5
	# from offset 1000, the end, whenever the follower gets there
	flow-sub -o 1000 "$TMP/flow" > "$TMP/live" &
	SUB_PID=$!
	# a first event tells that the follower is in place
	event live-0 | flow-pub "$TMP/flow"
	wait_lines "$TMP/live" 1 30
	# from the moment flow-pub has stored the event (its start-up is not
	# the follower's latency) to the line out; on a loaded machine a try
	# may wait for a processor, so the best of up to 20 counts
	while [ "$i" -lt "$tries" ] && [ "$best" -ge 100 ]; do
		i=$((i + 1))
		event "live-$i" | flow-pub "$TMP/flow"
		t0=$(date +%s%N)
		wait_lines "$TMP/live" $((i + 1)) 30
		t1=$(date +%s%N)
		[ $(( (t1 - t0) / 1000000 )) -lt "$best" ] && best=$(( (t1 - t0) / 1000000 ))
	done
	echo "# best latency of $i: $best ms" >&3
	sanitized_build || [ "$best" -lt 100 ]
	for n in $(seq 0 "$i"); do event "live-$n"; done | cmp - "$TMP/live"
	# SIGTERM ends a follower cleanly
	kill -TERM "$SUB_PID"
	wait "$SUB_PID"
	SUB_PID=
}

@test "flow-sub: a follower waits for a flow that has no events yet, and crosses segments" {
	mkdir "$TMP/empty"
	FLOW_FILE_SEGMENT_BYTES=2000 flow-pub "$TMP/empty" < /dev/null
	flow-sub -o beginning "$TMP/empty" > "$TMP/live" &
	SUB_PID=$!
	sleep 0.2
	# a batch is never split, so segments roll between flow-pub runs here
	for from in 1 6 11 16; do
		sed -n "$from,$((from + 4))p" "$TMP/in" | FLOW_FILE_SEGMENT_BYTES=2000 flow-pub "$TMP/empty"
	done
	wait_lines "$TMP/live" 20
	[ "$(ls "$TMP"/empty/*.ndjson | wc -l)" -ge 2 ]
	head -n 20 "$TMP/in" | cmp - "$TMP/live"
}

@test "flow-sub: a group offset that is not a number is ignored with a warning" {
	mkdir -p "$TMP/flow/groups"
	echo garbage > "$TMP/flow/groups/g"
	run --separate-stderr flow-sub -g g -o stored -e "$TMP/flow"
	[ "$status" -eq 0 ]
	assert_match 'not an offset' "$stderr"
	[ "${#lines[@]}" -eq 1000 ]
}

@test "flow-sub: FLOW_FILE_POLL_MS follows by polling (network filesystems)" {
	# from offset 1000, the end, however late the follower starts
	FLOW_FILE_POLL_MS=20 flow-sub -o 1000 "$TMP/flow" > "$TMP/live" &
	SUB_PID=$!
	event polled | flow-pub "$TMP/flow"
	wait_lines "$TMP/live" 1 30
	[ "$(cat "$TMP/live")" = "$(event polled)" ]
	run env FLOW_FILE_POLL_MS=soon flow-sub -e "$TMP/flow"
	[ "$status" -eq 78 ]
}

@test "flow-sub: a record longer than the read buffer (written by hand) is skipped with a warning" {
	seg=$(ls "$TMP"/flow/*.ndjson)
	{ head -c 3000000 /dev/zero | tr '\0' 'x'; echo; event after-long; } >> "$seg"
	run --separate-stderr flow-sub -o 999 -e "$TMP/flow"
	[ "$status" -eq 0 ]
	assert_match 'record 1000: longer than [0-9]+ bytes; skipped' "$stderr"
	[ "${lines[0]}" = "$(tail -n 1 "$TMP/in")" ]
	[ "${lines[1]}" = "$(event after-long)" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "flow-sub: retention drops whole old segments; readers start at the first one kept" {
	mkdir "$TMP/kept"
	printf '# keep the newest two segments\nsegments 2\n' > "$TMP/kept/retention"
	for from in 1 101 201 301 401; do
		sed -n "$from,$((from + 99))p" "$TMP/in" | FLOW_FILE_SEGMENT_BYTES=10000 flow-pub "$TMP/kept"
	done
	[ "$(ls "$TMP"/kept/*.ndjson | wc -l)" -eq 2 ]
	[ "$(ls "$TMP"/kept/*.index | wc -l)" -eq 2 ]
	# segments are named by their first record: the flow now starts there
	local first
	first=$(basename "$(ls "$TMP"/kept/*.ndjson | head -n 1)" .ndjson)
	first=$((10#$first))
	[ "$first" -gt 0 ]
	flow-sub -o beginning -e "$TMP/kept" | cmp - <(sed -n "$((first + 1)),500p" "$TMP/in")
	run --separate-stderr flow-sub -o 0 -c 1 "$TMP/kept"
	[ "$status" -eq 0 ]
	assert_match "records before $first are no longer kept" "$stderr"
	[ "$output" = "$(sed -n "$((first + 1))p" "$TMP/in")" ]
}

@test "flow-sub: a group past the end after a hand deletion is told so, keeps its offset, and skips nothing new" {
	three_segments "$TMP/del"
	[ "$(flow-sub -g all -o beginning -e "$TMP/del" | wc -l)" -eq 30 ]
	[ "$(flow-sub -g some -o beginning -c 25 "$TMP/del" | wc -l)" -eq 25 ]
	rm "$TMP/del/00000000000000000020.ndjson" "$TMP/del/00000000000000000020.index"
	# the group read up to 30, the log now ends at 20: said, and the offset stays
	run --separate-stderr flow-sub -g all -e "$TMP/del"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	assert_match 'record 30 is past the end of the flow \(20\)' "$stderr"
	[ "$(cat "$TMP/del/groups/all")" -eq 30 ]
	for n in 0 1 2 3 4; do event "n$n"; done > "$TMP/five"
	flow-pub "$TMP/del" < "$TMP/five" 2>/dev/null
	# the events written next are read, none skipped
	run --separate-stderr flow-sub -g all -e "$TMP/del"
	[ "$status" -eq 0 ]
	assert_eq "$(cat "$TMP/five")" "$output"
	[ -z "$stderr" ]
	# a group inside the deleted records is told which are gone
	run --separate-stderr flow-sub -g some -e "$TMP/del"
	[ "$status" -eq 0 ]
	assert_eq "$(cat "$TMP/five")" "$output"
	assert_match 'records 25 to 29 are gone.*reading on at 30' "$stderr"
	# -o N past the end is said too
	run --separate-stderr flow-sub -o 99 -e "$TMP/del"
	[ "$status" -eq 0 ]
	assert_match 'record 99 is past the end of the flow \(35\)' "$stderr"
}
