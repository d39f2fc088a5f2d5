#!/usr/bin/env bats
# DNSSEC for the Flow Name Service: with --dnssec (or FLOW_DNSSEC=1),
# flow-resolve and flow-verify take only answers that a validating
# resolver marked authenticated (the AD bit) and fail closed otherwise.
# Two real BIND named: the signed authority of "example" and a validating
# resolver with the zone's key as its trust anchor (helpers/dnssec.bash).

load helpers/common
load helpers/named
load helpers/dnssec
load helpers/sign

setup() { common_setup; }
teardown() {
	dnssec_stop
	common_teardown
}

K=s1._flowkey.flows.example

# signed NAME: the authority serves NAME's records with their RRSIG
signed() {
	dig @127.0.0.1 -p "${AUTH_NS#*:}" +dnssec +tries=1 +time=1 "$1" "$2" 2>/dev/null | grep -q "RRSIG.*$2"
}

# publish: key K (an Ed25519 key of $TMP) and flow arr.flows.example in
# the signed zone, through dynamic updates that the authority signs
publish() {
	openssl genpkey -algorithm ed25519 -out "$TMP/ed.pem" 2>/dev/null
	flow-resolve -s "$AUTH_NS" --records add-key "$K" --public-key "$TMP/ed.pem" --zone example | named_update
	flow-resolve -s "$AUTH_NS" --records add flow://arr.flows.example --zone example \
		--agent fnaa.example:61000 --broker-type fnap --broker fnaa.example:61000 --public | named_update
	wait_until 20 signed "$K" TXT
	wait_until 20 signed _queue._flow._tcp.arr.flows.example TXT
}

@test "flow-resolve --dnssec: through a validating resolver, keys, flows and no-such-name answers are taken; from the authority itself (no AD bit) they fail closed (69); FLOW_DNSSEC=1 is the same" {
	dnssec_start
	publish
	# authenticated: as without --dnssec
	run flow-resolve --dnssec -s "$VALIDATOR_NS" --key "$K"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "key-id=$K" ]
	[ "${lines[1]}" = "type=ed25519" ]
	flow-resolve -s "$VALIDATOR_NS" --key "$K" | cmp - <(printf '%s\n' "${lines[@]}")
	run flow-resolve --dnssec -s "$VALIDATOR_NS" -u flow://arr.flows.example
	[ "$status" -eq 0 ]
	assert_eq "fnap://fnaa.example:61000/arr.flows.example" "$output"
	# a name that does not exist, proven by NSEC records: 1, not a failure
	run flow-resolve --dnssec -s "$VALIDATOR_NS" --key "nope._flowkey.flows.example"
	[ "$status" -eq 1 ]
	# the authority sets no AD bit: refused, whatever the answer says
	run --separate-stderr flow-resolve --dnssec -s "$AUTH_NS" --key "$K"
	[ "$status" -eq 69 ]
	[ -z "$output" ]
	assert_match 'not authenticated \(DNSSEC required' "$stderr"
	run --separate-stderr flow-resolve --dnssec -s "$AUTH_NS" flow://arr.flows.example
	[ "$status" -eq 69 ]
	[ -z "$output" ]
	run flow-resolve --dnssec -s "$AUTH_NS" --key "nope._flowkey.flows.example"
	[ "$status" -eq 69 ]
	FLOW_DNSSEC=1 run flow-resolve -s "$AUTH_NS" --key "$K"
	[ "$status" -eq 69 ]
	FLOW_DNSSEC=1 run flow-resolve -s "$VALIDATOR_NS" --key "$K"
	[ "$status" -eq 0 ]
	# without it, the authority's answer is taken as before
	run flow-resolve -s "$AUTH_NS" --key "$K"
	[ "$status" -eq 0 ]
}

@test "flow-verify --dns --dnssec: a key authenticated by the validating resolver verifies; from the authority the key is unavailable (69); --dnssec needs --dns (64)" {
	dnssec_start
	publish
	event 1 | flow-sign -k "$TMP/ed.pem" -i "$K" > "$TMP/signed"
	flow-verify --dns --dnssec -s "$VALIDATOR_NS" --namespace flows.example < "$TMP/signed" | cmp - "$TMP/signed"
	run --separate-stderr flow-verify --dns --dnssec -s "$AUTH_NS" < "$TMP/signed"
	[ "$status" -eq 69 ]
	[ -z "$output" ]
	assert_match 'not authenticated' "$stderr"
	FLOW_DNSSEC=1 run flow-verify --dns -s "$AUTH_NS" < "$TMP/signed"
	[ "$status" -eq 69 ]
	run flow-verify --dnssec -k "$TMP/ed.pem" -i "$K" < "$TMP/signed"
	[ "$status" -eq 64 ]
	assert_match -- '--dnssec is for --dns' "$output"
}

@test "a resolver whose trust anchor is not the zone's key: every answer under example is bogus (SERVFAIL), and nothing is taken (69)" {
	DNSSEC_BAD_ANCHOR=1 dnssec_start
	publish
	run flow-resolve --dnssec -s "$VALIDATOR_NS" --key "$K"
	[ "$status" -eq 69 ]
	run flow-resolve -s "$VALIDATOR_NS" --key "$K"
	[ "$status" -eq 69 ]
	event 1 | flow-sign -k "$TMP/ed.pem" -i "$K" > "$TMP/signed"
	run --separate-stderr flow-verify --dns --dnssec -s "$VALIDATOR_NS" < "$TMP/signed"
	[ "$status" -eq 69 ]
	[ -z "$output" ]
}
