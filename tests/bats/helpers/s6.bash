# s6.bash — a real s6-svscan on a temporary scan directory, the supervisor
# of an agent's processors.
#
#   s6_start    s6-svscan on $TMP/scan; sets S6_SCAN, S6_PID
#   s6_stop     bring every service down and stop s6-svscan (-t)

s6_start() {
	S6_SCAN=$TMP/scan
	mkdir -p "$S6_SCAN"
	s6-svscan "$S6_SCAN" > "$TMP/s6.log" 2>&1 &
	S6_PID=$!
	local i
	# it answers s6-svscanctl once its control pipe is open
	for i in $(seq 1 200); do
		s6-svscanctl -z "$S6_SCAN" 2>/dev/null && return 0
		sleep 0.02
	done
	echo "s6-svscan did not start" >&2
	return 1
}

s6_stop() {
	[ -n "${S6_PID:-}" ] || return 0
	s6-svscanctl -t "$S6_SCAN" 2>/dev/null || kill "$S6_PID" 2>/dev/null || true
	wait "$S6_PID" 2>/dev/null || true
	S6_PID=
}
