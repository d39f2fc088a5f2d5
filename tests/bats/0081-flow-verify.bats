#!/usr/bin/env bats
# flow-verify: the Verifiability spec's Verification Protocol step by step,
# its test vectors (as published, and re-signed with the spec's key), the
# three consumer modes, keys from files and from a real BIND named.

load helpers/common
load helpers/sign
load helpers/named

# Key records as DKIM has them, under two namespaces of example.test.
key_records() {
	local p256 ed half
	p256=$(key_record "$KEYS/p256.pub" p256)
	ed=$(key_record "$KEYS/ed.pub" ed25519)
	half=$(( ${#p256} / 2 ))
	cat <<EOF2
sel1._flowkey.orange	TXT "$p256"
sel2._flowkey.orange	TXT "$ed"
split._flowkey.orange	TXT "${p256:0:$half}" "${p256:$half}"
sel1._flowkey.blue	TXT "$ed"
revoked._flowkey.orange	TXT "v=FLOWKEY1; k=p256; p="
junk._flowkey.orange	TXT "v=FLOWKEY1; k=p256; p=AAAA"
rsa._flowkey.orange	TXT "v=FLOWKEY1; k=rsa; ${p256#*k=p256; }"
wrongk._flowkey.orange	TXT "v=FLOWKEY1; k=ed25519; ${p256#*k=p256; }"
twice._flowkey.orange	TXT "$p256"
twice._flowkey.orange	TXT "$ed"
nov._flowkey.orange	TXT "k=p256; ${p256#*k=p256; }"
other._flowkey.orange	TXT "v=spf1 -all"
other._flowkey.orange	TXT "$ed"
EOF2
}

setup_file() {
	export KEYS=$BATS_FILE_TMPDIR
	spec_key "$KEYS"
	new_keys "$KEYS"
	key_records >"$KEYS/records.db"
	named_start example.test "$KEYS/records.db"
}

teardown_file() {
	named_stop
}

O=_flowkey.orange.example.test

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# verify_fails STEP LINE [flow-verify options]: the line fails at STEP
verify_fails() {
	local step=$1 line=$2
	shift 2
	run --separate-stderr flow-verify -k "$KEYS/spec.pub" -i testkey "$@" <<<"$line"
	[ "$status" -eq 65 ] || { echo "status $status: $stderr" >&2; return 1; }
	[ -z "$output" ]
	assert_match "^flow-verify: line 1: step $step: " "$stderr"
}

spec_sign() {
	flow-sign -k "$KEYS/spec.pem" -i testkey "$@"
}

@test "usage: -h, -V, no key, unpaired -k, bad mode, operands, bad -j, -s without --dns" {
	run flow-verify -h
	[ "$status" -eq 0 ]
	assert_match 'usage: flow-verify' "$output"
	run flow-verify -V
	[ "$status" -eq 0 ]
	assert_match '^flow-verify ' "$output"
	run flow-verify </dev/null
	[ "$status" -eq 64 ]
	assert_match 'no key to verify with' "$output"
	run flow-verify -k "$KEYS/spec.pub" </dev/null
	[ "$status" -eq 64 ]
	run flow-verify -k "$KEYS/spec.pub" -i a --mode lenient </dev/null
	[ "$status" -eq 64 ]
	assert_match 'expected strict, passthrough or core-only' "$output"
	run flow-verify -k "$KEYS/spec.pub" -i a file </dev/null
	[ "$status" -eq 64 ]
	run flow-verify -k "$KEYS/spec.pub" -i a -j 0 </dev/null
	[ "$status" -eq 64 ]
	run flow-verify -k "$KEYS/spec.pub" -i a -s 127.0.0.1 </dev/null
	[ "$status" -eq 64 ]
	run flow-verify --dns --namespace 'bad_name' </dev/null
	[ "$status" -eq 64 ]
	run flow-verify --dns -s '[::1' </dev/null
	[ "$status" -eq 64 ]
}

@test "unusable key files: missing, not a key, another curve: exit 78" {
	run flow-verify -k "$TMP/none.pem" -i a </dev/null
	[ "$status" -eq 78 ]
	assert_match "none.pem: " "$output"
	echo junk >"$TMP/junk.pem"
	run flow-verify -k "$TMP/junk.pem" -i a </dev/null
	[ "$status" -eq 78 ]
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$TMP/p384.pem" 2>/dev/null
	run flow-verify -k "$TMP/p384.pem" -i a </dev/null
	[ "$status" -eq 78 ]
	assert_match 'not an ECDSA P-256 or Ed25519 key' "$output"
}

@test "published Case 5 verifies with the spec's key, passed on byte for byte" {
	line=$(spec_vector case5)
	run --separate-stderr flow-verify -k "$KEYS/spec.pub" -i testkey <<<"$line"
	[ "$status" -eq 0 ]
	assert_eq "$line" "$output"
}

@test "published Cases 1, 2 and the Examples: a bare core digest as payload fails at step 6" {
	verify_fails 6 "$(spec_vector case1)"
	verify_fails 6 "$(spec_vector case2)"
	verify_fails 6 "$(spec_vector example)"
}

@test "published Cases 6a, 6b and the walkthrough: a payload ending in a stray = fails at step 6" {
	verify_fails 6 "$(spec_vector case6a)"
	verify_fails 6 "$(spec_vector case6b)"
	verify_fails 6 "$(spec_vector walkthrough)"
}

@test "published Cases 3, 4 and 7: signed over pretty-printed data, the line's data fails at step 8" {
	verify_fails 8 "$(spec_vector case3)"
	verify_fails 8 "$(spec_vector case4)"
	verify_fails 8 "$(spec_vector case7)"
}

@test "every case re-signed with the spec's key (X, Y, d) verifies, its extensions too" {
	for c in case1 case2 case3 case4 case5 walkthrough example; do
		spec_vector $c | unsigned_of | spec_sign >>"$TMP/signed"
	done
	for c in case6a case6b walkthrough; do
		spec_vector $c | unsigned_of | spec_sign -e exta >>"$TMP/signed"
	done
	spec_vector case7 | unsigned_of | spec_sign -e exta -e extb >>"$TMP/signed"
	run --separate-stderr flow-verify --mode passthrough -k "$KEYS/spec.pub" -i testkey <"$TMP/signed"
	[ "$status" -eq 0 ]
	assert_eq 11 "$(printf '%s\n' "$output" | wc -l)"
	# 6b signed exta only: extb is passed on marked
	assert_eq extb "$(printf '%s\n' "$output" | sed -n 9p | jq -r .dsseunverified)"
	assert_eq null "$(printf '%s\n' "$output" | sed -n 11p | jq -r .dsseunverified)"
}

# material PAYLOAD: dssematerial over PAYLOAD by the spec's key
material() {
	printf '%s' "$1" | dsse-sign "$KEYS/spec.pem" testkey
}

D=$(printf '%032d' 0 | base64)   # 32 bytes of zeros: a digest never checked here

@test "Cases 8a-8e: signedextattrs broken in a well-signed payload fails at 6.4 and 6.5" {
	base=$(spec_vector case6a | unsigned_of)
	verify_fails 6.4 "$(with_material "$base" "$(material '{"core":"'$D'","ext":"'$D'","signedextattrs":["exta","exta"]}')")"
	for core in id source specversion type datacontenttype dataschema subject time; do
		verify_fails 6.4 "$(with_material "$base" "$(material '{"core":"'$D'","ext":"'$D'","signedextattrs":["exta","'$core'"]}')")"
	done
	verify_fails 6.4 "$(with_material "$base" "$(material '{"core":"'$D'","ext":"'$D'","signedextattrs":["dssematerial"]}')")"
	verify_fails 6.5 "$(with_material "$base" "$(material '{"core":"'$D'","signedextattrs":["exta"]}')")"
	verify_fails 6.5 "$(with_material "$base" "$(material '{"core":"'$D'","ext":"'$D'"}')")"
	verify_fails 6.5 "$(with_material "$base" "$(material '{"core":"'$D'","ext":"'$D'","signedextattrs":[]}')")"
}

@test "Case 8f: a signed extension whose value has no CloudEvents type is discarded, in every mode" {
	# the validator knows the types of extension values: no step is reached
	line=$(event 1 ',"exta":"x"' | spec_sign -e exta)
	for v in '{"a":1}' '[1]' 1.5 2147483648 -2147483649 1e3; do
		for m in strict passthrough core-only; do
			run --separate-stderr flow-verify --mode $m -k "$KEYS/spec.pub" -i testkey \
				<<<"$(printf '%s\n' "$line" | sed 's/"exta":"x"/"exta":'"$v"'/')"
			[ "$status" -eq 65 ]
			[ -z "$output" ]
			assert_match '^flow-verify: line 1: extension exta: ' "$stderr"
		done
	done
	# null is an attribute not set (CloudEvents JSON): it hashes as empty
	verify_fails 9 "$(printf '%s\n' "$line" | sed 's/"exta":"x"/"exta":null/')"
	# the 32-bit bounds themselves are Integers
	for v in 2147483647 -2147483648 0; do
		line=$(event 1 ',"exta":'$v | spec_sign -e exta)
		run flow-verify -k "$KEYS/spec.pub" -i testkey <<<"$line"
		[ "$status" -eq 0 ]
	done
}

@test "material broken at each step of the protocol" {
	base=$(event 1)
	verify_fails 2 "$base"
	verify_fails 2 "$(event 1 ',"dssematerial":""')"
	verify_fails 3 "$(event 1 ',"dssematerial":42')"
	verify_fails 3 "$(event 1 ',"dssematerial":"not base64!"')"
	verify_fails 3 "$(with_material "$base" "$(printf '\377\376' | base64)")"
	verify_fails 4 "$(with_material "$base" "$(printf 'not json' | base64)")"
	verify_fails 4 "$(with_material "$base" "$(printf '{"payload":"e30=","payloadType":"https://cloudevents.io/verifiability/dsse/v0.1","signatures":[]}' | base64 -w0)")"
	verify_fails 4 "$(with_material "$base" "$(printf '{"payload":"e30=","payload":"e30=","payloadType":"x","signatures":[{"sig":""}]}' | base64 -w0)")"
	verify_fails 5 "$(with_material "$base" "$(printf '{"payload":"e30=","payloadType":"application/vnd.in-toto+json","signatures":[{"keyid":"testkey","sig":""}]}' | base64 -w0)")"
	verify_fails 6.2 "$(with_material "$base" "$(material '{"core":"AAAA"}')")"
	verify_fails 6.2 "$(with_material "$base" "$(material '{"ext":"'$D'","signedextattrs":["a"]}')")"
	verify_fails 6.3 "$(with_material "$base" "$(material '{"core":"'$D'","ext":"AAAA","signedextattrs":["a"]}')")"
	verify_fails 6.4 "$(with_material "$base" "$(material '{"core":"'$D'","ext":"'$D'","signedextattrs":"a"}')")"
	verify_fails 6.4 "$(with_material "$base" "$(material '{"core":"'$D'","ext":"'$D'","signedextattrs":[1]}')")"
	verify_fails 8 "$(with_material "$base" "$(material '{"core":"'$D'"}')")"
}

@test "step 7: wrong key, unknown key id, a changed signature; any one good signature of several passes" {
	line=$(event 1 | spec_sign)
	run --separate-stderr flow-verify -k "$KEYS/p256.pub" -i other <<<"$line"
	[ "$status" -eq 65 ]
	assert_match 'line 1: step 7: no signature by an accepted key' "$stderr"
	run --separate-stderr flow-verify -k "$KEYS/p256.pub" -i testkey <<<"$line"
	[ "$status" -eq 65 ]
	assert_match 'step 7: the signature by keyid "testkey" does not verify' "$stderr"
	run --separate-stderr flow-verify -k "$KEYS/spec.pub" -i other <<<"$line"
	[ "$status" -eq 65 ]
	assert_match 'step 7: no signature by an accepted key \(keyid "testkey": no key given for it\)' "$stderr"
	two=$(event 2 | flow-sign -k "$KEYS/ed.pem" -i ed -k "$KEYS/p256.pem" -i p)
	run flow-verify -k "$KEYS/p256.pub" -i p <<<"$two"
	[ "$status" -eq 0 ]
	run flow-verify -k "$KEYS/ed.pub" -i ed <<<"$two"
	[ "$status" -eq 0 ]
	# the ed25519 signature replaced by garbage of the right length: the other still verifies
	env=$(printf '%s\n' "$two" | jq -r .dssematerial | base64 -d)
	bad=$(printf '%s' "$env" | jq -c '.signatures[0].sig = "'"$(printf '%064d' 0 | base64 -w0)"'"' | base64 -w0)
	verify_fails 7 "$(with_material "$two" "$bad")" -k "$KEYS/ed.pub" -i ed
	run flow-verify -k "$KEYS/p256.pub" -i p <<<"$(with_material "$two" "$bad")"
	[ "$status" -eq 0 ]
}

@test "tampering: data, a core attribute, time and a signed extension fail; an unsigned one is dropped" {
	line=$(event 1 ',"time":"2020-06-18T19:24:53.5+02:00","exta":"a","extb":"b","data":{"x":1}' | spec_sign -e exta)
	verify_fails 8 "${line/\"x\":1/\"x\":2}"
	verify_fails 8 "${line/\"id\":\"1\"/\"id\":\"2\"}"
	verify_fails 8 "${line/19:24:53/19:24:54}"
	verify_fails 9 "${line/\"exta\":\"a\"/\"exta\":\"A\"}"
	# the same instant written otherwise, and a changed unsigned extension, verify
	run --separate-stderr flow-verify -k "$KEYS/spec.pub" -i testkey <<<"${line/19:24:53.5+02:00/17:24:53.999Z}"
	[ "$status" -eq 0 ]
	run --separate-stderr flow-verify -k "$KEYS/spec.pub" -i testkey <<<"${line/\"extb\":\"b\"/\"extb\":\"B\"}"
	[ "$status" -eq 0 ]
	assert_eq null "$(printf '%s\n' "$output" | jq -r .extb)"
	assert_eq a "$(printf '%s\n' "$output" | jq -r .exta)"
}

@test "modes: strict drops unsigned extensions, passthrough marks them, core-only drops all" {
	line=$(event 1 ',"exta":"a","extb":"b","dsseunverified":"forged","data":{"x":1}' | spec_sign -e exta)
	run --separate-stderr flow-verify -k "$KEYS/spec.pub" -i testkey <<<"$line"
	[ "$status" -eq 0 ]
	assert_eq '{"exta":"a","extb":null,"mark":null,"m":true}' \
		"$(printf '%s\n' "$output" | jq -c '{exta, extb, mark: .dsseunverified, m: (.dssematerial != null)}')"
	run --separate-stderr flow-verify --mode passthrough -k "$KEYS/spec.pub" -i testkey <<<"$line"
	[ "$status" -eq 0 ]
	assert_eq '{"exta":"a","extb":"b","mark":"extb"}' \
		"$(printf '%s\n' "$output" | jq -c '{exta, extb, mark: .dsseunverified}')"
	run --separate-stderr flow-verify --mode core-only -k "$KEYS/spec.pub" -i testkey <<<"$line"
	[ "$status" -eq 0 ]
	assert_eq '{"exta":null,"extb":null,"x":1}' "$(printf '%s\n' "$output" | jq -c '{exta, extb, x: .data.x}')"
	# all extensions signed: the line passes byte for byte in every mode
	line=$(event 1 ',"exta":"a"' | spec_sign -e exta)
	for m in strict passthrough core-only; do
		[ "$m" = core-only ] && continue
		run flow-verify --mode $m -k "$KEYS/spec.pub" -i testkey <<<"$line"
		assert_eq "$line" "$output"
	done
}

@test "URL-safe and unpadded base64 in the material are read; high-s P-256 signatures verify" {
	line=$(event 1 ',"data":"\u00ff\u00fe>>>???"' | spec_sign)
	mat=$(printf '%s\n' "$line" | jq -r .dssematerial)
	url=$(printf '%s' "$mat" | base64 -d | jq -c '.payload |= (gsub("\\+"; "-") | gsub("/"; "_") | rtrimstr("=") | rtrimstr("="))' |
		base64 -w0 | tr '+/' '-_' | tr -d =)
	run flow-verify -k "$KEYS/spec.pub" -i testkey <<<"$(with_material "$line" "$url")"
	[ "$status" -eq 0 ]
	high=$(printf '%s' "$(printf '%s\n' "$line" | material_of)" | dsse-sign -H "$KEYS/spec.pem" testkey)
	assert_eq high "$(dsse-sign -s <<<"$high")"
	run flow-verify -k "$KEYS/spec.pub" -i testkey <<<"$(with_material "$line" "$high")"
	[ "$status" -eq 0 ]
}

@test "failures reported with line numbers, kept unchanged with --reject, in order; exit 65" {
	good=$(event 1 | spec_sign)
	{ echo "$good"; event 2; echo 'not json'; echo "$good" | sed 's/"id":"1"/"id":"3"/'; echo "$good"; } >"$TMP/in"
	run --separate-stderr flow-verify -r "$TMP/rej" -k "$KEYS/spec.pub" -i testkey <"$TMP/in"
	[ "$status" -eq 65 ]
	assert_eq "$(printf '%s\n%s' "$good" "$good")" "$output"
	assert_eq "$(sed -n 2,4p "$TMP/in")" "$(cat "$TMP/rej")"
	assert_match 'line 2: step 2: no dssematerial' "$stderr"
	assert_match 'line 3: ' "$stderr"
	assert_match 'line 4: step 8: ' "$stderr"
}

@test "many events on several threads come out in input order, failures at their lines" {
	many_events 3000 | flow-sign -j 3 -k "$KEYS/ed.pem" -i ed >"$TMP/signed"
	sed -i '1500s/"id":"e1500"/"id":"x"/' "$TMP/signed"
	run --separate-stderr flow-verify -j 4 -k "$KEYS/ed.pub" -i ed <"$TMP/signed"
	[ "$status" -eq 65 ]
	assert_eq "$(seq 3000 | grep -vx 1500 | sed 's/^/e/')" "$(printf '%s\n' "$output" | jq -r .id)"
	assert_match '^flow-verify: line 1500: step 8' "$stderr"
}

@test "--dns: keys found as <selector>._flowkey.<namespace> TXT, P-256, Ed25519, a record in two strings" {
	{
		event 1 | flow-sign -k "$KEYS/p256.pem" -i sel1.$O
		event 2 | flow-sign -k "$KEYS/ed.pem" -i sel2.$O
		event 3 | flow-sign -k "$KEYS/p256.pem" -i split.$O
		event 4 | flow-sign -k "$KEYS/ed.pem" -i other.$O
		event 5 | flow-sign -k "$KEYS/ed.pem" -i sel1._flowkey.blue.example.test
		event 6 | flow-sign -k "$KEYS/p256.pem" -i SEL1._FLOWKEY.orange.example.test.
	} >"$TMP/in"
	run --separate-stderr flow-verify --dns <"$TMP/in"
	[ "$status" -eq 0 ]
	assert_eq "$(seq 6)" "$(printf '%s\n' "$output" | jq -r .id)"
	# -s overrides FLOW_NAMESERVER
	FLOW_NAMESERVER=127.0.0.1:1 run flow-verify --dns -s "127.0.0.1:$NAMED_PORT" <"$TMP/in"
	[ "$status" -eq 0 ]
}

@test "--namespace: only key ids under _flowkey.NS, from DNS or files (alignment)" {
	{
		event 1 | flow-sign -k "$KEYS/p256.pem" -i sel1.$O
		event 2 | flow-sign -k "$KEYS/ed.pem" -i sel1._flowkey.blue.example.test
		event 3 | flow-sign -k "$KEYS/spec.pem" -i testkey
	} >"$TMP/in"
	run --separate-stderr flow-verify --dns --namespace orange.example.test -k "$KEYS/spec.pub" -i testkey <"$TMP/in"
	[ "$status" -eq 65 ]
	assert_eq 1 "$(printf '%s\n' "$output" | jq -r .id)"
	assert_match 'line 2: step 7: no signature by an accepted key \(keyid "sel1._flowkey.blue.example.test": not under _flowkey.orange.example.test\)' "$stderr"
	assert_match 'line 3: step 7: .*testkey.*not under _flowkey.orange.example.test' "$stderr"
	run --separate-stderr flow-verify --dns --namespace blue.example.test <"$TMP/in"
	[ "$status" -eq 65 ]
	assert_eq 2 "$(printf '%s\n' "$output" | jq -r .id)"
}

@test "--dns: no record, revoked, junk, wrong k=, two records, no v=, not a key-id name: step 7" {
	for sel in none revoked junk rsa wrongk twice nov; do
		event $sel | flow-sign -k "$KEYS/p256.pem" -i $sel.$O
	done >"$TMP/in"
	event plain | flow-sign -k "$KEYS/p256.pem" -i plainkey >>"$TMP/in"
	run --separate-stderr flow-verify --dns <"$TMP/in"
	[ "$status" -eq 65 ]
	[ -z "$output" ]
	assert_match 'line 1: step 7: .*no FLOWKEY1 record in DNS' "$stderr"
	assert_match 'line 2: step 7: .*key revoked' "$stderr"
	assert_match 'line 3: step 7: .*not a DER SubjectPublicKeyInfo' "$stderr"
	assert_match 'line 4: step 7: .*k= is not p256 or ed25519' "$stderr"
	assert_match 'line 5: step 7: .*k= does not name the key' "$stderr"
	assert_match 'line 6: step 7: .*more than one FLOWKEY1 record' "$stderr"
	assert_match 'line 7: step 7: .*no FLOWKEY1 record' "$stderr"
	assert_match 'line 8: step 7: .*not <selector>._flowkey.<namespace>' "$stderr"
}

@test "--dns: a name server that does not answer stops with 69 after what was verified" {
	{
		event 1 | flow-sign -k "$KEYS/spec.pem" -i testkey
		event 2 | flow-sign -k "$KEYS/p256.pem" -i sel1.$O
		event 3 | flow-sign -k "$KEYS/spec.pem" -i testkey
	} >"$TMP/in"
	# a UDP port nobody answers on: our own socket, never read
	run --separate-stderr timeout 60 flow-verify -j 1 --dns -s 127.0.0.1:9 -k "$KEYS/spec.pub" -i testkey <"$TMP/in"
	[ "$status" -eq 69 ]
	assert_eq 1 "$(printf '%s\n' "$output" | jq -r .id)"
	assert_match '^flow-verify: line 2: step 7: keyid "sel1._flowkey.orange.example.test": DNS: ' "$stderr"
}
