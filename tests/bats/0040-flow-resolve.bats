#!/usr/bin/env bats
# flow-resolve against a real BIND named on a loopback port: registration by
# RFC 2136 update (nsupdate, TSIG), lookups, RFC 2782 order, junk answers,
# and a name server that is frozen or gone.

load helpers/common
load helpers/named

F=arrivals.flows.example.test
NS=flows.example.test

# Records that nsupdate does not write: order, aliases, junk, many targets.
static_records() {
	cat <<'EOF'
_fnap._tcp.flows	SRV 0 0 61000 fnaa.example.test.
_fnap._tcp.flows	TXT "tls"
_flow._tcp.flows	PTR static.flows.example.test.
_flow._tcp.flows	PTR _bad.example.test.
static.flows		PTR _flow._tcp.static.flows
_flow._tcp.static.flows	SRV 0 0 61000 fnaa.example.test.
_queue._flow._tcp.static.flows	SRV 0 0 61001 fnaa.example.test.
_queue._flow._tcp.static.flows	TXT "broker-type=fnap tls"
weighted.flows		PTR _flow._tcp.weighted.flows
_flow._tcp.weighted.flows	SRV 20 0 61000 d.example.test.
_flow._tcp.weighted.flows	SRV 10 60 61000 a.example.test.
_flow._tcp.weighted.flows	SRV 10 30 61000 b.example.test.
_flow._tcp.weighted.flows	SRV 10 10 61000 c.example.test.
_flow._tcp.weighted.flows	SRV 10 0 61000 e.example.test.
_flow._tcp.weighted.flows	SRV 5 0 61000 z.example.test.
cname.flows		PTR _flow._tcp.cname.flows
_flow._tcp.cname.flows	CNAME _flow._tcp.static.flows
_queue._flow._tcp.cname.flows	CNAME _queue._flow._tcp.static.flows
junk.flows		PTR _flow._tcp.junk.flows
_flow._tcp.junk.flows	A 127.0.0.1
_flow._tcp.junk.flows	TXT "tls"
_queue._flow._tcp.junk.flows	SRV 0 0 9092 bad_host.example.test.
_queue._flow._tcp.junk.flows	SRV 0 0 0 kafka.example.test.
_queue._flow._tcp.junk.flows	SRV 0 0 9092 .
_queue._flow._tcp.junk.flows	TXT "broker-type=kafka" "topic=a\010evil=1" "\000\255\255" "path=/x\"y" "broker-type=nonsense"
_queue._flow._tcp.junk.flows	TXT "flavour=vanilla" "topic=../../etc"
noptr.flows		A 127.0.0.1
badptr.flows		PTR bad\.label.example.test.
badptr2.flows		PTR _flow._tcp.weighted.flows.example.test.evil\032x.
EOF
	# Far more targets than fit in a UDP answer: truncated, asked again over TCP.
	echo "big.flows PTR _flow._tcp.big.flows"
	for i in $(seq 40); do
		echo "_flow._tcp.big.flows SRV 0 1 $((61000 + i)) agent-with-a-long-name-$i.example.test."
	done
}

setup_file() {
	static_records >"$BATS_FILE_TMPDIR/static.db"
	named_start example.test "$BATS_FILE_TMPDIR/static.db"
}

teardown_file() {
	named_stop
}

setup() { common_setup; }
teardown() { common_teardown; }

register() {
	flow-resolve -s "127.0.0.1:$NAMED_PORT" --records add "$@" | named_update
}

unregister() {
	flow-resolve -s "127.0.0.1:$NAMED_PORT" --records delete "$1" | named_update
}

# refute_match REGEX STRING (a bare "! grep" would not fail a test)
refute_match() {
	if printf '%s\n' "$2" | grep -Eq -- "$1"; then
		echo "expected not to match /$1/: <$2>" >&2
		return 1
	fi
}

# Compare $output with the expected lines on stdin.
expect_output() {
	diff -u - <(printf '%s\n' "$output")
}

@test "flow-resolve: -h, -V and usage errors" {
	run flow-resolve -h
	[ "$status" -eq 0 ]
	assert_match '^usage: flow-resolve' "${lines[0]}"
	run flow-resolve -V
	[ "$status" -eq 0 ]
	assert_match '^flow-resolve [0-9]' "$output"
	run flow-resolve
	[ "$status" -eq 64 ]
	assert_match '^usage: flow-resolve' "$output"
	run flow-resolve -u -a "$F"
	[ "$status" -eq 64 ]
	run flow-resolve -l "$NS" "$F"
	[ "$status" -eq 64 ]
	run flow-resolve -t 0 "$F"
	[ "$status" -eq 64 ]
	run flow-resolve -s 127.0.0.1:99999 "$F"
	[ "$status" -eq 64 ]
	run flow-resolve --agent a.example.test:1 "$F"
	[ "$status" -eq 64 ]
	assert_match 'need --records' "$output"
}

@test "flow-resolve: names are checked before any query" {
	# the name server would time out: a bad name must not get that far
	SECONDS=0
	run flow-resolve -s 192.0.2.1 "$F" 'bad_name.example.test'
	[ "$status" -eq 64 ]
	assert_match 'bad_name.example.test: ' "$output"
	run flow-resolve -s 192.0.2.1 'kafka://k:9092/t'
	[ "$status" -eq 64 ]
	assert_match 'not a flow:// URI' "$output"
	run flow-resolve -s 192.0.2.1 -l 'a..b'
	[ "$status" -eq 64 ]
	[ "$SECONDS" -lt 2 ]
}

@test "flow-resolve --records add: the nsupdate script" {
	run flow-resolve -s "127.0.0.1:5353" --records add "flow://$F" --zone example.test \
		--agent fnaa.example.test:61000:10:5 --agent-tls --broker-type kafka \
		--broker kafka.example.test:9092 --topic arrivals --public --ttl 60
	[ "$status" -eq 0 ]
	cat >"$TMP/expected" <<EOF
server 127.0.0.1 5353
zone example.test.
update delete $F. PTR
update delete $F. SRV
update delete _flow._tcp.$F. SRV
update delete _flow._tcp.$F. TXT
update delete _queue._flow._tcp.$F. SRV
update delete _queue._flow._tcp.$F. TXT
update delete _flow._tcp.$NS. PTR $F.
update add $F. 60 IN PTR _flow._tcp.$F.
update add _flow._tcp.$F. 60 IN SRV 10 5 61000 fnaa.example.test.
update add $F. 60 IN SRV 10 5 61000 fnaa.example.test.
update add _flow._tcp.$F. 60 IN TXT "tls"
update add _queue._flow._tcp.$F. 60 IN SRV 0 0 9092 kafka.example.test.
update add _queue._flow._tcp.$F. 60 IN TXT "broker-type=kafka" "topic=arrivals"
update add _flow._tcp.$NS. 60 IN PTR $F.
send
EOF
	expect_output <"$TMP/expected"
	run flow-resolve --records delete "$F"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 8 ]
	[ "${lines[7]}" = send ]
	refute_match 'update add' "$output"
}

@test "flow-resolve --records: an unknown --broker-type is a usage error naming every broker kind of the registry" {
	run flow-resolve --records add "$F" --agent fnaa.example.test:61000 --broker-type http
	[ "$status" -eq 64 ]
	assert_match 'flow-resolve: --broker-type: file, kafka or fnap' "$output"
	refute_match '^update' "$output"
	# the words the registry reads in DNS are the words it takes here
	run flow-resolve --records add "$F" --agent fnaa.example.test:61000 --broker-type fnap \
		--broker fnaa.example.test:61000
	[ "$status" -eq 0 ]
	assert_match 'TXT "broker-type=fnap"' "$output"
}

@test "flow-resolve --records: nothing reaches the script unchecked" {
	local bad
	for bad in \
		"--agent fnaa.example.test:61000 --broker-type kafka --broker k.example.test:9092 --topic a\"b" \
		"--agent fnaa.example.test:61000 --broker-type kafka --broker k.example.test:9092 --topic a;b" \
		"--broker-type file --path relative/dir" \
		"--broker-type file --path /a/../etc" \
		"--broker-type file --path /a\"b" \
		"--broker-type kafka" \
		"--agent fnaa.example.test" \
		"--agent fnaa.example.test:0" \
		"--agent bad_host.example.test:1" \
		"--agent fnaa.example.test:1:2:3:4" \
		"--agent fnaa.example.test:61000 --namespace other.example.test" \
		"--agent fnaa.example.test:61000 --zone a_b" \
		"--broker k.example.test:9092" \
		""; do
		# shellcheck disable=SC2086
		run flow-resolve --records add "$F" $bad
		[ "$status" -eq 64 ] || { echo "accepted: $bad"; return 1; }
		refute_match '^update' "$output"
	done
	run flow-resolve --records add "$F" --broker-type file --path "$(printf '/a\nupdate add x 1 IN A 1.2.3.4')"
	[ "$status" -eq 64 ]
	refute_match '^update' "$output"
	run flow-resolve --records add "$(printf 'x.example.test\nsend')" --agent a.example.test:1
	[ "$status" -eq 64 ]
	run flow-resolve --records add example --agent a.example.test:1
	[ "$status" -eq 64 ]
	assert_match 'needs a namespace' "$output"
	run flow-resolve -s '127.0.0.1 5353' --records add "$F" --agent a.example.test:1
	[ "$status" -eq 64 ]
}

@test "flow-resolve: a flow registered with nsupdate resolves, every line" {
	register "$F" --zone example.test --agent fnaa.example.test:61000 --agent-tls \
		--broker-type kafka --broker kafka.example.test:9092 --public
	run flow-resolve "$F"
	[ "$status" -eq 0 ]
	cat >"$TMP/expected" <<EOF
flow=$F
agent=fnaa.example.test:61000
agent-tls=yes
broker-type=kafka
broker=kafka.example.test:9092
broker-tls=no
topic=$F
url=kafka://kafka.example.test:9092/$F
EOF
	expect_output <"$TMP/expected"
	# the same through -s, as a flow:// URI, in capitals, with a trailing dot or slash
	run flow-resolve -s "127.0.0.1:$NAMED_PORT" "flow://ARRIVALS.Flows.example.test/"
	expect_output <"$TMP/expected"
	run env -u FLOW_NAMESERVER flow-resolve -s "$FLOW_NAMESERVER" "$F."
	expect_output <"$TMP/expected"
}

@test "flow-resolve: -u, -a and -j" {
	register "$F" --agent fnaa.example.test:61000 --agent-tls \
		--broker-type kafka --broker kafka.example.test:9092 --public
	run flow-resolve -u "flow://$F"
	[ "$status" -eq 0 ]
	[ "$output" = "kafka://kafka.example.test:9092/$F" ]
	run flow-resolve -a "$F"
	[ "$status" -eq 0 ]
	[ "$output" = "fnaa.example.test:61000" ]
	run flow-resolve -j "$F" static.flows.example.test
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(jq -r .url <<<"${lines[0]}")" = "kafka://kafka.example.test:9092/$F" ]
	[ "$(jq -r '.agents[0] | "\(.host):\(.port)"' <<<"${lines[0]}")" = "fnaa.example.test:61000" ]
	[ "$(jq -r '.agent_tls, .broker_type, .broker_tls, .topic, .path' <<<"${lines[0]}" | paste -sd' ')" = \
		"true kafka false $F null" ]
	[ "$(jq -r '.url, .broker_tls' <<<"${lines[1]}" | paste -sd' ')" = \
		"fnaps://fnaa.example.test:61001/static.flows.example.test true" ]
}

@test "flow-resolve: fnap broker from a thesis-style TXT (one string, words)" {
	run flow-resolve static.flows.example.test
	[ "$status" -eq 0 ]
	expect_output <<EOF
flow=static.flows.example.test
agent=fnaa.example.test:61000
agent-tls=no
broker-type=fnap
broker=fnaa.example.test:61001
broker-tls=yes
topic=static.flows.example.test
url=fnaps://fnaa.example.test:61001/static.flows.example.test
EOF
}

@test "flow-resolve: several names, a blank line between records, worst exit status" {
	register "$F" --agent fnaa.example.test:61000 --broker-type kafka --broker kafka.example.test:9092
	run flow-resolve "$F" static.flows.example.test
	[ "$status" -eq 0 ]
	[ "${lines[8]}" = "flow=static.flows.example.test" ]  # lines[] skips the blank one
	[ "$(grep -c '^$' <<<"$output")" -eq 1 ]
	run flow-resolve "$F" nosuch.flows.example.test static.flows.example.test
	[ "$status" -eq 1 ]
	assert_match 'flow://nosuch.flows.example.test: no such flow' "$output"
	assert_match 'flow=static.flows.example.test' "$output"
	run flow-resolve -u "$F" static.flows.example.test
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "flow-resolve: no such name, no PTR, a bad PTR: exit 1" {
	run flow-resolve nosuch.flows.example.test
	[ "$status" -eq 1 ]
	[ "$output" = "flow-resolve: flow://nosuch.flows.example.test: no such flow" ]
	run flow-resolve noptr.flows.example.test
	[ "$status" -eq 1 ]
	assert_match 'no such flow \(no PTR record\)' "$output"
	run flow-resolve badptr.flows.example.test
	[ "$status" -eq 1 ]
	assert_match 'no usable PTR' "$output"
	run flow-resolve badptr2.flows.example.test
	[ "$status" -eq 1 ]
	run flow-resolve -u "$NS"
	[ "$status" -eq 1 ]
	# outside the server's zones, a server that does not recurse refuses
	run flow-resolve nosuch.other.test
	[ "$status" -eq 69 ]
	assert_match 'refused' "$output"
}

@test "flow-resolve: --records delete removes the flow and its browse entry" {
	register "$F" --agent fnaa.example.test:61000 --public
	run flow-resolve -l "$NS"
	assert_match "^$F\$" "$output"
	unregister "$F"
	run flow-resolve "$F"
	[ "$status" -eq 1 ]
	run flow-resolve -l "$NS"
	[ "$status" -eq 0 ]
	refute_match "$F" "$output"
	for n in "" _flow._tcp. _queue._flow._tcp.; do
		[ -z "$(dig @127.0.0.1 -p "$NAMED_PORT" +short "$n$F" ANY)" ]
	done
}

@test "flow-resolve: adding again replaces the records; a private flow is not listed" {
	register "$F" --agent old.example.test:1 --agent-tls --broker-type kafka --broker k.example.test:1 --public
	register "$F" --agent new.example.test:2
	run flow-resolve "$F"
	[ "$status" -eq 0 ]
	printf '%s\n' "flow=$F" agent=new.example.test:2 agent-tls=no | expect_output
	run flow-resolve -l "$NS"
	refute_match "$F" "$output"
	run flow-resolve -u "$F"
	[ "$status" -eq 1 ]
	assert_match 'no broker' "$output"
}

@test "flow-resolve: F SRV, as our agents write it too and the thesis's agents read it, alone or beside a PTR" {
	# ours: F SRV beside _flow._tcp.F SRV, the same targets
	register "$F" --agent fnaa.example.test:61000:10:5
	[ "$(dig @127.0.0.1 -p "$NAMED_PORT" +short "$F" SRV)" = '10 5 61000 fnaa.example.test.' ]
	unregister "$F"
	# a thesis agent's flow: F SRV alone, no PTR, no _flow._tcp records
	printf 'server 127.0.0.1 %s\nupdate add thesis.%s. 60 IN SRV 0 0 61005 fnaa.example.test.\nsend\n' \
		"$NAMED_PORT" "$NS" | named_update
	run flow-resolve "thesis.$NS"
	[ "$status" -eq 0 ]
	printf '%s\n' "flow=thesis.$NS" agent=fnaa.example.test:61005 agent-tls=no | expect_output
	run flow-resolve -a "flow://thesis.$NS"
	[ "$output" = fnaa.example.test:61005 ]
	# a PTR whose service has no SRV: F SRV then
	printf 'server 127.0.0.1 %s\nupdate add thesis.%s. 60 IN PTR _flow._tcp.thesis.%s.\nsend\n' \
		"$NAMED_PORT" "$NS" "$NS" | named_update
	run flow-resolve -a "thesis.$NS"
	[ "$output" = fnaa.example.test:61005 ]
	# both: _flow._tcp.F wins
	printf 'server 127.0.0.1 %s\nupdate add _flow._tcp.thesis.%s. 60 IN SRV 0 0 61006 fnaa.example.test.\nsend\n' \
		"$NAMED_PORT" "$NS" | named_update
	run flow-resolve -a "thesis.$NS"
	[ "$output" = fnaa.example.test:61006 ]
	printf 'server 127.0.0.1 %s\nupdate delete thesis.%s.\nupdate delete _flow._tcp.thesis.%s.\nsend\n' \
		"$NAMED_PORT" "$NS" "$NS" | named_update
	run flow-resolve "thesis.$NS"
	[ "$status" -eq 1 ]
	[ "$output" = "flow-resolve: flow://thesis.$NS: no such flow" ]
}

@test "flow-resolve -l: the public flows of a namespace, sorted; junk entries reported" {
	register "$F" --agent fnaa.example.test:61000 --public
	register zeta.flows.example.test --agent fnaa.example.test:61000 --public
	run --separate-stderr flow-resolve -l "$NS"
	[ "$status" -eq 0 ]
	printf '%s\n' "$F" static.flows.example.test zeta.flows.example.test | expect_output
	assert_match 'bad flow name ignored' "$stderr"
	run --separate-stderr flow-resolve -j -l "$NS"
	[ "$(jq -c .flows <<<"$output")" = "[\"$F\",\"static.flows.example.test\",\"zeta.flows.example.test\"]" ]
	run flow-resolve -l nosuch.example.test
	[ "$status" -eq 1 ]
}

@test "flow-resolve -n: the agent of a namespace" {
	run flow-resolve -n "$NS"
	[ "$status" -eq 0 ]
	printf '%s\n' "namespace=$NS" agent=fnaa.example.test:61000 agent-tls=yes | expect_output
	run flow-resolve -a -n "$NS"
	[ "$output" = fnaa.example.test:61000 ]
	run flow-resolve -j -n "$NS"
	[ "$(jq -r '.agent_tls, .agents[0].port' <<<"$output" | paste -sd' ')" = "true 61000" ]
	run flow-resolve -n example.test
	[ "$status" -eq 1 ]
}

@test "flow-resolve: SRV targets in priority order, weighted within a priority (1000 picks)" {
	run flow-resolve weighted.flows.example.test
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = agent=z.example.test:61000 ]
	[ "${lines[6]}" = agent=d.example.test:61000 ]
	srvpick -s "$FLOW_NAMESERVER" -n 1000 weighted.flows.example.test >"$TMP/picks"
	[ "$(wc -l <"$TMP/picks")" -eq 1000 ]
	# every order: z (priority 5), then a b c e in some order (10), then d (20)
	[ "$(grep -Ec '^z\.example\.test( [abce]\.example\.test){4} d\.example\.test$' "$TMP/picks")" -eq 1000 ]
	[ "$(tr ' ' '\n' <"$TMP/picks" | sort -u | wc -l)" -eq 6 ]
	# first of priority 10: a 60/101, b 30/101, c 10/101, e (weight 0) 1/101;
	# bounds are about 5 standard deviations wide
	awk '{ n[$2]++ } END {
		a = n["a.example.test"]; b = n["b.example.test"]; c = n["c.example.test"]; e = n["e.example.test"]
		printf "a=%d b=%d c=%d e=%d\n", a, b, c, e
		exit !(a >= 515 && a <= 675 && b >= 225 && b <= 370 && c >= 50 && c <= 155 && e <= 35)
	}' "$TMP/picks"
	# and second place: after a, b is picked 30 of 40 times
	awk '$2 == "a.example.test" { n++; if ($3 == "b.example.test") b++ } END {
		printf "after a: b %d of %d\n", b, n; exit !(b > 0.6 * n && b < 0.9 * n)
	}' "$TMP/picks"
}

@test "flow-resolve: SRV and TXT reached through a CNAME" {
	run flow-resolve -j cname.flows.example.test
	[ "$status" -eq 0 ]
	[ "$(jq -r .url <<<"$output")" = "fnaps://fnaa.example.test:61001/cname.flows.example.test" ]
	[ "$(jq -r '.agents[0].host' <<<"$output")" = fnaa.example.test ]
}

@test "flow-resolve: answers of the wrong type and junk are reported, never printed" {
	run --separate-stderr flow-resolve junk.flows.example.test
	[ "$status" -eq 0 ]
	printf '%s\n' flow=junk.flows.example.test agent-tls=no broker-type=kafka broker-tls=no \
		topic=junk.flows.example.test | expect_output
	echo "$stderr"
	assert_match 'bad target or port 0' "$stderr"
	assert_match 'topic= with a bad value' "$stderr"
	assert_match 'path= with a bad value' "$stderr"
	assert_match 'broker-type= of an unknown type' "$stderr"
	assert_match 'topic= not a valid kafka topic' "$stderr"
	assert_match 'no broker URL' "$stderr"
	refute_match evil "$stderr$output"
	run flow-resolve -u junk.flows.example.test
	[ "$status" -eq 1 ]
	run flow-resolve -a junk.flows.example.test
	[ "$status" -eq 1 ]
	assert_match 'no agent records' "$output"
}

@test "flow-resolve: a truncated UDP answer is asked again over TCP; 32 targets kept" {
	run --separate-stderr flow-resolve big.flows.example.test
	[ "$status" -eq 0 ]
	[ "$(grep -c '^agent=agent-with-a-long-name-[0-9]*\.example\.test:610[0-9][0-9]$' <<<"$output")" -eq 32 ]
	assert_match '8 SRV records beyond the first 32 ignored' "$stderr"
}

@test "flow-resolve: an IPv6 name server, and FLOW_NAMESERVER vs -s" {
	register "$F" --agent fnaa.example.test:61000
	run env -u FLOW_NAMESERVER flow-resolve -s "[::1]:$NAMED_PORT" -a "$F"
	[ "$status" -eq 0 ]
	[ "$output" = fnaa.example.test:61000 ]
	# -s wins over the environment
	FLOW_NAMESERVER=127.0.0.1:1 run flow-resolve -s "127.0.0.1:$NAMED_PORT" -a "$F"
	[ "$status" -eq 0 ]
	FLOW_NAMESERVER=127.0.0.1:1 run flow-resolve -a "$F"
	[ "$status" -eq 69 ]
	FLOW_NAMESERVER='no such:server' run flow-resolve -a "$F"
	[ "$status" -eq 78 ]
}

@test "flow:// in flow-pub and flow-sub: a file broker found through DNS" {
	export FLOW_FILE_ROOTS=$TMP
	register logs.flows.example.test --broker-type file --path "$TMP/logs"
	run flow-resolve -u logs.flows.example.test
	[ "$output" = "file://$TMP/logs" ]
	{ event e1; event e2; } | flow-pub flow://logs.flows.example.test
	run flow-sub -o beginning -e flow://logs.flows.example.test
	[ "$status" -eq 0 ]
	[ "$output" = "$(event e1; event e2)" ]
	run flow-sub -o beginning -e flow://nosuch.flows.example.test
	[ "$status" -eq 1 ]
	assert_match 'flow://nosuch.flows.example.test: no such flow' "$output"
}

@test "flow:// with a file broker: used only inside FLOW_FILE_ROOTS, symlinks resolved, in every program" {
	local url=flow://evil.flows.example.test
	register evil.flows.example.test --broker-type file --path "$TMP/elsewhere/evil"
	mkdir -p "$TMP/roots/a" "$TMP/roots/b"
	event e1 > "$TMP/one"
	# not set, empty, or only other directories: refused (77), nothing made
	run --separate-stderr env -u FLOW_FILE_ROOTS flow-pub "$url" < "$TMP/one"
	[ "$status" -eq 77 ]
	assert_match "^flow-pub: $url: the name server gives a file broker, $TMP/elsewhere/evil: refused, FLOW_FILE_ROOTS .* is not set" "$stderr"
	FLOW_FILE_ROOTS= run --separate-stderr flow-pub "$url" < "$TMP/one"
	[ "$status" -eq 77 ]
	FLOW_FILE_ROOTS="::$TMP/roots/a:$TMP/roots/b:" run --separate-stderr flow-pub "$url" < "$TMP/one"
	[ "$status" -eq 77 ]
	assert_match "not inside FLOW_FILE_ROOTS" "$stderr"
	# the writer, the reader and the bridge alike
	FLOW_FILE_ROOTS=$TMP/roots/a run --separate-stderr flow-sub -e "$url"
	[ "$status" -eq 77 ]
	FLOW_FILE_ROOTS=$TMP/roots/a run --separate-stderr flow-bridge -e "$TMP/roots/a/src" "$url"
	[ "$status" -eq 77 ]
	FLOW_FILE_ROOTS=$TMP/roots/a run --separate-stderr flow-bridge -e "$url" "$TMP/roots/a/dst"
	[ "$status" -eq 77 ]
	[ ! -e "$TMP/elsewhere" ]
	# a root's own directory is not a flow in it; a relative root is a configuration error
	register root.flows.example.test --broker-type file --path "$TMP/roots/a"
	FLOW_FILE_ROOTS=$TMP/roots/a run --separate-stderr flow-pub flow://root.flows.example.test < "$TMP/one"
	[ "$status" -eq 77 ]
	FLOW_FILE_ROOTS=roots/a run --separate-stderr flow-pub "$url" < "$TMP/one"
	[ "$status" -eq 78 ]
	assert_match 'FLOW_FILE_ROOTS: not an absolute directory: roots/a' "$stderr"
	# a symlink inside a root that leads out of it does not take the flow out
	mkdir "$TMP/elsewhere"
	ln -s "$TMP/elsewhere" "$TMP/roots/a/out"
	register sneaky.flows.example.test --broker-type file --path "$TMP/roots/a/out/sneaky"
	FLOW_FILE_ROOTS=$TMP/roots/a run --separate-stderr flow-pub flow://sneaky.flows.example.test < "$TMP/one"
	[ "$status" -eq 77 ]
	assert_match "$TMP/elsewhere/sneaky: refused, it is not inside" "$stderr"
	[ ! -e "$TMP/elsewhere/sneaky" ]
	# inside a root, named through a symlink on either side: published and read
	ln -s "$TMP/roots/b" "$TMP/broot"
	register good.flows.example.test --broker-type file --path "$TMP/broot/good"
	FLOW_FILE_ROOTS=$TMP/roots/b flow-pub flow://good.flows.example.test < "$TMP/one"
	FLOW_FILE_ROOTS=/nonexistent:$TMP/broot run flow-sub -o beginning -e flow://good.flows.example.test
	[ "$status" -eq 0 ]
	[ "$output" = "$(event e1)" ]
	[ -d "$TMP/roots/b/good" ]
}

@test "examples: resolve-flow.sh lists a namespace and where each flow lives" {
	unregister zeta.flows.example.test
	register "$F" --agent fnaa.example.test:61000 --broker-type kafka --broker kafka.example.test:9092 --public
	run --separate-stderr "$FLOW_SRCDIR/examples/pipelines/resolve-flow.sh" "$NS"
	[ "$status" -eq 0 ]
	printf '%s\t%s\t%s\n' \
		"$F" fnaa.example.test:61000 "kafka://kafka.example.test:9092/$F" \
		static.flows.example.test fnaa.example.test:61000 \
		"fnaps://fnaa.example.test:61001/static.flows.example.test" | expect_output
}

@test "flow-resolve: a frozen name server times out: 69 within -t × tries" {
	kill -STOP "$NAMED_PID"
	# a signal stops each of named's threads in its own time: wait for all
	for i in $(seq 50); do
		awk '{ sub(/.*\) /, ""); if ($1 != "T") exit 1 }' /proc/"$NAMED_PID"/task/*/stat && break
		sleep 0.1
	done
	SECONDS=0
	run flow-resolve -t 1 -r 1 "$F"
	kill -CONT "$NAMED_PID"
	echo "status $status: $output"
	[ "$status" -eq 69 ]
	assert_match 'timed out' "$output"
	[ "$SECONDS" -le 3 ]
}

# Last: the name server is gone for good.
@test "flow-resolve: name server stopped: 69" {
	named_stop
	SECONDS=0
	run flow-resolve "$F"
	[ "$status" -eq 69 ]
	assert_match 'name server unreachable' "$output"
	run flow-resolve -l "$NS"
	[ "$status" -eq 69 ]
	[ "$SECONDS" -le 4 ]
}
