# Shared by every suite: a private temporary directory, cleaned up afterwards,
# and a few assertions with useful messages.

bats_require_minimum_version 1.5.0

common_setup() {
	TMP=$(mktemp -d "${TMPDIR:-/tmp}/flow-test.XXXXXX")
	export TMP
}

common_teardown() {
	[ -n "${FLOW_KEEP_TMP:-}" ] && { echo "kept $TMP" >&3; return 0; }
	[ -n "${TMP:-}" ] && rm -rf "$TMP"
}

# stop_pids PID...: SIGTERM to each, SIGKILL to any still there after 5 s,
# then reap them: a teardown ends even when a program hangs
stop_pids() {
	local pid i
	[ $# -gt 0 ] || return 0
	kill "$@" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		for pid; do
			kill -0 "$pid" 2>/dev/null && { sleep 0.1; continue 2; }
		done
		break
	done
	kill -KILL "$@" 2>/dev/null || true
	for pid; do wait "$pid" 2>/dev/null || true; done
}

# no_sanitizer_reports FILE...: fail, showing it, when the log of a
# program run in the background (an agent, a processor) holds a report
# of AddressSanitizer or UndefinedBehaviorSanitizer
no_sanitizer_reports() {
	local f
	for f in "$@"; do
		[ -f "$f" ] || continue
		if grep -qE 'Sanitizer|runtime error' "$f"; then
			echo "$f:" >&2
			cat "$f" >&2
			return 1
		fi
	done
}

# assert_eq EXPECTED ACTUAL [WHAT]
assert_eq() {
	if [ "$1" != "$2" ]; then
		echo "${3:-value}: expected <$1>, got <$2>" >&2
		return 1
	fi
}

# assert_match REGEX STRING
assert_match() {
	if ! printf '%s\n' "$2" | grep -Eq -- "$1"; then
		echo "expected to match /$1/: <$2>" >&2
		return 1
	fi
}

# A valid event with the given id (and optional extra JSON members).
event() {
	printf '{"specversion":"1.0","id":"%s","source":"/test","type":"com.example.test"%s}\n' "$1" "${2:-}"
}

# wait_until SECONDS COMMAND...: run COMMAND every 10 ms until it succeeds;
# fail after SECONDS. Tests wait for a condition, never for a fixed time.
wait_until() {
	local limit=$(( $1 * 100 )) i=0
	shift
	until "$@"; do
		i=$((i + 1))
		[ "$i" -le "$limit" ] || return 1
		sleep 0.01
	done
}

# sanitized_build: true when the programs under test are built with
# AddressSanitizer (they are then several times slower): latency figures are
# only reported there, and load tests size themselves down
sanitized_build() {
	ldd "$(command -v flow-pub)" 2>/dev/null | grep -q libasan
}

# three_segments DIR: the file flow DIR with three segments of ten events
# each, ids e00-e09, e10-e19, e20-e29 (one segment per run of flow-pub)
three_segments() {
	local i n
	for i in 0 1 2; do
		for n in 0 1 2 3 4 5 6 7 8 9; do event "e$i$n"; done > "$TMP/ten"
		FLOW_FILE_SEGMENT_BYTES=1 flow-pub "$1" < "$TMP/ten"
	done
}

# Wait until FILE has at least N lines, at most SECONDS (default 5).
wait_lines() {
	local file=$1 n=$2 limit=$(( ${3:-5} * 100 )) i=0
	while [ "$(wc -l < "$file" 2>/dev/null || echo 0)" -lt "$n" ]; do
		i=$((i + 1))
		[ "$i" -le "$limit" ] || return 1
		sleep 0.01
	done
}

# write_slowly FLOW-DIR FIRST LAST: events eFIRST..eLAST into the file flow,
# 20 at a time with a pause between: a producer that goes on while a test
# stops and starts what reads
write_slowly() {
	local i=$2 n
	while [ "$i" -le "$3" ]; do
		for n in $(seq "$i" $(( i + 19 ))); do event "e$n"; done | flow-pub "$1"
		i=$(( i + 20 ))
		sleep 0.02
	done
}
