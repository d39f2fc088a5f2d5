# Two organisations on one machine, as 0062 and 0063 set them up: an agent
# per organisation under tcpserver with implicit TLS, registering its flows
# in named (helpers/named.bash), its processors under one s6-svscan
# (helpers/s6.bash), with the TLS files of fnap_tls_files.

# agent_start ORG: the agent fnaa.ORG.example of namespace flows.ORG.example
# in $TMP/ORG (users from $TMP/ORG/users), under tcpserver with implicit TLS,
# registering its flows in named, its processors under the one s6-svscan;
# sets ORG_PORT and ORG_PID (upper case)
agent_start() {
	local org=$1 dir=$TMP/$1 tls=$TMP/tls up
	up=$(printf '%s' "$org" | tr a-z A-Z)
	TMP=$dir FNAP_NAMESPACES="namespace flows.$org.example file $dir/flows" FNAP_EXTRA_CONF="hostname fnaa.$org.example
supervisor $S6_SCAN
tls-certificate $tls/cert.pem
tls-key $tls/key.pem
tls-ca $tls/ca.pem
peers $dir/peers
dns-update nsupdate -k $NAMED_KEY
dns-server 127.0.0.1:$NAMED_PORT
dns-zone example" fnap_start -T
	# the port is known once tcpserver has it; sessions read the file each
	echo "port $FNAP_PORT" >> "$dir/fnap.conf"
	eval "${up}_PORT=\$FNAP_PORT ${up}_PID=\$FNAP_PID"
	FNAP_PID=
}

# at ORG USER PASSWORD COMMAND...: a session over TLS with ORG's agent
at() {
	local port
	port=$(tail -n 1 "$TMP/$1/fnap.conf" | cut -d' ' -f2)
	{ printf 'AUTHENTICATE PLAIN %s\n' "$(printf '\0%s\0%s' "$2" "$3" | base64)"; shift 3
	  printf '%s\n' "$@" QUIT; } | FNAP_PORT=$port fnap_tls_session
}

# flow_count FLOW-DIR: the events in a file flow now (0 when it is not there)
flow_count() {
	[ -d "$1" ] || { echo 0; return; }
	flow-sub -o beginning -e "$1" | wc -l
}

# wait_flow_count FLOW-DIR N [SECONDS]: until the flow holds N events (at
# most SECONDS, 20 by default); says what it saw when it gives up
wait_flow_count() {
	local i n
	for i in $(seq 1 $(( ${3:-20} * 10 ))); do
		n=$(flow_count "$1")
		[ "$n" -ge "$2" ] && return 0
		sleep 0.1
	done
	echo "$1: $n events, expected $2; the processors:" >&2
	cat "$TMP/s6.log" >&2
	return 1
}

# orange_and_blue: named (fnaa.orange and fnaa.blue of example), s6, the
# TLS files, and both agents: orange's users alice/apw (flows.orange.example)
# and blue-agent/bpw, blue's bob/bobpw (flows.blue.example); blue's agent
# logs in to orange's as blue-agent
orange_and_blue() {
	printf '%s\n' 'fnaa.orange IN A 127.0.0.1' 'fnaa.blue IN A 127.0.0.1' > "$TMP/records"
	named_start example "$TMP/records"
	s6_start
	fnap_tls_files fnaa.orange.example fnaa.blue.example
	mkdir -p "$TMP/orange" "$TMP/blue"
	{ echo apw | fnap-serve -p alice | sed 's/:$/:flows.orange.example/'
	  echo bpw | fnap-serve -p blue-agent; } > "$TMP/orange/users"
	echo bobpw | fnap-serve -p bob | sed 's/:$/:flows.blue.example/' > "$TMP/blue/users"
	: > "$TMP/orange/peers"
	echo 'fnaa.orange.example blue-agent bpw' > "$TMP/blue/peers"
	chmod 600 "$TMP/blue/peers"
	agent_start orange
	agent_start blue
}
