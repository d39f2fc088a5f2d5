#!/usr/bin/env bash
# bench/file.sh [EVENTS]: flow-pub and flow-sub on the file broker against cat
# through a pipe, same events, same run. Target: >= 1M events/s each way, RSS < 64 MB.
set -eu
. "$(dirname "$0")/common.sh"
n=${1:-1000000}
in=$(events "$n")
flow="$work/file-flow"
rm -rf "$flow" "$work/copy"

printf '%-34s %8s %12s %9s %10s\n' command seconds events/s peak-KB "vs peer"
row() { printf '%-34s %8s %12s %9s %10s\n' "$1" "$2" "$(rate "$n" "$2")" "$3" "$4"; }

measure "cat '$in' | cat"
cat_pipe=$secs; row "cat | cat (peer)" "$secs" "$rss" 1.00
# the peer of an appender: through a pipe into a file (a plain "cat > file"
# copies inside the kernel, which no program that reads its input can)
measure "cat '$in' | cat > '$work/copy'"
cat_file=$secs; row "cat | cat > file (peer)" "$secs" "$rss" 1.00
rm -f "$work/copy"  # freeing its blocks (discard) must not land on the next run
measure "cat '$in' | flow-pub '$flow'"
row "cat | flow-pub" "$secs" "$rss" "$(ratio "$secs" "$cat_file")x"
summary_row "flow-pub (file)" "$(rate "$n" "$secs") ev/s, $rss KB" "cat | cat > file $(rate "$n" "$cat_file") ev/s" \
	"$(ratio "$secs" "$cat_file")x time" ">= 1M ev/s, < 64 MB"
measure "flow-sub -o beginning -e '$flow' | cat"
row "flow-sub -o beginning -e | cat" "$secs" "$rss" "$(ratio "$secs" "$cat_pipe")x"
summary_row "flow-sub (file)" "$(rate "$n" "$secs") ev/s, $rss KB" "cat | cat $(rate "$n" "$cat_pipe") ev/s" \
	"$(ratio "$secs" "$cat_pipe")x time" ">= 1M ev/s, < 64 MB"
measure "flow-sub -o $((n - 10)) -e '$flow'"
row "flow-sub -o N (index seek)" "$secs" "$rss" -
rm -rf "$flow" "$work/copy"
