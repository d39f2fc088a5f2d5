#!/bin/sh
# setup.sh demo|check|build — install what Debian 12 lacks, build, then run the demo or every test.
set -eu
cd "$(dirname "$0")"
start=$(date +%s)
# step WHAT: a heading, with the seconds since the start: a slow run says where
step() { echo "== $* ($(( $(date +%s) - start )) s)"; }

# Everything the build, the tests and the demos use, all from Debian.
PACKAGES="build-essential autoconf automake pkg-config
	libssl-dev librdkafka-dev libsodium-dev libyaml-dev libcurl4-openssl-dev
	bats jq kcat bind9 bind9-dnsutils ucspi-tcp s6 openssl mandoc time
	openbsd-inetd systemd
	clang libclang-rt-14-dev
	python3-kafka nodejs prometheus
	libmicrohttpd-dev chromium"
# Debian's nodejs comes without npm (NodeSource's has it)
command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES npm"

usage() { echo "usage: ./setup.sh demo|check|build" >&2; exit 64; }
[ $# -eq 1 ] || usage
case $1 in demo|check|build) ;; *) usage ;; esac

missing=
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	sudo=; [ "$(id -u)" -eq 0 ] || sudo=sudo
	echo "setup: installing:$missing"
	$sudo apt-get update
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends $missing
fi

[ -x configure ] && [ configure -nt configure.ac ] || autoreconf -fi

# builddir [configure args...]: configure (once) and build out of the tree
build() {
	dir=$1
	shift
	mkdir -p "$dir"
	[ -f "$dir/Makefile" ] || (cd "$dir" && ../configure -q "$@")
	make -C "$dir" -s -j"$(nproc)"
}

summary() {
	# one closing line for humans and CI, counting single bats tests and
	# unit cases (both TAP): "N passed, N failed"
	cat "$@" | awk '/^ok .*# skip/{s++; next} /^ok /{p++} /^not ok /{f++}
		END{printf "%d passed, %d failed, %d skipped\n", p, f, s}'
}

# bounded COMMAND...: COMMAND and all it started, killed after 20 minutes
# (each takes 1 to 3 here): a hang is a failure that says where, not a CI run
# that never ends
bounded() {
	timeout -k 30 1200 "$@" || { rc=$?; [ $rc -ne 124 ] || echo "setup: timed out: $*"; return $rc; }
}

# check DIR: the whole suite on one build; its log on failure, and the log
# so far of a suite that never finished
check() {
	if ! bounded make -C "$1" -j"$(nproc)" check >"$1/check.out" 2>&1; then
		cat "$1/check.out"
		find "$1/tests" -name '*.log' -exec grep -l -E '^not ok|Sanitizer|runtime error' {} + |
			xargs -r cat
		for log in "$1"/tests/bats/*.log "$1"/tests/unit/*.log; do
			[ -f "$log" ] || continue  # no such log: the pattern itself
			[ -f "${log%.log}.trs" ] || { echo "== $log (unfinished)"; cat "$log"; }
		done
		return 1
	fi
	# a line a suite; the unit tests' passing cases (hundreds) are in the summary
	grep -E '^(PASS|FAIL|ERROR|SKIP|XFAIL|XPASS): ' "$1/check.out" | grep -v '^PASS: tests/unit/' || true
}

# dist_complete TARBALL: every file git tracks is in it (.gitignore aside)
dist_complete() {
	[ -d .git ] || return 0
	git ls-files | grep -v '^\.gitignore$' | LC_ALL=C sort >_build/tracked.txt
	tar -tzf "$1" | sed 's|^[^/]*/||' | LC_ALL=C sort >_build/distributed.txt
	missing=$(LC_ALL=C comm -13 _build/distributed.txt _build/tracked.txt)
	[ -z "$missing" ] && return 0
	echo "distcheck: not in $1:" $missing
	return 1
}

# the CloudEvents SDK for JavaScript and kafkajs, pinned by tests/node/package-lock.json,
# for tests/bats/0023 (npm ci leaves node_modules/.package-lock.json behind)
if [ "$1" != demo ] && ! [ tests/node/node_modules/.package-lock.json -nt tests/node/package-lock.json ]; then
	step "npm ci in tests/node"
	(cd tests/node && npm ci --no-audit --no-fund)
fi

build _build
# every program's directory, for the demo's PATH
bins=$(for d in "$(pwd)"/_build/cmd/*/; do printf '%s:' "${d%/}"; done)
case $1 in
build) ;;
demo)
	PATH="$bins$PATH" \
		exec examples/pipelines/two-orgs.sh ;;
check)
	status=0
	step "make check"
	check _build || status=1
	step "make check, built with AddressSanitizer and UndefinedBehaviorSanitizer"
	build _build-asan CFLAGS="-g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=address,undefined"
	ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 check _build-asan || status=1
	# the README's first command: the suites set their own PATH, so only
	# this run sees what the demo's PATH lacks
	step "./setup.sh demo"
	if bounded ./setup.sh demo >_build/demo.out 2>&1 && [ "$(tail -n 1 _build/demo.out)" = "== done" ]; then
		echo "demo: ok"
	else
		tail -n 40 _build/demo.out
		status=1
	fi
	step "fuzzing, a minute a target (tests/fuzz/README)"
	FUZZ_DIR=$(pwd)/_build/fuzz tests/fuzz/run.sh all 60 || status=1
	step "flow-bridge soak on the Kafka mock cluster, brokers going down and up (tests/soak/bridge.sh)"
	bounded env FLOW_BUILDDIR=_build tests/soak/bridge.sh 90 || status=1
	# The suites ran above: distcheck proves that the tarball builds, installs
	# and runs (the unit tests and three suites), and the tarball is checked
	# to hold every file git tracks, so that no test's fixture is left out.
	step "make distcheck"
	if bounded make -C _build distcheck \
		'TESTS=$(filter tests/unit/% tests/bats/0001-docs.bats tests/bats/0010-flow-pub.bats tests/bats/0030-flow-filter.bats,$(SUITES))' \
		>_build/distcheck.out 2>&1 && dist_complete _build/flow-*.tar.gz; then
		echo "distcheck: ok"
	else
		tail -n 100 _build/distcheck.out
		find _build/flow-*/_build -name '*.log' -exec grep -l '^not ok' {} + 2>/dev/null | xargs -r cat
		status=1
	fi
	step "done"
	summary _build/tests/bats/*.log _build/tests/unit/*.log \
		_build-asan/tests/bats/*.log _build-asan/tests/unit/*.log
	exit $status ;;
esac
