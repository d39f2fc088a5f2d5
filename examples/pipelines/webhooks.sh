#!/bin/bash
# webhooks.sh: events come into a flow as webhooks from outside, are
# filtered, and go out as webhooks to another organisation.
#
# A partner of the airport ("orange") posts arrivals to orange's flow-httpd,
# signed (Standard Webhooks) with the secret orange gave it; a request whose
# signature does not verify is refused. At orange, flow-bridge reads the
# arrivals as a consumer group, keeps the late ones (CESQL) and posts them,
# signed with the secret orange shares with the airline ("blue"), to blue's
# own flow-httpd, which checks that signature and stores them in blue's flow.
# Each flow-httpd runs under tcpserver on a free loopback port; everything
# lives in a temporary directory and is stopped at the end. The script exits
# non-zero unless blue's flow holds exactly the late arrivals.
#
# Needs the flow programs on PATH (./setup.sh demo arranges that), tcpserver,
# curl and openssl.
set -eu

dir=$(mktemp -d "${TMPDIR:-/tmp}/flow-webhooks.XXXXXX")
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	rm -rf "$dir"
}
# on a signal, exit: the EXIT trap cleans up, once
trap cleanup EXIT
trap 'exit 1' INT TERM

step() { printf '\n== %s\n' "$*"; }
# show COMMAND...: print the command, its arguments quoted as a shell would
# need them, then run it
show() {
	local a line='$'
	for a; do
		case $a in
		*[!A-Za-z0-9_./:=@%+,-]* | '')
			if [[ $a == *"'"* ]]; then line="$line \"$a\""; else line="$line '$a'"; fi ;;
		*) line="$line $a" ;;
		esac
	done
	printf '%s\n' "$line"
	"$@"
}
fail() { echo "webhooks.sh: $*" >&2; exit 1; }

# httpd ORG: ORG's flow-httpd (configuration $dir/ORG/flow-httpd.conf) under
# tcpserver on a free loopback port (port 0: tcpserver picks one and prints
# it, -1), waiting at most 10 s for it; the port in $dir/ORG/port
httpd() {
	local a=$dir/$1
	tcpserver -1 -q -R -H 127.0.0.1 0 flow-httpd -f "$a/flow-httpd.conf" \
		> "$a/port" 2> "$a/httpd.log" &
	pids="$pids $!"
	for _ in $(seq 1 200); do
		[ -s "$a/port" ] && break
		sleep 0.05
	done
	[ -s "$a/port" ] || fail "$1: tcpserver did not start"
	echo "$1: flow-httpd under tcpserver on 127.0.0.1:$(cat "$a/port")"
}

# secret FILE: a new Standard Webhooks secret, whsec_ and 32 random bytes
secret() { printf 'whsec_%s\n' "$(openssl rand -base64 32)" > "$1"; }

step "the secrets: orange gave its partner one for signing arrivals; orange and blue share another"
mkdir -p "$dir/partner" "$dir/orange" "$dir/blue"
secret "$dir/orange/partner.whsec"
cp "$dir/orange/partner.whsec" "$dir/partner/orange.whsec"
secret "$dir/blue/orange.whsec"
cp "$dir/blue/orange.whsec" "$dir/orange/blue.whsec"
chmod 600 "$dir"/*/*.whsec
ls "$dir"/*/*.whsec

step "orange's flow-httpd: /arrivals is a file flow that only the partner's signature may write"
cat > "$dir/orange/flow-httpd.conf" <<CONF
flow arrivals file://$dir/orange/flows/arrivals
webhook-secret $dir/orange/partner.whsec
CONF
cat "$dir/orange/flow-httpd.conf"
httpd orange

step "blue's flow-httpd: /from-orange is blue's file flow, written only with the secret blue shares with orange"
cat > "$dir/blue/flow-httpd.conf" <<CONF
flow from-orange file://$dir/blue/flows/from-orange
webhook-secret $dir/blue/orange.whsec
CONF
cat "$dir/blue/flow-httpd.conf"
httpd blue

# post SECRET-FILE EVENT: POST EVENT to orange's /arrivals as the partner
# would, signed as Standard Webhooks says: webhook-signature is v1, and the
# base64 of HMAC-SHA256, keyed with the secret's bytes (the base64 after
# whsec_), over "id.timestamp.body"; print the event and the answer
post() {
	local key id ts sig code
	key=$(sed 's/^whsec_//' "$1" | base64 -d | od -An -tx1 | tr -d ' \n')
	id=msg_$(printf %s "$2" | sed 's/.*"id":"\([^"]*\)".*/\1/')
	ts=$(date +%s)
	sig=$(printf '%s.%s.%s' "$id" "$ts" "$2" |
		openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key" -binary | base64)
	code=$(curl -s -o "$dir/answer" -w '%{http_code}' \
		-H 'Content-Type: application/cloudevents+json' \
		-H "webhook-id: $id" -H "webhook-timestamp: $ts" -H "webhook-signature: v1,$sig" \
		--data-binary "$2" "http://127.0.0.1:$(cat "$dir/orange/port")/arrivals")
	printf '> %s\n< %s %s\n' "$2" "$code" "$(cat "$dir/answer")"
}

step "outside: the partner posts four events with curl, signed with orange's secret (202: stored)"
echo "each: curl -H 'Content-Type: application/cloudevents+json' -H 'webhook-id: msg_ID' \\"
echo "  -H 'webhook-timestamp: NOW' -H 'webhook-signature: v1,HMAC' --data-binary EVENT .../arrivals"
while IFS= read -r e; do post "$dir/partner/orange.whsec" "$e"; done <<'EVENTS'
{"specversion":"1.0","id":"a1","source":"/partner/gate/12","type":"com.example.arrival","delay":5,"data":{"flight":"AR1234"}}
{"specversion":"1.0","id":"a2","source":"/partner/gate/3","type":"com.example.arrival","delay":42,"data":{"flight":"IB6841"}}
{"specversion":"1.0","id":"a3","source":"/partner/gate/7","type":"com.example.departure","delay":60,"data":{"flight":"KL1672"}}
{"specversion":"1.0","id":"a4","source":"/partner/gate/1","type":"com.example.arrival","delay":95,"data":{"flight":"AF1100"}}
EVENTS

step "outside: someone else posts a late arrival signed with another secret (401: refused, not stored)"
secret "$dir/forged.whsec"
post "$dir/forged.whsec" \
	'{"specversion":"1.0","id":"x1","source":"/forger","type":"com.example.arrival","delay":99}'
echo "orange's flow-httpd said:"
sed 's/^/  /' "$dir/orange/httpd.log"

step "orange's flow holds the four signed events"
show flow-sub -o beginning -e "$dir/orange/flows/arrivals"

where="type = 'com.example.arrival' AND delay > 30"
blue_url=http://127.0.0.1:$(cat "$dir/blue/port")/from-orange
# bridge: orange's processor, run once to the end of the flow; its counts
# (-v) go to standard error, shown here with the rest
bridge() {
	show flow-bridge -e -v -g to-blue -o stored -w "$where" --webhook-secret "$dir/orange/blue.whsec" \
		"$dir/orange/flows/arrivals" "$blue_url" 2>&1
}
step "orange's flow-bridge, consumer group to-blue: the late arrivals, signed with blue's secret, to blue"
echo "(-o stored: where the group stopped, else the beginning; -e: stop at the end of the flow,"
echo "as a service it runs without -e, under a supervisor)"
bridge
echo "blue's flow-httpd verified each signature and said:"
sed 's/^/  /' "$dir/blue/httpd.log"

step "the partner posts two more; the bridge, run again, starts where its group stopped"
while IFS= read -r e; do post "$dir/partner/orange.whsec" "$e"; done <<'EVENTS'
{"specversion":"1.0","id":"a5","source":"/partner/gate/9","type":"com.example.arrival","delay":3,"data":{"flight":"LH1800"}}
{"specversion":"1.0","id":"a6","source":"/partner/gate/4","type":"com.example.arrival","delay":50,"data":{"flight":"BA0462"}}
EVENTS
bridge

step "a post to blue without orange's signature is refused (401)"
show curl -s -w ' %{http_code}\n' -H 'Content-Type: application/cloudevents+json' \
	--data-binary '{"specversion":"1.0","id":"y1","source":"/nobody","type":"com.example.arrival","delay":77}' \
	"$blue_url"
echo "blue's flow-httpd said, since it started:"
sed 's/^/  /' "$dir/blue/httpd.log"

step "blue's flow holds exactly the late arrivals (a2, a4, a6), each once"
echo "(up to 4 requests go at once: the receiver may see them in another order)"
show flow-sub -o beginning -e "$dir/blue/flows/from-orange"
flow-sub -o beginning -e "$dir/orange/flows/arrivals" | flow-filter "$where" | sort > "$dir/want"
flow-sub -o beginning -e "$dir/blue/flows/from-orange" | sort > "$dir/got"
diff "$dir/want" "$dir/got" || fail "blue's flow is not orange's filtered by: $where"
[ "$(grep -o '"id":"a[0-9]"' "$dir/got" | tr '\n' ' ')" = '"id":"a2" "id":"a4" "id":"a6" ' ] ||
	fail "blue's flow does not hold a2, a4 and a6"
echo "the same events as orange's flow filtered by: $where"

step "done"
