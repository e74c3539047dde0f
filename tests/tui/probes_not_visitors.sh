#!/bin/bash
# bindscope's own probes are never counted as visitors, however fast rounds follow each other:
# a round replaced before its connections were accepted keeps them as bindscope's. `r r`, then
# `r` held down (200 presses), then the listener must still read conn 0/0. The same for a
# dual-stack [::] listener, which sees bindscope's IPv4 probes as ::ffff:a.b.c.d.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
enter_seed_netns "$@"
source "$TESTS_DIR/tui/helpers/tmux.bash"

# conn_counts [BOUND]: "OPEN/TOTAL" from the listeners panel's row ("conn 0/0 0 B, 4 probes").
conn_counts() {
	local bound=${1:-0\.0\.0\.0:8081}
	SCREEN=$(tui_screen)
	grep -oE "tcp $bound +conn [0-9]+/[0-9]+" <<<"$SCREEN" | head -1 | awk '{print $NF}'
}

tui_start || exit 1
tui_keys Down Down Down
wait_for "Down x3 chooses 0.0.0.0" '^>0\.0\.0\.0 +all IPv4 interfaces'
tui_keys Enter Enter
wait_for "the 0.0.0.0:8081 row is probed" '^ #[0-9]+ tcp 0\.0\.0\.0:8081 +[✓✗]'
wait_gone "probing is over" 'probing'
check "after the first round: no visitor" "0/0" "$(conn_counts)"

tui_keys Tab
wait_for "the listeners panel" '^ ↑↓ move  d close  r probe'
tui_keys r r
wait_for "r r: a round ran" 'probes'
wait_gone "r r: probing is over" 'probing' 20
sleep 0.5
check "r r: still no visitor" "0/0" "$(conn_counts)"

tmux_ send-keys -N 200 r
wait_gone "r held: probing is over" 'probing' 30
sleep 0.5
check "r held down (200 rounds): still no visitor" "0/0" "$(conn_counts)"
check_screen_lacks "the log shows no accepted visitor" 'accepted 127\.0\.0\.1:'
tui_stop

# [::] without v6only takes IPv4 too: an abandoned round's IPv4 probe arrives as ::ffff:...
tui_start || exit 1
tui_keys Down Down Down Down
wait_for "Down x4 chooses ::" '^>:: +all IPv6 interfaces'
tui_keys Enter
tui_type 8082
tui_keys Enter
wait_for "the [::]:8082 row is probed" '^ #[0-9]+ tcp \*:8082 +[✓✗]'
wait_gone "probing is over" 'probing'
tui_keys Tab
tmux_ send-keys -N 200 r
wait_gone "[::]: r held: probing is over" 'probing' 30
sleep 0.5
check "[::]: r held down (200 rounds): still no visitor" "0/0" "$(conn_counts '\[::\]:8082')"
check_screen_lacks "[::]: the log shows no accepted visitor" 'accepted \[::ffff:'
tui_stop
finish
