#!/bin/bash
# The TUI inside `bindscope lab`: the matrix gains, per peer host, a column per workstation
# address (headed by the peer's name, then the address), and the seed's lesson reads off the
# screen — 0.0.0.0:8081 open from both peers at the address on their own segment,
# 192.168.1.10:8082 open from the Wi-Fi peer and unreachable from the Ethernet one (no route).
# The lab builds its own namespaces (no seed namespace needed); nothing else is touched.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
require_lab
source "$TESTS_DIR/tui/helpers/tmux.bash"

# tui_start runs $BINDSCOPE with no argument: run `bindscope lab` through a wrapper.
real=$BINDSCOPE
BINDSCOPE="$TUI_TMP/bindscope-lab"
printf '#!/bin/sh\nexec %q lab\n' "$real" >"$BINDSCOPE"
chmod +x "$BINDSCOPE"
# 160 columns: nine targets with their addresses in full (at 120 the addresses are cut to
# "192.168.~" and the columns cannot be told apart).
TUI_COLS=160

tui_start || exit 1
wait_for "the lab's interfaces" '^ wlan0 +192\.168\.1\.10/24 +up'
wait_for "a column per peer and address, named by the peer" \
	'^ socket .* eth0-peer +eth0-peer +wlan0-peer +wlan0-peer *$'
wait_for "... each peer column names the workstation address it connects to" \
	'^ +127\.0\.0\.1 .* 192\.168\.0\.110 +192\.168\.1\.10 +192\.168\.0\.110 +192\.168\.1\.10 *$'
wait_for "the matrix says it probes from the peers too" 'and from each lab peer'

tui_keys Down Down Down Enter Enter
wait_for "0.0.0.0:8081 is probed" '^ #[0-9]+ tcp 0\.0\.0\.0:8081 +[✓✗]'
wait_gone "probing is over" 'probing'
check_cells "tcp 0.0.0.0:8081" "lo=✓ open" "eth0=✓ open" "wlan0=✓ open" \
	"eth0-peer@192.168.0.110=✓ open" "eth0-peer@192.168.1.10=⊘ unreach" \
	"wlan0-peer@192.168.0.110=⊘ unreach" "wlan0-peer@192.168.1.10=✓ open"

tui_keys Up Enter
tui_type 8082
tui_keys Enter
wait_for "192.168.1.10:8082 is probed" '^ #[0-9]+ tcp 192\.168\.1\.10:8082 +[✓✗]'
wait_gone "probing is over" 'probing'
check_cells "tcp 192.168.1.10:8082" "lo=✗ refused" "eth0=✗ refused" "wlan0=✓ open" \
	"eth0-peer@192.168.0.110=✗ refused" "eth0-peer@192.168.1.10=⊘ unreach" \
	"wlan0-peer@192.168.0.110=⊘ unreach" "wlan0-peer@192.168.1.10=✓ open"
wait_for "the log names the peers' rounds" 'probed from eth0-peer: [0-9]+ of [0-9]+ probes open'

# The peers are bindscope's children, in the pane's session: none may outlive it. (By session,
# not by name: other lab tests may run at the same time.)
sid=$(ps -o sid= -p "$(tui_pid)" | tr -d ' ')
tui_stop # checks that bindscope exits when asked to
sleep 0.2
check "no lab process is left behind" "" "$(pgrep -s "$sid" -f "$real" || true)"
finish
