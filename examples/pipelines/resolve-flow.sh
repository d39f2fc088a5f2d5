#!/bin/sh
# resolve-flow.sh NAMESPACE — the public flows of NAMESPACE and where each one
# lives, a line per flow: FLOW <tab> AGENT <tab> BROKER-URL ("-" where DNS
# does not say). Name server: $FLOW_NAMESERVER (HOST:PORT), else resolv.conf.
#
#   FLOW_NAMESERVER=127.0.0.1:5353 resolve-flow.sh flows.example.test
set -eu
[ $# -eq 1 ] || { echo "usage: resolve-flow.sh NAMESPACE" >&2; exit 64; }

flows=$(flow-resolve -l "$1")
# Flow names are DNS names (no blanks, no glob characters): safe unquoted.
# One flow-resolve for them all; its records are key=value lines separated
# by blank lines, which is awk's paragraph mode.
# shellcheck disable=SC2086
flow-resolve $flows | awk 'BEGIN { RS = ""; FS = "\n"; OFS = "\t" }
{
	agent = url = "-"
	for (i = 1; i <= NF; i++) {
		eq = index($i, "=")
		key = substr($i, 1, eq - 1)
		value = substr($i, eq + 1)
		if (key == "flow")
			flow = value
		else if (key == "agent" && agent == "-")
			agent = value
		else if (key == "url")
			url = value
	}
	print flow, agent, url
}'
