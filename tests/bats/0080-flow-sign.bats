#!/usr/bin/env bats
# flow-sign: dssematerial added as the Verifiability spec says, every other
# byte of the line unchanged; keys, extensions, rejects, order, pipes.

load helpers/common
load helpers/sign

setup_file() {
	export KEYS=$BATS_FILE_TMPDIR
	spec_key "$KEYS"
	new_keys "$KEYS"
}

setup() {
	common_setup
}

teardown() {
	common_teardown
}

sha() {
	openssl dgst -sha256 -binary
}

@test "usage: -h, -V, no key, unpaired -k/-i, operands, bad -j, -e rules, bad key ids" {
	run flow-sign -h
	[ "$status" -eq 0 ]
	assert_match 'usage: flow-sign' "$output"
	run flow-sign -V
	[ "$status" -eq 0 ]
	assert_match '^flow-sign ' "$output"
	run flow-sign </dev/null
	[ "$status" -eq 64 ]
	run flow-sign -k "$KEYS/ed.pem" </dev/null
	[ "$status" -eq 64 ]
	assert_match 'give each key' "$output"
	run flow-sign -k "$KEYS/ed.pem" -i a -i b </dev/null
	[ "$status" -eq 64 ]
	run flow-sign -k "$KEYS/ed.pem" -i a file </dev/null
	[ "$status" -eq 64 ]
	run flow-sign -k "$KEYS/ed.pem" -i a -j 65 </dev/null
	[ "$status" -eq 64 ]
	for e in id time dssematerial Exta 'ex-ta' ''; do
		run flow-sign -k "$KEYS/ed.pem" -i a -e "$e" </dev/null
		[ "$status" -eq 64 ]
	done
	run flow-sign -k "$KEYS/ed.pem" -i a -e exta -e exta </dev/null
	[ "$status" -eq 64 ]
	assert_match 'a name repeated' "$output"
	run flow-sign -k "$KEYS/ed.pem" -i '' </dev/null
	[ "$status" -eq 64 ]
	run flow-sign -k "$KEYS/ed.pem" -i "$(printf 'a\tb')" </dev/null
	[ "$status" -eq 64 ]
	run flow-sign -k "$KEYS/ed.pem" -i "$(printf '%0256d' 0)" </dev/null
	[ "$status" -eq 64 ]
}

@test "unusable keys: missing, a public key, another curve, RSA: exit 78" {
	run flow-sign -k "$TMP/none.pem" -i a </dev/null
	[ "$status" -eq 78 ]
	run flow-sign -k "$KEYS/ed.pub" -i a </dev/null
	[ "$status" -eq 78 ]
	assert_match 'no PEM private key' "$output"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$TMP/p384.pem" 2>/dev/null
	run flow-sign -k "$TMP/p384.pem" -i a </dev/null
	[ "$status" -eq 78 ]
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$TMP/rsa.pem" 2>/dev/null
	run flow-sign -k "$TMP/rsa.pem" -i a </dev/null
	[ "$status" -eq 78 ]
	assert_match 'not an ECDSA P-256 or Ed25519 key' "$output"
}

@test "dssematerial is added before the closing brace; every other byte is unchanged" {
	for k in p256 ed; do
		printf '%s\n' '{ "specversion" : "1.0", "id":"a\u00e9", "source":"/s","type":"t" , "data":{"b": [1, 2.50]} }  ' \
			'{"specversion":"1.0","id":"2","source":"/s","type":"t","data_base64":"AAEC"}' >"$TMP/in"
		flow-sign -k "$KEYS/$k.pem" -i k <"$TMP/in" >"$TMP/out"
		assert_eq "$(cat "$TMP/in")" "$(sed 's/,"dssematerial":"[A-Za-z0-9+\/=]*"//' "$TMP/out")"
		assert_eq 2 "$(grep -c '"dssematerial":"' "$TMP/out")"
		run flow-verify -k "$KEYS/$k.pub" -i k <"$TMP/out"
		[ "$status" -eq 0 ]
		assert_eq "$(cat "$TMP/out")" "$output"
	done
}

@test "the material is the spec's: payloadType, keyid, core and ext digests computed by hand" {
	line=$(event 1 ',"subject":"s","time":"2026-05-13T10:49:12.123456+01:00","exta":true,"extb":-42,"extc":"v\u00e9","data":{"x": 1}' |
		flow-sign -k "$KEYS/ed.pem" -i sel._flowkey.example.com -e extc -e exta -e extb -e absent)
	env=$(printf '%s\n' "$line" | jq -r .dssematerial | base64 -d)
	assert_eq https://cloudevents.io/verifiability/dsse/v0.1 "$(printf '%s' "$env" | jq -r .payloadType)"
	assert_eq sel._flowkey.example.com "$(printf '%s' "$env" | jq -r '.signatures[0].keyid')"
	m=$(printf '%s\n' "$line" | material_of)
	assert_eq '["extc","exta","extb","absent"]' "$(printf '%s' "$m" | jq -c .signedextattrs)"
	core=$({ for v in 1 /test 1.0 com.example.test '' '' s 2026-05-13T09:49:12Z '{"x": 1}'; do
		printf '%s' "$v" | sha; done; } | sha | base64)
	assert_eq "$core" "$(printf '%s' "$m" | jq -r .core)"
	ext=$({ printf 'vé' | sha; printf true | sha; printf -- -42 | sha; printf '' | sha; } | sha | base64)
	assert_eq "$ext" "$(printf '%s' "$m" | jq -r .ext)"
}

@test "the spec's cases signed with its key: Case 5's core, Cases 6a/7's ext and 3 = 4 as published" {
	for c in case3 case4 case5; do spec_vector $c | unsigned_of | flow-sign -k "$KEYS/spec.pem" -i testkey; done >"$TMP/out"
	assert_eq qCSeiZkS+hH9WiClfq6plfqYNVy2kvxWRfoBrLEzoDk= "$(sed -n 3p "$TMP/out" | material_of | jq -r .core)"
	assert_eq "$(sed -n 1p "$TMP/out" | material_of)" "$(sed -n 2p "$TMP/out" | material_of)"
	assert_eq kU1P8bDaEnyNhglWzdTJNHh77khNWSZebBUxufVM2pU= \
		"$(spec_vector case6a | unsigned_of | flow-sign -k "$KEYS/spec.pem" -i testkey -e exta | material_of | jq -r .ext)"
	assert_eq HB1pe431FoQZRsJbyLNMq0QaAvqPtmhdi8dHGShbJAU= \
		"$(spec_vector case7 | unsigned_of | flow-sign -k "$KEYS/spec.pem" -i testkey -e exta -e extb | material_of | jq -r .ext)"
	run flow-verify -k "$KEYS/spec.pub" -i testkey <"$TMP/out"
	[ "$status" -eq 0 ]
}

@test "P-256 signatures are made with a low s; several keys give several signatures" {
	for i in $(seq 20); do event $i; done | flow-sign -k "$KEYS/spec.pem" -i testkey -k "$KEYS/ed.pem" -i ed >"$TMP/out"
	for i in $(seq 20); do sed -n ${i}p "$TMP/out" | jq -r .dssematerial | dsse-sign -s | head -1; done >"$TMP/s"
	assert_eq 20 "$(grep -c '^low$' "$TMP/s")"
	assert_eq '["testkey","ed"]' "$(head -1 "$TMP/out" | jq -r .dssematerial | base64 -d | jq -c '[.signatures[].keyid]')"
}

@test "an already signed event is signed again: its dssematerial replaced where it stands" {
	first=$(event 1 ',"exta":"x"' | flow-sign -k "$KEYS/ed.pem" -i old)
	again=$(printf '%s\n' "$first" | flow-sign -k "$KEYS/p256.pem" -i new)
	assert_eq 1 "$(printf '%s\n' "$again" | grep -o dssematerial | wc -l)"
	assert_eq "$(printf '%s\n' "$first" | unsigned_of)" "$(printf '%s\n' "$again" | unsigned_of)"
	run flow-verify -k "$KEYS/p256.pub" -i new <<<"$again"
	[ "$status" -eq 0 ]
	run flow-verify -k "$KEYS/ed.pub" -i old <<<"$again"
	[ "$status" -eq 65 ]
	# material that is not even a string is replaced too
	run flow-verify -k "$KEYS/ed.pub" -i k <<<"$(event 2 ',"dssematerial":7' | flow-sign -k "$KEYS/ed.pem" -i k)"
	[ "$status" -eq 0 ]
}

@test "an optional attribute given as \"\" signs as absent (the spec's Case 2); the line keeps it" {
	line=$(event 1 ',"subject":"","dssematerial":"x"' | flow-sign -k "$KEYS/ed.pem" -i k)
	assert_eq '""' "$(printf '%s\n' "$line" | jq .subject)"
	assert_eq "$(event 1 | flow-sign -k "$KEYS/ed.pem" -i k | material_of)" "$(printf '%s\n' "$line" | material_of)"
	run flow-verify -k "$KEYS/ed.pub" -i k <<<"$line"
	[ "$status" -eq 0 ]
	assert_eq "$line" "$output"
	# but not when the line has more than the object (found by verify-fuzz)
	run flow-sign -k "$KEYS/ed.pem" -i k <<<"$(event 1 ',"subject":""') x}"
	[ "$status" -eq 65 ]
}

@test "lines that cannot be signed: reported with their number, kept with --reject, exit 65, order kept" {
	{
		event 1
		echo 'not json'
		event 3 ',"time":"2020-06-18T17:24:53"'
		event 4 ',"exta":1.5'
		event 5 ',"time":"1600-01-01T00:00:00Z"'
		event 6 ',"data_base64":"AAF="'
		event 7
	} >"$TMP/in"
	run --separate-stderr flow-sign -r "$TMP/rej" -k "$KEYS/ed.pem" -i k -e exta <"$TMP/in"
	[ "$status" -eq 65 ]
	assert_eq "1 7" "$(printf '%s\n' "$output" | jq -r .id | paste -sd' ')"
	assert_eq "$(sed -n 2,6p "$TMP/in")" "$(cat "$TMP/rej")"
	assert_match 'flow-sign: line 2: ' "$stderr"
	assert_match 'flow-sign: line 3: time' "$stderr"
	assert_match 'flow-sign: line 4: extension exta' "$stderr"
	assert_match 'flow-sign: line 5: time: not an RFC 3339 time between 1677 and 2262' "$stderr"
	assert_match 'flow-sign: line 6: data_base64: not canonical base64 \(pad bits set\)' "$stderr"
	# a reject file that cannot be made
	run flow-sign -r "$TMP/no/such/dir" -k "$KEYS/ed.pem" -i k <"$TMP/in"
	[ "$status" -eq 74 ]
}

@test "a line over 1 MiB is rejected whole, in its place" {
	{ event 1; printf '{"specversion":"1.0","id":"2","source":"/s","type":"t","data":"%s"}\n' "$(head -c 1100000 /dev/zero | tr '\0' a)"; event 3; } >"$TMP/in"
	run --separate-stderr flow-sign -r "$TMP/rej" -k "$KEYS/ed.pem" -i k <"$TMP/in"
	[ "$status" -eq 65 ]
	assert_eq "1 3" "$(printf '%s\n' "$output" | jq -r .id | paste -sd' ')"
	cmp "$TMP/rej" <(sed -n 2p "$TMP/in")
	assert_match 'line 2: longer than' "$stderr"
}

@test "many events on several threads: input order, memory flat" {
	many_events 5000 >"$TMP/in"
	run --separate-stderr flow-sign -j 4 -k "$KEYS/p256.pem" -i k <"$TMP/in"
	[ "$status" -eq 0 ]
	assert_eq "$(seq 5000 | sed 's/^/e/')" "$(printf '%s\n' "$output" | jq -r .id)"
	# the same 5000 events twenty times over: a bounded resident size
	for i in $(seq 20); do cat "$TMP/in"; done >"$TMP/big"
	/usr/bin/time -f %M -o "$TMP/rss" flow-sign -j 2 -k "$KEYS/ed.pem" -i k <"$TMP/big" >"$TMP/big.out"
	/usr/bin/time -f %M -o "$TMP/rss1" flow-sign -j 2 -k "$KEYS/ed.pem" -i k <"$TMP/in" >/dev/null
	[ "$(wc -l <"$TMP/big.out")" -eq 100000 ]
	# AddressSanitizer's quarantine holds freed memory: sizes are asserted
	# on the plain build only (the sanitized run checks the rest)
	sanitized_build || [ "$(cat "$TMP/rss")" -lt 65536 ]
	sanitized_build || [ "$(cat "$TMP/rss")" -lt $(( $(cat "$TMP/rss1") + 16384 )) ]
}

@test "a reader that goes away ends it quietly; a full disk is exit 74" {
	many_events 20000 >"$TMP/in"
	run bash -c 'flow-sign -k "$1" -i k <"$2" | head -1 >/dev/null; echo "${PIPESTATUS[0]}"' _ "$KEYS/ed.pem" "$TMP/in"
	assert_eq 0 "$output"
	run bash -c 'flow-sign -k "$1" -i k <"$2" >/dev/full' _ "$KEYS/ed.pem" "$TMP/in"
	[ "$status" -eq 74 ]
	assert_match 'stdout: No space left' "$output"
}

@test "an event is written while the input pauses, not held for a batch" {
	mkfifo "$TMP/fifo"
	flow-sign -k "$KEYS/ed.pem" -i k <"$TMP/fifo" >"$TMP/out" &
	pid=$!
	exec 7>"$TMP/fifo"
	event 1 >&7
	wait_lines "$TMP/out" 1 10
	event 2 >&7
	wait_lines "$TMP/out" 2 10
	exec 7>&-
	wait "$pid"
}
