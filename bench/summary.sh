#!/usr/bin/env bash
# bench/summary.sh: run every benchmark of bench/ and print one table
# (program, figure, peer, ratio, target), so that the performance targets,
# each a ratio to a peer measured in the same run, can be checked with one
# command. Set FLOW_BUILDDIR to the build directory.
set -u
here=$(cd "$(dirname "$0")" && pwd)
BENCH_SUMMARY=$(mktemp)
export BENCH_SUMMARY
trap 'rm -f "$BENCH_SUMMARY"' EXIT

status=0
for b in "$here"/*.sh; do
	case $(basename "$b") in common.sh|summary.sh) continue ;; esac
	echo "== $(basename "$b")" >&2
	"$b" >&2 || { echo "bench/summary.sh: $(basename "$b") failed" >&2; status=1; }
done
echo
{
	printf 'program\tfigure\tpeer\tratio\ttarget\n'
	cat "$BENCH_SUMMARY"
} | awk -F '\t' '{ for (i = 1; i <= NF; i++) { cell[NR, i] = $i; if (length($i) > w[i]) w[i] = length($i) } n = NR }
	END { for (r = 1; r <= n; r++) { for (i = 1; i <= 5; i++) printf "%-*s  ", w[i], cell[r, i]; printf "\n" } }'
exit $status
