# The user agent fnap's side of the tests: its ~/.flow.yml, and a scripted
# agent that records what fnap sends. Needs helpers/fnap.bash (tcp_start).

# fnapua_config [PORT]: $HOME/.flow.yml in the thesis's format: agent
# fnaa-unix at localhost:PORT (default $FNAP_PORT), user test, password
# test (none when FNAPUA_ANONYMOUS is set), prefix unix.ar-, then the
# lines of $FNAPUA_AGENT_EXTRA; it serves namespace flows.unix.ar
fnapua_config() {
	mkdir -p "$HOME"
	{
		cat <<YML
# the user agent's agents, and which namespace each one serves
agents:
  - name: fnaa-unix
    fqdn: localhost
    port: ${1:-$FNAP_PORT}
YML
		[ -n "${FNAPUA_ANONYMOUS:-}" ] || printf '    username: test\n    password: test\n'
		echo '    prefix: unix.ar-'
		[ -z "${FNAPUA_AGENT_EXTRA:-}" ] || printf '%s\n' "$FNAPUA_AGENT_EXTRA"
		cat <<YML
namespaces:
  - name: flows.unix.ar
    agent: fnaa-unix
YML
	} > "$HOME/.flow.yml"
}

# fnapua_fake_start: a scripted agent under tcpserver that logs users in
# as the thesis's server (fnaad) does; sets FAKE_PID and FAKE_PORT. It
# stands for that third-party server, which we do not have here (it is
# not a stand-in for our own fnap-serve, which the suites start for real).
# It greets; answers "AUTHENTICATE PLAIN", with or without an initial
# response (which it ignores, as fnaad does), with 220 OK, and the line
# after it with 220 Authenticated; any other AUTHENTICATE with 220
# Authenticated; QUIT with 221; every other command with the lines of
# $TMP/replies (empty at first). Each line it reads goes to $TMP/sent,
# without its CR.
fnapua_fake_start() {
	: > "$TMP/sent"
	: > "$TMP/replies"
	# shellcheck disable=SC2016
	tcp_start "$TMP/fake.port" sh -c '
		printf "220 fake.unix.ar FNAA\r\n"
		plain=
		while IFS= read -r line; do
			line=$(printf "%s" "$line" | tr -d "\r")
			printf "%s\n" "$line" >> "$1/sent"
			if [ -n "$plain" ]; then
				plain=
				printf "220 Authenticated\r\n"
				continue
			fi
			case $line in
			"AUTHENTICATE PLAIN"*) plain=1; printf "220 OK\r\n" ;;
			AUTHENTICATE*) printf "220 Authenticated\r\n" ;;
			QUIT) printf "221 Bye\r\n"; exit 0 ;;
			*) sed "s/\$/\r/" "$1/replies" ;;
			esac
		done' fake "$TMP"
	FAKE_PID=$TCP_PID
	FAKE_PORT=$TCP_PORT
}

fnapua_fake_stop() {
	[ -n "${FAKE_PID:-}" ] || return 0
	stop_pids "$FAKE_PID"
	FAKE_PID=
}
