#!/usr/bin/env bash
# bench/file.sh [EVENTS]: flow-pub and flow-sub on the file broker against cat
# through a pipe, same events, same run, BENCH_REPS rounds (default 5)
# alternating them; best and median. Targets: flow-pub within 1.5x of
# cat | cat > file, RSS < 64 MB.
set -eu
. "$(dirname "$0")/common.sh"
n=${1:-1000000}
in=$(events "$n")
flow="$work/file-flow"

for r in $(seq "$reps"); do
	rm -rf "$flow" "$work/copy"
	measure "cat '$in' | cat"; keep pipe
	# the peer of an appender: through a pipe into a file (a plain "cat > file"
	# copies inside the kernel, which no program that reads its input can)
	measure "cat '$in' | cat > '$work/copy'"; keep copy
	rm -f "$work/copy"  # freeing its blocks (discard) must not land on the next run
	measure "cat '$in' | flow-pub '$flow'"; keep pub
	measure "flow-sub -o beginning -e '$flow' | cat"; keep sub
	measure "flow-sub -o $((n - 10)) -e '$flow'"; keep seek
	echo "round $r done" >&2
done
printf '%-34s %8s %8s %12s %9s %14s\n' "command (of $reps rounds)" best median events/s peak-KB "vs peer"
for k in "pipe:cat | cat (peer):pipe" "copy:cat | cat > file (peer):copy" "pub:cat | flow-pub:copy" \
    "sub:flow-sub -o beginning -e | cat:pipe" "seek:flow-sub -o N (index seek):"; do
	key=${k%%:*} rest=${k#*:}
	name=${rest%:*} peer=${rest##*:}
	m="rss_$key"
	printf '%-34s %8s %8s %12s %9s %14s\n' "$name" "$(best "$key")" "$(median "$key")" \
		"$(rate "$n" "$(best "$key")")" "${!m}" "${peer:+$(ratios "$key" "$peer")x}"
done
# flow-stat on the flow of n events: what it costs to tell of it
flow-sub -o beginning -e -c $((n / 2)) -g half "$flow" > /dev/null
stat_ms=
for r in $(seq "$reps"); do
	t0=$(date +%s%N)
	flow-stat "$flow" > /dev/null
	t=$(( ($(date +%s%N) - t0) / 1000 ))
	[ -n "$stat_ms" ] && [ "$t" -ge "$stat_ms" ] || stat_ms=$t
done
stat_ms=$(awk -v us="$stat_ms" 'BEGIN { printf "%.1f", us / 1000 }')
echo "flow-stat on $n events and a group half way: $stat_ms ms, best of $reps (target: milliseconds, whatever the size)"
summary_row "flow-pub (file)" "$(rate "$n" "$(best pub)") ev/s, $rss_pub KB" \
	"cat | cat > file $(rate "$n" "$(best copy)") ev/s" "$(ratios pub copy)x time" "<= 1.5x, < 64 MB"
summary_row "flow-sub (file)" "$(rate "$n" "$(best sub)") ev/s, $rss_sub KB" \
	"cat | cat $(rate "$n" "$(best pipe)") ev/s" "$(ratios sub pipe)x time" "< 64 MB"
summary_row "flow-stat (file)" "$stat_ms ms on $n events" - - "< 50 ms"
rm -rf "$flow" "$work/copy"
