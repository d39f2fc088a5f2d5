#!/usr/bin/env bats
# flow-filter: CESQL filtering of event streams, like grep.

load helpers/common

setup() {
	common_setup
	gen-events 2000 > "$TMP/in"
}
teardown() { common_teardown; }

# jq's view of the same selection, to compare with
jq_select() { jq -c "select($1)" "$TMP/in"; }

@test "flow-filter: -h, -V, usage and parse errors (column, exit 64, no input read)" {
	run flow-filter -h
	[ "$status" -eq 0 ]
	assert_match '^usage: flow-filter' "${lines[0]}"
	run flow-filter -V
	[ "$status" -eq 0 ]
	run flow-filter
	[ "$status" -eq 64 ]
	run --separate-stderr flow-filter "type = 'x' AND" < /dev/null
	[ "$status" -eq 64 ]
	[ "$stderr" = "flow-filter: parse: column 15: unexpected end of expression" ]
	run --separate-stderr flow-filter "x LIKE 123"
	[ "$status" -eq 64 ]
	assert_match 'parse: column 8: LIKE needs a string pattern' "$stderr"
	run --separate-stderr flow-filter "NOSUCH(1)"
	[ "$status" -eq 64 ]
	assert_match 'no function NOSUCH' "$stderr"
	# no input read: a pipe that never ends does not keep it waiting
	run timeout 5 flow-filter "((" < /dev/zero
	[ "$status" -eq 64 ]
	run flow-filter --exact noequals
	[ "$status" -eq 64 ]
	run flow-filter -m 0 "true"
	[ "$status" -eq 64 ]
}

@test "flow-filter: keeps matching events byte for byte, the same as jq select" {
	flow-filter "type = 'com.example.delay' AND source LIKE '/airport/gate/1%'" < "$TMP/in" > "$TMP/out"
	jq_select '.type == "com.example.delay" and (.source|startswith("/airport/gate/1"))' | cmp - "$TMP/out"
	[ -s "$TMP/out" ]
	# passed on unchanged: every line of the output is a line of the input
	[ "$(grep -c -F -x -f "$TMP/out" "$TMP/in")" -eq "$(wc -l < "$TMP/out")" ]
}

@test "flow-filter: exit 0 on a match, 1 on none; files and - as input" {
	run flow-filter "type = 'com.example.arrival'" "$TMP/in"
	[ "$status" -eq 0 ]
	run flow-filter "type = 'no.such.type'" "$TMP/in"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	head -n 10 "$TMP/in" > "$TMP/a"
	tail -n 10 "$TMP/in" > "$TMP/b"
	flow-filter "true" "$TMP/a" - < "$TMP/b" | cmp - <(cat "$TMP/a" "$TMP/b")
	run flow-filter "true" "$TMP/no-such-file"
	[ "$status" -eq 74 ]
}

@test "flow-filter: -v, -c, -q, -m like grep" {
	local all delays
	all=$(wc -l < "$TMP/in")
	delays=$(jq_select '.type == "com.example.delay"' | wc -l)
	[ "$(flow-filter -c "type = 'com.example.delay'" < "$TMP/in")" -eq "$delays" ]
	[ "$(flow-filter -v -c "type = 'com.example.delay'" < "$TMP/in")" -eq $((all - delays)) ]
	flow-filter -v "type = 'com.example.delay'" < "$TMP/in" | cmp - <(jq_select '.type != "com.example.delay"')
	run flow-filter -q "type = 'com.example.delay'" < "$TMP/in"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run flow-filter -q "false" < "$TMP/in"
	[ "$status" -eq 1 ]
	flow-filter -m 3 "type = 'com.example.delay'" < "$TMP/in" | cmp - <(jq_select '.type == "com.example.delay"' | head -n 3)
	[ "$(flow-filter -c "false" < "$TMP/in")" = 0 ]
}

@test "flow-filter: --exact, --prefix, --suffix, alone and ANDed with EXPR" {
	flow-filter --exact type=com.example.arrival < "$TMP/in" | cmp - <(jq_select '.type == "com.example.arrival"')
	flow-filter --prefix source=/airport/gate/2 --suffix subject=7 < "$TMP/in" |
		cmp - <(jq_select '(.source|startswith("/airport/gate/2")) and (.subject|endswith("7"))')
	flow-filter --prefix source=/airport/gate/3 "data.delay > 10" < "$TMP/in" |
		cmp - <(jq_select '(.source|startswith("/airport/gate/3")) and .data.delay > 10')
	run flow-filter --exact nosuchattr=x < "$TMP/in"
	[ "$status" -eq 1 ]
}

@test "flow-filter: data.a.b reads fields of JSON data, absent ones are missing attributes" {
	flow-filter "data.pax.children >= 15 AND data.status = 'landed'" < "$TMP/in" |
		cmp - <(jq_select '.data.pax.children >= 15 and .data.status == "landed"')
	run flow-filter "data.nosuch = 1" < "$TMP/in"
	[ "$status" -eq 1 ]
	[ "$(flow-filter -c "EXISTS data.pax.adults" < "$TMP/in")" -eq 2000 ]
	[ "$(flow-filter -c "EXISTS data.pax.nosuch" < "$TMP/in")" -eq 0 ]
}

@test "flow-filter: --print writes each event's value; errors name their kind as the TCK does" {
	head -n 3 "$TMP/in" > "$TMP/three"
	run --separate-stderr flow-filter --print "data.delay * 2" < "$TMP/three"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = "$(jq '.data.delay * 2' < <(head -n 1 "$TMP/in"))" ]
	run --separate-stderr flow-filter --print "CONCAT(subject, ':', type = 'com.example.delay')" < "$TMP/three"
	assert_match '^"[A-Z]{2}[0-9]{4}:(true|false)"$' "${lines[0]}"
	run --separate-stderr flow-filter --print "nosuch" < "$TMP/three"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'false\nfalse\nfalse')" ]
	[ "${stderr_lines[0]}" = "flow-filter: event 1: missingAttribute: no attribute nosuch" ]
	run --separate-stderr flow-filter --print "1 / 0" < "$TMP/three"
	[ "${lines[0]}" = 0 ]
	assert_match 'event 3: math: division by zero' "${stderr_lines[2]}"
	run --separate-stderr flow-filter --print "INT('x')" < "$TMP/three"
	assert_match 'event 1: cast: ' "${stderr_lines[0]}"
	run --separate-stderr flow-filter --print "SUBSTRING('abc', 9)" < "$TMP/three"
	assert_match 'event 1: functionEvaluation: ' "${stderr_lines[0]}"
	run flow-filter --print -c "true" < "$TMP/three"
	[ "$status" -eq 64 ]
}

@test "flow-filter: invalid lines are reported, kept with --reject, exit 65" {
	{ head -n 2 "$TMP/in"; echo 'not json'; echo '{"specversion":"1.0"}'; tail -n 2 "$TMP/in"; } > "$TMP/mixed"
	run --separate-stderr flow-filter --reject "$TMP/rej" "true" < "$TMP/mixed"
	[ "$status" -eq 65 ]
	assert_match 'stdin: line 3: not a JSON object' "${stderr_lines[0]}"
	assert_match 'stdin: line 4: missing required attribute id' "${stderr_lines[1]}"
	printf '%s\n' 'not json' '{"specversion":"1.0"}' | cmp - "$TMP/rej"
	[ "${#lines[@]}" -eq 4 ]
}

@test "flow-filter: --dedupe drops a (source, id) seen among the last N" {
	{ head -n 5 "$TMP/in"; head -n 5 "$TMP/in"; sed -n 6,8p "$TMP/in"; head -n 1 "$TMP/in"; } > "$TMP/dups"
	flow-filter --dedupe "true" < "$TMP/dups" | cmp - <(head -n 8 "$TMP/in")
	# a window of 2: the first event comes back once it has been forgotten
	{ sed -n 1,3p "$TMP/in"; head -n 1 "$TMP/in"; } > "$TMP/window"
	flow-filter --dedupe=2 "true" < "$TMP/window" | cmp - "$TMP/window"
	run flow-filter --dedupe=0 "true" < "$TMP/window"
	[ "$status" -eq 64 ]
}

@test "flow-filter: | head -n 1 ends quietly; a live event is not held back" {
	gen-events 200000 > "$TMP/big"
	run bash -c "flow-filter true < '$TMP/big' 2>'$TMP/err' | head -n 1; echo \"rc=\${PIPESTATUS[0]}\""
	[ "${lines[1]}" = "rc=0" ]
	[ ! -s "$TMP/err" ]
	mkfifo "$TMP/fifo"
	flow-filter "type = 'com.example.test'" < "$TMP/fifo" > "$TMP/live" &
	exec 7> "$TMP/fifo"
	event live-1 >&7
	wait_lines "$TMP/live" 1 2
	exec 7>&-
	wait
	[ "$(cat "$TMP/live")" = "$(event live-1)" ]
}

@test "flow-filter: in a pipeline between flow-sub and flow-pub" {
	flow-pub "$TMP/src" < "$TMP/in"
	flow-sub -o beginning -e "$TMP/src" | flow-filter "data.delay > 100" | flow-pub "$TMP/late"
	flow-sub -o beginning -e "$TMP/late" | cmp - <(jq_select '.data.delay > 100')
}
