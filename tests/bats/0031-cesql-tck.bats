#!/usr/bin/env bats
# The CESQL 1.0 Test Compatibility Kit, read from the conformance kit's own
# YAML files: every case, none skipped or edited.

load helpers/common

@test "cesql: the TCK passes 275 of 275" {
	local dir=${FLOW_CONFORMANCE:?}/cesql-tck
	[ -d "$dir" ] || { echo "the conformance kit is missing: $dir" >&2; return 1; }
	[ "$(ls "$dir"/*.yaml | wc -l)" -eq 18 ]
	run cesql-tck "$dir"/*.yaml
	printf '%s\n' "${lines[@]}" | grep -v '^ok ' >&2 || true
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "275 passed, 0 failed" ]
}
