# The librdkafka mock cluster (tests/helpers/kafka-mock) for the Kafka suites:
# a real Kafka protocol peer on loopback, with brokers taken down and up.
# Plain bash (bats or not): bench/kafka.sh and tests/soak use it too.

# kafka_start [BROKERS]: sets KAFKA (the bootstrap list)
kafka_start() {
	mkfifo "$TMP/kafka.ctl"
	kafka-mock "${1:-3}" < "$TMP/kafka.ctl" > "$TMP/kafka.out" 2> "$TMP/kafka.err" &
	KAFKA_PID=$!
	exec 9> "$TMP/kafka.ctl"
	local i=0
	until [ -s "$TMP/kafka.out" ]; do
		i=$((i + 1))
		[ "$i" -lt 500 ] || { echo "kafka-mock did not start" >&2; return 1; }
		sleep 0.01
	done
	KAFKA=$(head -n 1 "$TMP/kafka.out")
	export KAFKA
}

# kafka_cmd "down 2" | "up 2" | "topic NAME PARTITIONS": waits for its "ok"
kafka_cmd() {
	local before i=0
	before=$(wc -l < "$TMP/kafka.out")
	echo "$*" >&9
	until [ "$(wc -l < "$TMP/kafka.out")" -gt "$before" ]; do
		i=$((i + 1))
		[ "$i" -lt 500 ] || { echo "kafka-mock: no answer to $*" >&2; return 1; }
		sleep 0.01
	done
	[ "$(tail -n 1 "$TMP/kafka.out")" = ok ] || { tail -n 1 "$TMP/kafka.out" >&2; return 1; }
}

# kafka_read TOPIC [KCAT-OPTION...]: the topic's records from the first on,
# read by kcat (an independent client), and at most 30 s of waiting for them
kafka_read() {
	local topic=$1
	shift
	timeout 30 kcat -b "$KAFKA" -C -t "$topic" -o beginning -e -q "$@"
}

# kafka_stop: "quit", not only the end of the mock's input, which a program
# started in the background since kafka_start holds open as well
kafka_stop() {
	[ -n "${KAFKA_PID:-}" ] || return 0
	(echo quit >&9) 2>/dev/null  # a subshell: a mock gone already is no SIGPIPE here
	exec 9>&-
	wait "$KAFKA_PID" 2>/dev/null || true
	KAFKA_PID=
	rm -f "$TMP/kafka.ctl" "$TMP/kafka.out"  # a new start waits for its own
}

# Lost and duplicated events of a copy: "lost=N dup=M", from ids
count_lost_dup() {
	local sent=$1 got=$2
	local lost dup
	lost=$(comm -23 <(jq -r .id "$sent" | sort -u) <(jq -r .id "$got" | sort -u) | wc -l)
	dup=$(( $(jq -r .id "$got" | wc -l) - $(jq -r .id "$got" | sort -u | wc -l) ))
	echo "lost=$lost dup=$dup"
}
