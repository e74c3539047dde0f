#!/bin/bash
# The sockets screen (s): a socat on 0.0.0.0, one on wlan0's address and one on loopback are
# listed most exposed first with user, owner and exposure; x hides loopback-only; / searches
# (port, program, user, as typed, kept through refreshes); p probes the chosen socket's port
# on every address and says how it is bound; s returns to the lesson.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
enter_seed_netns "$@"
source "$TESTS_DIR/tui/helpers/tmux.bash"

socat TCP4-LISTEN:9101,bind=127.0.0.1,fork,reuseaddr /dev/null &
pid_lo=$!
socat TCP4-LISTEN:9102,bind=0.0.0.0,fork,reuseaddr /dev/null &
pid_any=$!
socat TCP4-LISTEN:9103,bind=192.168.1.10,fork,reuseaddr /dev/null &
pid_wlan=$!
on_exit "kill $pid_lo $pid_any $pid_wlan 2>/dev/null"
for _ in $(seq 50); do
	[ "$(ss -Hltn 'sport >= :9101 and sport <= :9103' | wc -l)" -eq 3 ] && break
	sleep 0.1
done

tui_start || exit 1
wait_for "the lesson screen is up" 'none: Enter on an interface opens one'
tui_keys s
wait_for "s shows the sockets screen" 'Listening sockets \(tcp\+udp, most exposed first'
wait_for "0.0.0.0:9102: all IPv4 interfaces, owner socat with its pid" \
	"^ tcp +0\.0\.0\.0:9102 +all IPv4 interfaces +root +socat \(pid $pid_any\)"
wait_for "192.168.1.10:9103: one interface, wlan0" \
	"^ tcp +192\.168\.1\.10:9103 +one interface: wlan0 +root +socat \(pid $pid_wlan\)"
wait_for "127.0.0.1:9101: loopback only" \
	"^ tcp +127\.0\.0\.1:9101 +loopback only +root +socat \(pid $pid_lo\)"
order=$(grep -oE ':910[123] ' <<<"$SCREEN" | tr -d ': \n')
check "most exposed first: 9102, 9103, 9101" "910291039101" "$order"
wait_for "the status line lists the screen's keys" \
	'p probe +t tcp/udp +x exposed +r refresh +n namespaces +/ search +s lesson'

# / searches as it is typed, by port, program or user, and keeps the search while the list is
# read again every 2 s.
tui_keys /
wait_for "/ starts a search" 'search: _'
wait_for "... and the status line says how to end it" 'type to search +Enter keep'
tui_type 9103
wait_for "search 9103: only that socket" 'most exposed first, 1 shown\)  search: 9103_'
check_screen_lacks "... 9102 and 9101 are not shown" ':910[12] '
tui_keys Enter
wait_for "Enter keeps the search" 'search: 9103 '
sleep 2.5
wait_for "... through a refresh of the list" 'most exposed first, 1 shown\)  search: 9103'
tui_keys / BSpace BSpace BSpace BSpace
tui_type SOCAT
wait_for "search by program, whatever the case: all three" '3 shown\)  search: SOCAT_'
tui_keys BSpace BSpace BSpace BSpace BSpace
tui_type nobody
wait_for "a search nothing matches says so, and how to widen it" \
	"no socket matches 'nobody': Backspace or Esc widens the search"
tui_keys Escape
wait_gone "Esc clears the search" 'search:'
wait_for "... and all three are back" 'most exposed first, 3 shown'

tui_keys x
wait_for "x keeps only the exposed sockets" 'exposed only, most exposed first, 2 shown'
check_screen_lacks "... so 127.0.0.1:9101 is gone" '127\.0\.0\.1:9101'

# The first row is 0.0.0.0:9102; Down chooses 192.168.1.10:9103, p probes it everywhere.
tui_keys Down p
wait_for "p probes 192.168.1.10:9103 from this host" '#[0-9]+ tcp 192\.168\.1\.10:9103, probed \(1 socket on the port\):'
wait_for "... and says how it is bound" \
	'tcp 192\.168\.1\.10:9103 is bound to 192\.168\.1\.10 only, an address of wlan0\.'
# the summary's second sentence must be readable on a 100-column terminal (wrapped or not)
wait_for "... and that from this host it takes 192.168.1.10" 'takes 192\.168\.1\.10\.' 10
wait_for "... refused on lo and eth0, open on wlan0" \
	'^ ✗ refused +✗ refused +✓ open +✗ refused +✗ refused'

tui_keys Up p
wait_for "p on 0.0.0.0:9102 finds it open everywhere" \
	'tcp 0\.0\.0\.0:9102 is bound to the IPv4 wildcard 0\.0\.0\.0\.'

# A socket that goes away leaves the list on the next refresh.
kill "$pid_wlan"
tui_keys r
wait_gone "a closed socket leaves the list" '192\.168\.1\.10:9103 +one interface'

tui_keys s
wait_for "s returns to the lesson" 'none: Enter on an interface opens one'
tui_keys q
wait_for "q quits" 'EXITED:0'
tui_stop # checks that bindscope exits when asked to
finish
