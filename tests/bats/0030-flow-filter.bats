#!/usr/bin/env bats
# flow-filter: CESQL filtering of event streams, like grep.

load helpers/common
load helpers/filter

setup() {
	common_setup
	gen-events 2000 > "$TMP/in"
}
teardown() { common_teardown; }

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
	[ "$stderr" = "flow-filter: parse: column 8: LIKE needs a string pattern" ]
	run --separate-stderr flow-filter "x = 1 AND nosuch(1)"
	[ "$status" -eq 64 ]
	[ "$stderr" = "flow-filter: parse: column 11: no function NOSUCH with 1 argument" ]
	run --separate-stderr flow-filter "my_ext = 1"
	[ "$stderr" = "flow-filter: parse: column 1: my_ext: attribute names are letters and digits" ]
	run --separate-stderr flow-filter "x.y = 1"
	assert_match 'column 1: x.y: only data.field' "$stderr"
	run --separate-stderr flow-filter "x = 1.5"
	assert_match 'column 5: CESQL has integers only' "$stderr"
	run --separate-stderr flow-filter "x = 2147483648"
	assert_match 'column 5: integer out of range' "$stderr"
	run --separate-stderr flow-filter "a NOT b"
	assert_match 'column 3: NOT after an operand' "$stderr"
	run --separate-stderr flow-filter "x IN ()"
	assert_match 'column 7: unexpected' "$stderr"
	# an expression that can never be true as a filter: --print takes it
	run --separate-stderr flow-filter "data.delay + 1"
	[ "$status" -eq 64 ]
	[ "$stderr" = "flow-filter: parse: column 1: the expression is an integer, not a condition" ]
	run --separate-stderr flow-filter "CONCAT(id, type)"
	assert_match 'is a string, not a condition' "$stderr"
	# no input read: a pipe that never ends does not keep it waiting
	run timeout 5 flow-filter "((" < /dev/zero
	[ "$status" -eq 64 ]
	run flow-filter --exact noequals
	[ "$status" -eq 64 ]
	run flow-filter --exact my_ext=1
	[ "$status" -eq 64 ]
	run flow-filter -m 0 "true"
	[ "$status" -eq 64 ]
	run flow-filter --nosuch "true"
	[ "$status" -eq 64 ]
}

@test "flow-filter: keeps matching events byte for byte, the same as jq select" {
	flow-filter "type = 'com.example.delay' AND source LIKE '/airport/gate/1%'" < "$TMP/in" > "$TMP/out"
	jq_select '.type == "com.example.delay" and (.source|startswith("/airport/gate/1"))' | cmp - "$TMP/out"
	[ -s "$TMP/out" ]
	# lines that jq would rewrite (spaces, escapes, key order) come out as they went in
	{
		printf '%s\n' '{ "type" : "com.example.x", "specversion":"1.0", "id":"\u0041b", "source":"/s\/t" }'
		printf '%s\n' '{"specversion":"1.0","id":"2","source":"/s","type":"com.example.x","data":{"e":1.50}}'
	} > "$TMP/odd"
	flow-filter "type = 'com.example.x' AND (id = 'Ab' OR data.e = '1.50') AND source = '/s/t' OR id = '2'" \
		< "$TMP/odd" | cmp - "$TMP/odd"
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
	# dialects alone read standard input, - included
	flow-filter --exact type=com.example.delay - < "$TMP/a" | cmp - <(jq_select '.type == "com.example.delay"' "$TMP/a")
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
	flow-filter -v -m 2 "type = 'com.example.delay'" < "$TMP/in" | cmp - <(jq_select '.type != "com.example.delay"' | head -n 2)
	[ "$(flow-filter -c -m 5 "true" < "$TMP/in")" = 5 ]
	[ "$(flow-filter -c "false" < "$TMP/in")" = 0 ]
	# -q, like grep -q: a match is success even after an invalid line
	run flow-filter -q "true" < <(echo 'not json'; head -n 1 "$TMP/in")
	[ "$status" -eq 0 ]
}

@test "flow-filter: --exact, --prefix, --suffix, alone and ANDed with EXPR" {
	flow-filter --exact type=com.example.arrival < "$TMP/in" | cmp - <(jq_select '.type == "com.example.arrival"')
	flow-filter --prefix source=/airport/gate/2 --suffix subject=7 < "$TMP/in" |
		cmp - <(jq_select '(.source|startswith("/airport/gate/2")) and (.subject|endswith("7"))')
	flow-filter --prefix source=/airport/gate/3 "data.delay > 10" < "$TMP/in" |
		cmp - <(jq_select '(.source|startswith("/airport/gate/3")) and .data.delay > 10')
	# case-sensitive, on the decoded value; attribute names in any case
	event e1 ',"kind":"A\u00e9"' > "$TMP/e"
	[ "$(flow-filter -c --exact KIND=Aé < "$TMP/e")" = 1 ]
	[ "$(flow-filter -c --exact kind=aé < "$TMP/e")" = 0 ]
	[ "$(flow-filter -c --suffix kind=é --prefix kind=A < "$TMP/e")" = 1 ]
	[ "$(flow-filter -c --prefix kind=Aé! < "$TMP/e")" = 0 ]
	run flow-filter --exact nosuchattr=x < "$TMP/in"
	[ "$status" -eq 1 ]
}

@test "flow-filter: an event passes only when the expression is true without an error (CESQL 1.0 §1.2)" {
	event e1 ',"urgent":true,"level":"3"' > "$TMP/e"
	# NOT 10 yields true, with a cast error: no pass, and -v keeps it
	run flow-filter "NOT 10" < "$TMP/e"
	[ "$status" -eq 1 ]
	[ "$(flow-filter -v "NOT 10" < "$TMP/e")" = "$(cat "$TMP/e")" ]
	run --separate-stderr value_of "NOT 10" "$(cat "$TMP/e")"
	[ "$output" = true ]
	[ "$stderr" = "flow-filter: event 1: cast: an integer (10) is a boolean only through BOOL()" ]
	# an attribute alone passes when it is the boolean true, not a string
	[ "$(flow-filter -c urgent < "$TMP/e")" = 1 ]
	[ "$(flow-filter -c type < "$TMP/e")" = 0 ]
	# a missing attribute is an error, even where the rest is true
	[ "$(flow-filter -c "nosuch = 1 OR TRUE" < "$TMP/e")" = 0 ]
	[ "$(flow-filter -c "TRUE OR nosuch = 1" < "$TMP/e")" = 1 ]
	[ "$(flow-filter -c "level > 2" < "$TMP/e")" = 1 ]
}

@test "flow-filter: CESQL 1.0 precedence, literals, names and functions beyond the TCK" {
	# AND, OR, XOR: one precedence, from the left (§3.6), unlike SQL
	[ "$(value_of "TRUE OR TRUE AND FALSE")" = false ]
	[ "$(value_of "FALSE AND TRUE OR TRUE")" = true ]
	[ "$(value_of "TRUE XOR TRUE OR TRUE")" = true ]
	[ "$(value_of "1 + 2 * 3 - 4 / 2 % 3")" = 5 ]
	[ "$(value_of "10 - 2 - 3")" = 5 ]
	# unary operators bind tighter than LIKE and IN, which bind tighter than the rest
	[ "$(value_of "NOT 'TRUE' = 'FALSE'")" = false ]
	[ "$(value_of "1 + 2 LIKE '3'")" = 1 ]
	[ "$(value_of "'true' = 'a' IN ('a')")" = true ]
	# literals: a signed integer, the smallest int32; names may start with a digit
	[ "$(value_of "+5 - -5")" = 10 ]
	[ "$(value_of "-2147483648")" = -2147483648 ]
	[ "$(value_of "3d" "$(event e1 ',"3d":"x"')")" = '"x"' ]
	[ "$(value_of "SoUrCe")" = '"/test"' ]
	# strings: only the delimiting quote is escaped
	[ "$(value_of "'it\\'s'")" = '"it'"'"'s"' ]
	[ "$(value_of "'a\\\"b'")" = '"a\\\"b"' ]
	# LIKE: \% and \_ are literal, any other backslash is itself; _ is a character
	[ "$(value_of "'100%' LIKE '100\\%'")" = true ]
	[ "$(value_of "'1000' LIKE '100\\%'")" = false ]
	[ "$(value_of "'a_c' LIKE 'a\\_c'")" = true ]
	[ "$(value_of "'abc' LIKE 'a\\_c'")" = false ]
	[ "$(value_of "'a\\b' LIKE 'a\\b'")" = true ]
	[ "$(value_of "'é' LIKE '_'")" = true ]
	[ "$(value_of "'é' LIKE '__'")" = false ]
	[ "$(value_of "'xéy' LIKE '%_y'")" = true ]
	# Unicode: lengths in characters, case mapping and white space beyond ASCII
	[ "$(value_of "LENGTH('naïve')")" = 5 ]
	[ "$(value_of "UPPER('ÉTé')")" = '"ÉTÉ"' ]
	[ "$(value_of "LOWER('ÀÉÎ ΣΑ')")" = '"àéî σα"' ]
	[ "$(value_of "TRIM(' x y ')")" = '"x y"' ]
	[ "$(value_of "LEFT('héllo', 2)")" = '"hé"' ]
	[ "$(value_of "SUBSTRING('héllo', -3, 2)")" = '"ll"' ]
	[ "$(value_of "CONCAT_WS('-', 'a', 1, TRUE)")" = '"a-1-true"' ]
	[ "$(value_of "CONCAT()")" = '""' ]
	# errors yield values: 32-bit overflow is a math error
	run --separate-stderr value_of "2147483647 + 1"
	[ "$output" = 0 ]
	assert_match 'event 1: math: 2147483648 does not fit in 32 bits' "$stderr"
	run --separate-stderr value_of "ABS(-2147483648)"
	[ "$output" = 2147483647 ]
	assert_match 'event 1: math: ' "$stderr"
}

@test "flow-filter: data.a.b reads fields of JSON data, absent ones are missing attributes" {
	flow-filter "data.pax.children >= 15 AND data.status = 'landed'" < "$TMP/in" |
		cmp - <(jq_select '.data.pax.children >= 15 and .data.status == "landed"')
	run flow-filter "data.nosuch = 1" < "$TMP/in"
	[ "$status" -eq 1 ]
	[ "$(flow-filter -c "EXISTS data.pax.adults" < "$TMP/in")" -eq 2000 ]
	[ "$(flow-filter -c "EXISTS data.pax.nosuch" < "$TMP/in")" -eq 0 ]
	local e
	e=$(event e1 ',"data":{"n":null,"f":1.5,"big":4294967296,"neg":-7,"o":{"K":[1, 2]},"s":"x\"y"}')
	[ "$(value_of "EXISTS data.n" "$e")" = false ]
	[ "$(value_of "data.f" "$e")" = '"1.5"' ]
	[ "$(value_of "data.big" "$e")" = '"4294967296"' ]
	[ "$(value_of "data.neg * 2" "$e")" = -14 ]
	[ "$(value_of "data.o.K" "$e")" = '"[1, 2]"' ]
	[ "$(value_of "DATA.s" "$e")" = '"x\"y"' ]
	run --separate-stderr value_of "data.o.k" "$e"
	[ "$output" = false ]
	[ "$stderr" = "flow-filter: event 1: missingAttribute: no attribute data.o.k" ]
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
	[ "${stderr_lines[2]}" = "flow-filter: event 3: math: division by zero" ]
	run --separate-stderr flow-filter --print "INT('x')" < "$TMP/three"
	[ "${stderr_lines[0]}" = "flow-filter: event 1: cast: cannot cast 'x' to an integer" ]
	run --separate-stderr flow-filter --print "SUBSTRING('abc', 9)" < "$TMP/three"
	[ "${lines[0]}" = '""' ]
	assert_match '^flow-filter: event 1: functionEvaluation: ' "${stderr_lines[0]}"
	# an unknown function is the evaluator's missingFunction error here
	run --separate-stderr flow-filter --print "nosuch(1, 2)" < "$TMP/three"
	[ "$status" -eq 0 ]
	[ "${lines[2]}" = false ]
	[ "${stderr_lines[0]}" = "flow-filter: event 1: missingFunction: no function NOSUCH with 2 arguments" ]
	# event N is the line number: invalid lines count
	run --separate-stderr flow-filter --print "nosuch" < <(echo 'not json'; head -n 1 "$TMP/in")
	[ "$status" -eq 65 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "${stderr_lines[1]}" = "flow-filter: event 2: missingAttribute: no attribute nosuch" ]
	run flow-filter --print -c "true" < "$TMP/three"
	[ "$status" -eq 64 ]
	run flow-filter --print --exact type=x "true" < "$TMP/three"
	[ "$status" -eq 64 ]
}

@test "flow-filter: invalid lines are reported, kept with --reject, exit 65" {
	{ head -n 2 "$TMP/in"; echo 'not json'; echo '{"specversion":"1.0"}'; tail -n 2 "$TMP/in"; } > "$TMP/mixed"
	run --separate-stderr flow-filter --reject "$TMP/rej" "true" < "$TMP/mixed"
	[ "$status" -eq 65 ]
	assert_match '^flow-filter: stdin: line 3: ' "${stderr_lines[0]}"
	assert_match '^flow-filter: stdin: line 4: missing required attribute id' "${stderr_lines[1]}"
	printf '%s\n' 'not json' '{"specversion":"1.0"}' | cmp - "$TMP/rej"
	[ "${#lines[@]}" -eq 4 ]
	# a line longer than 1 MiB is rejected whole, and the next one read
	{ head -n 1 "$TMP/in"; head -c 1100000 /dev/zero | tr '\0' x; echo; tail -n 1 "$TMP/in"; } > "$TMP/long"
	run --separate-stderr flow-filter --reject "$TMP/rej" "true" "$TMP/long"
	[ "$status" -eq 65 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$stderr" = "flow-filter: $TMP/long: line 2: longer than 1048576 bytes" ]
	sed -n 2p "$TMP/long" | cmp - "$TMP/rej"
	run flow-filter --reject /nonexistent/dir/rej "true" < "$TMP/in"
	[ "$status" -eq 74 ]
	# a reject file that cannot be written: said once, and the lines it lost make it 74
	run --separate-stderr flow-filter --reject /dev/full "true" < "$TMP/mixed"
	[ "$status" -eq 74 ]
	[ "${#lines[@]}" -eq 4 ]
	[ "${stderr_lines[1]}" = "flow-filter: /dev/full: No space left on device" ]
	[ "${#stderr_lines[@]}" -eq 3 ]
	run --separate-stderr flow-filter "true" "$TMP/nosuch"
	[ "$status" -eq 74 ]
	[ "$stderr" = "flow-filter: $TMP/nosuch: No such file or directory" ]
}

@test "flow-filter: --dedupe drops a (source, id) seen among the last N" {
	{ head -n 5 "$TMP/in"; head -n 5 "$TMP/in"; sed -n 6,8p "$TMP/in"; head -n 1 "$TMP/in"; } > "$TMP/dups"
	flow-filter --dedupe "true" < "$TMP/dups" | cmp - <(head -n 8 "$TMP/in")
	# a window of 2: the first event comes back once it has been forgotten
	{ sed -n 1,3p "$TMP/in"; head -n 1 "$TMP/in"; } > "$TMP/window"
	flow-filter --dedupe=2 "true" < "$TMP/window" | cmp - "$TMP/window"
	# the same pair written differently is the same pair; another source is not
	{ event a; event 'a' | sed 's/"id":"a"/"id":"\\u0061"/'; event a | sed 's|/test|/other|'; } > "$TMP/same"
	[ "$(flow-filter -c --dedupe "true" < "$TMP/same")" = 2 ]
	run flow-filter --dedupe=0 "true" < "$TMP/window"
	[ "$status" -eq 64 ]
}

@test "flow-filter: | head -n 1 ends quietly; a live event is not held back; SIGTERM ends cleanly" {
	gen-events 200000 > "$TMP/big"
	run bash -c "flow-filter true < '$TMP/big' 2>'$TMP/err' | head -n 1; echo \"rc=\${PIPESTATUS[0]}\""
	[ "${lines[1]}" = "rc=0" ]
	[ ! -s "$TMP/err" ]
	mkfifo "$TMP/fifo"
	flow-filter "type = 'com.example.test'" < "$TMP/fifo" > "$TMP/live" &
	local pid=$!
	exec 7> "$TMP/fifo"
	event live-1 >&7
	wait_lines "$TMP/live" 1 2
	# the writer is still there: a signal ends it, with status 0
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	exec 7>&-
	[ "$rc" -eq 0 ]
	[ "$(cat "$TMP/live")" = "$(event live-1)" ]
}

@test "flow-filter: in a pipeline between flow-sub and flow-pub" {
	flow-pub "$TMP/src" < "$TMP/in"
	flow-sub -o beginning -e "$TMP/src" | flow-filter "data.delay > 100" | flow-pub "$TMP/late"
	flow-sub -o beginning -e "$TMP/late" | cmp - <(jq_select '.data.delay > 100')
}

@test "flow-filter: FLOW_SIMD chooses the scanner's path, each deciding the same; an unknown one is a warning" {
	local p
	# a good event with two- and three-byte UTF-8, one with an overlong form
	printf '%s\n' $'{"specversion":"1.0","id":"1","source":"s","type":"t","data":"caf\xc3\xa9 \xe2\x82\xac"}' \
		$'{"specversion":"1.0","id":"2","source":"s","type":"t","data":"\xc0\xaf"}' > "$TMP/utf8"
	for p in portable sse2 avx2; do
		FLOW_SIMD=$p run --separate-stderr flow-filter -r "$TMP/rej.$p" "type = 't'" < "$TMP/utf8"
		[ "$status" -eq 65 ]
		[ "$output" = "$(head -n 1 "$TMP/utf8")" ]
		cmp "$TMP/rej.$p" <(sed -n 2p "$TMP/utf8")
		FLOW_SIMD=$p flow-filter "data.delay > 100" < "$TMP/in" | cmp - <(jq_select '.data.delay > 100')
	done
	FLOW_SIMD=bogus run --separate-stderr flow-filter "type = 't'" < /dev/null
	[ "$status" -eq 1 ]
	assert_match '^flow-filter: FLOW_SIMD: bogus: not a path this CPU has \(portable, sse2, avx2\); using ' "$stderr"
}

@test "flow-filter: -j: one thread or four give the same output, messages, rejects and status" {
	local expr args j
	{ head -n 300 "$TMP/in"; echo 'not json'; sed -n 301,1200p "$TMP/in"; echo '{"specversion":"1.0"}'
		head -c 1100000 /dev/zero | tr '\0' x; echo; tail -n 5 "$TMP/in"; } > "$TMP/mixed"
	for expr in "type = 'com.example.delay' AND source LIKE '/airport/gate/1%'" "data.delay > 100" \
	    "nosuch = 1" "true"; do
		for args in "" "-v" "--exact type=com.example.arrival"; do
			for j in 1 4; do
				# shellcheck disable=SC2086
				run --separate-stderr flow-filter -j "$j" $args -r "$TMP/rej.$j" "$expr" < "$TMP/mixed"
				printf '%s\n' "$status" "$output" > "$TMP/out.$j"
				printf '%s\n' "$stderr" > "$TMP/err.$j"
			done
			cmp "$TMP/out.1" "$TMP/out.4"
			cmp "$TMP/err.1" "$TMP/err.4"
			cmp "$TMP/rej.1" "$TMP/rej.4"
		done
	done
	# a file operand, named in the messages; none matching is 1, as with one thread
	run --separate-stderr flow-filter -j 4 "nosuch = 1" "$TMP/mixed"
	[ "$status" -eq 65 ]
	[ "${stderr_lines[2]}" = "flow-filter: $TMP/mixed: line 1203: longer than 1048576 bytes" ]
	run flow-filter -j 4 "type = 'none'" "$TMP/in"
	[ "$status" -eq 1 ]
	[ "$output" = "" ]
	for j in 0 65 x; do
		run --separate-stderr flow-filter -j "$j" true
		[ "$status" -eq 64 ]
		[ "$stderr" = "flow-filter: -j $j: expected a number from 1 to 64" ]
	done
}

@test "flow-filter: -j: lines around the 64 KiB a batch holds, whole, in order, with their numbers" {
	local n j
	# events of 65,534 to 65,538 bytes between short ones, and a bad one among
	# them: the reader hands on whole lines only, however a read cuts them
	for n in 65534 65535 65536 65537 65538; do
		head -n 2 "$TMP/in"
		printf '{"specversion":"1.0","id":"%s","source":"/s","type":"t","data":"%s"}\n' "$n" \
			"$(head -c $((n - 64 - ${#n})) /dev/zero | tr '\0' x)"
	done > "$TMP/edges"
	printf '%s\n' '{"specversion":"1.0","id":"x","source":"/s","type":"t","data":' >> "$TMP/edges"
	head -n 3 "$TMP/in" >> "$TMP/edges"
	awk 'NR % 3 == 0 && NR < 16 { if (length($0) < 65534 || length($0) > 65538) exit 1 }' "$TMP/edges" || \
		{ awk 'NR % 3 == 0 && NR < 16 { print length($0) }' "$TMP/edges"; false; }
	for j in 1 2 4; do
		run --separate-stderr flow-filter -j "$j" -r "$TMP/rej.$j" "type = 't' OR type <> 't'" < "$TMP/edges"
		[ "$status" -eq 65 ]
		[ "$stderr" = "flow-filter: stdin: line 16: invalid JSON in data: unexpected end of input" ]
		[ "$output" = "$(sed 16d "$TMP/edges")" ]
		cmp "$TMP/rej.$j" <(sed -n 16p "$TMP/edges")
	done
}

@test "flow-filter: -j 4 runs four threads, the reader one of them; one where events go one after the other (--print)" {
	local pid args
	mkfifo "$TMP/fifo"
	for args in "-j 4" "-j 4 --print"; do
		# shellcheck disable=SC2086
		flow-filter $args "type = 'com.example.test'" < "$TMP/fifo" > "$TMP/live" &
		pid=$!
		exec 7> "$TMP/fifo"
		event live-1 >&7
		# what was read is written when the input pauses: the event is not held back
		wait_lines "$TMP/live" 1 10
		if [ "$args" = "-j 4" ]; then
			assert_eq "$(event live-1)" "$(cat "$TMP/live")" output
			assert_eq 4 "$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")" threads
		else
			assert_eq true "$(cat "$TMP/live")" output
			assert_eq 1 "$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")" threads
		fi
		exec 7>&-
		wait "$pid"
	done
}
