# fnap-serve under a real tcpserver (ucspi-tcp) on a free loopback port.

# fnap_start: a configuration in $TMP, users test/test (namespace
# flows.unix.ar) and other/secret; sets FNAP_PORT
fnap_start() {
	mkdir -p "$TMP/flows"
	{
		echo test | fnap-serve -p test | sed 's/:$/:flows.unix.ar/'
		echo secret | fnap-serve -p other | sed 's/:$/:other.example/'
	} > "$TMP/users"
	cat > "$TMP/fnap.conf" <<CONF
# a test agent
hostname fnaa.unix.ar
state $TMP/state
users $TMP/users
namespace flows.unix.ar file $TMP/flows
namespace other.example file $TMP/flows
idle-timeout ${FNAP_IDLE:-30}
${FNAP_EXTRA_CONF:-}
CONF
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		FNAP_PORT=$((20000 + RANDOM % 20000))
		tcpserver -q -R -H -c 200 127.0.0.1 "$FNAP_PORT" fnap-serve -c "$TMP/fnap.conf" &
		FNAP_PID=$!
		sleep 0.2
		kill -0 "$FNAP_PID" 2>/dev/null && return 0
	done
	echo "tcpserver did not start" >&2
	return 1
}

fnap_stop() {
	[ -n "${FNAP_PID:-}" ] && kill "$FNAP_PID" 2>/dev/null
	wait "$FNAP_PID" 2>/dev/null || true
	FNAP_PID=
}

# fnap_raw: send stdin as it is and print what the agent answers, as it is.
# (fd 7 goes to the agent, fd 6 comes from it; a background job of a
# non-interactive shell reads /dev/null, so stdin is passed on as fd 3)
fnap_raw() {
	tcpclient -R -H 127.0.0.1 "$FNAP_PORT" sh -c 'exec 3<&0; cat <&3 >&7 & cat <&6' 2>/dev/null
}

# fnap_session: send stdin (LF lines, sent as CRLF) and print the replies,
# CR removed; the connection is held open a moment for the answers
fnap_session() {
	{ sed 's/$/\r/'; sleep "${FNAP_WAIT:-1}"; } | fnap_raw | tr -d '\r'
}
