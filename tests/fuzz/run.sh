#!/bin/sh
# tests/fuzz/run.sh TARGET|all [SECONDS]: build a libFuzzer target with
# AddressSanitizer and UndefinedBehaviorSanitizer (clang) and run it from its
# seed corpus (and TARGET.dict, when there is one) for SECONDS (default 60).
# Any crash, leak or sanitizer report fails, and leaves its input in
# $FUZZ_DIR (default /tmp/flow-fuzz).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
lib=$here/../../lib/common
agent=$here/../../lib/agent
out=${FUZZ_DIR:-/tmp/flow-fuzz}
secs=${2:-60}

sources() {
	case $1 in
	ce) echo "$lib/ce.c $lib/json.c $lib/bytescan.c $lib/rfc3339.c $lib/util.c -lsodium" ;;
	json) echo "$lib/json.c $lib/bytescan.c" ;;
	cesql) echo "$lib/cesql_lex.c $lib/cesql_parse.c $lib/cesql_eval.c $lib/cesql_func.c" \
		"$lib/cesql_event.c $lib/ce.c $lib/json.c $lib/bytescan.c" \
		"$lib/rfc3339.c $lib/util.c -lsodium" ;;
	kafka) echo "$lib/kafka_record.c $lib/ce.c $lib/json.c $lib/bytescan.c $lib/rfc3339.c $lib/util.c -lrdkafka -lsodium" ;;
	# DNS answers name broker kinds, whose rows (brokers.h) open them: all
	# of lib/common, so that a new module needs no change here; the agent's
	# session reaches most modules (brokers, DNS update, TLS): lib/agent too;
	# both linked with the libraries themselves rather than with the
	# forwarders to the modules that load them (lazy_*.c)
	dns) echo $(ls "$lib"/*.c | grep -v '/lazy_') "-lrdkafka -lcurl -lssl -lcrypto -lsodium -lresolv -lpthread" ;;
	fnap) echo $(ls "$lib"/*.c "$agent"/*.c | grep -v '/lazy_') "-I$agent -lrdkafka -lcurl -lssl -lcrypto -lsodium -lresolv -lpthread" ;;
	verify) echo "$lib/provenance.c $lib/dsse.c $lib/cedigest.c $lib/sigkey.c $lib/flowkey.c $lib/keyid.c" \
		"$lib/dnsquery.c $lib/dnsname.c $lib/ce.c $lib/json.c $lib/bytescan.c $lib/rfc3339.c $lib/util.c" \
		"-lssl -lcrypto -lsodium -lresolv -lpthread" ;;
	httpd) echo "$here/../../lib/httpd/httpd_conf.c $here/../../lib/httpd/httpd_event.c" \
		"$lib/dsse.c $lib/ce.c $lib/json.c $lib/bytescan.c $lib/rfc3339.c $lib/util.c" \
		"-I$here/../../lib/httpd -lssl -lcrypto -lsodium" ;;
	*) echo "fuzz: no target $1 (ce, json, cesql, kafka, dns, fnap, verify, httpd)" >&2; exit 64 ;;
	esac
}

# run TARGET [SECONDS]: SECONDS, or those of the command line
run() {
	limit=${2:-$secs}
	mkdir -p "$out/$1"
	# what configure would have put in config.h
	printf '#define _GNU_SOURCE 1\n#define MODULEDIR "/nonexistent"\n' > "$out/config.h"
	# shellcheck disable=SC2046
	clang -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-I"$out" -I"$lib" -DFLOW_VERSION='"fuzz"' "$here/$1-fuzz.c" $(sources "$1") -o "$out/$1-fuzz"
	echo "fuzz: $1 for $limit s"
	status=0
	dict=
	[ ! -f "$here/$1.dict" ] || dict=-dict=$here/$1.dict
	(cd "$out/$1" && "$out/$1-fuzz" -max_total_time="$limit" -max_len=4096 -print_final_stats=1 \
		$dict . "$here/corpus/$1" > "$out/$1.log" 2>&1) || status=$?
	grep -E '(DONE|stat::number_of_executed_units|==ERROR|SUMMARY|Test unit written)' "$out/$1.log" || true
	if [ "$status" -ne 0 ]; then
		tail -n 40 "$out/$1.log"
		echo "fuzz: $1 FAILED (exit $status)" >&2
		return 1
	fi
}

case ${1:-} in
all)
	failed=0
	# ce and json try the same scanner: they share one target's time, so
	# that "all" takes as long as it did before json came
	run ce $((secs / 2)) || failed=1
	run json $((secs - secs / 2)) || failed=1
	for t in cesql kafka dns fnap verify httpd; do run $t || failed=1; done
	exit $failed ;;
"") echo "usage: tests/fuzz/run.sh TARGET|all [SECONDS]" >&2; exit 64 ;;
*) run "$1" ;;
esac
