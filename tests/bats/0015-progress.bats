#!/usr/bin/env bats
# -v on a terminal (issue 22): flow-pub, flow-sub, flow-filter (--verbose)
# and flow-bridge redraw one live line ("\r", the line, ESC [K) and erase it
# before the summary; with stderr not a terminal, only the summary line.

load helpers/common

setup() {
	common_setup
	gen-events 1000 > "$TMP/in"
	ESC=$(printf '\033')
	CR=$(printf '\r')
}
teardown() {
	stop_pids ${FEED_PID:-} ${PTY_PID:-}
	common_teardown
}

# on_pty CMD: CMD (a shell command line) with a pseudo-terminal for its
# standard streams; what it shows there goes to $TMP/tty (the pty's \n is \r\n)
on_pty() {
	script -qec "$1" /dev/null < /dev/null > "$TMP/tty"
}

# live_lines: the lines drawn over each other on the pty, one a line
live_lines() {
	tr '\r' '\n' < "$TMP/tty" | grep -a "$ESC\[K\$" || true
}

# the summary is the last thing shown, on a line of its own or after the
# live line was erased
assert_erased_then() {
	local tail
	tail=$(tail -n 1 "$TMP/tty" | tail -c 400)
	assert_match "(^|${CR}${ESC}\[K)$1[^${CR}]*${CR}\$" "$tail"
}

@test "progress: flow-pub -v on a terminal redraws events, rate, rejects, percent and time left, then erases" {
	on_pty "flow-pub -v '$TMP/flow' < '$TMP/in'"
	assert_match "^flow-pub: [0-9]+ events, [0-9]+/s, 0 rejected, [0-9]+%, ([0-9]+:[0-9][0-9]|\?) left${ESC}\[K\$" \
	    "$(live_lines | head -n 1)"
	assert_erased_then "flow-pub: 1000 events published, 0 rejected, 0 not delivered, in [0-9.]+ s \([0-9]+ events/s\)"
	[ "$(flow-sub -e -o beginning "$TMP/flow" | wc -l)" -eq 1000 ]
}

@test "progress: stderr not a terminal: -v writes only the summary line, no \\r, no escape" {
	run --separate-stderr flow-pub -v "$TMP/flow" < "$TMP/in"
	[ "$status" -eq 0 ]
	assert_match "^flow-pub: 1000 events published, 0 rejected, 0 not delivered, in [0-9.]+ s" "$stderr"
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	! printf '%s' "$stderr" | grep -q "[$CR$ESC]" || false
	run --separate-stderr flow-sub -v -e -o beginning "$TMP/flow"
	[ "$status" -eq 0 ]
	assert_eq "$(printf '%s\n' "$stderr" | sed 's/in [0-9.]* s ([0-9]* events\/s)/T/')" "flow-sub: 1000 events written, 0 rejected, T"
	run --separate-stderr flow-filter --verbose 'type = "none"' "$TMP/in"
	[ "$status" -eq 1 ]
	assert_match "^flow-filter: 1000 events read, 0 passed, 0 lines rejected, in [0-9.]+ s \([0-9]+ events/s\)\$" "$stderr"
}

@test "progress: without -v a terminal shows nothing" {
	on_pty "flow-pub '$TMP/flow' < '$TMP/in'; flow-sub -e -o beginning '$TMP/flow' > /dev/null; flow-filter -c 'true' '$TMP/in' > /dev/null"
	[ ! -s "$TMP/tty" ]
}

@test "progress: flow-sub -v on a terminal: a live line without percent (the end of a flow moves), erased" {
	flow-pub "$TMP/flow" < "$TMP/in"
	on_pty "flow-sub -v -e -o beginning '$TMP/flow' > '$TMP/out'"
	[ "$(wc -l < "$TMP/out")" -eq 1000 ]
	assert_match "^flow-sub: [0-9]+ events, [0-9]+/s, 0 rejected${ESC}\[K\$" "$(live_lines | head -n 1)"
	assert_erased_then "flow-sub: 1000 events written, 0 rejected, in [0-9.]+ s"
}

@test "progress: flow-filter --verbose: percent of the files named; a warning erases the live line first" {
	{ head -n 500 "$TMP/in"; echo 'not json'; tail -n 500 "$TMP/in"; } > "$TMP/mixed"
	on_pty "flow-filter --verbose 'true' '$TMP/mixed' '$TMP/in' > '$TMP/out'; echo \$? > '$TMP/status'"
	[ "$(wc -l < "$TMP/out")" -eq 2000 ]
	assert_match "^flow-filter: [0-9]+ events, [0-9]+/s, [01] rejected, [0-9]+%, ([0-9]+:[0-9][0-9]|\?) left${ESC}\[K\$" \
	    "$(live_lines | head -n 1)"
	# the warning starts on an erased line, not after the live line's text
	grep -aq "${CR}${ESC}\[Kflow-filter: $TMP/mixed: line 501: " "$TMP/tty"
	assert_erased_then "flow-filter: 2000 events read, 2000 passed, 1 lines rejected, in [0-9.]+ s"
	assert_eq "$(cat "$TMP/status")" 65
}

@test "progress: flow-bridge -v on a terminal: a live line, erased before the counts" {
	flow-pub "$TMP/flow" < "$TMP/in"
	on_pty "flow-bridge -v -e -o beginning '$TMP/flow' '$TMP/copy'"
	assert_match "^flow-bridge: [0-9]+ events, [0-9]+/s, 0 rejected${ESC}\[K\$" "$(live_lines | head -n 1)"
	assert_erased_then "flow-bridge: 1000 events read, 1000 written, 0 filtered out, 0 records rejected"
	[ "$(flow-sub -e -o beginning "$TMP/copy" | wc -l)" -eq 1000 ]
}

@test "progress: a slow input still moves the live line (drawn while the input waits)" {
	mkfifo "$TMP/fifo"
	# a producer that goes on until the live line shows more than the first 100
	( exec 3> "$TMP/fifo"; n=0
	  while [ "$n" -lt 3000 ]; do head -n 100 "$TMP/in" >&3; n=$((n + 100)); sleep 0.05; done ) &
	FEED_PID=$!
	script -qec "flow-pub -v '$TMP/flow' < '$TMP/fifo'" /dev/null < /dev/null > "$TMP/tty" &
	PTY_PID=$!
	wait_until 20 sh -c "tr '\r' '\n' < '$TMP/tty' | grep -aEq '^flow-pub: [1-9][0-9]{2,} events'"
	stop_pids "$FEED_PID"
	FEED_PID=
	wait "$PTY_PID"
	PTY_PID=
	# no percent: a pipe's size is not known
	! live_lines | grep -q '%' || false
	assert_erased_then "flow-pub: [0-9]+ events published, 0 rejected"
}

@test "progress: bad --verbose and -v arguments are usage errors" {
	run flow-filter --verbose=1 'true' "$TMP/in"
	[ "$status" -eq 64 ]
	run flow-sub --verbose=yes -e "$TMP/flow"
	[ "$status" -eq 64 ]
	run flow-sub -v
	[ "$status" -eq 64 ]
	assert_match "usage: flow-sub \[-ev\]" "$output"
}
