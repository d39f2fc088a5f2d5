#!/usr/bin/env bash
# bench/http.sh [EVENTS]: events a second over HTTP, against the same events
# through flow-pub file://, BENCH_REPS rounds (default 5) alternating them;
# best and median. flow-httpd runs under tcpserver on loopback, a file://
# flow behind it, each of its processes under time(1) for its peak RSS.
#  (a) into flow-httpd: bench/http-post POSTs the events as batches of 100
#      (application/cloudevents-batch+json) one after the other over ONE
#      keep-alive connection. A small libcurl client (one easy handle
#      reused) rather than curl(1): curl would need the batches cut into
#      files beforehand and a --next section per batch, and checks no
#      answer; http-post checks each is 202 {"stored":100} and says how many
#      connections it opened (1).
#  (b) out through an https:// destination: flow-pub --batch 100 --cacert
#      into flow-httpd with TLS (a throw-away CA), up to 4 requests in
#      flight as flow-pub sends them; and without --batch, an event a
#      request, on HTTP_BENCH_SINGLE events (default 10000, at most EVENTS):
#      its rate is put beside file://'s.
# Every event is counted in the flow after each run. No target in the issue
# but flow-httpd's peak RSS < 16 MB: the ratios are reported.
# HTTP_BENCH_KEEP: keep the work directory.
set -eu
. "$(dirname "$0")/common.sh"
n=${1:-1000000}
single=${HTTP_BENCH_SINGLE:-10000}
[ "$single" -le "$n" ] || single=$n
in=$(events "$n")
in_single=$(events "$single")
poster=$build/bench/http-post
run=$(mktemp -d "$work/http.XXXXXX")
servers=
trap 'for p in $servers; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; [ -n "${HTTP_BENCH_KEEP:-}" ] || rm -rf "$run"' EXIT

# serve NAME CONF: flow-httpd -f CONF under tcpserver on a free loopback
# port (it binds port 0 and says which on stdout), the port in $NAME; each
# process's peak RSS (KB) a line of $run/NAME.rss, tcpserver's account of
# connections begun ("pid") and ended ("end") in $run/NAME.log
serve() {
	local i
	tcpserver -1 -v -R -H -l 0 -c 20 127.0.0.1 0 \
		/usr/bin/time -a -o "$run/$1.rss" -f %M flow-httpd -f "$2" > "$run/$1.port" 2> "$run/$1.log" &
	servers="$servers $!"
	for i in $(seq 1 500); do
		[ -s "$run/$1.port" ] && break
		sleep 0.01
	done
	[ -s "$run/$1.port" ] || { echo "http.sh: tcpserver did not start" >&2; exit 1; }
	printf -v "$1" '%s' "$(cat "$run/$1.port")"
}

# peak_rss NAME: the largest RSS of NAME's flow-httpd processes, once every
# connection has ended (time(1) writes when its process is gone)
peak_rss() {
	for _ in $(seq 1 500); do
		[ "$(grep -c '^tcpserver: end' "$run/$1.log")" -lt "$(grep -c '^tcpserver: pid' "$run/$1.log")" ] || break
		sleep 0.01
	done
	awk '$1 ~ /^[0-9]+$/ && $1 > m { m = $1 } END { print m + 0 }' "$run/$1.rss"
}

# counted FLOW-DIR N WHAT: the flow holds N events, else the run is void
counted() {
	local got
	got=$(flow-sub -o beginning -e "file://$1" | wc -l)
	[ "$got" -eq "$2" ] || { echo "http.sh: $3: $got of $2 events in the flow" >&2; exit 1; }
	rm -rf "$1"
}

tls_files "$run"

flows=$run/flows
printf 'flow arrivals file://%s/arrivals\npublic write\n' "$flows" > "$run/http.conf"
printf 'tls-certificate %s\ntls-key %s\n' "$run/cert.pem" "$run/key.pem" | cat "$run/http.conf" - > "$run/https.conf"
serve plain "$run/http.conf"
serve tls "$run/https.conf"

for r in $(seq "$reps"); do
	measure "flow-pub 'file://$flows/arrivals' < '$in'"; keep file
	counted "$flows/arrivals" "$n" "flow-pub file://"
	measure "'$poster' 'http://127.0.0.1:$plain/arrivals' 100 < '$in' > '$run/posted'"; keep post
	[ "$(cat "$run/posted")" = "$n events, $(( (n + 99) / 100 )) requests, 1 connections" ] ||
		{ echo "http.sh: http-post: $(cat "$run/posted")" >&2; exit 1; }
	counted "$flows/arrivals" "$n" "http-post"
	measure "flow-pub --batch 100 --cacert '$run/ca.pem' 'https://127.0.0.1:$tls/arrivals' < '$in'"; keep https
	counted "$flows/arrivals" "$n" "flow-pub https:// --batch 100"
	measure "flow-pub --cacert '$run/ca.pem' 'https://127.0.0.1:$tls/arrivals' < '$in_single'"; keep single
	counted "$flows/arrivals" "$single" "flow-pub https://"
	echo "round $r done" >&2
done
plain_rss=$(peak_rss plain)
tls_rss=$(peak_rss tls)
tls_connections=$(grep -c '^tcpserver: pid' "$run/tls.log")

# per_event KEY COUNT: the best time of KEY scaled to $n events, so that
# runs on $single events compare with the others
per_event() { awk -v t="$(best "$1")" -v c="$2" -v n="$n" 'BEGIN { printf "%.3f", t * n / c }'; }
printf '%-52s %8s %8s %10s %9s %12s\n' "command (of $reps rounds)" best median events/s peak-KB "vs file://"
row() {
	local m="rss_$1"
	printf '%-52s %8s %8s %10s %9s %12s\n' "$2" "$(best "$1")" "$(median "$1")" \
		"$(rate "$3" "$(best "$1")")" "${!m}" "$4"
}
row file "flow-pub file:// ($n events, peer)" "$n" 1.00
row post "http-post: flow-httpd, batches of 100, 1 connection" "$n" "$(ratios post file)x"
row https "flow-pub https:// --batch 100 (flow-httpd, TLS)" "$n" "$(ratios https file)x"
row single "flow-pub https://, an event a request ($single)" "$single" \
	"$(ratio "$(per_event single "$single")" "$(best file)")x"
echo
echo "flow-httpd peak RSS: $plain_rss KB over plain HTTP, $tls_rss KB over TLS" \
	"($tls_connections connections of flow-pub over $reps rounds; target < 16384)"
summary_row "flow-httpd (POST batches of 100)" "$(rate "$n" "$(best post)") ev/s" \
	"flow-pub file:// $(rate "$n" "$(best file)") ev/s" "$(ratios post file)x time" report
summary_row "flow-pub (https:// --batch 100)" "$(rate "$n" "$(best https)") ev/s, $rss_https KB" \
	"flow-pub file:// $(rate "$n" "$(best file)") ev/s" "$(ratios https file)x time" report
summary_row "flow-pub (https://, per event)" "$(rate "$single" "$(best single)") ev/s" \
	"flow-pub file:// $(rate "$n" "$(best file)") ev/s" \
	"$(ratio "$(per_event single "$single")" "$(best file)")x time" report
summary_row "flow-httpd (RSS)" "$plain_rss KB plain, $tls_rss KB TLS" - - "< 16 MB"
