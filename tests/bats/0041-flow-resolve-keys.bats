#!/usr/bin/env bats
# flow-resolve and signing keys in DNS, against a real BIND named: the
# nsupdate script of --records add-key|delete-key fed to nsupdate, the key
# printed back by --key, flow-sign and flow-verify --dns with it; records
# that are not a key, key ids that are not names, key files that are not
# keys, each with its exit status.

load helpers/common
load helpers/sign
load helpers/named

O=_flowkey.orange.example.test

# TEXT as the quoted strings of a TXT record, 255 bytes each at most.
txt_strings() {
	local s=$1
	while [ -n "$s" ]; do
		printf ' "%s"' "${s:0:255}"
		s=${s:255}
	done
}

# Records nsupdate does not write: not keys, two keys, keys of other kinds.
bad_records() {
	local p256 ed rsa
	p256=$(key_record "$KEYS/p256.pub" p256)
	ed=$(key_record "$KEYS/ed.pub" ed25519)
	rsa=$(key_record "$KEYS/rsa.pub" p256)
	cat <<EOF2
spf._flowkey.orange	TXT "v=spf1 -all"
twice._flowkey.orange	TXT "$p256"
twice._flowkey.orange	TXT "$ed"
junk._flowkey.orange	TXT "v=FLOWKEY1; k=p256; p=AAAA"
notb64._flowkey.orange	TXT "v=FLOWKEY1; k=p256; p=not*base64"
rsa._flowkey.orange	TXT$(txt_strings "$rsa")
krsa._flowkey.orange	TXT "v=FLOWKEY1; k=rsa; ${p256#*k=p256; }"
revoked._flowkey.orange	TXT "v=FLOWKEY1; k=p256; p="
split._flowkey.orange	TXT$(txt_strings "${ed:0:30}")$(txt_strings "${ed:30}")
EOF2
}

setup_file() {
	export KEYS=$BATS_FILE_TMPDIR
	spec_key "$KEYS"
	new_keys "$KEYS"
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$KEYS/rsa.pem" 2>/dev/null
	openssl pkey -in "$KEYS/rsa.pem" -pubout -out "$KEYS/rsa.pub"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$KEYS/p384.pem" 2>/dev/null
	bad_records >"$KEYS/records.db"
	named_start example.test "$KEYS/records.db"
}

teardown_file() {
	named_stop
}

setup() { common_setup; }
teardown() { common_teardown; }

# publish KEYID FILE [options]: the add-key script, through nsupdate
publish() {
	local id=$1 file=$2
	shift 2
	flow-resolve -s "127.0.0.1:$NAMED_PORT" --records add-key "$id" --public-key "$file" "$@" |
		named_update
}

# The public key of a PEM file (public or private) as openssl writes it.
pem_of() {
	openssl pkey -in "$1" -pubout 2>/dev/null || openssl pkey -pubin -in "$1"
}

@test "--records add-key: the script, p= the DER SubjectPublicKeyInfo; a private key file gives the same" {
	local p
	p=$(openssl pkey -pubin -in "$KEYS/spec.pub" -outform DER | base64 -w0)
	run --separate-stderr flow-resolve -s "127.0.0.1:53" --records add-key \
		Sel1._FLOWKEY.Orange.example.test. --public-key "$KEYS/spec.pub" --ttl 60 --zone example.test
	[ "$status" -eq 0 ]
	assert_eq "server 127.0.0.1 53
zone example.test.
update delete sel1._flowkey.orange.example.test. TXT
update add sel1._flowkey.orange.example.test. 60 IN TXT \"v=FLOWKEY1; k=p256; p=$p\"
send" "$output"
	[ -z "$stderr" ]
	# the private key publishes its public half: the same record
	run flow-resolve -s "127.0.0.1:53" --records add-key sel1.$O --public-key "$KEYS/spec.pem" \
		--ttl 60 --zone example.test
	[ "$status" -eq 0 ]
	assert_eq "update add sel1.$O. 60 IN TXT \"v=FLOWKEY1; k=p256; p=$p\"" "$(sed -n 4p <<<"$output")"
	run flow-resolve --records add-key sel2.$O --public-key "$KEYS/ed.pem"
	[ "$status" -eq 0 ]
	assert_eq "update add sel2.$O. 300 IN TXT \"$(key_record "$KEYS/ed.pub" ed25519)\"" "$(sed -n 2p <<<"$output")"
	run flow-resolve --records delete-key sel2.$O
	[ "$status" -eq 0 ]
	assert_eq "update delete sel2.$O. TXT
send" "$output"
}

@test "round trip: add-key through nsupdate, --key prints it, flow-verify -k and --dns verify with it" {
	publish rt1.$O "$KEYS/p256.pem"
	run --separate-stderr flow-resolve --key RT1.$O
	[ "$status" -eq 0 ]
	assert_eq "key-id=rt1.$O
type=p256
$(pem_of "$KEYS/p256.pub")" "$output"
	# the output as it is makes a key file for flow-verify -k
	printf '%s\n' "$output" >"$TMP/rt1.key"
	event 1 | flow-sign -k "$KEYS/p256.pem" -i rt1.$O >"$TMP/in"
	run --separate-stderr flow-verify -k "$TMP/rt1.key" -i rt1.$O <"$TMP/in"
	[ "$status" -eq 0 ]
	assert_eq 1 "$(printf '%s\n' "$output" | jq -r .id)"
	# Ed25519, with -j; adding again replaces the key
	publish rt2.$O "$KEYS/p256.pub"
	publish rt2.$O "$KEYS/ed.pub" --ttl 30
	run --separate-stderr flow-resolve -j --key rt2.$O
	[ "$status" -eq 0 ]
	assert_eq "rt2.$O ed25519" "$(printf '%s\n' "$output" | jq -r '.key_id + " " + .type')"
	assert_eq "$(pem_of "$KEYS/ed.pub")" "$(printf '%s\n' "$output" | jq -j .pem)"
	assert_eq 30 "$(dig @127.0.0.1 -p "$NAMED_PORT" +noall +answer rt2.$O TXT | awk '{ print $2 }')"
	event 2 | flow-sign -k "$KEYS/ed.pem" -i rt2.$O >>"$TMP/in"
	run --separate-stderr flow-verify --dns <"$TMP/in"
	[ "$status" -eq 0 ]
	assert_eq "1
2" "$(printf '%s\n' "$output" | jq -r .id)"
}

@test "delete-key through nsupdate: --key then exits 1, flow-verify --dns fails at step 7" {
	publish gone.$O "$KEYS/ed.pem"
	run flow-resolve --key gone.$O
	[ "$status" -eq 0 ]
	flow-resolve -s "127.0.0.1:$NAMED_PORT" --records delete-key gone.$O | named_update
	run --separate-stderr flow-resolve --key gone.$O
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	assert_eq "flow-resolve: gone.$O: no FLOWKEY1 record in DNS" "$stderr"
	event 1 | flow-sign -k "$KEYS/ed.pem" -i gone.$O >"$TMP/in"
	run --separate-stderr flow-verify --dns <"$TMP/in"
	[ "$status" -eq 65 ]
	assert_match 'step 7: .*no FLOWKEY1 record in DNS' "$stderr"
}

@test "--key: no name, no FLOWKEY1 record, revoked: 1; a record in two strings: 0" {
	local sel
	for sel in nosuch spf revoked; do
		run --separate-stderr flow-resolve --key $sel.$O
		[ "$status" -eq 1 ] || { echo "$sel: status $status: $stderr" >&2; return 1; }
		[ -z "$output" ]
	done
	assert_eq "flow-resolve: revoked.$O: key revoked (empty p=)" "$stderr"
	run flow-resolve --key spf.$O
	assert_eq "flow-resolve: spf.$O: no FLOWKEY1 record in DNS" "$output"
	run --separate-stderr flow-resolve --key split.$O
	[ "$status" -eq 0 ]
	assert_match '^type=ed25519$' "$output"
}

@test "--key: two records, a p= that is not a key, not base64, an RSA key, k=rsa: 65 and why" {
	local sel why
	while IFS='|' read -r sel why; do
		run --separate-stderr flow-resolve --key $sel.$O
		[ "$status" -eq 65 ] || { echo "$sel: status $status: $stderr" >&2; return 1; }
		[ -z "$output" ]
		assert_eq "flow-resolve: $sel.$O: $why" "$stderr"
	done <<'CASES'
twice|more than one FLOWKEY1 record
junk|not a DER SubjectPublicKeyInfo
notb64|p= is not base64 of at most 512 bytes
rsa|not an ECDSA P-256 or Ed25519 key
krsa|k= is not p256 or ed25519
CASES
}

@test "bad key ids: 64 before any query, for --key and --records add-key|delete-key" {
	local id long
	long=$(printf 'a%.0s' $(seq 300))
	while IFS= read -r id; do
		# no name server answers at port 9: a query would end in 69
		run --separate-stderr flow-resolve -s 127.0.0.1:9 -t 1 -r 0 --key "$id"
		[ "$status" -eq 64 ] || { echo "--key accepted <$id>: $status" >&2; return 1; }
		[ -z "$output" ]
		run flow-resolve --records add-key "$id" --public-key "$KEYS/ed.pub"
		[ "$status" -eq 64 ] || { echo "add-key accepted <$id>: $status" >&2; return 1; }
		run --separate-stderr flow-resolve --records delete-key "$id"
		[ "$status" -eq 64 ] && [ -z "$output" ] || { echo "delete-key accepted <$id>" >&2; return 1; }
	done <<IDS
plainkey
sel.orange.example.test
_flowkey.orange.example.test
a.b.$O
sel._flowkey.
bad_sel.$O
sel._flowkey.orange..example.test
sel._flowkey.orange.example.test;rm
sel._flowkey.\$(id).test
sel._flowkey.../etc
sel._flowkey.$long
$long.$O
IDS
	run flow-resolve --key "$(printf 'sel.%s\nupdate add x' "$O")"
	[ "$status" -eq 64 ]
	assert_match 'not <selector>._flowkey.<namespace>|characters' "$output"
}

@test "--public-key that is not a usable key: missing, not PEM, RSA, P-384: 78, nothing written" {
	local f
	printf 'not a key\n' >"$TMP/text.pem"
	for f in "$TMP/missing.pem" "$TMP/text.pem" "$KEYS/rsa.pem" "$KEYS/rsa.pub" "$KEYS/p384.pem"; do
		run --separate-stderr flow-resolve --records add-key sel.$O --public-key "$f"
		[ "$status" -eq 78 ] || { echo "$f: status $status" >&2; return 1; }
		[ -z "$output" ]
		assert_match "^flow-resolve: $f: " "$stderr"
	done
	assert_match 'not an ECDSA P-256 or Ed25519 key' "$stderr"
}

@test "usage: --public-key, flow record options and --key where they do not belong: 64" {
	local args
	while IFS= read -r args; do
		eval "run --separate-stderr flow-resolve $args"
		[ "$status" -eq 64 ] || { echo "accepted: $args ($status)" >&2; return 1; }
		[ -z "$output" ]
	done <<ARGS
--records add-key sel.$O
--records delete-key sel.$O --public-key "$KEYS/ed.pub"
--records add-key sel.$O --public-key "$KEYS/ed.pub" --agent fnaa.example.test:61000
--records add-key sel.$O --public-key "$KEYS/ed.pub" --public
--records add-key sel.$O sel2.$O --public-key "$KEYS/ed.pub"
--records add-key --public-key "$KEYS/ed.pub"
--records add-key sel.$O --public-key "$KEYS/ed.pub" --ttl -1
--records add-key sel.$O --public-key "$KEYS/ed.pub" --zone 'a b'
--records add arrivals.flows.example.test --agent fnaa.example.test:61000 --public-key "$KEYS/ed.pub"
--records rotate-key sel.$O
--records add-key sel.$O --public-key "$KEYS/ed.pub" --key sel.$O
--public-key "$KEYS/ed.pub" --key sel.$O
--key sel.$O -a
--key sel.$O -u
--key sel.$O -l flows.example.test
--key sel.$O arrivals.flows.example.test
ARGS
}

@test "--key: a name server that does not answer 69, FLOW_NAMESERVER unusable 78" {
	run --separate-stderr timeout 30 flow-resolve -s 127.0.0.1:9 -t 1 -r 0 --key sel1.$O
	[ "$status" -eq 69 ]
	assert_match "^flow-resolve: sel1.$O: " "$stderr"
	FLOW_NAMESERVER='no such:server' run flow-resolve --key sel1.$O
	[ "$status" -eq 78 ]
}
