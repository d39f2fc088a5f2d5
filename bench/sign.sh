#!/usr/bin/env bash
# bench/sign.sh [EVENTS]: flow-sign and flow-verify events/s for both key
# types, on one thread (-j 1) and on all processors, beside the bare
# signature primitive's rate on one core (bench/sign-rate: OpenSSL or
# libsodium alone, same run), as a ratio; and peak RSS on a tenth of the
# events and on all of them. Targets: one thread >= 0.85 of the primitive;
# all processors faster than one when there are more; RSS flat, < 64 MB.
#
# One thread is measured in processor seconds (user and system), as the
# primitive is: on a shared machine other processes stretch the elapsed
# time of both, each by its own amount, but not the processor time they
# use. All processors can only be measured in elapsed time: their row
# gives the speed-up over -j 1's elapsed time, which a busy machine hides
# (its processor seconds over its elapsed ones say how many processors it
# kept busy).
# Each figure is the best of BENCH_REPS rounds (default 3), the tool and
# its primitive alternating. Signing costs a public-key operation per
# event: 1M events take minutes on a loaded machine; give a smaller EVENTS
# there (the rates do not change).
set -eu
. "$(dirname "$0")/common.sh"
n=${1:-1000000}
rounds=${BENCH_REPS:-3}
in=$(events "$n")
keys=$work/sign-keys
mkdir -p "$keys"
[ -s "$keys/p256.pem" ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$keys/p256.pem" 2>/dev/null
[ -s "$keys/ed.pem" ] || openssl genpkey -algorithm ed25519 -out "$keys/ed.pem" 2>/dev/null
rater=$build/bench/sign-rate
cpus=$(nproc)

# timed CMD: run CMD under sh; elapsed and processor seconds, peak RSS
timed() {
	local out
	sync; sleep 1  # a run does not pay for the previous one's writeback
	out=$( { /usr/bin/time -f '%e %U %S %M' sh -c "$1" >/dev/null; } 2>&1 | tail -n 1)
	read -r secs user sys rss <<<"$out"
	cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a ? b : a) }'; }
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b > a ? b : a) }'; }

row() { printf '%-28s %8s %8s %10s %7s %8s %9s\n' "$@"; }
row command elapsed cpu events/s ratio speedup peak-KB
for k in p256 ed; do
	flow-sign -k "$keys/$k.pem" -i k < "$in" > "$work/signed-$k"
	for op in sign verify; do
		if [ "$op" = sign ]; then src=$in; cmd="flow-sign -k '$keys/$k.pem' -i k"
		else src=$work/signed-$k; cmd="flow-verify -k '$keys/$k.pem' -i k"; fi
		prim='' cpu1='' el1='' rss1=0 eln='' cpun='' rssn=0
		for _ in $(seq "$rounds"); do
			prim=$(max "$prim" "$("$rater" "$keys/$k.pem" "$op" $((n < 50000 ? n : 50000)))")
			timed "$cmd -j 1 < '$src'"
			cpu1=$(min "$cpu1" "$cpu"); el1=$(min "$el1" "$secs"); rss1=$(max "$rss1" "$rss")
			timed "$cmd -j $cpus < '$src'"
			eln=$(min "$eln" "$secs"); cpun=$(min "$cpun" "$cpu"); rssn=$(max "$rssn" "$rss")
		done
		r1=$(rate "$n" "$cpu1")
		rn=$(rate "$n" "$eln")
		row "$k $op: bare primitive" - - "$prim" 1.00 - -
		row "flow-$op $k -j 1" "$el1" "$cpu1" "$r1" "$(ratio "$r1" "$prim")" 1.00 "$rss1"
		row "flow-$op $k -j $cpus" "$eln" "$cpun" "$rn" - "$(ratio "$el1" "$eln")" "$rssn"
		summary_row "flow-$op $k -j 1" "$r1 ev/s (cpu)" "primitive $prim" "$(ratio "$r1" "$prim")" ">= 0.85"
		[ "$cpus" = 1 ] || summary_row "flow-$op $k -j $cpus" "$rn ev/s" "flow-$op -j 1, elapsed" \
		    "$(ratio "$el1" "$eln")" "> 1"
	done
done
head -n $((n / 10)) "$work/signed-ed" > "$work/signed-tenth"
timed "flow-verify -k '$keys/ed.pem' -i k < '$work/signed-tenth'"
row "flow-verify ed, a tenth" "$secs" "$cpu" - - - "$rss"
