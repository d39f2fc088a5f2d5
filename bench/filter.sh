#!/usr/bin/env bash
# bench/filter.sh [EVENTS]: flow-filter against jq with the same predicate
# (identical output required) and against cat through a pipe, same file,
# same run; and its peak RSS on a tenth of the events and on all of them.
# Targets: >= 5x jq's rate, within 3x of cat, RSS flat (and under 64 MB).
set -eu
. "$(dirname "$0")/common.sh"
n=${1:-1000000}
in=$(events "$n")
tenth=$(events $((n / 10)))
expr="type = 'com.example.delay' AND source LIKE '/airport/gate/1%'"
jqexpr='select(.type == "com.example.delay" and (.source|startswith("/airport/gate/1")))'

row() { printf '%-34s %8s %12s %9s\n' "$@"; }
# every run reads the file from the page cache, not the disk
warm() { cat "$in" "$tenth" > /dev/null; }
row command seconds events/s peak-KB
warm
measure "cat '$in' | cat"
cat_s=$secs
row "cat | cat" "$secs" "$(rate "$n" "$secs")" "$rss"
warm
measure "cat '$in' | flow-filter \"$expr\" > '$work/filter.out'"
ff_s=$secs
row "cat | flow-filter" "$secs" "$(rate "$n" "$secs")" "$rss"
# the floor: validating each line (ce_parse), then a test that never holds
warm
measure "cat '$in' | flow-filter --exact specversion=0 > /dev/null"
row "cat | flow-filter (parse only)" "$secs" "$(rate "$n" "$secs")" "$rss"
warm
measure "cat '$in' | jq -c '$jqexpr' > '$work/jq.out'"
jq_s=$secs
row "cat | jq -c select" "$secs" "$(rate "$n" "$secs")" "$rss"
if cmp -s "$work/filter.out" "$work/jq.out"; then
	echo "output: identical ($(wc -l < "$work/filter.out") events)"
else
	echo "output: DIFFERENT from jq" >&2
	exit 1
fi
# memory of flow-filter alone (not cat's), on n/10 and n events
warm
measure "flow-filter \"$expr\" < '$tenth'"
rss_tenth=$rss
warm
measure "flow-filter \"$expr\" < '$in'"
rss_all=$rss
echo "flow-filter vs jq: $(ratio "$jq_s" "$ff_s")x faster (target >= 5)"
echo "flow-filter vs cat: $(ratio "$ff_s" "$cat_s")x the time (target <= 3)"
echo "flow-filter peak RSS: $rss_tenth KB on $((n / 10)) events, $rss_all KB on $n (target: flat, < 64 MB)"
summary_row "flow-filter" "$(rate "$n" "$ff_s") ev/s, $rss_all KB" "jq $(rate "$n" "$jq_s") ev/s" \
	"$(ratio "$jq_s" "$ff_s")x faster" ">= 5x jq"
summary_row "flow-filter" "$(rate "$n" "$ff_s") ev/s" "cat | cat $(rate "$n" "$cat_s") ev/s" \
	"$(ratio "$ff_s" "$cat_s")x time" "<= 3x cat"
rm -f "$work/filter.out" "$work/jq.out"
