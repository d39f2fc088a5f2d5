#!/bin/sh
# setup.sh demo|check|build — install what Debian 12 lacks, build, then run the demo or every test.
set -eu
cd "$(dirname "$0")"

# Everything the build, the tests and the demos use, all from Debian.
PACKAGES="build-essential autoconf automake pkg-config
	libssl-dev librdkafka-dev libsodium-dev libyaml-dev
	bats jq kcat bind9 bind9-dnsutils ucspi-tcp s6 openssl mandoc
	clang libclang-rt-14-dev"

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
[ -f Makefile ] || ./configure
make -j"$(nproc)"

summary() {
	# one closing line for humans and CI, counting single bats tests: "N passed, N failed"
	cat tests/bats/*.log | awk '/^ok .*# skip/{s++; next} /^ok /{p++} /^not ok /{f++}
		END{printf "%d passed, %d failed, %d skipped\n", p, f, s}'
}

case $1 in
demo)
	PATH="$(pwd)/cmd/flow-pub:$(pwd)/cmd/flow-sub:$(pwd)/cmd/flow-filter:$(pwd)/cmd/flow-resolve:$PATH" \
		exec examples/pipelines/quickstart.sh ;;
check)
	make -j"$(nproc)" check >check.log 2>&1 || { cat check.log; cat test-suite.log 2>/dev/null; summary; exit 1; }
	grep -E '^(PASS|FAIL|ERROR|SKIP|XFAIL|XPASS|# )' check.log
	make distcheck >distcheck.log 2>&1 || { tail -n 200 distcheck.log; find flow-*/_build -name '*.log' -exec cat {} + 2>/dev/null | tail -n 300; exit 1; }
	echo "distcheck: ok ($(ls flow-*.tar.gz))"
	summary ;;
esac
