# named.bash — a real BIND named on a loopback port, for tests and benches.
#
#   named_start ZONE [RECORDS_FILE]
#       Serve ZONE (primary, dynamic: allow-update with a TSIG key) from a
#       temporary directory, on a free port of 127.0.0.1 and ::1. Records in
#       RECORDS_FILE (zone file syntax, names relative to ZONE) are added to
#       the zone. Sets and exports NAMED_DIR, NAMED_PORT, NAMED_PID, NAMED_KEY
#       (the key file for nsupdate -k) and FLOW_NAMESERVER=127.0.0.1:PORT.
#   named_update             nsupdate -k $NAMED_KEY, the script on stdin
#   named_stop               stop named (TERM, then KILL), remove NAMED_DIR
#
# NAMED_RESOLVER (in place of "recursion no; dnssec-validation no;"),
# NAMED_ZONE_EXTRA (in the zone's block) and NAMED_CONF_EXTRA (after it)
# make other servers of it: a signed zone, a validating resolver
# (helpers/dnssec.bash).
#
# Plain bash (bats or not): bench/resolve.sh uses it too. Call named_stop
# from teardown_file / an EXIT trap. As a backstop, named runs under
# timeout(1) so that it cannot outlive a killed test run by long.
#
# Running as root in a temporary directory needs nothing special: named
# keeps root without -u, and every file it writes (pid file, session key,
# managed keys, zone journal, log) is pointed into NAMED_DIR by named.conf;
# rndc is not used ("controls { };"), so no rndc.key is needed. Debian's
# AppArmor profile for named, where AppArmor is enforced, confines it to
# /etc/bind and /var/cache/bind: there run "aa-complain named" first.

NAMED_LIFETIME=${NAMED_LIFETIME:-900}

_named_conf() {
	cat <<EOF
options {
	directory "$NAMED_DIR";
	pid-file "$NAMED_DIR/named.pid";
	session-keyfile "$NAMED_DIR/session.key";
	managed-keys-directory "$NAMED_DIR";
	listen-on port $NAMED_PORT { 127.0.0.1; };
	listen-on-v6 port $NAMED_PORT { ::1; };
	${NAMED_RESOLVER:-recursion no; dnssec-validation no;}
	allow-query { any; };
	notify no;
	minimal-responses no;
	check-names primary ignore;	// tests serve junk on purpose
};
controls { };
include "$NAMED_DIR/key.conf";
zone "$1" {
	type primary;
	file "$NAMED_DIR/zone.db";
	allow-update { key "flow-test"; };
	${NAMED_ZONE_EXTRA:-}
};
${NAMED_CONF_EXTRA:-}
logging {
	channel log { file "$NAMED_DIR/named.log"; severity info; print-time yes; };
	category default { log; };
};
EOF
}

_named_zone() {
	cat <<EOF
\$ORIGIN $1.
\$TTL 300
@	IN SOA ns.$1. hostmaster.$1. 1 3600 600 86400 60
@	IN NS ns.$1.
ns	IN A 127.0.0.1
_ready	IN TXT "$2"
EOF
	[ -z "$3" ] || cat "$3"
}

# True when the named on NAMED_PORT is ours: it answers our nonce.
_named_ready() {
	[ "$(dig @127.0.0.1 -p "$NAMED_PORT" +short +tries=1 +time=1 "_ready.$1" TXT 2>/dev/null)" = "\"$2\"" ]
}

named_start() {
	local zone=$1 records=${2:-} nonce try i
	NAMED_DIR=$(mktemp -d "${TMPDIR:-/tmp}/named.XXXXXX")
	tsig-keygen -a hmac-sha256 flow-test >"$NAMED_DIR/key.conf"
	NAMED_KEY=$NAMED_DIR/key.conf
	nonce=$RANDOM$RANDOM$$
	_named_zone "$zone" "$nonce" "$records" >"$NAMED_DIR/zone.db"
	named-checkzone -q -k ignore "$zone" "$NAMED_DIR/zone.db" ||
		{ echo "named_start: bad zone file" >&2; return 1; }
	for try in 1 2 3 4 5 6 7 8; do
		NAMED_PORT=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		# a port somebody listens on over TCP is taken; UDP shows below
		(exec 3<>"/dev/tcp/127.0.0.1/$NAMED_PORT") 2>/dev/null && continue
		_named_conf "$zone" >"$NAMED_DIR/named.conf"
		rm -f "$NAMED_DIR/named.pid"
		timeout "$NAMED_LIFETIME" named -f -c "$NAMED_DIR/named.conf" \
			</dev/null >"$NAMED_DIR/named.out" 2>&1 3>&- &
		NAMED_WRAPPER=$!
		for i in $(seq 50); do
			if _named_ready "$zone" "$nonce" && [ -s "$NAMED_DIR/named.pid" ]; then
				NAMED_PID=$(cat "$NAMED_DIR/named.pid")
				FLOW_NAMESERVER=127.0.0.1:$NAMED_PORT
				export NAMED_DIR NAMED_PORT NAMED_PID NAMED_KEY NAMED_WRAPPER FLOW_NAMESERVER
				return 0
			fi
			kill -0 "$NAMED_WRAPPER" 2>/dev/null || break
			! grep -q 'not loaded due to errors' "$NAMED_DIR/named.log" 2>/dev/null ||
				{ named_stop; echo "named_start: the zone did not load" >&2; return 1; }
			sleep 0.1
		done
		kill "$NAMED_WRAPPER" 2>/dev/null
		wait "$NAMED_WRAPPER" 2>/dev/null
	done
	echo "named_start: named did not come up; its output:" >&2
	cat "$NAMED_DIR/named.out" "$NAMED_DIR/named.log" >&2 2>/dev/null
	return 1
}

named_update() {
	nsupdate -k "$NAMED_KEY"
}

named_stop() {
	local i
	[ -n "${NAMED_WRAPPER:-}" ] || return 0
	# CONT in case a test left it stopped; failures here are fine (gone already)
	kill -CONT "$NAMED_PID" 2>/dev/null || true
	kill "$NAMED_WRAPPER" "$NAMED_PID" 2>/dev/null || true
	for i in $(seq 50); do
		kill -0 "$NAMED_WRAPPER" 2>/dev/null || kill -0 "$NAMED_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$NAMED_WRAPPER" "$NAMED_PID" 2>/dev/null || true
	wait "$NAMED_WRAPPER" 2>/dev/null || true
	rm -rf "$NAMED_DIR"
	NAMED_WRAPPER=
}
