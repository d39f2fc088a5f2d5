#!/bin/bash
# two-orgs.sh: two organisations exchange events the way they exchange mail,
# both ways.
#
# An airport ("orange", namespace flows.orange.example) publishes arrivals;
# an airline ("blue", flows.blue.example) subscribes to the late ones. The
# other way, the airline keeps its fleet's positions in a private flow and
# grants the airport's agent READ on the delayed ones only: the airport
# subscribes, until the airline takes the grant away. The airport's agent
# signs what it is given to publish, as a mail server signs with DKIM, and
# the airline's checks every event it copies against the key the airport
# published in DNS: an event changed on the way is caught. Each has its
# agent (fnap-serve under tcpserver, TLS from a throw-away CA) that
# registers its flows in DNS (BIND named, a dynamic zone) and runs its
# processors under s6-svscan. Everything runs on loopback in a temporary
# directory and is stopped at the end.
#
# Needs the flow programs on PATH (./setup.sh demo arranges that), named,
# nsupdate, tcpserver, s6 and openssl. KEEP=1 keeps its directory.
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/flow-two-orgs.XXXXXX")
pids= supervisor=
cleanup() {
	# the processors down first, then the agents, then the name server
	if [ -n "$supervisor" ]; then
		s6-svscanctl -t "$dir/scan" 2>/dev/null || kill "$supervisor" 2>/dev/null || true
		wait "$supervisor" 2>/dev/null || true
	fi
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	named_stop
	[ -n "${KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT INT TERM

step() { printf '\n== %s\n' "$*"; }
# wait_events FLOW-DIR N: until the file flow holds N events (30 s at most)
wait_events() {
	for _ in $(seq 1 300); do
		[ "$(flow-sub -o beginning -e "$1" 2>/dev/null | wc -l)" -ge "$2" ] && return 0
		sleep 0.1
	done
}
show() { printf '$ %s\n' "$*"; "$@"; }
# brief: event lines with their signature cut short, for reading
brief() { sed -E 's/"dssematerial":"([^"]{12})[^"]*"/"dssematerial":"\1..."/'; }

# shellcheck source=../../tests/bats/helpers/named.bash
. "$src/tests/bats/helpers/named.bash"

step "a name server for example. (BIND named, dynamic updates with a TSIG key)"
printf '%s\n' 'fnaa.orange IN A 127.0.0.1' 'fnaa.blue IN A 127.0.0.1' > "$dir/hosts"
named_start example "$dir/hosts"
echo "named on 127.0.0.1:$NAMED_PORT; the flow programs ask it (FLOW_NAMESERVER=$FLOW_NAMESERVER)"

step "a throw-away CA, and a certificate for both agents"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=two-orgs-ca \
	-keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=fnaa.orange.example \
	-keyout "$dir/key.pem" -out "$dir/cert.csr" 2>/dev/null
printf 'subjectAltName=DNS:fnaa.orange.example,DNS:fnaa.blue.example\n' > "$dir/san"
openssl x509 -req -in "$dir/cert.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
	-days 1 -extfile "$dir/san" -out "$dir/cert.pem" 2>/dev/null
ls "$dir"/*.pem

step "s6-svscan, the supervisor of both agents' processors"
mkdir -p "$dir/scan"
s6-svscan "$dir/scan" > "$dir/processors.log" 2>&1 &
supervisor=$!

# agent ORG USERS-LINES...: the agent's users, configuration and tcpserver
agent() {
	local org=$1 a=$dir/$1 port
	shift
	mkdir -p "$a"
	printf '%s\n' "$@" > "$a/users"
	cat > "$a/fnap-serve.conf" <<-CONF
		hostname fnaa.$org.example
		state $a/state
		users $a/users
		namespace flows.$org.example file $a/flows
		supervisor $dir/scan
		tls-certificate $dir/cert.pem
		tls-key $dir/key.pem
		tls-ca $dir/ca.pem
		peers $a/peers
		dns-update nsupdate -k $NAMED_KEY
		dns-server 127.0.0.1:$NAMED_PORT
		dns-zone example
	CONF
	: > "$a/peers"
	chmod 600 "$a/peers"
	# port 0: tcpserver picks a free one and prints it (-1)
	tcpserver -1 -q -R -H 127.0.0.1 0 fnap-serve -T -c "$a/fnap-serve.conf" \
		> "$a/port" 2> "$a/agent.log" &
	pids="$pids $!"
	echo $! > "$a/pid"
	while [ ! -s "$a/port" ]; do sleep 0.05; done
	port=$(cat "$a/port")
	echo "port $port" >> "$a/fnap-serve.conf"
	echo "fnaa.$org.example: fnap-serve -T under tcpserver on 127.0.0.1:$port"
}

# user ORG NAME PASSWORD: ~/.flow.yml of a user of ORG's agent, for fnap
user() {
	cat > "$dir/$2.yml" <<-YML
		agents:
		  - name: $1
		    fqdn: fnaa.$1.example
		    port: $(cat "$dir/$1/port")
		    tls: true
		    ca: $dir/ca.pem
		    username: $2
		    password: $3
		namespaces:
		  - name: flows.$1.example
		    agent: $1
	YML
}

step "the agents: orange (user alice; blue's agent logs in as blue-agent) and blue (user bob; orange's agent logs in as orange-agent)"
agent orange "$(echo apw | fnap-serve -p alice)flows.orange.example" "$(echo bpw | fnap-serve -p blue-agent)"
agent blue "$(echo bobpw | fnap-serve -p bob)flows.blue.example" "$(echo opw | fnap-serve -p orange-agent)"
echo 'fnaa.orange.example blue-agent bpw' > "$dir/blue/peers"
echo 'fnaa.blue.example orange-agent opw' > "$dir/orange/peers"
user orange alice apw
user blue bob bobpw
echo "each agent has credentials for the other's in its peers file"

step "orange signs what is published in its namespace (sign-key): an Ed25519 key, over the core attributes, the data and the delay; the agent publishes the key in DNS before its first signature"
openssl genpkey -algorithm ed25519 -out "$dir/orange/sign.pem"
chmod 600 "$dir/orange/sign.pem"
echo "sign-key flows.orange.example $dir/orange/sign.pem s1 delay" >> "$dir/orange/fnap-serve.conf"
keyid=s1._flowkey.flows.orange.example
tail -n 1 "$dir/orange/fnap-serve.conf"

step "alice creates a public flow at orange; it is registered in DNS"
show fnap -c "$dir/alice.yml" create flow arrivals.flows.orange.example --public
show flow-resolve arrivals.flows.orange.example

step "bob subscribes to it from blue, only the late arrivals (CESQL, applied at orange), each verified at blue"
show fnap -c "$dir/bob.yml" subscribe arrivals.flows.orange.example --local late --verify \
	--where "type = 'com.example.arrival' AND delay > 30" | tee "$dir/subscription"
sub=$(sed -n 's/.*subscription=//p' "$dir/subscription")
echo "blue's agent found orange's in DNS and subscribed there: orange copies the flow into $sub,"
echo "a processor at blue copies that into late.flows.blue.example"
show fnap -c "$dir/alice.yml" list subscriptions

step "alice publishes four arrivals at orange, through its agent (fnaps://)"
cat > "$dir/arrivals" <<'EVENTS'
{"specversion":"1.0","id":"a1","source":"/airport/gate/12","type":"com.example.arrival","delay":5,"data":{"flight":"AR1234"}}
{"specversion":"1.0","id":"a2","source":"/airport/gate/3","type":"com.example.arrival","delay":42,"data":{"flight":"IB6841"}}
{"specversion":"1.0","id":"a3","source":"/airport/gate/7","type":"com.example.arrival","delay":0,"data":{"flight":"KL1672"}}
{"specversion":"1.0","id":"a4","source":"/airport/gate/1","type":"com.example.arrival","delay":95,"data":{"flight":"AF1100"}}
EVENTS
orange_url=fnaps://fnaa.orange.example:$(cat "$dir/orange/port")/arrivals.flows.orange.example
FNAP_CA=$dir/ca.pem FNAP_USER=alice FNAP_PASSWORD=apw show flow-pub -v "$orange_url" < "$dir/arrivals"

step "at blue, the late ones arrive (a2 and a4), signed by orange's agent and verified by blue's processor"
late=$dir/blue/flows/late.flows.blue.example
wait_events "$late" 2
show flow-sub -o beginning -e "$late" | brief
echo "the key is in DNS, where anyone can check orange's events:"
show flow-resolve --key "$keyid" | head -n 2
flow-sub -o beginning -e "$late" | show flow-verify --dns --namespace flows.orange.example | brief

step "orange's agent goes down (killed, with its sessions) and comes back on its port: blue's processor reconnects and resumes"
orange_pid=$(cat "$dir/orange/pid")
kill -KILL "$orange_pid"
pkill -KILL -f "fnap-serve -T -c $dir/orange/fnap-serve.conf" || true
echo "meanwhile two more arrivals are published at orange, into the flow's files on its host,"
echo "signed by its admin with the agent's key (flow-sign):"
flow-sign -k "$dir/orange/sign.pem" -i "$keyid" -e delay <<'EVENTS' |
{"specversion":"1.0","id":"a6","source":"/airport/gate/4","type":"com.example.arrival","delay":50}
{"specversion":"1.0","id":"a7","source":"/airport/gate/5","type":"com.example.arrival","delay":3}
EVENTS
	flow-pub "$dir/orange/flows/arrivals.flows.orange.example"
tcpserver -q -R -H 127.0.0.1 "$(cat "$dir/orange/port")" fnap-serve -T -c "$dir/orange/fnap-serve.conf" \
	2>> "$dir/orange/agent.log" &
pids="$pids $!"
wait_events "$late" 3
echo "blue's processor said, in the supervisor's log:"
grep 'reconnecting in' "$dir/processors.log" | sed 's/^/  /'
echo "blue has every late arrival once, a6 too (it reads as a consumer group that orange's agent keeps):"
show flow-sub -o beginning -e "$late" | brief

step "an event changed after it was signed (a8's delay, in orange's files) is caught at blue, and kept aside"
echo '{"specversion":"1.0","id":"a8","source":"/airport/gate/2","type":"com.example.arrival","delay":35}' |
	flow-sign -k "$dir/orange/sign.pem" -i "$keyid" -e delay | sed 's/"delay":35/"delay":135/' |
	flow-pub "$dir/orange/flows/arrivals.flows.orange.example"
rejects=$dir/blue/state/service/late.flows.blue.example/rejects
for _ in $(seq 1 300); do
	[ -s "$rejects" ] && break
	sleep 0.1
done
echo "blue's processor said, in the supervisor's log:"
grep 'not verified' "$dir/processors.log" | sed 's/^/  /'
echo "and kept it in its reject file, $rejects:"
brief < "$rejects"
echo "blue's flow is as it was:"
show flow-sub -o beginning -e "$late" | brief

step "alice revokes the subscription: orange's copy and its processor go"
show fnap -c "$dir/alice.yml" revoke "$sub"
FNAP_CA=$dir/ca.pem FNAP_USER=alice FNAP_PASSWORD=apw flow-pub "$orange_url" <<'EVENT'
{"specversion":"1.0","id":"a5","source":"/airport/gate/9","type":"com.example.arrival","delay":70}
EVENT
sleep 1.5
echo "published a5 (delay 70) at orange after the revocation; blue still has:"
show flow-sub -o beginning -e "$late"

step "the other way: bob keeps a private flow at blue, and grants orange's agent READ on the delayed flights only"
show fnap -c "$dir/bob.yml" create flow fleet.flows.blue.example
show fnap -c "$dir/bob.yml" grant read fleet.flows.blue.example orange-agent --where 'delay > 30'
show fnap -c "$dir/bob.yml" list grants
echo "the flow is not public: anyone else is told it does not exist"

step "alice subscribes from orange: orange's agent subscribes at blue as orange-agent, under the grant"
show fnap -c "$dir/alice.yml" subscribe fleet.flows.blue.example --local delays

step "bob publishes three positions at blue"
blue_url=fnaps://fnaa.blue.example:$(cat "$dir/blue/port")/fleet.flows.blue.example
FNAP_CA=$dir/ca.pem FNAP_USER=bob FNAP_PASSWORD=bobpw show flow-pub -v "$blue_url" <<'EVENTS'
{"specversion":"1.0","id":"f1","source":"/fleet/IB6841","type":"com.example.position","delay":0}
{"specversion":"1.0","id":"f2","source":"/fleet/AF1100","type":"com.example.position","delay":55}
{"specversion":"1.0","id":"f3","source":"/fleet/KL1672","type":"com.example.position","delay":5}
EVENTS

step "at orange, only the delayed one arrives (f2): blue imposed its WHERE"
delays=$dir/orange/flows/delays.flows.orange.example
wait_events "$delays" 1
show flow-sub -o beginning -e "$delays"

step "bob takes the grant away: blue ends orange's subscription, and orange's processor stops"
show fnap -c "$dir/bob.yml" ungrant read fleet.flows.blue.example orange-agent
FNAP_CA=$dir/ca.pem FNAP_USER=bob FNAP_PASSWORD=bobpw flow-pub "$blue_url" <<'EVENT'
{"specversion":"1.0","id":"f4","source":"/fleet/AR1234","type":"com.example.position","delay":80}
EVENT
# refused at blue for good, orange's processor is left down (fnap-serve(8))
s6-svwait -D -t 10000 "$dir/orange/state/service/delays.flows.orange.example"
echo "published f4 (delay 80) at blue after the grant went; orange still has:"
show flow-sub -o beginning -e "$delays"

step "done"
