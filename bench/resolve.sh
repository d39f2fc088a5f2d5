#!/bin/bash
# bench/resolve.sh [N] — N (default 1000) resolutions of one flow against a
# loopback BIND named: whole flow-resolve runs (PTR, SRV, TXT, SRV, TXT in one
# process) against dig doing the same five lookups in one process, and against
# dig asking one of them. Prints the time per run and the ratios (dig time /
# flow-resolve time: above 1, flow-resolve is cheaper).
#
# flow-resolve is taken from $FLOW_BUILDDIR/cmd/flow-resolve, else from PATH.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=../tests/bats/helpers/named.bash
. "$here/tests/bats/helpers/named.bash"
n=${1:-1000}
[ -z "${FLOW_BUILDDIR:-}" ] || PATH=$FLOW_BUILDDIR/cmd/flow-resolve:$PATH
command -v flow-resolve >/dev/null || { echo "resolve.sh: flow-resolve not found" >&2; exit 69; }

trap named_stop EXIT
named_start example.test
f=arrivals.flows.example.test
flow-resolve -s "127.0.0.1:$NAMED_PORT" --records add $f --agent fnaa.example.test:61000 \
	--agent-tls --broker-type kafka --broker kafka.example.test:9092 --public | named_update

dig_all() {
	dig @127.0.0.1 -p "$NAMED_PORT" +short $f PTR _flow._tcp.$f SRV _flow._tcp.$f TXT \
		_queue._flow._tcp.$f SRV _queue._flow._tcp.$f TXT
}
dig_one() {
	dig @127.0.0.1 -p "$NAMED_PORT" +short $f PTR
}

# The same answers, before timing them.
flow-resolve -u $f | grep -qx "kafka://kafka.example.test:9092/$f"
[ "$(dig_all | wc -l)" -eq 5 ]

# timed NAME COMMAND... — run COMMAND n times; print and return microseconds per run
timed() {
	local name=$1 i start us
	shift
	"$@" >/dev/null   # warm the caches
	start=$EPOCHREALTIME
	for ((i = 0; i < n; i++)); do
		"$@" >/dev/null
	done
	us=$(( (${EPOCHREALTIME/./} - ${start/./}) / n ))
	printf '%-34s %8d us/run\n' "$name" "$us" >&2
	echo "$us"
}

echo "resolve.sh: $n resolutions of $f on 127.0.0.1:$NAMED_PORT" >&2
fr=$(timed "flow-resolve (5 queries)" flow-resolve $f)
da=$(timed "dig, the same 5 queries" dig_all)
d1=$(timed "dig, 1 query" dig_one)
[ -z "${BENCH_SUMMARY:-}" ] || printf '%s\t%s\t%s\t%s\t%s\n' "flow-resolve" "$fr us/run" \
	"dig, 1 query: $d1 us" "$(awk -v a="$fr" -v b="$d1" 'BEGIN { printf "%.2fx time", a / b }')" \
	"< 1 dig process" >> "$BENCH_SUMMARY"
awk -v fr="$fr" -v da="$da" -v d1="$d1" 'BEGIN {
	printf "ratio dig(5 queries) / flow-resolve: %.1f\n", da / fr
	printf "ratio dig(1 query)   / flow-resolve: %.1f\n", d1 / fr
	if (d1 <= fr) { print "resolve.sh: a flow-resolve run costs more than one dig" > "/dev/stderr"; exit 1 }
}'
