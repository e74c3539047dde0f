#!/bin/bash
# An argument hundreds of characters long gets a message that says what is wrong, not one
# that only echoes it: each quotes the start of the argument and its length, and stays short
# enough that the reason is on screen.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
enter_seed_netns "$@"

long=$(printf '9%.0s' $(seq 600))
# short_reason NAME WANT CMD...: CMD fails with exit 2 or 1, its message is under 400
# characters and contains WANT.
short_reason() {
	local name=$1 want=$2 out rc
	shift 2
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	check "$name: fails" yes "$([ "$rc" -eq 1 ] || [ "$rc" -eq 2 ] && echo yes || echo "no: $rc")"
	check "$name: the message is short ($(wc -c <<<"$out") characters)" yes \
		"$([ "$(head -1 <<<"$out" | wc -c)" -lt 400 ] && echo yes || echo no)"
	check_contains "$name: it says why" "$want" "$out"
}
short_reason "probe ADDR:PORT" "is 600 characters long" "$BINDSCOPE" probe "$long"
short_reason "listen ADDR:PORT" "is 604 characters long" "$BINDSCOPE" listen "1.2.$long"
short_reason "probe --timeout" "(600 characters)' is out of range" "$BINDSCOPE" probe --timeout "$long" 8080
short_reason "probe --ports" "is too large: the largest port is 65535" "$BINDSCOPE" probe --ports "$long"
short_reason "probe --from" "is too long to be an address" "$BINDSCOPE" probe --from "$long" 8080
short_reason "lab --topology" "(600 characters): File name too long" "$BINDSCOPE" lab --topology "$long" -- true
finish
