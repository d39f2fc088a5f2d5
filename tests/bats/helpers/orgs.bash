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
