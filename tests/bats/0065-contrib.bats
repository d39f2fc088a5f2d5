#!/usr/bin/env bats
# contrib/inetd: the ways of running fnap-serve that it ships, each started
# for real: the s6 service directory under s6-svscan, the inetd.conf line
# under openbsd-inetd, the systemd units' command under
# systemd-socket-activate (and systemd-analyze verify). xinetd conflicts
# with inetd in Debian (one inet-superserver), so setup.sh installs inetd,
# and the xinetd service's command line is run under tcpserver. Only the
# port, the address, the user, the program's directory and the
# configuration's path are changed to those of the test; the rest is the
# file's.

load helpers/common
load helpers/fnap
load helpers/s6

CONTRIB=$FLOW_SRCDIR/contrib/inetd

setup() {
	common_setup
	fnap_config
	BG_PIDS=
}

teardown() {
	fnap_stop
	s6_stop
	stop_pids $BG_PIDS
	common_teardown
}

# free_port: a loopback port nothing listens on (tcpserver binds port 0,
# says which it got, and is stopped); sets FREE_PORT
free_port() {
	tcp_start "$TMP/free.port" true
	stop_pids "$TCP_PID"
	FREE_PORT=$TCP_PORT
}

# wait_greeting PORT: until an agent answers on PORT (at most 5 s)
wait_greeting() {
	local i
	for i in $(seq 1 250); do
		if printf 'QUIT\r\n' | tcpclient -R -H 127.0.0.1 "$1" sh -c 'exec 3<&0; cat <&3 >&7 & cat <&6' \
			2>/dev/null | grep -q '^220 .* FNAA'; then
			return 0
		fi
		sleep 0.02
	done
	echo "nothing answers on port $1" >&2
	return 1
}

# check_session FLOW: on $FNAP_PORT, the thesis's session (section 7.3 of
# the design): PLAIN in two steps, CREATE and DESCRIBE of FLOW, QUIT
check_session() {
	local flow=$1
	printf '%s\n' 'AUTHENTICATE PLAIN' 'AHRlc3QAdGVzdA==' "CREATE FLOW $flow" \
		"DESCRIBE FLOW $flow" QUIT | fnap_session > "$TMP/session.out"
	mapfile -t got < "$TMP/session.out"
	assert_eq '220 fnaa.unix.ar FNAA' "${got[0]:-}" greeting
	assert_eq '220 OK' "${got[1]:-}" 'AUTHENTICATE PLAIN'
	assert_eq '220 Authenticated' "${got[2]:-}" 'the PLAIN response'
	assert_eq "220 OK $flow" "${got[3]:-}" CREATE
	assert_eq '220 DATA' "${got[4]:-}" DESCRIBE
	assert_eq "flow=$flow" "${got[5]:-}" 'DESCRIBE flow='
	assert_eq 'type=file' "${got[6]:-}" 'DESCRIBE type='
	assert_eq "topic=$flow" "${got[7]:-}" 'DESCRIBE topic='
	assert_eq 'server=fnaa.unix.ar:61000' "${got[8]:-}" 'DESCRIBE server='
	grep -qx 'owner=test' "$TMP/session.out"
	assert_eq '220 OK' "${got[${#got[@]} - 2]}" 'the end of the DATA block'
	assert_eq '221 Bye' "${got[${#got[@]} - 1]}" QUIT
	# the flow is there, in the test's namespace directory
	[ -d "$TMP/flows/$flow" ]
}

# serve_argv PROGRAM ARG...: tcpserver on a free loopback port running the
# built program of that name with the ARGs, the configuration path of the
# file replaced by the test's; sets FNAP_PORT
serve_argv() {
	local prog
	prog=$(command -v "$(basename "$1")")
	shift
	tcp_start "$TMP/argv.port" "$prog" "${@//\/etc\/flow\/fnap-serve.conf/$TMP/fnap.conf}" \
		2> "$TMP/fnap.log"
	FNAP_PID=$TCP_PID
	FNAP_PORT=$TCP_PORT
}

@test "contrib: the s6 service directory under s6-svscan serves FNAP, logs, and stops" {
	command -v s6-svscan || skip "s6 is not installed"
	# the run script and its logger are executable and sound shell
	[ -x "$CONTRIB/s6/fnap/run" ]
	[ -x "$CONTRIB/s6/fnap/log/run" ]
	sh -n "$CONTRIB/s6/fnap/run"
	sh -n "$CONTRIB/s6/fnap/log/run"
	# the defaults that its env/ files override
	grep -q '^PORT=${PORT:-61000}$' "$CONTRIB/s6/fnap/run"
	grep -q '^CONFIG=${CONFIG:-/etc/flow/fnap-serve.conf}$' "$CONTRIB/s6/fnap/run"
	grep -q '^RUNAS=${RUNAS:-fnap}$' "$CONTRIB/s6/fnap/run"

	# the service as shipped, settings in env/ as an admin would write them
	mkdir -p "$TMP/scan"
	cp -R "$CONTRIB/s6/fnap" "$TMP/scan/fnap"
	free_port
	mkdir "$TMP/scan/fnap/env"
	echo 127.0.0.1 > "$TMP/scan/fnap/env/IP"
	echo "$FREE_PORT" > "$TMP/scan/fnap/env/PORT"
	echo "$TMP/fnap.conf" > "$TMP/scan/fnap/env/CONFIG"
	id -un > "$TMP/scan/fnap/env/RUNAS"
	s6_start
	wait_greeting "$FREE_PORT"
	run s6-svstat "$TMP/scan/fnap"
	[ "$status" -eq 0 ]
	assert_match '^up ' "$output"
	FNAP_PORT=$FREE_PORT
	check_session s6.flows.unix.ar

	# tcpserver -v and the sessions write to the logger, s6-log, which
	# stamps each line
	wait_lines "$TMP/scan/fnap/log/main/current" 4
	run cat "$TMP/scan/fnap/log/main/current"
	assert_match '^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9:.]+ +tcpserver: status: ' "$output"
	assert_match 'tcpserver: pid [0-9]+ from 127\.0\.0\.1' "$output"
	assert_match 'tcpserver: end [0-9]+ status 0' "$output"

	# s6-svscanctl -t: the service and the scanner stop, the port is closed
	s6-svscanctl -t "$S6_SCAN"
	local i
	for i in $(seq 1 250); do
		kill -0 "$S6_PID" 2>/dev/null || break
		sleep 0.02
	done
	run kill -0 "$S6_PID"
	[ "$status" -ne 0 ]
	S6_PID=
	run tcpclient -R -H 127.0.0.1 "$FREE_PORT" true
	[ "$status" -ne 0 ]
}

@test "contrib: the inetd.conf line: its fields, and its argv serving FNAP" {
	local line n
	n=$(grep -cv -e '^#' -e '^[[:space:]]*$' "$CONTRIB/inetd.conf")
	assert_eq 1 "$n" 'service lines in inetd.conf'
	line=$(grep -v -e '^#' -e '^[[:space:]]*$' "$CONTRIB/inetd.conf")
	# shellcheck disable=SC2086
	set -- $line
	assert_eq 61000 "$1" 'service (port)'
	assert_eq stream "$2" 'socket type'
	assert_eq tcp "$3" protocol
	assert_match '^nowait(\.[0-9]+)?$' "$4"
	assert_eq fnap "$5" user
	assert_match '^/.*/fnap-serve$' "$6"
	assert_eq fnap-serve "$7" 'argv[0]'
	assert_eq '-c /etc/flow/fnap-serve.conf' "${*:8}" arguments
	# what inetd would run: the program with argv[1] on
	serve_argv "$6" "${@:8}"
	check_session inetd.flows.unix.ar
}

@test "contrib: the inetd.conf line under a real inetd (openbsd-inetd, inetutils-inetd)" {
	local line inetd n=0
	line=$(grep -v -e '^#' -e '^[[:space:]]*$' "$CONTRIB/inetd.conf")
	# shellcheck disable=SC2086
	set -- $line
	# openbsd-inetd's is "inetd"; both run in the foreground with -d
	for inetd in inetd inetutils-inetd; do
		command -v "$inetd" || continue
		n=$((n + 1))
		free_port
		# listen on loopback only, as this user, the built program
		printf '127.0.0.1:%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$FREE_PORT" "$2" "$3" "$4" "$(id -un)" \
			"$(command -v fnap-serve)" "${*:7}" |
			sed "s|/etc/flow/fnap-serve.conf|$TMP/fnap.conf|" > "$TMP/$inetd.conf"
		if [ "$inetd" = inetd ]; then
			inetd -d -i "$TMP/$inetd.conf" > "$TMP/$inetd.log" 2>&1 &
		else
			inetutils-inetd -d --pidfile="$TMP/$inetd.pid" "$TMP/$inetd.conf" > "$TMP/$inetd.log" 2>&1 &
		fi
		BG_PIDS="$BG_PIDS $!"
		wait_greeting "$FREE_PORT" || { cat "$TMP/$inetd.log"; false; }
		FNAP_PORT=$FREE_PORT
		check_session "$inetd.flows.unix.ar"
	done
	[ "$n" -gt 0 ] || skip "neither openbsd-inetd nor inetutils-inetd is installed"
}

# xinetd_attr NAME: the value of an attribute of the xinetd service
xinetd_attr() {
	sed -n "s/^[[:space:]]*$1[[:space:]]*=[[:space:]]*//p" "$CONTRIB/xinetd.fnap"
}

@test "contrib: the xinetd service: its attributes, and server/server_args serving FNAP" {
	assert_eq 1 "$(grep -c '^service fnap$' "$CONTRIB/xinetd.fnap")" 'service fnap'
	assert_eq 61000 "$(xinetd_attr port)" port
	assert_eq UNLISTED "$(xinetd_attr type)" type
	assert_eq stream "$(xinetd_attr socket_type)" socket_type
	assert_eq tcp "$(xinetd_attr protocol)" protocol
	assert_eq no "$(xinetd_attr wait)" wait
	assert_eq fnap "$(xinetd_attr user)" user
	assert_eq no "$(xinetd_attr disable)" disable
	assert_match '^/.*/fnap-serve$' "$(xinetd_attr server)"
	assert_eq '-c /etc/flow/fnap-serve.conf' "$(xinetd_attr server_args)" server_args
	# what xinetd runs: server, with server_args split on blanks
	# shellcheck disable=SC2046
	serve_argv "$(xinetd_attr server)" $(xinetd_attr server_args)
	check_session xinetd.flows.unix.ar
}

# unit_key UNIT KEY: the values of KEY= in contrib/inetd/systemd/UNIT, one a line
unit_key() {
	sed -n "s/^$2=//p" "$CONTRIB/systemd/$1"
}

@test "contrib: the systemd units: Accept=yes, the socket as stdin and stdout, ExecStart serving FNAP" {
	assert_eq 61000 "$(unit_key fnap.socket ListenStream)" ListenStream
	assert_eq yes "$(unit_key fnap.socket Accept)" Accept
	assert_eq socket "$(unit_key fnap@.service StandardInput)" StandardInput
	assert_eq socket "$(unit_key fnap@.service StandardOutput)" StandardOutput
	assert_eq fnap "$(unit_key fnap@.service User)" User
	assert_eq 1 "$(unit_key fnap@.service ExecStart | wc -l)" 'ExecStart lines'
	local exec
	exec=$(unit_key fnap@.service ExecStart)
	# no quoting, no specifiers, no prefixes: words split on blanks
	assert_match '^/[^"'\''%$\\]*$' "$exec"
	# shellcheck disable=SC2086
	set -- $exec
	assert_match '^/.*/fnap-serve$' "$1"
	assert_eq '-c /etc/flow/fnap-serve.conf' "${*:2}" 'ExecStart arguments'
	if command -v systemd-socket-activate; then
		# systemd's own Accept=yes, the connection as stdin and stdout
		# (--inetd), as fnap.socket starts fnap@.service
		local args=("${@:2}")
		free_port
		systemd-socket-activate -l "127.0.0.1:$FREE_PORT" --accept --inetd \
			"$(command -v fnap-serve)" "${args[@]//\/etc\/flow\/fnap-serve.conf/$TMP/fnap.conf}" \
			2> "$TMP/activate.log" &
		BG_PIDS="$BG_PIDS $!"
		wait_greeting "$FREE_PORT" || { cat "$TMP/activate.log"; false; }
		FNAP_PORT=$FREE_PORT
	else
		serve_argv "$@"
	fi
	check_session systemd.flows.unix.ar
}

@test "contrib: systemd-analyze verify finds nothing to say about the units" {
	command -v systemd-analyze || skip "systemd-analyze is not installed"
	# the units as shipped, but for where the program is
	mkdir "$TMP/units"
	cp "$CONTRIB/systemd/fnap.socket" "$TMP/units/"
	sed "s|^ExecStart=/[^ ]*/fnap-serve |ExecStart=$(command -v fnap-serve) |" \
		"$CONTRIB/systemd/fnap@.service" > "$TMP/units/fnap@.service"
	run systemd-analyze verify --man=no "$TMP/units/fnap.socket" "$TMP/units/fnap@.service"
	[ "$status" -eq 0 ]
	assert_eq '' "$output" 'systemd-analyze verify'
	# and it does find a broken unit (so that silence above means something)
	printf 'ExecStart=/bin/true\nNoSuchSetting=1\n' >> "$TMP/units/fnap@.service"
	run systemd-analyze verify --man=no "$TMP/units/fnap.socket" "$TMP/units/fnap@.service"
	[ "$status" -ne 0 ]
}
