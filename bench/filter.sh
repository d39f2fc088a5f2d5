#!/usr/bin/env bash
# bench/filter.sh [EVENTS]: flow-filter against jq with the same predicate
# (identical output required) and against cat through a pipe, same file,
# same run. Targets: >= 5x jq's rate, within 3x of cat, RSS flat.
set -eu
. "$(dirname "$0")/common.sh"
n=${1:-1000000}
in=$(events "$n")
expr="type = 'com.example.delay' AND source LIKE '/airport/gate/1%'"
jqexpr='select(.type == "com.example.delay" and (.source|startswith("/airport/gate/1")))'

printf '%-28s %8s %12s %9s\n' command seconds events/s peak-KB
measure "cat '$in' | cat"
cat_s=$secs
printf '%-28s %8s %12s %9s\n' "cat | cat" "$secs" "$(rate "$n" "$secs")" "$rss"
measure "cat '$in' | flow-filter \"$expr\" > '$work/filter.out'"
ff_s=$secs ff_rss=$rss
printf '%-28s %8s %12s %9s\n' "cat | flow-filter" "$secs" "$(rate "$n" "$secs")" "$rss"
measure "cat '$in' | jq -c '$jqexpr' > '$work/jq.out'"
jq_s=$secs
printf '%-28s %8s %12s %9s\n' "cat | jq -c select" "$secs" "$(rate "$n" "$secs")" "$rss"
if cmp -s "$work/filter.out" "$work/jq.out"; then
	echo "output: identical ($(wc -l < "$work/filter.out") events)"
else
	echo "output: DIFFERENT from jq" >&2
	exit 1
fi
echo "flow-filter vs jq: $(ratio "$jq_s" "$ff_s")x faster (target >= 5)"
echo "flow-filter vs cat: $(ratio "$ff_s" "$cat_s")x the time (target <= 3)"
summary_row "flow-filter" "$(rate "$n" "$ff_s") ev/s, $ff_rss KB" "jq $(rate "$n" "$jq_s") ev/s" \
	"$(ratio "$jq_s" "$ff_s")x faster" ">= 5x jq"
summary_row "flow-filter" "$(rate "$n" "$ff_s") ev/s" "cat | cat $(rate "$n" "$cat_s") ev/s" \
	"$(ratio "$ff_s" "$cat_s")x time" "<= 3x cat"
rm -f "$work/filter.out" "$work/jq.out"
