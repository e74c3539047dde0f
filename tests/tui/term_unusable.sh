#!/bin/bash
# A terminal the interactive view cannot draw on gets a sentence and exit 2, never ncurses'
# "Error opening terminal" or a blank screen: TERM unset, unknown, and dumb (no cursor moves).
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
source "$TESTS_DIR/lib/process.sh"
tmp=$(mktemp -d)
pids=()
trap 'tmux -S "$tmp/sock" kill-server 2>/dev/null; cleanup' EXIT

# run_in_pane ENV...: bindscope in a tmux pane with the environment given; prints the screen
# once the pane says EXITED:STATUS (at most 5 s).
run_in_pane() {
	local screen=""
	tmux -f /dev/null -S "$tmp/sock" new-session -d -x 120 -y 20 \
		"env $* $(printf '%q' "$BINDSCOPE"); echo EXITED:\$?; sleep 10"
	for _ in $(seq 50); do
		screen=$(tmux -S "$tmp/sock" capture-pane -p -J 2>/dev/null)
		grep -q '^EXITED:' <<<"$screen" && break
		sleep 0.1
	done
	tmux -S "$tmp/sock" kill-server 2>/dev/null
	sleep 0.2
	echo "$screen"
}

out=$(run_in_pane -u TERM)
check_contains "TERM unset: exit 2" "EXITED:2" "$out"
check_contains "TERM unset: says so and what to do" "TERM is not set" "$out"
out=$(run_in_pane TERM=no-such-terminal)
check_contains "TERM unknown: exit 2" "EXITED:2" "$out"
check_contains "TERM unknown: names it" "TERM=no-such-terminal is not known here" "$out"
check "TERM unknown: not ncurses' words" "" "$(grep -o 'Error opening terminal' <<<"$out")"
out=$(run_in_pane TERM=dumb)
check_contains "TERM=dumb: exit 2" "EXITED:2" "$out"
check_contains "TERM=dumb: says why" "TERM=dumb cannot move its cursor" "$out"
check_contains "every case offers the plain matrix" "bindscope probe --open ADDR:PORT" "$out"
finish
