# dnssec.bash — DNSSEC for the Flow Name Service, with two real BIND named
# (helpers/named.bash): the authority of zone "example", signed by BIND
# itself (dnssec-policy default: a dynamic zone whose updates are signed as
# they come), and a validating resolver that forwards "example" to it and
# trusts its key-signing key as the zone's trust anchor.
#
#   dnssec_start [RECORDS]  both; sets AUTH_NS and VALIDATOR_NS (HOST:PORT)
#                           and leaves named.bash's NAMED_* to the authority
#                           (named_update signs in); FLOW_NAMESERVER unset
#   dnssec_stop             both
# With DNSSEC_BAD_ANCHOR set, the resolver trusts a key that is not the
# zone's: every answer under example is then bogus (SERVFAIL).

# the authority's DNSKEY of flags 257 (its KSK), once the zone is signed
_dnssec_ksk() {
	dig @127.0.0.1 -p "$1" +short +tries=1 +time=1 example DNSKEY 2>/dev/null | awk '$1 == 257'
}

dnssec_start() {
	local ksk i key
	NAMED_ZONE_EXTRA='dnssec-policy default;' named_start example "${1:-}" || return 1
	AUTH_NS=127.0.0.1:$NAMED_PORT
	for i in $(seq 1 100); do
		ksk=$(_dnssec_ksk "$NAMED_PORT")
		[ -n "$ksk" ] && break
		sleep 0.1
	done
	[ -n "$ksk" ] || { echo "dnssec_start: the zone was not signed" >&2; return 1; }
	key=$(printf '%s\n' "$ksk" | cut -d' ' -f4- | tr -d ' ')
	# a key of the same kind that is not the zone's
	if [ -n "${DNSSEC_BAD_ANCHOR:-}" ]; then
		i=$(dnssec-keygen -q -K "$NAMED_DIR" -a ECDSAP256SHA256 -f KSK example)
		key=$(awk '$4 == "DNSKEY" { for (f = 8; f <= NF; f++) printf "%s", $f }' "$NAMED_DIR/$i.key")
	fi
	_DNSSEC_AUTH=("$NAMED_DIR" "$NAMED_PORT" "$NAMED_PID" "$NAMED_KEY" "$NAMED_WRAPPER")
	NAMED_RESOLVER='recursion yes; allow-recursion { any; }; dnssec-validation yes;' \
	NAMED_CONF_EXTRA="zone \"example\" { type forward; forward only; forwarders { 127.0.0.1 port ${_DNSSEC_AUTH[1]}; }; };
trust-anchors { example. static-key 257 3 13 \"$key\"; };" named_start resolver.test || return 1
	VALIDATOR_NS=127.0.0.1:$NAMED_PORT
	_DNSSEC_RESOLVER=("$NAMED_DIR" "$NAMED_PORT" "$NAMED_PID" "$NAMED_KEY" "$NAMED_WRAPPER")
	_dnssec_use_auth
	unset FLOW_NAMESERVER
}

_dnssec_use_auth() {
	NAMED_DIR=${_DNSSEC_AUTH[0]} NAMED_PORT=${_DNSSEC_AUTH[1]} NAMED_PID=${_DNSSEC_AUTH[2]}
	NAMED_KEY=${_DNSSEC_AUTH[3]} NAMED_WRAPPER=${_DNSSEC_AUTH[4]}
}

dnssec_stop() {
	if [ -n "${_DNSSEC_RESOLVER:-}" ]; then
		NAMED_DIR=${_DNSSEC_RESOLVER[0]} NAMED_PORT=${_DNSSEC_RESOLVER[1]} NAMED_PID=${_DNSSEC_RESOLVER[2]}
		NAMED_KEY=${_DNSSEC_RESOLVER[3]} NAMED_WRAPPER=${_DNSSEC_RESOLVER[4]}
		named_stop
		_DNSSEC_RESOLVER=
	fi
	if [ -n "${_DNSSEC_AUTH:-}" ]; then
		_dnssec_use_auth
		named_stop
		_DNSSEC_AUTH=
	fi
}
