#!/usr/bin/env bats
# flow-pub on the file broker: validation, rejects, wrap/fill, concurrency, recovery.

load helpers/common

setup() { common_setup; }
teardown() {
	# the small file system of the full-disk tests
	if mountpoint -q "$TMP/fs" 2>/dev/null; then umount "$TMP/fs"; fi
	common_teardown
}

# small_fs KIB: a tmpfs of that size at $TMP/fs, a disk that fills up;
# mounting needs root (CI runs as root)
small_fs() {
	[ "$(id -u)" -eq 0 ] || skip "mounting a small tmpfs needs root"
	mkdir "$TMP/fs"
	mount -t tmpfs -o "size=${1}k" flow-test "$TMP/fs"
}

# full_disk_report: from $stderr of a flow-pub that found the disk full, the
# last line read ($read: "stopped after line N") and the first not stored
# ($first: "the first is line K"), each of them there
full_disk_report() {
	assert_match 'No space left on device' "$stderr"
	read=$(printf '%s\n' "$stderr" | sed -n 's/.*stopped after line \([0-9]*\);.*/\1/p')
	first=$(printf '%s\n' "$stderr" | sed -n 's/.*events not delivered.*; the first is line \([0-9]*\)$/\1/p')
	[ -n "$read" ] && [ -n "$first" ]
	echo "# read $read lines, the first not stored is line $first" >&3
}

@test "flow-pub: -h, -V and usage errors" {
	run flow-pub -h
	[ "$status" -eq 0 ]
	assert_match '^usage: flow-pub' "${lines[0]}"
	run flow-pub -V
	[ "$status" -eq 0 ]
	assert_match '^flow-pub [0-9]' "$output"
	run flow-pub
	[ "$status" -eq 64 ]
	run flow-pub --no-such-option "$TMP/f"
	[ "$status" -eq 64 ]
	run flow-pub -t x "$TMP/f" </dev/null
	[ "$status" -eq 64 ]
	run flow-pub -w -t x "$TMP/f" </dev/null
	[ "$status" -eq 64 ]
	assert_match 'needs -t TYPE and -s SOURCE' "$output"
	run flow-pub -w -t x -s 'not a uri' "$TMP/f" </dev/null
	[ "$status" -eq 64 ]
	assert_match 'source' "$output"
}

@test "flow-pub: URLs that are wrong or not supported" {
	run flow-pub 'kafka://host/' </dev/null
	[ "$status" -eq 64 ]
	run flow-pub 'gopher://x/y' </dev/null
	[ "$status" -eq 64 ]
	assert_match 'unknown scheme' "$output"
	run flow-pub 'file://relative' </dev/null
	[ "$status" -eq 64 ]
	run flow-pub 'fnap://agent.example:61000/bad..name' </dev/null
	[ "$status" -eq 64 ]
	# nobody listens on port 1: the agent is unreachable
	run flow-pub 'fnap://127.0.0.1:1/arrivals.flows.example' </dev/null
	[ "$status" -eq 69 ]
	assert_match '127.0.0.1:1: .*refused' "$output"
}

@test "flow-pub: a missing flow directory is created, file:// and plain paths alike" {
	event 1 | flow-pub "file://$TMP/a/b/flow"
	[ -d "$TMP/a/b/flow" ]
	event 2 | flow-pub "$TMP/plain"
	[ "$(cat "$TMP"/plain/*.ndjson)" = "$(event 2)" ]
}

@test "flow-pub: 20000 realistic events round-trip byte for byte" {
	gen-events 20000 > "$TMP/in"
	flow-pub "file://$TMP/flow" < "$TMP/in"
	flow-sub -o beginning -e "file://$TMP/flow" > "$TMP/out"
	cmp "$TMP/in" "$TMP/out"
	# the log itself is plain NDJSON: cat works on it
	cat "$TMP"/flow/*.ndjson | cmp - "$TMP/in"
}

@test "flow-pub: every class of bad input is reported, kept, and its neighbours published" {
	local long
	long=$(head -c 1100000 /dev/zero | tr '\0' 'x')
	{
		event ok1
		echo '{"specversion":"1.0","id":"x","source":"/s","type":"t"'           # broken JSON
		echo '{"specversion":"1.0","source":"/s","type":"t"}'                  # missing id
		echo '{"specversion":"0.3","id":"x","source":"/s","type":"t"}'         # wrong specversion
		event ok2
		echo '{"specversion":"1.0","id":"x","source":"/s","type":"t","time":"2026-13-01T00:00:00Z"}'
		echo '{"specversion":"1.0","id":"x","source":"/s","type":"t","Bad_Ext":1}'
		echo '{"specversion":"1.0","id":"x","source":"/s","type":"t","data":1,"data_base64":"AA=="}'
		echo ''
		printf '{"specversion":"1.0","id":"x","source":"/s","type":"t","data":"%s"}\n' "$long"
		printf '{"specversion":"1.0","id":"x","source":"/s","type":"t","data":"\377"}\n'
		echo '{"specversion":"1.0","id":"","source":"/s","type":"t"}'          # empty id
		echo '{"specversion":"1.0","id":"x","source":"a b","type":"t"}'        # source not a URI-ref
		echo '[1,2]'
		event ok3
	} > "$TMP/in"
	run --separate-stderr flow-pub --reject "$TMP/rej" "$TMP/flow" < "$TMP/in"
	[ "$status" -eq 65 ]
	assert_match 'line 2: invalid JSON' "${stderr_lines[0]}"
	assert_match 'line 3: missing required attribute id' "${stderr_lines[1]}"
	assert_match 'line 4: specversion' "${stderr_lines[2]}"
	assert_match 'line 6: time: not an RFC 3339' "${stderr_lines[3]}"
	assert_match 'line 7: invalid attribute name "Bad_Ext"' "${stderr_lines[4]}"
	assert_match 'line 8: data and data_base64 are exclusive' "${stderr_lines[5]}"
	assert_match 'line 9: empty line' "${stderr_lines[6]}"
	assert_match 'line 10: longer than 1048576 bytes' "${stderr_lines[7]}"
	assert_match 'line 11: invalid JSON in data: invalid UTF-8' "${stderr_lines[8]}"
	assert_match 'line 12: id: must not be empty' "${stderr_lines[9]}"
	assert_match 'line 13: source: not a URI-reference' "${stderr_lines[10]}"
	assert_match 'line 14: not a JSON object' "${stderr_lines[11]}"
	assert_eq 12 "${#stderr_lines[@]}" "stderr lines"
	# the rejected lines, unchanged and in order; the good ones published
	grep -av '"id":"ok' "$TMP/in" | cmp - "$TMP/rej"
	flow-sub -o beginning -e "$TMP/flow" > "$TMP/out"
	grep -a '"id":"ok' "$TMP/in" | cmp - "$TMP/out"
}

@test "flow-pub: valid events of every attribute kind are accepted" {
	{
		echo '{"specversion":"1.0","id":"a","source":"https://example.com/x?y=1#z","type":"t","time":"2026-11-22T10:00:00.123456789+01:00","datacontenttype":"application/json; charset=utf-8","dataschema":"https://example.com/schema","subject":"s","data":{"a":[1,2.5e3,true,null,"\u00e9\ud83d\ude00"]}}'
		echo '{"specversion":"1.0","id":"b","source":"urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66","type":"t","data_base64":"Zm9vYg==","ext1":"v","ext2":42,"ext3":false}'
		echo ' {"type":"t","source":"1-555-123-4567","id":"c","specversion":"1.0","time":null} '
		echo '{"specversion":"1.0","id":"d","source":"\/escaped\/slash","type":"t","data":"ümlaut"}'
		echo '{"specversion":"1.0","id":"e","source":"/s","type":"t","time":"9999-12-31T23:59:59Z"}'
		echo '{"specversion":"1.0","id":"f","source":"/s","type":"t","time":"0001-01-01T00:00:00z"}'
		echo '{"specversion":"1\u002e0","id":"g","source":"/s","type":"t"}'                 # the same string
		echo '{"specversion":"\u0031\u002E\u0030","id":"h","source":"/s","type":"t"}'
	} > "$TMP/in"
	flow-pub "$TMP/flow" < "$TMP/in"
	flow-sub -o beginning -e "$TMP/flow" | cmp - "$TMP/in"
}

@test "flow-pub: --wrap makes events of JSON values and of text" {
	printf '%s\n' '{"gate":12}' 'plain "text"' '42' '' > "$TMP/in"
	flow-pub -w -t com.example.note -s /notes "$TMP/flow" < "$TMP/in"
	flow-sub -o beginning -e "$TMP/flow" > "$TMP/out"
	[ "$(wc -l < "$TMP/out")" -eq 4 ]
	jq -e -s 'length == 4 and all(.[]; .specversion == "1.0" and .type == "com.example.note" and .source == "/notes"
		and (.id | test("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"))
		and (.time | test("^20[0-9][0-9]-.*Z$")))' "$TMP/out"
	jq -e -s '.[0].data == {"gate":12} and .[1].data == "plain \"text\"" and .[2].data == 42 and .[3].data == ""' "$TMP/out"
	# ids are unique
	[ "$(jq -r .id "$TMP/out" | sort -u | wc -l)" -eq 4 ]
}

@test "flow-pub: --fill adds a missing id and time, leaves the rest as it was" {
	{
		echo '{"specversion":"1.0","source":"/s","type":"t","data":{"k":1}}'
		echo '{"specversion":"1.0","id":"keep","source":"/s","type":"t","time":"2026-01-01T00:00:00Z"}'
		echo '{"specversion":"1.0","id":"x","source":"/s","type":"t"}'
	} > "$TMP/in"
	flow-pub --fill "$TMP/flow" < "$TMP/in"
	flow-sub -o beginning -e "$TMP/flow" > "$TMP/out"
	sed -n 2p "$TMP/in" | cmp - <(sed -n 2p "$TMP/out")
	jq -e -s '.[0].id != null and .[0].time != null and .[0].data == {"k":1} and .[2].id == "x" and .[2].time != null' "$TMP/out"
	# without --fill, a missing id is an error
	run flow-pub "$TMP/flow2" < "$TMP/in"
	[ "$status" -eq 65 ]
}

@test "flow-pub: two writers appending 50000 events each give 100000 whole lines" {
	gen-events 50000 1 > "$TMP/a"
	gen-events 50000 2 | sed 's/"id":"/"id":"b-/' > "$TMP/b"
	flow-pub "$TMP/flow" < "$TMP/a" &
	local first=$!
	flow-pub "$TMP/flow" < "$TMP/b" &
	wait "$first"
	wait $!
	flow-sub -o beginning -e "$TMP/flow" > "$TMP/out"
	[ "$(wc -l < "$TMP/out")" -eq 100000 ]
	# every line whole and valid: a third flow takes them all without a reject
	flow-pub "$TMP/check" < "$TMP/out"
	sort "$TMP/a" "$TMP/b" | cmp - <(sort "$TMP/out")
	# the index lets -o seek to any record
	[ "$(flow-sub -o 77777 -c 1 "$TMP/flow")" = "$(sed -n 77778p "$TMP/out")" ]
}

@test "flow-pub: a torn last line is cut before the next append, readers never see it" {
	gen-events 100 > "$TMP/in"
	flow-pub "$TMP/flow" < "$TMP/in"
	seg=$(ls "$TMP"/flow/*.ndjson)
	truncate -s -37 "$seg"
	run flow-sub -o beginning -e "$TMP/flow"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 99 ]
	run --separate-stderr flow-pub "$TMP/flow" < <(event after-crash)
	[ "$status" -eq 0 ]
	assert_match 'torn last line' "$stderr"
	flow-sub -o beginning -e "$TMP/flow" > "$TMP/out"
	{ head -n 99 "$TMP/in"; event after-crash; } | cmp - "$TMP/out"
	[ "$(flow-sub -o 99 -c 1 "$TMP/flow")" = "$(event after-crash)" ]
}

@test "flow-pub: segments roll at FLOW_FILE_SEGMENT_BYTES and reads cross them" {
	gen-events 5000 > "$TMP/in"
	FLOW_FILE_SEGMENT_BYTES=100000 flow-pub "$TMP/flow" < <(head -n 2500 "$TMP/in")
	FLOW_FILE_SEGMENT_BYTES=100000 flow-pub "$TMP/flow" < <(tail -n 2500 "$TMP/in")
	[ "$(ls "$TMP"/flow/*.ndjson | wc -l)" -ge 2 ]
	flow-sub -o beginning -e "$TMP/flow" | cmp - "$TMP/in"
	for n in 0 1023 1024 2499 2500 4096 4999; do
		[ "$(flow-sub -o $n -c 1 "$TMP/flow")" = "$(sed -n "$((n + 1))p" "$TMP/in")" ]
	done
}

@test "flow-pub: -v reports count and rate; --sync publishes" {
	gen-events 10 > "$TMP/in"
	run --separate-stderr flow-pub -v --sync "$TMP/flow" < "$TMP/in"
	[ "$status" -eq 0 ]
	assert_match '10 events published, 0 rejected, 0 not delivered, in [0-9.]+ s' "$stderr"
}

@test "flow-pub: a flow that cannot be opened fails loudly before reading" {
	echo x > "$TMP/notadir"
	run flow-pub "$TMP/notadir" < <(event 1)
	[ "$status" -eq 74 ]
	assert_match "flow-pub: $TMP/notadir: Not a directory" "$output"
}

@test "flow-pub: an event is appended while the input stays open (live pipeline)" {
	mkfifo "$TMP/fifo"
	flow-pub "$TMP/flow" < "$TMP/fifo" &
	local pub=$!
	exec 7> "$TMP/fifo"
	event live-1 >&7
	# published without waiting for the end of input
	local i=0
	until [ "$(cat "$TMP"/flow/*.ndjson 2>/dev/null)" = "$(event live-1)" ]; do
		i=$((i + 1))
		[ "$i" -lt 200 ] || { exec 7>&-; wait "$pub"; return 1; }
		sleep 0.01
	done
	event live-2 >&7
	exec 7>&-
	wait "$pub"
	[ "$(flow-sub -o beginning -e "$TMP/flow" | wc -l)" -eq 2 ]
}

@test "flow-pub: SIGTERM stops reading, appends what it has, exits 0" {
	mkfifo "$TMP/fifo"
	flow-pub "$TMP/flow" < "$TMP/fifo" &
	local pub=$!
	exec 7> "$TMP/fifo"
	event before-term >&7
	# once the event is in the flow, flow-pub is in its loop
	local i=0
	until [ -n "$(cat "$TMP"/flow/*.ndjson 2>/dev/null)" ]; do
		i=$((i + 1))
		[ "$i" -lt 500 ] || break
		sleep 0.01
	done
	event after-term >&7
	kill -TERM "$pub"
	local rc=0
	wait "$pub" || rc=$?
	exec 7>&-
	[ "$rc" -eq 0 ]
	# what it had read is appended (after-term may or may not have been read)
	[ "$(flow-sub -o beginning -e "$TMP/flow" | head -n 1)" = "$(event before-term)" ]
}

@test "flow-pub: SIGTERM that comes between two reads ends it too, the input still open" {
	# a writer stops, then the signal: it comes often while flow-pub appends
	# (--sync makes that long), after its last look at the signal's flag,
	# before it waits for more input, where a plain read() would block
	local round pub writer i
	for round in $(seq 1 30); do
		mkfifo "$TMP/fifo$round"
		flow-pub --sync "$TMP/flow$round" < "$TMP/fifo$round" &
		pub=$!
		exec 7> "$TMP/fifo$round"
		# its first event published: it is in its loop, the signal caught
		event "first-$round" >&7
		for ((i = 0; i < 500; i++)); do
			[ -z "$(cat "$TMP/flow$round"/*.ndjson 2>/dev/null)" ] || break
			sleep 0.01
		done
		{ while :; do event "r$round"; done; } >&7 2>/dev/null &
		writer=$!
		sleep "0.0$((RANDOM % 5 + 1))"
		kill "$writer"
		wait "$writer" 2>/dev/null || true
		kill -TERM "$pub"
		for ((i = 0; i < 300; i++)); do
			kill -0 "$pub" 2>/dev/null || break
			sleep 0.01
		done
		exec 7>&-
		if kill -0 "$pub" 2>/dev/null; then
			wait "$pub" || true  # the end of its input ends it
			echo "round $round: flow-pub still reading 3 s after SIGTERM" >&2
			return 1
		fi
		wait "$pub"
	done
}

# log_holds DIR BYTES: the flow's segments hold at least BYTES
log_holds() {
	local n
	n=$(cat "$1"/*.ndjson 2>/dev/null | wc -c)
	[ "$n" -ge "$2" ]
}

@test "flow-pub: kill -9 mid-stream leaves a clean log holding a prefix of the input" {
	gen-events 300000 > "$TMP/in"
	local round
	for round in 1 2 3; do
		rm -rf "$TMP/flow"
		flow-pub "$TMP/flow" < "$TMP/in" &
		local pub=$!
		# let it get some way into the stream (more in each round), then
		# kill it without warning; on a fast machine it may be done first
		wait_until 60 log_holds "$TMP/flow" $(( (round - 1) * round * 2000000 + 1 ))
		kill -9 "$pub" 2>/dev/null || true
		wait "$pub" 2>/dev/null || true
		flow-sub -o beginning -e "$TMP/flow" > "$TMP/out"
		local n
		n=$(wc -l < "$TMP/out")
		echo "# round $round: $n events in the log after kill -9" >&3
		head -n "$n" "$TMP/in" | cmp - "$TMP/out"
		# the next writer recovers and appends after them
		event after-kill | flow-pub "$TMP/flow" 2>/dev/null
		[ "$(flow-sub -o "$n" -c 1 "$TMP/flow")" = "$(event after-kill)" ]
		[ "$(flow-sub -o beginning -e "$TMP/flow" | wc -l)" -eq $((n + 1)) ]
	done
}

@test "flow-pub: more bad input: duplicates, trailing text, base64, schema, media type, nesting, escapes" {
	local deep
	deep=$(printf '%.0s[' $(seq 70); printf '%.0s]' $(seq 70))
	{
		event ok1
		echo '{"specversion":"1.0","id":"x","id":"y","source":"/s","type":"t"}'
		echo '{"specversion":"1.0","id":"x","source":"/s","type":"t"} x'
		echo '{"specversion":"1.0","id":"x","source":"/s","type":"t","data_base64":"Zm9v!==="}'
		echo '{"specversion":"1.0","id":"x","source":"/s","type":"t","dataschema":"/relative"}'
		echo '{"specversion":"1.0","id":"x","source":"/s","type":"t","datacontenttype":"json"}'
		echo "{\"specversion\":\"1.0\",\"id\":\"x\",\"source\":\"/s\",\"type\":\"t\",\"data\":$deep}"
		echo '{"specversion":"1.0","id":"x","source":"/s","type":"t","data":"\ud800"}'
		printf '{"specversion":"1.0","id":"x","source":"/s","type":"t","data":"a\tb"}\n'
		echo '{"specversion":"1.0","id":"x","source":"/s%zz","type":"t"}'
		echo '{"specversion":"1.0","id":"x","source":"/s","type":"t","ext":{"a":1}}'
		event ok2
	} > "$TMP/in"
	run --separate-stderr flow-pub --reject "$TMP/rej" "$TMP/flow" < "$TMP/in"
	[ "$status" -eq 65 ]
	assert_match 'line 2: duplicate attribute id' "${stderr_lines[0]}"
	assert_match 'line 3: invalid JSON: text after the event' "${stderr_lines[1]}"
	assert_match 'line 4: data_base64: not valid base64' "${stderr_lines[2]}"
	assert_match 'line 5: dataschema: not an absolute URI' "${stderr_lines[3]}"
	assert_match 'line 6: datacontenttype: not a media type' "${stderr_lines[4]}"
	assert_match 'line 7: invalid JSON in data: nested too deeply' "${stderr_lines[5]}"
	assert_match 'line 8: invalid JSON in data: lone surrogate' "${stderr_lines[6]}"
	assert_match 'line 9: invalid JSON in data: control character in string' "${stderr_lines[7]}"
	assert_match 'line 10: source: not a URI-reference' "${stderr_lines[8]}"
	assert_match 'line 11: extension ext: must be a string, number or boolean' "${stderr_lines[9]}"
	sed -n 2,11p "$TMP/in" | cmp - "$TMP/rej"
	flow-sub -o beginning -e "$TMP/flow" | cmp - <(printf '%s\n' "$(event ok1)" "$(event ok2)")
}

@test "flow-pub: an I/O error while appending keeps the block, reports it, and leaves the log clean" {
	gen-events 4000 > "$TMP/in"
	head -n 2000 "$TMP/in" | flow-pub "$TMP/flow"
	tail -n 2000 "$TMP/in" > "$TMP/second"
	# the file size limit makes an append fail half-way (EFBIG), as a full disk would
	run --separate-stderr bash -c "trap '' XFSZ; ulimit -f 600; flow-pub --reject '$TMP/rej' '$TMP/flow' < '$TMP/second'"
	[ "$status" -eq 74 ]
	assert_match 'File too large' "$stderr"
	# what was read = what was appended before the failure + what is in the reject file;
	# "stopped after line N" when it stopped before the end of the input
	local read failed
	read=$(printf '%s\n' "$stderr" | sed -n 's/.*stopped after line \([0-9]*\);.*/\1/p')
	[ -n "$read" ] || read=2000
	failed=$(printf '%s\n' "$stderr" | sed -n 's/.* \([0-9]*\) events not delivered, kept in .*/\1/p')
	[ -n "$failed" ]
	[ "$failed" -gt 0 ]
	echo "# read $read, not delivered $failed" >&3
	sed -n "$((read - failed + 1)),${read}p" "$TMP/second" | cmp - "$TMP/rej"
	# the partial block was taken back: the log holds exactly what was acknowledged
	flow-sub -o beginning -e "$TMP/flow" | cmp - <(head -n $((2000 + read - failed)) "$TMP/in")
	tail -n "+$((read - failed + 1))" "$TMP/second" | flow-pub "$TMP/flow"
	flow-sub -o beginning -e "$TMP/flow" | cmp - "$TMP/in"
}

@test "flow-pub: a full disk: every line read is stored or kept in --reject, and it goes on from there" {
	local read first
	gen-events 14000 > "$TMP/in"
	# the first 1 MiB block fits, the second does not: it fails while lines are still read
	small_fs 1600
	run --separate-stderr flow-pub --reject "$TMP/rej" "$TMP/fs/flow" < "$TMP/in"
	[ "$status" -eq 74 ]
	full_disk_report
	[ "$first" -gt 1 ] && [ "$read" -ge "$first" ] && [ "$read" -lt 14000 ]
	# lines 1..first-1 are in the flow, lines first..read in the reject file, none twice
	flow-sub -o beginning -e "$TMP/fs/flow" | cmp - <(head -n $((first - 1)) "$TMP/in")
	sed -n "${first},${read}p" "$TMP/in" | cmp - "$TMP/rej"
	# room again: the rejected lines, then the unread rest, make the whole input
	mount -o remount,size=16m "$TMP/fs"
	cat "$TMP/rej" <(tail -n "+$((read + 1))" "$TMP/in") | flow-pub "$TMP/fs/flow"
	flow-sub -o beginning -e "$TMP/fs/flow" | cmp - "$TMP/in"
}

@test "flow-pub: a full disk without --reject names the first line not stored, to publish again from" {
	local read first
	gen-events 14000 > "$TMP/in"
	small_fs 1600
	run --separate-stderr flow-pub "$TMP/fs/flow" < "$TMP/in"
	[ "$status" -eq 74 ]
	full_disk_report
	[ "$first" -gt 1 ]
	flow-sub -o beginning -e "$TMP/fs/flow" | cmp - <(head -n $((first - 1)) "$TMP/in")
	mount -o remount,size=16m "$TMP/fs"
	tail -n "+$first" "$TMP/in" | flow-pub "$TMP/fs/flow"
	flow-sub -o beginning -e "$TMP/fs/flow" | cmp - "$TMP/in"
}

@test "flow-pub: a full disk at the end of the input still names the first line not stored" {
	local first
	gen-events 3000 > "$TMP/in"
	# the whole input is one block, appended at the end of the input: it does not fit
	small_fs 400
	run --separate-stderr flow-pub --reject "$TMP/rej" "$TMP/fs/flow" < "$TMP/in"
	[ "$status" -eq 74 ]
	assert_match 'stdin: 3000 events not delivered, kept in .*rej; the first is line 1$' "$stderr"
	cmp "$TMP/in" "$TMP/rej"
	[ "$(flow-sub -o beginning -e "$TMP/fs/flow" | wc -l)" -eq 0 ]
}

@test "flow-pub: offsets are never given out twice, even after the newest segments are deleted by hand" {
	local n
	three_segments "$TMP/flow"
	[ -s "$TMP/flow/next" ]
	rm "$TMP/flow/00000000000000000020.ndjson" "$TMP/flow/00000000000000000020.index"
	for n in 0 1 2 3 4; do event "n$n"; done > "$TMP/five"
	run --separate-stderr flow-pub "$TMP/flow" < "$TMP/five"
	[ "$status" -eq 0 ]
	assert_match 'log ends at offset 20 but offsets up to 29 were given out.*going on at 30' "$stderr"
	# the new events start a segment at 30, not in 20-29 that readers may have had
	[ "$(wc -l < "$TMP/flow/00000000000000000030.ndjson")" -eq 5 ]
	[ "$(flow-sub -o 30 -e "$TMP/flow" | wc -l)" -eq 5 ]
	flow-sub -o 30 -e "$TMP/flow" | head -n 1 | grep -q '"id":"n0"'
	# every segment gone: the next offset is still 35
	rm "$TMP/flow/"*.ndjson "$TMP/flow/"*.index
	event m0 | flow-pub "$TMP/flow"
	[ "$(cat "$TMP/flow/00000000000000000035.ndjson")" = "$(event m0)" ]
	# a "next" file that is not a number is said and ignored
	echo garbage > "$TMP/flow/next"
	run --separate-stderr flow-pub "$TMP/flow" < <(event m1)
	[ "$status" -eq 0 ]
	assert_match 'next: not an offset; ignored' "$stderr"
	[ "$(flow-sub -o beginning -e "$TMP/flow" | tail -n 1)" = "$(event m1)" ]
}

@test "flow-pub: the type system: extension numbers are Integers, Strings hold no controls or noncharacters" {
	local e='"specversion":"1.0","source":"/s","type":"t"'
	{
		event ok1
		echo "{$e,\"id\":\"x\",\"ext\":1.5}"
		echo "{$e,\"id\":\"x\",\"ext\":1e2}"
		echo "{$e,\"id\":\"x\",\"ext\":2147483648}"
		echo "{$e,\"id\":\"x\",\"ext\":-2147483649}"
		echo "{$e,\"id\":\"x\",\"ext\":10.0}"
		echo "{$e,\"id\":\"x\",\"subject\":\"a\\u0001b\"}"
		echo "{$e,\"id\":\"x\",\"ext\":\"a\\tb\"}"
		echo "{$e,\"id\":\"x\\u007f\"}"
		printf '{%s,"id":"x\302\205"}\n' "$e"                               # U+0085, raw
		echo '{"specversion":"1.0","id":"x","source":"/s","type":"t\ufdd0"}'
		printf '{%s,"id":"x","ext":"\357\277\276"}\n' "$e"                  # U+FFFE, raw
		echo "{$e,\"id\":\"x\",\"ext\":\"\\udbff\\udfff\"}"                   # U+10FFFF
		echo "{$e,\"id\":\"x\",\"subject\":\"\\u009f\"}"
		echo "{$e,\"id\":\"a\\u0000b\"}"                                # U+0000, escaped
		echo "{$e,\"id\":\"x\",\"ext\":\"\\u0000\"}"
		# the edges that are allowed, and data, which is not a String
		echo "{$e,\"id\":\"ok2\",\"a\":2147483647,\"b\":-2147483648,\"c\":0,\"d\":-0}"
		echo "{$e,\"id\":\"ok3\",\"subject\":\"\\u00a0\\ufdcf\\ufdf0\\ufffd\\ud83d\\ude00 é\",\"data\":\"\\u0001\\u007f\",\"x\":\"\\u0020~\"}"
		echo "{$e,\"id\":\"ok4\",\"data\":{\"n\":1.5e300}}"
		echo "{$e,\"id\":\"ok5\",\"data\":\"a\\u0000b\"}"
	} > "$TMP/in"
	run --separate-stderr flow-pub --reject "$TMP/rej" "$TMP/flow" < "$TMP/in"
	[ "$status" -eq 65 ]
	assert_match 'stdin: line 2: extension ext: 1.5 is not an Integer' "${stderr_lines[0]}"
	assert_match 'line 3: extension ext: 1e2 is not an Integer' "${stderr_lines[1]}"
	assert_match 'line 4: extension ext: 2147483648 is not an Integer' "${stderr_lines[2]}"
	assert_match 'line 5: extension ext: -2147483649 is not an Integer' "${stderr_lines[3]}"
	assert_match 'line 6: extension ext: 10.0 is not an Integer' "${stderr_lines[4]}"
	assert_match 'line 7: subject: U\+0001 is not allowed in a String' "${stderr_lines[5]}"
	assert_match 'line 8: extension ext: U\+0009 is not allowed in a String' "${stderr_lines[6]}"
	assert_match 'line 9: id: U\+007F is not allowed' "${stderr_lines[7]}"
	assert_match 'line 10: id: U\+0085 is not allowed' "${stderr_lines[8]}"
	assert_match 'line 11: type: U\+FDD0 is not allowed' "${stderr_lines[9]}"
	assert_match 'line 12: extension ext: U\+FFFE is not allowed' "${stderr_lines[10]}"
	assert_match 'line 13: extension ext: U\+10FFFF is not allowed' "${stderr_lines[11]}"
	assert_match 'line 14: subject: U\+009F is not allowed' "${stderr_lines[12]}"
	assert_match 'line 15: id: U\+0000 is not allowed in a String' "${stderr_lines[13]}"
	assert_match 'line 16: extension ext: U\+0000 is not allowed in a String' "${stderr_lines[14]}"
	assert_eq 15 "${#stderr_lines[@]}" "stderr lines"
	sed -n 2,16p "$TMP/in" | cmp - "$TMP/rej"
	flow-sub -o beginning -e "$TMP/flow" | cmp - <(grep -a '"id":"ok' "$TMP/in")
}

@test "flow-pub: -j: one thread or four checking events give the same flow, messages, rejects and status" {
	local j
	gen-events 3000 > "$TMP/good"
	{ head -n 300 "$TMP/good"; echo 'not json'; sed -n 301,2000p "$TMP/good"; echo '{"specversion":"1.0"}'
		head -c 1100000 /dev/zero | tr '\0' x; echo; tail -n 1000 "$TMP/good"; printf '{"x":1}'; } > "$TMP/mixed"
	for j in 1 4; do
		run --separate-stderr flow-pub -j "$j" -r "$TMP/rej.$j" "$TMP/flow.$j" < "$TMP/mixed"
		printf '%s\n' "$status" "$output" "$stderr" > "$TMP/out.$j"
		flow-sub -o beginning -e "$TMP/flow.$j" > "$TMP/events.$j"
	done
	cmp "$TMP/out.1" "$TMP/out.4"
	cmp "$TMP/rej.1" "$TMP/rej.4"
	cmp "$TMP/events.1" "$TMP/events.4"
	cmp "$TMP/good" "$TMP/events.4"
	assert_eq 65 "$(head -n 1 "$TMP/out.4")" status
	assert_match 'stdin: line 2003: longer than 1048576 bytes' "$(cat "$TMP/out.4")"
	assert_match 'stdin: line 3004: missing required attribute specversion' "$(cat "$TMP/out.4")"
	for j in 0 65 x; do
		run --separate-stderr flow-pub -j "$j" "$TMP/flow"
		[ "$status" -eq 64 ]
		[ "$stderr" = "flow-pub: -j $j: expected a number from 1 to 64" ]
	done
}

@test "flow-pub: -j 4 checks events on four threads, the reader one of them; one with --wrap; a live event is not held back" {
	local pid args
	mkfifo "$TMP/fifo"
	for args in "-j 4" "-j 4 --wrap -t t -s /s"; do
		rm -rf "$TMP/flow"
		# shellcheck disable=SC2086
		flow-pub $args "$TMP/flow" < "$TMP/fifo" &
		pid=$!
		exec 7> "$TMP/fifo"
		event live-1 >&7
		wait_lines "$TMP/flow/00000000000000000000.ndjson" 1 10
		if [ "$args" = "-j 4" ]; then
			assert_eq "$(event live-1)" "$(cat "$TMP"/flow/*.ndjson)" flow
			assert_eq 4 "$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")" threads
		else
			assert_eq 1 "$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")" threads
		fi
		exec 7>&-
		wait "$pid"
	done
}
