# Sourced by the bench/ scripts: the built programs on PATH, a work directory,
# a cached event file, and timing with peak RSS.
top=$(cd "$(dirname "$0")/.." && pwd)
build=${FLOW_BUILDDIR:-$top}
for d in "$build"/cmd/*/; do PATH="$d:$PATH"; done
PATH="$top/tests/helpers:$PATH"
export PATH

work=${BENCH_DIR:-${TMPDIR:-/tmp}/flow-bench}
mkdir -p "$work"

# events N: the path of a file of N generated events (made once)
events() {
	[ -s "$work/events-$1" ] || gen-events "$1" > "$work/events-$1"
	echo "$work/events-$1"
}

# measure NAME CMD...: run CMD under sh, print "seconds peak-KB" to the result variable
measure() {
	local out
	sync; sleep 1  # a run does not pay for the previous one's writeback
	out=$( { /usr/bin/time -f '%e %M' sh -c "$1" >/dev/null; } 2>&1 | tail -n 1)
	secs=${out% *}
	rss=${out#* }
}

# keep KEY: add the time just measured to KEY's rounds (and its RSS, the
# largest kept); best KEY, median KEY: the shortest and the median time.
# The scripts alternate a tool and its peer round by round, so that a slow
# spell of the machine does not fall on one side only.
keep() {
	local t="times_$1" m="rss_$1"
	printf -v "$t" '%s %s' "${!t:-}" "$secs"
	[ "${!m:-0}" -ge "$rss" ] || printf -v "$m" %s "$rss"
}
best() { local t="times_$1"; printf '%s\n' ${!t} | sort -g | head -n 1; }
median() {
	local t="times_$1"
	printf '%s\n' ${!t} | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
# ratios A B: "best (median)" of A's time over B's
ratios() { echo "$(ratio "$(best "$1")" "$(best "$2")") ($(ratio "$(median "$1")" "$(median "$2")"))"; }
reps=${BENCH_REPS:-5}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }

# summary_row PROGRAM FIGURE PEER RATIO TARGET: one row for bench/summary.sh
# (appended to $BENCH_SUMMARY when it is set)
summary_row() {
	[ -z "${BENCH_SUMMARY:-}" ] || printf '%s\t%s\t%s\t%s\t%s\n' "$@" >> "$BENCH_SUMMARY"
}

# tls_files DIR: a throw-away CA (DIR/ca.pem) and a certificate for
# localhost and 127.0.0.1 signed by it (DIR/cert.pem, DIR/key.pem)
tls_files() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=bench-ca \
		-keyout "$1/ca.key" -out "$1/ca.pem" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj /CN=localhost \
		-keyout "$1/key.pem" -out "$1/cert.csr" 2>/dev/null
	echo 'subjectAltName=DNS:localhost,IP:127.0.0.1' > "$1/ext"
	openssl x509 -req -in "$1/cert.csr" -CA "$1/ca.pem" -CAkey "$1/ca.key" -CAcreateserial \
		-days 1 -extfile "$1/ext" -out "$1/cert.pem" 2>/dev/null
}
