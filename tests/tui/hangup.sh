#!/bin/bash
# Closing the terminal under bindscope (tmux kill-server hangs up the pane: SIGHUP, then
# SIGCONT): bindscope quits within a moment and closes its listeners.
#
# Under AddressSanitizer this runs without the exit-time leak check: LeakSanitizer's tracer
# deadlocks when a terminal hangup reaches the process group while it stops the world, and
# the process then spins at exit. The leak check runs in every other TUI test, which quit
# with q while the terminal is still there.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
enter_seed_netns "$@"
source "$TESTS_DIR/tui/helpers/tmux.bash"

tui_start ASAN_OPTIONS=detect_leaks=0 || exit 1
tui_keys Down Down Down Enter Enter
wait_for "a listener on 0.0.0.0:8081" '^ #[0-9]+ tcp 0\.0\.0\.0:8081 +[✓✗]'
check_contains "the kernel agrees" "0.0.0.0:8081" "$(listening 8081)"
pid=$(tui_pid)
tmux_ kill-server 2>/dev/null
for _ in $(seq 50); do
	[ -d "/proc/$pid" ] || break
	sleep 0.1
done
check "bindscope quits when its terminal hangs up" "gone" \
	"$([ -d "/proc/$pid" ] && echo "still running: $(grep State "/proc/$pid/status")" || echo gone)"
check "its listener is closed" "" "$(listening 8081)"
finish
