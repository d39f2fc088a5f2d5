#!/usr/bin/env bash
# bench/sign.sh [EVENTS]: flow-sign and flow-verify events/s for both key
# types, on one thread (-j 1) and on all processors, beside the bare
# signature primitive's rate on one core (bench/sign-rate: OpenSSL or
# libsodium alone, same run), as a ratio; and peak RSS on a tenth of the
# events and on all of them. Targets: one thread >= 0.85 of the primitive;
# all processors faster than one when there are more; RSS flat, < 64 MB.
# Signing costs a public-key operation per event: 1M events take minutes on
# a loaded machine; give a smaller EVENTS there (the rates do not change).
set -eu
. "$(dirname "$0")/common.sh"
n=${1:-1000000}
in=$(events "$n")
tenth=$(events $((n / 10)))
keys=$work/sign-keys
mkdir -p "$keys"
[ -s "$keys/p256.pem" ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$keys/p256.pem" 2>/dev/null
[ -s "$keys/ed.pem" ] || openssl genpkey -algorithm ed25519 -out "$keys/ed.pem" 2>/dev/null
rater=$build/bench/sign-rate
cpus=$(nproc)

row() { printf '%-36s %8s %10s %8s %9s\n' "$@"; }
row command seconds events/s ratio peak-KB
for k in p256 ed; do
	flow-sign -k "$keys/$k.pem" -i k < "$in" > "$work/signed-$k"
	for op in sign verify; do
		prim=$("$rater" "$keys/$k.pem" "$op" $((n < 50000 ? n : 50000)))
		row "$k $op: bare primitive" - "$prim" 1.00 -
		if [ "$op" = sign ]; then src=$in; cmd="flow-sign -k '$keys/$k.pem' -i k"
		else src=$work/signed-$k; cmd="flow-verify -k '$keys/$k.pem' -i k"; fi
		for j in 1 "$cpus"; do
			measure "$cmd -j $j < '$src'"
			r=$(rate "$n" "$secs")
			row "flow-$op $k -j $j" "$secs" "$r" "$(ratio "$r" "$prim")" "$rss"
			[ "$j" != 1 ] || summary_row "flow-$op $k" "$r ev/s" "primitive $prim" "$(ratio "$r" "$prim")" ">= 0.85"
		done
	done
done
head -n $((n / 10)) "$work/signed-ed" > "$work/signed-tenth"
measure "flow-verify -k '$keys/ed.pem' -i k < '$work/signed-tenth'"
row "flow-verify ed, a tenth: RSS" "$secs" - - "$rss"
