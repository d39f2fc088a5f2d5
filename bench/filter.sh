#!/usr/bin/env bash
# bench/filter.sh [EVENTS]: flow-filter against jq with the same predicate
# (identical output required) and against cat through a pipe, same file,
# same run, BENCH_REPS rounds (default 5) alternating them; best and median.
# Then its peak RSS on a tenth of the events and on all of them.
# Targets: >= 20x jq's rate, within 1.5x of cat, RSS flat (and under 64 MB).
set -eu
. "$(dirname "$0")/common.sh"
n=${1:-1000000}
in=$(events "$n")
tenth=$(events $((n / 10)))
expr="type = 'com.example.delay' AND source LIKE '/airport/gate/1%'"
jqexpr='select(.type == "com.example.delay" and (.source|startswith("/airport/gate/1")))'

row() { printf '%-34s %8s %8s %12s %9s\n' "$@"; }
# every run reads the file from the page cache, not the disk
warm() { cat "$in" "$tenth" > /dev/null; }
for r in $(seq "$reps"); do
	warm
	measure "cat '$in' | cat"; keep cat
	measure "cat '$in' | flow-filter \"$expr\" > '$work/filter.out'"; keep ff
	# the floor: validating each line (ce_parse), then a test that never holds
	measure "cat '$in' | flow-filter --exact specversion=0 > /dev/null"; keep parse
	measure "cat '$in' | jq -c '$jqexpr' > '$work/jq.out'"; keep jq
	echo "round $r done" >&2
done
if cmp -s "$work/filter.out" "$work/jq.out"; then
	echo "output: identical ($(wc -l < "$work/filter.out") events)"
else
	echo "output: DIFFERENT from jq" >&2
	exit 1
fi
row "command (of $reps rounds)" best median events/s peak-KB
for k in "cat:cat | cat" "ff:cat | flow-filter" "parse:cat | flow-filter (parse only)" "jq:cat | jq -c select"; do
	m="rss_${k%%:*}"
	row "${k#*:}" "$(best "${k%%:*}")" "$(median "${k%%:*}")" "$(rate "$n" "$(best "${k%%:*}")")" "${!m}"
done
# memory of flow-filter alone (not cat's), on n/10 and n events
warm
measure "flow-filter \"$expr\" < '$tenth'"
rss_tenth=$rss
warm
measure "flow-filter \"$expr\" < '$in'"
rss_all=$rss
echo "flow-filter vs jq: $(ratios jq ff)x faster, best (median) (target >= 20)"
echo "flow-filter vs cat: $(ratios ff cat)x the time, best (median) (target <= 1.5)"
echo "flow-filter peak RSS: $rss_tenth KB on $((n / 10)) events, $rss_all KB on $n (target: flat, < 64 MB)"
summary_row "flow-filter" "$(rate "$n" "$(best ff)") ev/s, $rss_all KB" "jq $(rate "$n" "$(best jq)") ev/s" \
	"$(ratios jq ff)x faster" ">= 20x jq"
summary_row "flow-filter" "$(rate "$n" "$(best ff)") ev/s" "cat | cat $(rate "$n" "$(best cat)") ev/s" \
	"$(ratios ff cat)x time" "<= 1.5x cat"
rm -f "$work/filter.out" "$work/jq.out"
