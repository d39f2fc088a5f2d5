#!/usr/bin/env bats
# fnap-serve's modules (fnap-serve(8) FILES): OpenSSL and librdkafka are
# loaded when a session first needs them, TLS or a Kafka flow, and not
# otherwise; a module that cannot be loaded fails only what needs it.
# The dynamic loader says what it maps (LD_DEBUG=files).

load helpers/common
load helpers/fnap
load helpers/kafka

setup() { common_setup; }
teardown() {
	local clean=0
	fnap_stop || clean=1
	kafka_stop
	common_teardown
	return $clean
}

HEAVY='libssl|libcrypto|librdkafka|libcurl|openssl\.so|kafka\.so|curl\.so'

# agent_conf KAFKA: a file namespace, a Kafka one at KAFKA (topics made by
# the cluster), both user test's, and a certificate
agent_conf() {
	fnap_tls_files
	echo test | fnap-serve -C low -p test | sed 's/:$/:flows.unix.ar,k.unix.ar/' > "$TMP/users"
	export FNAP_NAMESPACES="namespace flows.unix.ar file $TMP/flows
namespace k.unix.ar kafka $1 topics=auto timeout=5"
	export FNAP_EXTRA_CONF="tls-certificate $TMP/tls/cert.pem
tls-key $TMP/tls/key.pem"
	fnap_config
}

# on_pipe [PROGRAM]: a session of stdin's lines on a pipe, the loader
# saying what it maps in $TMP/loaded
on_pipe() {
	sed 's/$/\r/' | LD_DEBUG=files "${1:-fnap-serve}" -c "$TMP/fnap.conf" 2> "$TMP/loaded" | tr -d '\r'
}

@test "modules: a session without TLS or Kafka maps neither OpenSSL nor librdkafka" {
	! ldd "$(command -v fnap-serve)" | grep -E "$HEAVY" || false
	agent_conf 127.0.0.1:1
	gen-events 3 > "$TMP/in"
	{ echo CAPABILITIES; echo "$FNAP_AUTH"; echo 'CREATE FLOW a.flows.unix.ar'
	  echo 'PUBLISH a.flows.unix.ar'; cat "$TMP/in"; echo .
	  echo 'STREAM a.flows.unix.ar FROM BEGINNING TO END'; echo 'DESCRIBE FLOW a.flows.unix.ar'
	  echo QUIT; } | on_pipe > "$TMP/out"
	grep -qx 'STARTTLS' "$TMP/out"
	grep -qx 'BROKERS kafka file fnap' "$TMP/out"
	grep -qx '220 OK 3 events' "$TMP/out"
	cmp <(grep '^{' "$TMP/out") "$TMP/in"
	grep -qx 'flow=a.flows.unix.ar' "$TMP/out"
	[ "$(tail -n 1 "$TMP/out")" = '221 Bye' ]
	grep -q 'file=libsodium' "$TMP/loaded"   # the loader did say what it mapped
	! grep -E "$HEAVY" "$TMP/loaded" || false
}

@test "modules: STARTTLS loads openssl.so, a Kafka flow kafka.so, and each works" {
	kafka_start 1
	agent_conf "$KAFKA"
	FNAP_WRAP="env LD_DEBUG=files" fnap_start
	printf '%s\n' "$FNAP_AUTH" 'CREATE FLOW t.flows.unix.ar' QUIT | fnap_starttls_session > "$TMP/tls.out"
	grep -qx '220 OK t.flows.unix.ar' "$TMP/tls.out"
	grep -q 'file=.*/openssl\.so' "$TMP/fnap.log"
	grep -q 'file=libssl\.so' "$TMP/fnap.log"
	! grep -q 'file=.*kafka\.so' "$TMP/fnap.log" || false
	fnap_stop
	gen-events 2 > "$TMP/in"
	{ echo "$FNAP_AUTH"; echo 'CREATE FLOW k1.k.unix.ar'; echo 'PUBLISH k1.k.unix.ar'; cat "$TMP/in"
	  echo .; echo 'DESCRIBE FLOW k1.k.unix.ar'; echo QUIT; } | on_pipe > "$TMP/out"
	grep -qx '220 OK 2 events' "$TMP/out"
	grep -qx 'type=kafka' "$TMP/out"
	grep -q 'file=.*/kafka\.so' "$TMP/loaded"
	grep -q 'file=librdkafka' "$TMP/loaded"
	timeout 20 flow-sub -o beginning -e "kafka://$KAFKA/k1.k.unix.ar" | sort | cmp - <(sort "$TMP/in")
}

@test "modules: one that cannot be loaded is said, and fails only what needs it" {
	agent_conf 127.0.0.1:1
	mkdir "$TMP/bin"
	cp "$(command -v fnap-serve)" "$TMP/bin/"
	echo 'not a shared object' > "$TMP/bin/openssl.so"
	echo 'not a shared object' > "$TMP/bin/kafka.so"
	{ echo STARTTLS; echo 'AUTHENTICATE ANONYMOUS'; echo "CAPABILITIES"; echo QUIT; } |
		on_pipe "$TMP/bin/fnap-serve" > "$TMP/out"
	[ "$(sed -n 2p "$TMP/out")" = '454 TLS not available' ]
	grep -qx '220 Authenticated' "$TMP/out"
	[ "$(tail -n 1 "$TMP/out")" = '221 Bye' ]
	grep -q "fnap-serve: $TMP/tls/cert.pem: .*openssl\.so" "$TMP/loaded"
	# implicit TLS cannot start: 421, a configuration error
	run --separate-stderr "$TMP/bin/fnap-serve" -T -c "$TMP/fnap.conf" < /dev/null
	[ "$status" -eq 78 ]
	assert_match '^421 ' "$output"
	assert_match 'openssl\.so' "$stderr"
	# a Kafka flow cannot be made, a file flow can
	{ echo "$FNAP_AUTH"; echo 'CREATE FLOW k1.k.unix.ar'; echo 'CREATE FLOW f.flows.unix.ar'; echo QUIT; } |
		on_pipe "$TMP/bin/fnap-serve" > "$TMP/out"
	grep -qx '220 OK f.flows.unix.ar' "$TMP/out"
	assert_match '^450 cannot create the topic, retry: .*kafka\.so' "$(sed -n 3p "$TMP/out")"
	grep -q 'kafka\.so' "$TMP/loaded"
}

@test "modules: flow-pub, flow-sub, flow-stat and flow-resolve on file flows map none of them; a Kafka flow loads kafka.so; flow-bridge --verify, openssl.so" {
	local p
	for p in flow-pub flow-sub flow-stat flow-resolve flow-bridge; do
		! ldd "$(command -v "$p")" | grep -E "$HEAVY" || false
	done
	gen-events 3 > "$TMP/in"
	LD_DEBUG=files flow-pub "$TMP/f" < "$TMP/in" 2> "$TMP/loaded"
	LD_DEBUG=files flow-sub -o beginning -e "$TMP/f" 2>> "$TMP/loaded" | cmp - "$TMP/in"
	LD_DEBUG=files flow-stat "$TMP/f" 2>> "$TMP/loaded" > "$TMP/stat"
	grep -q '^events=3$' "$TMP/stat" || { cat "$TMP/stat" >&2; false; }
	grep -q 'file=libsodium' "$TMP/loaded"
	! grep -E "$HEAVY" "$TMP/loaded" || false
	kafka_start 1
	LD_DEBUG=files flow-pub "kafka://$KAFKA/m" < "$TMP/in" 2> "$TMP/loaded"
	grep -q 'file=.*/kafka\.so' "$TMP/loaded"
	grep -q 'file=librdkafka' "$TMP/loaded"
	! grep -E 'openssl\.so|libcurl' "$TMP/loaded" || false  # librdkafka maps libssl itself
	timeout 20 flow-sub -o beginning -e "kafka://$KAFKA/m" | sort | cmp - <(sort "$TMP/in")
	# verifying is OpenSSL's: the module is loaded for the keyring, and
	# each unsigned event is said and kept back (65)
	run --separate-stderr env LD_DEBUG=files FLOW_NAMESERVER=127.0.0.1:1 timeout 30 \
		flow-bridge -e -o beginning --verify flows.unix.ar -f "$TMP/f" -t "$TMP/g"
	[ "$status" -eq 65 ]
	assert_match 'file=.*/openssl\.so' "$stderr"
	assert_match "flow-bridge: $TMP/f: event [a-z]+-00000001 at offset 0: not verified: .*not signed" "$stderr"
}
