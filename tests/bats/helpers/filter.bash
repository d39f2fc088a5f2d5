# For the flow-filter suites: jq's view of a selection, to compare with,
# and the value of a CESQL expression for one event.

# jq_select JQ-CONDITION [FILE]: the lines of FILE (default $TMP/in) for
# which the jq condition holds, as jq -c prints them (the input is compact,
# so these are the input lines themselves)
jq_select() {
	jq -c "select($1)" "${2:-$TMP/in}"
}

# value_of EXPR [EVENT-JSON]: flow-filter --print for one event (by default
# a minimal valid one); the value on stdout, the error line on stderr
value_of() {
	printf '%s\n' "${2:-$(event v1)}" | flow-filter --print -- "$1"
}
