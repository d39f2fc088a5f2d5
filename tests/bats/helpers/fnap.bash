# fnap-serve under a real tcpserver (ucspi-tcp) on a free loopback port,
# and clients: tcpclient for plain sessions, openssl s_client for TLS.

# fnap_users: users test/test (namespace flows.unix.ar) and other/secret
# (other.example) in $TMP/users
fnap_users() {
	{
		echo test | fnap-serve -p test | sed 's/:$/:flows.unix.ar/'
		echo secret | fnap-serve -p other | sed 's/:$/:other.example/'
	} > "$TMP/users"
}

# fnap_config: $TMP/fnap.conf, file namespaces flows.unix.ar and
# other.example in $TMP/flows, then the lines of $FNAP_EXTRA_CONF
fnap_config() {
	mkdir -p "$TMP/flows"
	[ -s "$TMP/users" ] || fnap_users
	cat > "$TMP/fnap.conf" <<CONF
# a test agent
hostname fnaa.unix.ar
state $TMP/state
users $TMP/users
${FNAP_NAMESPACES:-namespace flows.unix.ar file $TMP/flows}
namespace other.example file $TMP/flows
idle-timeout ${FNAP_IDLE:-30}
${FNAP_EXTRA_CONF:-}
CONF
}

# fnap_start [FNAP-SERVE OPTIONS]: the configuration, then tcpserver on a
# free port (it binds port 0 and prints the one it got: -1) running
# fnap-serve with them; sets FNAP_PORT. FNAP_WRAP is put in front of
# fnap-serve (e.g. "env TCPREMOTEIP=192.0.2.7").
fnap_start() {
	fnap_config
	tcp_start "$TMP/fnap.port" ${FNAP_WRAP:-} fnap-serve -c "$TMP/fnap.conf" "$@" 2> "$TMP/fnap.log"
	FNAP_PID=$TCP_PID
	FNAP_PORT=$TCP_PORT
}

# tcp_start PORTFILE PROGRAM...: tcpserver on a free loopback port running
# PROGRAM; sets TCP_PID and TCP_PORT (also written to PORTFILE).
# TCPSERVER_OPTS adds options (-c N: fewer sessions at once, -x RULES.cdb)
tcp_start() {
	local portfile=$1 i
	shift
	: > "$portfile"
	tcpserver -1 -q -R -H -c 200 ${TCPSERVER_OPTS:-} 127.0.0.1 0 "$@" > "$portfile" &
	TCP_PID=$!
	for i in $(seq 1 500); do
		[ -s "$portfile" ] && break
		sleep 0.01
	done
	TCP_PORT=$(cat "$portfile")
	[ -n "$TCP_PORT" ] || { echo "tcpserver did not start" >&2; return 1; }
}

fnap_stop() {
	if [ -n "${FNAP_PID:-}" ]; then
		stop_pids "$FNAP_PID"
		FNAP_PID=
	fi
	no_sanitizer_reports "$TMP/fnap.log"
}

# fnap_raw: send stdin as it is and print what the agent answers, as it
# is, until the agent closes (a session ends with QUIT, a timeout...).
# (fd 7 goes to the agent, fd 6 comes from it; a background job of a
# non-interactive shell reads /dev/null, so stdin is passed on as fd 3)
fnap_raw() {
	tcpclient -R -H 127.0.0.1 "$FNAP_PORT" sh -c 'exec 3<&0; cat <&3 >&7 & cat <&6' 2>/dev/null
}

# fnap_session: send stdin (LF lines, sent as CRLF, as the thesis's client
# does) and print the replies, CR removed
fnap_session() {
	sed 's/$/\r/' | fnap_raw | tr -d '\r'
}

# fnap_auth: the PLAIN line of user test
FNAP_AUTH='AUTHENTICATE PLAIN AHRlc3QAdGVzdA=='

# fnap_tls_files [HOST...]: a throw-away CA and a certificate for localhost,
# 127.0.0.1 and the HOSTs signed by it, in $TMP/tls (ca.pem, cert.pem, key.pem)
fnap_tls_files() {
	local d=$TMP/tls
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=flow-test-ca \
		-keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj /CN=localhost \
		-keyout "$d/key.pem" -out "$d/cert.csr" 2>/dev/null
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1%s\n' "${1:+$(printf ',DNS:%s' "$@")}" > "$d/ext"
	openssl x509 -req -in "$d/cert.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
		-days 2 -extfile "$d/ext" -out "$d/cert.pem" 2>/dev/null
}

# fnap_tls_session: as fnap_session, through TLS from the first byte
# (fnap-serve -T), openssl s_client checking the certificate
fnap_tls_session() {
	sed 's/$/\r/' |
		openssl s_client -quiet -ign_eof -verify_return_error -CAfile "$TMP/tls/ca.pem" \
			-verify_hostname localhost -connect "127.0.0.1:$FNAP_PORT" 2>"$TMP/s_client.err" |
		tr -d '\r'
}

# fnap_starttls_session: the plain greeting and STARTTLS, then the rest
# of the session through TLS with openssl s_client. s_client knows no
# FNAP, so a relay (tcpserver on a second port, tcpclient to the agent)
# does the plain part, writing it to $TMP/plain, then carries the bytes.
fnap_starttls_session() {
	local relay_port pid
	tcp_start "$TMP/relay.port" tcpclient -R -H 127.0.0.1 "$FNAP_PORT" sh -c '
		IFS= read -r greeting <&6; printf "%s\n" "$greeting" > "$1"
		printf "STARTTLS\r\n" >&7
		IFS= read -r ready <&6; printf "%s\n" "$ready" >> "$1"
		exec 3<&0; cat <&3 >&7 & w=$!; cat <&6; kill $w 2>/dev/null' relay "$TMP/plain"
	pid=$TCP_PID
	relay_port=$TCP_PORT
	sed 's/$/\r/' |
		openssl s_client -quiet -ign_eof -verify_return_error -CAfile "$TMP/tls/ca.pem" \
			-verify_hostname localhost -connect "127.0.0.1:$relay_port" 2>"$TMP/s_client.err" |
		tr -d '\r'
	stop_pids "$pid"
}
