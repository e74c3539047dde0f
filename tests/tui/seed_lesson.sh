#!/bin/bash
# The seed's lesson, done by hand in the TUI: a listener on 0.0.0.0:8081 reads open under lo,
# eth0 and wlan0; one on wlan0 (192.168.1.10:8082) reads refused, refused, open. Read off the
# screen column by column, as a person would.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
enter_seed_netns "$@"
source "$TESTS_DIR/tui/helpers/tmux.bash"

tui_start || exit 1

# The interfaces panel: the seed's addresses, then the wildcards; lo is chosen first.
wait_for "interfaces panel lists lo first, chosen" '^>lo +127\.0\.0\.1/8 +up'
wait_for "eth0 row" '^ eth0 +192\.168\.0\.110/24 +up'
wait_for "wlan0 row" '^ wlan0 +192\.168\.1\.10/24 +up'
wait_for "0.0.0.0 row" '^ 0\.0\.0\.0 +all IPv4 interfaces'
wait_for "matrix headers name the seed's addresses" \
	'^ socket +lo +eth0 +wlan0 +localhost +0\.0\.0\.0'
wait_for "matrix header addresses" \
	'^ +127\.0\.0\.1 +192\.168\.0\.110 +192\.168\.1\.10 +127\.0\.0\.1 +0\.0\.0\.0'
wait_for "no listener yet" 'none: Enter on an interface opens one'

# 0.0.0.0 is the fourth row: Down three times, Enter asks the port (default 8081), Enter opens.
tui_keys Down Down Down
wait_for "Down x3 chooses the 0.0.0.0 row" '^>0\.0\.0\.0 +all IPv4 interfaces'
tui_keys Enter
wait_for "Enter asks the port with 8081 as default" 'Listen \(tcp\) on 0\.0\.0\.0, port: 8081_'
tui_keys Enter
wait_for "the 0.0.0.0:8081 row is probed" '^ #[0-9]+ tcp 0\.0\.0\.0:8081 +[✓✗]'
wait_gone "probing is over" 'probing'
check_cells "tcp 0.0.0.0:8081" "lo=✓ open" "eth0=✓ open" "wlan0=✓ open" \
	"localhost=✓ open" "0.0.0.0=✓ open"
wait_for "listeners panel shows it" '^ lo .* >tcp 0\.0\.0\.0:8081 +conn '
wait_for "log says it was opened on every network" \
	'^ [0-9]{2}:[0-9]{2}:[0-9]{2} opened tcp 0\.0\.0\.0:8081$'
check_contains "the kernel agrees: 0.0.0.0:8081 listens" "0.0.0.0:8081" "$(listening 8081)"

# wlan0 is the third row: Up once. The first digit typed replaces the default 8081.
tui_keys Up
wait_for "Up chooses the wlan0 row" '^>wlan0 +192\.168\.1\.10/24'
tui_keys Enter
wait_for "Enter asks the port for wlan0" 'Listen \(tcp\) on wlan0, port: 8081_'
tui_type 8
wait_for "the first digit replaces the default" 'Listen \(tcp\) on wlan0, port: 8_'
tui_type 082
wait_for "more digits append" 'Listen \(tcp\) on wlan0, port: 8082_'
tui_keys Enter
wait_for "the 192.168.1.10:8082 row is probed" '^ #[0-9]+ tcp 192\.168\.1\.10:8082 +[✓✗]'
wait_gone "probing is over" 'probing'
check_screen_lacks "the prompt closed" 'Listen \(tcp\) on'
check_cells "tcp 192.168.1.10:8082" "lo=✗ refused" "eth0=✗ refused" "wlan0=✓ open" \
	"localhost=✗ refused" "0.0.0.0=✗ refused"
# The first row is probed again and still reads open everywhere.
check_cells "tcp 0.0.0.0:8081" "lo=✓ open" "eth0=✓ open" "wlan0=✓ open"
wait_for "log says 192.168.1.10:8082 was opened" \
	'^ [0-9]{2}:[0-9]{2}:[0-9]{2} opened tcp 192\.168\.1\.10:8082$'
check_contains "the kernel agrees: 192.168.1.10:8082 listens" "192.168.1.10:8082" \
	"$(listening 8082)"

tui_stop # checks that bindscope exits when asked to
finish
