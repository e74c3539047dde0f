#!/bin/bash
# The next [::] listener's v6only follows net.ipv6.bindv6only when key 6 leaves it at the
# default: the title, the Explain panel and the matrix all say what the kernel will do.
# Here the test's own namespace sets net.ipv6.bindv6only = 1 (it is per network namespace).
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
enter_seed_netns "$@"
TUI_COLS=140 TUI_LINES=40 # room for the whole explanation on one line each
source "$TESTS_DIR/tui/helpers/tmux.bash"

if ! sysctl -qw net.ipv6.bindv6only=1 2>/dev/null; then
	echo "SKIP: cannot set net.ipv6.bindv6only in this namespace"
	exit 77
fi

tui_start || exit 1
wait_for "the title names the system's default: on" 'next listener: tcp   \[::\] v6only: default \(on\)'

# i shows the IPv6 rows; :: is the last row of the interfaces panel.
tui_keys i
wait_for "i: the ::1 row appears" '^ lo +::1/128'
tui_keys Down Down Down Down Down Down Down Down
wait_for "Down x8 chooses ::" '^>:: +all IPv6 interfaces'
wait_for "the Explain panel says the default turns v6only on" \
	'IPv6 only: net\.ipv6\.bindv6only = 1 turns v6only on \(key 6\)\.'
wait_for "the same-as line sets no ipv6only (socat follows the default too)" \
	'same as: socat TCP6-LISTEN:8081,bind=\[::\],fork,reuseaddr /dev/null'

tui_keys Enter
wait_for "Enter asks the port" 'Listen \(tcp\) on ::, port: 8081_'
tui_keys Enter
wait_for "the [::]:8081 row is probed" '^ #[0-9]+ tcp \[::\]:8081 +[✓✗]'
wait_gone "probing is over" 'probing'
check_cells "tcp [::]:8081" "lo@127.0.0.1=✗ refused" "lo@::1=✓ open" "wlan0@192.168.1.10=✗ refused"
check_contains "the kernel agrees: [::]:8081 is v6only" "v6only:1" "$(ss -Hltne 'sport = :8081')"

# 6 → off: the explicit choice wins over the default, and the same-as line says so.
tui_keys 6 6
wait_for "6 6: v6only off" 'next listener: tcp   \[::\] v6only: off'
tui_keys Tab Tab Tab
wait_for "back in the interfaces panel" '^ ↑↓ move  Enter listen'
wait_for "the same-as line sets ipv6only=0" \
	'same as: socat TCP6-LISTEN:8081,bind=\[::\],fork,reuseaddr,ipv6only=0 /dev/null'
wait_for "the Explain panel says IPv4 too" 'and IPv4 too: v6only is off \(key 6\)'

tui_stop
finish
