#!/bin/bash
# `bindscope lab --tour`: the seed's steps, one Space at a time, each doing its part for real —
# a wildcard listener, a specific one, the address that is not here, and the weak host model
# once eth0-peer routes through the workstation (its cell turns open, marked !).
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
if ! why=$("$BINDSCOPE" lab -- true 2>&1); then
	echo "SKIP: the lab cannot be built here: $why" >&2
	exit 77
fi
source "$TESTS_DIR/tui/helpers/tmux.bash"

real=$BINDSCOPE
BINDSCOPE="$TUI_TMP/bindscope-lab-tour"
printf '#!/bin/sh\nexec %q lab --tour\n' "$real" >"$BINDSCOPE"
chmod +x "$BINDSCOPE"
TUI_COLS=160 # every peer column with its address in full
TUI_LINES=32

tui_start || exit 1
wait_for "step 1 welcomes" 'Tour 1/7: Welcome'
wait_for "the status line says how to go on" '^ Space next +Esc leave tour'
tui_keys Space
wait_for "step 2 opens 0.0.0.0:8081" 'Tour 2/7: Listen on every interface'
wait_for "... and probes it" '^ #[0-9]+ tcp 0\.0\.0\.0:8081 +✓'
wait_gone "probing is over" 'probing'
check_cells "tcp 0.0.0.0:8081" "eth0-peer@192.168.0.110=✓ open" "wlan0-peer@192.168.1.10=✓ open"
tui_keys Space
wait_for "step 3 opens 192.168.1.10:8082" '^ #[0-9]+ tcp 192\.168\.1\.10:8082 +✗'
wait_gone "probing is over" 'probing'
check_cells "tcp 192.168.1.10:8082" "eth0=✗ refused" "wlan0=✓ open" \
	"eth0-peer@192.168.0.110=✗ refused" "eth0-peer@192.168.1.10=⊘ unreach" \
	"wlan0-peer@192.168.1.10=✓ open"
tui_keys Space Space
wait_for "step 5 tries 192.168.2.20 and the log says why it fails" \
	'cannot listen on tcp 192\.168\.2\.20:8083: that address is not on this machine'
tui_keys Space
wait_for "step 6 gives eth0-peer a route" 'eth0-peer: route 192\.168\.1\.0/24 via 192\.168\.0\.110 added'
# the seventh cell of the row: eth0-peer's column for 192.168.1.10
wait_for "... and the Ethernet peer now reaches the Wi-Fi address" \
	'^ #[0-9]+ tcp 192\.168\.1\.10:8082 +([^ ]+ [^ ]+ +){6}✓ open'
wait_gone "probing is over" 'probing'
# predicted from the peer's route (the weak host model), so no contradiction mark
check_cells "tcp 192.168.1.10:8082" "eth0-peer@192.168.1.10=✓ open" \
	"eth0-peer@192.168.0.110=✗ refused" "wlan0-peer@192.168.1.10=✓ open"
tui_keys Space
wait_for "step 7 ends" 'Tour 7/7: The end'
tui_keys Escape
wait_for "Esc leaves the tour" 'tour left: the lab is yours'
# The peers are bindscope's children, in the pane's session: none may outlive it. (By session,
# not by name: other lab tests may run at the same time.)
sid=$(ps -o sid= -p "$(tui_pid)" | tr -d ' ')
tui_stop # checks that bindscope exits when asked to
sleep 0.2
check "no lab process is left behind" "" "$(pgrep -s "$sid" -f "$real" || true)"
finish
