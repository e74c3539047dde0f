#!/bin/bash
# Interfaces that share an address (10.5.0.1 on two links, fe80::1 on both, as routers have):
# an MTU change on one of them changes no address, so the log says nothing about addresses
# and no probe round starts. Adding a real address still does both.
set -uo pipefail
source "$TESTS_DIR/lib/common.sh"
enter_seed_netns "$@"
source "$TESTS_DIR/tui/helpers/tmux.bash"

ip link add share0 type veth peer name share1 || { echo "cannot make a veth pair here" >&2; exit 1; }
for l in share0 share1; do
	ip addr add 10.5.0.1/24 dev "$l" || exit 1
	ip addr add fe80::1/64 dev "$l" || exit 1
	ip link set "$l" up
done

# rounds: how many "probed ..." lines the log holds.
rounds() {
	SCREEN=$(tui_screen)
	grep -cE '^ [0-9]{2}:[0-9]{2}:[0-9]{2} probed ' <<<"$SCREEN"
}

TUI_LINES=40
tui_start || exit 1
tui_keys Enter Enter # a listener on lo's 127.0.0.1:8081, so every round is logged
wait_for "the listener is probed" '^ #[0-9]+ tcp 127\.0\.0\.1:8081 +[✓✗]'
wait_gone "probing is over" 'probing'
sleep 1 # the link events of the veths coming up are over
before=$(rounds)
for mtu in 1400 1300 1280 1450 1500; do # not below 1280: that disables IPv6 on the link
	ip link set share0 mtu "$mtu"
	sleep 0.2
done
sleep 1
check_screen_lacks "MTU changes: no address is said to be removed" 'removed from share'
check_screen_lacks "MTU changes: no address is said to be added" 'added on share'
check "MTU changes: no new probe round" "$before" "$(rounds)"

ip addr add 10.5.0.2/24 dev share0
wait_for "a real new address is logged" 'address 10\.5\.0\.2/24 added on share0$'
wait_for "and starts a round" "$(printf '%s' '^ [0-9]{2}:[0-9]{2}:[0-9]{2} probed ')" 5
check "the new address started exactly one round" "$((before + 1))" "$(sleep 1; rounds)"
tui_stop
finish
