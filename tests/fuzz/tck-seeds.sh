#!/bin/sh
# tests/fuzz/tck-seeds.sh OUTDIR [TCK-DIR]: write the expressions of the
# CESQL TCK (default: $FLOW_CONFORMANCE/cesql-tck) as files OUTDIR/tck-NNN,
# candidates for the seed corpus (README: merge them into corpus/cesql).
# The TCK's YAML holds expressions as plain or double-quoted scalars; this
# reads those two forms, which is all seeds need.
set -eu
out=${1:?usage: tck-seeds.sh OUTDIR [TCK-DIR]}
dir=${2:-${FLOW_CONFORMANCE:?set FLOW_CONFORMANCE or name the TCK directory}/cesql-tck}
mkdir -p "$out"
grep -h '^ *expression:' "$dir"/*.yaml | sed 's/^ *expression: *//' | sort -u | awk -v out="$out" '
{
	e = $0
	if (e ~ /^".*"$/) {
		# a double-quoted scalar: \x stands for x (\n, \t for themselves)
		s = substr(e, 2, length(e) - 2); e = ""
		for (i = 1; i <= length(s); i++) {
			c = substr(s, i, 1)
			if (c == "\\" && i < length(s)) {
				c = substr(s, ++i, 1)
				c = c == "n" ? "\n" : c == "t" ? "\t" : c
			}
			e = e c
		}
	}
	f = sprintf("%s/tck-%03d", out, NR)
	printf "%s", e > f
	close(f)
}'
echo "$(ls "$out"/tck-* | wc -l) seeds in $out"
