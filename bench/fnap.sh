#!/usr/bin/env bash
# bench/fnap.sh [EVENTS] [SESSIONS]: the agent, fnap-serve, under tcpserver on
# loopback, same run:
#  (a) sessions a second: parallel clients, each session a connection, the
#      greeting, AUTHENTICATE ANONYMOUS, DESCRIBE FLOW of a public flow and
#      QUIT, every reply waited for; the clients are perl loops (perl-base)
#      reading through a buffer: bash's read takes a socket a byte at a
#      time, a syscall per byte that the agent's side paid (its replies are
#      some 400 bytes, the peer's nothing) on the same two cores. The peer
#      is the floor of one process per connection on this host: tcpserver
#      starting /bin/true for the same clients; and fnap-serve -V, the
#      agent's start alone. Bursts are timed to the microsecond (bash's
#      EPOCHREALTIME), not by time(1)'s 10 ms.
#  (b) events a second through the agent: flow-sub -o beginning -e on
#      fnaps:// (STREAM in implicit TLS, a throw-away CA, FNAP_CA for the
#      client) and fnap:// against flow-sub on the flow's directory.
#  (c) the peak RSS of the agent's process during the fnaps:// STREAM.
# Targets: sessions/s >= 0.6 of the /bin/true floor (BENCH_REPS bursts of
# SESSIONS, default 200, alternating with the floor; best and median);
# fnaps:// within 1.1x the time of the file; the agent's RSS < 16 MB.
# FNAP_BENCH_CLIENTS: clients at once (8); FNAP_BENCH_KEEP: keep the work
# directory.
set -eu
. "$(dirname "$0")/common.sh"
n=${1:-1000000}
sessions=${2:-200}
clients=${FNAP_BENCH_CLIENTS:-8}
in=$(events "$n")
run=$(mktemp -d "$work/fnap.XXXXXX")
servers=
trap 'for p in $servers; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; [ -n "${FNAP_BENCH_KEEP:-}" ] || rm -rf "$run"' EXIT

# serve PORT-VARIABLE PROGRAM...: tcpserver on a free loopback port (it
# binds port 0 and says which it got) running PROGRAM
serve() {
	local var=$1 i
	shift
	# the agents' messages (an audit line a session) go to a log, not
	# between the table's rows; FNAP_BENCH_KEEP keeps it
	tcpserver -1 -q -R -H -l 0 -c 200 -b 200 127.0.0.1 0 "$@" > "$run/$var" 2>> "$run/servers.log" &
	servers="$servers $!"
	for i in $(seq 1 500); do
		[ -s "$run/$var" ] && break
		sleep 0.01
	done
	[ -s "$run/$var" ] || { echo "fnap.sh: tcpserver did not start" >&2; cat "$run/servers.log" >&2; exit 1; }
	printf -v "$var" '%s' "$(cat "$run/$var")"
}

# the agent: one user, a file namespace, a throw-away CA and certificate
echo bench | fnap-serve -p bench | sed 's/:$/:flows.bench.example/' > "$run/users"
mkdir "$run/flows"
cat > "$run/fnap.conf" <<CONF
hostname fnaa.bench.example
state $run/state
users $run/users
namespace flows.bench.example file $run/flows
CONF
tls_files "$run"
sed "\$a tls-certificate $run/cert.pem\ntls-key $run/key.pem" "$run/fnap.conf" > "$run/fnaps.conf"

serve plain fnap-serve -c "$run/fnap.conf"
# the TLS agent reports the peak RSS of each session's process
serve tls /usr/bin/time -a -o "$run/agent-rss" -f %M fnap-serve -T -c "$run/fnaps.conf"

# session PORT: send stdin, print the replies (the agent closes after QUIT)
session() {
	local line
	exec 3<>"/dev/tcp/127.0.0.1/$1"
	sed 's/$/\r/' >&3
	while IFS= read -r line <&3; do printf '%s\n' "${line%$'\r'}"; done
	exec 3<&-
}
flow=arrivals.flows.bench.example
printf '%s\n' 'AUTHENTICATE PLAIN AGJlbmNoAGJlbmNo' "CREATE FLOW $flow PUBLIC" QUIT |
	session "$plain" > "$run/create"
grep -qx "220 OK $flow" "$run/create" || { cat "$run/create" >&2; exit 1; }
flow-pub "$run/flows/$flow" < "$in"

# -- (a) sessions a second --
# client.pl PORT FLOW N: N sessions one after the other, each waiting for
# every reply; prints how many went as they should. With FLOW "-", only
# connect and read to the end (the peer).
cat > "$run/client.pl" <<'CLIENT'
use strict;
use IO::Socket::INET;
my ($port, $flow, $n) = @ARGV;
my $ok = 0;
for (1 .. $n) {
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp')
	    or exit 1;
	if ($flow eq '-') {
		$ok++ unless defined <$s>;
		next;
	}
	$s->autoflush(1);
	<$s>;
	print $s "AUTHENTICATE ANONYMOUS bench\r\n";
	<$s>;
	print $s "DESCRIBE FLOW $flow\r\n";
	my $good = 0;
	while (defined(my $line = <$s>)) {
		$line =~ s/\r?\n$//;
		$good = 1 if $line eq "flow=$flow";
		last if $line =~ /^[0-9]{3} / && $line ne '220 DATA';
	}
	print $s "QUIT\r\n";
	my $bye = <$s>;
	$ok += $good if defined $bye && $bye eq "221 Bye\r\n";
}
print "$ok\n";
CLIENT
# clients PORT FLOW: $sessions sessions from $clients clients at once
clients() {
	local c per=$((sessions / clients))
	for c in $(seq 1 "$clients"); do
		echo "perl '$run/client.pl' $1 $2 $per > '$run/ok.$c' &"
	done
	echo wait
}
sessions=$(( sessions / clients * clients ))
serve floor /bin/true
serve start fnap-serve -V
# bursts alternate agent and floor: longer ones would measure how fast
# tcpserver reaps its children on this machine, not the agent
# burst CMD: run the burst, its time in secs (microseconds, where time(1)
# has 10 ms: a burst of a few hundred sessions lasts some 0.2 s)
burst() {
	local t0=$EPOCHREALTIME
	sh -c "$1" > /dev/null
	secs=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.4f", b - a }')
	rss=0
}
for r in $(seq "$reps"); do
	burst "$(clients "$plain" "$flow")"; keep agent
	got=$(cat "$run"/ok.* | awk '{ s += $1 } END { print s }')
	[ "$got" -eq "$sessions" ] || { echo "fnap.sh: $got of $sessions sessions went right" >&2; tail -n 20 "$run/servers.log" >&2; exit 1; }
	burst "$(clients "$floor" -)"; keep floor
	# what of a session is the agent's start alone: the program loaded,
	# linked and run (-V) per connection
	burst "$(clients "$start" -)"; keep start
done
printf '%-44s %8s %8s %12s\n' "bursts of $sessions sessions, $clients clients" best median sessions/s
printf '%-44s %8s %8s %12s\n' "fnap-serve: ANONYMOUS, DESCRIBE, QUIT" "$(best agent)" "$(median agent)" \
	"$(rate "$sessions" "$(best agent)")"
printf '%-44s %8s %8s %12s\n' "/bin/true, connect and close (peer)" "$(best floor)" "$(median floor)" \
	"$(rate "$sessions" "$(best floor)")"
printf '%-44s %8s %8s %12s\n' "fnap-serve -V, connect and close" "$(best start)" "$(median start)" \
	"$(rate "$sessions" "$(best start)")"
echo

# -- (b) and (c): events through the agent --
# BENCH_REPS rounds, the file, fnap:// and fnaps:// in turn: one run each
# says more of the machine's load than of the programs
printf '%-44s %8s %8s %12s %9s %10s\n' "flow-sub -o beginning -e ($n events)" best median events/s \
	peak-KB "vs peer"
row() {
	printf '%-44s %8s %8s %12s %9s %10s\n' "$1" "$(best "$2")" "$(median "$2")" \
		"$(rate "$n" "$(best "$2")")" "$3" "$4"
}
# counted WHAT: every event came out
counted() {
	[ "$(cat "$run/count")" -eq "$n" ] || { echo "fnap.sh: $1 read $(cat "$run/count") of $n events" >&2; tail -n 20 "$run/servers.log" >&2; exit 1; }
}
: > "$run/agent-rss"
for r in $(seq "$reps"); do
	measure "flow-sub -o beginning -e 'file://$run/flows/$flow' | wc -l > '$run/count'"
	counted file://; keep file
	measure "flow-sub -o beginning -e 'fnap://127.0.0.1:$plain/$flow' | wc -l > '$run/count'"
	counted fnap://; keep fnap
	measure "FNAP_CA='$run/ca.pem' flow-sub -o beginning -e 'fnaps://127.0.0.1:$tls/$flow' | wc -l > '$run/count'"
	counted fnaps://; keep fnaps
done
row "file:// (peer)" file "$rss_file" 1.00
row "fnap:// (STREAM)" fnap "$rss_fnap" "$(ratio "$(best fnap)" "$(best file)")x"
row "fnaps:// (STREAM in TLS)" fnaps "$rss_fnaps" "$(ratio "$(best fnaps)" "$(best file)")x"
file=$(best file) fnaps=$(best fnaps) fnaps_rss=$rss_fnaps
# the agent's process has ended with the connection; time(1) says its peak
for _ in $(seq 1 200); do
	[ -s "$run/agent-rss" ] && break
	sleep 0.01
done
agent_rss=$(awk '$1 ~ /^[0-9]+$/ && $1 > m { m = $1 } END { print m + 0 }' "$run/agent-rss")
echo
echo "fnap-serve sessions/s: $(rate "$sessions" "$(best agent)"): $(ratios floor agent) of the" \
	"/bin/true floor, best (median) (target >= 0.6)"
echo "fnaps:// / file:// time: $(ratios fnaps file) best (median) (target <= 1.1)"
echo "fnap-serve peak RSS during the fnaps:// STREAM: $agent_rss KB (target < 16384)"
summary_row "fnap-serve (sessions)" "$(rate "$sessions" "$(best agent)") sessions/s" \
	"tcpserver + true $(rate "$sessions" "$(best floor)") conn/s" "$(ratios floor agent) of floor" ">= 0.6 of floor"
summary_row "flow-sub (fnaps://)" "$(rate "$n" "$fnaps") ev/s, $fnaps_rss KB" \
	"file:// $(rate "$n" "$file") ev/s" "$(ratio "$fnaps" "$file")x time" "<= 1.1x"
summary_row "fnap-serve (STREAM)" "$agent_rss KB peak" - - "< 16 MB"
