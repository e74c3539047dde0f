#!/bin/bash
# At the smallest size bindscope supports (80x24) a person can still see how to get help and
# quit, and every listener they opened has its row in the probe matrix, the chosen one above
# all: four listeners, the fourth chosen.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
enter_seed_netns "$@"
# shellcheck disable=SC2034 # read by helpers/tmux.bash
TUI_COLS=80 TUI_LINES=24
source "$TESTS_DIR/tui/helpers/tmux.bash"

# open_on KEYS PORT: move with KEYS, Enter, type PORT, Enter; wait for its listeners row.
open_on() {
	local keys=$1 port=$2
	# shellcheck disable=SC2086 # KEYS is a list of key names
	[ -n "$keys" ] && tui_keys $keys
	tui_keys Enter
	tui_wait 'port: 8081_$' 30
	tui_type "$port"
	tui_keys Enter
	tui_wait ">(tcp|udp) [^ ]+:$port +conn " 30
}

tui_start || exit 1
wait_for "80x24 gets the full layout" '^─ Probe matrix'
status=$(tail -n1 <<<"$SCREEN")
check_contains "80x24: the status line shows how to get help" "? help" "$status"
check_contains "80x24: the status line shows how to quit" "q quit" "$status"

open_on "Down Down Down" 8081 # 0.0.0.0
open_on "Up" 8082             # wlan0
open_on "Up Up" 8083          # lo
open_on "" 8084               # lo again: the fourth, and the chosen one
wait_gone "probing is over" 'probing'
wait_for "the listeners panel shows all four, the fourth chosen" \
	'>tcp 127\.0\.0\.1:8084 +conn '
check_cells "tcp 0.0.0.0:8081" "lo=✓ open" "wlan0=✓ open"
check_cells "tcp 192.168.1.10:8082" "lo=✗ refused" "wlan0=✓ open"
check_cells "tcp 127.0.0.1:8083" "lo=✓ open" "wlan0=✗ refused"
# The newest listener, the one just opened and chosen, must be readable in the matrix.
check_cells "tcp 127.0.0.1:8084" "lo=✓ open" "eth0=✗ refused" "wlan0=✗ refused"

# In the matrix panel, moving down to the fourth row must show that row.
tui_keys Tab Tab
wait_for "Tab Tab focuses the matrix" '^ ↑↓←→ move  d close'
tui_keys Down Down Down
wait_for "Down x3 explains the fourth listener's lo cell" "nc -4 -vz 127\.0\.0\.1 8084"
check_cells "tcp 127.0.0.1:8084" "lo=✓ open"

tui_stop # checks that bindscope exits when asked to
finish
