#!/bin/bash
# The help says what the program does: every command the program knows is listed in
# `bindscope --help`, the commands the help says take --json each document it, the one that
# does not take it refuses it, and `lab --help` lists every option lab accepts.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"

help=$("$BINDSCOPE" --help)
known=$("$BINDSCOPE" no-such-command 2>&1 | sed -n 's/.*the commands are \(.*\) (see.*/\1/p' | sed 's/ and /, /; s/,/ /g')
check "the unknown-command message lists the commands" yes "$([ -n "$known" ] && echo yes || echo no)"
for c in $known; do
	check "--help lists the command '$c'" yes \
		"$(grep -qE "^  $c( |\$)" <<<"$help" && echo yes || echo no)"
done
json_cmds=$(sed -n 's/.*--help; \(.*\) take --json.*/\1/p' <<<"$help" | sed 's/ and /, /; s/,/ /g')
check "--help says which commands take --json" yes "$([ -n "$json_cmds" ] && echo yes || echo no)"
for c in $json_cmds; do
	check_contains "$c --help documents --json" "--json" "$("$BINDSCOPE" "$c" --help)"
done
"$BINDSCOPE" lab --json -- true >/dev/null 2>&1
check "lab refuses --json, as the help says (exit 2)" 2 $?
lab_help=$("$BINDSCOPE" lab --help)
for o in --topology --tour --help; do
	check_contains "lab --help lists $o" "$o" "$lab_help"
done
finish
