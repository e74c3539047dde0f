#!/bin/bash
# `bindscope lab --tour`: the walkthrough (assets/tours/walkthrough.tour) driven through its
# keys at 160x48 as a teacher would. Each step is done for real and its expectations are
# checked (the peers' cells are read here too); Backspace goes back with the lab reset and the
# steps before done again; r restarts and undoes the route the weak-host step added (the
# Ethernet peer's probe of the Wi-Fi address is unreachable again: the kernel says so); X
# resets the lab and leaves the tour, T sets the step up again; Esc leaves; ? lists the keys.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
require_lab
source "$TESTS_DIR/tui/helpers/tmux.bash"

real=$BINDSCOPE
BINDSCOPE="$TUI_TMP/bindscope-lab-tour"
printf '#!/bin/sh\nexec %q lab --tour\n' "$real" >"$BINDSCOPE"
chmod +x "$BINDSCOPE"
TUI_COLS=160 # every peer column with its address in full
TUI_LINES=48

tui_start || exit 1
wait_for "step 1 welcomes, with the lab's own addresses filled in" \
	'Tour 1/9: Welcome\. This is the lab.s network: lo 127\.0\.0\.1, eth0 192\.168\.0\.110 and wlan0 192\.168\.1\.10'
wait_for "... and its peers by name and address" 'eth0-peer at 192\.168\.0\.20'
wait_for "the status line lists the tour's keys" '^ .*Space next +Backspace back +r restart +Esc leave tour'
check_screen_lacks "r is the tour's restart here, not probe as well" ' r probe '

tui_keys Space
wait_for "step 2 opens 0.0.0.0:8081 (socat's default)" 'Tour 2/9: 0\.0\.0\.0 is socat.s default'
wait_for "... and its 3 expectations hold" '✓ 3 of 3 expectations hold'
check_cells "tcp 0.0.0.0:8081" "eth0-peer@192.168.0.110=✓ open" "wlan0-peer@192.168.1.10=✓ open" "lo=✓ open"

tui_keys Space
wait_for "step 3 opens one address" 'Tour 3/9: Listen on one address'
wait_for "... and its 4 expectations hold" '✓ 4 of 4 expectations hold'
check_cells "tcp 192.168.1.10:8085" "eth0=✗ refused" "wlan0=✓ open" \
	"eth0-peer@192.168.1.10=⊘ unreach" "wlan0-peer@192.168.1.10=✓ open"

tui_keys BSpace
wait_for "Backspace goes back to step 2" 'Tour 2/9: 0\.0\.0\.0 is socat.s default'
wait_for "... with the lab reset and the steps up to it done again" \
	'tour: back to step 2: the lab is reset, and the steps up to it are done again'
wait_for "... so its expectations hold again" '✓ 3 of 3 expectations hold'
wait_gone "... and step 3's listener is gone" '#[0-9]+ tcp 192\.168\.1\.10:8085'

tui_keys Space Space Space
wait_for "step 5: the wrong port is refused (a connection from eth0-peer, in the log)" \
	'connect from eth0-peer to tcp 192\.168\.0\.110:8080: refused \(reset\)'
wait_for "... and the right one is open" 'connect from eth0-peer to tcp 192\.168\.0\.110:8081: open \(syn-ack\)'
wait_for "... and counted as a visitor of 0.0.0.0:8081" 'tcp 0\.0\.0\.0:8081 +conn 0/1 '
tui_keys Space
wait_for "step 6: the kernel refuses an address that is not here" \
	'cannot listen on tcp 192\.168\.1\.20:8088: that address is not on this machine'
tui_keys Space Space
wait_for "step 8 adds a route in eth0-peer" 'eth0-peer: route 192\.168\.1\.10/32 via 192\.168\.0\.110 added'
wait_for "... and the weak host model's expectation holds" '✓ its expectation holds'

tui_keys r
wait_for "r starts from the first step" 'Tour 1/9: Welcome'
wait_for "... with the lab reset" 'tour: from the start: the lab is reset'
wait_for "... the route removed" 'eth0-peer: route 192\.168\.1\.10/32 via 192\.168\.0\.110 removed'
wait_for "... and no listener left" 'none: Enter on an interface opens one'
tui_keys Space Space
wait_for "step 3 again" '✓ 4 of 4 expectations hold'
# The kernel as the oracle of the reset: the peer's route is gone, so its probe has no route.
check_cells "tcp 192.168.1.10:8085" "eth0-peer@192.168.1.10=⊘ unreach"

tui_keys X
wait_for "X resets the lab" 'reset: 2 listeners closed, 0 changes to the lab undone'
wait_for "... and leaves the tour" 'tour left, as the lab was reset \(T sets its step up again\)'
wait_for "... the listeners gone" 'none: Enter on an interface opens one'
wait_gone "... and the tour's keys leave the status line" 'Space next'
tui_keys T
wait_for "T comes back to step 3" 'Tour 3/9: Listen on one address'
wait_for "... set up again" '✓ 4 of 4 expectations hold'
wait_for "... with its listeners" 'tcp 192\.168\.1\.10:8085'

tui_keys '?'
wait_for "? lists the tour's keys" 'Space n +tour: the next step'
wait_for "... the way back" 'Backspace p +tour: the step before'
wait_for "... and the reset" 'X +reset: close every listener, undo the lab.s added routes, rules and settings'
tui_keys '?'

tui_keys Escape
wait_for "Esc leaves the tour" 'tour left: the lab is yours \(T goes back to the tour\)'
wait_gone "... and the tour's text goes" 'Tour 3/9'
# The peers are bindscope's children, in the pane's session: none may outlive it. (By session,
# not by name: other lab tests may run at the same time.)
sid=$(ps -o sid= -p "$(tui_pid)" | tr -d ' ')
tui_stop # checks that bindscope exits when asked to
sleep 0.2
check "no lab process is left behind" "" "$(pgrep -s "$sid" -f "$real" || true)"
finish
