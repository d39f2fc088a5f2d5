#!/usr/bin/env bats
# The manual pages are well-formed, and every example pipeline runs.

load helpers/common

setup() { common_setup; }
teardown() { common_teardown; }

@test "man pages: mandoc -Tlint finds nothing to warn about" {
	local page n=0
	for page in "$FLOW_SRCDIR"/man/*.[1-8]; do
		run mandoc -Tlint -W warning "$page"
		[ "$status" -eq 0 ] || { echo "$output"; return 1; }
		n=$((n + 1))
	done
	[ "$n" -ge 4 ]
}

@test "man pages: every program has one" {
	local dir
	for dir in "$FLOW_SRCDIR"/cmd/*/; do
		ls "$FLOW_SRCDIR/man/$(basename "$dir")".[1-8]
	done
}

@test "examples: quickstart.sh publishes, rejects, reads back and follows" {
	run "$FLOW_SRCDIR/examples/pipelines/quickstart.sh"
	[ "$status" -eq 0 ]
	assert_match '"id":"a3"' "$output"
	assert_match 'kept in the reject file: \{"id":"oops"\}' "$output"
	assert_match '"data":"gate 12: doors open"' "$output"
	assert_match "group 'demo' stored offset: 4" "$output"
}
