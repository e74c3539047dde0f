#!/bin/bash
# The other keys, as the status line and the help promise them: Tab cycles the panels (the
# status line follows), u makes the next listener UDP, 6 cycles v6only, i shows and hides the
# IPv6 rows and columns without moving the choice, d closes the chosen listener; Enter and d
# where they cannot act say why in the log.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
enter_seed_netns "$@"
source "$TESTS_DIR/tui/helpers/tmux.bash"

log_re() {
	printf '^ [0-9]{2}:[0-9]{2}:[0-9]{2} %s' "$1"
}
status_is() {
	tui_wait '.' 1
	check_contains "$1" "$2" "$(tail -n1 <<<"$SCREEN")"
}
# explain_first: the first line of the Explain panel.
explain_first() {
	SCREEN=$(tui_screen)
	grep -A1 '^─ Explain' <<<"$SCREEN" | tail -n1
}

tui_start || exit 1

# Tab cycles interfaces → listeners → matrix → interfaces; the status line follows.
status_is "interfaces: the status line offers Enter listen" " ↑↓ move  Enter listen  u tcp/udp"
tui_keys Tab
wait_for "Tab: the listeners panel's keys" '^ ↑↓ move  d close  r probe  Tab panel'
tui_keys Enter
wait_for "Enter outside the interfaces panel says where it works" \
	"$(log_re 'Enter opens a listener from the interfaces panel \(Tab to it\)$')"
tui_keys d
wait_for "d with no listener says so" \
	"$(log_re 'no listener to close: open one with Enter on an interface$')"
tui_keys Tab
wait_for "Tab: the matrix's keys" '^ ↑↓←→ move  d close  r probe  Tab panel'
tui_keys Tab
wait_for "Tab: back to the interfaces" '^ ↑↓ move  Enter listen  u tcp/udp'

# 6 cycles v6only in the title: default → on → off → default.
for want in on off "default \(off\)"; do
	tui_keys 6
	wait_for "6: [::] v6only: $want" "next listener: tcp   \[::\] v6only: $want( |\$)"
done

# u: the next listener is UDP; a UDP listener on wlan0 reads like the TCP one.
tui_keys u
wait_for "u: the title says the next listener is udp" 'next listener: udp '
tui_keys Down Down Enter
wait_for "the prompt says udp" 'Listen \(udp\) on wlan0, port: 8081_'
tui_type 8082
tui_keys Enter
wait_for "the udp listener is in the listeners panel" '>udp 192\.168\.1\.10:8082 '
wait_gone "probing is over" 'probing'
check_cells "udp 192.168.1.10:8082" "lo=✗ refused" "eth0=✗ refused" "wlan0=✓ open"
check_contains "the kernel has the UDP socket" "192.168.1.10:8082" "$(ss -Hlun 'sport = :8082')"
tui_keys u
wait_for "u again: back to tcp" 'next listener: tcp '

# i: IPv6 rows appear and go; the chosen interface (wlan0) stays chosen.
tui_keys i
wait_for "i: lo's ::1 appears" '^ lo +::1/128 +up'
wait_for "i: the matrix gets an ::1 column" '127\.0\.0\.1 .* ::1( |$)'
wait_for "i: wlan0 (192.168.1.10) is still the chosen interface" '^>wlan0 +192\.168\.1\.10/24' 10
tui_keys i
wait_gone "i again: the IPv6 rows go" '::1/128'
wait_for "i again: wlan0 is still the chosen interface" '^>wlan0 +192\.168\.1\.10/24' 10

# Hiding the IPv6 columns while one of them is chosen in the matrix: the choice must land on
# a column that is still there, so the Explain panel keeps explaining a cell.
tui_keys Tab Tab
wait_for "Tab Tab: the matrix" '^ ↑↓←→ move  d close'
wait_for "the matrix explains lo's cell first" '^ lo 127\.0\.0\.1: From this host, a connection to 127\.0\.0\.1:8082 '
tui_keys i
wait_for "i shows the IPv6 columns" '::1'
tui_keys Right Right Right Right Right Right Right Right Right Right Right Right
wait_for "Right x12 reaches the last IPv6 column (::)" '^ ::: '
tui_keys i
wait_gone "i hides the IPv6 columns" '::1'
check "after i, the Explain panel explains a cell that is on screen" "yes" \
	"$(explain_first | grep -qE ' nc -4 -vzu? [0-9.]+ 8082 ' && echo yes ||
		echo "no: '$(explain_first)'")"

# d in the listeners panel closes the chosen listener, for the kernel too.
tui_keys Tab Tab
wait_for "Tab: the listeners panel" '^ ↑↓ move  d close'
tui_keys d
wait_for "d logs the close" "$(log_re 'closed udp 192\.168\.1\.10:8082$')"
wait_for "the listeners panel is empty again" 'none: Enter on an interface opens one'
wait_for "the matrix is empty again" 'No listener yet\. Choose an interface above and press Enter\.'
check "the kernel has no UDP socket on 8082" "" "$(ss -Hlun 'sport = :8082')"

tui_stop # checks that bindscope exits when asked to
finish
